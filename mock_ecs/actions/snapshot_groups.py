"""Snapshot-consistent groups (``ssg-``): CreateSnapshotGroup, DescribeSnapshotGroups,
DeleteSnapshotGroup and ModifySnapshotGroup.

A group is its members: one snapshot per disk, all taken at one instant by take_snapshot (so
each has its disk's data and the failure rules apply), after every disk passed CreateSnapshot's
checks: one refused disk refuses the group, none is taken. Its status is read from the members
when asked, never stored. Facts: NEXT-ACTIONS.md section 2.5, docs-2021/*SnapshotGroup*.en.md.
"""

from __future__ import annotations

from typing import Any, Dict, List

from .. import errors, filters, keyorder, paging, validate
from ..backend import RegionState, remove_snapshot, take_snapshot
from ..clock import iso_seconds
from ..context import Context
from ..errors import EcsError
from ..models import Disk, Snapshot, SnapshotGroup
from ..registry import action
from .common import check_account_open, new_id, repeat_values, resource_group_check, tag_check
from .snapshots import check_disk

MAX_DISKS = 16  # DiskId.N and ExcludeDiskId.N: N 1..16
MAX_GIB = 32 * 1024  # "total disk size does not exceed 32 TiB"
STATUSES = ("progressing", "accomplished", "failed")
# The reference documents no code for these rules: the mock's own words (README).
NO_GROUP = "The specified SnapshotGroupId does not exist."
BOTH_LISTS = "The parameters DiskId.N and ExcludeDiskId.N cannot be specified at the same time."
NOT_ATTACHED = "The specified disk is not attached to the specified instance."
ZONES = "The specified disks are not in the same zone."
NO_DISKS = "The snapshot-consistent group contains no disk."
TOO_LARGE = "The total size of the specified disks exceeds 32 TiB."


def _tags(tags: Dict[str, str]) -> Dict[str, Any]:
    """Key/Value, as these actions' SDK model names them (not TagKey/TagValue)."""
    return {"Tag": [{"Key": k, "Value": v} for k, v in tags.items()]}


def group_members(state: RegionState, group: SnapshotGroup) -> List[Snapshot]:
    """The members that still exist (DeleteSnapshot may have taken one)."""
    return [snap for i in group.snapshot_ids if (snap := state.snapshots.get(i)) is not None]


def group_status(members: List[Snapshot], now: float) -> str:
    """failed if a member failed, accomplished when every member is, progressing otherwise."""
    statuses = {snap.status(now) for snap in members}
    if "failed" in statuses:
        return "failed"
    return "progressing" if "progressing" in statuses else "accomplished"


def _group(ctx: Context) -> SnapshotGroup:
    group = ctx.region().groups.get(ctx.get("SnapshotGroupId"))
    if group is None:
        raise EcsError("InvalidSnapshotGroupId.NotFound", NO_GROUP, 404)
    return group


def _name(ctx: Context) -> str:
    """2-128 characters from a letter; letters, digits, ``.``, ``_``, ``-``, ``:``; no URL."""
    name = ctx.get("Name")
    if name and not validate.check_name(name, "current", forbid_auto=False, letter_start=True):
        raise ctx.error("InvalidParameter.Name", "The specified Name is invalid.")
    return name


def _disks(ctx: Context, state: RegionState) -> List[Disk]:
    """The disks to take, in the instance's order (system disk first) or DiskId.N's."""
    chosen = list(dict.fromkeys(repeat_values(ctx, "DiskId", MAX_DISKS).values()))
    excluded = set(repeat_values(ctx, "ExcludeDiskId", MAX_DISKS).values())
    if chosen and excluded:
        raise ctx.error("InvalidParameter", BOTH_LISTS)
    instance_id = ctx.get("InstanceId")
    if not instance_id and not chosen:
        raise errors.missing("InstanceId")
    if instance_id:
        inst = state.instances.get(instance_id)
        if inst is None:
            raise ctx.error("InvalidInstanceId.NotFound")
        if not chosen:  # its cloud disks (a local disk has no snapshots)
            chosen = [d for d in inst.disk_ids if d not in excluded and not state.disks[d].is_local]
    disks: List[Disk] = []
    for disk_id in chosen:
        disk = check_disk(ctx, disk_id)  # CreateSnapshot's rules, each disk before any is taken
        if instance_id and disk.instance_id != instance_id:
            raise ctx.error("InvalidParameter", NOT_ATTACHED)
        disks.append(disk)
    if not disks:
        raise ctx.error("InvalidParameter", NO_DISKS)
    if len({d.zone_id for d in disks}) > 1:
        raise ctx.error("InvalidParameter", ZONES)
    if sum(d.size for d in disks) > MAX_GIB:
        raise ctx.error("InvalidParameter", TOO_LARGE)
    return disks


@action(
    "CreateSnapshotGroup",
    params=("InstanceId", "DiskId", "ExcludeDiskId", "Name", "Description", "Tag", "ResourceGroupId",
            "InstantAccess", "InstantAccessRetentionDays"),
)
def create_group(ctx: Context) -> Dict[str, Any]:
    name = _name(ctx)
    description = validate.optional_description(ctx)
    retention = ctx.get_int("InstantAccessRetentionDays", None, "InvalidRetentionDays.Malformed", lo=1, hi=65535)
    instant = ctx.get_bool("InstantAccess") if ctx.get("InstantAccess") else False
    tags = validate.tags(ctx)
    token = validate.client_token(ctx)

    def create() -> Dict[str, Any]:
        check_account_open(ctx)
        account = ctx.account
        state, region_id = ctx.region(), ctx.region_id
        assert region_id is not None  # RegionId is required (gateway)
        disks = _disks(ctx, state)  # every disk first: a refused one refuses the group
        ctx.commit()
        instances = {d.instance_id for d in disks}
        group = SnapshotGroup(
            group_id=new_id(ctx, "ssg", region_id), region_id=region_id, created_at=ctx.now,
            instance_id=ctx.get("InstanceId") or (instances.pop() if len(instances) == 1 else ""),
            name=name, description=description, resource_group_id=ctx.get("ResourceGroupId"), tags=tags,
            instant_access_retention_days=retention if instant else None,
        )
        for disk in disks:  # one instant: the same ``now`` for every member
            snap = take_snapshot(ctx.backend, account, disk, ctx.now, group_id=group.group_id,
                                 instant_access=instant, resource_group_id=group.resource_group_id)
            group.snapshot_ids.append(snap.snapshot_id)
        state.groups[group.group_id] = group
        return {"SnapshotGroupId": group.group_id}

    answer = validate.idempotent(ctx, token, "IdempotentParameterMismatch", create)
    return keyorder.ordered({"SnapshotGroupId": answer["SnapshotGroupId"], "RequestId": ""})


def member_view(snap: Snapshot, group: SnapshotGroup, now: float) -> Dict[str, Any]:
    """One member; Available reads as DescribeSnapshots' (an instant-access ESSD member early)."""
    view: Dict[str, Any] = {
        "SnapshotId": snap.snapshot_id,
        "SourceDiskId": snap.source_disk_id,
        "SourceDiskType": snap.source_disk_type,
        "Progress": f"{snap.progress(now)}%",
        "InstantAccess": snap.instant_access,
        "InstantAccessRetentionDays": group.instant_access_retention_days,
        "Available": snap.available(now),
        "Tags": _tags(snap.tags),
    }
    if group.instant_access_retention_days is None:
        del view["InstantAccessRetentionDays"]
    return keyorder.ordered(view)


def group_view(state: RegionState, group: SnapshotGroup, now: float) -> Dict[str, Any]:
    members = group_members(state, group)
    return keyorder.ordered({
        "SnapshotGroupId": group.group_id,
        "Name": group.name,
        "Description": group.description,
        "InstanceId": group.instance_id,
        "CreationTime": iso_seconds(group.created_at),
        "Status": group_status(members, now),
        "ProgressStatus": "",  # "This parameter is unavailable" (the reference)
        "ResourceGroupId": group.resource_group_id,
        "Tags": _tags(group.tags),
        "Snapshots": {"Snapshot": [member_view(s, group, now) for s in members]},
    })


@action(
    "DescribeSnapshotGroups", strict=True,
    params=("InstanceId", "SnapshotGroupId", "Status", "Name", "NextToken", "MaxResults", "Tag",
            "ResourceGroupId", "AdditionalAttributes"),
)
def describe_groups(ctx: Context) -> Dict[str, Any]:
    """Newest first, filters ANDed; pages by NextToken/MaxResults (1..100, default 10)."""
    state, now = ctx.region(), ctx.now
    wanted = set(repeat_values(ctx, "SnapshotGroupId", 10).values())
    statuses = set(repeat_values(ctx, "Status", 3).values())
    for status in statuses:
        if status not in STATUSES:
            raise ctx.error("InvalidStatus.ValueNotSupported", f"The specified Status {status} is not supported.")
    checks: List[filters.Check] = []
    if wanted:
        checks.append(lambda g: g.group_id in wanted)
    for param, attr in (("InstanceId", "instance_id"), ("Name", "name")):
        if ctx.get(param):
            checks.append(filters.equals(attr, ctx.get(param)))
    if statuses:
        checks.append(lambda g: group_status(group_members(state, g), now) in statuses)
    checks.extend(c for c in (tag_check(ctx), resource_group_check(ctx)) if c is not None)
    page, token = paging.token_page(ctx, paging.SNAPSHOTS, table=state.groups, keep=filters.combine(checks))
    return keyorder.ordered({
        "NextToken": token, "RequestId": "",
        "SnapshotGroups": {"SnapshotGroup": [group_view(state, g, now) for g in page]},
    })


def _progress(snap_id: str, code: str = "", message: str = "") -> Dict[str, Any]:
    return keyorder.ordered({
        "OperationStatus": "Failed" if code else "Success", "ErrorCode": code, "ErrorMsg": message,
        "RelatedItemSet": {"RelatedItem": [{"Name": "SnapshotId", "Value": snap_id}]},
    })


@action("DeleteSnapshotGroup", params=("SnapshotGroupId",))
def delete_group(ctx: Context) -> Dict[str, Any]:
    """Each member goes (a progressing one is cancelled, disks made from it keep their data),
    but one that custom images use stays, as the reference says, outside any group."""
    state = ctx.region()
    group = _group(ctx)
    ctx.commit()
    used = ctx.error("SnapshotCreatedImage")
    progress = []
    for snap in group_members(state, group):
        if snap.made_images():
            snap.group_id = ""
            progress.append(_progress(snap.snapshot_id, used.code, used.message))
        else:
            remove_snapshot(ctx.account, state, snap)
            progress.append(_progress(snap.snapshot_id))
    state.groups.pop(group.group_id, None)
    ctx.account.where.pop(group.group_id, None)
    return keyorder.ordered({"OperationProgressSet": {"OperationProgress": progress}, "RequestId": ""})


@action("ModifySnapshotGroup", params=("SnapshotGroupId", "Name", "Description"))
def modify_group(ctx: Context) -> Dict[str, Any]:
    """What is given changes; nothing given changes nothing (the reference names no error)."""
    group = _group(ctx)
    name = _name(ctx)
    description = validate.optional_description(ctx)
    ctx.commit()
    if name:
        group.name = name
    if description:
        group.description = description
    return {}

