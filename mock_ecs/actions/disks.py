"""CreateDisk, AttachDisk, DetachDisk, DeleteDisk, ReplaceSystemDisk, DescribeDisks."""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Any, Dict, List, Optional, Set, Tuple

from .. import errors, filters, paging, regions, validate
from ..backend import RegionState
from ..clock import iso_minutes, iso_seconds
from ..context import Context
from ..models import CLOUD_DISK_CATEGORIES, Disk, Instance, Phase
from ..paging import paginate
from ..registry import action
from .common import (
    choice,
    dry_run_flag,
    flag_checks,
    get_disk,
    get_instance,
    id_filter,
    image_content,
    image_os,
    new_id,
    progressing_snapshot,
    repeat_values,
    resource_group_check,
    tag_check,
    tags_view,
    time_checks,
)
from .instances import PERFORMANCE_LEVELS, _image_size, drop_disk

DISK_NEVER_EXPIRES = "2999-09-08T16:00Z"
DISK_STATUSES = ("In_use", "Available", "Attaching", "Detaching", "Creating", "ReIniting")
_SIZE_RANGE = {"cloud": (5, 2000)}
# AttachDisk's Device: the names the mock gives (/dev/xvda is the system disk's, so in use).
_DEVICE = re.compile(r"/dev/xvd[a-z]")


def effective_locks(ctx: Context, state: RegionState, disk: Disk) -> List[str]:
    """A disk shows its own locks and those of the instance it is attached to."""
    locks = list(disk.locks)
    inst = state.instances.get(disk.instance_id) if disk.instance_id else None
    if inst is not None:
        locks += [r for r in inst.lock_reasons() if r not in locks]
    return locks


@action(
    "CreateDisk",
    params=(
        "ZoneId", "InstanceId", "DiskCategory", "DiskName", "Description", "SnapshotId", "Size", "Tag", "Encrypted",
        "KMSKeyId", "PerformanceLevel", "ResourceGroupId",
    ),
)
def create_disk(ctx: Context) -> Dict[str, Any]:
    region_id = ctx.region_id
    assert region_id is not None
    state = ctx.region()
    zone, instance_id = ctx.get("ZoneId"), ctx.get("InstanceId")
    if zone and instance_id:
        raise ctx.error("InvalidParameter.Conflict", "ZoneId and InstanceId cannot be specified at the same time.")
    inst = None
    if instance_id:
        _, inst = get_instance(ctx, instance_id)
        zone = inst.zone_id
    elif not zone:
        raise errors.missing("ZoneId")
    elif zone not in regions.zones(region_id):
        raise ctx.error("InvalidZoneId.NotFound")
    category = ctx.get("DiskCategory", "cloud") or "cloud"
    if category not in CLOUD_DISK_CATEGORIES:
        raise ctx.error("InvalidDiskCategory.NotSupportedCreate")
    name = validate.optional_name(ctx, "DiskName", "InvalidDiskName.Malformed")
    description = validate.optional_description(ctx)
    snap_id = ctx.get("SnapshotId")
    size = ctx.get_int("Size", None, "InvalidSize.ValueNotSupported")
    snap = None
    if snap_id:
        snap = state.snapshots.get(snap_id)
        if snap is None:
            raise ctx.error("InvalidSnapshotId.NotFound")
        # Available (FACTS.md 6: "can be used to create or roll back a cloud disk"): an
        # instant-access ESSD snapshot before it is accomplished too.
        if not snap.available(ctx.now):
            raise ctx.error("InvalidSnapshotId.NotReadyDisk")
        # The disk is never smaller than the snapshot it is made from.
        size = max(size or 0, snap.source_disk_size)
    elif size is None:
        raise ctx.error("MissingParameter.SnapshotOrSize")
    lo, hi = _SIZE_RANGE.get(category, (20, 32768))
    if not lo <= size <= hi:
        raise ctx.error("InvalidSize.ValueNotSupported")
    level = ctx.get("PerformanceLevel")
    if level and level not in PERFORMANCE_LEVELS:
        raise ctx.error("InvalidPerformanceLevel.Malformed")
    tags = validate.tags(ctx)
    token = validate.client_token(ctx)

    def create() -> Dict[str, Any]:
        ctx.commit()
        now = ctx.now
        disk = Disk(
            disk_id=new_id(ctx, "d", region_id), region_id=region_id, zone_id=zone, category=category,
            size=size, disk_type="data", created_at=now,
            initialized_at=now + ctx.settings.initialization_seconds, phase=Phase("Available"),
            disk_name=name, description=description, encrypted=ctx.get("Encrypted").lower() == "true",
            kms_key_id=ctx.get("KMSKeyId"), source_snapshot_id=snap_id, tags=tags,
            performance_level=level or ("PL1" if category == "cloud_essd" else ""),
            resource_group_id=ctx.get("ResourceGroupId"),
            content=snap.content if snap is not None else 0,  # a disk made from a snapshot holds its data
        )
        if inst is not None:
            disk.charge_type, disk.expired_at = inst.charge_type, inst.expired_at
            disk.portable = inst.charge_type == "PostPaid"
            _attach(ctx, inst, disk, delete_with_instance=True)
        else:
            disk.phase.move("Creating", "Available", now, ctx.settings.disk_transition_seconds)
        state.disks[disk.disk_id] = disk
        if snap is not None:
            snap.disk_ids.add(disk.disk_id)
            snap.ever_used_for_disk = True
        if disk.charge_type == "PrePaid":  # RequestId, OrderId, DiskId: the real order
            return {"OrderId": str(int(now * 1000)), "DiskId": disk.disk_id}
        return {"DiskId": disk.disk_id}

    return validate.idempotent(ctx, token, "IdempotentParameterMismatch", create)


def _devices(ctx: Context, inst: Instance) -> Set[str]:
    """The device names the instance's disks hold."""
    state = ctx.locate(inst.instance_id)
    return {state.disks[d].device for d in inst.disk_ids if d in state.disks} if state else set()


def _attach(ctx: Context, inst: Instance, disk: Disk, *, delete_with_instance: bool, device: str = "") -> None:
    disk.instance_id = inst.instance_id
    # Else the first free device: after a DetachDisk the count of disks no longer names one.
    used = _devices(ctx, inst) if not device else set()
    disk.device = device or next(f"/dev/xvd{c}" for c in "abcdefghijklmnopqrstuvwxyz" if f"/dev/xvd{c}" not in used)
    disk.ever_attached = True
    disk.attached_at = ctx.now
    disk.delete_with_instance = delete_with_instance
    disk.phase.move("Attaching", "In_use", ctx.now, ctx.settings.disk_transition_seconds)
    inst.disk_ids.append(disk.disk_id)


def _instance_usable(ctx: Context, inst: Instance, status_key: str) -> None:
    if inst.security_locked():
        raise ctx.error("InstanceLockedForSecurity.Disk")
    if inst.status(ctx.now) not in ("Running", "Stopped"):
        raise ctx.error(status_key)


@action("AttachDisk", params=("DeleteWithInstance", "Device"))
def attach_disk(ctx: Context) -> Dict[str, Any]:
    """Checks, in this order: the Device's form, the disk, the instance, the disk's kind, the
    instance's lock and status, neither expired nor in arrears, the disk free, Available and
    in the instance's zone, room on the instance, then the Device free on it."""
    device = ctx.get("Device")
    if device and not _DEVICE.fullmatch(device):
        raise ctx.error("InvalidDevice.Malformed")
    state, disk = get_disk(ctx, ctx.get("DiskId"))
    _, inst = get_instance(ctx, ctx.get("InstanceId"))
    if disk.is_local:
        raise ctx.error("DiskId.ValueNotSupported")
    _instance_usable(ctx, inst, "IncorrectInstanceStatus")
    if inst.in_arrears(ctx.now) or disk.in_arrears(ctx.now):
        raise ctx.error("InstanceExpiredOrInArrears")
    if disk.instance_id:
        raise ctx.error("InvalidDisk.InUse")
    if disk.status(ctx.now) != "Available":
        raise ctx.error("IncorrectDiskStatus.NotAvailable")
    if disk.zone_id != inst.zone_id:
        raise ctx.error("ResourcesNotInSameZone")
    if len(inst.disk_ids) >= ctx.settings.max_disks_per_instance:
        raise ctx.error("InstanceDiskLimitExceeded")
    if device and device in _devices(ctx, inst):
        raise ctx.error("InvalidDevice.InUse")
    delete_with_instance = ctx.get_bool("DeleteWithInstance")
    ctx.commit()
    _attach(ctx, inst, disk, delete_with_instance=delete_with_instance, device=device)
    return {}


@action("DetachDisk")
def detach_disk(ctx: Context) -> Dict[str, Any]:
    state, disk = get_disk(ctx, ctx.get("DiskId"))
    _, inst = get_instance(ctx, ctx.get("InstanceId"))
    if not disk.instance_id:
        raise ctx.error("InvalidDisk.AlreadyDetached")
    if disk.instance_id != inst.instance_id:
        raise ctx.error("DependencyViolation")
    if disk.disk_type == "system":
        raise ctx.error("DiskTypeViolation")
    if not disk.portable:
        raise ctx.error("DiskNotPortable")
    _instance_usable(ctx, inst, "StartInstance.IncorrectInstanceStatus")
    if disk.status(ctx.now) != "In_use":
        raise ctx.error("IncorrectDiskStatus")
    ctx.commit()
    inst.disk_ids.remove(disk.disk_id)
    disk.instance_id, disk.device = "", ""
    disk.delete_with_instance = False
    disk.detached_at = ctx.now
    disk.phase.move("Detaching", "Available", ctx.now, ctx.settings.disk_transition_seconds)
    return {}


@action("DeleteDisk")
def delete_disk(ctx: Context) -> Dict[str, Any]:
    try:
        state, disk = get_disk(ctx, ctx.get("DiskId"))
    except errors.EcsError as exc:
        # "If no disk with the specified ID exists, the request will be ignored" [DOC21], yet
        # [DOCNEW] lists 404 InvalidDiskId.NotFound, "The specified disk does not exist."
        # (FACTS.md section 11): the setting ``delete_unknown`` chooses.
        if ctx.settings.delete_unknown == "ignore":
            return {}
        raise ctx.error("InvalidDiskId.NotFoundDelete") from exc
    if disk.instance_id:
        raise ctx.error("DiskStillAttached")
    if progressing_snapshot(ctx, state, disk.disk_id):
        raise ctx.error("DiskCreatingSnapshot")
    if disk.status(ctx.now) != "Available":
        raise ctx.error("IncorrectDiskStatus")
    ctx.commit()
    drop_disk(ctx, state, disk)
    return {}


@action("ReplaceSystemDisk", params=("ImageId", "SystemDisk.Size"))
def replace_system_disk(ctx: Context) -> Dict[str, Any]:
    state, inst = get_instance(ctx, ctx.get("InstanceId"))
    image_id = ctx.get("ImageId")
    if not image_id:
        raise errors.EcsError(
            "MissingParameter",
            'The input parameter "ImageId" that is mandatory for processing this request is not supplied.',
            400,
        )
    if "financial" in inst.lock_reasons():
        raise ctx.error("InstanceExpiredOrInArrears")
    if inst.status(ctx.now) != "Stopped":
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    old = next((state.disks[d] for d in inst.disk_ids if state.disks[d].disk_type == "system"), None)
    if old is None:
        raise errors.EcsError("InvalidInstance.NotFoundSystemDisk", "The specified instance has no system disk.", 400)
    if progressing_snapshot(ctx, state, old.disk_id):
        raise ctx.error("DiskCreatingSnapshot")
    image_size = _image_size(ctx, state, image_id)
    size = ctx.get_int("SystemDisk.Size", max(40, image_size, old.size), "InvalidSystemDiskSize.ValueNotSupported")
    assert size is not None
    if not max(20, image_size) <= size <= 500:
        raise ctx.error("InvalidSystemDiskSize.ValueNotSupported")
    token = validate.client_token(ctx)

    def replace() -> Dict[str, Any]:
        ctx.commit()
        now = ctx.now
        new = Disk(
            disk_id=new_id(ctx, "d", inst.region_id), region_id=inst.region_id, zone_id=inst.zone_id,
            category=old.category, size=size, disk_type="system", created_at=now,
            initialized_at=now + ctx.settings.initialization_seconds, phase=Phase("In_use"),
            instance_id=inst.instance_id, device=old.device or "/dev/xvda", ever_attached=True,
            attached_at=now, portable=False, delete_with_instance=True, charge_type=old.charge_type,
            expired_at=old.expired_at, image_id=image_id, performance_level=old.performance_level,
            content=image_content(state, image_id),
        )
        inst.disk_ids[inst.disk_ids.index(old.disk_id)] = new.disk_id
        old.instance_id = ""
        drop_disk(ctx, state, old)
        state.disks[new.disk_id] = new
        inst.image_id = image_id
        inst.os_name, inst.os_type, _ = image_os(state, image_id)
        return {"DiskId": new.disk_id}

    return validate.idempotent(ctx, token, "IdempotentParameterMismatch", replace)


# Performance of a cloud disk by category (and ESSD performance level), from the public block
# storage performance tables: IOPS = min(base + per_gib * GiB, most), throughput (MB/s) =
# min(base + GiB * num // den, most). A real 2024 DescribeDisks answer agrees for ESSD PL0
# (120 GiB: 3240, 130), PL1 (40 GiB: 3800, 140) and cloud_efficiency (40 GiB: 2120, 106); the
# other rows are the tables' numbers, unconfirmed by an answer (README "How faithful it is").
_IOPS: Dict[str, Tuple[int, int, int]] = {
    "PL0": (1800, 12, 10000), "PL1": (1800, 50, 50000), "PL2": (1800, 50, 100000), "PL3": (1800, 50, 1000000),
    "cloud_efficiency": (1800, 8, 5000), "cloud_ssd": (1800, 30, 25000), "cloud_auto": (1800, 50, 50000),
    "cloud_essd_entry": (1800, 8, 6000), "cloud": (300, 0, 300),
}
_THROUGHPUT: Dict[str, Tuple[int, int, int, int]] = {
    "PL0": (100, 1, 4, 180), "PL1": (120, 1, 2, 350), "PL2": (120, 1, 2, 750), "PL3": (120, 1, 2, 4000),
    "cloud_efficiency": (100, 15, 100, 140), "cloud_ssd": (120, 1, 2, 300), "cloud_auto": (120, 1, 2, 350),
    "cloud_essd_entry": (100, 15, 100, 150), "cloud": (30, 0, 1, 30),
}


def performance(disk: Disk) -> Tuple[int, int]:
    """(IOPS, throughput in MB/s) of ``disk``; (0, 0) for a local disk."""
    kind = (disk.performance_level or "PL1") if disk.category == "cloud_essd" else disk.category
    size = disk.size
    iops, through = _IOPS.get(kind), _THROUGHPUT.get(kind)
    if iops is None or through is None:
        return 0, 0
    base, per_gib, most = iops
    value = min(base + per_gib * size, most)
    if kind == "cloud_auto":  # the AutoPL baseline is at least 3,000 (CreateDisk ProvisionedIops)
        value = max(value, 3000)
    start, num, den, top = through
    return value, min(start + size * num // den, top)


def disk_view(ctx: Context, state: RegionState, disk: Disk, placement: bool = False) -> Dict[str, Any]:
    """One Disk of DescribeDisks, keys in the real order (keyorder.py; capacity 64, as real
    answers have). Fields for what the mock does not model (Shared Block Storage, storage sets,
    local-disk read/write splits, AutoPL provisioning) show their empty values."""
    iops, throughput = performance(disk)
    attached = iso_seconds(disk.attached_at) if disk.attached_at is not None else ""
    instance_id = disk.instance_id
    return {
        "DetachedTime": iso_seconds(disk.detached_at) if disk.detached_at is not None and not instance_id else "",
        "Category": disk.category,
        "Description": disk.description,
        "KMSKeyId": disk.kms_key_id,
        "ThroughputRead": 0,
        "ResourceGroupId": disk.resource_group_id,
        "Encrypted": disk.encrypted,
        "Size": disk.size,
        "DeleteAutoSnapshot": disk.delete_auto_snapshot,
        "DiskChargeType": disk.charge_type,
        "Throughput": throughput,
        "StorageSetPartitionNumber": 0,
        "IOPS": iops,
        "MultiAttach": multi_attach(disk),
        "Attachments": {"Attachment": [
            {"AttachedTime": attached, "InstanceId": instance_id, "Device": disk.device}] if instance_id else []},
        "SourceDiskId": "",
        # Filled with AdditionalAttributes.N=Placement (the real answer has {} otherwise).
        "Placement": {"ZoneIds": disk.zone_id} if placement else {},
        # Pay-as-you-go disks show "2999-09-08T16:00Z" (DescribeDisks sample; FACTS.md section 9).
        "ExpiredTime": iso_minutes(disk.expired_at) if disk.charge_type == "PrePaid" else DISK_NEVER_EXPIRES,
        "ImageId": disk.image_id,
        "StorageSetId": "",
        "Tags": tags_view(disk.tags),
        "Status": disk.status(ctx.now),
        "AttachedTime": attached,
        "IOPSRead": 0,
        "BurstingEnabled": disk.bursting_enabled,
        # The 2021 reference calls it DedicatedBlockStorageClusterId; real 2024 answers and the
        # current SDK model StorageClusterId.
        "StorageClusterId": "",
        "IOPSWrite": 0,
        "ZoneId": disk.zone_id,
        "InstanceId": instance_id,
        "SourceSnapshotId": disk.source_snapshot_id,
        "ProductCode": "",
        "Device": disk.device,
        "PerformanceLevel": disk.performance_level,
        "DeleteWithInstance": disk.delete_with_instance,
        "EnableAutomatedSnapshotPolicy": enable_automated_snapshot_policy(disk),
        "EnableAutoSnapshot": enable_auto_snapshot(disk),
        "AutoSnapshotPolicyId": auto_snapshot_policy_id(disk),
        "DiskName": disk.disk_name,
        "ProvisionedIops": 0,
        "OperationLocks": {"OperationLock": [{"LockReason": r} for r in effective_locks(ctx, state, disk)]},
        "BdfId": "",
        "DataSource": {"Type": "", "Id": ""},
        "ThroughputWrite": 0,
        "Portable": disk.portable,
        "Type": disk.disk_type,
        "MountInstanceNum": 0,
        "SerialNumber": disk.disk_id[2:],
        "MountInstances": {"MountInstance": []},
        "CreationTime": iso_seconds(disk.created_at),
        "RegionId": disk.region_id,
        "DiskId": disk.disk_id,
    }


# DescribeDisks Category values (metadata en-US/DescribeDisks.json); "all" is no filter.
DISK_CATEGORY_FILTER = (
    "all", "cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_regional_disk_auto",
    "cloud_essd_entry", "elastic_ephemeral_disk_standard", "elastic_ephemeral_disk_premium", "local_ssd_pro",
    "local_hdd_pro", "ephemeral", "ephemeral_ssd",
)
# LockReason: the metadata lists financial and security; the 2021 docs add these two.
DISK_LOCK_REASONS = ("financial", "security", "recycling", "dedicatedhostfinancial")
MULTI_ATTACH = ("Disabled", "Enabled", "LegacyShared")


# Derived attributes as DescribeDisks shows them; the filters read the same functions, so a
# filter and the view can never disagree.
def enable_auto_snapshot(disk: Disk) -> bool:
    return True  # deprecated; "enabled for cloud disks by default" (metadata)


def enable_automated_snapshot_policy(disk: Disk) -> bool:
    return bool(disk.auto_snapshot_policy_id)  # a policy is applied (ApplyAutoSnapshotPolicy)


def auto_snapshot_policy_id(disk: Disk) -> str:
    return disk.auto_snapshot_policy_id


def multi_attach(disk: Disk) -> str:
    return "Disabled"  # no multi-attach or Shared Block Storage disks


def enable_shared(disk: Disk) -> bool:
    return False


@action(
    "DescribeDisks", strict=True,
    params=(
        "DiskIds", "Status", "DiskType", "ZoneId", "Category", "DiskName", "SnapshotId", "DiskChargeType",
        "ResourceGroupId", "KMSKeyId", "Portable", "DeleteWithInstance", "DeleteAutoSnapshot", "Encrypted", "Tag",
        "LockReason", "InstanceId", "EnableShared", "EnableAutoSnapshot", "EnableAutomatedSnapshotPolicy",
        "AutoSnapshotPolicyId", "MultiAttach", "AdditionalAttributes", "Filter.1.Key", "Filter.1.Value",
        "Filter.2.Key", "Filter.2.Value", "PageNumber", "PageSize", "NextToken", "MaxResults", "DryRun",
    ),
)
def describe_disks(ctx: Context) -> Dict[str, Any]:
    """Every filter of the metadata, ANDed; validated in parameter order before any paging."""
    dry_run_flag(ctx)
    state = ctx.region()
    region_id = ctx.region_id
    assert region_id is not None
    wanted = id_filter(ctx, "DiskIds", too_many="InvalidDiskIds.Malformed", malformed="InvalidParameter.DiskIds")
    checks: List[filters.Check] = []
    status = choice(ctx, "Status", DISK_STATUSES + ("All",), "InvalidStatus.ValueNotSupported")
    if status and status != "All":
        checks.append(filters.status_is(status, ctx.now))
    disk_type = (ctx.get("DiskType") or "all").lower()
    if disk_type not in ("all", "system", "data"):
        raise ctx.error("InvalidDiskType.ValueNotSupported")
    if disk_type != "all":
        checks.append(filters.equals("disk_type", disk_type))
    category = choice(ctx, "Category", DISK_CATEGORY_FILTER, "InvalidCategory.ValueNotSupported")
    if category and category != "all":
        checks.append(filters.equals("category", category))
    charge = choice(ctx, "DiskChargeType", ("PrePaid", "PostPaid"), "InvalidDiskChargeType.NotFound")
    if charge:
        checks.append(filters.equals("charge_type", charge))
    lock = choice(ctx, "LockReason", DISK_LOCK_REASONS, "InvalidLockReason.NotFound")
    if lock:
        checks.append(lambda d: lock in effective_locks(ctx, state, d))
    attach_mode = choice(ctx, "MultiAttach", MULTI_ATTACH, None)
    if attach_mode:
        checks.append(lambda d: multi_attach(d) == attach_mode)
    zone = ctx.get("ZoneId")
    if zone:
        if zone not in regions.zones(region_id):
            raise ctx.error("InvalidZoneId.NotFoundDisks")
        checks.append(filters.equals("zone_id", zone))
    snap_id = ctx.get("SnapshotId")
    if snap_id:
        if not snap_id.startswith("s-"):
            raise ctx.error("InvalidSnapshot.NotFound")
        # A deleted snapshot still finds the disks made from it (their SourceSnapshotId stays).
        checks.append(filters.equals("source_snapshot_id", snap_id))
    for param, get in (("DiskName", attrgetter("disk_name")), ("KMSKeyId", attrgetter("kms_key_id")),
                       ("AutoSnapshotPolicyId", auto_snapshot_policy_id)):
        if ctx.get(param):
            checks.append(filters.value_is(get, ctx.get(param)))
    checks += flag_checks(ctx, {
        "Portable": attrgetter("portable"), "DeleteWithInstance": attrgetter("delete_with_instance"),
        "DeleteAutoSnapshot": attrgetter("delete_auto_snapshot"), "Encrypted": attrgetter("encrypted"),
        "EnableShared": enable_shared, "EnableAutoSnapshot": enable_auto_snapshot,
        "EnableAutomatedSnapshotPolicy": enable_automated_snapshot_policy,
    })
    for check in (resource_group_check(ctx), tag_check(ctx)):
        if check is not None:
            checks.append(check)
    # DescribeDisks documents no error for these: InvalidParameter names the parameter.
    checks += time_checks(
        ctx, {"CreationStartTime": ("created_at", False), "CreationEndTime": ("created_at", True)},
        2, lambda n, field: errors.invalid_parameter(f"Filter.{n}.{field}"),
    )
    placement = False
    for n, value in repeat_values(ctx, "AdditionalAttributes", limit=20).items():
        # "Placement" adds the storage locations (for Regional ESSDs several zones; here the one).
        if value != "Placement":
            raise errors.invalid_parameter(f"AdditionalAttributes.{n}")
        placement = True

    # Candidates from the narrowest index: the ID list, else the instance's disks, else the
    # policy's disks (Terraform reads an attachment by AutoSnapshotPolicyId), else the table.
    instance_id, policy_id = ctx.get("InstanceId"), ctx.get("AutoSnapshotPolicyId")
    items: Optional[List[Disk]] = None
    if wanted is not None:
        items = [disk for i in dict.fromkeys(wanted) if (disk := state.disks.get(i)) is not None]
        if instance_id:
            checks.append(filters.equals("instance_id", instance_id))
    elif instance_id:
        inst = state.instances.get(instance_id)
        items = [state.disks[d] for d in inst.disk_ids] if inst else []
    elif policy_id:
        policy = state.policies.get(policy_id)
        items = [state.disks[d] for d in policy.disk_ids if d in state.disks] if policy else []
    page, meta = paginate(ctx, paging.DISKS, table=None if items is not None else state.disks,
                          items=items, keep=filters.combine(checks))
    ctx.commit()  # after paging too: a bad NextToken or PageSize fails a dry run as well
    return {**meta, "Disks": {"Disk": [disk_view(ctx, state, d, placement) for d in page]}}
