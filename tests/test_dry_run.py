"""DryRun=true on every action whose real metadata has it (meta/en-US/*.json).

The request is checked like a real one (gateway, parameters, state) and answers the error
code DryRunOperation instead of acting; nothing changes. A request that would fail answers
that failure instead. The message and HTTP status of DryRunOperation are not documented
(FACTS.md section 1): the mock answers 400, "Request validation has been passed with DryRun
flag set.".
"""

from __future__ import annotations

import copy
import json
from typing import Any, Dict

import pytest

from conftest import (
    IMAGE,
    REGION,
    Driver,
    SdkCoreDriver,
    TeaDriver,
    accomplished_snapshot,
    create_instance,
    expect_error,
    run_instance,
)
from mock_ecs import MockEcs
from mock_ecs.backend import DEFAULT_ACCOUNT_ID
from mock_ecs.router import ACTIONS, META

DRY = ("DryRunOperation", "Request validation has been passed with DryRun flag set.", 400)
STATUS_MSG = "The current status of the resource does not support this operation."
# The actions of this project's part; CreateImage, DeleteImage, DescribeImages and
# DescribeSnapshots are the images' and snapshots' (their declaration is checked below too).
MINE = ("CreateInstance", "RunInstances", "DeleteInstance", "StartInstance", "StopInstance", "DescribeDisks",
        "DescribeInstances")


def state(ecs: MockEcs) -> Dict[str, Any]:
    """Everything a request could change, as plain data."""
    acct = ecs.backend.accounts.get(DEFAULT_ACCOUNT_ID)
    return {
        "instances": {i: ecs.instance(i) for i in ecs.ids("instances")},
        "disks": {d: ecs.disk(d) for d in ecs.ids("disks")},
        "snapshots": {s: ecs.snapshot(s) for s in ecs.ids("snapshots")},
        "images": sorted(ecs.ids("images")),
        "where": dict(acct.where) if acct else {},
        "tokens": copy.deepcopy(acct.tokens) if acct else {},
        # A request may open an empty account or region: that is no change.
        "ips": {r: dict(s.ip_owners) for r, s in acct.regions.items() if s.ip_owners} if acct else {},
    }


# --- which handlers accept DryRun ----------------------------------------------------------------
def test_the_real_dry_run_actions():
    real = {name for name, params in META.items() if "DryRun" in params}
    assert real == set(MINE) | {"CreateImage", "DeleteImage", "DescribeImages", "DescribeSnapshots"} | {
        "RebootInstance", "CopyImage"} | {"ResetDisk", "ResetDisks"}


@pytest.mark.parametrize("action", sorted(name for name, params in META.items() if "DryRun" in params))
def test_every_handler_that_the_real_api_lets_dry_run_declares_it(action):
    assert "DryRun" in ACTIONS[action].params


def test_no_handler_pretends_a_dry_run_the_real_api_lacks():
    # CreateDisk, for one, has no DryRun: a test passing against the mock would create a disk
    # on the real service.
    assert {name for name, spec in ACTIONS.items() if "DryRun" in spec.params} <= {
        name for name, params in META.items() if "DryRun" in params}


# --- DryRun answers DryRunOperation and changes nothing -------------------------------------------
def _setup(action: str, client: Driver) -> Dict[str, Any]:
    """A request of ``action`` that would succeed, after building what it needs."""
    if action == "RunInstances":
        return {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large", "Amount": 3,
                "DataDisk.1.Size": 50, "InternetMaxBandwidthOut": 5, "ClientToken": "dry-token",
                "Tag.1.Key": "env", "Tag.1.Value": "test"}
    if action == "CreateInstance":
        return {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large", "ClientToken": "dry-token"}
    if action == "DeleteInstance":
        return {"InstanceId": run_instance(client, **{"DataDisk.1.Size": 20}), "Force": True}
    if action == "StartInstance":
        return {"InstanceId": create_instance(client)}
    if action == "StopInstance":
        return {"InstanceId": run_instance(client)}
    run_instance(client)
    return {"RegionId": REGION, "Status": "In_use" if action == "DescribeDisks" else "Running", "MaxResults": 10}


@pytest.mark.parametrize("action", MINE)
def test_dry_run_changes_nothing(client, ecs, action):
    run_instance(client)  # something that must stay as it is
    params = _setup(action, client)
    before = state(ecs)
    expect_error(lambda: client.call(action, DryRun=True, **params), *DRY)
    assert state(ecs) == before
    # The same request without DryRun (or DryRun=false) acts.
    client.call(action, DryRun=False, **params)
    if action not in ("DescribeDisks", "DescribeInstances"):
        assert state(ecs) != before


def test_dry_run_of_each_mutation_then_the_real_thing(client, ecs):
    stopped = create_instance(client)
    expect_error(lambda: client.call("StartInstance", InstanceId=stopped, DryRun=True), *DRY)
    assert ecs.instance(stopped)["Status"] == "Stopped"
    client.call("StartInstance", InstanceId=stopped)
    expect_error(lambda: client.call("StopInstance", InstanceId=stopped, DryRun=True), *DRY)
    assert ecs.instance(stopped)["Status"] == "Running"
    client.call("StopInstance", InstanceId=stopped)
    disks = set(ecs.ids("disks"))
    expect_error(lambda: client.call("DeleteInstance", InstanceId=stopped, DryRun=True), *DRY)
    assert ecs.ids("instances") == [stopped] and set(ecs.ids("disks")) == disks
    client.call("DeleteInstance", InstanceId=stopped)
    assert ecs.ids("instances") == [] and ecs.ids("disks") == []


@pytest.mark.parametrize("action", ("ResetDisk", "ResetDisks"))
def test_dry_run_of_a_disk_reset_changes_no_data(client, ecs, action):
    instance_id, disk_id, snap = accomplished_snapshot(client, ecs)
    client.call("StopInstance", InstanceId=instance_id)
    ecs.advance_clock(60)
    ecs.write_disk(disk_id)
    params = ({"DiskId": disk_id, "SnapshotId": snap} if action == "ResetDisk"
              else {"RegionId": REGION, "Disk.1.DiskId": disk_id, "Disk.1.SnapshotId": snap})
    before = state(ecs)
    expect_error(lambda: client.call(action, DryRun=True, **params), *DRY)
    assert state(ecs) == before and ecs.disk_content(disk_id) == 1
    client.call(action, DryRun=False, **params)
    assert ecs.disk_content(disk_id) == 0


# --- a request that would fail answers its failure ------------------------------------------------
CASES = [
    ("RunInstances", lambda c, e: {"RegionId": REGION, "InstanceType": "ecs.g7.large"}, "MissingParameter",
     "The input parameter ImageId that is mandatory for processing this request is not supplied.", 400),
    ("RunInstances", lambda c, e: {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large",
                                   "HttpTokens": "always"}, "InvalidHttpTokens.NotSupported",
     "The specified HttpTokens not supported, you can use optional(default) or required.", 400),
    ("RunInstances", lambda c, e: {"RegionId": REGION, "ImageId": "m-bp1abcdefghijklmnopq",
                                   "InstanceType": "ecs.g7.large"},
     "InvalidImageId.NotFound", "The specified ImageId does not exist.", 404),
    ("RunInstances", lambda c, e: {"ImageId": IMAGE, "InstanceType": "ecs.g7.large", "RegionId": "xx-nowhere-1"},
     "InvalidRegionId.NotFound", "The specified RegionId does not exist.", 404),
    ("CreateInstance", lambda c, e: {"RegionId": REGION, "ImageId": IMAGE}, "MissingInstanceType",
     "InstanceType is mandatory for this action.", 400),
    ("CreateInstance", lambda c, e: {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large",
                                     "InstanceChargeType": "Monthly"},
     "InvalidInstanceChargeType.NotFound", "The InstanceChargeType does not exist in our records", 404),
    ("DeleteInstance", lambda c, e: {"InstanceId": run_instance(c)}, "IncorrectInstanceStatus", STATUS_MSG, 403),
    ("DeleteInstance", lambda c, e: {"InstanceId": "i-bp1abcdefghijklmnopq", "Force": True},
     "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404),
    ("DeleteInstance", lambda c, e: {"InstanceId": run_instance(c, DeletionProtection=True), "Force": True},
     "InvalidOperation.DeletionProtection",
     "The specified instance is protected from release; disable DeletionProtection first.", 403),
    ("DeleteInstance", lambda c, e: {}, "MissingInstanceId", "InstanceId is mandatory for this action.", 400),
    ("StartInstance", lambda c, e: {"InstanceId": run_instance(c)}, "IncorrectInstanceStatus", STATUS_MSG, 403),
    ("StartInstance", lambda c, e: {"InstanceId": _locked(c, e, create_instance(c))}, "InstanceLockedForSecurity",
     "The specified operation is denied as your instance is locked for security reasons.", 403),
    ("StopInstance", lambda c, e: {"InstanceId": create_instance(c)}, "IncorrectInstanceStatus", STATUS_MSG, 403),
    ("StopInstance", lambda c, e: {"InstanceId": "i-bp1abcdefghijklmnopq"},
     "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404),
    ("DescribeDisks", lambda c, e: {"RegionId": REGION, "Status": "Broken"},
     "InvalidStatus.ValueNotSupported", "The specified disk status is not supported.", 400),
    ("DescribeDisks", lambda c, e: {"RegionId": REGION, "NextToken": "forged"},
     "InvalidNextToken.Malformed", "The specified parameter NextToken is not valid.", 400),
    ("DescribeDisks", lambda c, e: {"RegionId": REGION, "PageSize": 101},
     "InvalidPageSize.Malformed", "The specified parameter PageSize is not valid.", 400),
    ("DescribeDisks", lambda c, e: {"RegionId": REGION, "DiskIds": json.dumps(["d-x"] * 101)},
     "InvalidDiskIds.Malformed", "The amount of specified disk Ids exceeds the limit.", 403),
    ("DescribeInstances", lambda c, e: {"RegionId": REGION, "LockReason": "angry"},
     "InvalidLockReason.NotFound", "The specified LockReason is not found", 404),
    ("DescribeInstances", lambda c, e: {"RegionId": REGION, "NextToken": "forged"},
     "InvalidNextToken.Malformed", "The specified parameter NextToken is not valid.", 400),
    ("DescribeInstances", lambda c, e: {"RegionId": REGION, "Filter.1.Key": "Yesterday",
                                        "Filter.1.Value": "2020-01-01T00:00Z"},
     "InvalidFilterKey.NotFound", "The specified FilterKey is not found.", 404),
]


def _locked(client: Driver, ecs: MockEcs, instance_id: str) -> str:
    ecs.lock_instance(instance_id, "security")
    return instance_id


@pytest.mark.parametrize("action,make,code,message,status", CASES,
                         ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_a_failing_dry_run_answers_the_failure(client, ecs, action, make, code, message, status):
    params = make(client, ecs)
    before = state(ecs)
    expect_error(lambda: client.call(action, DryRun=True, **params), code, message, status)
    assert state(ecs) == before


def test_a_pending_instance_cannot_be_deleted_even_in_a_dry_run(client):
    with MockEcs(instance_start_seconds=30) as pending:
        instance_id = run_instance(client)
        expect_error(lambda: client.call("DeleteInstance", InstanceId=instance_id, Force=True, DryRun=True),
                     "IncorrectInstanceStatus.Initializing",
                     "The specified instance status does not support this operation.", 403)
        assert pending.ids("instances") == [instance_id] and pending.instance(instance_id)["Status"] == "Pending"


@pytest.mark.parametrize("action", MINE)
def test_dry_run_must_be_a_boolean(client, ecs, action):
    params = _setup(action, client)
    before = state(ecs)
    expect_error(lambda: client.call(action, DryRun="yes", **params),
                 "InvalidParameter", 'The specified parameter "DryRun" is not valid.', 400)
    assert state(ecs) == before


# --- authentication comes first ---------------------------------------------------------------------
def test_an_unknown_access_key_fails_before_the_dry_run():
    with MockEcs(strict_access_keys=True) as ecs:
        ecs.register_access_key("LTAIknownKey", "knownSecret")
        stranger = SdkCoreDriver(ak="LTAIstrangerKey", secret="whatever")
        expect_error(lambda: stranger.call("DescribeInstances", RegionId=REGION, DryRun=True),
                     "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        wrong = TeaDriver(ak="LTAIknownKey", secret="notTheSecret")
        expect_error(lambda: wrong.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large",
                                        DryRun=True), "SignatureDoesNotMatch", status=400)
        assert ecs.calls[-1].code == "SignatureDoesNotMatch"
        known = SdkCoreDriver(ak="LTAIknownKey", secret="knownSecret")
        expect_error(lambda: known.call("DescribeInstances", RegionId=REGION, DryRun=True), *DRY)
        assert ecs.ids("instances") == []


# --- ClientToken and DryRun -----------------------------------------------------------------------
@pytest.mark.parametrize("action", ["RunInstances", "CreateInstance"])
def test_a_dry_run_does_not_use_up_its_client_token(client, ecs, action):
    params = {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large", "ClientToken": "tok-1"}
    expect_error(lambda: client.call(action, DryRun=True, **params), *DRY)
    assert ecs.ids("instances") == []
    first = client.call(action, **params)
    assert len(ecs.ids("instances")) == 1
    # A dry run of the replay is still only a dry run; the replay itself gives the first answer.
    expect_error(lambda: client.call(action, DryRun=True, **params), *DRY)
    again = client.call(action, **params)
    assert {k: v for k, v in again.items() if k != "RequestId"} == {k: v for k, v in first.items() if k != "RequestId"}
    assert len(ecs.ids("instances")) == 1
    # A changed request under a used token fails, dry run or not.
    expect_error(lambda: client.call(action, DryRun=True, **{**params, "InstanceName": "other"}),
                 "IdempotentParameterMismatch", "The request is retried with updated parameters.", 400)
