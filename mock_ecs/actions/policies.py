"""Automatic snapshot policies (``sp-``): Create, ModifyEx, DescribeEx, Delete, Apply, Cancel and
DescribeAutoSnapshotPolicyAssociations.

The handlers only keep policies and their disks; schedule.py fires them on the clock (apply,
cancel, delete_policy and rearm are its entry points). The older actions name their parameters
in lowerCamel (``regionId``, ``timePoints``...); the gateway reads ``regionId`` as the region
and answers an unknown one in each action's documented words. Facts: NEXT-ACTIONS.md section 1.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from .. import filters, keyorder, paging, regions, schedule, validate
from ..backend import RegionState
from ..clock import iso_seconds
from ..context import Context
from ..errors import EcsError
from ..models import AutoSnapshotPolicy, Disk
from ..registry import action
from .common import check_account_open, new_id, resource_group_check, tag_check, tags_view

QUOTA = 100  # policies per region and account (AutoSnapshotPolicy.QuotaExceed)
RETENTION_MAX = {"CreateAutoSnapshotPolicy": 65535, "ModifyAutoSnapshotPolicyEx": 65536}
COPY_RETENTION_MAX = 65535
MAX_DISKS = 100  # diskIds of one Apply/Cancel: the mock's bound (the reference gives none)

# The texts these actions document for ParameterInvalid (several per action; the status is the
# action's own, from its table in data/errors.json).
TIME_POINTS = "The specified TimePoints parameter is invalid."
WEEKDAYS = "The specified RepeatWeekDays parameter is invalid."
RETENTION = "The specified RetentionDays parameter is invalid."
NO_POLICY = "The specified automatic snapshot policy does not exist."
NO_POLICY_HERE = "The specified automatic snapshot policy does not exist in the region."
DISK_IDS = "The specified DiskIds are invalid."
BAD_POLICY_ID = {
    "ModifyAutoSnapshotPolicyEx": "The specified AutoSnapshotPolicyId is invalid.",
    "ApplyAutoSnapshotPolicy": "The specified AutoSnapshotPolicyId parameter is invalid.",
}
# InvalidDiskId.NotFound, worded per action.
NO_DISK = {
    "ApplyAutoSnapshotPolicy": "The specified disk does not exist in the region.",
    "CancelAutoSnapshotPolicy": "The specified DiskIds are not found.",
}
# CreateDisk's text for the same rule (the policy actions document the code without one).
ENCRYPTED_ILLEGAL = "The specified parameter Encrypted must be true when kmsKeyId is not empty."
# DescribeAutoSnapshotPolicyAssociations documents these two codes without a text: the mock's own.
NEITHER = "Either AutoSnapshotPolicyId or DiskId must be specified."
BOTH = "AutoSnapshotPolicyId and DiskId cannot be specified at the same time."
NO_POLICY_ASSOCIATIONS = "Specified parameter AutoSnapshotPolicyId not found."


def _invalid(ctx: Context, message: str) -> EcsError:
    return ctx.error("ParameterInvalid", message)


# --- readers ----------------------------------------------------------------------------------
def _numbers(ctx: Context, name: str, lo: int, hi: int, most: int, message: str) -> Optional[List[int]]:
    """A JSON array of the hours or weekdays (``["0","1"]``; numbers ``[0,1]`` are read too), in
    the order given without repeats; None when absent. Anything else is ParameterInvalid."""
    raw = ctx.get(name).strip()
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise _invalid(ctx, message) from None
    if not isinstance(value, list) or not 0 < len(value) <= most:
        raise _invalid(ctx, message)
    out: Dict[int, None] = {}
    for item in value:
        if isinstance(item, str) and item.isascii() and item.isdigit() and len(item) <= 2:
            number = int(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            number = item
        else:
            raise _invalid(ctx, message)
        if not lo <= number <= hi:
            raise _invalid(ctx, message)
        out[number] = None
    return list(out)


def _retention(ctx: Context) -> Optional[int]:
    days = ctx.get_int("retentionDays")
    if days is not None and days != -1 and not 1 <= days <= RETENTION_MAX[ctx.action]:
        raise _invalid(ctx, RETENTION)
    return days


def _name(ctx: Context) -> str:
    """2-128 characters from a letter; letters, digits, ``:``, ``_``, ``-``; no URL."""
    name = ctx.get("autoSnapshotPolicyName")
    if name and not validate.check_name(name, "spec", forbid_auto=False):  # "spec": no periods, in any edition
        raise ctx.error("InvalidSnapshotPolicyName.Malformed",
                        "The specified autoSnapshotPolicyName is wrongly formed.")
    return name


def _copy_settings(ctx: Context, policy: AutoSnapshotPolicy) -> None:
    """EnableCrossRegionCopy, TargetCopyRegions, CopiedSnapshotsRetentionDays and
    CopyEncryptionConfiguration, where given (a Modify keeps the others)."""
    enable = ctx.get("EnableCrossRegionCopy")
    raw = ctx.get("TargetCopyRegions").strip()
    targets = policy.target_copy_regions
    if raw:
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            value = None
        # One destination, a real region other than the policy's own.
        if (not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], str)
                or value[0] not in regions.REGIONS or value[0] == policy.region_id):
            raise ctx.error("InvalidParameter.TargetCopyRegions", "The specified TargetCopyRegions is invalid.")
        targets = list(value)
    copying = ctx.get_bool("EnableCrossRegionCopy") if enable else policy.enable_cross_region_copy
    if copying and not targets:
        raise ctx.error("InvalidParameter.TargetCopyRegions", "The specified TargetCopyRegions is invalid.")
    kept = ctx.get_int("CopiedSnapshotsRetentionDays")
    if kept is not None and kept != -1 and not 1 <= kept <= COPY_RETENTION_MAX:
        raise ctx.error("InvalidParameter.CopiedSnapshotsRetentionDays",
                        "The specified CopiedSnapshotsRetentionDays is invalid.")
    encrypted_raw = ctx.get("CopyEncryptionConfiguration.Encrypted")
    encrypted = ctx.get_bool("CopyEncryptionConfiguration.Encrypted") if encrypted_raw else None
    kms = ctx.get("CopyEncryptionConfiguration.KMSKeyId")
    if kms and not (encrypted if encrypted is not None else policy.copy_encrypted):
        raise ctx.error("InvalidParameter.EncryptedIllegal", ENCRYPTED_ILLEGAL)
    policy.enable_cross_region_copy = copying
    policy.target_copy_regions = targets
    if kept is not None:
        policy.copied_snapshots_retention_days = kept
    if encrypted is not None:
        policy.copy_encrypted = encrypted
        if not encrypted:
            policy.copy_kms_key_id = ""
    if kms:
        policy.copy_kms_key_id = kms


def _policy(ctx: Context, *, bad_id: Optional[str] = None) -> AutoSnapshotPolicy:
    """The request's ``autoSnapshotPolicyId`` in its region: one that is not an ``sp-`` ID is
    ``bad_id`` where the action documents that text; one of another region, or none, does not exist."""
    policy_id = ctx.get("autoSnapshotPolicyId")
    if bad_id is not None and not policy_id.startswith("sp-"):
        raise _invalid(ctx, bad_id)
    policy = ctx.region().policies.get(policy_id)
    if policy is None:
        raise _invalid(ctx, NO_POLICY_HERE if policy_id in ctx.account.where else NO_POLICY)
    return policy


def _disk_ids(ctx: Context) -> List[str]:
    """``diskIds``: a JSON array of 1..MAX_DISKS disk IDs (repeats dropped)."""
    try:
        values = ctx.id_list("diskIds", limit=MAX_DISKS) or []
    except EcsError:
        raise _invalid(ctx, DISK_IDS) from None
    if not values or not all(values):
        raise _invalid(ctx, DISK_IDS)
    return list(dict.fromkeys(values))


def _disks(ctx: Context, state: RegionState) -> List[Disk]:
    found = [state.disks.get(disk_id) for disk_id in _disk_ids(ctx)]
    disks = [d for d in found if d is not None]
    if len(disks) < len(found):
        raise ctx.error("InvalidDiskId.NotFound", NO_DISK[ctx.action])
    return disks


# --- actions ----------------------------------------------------------------------------------
@action(
    "CreateAutoSnapshotPolicy",
    params=("timePoints", "repeatWeekdays", "retentionDays", "autoSnapshotPolicyName", "EnableCrossRegionCopy",
            "TargetCopyRegions", "CopiedSnapshotsRetentionDays", "CopyEncryptionConfiguration.Encrypted",
            "CopyEncryptionConfiguration.KMSKeyId", "Tag", "ResourceGroupId"),
)
def create_policy(ctx: Context) -> Dict[str, Any]:
    hours = _numbers(ctx, "timePoints", 0, 23, 24, TIME_POINTS)
    days = _numbers(ctx, "repeatWeekdays", 1, 7, 7, WEEKDAYS)
    retention = _retention(ctx)
    assert hours is not None and days is not None and retention is not None  # required (gateway)
    name = _name(ctx)
    tags = validate.tags(ctx)
    state, region_id = ctx.region(), ctx.region_id
    assert region_id is not None
    policy = AutoSnapshotPolicy(
        policy_id="", region_id=region_id, created_at=ctx.now, time_points=hours, repeat_weekdays=days,
        retention_days=retention, policy_name=name, resource_group_id=ctx.get("ResourceGroupId"), tags=tags,
    )
    _copy_settings(ctx, policy)
    check_account_open(ctx)
    if len(state.policies) >= QUOTA:
        raise ctx.error("AutoSnapshotPolicy.QuotaExceed",
                        "The maximum number of automatic snapshot policy has been reached.")
    policy.policy_id = new_id(ctx, "sp", region_id)
    state.policies[policy.policy_id] = policy
    return keyorder.ordered({"AutoSnapshotPolicyId": policy.policy_id, "RequestId": ""})


@action(
    "ModifyAutoSnapshotPolicyEx",
    params=("autoSnapshotPolicyId", "timePoints", "repeatWeekdays", "retentionDays", "autoSnapshotPolicyName",
            "EnableCrossRegionCopy", "TargetCopyRegions", "CopiedSnapshotsRetentionDays",
            "CopyEncryptionConfiguration.Encrypted", "CopyEncryptionConfiguration.KMSKeyId"),
)
def modify_policy(ctx: Context) -> Dict[str, Any]:
    """What is given changes, what is omitted stays; snapshots already taken keep their retention."""
    policy = _policy(ctx, bad_id=BAD_POLICY_ID[ctx.action])
    hours = _numbers(ctx, "timePoints", 0, 23, 24, TIME_POINTS)
    days = _numbers(ctx, "repeatWeekdays", 1, 7, 7, WEEKDAYS)
    retention = _retention(ctx)
    name = _name(ctx)
    draft = AutoSnapshotPolicy(
        policy_id=policy.policy_id, region_id=policy.region_id, created_at=policy.created_at, time_points=[],
        repeat_weekdays=[], enable_cross_region_copy=policy.enable_cross_region_copy,
        target_copy_regions=list(policy.target_copy_regions),
        copied_snapshots_retention_days=policy.copied_snapshots_retention_days,
        copy_encrypted=policy.copy_encrypted, copy_kms_key_id=policy.copy_kms_key_id,
    )
    _copy_settings(ctx, draft)  # every check passes before anything changes
    for attr in ("enable_cross_region_copy", "target_copy_regions", "copied_snapshots_retention_days",
                 "copy_encrypted", "copy_kms_key_id"):
        setattr(policy, attr, getattr(draft, attr))
    if hours is not None:
        policy.time_points = hours
    if days is not None:
        policy.repeat_weekdays = days
    if retention is not None:
        policy.retention_days = retention
    if name:
        policy.policy_name = name
    schedule.rearm(ctx.account, ctx.now)
    return {}


def _json_strings(values: List[Any]) -> str:
    """``["1","13"]``: the string the SDK model and Terraform read (not an array)."""
    return json.dumps([str(v) for v in values], separators=(",", ":"))


def policy_view(policy: AutoSnapshotPolicy) -> Dict[str, Any]:
    """One AutoSnapshotPolicy of DescribeAutoSnapshotPolicyEx, every field of the SDK model but
    AssociationType (the reference says nothing of its values)."""
    disks = len(policy.disk_ids)
    return keyorder.ordered({
        "AutoSnapshotPolicyId": policy.policy_id,
        "AutoSnapshotPolicyName": policy.policy_name,
        "TimePoints": _json_strings(policy.time_points),
        "RepeatWeekdays": _json_strings(policy.repeat_weekdays),
        "RetentionDays": policy.retention_days,
        "CreationTime": iso_seconds(policy.created_at),
        "Status": "Normal",
        "RegionId": policy.region_id,
        "DiskNums": disks,
        "VolumeNums": 0,  # Apsara File Storage volumes: none in the mock
        "EnableCrossRegionCopy": policy.enable_cross_region_copy,
        "TargetCopyRegions": _json_strings(policy.target_copy_regions),
        "CopiedSnapshotsRetentionDays": policy.copied_snapshots_retention_days,
        "CopyEncryptionConfiguration": {"Encrypted": policy.copy_encrypted, "KMSKeyId": policy.copy_kms_key_id},
        "ResourceGroupId": policy.resource_group_id,
        "Tags": tags_view(policy.tags),
        "TargetTags": {"TargetTag": []},
        "Type": "Custom",
    })


@action(
    "DescribeAutoSnapshotPolicyEx", strict=True,
    params=("AutoSnapshotPolicyId", "AutoSnapshotPolicyName", "Tag", "ResourceGroupId", "PageNumber", "PageSize"),
)
def describe_policies(ctx: Context) -> Dict[str, Any]:
    """Newest first; an unknown ID finds nothing (no error, as Terraform expects)."""
    checks: List[filters.Check] = []
    policy_id = ctx.get("AutoSnapshotPolicyId")
    if policy_id:
        checks.append(filters.equals("policy_id", policy_id))
    name = ctx.get("AutoSnapshotPolicyName")
    if name:
        checks.append(filters.equals("policy_name", name))
    checks.extend(c for c in (tag_check(ctx), resource_group_check(ctx)) if c is not None)
    page, meta = paging.paginate(ctx, paging.IMAGES, table=ctx.region().policies, keep=filters.combine(checks))
    return keyorder.ordered({**meta, "AutoSnapshotPolicies": {"AutoSnapshotPolicy": [policy_view(p) for p in page]}})


@action("DeleteAutoSnapshotPolicy", params=("autoSnapshotPolicyId",))
def delete_policy(ctx: Context) -> Dict[str, Any]:
    """Its disks keep their snapshots and have no policy any more."""
    policy = _policy(ctx)
    schedule.delete_policy(ctx.account, ctx.region(), policy, ctx.now)
    ctx.account.where.pop(policy.policy_id, None)
    return {}


@action("ApplyAutoSnapshotPolicy", params=("autoSnapshotPolicyId", "diskIds"))
def apply_policy(ctx: Context) -> Dict[str, Any]:
    """A disk holds one policy: this one replaces the one it had."""
    policy = _policy(ctx, bad_id=BAD_POLICY_ID[ctx.action])
    state = ctx.region()
    disks = _disks(ctx, state)
    local = [d for d in disks if d.is_local]
    if local:
        if len(local) == len(disks):
            raise ctx.error("DiskCategory.OperationNotSupported",
                            "The type of the specified disk does not support creating a snapshot.")
        raise ctx.error("PartofDiskCategory.OperationNotSupported",
                        "The types of some disks in the disk list do not support creating snapshots.")
    check_account_open(ctx)
    for disk in disks:
        schedule.apply(ctx.account, state, policy, disk, ctx.now)
    return {}


@action("CancelAutoSnapshotPolicy", params=("diskIds", "autoSnapshotPolicyId"))
def cancel_policy(ctx: Context) -> Dict[str, Any]:
    """The disks stop getting automatic snapshots (with ``autoSnapshotPolicyId``: only those holding
    it); a disk without a policy is no error."""
    state = ctx.region()
    disks = _disks(ctx, state)
    only = ctx.get("autoSnapshotPolicyId")
    for disk in disks:
        if disk.auto_snapshot_policy_id and (not only or disk.auto_snapshot_policy_id == only):
            schedule.cancel(ctx.account, state, disk, ctx.now)
    return {}


class _Association:
    """One (policy, disk) pair; its sequence is the disk's (a disk holds one policy), for NextToken."""

    __slots__ = ("policy_id", "disk_id", "seq")

    def __init__(self, policy_id: str, disk: Disk) -> None:
        self.policy_id, self.disk_id, self.seq = policy_id, disk.disk_id, disk.seq


@action(
    "DescribeAutoSnapshotPolicyAssociations", strict=True,
    params=("AutoSnapshotPolicyId", "DiskId", "NextToken", "MaxResults"),
)
def describe_associations(ctx: Context) -> Dict[str, Any]:
    """Exactly one of AutoSnapshotPolicyId and DiskId; pages by NextToken/MaxResults (1..100)."""
    policy_id, disk_id = ctx.get("AutoSnapshotPolicyId"), ctx.get("DiskId")
    if not policy_id and not disk_id:
        raise ctx.error("MissingParameter.AutoSnapshotPolicyIdOrDiskId", NEITHER)
    if policy_id and disk_id:
        raise ctx.error("ParameterConflict.AutoSnapshotPolicyIdAndDiskId", BOTH)
    state = ctx.region()
    if policy_id:
        policy = state.policies.get(policy_id)
        if policy is None:
            raise ctx.error("InvalidAutoSnapshotPolicyId.NotFound", NO_POLICY_ASSOCIATIONS)
        disks = [state.disks[d] for d in policy.disk_ids if d in state.disks]
    else:
        disk = state.disks.get(disk_id)
        if disk is None:
            raise ctx.error("InvalidDiskId.NotFound")
        disks = [disk] if disk.auto_snapshot_policy_id else []
    # Newest disk first; MaxResults 1..100 (default 10), clamped as DescribeSnapshots' is.
    page, token = paging.token_page(ctx, paging.SNAPSHOTS, items=(_Association(d.auto_snapshot_policy_id, d)
                                                                  for d in disks))
    return keyorder.ordered({
        "NextToken": token, "RequestId": "",
        "AutoSnapshotPolicyAssociations": {"AutoSnapshotPolicyAssociation": [
            {"AutoSnapshotPolicyId": a.policy_id, "DiskId": a.disk_id} for a in page]},
    })
