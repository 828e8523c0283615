"""CreateSnapshot (every rule of the spec), DescribeSnapshots, DeleteSnapshot, ModifySnapshotAttribute.

CreateSnapshot checks, in this order (documented in README):
gateway -> parameter formats -> ClientToken -> account -> disk and instance -> quota.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import filters, ids, paging, validate
from ..backend import RegionState, disk_snapshots, push_retention, remove_snapshot, take_snapshot
from ..clock import iso_seconds
from ..context import Context
from ..models import Disk, Snapshot
from ..paging import paginate
from ..registry import action
from .common import check_account_open, choice, optional_flag, tag_entries, tags_view

SNAPSHOT_STATUSES = ("progressing", "accomplished", "failed", "all")
# The documented filter values (DescribeSnapshots.md); "timer" appears in responses only.
SNAPSHOT_TYPES = ("auto", "user", "all")
USAGES = ("image", "disk", "image_disk", "none")
# Category filter, case-insensitive: Standard, Flash, and archive ([DOCNEW]).
CATEGORIES = ("standard", "flash", "archive")


def check_disk(ctx: Context, disk_id: str) -> Disk:
    """The disk and instance rules of the spec, in the order of decisions.md (CreateSnapshot's,
    and CreateSnapshotGroup's for each disk)."""
    if disk_id.startswith(ids.FOREIGN_PREFIXES) and ids.kind_of(disk_id) != "d":
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
    reasons = inst.lock_reasons() if inst.locks else ()
    if "security" in reasons:
        raise ctx.error("InstanceLockedForSecurity")
    if now < disk.initialized_at:
        raise ctx.error("IncorrectDiskStatus.Initializing")
    own = state.snapshots_by_disk.get(disk_id)
    if own is not None and any(s.status(now) == "progressing" for s in own.values()):
        raise ctx.error("IncorrectDiskStatus.CreatingSnapshot")
    # The disk's own arrears and its instance's financial lock (what effective_locks shows).
    if disk.in_arrears(now) or "financial" in reasons:
        raise ctx.error("DiskInArrears")
    if (len(own) if own is not None else 0) >= ctx.settings.snapshot_quota:
        raise ctx.error("QuotaExceed.Snapshot")
    return disk


@action(
    "CreateSnapshot",
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
        check_account_open(ctx)
        account = ctx.account
        disk = check_disk(ctx, ctx.get("DiskId"))
        ctx.commit()
        snap = take_snapshot(
            ctx.backend, account, disk, ctx.now, snapshot_name=name, description=description,
            retention_days=retention, tags=tags, resource_group_id=ctx.get("ResourceGroupId"),
            instant_access=ctx.get("InstantAccess").lower() == "true",
        )
        return {"SnapshotId": snap.snapshot_id}

    answer = validate.idempotent(ctx, token, "IdempotentParameterMismatch", create)
    # The real envelope has the RequestId after the SnapshotId (keyorder.py; render fills it).
    return {"SnapshotId": answer["SnapshotId"], "RequestId": ""}


def snapshot_type(snap: Snapshot) -> str:
    """"auto" for one an automatic snapshot policy took, "user" for a manual one (the view and
    the SnapshotType filter read this, so they cannot disagree)."""
    return "auto" if snap.policy_id else "user"


def snapshot_view(ctx: Context, snap: Snapshot) -> Dict[str, Any]:
    """One Snapshot of DescribeSnapshots, keys in the real order (keyorder.py; 28 to 30 keys,
    capacity 64). RetentionDays and InstantAccessRetentionDays appear only when they apply, as
    in the reference's sample; SourceSnapshotId/SourceRegionId are those of a copy (CopySnapshot),
    empty otherwise; Available may be true before accomplished (Snapshot.available)."""
    now = ctx.now
    status = snap.status(now)
    done = status == "accomplished"
    view: Dict[str, Any] = {
        "InstantAccess": snap.instant_access,
        "Description": snap.description,
        "Category": snap.category,
        "KMSKeyId": snap.kms_key_id,
        "ResourceGroupId": snap.resource_group_id,
        "Encrypted": snap.encrypted,
        "SnapshotLinkId": snap.snapshot_link_id,
        "SnapshotName": snap.snapshot_name,
        "InstantAccessRetentionDays": snap.retention_days,
        "SourceDiskId": snap.source_disk_id,
        "SnapshotSN": ids.snapshot_sn(snap.snapshot_id),
        "SourceRegionId": snap.source_region_id,
        "Available": snap.available(now),
        "Tags": tags_view(snap.tags),
        "Status": status,
        "Progress": f"{snap.progress(now)}%",
        "Usage": snap.usage(),
        "ProductCode": snap.product_code,
        "SourceSnapshotId": snap.source_snapshot_id,
        "RetentionDays": snap.retention_days,
        "SourceStorageType": "disk",
        "SnapshotId": snap.snapshot_id,
        # The data it holds (the disk's data size when taken), known once accomplished.
        "FullSnapshotSizeInBytes": snap.full_size_bytes() if done else 0,
        "SourceDiskSize": str(snap.source_disk_size),
        "CreationTime": iso_seconds(snap.created_at),
        "LastModifiedTime": iso_seconds(snap.modified_at if snap.modified_at is not None else snap.created_at),
        "SnapshotType": snapshot_type(snap),
        "RegionId": snap.region_id,
        "SourceDiskType": snap.source_disk_type,
        "RemainTime": snap.remain_time(now),
    }
    if snap.retention_days is None:
        del view["RetentionDays"]
    if not snap.instant_access or snap.retention_days is None:
        # "By default, the value of this parameter is the same as that of RetentionDays."
        del view["InstantAccessRetentionDays"]
    return view


def _time_filters(ctx: Context) -> List[Tuple[str, float]]:
    """``Filter.1``/``Filter.2`` ``.Key``/``.Value``: CreationStartTime and CreationEndTime.

    Only the two documented filters are read (a ``Filter.3.*`` is an unknown parameter and is
    ignored, like any other). Either key may sit in either slot; a value needs its key.
    """
    return filters.creation_times(
        ((ctx.get(f"Filter.{n}.Key"), ctx.get(f"Filter.{n}.Value")) for n in (1, 2)),
        lambda: ctx.error("InvalidFilterKey.NotFound"), lambda: ctx.error("InvalidFilterValue"),
    )


def _tag_filter(ctx: Context) -> List[Tuple[str, Optional[str]]]:
    """``Tag.N.Key``/``Tag.N.Value`` (N 1..20): (key, value or None for "any value").

    Unlike DescribeInstances, an empty Value matches only an empty tag value, and an empty Key
    is a mismatch even without a Value.
    """
    out: List[Tuple[str, Optional[str]]] = []
    for entry in tag_entries(ctx):
        key = entry.get("Key", entry.get("key"))
        value = entry.get("Value", entry.get("value"))
        if not key:  # a Tag.N.Value without its Tag.N.Key
            raise ctx.error("InvalidTag.Mismatch")
        out.append((key, value))
    return out


def _has_tags(wanted: List[Tuple[str, Optional[str]]]) -> filters.Check:
    return lambda s: all(k in s.tags and (v is None or s.tags[k] == v) for k, v in wanted)


def _link_ids(ctx: Context, state: RegionState) -> Optional[List[str]]:
    """``SnapshotLinkId``: one chain ID, or a JSON array of up to 100; None when absent."""
    raw = ctx.get("SnapshotLinkId").strip()
    if not raw:
        return None
    links = ctx.id_list("SnapshotLinkId") if raw.startswith("[") else [raw]
    assert links is not None
    if any(link not in state.disk_by_link for link in links):
        raise ctx.error("InvalidSnapshotLinkId.NotFound")
    return links


@action(
    "DescribeSnapshots", strict=True,
    params=(
        "SnapshotIds", "SnapshotLinkId", "Status", "SnapshotType", "SourceDiskType", "Usage", "Filter.1.Key",
        "Filter.1.Value", "Filter.2.Key", "Filter.2.Value", "Tag", "Encrypted", "SnapshotName", "Category",
        "ResourceGroupId", "KMSKeyId", "DiskId", "InstanceId", "PageNumber", "PageSize", "NextToken",
        "MaxResults", "DryRun",
    ),
)
def describe_snapshots(ctx: Context) -> Dict[str, Any]:
    state = ctx.region()
    wanted = ctx.id_list("SnapshotIds", too_many="InvalidSnapshotIds.Malformed")
    links = _link_ids(ctx, state)
    status = choice(ctx, "Status", SNAPSHOT_STATUSES, "InvalidStatus.NotFound") or "all"
    snap_type = choice(ctx, "SnapshotType", SNAPSHOT_TYPES, "InvalidSnapshotType.NotFound") or "all"
    disk_type = choice(ctx, "SourceDiskType", ("system", "data"), "InvalidSourceDiskType", lower=True)
    usage = choice(ctx, "Usage", USAGES, "InvalidUsage")
    category = choice(ctx, "Category", CATEGORIES, "InvalidSnapshotCategory.Malformed", lower=True)
    times = _time_filters(ctx)
    tag_filter = _tag_filter(ctx)
    encrypted = optional_flag(ctx, "Encrypted")
    disk_id, instance_id = ctx.get("DiskId"), ctx.get("InstanceId")
    now = ctx.now

    # Every filter given becomes one check; all must hold (the filters are ANDed).
    checks: List[filters.Check] = []
    for param, attr in (("SnapshotName", "snapshot_name"), ("ResourceGroupId", "resource_group_id"),
                        ("KMSKeyId", "kms_key_id")):
        if ctx.get(param):
            checks.append(filters.equals(attr, ctx.get(param)))
    if category:
        checks.append(filters.equals("category", category))
    if encrypted is not None:
        checks.append(filters.equals("encrypted", encrypted))
    if status != "all":
        checks.append(filters.status_is(status, now))
    if snap_type != "all":
        checks.append(filters.value_is(snapshot_type, snap_type))
    if disk_type:
        checks.append(filters.equals("source_disk_type", disk_type))
    if usage:
        checks.append(lambda s: bool(s.usage() == usage))
    for key, when in times:
        bound = filters.not_before if key == "CreationStartTime" else filters.not_after
        checks.append(bound("created_at", when))
    if tag_filter:
        checks.append(_has_tags(tag_filter))

    # Start from the narrowest index (IDs, disk, chain, instance); the others become checks.
    inst = state.instances.get(instance_id) if instance_id else None
    items: Optional[List[Snapshot]] = None
    if wanted is not None:
        items = [snap for i in dict.fromkeys(wanted) if (snap := state.snapshots.get(i)) is not None]
    elif disk_id:
        items = list(disk_snapshots(state, disk_id))
    elif links is not None:
        items = [s for link in dict.fromkeys(links) for s in disk_snapshots(state, state.disk_by_link[link])]
    elif instance_id:
        items = [s for d in (inst.disk_ids if inst else ()) for s in disk_snapshots(state, d)]
    if disk_id and wanted is not None:
        checks.append(filters.equals("source_disk_id", disk_id))
    if links is not None and (wanted is not None or disk_id):
        checks.append(filters.one_of("snapshot_link_id", set(links)))
    if instance_id and (wanted is not None or disk_id or links is not None):
        checks.append(filters.one_of("source_disk_id", set(inst.disk_ids) if inst else set()))
    # Paging is read-only: a bad NextToken or PageSize fails a DryRun as it fails the real call.
    page, meta = paginate(ctx, paging.SNAPSHOTS, table=None if items is not None else state.snapshots,
                          items=items, keep=filters.combine(checks))
    ctx.commit()
    return {**meta, "Snapshots": {"Snapshot": [snapshot_view(ctx, s) for s in page]}}


@action("DeleteSnapshot", params=("Force",))
def delete_snapshot(ctx: Context) -> Dict[str, Any]:
    snap_id = ctx.get("SnapshotId")
    state = ctx.locate(snap_id)
    snap = state.snapshots.get(snap_id) if state else None
    if state is None or snap is None:
        # The docs say both "the request is ignored" and InvalidSnapshotId.NotFound: a setting.
        if ctx.settings.delete_unknown == "ignore":
            ctx.commit()
            return {}
        raise ctx.error("InvalidSnapshotId.NotFoundDelete")
    if snap.made_images():
        raise ctx.error("SnapshotCreatedImage")
    if snap.made_disks() and not ctx.get_bool("Force"):
        raise ctx.error("SnapshotCreatedDisk")
    ctx.commit()
    # Deleting a progressing snapshot cancels it; disks made from it keep their data.
    remove_snapshot(ctx.account, state, snap)
    return {}


@action(
    "ModifySnapshotAttribute",
    params=("SnapshotName", "Description", "DisableInstantAccess", "RetentionDays"),
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
    retention = ctx.get_int("RetentionDays", None, "InvalidRetentionDays.Malformed", lo=1, hi=65536)
    if retention is not None:
        # Counted from the creation time; it may be extended, never shortened, and must end later.
        shorter = snap.retention_days is not None and retention < snap.retention_days
        if shorter or snap.created_at + retention * 86400 <= ctx.now:
            raise ctx.error("InvalidRetentionDays.Malformed")
    disable_ia = ctx.get_bool("DisableInstantAccess") if ctx.has("DisableInstantAccess") else None
    if not name and not description and retention is None and disable_ia is None:
        raise ctx.error("NoAttributeToModify")
    ctx.commit()
    if name:
        snap.snapshot_name = name
    if description:
        snap.description = description
    if retention is not None:
        snap.retention_days = retention
        push_retention(ctx.account, snap)
    if disable_ia:
        snap.instant_access = False
    snap.modified_at = ctx.now
    return {}
