"""Disks: CreateDisk, AttachDisk, DetachDisk, DeleteDisk, DescribeDisks, ReplaceSystemDisk.

Texts come from shared/reference/ecs-api/actions/<Action>.md and FACTS.md sections 6 and 9.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from conftest import (
    IMAGE,
    REGION,
    Driver,
    accomplished_snapshot,
    create_instance,
    expect_error,
    ready_disk,
    run_instance,
    snapshots_of,
    system_disk,
)
from mock_ecs import MockEcs

DISK_ID = re.compile(r"^d-bp1[a-z0-9]{17}$")
ZONE = "cn-hangzhou-b"
STATUS_MSG = "The current status of the resource does not support this operation."
DISK_STATUS_MSG = "The current disk status does not support this operation."
NOT_AVAILABLE_MSG = ("The current status of the disk does not support this operation. "
                     "The expected disk status is Available.")
# Every field of the DescribeDisks sample in actions/DescribeDisks.md, under the name real 2024
# answers and the current SDK model give DedicatedBlockStorageClusterId: StorageClusterId.
SAMPLE_DISK_FIELDS = {
    "DiskChargeType", "ImageId", "Device", "DetachedTime", "Type", "InstanceId", "Encrypted", "ZoneId",
    "EnableAutoSnapshot", "AttachedTime", "PerformanceLevel", "SerialNumber", "SourceSnapshotId",
    "DeleteAutoSnapshot", "KMSKeyId", "Size", "Description", "StorageClusterId", "BdfId",
    "ProductCode", "Portable", "EnableAutomatedSnapshotPolicy", "ResourceGroupId", "DiskName", "StorageSetId",
    "AutoSnapshotPolicyId", "CreationTime", "MountInstances", "Status", "Tags", "Category", "RegionId",
    "DeleteWithInstance", "OperationLocks", "ExpiredTime", "DiskId",
}
ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


# --- helpers ------------------------------------------------------------------------------
def create_disk(client: Driver, **extra: Any) -> str:
    """CreateDisk; a parameter given as None is not sent (the drivers drop None)."""
    params: Dict[str, Any] = {"RegionId": REGION, "ZoneId": ZONE, "Size": 20, **extra}
    return client.call("CreateDisk", **params)["DiskId"]


def describe(client: Driver, **filters: Any) -> Dict[str, Any]:
    return client.call("DescribeDisks", RegionId=REGION, **filters)


def disk(client: Driver, disk_id: str) -> Dict[str, Any]:
    found = describe(client, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"]
    assert len(found) == 1, found
    return found[0]


def disk_ids(client: Driver, **filters: Any) -> List[str]:
    return sorted(d["DiskId"] for d in describe(client, PageSize=100, **filters)["Disks"]["Disk"])


def attach(client: Driver, disk_id: str, instance_id: str, **extra: Any) -> Dict[str, Any]:
    return client.call("AttachDisk", DiskId=disk_id, InstanceId=instance_id, **extra)


def detach(client: Driver, disk_id: str, instance_id: str) -> Dict[str, Any]:
    return client.call("DetachDisk", DiskId=disk_id, InstanceId=instance_id)


@pytest.fixture
def slow(ecs: MockEcs) -> Iterator[MockEcs]:
    """A mock whose disks pass 10 s through Creating, Attaching and Detaching."""
    with MockEcs(disk_transition_seconds=10) as handle:
        yield handle


def attach_new_disk(client: Driver, slow: MockEcs) -> Tuple[str, str]:
    """(instance, a new disk attached to it once Available): the disk is Attaching for 10 s."""
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    slow.advance_clock(10)
    attach(client, disk_id, instance_id)
    return instance_id, disk_id


# --- CreateDisk -----------------------------------------------------------------------------
def test_create_disk_answers_a_disk_id(client, ecs):
    out = client.call("CreateDisk", RegionId=REGION, ZoneId=ZONE, Size=20)
    assert set(out) == {"RequestId", "DiskId"}
    assert DISK_ID.match(out["DiskId"])
    assert ecs.ids("disks") == [out["DiskId"]]


def test_created_disk_is_an_available_pay_as_you_go_data_disk(client, ecs):
    disk_id = create_disk(client, DiskName="scratch", Description="scratch space")
    d = disk(client, disk_id)
    assert (d["Type"], d["Category"], d["Size"], d["Status"]) == ("data", "cloud", 20, "Available")
    assert (d["DiskName"], d["Description"], d["ZoneId"], d["RegionId"]) == ("scratch", "scratch space", ZONE, REGION)
    assert (d["InstanceId"], d["Device"], d["ImageId"], d["SourceSnapshotId"]) == ("", "", "", "")
    assert d["Portable"] is True and d["DeleteWithInstance"] is False
    assert d["DiskChargeType"] == "PostPaid" and d["ExpiredTime"] == "2999-09-08T16:00Z"
    assert d["AttachedTime"] == "" and d["DetachedTime"] == ""
    assert ISO_SECONDS.match(d["CreationTime"])


def test_create_disk_needs_a_zone_unless_an_instance_is_named(client, ecs):
    expect_error(lambda: client.call("CreateDisk", RegionId=REGION, Size=20),
                 "MissingZoneId", "ZoneId is mandatory for this action.", 400)
    assert ecs.ids("disks") == []


def test_create_disk_in_an_unknown_zone(client, ecs):
    expect_error(lambda: create_disk(client, ZoneId="cn-hangzhou-z"),
                 "InvalidZoneId.NotFound", "The specified zone does not exist.", 404)


def test_create_disk_for_an_instance_attaches_it_in_its_zone(client, ecs):
    instance_id = run_instance(client, ZoneId="cn-hangzhou-h")
    disk_id = create_disk(client, ZoneId=None, InstanceId=instance_id, DiskCategory="cloud_ssd", Size=50)
    d = disk(client, disk_id)
    assert (d["ZoneId"], d["InstanceId"], d["Status"], d["Device"]) == ("cn-hangzhou-h", instance_id, "In_use",
                                                                         "/dev/xvdb")
    assert d["DeleteWithInstance"] is True


def test_create_disk_zone_and_instance_are_exclusive(client, ecs):
    instance_id = run_instance(client)
    err = expect_error(lambda: create_disk(client, InstanceId=instance_id), "InvalidParameter.Conflict", status=400)
    assert err.message
    assert len(ecs.ids("disks")) == 1


@pytest.mark.parametrize("category,size,ok", [
    ("cloud", 5, True), ("cloud", 2000, True), ("cloud", 4, False), ("cloud", 2001, False),
    ("cloud_efficiency", 20, True), ("cloud_efficiency", 19, False), ("cloud_efficiency", 32768, True),
    ("cloud_ssd", 32768, True), ("cloud_ssd", 32769, False), ("cloud_essd", 20, True), ("cloud_essd", 10, False),
])
def test_create_disk_size_ranges(client, ecs, category, size, ok):
    call = lambda: create_disk(client, DiskCategory=category, Size=size)  # noqa: E731
    if ok:
        d = disk(client, call())
        assert (d["Category"], d["Size"]) == (category, size)
    else:
        expect_error(call, "InvalidSize.ValueNotSupported", "The specified parameter Size is not valid.", 400)
        assert ecs.ids("disks") == []


def test_create_disk_size_must_be_a_number(client, ecs):
    # Size is an Integer (metadata): the gateway's type check answers, naming it.
    expect_error(lambda: create_disk(client, Size="big"),
                 "InvalidParameter", 'The specified parameter "Size" is not valid.', 400)


@pytest.mark.parametrize("category", ["ephemeral_ssd", "floppy"])
def test_create_disk_category_must_be_a_cloud_disk(client, ecs, category):
    expect_error(lambda: create_disk(client, DiskCategory=category),
                 "InvalidDiskCategory.NotSupported", "The specified disk category is not support.", 400)


def test_create_disk_needs_size_or_snapshot(client, ecs):
    expect_error(lambda: client.call("CreateDisk", RegionId=REGION, ZoneId=ZONE), "MissingParameter",
                 'The input parameter either "SnapshotId" or "Size" should be specified.', 400)


def test_create_disk_bad_name(client, ecs):
    expect_error(lambda: create_disk(client, DiskName="1-starts-with-a-digit"),
                 "InvalidDiskName.Malformed", "The specified disk name is wrongly formed.", 400)


def test_create_disk_tags_are_shown(client, ecs):
    disk_id = create_disk(client, **{"Tag.1.Key": "env", "Tag.1.Value": "test"})
    assert disk(client, disk_id)["Tags"] == {"Tag": [{"TagKey": "env", "TagValue": "test"}]}


def test_create_disk_from_snapshot_defaults_to_the_snapshot_size(client, ecs):
    _, source, snap_id = accomplished_snapshot(client, ecs)
    plain = disk(client, create_disk(client, Size=None, SnapshotId=snap_id, DiskCategory="cloud_efficiency"))
    assert (plain["Size"], plain["SourceSnapshotId"], plain["Status"]) == (40, snap_id, "Available")
    # A smaller Size takes the snapshot's size; a larger one is kept.
    assert disk(client, create_disk(client, Size=20, SnapshotId=snap_id))["Size"] == 40
    assert disk(client, create_disk(client, Size=100, SnapshotId=snap_id))["Size"] == 100
    (snap,) = snapshots_of(client, source)
    assert snap["Usage"] == "disk"
    expect_error(lambda: client.call("DeleteSnapshot", SnapshotId=snap_id),
                 "SnapshotCreatedDisk", "The snapshot has been used to create disk(s).", 403)


def test_create_disk_from_a_progressing_snapshot_is_refused(client, ecs):
    _, source = ready_disk(client, ecs)
    snap_id = client.call("CreateSnapshot", DiskId=source)["SnapshotId"]
    expect_error(lambda: create_disk(client, Size=None, SnapshotId=snap_id),
                 "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)
    assert ecs.ids("disks") == [source]
    assert snapshots_of(client, source)[0]["Usage"] == "none"
    ecs.advance_clock(60)
    assert disk(client, create_disk(client, Size=None, SnapshotId=snap_id))["Size"] == 40


def test_create_disk_from_an_unknown_snapshot(client, ecs):
    expect_error(lambda: create_disk(client, SnapshotId="s-bp1abcdefghijklmnopq"),
                 "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.", 404)


def test_create_disk_passes_through_creating(client, ecs):
    with MockEcs(disk_transition_seconds=15) as ecs2:
        disk_id = create_disk(client)
        assert disk(client, disk_id)["Status"] == "Creating"
        assert disk_ids(client, Status="Creating") == [disk_id]
        instance_id = run_instance(client)
        expect_error(lambda: attach(client, disk_id, instance_id), "IncorrectDiskStatus", NOT_AVAILABLE_MSG, 403)
        expect_error(lambda: client.call("DeleteDisk", DiskId=disk_id), "IncorrectDiskStatus", DISK_STATUS_MSG, 403)
        ecs2.advance_clock(14)
        assert ecs2.disk(disk_id)["Status"] == "Creating"
        ecs2.advance_clock(1)
        assert disk(client, disk_id)["Status"] == "Available"
        attach(client, disk_id, instance_id)
        assert disk(client, disk_id)["Status"] == "Attaching"


def test_create_disk_client_token_replay(client, ecs):
    first = create_disk(client, ClientToken="disk-token")
    assert create_disk(client, ClientToken="disk-token") == first
    assert ecs.ids("disks") == [first]


def test_create_disk_has_no_dry_run(client, ecs):
    # The real CreateDisk has no DryRun parameter (meta/en-US/CreateDisk.json): like any unknown
    # parameter it is ignored, and the disk is created, as it would be on the real service.
    disk_id = create_disk(client, DryRun=True)
    assert ecs.ids("disks") == [disk_id]


# --- AttachDisk -----------------------------------------------------------------------------
def test_attach_disk(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    assert attach(client, disk_id, instance_id).keys() == {"RequestId"}
    d = disk(client, disk_id)
    assert (d["Status"], d["InstanceId"], d["Device"]) == ("In_use", instance_id, "/dev/xvdb")
    assert d["DeleteWithInstance"] is False
    assert ISO_SECONDS.match(d["AttachedTime"]) and d["DetachedTime"] == ""
    assert sorted(x["DiskId"] for x in describe(client, InstanceId=instance_id)["Disks"]["Disk"]) == sorted(
        [disk_id, system_disk(client, instance_id)])


def test_attach_disk_with_delete_with_instance(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    attach(client, disk_id, instance_id, DeleteWithInstance=True)
    assert disk(client, disk_id)["DeleteWithInstance"] is True
    client.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert ecs.ids("disks") == []


def test_attach_disk_to_a_stopped_instance(client, ecs):
    instance_id = create_instance(client)
    disk_id = create_disk(client)
    attach(client, disk_id, instance_id)
    assert disk(client, disk_id)["Status"] == "In_use"


def test_attach_disk_devices_never_collide(client, ecs):
    instance_id = run_instance(client)
    first, second, third = (create_disk(client) for _ in range(3))
    attach(client, first, instance_id)
    attach(client, second, instance_id)
    detach(client, first, instance_id)
    attach(client, third, instance_id)
    devices = [d["Device"] for d in describe(client, InstanceId=instance_id)["Disks"]["Disk"]]
    assert sorted(devices) == ["/dev/xvda", "/dev/xvdb", "/dev/xvdc"]


def test_attach_disk_in_another_zone(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client, ZoneId="cn-hangzhou-h")
    expect_error(lambda: attach(client, disk_id, instance_id), "ResourcesNotInSameZone",
                 "The specified instance and disk are not in the same zone.", 403)
    assert disk(client, disk_id)["Status"] == "Available"


def test_attach_disk_already_in_use(client, ecs):
    first, second = (run_instance(client) for _ in range(2))
    disk_id = create_disk(client)
    attach(client, disk_id, first)
    for target in (first, second):
        expect_error(lambda target=target: attach(client, disk_id, target),
                     "InvalidDisk.InUse", "The specified disk has been occupied.", 404)
    assert disk(client, disk_id)["InstanceId"] == first


def test_attach_disk_to_a_pending_instance(client, ecs):
    with MockEcs(instance_start_seconds=30) as ecs2:
        instance_id = run_instance(client)
        disk_id = create_disk(client)
        expect_error(lambda: attach(client, disk_id, instance_id), "IncorrectInstanceStatus", STATUS_MSG, 400)
        ecs2.advance_clock(30)
        attach(client, disk_id, instance_id)
        assert disk(client, disk_id)["Status"] == "In_use"


def test_attach_disk_to_a_security_locked_instance(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    ecs.lock_instance(instance_id, "security")
    expect_error(lambda: attach(client, disk_id, instance_id),
                 "InstanceLockedForSecurity", "The instance is locked due to security.", 403)


def test_attach_disk_passes_through_attaching(client, slow):
    instance_id, disk_id = attach_new_disk(client, slow)
    d = disk(client, disk_id)
    assert (d["Status"], d["InstanceId"]) == ("Attaching", instance_id)
    assert disk_ids(client, Status="Attaching") == [disk_id]
    expect_error(lambda: detach(client, disk_id, instance_id), "IncorrectDiskStatus", DISK_STATUS_MSG, 403)
    slow.advance_clock(10)
    assert disk(client, disk_id)["Status"] == "In_use"


def test_attach_unknown_disk_or_instance(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    expect_error(lambda: attach(client, "d-bp1abcdefghijklmnopq", instance_id),
                 "InvalidDiskId.NotFound", "The specified DiskId does not exist.", 404)
    expect_error(lambda: attach(client, disk_id, "i-bp1abcdefghijklmnopq"),
                 "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)
    expect_error(lambda: client.call("AttachDisk", DiskId=disk_id), "MissingInstanceId",
                 "InstanceId is mandatory for this action.", 400)


# --- DetachDisk -----------------------------------------------------------------------------
def test_detach_disk(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    attach(client, disk_id, instance_id, DeleteWithInstance=True)
    assert detach(client, disk_id, instance_id).keys() == {"RequestId"}
    d = disk(client, disk_id)
    assert (d["Status"], d["InstanceId"], d["Device"]) == ("Available", "", "")
    # "After detach, DeleteWithInstance becomes false" (FACTS.md section 6).
    assert d["DeleteWithInstance"] is False
    assert ISO_SECONDS.match(d["DetachedTime"])
    assert disk_id not in disk_ids(client, InstanceId=instance_id)


def test_detach_a_data_disk_created_with_the_instance(client, ecs):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 30})
    (data,) = describe(client, InstanceId=instance_id, DiskType="data")["Disks"]["Disk"]
    assert data["DeleteWithInstance"] is True and data["Portable"] is True
    detach(client, data["DiskId"], instance_id)
    d = disk(client, data["DiskId"])
    assert (d["Status"], d["DeleteWithInstance"]) == ("Available", False)
    client.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert ecs.ids("disks") == [data["DiskId"]]


def test_detach_disk_passes_through_detaching(client, slow):
    instance_id, disk_id = attach_new_disk(client, slow)
    slow.advance_clock(10)
    detach(client, disk_id, instance_id)
    assert disk(client, disk_id)["Status"] == "Detaching"
    expect_error(lambda: attach(client, disk_id, instance_id), "IncorrectDiskStatus", NOT_AVAILABLE_MSG, 403)
    slow.advance_clock(10)
    assert disk(client, disk_id)["Status"] == "Available"


def test_detach_disk_already_detached(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    expect_error(lambda: detach(client, disk_id, instance_id),
                 "InvalidDisk.AlreadyDetached", "The specified disk has been detached.", 404)
    attach(client, disk_id, instance_id)
    detach(client, disk_id, instance_id)
    expect_error(lambda: detach(client, disk_id, instance_id),
                 "InvalidDisk.AlreadyDetached", "The specified disk has been detached.", 404)


def test_detach_disk_from_the_wrong_instance(client, ecs):
    owner, other = (run_instance(client) for _ in range(2))
    disk_id = create_disk(client)
    attach(client, disk_id, owner)
    expect_error(lambda: detach(client, disk_id, other), "DependencyViolation",
                 "The specified disk has not been attached on the specified instance.", 403)
    assert disk(client, disk_id)["InstanceId"] == owner


def test_detach_system_disk(client, ecs):
    instance_id = run_instance(client)
    expect_error(lambda: detach(client, system_disk(client, instance_id), instance_id), "DiskTypeViolation",
                 "The specified disk is a system disk and cannot support the operation.", 403)


@pytest.mark.parametrize("extra", [
    {"DataDisk.1.Size": 100, "DataDisk.1.Category": "ephemeral_ssd"},
    {"DataDisk.1.Size": 100, "InstanceChargeType": "PrePaid", "Period": 1},
])
def test_detach_disk_not_portable(client, ecs, extra):
    instance_id = run_instance(client, **extra)
    (data,) = describe(client, InstanceId=instance_id, DiskType="data")["Disks"]["Disk"]
    assert data["Portable"] is False
    expect_error(lambda: detach(client, data["DiskId"], instance_id),
                 "DiskNotPortable", "The specified disk is not a portable disk.", 403)


# --- DeleteDisk -----------------------------------------------------------------------------
def test_delete_available_disk(client, ecs):
    disk_id = create_disk(client)
    assert client.call("DeleteDisk", DiskId=disk_id).keys() == {"RequestId"}
    assert describe(client, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"] == []
    with pytest.raises(KeyError):
        ecs.disk(disk_id)


def test_delete_attached_disk(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    attach(client, disk_id, instance_id)
    for target in (disk_id, system_disk(client, instance_id)):
        expect_error(lambda target=target: client.call("DeleteDisk", DiskId=target),
                     "DiskStillAttached", "The disk is still attached to the disk.", 403)
    assert len(ecs.ids("disks")) == 2


def test_delete_disk_while_its_snapshot_is_progressing(client, ecs):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 20})
    (data,) = describe(client, InstanceId=instance_id, DiskType="data")["Disks"]["Disk"]
    disk_id = data["DiskId"]
    ecs.advance_clock(ecs.settings.initialization_seconds)
    snap_id = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]  # 20 GiB: 30 s
    detach(client, disk_id, instance_id)
    expect_error(lambda: client.call("DeleteDisk", DiskId=disk_id), "DiskCreatingSnapshot",
                 "The operation is denied due to a snapshot of the specified disk is not completed yet.", 403)
    ecs.advance_clock(30)
    client.call("DeleteDisk", DiskId=disk_id)
    assert disk_id not in ecs.ids("disks")
    # DeleteDisk keeps the disk's manual snapshots, still naming their source disk.
    out = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snap_id]))
    snaps = out["Snapshots"]["Snapshot"]
    assert [(s["SnapshotId"], s["SourceDiskId"], s["Status"]) for s in snaps] == [(snap_id, disk_id, "accomplished")]


def test_delete_unknown_disk(client, ecs):
    expect_error(lambda: client.call("DeleteDisk", DiskId="d-bp1abcdefghijklmnopq"),
                 "InvalidDiskId.NotFound", "The specified disk does not exist.", 404)
    expect_error(lambda: client.call("DeleteDisk"), "MissingDiskId", "DiskId is mandatory for this action.", 400)


# --- DescribeDisks --------------------------------------------------------------------------
def test_describe_disks_shape(client, ecs):
    instance_id = run_instance(client)
    out = describe(client)
    assert set(out) == {"RequestId", "TotalCount", "PageNumber", "PageSize", "NextToken", "Disks"}
    assert (out["TotalCount"], out["PageNumber"], out["PageSize"]) == (1, 1, 10)
    (d,) = out["Disks"]["Disk"]
    assert SAMPLE_DISK_FIELDS <= set(d)
    assert (d["Type"], d["Category"], d["Status"], d["Device"], d["InstanceId"]) == (
        "system", "cloud_efficiency", "In_use", "/dev/xvda", instance_id)
    assert isinstance(d["Size"], int) and d["Size"] == 40
    assert d["Portable"] is False and d["DeleteWithInstance"] is True and d["Encrypted"] is False
    assert d["EnableAutoSnapshot"] is True
    assert d["ExpiredTime"] == "2999-09-08T16:00Z" and d["DiskChargeType"] == "PostPaid"
    assert d["OperationLocks"] == {"OperationLock": []}
    assert d["Tags"] == {"Tag": []} and d["MountInstances"] == {"MountInstance": []}
    assert d["ImageId"] == IMAGE and d["RegionId"] == REGION and d["ZoneId"] == ZONE
    assert ISO_SECONDS.match(d["CreationTime"]) and d["AttachedTime"] == d["CreationTime"]
    assert d["DetachedTime"] == ""
    assert DISK_ID.match(d["DiskId"]) and d["SerialNumber"] == d["DiskId"][2:]
    assert "DedicatedBlockStorageClusterId" not in d and d["StorageClusterId"] == ""
    # A real 2024 answer: cloud_efficiency 40 GiB, attached, shows exactly these.
    assert (d["IOPS"], d["Throughput"], d["Placement"]) == (2120, 106, {})
    assert d["Attachments"] == {"Attachment": [
        {"AttachedTime": d["AttachedTime"], "InstanceId": instance_id, "Device": "/dev/xvda"}]}
    assert (d["MountInstanceNum"], d["IOPSRead"], d["IOPSWrite"], d["ThroughputRead"], d["ThroughputWrite"],
            d["ProvisionedIops"], d["StorageSetPartitionNumber"], d["BurstingEnabled"]) == (0, 0, 0, 0, 0, 0, 0, False)
    assert (d["SourceDiskId"], d["DataSource"]) == ("", {"Type": "", "Id": ""})


@pytest.mark.parametrize(("category", "level", "size", "iops", "throughput"), [
    ("cloud_essd", "PL1", 40, 3800, 140),  # real 2024 answers
    ("cloud_essd", "PL0", 120, 3240, 130),
    ("cloud_essd", "PL1", 2000, 50000, 350),  # the category's ceilings
    ("cloud_essd", "PL2", 500, 26800, 370),
    ("cloud_essd", "PL3", 8000, 401800, 4000),
    ("cloud_ssd", "", 100, 4800, 170),
    ("cloud_efficiency", "", 1000, 5000, 140),
    ("cloud_auto", "", 20, 3000, 130),
    ("cloud", "", 100, 300, 30),
])
def test_disk_performance_follows_category_level_and_size(category, level, size, iops, throughput):
    from mock_ecs.actions.disks import performance
    from mock_ecs.models import Disk, Phase

    disk = Disk("d-x", REGION, ZONE, category, size, "data", 0.0, 0.0, Phase("Available"),
                performance_level=level)
    assert performance(disk) == (iops, throughput)


def test_a_detached_disk_has_no_attachment(client, ecs):
    instance_id = run_instance(client)
    disk_id = create_disk(client)
    ecs.advance_clock(60)
    client.call("AttachDisk", DiskId=disk_id, InstanceId=instance_id)
    ecs.advance_clock(60)
    (shown,) = describe(client, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"]
    assert [a["InstanceId"] for a in shown["Attachments"]["Attachment"]] == [instance_id]
    client.call("DetachDisk", DiskId=disk_id, InstanceId=instance_id)
    ecs.advance_clock(60)
    (shown,) = describe(client, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"]
    assert shown["Attachments"] == {"Attachment": []} and shown["InstanceId"] == ""


def test_describe_disks_shows_the_instance_locks(client, ecs):
    instance_id = run_instance(client)
    loose = create_disk(client)
    ecs.lock_instance(instance_id, "security")
    assert disk(client, system_disk(client, instance_id))["OperationLocks"] == {
        "OperationLock": [{"LockReason": "security"}]}
    assert disk(client, loose)["OperationLocks"] == {"OperationLock": []}
    assert disk_ids(client, LockReason="security") == [system_disk(client, instance_id)]


def test_describe_disks_filters(client, ecs):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 30})
    sys_id = system_disk(client, instance_id)
    (data_id,) = [d for d in disk_ids(client, InstanceId=instance_id) if d != sys_id]
    loose = create_disk(client)
    assert disk_ids(client) == sorted([sys_id, data_id, loose])
    assert disk_ids(client, DiskIds=json.dumps([sys_id, loose])) == sorted([sys_id, loose])
    assert disk_ids(client, DiskIds="[]") == []
    assert disk_ids(client, InstanceId=instance_id) == sorted([sys_id, data_id])
    assert disk_ids(client, DiskType="system") == [sys_id]
    assert disk_ids(client, DiskType="data") == sorted([data_id, loose])
    assert disk_ids(client, DiskType="all") == sorted([sys_id, data_id, loose])
    assert disk_ids(client, InstanceId=instance_id, DiskType="data") == [data_id]
    assert disk_ids(client, Status="In_use") == sorted([sys_id, data_id])
    assert disk_ids(client, Status="Available") == [loose]
    assert disk_ids(client, Status="All") == sorted([sys_id, data_id, loose])
    assert disk_ids(client, InstanceId=instance_id, Status="Available") == []
    assert disk_ids(client, DiskIds=json.dumps([loose]), Status="In_use") == []
    assert disk_ids(client, ZoneId="cn-hangzhou-h") == []
    assert disk_ids(client, Category="cloud") == [loose]


def test_describe_disks_bad_filters(client, ecs):
    expect_error(lambda: describe(client, DiskType="boot"),
                 "InvalidDiskType.ValueNotSupported", "The specified disk type is not supported.", 400)
    expect_error(lambda: describe(client, Status="Broken"),
                 "InvalidStatus.ValueNotSupported", "The specified disk status is not supported.", 400)


def test_describe_disks_paging(client, ecs):
    ids = [create_disk(client) for _ in range(5)]
    seen: List[str] = []
    for number, expected in ((1, 2), (2, 2), (3, 1)):
        out = describe(client, PageNumber=number, PageSize=2)
        assert (out["TotalCount"], out["PageNumber"], out["PageSize"]) == (5, number, 2)
        assert len(out["Disks"]["Disk"]) == expected
        seen += [d["DiskId"] for d in out["Disks"]["Disk"]]
    assert sorted(seen) == sorted(ids)


# --- ReplaceSystemDisk ----------------------------------------------------------------------
NEW_IMAGE = "centos_7_9_x64_20G_alibase_20240628.vhd"


def test_replace_system_disk_needs_a_stopped_instance(client, ecs):
    instance_id = run_instance(client)
    old = system_disk(client, instance_id)
    expect_error(lambda: client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId=NEW_IMAGE),
                 "IncorrectInstanceStatus", STATUS_MSG, 403)
    assert system_disk(client, instance_id) == old


def test_replace_system_disk_gives_a_new_disk(client, ecs):
    instance_id, old, snap_id = accomplished_snapshot(client, ecs)
    client.call("StopInstance", InstanceId=instance_id)
    out = client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId=NEW_IMAGE)
    assert set(out) == {"RequestId", "DiskId"}
    new = out["DiskId"]
    assert DISK_ID.match(new) and new != old
    # The old disk is gone, its snapshots stay.
    assert describe(client, DiskIds=json.dumps([old]))["Disks"]["Disk"] == []
    assert old not in ecs.ids("disks")
    (snap,) = snapshots_of(client, old)
    assert (snap["SnapshotId"], snap["SourceDiskId"]) == (snap_id, old)
    d = disk(client, new)
    assert (d["Type"], d["Status"], d["InstanceId"], d["Device"], d["ImageId"]) == (
        "system", "In_use", instance_id, "/dev/xvda", NEW_IMAGE)
    assert d["Size"] == 40 and d["DeleteWithInstance"] is True and d["Portable"] is False
    assert disk_ids(client, InstanceId=instance_id) == [new]
    inst = client.call("DescribeInstances", RegionId=REGION, InstanceIds=json.dumps([instance_id]))
    assert inst["Instances"]["Instance"][0]["ImageId"] == NEW_IMAGE
    assert inst["Instances"]["Instance"][0]["Status"] == "Stopped"
    # The new disk starts its own initialisation window (decisions.md).
    client.call("StartInstance", InstanceId=instance_id)
    expect_error(lambda: client.call("CreateSnapshot", DiskId=new), "IncorrectDiskStatus.Initializing",
                 DISK_STATUS_MSG, 403)


def test_replace_system_disk_with_a_size(client, ecs):
    instance_id = create_instance(client)
    new = client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId=NEW_IMAGE, **{"SystemDisk.Size": 80})[
        "DiskId"]
    assert disk(client, new)["Size"] == 80


def test_replace_system_disk_needs_an_image(client, ecs):
    instance_id = create_instance(client)
    old = system_disk(client, instance_id)
    expect_error(lambda: client.call("ReplaceSystemDisk", InstanceId=instance_id), "MissingParameter",
                 'The input parameter "ImageId" that is mandatory for processing this request is not supplied.', 400)
    expect_error(lambda: client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId="m-bp1abcdefghijklmnopq"),
                 "InvalidImageId.NotFound", "The specified ImageId does not exist.", 404)
    assert system_disk(client, instance_id) == old


def test_replace_system_disk_while_a_snapshot_is_progressing(client, ecs):
    instance_id, old = ready_disk(client, ecs)
    client.call("CreateSnapshot", DiskId=old)
    client.call("StopInstance", InstanceId=instance_id)
    expect_error(lambda: client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId=NEW_IMAGE),
                 "DiskCreatingSnapshot",
                 "The operation is denied due to a snapshot of the specified disk is not completed yet.", 403)
    ecs.advance_clock(60)
    assert client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId=NEW_IMAGE)["DiskId"] != old


# --- through every client ---------------------------------------------------------------------
def test_disk_lifecycle_through_every_client(any_client, ecs):
    instance_id = run_instance(any_client)
    disk_id = any_client.call("CreateDisk", RegionId=REGION, ZoneId=ZONE, Size=50, DiskCategory="cloud_ssd",
                              DiskName="shared-disk")["DiskId"]
    assert DISK_ID.match(disk_id)
    any_client.call("AttachDisk", DiskId=disk_id, InstanceId=instance_id)
    (d,) = any_client.call("DescribeDisks", RegionId=REGION, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"]
    # libcloud reads XML, where numbers and booleans are text.
    assert (str(d["Size"]), d["Category"], d["Status"], d["Device"], d["DiskName"]) == (
        "50", "cloud_ssd", "In_use", "/dev/xvdb", "shared-disk")
    assert str(d["Portable"]).lower() == "true"
    expect_error(lambda: any_client.call("DeleteDisk", DiskId=disk_id),
                 "DiskStillAttached", "The disk is still attached to the disk.", 403)
    expect_error(lambda: any_client.call("DetachDisk", DiskId=system_disk(any_client, instance_id),
                                         InstanceId=instance_id),
                 "DiskTypeViolation", "The specified disk is a system disk and cannot support the operation.", 403)
    any_client.call("DetachDisk", DiskId=disk_id, InstanceId=instance_id)
    assert ecs.disk(disk_id)["Status"] == "Available"
    any_client.call("DeleteDisk", DiskId=disk_id)
    assert disk_id not in ecs.ids("disks")


# --- DeleteDisk of an unknown ID: the ``delete_unknown`` setting ------------------------------------
def test_delete_unknown_disk_answers_not_found_by_default(client, ecs):
    assert ecs.settings.delete_unknown == "error"
    kept = create_disk(client)
    with MockEcs(delete_unknown="error") as strict:
        expect_error(lambda: client.call("DeleteDisk", DiskId="d-bp1abcdefghijklmnopq"),
                     "InvalidDiskId.NotFound", "The specified disk does not exist.", 404)
        assert strict.calls[-1].code == "InvalidDiskId.NotFound"
    # A deleted disk is unknown afterwards.
    client.call("DeleteDisk", DiskId=kept)
    expect_error(lambda: client.call("DeleteDisk", DiskId=kept),
                 "InvalidDiskId.NotFound", "The specified disk does not exist.", 404)


def test_delete_unknown_disk_is_ignored_when_configured(client):
    # "If no disk with the specified ID exists, the request will be ignored." [DOC21]
    with MockEcs(delete_unknown="ignore") as lenient:
        kept = create_disk(client)
        for unknown in ("d-bp1abcdefghijklmnopq", "not-a-disk-id"):
            assert client.call("DeleteDisk", DiskId=unknown).keys() == {"RequestId"}
        assert lenient.ids("disks") == [kept]
        client.call("DeleteDisk", DiskId=kept)
        assert client.call("DeleteDisk", DiskId=kept).keys() == {"RequestId"}
        assert lenient.ids("disks") == []
        # Only the unknown ID is ignored: the other rules still hold.
        instance_id = run_instance(client)
        expect_error(lambda: client.call("DeleteDisk", DiskId=system_disk(client, instance_id)),
                     "DiskStillAttached", "The disk is still attached to the disk.", 403)
        expect_error(lambda: client.call("DeleteDisk"), "MissingDiskId", "DiskId is mandatory for this action.", 400)


def test_delete_unknown_setting_is_checked():
    with pytest.raises(ValueError):
        MockEcs(delete_unknown="maybe")


def test_delete_disk_while_it_is_being_created(client, slow):
    disk_id = create_disk(client)
    expect_error(lambda: client.call("DeleteDisk", DiskId=disk_id), "IncorrectDiskStatus", DISK_STATUS_MSG, 403)
    slow.advance_clock(10)
    client.call("DeleteDisk", DiskId=disk_id)
    assert slow.ids("disks") == []


# --- AttachDisk: the per-instance disk limit -------------------------------------------------------
def test_attach_disk_beyond_the_instance_limit(client):
    with MockEcs(max_disks_per_instance=3) as small:
        instance_id = run_instance(client, **{"DataDisk.1.Size": 20})
        third, fourth = create_disk(client), create_disk(client)
        attach(client, third, instance_id)
        expect_error(lambda: attach(client, fourth, instance_id), "InstanceDiskLimitExceeded",
                     "The amount of the disk on instance in question reach its limits.", 403)
        assert disk(client, fourth)["Status"] == "Available" and disk(client, fourth)["InstanceId"] == ""
        detach(client, third, instance_id)
        attach(client, fourth, instance_id)
        assert small.disk(fourth)["InstanceId"] == instance_id


# --- DeleteInstance and disks attached later -------------------------------------------------------
def test_delete_instance_keeps_an_attached_disk_without_delete_with_instance(client, ecs):
    instance_id = run_instance(client)
    kept, released = create_disk(client), create_disk(client)
    attach(client, kept, instance_id)  # DeleteWithInstance defaults to false
    attach(client, released, instance_id, DeleteWithInstance=True)
    ecs.advance_clock(ecs.settings.initialization_seconds)
    snap_id = client.call("CreateSnapshot", DiskId=released)["SnapshotId"]
    ecs.advance_clock(60)
    client.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert ecs.ids("disks") == [kept]
    d = disk(client, kept)
    assert (d["Status"], d["InstanceId"], d["Device"], d["DeleteWithInstance"]) == ("Available", "", "", False)
    # The released disk's manual snapshot stays, naming its source disk.
    (snap,) = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snap_id]))[
        "Snapshots"]["Snapshot"]
    assert snap["SourceDiskId"] == released
