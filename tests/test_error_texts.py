"""Each action answers a code in its own documented words (data/errors.json, error_texts.py),
through aliyunsdkcore and the Tea SDK: the texts that differ between actions, and the codes of
the action tables the other tests do not reach (tests/error_registry.py points here for them)."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

import pytest

from conftest import IMAGE, REGION, ApiError, Driver, RequestsDriver, disks_of, expect_error, ready_disk, run_instance
from mock_ecs import MockEcs

INSTANCE = {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large"}
DISK = {"RegionId": REGION, "ZoneId": "cn-hangzhou-i", "DiskCategory": "cloud_essd", "Size": 40}
DISK_NAME = {
    "RunInstances": 'The specified parameter "SyatemDisk.DiskName or DataDisk.n.DiskName" is not valid.',
    "CreateInstance": 'The specified parameter "SystemDisk.DiskName or DataDisk.n.DiskName" is not valid.',
}
TAGS = [
    ("Duplicate.TagKey", {"Tag.1.Key": "k", "Tag.2.Key": "k"}, 400, "The Tag.N.Key contain duplicate key."),
    ("InvalidTagKey.Malformed", {"Tag.1.Key": "acs:k"}, 400, "The specified Tag.n.Key is not valid."),
    ("InvalidTagValue.Malformed", {"Tag.1.Key": "k", "Tag.1.Value": "acs:v"}, 400,
     "The specified Tag.n.Value is not valid."),
]

# (action, params, code, status, message): one request, one documented answer.
Case = Tuple[str, Dict[str, Any], str, int, str]
CASES: List[Case] = [
    # CreateDisk documents InvalidDescription.Malformed as 400, CreateSnapshot as 404.
    ("CreateDisk", {**DISK, "Description": "x"}, "InvalidDescription.Malformed", 400,
     "The specified description is wrongly formed."),
    *[(a, {**INSTANCE, "Description": "http://x"}, "InvalidDescription.Malformed", 400,
       'The specified parameter "Description" is not valid.') for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "SystemDisk.DiskName": "1disk"}, "InvalidDiskName.Malformed", 400, DISK_NAME[a])
      for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "DataDisk.1.Size": 40, "DataDisk.1.DiskName": "1disk"}, "InvalidDiskName.Malformed", 400,
       DISK_NAME[a]) for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "ClientToken": "t" * 65}, "InvalidClientToken.ValueNotSupported", 400,
       "The ClientToken provided is invalid.") for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "InstanceName": "1name"}, "InvalidInstanceName.Malformed", 400,
       'The specified parameter "InstanceName" is not valid.') for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "SystemDisk.Category": "floppy"}, "InvalidDiskCategory.ValueNotSupported", 400,
       'The specified parameter "DiskCategory" is not valid.') for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "SystemDisk.Size": 10}, "InvalidSystemDiskSize.ValueNotSupported", 400,
       "The specified parameter SystemDisk.Size is invalid.") for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "DataDisk.1.Size": 1}, "InvalidDataDiskSize.ValueNotSupported", 400,
       "The specified DataDisk.n.Size beyond the permitted range, or the capacity of snapshot exceeds the size "
       "limit of the specified disk category.") for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "DataDisk.1.Category": "floppy", "DataDisk.1.Size": 40},
       "InvalidDataDiskCategory.ValueNotSupported", 400, 'The specified parameter "DataDisk.n.Category" is not valid.')
      for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "DataDisk.1.SnapshotId": "s-bp1nosuchsnapshot00"}, "InvalidDataDiskSnapshotId.NotFound", 404,
       'The specified parameter "DataDisk.n.SnapshotId" is not valid.') for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "InstanceChargeType": "Free"}, "InvalidInstanceChargeType.NotFound", 404,
       "The InstanceChargeType does not exist in our records") for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "InstanceChargeType": "PrePaid", "Period": 5, "PeriodUnit": "Week"}, "InvalidPeriod", 400,
       "The specified period is not valid.") for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "InstanceChargeType": "PrePaid", "PeriodUnit": "Day"}, "InvalidPeriodUnit.ValueNotSupported",
       400, "The specified parameter PeriodUnit is not valid.") for a in ("RunInstances", "CreateInstance")],
    *[(a, {**INSTANCE, "ImageId": "m-bp1nosuchimage00000"}, "InvalidImageId.NotFound", 404,
       "The specified ImageId does not exist.") for a in ("RunInstances", "CreateInstance")],
    ("CreateInstance", {"RegionId": REGION, "InstanceType": "ecs.g7.large"}, "MissingParameter", 400,
     "The input parameter ImageId that is mandatory for processing this request is not supplied."),
    ("RunInstances", {**INSTANCE, "Amount": 101}, "InvalidParam.Amount", 403,
     "The specified parameter Amount is not valid."),
    ("RunInstances", {**INSTANCE, "InternetMaxBandwidthOut": "lots"}, "InvalidParameter", 400,
     'The specified parameter "InternetMaxBandwidthOut" is not valid.'),
    ("RunInstances", {**INSTANCE, **{f"Tag.{n}.Key": f"k{n}" for n in range(1, 22)}}, "InvalidTagCount", 400,
     "The specified tags are beyond the permitted range."),
    ("CreateDisk", {"RegionId": "xx-nowhere-1", "ZoneId": "xx-nowhere-1a", "Size": 40}, "InvalidRegionId.NotFound",
     404, "The specified RegionId does not exist."),
    ("CreateDisk", {**DISK, "InstanceId": "i-bp1nosuchinstance00"}, "InvalidParameter.Conflict", 400,
     "ZoneId and InstanceId cannot be specified at the same time."),
    ("CreateDisk", {"RegionId": REGION, "InstanceId": "i-bp1nosuchinstance00", "Size": 40},
     "InvalidInstanceId.NotFound", 404, "The specified InstanceId does not exist."),
    ("CreateImage", {"RegionId": REGION}, "MissingParameter", 400,
     "The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is mandatory for processing this "
     "request is not supplied."),
    ("CreateSnapshot", {"DiskId": "d-bp1nosuchdisk000000", "ClientToken": "é"}, "InvalidClientToken.Malformed", 403,
     "The specified clientToken is improperly formatted. It must contain only ASCII characters and must not exceed "
     "64 characters in length."),
    ("ReplaceSystemDisk", {"InstanceId": "i-bp1nosuchinstance00", "ImageId": IMAGE}, "InvalidInstanceId.NotFound",
     404, "The specified InstanceId does not exist."),
    ("DescribeImages", {"RegionId": REGION, "Filter.1.Key": "Colour", "Filter.1.Value": "red"},
     "InvalidFilterKey.NotFound", 404, "The specified FilterKey is not found."),
    ("DescribeInstances", {"RegionId": REGION, "Filter.1.Key": "Colour", "Filter.1.Value": "red"},
     "InvalidFilterKey.NotFound", 404, "The specified FilterKey is not found."),
]
for _action, _base in (("CreateDisk", DISK), ("CreateImage", {"RegionId": REGION, "SnapshotId": "s-x"}),
                       ("RunInstances", INSTANCE), ("CreateInstance", INSTANCE)):
    CASES += [(_action, {**_base, **tags}, code, status, message) for code, tags, status, message in TAGS]


@pytest.mark.in_process
@pytest.mark.parametrize("action, params, code, status, message", CASES,
                         ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_the_action_answers_in_its_own_words(client: Driver, action: str, params: Dict[str, Any], code: str,
                                             status: int, message: str) -> None:
    expect_error(lambda: client.call(action, **params), code, message, status)


# IdempotentParameterMismatch: the common table's 400 for every action with a ClientToken but
# CreateSnapshot, whose own table says 403 "The specified clientToken is used.".
def _replace_system_disk(client: Driver, ecs: MockEcs, token: str, **extra: Any) -> Callable[[], Any]:
    instance_id = run_instance(client)
    client.call("StopInstance", InstanceId=instance_id)
    params = {"InstanceId": instance_id, "ImageId": IMAGE, "ClientToken": token}
    client.call("ReplaceSystemDisk", **params)
    return lambda: client.call("ReplaceSystemDisk", **{**params, "SystemDisk.Size": 60})


@pytest.mark.in_process
@pytest.mark.parametrize("action", ["RunInstances", "CreateInstance", "CreateDisk", "ReplaceSystemDisk"])
def test_a_changed_retry_is_the_common_idempotent_parameter_mismatch(client: Driver, ecs: MockEcs,
                                                                    action: str) -> None:
    if action == "ReplaceSystemDisk":
        retry = _replace_system_disk(client, ecs, "tok-rsd")
    else:
        params = {**(DISK if action == "CreateDisk" else INSTANCE), "ClientToken": "tok-1"}
        client.call(action, **params)
        retry = lambda: client.call(action, **{**params, "Description": "another one"})  # noqa: E731
    expect_error(retry, "IdempotentParameterMismatch", "The request is retried with updated parameters.", 400)


@pytest.mark.in_process
def test_attach_disk_refuses_a_local_disk(client: Driver, ecs: MockEcs) -> None:
    instance_id = run_instance(client, **{"DataDisk.1.Category": "ephemeral_ssd", "DataDisk.1.Size": 100})
    local = next(d["DiskId"] for d in disks_of(client, instance_id) if d["Category"] == "ephemeral_ssd")
    expect_error(lambda: client.call("AttachDisk", InstanceId=instance_id, DiskId=local),
                 "DiskId.ValueNotSupported", "The specified parameter diskid is not supported.", 403)


@pytest.mark.in_process
@pytest.mark.parametrize("action", ["RunInstances", "CreateInstance"])
def test_a_data_disk_from_a_snapshot_still_in_progress(client: Driver, ecs: MockEcs, action: str) -> None:
    _, disk_id = ready_disk(client, ecs)
    snapshot_id = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    expect_error(lambda: client.call(action, **INSTANCE, **{"DataDisk.1.SnapshotId": snapshot_id}),
                 "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)


@pytest.mark.in_process
def test_detach_disk_from_an_instance_locked_for_security(client: Driver, ecs: MockEcs) -> None:
    instance_id = run_instance(client)
    disk_id = client.call("CreateDisk", RegionId=REGION, InstanceId=instance_id, Size=40)["DiskId"]  # attached
    ecs.lock_instance(instance_id, "security")
    expect_error(lambda: client.call("DetachDisk", InstanceId=instance_id, DiskId=disk_id),
                 "InstanceLockedForSecurity", "The instance is locked due to security.", 403)


@pytest.mark.in_process
def test_replace_system_disk_own_texts(client: Driver, ecs: MockEcs) -> None:
    instance_id = run_instance(client)
    client.call("StopInstance", InstanceId=instance_id)
    expect_error(lambda: client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId=IMAGE,
                                     **{"SystemDisk.Size": 10}),
                 "InvalidSystemDiskSize.ValueNotSupported", "The specified parameter SystemDisk.Size is invalid.", 400)
    ecs.lock_instance(instance_id, "financial")
    expect_error(lambda: client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId=IMAGE),
                 "InstanceExpiredOrInArrears", "The specified operation is denied as your prepay instance is expired "
                 "(prepay mode) or in arrears (afterpay mode).", 403)


@pytest.mark.parametrize("edition, quota", [("spec", "The maximum number of snapshots is exceeded."),
                                            ("current", "The snapshot quota exceeds.")])
def test_create_snapshot_texts_follow_the_edition(edition: str, quota: str) -> None:
    with MockEcs(edition=edition, snapshot_quota=1) as ecs:
        client = RequestsDriver()
        _, disk_id = ready_disk(client, ecs)
        client.call("CreateSnapshot", DiskId=disk_id)
        ecs.advance_clock(3600)
        with pytest.raises(ApiError) as info:
            client.call("CreateSnapshot", DiskId=disk_id)
        assert (info.value.code, info.value.status, info.value.message) == ("QuotaExceed.Snapshot", 403, quota)
