"""The action handlers. Importing the package imports every module that registers handlers
(``@action``, registry.py); the router imports it, so its table is full. A new action module
is added here."""

from . import (
    catalogue,
    disk_attributes,
    disk_reset,
    disks,
    image_copy,
    images,
    instance_attributes,
    instances,
    policies,
    snapshot_copy,
    snapshot_groups,
    snapshot_usage,
    snapshots,
    tags,
)

__all__ = [
    "catalogue", "disk_attributes", "disk_reset", "disks", "image_copy", "images", "instance_attributes", "instances",
    "policies",
    "snapshot_copy", "snapshot_groups", "snapshot_usage", "snapshots", "tags",
]
