"""The action handlers. Importing the package imports every module that registers handlers
(``@action``, registry.py); the router imports it, so its table is full. A new action module
is added here."""

from . import disks, images, instances, snapshots

__all__ = ["disks", "images", "instances", "snapshots"]
