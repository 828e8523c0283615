"""Documented rules of the instance, disk and image actions that depend on billing, local disks
and device names: CreateImage's OperationDenied and QuotaExceed.Image, DeleteInstance's
ChargeTypeViolation, StartInstance's InstanceExpired/DiskInArrears/InsufficientBalance,
StopInstance's and AttachDisk's InstanceExpiredOrInArrears, StopInstance's ConfirmStop
(InstanceType.ParameterMismatch), AttachDisk's Device (InvalidDevice.*), DeleteSnapshot's
Operation.Conflict. Codes, statuses and texts: shared/reference/ecs-api/actions/<Action>.md.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

import pytest

from conftest import (
    REGION,
    Driver,
    SdkCoreDriver,
    create_instance,
    disks_of,
    expect_error,
    run_instance,
    system_disk,
)
from mock_ecs import MockEcs

WEEK = 7 * 86400
PREPAID_WEEK = {"InstanceChargeType": "PrePaid", "Period": 1, "PeriodUnit": "Week"}
LOCAL_DISK = {"DataDisk.1.Category": "ephemeral_ssd", "DataDisk.1.Size": 100}
NOT_SYSTEM = "The specified snapshot is not from system disk."
NO_SYSTEM = "The specified parameter DiskDeviceMapping.n.SnapshotId does not contain system disk snapshot."
TWO_SYSTEMS = "The specified parameter DiskDeviceMapping.n.SnapshotId contains two or more system disk snapshots."
CHARGE_TYPE = "The operation is not permitted due to charge type of the instance."
PREPAID_EXPIRED = "The prePaid instance has been expired."
POSTPAID_EXPIRED = "The postPaid instance has been expired. Please ensure your account have enough balance."
ARREARS = ("The specified operation is denied as your prepay instance is expired (prepay mode) "
           "or in arrears (afterpay mode).")
CONFIRM_STOP = "The input parameter ConfirmStop must be true when an instance have localstorage."
BAD_DEVICE = "The specified port is not valid."
DEVICE_IN_USE = "The specified device has been occupied."
DRY_RUN = "Request validation has been passed with DryRun flag set."


def status(ecs: MockEcs, instance_id: str) -> str:
    return str(ecs.instance(instance_id)["Status"])


def snapshot(client: Driver, ecs: MockEcs, disk_id: str) -> str:
    snap = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ecs.advance_clock(120)
    return str(snap)


def system_and_data_snapshots(client: Driver, ecs: MockEcs) -> Tuple[str, str]:
    instance_id = run_instance(client, **{"DataDisk.1.Size": 20})
    ecs.advance_clock(ecs.settings.initialization_seconds)
    by_type = {d["Type"]: d["DiskId"] for d in disks_of(client, instance_id)}
    return snapshot(client, ecs, by_type["system"]), snapshot(client, ecs, by_type["data"])


def free_disk(client: Driver, ecs: MockEcs, instance_id: str) -> str:
    zone = ecs.instance(instance_id)["ZoneId"]
    return str(client.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=20, DiskCategory="cloud_essd")["DiskId"])


def image(client: Driver, **params: Any) -> Dict[str, Any]:
    return client.call("CreateImage", RegionId=REGION, **params)


# --- CreateImage ----------------------------------------------------------------------------------
def test_create_image_from_a_data_disk_snapshot_is_denied(client, ecs):
    system, data = system_and_data_snapshots(client, ecs)
    expect_error(lambda: image(client, SnapshotId=data), "OperationDenied", NOT_SYSTEM, 403)
    expect_error(lambda: image(client, SnapshotId=data, DryRun=True), "OperationDenied", NOT_SYSTEM, 403)
    assert ecs.ids("images") == []
    assert image(client, SnapshotId=system)["ImageId"] in ecs.ids("images")


def test_create_image_mapping_needs_exactly_one_system_disk(client, ecs):
    system, data = system_and_data_snapshots(client, ecs)
    only_data = {"DiskDeviceMapping.1.SnapshotId": data}
    expect_error(lambda: image(client, **only_data), "OperationDenied", NO_SYSTEM, 400)
    two = {"DiskDeviceMapping.1.SnapshotId": system, "DiskDeviceMapping.2.SnapshotId": data,
           "DiskDeviceMapping.2.DiskType": "system"}
    expect_error(lambda: image(client, **two), "OperationDenied", TWO_SYSTEMS, 400)
    bad_type = {"DiskDeviceMapping.1.SnapshotId": data, "DiskDeviceMapping.1.DiskType": "root"}
    expect_error(lambda: image(client, **bad_type), "InvalidDiskType.ValueNotSupported",
                 "The specified disk type is not supported.", 400)
    assert ecs.ids("images") == []
    # DiskType=system makes a data disk's snapshot the image's system disk (CreateImage.md).
    made = image(client, **{**only_data, "DiskDeviceMapping.1.DiskType": "system"})["ImageId"]
    (row,) = ecs.image(made)["DiskDeviceMappings"]["DiskDeviceMapping"]
    assert (row["SnapshotId"], row["Type"]) == (data, "system")


def test_image_quota(client, ecs):
    with MockEcs(image_quota=2) as small:
        system, _ = system_and_data_snapshots(client, small)
        first = image(client, SnapshotId=system, ClientToken="first")["ImageId"]
        image(client, SnapshotId=system)
        expect_error(lambda: image(client, SnapshotId=system), "QuotaExceed.Image", "The Image Quota exceeds.", 403)
        expect_error(lambda: image(client, SnapshotId=system, DryRun=True), "QuotaExceed.Image", status=403)
        # A replay of the first request answers its image; nothing new is made.
        assert image(client, SnapshotId=system, ClientToken="first")["ImageId"] == first
        assert len(small.ids("images")) == 2
        client.call("DeleteImage", RegionId=REGION, ImageId=first)
        image(client, SnapshotId=system)
    assert MockEcs().settings.image_quota == 100


# --- DeleteInstance -------------------------------------------------------------------------------
def test_a_subscription_is_released_only_once_expired_and_asked_to(client, ecs):
    instance_id = run_instance(client, **PREPAID_WEEK)
    for extra in ({}, {"Force": True}, {"TerminateSubscription": True}, {"DryRun": True}):
        expect_error(lambda e=extra: client.call("DeleteInstance", InstanceId=instance_id, **e),
                     "ChargeTypeViolation", CHARGE_TYPE, 403)
    ecs.advance_clock(WEEK)
    expect_error(lambda: client.call("DeleteInstance", InstanceId=instance_id, Force=True),
                 "ChargeTypeViolation", CHARGE_TYPE, 403)
    expect_error(lambda: client.call("DeleteInstance", InstanceId=instance_id, TerminateSubscription=True,
                                     DryRun=True), "DryRunOperation", DRY_RUN, 400)
    assert ecs.ids("instances") == [instance_id]
    # Expired: the real service has stopped it, so no Force is needed.
    client.call("DeleteInstance", InstanceId=instance_id, TerminateSubscription=True)
    assert ecs.ids("instances") == [] and ecs.ids("disks") == []


def test_pay_as_you_go_ignores_terminate_subscription(client, ecs):
    instance_id = create_instance(client)
    client.call("DeleteInstance", InstanceId=instance_id, TerminateSubscription=False)
    assert ecs.ids("instances") == []


# --- StartInstance --------------------------------------------------------------------------------
def test_start_an_expired_subscription(client, ecs):
    instance_id = create_instance(client, **PREPAID_WEEK)
    ecs.advance_clock(WEEK - 1)
    expect_error(lambda: client.call("StartInstance", InstanceId=instance_id, DryRun=True),
                 "DryRunOperation", DRY_RUN, 400)
    ecs.advance_clock(1)
    for extra in ({}, {"DryRun": True}):
        expect_error(lambda e=extra: client.call("StartInstance", InstanceId=instance_id, **e),
                     "InstanceExpired", PREPAID_EXPIRED, 403)
    assert status(ecs, instance_id) == "Stopped"


def test_start_a_pay_as_you_go_instance_in_arrears(client, ecs):
    instance_id = create_instance(client)
    ecs.lock_instance(instance_id, "financial")
    expect_error(lambda: client.call("StartInstance", InstanceId=instance_id), "InstanceExpired", POSTPAID_EXPIRED, 403)
    ecs.unlock_instance(instance_id)
    client.call("StartInstance", InstanceId=instance_id)
    assert status(ecs, instance_id) == "Running"


def test_start_with_a_disk_in_arrears(client, ecs):
    instance_id = create_instance(client)
    disk_id = system_disk(client, instance_id)
    ecs.lock_disk(disk_id)
    shown = ecs.disk(disk_id)["OperationLocks"]["OperationLock"]
    assert shown == [{"LockReason": "financial"}]
    expect_error(lambda: client.call("StartInstance", InstanceId=instance_id), "DiskInArrears",
                 "The specified operation is denied as your disk has expired.", 403)
    ecs.unlock_disk(disk_id, "financial")
    assert ecs.disk(disk_id)["OperationLocks"]["OperationLock"] == []
    client.call("StartInstance", InstanceId=instance_id)


def test_start_needs_balance_for_pay_as_you_go_only(client, ecs):
    payg, prepaid = create_instance(client), create_instance(client, **PREPAID_WEEK)
    ecs.set_account_status(not_enough_balance=True)
    for extra in ({}, {"DryRun": True}):
        expect_error(lambda e=extra: client.call("StartInstance", InstanceId=payg, **e),
                     "InsufficientBalance", "Your account does not have enough balance.", 403)
    client.call("StartInstance", InstanceId=prepaid)  # a subscription is paid for
    ecs.set_account_status(not_enough_balance=False)
    client.call("StartInstance", InstanceId=payg)
    assert (status(ecs, payg), status(ecs, prepaid)) == ("Running", "Running")


def test_the_balance_flag_is_per_account(ecs):
    ecs.register_access_key("LTAIpoor", "poorSecret", "2222222222222222")
    poor, rich = SdkCoreDriver(ak="LTAIpoor", secret="poorSecret"), SdkCoreDriver()
    mine, theirs = create_instance(rich), create_instance(poor)
    ecs.set_account_status(not_enough_balance=True, account_id="2222222222222222")
    expect_error(lambda: poor.call("StartInstance", InstanceId=theirs), "InsufficientBalance", status=403)
    rich.call("StartInstance", InstanceId=mine)


# --- StopInstance ---------------------------------------------------------------------------------
def test_stop_an_expired_or_locked_instance(client, ecs):
    prepaid, payg = run_instance(client, **PREPAID_WEEK), run_instance(client)
    ecs.advance_clock(WEEK)
    ecs.lock_instance(payg, "financial")
    for instance_id in (prepaid, payg):
        for extra in ({}, {"DryRun": True}):
            expect_error(lambda i=instance_id, e=extra: client.call("StopInstance", InstanceId=i, **e),
                         "InstanceExpiredOrInArrears", ARREARS, 403)
    ecs.unlock_instance(payg)
    client.call("StopInstance", InstanceId=payg)


def test_stop_an_instance_with_local_disks_needs_confirm_stop(client, ecs):
    local, cloud = run_instance(client, **LOCAL_DISK), run_instance(client)
    for extra in ({}, {"ConfirmStop": False}, {"DryRun": True}):
        expect_error(lambda e=extra: client.call("StopInstance", InstanceId=local, **e),
                     "InstanceType.ParameterMismatch", CONFIRM_STOP, 403)
    assert status(ecs, local) == "Running"
    client.call("StopInstance", InstanceId=local, ConfirmStop=True)
    client.call("StopInstance", InstanceId=cloud)
    assert (status(ecs, local), status(ecs, cloud)) == ("Stopped", "Stopped")


# --- AttachDisk -----------------------------------------------------------------------------------
def test_attach_disk_at_the_device_asked(client, ecs):
    instance_id = run_instance(client)
    first, second = free_disk(client, ecs, instance_id), free_disk(client, ecs, instance_id)
    client.call("AttachDisk", DiskId=first, InstanceId=instance_id, Device="/dev/xvdk")
    shown = ecs.disk(first)
    assert shown["Device"] == "/dev/xvdk"
    assert [(a["InstanceId"], a["Device"]) for a in shown["Attachments"]["Attachment"]] == [(instance_id, "/dev/xvdk")]
    # Without Device: the first free name, as before.
    client.call("AttachDisk", DiskId=second, InstanceId=instance_id)
    assert ecs.disk(second)["Device"] == "/dev/xvdb"
    listed = {d["DiskId"]: d["Device"] for d in disks_of(client, instance_id)}
    assert (listed[first], listed[second]) == ("/dev/xvdk", "/dev/xvdb")


def test_attach_disk_device_taken(client, ecs):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 20})
    disk_id = free_disk(client, ecs, instance_id)
    for taken in ("/dev/xvda", "/dev/xvdb"):  # the system disk's, the data disk's
        for extra in ({}, {"DryRun": True}):
            expect_error(lambda t=taken, e=extra: client.call("AttachDisk", DiskId=disk_id, InstanceId=instance_id,
                                                              Device=t, **e), "InvalidDevice.InUse", DEVICE_IN_USE, 403)
    assert ecs.disk(disk_id)["Status"] == "Available"
    client.call("AttachDisk", DiskId=disk_id, InstanceId=instance_id, Device="/dev/xvdc")


@pytest.mark.parametrize("device", [
    "/dev/xvd", "/dev/xvdB", "/dev/xvdb1", "/dev/sdb", "xvdb", "/dev/xvdbb", " /dev/xvdb", "/dev/xvdé",
    "/dev/xvd\u0431", "../../etc/passwd", "/dev/xvdb\n", "%2Fdev%2Fxvdb", "/dev/xvd" + "b" * 5000,
])
def test_attach_disk_malformed_device(client, ecs, device):
    instance_id = run_instance(client)
    disk_id = free_disk(client, ecs, instance_id)
    expect_error(lambda: client.call("AttachDisk", DiskId=disk_id, InstanceId=instance_id, Device=device),
                 "InvalidDevice.Malformed", BAD_DEVICE, 400)
    # The form is checked first, before the disk is looked up.
    expect_error(lambda: client.call("AttachDisk", DiskId="d-nothere", InstanceId=instance_id, Device=device),
                 "InvalidDevice.Malformed", BAD_DEVICE, 400)
    assert ecs.disk(disk_id)["Status"] == "Available"


def test_attach_disk_to_an_expired_instance_or_a_disk_in_arrears(client, ecs):
    prepaid, payg = run_instance(client, **PREPAID_WEEK), run_instance(client)
    for_prepaid, for_payg = free_disk(client, ecs, prepaid), free_disk(client, ecs, payg)
    ecs.advance_clock(WEEK)
    expect_error(lambda: client.call("AttachDisk", DiskId=for_prepaid, InstanceId=prepaid),
                 "InstanceExpiredOrInArrears", ARREARS, 403)
    ecs.lock_disk(for_payg)
    expect_error(lambda: client.call("AttachDisk", DiskId=for_payg, InstanceId=payg),
                 "InstanceExpiredOrInArrears", ARREARS, 403)
    ecs.unlock_disk(for_payg)
    client.call("AttachDisk", DiskId=for_payg, InstanceId=payg)


# --- DeleteSnapshot ---------------------------------------------------------------------------------
def test_delete_snapshot_conflict_has_its_documented_text(client, ecs):
    system, _ = system_and_data_snapshots(client, ecs)
    ecs.inject_fault("DeleteSnapshot", "Operation.Conflict")
    expect_error(lambda: client.call("DeleteSnapshot", SnapshotId=system), "Operation.Conflict",
                 "The operation may conflicts with others, please retry later.", 403)
    assert system in ecs.ids("snapshots")
    client.call("DeleteSnapshot", SnapshotId=system)


# --- the disk-lock hooks --------------------------------------------------------------------------
def test_lock_disk_refuses_an_unknown_reason_or_disk(ecs):
    with pytest.raises(ValueError):
        ecs.lock_disk("d-whatever", "recycling")
    with pytest.raises(KeyError):
        ecs.lock_disk("d-nothere")
