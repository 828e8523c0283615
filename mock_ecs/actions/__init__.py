"""The action handlers. Importing the package imports every module that registers handlers
(``@action``, registry.py); the router imports it, so its table is full. A new action module
is added here."""

from . import disk_attributes, disks, images, instances, snapshots, tags

__all__ = ["disk_attributes", "disks", "images", "instances", "snapshots", "tags"]
