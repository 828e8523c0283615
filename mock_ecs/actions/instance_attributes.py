"""DescribeUserData, DescribeInstanceAttribute, DescribeInstanceStatus, ModifyInstanceAttribute,
RebootInstance: what the tools (Ansible's ali_instance, footmark) read and change on an instance
besides its life cycle (instances.py).

The reference holds no error table for these actions (only their metadata): they answer the
codes RunInstances/CreateInstance and StartInstance/StopInstance document for the same checks,
with those texts. The answers are written in Java HashMap order (keyorder.py), as the real
service writes them.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from .. import filters, validate
from ..clock import iso_minutes
from ..context import Context
from ..errors import EcsError
from ..keyorder import ordered
from ..models import Instance
from ..paging import Limits, paginate
from ..registry import action
from .common import check_unlocked, dry_run_flag, get_instance, optional_flag, repeat_values
from .instances import instance_name, io_optimized, read_user_data, type_facts

# DescribeInstanceStatus: PageSize 1 to 50, default 10 (metadata).
STATUS_PAGING = Limits(None, page_size_max=50)
# Password: 8 to 30 characters, three of upper, lower, digits and these (RunInstances.md).
PASSWORD_SPECIALS = frozenset("()`~!@#$%^&*-_+=|{}[]:;'<>,.?/")
_HOST_LABEL = re.compile(r"^[A-Za-z0-9.-]+$")


def _bad(name: str) -> EcsError:
    """The ``Invalid<Name>.Malformed`` of RunInstances.md: 400, 'The specified parameter "<Name>" is not valid.'"""
    return EcsError(f"Invalid{name}.Malformed", f'The specified parameter "{name}" is not valid.', 400)


def check_host_name(host: str, windows: bool) -> None:
    """RunInstances.md's rules: no leading/trailing or doubled period or hyphen; Windows 2-15
    characters without periods and not digits only, others 2-64."""
    bad = (
        not _HOST_LABEL.match(host) or host[0] in ".-" or host[-1] in ".-" or ".." in host or "--" in host
        or ".-" in host or "-." in host
    )
    if windows:
        bad = bad or not 2 <= len(host) <= 15 or "." in host or host.isdigit()
    else:
        bad = bad or not 2 <= len(host) <= 64
    if bad:
        raise _bad("HostName")


def check_password(password: str, windows: bool) -> None:
    kinds = (
        any(c.isascii() and c.isupper() for c in password), any(c.isascii() and c.islower() for c in password),
        any(c.isascii() and c.isdigit() for c in password), any(c in PASSWORD_SPECIALS for c in password),
    )
    allowed = all(c.isascii() and (c.isalnum() or c in PASSWORD_SPECIALS) for c in password)
    if not (8 <= len(password) <= 30 and allowed and sum(kinds) >= 3) or (windows and password.startswith("/")):
        raise _bad("Password")


@action("DescribeUserData", params=("InstanceId",))
def describe_user_data(ctx: Context) -> Dict[str, Any]:
    """The UserData given at creation (or by ModifyInstanceAttribute), Base64 as given; "" when none."""
    _, inst = get_instance(ctx, ctx.get("InstanceId"))
    return ordered({"RequestId": "", "RegionId": inst.region_id, "InstanceId": inst.instance_id,
                         "UserData": inst.user_data})


@action("DescribeInstanceStatus", params=("InstanceId", "ZoneId", "ClusterId", "PageNumber", "PageSize"))
def describe_instance_status(ctx: Context) -> Dict[str, Any]:
    """Every instance of the region (or the ``InstanceId.N`` named, up to 100), newest first."""
    state = ctx.region()
    checks: List[filters.Check] = []
    wanted = set(repeat_values(ctx, "InstanceId").values())
    if wanted:
        checks.append(filters.one_of("instance_id", wanted))
    if ctx.get("ZoneId"):
        checks.append(filters.equals("zone_id", ctx.get("ZoneId")))
    if ctx.get("ClusterId"):
        checks.append(filters.nothing)  # the mock's instances belong to no cluster
    page, meta = paginate(ctx, STATUS_PAGING, table=state.instances,
                          keep=filters.combine(checks))
    now = ctx.now
    statuses = [{"InstanceId": i.instance_id, "Status": i.status(now)} for i in page]
    return ordered({**meta, "InstanceStatuses": {"InstanceStatus": statuses}})


def attribute_view(ctx: Context, inst: Instance) -> Dict[str, Any]:
    cpu, memory, *_, credit = type_facts(inst.instance_type)
    status = inst.status(ctx.now)
    return ordered({
        "RequestId": "", "InstanceId": inst.instance_id, "InstanceName": inst.instance_name,
        "Description": inst.description, "ImageId": inst.image_id, "RegionId": inst.region_id,
        "ZoneId": inst.zone_id, "Cpu": cpu, "Memory": memory, "InstanceType": inst.instance_type,
        "HostName": inst.host_name, "Status": status, "SerialNumber": inst.instance_id[2:],
        "CreationTime": iso_minutes(inst.created_at), "ExpiredTime": iso_minutes(inst.expired_at),
        "InstanceChargeType": inst.charge_type, "InternetChargeType": inst.internet_charge_type,
        "InternetMaxBandwidthIn": inst.internet_max_bandwidth_in,
        "InternetMaxBandwidthOut": inst.internet_max_bandwidth_out,
        "InstanceNetworkType": "vpc", "IoOptimized": "optimized" if io_optimized(inst) else "none",
        "StoppedMode": "KeepCharging" if status == "Stopped" else "Not-applicable",
        "CreditSpecification": credit, "VlanId": "", "ClusterId": "",
        "EnableJumboFrame": False, "EnableNetworkEncryption": False,
        "NetworkOptions": {"BandwidthWeighting": "", "EnableJumboFrame": False, "EnableNetworkEncryption": False},
        "SecurityOptions": {"EnableSecureBoot": False},
        "InnerIpAddress": {"IpAddress": []},
        "PublicIpAddress": {"IpAddress": [inst.public_ip] if inst.public_ip else []},
        "EipAddress": {"AllocationId": "", "Bandwidth": 0, "InternetChargeType": "", "IpAddress": ""},
        "VpcAttributes": {
            "PrivateIpAddress": {"IpAddress": [inst.private_ip] if inst.private_ip else []},
            "VpcId": inst.vpc_id, "VSwitchId": inst.vswitch_id, "NatIpAddress": "",
        },
        "SecurityGroupIds": {"SecurityGroupId": list(inst.security_group_ids)},
        "DedicatedHostAttribute": {"DedicatedHostId": "", "DedicatedHostName": ""},
        "OperationLocks": {"LockReason": [{"LockReason": reason} for reason in inst.lock_reasons()]},
    })


@action("DescribeInstanceAttribute", params=("InstanceId",))
def describe_instance_attribute(ctx: Context) -> Dict[str, Any]:
    _, inst = get_instance(ctx, ctx.get("InstanceId"))
    return attribute_view(ctx, inst)


@action("ModifyInstanceAttribute", params=(
    "InstanceId", "InstanceName", "Description", "HostName", "Password", "UserData", "DeletionProtection",
))
def modify_instance_attribute(ctx: Context) -> Dict[str, Any]:
    """Every given attribute is checked before any changes. The password is checked and dropped:
    no answer ever shows it. UserData changes only on a stopped instance (the real service
    refuses it otherwise)."""
    _, inst = get_instance(ctx, ctx.get("InstanceId"))
    if inst.security_locked():
        raise ctx.error("InstanceLockedForSecurity.Instance")
    windows = inst.os_type == "windows"
    name = instance_name(ctx)
    description = validate.optional_description(ctx)
    host = ctx.get("HostName")
    if host:
        check_host_name(host, windows)
    password = ctx.get("Password")
    if password:
        check_password(password, windows)
    user_data = read_user_data(ctx)
    if ctx.get("UserData") and inst.status(ctx.now) != "Stopped":
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    protection = optional_flag(ctx, "DeletionProtection")
    ctx.commit()
    if name:
        inst.instance_name = name
    if description:
        inst.description = description
    if host:
        inst.host_name = host
    if user_data:
        inst.user_data = user_data
    if protection is not None:
        inst.deletion_protection = protection
    return {}


@action("RebootInstance", params=("ForceStop", "DryRun"))
def reboot_instance(ctx: Context) -> Dict[str, Any]:
    """Checks as StopInstance does (exists, no security lock, not in arrears, Running); then
    Starting for ``instance_transition_seconds`` and Running again. ``ForceStop`` changes how the
    real guest is stopped, which the mock does not model."""
    dry_run_flag(ctx)
    _, inst = get_instance(ctx, ctx.get("InstanceId"))
    ctx.get_bool("ForceStop")
    check_unlocked(ctx, inst)
    if inst.status(ctx.now) != "Running":
        raise ctx.error("StartInstance.IncorrectInstanceStatus")
    ctx.commit()
    inst.phase.move("Starting", "Running", ctx.now, ctx.settings.instance_transition_seconds)
    return {}
