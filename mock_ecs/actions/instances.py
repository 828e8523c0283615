"""RunInstances, CreateInstance, StartInstance, StopInstance, DeleteInstance, DescribeInstances."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .. import errors, paging, regions, validate
from ..backend import RegionState, disk_snapshots, remove_snapshot
from ..clock import iso_minutes, iso_seconds
from ..context import Context
from ..models import CLOUD_DISK_CATEGORIES, LOCAL_DISK_CATEGORIES, NEVER_EXPIRES, Disk, Instance, Phase
from ..paging import paginate
from ..router import action
from .common import (
    get_instance,
    new_id,
    public_image,
    status_filter,
    tags_view,
)

INSTANCE_STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")
_MONTHS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36, 48, 60}
_DATA_DISK_LIMIT = 16
INSTANCE_PARAMS = (
    "ZoneId", "InstanceChargeType", "PeriodUnit", "Period", "SystemDisk.Category", "SystemDisk.Size",
    "SystemDisk.DiskName", "SystemDisk.Description", "SystemDisk.PerformanceLevel", "DataDisk", "ImageId",
    "InstanceType", "InstanceName", "Description", "Tag", "SecurityGroupId", "SecurityGroupIds", "HostName",
    "VSwitchId", "KeyPairName", "InternetChargeType", "DeletionProtection", "ResourceGroupId", "DryRun",
)


def _missing_business(name: str) -> errors.EcsError:
    return errors.EcsError(
        "MissingParameter",
        f"The input parameter {name} that is mandatory for processing this request is not supplied.",
        400,
    )


def _zone(ctx: Context) -> str:
    region_id = ctx.region_id
    assert region_id is not None
    zone = ctx.get("ZoneId")
    if not zone:
        return regions.default_zone(region_id)
    if zone not in regions.zones(region_id):
        raise ctx.error("InvalidZoneId.NotFoundInstance")
    return zone


def _image_size(ctx: Context, state: RegionState, image_id: str) -> int:
    """Size of the image to boot; custom ``m-`` images must exist and be Available."""
    if image_id.startswith("m-"):
        image = state.images.get(image_id)
        if image is None or image.status(ctx.now) != "Available":
            raise ctx.error("InvalidImageId.NotFound")
        return image.size
    return public_image(image_id).size


def _charge(ctx: Context) -> Tuple[str, float]:
    """(InstanceChargeType, expiry) from InstanceChargeType, Period and PeriodUnit."""
    charge = ctx.get("InstanceChargeType", "PostPaid") or "PostPaid"
    if charge not in ("PostPaid", "PrePaid"):
        raise ctx.error("InvalidInstanceChargeType.NotFound")
    if charge == "PostPaid":
        return charge, NEVER_EXPIRES
    unit = ctx.get("PeriodUnit", "Month") or "Month"
    if unit not in ("Month", "Week"):
        raise ctx.error("InvalidPeriodUnit.ValueNotSupported")
    period = ctx.get_int("Period", 1, "InvalidPeriod")
    assert period is not None
    if (unit == "Month" and period not in _MONTHS) or (unit == "Week" and not 1 <= period <= 4):
        raise ctx.error("InvalidPeriod")
    days = period * (7 if unit == "Week" else 30)
    return charge, ctx.now + days * 86400


def _disk_size_ok(category: str, size: int) -> bool:
    if category == "cloud":
        return 5 <= size <= 2000
    if category in LOCAL_DISK_CATEGORIES:
        return 1 <= size <= 32768
    return 20 <= size <= 32768


def _plan_disks(ctx: Context, state: RegionState, image_size: int) -> List[Dict[str, Any]]:
    """Validate SystemDisk.* and DataDisk.N.*; returns plain specs so nothing is built on error."""
    edition = ctx.settings.edition
    sys_category = ctx.get("SystemDisk.Category", "cloud_efficiency") or "cloud_efficiency"
    if sys_category not in CLOUD_DISK_CATEGORIES:
        raise ctx.error("InvalidDiskCategory.ValueNotSupported")
    sys_size = ctx.get_int("SystemDisk.Size", max(40, image_size), "InvalidSystemDiskSize.ValueNotSupported")
    assert sys_size is not None
    if not max(20, image_size) <= sys_size <= 2048:
        raise ctx.error("InvalidSystemDiskSize.ValueNotSupported")
    sys_name = ctx.get("SystemDisk.DiskName")
    if sys_name and not validate.check_name(sys_name, edition, forbid_auto=False):
        raise ctx.error("InvalidDiskName.Malformed")
    specs: List[Dict[str, Any]] = [{
        "type": "system", "category": sys_category, "size": sys_size, "name": sys_name,
        "description": ctx.get("SystemDisk.Description"), "delete_with_instance": True,
        "snapshot_id": "", "encrypted": False, "performance_level": ctx.get("SystemDisk.PerformanceLevel"),
        "device": "/dev/xvda",
    }]
    data = ctx.indexed("DataDisk", limit=_DATA_DISK_LIMIT)
    for n, fields_ in data.items():
        category = fields_.get("Category", "cloud_efficiency") or "cloud_efficiency"
        if category not in CLOUD_DISK_CATEGORIES | LOCAL_DISK_CATEGORIES:
            raise ctx.error("InvalidDataDiskCategory.ValueNotSupported")
        snap_id = fields_.get("SnapshotId", "")
        snap_size: Optional[int] = None
        if snap_id:
            snap = state.snapshots.get(snap_id)
            if snap is None:
                raise ctx.error("InvalidDataDiskSnapshotId.NotFound")
            if snap.status(ctx.now) != "accomplished":
                # RunInstances/CreateInstance word it as CreateDisk does.
                raise ctx.error("InvalidSnapshotId.NotReadyDisk")
            snap_size = snap.source_disk_size
        raw_size = fields_.get("Size", "")
        if raw_size:
            try:
                size = int(raw_size)
            except ValueError:
                raise errors.invalid_parameter(f"DataDisk.{n}.Size") from None
        elif snap_size is not None:
            size = snap_size
        else:
            raise ctx.error("InvalidDataDiskSize.ValueNotSupported")
        if not _disk_size_ok(category, size) or (snap_size is not None and size < snap_size):
            raise ctx.error("InvalidDataDiskSize.ValueNotSupported")
        name = fields_.get("DiskName", "")
        if name and not validate.check_name(name, edition, forbid_auto=False):
            raise ctx.error("InvalidDiskName.Malformed")
        dwi = fields_.get("DeleteWithInstance", "true").lower() != "false"
        specs.append({
            "type": "data", "category": category, "size": size, "name": name,
            "description": fields_.get("Description", ""), "delete_with_instance": dwi,
            "snapshot_id": snap_id, "encrypted": fields_.get("Encrypted", "").lower() == "true",
            "performance_level": fields_.get("PerformanceLevel", ""),
            "device": fields_.get("Device", "") or f"/dev/xvd{chr(ord('a') + len(specs))}",
        })
    return specs


def _validate_common(ctx: Context) -> Dict[str, Any]:
    """Everything RunInstances and CreateInstance check before building anything."""
    image_id = ctx.get("ImageId")
    if not image_id:
        raise _missing_business("ImageId")
    instance_type = ctx.get("InstanceType")
    if not instance_type:
        raise _missing_business("InstanceType")
    state = ctx.region()
    zone = _zone(ctx)
    name = ctx.get("InstanceName")
    if name and not (2 <= len(name) <= 128 and not name.startswith(("http://", "https://"))
                     and (name[0].isalpha())):
        raise ctx.error("InvalidInstanceName.Malformed")
    validate.optional_description(ctx)
    charge, expires = _charge(ctx)
    image_size = _image_size(ctx, state, image_id)
    disks = _plan_disks(ctx, state, image_size)
    tags = validate.tags(ctx)
    token = validate.client_token(ctx)
    groups = [ctx.get("SecurityGroupId")] if ctx.get("SecurityGroupId") else []
    groups += list(v.get("", "") for v in ctx.indexed("SecurityGroupIds").values())
    return {
        "state": state, "zone": zone, "image_id": image_id, "instance_type": instance_type,
        "name": name, "charge": charge, "expires": expires, "disks": disks, "tags": tags,
        "token": token, "groups": [g for g in groups if g],
    }


def _build(ctx: Context, plan: Dict[str, Any], *, started: bool) -> Instance:
    """Create one instance and its disks from a validated plan."""
    region_id = ctx.region_id
    assert region_id is not None
    state: RegionState = plan["state"]
    now = ctx.now
    inst_id = new_id(ctx, "i", region_id)
    if started:
        phase = Phase("Pending")
        phase.move("Pending", "Running", now, ctx.settings.instance_start_seconds)
    else:
        phase = Phase("Stopped")
    inst = Instance(
        instance_id=inst_id, region_id=region_id, zone_id=plan["zone"],
        instance_type=plan["instance_type"], image_id=plan["image_id"], created_at=now, phase=phase,
        instance_name=plan["name"] or inst_id, description=ctx.get("Description"),
        host_name=ctx.get("HostName") or f"iZ{inst_id[2:]}Z", charge_type=plan["charge"],
        expired_at=plan["expires"], first_started_at=now if started else None,
        security_group_ids=plan["groups"], vswitch_id=ctx.get("VSwitchId"),
        key_pair_name=ctx.get("KeyPairName"),
        internet_charge_type=ctx.get("InternetChargeType", "PayByTraffic") or "PayByTraffic",
        tags=dict(plan["tags"]), deletion_protection=ctx.get("DeletionProtection").lower() == "true",
        resource_group_id=ctx.get("ResourceGroupId"),
    )
    state.instances[inst_id] = inst
    for spec in plan["disks"]:
        disk_id = new_id(ctx, "d", region_id)
        disk = Disk(
            disk_id=disk_id, region_id=region_id, zone_id=plan["zone"], category=spec["category"],
            size=spec["size"], disk_type=spec["type"], created_at=now,
            initialized_at=now + ctx.settings.initialization_seconds, phase=Phase("In_use"),
            disk_name=spec["name"], description=spec["description"], instance_id=inst_id,
            device=spec["device"], ever_attached=True, attached_at=now,
            portable=spec["type"] == "data" and spec["category"] in CLOUD_DISK_CATEGORIES
            and plan["charge"] == "PostPaid",
            delete_with_instance=spec["delete_with_instance"], charge_type=plan["charge"],
            expired_at=plan["expires"], image_id=plan["image_id"] if spec["type"] == "system" else "",
            source_snapshot_id=spec["snapshot_id"], encrypted=spec["encrypted"],
            performance_level=spec["performance_level"] or ("PL1" if spec["category"] == "cloud_essd" else ""),
        )
        state.disks[disk_id] = disk
        inst.disk_ids.append(disk_id)
        if spec["snapshot_id"]:
            state.snapshots[spec["snapshot_id"]].disk_ids.add(disk_id)
    return inst


@action("RunInstances", needs_region=True, params=INSTANCE_PARAMS + ("Amount",))
def run_instances(ctx: Context) -> Dict[str, Any]:
    plan = _validate_common(ctx)
    amount = ctx.get_int("Amount", 1, lo=1, hi=100)
    assert amount is not None

    def create() -> Dict[str, Any]:
        ctx.commit()
        made = [_build(ctx, plan, started=True).instance_id for _ in range(amount)]
        return {**_order(ctx, plan), "InstanceIdSets": {"InstanceIdSet": made}}

    return validate.idempotent(ctx, plan["token"], "IdempotentParameterMismatch", create)


@action("CreateInstance", required=("InstanceType",), needs_region=True, params=INSTANCE_PARAMS)
def create_instance(ctx: Context) -> Dict[str, Any]:
    plan = _validate_common(ctx)

    def create() -> Dict[str, Any]:
        ctx.commit()
        return {"InstanceId": _build(ctx, plan, started=False).instance_id, **_order(ctx, plan)}

    return validate.idempotent(ctx, plan["token"], "IdempotentParameterMismatch", create)


def _order(ctx: Context, plan: Dict[str, Any]) -> Dict[str, Any]:
    """``OrderId`` is "returned only when InstanceChargeType is set to PrePaid" (RunInstances.md)."""
    return {"OrderId": str(int(ctx.now * 1000))} if plan["charge"] == "PrePaid" else {}


def _security_locked(inst: Instance) -> bool:
    return "security" in inst.lock_reasons()


@action("StartInstance", required=("InstanceId",), params=("DryRun",))
def start_instance(ctx: Context) -> Dict[str, Any]:
    _, inst = get_instance(ctx, ctx.get("InstanceId"))
    if _security_locked(inst):
        raise ctx.error("InstanceLockedForSecurity.Instance")
    if inst.status(ctx.now) != "Stopped":
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    ctx.commit()
    inst.phase.move("Starting", "Running", ctx.now, ctx.settings.instance_transition_seconds)
    if inst.first_started_at is None:
        inst.first_started_at = ctx.now
    return {}


@action("StopInstance", required=("InstanceId",), params=("DryRun",))
def stop_instance(ctx: Context) -> Dict[str, Any]:
    _, inst = get_instance(ctx, ctx.get("InstanceId"))
    if _security_locked(inst):
        raise ctx.error("InstanceLockedForSecurity.Instance")
    if inst.status(ctx.now) != "Running":
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    ctx.commit()
    inst.phase.move("Stopping", "Stopped", ctx.now, ctx.settings.instance_transition_seconds)
    return {}


@action("DeleteInstance", required=("InstanceId",), params=("Force", "DryRun"))
def delete_instance(ctx: Context) -> Dict[str, Any]:
    state, inst = get_instance(ctx, ctx.get("InstanceId"))
    force = ctx.get_bool("Force")
    status = inst.status(ctx.now)
    if inst.deletion_protection:
        raise ctx.error(
            "InvalidOperation.DeletionProtection",
            "The specified instance is protected from release; disable DeletionProtection first.",
        )
    if status == "Pending":
        raise errors.EcsError(
            "IncorrectInstanceStatus.Initializing",
            "The specified instance status does not support this operation.",
            403,
        )
    if status != "Stopped" and not force:
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    ctx.commit()
    release_all = _security_locked(inst)
    for disk_id in list(inst.disk_ids):
        disk = state.disks[disk_id]
        if disk.delete_with_instance or disk.disk_type == "system" or disk.is_local or release_all:
            drop_disk(ctx, state, disk)
        else:
            disk.instance_id, disk.device = "", ""
            disk.phase = Phase("Available")
            disk.detached_at = ctx.now
            disk.portable, disk.delete_with_instance = True, False
            disk.charge_type, disk.expired_at = "PostPaid", NEVER_EXPIRES
    del state.instances[inst.instance_id]
    ctx.account.where.pop(inst.instance_id, None)
    return {}


def drop_disk(ctx: Context, state: RegionState, disk: Disk) -> None:
    """Release a disk: its finished manual snapshots stay, a progressing one is cancelled."""
    for snap in list(disk_snapshots(state, disk.disk_id)):
        if snap.status(ctx.now) != "accomplished":
            remove_snapshot(ctx.account, state, snap)
    if disk.source_snapshot_id and disk.source_snapshot_id in state.snapshots:
        state.snapshots[disk.source_snapshot_id].disk_ids.discard(disk.disk_id)
    del state.disks[disk.disk_id]
    ctx.account.where.pop(disk.disk_id, None)


def instance_view(ctx: Context, inst: Instance) -> Dict[str, Any]:
    now = ctx.now
    family = ".".join(inst.instance_type.split(".")[:2])
    cpu, memory = _shape(inst.instance_type)
    lock_msgs = {
        "financial": "The specified instance is locked due to financial reason.",
        "security": "The specified instance is locked due to security reason.",
    }
    status = inst.status(now)
    image = public_image(inst.image_id)
    return {
        "InstanceId": inst.instance_id,
        "InstanceName": inst.instance_name,
        "Description": inst.description,
        "HostName": inst.host_name,
        "RegionId": inst.region_id,
        "ZoneId": inst.zone_id,
        "InstanceType": inst.instance_type,
        "InstanceTypeFamily": family,
        "Cpu": cpu,
        "Memory": memory,
        "ImageId": inst.image_id,
        "OSName": image.os_name,
        "OSNameEn": image.os_name,
        "OSType": "windows" if image.platform.startswith("Windows") else "linux",
        "Status": status,
        "CreationTime": iso_minutes(inst.created_at),
        "StartTime": iso_minutes(inst.first_started_at) if inst.first_started_at is not None else "",
        "ExpiredTime": iso_minutes(inst.expired_at),
        "AutoReleaseTime": "",
        "InstanceChargeType": inst.charge_type,
        "InternetChargeType": inst.internet_charge_type,
        "InternetMaxBandwidthIn": 100,
        "InternetMaxBandwidthOut": 0,
        "InstanceNetworkType": "vpc",
        "IoOptimized": True,
        "DeletionProtection": inst.deletion_protection,
        "StoppedMode": "KeepCharging" if status == "Stopped" else "Not-applicable",
        "SerialNumber": inst.instance_id[2:],
        "KeyPairName": inst.key_pair_name,
        "ResourceGroupId": inst.resource_group_id,
        "SecurityGroupIds": {"SecurityGroupId": list(inst.security_group_ids)},
        "VpcAttributes": {
            "VpcId": inst.vpc_id, "VSwitchId": inst.vswitch_id, "NatIpAddress": "",
            "PrivateIpAddress": {"IpAddress": []},
        },
        "PublicIpAddress": {"IpAddress": []},
        "InnerIpAddress": {"IpAddress": []},
        "EipAddress": {"AllocationId": "", "IpAddress": "", "InternetChargeType": ""},
        "OperationLocks": {
            "LockReason": [
                {"LockReason": reason, "LockMsg": msg or lock_msgs.get(reason, "")}
                for reason, msg in inst.locks
            ]
        },
        "Tags": tags_view(inst.tags),
    }


def _shape(instance_type: str) -> Tuple[int, int]:
    """vCPUs and MiB guessed from the type name (ecs.g7.2xlarge -> 8, 32768)."""
    parts = instance_type.split(".")
    size = parts[-1] if parts else ""
    cpu = {"small": 1, "medium": 1, "large": 2, "xlarge": 4}.get(size)
    if cpu is None:
        head = size[:-6] if size.endswith("xlarge") else ""
        cpu = int(head) * 4 if head.isdigit() else 2
    family = parts[1] if len(parts) > 1 else ""
    ratio = {"c": 2, "g": 4, "r": 8}.get(family[:1], 4)
    return cpu, cpu * ratio * 1024


@action(
    "DescribeInstances", needs_region=True, strict=True,
    params=(
        "InstanceIds", "Status", "ZoneId", "ImageId", "InstanceType", "InstanceChargeType", "VSwitchId", "VpcId",
        "KeyPairName", "InstanceName", "ResourceGroupId", "Tag", "LockReason", "PageNumber", "PageSize",
        "NextToken", "MaxResults", "DryRun",
    ),
)
def describe_instances(ctx: Context) -> Dict[str, Any]:
    state = ctx.region()
    wanted = ctx.id_list("InstanceIds")
    status = status_filter(ctx, INSTANCE_STATUSES, "InvalidStatus.NotFound")
    filters = {
        "ZoneId": lambda i: i.zone_id, "ImageId": lambda i: i.image_id,
        "InstanceType": lambda i: i.instance_type, "InstanceChargeType": lambda i: i.charge_type,
        "VSwitchId": lambda i: i.vswitch_id, "VpcId": lambda i: i.vpc_id,
        "KeyPairName": lambda i: i.key_pair_name, "InstanceName": lambda i: i.instance_name,
        "ResourceGroupId": lambda i: i.resource_group_id,
    }
    active = {k: ctx.get(k) for k in filters if ctx.get(k)}
    tag_filter = validate.tags(ctx) if ctx.has("Tag.1.Key") else {}
    lock = ctx.get("LockReason")
    if wanted is not None:
        pool = [state.instances[i] for i in dict.fromkeys(wanted) if i in state.instances]
    else:
        pool = list(state.instances.values())
    pool.reverse()
    out: List[Instance] = []
    for inst in pool:
        if status and inst.status(ctx.now) != status:
            continue
        if any(filters[k](inst) != v for k, v in active.items()):
            continue
        if lock and lock not in inst.lock_reasons():
            continue
        if any(inst.tags.get(k) != v for k, v in tag_filter.items()):
            continue
        out.append(inst)
    ctx.commit()
    page, meta = paginate(ctx, paging.INSTANCES, items=out)
    return {**meta, "Instances": {"Instance": [instance_view(ctx, i) for i in page]}}


def disk_times(disk: Disk) -> Dict[str, str]:
    return {
        "CreationTime": iso_seconds(disk.created_at),
        "AttachedTime": iso_seconds(disk.attached_at) if disk.attached_at is not None else "",
        "DetachedTime": iso_seconds(disk.detached_at) if disk.detached_at is not None and not disk.instance_id else "",
    }
