"""ModifyDiskAttribute and ResizeDisk: the changes to a disk that keep its identity.

Every check of a request passes before anything changes, so a batch of DiskIds.N is changed
whole or not at all.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import errors, validate
from ..backend import RegionState
from ..context import Context
from ..models import Disk, Instance
from ..registry import action
from .common import check_unlocked, get_disk, optional_flag, progressing_snapshot, repeat_values

# ModifyDiskAttribute: "Valid values of N: 0 to 100" (DiskIds.N).
MAX_DISK_IDS = 100
# The attributes a ModifyDiskAttribute request may change; none given is NoAttributeToModify.
_ATTRIBUTES = ("DiskName", "Description", "DeleteWithInstance", "DeleteAutoSnapshot", "BurstingEnabled",
               "EnableAutoSnapshot")


def _disks_named(ctx: Context) -> List[Tuple[RegionState, Disk]]:
    """The disks of ``DiskId`` or ``DiskIds.N`` (one or the other, not both), each found."""
    one = ctx.get("DiskId")
    many = list(dict.fromkeys(repeat_values(ctx, "DiskIds", limit=MAX_DISK_IDS).values()))
    if one and many:
        # Documented as exclusive, with no code of its own: the second one is the bad input.
        raise ctx.error("InvalidParameter.Conflict", "DiskId and DiskIds.N cannot be specified at the same time.")
    if not one and not many:
        raise ctx.error("IncompleteParamter", "Some fields can not be null in this request.")
    return [get_disk(ctx, disk_id) for disk_id in ([one] if one else many)]


@action(
    "ModifyDiskAttribute",
    params=("DiskId", "DiskIds", "DiskName", "Description", "DeleteWithInstance", "DeleteAutoSnapshot",
            "BurstingEnabled", "EnableAutoSnapshot"),
)
def modify_disk_attribute(ctx: Context) -> Dict[str, Any]:
    """Checks, in this order: the disks, the name and description, something to change, then per
    disk its payments and what the change needs of it."""
    found = _disks_named(ctx)
    name = validate.optional_name(ctx, "DiskName", "InvalidDiskName.Malformed", letter_start=True)
    description = validate.optional_description(ctx)
    delete_with_instance = optional_flag(ctx, "DeleteWithInstance")
    delete_auto_snapshot = optional_flag(ctx, "DeleteAutoSnapshot")
    bursting = optional_flag(ctx, "BurstingEnabled")
    optional_flag(ctx, "EnableAutoSnapshot")  # deprecated: every cloud disk has it on (DescribeDisks shows so)
    if not any(ctx.get(p) for p in _ATTRIBUTES):
        raise ctx.error("NoAttributeToModify")
    for _, disk in found:
        # "Make sure that the disk is available and you have no overdue payments for it."
        if disk.in_arrears(ctx.now):
            raise ctx.error("IncorrectDiskStatus", "The operation is not supported in this status.")
        # A disk that cannot be detached (a subscription or local data disk) goes with its
        # instance; the system disk may be kept.
        if delete_with_instance is not None and not disk.portable and disk.disk_type != "system":
            raise ctx.error("DiskNotPortable")
        if bursting and disk.category != "cloud_auto":
            raise errors.invalid_parameter("BurstingEnabled")  # a burst only ESSD AutoPL disks have
    ctx.commit()
    for _, disk in found:
        if name:
            disk.disk_name = name
        if description:
            disk.description = description
        if delete_with_instance is not None:
            disk.delete_with_instance = delete_with_instance
        if delete_auto_snapshot is not None:
            disk.delete_auto_snapshot = delete_auto_snapshot
        if bursting is not None:
            disk.bursting_enabled = bursting
    return {}


# NewSize's upper bound (GiB) by the disk's role and category; the lower bound is the disk's size.
SYSTEM_DISK_MAX = 500  # as CreateInstance and ReplaceSystemDisk take it
_DATA_DISK_MAX = {"cloud": 2000}
DATA_DISK_MAX = 32768
# Resized online: every cloud disk but the basic one ("cloud").
_ONLINE_CATEGORIES = frozenset({"cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"})
RESIZE_TYPES = ("offline", "online")
# ResizeDisk's second text for InvalidDiskCategory.NotSupported (the catalogue has the first).
_NOT_ONLINE_CATEGORY = "The specified disk category does not support resize online."


def _max_size(disk: Disk) -> int:
    if disk.disk_type == "system":
        return SYSTEM_DISK_MAX
    return _DATA_DISK_MAX.get(disk.category, DATA_DISK_MAX)


def _check_instance(ctx: Context, inst: Optional[Instance], online: bool) -> None:
    if inst is None:
        if online:  # an online resize is done by the instance that has the disk
            raise ctx.error("IncorrectDiskStatus", "The current status of the resource does not support resize online")
        return
    check_unlocked(ctx, inst, "InstanceLockedForSecurity.Disk")
    status = inst.status(ctx.now)
    if status not in ("Running", "Stopped"):
        raise ctx.error("IncorrectInstanceStatus")
    if online and status != "Running":
        raise ctx.error(
            "InvalidInstanceStatus.NotRunning",
            "The status of instance to which the disk attachs must be running when resizing online.",
        )


@action("ResizeDisk", params=("DiskId", "NewSize", "Type"))
def resize_disk(ctx: Context) -> Dict[str, Any]:
    """A replayed ClientToken is answered as the first time (the disk is no longer smaller than
    NewSize then); else the checks of ``_resize``."""
    token = validate.client_token(ctx)
    return validate.idempotent(ctx, token, "IdempotentParameterMismatch", lambda: _resize(ctx))


def _resize(ctx: Context) -> Dict[str, Any]:
    """Checks, in this order: Type, the disk, its category, payments, the instance it is attached
    to, a snapshot in progress, the disk's status, then NewSize against the disk's size and its
    category's limit. The new size shows at once (DescribeDisks Size, IOPS) and a later snapshot
    of a disk whose data size was not set takes as long as the new size needs."""
    kind = ctx.get("Type") or "offline"
    if kind not in RESIZE_TYPES:
        raise ctx.error("InvalidParam.Type", "The specified type is not supported.")
    online = kind == "online"
    state, disk = get_disk(ctx, ctx.get("DiskId"))
    if disk.is_local:
        raise ctx.error("OperationDenied", "The type of the disk does not support the operation.")
    if online and disk.category not in _ONLINE_CATEGORIES:
        raise ctx.error("InvalidDiskCategory.NotSupported", _NOT_ONLINE_CATEGORY)
    if disk.in_arrears(ctx.now):
        raise ctx.error("DiskInArrears")
    _check_instance(ctx, state.instances.get(disk.instance_id) if disk.instance_id else None, online)
    if progressing_snapshot(ctx, state, disk.disk_id):
        raise ctx.error("DiskCreatingSnapshot")
    if disk.status(ctx.now) not in ("In_use", "Available"):
        raise ctx.error("IncorrectDiskStatus")
    new_size = ctx.get_int("NewSize")
    assert new_size is not None  # required: the gateway answered its absence
    if new_size < disk.size:
        raise ctx.error("InvalidDiskSize.TooSmall")
    if new_size == disk.size:  # "The new disk capacity must be greater than the original"
        raise ctx.error("InvalidDiskSize", "Specified new disk size is less than or equal the original disk size.")
    if new_size > _max_size(disk):
        raise ctx.error("InvalidDiskSize.TooLarge", "Specified new disk size is beyond the permitted range.")
    ctx.commit()
    disk.size = new_size
    if disk.charge_type == "PrePaid":  # "returned only when subscription disks are resized"
        return {"OrderId": str(int(ctx.now * 1000))}
    return {}
