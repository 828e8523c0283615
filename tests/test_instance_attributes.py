"""DescribeUserData, DescribeInstanceAttribute, DescribeInstanceStatus, ModifyInstanceAttribute and
RebootInstance through aliyunsdkcore and the Tea SDK, in-process and against the server: what
the tools read (Ansible's ali_instance asks DescribeUserData on every run), exact codes,
statuses and texts, DryRun, and the reboot on the mock's clock.
"""

from __future__ import annotations

import base64
from typing import Any, Dict, Iterator, List

import pytest

from conftest import REGION, Driver, create_instance, expect_error, invalid_parameter, run_instance
from mock_ecs import MockEcs

NOT_FOUND = ("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
STATUS = ("IncorrectInstanceStatus", "The current status of the resource does not support this operation.", 403)
LOCKED = ("InstanceLockedForSecurity",
          "The specified operation is denied as your instance is locked for security reasons.", 403)
ARREARS = ("InstanceExpiredOrInArrears", "The specified operation is denied as your prepay instance is expired "
           "(prepay mode) or in arrears (afterpay mode).", 403)
DRY = ("DryRunOperation", "Request validation has been passed with DryRun flag set.", 400)
NO_SUCH = "i-bp1abcdefghijklmnopq"
SCRIPT = base64.b64encode(b"#!/bin/sh\necho hello ecs\n").decode()


@pytest.fixture
def slow(ecs: MockEcs) -> Iterator[MockEcs]:
    """A mock whose instances take time to boot and to change state (the default takes none)."""
    with MockEcs(instance_start_seconds=30, instance_transition_seconds=20) as mock:
        yield mock


def malformed(name: str) -> tuple:
    return f"Invalid{name}.Malformed", invalid_parameter(name), 400


def as_list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


def statuses(client: Driver, **params: Any) -> Dict[str, str]:
    out = client.call("DescribeInstanceStatus", RegionId=REGION, **params)
    items = out["InstanceStatuses"]["InstanceStatus"]
    return {s["InstanceId"]: s["Status"] for s in as_list(items)}


# --- DescribeUserData ----------------------------------------------------------------------
def test_user_data_given_at_creation_is_answered_as_given(client, ecs):
    run = run_instance(client, UserData=SCRIPT)
    made = create_instance(client, UserData=SCRIPT)
    plain = run_instance(client)
    for inst in (run, made):
        out = client.call("DescribeUserData", RegionId=REGION, InstanceId=inst)
        assert (out["InstanceId"], out["RegionId"], out["UserData"]) == (inst, REGION, SCRIPT)
        assert out["RequestId"]
    assert client.call("DescribeUserData", RegionId=REGION, InstanceId=plain)["UserData"] == ""


def test_user_data_at_creation_is_checked(client, ecs):
    expect_error(lambda: run_instance(client, UserData="not base64!"), "InvalidParameter",
                 invalid_parameter("UserData"), 400)
    big = base64.b64encode(b"x" * (32 * 1024 + 1)).decode()
    for make in (run_instance, create_instance):
        expect_error(lambda make=make: make(client, UserData=big), "InvalidUserData.SizeExceeded",
                     'The specified parameter "UserData" exceeds the size.', 400)
    assert ecs.ids("instances") == []
    run_instance(client, UserData=base64.b64encode(b"x" * 32 * 1024).decode())  # the limit itself


def test_describe_user_data_of_an_unknown_instance(client, ecs):
    expect_error(lambda: client.call("DescribeUserData", RegionId=REGION, InstanceId=NO_SUCH), *NOT_FOUND)
    expect_error(lambda: client.call("DescribeUserData", RegionId=REGION), "MissingInstanceId",
                 "InstanceId is mandatory for this action.", 400)


# --- DescribeInstanceStatus ----------------------------------------------------------------
def test_instance_status_follows_the_clock_and_pages(client, slow):
    running = run_instance(client)
    stopped = create_instance(client)
    assert statuses(client) == {running: "Pending", stopped: "Stopped"}
    slow.advance_clock(slow.settings.instance_start_seconds)
    assert statuses(client) == {running: "Running", stopped: "Stopped"}
    assert statuses(client, **{"InstanceId.1": stopped}) == {stopped: "Stopped"}
    assert statuses(client, ZoneId="cn-hangzhou-nowhere") == {}
    page = client.call("DescribeInstanceStatus", RegionId=REGION, PageSize=1, PageNumber=2)
    assert (page["TotalCount"], page["PageSize"], page["PageNumber"]) == (2, 1, 2)
    assert [s["InstanceId"] for s in as_list(page["InstanceStatuses"]["InstanceStatus"])] == [running]
    expect_error(lambda: client.call("DescribeInstanceStatus", RegionId=REGION, PageSize=51),
                 "InvalidPageSize.Malformed")


# --- DescribeInstanceAttribute -------------------------------------------------------------
def test_instance_attribute(client, ecs):
    inst = run_instance(client, InstanceName="web-1", Description="front", HostName="web-host",
                        InternetMaxBandwidthOut=5)
    ecs.advance_clock(ecs.settings.instance_start_seconds)
    out = client.call("DescribeInstanceAttribute", InstanceId=inst)
    shown = ecs.instance(inst)
    assert out["InstanceId"] == inst and out["Status"] == "Running"
    for key in ("InstanceName", "Description", "HostName", "ImageId", "InstanceType", "ZoneId", "RegionId",
                "Cpu", "Memory", "CreationTime", "ExpiredTime", "InstanceChargeType", "InternetChargeType"):
        assert out[key] == shown[key], key
    assert out["IoOptimized"] == "optimized" and out["InstanceNetworkType"] == "vpc"
    assert out["PublicIpAddress"]["IpAddress"] == shown["PublicIpAddress"]["IpAddress"] != []
    assert out["OperationLocks"]["LockReason"] == []
    ecs.lock_instance(inst, "security")
    locks = client.call("DescribeInstanceAttribute", InstanceId=inst)["OperationLocks"]["LockReason"]
    assert as_list(locks) == [{"LockReason": "security"}]
    expect_error(lambda: client.call("DescribeInstanceAttribute", InstanceId=NO_SUCH), *NOT_FOUND)


# --- ModifyInstanceAttribute ---------------------------------------------------------------
def test_modify_renames_and_never_echoes_the_password(client, ecs):
    inst = run_instance(client)
    client.call("ModifyInstanceAttribute", InstanceId=inst, InstanceName="renamed-1", Description="new",
                HostName="new-host", Password="Secret-Pass123", DeletionProtection=True)
    out = client.call("DescribeInstanceAttribute", InstanceId=inst)
    assert (out["InstanceName"], out["Description"], out["HostName"]) == ("renamed-1", "new", "new-host")
    assert ecs.instance(inst)["DeletionProtection"] is True
    for body in [ecs.instance(inst), out, client.call("DescribeInstances", RegionId=REGION)]:
        assert "Secret-Pass123" not in repr(body)
    assert all("Secret-Pass123" not in repr(c.params) or c.action == "ModifyInstanceAttribute" for c in ecs.calls)


def test_modify_checks_every_value_before_changing_any(client, ecs):
    inst = run_instance(client, InstanceName="keep-me")
    for params, err in (
        ({"InstanceName": "1-starts-with-a-digit"}, malformed("InstanceName")),
        ({"HostName": "-bad-host"}, malformed("HostName")),
        ({"HostName": "a..b"}, malformed("HostName")),
        ({"Password": "short1A"}, malformed("Password")),
        ({"Password": "alllowercaseletters"}, malformed("Password")),
        ({"UserData": "%%%"}, ("InvalidParameter", invalid_parameter("UserData"), 400)),
    ):
        # A valid new name beside the bad value: nothing changes.
        request = {"InstanceName": "other-name", **params}
        expect_error(lambda r=request: client.call("ModifyInstanceAttribute", InstanceId=inst, **r), *err)
    assert ecs.instance(inst)["InstanceName"] == "keep-me"
    expect_error(lambda: client.call("ModifyInstanceAttribute", InstanceId=NO_SUCH, InstanceName="x-1"), *NOT_FOUND)


def test_user_data_changes_only_when_stopped(client, slow):
    inst = run_instance(client)
    slow.advance_clock(slow.settings.instance_start_seconds)
    expect_error(lambda: client.call("ModifyInstanceAttribute", InstanceId=inst, UserData=SCRIPT), *STATUS)
    assert client.call("DescribeUserData", RegionId=REGION, InstanceId=inst)["UserData"] == ""
    client.call("StopInstance", InstanceId=inst)
    slow.advance_clock(slow.settings.instance_transition_seconds)
    client.call("ModifyInstanceAttribute", InstanceId=inst, UserData=SCRIPT)
    assert client.call("DescribeUserData", RegionId=REGION, InstanceId=inst)["UserData"] == SCRIPT


def test_modify_is_refused_under_a_security_lock(client, ecs):
    inst = run_instance(client)
    ecs.lock_instance(inst, "security")
    expect_error(lambda: client.call("ModifyInstanceAttribute", InstanceId=inst, InstanceName="other-1"), *LOCKED)


# --- RebootInstance ------------------------------------------------------------------------
def test_reboot_goes_through_starting_on_the_clock(client, slow):
    inst = run_instance(client)
    slow.advance_clock(slow.settings.instance_start_seconds)
    client.call("RebootInstance", InstanceId=inst, ForceStop=True)
    assert statuses(client)[inst] == "Starting"
    slow.advance_clock(slow.settings.instance_transition_seconds - 1)
    assert statuses(client)[inst] == "Starting"
    slow.advance_clock(1)
    assert statuses(client)[inst] == "Running"
    assert slow.instance(inst)["Status"] == "Running"


def test_reboot_refusals(client, slow):
    stopped = create_instance(client)
    expect_error(lambda: client.call("RebootInstance", InstanceId=stopped), *STATUS)
    pending = run_instance(client)
    expect_error(lambda: client.call("RebootInstance", InstanceId=pending), *STATUS)
    slow.advance_clock(slow.settings.instance_start_seconds)
    slow.lock_instance(pending, "financial")
    expect_error(lambda: client.call("RebootInstance", InstanceId=pending), *ARREARS)
    slow.lock_instance(pending, "security")
    expect_error(lambda: client.call("RebootInstance", InstanceId=pending), *LOCKED)
    expect_error(lambda: client.call("RebootInstance", InstanceId=NO_SUCH), *NOT_FOUND)
    expect_error(lambda: client.call("RebootInstance", InstanceId=stopped, ForceStop="maybe"), "InvalidParameter",
                 invalid_parameter("ForceStop"), 400)


def test_reboot_dry_run_changes_nothing(client, slow):
    inst = run_instance(client)
    slow.advance_clock(slow.settings.instance_start_seconds)
    expect_error(lambda: client.call("RebootInstance", InstanceId=inst, DryRun=True), *DRY)
    assert statuses(client)[inst] == "Running"
    stopped = create_instance(client)
    expect_error(lambda: client.call("RebootInstance", InstanceId=stopped, DryRun=True), *STATUS)
    client.call("RebootInstance", InstanceId=inst, DryRun=False)
    assert statuses(client)[inst] == "Starting"
