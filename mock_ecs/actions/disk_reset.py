"""ResetDisk and ResetDisks: a disk rolled back to one of its own snapshots.

The disk takes the data the snapshot holds (its content generation and data size); the
snapshots of the disk, newer ones included, stay. The rules are checked in this order for
each pair (DiskId, SnapshotId), and ResetDisks checks every pair before it changes any disk:
account -> the disk -> the snapshot (in the disk's region) -> a local disk -> a copy
(OperationDenied, NEXT-ACTIONS.md 2.1: a copy cannot roll back its source disk) -> a snapshot
of another disk (InvalidParameter.Mismatch) -> a snapshot not accomplished (progressing or
failed: InvalidSnapshotId.NotReady) -> the disk's status -> its instance (a security lock,
not Stopped, arrears) -> a snapshot of the disk still progressing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from .. import errors, keyorder
from ..backend import RegionState
from ..context import Context
from ..models import Disk, Snapshot
from ..registry import action
from .common import check_account_open, dry_run_flag, progressing_snapshot

# "Valid values of N: 1 to 10" (ResetDisks).
DISK_LIMIT = 10


def _check(ctx: Context, state: RegionState, disk_id: str, snap_id: str) -> Tuple[Disk, Snapshot]:
    """The disk and the snapshot it may be reset to, or the first rule they break."""
    disk = state.disks.get(disk_id)
    if disk is None:
        raise ctx.error("InvalidDiskId.NotFound")
    snap = state.snapshots.get(snap_id)
    if snap is None:
        raise ctx.error("InvalidSnapshotId.NotFound")
    if disk.is_local:
        raise ctx.error("DiskCategory.OperationNotSupported")
    if snap.source_snapshot_id:
        raise ctx.error("OperationDenied", "The specified snapshot dees not support ResetDisk.")
    if snap.source_disk_id != disk_id:
        raise ctx.error("InvalidParameter.Mismatch", "The specified snapshot is not created from the specified disk.")
    now = ctx.now
    if snap.status(now) != "accomplished":
        raise ctx.error("InvalidSnapshotId.NotReady")
    status = disk.status(now)
    if status not in ("In_use", "Available"):
        raise ctx.error("IncorrectDiskStatus")
    inst = state.instances.get(disk.instance_id) if status == "In_use" else None
    reasons = inst.lock_reasons() if inst is not None and inst.locks else ()
    if "security" in reasons:
        raise ctx.error("InstanceLockedForSecurity")
    if inst is not None and inst.status(now) != "Stopped":
        raise ctx.error("IncorrectInstanceStatus")
    if disk.in_arrears(now) or "financial" in reasons or (inst is not None and inst.expired(now)):
        raise ctx.error("InstanceExpiredOrInArrears")
    if progressing_snapshot(ctx, state, disk_id):
        raise ctx.error("IncorrectDiskStatus.HasUnfinishedSnapshot", "The current disk has unfinished snapshot.")
    return disk, snap


def _reset(disk: Disk, snap: Snapshot) -> None:
    """The disk holds what the snapshot holds; its other attributes and snapshots stay."""
    disk.content = snap.content
    disk.data_size = snap.data_gib


@action("ResetDisk", params=("DiskId", "SnapshotId", "DryRun"))
def reset_disk(ctx: Context) -> Dict[str, Any]:
    dry_run_flag(ctx)
    disk_id, snap_id = ctx.get("DiskId"), ctx.get("SnapshotId")
    check_account_open(ctx)
    state = ctx.locate(disk_id)
    if state is None:
        raise ctx.error("InvalidDiskId.NotFound")
    disk, snap = _check(ctx, state, disk_id, snap_id)
    ctx.commit()
    _reset(disk, snap)
    return {}


def _pairs(ctx: Context) -> List[Tuple[str, str]]:
    """``Disk.N.DiskId``/``Disk.N.SnapshotId``, N from 1 to 10: each entry needs both, and a
    disk is named once (two snapshots for one disk have no meaning)."""
    pairs: List[Tuple[str, str]] = []
    seen = set()
    for n, entry in ctx.indexed("Disk", limit=DISK_LIMIT).items():
        for field in ("DiskId", "SnapshotId"):
            if not entry.get(field):
                raise errors.missing(f"Disk.{n}.{field}")
        if entry["DiskId"] in seen:
            raise errors.invalid_parameter(f"Disk.{n}.DiskId")
        seen.add(entry["DiskId"])
        pairs.append((entry["DiskId"], entry["SnapshotId"]))
    if not pairs:
        raise errors.missing("Disk")
    return pairs


@action("ResetDisks", params=("Disk", "DryRun"))
def reset_disks(ctx: Context) -> Dict[str, Any]:
    """All or nothing: every pair is checked before any disk changes; the answer lists each."""
    dry_run_flag(ctx)
    pairs = _pairs(ctx)
    check_account_open(ctx)
    state = ctx.region()
    checked = [_check(ctx, state, disk_id, snap_id) for disk_id, snap_id in pairs]
    ctx.commit()
    progress = []
    for disk, snap in checked:
        _reset(disk, snap)
        progress.append({
            "OperationStatus": "Success", "ErrorCode": "", "ErrorMsg": "",
            "RelatedItemSet": {"RelatedItem": [
                {"Name": "SnapshotId", "Value": snap.snapshot_id}, {"Name": "DiskId", "Value": disk.disk_id},
            ]},
        })
    return keyorder.ordered({"OperationProgressSet": {"OperationProgress": progress}, "RequestId": ""})
