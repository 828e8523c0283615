"""CreateSnapshot: every rule of shared/spec/CreateSnapshot.md and every row of decisions.md.

Each test drives the real SDK clients (the ``client`` fixture runs it through aliyunsdkcore
and the Tea SDK; ``any_client`` through all five) and asserts the exact code, message and
HTTP status. Time is never slept: the mock's clock is moved with ``advance_clock``,
freezegun or time-machine. Tests that need non-default settings start their own
``MockEcs(...)``, which becomes the active mock while the ``ecs`` fixture is still running.

Sections (in the order of the spec): quota, instance status, attachment, never-started
instances, security lock, initialisation window, one progressing snapshot per disk,
CreateImage from a progressing snapshot, SnapshotName, Description, ClientToken, tags,
the remaining error codes of the spec table, the order of checks, time, DescribeSnapshots
fields, the typed Tea client, all five clients, and the gateway rows of decisions.md.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
import requests
import time_machine
import xmltodict
from freezegun import freeze_time

from conftest import (
    IMAGE,
    REGION,
    ApiError,
    Driver,
    RequestsDriver,
    SdkCoreDriver,
    TeaDriver,
    create_instance,
    disks_of,
    expect_error,
    ready_disk,
    run_instance,
    sign_rpc,
    signed_params,
    snapshots_of,
    system_disk,
    tag_params,
)
from mock_ecs import MockEcs

# --- the exact wire texts -----------------------------------------------------------------
# The error table of CreateSnapshot.md, byte for byte: code -> (HTTP status, message).
SPEC_ERRORS: Dict[str, Tuple[int, str]] = {
    "DiskCategory.OperationNotSupported": (
        400, "The operation is not supported to the specified disk due to its disk Category"),
    "IncorrectInstanceStatus": (400, "The current status of the resource does not support this operation."),
    "InvalidSnapshotName.Malformed": (400, "The specified SnapshotName is wrongly formed."),
    "CreateSnapshot.Failed": (403, "The process of creating snapshot failed."),
    "DiskId.ValueNotSupported": (403, "The specified parameter diskid is not supported."),
    "DiskInArrears": (403, "The specified operation is denied as your disk has expired."),
    "IncorrectDiskStatus": (403, "The current disk status does not support this operation."),
    "IncorrectDiskStatus.CreatingSnapshot": (403, "A previous snapshot creation is in process."),
    "IncorrectDiskStatus.NeverAttached": (403, "The specified disk has never been attached to any instance."),
    "IncorrectDiskStatus.NeverUsed": (403, "The specified disk has never been used after creating."),
    "InstanceLockedForSecurity": (403, "The disk attached instance is locked due to security."),
    "InvalidAccountStatus.NotEnoughBalance": (403, "Your account does not have enough balance."),
    "InvalidAccountStatus.SnapshotServiceUnavailable": (403, "Snapshot service has not been opened yet."),
    "QuotaExceed.Snapshot": (403, "The maximum number of snapshots is exceeded."),
    "InvalidDescription.Malformed": (404, "The specified description is wrongly formed."),
    "InvalidDiskId.NotFound": (404, "The specified DiskId does not exist."),
}
# Codes decisions.md adds, with the texts it gives.
DECISION_ERRORS: Dict[str, Tuple[int, str]] = {
    "IncorrectDiskStatus.Initializing": (403, "The current disk status does not support this operation."),
    "IdempotentParameterMismatch": (403, "The specified clientToken is used."),
    "InvalidClientToken.Malformed": (
        403,
        "The specified clientToken is improperly formatted. It must contain only ASCII characters "
        "and must not exceed 64 characters in length.",
    ),
    "InvalidSnapshotId.NotReady": (
        403, "The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId does not support this operation."),
    "MissingDiskId": (400, "DiskId is mandatory for this action."),
    "InvalidAction.NotFound": (404, "Specified api is not found, please check your url and method."),
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
}
# Tag errors: the spec gives the limits but no texts; these are the API reference's
# (shared/reference/ecs-api/actions/CreateSnapshot.md, DescribeSnapshots in FACTS.md).
TAG_ERRORS: Dict[str, Tuple[int, str]] = {
    "InvalidTagKey.Malformed": (400, "The specified Tag.n.Key is not valid."),
    "InvalidTagValue.Malformed": (400, "The specified Tag.n.Value is not valid."),
    "Duplicate.TagKey": (400, "The Tag.N.Key contain duplicate key."),
    "InvalidTagCount": (400, "The specified tags are beyond the permitted range."),
}
ERRORS = {**SPEC_ERRORS, **DECISION_ERRORS, **TAG_ERRORS}

WINDOW = 3600  # decisions.md: initialization_seconds default
DATA_DISK = {"DataDisk.1.Category": "cloud_efficiency", "DataDisk.1.Size": 20}  # 20 GiB: a 30 s snapshot


# --- helpers ------------------------------------------------------------------------------
def fails(client: Driver, code: str, action: str = "CreateSnapshot", **params: Any) -> ApiError:
    """Call ``action`` and assert the exact code, message and HTTP status of ``code``."""
    status, message = ERRORS[code]
    return expect_error(lambda: client.call(action, **params), code, message, status)


def create(client: Driver, disk_id: str, **params: Any) -> str:
    out = client.call("CreateSnapshot", DiskId=disk_id, **params)
    assert out["SnapshotId"].startswith("s-") and out["RequestId"]
    return out["SnapshotId"]


def snapshot_ids(ecs: MockEcs) -> list:
    return sorted(ecs.ids("snapshots"))


def data_disk(client: Driver, instance_id: str) -> str:
    return next(d["DiskId"] for d in disks_of(client, instance_id) if d["Type"] == "data")


def describe_disk(client: Driver, disk_id: str, region: str = REGION) -> Dict[str, Any]:
    return client.call("DescribeDisks", RegionId=region, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"][0]


def describe_instance(client: Driver, instance_id: str) -> Dict[str, Any]:
    out = client.call("DescribeInstances", RegionId=REGION, InstanceIds=json.dumps([instance_id]))
    return out["Instances"]["Instance"][0]


def create_disk(client: Driver, zone: str, size: int = 20, **extra: Any) -> str:
    return client.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=size, **extra)["DiskId"]


def one_snapshot(client: Driver, disk_id: str) -> Dict[str, Any]:
    snaps = snapshots_of(client, disk_id)
    assert len(snaps) == 1
    return snaps[0]


@pytest.fixture
def frozen() -> Iterator[Any]:
    """Real time stands still (freezegun): only advance_clock/tick move the mock's clock."""
    with freeze_time(datetime.now(timezone.utc).replace(microsecond=0), tick=False) as ft:
        yield ft


# =========================================================================================
# Rule: a disk can have at most 64 snapshots (QuotaExceed.Snapshot), progressing included.
# =========================================================================================
def test_quota_small_setting(client):
    with MockEcs(snapshot_quota=3) as mock:
        _, disk = ready_disk(client, mock)
        mock.set_disk_data_size(disk, 1)  # 10 s per snapshot
        made = []
        for _ in range(3):
            made.append(create(client, disk))
            mock.advance_clock(10)
        fails(client, "QuotaExceed.Snapshot", DiskId=disk)
        assert snapshot_ids(mock) == sorted(made)  # the refused call created nothing
        # The count is per disk: deleting one frees a place.
        client.call("DeleteSnapshot", SnapshotId=made[0])
        create(client, disk)
        mock.advance_clock(10)
        fails(client, "QuotaExceed.Snapshot", DiskId=disk)


def test_quota_default_is_64(client, ecs):
    assert ecs.settings.snapshot_quota == 64
    _, disk = ready_disk(client, ecs)
    ecs.set_disk_data_size(disk, 1)
    for _ in range(64):
        create(client, disk)
        ecs.advance_clock(10)
    assert len(snapshots_of(client, disk, PageSize=100)) == 64
    fails(client, "QuotaExceed.Snapshot", DiskId=disk)
    assert len(ecs.ids("snapshots")) == 64


def test_quota_is_per_disk(client):
    with MockEcs(snapshot_quota=1) as mock:
        inst, system = ready_disk(client, mock, **DATA_DISK)
        create(client, system)
        mock.advance_clock(60)
        fails(client, "QuotaExceed.Snapshot", DiskId=system)
        create(client, data_disk(client, inst))  # another disk of the same instance is not full


def test_quota_progressing_snapshot_takes_the_last_place(client):
    # With quota 2: one accomplished + one progressing fill it. While it runs the disk answers
    # CreatingSnapshot (a disk rule, checked before the quota); once it is done, the quota holds
    # without any further snapshot. (Because CreatingSnapshot comes first, "progressing ones
    # included" can never be told apart from "counted once accomplished" on the wire.)
    with MockEcs(snapshot_quota=2) as mock:
        _, disk = ready_disk(client, mock)
        create(client, disk)
        mock.advance_clock(60)
        create(client, disk)
        assert [s["Status"] for s in snapshots_of(client, disk)] == ["progressing", "accomplished"]
        fails(client, "IncorrectDiskStatus.CreatingSnapshot", DiskId=disk)
        mock.advance_clock(60)
        fails(client, "QuotaExceed.Snapshot", DiskId=disk)


# =========================================================================================
# Rule: the instance must be Stopped or Running (IncorrectInstanceStatus, 400).
# decisions.md Instances: RunInstances Pending -> Running after instance_start_seconds;
# StartInstance/StopInstance pass Starting/Stopping for instance_transition_seconds.
# =========================================================================================
def test_pending_instance_refused(client):
    with MockEcs(instance_start_seconds=WINDOW * 2) as mock:
        inst = run_instance(client)
        disk = system_disk(client, inst)
        mock.advance_clock(WINDOW)
        assert describe_instance(client, inst)["Status"] == "Pending"
        fails(client, "IncorrectInstanceStatus", DiskId=disk)
        mock.advance_clock(WINDOW)
        assert describe_instance(client, inst)["Status"] == "Running"
        create(client, disk)


def test_run_instances_is_running_at_once_by_default(client, ecs):
    assert ecs.settings.instance_start_seconds == 0
    inst = run_instance(client)
    assert describe_instance(client, inst)["Status"] == "Running"


def test_stopping_and_starting_instance_refused_stopped_and_running_allowed(client):
    with MockEcs(instance_transition_seconds=30) as mock:
        inst, disk = ready_disk(client, mock)
        client.call("StopInstance", InstanceId=inst)
        assert describe_instance(client, inst)["Status"] == "Stopping"
        fails(client, "IncorrectInstanceStatus", DiskId=disk)
        mock.advance_clock(30)
        assert describe_instance(client, inst)["Status"] == "Stopped"
        create(client, disk)  # Stopped is allowed
        mock.advance_clock(60)
        client.call("StartInstance", InstanceId=inst)
        assert describe_instance(client, inst)["Status"] == "Starting"
        fails(client, "IncorrectInstanceStatus", DiskId=disk)
        mock.advance_clock(30)
        assert describe_instance(client, inst)["Status"] == "Running"
        create(client, disk)  # Running is allowed
        assert len(snapshots_of(client, disk)) == 2


# =========================================================================================
# Rule: the disk must be attached to an instance.
# decisions.md: IncorrectDiskStatus when detached or passing (Creating, Attaching, Detaching);
# IncorrectDiskStatus.NeverAttached for a CreateDisk disk never attached.
# =========================================================================================
def test_detached_disk_refused(client, ecs):
    inst, _ = ready_disk(client, ecs, **DATA_DISK)
    disk = data_disk(client, inst)
    create(client, disk)
    ecs.advance_clock(30)
    client.call("DetachDisk", InstanceId=inst, DiskId=disk)
    assert describe_disk(client, disk)["Status"] == "Available"
    fails(client, "IncorrectDiskStatus", DiskId=disk)
    assert len(snapshots_of(client, disk)) == 1
    client.call("AttachDisk", InstanceId=inst, DiskId=disk)
    create(client, disk)  # attached again: allowed


def test_never_attached_disk_refused(client, ecs):
    inst = run_instance(client)
    disk = create_disk(client, describe_instance(client, inst)["ZoneId"])
    fails(client, "IncorrectDiskStatus.NeverAttached", DiskId=disk)
    ecs.advance_clock(WINDOW * 2)  # not a matter of time
    fails(client, "IncorrectDiskStatus.NeverAttached", DiskId=disk)
    assert ecs.ids("snapshots") == []


def test_passing_disk_states_refused(client):
    with MockEcs(disk_transition_seconds=30) as mock:
        inst, _ = ready_disk(client, mock)
        disk = create_disk(client, describe_instance(client, inst)["ZoneId"])
        assert describe_disk(client, disk)["Status"] == "Creating"
        fails(client, "IncorrectDiskStatus.NeverAttached", DiskId=disk)  # NeverAttached comes first
        mock.advance_clock(30)
        client.call("AttachDisk", InstanceId=inst, DiskId=disk)
        assert describe_disk(client, disk)["Status"] == "Attaching"
        fails(client, "IncorrectDiskStatus", DiskId=disk)
        mock.advance_clock(WINDOW)
        assert describe_disk(client, disk)["Status"] == "In_use"
        create(client, disk)
        mock.advance_clock(30)
        client.call("DetachDisk", InstanceId=inst, DiskId=disk)
        assert describe_disk(client, disk)["Status"] == "Detaching"
        fails(client, "IncorrectDiskStatus", DiskId=disk)
        mock.advance_clock(30)
        assert describe_disk(client, disk)["Status"] == "Available"
        fails(client, "IncorrectDiskStatus", DiskId=disk)
        assert len(mock.ids("snapshots")) == 1


# =========================================================================================
# Rule: an instance never started since it was created cannot be snapshotted
# (IncorrectDiskStatus.NeverUsed). decisions.md: CreateInstance is Stopped, never started.
# =========================================================================================
def test_never_started_instance_refused(client, ecs):
    inst = create_instance(client)
    assert describe_instance(client, inst)["Status"] == "Stopped"
    disk = system_disk(client, inst)
    fails(client, "IncorrectDiskStatus.NeverUsed", DiskId=disk)
    ecs.advance_clock(WINDOW)  # the window is over, the instance still never ran
    fails(client, "IncorrectDiskStatus.NeverUsed", DiskId=disk)
    client.call("StartInstance", InstanceId=inst)
    create(client, disk)
    ecs.advance_clock(60)
    client.call("StopInstance", InstanceId=inst)
    create(client, disk)  # started once, Stopped now: allowed


def test_never_started_instance_refuses_its_attached_data_disk(client, ecs):
    inst = create_instance(client)
    disk = create_disk(client, describe_instance(client, inst)["ZoneId"])
    client.call("AttachDisk", InstanceId=inst, DiskId=disk)
    ecs.advance_clock(WINDOW)
    fails(client, "IncorrectDiskStatus.NeverUsed", DiskId=disk)
    client.call("StartInstance", InstanceId=inst)
    create(client, disk)


# =========================================================================================
# Rule: an instance locked with OperationLocks LockReason "security" (InstanceLockedForSecurity).
# =========================================================================================
def test_security_locked_instance_refused(client, ecs):
    inst, disk = ready_disk(client, ecs)
    ecs.lock_instance(inst, "security")
    locks = describe_instance(client, inst)["OperationLocks"]["LockReason"]
    assert [lock["LockReason"] for lock in locks] == ["security"]
    fails(client, "InstanceLockedForSecurity", DiskId=disk)
    assert ecs.ids("snapshots") == []
    ecs.unlock_instance(inst)
    assert describe_instance(client, inst)["OperationLocks"]["LockReason"] == []
    create(client, disk)


def test_security_lock_filter_in_describe_instances(client, ecs):
    locked, _ = ready_disk(client, ecs)
    run_instance(client)
    ecs.lock_instance(locked, "security")
    out = client.call("DescribeInstances", RegionId=REGION, LockReason="security")["Instances"]["Instance"]
    assert [i["InstanceId"] for i in out] == [locked]


# =========================================================================================
# Rule: no snapshot during data initialisation after RunInstances, CreateInstance,
# ReplaceSystemDisk or CreateDisk; allowed one hour later (IncorrectDiskStatus.Initializing).
# =========================================================================================
def test_initializing_after_run_instances(client, ecs, frozen):
    inst = run_instance(client, **DATA_DISK)
    disks = [system_disk(client, inst), data_disk(client, inst)]
    for disk in disks:
        fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)
    ecs.advance_clock(WINDOW - 1)
    for disk in disks:
        fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)
    ecs.advance_clock(1)  # exactly one hour
    for disk in disks:
        create(client, disk)
    assert len(ecs.ids("snapshots")) == 2


def test_initializing_after_create_instance_counts_from_creation(client, ecs, frozen):
    inst = create_instance(client)
    disk = system_disk(client, inst)
    ecs.advance_clock(1000)
    client.call("StartInstance", InstanceId=inst)
    ecs.advance_clock(WINDOW - 1000 - 1)
    fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)
    ecs.advance_clock(1)
    create(client, disk)


def test_initializing_after_replace_system_disk(client, ecs, frozen):
    inst, old = ready_disk(client, ecs)
    client.call("StopInstance", InstanceId=inst)
    new = client.call("ReplaceSystemDisk", InstanceId=inst, ImageId=IMAGE)["DiskId"]
    assert new != old and system_disk(client, inst) == new
    fails(client, "IncorrectDiskStatus.Initializing", DiskId=new)
    ecs.advance_clock(WINDOW - 1)
    fails(client, "IncorrectDiskStatus.Initializing", DiskId=new)
    ecs.advance_clock(1)
    create(client, new)


def test_initializing_after_create_disk_and_attach(client, ecs, frozen):
    inst, _ = ready_disk(client, ecs)
    disk = create_disk(client, describe_instance(client, inst)["ZoneId"])
    ecs.advance_clock(100)
    client.call("AttachDisk", InstanceId=inst, DiskId=disk)
    fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)
    ecs.advance_clock(WINDOW - 100 - 1)  # the hour counts from CreateDisk, not AttachDisk
    fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)
    ecs.advance_clock(1)
    create(client, disk)


def test_initializing_after_create_disk_with_instance(client, ecs, frozen):
    inst, _ = ready_disk(client, ecs)
    disk = client.call("CreateDisk", RegionId=REGION, InstanceId=inst, Size=20)["DiskId"]
    assert describe_disk(client, disk)["Status"] == "In_use"
    ecs.advance_clock(WINDOW - 1)
    fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)
    ecs.advance_clock(1)
    create(client, disk)


def test_initialization_window_is_a_setting(client):
    with MockEcs(initialization_seconds=60) as mock:
        disk = system_disk(client, run_instance(client))
        fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)
        mock.advance_clock(60)
        create(client, disk)


# =========================================================================================
# Rule: while a snapshot is not complete, no other snapshot of the same disk
# (IncorrectDiskStatus.CreatingSnapshot).
# =========================================================================================
def test_one_progressing_snapshot_per_disk(client, ecs, frozen):
    inst, disk = ready_disk(client, ecs, **DATA_DISK)
    first = create(client, disk)
    fails(client, "IncorrectDiskStatus.CreatingSnapshot", DiskId=disk)
    ecs.advance_clock(59)
    fails(client, "IncorrectDiskStatus.CreatingSnapshot", DiskId=disk)
    create(client, data_disk(client, inst))  # another disk is free
    other = [s["SnapshotId"] for s in snapshots_of(client, data_disk(client, inst))]
    assert snapshot_ids(ecs) == sorted([first, *other])
    ecs.advance_clock(1)
    assert one_snapshot(client, disk)["Status"] == "accomplished"
    create(client, disk)  # accomplished: a new one may start


def test_deleting_the_progressing_snapshot_frees_the_disk(client, ecs):
    _, disk = ready_disk(client, ecs)
    snap = create(client, disk)
    fails(client, "IncorrectDiskStatus.CreatingSnapshot", DiskId=disk)
    client.call("DeleteSnapshot", SnapshotId=snap)
    create(client, disk)


# =========================================================================================
# Rule: a snapshot that is not complete cannot make a custom image
# (CreateImage -> InvalidSnapshotId.NotReady, decisions.md "Time").
# =========================================================================================
def test_create_image_from_progressing_snapshot_refused(client, ecs):
    _, disk = ready_disk(client, ecs)
    snap = create(client, disk)
    fails(client, "InvalidSnapshotId.NotReady", "CreateImage", RegionId=REGION, SnapshotId=snap)
    fails(client, "InvalidSnapshotId.NotReady", "CreateImage", RegionId=REGION,
          **{"DiskDeviceMapping.1.SnapshotId": snap})
    assert ecs.ids("images") == []
    ecs.advance_clock(60)
    image = client.call("CreateImage", RegionId=REGION, SnapshotId=snap)["ImageId"]
    assert image.startswith("m-")
    assert one_snapshot(client, disk)["Usage"] == "image"


# =========================================================================================
# Rule: SnapshotName: 2-128 characters, English letters or Chinese characters, begins with an
# upper- or lowercase letter, may contain digits _ : -; not "auto...", not http:// https://
# (InvalidSnapshotName.Malformed, 400).
# =========================================================================================
BAD_NAMES = {
    "too_short": "a",
    "too_long": "a" * 129,
    "digit_start": "1snapshot",
    "underscore_start": "_snapshot",
    "hyphen_start": "-snapshot",
    "colon_start": ":snapshot",
    "chinese_start": "快照snapshot",
    "space": "snap shot",
    "period": "snap.shot",
    "slash": "snap/shot",
    "at_sign": "snap@shot",
    "auto_prefix": "auto_snapshot",
    "auto_word": "autoSnap",
    "http": "http://snapshot",
    "https": "https://snapshot",
}
GOOD_NAMES = {
    "two_chars": "ab",
    "max_128": "a" * 128,
    "upper_start": "Snapshot",
    "digits_underscore_colon_hyphen": "snap_1:2-3",
    "chinese": "a快照名称",
    "auto_inside": "my-auto-snapshot",
    "http_word": "httpBackup",
}


# =========================================================================================
# Rule: Description: 2-256 characters, not beginning with http:// or https://, default empty
# (InvalidDescription.Malformed, 404).
# =========================================================================================
BAD_DESCRIPTIONS = {
    "too_short": "a",
    "too_long": "d" * 257,
    "http": "http://example.com/snapshot",
    "https": "https://example.com/snapshot",
}
GOOD_DESCRIPTIONS = {
    "two_chars": "ab",
    "max_256": "d" * 256,
    "free_text": "nightly backup, before upgrade #3 (see http://example.com)",
    "chinese": "数据库快照",
}

# The same two rules, one test each: parameter -> (its code, bad values, good values).
TEXT_RULES = {
    "SnapshotName": ("InvalidSnapshotName.Malformed", BAD_NAMES, GOOD_NAMES),
    "Description": ("InvalidDescription.Malformed", BAD_DESCRIPTIONS, GOOD_DESCRIPTIONS),
}


@pytest.mark.parametrize("param,code,value", [
    pytest.param(param, code, value, id=f"{param}-{case}")
    for param, (code, bad, _) in TEXT_RULES.items() for case, value in bad.items()])
def test_name_and_description_malformed(client, ecs, param, code, value):
    _, disk = ready_disk(client, ecs)
    fails(client, code, DiskId=disk, **{param: value})
    assert ecs.ids("snapshots") == []


@pytest.mark.parametrize("param,value", [
    pytest.param(param, value, id=f"{param}-{case}")
    for param, (_, _, good) in TEXT_RULES.items() for case, value in good.items()])
def test_name_and_description_accepted(client, ecs, param, value):
    _, disk = ready_disk(client, ecs)
    create(client, disk, **{param: value})
    assert one_snapshot(client, disk)[param] == value


def test_description_defaults_to_empty(client, ecs):
    _, disk = ready_disk(client, ecs)
    create(client, disk)
    snap = one_snapshot(client, disk)
    assert snap["Description"] == "" and snap["SnapshotName"] == ""


# =========================================================================================
# Rule: ClientToken makes the request idempotent; at most 64 ASCII characters.
# decisions.md: same token + same parameters -> the first SnapshotId, nothing created;
# other parameters -> IdempotentParameterMismatch; too long / non-ASCII -> InvalidClientToken.Malformed.
# =========================================================================================
def test_client_token_replay_returns_the_first_snapshot(client, ecs):
    _, disk = ready_disk(client, ecs)
    token = str(uuid.uuid4())
    first = create(client, disk, ClientToken=token, SnapshotName="nightly")
    # Still progressing: without the token this would be CreatingSnapshot.
    again = create(client, disk, ClientToken=token, SnapshotName="nightly")
    assert again == first
    ecs.advance_clock(60)
    assert create(client, disk, ClientToken=token, SnapshotName="nightly") == first
    assert ecs.ids("snapshots") == [first]
    # A new token is a new request.
    assert create(client, disk, ClientToken=str(uuid.uuid4()), SnapshotName="nightly") != first
    assert len(ecs.ids("snapshots")) == 2


def test_client_token_with_other_parameters_refused(client, ecs):
    inst, disk = ready_disk(client, ecs, **DATA_DISK)
    token = "token-1"
    first = create(client, disk, ClientToken=token, SnapshotName="nightly")
    ecs.advance_clock(60)
    fails(client, "IdempotentParameterMismatch", DiskId=disk, ClientToken=token, SnapshotName="weekly")
    fails(client, "IdempotentParameterMismatch", DiskId=data_disk(client, inst), ClientToken=token,
          SnapshotName="nightly")
    fails(client, "IdempotentParameterMismatch", DiskId=disk, ClientToken=token)
    assert ecs.ids("snapshots") == [first]


@pytest.mark.parametrize("token", ["t" * 65, "tökén-ünïcode", "快照-token"], ids=["65_chars", "latin1", "chinese"])
def test_client_token_malformed(client, ecs, token):
    _, disk = ready_disk(client, ecs)
    fails(client, "InvalidClientToken.Malformed", DiskId=disk, ClientToken=token)
    assert ecs.ids("snapshots") == []


def test_client_token_of_64_ascii_characters_accepted(client, ecs):
    _, disk = ready_disk(client, ecs)
    token = "T" * 32 + "-_.:~0123456789abcdefghijklmnopq"
    assert len(token) == 64
    first = create(client, disk, ClientToken=token)
    assert create(client, disk, ClientToken=token) == first


# =========================================================================================
# Rule: Tag.n.Key / Tag.n.Value: n 1..20; key not empty, <= 64 characters, no aliyun / acs: /
# http:// / https:// prefix; value may be empty, <= 128 characters, same prefixes.
# =========================================================================================
def test_tags_are_stored_and_shown(client, ecs):
    _, disk = ready_disk(client, ecs)
    tags = {f"key{n}": f"value{n}" for n in range(1, 20)}
    tags["k" * 64] = ""  # the longest key, an empty value
    tags["v"] = "v" * 128  # the longest value
    del tags["key19"]
    assert len(tags) == 20
    create(client, disk, **tag_params(tags.items()))
    shown = one_snapshot(client, disk)["Tags"]["Tag"]
    assert {t["TagKey"]: t["TagValue"] for t in shown} == tags


BAD_TAGS = {
    "empty_key": ({"Tag.1.Key": "", "Tag.1.Value": "v"}, "InvalidTagKey.Malformed"),
    "value_without_key": ({"Tag.1.Value": "v"}, "InvalidTagKey.Malformed"),
    "key_65": ({"Tag.1.Key": "k" * 65, "Tag.1.Value": "v"}, "InvalidTagKey.Malformed"),
    "key_aliyun": ({"Tag.1.Key": "aliyun-owner", "Tag.1.Value": "v"}, "InvalidTagKey.Malformed"),
    "key_acs": ({"Tag.1.Key": "acs:owner", "Tag.1.Value": "v"}, "InvalidTagKey.Malformed"),
    "key_http": ({"Tag.1.Key": "http://owner", "Tag.1.Value": "v"}, "InvalidTagKey.Malformed"),
    "key_https": ({"Tag.1.Key": "https://owner", "Tag.1.Value": "v"}, "InvalidTagKey.Malformed"),
    "value_129": ({"Tag.1.Key": "k", "Tag.1.Value": "v" * 129}, "InvalidTagValue.Malformed"),
    "value_aliyun": ({"Tag.1.Key": "k", "Tag.1.Value": "aliyun-x"}, "InvalidTagValue.Malformed"),
    "value_acs": ({"Tag.1.Key": "k", "Tag.1.Value": "acs:x"}, "InvalidTagValue.Malformed"),
    "value_http": ({"Tag.1.Key": "k", "Tag.1.Value": "http://x"}, "InvalidTagValue.Malformed"),
    "value_https": ({"Tag.1.Key": "k", "Tag.1.Value": "https://x"}, "InvalidTagValue.Malformed"),
    "duplicate_key": ({"Tag.1.Key": "k", "Tag.1.Value": "a", "Tag.2.Key": "k", "Tag.2.Value": "b"},
                      "Duplicate.TagKey"),
    "n_21": ({"Tag.21.Key": "k", "Tag.21.Value": "v"}, "InvalidTagCount"),
}


@pytest.mark.parametrize("params,code", list(BAD_TAGS.values()), ids=list(BAD_TAGS))
def test_tags_malformed(client, ecs, params, code):
    _, disk = ready_disk(client, ecs)
    fails(client, code, DiskId=disk, **params)
    assert ecs.ids("snapshots") == []


# =========================================================================================
# Spec table: DiskInArrears. decisions.md: an expired PrePaid disk, or a "financial" lock.
# =========================================================================================
def test_expired_subscription_disk_in_arrears(client, ecs, frozen):
    inst, disk = ready_disk(client, ecs, InstanceChargeType="PrePaid", Period=1, PeriodUnit="Week")
    shown = describe_disk(client, disk)
    assert shown["DiskChargeType"] == "PrePaid"
    create(client, disk)  # before expiry: fine
    week = 7 * 86400
    ecs.advance_clock(week - WINDOW - 1)  # one second before expiry
    create(client, disk)
    ecs.advance_clock(60 + 1)  # past expiry
    fails(client, "DiskInArrears", DiskId=disk)
    assert len(ecs.ids("snapshots")) == 2


def test_pay_as_you_go_disk_never_in_arrears(client, ecs):
    _, disk = ready_disk(client, ecs)
    ecs.advance_clock(400 * 86400)
    create(client, disk)


def test_financial_lock_disk_in_arrears(client, ecs):
    inst, disk = ready_disk(client, ecs)
    ecs.lock_instance(inst, "financial")
    assert [lk["LockReason"] for lk in describe_instance(client, inst)["OperationLocks"]["LockReason"]] == ["financial"]
    fails(client, "DiskInArrears", DiskId=disk)
    ecs.unlock_instance(inst, "financial")
    create(client, disk)


# =========================================================================================
# Spec table: InvalidAccountStatus.NotEnoughBalance / .SnapshotServiceUnavailable (control API).
# =========================================================================================
@pytest.mark.parametrize("flag,code", [
    ("not_enough_balance", "InvalidAccountStatus.NotEnoughBalance"),
    ("snapshot_service_unavailable", "InvalidAccountStatus.SnapshotServiceUnavailable"),
])
def test_account_status_refused(client, ecs, flag, code):
    _, disk = ready_disk(client, ecs)
    ecs.set_account_status(**{flag: True})
    fails(client, code, DiskId=disk)
    assert ecs.ids("snapshots") == []
    ecs.set_account_status(**{flag: False})
    create(client, disk)


# =========================================================================================
# Spec table: CreateSnapshot.Failed (decisions.md: a fault injected through the control API).
# =========================================================================================
def test_injected_failure_creates_nothing(client, ecs):
    _, disk = ready_disk(client, ecs)
    ecs.inject_fault("CreateSnapshot", "CreateSnapshot.Failed", times=2)
    fails(client, "CreateSnapshot.Failed", DiskId=disk)
    fails(client, "CreateSnapshot.Failed", DiskId=disk, ClientToken="retry-me")
    assert ecs.ids("snapshots") == []
    assert snapshots_of(client, disk) == []
    # The fault is used up: the retry with the same token creates the snapshot once.
    first = create(client, disk, ClientToken="retry-me")
    assert create(client, disk, ClientToken="retry-me") == first
    assert ecs.ids("snapshots") == [first]


# =========================================================================================
# Spec table: InvalidDiskId.NotFound. decisions.md: no such disk in the request's region,
# or in any region when the request names none.
# =========================================================================================
def test_unknown_disk_not_found(client, ecs):
    ready_disk(client, ecs)
    fails(client, "InvalidDiskId.NotFound", DiskId="d-bp1notthere0000000000")
    fails(client, "InvalidDiskId.NotFound", DiskId="no-such-disk")


def test_released_disk_not_found(client, ecs):
    inst, disk = ready_disk(client, ecs)
    client.call("DeleteInstance", InstanceId=inst, Force=True)
    fails(client, "InvalidDiskId.NotFound", DiskId=disk)


def test_disk_in_another_region_not_found(client, ecs):
    inst = run_instance(client, RegionId="cn-shanghai")
    out = client.call("DescribeDisks", RegionId="cn-shanghai", InstanceId=inst)
    disk = out["Disks"]["Disk"][0]["DiskId"]
    ecs.advance_clock(WINDOW)
    fails(client, "InvalidDiskId.NotFound", DiskId=disk, RegionId=REGION)
    assert ecs.ids("snapshots") == []
    create(client, disk, RegionId="cn-shanghai")


def test_disk_of_another_account_not_found(client, ecs):
    _, disk = ready_disk(client, ecs)
    ecs.register_access_key("LTAIotherAccount", "other-secret", account_id="9999999999999999")
    other = TeaDriver(ak="LTAIotherAccount", secret="other-secret")
    fails(other, "InvalidDiskId.NotFound", DiskId=disk)
    assert ecs.ids("snapshots") == [] and ecs.ids("snapshots", account_id="9999999999999999") == []


def test_disk_found_in_any_region_when_none_named(ecs):
    # The central host names no region and neither does the request: the disk's own region.
    tea = TeaDriver(region="cn-shanghai")
    inst = run_instance(tea, RegionId="cn-shanghai")
    disk = tea.call("DescribeDisks", RegionId="cn-shanghai", InstanceId=inst)["Disks"]["Disk"][0]["DiskId"]
    ecs.advance_clock(WINDOW)
    resp = requests.get("https://ecs.aliyuncs.com/", params=signed_params("CreateSnapshot", {"DiskId": disk}))
    assert resp.status_code == 200, resp.text
    snap = resp.json()["SnapshotId"]
    assert snap.startswith("s-uf6")  # an ID of cn-shanghai
    assert ecs.snapshot(snap)["RegionId"] == "cn-shanghai"


# =========================================================================================
# Spec table: DiskId.ValueNotSupported. decisions.md: the ID of another kind of resource.
# =========================================================================================
@pytest.mark.parametrize("kind", ["instance", "snapshot", "image", "sg", "vpc", "vsw"])
def test_other_kind_of_id_not_supported(client, ecs, kind):
    inst, disk = ready_disk(client, ecs)
    snap = create(client, disk)
    ecs.advance_clock(60)
    ids = {
        "instance": inst,
        "snapshot": snap,
        "image": lambda: client.call("CreateImage", RegionId=REGION, SnapshotId=snap)["ImageId"],
        "sg": "sg-bp1abcdefghijklmnopq",
        "vpc": "vpc-bp1abcdefghijklmnopq",
        "vsw": "vsw-bp1abcdefghijklmnopq",
    }
    wrong = ids[kind]() if callable(ids[kind]) else ids[kind]
    fails(client, "DiskId.ValueNotSupported", DiskId=wrong)
    assert ecs.ids("snapshots") == [snap]


def test_unknown_id_of_another_kind_not_supported(client, ecs):
    # By its prefix alone: an i- ID is never a disk, whether or not the instance exists.
    fails(client, "DiskId.ValueNotSupported", DiskId="i-bp1doesnotexist000000")


# =========================================================================================
# Spec table: DiskCategory.OperationNotSupported. decisions.md: a local disk made with an instance.
# =========================================================================================
@pytest.mark.parametrize("category", ["ephemeral_ssd", "local_ssd_pro"])
def test_local_disk_not_supported(client, ecs, category):
    inst, _ = ready_disk(client, ecs, **{"DataDisk.1.Category": category, "DataDisk.1.Size": 100})
    local = next(d for d in disks_of(client, inst) if d["Type"] == "data")
    assert local["Category"] == category
    fails(client, "DiskCategory.OperationNotSupported", DiskId=local["DiskId"])
    assert ecs.ids("snapshots") == []


# =========================================================================================
# decisions.md: order of checks — gateway, parameter formats, ClientToken, account, the disk
# and its instance in the order of the table, then the quota. Two rules broken at once: the
# earlier one answers.
# =========================================================================================
def test_order_gateway_before_formats(client, ecs):
    fails(client, "MissingDiskId", SnapshotName="1bad", Description="x")


@pytest.mark.parametrize("param,value,code", [
    ("SnapshotName", "1bad", "InvalidSnapshotName.Malformed"),
    ("Description", "x", "InvalidDescription.Malformed"),
])
def test_order_format_before_unknown_disk(client, ecs, param, value, code):
    fails(client, code, DiskId="d-bp1notthere0000000000", **{param: value})


def test_order_formats_before_client_token(client, ecs):
    _, disk = ready_disk(client, ecs)
    fails(client, "InvalidSnapshotName.Malformed", DiskId=disk, SnapshotName="1bad", ClientToken="t" * 65)


def test_order_client_token_before_account(client, ecs):
    _, disk = ready_disk(client, ecs)
    first = create(client, disk, ClientToken="tok")
    ecs.set_account_status(not_enough_balance=True)
    fails(client, "InvalidClientToken.Malformed", DiskId=disk, ClientToken="t" * 65)
    fails(client, "IdempotentParameterMismatch", DiskId=disk, ClientToken="tok", SnapshotName="other")
    assert create(client, disk, ClientToken="tok") == first  # the replay answers before the account
    fails(client, "InvalidAccountStatus.NotEnoughBalance", DiskId=disk, ClientToken="new")


def test_order_account_before_disk(client, ecs):
    inst, _ = ready_disk(client, ecs)
    ecs.set_account_status(not_enough_balance=True, snapshot_service_unavailable=True)
    fails(client, "InvalidAccountStatus.NotEnoughBalance", DiskId="d-bp1notthere0000000000")
    fails(client, "InvalidAccountStatus.NotEnoughBalance", DiskId=inst)
    ecs.set_account_status(not_enough_balance=False)
    fails(client, "InvalidAccountStatus.SnapshotServiceUnavailable", DiskId="d-bp1notthere0000000000")


def test_order_fault_before_formats(client, ecs):
    # README: injected faults come right after the gateway.
    ecs.inject_fault("CreateSnapshot", "CreateSnapshot.Failed")
    fails(client, "CreateSnapshot.Failed", DiskId="d-bp1notthere0000000000", SnapshotName="1bad")
    fails(client, "InvalidSnapshotName.Malformed", DiskId="d-bp1notthere0000000000", SnapshotName="1bad")


def test_order_category_before_never_used(client, ecs):
    inst = create_instance(client, **{"DataDisk.1.Category": "ephemeral_ssd", "DataDisk.1.Size": 100})
    local = data_disk(client, inst)
    fails(client, "DiskCategory.OperationNotSupported", DiskId=local)
    fails(client, "IncorrectDiskStatus.NeverUsed", DiskId=system_disk(client, inst))


def test_order_instance_status_before_initializing(client):
    with MockEcs(instance_start_seconds=60) as mock:
        disk = system_disk(client, run_instance(client))
        fails(client, "IncorrectInstanceStatus", DiskId=disk)
        mock.advance_clock(60)
        fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)


def test_order_never_used_before_security_lock(client, ecs):
    inst = create_instance(client)
    ecs.lock_instance(inst, "security")
    fails(client, "IncorrectDiskStatus.NeverUsed", DiskId=system_disk(client, inst))


def test_order_security_lock_before_initializing_and_arrears(client, ecs):
    inst = run_instance(client)
    disk = system_disk(client, inst)
    ecs.lock_instance(inst, "security")
    ecs.lock_instance(inst, "financial")
    fails(client, "InstanceLockedForSecurity", DiskId=disk)
    ecs.unlock_instance(inst, "security")
    fails(client, "IncorrectDiskStatus.Initializing", DiskId=disk)
    ecs.advance_clock(WINDOW)
    fails(client, "DiskInArrears", DiskId=disk)


def test_order_creating_snapshot_before_arrears(client, ecs):
    inst, disk = ready_disk(client, ecs)
    create(client, disk)
    ecs.lock_instance(inst, "financial")
    fails(client, "IncorrectDiskStatus.CreatingSnapshot", DiskId=disk)
    ecs.advance_clock(60)
    fails(client, "DiskInArrears", DiskId=disk)


def test_order_arrears_before_quota(client):
    with MockEcs(snapshot_quota=1) as mock:
        inst, disk = ready_disk(client, mock)
        create(client, disk)
        mock.advance_clock(60)
        mock.lock_instance(inst, "financial")
        fails(client, "DiskInArrears", DiskId=disk)
        mock.unlock_instance(inst)
        fails(client, "QuotaExceed.Snapshot", DiskId=disk)


def test_order_creating_snapshot_before_quota(client):
    with MockEcs(snapshot_quota=1) as mock:
        _, disk = ready_disk(client, mock)
        create(client, disk)
        fails(client, "IncorrectDiskStatus.CreatingSnapshot", DiskId=disk)
        mock.advance_clock(60)
        fails(client, "QuotaExceed.Snapshot", DiskId=disk)


def test_order_of_checks_is_documented():
    # decisions.md: "Document the order." The README lists the CreateSnapshot checks in order.
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### CreateSnapshot: the order of checks", 1)[1].split("\n### ", 1)[0]
    steps = ["MissingDiskId", "SnapshotName", "Description", "IdempotentParameterMismatch",
             "InvalidAccountStatus.NotEnoughBalance", "InvalidAccountStatus.SnapshotServiceUnavailable",
             "DiskId.ValueNotSupported", "InvalidDiskId.NotFound", "DiskCategory.OperationNotSupported",
             "IncorrectDiskStatus.NeverAttached", "IncorrectInstanceStatus", "IncorrectDiskStatus.NeverUsed",
             "InstanceLockedForSecurity", "IncorrectDiskStatus.Initializing", "IncorrectDiskStatus.CreatingSnapshot",
             "DiskInArrears", "QuotaExceed.Snapshot"]
    positions = [section.find(f"`{code}`") for code in steps]
    assert -1 not in positions, dict(zip(steps, positions))
    assert positions == sorted(positions)


# =========================================================================================
# decisions.md "Time": duration = max(snapshot_min_seconds, data GiB x 1.5); Progress "N%"
# rising linearly, RemainTime in seconds; then accomplished, "100%", 0. One clock: real time
# (freezegun, time-machine) plus the control API's offset, read when asked.
# =========================================================================================
def test_default_settings_are_the_documented_numbers(ecs):
    s = ecs.settings
    assert (s.snapshot_quota, s.initialization_seconds, s.snapshot_seconds_per_gib, s.snapshot_min_seconds) == (
        64, 3600, 1.5, 10)
    assert (s.instance_start_seconds, s.instance_transition_seconds) == (0, 0)


def _progress(client: Driver, disk: str) -> Tuple[str, str, int]:
    snap = one_snapshot(client, disk)
    return snap["Status"], snap["Progress"], int(snap["RemainTime"])


def test_progress_with_advance_clock(client, ecs, frozen):
    _, disk = ready_disk(client, ecs)  # 40 GiB: 60 s
    create(client, disk)
    seen = [_progress(client, disk)]
    for step in (15, 15, 20, 9, 0.5, 0.5):
        ecs.advance_clock(step)
        seen.append(_progress(client, disk))
    assert seen == [
        ("progressing", "0%", 60),
        ("progressing", "25%", 45),
        ("progressing", "50%", 30),
        ("progressing", "83%", 10),
        ("progressing", "98%", 1),
        ("progressing", "99%", 1),  # half a second left: still 1, never 0 while progressing
        ("accomplished", "100%", 0),
    ]
    ecs.advance_clock(3600)
    assert _progress(client, disk) == ("accomplished", "100%", 0)


def test_progress_with_real_time_and_advance_clock(client, ecs):
    # Not frozen: the real clock runs on (a few milliseconds) and the offset moves it.
    _, disk = ready_disk(client, ecs)
    create(client, disk)
    status, progress, remain = _progress(client, disk)
    assert (status, progress) == ("progressing", "0%") and remain in (59, 60)
    ecs.advance_clock(30)
    status, progress, remain = _progress(client, disk)
    assert (status, progress) == ("progressing", "50%") and remain in (29, 30)
    ecs.advance_clock(30)
    assert _progress(client, disk) == ("accomplished", "100%", 0)


def test_progress_with_freezegun_tick_and_move_to(client, ecs):
    start = datetime(2030, 1, 1, 0, 0, 0, tzinfo=timezone.utc)
    with freeze_time(start) as ft:
        _, disk = ready_disk(client, ecs)  # offset +3600 s
        create(client, disk)
        assert _progress(client, disk) == ("progressing", "0%", 60)
        ft.tick(12)
        assert _progress(client, disk) == ("progressing", "20%", 48)
        ft.tick(timedelta(seconds=18))
        assert _progress(client, disk) == ("progressing", "50%", 30)
        ft.move_to(start + timedelta(seconds=57))
        assert _progress(client, disk) == ("progressing", "95%", 3)
        ecs.advance_clock(1)  # freezegun and the offset add up
        assert _progress(client, disk) == ("progressing", "96%", 2)
        ft.move_to(start + timedelta(seconds=59))
        assert _progress(client, disk) == ("accomplished", "100%", 0)
        snap = one_snapshot(client, disk)
        assert snap["CreationTime"] == "2030-01-01T01:00:00Z"  # frozen time + the 3600 s offset


def test_progress_with_time_machine(client, ecs):
    with time_machine.travel(datetime(2031, 6, 1, 12, 0, 0, tzinfo=timezone.utc), tick=False) as traveller:
        _, disk = ready_disk(client, ecs)
        ecs.set_disk_data_size(disk, 100)  # 150 s
        create(client, disk)
        assert _progress(client, disk) == ("progressing", "0%", 150)
        traveller.shift(75)
        assert _progress(client, disk) == ("progressing", "50%", 75)
        traveller.shift(timedelta(seconds=74))
        assert _progress(client, disk) == ("progressing", "99%", 1)
        traveller.shift(1)
        assert _progress(client, disk) == ("accomplished", "100%", 0)
        assert one_snapshot(client, disk)["CreationTime"] == "2031-06-01T13:00:00Z"


@pytest.mark.parametrize("gib,seconds", [(40, 60), (100, 150), (2, 10), (6, 10), (0, 10)],
                         ids=["40GiB_60s", "100GiB_150s", "2GiB_min", "6GiB_min", "empty_min"])
def test_duration_depends_on_data_size(client, ecs, frozen, gib, seconds):
    _, disk = ready_disk(client, ecs)
    if gib != 40:
        ecs.set_disk_data_size(disk, gib)
    create(client, disk)
    assert _progress(client, disk) == ("progressing", "0%", seconds)
    ecs.advance_clock(seconds - 1)
    assert _progress(client, disk)[0] == "progressing"
    ecs.advance_clock(1)
    assert _progress(client, disk) == ("accomplished", "100%", 0)


def test_duration_settings(client, frozen):
    with MockEcs(snapshot_min_seconds=30, snapshot_seconds_per_gib=0.5) as mock:
        _, disk = ready_disk(client, mock)
        create(client, disk)
        assert _progress(client, disk) == ("progressing", "0%", 30)  # max(30, 40 x 0.5 = 20)
        mock.set_disk_data_size(disk, 100)
        mock.advance_clock(30)
        create(client, disk)
        assert snapshots_of(client, disk)[0]["RemainTime"] == 50  # 100 x 0.5


def test_data_disk_duration_and_source_type(client, ecs, frozen):
    inst, _ = ready_disk(client, ecs, **DATA_DISK)
    disk = data_disk(client, inst)
    create(client, disk)
    snap = one_snapshot(client, disk)
    assert (snap["SourceDiskType"], int(snap["RemainTime"]), str(snap["SourceDiskSize"])) == ("data", 30, "20")


# =========================================================================================
# DescribeSnapshots: the fields of a snapshot made by CreateSnapshot.
# =========================================================================================
def test_describe_snapshots_fields(client, ecs, frozen):
    _, disk = ready_disk(client, ecs)
    snap_id = create(client, disk, SnapshotName="nightly", Description="before upgrade", RetentionDays=7,
                     ResourceGroupId="rg-acfmxazb4ph6aiy", **tag_params([("env", "test"), ("team", "")]))
    created = ecs.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    ecs.advance_clock(30)
    snap = one_snapshot(client, disk)
    expected = {
        "SnapshotId": snap_id,
        "SnapshotName": "nightly",
        "Description": "before upgrade",
        "Status": "progressing",
        "Progress": "50%",
        "RemainTime": 30,
        "CreationTime": created,
        "LastModifiedTime": created,
        "SourceDiskId": disk,
        "SourceDiskType": "system",
        "SourceStorageType": "disk",
        "Usage": "none",
        "RetentionDays": 7,
        "Encrypted": False,
        "Category": "standard",
        "ProductCode": "",
        "ResourceGroupId": "rg-acfmxazb4ph6aiy",
        "Tags": {"Tag": [{"TagKey": "env", "TagValue": "test"}, {"TagKey": "team", "TagValue": ""}]},
    }
    assert {k: snap[k] for k in expected} == expected
    assert str(snap["SourceDiskSize"]) == "40"
    ecs.advance_clock(30)
    snap = one_snapshot(client, disk)
    assert (snap["Status"], snap["Progress"], snap["RemainTime"]) == ("accomplished", "100%", 0)
    assert snapshots_of(client, disk, SnapshotIds=json.dumps([snap_id]))[0]["SnapshotId"] == snap_id


def test_describe_snapshots_retention_days_only_when_given(client, ecs):
    _, disk = ready_disk(client, ecs)
    create(client, disk)
    snap = one_snapshot(client, disk)
    assert "RetentionDays" not in snap
    assert snap["Tags"] == {"Tag": []}
    assert snap["ResourceGroupId"] == ""


def test_describe_snapshots_filters_by_source_disk_type(client, ecs):
    inst, system = ready_disk(client, ecs, **DATA_DISK)
    sys_snap, data_snap = create(client, system), create(client, data_disk(client, inst))
    out = client.call("DescribeSnapshots", RegionId=REGION, InstanceId=inst, SourceDiskType="data")
    assert [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]] == [data_snap]
    out = client.call("DescribeSnapshots", RegionId=REGION, InstanceId=inst, SourceDiskType="system")
    assert [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]] == [sys_snap]


def test_create_snapshot_response_shape(client, ecs):
    _, disk = ready_disk(client, ecs)
    out = client.call("CreateSnapshot", DiskId=disk)
    assert set(out) == {"RequestId", "SnapshotId"}
    assert out["SnapshotId"].startswith("s-bp1") and len(out["SnapshotId"]) == 22


# =========================================================================================
# The Tea SDK's typed method: client.create_snapshot(models.CreateSnapshotRequest(...)).
# =========================================================================================
def test_tea_typed_create_snapshot(ecs):
    from alibabacloud_ecs20140526 import models

    tea = TeaDriver()
    _, disk = ready_disk(tea, ecs)
    resp = tea.client.create_snapshot(models.CreateSnapshotRequest(
        disk_id=disk, snapshot_name="typed-snap", description="made by the typed client",
        client_token="typed-token", tag=[models.CreateSnapshotRequestTag(key="env", value="test")],
    ))
    assert resp.status_code == 200
    snap_id = resp.body.snapshot_id
    assert snap_id.startswith("s-") and resp.body.request_id
    # Idempotent through the typed client too.
    again = tea.client.create_snapshot(models.CreateSnapshotRequest(
        disk_id=disk, snapshot_name="typed-snap", description="made by the typed client",
        client_token="typed-token", tag=[models.CreateSnapshotRequestTag(key="env", value="test")],
    ))
    assert again.body.snapshot_id == snap_id
    with pytest.raises(Exception) as info:
        tea.client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk))
    err = info.value
    assert err.code == "IncorrectDiskStatus.CreatingSnapshot"
    assert err.data["Message"] == "A previous snapshot creation is in process."
    assert err.status_code == 403
    with pytest.raises(Exception) as info:
        tea.client.create_snapshot(models.CreateSnapshotRequest(disk_id=disk, snapshot_name="1bad"))
    assert (info.value.code, info.value.status_code) == ("InvalidSnapshotName.Malformed", 400)
    described = tea.client.describe_snapshots(models.DescribeSnapshotsRequest(region_id=REGION, disk_id=disk))
    snap = described.body.snapshots.snapshot[0]
    assert (snap.snapshot_id, snap.snapshot_name, snap.status) == (snap_id, "typed-snap", "progressing")
    assert [(t.tag_key, t.tag_value) for t in snap.tags.tag] == [("env", "test")]


# =========================================================================================
# Key rules through all five clients (sdkcore, tea, tea_async, requests, libcloud).
# libcloud reads XML, so its values are strings (and empty strings are None).
# =========================================================================================
def test_every_client_initializing_then_progress(any_client, ecs, frozen):
    inst = run_instance(any_client)
    disk = system_disk(any_client, inst)
    fails(any_client, "IncorrectDiskStatus.Initializing", DiskId=disk)
    ecs.advance_clock(WINDOW)
    snap_id = create(any_client, disk, SnapshotName="every-client")
    fails(any_client, "IncorrectDiskStatus.CreatingSnapshot", DiskId=disk)
    ecs.advance_clock(30)
    snap = one_snapshot(any_client, disk)
    assert (snap["SnapshotId"], snap["SnapshotName"], snap["Status"], snap["Progress"], str(snap["RemainTime"])) == (
        snap_id, "every-client", "progressing", "50%", "30")
    ecs.advance_clock(30)
    snap = one_snapshot(any_client, disk)
    assert (snap["Status"], snap["Progress"], str(snap["RemainTime"])) == ("accomplished", "100%", "0")


def test_every_client_format_errors(any_client, ecs):
    _, disk = ready_disk(any_client, ecs)
    fails(any_client, "InvalidSnapshotName.Malformed", DiskId=disk, SnapshotName="auto-1")
    fails(any_client, "InvalidDescription.Malformed", DiskId=disk, Description="https://x")
    fails(any_client, "InvalidClientToken.Malformed", DiskId=disk, ClientToken="t" * 65)
    assert ecs.ids("snapshots") == []


def test_every_client_disk_errors(any_client, ecs):
    inst, disk = ready_disk(any_client, ecs)
    fails(any_client, "InvalidDiskId.NotFound", DiskId="d-bp1notthere0000000000")
    fails(any_client, "DiskId.ValueNotSupported", DiskId=inst)
    ecs.lock_instance(inst, "security")
    fails(any_client, "InstanceLockedForSecurity", DiskId=disk)
    ecs.unlock_instance(inst)
    ecs.set_account_status(not_enough_balance=True)
    fails(any_client, "InvalidAccountStatus.NotEnoughBalance", DiskId=disk)


def test_every_client_names_tags_and_special_characters(any_client, ecs):
    _, disk = ready_disk(any_client, ecs)
    create(any_client, disk, SnapshotName="Db快照:nightly-1", Description="a <b> & 'c' \"d\" 描述",
           **tag_params([("env", "prod & test")]))
    snap = one_snapshot(any_client, disk)
    assert (snap["SnapshotName"], snap["Description"]) == ("Db快照:nightly-1", "a <b> & 'c' \"d\" 描述")
    assert [(t["TagKey"], t["TagValue"]) for t in snap["Tags"]["Tag"]] == [("env", "prod & test")]


def test_every_client_quota_and_token(any_client):
    with MockEcs(snapshot_quota=1) as mock:
        _, disk = ready_disk(any_client, mock)
        first = create(any_client, disk, ClientToken="every-client-token")
        assert create(any_client, disk, ClientToken="every-client-token") == first
        fails(any_client, "IdempotentParameterMismatch", DiskId=disk, ClientToken="every-client-token",
              Description="changed")
        mock.advance_clock(60)
        fails(any_client, "QuotaExceed.Snapshot", DiskId=disk)
        assert mock.ids("snapshots") == [first]


# =========================================================================================
# decisions.md "Gateway" and the request timestamp rule of "Time".
# =========================================================================================
def _raw(params: Dict[str, Any], fmt: Any = "JSON", host: str = f"https://ecs.{REGION}.aliyuncs.com/",
         timestamp: Any = None) -> requests.Response:
    """A hand-signed RPC GET; ``fmt=None`` sends no Format at all."""
    full = signed_params("CreateSnapshot", params, fmt=fmt or "JSON")
    if fmt is None:
        del full["Format"]
    if timestamp is not None:
        full["Timestamp"] = timestamp
    full.pop("Signature")
    full["Signature"] = sign_rpc(full, "testSecret")
    return requests.get(host, params=full)


def test_gateway_format_is_case_insensitive_and_xml_by_default(ecs):
    driver = RequestsDriver()
    _, disk = ready_disk(driver, ecs)
    resp = _raw({"DiskId": disk, "SnapshotName": "1bad"}, fmt="json")
    assert resp.status_code == 400 and resp.json()["Code"] == "InvalidSnapshotName.Malformed"
    resp = _raw({"DiskId": disk, "SnapshotName": "1bad"}, fmt=None)
    assert resp.status_code == 400
    err = xmltodict.parse(resp.text)["Error"]
    assert (err["Code"], err["Message"], err["HostId"]) == (
        "InvalidSnapshotName.Malformed", "The specified SnapshotName is wrongly formed.", f"ecs.{REGION}.aliyuncs.com")
    resp = _raw({"DiskId": disk}, fmt="xml")
    assert resp.status_code == 200
    doc = xmltodict.parse(resp.text)["CreateSnapshotResponse"]
    assert set(doc) == {"RequestId", "SnapshotId"} and ecs.ids("snapshots") == [doc["SnapshotId"]]


def test_gateway_error_body_fields(ecs):
    resp = _raw({"DiskId": "d-bp1notthere0000000000"})
    body = resp.json()
    assert resp.status_code == 404
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert (body["Code"], body["Message"]) == ("InvalidDiskId.NotFound", "The specified DiskId does not exist.")
    assert body["HostId"] == f"ecs.{REGION}.aliyuncs.com"
    assert body["Recommend"] == (
        f"https://api.aliyun.com/troubleshoot?q=InvalidDiskId.NotFound&product=Ecs&requestId={body['RequestId']}")


def test_gateway_unknown_parameters_ignored(client, ecs):
    _, disk = ready_disk(client, ecs)
    create(client, disk, NoSuchParameter="x", SnapshotNameX="1bad")


def test_gateway_missing_disk_id(client, ecs):
    fails(client, "MissingDiskId")
    fails(client, "MissingDiskId", DiskId="")


def test_gateway_unknown_action(ecs):
    for driver in (RequestsDriver(), TeaDriver()):
        fails(driver, "InvalidAction.NotFound", "CreateSnapshotz", DiskId="d-bp1notthere0000000000")


def test_gateway_any_access_key_works_by_default(ecs):
    stranger = SdkCoreDriver(ak="LTAIanyKeyAtAll", secret="any-secret")
    _, disk = ready_disk(stranger, ecs)
    create(stranger, disk)


def test_gateway_registered_key_signature_checked(ecs):
    ecs.register_access_key("LTAIregisteredKey", "right-secret")
    good = TeaDriver(ak="LTAIregisteredKey", secret="right-secret")
    _, disk = ready_disk(good, ecs)
    create(good, disk)
    for bad in (TeaDriver(ak="LTAIregisteredKey", secret="wrong"),
                RequestsDriver(ak="LTAIregisteredKey", secret="wrong")):
        with pytest.raises(ApiError) as info:
            bad.call("CreateSnapshot", DiskId=disk)
        assert (info.value.code, info.value.status) == ("SignatureDoesNotMatch", 400)
        assert info.value.message.startswith(
            "Specified signature is not matched with our calculation. server string to sign is:")
    assert len(ecs.ids("snapshots")) == 1


def test_gateway_strict_access_keys(client):
    with MockEcs(strict_access_keys=True) as mock:
        fails(client, "InvalidAccessKeyId.NotFound", DiskId="d-bp1notthere0000000000")
        mock.register_access_key("LTAItestAccessKey", "testSecret")
        fails(client, "InvalidDiskId.NotFound", DiskId="d-bp1notthere0000000000")


def test_gateway_timestamp_window_ignores_the_offset(ecs):
    driver = RequestsDriver()
    _, disk = ready_disk(driver, ecs)
    ecs.advance_clock(30 * 86400)  # the offset does not count: a current timestamp still passes
    stamp = lambda minutes: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - minutes * 60))  # noqa: E731
    resp = _raw({"DiskId": disk}, timestamp=stamp(16))
    assert (resp.status_code, resp.json()["Code"], resp.json()["Message"]) == (
        400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
    assert ecs.ids("snapshots") == []
    resp = _raw({"DiskId": disk}, timestamp=stamp(14))
    assert resp.status_code == 200, resp.text
