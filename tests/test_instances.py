"""Instances: RunInstances, CreateInstance, StartInstance, StopInstance, DeleteInstance, DescribeInstances.

Texts come from shared/reference/ecs-api/actions/<Action>.md and FACTS.md; the state machine
from shared/spec/decisions.md ("Instances").
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest
from freezegun import freeze_time

from conftest import (
    IMAGE,
    REGION,
    Driver,
    accomplished_snapshot,
    create_instance,
    expect_error,
    run_instance,
    snapshots_of,
)
from mock_ecs import MockEcs
from mock_ecs.actions.instances import VCPU_HOUR_PRICE

INSTANCE_ID = re.compile(r"^i-bp1[a-z0-9]{17}$")
STATUS_MSG = "The current status of the resource does not support this operation."
NEVER_EXPIRES = "2099-12-31T15:59Z"


# --- helpers ------------------------------------------------------------------------------
def run_many(client: Driver, **extra: Any) -> List[str]:
    out = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large", **extra)
    return out["InstanceIdSets"]["InstanceIdSet"]


def describe(client: Driver, **filters: Any) -> Dict[str, Any]:
    return client.call("DescribeInstances", RegionId=REGION, **filters)


def instance(client: Driver, instance_id: str) -> Dict[str, Any]:
    found = describe(client, InstanceIds=json.dumps([instance_id]))["Instances"]["Instance"]
    assert len(found) == 1, found
    return found[0]


def status(client: Driver, instance_id: str) -> str:
    return instance(client, instance_id)["Status"]


def minutes(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)


def disks(client: Driver, **filters: Any) -> List[Dict[str, Any]]:
    return client.call("DescribeDisks", RegionId=REGION, **filters)["Disks"]["Disk"]


# --- RunInstances ---------------------------------------------------------------------------
def test_run_instances_answers_an_id_set(client, ecs):
    out = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")
    assert set(out) == {"RequestId", "InstanceIdSets"}
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", out["RequestId"])
    ids = out["InstanceIdSets"]["InstanceIdSet"]
    assert isinstance(ids, list) and len(ids) == 1
    assert INSTANCE_ID.match(ids[0])
    assert ecs.ids("instances") == ids


def test_run_instances_amount_three_gives_three_distinct_ids(client, ecs):
    ids = run_many(client, Amount=3)
    assert len(ids) == 3 and len(set(ids)) == 3
    assert all(INSTANCE_ID.match(i) for i in ids), ids
    assert sorted(ecs.ids("instances")) == sorted(ids)
    assert describe(client)["TotalCount"] == 3
    # Every instance got its own system disk.
    assert len(ecs.ids("disks")) == 3


def test_run_instances_ids_carry_the_region_prefix(client, ecs):
    ids = run_many(client, Amount=5)
    for i in ids:
        assert i.startswith("i-bp1") and len(i) == 22 and i == i.lower()


def test_run_instances_creates_its_disks(client, ecs):
    instance_id = run_instance(
        client,
        **{
            "SystemDisk.Category": "cloud_essd", "SystemDisk.Size": 60, "SystemDisk.DiskName": "root-disk",
            "DataDisk.1.Size": 100, "DataDisk.1.Category": "cloud_ssd", "DataDisk.1.DeleteWithInstance": "false",
            "DataDisk.1.DiskName": "data-one",
            "DataDisk.2.Size": 200, "DataDisk.2.Category": "ephemeral_ssd",
        },
    )
    found = {d["Device"]: d for d in disks(client, InstanceId=instance_id)}
    assert sorted(found) == ["/dev/xvda", "/dev/xvdb", "/dev/xvdc"]
    sys_disk, data, local = found["/dev/xvda"], found["/dev/xvdb"], found["/dev/xvdc"]
    assert (sys_disk["Type"], sys_disk["Category"], sys_disk["Size"], sys_disk["DiskName"]) == (
        "system", "cloud_essd", 60, "root-disk")
    assert sys_disk["DeleteWithInstance"] is True and sys_disk["Portable"] is False
    assert sys_disk["ImageId"] == IMAGE
    assert (data["Type"], data["Category"], data["Size"], data["DiskName"]) == ("data", "cloud_ssd", 100, "data-one")
    assert data["DeleteWithInstance"] is False and data["Portable"] is True
    assert data["ImageId"] == ""
    assert (local["Type"], local["Category"], local["Size"]) == ("data", "ephemeral_ssd", 200)
    assert local["Portable"] is False
    for d in found.values():
        assert d["Status"] == "In_use" and d["InstanceId"] == instance_id
        assert re.fullmatch(r"d-bp1[a-z0-9]{17}", d["DiskId"])
    assert sorted(ecs.ids("disks")) == sorted(d["DiskId"] for d in found.values())


def test_run_instances_system_disk_defaults(client, ecs):
    instance_id = run_instance(client)
    (only,) = disks(client, InstanceId=instance_id)
    # Max{40, image size} GiB of cloud_efficiency, as documented.
    assert (only["Type"], only["Category"], only["Size"], only["Device"]) == ("system", "cloud_efficiency", 40,
                                                                             "/dev/xvda")
    assert only["DeleteWithInstance"] is True


@pytest.mark.parametrize("category", ["ephemeral", "ephemeral_ssd", "local_ssd_pro", "local_hdd_pro"])
def test_run_instances_accepts_local_data_disks(client, ecs, category):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 500, "DataDisk.1.Category": category})
    data = [d for d in disks(client, InstanceId=instance_id) if d["Type"] == "data"]
    assert [(d["Category"], d["Size"], d["Portable"]) for d in data] == [(category, 500, False)]


def test_run_instances_bad_data_disk_category(client, ecs):
    expect_error(
        lambda: run_instance(client, **{"DataDisk.1.Size": 50, "DataDisk.1.Category": "floppy"}),
        "InvalidDataDiskCategory.ValueNotSupported", 'The specified parameter "DataDisk.n.Category" is not valid.', 400,
    )
    assert ecs.ids("instances") == [] and ecs.ids("disks") == []


def test_run_instances_zone_defaults_to_the_regions_first_zone(client, ecs):
    instance_id = run_instance(client)
    assert instance(client, instance_id)["ZoneId"] == "cn-hangzhou-b"
    assert {d["ZoneId"] for d in disks(client, InstanceId=instance_id)} == {"cn-hangzhou-b"}


def test_run_instances_in_a_named_zone(client, ecs):
    instance_id = run_instance(client, ZoneId="cn-hangzhou-h", **{"DataDisk.1.Size": 20})
    assert instance(client, instance_id)["ZoneId"] == "cn-hangzhou-h"
    assert {d["ZoneId"] for d in disks(client, InstanceId=instance_id)} == {"cn-hangzhou-h"}


@pytest.mark.parametrize("zone", ["cn-hangzhou-z", "cn-beijing-a", "nowhere"])
def test_run_instances_bad_zone(client, ecs, zone):
    expect_error(lambda: run_instance(client, ZoneId=zone),
                 "InvalidZoneId.NotFound", "The specified zoneId does not exist.", 404)
    assert ecs.ids("instances") == []


@pytest.mark.parametrize("missing", ["ImageId", "InstanceType"])
def test_run_instances_missing_business_parameter(client, ecs, missing):
    params = {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large"}
    del params[missing]
    expect_error(
        lambda: client.call("RunInstances", **params), "MissingParameter",
        f"The input parameter {missing} that is mandatory for processing this request is not supplied.", 400,
    )
    assert ecs.ids("instances") == []


def test_create_instance_requires_instance_type_at_the_gateway(client, ecs):
    expect_error(lambda: client.call("CreateInstance", RegionId=REGION, ImageId=IMAGE),
                 "MissingInstanceType", "InstanceType is mandatory for this action.", 400)


def test_network_and_key_parameters_are_echoed(client, ecs):
    instance_id = run_instance(
        client, SecurityGroupId="sg-bp1abcdefghijklmnopq", VSwitchId="vsw-bp1abcdefghijklmnopqr",
        KeyPairName="my-key", InstanceName="web-1", HostName="web-host",
    )
    inst = instance(client, instance_id)
    assert inst["SecurityGroupIds"] == {"SecurityGroupId": ["sg-bp1abcdefghijklmnopq"]}
    assert inst["VpcAttributes"]["VSwitchId"] == "vsw-bp1abcdefghijklmnopqr"
    assert inst["KeyPairName"] == "my-key"
    assert inst["InstanceName"] == "web-1" and inst["HostName"] == "web-host"
    assert describe(client, KeyPairName="my-key")["TotalCount"] == 1
    assert describe(client, KeyPairName="other-key")["TotalCount"] == 0


def test_any_public_image_id_is_accepted(client, ecs):
    image = "centos_8_5_x64_20G_alibase_20220428.vhd"
    instance_id = run_instance(client, ImageId=image)
    assert instance(client, instance_id)["ImageId"] == image
    assert disks(client, InstanceId=instance_id)[0]["ImageId"] == image


def test_unknown_custom_image_is_refused(client, ecs):
    expect_error(lambda: run_instance(client, ImageId="m-bp1abcdefghijklmnopq"),
                 "InvalidImageId.NotFound", "The specified ImageId does not exist.", 404)
    assert ecs.ids("instances") == []


def test_custom_image_from_create_image_boots_an_instance(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    image_id = client.call("CreateImage", RegionId=REGION, SnapshotId=snap_id, ImageName="golden")["ImageId"]
    instance_id = run_instance(client, ImageId=image_id)
    assert instance(client, instance_id)["ImageId"] == image_id
    assert disks(client, InstanceId=instance_id)[0]["ImageId"] == image_id
    # Deleting the image it uses is refused (DeleteImage.md).
    expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId=image_id),
                 "ImageUsingByInstance", "The specified image has been used to create instances.", 403)


def test_postpaid_expired_time(client, ecs):
    inst = instance(client, run_instance(client))
    assert inst["InstanceChargeType"] == "PostPaid"
    assert inst["ExpiredTime"] == NEVER_EXPIRES


@pytest.mark.parametrize("period,unit,low,high", [(1, "Month", 28, 32), (3, "Month", 89, 93), (1, "Week", 7, 8)])
def test_prepaid_expired_time_is_in_the_future(client, ecs, period, unit, low, high):
    with freeze_time("2026-01-01T00:00:00Z"):
        out = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large",
                          InstanceChargeType="PrePaid", Period=period, PeriodUnit=unit)
        # "OrderId: returned only when InstanceChargeType is set to PrePaid" (RunInstances.md), and
        # TradePrice with it: the mock's rate per vCPU-hour times 2 vCPUs and the hours bought.
        assert set(out) == {"RequestId", "InstanceIdSets", "OrderId", "TradePrice"}
        days = period * (7 if unit == "Week" else 30)
        assert out["TradePrice"] == pytest.approx(2 * days * 24 * VCPU_HOUR_PRICE)
        instance_id = out["InstanceIdSets"]["InstanceIdSet"][0]
        inst = instance(client, instance_id)
    assert inst["InstanceChargeType"] == "PrePaid"
    created = minutes(inst["CreationTime"])
    assert created == datetime(2026, 1, 1, tzinfo=timezone.utc)
    expires = minutes(inst["ExpiredTime"])
    assert created + timedelta(days=low) <= expires <= created + timedelta(days=high)
    # Its disks are subscription disks that expire with it.
    for d in disks(client, InstanceId=instance_id):
        assert d["DiskChargeType"] == "PrePaid" and d["ExpiredTime"] == inst["ExpiredTime"]


def test_prepaid_bad_period(client, ecs):
    expect_error(
        lambda: run_instance(client, InstanceChargeType="PrePaid", Period=10, PeriodUnit="Month"),
        "InvalidPeriod", "The specified period is not valid.", 400,
    )


def test_dry_run_answers_dry_run_operation_and_creates_nothing(client, ecs):
    expect_error(lambda: run_instance(client, DryRun=True, Amount=2, **{"DataDisk.1.Size": 50}),
                 "DryRunOperation", "Request validation has been passed with DryRun flag set.", 400)
    assert ecs.ids("instances") == [] and ecs.ids("disks") == []
    assert describe(client)["TotalCount"] == 0


def test_dry_run_still_validates(client, ecs):
    expect_error(
        lambda: client.call("RunInstances", RegionId=REGION, InstanceType="ecs.g7.large", DryRun=True),
        "MissingParameter",
        "The input parameter ImageId that is mandatory for processing this request is not supplied.", 400,
    )
    expect_error(lambda: run_instance(client, ZoneId="cn-hangzhou-z", DryRun=True),
                 "InvalidZoneId.NotFound", "The specified zoneId does not exist.", 404)


def test_client_token_replay_returns_the_same_ids(client, ecs):
    first = run_many(client, Amount=2, ClientToken="run-token-1")
    again = run_many(client, Amount=2, ClientToken="run-token-1")
    assert first == again
    assert sorted(ecs.ids("instances")) == sorted(first)
    other = run_many(client, Amount=2, ClientToken="run-token-2")
    assert set(other).isdisjoint(first)
    assert len(ecs.ids("instances")) == 4


def test_create_instance_client_token_replay(client, ecs):
    first = create_instance(client, ClientToken="create-token")
    assert create_instance(client, ClientToken="create-token") == first
    assert ecs.ids("instances") == [first]


# --- state machines -------------------------------------------------------------------------
def test_run_instances_is_running_at_once_by_default(client, ecs):
    inst = instance(client, run_instance(client))
    assert inst["Status"] == "Running"
    assert inst["StartTime"] == inst["CreationTime"]


def test_run_instances_pending_then_running_after_start_seconds(client, ecs):
    with MockEcs(instance_start_seconds=30) as ecs2:
        instance_id = run_instance(client)
        assert status(client, instance_id) == "Pending"
        ecs2.advance_clock(29)
        assert status(client, instance_id) == "Pending"
        assert ecs2.instance(instance_id)["Status"] == "Pending"
        ecs2.advance_clock(1)
        assert status(client, instance_id) == "Running"
    # The outer mock never saw that instance.
    assert ecs.ids("instances") == []


def test_pending_instance_refuses_stop_and_delete(client, ecs):
    with MockEcs(instance_start_seconds=30) as ecs2:
        instance_id = run_instance(client)
        expect_error(lambda: client.call("StopInstance", InstanceId=instance_id),
                     "IncorrectInstanceStatus", STATUS_MSG, 403)
        expect_error(lambda: client.call("StartInstance", InstanceId=instance_id),
                     "IncorrectInstanceStatus", STATUS_MSG, 403)
        expect_error(lambda: client.call("DeleteInstance", InstanceId=instance_id, Force=True),
                     "IncorrectInstanceStatus.Initializing",
                     "The specified instance status does not support this operation.", 403)
        ecs2.advance_clock(30)
        client.call("StopInstance", InstanceId=instance_id)
        assert status(client, instance_id) == "Stopped"


def test_create_instance_is_stopped_and_never_starts_by_itself(client, ecs):
    out = client.call("CreateInstance", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")
    assert set(out) == {"RequestId", "InstanceId"}
    instance_id = out["InstanceId"]
    assert INSTANCE_ID.match(instance_id)
    inst = instance(client, instance_id)
    assert inst["Status"] == "Stopped" and inst["StartTime"] == ""
    ecs.advance_clock(86400)
    assert status(client, instance_id) == "Stopped"
    assert client.call("StartInstance", InstanceId=instance_id).keys() == {"RequestId"}
    assert status(client, instance_id) == "Running"
    assert instance(client, instance_id)["StartTime"] != ""


def test_create_instance_makes_its_system_disk(client, ecs):
    instance_id = create_instance(client, **{"DataDisk.1.Size": 30})
    found = disks(client, InstanceId=instance_id)
    assert sorted(d["Type"] for d in found) == ["data", "system"]
    assert {d["Status"] for d in found} == {"In_use"}


def test_start_and_stop_pass_through_starting_and_stopping(client, ecs):
    with MockEcs(instance_transition_seconds=20) as ecs2:
        instance_id = create_instance(client)
        client.call("StartInstance", InstanceId=instance_id)
        assert status(client, instance_id) == "Starting"
        expect_error(lambda: client.call("StartInstance", InstanceId=instance_id),
                     "IncorrectInstanceStatus", STATUS_MSG, 403)
        expect_error(lambda: client.call("StopInstance", InstanceId=instance_id),
                     "IncorrectInstanceStatus", STATUS_MSG, 403)
        ecs2.advance_clock(19)
        assert status(client, instance_id) == "Starting"
        ecs2.advance_clock(1)
        assert status(client, instance_id) == "Running"
        client.call("StopInstance", InstanceId=instance_id)
        assert status(client, instance_id) == "Stopping"
        expect_error(lambda: client.call("StartInstance", InstanceId=instance_id),
                     "IncorrectInstanceStatus", STATUS_MSG, 403)
        ecs2.advance_clock(20)
        assert status(client, instance_id) == "Stopped"


def test_start_and_stop_are_immediate_by_default(client, ecs):
    instance_id = run_instance(client)
    assert client.call("StopInstance", InstanceId=instance_id).keys() == {"RequestId"}
    assert status(client, instance_id) == "Stopped"
    assert client.call("StartInstance", InstanceId=instance_id).keys() == {"RequestId"}
    assert status(client, instance_id) == "Running"


def test_start_running_and_stop_stopped_are_refused(client, ecs):
    running = run_instance(client)
    expect_error(lambda: client.call("StartInstance", InstanceId=running), "IncorrectInstanceStatus", STATUS_MSG, 403)
    stopped = create_instance(client)
    expect_error(lambda: client.call("StopInstance", InstanceId=stopped), "IncorrectInstanceStatus", STATUS_MSG, 403)
    assert (status(client, running), status(client, stopped)) == ("Running", "Stopped")


def test_start_and_stop_unknown_instance(client, ecs):
    for act in ("StartInstance", "StopInstance", "DeleteInstance"):
        expect_error(lambda act=act: client.call(act, InstanceId="i-bp1abcdefghijklmnopq"),
                     "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)


def test_start_and_stop_need_an_instance_id(client, ecs):
    for act in ("StartInstance", "StopInstance", "DeleteInstance"):
        expect_error(lambda act=act: client.call(act),
                     "MissingInstanceId", "InstanceId is mandatory for this action.", 400)


def test_security_lock_blocks_start_and_stop(client, ecs):
    instance_id = run_instance(client)
    ecs.lock_instance(instance_id, "security")
    message = "The specified operation is denied as your instance is locked for security reasons."
    expect_error(lambda: client.call("StopInstance", InstanceId=instance_id), "InstanceLockedForSecurity", message, 403)
    ecs.unlock_instance(instance_id)
    client.call("StopInstance", InstanceId=instance_id)
    ecs.lock_instance(instance_id, "security")
    expect_error(lambda: client.call("StartInstance", InstanceId=instance_id),
                 "InstanceLockedForSecurity", message, 403)
    assert status(client, instance_id) == "Stopped"


def test_dry_run_start_changes_nothing(client, ecs):
    instance_id = create_instance(client)
    expect_error(lambda: client.call("StartInstance", InstanceId=instance_id, DryRun=True),
                 "DryRunOperation", "Request validation has been passed with DryRun flag set.", 400)
    assert status(client, instance_id) == "Stopped"


# --- DescribeInstances -----------------------------------------------------------------------
def test_describe_instances_shape(client, ecs):
    with freeze_time("2026-01-01T00:00:00Z"):
        instance_id = run_instance(client, InstanceName="shape-test", Description="a test instance")
        out = describe(client)
    assert set(out) == {"RequestId", "TotalCount", "PageNumber", "PageSize", "NextToken", "Instances"}
    assert (out["TotalCount"], out["PageNumber"], out["PageSize"]) == (1, 1, 10)
    assert isinstance(out["Instances"]["Instance"], list)
    (inst,) = out["Instances"]["Instance"]
    assert inst["InstanceId"] == instance_id
    assert inst["CreationTime"] == "2026-01-01T00:00Z"
    assert inst["StartTime"] == "2026-01-01T00:00Z"
    assert inst["ExpiredTime"] == NEVER_EXPIRES
    assert inst["OperationLocks"] == {"LockReason": []}
    assert inst["Tags"] == {"Tag": []}
    assert inst["RegionId"] == REGION and inst["ZoneId"] == "cn-hangzhou-b"
    assert inst["InstanceType"] == "ecs.g7.large" and inst["InstanceTypeFamily"] == "ecs.g7"
    assert inst["InstanceName"] == "shape-test" and inst["Description"] == "a test instance"
    assert inst["Status"] == "Running" and inst["InstanceChargeType"] == "PostPaid"
    assert isinstance(inst["Cpu"], int) and isinstance(inst["Memory"], int)
    assert inst["IoOptimized"] is True and inst["DeletionProtection"] is False
    for key in ("SecurityGroupIds", "VpcAttributes", "PublicIpAddress", "InnerIpAddress", "EipAddress"):
        assert key in inst


def test_describe_instances_creation_time_has_minute_precision(client, ecs):
    with freeze_time("2026-03-04T05:06:59Z"):
        instance_id = run_instance(client)
        assert instance(client, instance_id)["CreationTime"] == "2026-03-04T05:06Z"


def test_describe_instances_operation_locks(client, ecs):
    instance_id = run_instance(client)
    other = run_instance(client)
    ecs.lock_instance(instance_id, "security")
    inst = instance(client, instance_id)
    assert inst["OperationLocks"] == {"LockReason": [
        {"LockReason": "security", "LockMsg": "The specified instance is locked due to security reason."}]}
    ecs.lock_instance(instance_id, "financial")
    reasons = [lock["LockReason"] for lock in instance(client, instance_id)["OperationLocks"]["LockReason"]]
    assert reasons == ["security", "financial"]
    assert instance(client, other)["OperationLocks"] == {"LockReason": []}
    locked = describe(client, LockReason="financial")["Instances"]["Instance"]
    assert [i["InstanceId"] for i in locked] == [instance_id]
    ecs.unlock_instance(instance_id)
    assert instance(client, instance_id)["OperationLocks"] == {"LockReason": []}


def test_describe_instances_filter_by_ids(client, ecs):
    a, b, c = run_many(client, Amount=3)
    out = describe(client, InstanceIds=json.dumps([a, c]))
    assert out["TotalCount"] == 2
    assert sorted(i["InstanceId"] for i in out["Instances"]["Instance"]) == sorted([a, c])
    # Unknown IDs are simply not found; an empty list is a valid filter with an empty result.
    assert describe(client, InstanceIds=json.dumps(["i-bp1abcdefghijklmnopq"]))["Instances"]["Instance"] == []
    empty = describe(client, InstanceIds="[]")
    assert (empty["TotalCount"], empty["Instances"]["Instance"]) == (0, [])
    # The instance left out of the first filter is there, and found by its own ID.
    assert [i["InstanceId"] for i in describe(client, InstanceIds=json.dumps([b]))["Instances"]["Instance"]] == [b]


def test_describe_instances_filter_by_status(client, ecs):
    running = run_many(client, Amount=2)
    stopped = create_instance(client)
    by_status = {s: sorted(i["InstanceId"] for i in describe(client, Status=s)["Instances"]["Instance"])
                 for s in ("Running", "Stopped", "Pending", "Starting", "Stopping")}
    assert by_status == {"Running": sorted(running), "Stopped": [stopped], "Pending": [], "Starting": [],
                         "Stopping": []}
    expect_error(lambda: describe(client, Status="Deleted"),
                 "InvalidStatus.NotFound", "The specified Status is not found", 404)


def test_describe_instances_filter_by_zone(client, ecs):
    in_b = run_instance(client)
    in_h = run_instance(client, ZoneId="cn-hangzhou-h")
    assert [i["InstanceId"] for i in describe(client, ZoneId="cn-hangzhou-h")["Instances"]["Instance"]] == [in_h]
    assert [i["InstanceId"] for i in describe(client, ZoneId="cn-hangzhou-b")["Instances"]["Instance"]] == [in_b]
    assert describe(client, ZoneId="cn-hangzhou-k")["TotalCount"] == 0


def test_describe_instances_paging(client, ecs):
    ids = run_many(client, Amount=5)
    seen: List[str] = []
    for number, expected in ((1, 2), (2, 2), (3, 1), (4, 0)):
        out = describe(client, PageNumber=number, PageSize=2)
        assert (out["TotalCount"], out["PageNumber"], out["PageSize"]) == (5, number, 2)
        page = [i["InstanceId"] for i in out["Instances"]["Instance"]]
        assert len(page) == expected
        seen += page
    assert sorted(seen) == sorted(ids)
    everything = describe(client, PageSize=100)
    assert everything["PageSize"] == 100 and len(everything["Instances"]["Instance"]) == 5


def test_describe_instances_is_per_region(client, ecs):
    run_instance(client)
    out = client.call("DescribeInstances", RegionId="cn-shanghai")
    assert (out["TotalCount"], out["Instances"]["Instance"]) == (0, [])


def test_describe_instances_dry_run(client, ecs):
    expect_error(lambda: describe(client, DryRun=True),
                 "DryRunOperation", "Request validation has been passed with DryRun flag set.", 400)


# --- DeleteInstance ---------------------------------------------------------------------------
def test_delete_running_instance_needs_force(client, ecs):
    instance_id = run_instance(client)
    expect_error(lambda: client.call("DeleteInstance", InstanceId=instance_id), "IncorrectInstanceStatus",
                 STATUS_MSG, 403)
    expect_error(lambda: client.call("DeleteInstance", InstanceId=instance_id, Force=False),
                 "IncorrectInstanceStatus", STATUS_MSG, 403)
    assert status(client, instance_id) == "Running"
    assert client.call("DeleteInstance", InstanceId=instance_id, Force=True).keys() == {"RequestId"}
    assert describe(client, InstanceIds=json.dumps([instance_id]))["Instances"]["Instance"] == []
    assert ecs.ids("instances") == []
    with pytest.raises(KeyError):
        ecs.instance(instance_id)


def test_delete_stopped_instance_without_force(client, ecs):
    instance_id = create_instance(client)
    client.call("DeleteInstance", InstanceId=instance_id)
    assert describe(client)["TotalCount"] == 0
    expect_error(lambda: client.call("DeleteInstance", InstanceId=instance_id),
                 "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)


def test_delete_instance_releases_delete_with_instance_disks_only(client, ecs):
    instance_id = run_instance(client, **{
        "DataDisk.1.Size": 50, "DataDisk.1.DeleteWithInstance": "false", "DataDisk.1.DiskName": "keep-me",
        "DataDisk.2.Size": 60, "DataDisk.2.DeleteWithInstance": "true",
        "DataDisk.3.Size": 70,  # DeleteWithInstance defaults to true
    })
    by_size = {d["Size"]: d["DiskId"] for d in disks(client, InstanceId=instance_id)}
    assert sorted(by_size) == [40, 50, 60, 70]
    client.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert ecs.ids("disks") == [by_size[50]]
    (kept,) = disks(client)
    assert kept["DiskId"] == by_size[50] and kept["DiskName"] == "keep-me"
    assert kept["Status"] == "Available" and kept["InstanceId"] == "" and kept["Device"] == ""
    assert kept["DeleteWithInstance"] is False and kept["Portable"] is True
    assert kept["DetachedTime"] != ""
    assert disks(client, InstanceId=instance_id) == []
    # The kept disk is an ordinary detached disk: it can be deleted now.
    client.call("DeleteDisk", DiskId=kept["DiskId"])
    assert ecs.ids("disks") == []


def test_delete_instance_keeps_the_disks_manual_snapshots(client, ecs):
    instance_id, disk_id, snap_id = accomplished_snapshot(client, ecs)
    client.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert disk_id not in ecs.ids("disks")
    out = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snap_id]))
    snaps = out["Snapshots"]["Snapshot"]
    assert [(s["SnapshotId"], s["SourceDiskId"], s["Status"]) for s in snaps] == [(snap_id, disk_id, "accomplished")]
    assert snapshots_of(client, disk_id)[0]["SnapshotId"] == snap_id


def test_deleted_instance_is_gone_everywhere(client, ecs):
    keep, drop = run_many(client, Amount=2)
    client.call("DeleteInstance", InstanceId=drop, Force=True)
    out = describe(client)
    assert out["TotalCount"] == 1 and [i["InstanceId"] for i in out["Instances"]["Instance"]] == [keep]
    expect_error(lambda: client.call("StartInstance", InstanceId=drop),
                 "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)


# --- through every client ---------------------------------------------------------------------
def test_instance_lifecycle_through_every_client(any_client, ecs):
    with freeze_time("2026-01-01T00:00:00Z"):
        ids = run_many(any_client, Amount=3, SecurityGroupId="sg-bp1abcdefghijklmnopq")
        assert len(ids) == 3 and all(INSTANCE_ID.match(i) for i in ids)
        out = describe(any_client, InstanceIds=json.dumps(ids[:2]))
    # libcloud reads XML, where every number is text.
    assert str(out["TotalCount"]) == "2"
    insts = out["Instances"]["Instance"]
    assert sorted(i["InstanceId"] for i in insts) == sorted(ids[:2])
    for inst in insts:
        assert inst["Status"] == "Running"
        assert inst["CreationTime"] == "2026-01-01T00:00Z"
        assert inst["ExpiredTime"] == NEVER_EXPIRES
        assert inst["SecurityGroupIds"]["SecurityGroupId"] == ["sg-bp1abcdefghijklmnopq"]
        assert str(inst["Cpu"]) == "2"
    target = ids[0]
    for act in ("StartInstance", "DeleteInstance"):
        expect_error(lambda act=act: any_client.call(act, InstanceId=target),
                     "IncorrectInstanceStatus", STATUS_MSG, 403)
    any_client.call("StopInstance", InstanceId=target)
    assert ecs.instance(target)["Status"] == "Stopped"
    any_client.call("DeleteInstance", InstanceId=target)
    assert sorted(ecs.ids("instances")) == sorted(ids[1:])


def test_instance_locks_through_every_client(any_client, ecs):
    instance_id = run_instance(any_client)
    ecs.lock_instance(instance_id, "financial")
    (inst,) = describe(any_client, InstanceIds=json.dumps([instance_id]))["Instances"]["Instance"]
    (lock,) = inst["OperationLocks"]["LockReason"]
    # In XML the item and its field share the name <LockReason>; the XML reader lists both.
    reason = lock["LockReason"][0] if any_client.name == "libcloud" else lock["LockReason"]
    assert reason == "financial"
    assert lock["LockMsg"] == "The specified instance is locked due to financial reason."


# --- DeleteInstance: passing states and the security lock ------------------------------------------
def test_delete_instance_in_a_passing_state_needs_force(client):
    with MockEcs(instance_transition_seconds=20) as slow:
        instance_id = run_instance(client)
        client.call("StopInstance", InstanceId=instance_id)
        assert slow.instance(instance_id)["Status"] == "Stopping"
        expect_error(lambda: client.call("DeleteInstance", InstanceId=instance_id), "IncorrectInstanceStatus",
                     STATUS_MSG, 403)
        client.call("DeleteInstance", InstanceId=instance_id, Force=True)
        assert slow.ids("instances") == [] and slow.ids("disks") == []


def test_delete_security_locked_instance_releases_every_disk(client, ecs):
    # "On DeleteInstance of a security-locked instance, DeleteWithInstance=false is ignored"
    # (FACTS.md section 7).
    instance_id = run_instance(client, **{"DataDisk.1.Size": 20, "DataDisk.1.DeleteWithInstance": "false"})
    assert len(disks(client, InstanceId=instance_id)) == 2
    ecs.lock_instance(instance_id, "security")
    client.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert ecs.ids("instances") == [] and ecs.ids("disks") == []

