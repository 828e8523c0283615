"""CreateSnapshot (every rule of the spec), DescribeSnapshots, DeleteSnapshot, ModifySnapshotAttribute.

CreateSnapshot checks, in this order (documented in README):
gateway -> parameter formats -> ClientToken -> account -> disk and instance -> quota.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import filters, ids, paging, validate
from ..backend import add_snapshot, disk_snapshots, remove_snapshot
from ..clock import iso_seconds, parse_iso
from ..context import Context
from ..models import Disk, Snapshot
from ..paging import paginate
from ..router import action
from .common import new_id, tags_view
from .disks import effective_locks

SNAPSHOT_STATUSES = ("progressing", "accomplished", "failed", "all")
USAGES = ("image", "disk", "image_disk", "none")


def _check_disk(ctx: Context, disk_id: str) -> Disk:
    """The disk and instance rules of the spec, in the order of decisions.md."""
    if ids.kind_of(disk_id) != "d" and disk_id.startswith(ids.FOREIGN_PREFIXES):
        raise ctx.error("DiskId.ValueNotSupported")
    state = ctx.locate(disk_id)
    disk = state.disks.get(disk_id) if state else None
    if state is None or disk is None:
        raise ctx.error("InvalidDiskId.NotFound")
    now = ctx.now
    if disk.is_local:
        raise ctx.error("DiskCategory.OperationNotSupported")
    if not disk.ever_attached:
        raise ctx.error("IncorrectDiskStatus.NeverAttached")
    if not disk.instance_id or disk.status(now) != "In_use":
        raise ctx.error("IncorrectDiskStatus")
    inst = state.instances[disk.instance_id]
    if inst.status(now) not in ("Running", "Stopped"):
        raise ctx.error("IncorrectInstanceStatus")
    if not inst.ever_started(now):
        raise ctx.error("IncorrectDiskStatus.NeverUsed")
    if "security" in inst.lock_reasons():
        raise ctx.error("InstanceLockedForSecurity")
    if now < disk.initialized_at:
        raise ctx.error("IncorrectDiskStatus.Initializing")
    if any(s.status(now) == "progressing" for s in disk_snapshots(state, disk_id)):
        raise ctx.error("IncorrectDiskStatus.CreatingSnapshot")
    expired = disk.charge_type == "PrePaid" and disk.expired_at <= now
    if expired or "financial" in effective_locks(ctx, state, disk):
        raise ctx.error("DiskInArrears")
    if len(state.snapshots_by_disk.get(disk_id, ())) >= ctx.settings.snapshot_quota:
        raise ctx.error("QuotaExceed.Snapshot")
    return disk


@action(
    "CreateSnapshot", required=("DiskId",),
    params=("SnapshotName", "Description", "RetentionDays", "Tag", "ResourceGroupId", "InstantAccess"),
)
def create_snapshot(ctx: Context) -> Dict[str, Any]:
    name = validate.optional_name(
        ctx, "SnapshotName", "InvalidSnapshotName.Malformed", forbid_auto=True, letter_start=True)
    description = validate.optional_description(ctx)
    retention = ctx.get_int("RetentionDays", None, "InvalidRetentionDays.Malformed", lo=1, hi=65536)
    tags = validate.tags(ctx)
    token = validate.client_token(ctx)

    def create() -> Dict[str, Any]:
        account = ctx.account
        if account.not_enough_balance:
            raise ctx.error("InvalidAccountStatus.NotEnoughBalance")
        if account.snapshot_service_unavailable:
            raise ctx.error("InvalidAccountStatus.SnapshotServiceUnavailable")
        disk = _check_disk(ctx, ctx.get("DiskId"))
        ctx.commit()
        settings = ctx.settings
        snap = Snapshot(
            snapshot_id=new_id(ctx, "s", disk.region_id), region_id=disk.region_id,
            source_disk_id=disk.disk_id, source_disk_size=disk.size, source_disk_type=disk.disk_type,
            source_disk_category=disk.category, created_at=ctx.now,
            duration=max(settings.snapshot_min_seconds, disk.data_gib * settings.snapshot_seconds_per_gib),
            snapshot_name=name, description=description, retention_days=retention,
            encrypted=disk.encrypted, kms_key_id=disk.kms_key_id, tags=tags,
            resource_group_id=ctx.get("ResourceGroupId"),
            instant_access=ctx.get("InstantAccess").lower() == "true",
        )
        add_snapshot(account, account.regions[disk.region_id], snap)
        return {"SnapshotId": snap.snapshot_id}

    return validate.idempotent(ctx, token, "IdempotentParameterMismatch", create)


def snapshot_view(ctx: Context, snap: Snapshot) -> Dict[str, Any]:
    now = ctx.now
    view: Dict[str, Any] = {
        "SnapshotId": snap.snapshot_id,
        "SnapshotName": snap.snapshot_name,
        "Description": snap.description,
        "Status": snap.status(now),
        "Progress": f"{snap.progress(now)}%",
        "RemainTime": snap.remain_time(now),
        "CreationTime": iso_seconds(snap.created_at),
        "LastModifiedTime": iso_seconds(snap.modified_at if snap.modified_at is not None else snap.created_at),
        "SourceDiskId": snap.source_disk_id,
        "SourceDiskSize": str(snap.source_disk_size),
        "SourceDiskType": snap.source_disk_type,
        "SourceStorageType": "disk",
        "Usage": snap.usage(),
        "SnapshotType": "user",
        "Encrypted": snap.encrypted,
        "KMSKeyId": snap.kms_key_id,
        "Category": snap.category,
        "InstantAccess": snap.instant_access,
        "ProductCode": snap.product_code,
        "ResourceGroupId": snap.resource_group_id,
        "RegionId": snap.region_id,
        "SnapshotSN": f"{abs(hash(snap.snapshot_id)) % 10**15:015d}",
        "Available": snap.status(now) == "accomplished",
        "Tags": tags_view(snap.tags),
    }
    if snap.retention_days is not None:
        view["RetentionDays"] = snap.retention_days
    return view


def _time_filters(ctx: Context) -> List[Tuple[str, float]]:
    """``Filter.N.Key``/``Value``: CreationStartTime and CreationEndTime."""
    out = []
    for entry in ctx.indexed("Filter", limit=2).values():
        key, value = entry.get("Key", ""), entry.get("Value", "")
        if key not in ("CreationStartTime", "CreationEndTime"):
            raise ctx.error("InvalidFilterKey.NotFound")
        try:
            out.append((key, parse_iso(value)))
        except ValueError:
            raise ctx.error("InvalidFilterValue") from None
    return out


@action(
    "DescribeSnapshots", needs_region=True, strict=True,
    params=(
        "SnapshotIds", "Status", "SnapshotType", "SourceDiskType", "Usage", "Filter.1.Key", "Filter.1.Value",
        "Filter.2.Key", "Filter.2.Value", "Tag", "Encrypted", "SnapshotName", "Category", "ResourceGroupId",
        "KMSKeyId", "DiskId", "InstanceId", "PageNumber", "PageSize", "NextToken", "MaxResults", "DryRun",
    ),
)
def describe_snapshots(ctx: Context) -> Dict[str, Any]:
    state = ctx.region()
    wanted = ctx.id_list("SnapshotIds", too_many="InvalidSnapshotIds.Malformed")
    status = ctx.get("Status") or "all"
    if status not in SNAPSHOT_STATUSES:
        raise ctx.error("InvalidStatus.NotFound")
    snap_type = ctx.get("SnapshotType") or "all"
    if snap_type not in ("auto", "user", "all", "timer"):
        raise ctx.error("InvalidSnapshotType.NotFound")
    disk_type = ctx.get("SourceDiskType").lower()
    if disk_type and disk_type not in ("system", "data"):
        raise ctx.error("InvalidSourceDiskType")
    usage = ctx.get("Usage")
    if usage and usage not in USAGES:
        raise ctx.error("InvalidUsage")
    times = _time_filters(ctx)
    tag_filter = validate.tags(ctx) if any(k.startswith("Tag.") for k in ctx.params) else {}
    disk_id, instance_id = ctx.get("DiskId"), ctx.get("InstanceId")
    now = ctx.now

    # Every filter given becomes one check; all must hold (the filters are ANDed).
    checks: List[filters.Check] = []
    for param, attr in (("SnapshotName", "snapshot_name"), ("ResourceGroupId", "resource_group_id"),
                        ("KMSKeyId", "kms_key_id")):
        if ctx.get(param):
            checks.append(filters.equals(attr, ctx.get(param)))
    if ctx.get("Category"):
        checks.append(filters.equals("category", ctx.get("Category").lower()))
    if ctx.get("Encrypted"):
        checks.append(filters.equals("encrypted", ctx.get_bool("Encrypted")))
    if status != "all":
        checks.append(filters.status_is(status, now))
    if snap_type in ("auto", "timer"):  # the mock makes manual snapshots only
        checks.append(filters.nothing)
    if disk_type:
        checks.append(filters.equals("source_disk_type", disk_type))
    if usage:
        checks.append(lambda s: bool(s.usage() == usage))
    for key, when in times:
        bound = filters.not_before if key == "CreationStartTime" else filters.not_after
        checks.append(bound("created_at", when))
    if tag_filter:
        checks.append(filters.has_tags(tag_filter))

    # Start from the narrowest index; the other ID filters become checks.
    items: Optional[List[Snapshot]] = None
    if wanted is not None:
        items = [snap for i in dict.fromkeys(wanted) if (snap := state.snapshots.get(i)) is not None]
    elif disk_id:
        items = list(disk_snapshots(state, disk_id))
    elif instance_id:
        inst = state.instances.get(instance_id)
        items = [s for d in (inst.disk_ids if inst else ()) for s in disk_snapshots(state, d)]
    if disk_id and wanted is not None:
        checks.append(filters.equals("source_disk_id", disk_id))
    if instance_id and (wanted is not None or disk_id):
        inst = state.instances.get(instance_id)
        checks.append(filters.one_of("source_disk_id", set(inst.disk_ids) if inst else set()))
    ctx.commit()
    page, meta = paginate(ctx, paging.SNAPSHOTS, table=None if items is not None else state.snapshots,
                          items=items, keep=filters.combine(checks))
    return {**meta, "Snapshots": {"Snapshot": [snapshot_view(ctx, s) for s in page]}}


@action("DeleteSnapshot", required=("SnapshotId",), params=("Force",))
def delete_snapshot(ctx: Context) -> Dict[str, Any]:
    snap_id = ctx.get("SnapshotId")
    state = ctx.locate(snap_id)
    snap = state.snapshots.get(snap_id) if state else None
    if state is None or snap is None:
        raise ctx.error("InvalidSnapshotId.NotFoundDelete")
    if snap.image_ids:
        raise ctx.error("SnapshotCreatedImage")
    if snap.disk_ids and not ctx.get_bool("Force"):
        raise ctx.error("SnapshotCreatedDisk")
    ctx.commit()
    # Deleting a progressing snapshot cancels it; disks made from it keep their data.
    remove_snapshot(ctx.account, state, snap)
    return {}


@action(
    "ModifySnapshotAttribute", required=("SnapshotId",),
    params=(
        "SnapshotName", "Description", "DisableInstantAccess",
    ),
)
def modify_snapshot_attribute(ctx: Context) -> Dict[str, Any]:
    snap_id = ctx.get("SnapshotId")
    state = ctx.locate(snap_id)
    snap = state.snapshots.get(snap_id) if state else None
    if state is None or snap is None:
        raise ctx.error("InvalidSnapshotId.NotFound")
    name = validate.optional_name(
        ctx, "SnapshotName", "InvalidSnapshotName.Malformed", forbid_auto=True, letter_start=True)
    description = validate.optional_description(ctx)
    if not name and not description and not ctx.has("DisableInstantAccess"):
        raise ctx.error("NoAttributeToModify")
    ctx.commit()
    if name:
        snap.snapshot_name = name
    if description:
        snap.description = description
    snap.modified_at = ctx.now
    return {}
