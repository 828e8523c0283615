"""ResetDisk and ResetDisks through aliyunsdkcore and the Tea SDK (in process and over HTTP),
and the content generation that proves a restore restored the right data (ecs.write_disk,
ecs.disk_content): a snapshot records its disk's generation, a disk made from it or reset to it
takes it back.

Codes, statuses and texts are copied from docs-2021/ResetDisk.en.md, ResetDisks.en.md and the
2025 table of NEXT-ACTIONS.md 2.2 (IncorrectDiskStatus.HasUnfinishedSnapshot).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Tuple

import pytest

from conftest import (
    REGION,
    ApiError,
    Driver,
    SdkCoreDriver,
    TeaDriver,
    accomplished_snapshot,
    disks_of,
    expect_error,
    ready_disk,
    run_instance,
    snapshots_of,
    system_disk,
)
from mock_ecs import MockEcs, regions

ERRORS: Dict[str, Tuple[int, str]] = {
    "InvalidDiskId.NotFound": (404, "The specified disk does not exist."),
    "InvalidSnapshotId.NotFound": (404, "The specified SnapshotId does not exist."),
    "DiskCategory.OperationNotSupported": (
        400, "The operation is not supported to the specified disk due to its disk category"),
    "OperationDenied": (403, "The specified snapshot dees not support ResetDisk."),
    "InvalidParameter.Mismatch": (403, "The specified snapshot is not created from the specified disk."),
    "InvalidSnapshotId.NotReady": (403, "The specified snapshot has not completed yet."),
    "IncorrectDiskStatus": (403, "The current disk status does not support this operation."),
    "IncorrectInstanceStatus": (403, "The current status of the resource does not support this operation."),
    "InstanceLockedForSecurity": (403, "The instance is locked due to security."),
    "InstanceExpiredOrInArrears": (
        403, "The specified operation is denied as your prepay instance is expired (prepay mode) or in arrears "
             "(afterpay mode)."),
    "IncorrectDiskStatus.HasUnfinishedSnapshot": (403, "The current disk has unfinished snapshot."),
    "InvalidAccountStatus.NotEnoughBalance": (403, "Your account does not have enough balance."),
    "InvalidAccountStatus.SnapshotServiceUnavailable": (403, "Snapshot service has not been opened yet."),
    "DryRunOperation": (400, "Request validation has been passed with DryRun flag set."),
}
ACTIONS = ("ResetDisk", "ResetDisks")
FAR = "cn-shanghai"


def reset(client: Driver, action: str, disk_id: str, snap_id: str, **extra: Any) -> Dict[str, Any]:
    """One disk reset by ResetDisk, or by ResetDisks as its one pair."""
    if action == "ResetDisk":
        return client.call("ResetDisk", DiskId=disk_id, SnapshotId=snap_id, **extra)
    extra.setdefault("RegionId", REGION)
    return client.call("ResetDisks", **{"Disk.1.DiskId": disk_id, "Disk.1.SnapshotId": snap_id}, **extra)


def refused(client: Driver, action: str, code: str, disk_id: str, snap_id: str, **extra: Any) -> None:
    status, message = ERRORS[code]
    expect_error(lambda: reset(client, action, disk_id, snap_id, **extra), code, message, status)


def stop(client: Driver, ecs: MockEcs, instance_id: str) -> None:
    client.call("StopInstance", InstanceId=instance_id)
    ecs.advance_clock(60)


def snapshot(client: Driver, ecs: MockEcs, disk_id: str) -> str:
    """A snapshot of the disk, accomplished (40 GiB x 1.5 s)."""
    snap_id = str(client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"])
    ecs.advance_clock(60)
    return snap_id


# --- the restore drill -------------------------------------------------------------------------
@pytest.mark.parametrize("action", ACTIONS)
def test_restore_drill(client: Driver, ecs: MockEcs, action: str) -> None:
    """Write, snapshot, write, stop, reset, start: the disk holds the first generation."""
    instance_id, disk_id = ready_disk(client, ecs)
    assert ecs.disk_content(disk_id) == 0
    assert ecs.write_disk(disk_id) == 1
    first = snapshot(client, ecs, disk_id)
    assert ecs.write_disk(disk_id) == 2
    second = snapshot(client, ecs, disk_id)  # newer than the one restored: it stays
    assert ecs.write_disk(disk_id) == 3
    stop(client, ecs, instance_id)
    answer = reset(client, action, disk_id, first)
    assert answer["RequestId"]
    client.call("StartInstance", InstanceId=instance_id)
    ecs.advance_clock(60)
    assert ecs.disk_content(disk_id) == 1
    assert [s["SnapshotId"] for s in snapshots_of(client, disk_id)] == [second, first]
    disk = ecs.disk(disk_id)
    assert (disk["Status"], disk["InstanceId"]) == ("In_use", instance_id)
    # The newer snapshot still restores the newer data; writes go on from what the disk holds.
    stop(client, ecs, instance_id)
    reset(client, action, disk_id, second)
    assert ecs.disk_content(disk_id) == 2
    assert ecs.write_disk(disk_id) == 3
    # A disk made from the first snapshot holds it too.
    made = client.call("CreateDisk", RegionId=REGION, ZoneId=disk["ZoneId"], SnapshotId=first)["DiskId"]
    assert ecs.disk_content(made) == 1


def test_a_disk_made_from_a_copy_in_another_region_holds_the_data(client: Driver, ecs: MockEcs) -> None:
    """The disaster-recovery half of the drill: CopySnapshot to another region, CreateDisk there."""
    instance_id, disk_id = ready_disk(client, ecs)
    ecs.write_disk(disk_id)
    first = snapshot(client, ecs, disk_id)
    ecs.write_disk(disk_id)
    copy = client.call("CopySnapshot", RegionId=REGION, SnapshotId=first, DestinationRegionId=FAR,
                       DestinationSnapshotName="dr-copy", DestinationSnapshotDescription="disaster recovery")[
        "SnapshotId"]
    ecs.advance_clock(3600)
    far_zone = regions.default_zone(FAR)
    made = client.call("CreateDisk", RegionId=FAR, ZoneId=far_zone, SnapshotId=copy)["DiskId"]
    assert ecs.disk_content(made) == 1 and ecs.disk_content(disk_id) == 2
    # A copy restores no disk by ResetDisk, not even one made from it: the reference's typo.
    ecs.write_disk(made)
    refused(client, "ResetDisk", "OperationDenied", made, copy, RegionId=FAR)
    refused(client, "ResetDisks", "OperationDenied", made, copy, RegionId=FAR)
    assert ecs.disk_content(made) == 2


def test_resetdisks_answers_each_pair_in_the_documented_shape(client: Driver, ecs: MockEcs) -> None:
    instance_id, system = ready_disk(client, ecs, **{"DataDisk.1.Size": 20})
    data = next(d["DiskId"] for d in disks_of(client, instance_id) if d["Type"] == "data")
    ecs.write_disk(system)
    ecs.write_disk(data)
    ecs.write_disk(data)
    group = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)["SnapshotGroupId"]
    ecs.advance_clock(3600)
    members = {s["SourceDiskId"]: s["SnapshotId"] for s in client.call(
        "DescribeSnapshots", RegionId=REGION, InstanceId=instance_id)["Snapshots"]["Snapshot"]}
    assert group and set(members) == {system, data}
    ecs.write_disk(system)
    ecs.write_disk(data)
    stop(client, ecs, instance_id)
    out = client.call("ResetDisks", RegionId=REGION, **{
        "Disk.1.DiskId": system, "Disk.1.SnapshotId": members[system],
        "Disk.2.DiskId": data, "Disk.2.SnapshotId": members[data]})
    assert out["OperationProgressSet"]["OperationProgress"] == [
        {"OperationStatus": "Success", "ErrorMsg": "", "ErrorCode": "", "RelatedItemSet": {"RelatedItem": [
            {"Value": members[disk_id], "Name": "SnapshotId"}, {"Value": disk_id, "Name": "DiskId"}]}}
        for disk_id in (system, data)
    ]
    assert (ecs.disk_content(system), ecs.disk_content(data)) == (1, 2)


def test_resetdisks_changes_no_disk_when_one_pair_is_refused(client: Driver, ecs: MockEcs) -> None:
    instance_id, system = ready_disk(client, ecs, **{"DataDisk.1.Size": 20})
    data = next(d["DiskId"] for d in disks_of(client, instance_id) if d["Type"] == "data")
    sys_snap = snapshot(client, ecs, system)
    data_snap = snapshot(client, ecs, data)
    ecs.write_disk(system)
    ecs.write_disk(data)
    stop(client, ecs, instance_id)
    pairs = {"Disk.1.DiskId": system, "Disk.1.SnapshotId": sys_snap, "Disk.2.DiskId": data,
             "Disk.2.SnapshotId": sys_snap}
    status, message = ERRORS["InvalidParameter.Mismatch"]
    expect_error(lambda: client.call("ResetDisks", RegionId=REGION, **pairs), "InvalidParameter.Mismatch", message,
                 status)
    assert (ecs.disk_content(system), ecs.disk_content(data)) == (1, 1)
    pairs["Disk.2.SnapshotId"] = data_snap
    client.call("ResetDisks", RegionId=REGION, **pairs)
    assert (ecs.disk_content(system), ecs.disk_content(data)) == (0, 0)


@pytest.mark.in_process
def test_the_typed_request_classes_of_both_sdks(ecs: MockEcs) -> None:
    """aliyunsdkecs' ResetDiskRequest/ResetDisksRequest and the Tea client's reset_disk(s) with
    their models: the answer fills the Tea response model."""
    from alibabacloud_ecs20140526 import models
    from aliyunsdkecs.request.v20140526.ResetDiskRequest import ResetDiskRequest
    from aliyunsdkecs.request.v20140526.ResetDisksRequest import ResetDisksRequest

    core, tea = SdkCoreDriver(), TeaDriver()
    instance_id, disk_id, first = accomplished_snapshot(core, ecs)
    ecs.write_disk(disk_id)
    stop(core, ecs, instance_id)
    one = ResetDiskRequest()
    one.set_DiskId(disk_id)
    one.set_SnapshotId(first)
    assert json.loads(core.client.do_action_with_exception(one))["RequestId"]
    assert ecs.disk_content(disk_id) == 0
    ecs.write_disk(disk_id)
    many = ResetDisksRequest()
    many.set_Disks([{"DiskId": disk_id, "SnapshotId": first}])
    assert json.loads(core.client.do_action_with_exception(many))["OperationProgressSet"]
    assert ecs.disk_content(disk_id) == 0
    ecs.write_disk(disk_id)
    assert tea.client.reset_disk(models.ResetDiskRequest(disk_id=disk_id, snapshot_id=first)).body.request_id
    assert ecs.disk_content(disk_id) == 0
    ecs.write_disk(disk_id)
    body = tea.client.reset_disks(models.ResetDisksRequest(region_id=REGION, disk=[
        models.ResetDisksRequestDisk(disk_id=disk_id, snapshot_id=first)])).body
    progress = body.operation_progress_set.operation_progress[0]
    assert (progress.operation_status, progress.error_code, progress.error_msg) == ("Success", "", "")
    assert [(i.name, i.value) for i in progress.related_item_set.related_item] == [
        ("SnapshotId", first), ("DiskId", disk_id)]
    assert ecs.disk_content(disk_id) == 0


# --- where a disk's data comes from ------------------------------------------------------------
def test_every_disk_made_from_a_snapshot_or_an_image_holds_its_data(client: Driver, ecs: MockEcs) -> None:
    instance_id, disk_id = ready_disk(client, ecs)
    ecs.write_disk(disk_id)
    ecs.write_disk(disk_id)
    snap = snapshot(client, ecs, disk_id)
    zone = ecs.disk(disk_id)["ZoneId"]
    assert ecs.disk_content(client.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=20)["DiskId"]) == 0
    assert ecs.disk_content(client.call("CreateDisk", RegionId=REGION, ZoneId=zone, SnapshotId=snap)["DiskId"]) == 2
    # RunInstances: a data disk from the snapshot; a system disk from a custom image (of the
    # snapshot, or of the instance: CreateImage snapshots each disk as it is now).
    other = run_instance(client, **{"DataDisk.1.SnapshotId": snap})
    data = next(d["DiskId"] for d in disks_of(client, other) if d["Type"] == "data")
    assert (ecs.disk_content(data), ecs.disk_content(system_disk(client, other))) == (2, 0)
    from_snap = client.call("CreateImage", RegionId=REGION, SnapshotId=snap)["ImageId"]
    ecs.write_disk(disk_id)
    from_instance = client.call("CreateImage", RegionId=REGION, InstanceId=instance_id)["ImageId"]
    ecs.write_disk(disk_id)
    ecs.advance_clock(3600)
    booted = run_instance(client, ImageId=from_snap)
    assert ecs.disk_content(system_disk(client, booted)) == 2
    booted = run_instance(client, ImageId=from_instance)
    assert ecs.disk_content(system_disk(client, booted)) == 3
    # ReplaceSystemDisk: the new system disk holds the image's data; with a public image none.
    stop(client, ecs, booted)
    new = client.call("ReplaceSystemDisk", InstanceId=booted, ImageId=from_snap)["DiskId"]
    assert ecs.disk_content(new) == 2
    # CopyImage: the copy's snapshots hold the source's data, in the other region.
    copied = client.call("CopyImage", RegionId=REGION, ImageId=from_instance,
                         DestinationRegionId="cn-shanghai")["ImageId"]
    ecs.advance_clock(3600)
    far = run_instance(client, RegionId="cn-shanghai", ImageId=copied)
    far_disk = next(d for d in client.call("DescribeDisks", RegionId="cn-shanghai", InstanceId=far)["Disks"]["Disk"])
    assert ecs.disk_content(far_disk["DiskId"]) == 3


def test_the_content_survives_a_saved_state(ecs: MockEcs) -> None:
    client = SdkCoreDriver()
    _, disk_id, snap = accomplished_snapshot(client, ecs)
    ecs.write_disk(disk_id)
    saved = ecs.dump_state()
    ecs.reset()
    ecs.load_state(saved)
    assert ecs.disk_content(disk_id) == 1
    made = client.call("CreateDisk", RegionId=REGION, ZoneId=ecs.disk(disk_id)["ZoneId"], SnapshotId=snap)
    assert ecs.disk_content(made["DiskId"]) == 0


def test_write_and_read_the_content_per_account(ecs: MockEcs) -> None:
    ecs.register_access_key("LTAIotherAccessKey01", "otherSecret", "1111111111111111")
    other = SdkCoreDriver(ak="LTAIotherAccessKey01", secret="otherSecret")
    disk_id = system_disk(other, run_instance(other))
    assert ecs.write_disk(disk_id, account_id="1111111111111111") == 1
    assert ecs.disk_content(disk_id) == ecs.disk_content(disk_id, "1111111111111111") == 1
    with pytest.raises(KeyError):
        ecs.disk_content(disk_id, account_id="1234567890123456")
    with pytest.raises(KeyError):
        ecs.write_disk(disk_id, account_id="1234567890123456")
    with pytest.raises(KeyError):
        ecs.write_disk("d-nosuch")


def test_a_write_comes_after_the_automatic_snapshots_due(client: Driver, ecs: MockEcs) -> None:
    """write_disk settles the clock first, like every view: a snapshot due before the write has
    the old data."""
    _, disk_id = ready_disk(client, ecs)
    hour = (int(ecs.now().timestamp()) // 3600 + 8 + 1) % 24  # the next whole hour, UTC+8
    policy = client.call("CreateAutoSnapshotPolicy", regionId=REGION, timePoints=json.dumps([hour]),
                         repeatWeekdays=json.dumps([1, 2, 3, 4, 5, 6, 7]), retentionDays=-1)["AutoSnapshotPolicyId"]
    client.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy, diskIds=json.dumps([disk_id]))
    ecs.write_disk(disk_id)
    ecs.advance_clock(3600)
    assert ecs.write_disk(disk_id) == 2  # the firing of that hour came first: it holds generation 1
    auto = ecs.backend.accounts["1234567890123456"].regions[REGION].snapshots_by_disk[disk_id]
    assert [s.content for s in auto.values()] == [1]


# --- every documented refusal ------------------------------------------------------------------
@pytest.mark.parametrize("action", ACTIONS)
def test_unknown_disk_and_snapshot(client: Driver, ecs: MockEcs, action: str) -> None:
    _, disk_id, snap = accomplished_snapshot(client, ecs)
    refused(client, action, "InvalidDiskId.NotFound", "d-bp1nosuchdisk0000000", snap)
    refused(client, action, "InvalidSnapshotId.NotFound", disk_id, "s-bp1nosuchsnapshot000")
    # A snapshot of another region is not found in the disk's.
    far = client.call("RunInstances", RegionId="cn-shanghai", ImageId="ubuntu_22_04_x64_20G_alibase_20240130.vhd",
                      InstanceType="ecs.g7.large")["InstanceIdSets"]["InstanceIdSet"]
    far_id = far[0] if isinstance(far, list) else far
    far_disk = client.call("DescribeDisks", RegionId="cn-shanghai", InstanceId=far_id)["Disks"]["Disk"][0]["DiskId"]
    refused(client, action, "InvalidSnapshotId.NotFound", far_disk, snap, RegionId="cn-shanghai")


@pytest.mark.parametrize("action", ACTIONS)
def test_a_local_disk_cannot_be_reset(client: Driver, ecs: MockEcs, action: str) -> None:
    _, _, snap = accomplished_snapshot(client, ecs)
    inst = run_instance(client, **{"DataDisk.1.Category": "local_ssd_pro", "DataDisk.1.Size": 100})
    local = next(d["DiskId"] for d in disks_of(client, inst) if d["Category"] == "local_ssd_pro")
    refused(client, action, "DiskCategory.OperationNotSupported", local, snap)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_snapshot_of_another_disk_is_a_mismatch(client: Driver, ecs: MockEcs, action: str) -> None:
    instance_id, disk_id, snap = accomplished_snapshot(client, ecs)
    other = client.call("CreateDisk", RegionId=REGION, ZoneId=ecs.disk(disk_id)["ZoneId"], SnapshotId=snap)["DiskId"]
    stop(client, ecs, instance_id)
    # Even a disk made from the snapshot: it was not taken from that disk.
    refused(client, action, "InvalidParameter.Mismatch", other, snap)
    assert ecs.disk_content(other) == 0


@pytest.mark.parametrize("action", ACTIONS)
def test_a_progressing_or_failed_snapshot_is_not_ready(client: Driver, ecs: MockEcs, action: str) -> None:
    instance_id, disk_id = ready_disk(client, ecs)
    client.call("StopInstance", InstanceId=instance_id)
    progressing = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    refused(client, action, "InvalidSnapshotId.NotReady", disk_id, progressing)
    ecs.advance_clock(20)
    ecs.fail_snapshot(progressing)
    assert ecs.snapshot(progressing)["Status"] == "failed"
    # A failed snapshot never completed: the same answer, and it frees the disk for the next.
    refused(client, action, "InvalidSnapshotId.NotReady", disk_id, progressing)
    good = snapshot(client, ecs, disk_id)
    reset(client, action, disk_id, good)


@pytest.mark.parametrize("action", ACTIONS)
def test_the_disk_must_be_in_use_or_available(client: Driver, action: str) -> None:
    with MockEcs(disk_transition_seconds=5) as ecs:  # the newest mock answers both transports
        instance_id, system = ready_disk(client, ecs)
        data = client.call("CreateDisk", RegionId=REGION, InstanceId=instance_id, Size=20)["DiskId"]
        ecs.advance_clock(3600)
        snap = client.call("CreateSnapshot", DiskId=data)["SnapshotId"]
        ecs.advance_clock(3600)
        stop(client, ecs, instance_id)
        client.call("DetachDisk", InstanceId=instance_id, DiskId=data)
        assert ecs.disk(data)["Status"] == "Detaching"
        refused(client, action, "IncorrectDiskStatus", data, snap)
        ecs.advance_clock(5)
        assert ecs.disk(data)["Status"] == "Available"
        ecs.write_disk(data)
        reset(client, action, data, snap)  # a detached disk needs no instance
        assert ecs.disk_content(data) == 0
        client.call("AttachDisk", InstanceId=instance_id, DiskId=data)
        refused(client, action, "IncorrectDiskStatus", data, snap)


@pytest.mark.parametrize("action", ACTIONS)
def test_the_instance_must_be_stopped_unlocked_and_paid(client: Driver, ecs: MockEcs, action: str) -> None:
    instance_id, disk_id, snap = accomplished_snapshot(client, ecs)
    refused(client, action, "IncorrectInstanceStatus", disk_id, snap)  # Running
    stop(client, ecs, instance_id)
    ecs.lock_instance(instance_id, "security")
    refused(client, action, "InstanceLockedForSecurity", disk_id, snap)
    ecs.unlock_instance(instance_id)
    ecs.lock_instance(instance_id, "financial")
    refused(client, action, "InstanceExpiredOrInArrears", disk_id, snap)
    ecs.unlock_instance(instance_id)
    ecs.lock_disk(disk_id)
    refused(client, action, "InstanceExpiredOrInArrears", disk_id, snap)
    ecs.unlock_disk(disk_id)
    reset(client, action, disk_id, snap)


@pytest.mark.parametrize("action", ACTIONS)
def test_no_snapshot_of_the_disk_may_be_progressing(client: Driver, ecs: MockEcs, action: str) -> None:
    instance_id, disk_id, snap = accomplished_snapshot(client, ecs)
    stop(client, ecs, instance_id)
    ecs.write_disk(disk_id)
    client.call("CreateSnapshot", DiskId=disk_id)
    refused(client, action, "IncorrectDiskStatus.HasUnfinishedSnapshot", disk_id, snap)
    ecs.advance_clock(60)
    reset(client, action, disk_id, snap)
    assert ecs.disk_content(disk_id) == 0


@pytest.mark.parametrize("action", ACTIONS)
def test_the_account_status(client: Driver, ecs: MockEcs, action: str) -> None:
    instance_id, disk_id, snap = accomplished_snapshot(client, ecs)
    stop(client, ecs, instance_id)
    ecs.set_account_status(not_enough_balance=True)
    refused(client, action, "InvalidAccountStatus.NotEnoughBalance", disk_id, snap)
    ecs.set_account_status(not_enough_balance=False, snapshot_service_unavailable=True)
    refused(client, action, "InvalidAccountStatus.SnapshotServiceUnavailable", disk_id, snap)


@pytest.mark.parametrize("action", ACTIONS)
def test_dry_run_checks_everything_and_changes_nothing(client: Driver, ecs: MockEcs, action: str) -> None:
    instance_id, disk_id, snap = accomplished_snapshot(client, ecs)
    refused(client, action, "IncorrectInstanceStatus", disk_id, snap, DryRun=True)
    stop(client, ecs, instance_id)
    ecs.write_disk(disk_id)
    refused(client, action, "DryRunOperation", disk_id, snap, DryRun=True)
    assert ecs.disk_content(disk_id) == 1
    reset(client, action, disk_id, snap, DryRun=False)
    assert ecs.disk_content(disk_id) == 0


def test_resetdisks_pairs_in_the_mocks_own_words(client: Driver, ecs: MockEcs) -> None:
    """The reference names no code for these: a pair lacking a half, a disk named twice, N past 10."""
    instance_id, disk_id, snap = accomplished_snapshot(client, ecs)
    stop(client, ecs, instance_id)
    expect_error(lambda: client.call("ResetDisks", RegionId=REGION), "MissingDisk",
                 "Disk is mandatory for this action.", 400)
    expect_error(lambda: client.call("ResetDisks", RegionId=REGION, **{"Disk.1.DiskId": disk_id}),
                 "MissingDisk.1.SnapshotId", "Disk.1.SnapshotId is mandatory for this action.", 400)
    expect_error(lambda: client.call("ResetDisks", RegionId=REGION, **{"Disk.1.SnapshotId": snap}),
                 "MissingDisk.1.DiskId", "Disk.1.DiskId is mandatory for this action.", 400)
    twice = {"Disk.1.DiskId": disk_id, "Disk.1.SnapshotId": snap, "Disk.2.DiskId": disk_id, "Disk.2.SnapshotId": snap}
    expect_error(lambda: client.call("ResetDisks", RegionId=REGION, **twice), "InvalidParameter",
                 'The specified parameter "Disk.2.DiskId" is not valid.', 400)
    expect_error(lambda: client.call("ResetDisks", RegionId=REGION, **{"Disk.11.DiskId": disk_id,
                                                                       "Disk.11.SnapshotId": snap}),
                 "InvalidParameter", 'The specified parameter "Disk.11.DiskId" is not valid.', 400)
    with pytest.raises(ApiError):
        client.call("ResetDisk", SnapshotId=snap)
