"""RunInstances, CreateInstance, StartInstance, StopInstance, DeleteInstance, DescribeInstances.

DescribeInstances validates every filter of the real API (metadata en-US/DescribeInstances.json)
with the readers of common.py, turns each into one check and ANDs them; candidates come from the
narrowest index (ID list, IP index) or are a slice of the region table when nothing filters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import itertools
import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from .. import errors, filters, paging, regions, schedule, validate
from ..backend import RegionState, disk_snapshots, remove_snapshot
from ..clock import iso_minutes
from ..context import Context, parse_id_list
from ..errors import EcsError
from ..models import CLOUD_DISK_CATEGORIES, LOCAL_DISK_CATEGORIES, LOCK_MESSAGES, NEVER_EXPIRES, Disk, Instance, Phase
from ..paging import paginate
from ..registry import action
from .common import (
    NVME_OS_NAMES,
    check_unlocked,
    choice,
    dry_run_flag,
    flag_checks,
    get_instance,
    id_filter,
    image_content,
    image_os,
    new_id,
    public_image,
    repeat_values,
    resource_group_check,
    tag_check,
    tags_view,
    time_checks,
)

INSTANCE_STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")
# DescribeInstances LockReason values (metadata en-US/DescribeInstances.json).
INSTANCE_LOCK_REASONS = ("financial", "security", "recycling", "dedicatedhostfinancial", "refunded")
INTERNET_CHARGE_TYPES = ("PayByBandwidth", "PayByTraffic")
# AdditionalAttributes.N values of DescribeInstances (actions/DescribeInstances.md, 2021 docs).
ADDITIONAL_ATTRIBUTES = ("META_OPTIONS", "DDH_CLUSTER", "NETWORK_PRIMARY_ENI_IP")
PRIVATE_NETWORK = ipaddress.IPv4Network("172.16.0.0/12")
PUBLIC_NETWORK = ipaddress.IPv4Network("47.96.0.0/12")
_MONTHS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36, 48, 60}
# ESSD performance levels (metadata: SystemDisk.PerformanceLevel, DataDisk.N.PerformanceLevel).
PERFORMANCE_LEVELS = ("PL0", "PL1", "PL2", "PL3")
_DATA_DISK_LIMIT = 16
INSTANCE_PARAMS = (
    "ZoneId", "InstanceChargeType", "PeriodUnit", "Period", "SystemDisk.Category", "SystemDisk.Size",
    "SystemDisk.DiskName", "SystemDisk.Description", "SystemDisk.PerformanceLevel", "DataDisk", "ImageId",
    "InstanceType", "InstanceName", "Description", "Tag", "SecurityGroupId", "SecurityGroupIds", "HostName",
    "VSwitchId", "KeyPairName", "InternetChargeType", "DeletionProtection", "ResourceGroupId", "DryRun",
    "InternetMaxBandwidthOut", "InternetMaxBandwidthIn", "HttpEndpoint", "HttpTokens", "HttpPutResponseHopLimit",
    "HpcClusterId", "UserData",
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


def _charge(ctx: Context) -> Tuple[str, float, str]:
    """(InstanceChargeType, expiry, sale cycle) from InstanceChargeType, Period and PeriodUnit."""
    charge = ctx.get("InstanceChargeType", "PostPaid") or "PostPaid"
    if charge not in ("PostPaid", "PrePaid"):
        raise ctx.error("InvalidInstanceChargeType.NotFound")
    if charge == "PostPaid":
        return charge, NEVER_EXPIRES, ""
    unit = ctx.get("PeriodUnit", "Month") or "Month"
    if unit not in ("Month", "Week"):
        raise ctx.error("InvalidPeriodUnit.ValueNotSupported")
    period = ctx.get_int("Period", 1, "InvalidPeriod")
    assert period is not None
    if (unit == "Month" and period not in _MONTHS) or (unit == "Week" and not 1 <= period <= 4):
        raise ctx.error("InvalidPeriod")
    days = period * (7 if unit == "Week" else 30)
    return charge, ctx.now + days * 86400, unit.lower()


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
    sys_level = ctx.get("SystemDisk.PerformanceLevel")
    if sys_level and sys_level not in PERFORMANCE_LEVELS:
        # RunInstances.md and CreateInstance.md document no code for it.
        raise errors.invalid_parameter("SystemDisk.PerformanceLevel")
    sys_name = ctx.get("SystemDisk.DiskName")
    if sys_name and not validate.check_name(sys_name, edition, forbid_auto=False):
        raise ctx.error("InvalidDiskName.Malformed")
    specs: List[Dict[str, Any]] = [{
        "type": "system", "category": sys_category, "size": sys_size, "name": sys_name,
        "description": ctx.get("SystemDisk.Description"), "delete_with_instance": True,
        "snapshot_id": "", "encrypted": False, "performance_level": sys_level,
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
        level = fields_.get("PerformanceLevel", "")
        if level and level not in PERFORMANCE_LEVELS:
            raise errors.invalid_parameter(f"DataDisk.{n}.PerformanceLevel")
        dwi = fields_.get("DeleteWithInstance", "true").lower() != "false"
        specs.append({
            "type": "data", "category": category, "size": size, "name": name,
            "description": fields_.get("Description", ""), "delete_with_instance": dwi,
            "snapshot_id": snap_id, "encrypted": fields_.get("Encrypted", "").lower() == "true",
            "performance_level": level,
            "device": fields_.get("Device", "") or f"/dev/xvd{chr(ord('a') + len(specs))}",
        })
    return specs


# UserData: "cannot exceed 32 KB in size before Base64 encoding" (RunInstances.md).
USER_DATA_LIMIT = 32 * 1024


def read_user_data(ctx: Context) -> str:
    """UserData as given (Base64); refused when it does not decode or is over 32 KB decoded."""
    raw = ctx.get("UserData")
    if not raw:
        return ""
    try:
        decoded = base64.b64decode(raw.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        # No documented code for it: the generic invalid parameter.
        raise errors.invalid_parameter("UserData") from None
    if len(decoded) > USER_DATA_LIMIT:
        raise EcsError("InvalidUserData.SizeExceeded", 'The specified parameter "UserData" exceeds the size.', 400)
    return raw


def instance_name(ctx: Context) -> str:
    """InstanceName ("" when absent): 2 to 128 characters, starting with a letter, not with
    http:// or https:// (RunInstances.md); ModifyInstanceAttribute takes the same."""
    name = ctx.get("InstanceName")
    if name and not (2 <= len(name) <= 128 and name[0].isalpha() and not name.startswith(("http://", "https://"))):
        raise ctx.error("InvalidInstanceName.Malformed")
    return name


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
    name = instance_name(ctx)
    validate.optional_description(ctx)
    charge, expires, sale_cycle = _charge(ctx)
    image_size = _image_size(ctx, state, image_id)
    disks = _plan_disks(ctx, state, image_size)
    tags = validate.tags(ctx)
    token = validate.client_token(ctx, "InvalidClientToken.ValueNotSupported")
    user_data = read_user_data(ctx)
    groups = [ctx.get("SecurityGroupId")] if ctx.get("SecurityGroupId") else []
    groups += list(v.get("", "") for v in ctx.indexed("SecurityGroupIds").values())
    return {
        "state": state, "zone": zone, "image_id": image_id, "instance_type": instance_type,
        "name": name, "charge": charge, "expires": expires, "sale_cycle": sale_cycle, "disks": disks, "tags": tags,
        "token": token, "user_data": user_data, "groups": [g for g in groups if g], "os": image_os(state, image_id),
        **_network_and_metadata(ctx),
    }


def _network_and_metadata(ctx: Context) -> Dict[str, Any]:
    """InternetChargeType, the bandwidths, HpcClusterId and the metadata options (RunInstances.md)."""
    run = ctx.action == "RunInstances"
    internet = ctx.get("InternetChargeType") or "PayByTraffic"
    if internet not in INTERNET_CHARGE_TYPES:
        # RunInstances.md and CreateInstance.md word it alike (400, with a period).
        raise ctx.error("InvalidInternetChargeType.ValueNotSupportedRun")
    out = ctx.get_int("InternetMaxBandwidthOut", 0)
    assert out is not None
    if not 0 <= out <= 100:
        raise errors.invalid_parameter("InternetMaxBandwidthOut")
    # "When the outbound bandwidth is at most 10 Mbit/s, 1 to 10, default 10; otherwise 1 to
    # InternetMaxBandwidthOut" (RunInstances.md).
    in_max = 10 if out <= 10 else out
    bad_in = ctx.error("InvalidInternetMaxBandwidthIn.Malformed") if run else errors.invalid_parameter(
        "InternetMaxBandwidthIn")
    try:
        bandwidth_in = ctx.get_int("InternetMaxBandwidthIn", in_max)
    except EcsError:
        raise bad_in from None
    assert bandwidth_in is not None
    if not 1 <= bandwidth_in <= in_max:
        raise bad_in
    if ctx.get("HpcClusterId"):
        # The mock has no HPC clusters (no CreateHpcCluster): every ID names one that does not exist.
        raise ctx.error("InvalidHpcClusterId.NotFoundRun" if run else "InvalidHpcClusterId.NotFound")
    endpoint = ctx.get("HttpEndpoint") or "enabled"
    if endpoint not in ("enabled", "disabled"):
        raise ctx.error("InvalidHttpEndpoint.NotSupported")
    tokens = ctx.get("HttpTokens") or "optional"
    if tokens not in ("optional", "required"):
        raise ctx.error("InvalidHttpTokens.NotSupported")
    try:
        hops = ctx.get_int("HttpPutResponseHopLimit", 1, lo=1, hi=64)
    except EcsError:
        raise ctx.error("InvalidHttpPutResponseHopLimit.NotSupported") from None
    return {
        "internet": internet, "bandwidth_out": out, "bandwidth_in": bandwidth_in,
        "http_endpoint": endpoint, "http_tokens": tokens, "hops": hops,
    }


def derive_ip(instance_id: str, network: ipaddress.IPv4Network, attempt: int = 0) -> str:
    """The address ``instance_id`` gets in ``network`` (the ``attempt``-th choice, for collisions).

    Deterministic: the same instance ID always gets the same first choice. Host parts ending in
    0, 1, 253, 254 or 255 are skipped (a vSwitch reserves its first and last addresses).
    """
    size = network.num_addresses
    for n in itertools.count(attempt):
        digest = hashlib.sha256(f"{network}|{instance_id}|{n}".encode()).digest()
        address = network.network_address + int.from_bytes(digest[:8], "big") % size
        if address.packed[-1] not in (0, 1, 253, 254, 255):
            return str(address)
    raise AssertionError("unreachable")  # pragma: no cover


def _allocate_ip(state: RegionState, instance_id: str, network: ipaddress.IPv4Network) -> str:
    """The first derived address no other instance of the region holds; recorded in the index."""
    for attempt in itertools.count():
        address = derive_ip(instance_id, network, attempt)
        if address not in state.ip_owners:
            state.ip_owners[address] = instance_id
            return address
    raise AssertionError("unreachable")  # pragma: no cover


def _build(ctx: Context, plan: Dict[str, Any], *, started: bool) -> Instance:
    """Create one instance and its disks from a validated plan.

    RunInstances (``started``) gives a public IP when InternetMaxBandwidthOut > 0; CreateInstance
    never does (the real one needs AllocatePublicIpAddress).
    """
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
        host_name=ctx.get("HostName") or f"iZ{inst_id[2:]}Z", user_data=plan["user_data"], charge_type=plan["charge"],
        expired_at=plan["expires"], first_started_at=now if started else None,
        security_group_ids=plan["groups"], vswitch_id=ctx.get("VSwitchId"),
        vpc_id=vpc_of(ctx.get("VSwitchId"), region_id), os_name=plan["os"][0], os_type=plan["os"][1],
        key_pair_name=ctx.get("KeyPairName"),
        internet_charge_type=plan["internet"],
        tags=dict(plan["tags"]), deletion_protection=ctx.get("DeletionProtection").lower() == "true",
        resource_group_id=ctx.get("ResourceGroupId"), sale_cycle=plan["sale_cycle"],
        internet_max_bandwidth_in=plan["bandwidth_in"], internet_max_bandwidth_out=plan["bandwidth_out"],
        http_endpoint=plan["http_endpoint"], http_tokens=plan["http_tokens"],
        http_put_response_hop_limit=plan["hops"],
    )
    state.instances[inst_id] = inst
    inst.private_ip = _allocate_ip(state, inst_id, PRIVATE_NETWORK)
    if started and inst.internet_max_bandwidth_out > 0:
        inst.public_ip = _allocate_ip(state, inst_id, PUBLIC_NETWORK)
    for spec in plan["disks"]:
        disk_id = new_id(ctx, "d", region_id)
        # Its data: the snapshot it is made from, or for the system disk the image it boots.
        if spec["snapshot_id"]:
            content = state.snapshots[spec["snapshot_id"]].content
        else:
            content = image_content(state, plan["image_id"]) if spec["type"] == "system" else 0
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
            content=content,
        )
        state.disks[disk_id] = disk
        inst.disk_ids.append(disk_id)
        if spec["snapshot_id"]:
            state.snapshots[spec["snapshot_id"]].disk_ids.add(disk_id)
    return inst


@action("RunInstances", params=INSTANCE_PARAMS + ("Amount", "MinAmount"))
def run_instances(ctx: Context) -> Dict[str, Any]:
    dry_run_flag(ctx)
    plan = _validate_common(ctx)
    # Both 1 to 100 (RunInstances.md). The mock never runs short of resources, so it always
    # creates Amount instances; a MinAmount above Amount can never be met and is refused.
    amount = ctx.get_int("Amount", 1, "InvalidParam.Amount", lo=1, hi=100)
    assert amount is not None
    ctx.get_int("MinAmount", None, "InvalidMinAmount.Malformed", lo=1, hi=amount)

    def create() -> Dict[str, Any]:
        ctx.commit()
        made = [_build(ctx, plan, started=True).instance_id for _ in range(amount)]
        return {"InstanceIdSets": {"InstanceIdSet": made}, **_order(ctx, plan, amount)}  # RequestId first

    return validate.idempotent(ctx, plan["token"], "IdempotentParameterMismatch", create)


@action("CreateInstance", params=INSTANCE_PARAMS)
def create_instance(ctx: Context) -> Dict[str, Any]:
    dry_run_flag(ctx)
    plan = _validate_common(ctx)

    def create() -> Dict[str, Any]:
        ctx.commit()
        return {"InstanceId": _build(ctx, plan, started=False).instance_id, **_order(ctx, plan, 1)}

    return validate.idempotent(ctx, plan["token"], "IdempotentParameterMismatch", create)


# The price of one vCPU for an hour, in CNY: the mock's TradePrice is this rate times the vCPUs
# and the hours bought (about the list price of a g7 subscription).
VCPU_HOUR_PRICE = 0.08


def _order(ctx: Context, plan: Dict[str, Any], amount: int) -> Dict[str, Any]:
    """``OrderId`` and ``TradePrice`` are "returned only when InstanceChargeType is set to PrePaid"
    (RunInstances.md); the price covers every instance of the order for the whole period."""
    if plan["charge"] != "PrePaid":
        return {}
    hours = (plan["expires"] - ctx.now) / 3600
    price = round(type_facts(plan["instance_type"])[0] * amount * hours * VCPU_HOUR_PRICE, 3)
    return {"OrderId": str(int(ctx.now * 1000)), "TradePrice": price}


# StartInstance.md's InstanceExpired text for a pay-as-you-go instance (the catalogue's is the
# subscription's).
POSTPAID_EXPIRED = "The postPaid instance has been expired. Please ensure your account have enough balance."


@action("StartInstance", params=("DryRun",))
def start_instance(ctx: Context) -> Dict[str, Any]:
    """Checks, in this order: the instance exists, no security lock, not expired (a subscription
    past its ExpiredTime, or a ``financial`` lock), none of its disks in arrears, the account's
    balance (pay-as-you-go only: a subscription is paid), then its status."""
    dry_run_flag(ctx)
    state, inst = get_instance(ctx, ctx.get("InstanceId"))
    if inst.security_locked():
        raise ctx.error("InstanceLockedForSecurity.Instance")
    now = ctx.now
    if inst.in_arrears(now):
        raise ctx.error("InstanceExpired", None if inst.charge_type == "PrePaid" else POSTPAID_EXPIRED)
    if any(disk.in_arrears(now) for d in inst.disk_ids if (disk := state.disks.get(d)) is not None):
        raise ctx.error("DiskInArrears")
    if inst.charge_type == "PostPaid" and ctx.account.not_enough_balance:
        raise ctx.error("InsufficientBalance")
    if inst.status(now) != "Stopped":
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    ctx.commit()
    inst.phase.move("Starting", "Running", ctx.now, ctx.settings.instance_transition_seconds)
    if inst.first_started_at is None:
        inst.first_started_at = ctx.now
    return {}


@action("StopInstance", params=("ConfirmStop", "DryRun"))
def stop_instance(ctx: Context) -> Dict[str, Any]:
    """Checks, in this order: the instance exists, no security lock, not expired or in arrears,
    ConfirmStop=true when it has local disks (StopInstance.md), then its status."""
    dry_run_flag(ctx)
    state, inst = get_instance(ctx, ctx.get("InstanceId"))
    check_unlocked(ctx, inst)
    confirmed = ctx.get_bool("ConfirmStop")
    if not confirmed and any(disk.is_local for d in inst.disk_ids if (disk := state.disks.get(d)) is not None):
        raise ctx.error("InstanceType.ParameterMismatch")
    if inst.status(ctx.now) != "Running":
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    ctx.commit()
    inst.phase.move("Stopping", "Stopped", ctx.now, ctx.settings.instance_transition_seconds)
    return {}


@action("DeleteInstance", params=("Force", "TerminateSubscription", "DryRun"))
def delete_instance(ctx: Context) -> Dict[str, Any]:
    """A subscription is released only once expired, and only with TerminateSubscription=true
    (DeleteInstance.md); otherwise its charge type forbids it (ChargeTypeViolation), checked
    first: no other state of the instance makes it deletable."""
    dry_run_flag(ctx)
    state, inst = get_instance(ctx, ctx.get("InstanceId"))
    force = ctx.get_bool("Force")
    terminate = ctx.get_bool("TerminateSubscription")
    if inst.charge_type == "PrePaid" and not (inst.expired(ctx.now) and terminate):
        raise ctx.error("ChargeTypeViolation")
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
    # An expired subscription counts as stopped: the real service stops it on expiry.
    if status != "Stopped" and not force and not inst.expired(ctx.now):
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    ctx.commit()
    release_all = inst.security_locked()
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
    for address in (inst.private_ip, inst.public_ip):
        if address and state.ip_owners.get(address) == inst.instance_id:
            del state.ip_owners[address]
    ctx.account.where.pop(inst.instance_id, None)
    return {}


def drop_disk(ctx: Context, state: RegionState, disk: Disk) -> None:
    """Release a disk: it leaves its automatic snapshot policy, its automatic snapshots go with
    it when DeleteAutoSnapshot is true (the default) [DOC21 DeleteInstance], its other finished
    snapshots stay and a progressing one is cancelled."""
    schedule.forget_disk(state, disk)
    if disk.delete_auto_snapshot:
        schedule.release_auto_snapshots(ctx.account, state, disk)
    for snap in list(disk_snapshots(state, disk.disk_id)):
        if snap.status(ctx.now) != "accomplished":
            remove_snapshot(ctx.account, state, snap)
    if disk.source_snapshot_id and disk.source_snapshot_id in state.snapshots:
        state.snapshots[disk.source_snapshot_id].disk_ids.discard(disk.disk_id)
    del state.disks[disk.disk_id]
    ctx.account.where.pop(disk.disk_id, None)


def instance_family(instance_type: str) -> str:
    """``ecs.g7.large`` -> ``ecs.g7``."""
    return ".".join(instance_type.split(".")[:2])


def io_optimized(inst: Instance) -> bool:
    """Every instance type the mock builds is I/O optimized (DescribeInstances IoOptimized)."""
    return True


def device_available(ctx: Context, inst: Instance) -> bool:
    """Whether another data disk can be attached (below ``max_disks_per_instance``)."""
    return len(inst.disk_ids) < ctx.settings.max_disks_per_instance


_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _derived_id(prefix: str, digest: bytes, region_id: str, length: int) -> str:
    """``prefix-`` + the region's ID prefix + characters from ``digest``, ``length`` after the dash:
    the ID of a resource the mock does not keep, stable for what it is derived from."""
    head = regions.id_prefix(region_id)
    return f"{prefix}-{head}" + "".join(_ID_ALPHABET[b % 36] for b in digest[:length - len(head)])


@lru_cache(maxsize=4096)
def _eni(instance_id: str, region_id: str) -> Tuple[str, str]:
    """(NetworkInterfaceId, MacAddress) of the primary ENI, derived from the instance ID (cached:
    a page of DescribeInstances asks for up to 100 of them)."""
    digest = hashlib.sha256(f"eni|{instance_id}".encode()).digest()
    mac = ":".join(["00", "16", "3e", *(f"{b:02x}" for b in digest[20:23])])
    return _derived_id("eni", digest, region_id, 20), mac


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


_GPU_SPECS = {"gn6v": "NVIDIA V100", "gn6e": "NVIDIA V100", "gn6i": "NVIDIA T4", "gn7i": "NVIDIA A10",
              "gn7": "NVIDIA A100", "gn5": "NVIDIA P100", "gn5i": "NVIDIA P4"}


@lru_cache(maxsize=256)
def type_facts(instance_type: str) -> Tuple[int, int, int, int, str, str]:
    """What an instance's type name tells: (Cpu, Memory MiB, ThreadsPerCore, GPUAmount, GPUSpec,
    CreditSpecification). GPU families (gn6i-c4g1: 4 vCPUs per GPU) and burstable ones (t5, t6:
    Standard credits) are recognised by name; every other type has neither."""
    cpu, memory = _shape(instance_type)
    parts = instance_type.split(".")
    family = parts[1] if len(parts) > 2 else ""
    base = family.split("-")[0]
    base = base[3:] if base.startswith("ebm") else base
    spec = _GPU_SPECS.get(base, "")
    gpus = 0
    if spec:
        per_gpu = re.search(r"-c(\d+)g1$", family)
        gpus = max(1, cpu // int(per_gpu.group(1))) if per_gpu and int(per_gpu.group(1)) else 1
    credit = "Standard" if base in ("t5", "t6") else ""
    return cpu, memory, 1 if cpu == 1 else 2, gpus, spec, credit


def vpc_of(vswitch_id: str, region_id: str) -> str:
    """The VPC a vSwitch belongs to: the mock has no VPCs, so a stable ID derived from the vSwitch's."""
    if not vswitch_id:
        return ""
    return _derived_id("vpc", hashlib.sha256(f"vpc|{vswitch_id}".encode()).digest(), region_id, 21)


# Keys in the real service's order (Java HashMap order at capacity 128, see keyorder.py): EipAddress
# before PublicIpAddress, which footmark's parser needs. Fields only the cloud fills show the
# documented default or an empty value (docs/response-fields.md).
def instance_view(ctx: Context, inst: Instance, extras: FrozenSet[str] = frozenset(),
                  sale_cycle: bool = False) -> Dict[str, Any]:
    """DescribeInstances' item. ``extras``: AdditionalAttributes; ``sale_cycle``: NeedSaleCycle."""
    now = ctx.now
    state = ctx.account.region(inst.region_id)
    cpu, memory, threads, gpus, gpu_spec, credit = type_facts(inst.instance_type)
    status = inst.status(now)
    if inst.os_name:
        os_name, os_kind = inst.os_name, inst.os_type
    else:
        os_name, os_kind, _ = image_os(state, inst.image_id)
    local = [disk.size for d in inst.disk_ids if (disk := state.disks.get(d)) is not None and disk.is_local]
    private = [inst.private_ip] if inst.private_ip else []
    eni_id, mac = _eni(inst.instance_id, inst.region_id)
    eni: Dict[str, Any]
    if "NETWORK_PRIMARY_ENI_IP" in extras:
        # The addresses of the primary ENI: shown only on request (DescribeInstances.md).
        eni = {
            "Type": "Primary", "Ipv6Sets": {"Ipv6Set": []}, "Ipv6PrefixSets": {"Ipv6PrefixSet": []},
            "PrimaryIpAddress": inst.private_ip, "MacAddress": mac, "NetworkInterfaceId": eni_id,
            "Ipv4PrefixSets": {"Ipv4PrefixSet": []},
            "PrivateIpSets": {"PrivateIpSet": [
                # No private DNS name: the IP-based DNS records are off (PrivateDnsNameOptions).
                {"PrivateDnsName": "", "PrivateIpAddress": inst.private_ip, "Primary": True}] if private else []},
        }
    else:
        eni = {"Type": "Primary", "PrimaryIpAddress": inst.private_ip, "MacAddress": mac, "NetworkInterfaceId": eni_id}
    view: Dict[str, Any] = {
        "ResourceGroupId": inst.resource_group_id,
        "Memory": memory,
        "InstanceChargeType": inst.charge_type,
        "Cpu": cpu,
        "OSName": os_name,
        "InstanceNetworkType": "vpc",
        "InnerIpAddress": {"IpAddress": []},
        "ExpiredTime": iso_minutes(inst.expired_at),
        "ImageId": inst.image_id,
        "EipAddress": {"Bandwidth": 0, "AllocationId": "", "IpAddress": "", "IsSupportUnassociate": False,
                       "InternetChargeType": ""},
        "ImageOptions": {"CurrentOSNVMeSupported": os_name in NVME_OS_NAMES, "LoginAsNonRoot": False},
        "HostName": inst.host_name,
        "Tags": tags_view(inst.tags),
        "VlanId": "",
        "Status": status,
        "HibernationOptions": {"Configured": False},
        "AdditionalInfo": {"ManagedHostId": "", "NodeSerialNumber": "", "EnableHighDensityMode": False},
        "MetadataOptions": {
            "HttpPutResponseHopLimit": inst.http_put_response_hop_limit, "HttpTokens": inst.http_tokens,
            "InstanceMetadataTags": "disabled", "HttpEndpoint": inst.http_endpoint,
        },
        "InstanceId": inst.instance_id,
        "StoppedMode": "KeepCharging" if status == "Stopped" else "Not-applicable",
        "CpuOptions": {
            "TopologyType": "", "TurboMode": "", "EnableVISST": False, "EnableVRDT": False,
            "ThreadsPerCore": threads, "Numa": "", "CoreCount": cpu // threads, "NestedVirtualization": "",
        },
        "StartTime": iso_minutes(inst.first_started_at) if inst.first_started_at is not None else "",
        "PrivateDnsNameOptions": {
            "EnableInstanceIdDnsARecord": False, "HostnameType": "Custom", "EnableIpDnsPtrRecord": False,
            "EnableIpDnsARecord": False, "EnableInstanceIdDnsAAAARecord": False,
        },
        "DeletionProtection": inst.deletion_protection,
        "SecurityGroupIds": {"SecurityGroupId": list(inst.security_group_ids)},
        "VpcAttributes": {
            "PrivateIpAddress": {"IpAddress": private}, "VpcId": inst.vpc_id, "VSwitchId": inst.vswitch_id,
            "NatIpAddress": "",
        },
        "InternetChargeType": inst.internet_charge_type,
        "InstanceName": inst.instance_name,
        "DeploymentSetId": "",
        "SpotInterruptionBehavior": "Terminate",
        "InternetMaxBandwidthOut": inst.internet_max_bandwidth_out,
        "SerialNumber": inst.instance_id[2:],
        "OSType": os_kind,
        "CreationTime": iso_minutes(inst.created_at),
        "SecurityOptions": {"EnableSecureBoot": False},
        "AutoReleaseTime": "",
        "Description": inst.description,
        "EnableNVS": False,
        "LocalStorageCapacity": sum(local),
        "InstanceTypeFamily": instance_family(inst.instance_type),
        "DedicatedInstanceAttribute": {"Tenancy": "", "Affinity": ""},  # as real answers show it
        "SpotDuration": 0,
        "LocalStorageAmount": len(local),
        "PublicIpAddress": {"IpAddress": [inst.public_ip] if inst.public_ip else []},
        "GPUSpec": gpu_spec,
        "NetworkInterfaces": {"NetworkInterface": [eni]},
        "SpotPriceLimit": 0.0,
        "DeviceAvailable": device_available(ctx, inst),
        "SaleCycle": inst.sale_cycle,
        "InstanceType": inst.instance_type,
        "SpotStrategy": "NoSpot",
        "OSNameEn": os_name,
        "KeyPairName": inst.key_pair_name,
        "IoOptimized": io_optimized(inst),
        "ZoneId": inst.zone_id,
        "ClusterId": "",
        "HpcClusterId": "",
        "ISP": "",
        "DeploymentSetGroupNo": 0,
        "EcsCapacityReservationAttr": {"CapacityReservationPreference": "", "CapacityReservationId": ""},
        "DedicatedHostAttribute": {"DedicatedHostId": "", "DedicatedHostName": "", "DedicatedHostClusterId": ""},
        "GPUAmount": gpus,
        "OperationLocks": {
            "LockReason": [
                {"LockReason": reason, "LockMsg": msg or LOCK_MESSAGES.get(reason, "")}
                for reason, msg in inst.locks
            ]
        },
        "RdmaIpAddress": {"IpAddress": []},
        "InternetMaxBandwidthIn": inst.internet_max_bandwidth_in,
        "ClockOptions": {"PtpStatus": "disabled"},
        "Recyclable": False,
        "RegionId": inst.region_id,
        "CreditSpecification": credit,
    }
    if not sale_cycle:
        del view["SaleCycle"]  # NeedSaleCycle only (deleting keeps the order of the rest)
    return view


# --- DescribeInstances ----------------------------------------------------------------------
def ip_filter(ctx: Context, name: str, version: int = 4) -> Optional[List[str]]:
    """An IP address list: a JSON array of up to 100 (a bare address, or several separated by
    commas, is read the same way); None when absent, ``[]`` matches nothing."""
    raw = ctx.get(name).strip()
    if not raw:
        return None
    if raw.startswith("["):
        values = parse_id_list(name, raw)
    else:
        values = [v.strip() for v in raw.split(",")]
    if len(values) > 100:
        raise errors.invalid_parameter(name)
    for value in values:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise errors.invalid_parameter(name) from None
        if address.version != version:
            raise errors.invalid_parameter(name)
    return values


def _name_check(pattern: str) -> filters.Check:
    """InstanceName: "Fuzzy search with asterisk (*) wildcard characters is supported"."""
    if "*" not in pattern:
        return filters.equals("instance_name", pattern)
    rx = re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$", re.S)
    return lambda inst: rx.match(inst.instance_name) is not None


@action(
    "DescribeInstances", strict=True,
    params=(
        "InstanceIds", "Status", "ZoneId", "ImageId", "InstanceType", "InstanceTypeFamily", "InstanceChargeType",
        "InternetChargeType", "InstanceNetworkType", "IoOptimized", "VSwitchId", "VpcId", "SecurityGroupId",
        "KeyPairName", "InstanceName", "ResourceGroupId", "Tag", "LockReason", "HpcClusterId", "DeviceAvailable",
        "NeedSaleCycle", "HttpEndpoint", "HttpTokens", "HttpPutResponseHopLimit", "PrivateIpAddresses",
        "PublicIpAddresses", "InnerIpAddresses", "EipAddresses", "RdmaIpAddresses", "Ipv6Address",
        "AdditionalAttributes", "Filter.1.Key", "Filter.1.Value", "Filter.2.Key", "Filter.2.Value", "Filter.3.Key",
        "Filter.3.Value", "Filter.4.Key", "Filter.4.Value", "PageNumber", "PageSize", "NextToken", "MaxResults",
        "DryRun",
    ),
)
def describe_instances(ctx: Context) -> Dict[str, Any]:
    """Every filter of the metadata, ANDed; validated in parameter order before any paging."""
    dry_run_flag(ctx)
    state = ctx.region()
    now = ctx.now
    wanted = id_filter(ctx, "InstanceIds")
    checks: List[filters.Check] = []
    status = choice(ctx, "Status", INSTANCE_STATUSES, "InvalidStatus.NotFound")
    if status:
        checks.append(filters.status_is(status, now))
    lock = choice(ctx, "LockReason", INSTANCE_LOCK_REASONS, "InvalidLockReason.NotFound")
    if lock:
        checks.append(lambda inst: lock in inst.lock_reasons())
    charge = choice(ctx, "InstanceChargeType", ("PostPaid", "PrePaid"), "InvalidInstanceChargeType.NotFound")
    if charge:
        checks.append(filters.equals("charge_type", charge))
    internet = choice(ctx, "InternetChargeType", INTERNET_CHARGE_TYPES, "InvalidInternetChargeType.ValueNotSupported")
    if internet:
        checks.append(filters.equals("internet_charge_type", internet))
    if choice(ctx, "InstanceNetworkType", ("classic", "vpc"), "InvalidNetworkType.NotFound") == "classic":
        checks.append(filters.nothing)  # every instance of the mock is in a VPC
    if ctx.get("HpcClusterId"):
        # The mock has no HPC clusters: every ID names one that does not exist (documented error).
        raise ctx.error("InvalidHpcClusterId.NotFound")
    endpoint = choice(ctx, "HttpEndpoint", ("enabled", "disabled"), None)
    if endpoint:
        checks.append(filters.equals("http_endpoint", endpoint))
    tokens = choice(ctx, "HttpTokens", ("optional", "required"), None)
    if tokens:
        checks.append(filters.equals("http_tokens", tokens))
    hops = ctx.get_int("HttpPutResponseHopLimit", None, lo=1, hi=64)
    if hops is not None:
        checks.append(filters.equals("http_put_response_hop_limit", hops))
    for param, attr in (("ZoneId", "zone_id"), ("ImageId", "image_id"), ("InstanceType", "instance_type"),
                        ("VSwitchId", "vswitch_id"), ("VpcId", "vpc_id"), ("KeyPairName", "key_pair_name")):
        if ctx.get(param):
            checks.append(filters.equals(attr, ctx.get(param)))
    family = ctx.get("InstanceTypeFamily")
    if family:
        checks.append(lambda inst: instance_family(inst.instance_type) == family)
    if ctx.get("InstanceName"):
        checks.append(_name_check(ctx.get("InstanceName")))
    group = ctx.get("SecurityGroupId")
    if group:
        checks.append(lambda inst: group in inst.security_group_ids)
    checks += flag_checks(ctx, {"IoOptimized": io_optimized,
                                "DeviceAvailable": lambda inst: device_available(ctx, inst)})
    sale_cycle = ctx.get_bool("NeedSaleCycle")
    for check in (resource_group_check(ctx), tag_check(ctx)):
        if check is not None:
            checks.append(check)
    checks += time_checks(
        ctx, {"CreationStartTime": ("created_at", False), "CreationEndTime": ("created_at", True),
              "ExpiredStartTime": ("expired_at", False), "ExpiredEndTime": ("expired_at", True)},
        4, lambda n, field: ctx.error("InvalidFilterKey.NotFound"),
    )
    private, public = ip_filter(ctx, "PrivateIpAddresses"), ip_filter(ctx, "PublicIpAddresses")
    if private is not None:
        checks.append(filters.one_of("private_ip", set(private)))
    if public is not None:
        checks.append(filters.one_of("public_ip", set(public)))
    # Classic-network inner IPs, EIPs, RDMA and IPv6 addresses: the mock assigns none of them.
    unassigned = [ip_filter(ctx, "InnerIpAddresses"), ip_filter(ctx, "EipAddresses"),
                  ip_filter(ctx, "RdmaIpAddresses")]
    for n, value in repeat_values(ctx, "Ipv6Address").items():
        try:
            if ipaddress.ip_address(value).version != 6:
                raise ValueError(value)
        except ValueError:
            raise errors.invalid_parameter(f"Ipv6Address.{n}") from None
        unassigned.append([value])
    if any(values is not None for values in unassigned):
        checks.append(filters.nothing)
    extras = repeat_values(ctx, "AdditionalAttributes", limit=20)
    for n, value in extras.items():
        if value not in ADDITIONAL_ATTRIBUTES:
            raise errors.invalid_parameter(f"AdditionalAttributes.{n}")

    # Candidates from the narrowest index; the filters above check every one of them.
    items: Optional[List[Instance]] = None
    if wanted is not None:
        items = [inst for i in dict.fromkeys(wanted) if (inst := state.instances.get(i)) is not None]
    elif private is not None or public is not None:
        addresses = private if private is not None else public or []
        owners = dict.fromkeys(owner for ip in addresses if (owner := state.ip_owners.get(ip)))
        items = [inst for i in owners if (inst := state.instances.get(i)) is not None]
    page, meta = paginate(ctx, paging.INSTANCES, table=None if items is not None else state.instances,
                          items=items, keep=filters.combine(checks))
    ctx.commit()  # after paging too: a bad NextToken or PageSize fails a dry run as well
    shown = frozenset(extras.values())
    body: Dict[str, Any] = {"Instances": {"Instance": [instance_view(ctx, i, shown, sale_cycle) for i in page]},
                            "TotalCount": meta["TotalCount"], "NextToken": meta["NextToken"],
                            "PageSize": meta["PageSize"], "RequestId": ""}
    if "PageNumber" in meta:  # not in the NextToken style (MaxResults)
        body["PageNumber"] = meta["PageNumber"]
    return body

