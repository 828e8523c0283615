"""ModifyDiskAttribute and ResizeDisk through aliyunsdkcore and the Tea SDK, in-process and over
HTTP: what they change shows in DescribeDisks (and a resize in the duration of later
snapshots), and every refusal answers the code, status and message of docs-2021's
ModifyDiskAttribute.en.md and ResizeDisk.en.md byte for byte. Time is never slept: the mock's
clock is moved.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from conftest import REGION, Driver, disks_of, expect_error, ready_disk, run_instance, system_disk
from mock_ecs import MockEcs, regions

ZONE = regions.default_zone(REGION)
PREPAID_WEEK = {"InstanceChargeType": "PrePaid", "Period": 1, "PeriodUnit": "Week"}
ERRORS: Dict[str, Tuple[int, str]] = {
    # docs-2021/ModifyDiskAttribute.en.md
    "InvalidDiskId.NotFound": (404, "The specified disk does not exist."),
    "InvalidDiskName.Malformed": (400, "The specified disk name is wrongly formed."),
    "InvalidDescription.Malformed": (404, "The specified description is wrongly formed."),
    "NoAttributeToModify": (400, "No attribute to be modified in this request."),
    "DiskNotPortable": (403, "The specified disk is not a portable disk."),
    "IncorrectDiskStatus/Modify": (403, "The operation is not supported in this status."),
    "IncompleteParamter": (400, "Some fields can not be null in this request."),
    # Not documented: DiskId and DiskIds.N together (the reference only says "not both").
    "InvalidParameter.Conflict": (400, "DiskId and DiskIds.N cannot be specified at the same time."),
    "InvalidParameter/BurstingEnabled": (400, 'The specified parameter "BurstingEnabled" is not valid.'),
    # docs-2021/ResizeDisk.en.md
    "InvalidDiskId.NotFound/Resize": (404, "The specified disk does not exist."),
    "InvalidDiskSize.TooSmall": (403, "Specified new disk size is less than the original disk size."),
    "InvalidDiskSize": (403, "Specified new disk size is less than or equal the original disk size."),
    "InvalidDiskSize.TooLarge": (403, "Specified new disk size is beyond the permitted range."),
    "DiskCreatingSnapshot": (
        403, "The operation is denied due to a snapshot of the specified disk is not completed yet."),
    "InvalidParam.Type": (400, "The specified type is not supported."),
    "OperationDenied": (403, "The type of the disk does not support the operation."),
    "InvalidDiskCategory.NotSupported": (403, "The specified disk category does not support resize online."),
    "IncorrectDiskStatus/Online": (403, "The current status of the resource does not support resize online"),
    "IncorrectDiskStatus/Resize": (403, "The current disk status does not support this operation."),
    "InvalidInstanceStatus.NotRunning": (
        403, "The status of instance to which the disk attachs must be running when resizing online."),
    "IncorrectInstanceStatus": (403, "The current status of the resource does not support this operation."),
    "DiskInArrears": (403, "The specified operation is denied as your disk owing fee."),
    "InstanceLockedForSecurity": (403, "The instance is locked due to security."),
    "InstanceExpiredOrInArrears": (
        403, "The specified operation is denied as your prepay instance is expired (prepay mode) or in arrears "
        "(afterpay mode)."),
}


def fails(client: Driver, key: str, action: str, **params: Any) -> None:
    status, message = ERRORS[key]
    expect_error(lambda: client.call(action, **params), key.split("/")[0], message, status)


def shown(client: Driver, disk_id: str) -> Dict[str, Any]:
    (disk,) = client.call("DescribeDisks", RegionId=REGION, DiskIds=f'["{disk_id}"]')["Disks"]["Disk"]
    return disk


def data_disk(client: Driver, **extra: Any) -> str:
    params = {"RegionId": REGION, "ZoneId": ZONE, "Size": 20, "DiskCategory": "cloud_essd", **extra}
    return client.call("CreateDisk", **params)["DiskId"]


# --- ModifyDiskAttribute -----------------------------------------------------------------------
def test_modify_disk_attribute_changes_what_describe_disks_shows_and_filters(client: Driver, ecs: MockEcs) -> None:
    instance_id = run_instance(client)
    disk_id = client.call("CreateDisk", RegionId=REGION, InstanceId=instance_id, Size=20)["DiskId"]
    before = shown(client, disk_id)
    assert (before["DiskName"], before["DeleteWithInstance"], before["DeleteAutoSnapshot"]) == ("", True, True)
    client.call("ModifyDiskAttribute", DiskId=disk_id, DiskName="logs-1", Description="the log volume",
                DeleteWithInstance=False, DeleteAutoSnapshot=False)
    after = shown(client, disk_id)
    assert (after["DiskName"], after["Description"], after["DeleteWithInstance"], after["DeleteAutoSnapshot"]) == (
        "logs-1", "the log volume", False, False)
    assert {k: v for k, v in after.items() if k not in ("DiskName", "Description", "DeleteWithInstance",
                                                        "DeleteAutoSnapshot")} == \
        {k: v for k, v in before.items() if k not in ("DiskName", "Description", "DeleteWithInstance",
                                                      "DeleteAutoSnapshot")}
    found = client.call("DescribeDisks", RegionId=REGION, InstanceId=instance_id, DeleteWithInstance=False,
                        DiskName="logs-1")["Disks"]["Disk"]
    assert [d["DiskId"] for d in found] == [disk_id]
    # One attribute at a time leaves the others as they are; DeleteWithInstance comes back.
    client.call("ModifyDiskAttribute", DiskId=disk_id, DeleteWithInstance=True)
    again = shown(client, disk_id)
    assert (again["DiskName"], again["DeleteWithInstance"], again["DeleteAutoSnapshot"]) == ("logs-1", True, False)


def test_modify_disk_attribute_without_region_finds_the_disk(client: Driver, ecs: MockEcs) -> None:
    disk_id = data_disk(client)
    client.call("ModifyDiskAttribute", DiskId=disk_id, DiskName="no-region")
    assert shown(client, disk_id)["DiskName"] == "no-region"


def test_modify_disk_attribute_of_many_disks_is_all_or_nothing(client: Driver, ecs: MockEcs) -> None:
    first, second = data_disk(client), data_disk(client)
    client.call("ModifyDiskAttribute", RegionId=REGION, DiskName="batch",
                **{"DiskIds.1": first, "DiskIds.2": second})
    assert [shown(client, d)["DiskName"] for d in (first, second)] == ["batch", "batch"]
    ghost = first[:-4] + "zzzz"
    fails(client, "InvalidDiskId.NotFound", "ModifyDiskAttribute", RegionId=REGION, DiskName="other",
          **{"DiskIds.1": first, "DiskIds.2": ghost})
    assert [shown(client, d)["DiskName"] for d in (first, second)] == ["batch", "batch"]


def test_modify_disk_attribute_names_disks_one_way(client: Driver, ecs: MockEcs) -> None:
    disk_id = data_disk(client)
    fails(client, "IncompleteParamter", "ModifyDiskAttribute", RegionId=REGION, DiskName="x1")
    fails(client, "InvalidParameter.Conflict", "ModifyDiskAttribute", RegionId=REGION, DiskId=disk_id,
          DiskName="x1", **{"DiskIds.1": disk_id})
    assert shown(client, disk_id)["DiskName"] == ""


def test_modify_disk_attribute_with_nothing_to_modify(client: Driver, ecs: MockEcs) -> None:
    disk_id = data_disk(client)
    fails(client, "NoAttributeToModify", "ModifyDiskAttribute", DiskId=disk_id)
    fails(client, "NoAttributeToModify", "ModifyDiskAttribute", DiskId=disk_id, DiskName="")


def test_modify_disk_attribute_unknown_disk(client: Driver, ecs: MockEcs) -> None:
    fails(client, "InvalidDiskId.NotFound", "ModifyDiskAttribute", DiskId="d-doesnotexist00000000", DiskName="ab")


@pytest.mark.parametrize(("param", "value", "key"), [
    ("DiskName", "1starts-with-a-digit", "InvalidDiskName.Malformed"),
    ("DiskName", "http://disk", "InvalidDiskName.Malformed"),
    ("DiskName", "x", "InvalidDiskName.Malformed"),
    ("Description", "x", "InvalidDescription.Malformed"),
    ("Description", "https://disk", "InvalidDescription.Malformed"),
])
def test_modify_disk_attribute_bad_name_or_description_changes_nothing(
    client: Driver, ecs: MockEcs, param: str, value: str, key: str,
) -> None:
    disk_id = data_disk(client, DiskName="kept", Description="kept too")
    fails(client, key, "ModifyDiskAttribute", DiskId=disk_id, DeleteAutoSnapshot=False, **{param: value})
    disk = shown(client, disk_id)
    assert (disk["DiskName"], disk["Description"], disk["DeleteAutoSnapshot"]) == ("kept", "kept too", True)


def test_modify_disk_attribute_of_a_disk_that_cannot_be_detached(client: Driver, ecs: MockEcs) -> None:
    instance_id = run_instance(client, **PREPAID_WEEK)
    disk_id = client.call("CreateDisk", RegionId=REGION, InstanceId=instance_id, Size=20)["DiskId"]
    assert shown(client, disk_id)["Portable"] is False
    fails(client, "DiskNotPortable", "ModifyDiskAttribute", DiskId=disk_id, DeleteWithInstance=False)
    assert shown(client, disk_id)["DeleteWithInstance"] is True
    # Its name may change; the system disk (never portable) may be kept after the instance.
    client.call("ModifyDiskAttribute", DiskId=disk_id, DiskName="prepaid-data")
    sys_id = system_disk(client, instance_id)
    client.call("ModifyDiskAttribute", DiskId=sys_id, DeleteWithInstance=False)
    assert shown(client, sys_id)["DeleteWithInstance"] is False


def test_modify_disk_attribute_of_a_disk_in_arrears(client: Driver, ecs: MockEcs) -> None:
    disk_id = data_disk(client)
    ecs.lock_disk(disk_id, "financial")
    expect_error(lambda: client.call("ModifyDiskAttribute", DiskId=disk_id, DiskName="late-payer"),
                 "IncorrectDiskStatus", *reversed(ERRORS["IncorrectDiskStatus/Modify"]))
    ecs.unlock_disk(disk_id)
    client.call("ModifyDiskAttribute", DiskId=disk_id, DiskName="late-payer")
    assert shown(client, disk_id)["DiskName"] == "late-payer"


def test_bursting_is_an_essd_autopl_attribute(client: Driver, ecs: MockEcs) -> None:
    auto, essd = data_disk(client, DiskCategory="cloud_auto"), data_disk(client)
    client.call("ModifyDiskAttribute", DiskId=auto, BurstingEnabled=True)
    assert shown(client, auto)["BurstingEnabled"] is True
    client.call("ModifyDiskAttribute", DiskId=auto, BurstingEnabled=False)
    assert shown(client, auto)["BurstingEnabled"] is False
    fails(client, "InvalidParameter/BurstingEnabled", "ModifyDiskAttribute", DiskId=essd, BurstingEnabled=True)
    assert shown(client, essd)["BurstingEnabled"] is False


# --- ResizeDisk ----------------------------------------------------------------------------------
def test_resize_disk_shows_the_new_size_and_its_performance(client: Driver, ecs: MockEcs) -> None:
    disk_id = data_disk(client)
    before = shown(client, disk_id)
    assert client.call("ResizeDisk", DiskId=disk_id, NewSize=100).keys() == {"RequestId"}
    after = shown(client, disk_id)
    assert (before["Size"], after["Size"]) == (20, 100)
    assert (after["IOPS"], after["Throughput"]) == (1800 + 50 * 100, 120 + 100 // 2)
    assert (after["Status"], after["DiskId"]) == (before["Status"], before["DiskId"])


def test_resize_disk_online_and_offline_on_an_instance(client: Driver, ecs: MockEcs) -> None:
    instance_id, sys_id = ready_disk(client, ecs)
    client.call("ResizeDisk", DiskId=sys_id, NewSize=60, Type="online")
    client.call("StopInstance", InstanceId=instance_id)
    fails(client, "InvalidInstanceStatus.NotRunning", "ResizeDisk", DiskId=sys_id, NewSize=80, Type="online")
    client.call("ResizeDisk", DiskId=sys_id, NewSize=80, Type="offline")
    assert shown(client, sys_id)["Size"] == 80


def test_a_resized_disk_takes_longer_to_snapshot(client: Driver, ecs: MockEcs) -> None:
    """40 GiB at 1.5 s/GiB take 60 s; resized to 80 GiB the next snapshot takes 120 s."""
    _, sys_id = ready_disk(client, ecs)
    first = client.call("CreateSnapshot", DiskId=sys_id)["SnapshotId"]
    fails(client, "DiskCreatingSnapshot", "ResizeDisk", DiskId=sys_id, NewSize=80)
    ecs.advance_clock(60)
    assert ecs.snapshot(first)["Status"] == "accomplished"
    client.call("ResizeDisk", DiskId=sys_id, NewSize=80)
    second = client.call("CreateSnapshot", DiskId=sys_id)["SnapshotId"]
    ecs.advance_clock(60)
    assert ecs.snapshot(second)["Status"] == "progressing"
    ecs.advance_clock(60)
    assert ecs.snapshot(second)["Status"] == "accomplished"
    assert ecs.snapshot(second)["SourceDiskSize"] == "80"


def test_a_resize_does_not_add_data(client: Driver, ecs: MockEcs) -> None:
    """A disk whose data size was set keeps it: the snapshot takes as long as before."""
    _, sys_id = ready_disk(client, ecs)
    ecs.set_disk_data_size(sys_id, 20)
    client.call("ResizeDisk", DiskId=sys_id, NewSize=200)
    snap = client.call("CreateSnapshot", DiskId=sys_id)["SnapshotId"]
    ecs.advance_clock(30)  # 20 GiB x 1.5 s
    assert ecs.snapshot(snap)["Status"] == "accomplished"


@pytest.mark.parametrize(("category", "new_size", "key"), [
    ("cloud_essd", 19, "InvalidDiskSize.TooSmall"),
    ("cloud_essd", 20, "InvalidDiskSize"),
    ("cloud_essd", 32769, "InvalidDiskSize.TooLarge"),
    ("cloud", 2001, "InvalidDiskSize.TooLarge"),
])
def test_resize_disk_size_limits(client: Driver, ecs: MockEcs, category: str, new_size: int, key: str) -> None:
    disk_id = data_disk(client, DiskCategory=category)
    fails(client, key, "ResizeDisk", DiskId=disk_id, NewSize=new_size)
    assert shown(client, disk_id)["Size"] == 20


def test_resize_disk_largest_sizes(client: Driver, ecs: MockEcs) -> None:
    essd, basic = data_disk(client), data_disk(client, DiskCategory="cloud")
    client.call("ResizeDisk", DiskId=essd, NewSize=32768)
    client.call("ResizeDisk", DiskId=basic, NewSize=2000)
    instance_id = run_instance(client)
    sys_id = system_disk(client, instance_id)
    fails(client, "InvalidDiskSize.TooLarge", "ResizeDisk", DiskId=sys_id, NewSize=501)
    client.call("ResizeDisk", DiskId=sys_id, NewSize=500)
    assert [shown(client, d)["Size"] for d in (essd, basic, sys_id)] == [32768, 2000, 500]


def test_resize_disk_type(client: Driver, ecs: MockEcs) -> None:
    disk_id = data_disk(client)
    fails(client, "InvalidParam.Type", "ResizeDisk", DiskId=disk_id, NewSize=40, Type="Online")
    fails(client, "InvalidParam.Type", "ResizeDisk", DiskId=disk_id, NewSize=40, Type="later")
    # Online needs the instance that has the disk; a basic disk is resized offline only.
    fails(client, "IncorrectDiskStatus/Online", "ResizeDisk", DiskId=disk_id, NewSize=40, Type="online")
    basic = data_disk(client, DiskCategory="cloud")
    fails(client, "InvalidDiskCategory.NotSupported", "ResizeDisk", DiskId=basic, NewSize=40, Type="online")
    client.call("ResizeDisk", DiskId=basic, NewSize=40, Type="offline")
    assert [shown(client, d)["Size"] for d in (disk_id, basic)] == [20, 40]


def test_resize_disk_unknown_disk(client: Driver, ecs: MockEcs) -> None:
    fails(client, "InvalidDiskId.NotFound/Resize", "ResizeDisk", DiskId="d-doesnotexist00000000", NewSize=40)


def test_resize_disk_refuses_a_local_disk(client: Driver, ecs: MockEcs) -> None:
    instance_id = run_instance(client, **{"DataDisk.1.Category": "ephemeral_ssd", "DataDisk.1.Size": 100})
    local = next(d["DiskId"] for d in disks_of(client, instance_id) if d["Category"] == "ephemeral_ssd")
    fails(client, "OperationDenied", "ResizeDisk", DiskId=local, NewSize=200)


def test_resize_disk_in_arrears_or_on_a_locked_instance(client: Driver, ecs: MockEcs) -> None:
    instance_id = run_instance(client)
    disk_id = client.call("CreateDisk", RegionId=REGION, InstanceId=instance_id, Size=20)["DiskId"]
    ecs.lock_disk(disk_id, "financial")
    fails(client, "DiskInArrears", "ResizeDisk", DiskId=disk_id, NewSize=40)
    ecs.unlock_disk(disk_id)
    ecs.lock_instance(instance_id, "security")
    fails(client, "InstanceLockedForSecurity", "ResizeDisk", DiskId=disk_id, NewSize=40)
    ecs.unlock_instance(instance_id)
    ecs.lock_instance(instance_id, "financial")
    fails(client, "InstanceExpiredOrInArrears", "ResizeDisk", DiskId=disk_id, NewSize=40)
    ecs.unlock_instance(instance_id)
    client.call("ResizeDisk", DiskId=disk_id, NewSize=40)
    assert shown(client, disk_id)["Size"] == 40


def test_resize_disk_waits_for_the_instance_and_the_disk(client: Driver, ecs: MockEcs) -> None:
    with MockEcs(instance_start_seconds=60, disk_transition_seconds=60) as slow:
        instance_id = run_instance(client)
        fails(client, "IncorrectInstanceStatus", "ResizeDisk", DiskId=system_disk(client, instance_id), NewSize=60)
        creating = data_disk(client)
        assert shown(client, creating)["Status"] == "Creating"
        fails(client, "IncorrectDiskStatus/Resize", "ResizeDisk", DiskId=creating, NewSize=40)
        slow.advance_clock(60)
        client.call("ResizeDisk", DiskId=system_disk(client, instance_id), NewSize=60)
        client.call("ResizeDisk", DiskId=creating, NewSize=40)


def test_resize_disk_of_a_subscription_disk_answers_its_order(client: Driver, ecs: MockEcs) -> None:
    instance_id = run_instance(client, **PREPAID_WEEK)
    disk_id = client.call("CreateDisk", RegionId=REGION, InstanceId=instance_id, Size=20)["DiskId"]
    out = client.call("ResizeDisk", DiskId=disk_id, NewSize=40)
    assert out.keys() == {"RequestId", "OrderId"} and out["OrderId"].isdigit()


def test_resize_disk_client_token_replays_the_answer(client: Driver, ecs: MockEcs) -> None:
    disk_id = data_disk(client)
    first = client.call("ResizeDisk", DiskId=disk_id, NewSize=40, ClientToken="resize-0001")
    # A replay is answered as the first call was, not refused as "not larger" now.
    again = client.call("ResizeDisk", DiskId=disk_id, NewSize=40, ClientToken="resize-0001")
    assert again.keys() == first.keys()
    assert shown(client, disk_id)["Size"] == 40


def test_the_new_actions_appear_in_the_call_record(client: Driver, ecs: MockEcs) -> None:
    disk_id = data_disk(client)
    client.call("ModifyDiskAttribute", DiskId=disk_id, DiskName="recorded")
    client.call("ResizeDisk", DiskId=disk_id, NewSize=30)
    calls: List[Any] = [c for c in ecs.calls if c.action in ("ModifyDiskAttribute", "ResizeDisk")]
    assert [(c.action, c.status) for c in calls] == [("ModifyDiskAttribute", 200), ("ResizeDisk", 200)]
