"""Fault injection: injected errors with their real codes, messages and statuses, for the next N
calls or a seeded fraction of them, with an optional added latency; a faulted call changes
nothing; the real clients' retry logic meets them (with their sleeps patched: nothing here
waits for real).
"""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any, Callable, Dict, List, Optional

import pytest

from conftest import (
    IMAGE,
    REGION,
    ApiError,
    RequestsDriver,
    SdkCoreDriver,
    TeaAsyncDriver,
    TeaDriver,
    expect_error,
    ready_disk,
    run_instance,
    system_disk,
)
from mock_ecs import MockEcs, errors, mock_ecs, regions, router

THROTTLING = "You have made too many requests within a short time; your request is denied due to request throttling."
INTERNAL = "The request processing has failed due to some unknown error, exception or failure."
UNAVAILABLE = "The request has failed due to a temporary failure of the server."


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> List[float]:
    """Every time.sleep of this test (the SDKs' backoff, the mock's default latency), recorded, not slept."""
    calls: List[float] = []
    monkeypatch.setattr(time, "sleep", calls.append)
    return calls


def state_of(ecs: MockEcs) -> Dict[str, Any]:
    """Every resource of every account as the control API shows it, and every account's tokens."""
    out: Dict[str, Any] = {}
    for kind in ("instances", "disks", "snapshots", "images"):
        out[kind] = {rid: getattr(ecs, kind[:-1])(rid) for rid in ecs.ids(kind)}
    out["content"] = {rid: ecs.disk_content(rid) for rid in ecs.ids("disks")}
    out["tokens"] = {a: sorted(acct.tokens) for a, acct in ecs.backend.accounts.items()}
    out["where"] = {a: dict(acct.where) for a, acct in ecs.backend.accounts.items()}
    out["policies"] = {p.policy_id: repr(p) for acct in ecs.backend.accounts.values()
                       for state in acct.regions.values() for p in state.policies.values()}
    out["groups"] = {g.group_id: repr(g) for acct in ecs.backend.accounts.values()
                     for state in acct.regions.values() for g in state.groups.values()}
    return out


# --- aliyunsdkcore's retry logic -------------------------------------------------------------------
@pytest.mark.parametrize("faults", [1, 2, 3])
def test_sdkcore_retries_throttling_and_succeeds_after_n_faults(ecs: MockEcs, slept: List[float],
                                                               faults: int) -> None:
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    ecs.clear_calls()
    fault = ecs.inject_fault("CreateSnapshot", "Throttling", times=faults)
    client = SdkCoreDriver(auto_retry=True, max_retry_time=3)
    snap_id = client.call("CreateSnapshot", DiskId=disk_id, SnapshotName="nightly")["SnapshotId"]
    # The record: N refused attempts, then the success; each attempt signed anew.
    calls = ecs.calls.of("CreateSnapshot")
    assert calls.codes == ["Throttling"] * faults + [None]
    assert calls.statuses == [400] * faults + [200]
    assert [c.injected for c in calls] == [True] * faults + [False]
    assert all(c.message == THROTTLING for c in calls.failed)
    assert len({c.params["SignatureNonce"] for c in calls}) == faults + 1
    assert all(c.params["DiskId"] == disk_id for c in calls)
    # The SDK backed off once per retry (its throttling backoff), and nothing really slept.
    assert len(slept) == faults and all(s > 0 for s in slept)
    # Exactly one snapshot, and the fault is used up.
    assert ecs.ids("snapshots") == [snap_id]
    assert (fault.fired, fault.times) == (faults, 0)


def test_sdkcore_gives_up_after_its_retries(ecs: MockEcs, slept: List[float]) -> None:
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    ecs.clear_calls()
    ecs.inject_fault("CreateSnapshot", "Throttling", times=4)
    client = SdkCoreDriver(auto_retry=True, max_retry_time=3)
    expect_error(lambda: client.call("CreateSnapshot", DiskId=disk_id), "Throttling", THROTTLING, 400)
    assert ecs.calls.codes == ["Throttling"] * 4
    assert len(slept) == 3
    assert ecs.ids("snapshots") == []
    # The next attempt gets through.
    assert client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"] in ecs.ids("snapshots")


@pytest.mark.parametrize("code, status", [("InternalError", 500), ("ServiceUnavailable", 503),
                                          ("UnknownError", 400)])
def test_sdkcore_retries_server_errors_of_a_retryable_action(ecs: MockEcs, slept: List[float], code: str,
                                                            status: int) -> None:
    run_instance(RequestsDriver())
    ecs.clear_calls()
    ecs.inject_fault("DescribeSnapshots", code, times=2)
    out = SdkCoreDriver(auto_retry=True, max_retry_time=3).call("DescribeSnapshots", RegionId=REGION)
    assert out["TotalCount"] == 0
    assert ecs.calls.codes == [code, code, None]
    assert ecs.calls.statuses == [status, status, 200]
    assert len(slept) == 2


def test_sdkcore_does_not_retry_an_action_outside_its_retry_config(ecs: MockEcs, slept: List[float]) -> None:
    driver = RequestsDriver()
    _, disk_id = ready_disk(driver, ecs)
    snap_id = driver.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ecs.advance_clock(3600)
    ecs.clear_calls()
    ecs.inject_fault("DeleteSnapshot", "InternalError", times=1)
    client = SdkCoreDriver(auto_retry=True, max_retry_time=3)
    expect_error(lambda: client.call("DeleteSnapshot", SnapshotId=snap_id), "InternalError", INTERNAL, 500)
    assert ecs.calls.codes == ["InternalError"] and slept == []
    assert ecs.ids("snapshots") == [snap_id]


def test_sdkcore_does_not_retry_a_business_error(ecs: MockEcs, slept: List[float]) -> None:
    _, disk_id = ready_disk(RequestsDriver(), ecs)
    ecs.clear_calls()
    ecs.inject_fault("CreateSnapshot", "CreateSnapshot.Failed", times=2)
    client = SdkCoreDriver(auto_retry=True, max_retry_time=3)
    expect_error(lambda: client.call("CreateSnapshot", DiskId=disk_id), "CreateSnapshot.Failed",
                 "The process of creating snapshot failed.", 403)
    assert ecs.calls.codes == ["CreateSnapshot.Failed"] and slept == []


# --- the Tea SDK ----------------------------------------------------------------------------------------
def tea_call(driver: TeaDriver, action: str, **params: Any) -> Any:
    """Call through the Tea client and let its own exception out."""
    import asyncio

    from alibabacloud_tea_openapi import utils_models as um
    from darabonba.runtime import RuntimeOptions

    from conftest import _tea_params

    req = um.OpenApiRequest(query={k: str(v) for k, v in params.items()})
    if driver.use_async:
        return asyncio.run(driver.client.call_api_async(_tea_params(action), req, RuntimeOptions()))
    return driver.client.call_api(_tea_params(action), req, RuntimeOptions())


@pytest.mark.parametrize("driver_cls", [TeaDriver, TeaAsyncDriver])
def test_tea_throttling_exception(ecs: MockEcs, driver_cls: Any) -> None:
    from alibabacloud_tea_openapi.exceptions import ThrottlingException

    ecs.inject_fault("DescribeInstances", "Throttling")
    with pytest.raises(ThrottlingException) as info:
        tea_call(driver_cls(), "DescribeInstances", RegionId=REGION)
    e = info.value
    assert (e.code, e.status_code) == ("Throttling", 400)
    assert e.retry_after == 1000
    assert e.message == f"code: 400, {THROTTLING} request id: {e.request_id}"
    assert e.request_id == ecs.calls[-1].request_id and ecs.calls[-1].injected


@pytest.mark.parametrize("driver_cls", [TeaDriver, TeaAsyncDriver])
@pytest.mark.parametrize("code, status, message", [("ServiceUnavailable", 503, UNAVAILABLE),
                                                   ("InternalError", 500, INTERNAL)])
def test_tea_server_exception(ecs: MockEcs, driver_cls: Any, code: str, status: int, message: str) -> None:
    from alibabacloud_tea_openapi.exceptions import ClientException, ServerException

    ecs.inject_fault("*", code)
    with pytest.raises(ServerException) as info:
        tea_call(driver_cls(), "DescribeDisks", RegionId=REGION)
    e = info.value
    assert not isinstance(e, ClientException)
    assert (e.code, e.status_code) == (code, status)
    assert e.message == f"code: {status}, {message} request id: {e.request_id}"


def test_tea_client_exception_for_a_4xx_fault(ecs: MockEcs) -> None:
    from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

    _, disk_id = ready_disk(RequestsDriver(), ecs)
    ecs.inject_fault("CreateSnapshot", "CreateSnapshot.Failed")
    with pytest.raises(ClientException) as info:
        tea_call(TeaDriver(), "CreateSnapshot", DiskId=disk_id)
    assert not isinstance(info.value, ThrottlingException)
    assert (info.value.code, info.value.status_code) == ("CreateSnapshot.Failed", 403)
    assert ecs.ids("snapshots") == []


def test_tea_retry_options_retry_throttling(ecs: MockEcs, slept: List[float]) -> None:
    from darabonba.policy.retry import RetryOptions

    options = RetryOptions({"retryCondition": [{"maxAttempts": 3, "exception": ["ThrottlingException"]}]})
    driver = TeaDriver(retry_options=options)
    ecs.inject_fault("DescribeInstances", "Throttling", times=2)
    assert tea_call(driver, "DescribeInstances", RegionId=REGION)["body"]["TotalCount"] == 0
    assert ecs.calls.codes == ["Throttling", "Throttling", None]
    # It waited as x-acs-retry-after said (1000 ms), through a patched sleep.
    assert slept == [1.0, 1.0]


# --- what a fault answers ---------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["Throttling", "ServiceUnavailable", "InternalError", "UnknownError",
                                  "CreateSnapshot.Failed", "InvalidAccountStatus.NotEnoughBalance"])
def test_a_catalogue_code_answers_its_real_status_and_message(ecs: MockEcs, code: str) -> None:
    status, message = errors.CATALOGUE[code]
    ecs.inject_fault("*", code)
    expect_error(lambda: RequestsDriver().call("DescribeInstances", RegionId=REGION), code, message, status)


@pytest.mark.parametrize("edition, text", [
    ("current", "The process of creating snapshot is failed."),
    ("spec", "The process of creating snapshot failed."),
])
def test_the_edition_chooses_the_text(edition: str, text: str) -> None:
    with mock_ecs(edition=edition) as ecs:
        ecs.inject_fault("*", "CreateSnapshot.Failed")
        expect_error(lambda: RequestsDriver().call("CreateSnapshot", DiskId="d-x"), "CreateSnapshot.Failed", text, 403)


def test_catalogue_keys_answer_their_wire_code(ecs: MockEcs) -> None:
    ecs.inject_fault("RunInstances", "InvalidZoneId.NotFoundInstance")
    expect_error(lambda: run_instance(RequestsDriver()), "InvalidZoneId.NotFound",
                 "The specified zoneId does not exist.", 404)


def test_status_and_message_can_be_given(ecs: MockEcs) -> None:
    # FACTS.md: [DOCNEW] CreateSnapshot lists Throttling as 403 with this text.
    ecs.inject_fault("CreateSnapshot", "Throttling", status=403, message="Request was denied due to user flow control.")
    ecs.inject_fault("DescribeDisks", "Throttling.User", status=400)
    driver = RequestsDriver()
    expect_error(lambda: driver.call("CreateSnapshot", DiskId="d-x"), "Throttling",
                 "Request was denied due to user flow control.", 403)
    expect_error(lambda: driver.call("DescribeDisks", RegionId=REGION), "Throttling.User",
                 "Injected fault Throttling.User.", 400)


def test_xml_clients_see_the_fault_too(ecs: MockEcs) -> None:
    from conftest import LibcloudDriver

    ecs.inject_fault("DescribeSnapshots", "ServiceUnavailable")
    expect_error(lambda: LibcloudDriver().call("DescribeSnapshots", RegionId=REGION), "ServiceUnavailable",
                 UNAVAILABLE, 503)


@pytest.mark.parametrize("kwargs, match", [
    ({"action": "CreateSnaphot", "code": "Throttling"}, "not an action mock_ecs builds"),
    ({"action": "DescribeSecurityGroups", "code": "Throttling"}, "not an action mock_ecs builds"),
    ({"action": "*", "code": "Throttle"}, "not in the catalogue"),
    ({"action": "*", "code": "Throttling", "times": 0}, "times must be a positive integer"),
    ({"action": "*", "code": "Throttling", "times": True}, "times must be a positive integer"),
    ({"action": "*", "code": "Throttling", "rate": 0}, r"rate must be a fraction in \(0, 1\]"),
    ({"action": "*", "code": "Throttling", "rate": 1.5}, r"rate must be a fraction"),
    ({"action": "*", "code": "Throttling", "latency": -1}, "latency must be seconds"),
    ({"action": "*", "code": None}, "give an error code, a latency, or both"),
    ({"action": "*", "code": "Throttling", "status": 200}, "status must be an HTTP error status"),
])
def test_a_mistaken_fault_is_refused_at_once(ecs: MockEcs, kwargs: Dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ecs.inject_fault(**kwargs)
    assert ecs.faults == []


# --- which calls it fires on --------------------------------------------------------------------------
def codes_of(driver: Any, n: int) -> List[Optional[str]]:
    """The error code of each of ``n`` DescribeInstances calls (None for one that succeeded)."""
    codes: List[Optional[str]] = []
    for _ in range(n):
        try:
            driver.call("DescribeInstances", RegionId=REGION)
            codes.append(None)
        except ApiError as e:
            codes.append(e.code)
    return codes


def outcomes(driver: Any, n: int) -> List[bool]:
    """True for each of ``n`` DescribeInstances calls that failed."""
    return [code is not None for code in codes_of(driver, n)]


def test_next_n_calls_then_none(ecs: MockEcs) -> None:
    driver = RequestsDriver()
    fault = ecs.inject_fault("DescribeInstances", "ServiceUnavailable", times=2)
    assert codes_of(driver, 4) == ["ServiceUnavailable", "ServiceUnavailable", None, None]
    assert (fault.fired, fault.seen, fault.times) == (2, 2, 0)
    # Other actions were never affected.
    assert driver.call("DescribeDisks", RegionId=REGION)["TotalCount"] == 0


def test_times_none_is_every_call_until_cleared(ecs: MockEcs) -> None:
    driver = RequestsDriver()
    ecs.inject_fault("*", "InternalError", times=None)
    for action in ("DescribeInstances", "DescribeDisks", "DescribeSnapshots", "DescribeImages"):
        expect_error(lambda a=action: driver.call(a, RegionId=REGION), "InternalError", INTERNAL, 500)
    ecs.clear_faults()
    assert ecs.faults == []
    assert driver.call("DescribeInstances", RegionId=REGION)["TotalCount"] == 0


def test_a_fraction_of_calls_is_deterministic_with_a_seed(ecs: MockEcs) -> None:
    driver = RequestsDriver()
    ecs.inject_fault("DescribeInstances", "Throttling", rate=0.3, seed=7)
    first = outcomes(driver, 60)
    # Exactly the draws of random.Random(seed): repeatable, and documented as such.
    rng = random.Random(7)
    assert first == [rng.random() < 0.3 for _ in range(60)]
    assert 5 <= sum(first) <= 35
    ecs.reset()
    ecs.inject_fault("DescribeInstances", "Throttling", rate=0.3, seed=7)
    assert outcomes(driver, 60) == first
    ecs.reset()
    ecs.inject_fault("DescribeInstances", "Throttling", rate=0.3, seed=8)
    assert outcomes(driver, 60) != first


def test_a_fraction_with_a_cap_and_the_default_seed(ecs: MockEcs) -> None:
    driver = RequestsDriver()
    fault = ecs.inject_fault("DescribeInstances", "Throttling", rate=0.5, times=3)
    result = outcomes(driver, 40)
    assert sum(result) == 3 and fault.fired == 3 and fault.times == 0
    rng = random.Random(0)
    hits = [i for i in range(40) if rng.random() < 0.5][:3]
    assert [i for i, failed in enumerate(result) if failed] == hits
    assert fault.seen == hits[-1] + 1  # no more draws once it is used up


def test_rate_one_is_every_call(ecs: MockEcs) -> None:
    ecs.inject_fault("DescribeInstances", "Throttling", rate=1)
    assert outcomes(RequestsDriver(), 5) == [True] * 5


def test_faults_are_tried_in_order(ecs: MockEcs) -> None:
    driver = RequestsDriver()
    ecs.inject_fault("DescribeInstances", "Throttling", times=1)
    ecs.inject_fault("*", "InternalError", times=2)
    assert codes_of(driver, 4) == ["Throttling", "InternalError", "InternalError", None]


def test_gateway_refusals_come_before_faults_and_do_not_use_them(ecs: MockEcs) -> None:
    ecs.register_access_key("LTAIregistered", "rightSecret")
    fault = ecs.inject_fault("CreateSnapshot", "InternalError", times=1)
    expect_error(lambda: RequestsDriver(ak="LTAIregistered", secret="wrong").call("CreateSnapshot", DiskId="d-x"),
                 "SignatureDoesNotMatch")
    expect_error(lambda: RequestsDriver().call("CreateSnapshot"), "MissingDiskId")
    assert fault.fired == 0
    expect_error(lambda: RequestsDriver().call("CreateSnapshot", DiskId="d-x"), "InternalError")
    assert fault.fired == 1


def test_reset_drops_faults(ecs: MockEcs) -> None:
    ecs.inject_fault("*", "InternalError", times=None)
    ecs.reset()
    assert ecs.faults == []
    assert RequestsDriver().call("DescribeInstances", RegionId=REGION)["TotalCount"] == 0


def test_faulted_calls_are_marked_in_the_record(ecs: MockEcs) -> None:
    driver = RequestsDriver()
    ecs.inject_fault("DescribeDisks", "InternalError")
    expect_error(lambda: driver.call("DescribeDisks", RegionId=REGION), "InternalError")
    expect_error(lambda: driver.call("DescribeDisks", RegionId="xx-nowhere-1"), "InvalidRegionId.NotFound")
    assert [c.injected for c in ecs.calls] == [True, False]
    assert ecs.calls.where(injected=True).codes == ["InternalError"]


# --- a faulted call changes nothing -------------------------------------------------------------------
def _world(ecs: MockEcs) -> Dict[str, str]:
    d = RequestsDriver()
    zone = regions.default_zone(REGION)
    w: Dict[str, str] = {}
    w["inst"] = run_instance(d)
    w["sys"] = system_disk(d, w["inst"])
    w["stopped"] = d.call("CreateInstance", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")["InstanceId"]
    w["free"] = d.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=20)["DiskId"]
    w["data"] = d.call("CreateDisk", RegionId=REGION, InstanceId=w["inst"], Size=20)["DiskId"]
    ecs.advance_clock(3600)
    w["snap"] = d.call("CreateSnapshot", DiskId=w["sys"], ClientToken="t-1")["SnapshotId"]
    w["free_snap"] = d.call("CreateSnapshot", DiskId=w["data"])["SnapshotId"]
    ecs.advance_clock(3600)
    w["image"] = d.call("CreateImage", RegionId=REGION, SnapshotId=w["snap"])["ImageId"]
    w["policy"] = d.call("CreateAutoSnapshotPolicy", regionId=REGION, timePoints='["1"]', repeatWeekdays='["1"]',
                         retentionDays=2)["AutoSnapshotPolicyId"]
    d.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=w["policy"], diskIds=f'["{w["sys"]}"]')
    w["group"] = d.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=w["inst"])["SnapshotGroupId"]
    ecs.advance_clock(3600)  # its members accomplished: the disks are free again
    return w


def _stopped(w: Dict[str, str]) -> Dict[str, str]:
    """``w`` once its running instance is stopped (a disk reset needs it) and its data disk written
    since its snapshot: a reset of it changes the data."""
    RequestsDriver().call("StopInstance", InstanceId=w["inst"])
    MockEcs.current().write_disk(w["data"])
    return w


# action -> the parameters of a call that succeeds in _world (with a ClientToken where it takes one)
SUCCEEDING: Dict[str, Callable[[Dict[str, str]], Dict[str, Any]]] = {
    "RunInstances": lambda w: {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large",
                               "ClientToken": "t-run"},
    "CreateInstance": lambda w: {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large",
                                 "ClientToken": "t-create"},
    "StartInstance": lambda w: {"InstanceId": w["stopped"]},
    "StopInstance": lambda w: {"InstanceId": w["inst"]},
    "DeleteInstance": lambda w: {"InstanceId": w["inst"], "Force": "true"},
    "DescribeInstances": lambda w: {"RegionId": REGION},
    "CreateDisk": lambda w: {"RegionId": REGION, "ZoneId": regions.default_zone(REGION), "Size": 20,
                             "ClientToken": "t-disk"},
    "AttachDisk": lambda w: {"InstanceId": w["inst"], "DiskId": w["free"]},
    "DetachDisk": lambda w: {"InstanceId": w["inst"], "DiskId": w["data"]},
    "DeleteDisk": lambda w: {"DiskId": w["free"]},
    "ReplaceSystemDisk": lambda w: {"InstanceId": w["stopped"], "ImageId": IMAGE, "ClientToken": "t-replace"},
    "DescribeDisks": lambda w: {"RegionId": REGION},
    "CreateImage": lambda w: {"RegionId": REGION, "SnapshotId": w["snap"], "ClientToken": "t-image"},
    "DescribeImages": lambda w: {"RegionId": REGION},
    "DeleteImage": lambda w: {"RegionId": REGION, "ImageId": w["image"], "Force": "true"},
    "CreateSnapshot": lambda w: {"DiskId": w["data"], "ClientToken": "t-snap"},
    "DescribeSnapshots": lambda w: {"RegionId": REGION},
    "DeleteSnapshot": lambda w: {"SnapshotId": w["free_snap"]},
    "ModifySnapshotAttribute": lambda w: {"SnapshotId": w["snap"], "SnapshotName": "renamed"},
    "TagResources": lambda w: {"RegionId": REGION, "ResourceType": "disk", "ResourceId.1": w["free"],
                               "Tag.1.Key": "k", "Tag.1.Value": "v"},
    "UntagResources": lambda w: {"RegionId": REGION, "ResourceType": "disk", "ResourceId.1": w["free"], "All": "true"},
    "ListTagResources": lambda w: {"RegionId": REGION, "ResourceType": "disk", "ResourceId.1": w["free"]},
    "AddTags": lambda w: {"RegionId": REGION, "ResourceType": "disk", "ResourceId": w["free"],
                          "Tag.1.Key": "k", "Tag.1.Value": "v"},
    "RemoveTags": lambda w: {"RegionId": REGION, "ResourceType": "disk", "ResourceId": w["free"], "Tag.1.Key": "k"},
    "DescribeTags": lambda w: {"RegionId": REGION},
    "DescribeUserData": lambda w: {"RegionId": REGION, "InstanceId": w["inst"]},
    "DescribeInstanceAttribute": lambda w: {"InstanceId": w["inst"]},
    "DescribeInstanceStatus": lambda w: {"RegionId": REGION},
    "ModifyInstanceAttribute": lambda w: {"InstanceId": w["inst"], "InstanceName": "renamed", "HostName": "renamed"},
    "RebootInstance": lambda w: {"InstanceId": w["inst"]},
    "ModifyDiskAttribute": lambda w: {"DiskId": w["free"], "DiskName": "renamed"},
    "ResizeDisk": lambda w: {"DiskId": w["free"], "NewSize": 40, "ClientToken": "t-resize"},
    "DescribeRegions": lambda w: {"AcceptLanguage": "en-US"},
    "DescribeZones": lambda w: {"RegionId": REGION},
    "DescribeInstanceTypes": lambda w: {"InstanceTypeFamily": "ecs.g7"},
    "CopyImage": lambda w: {"RegionId": REGION, "ImageId": w["image"], "DestinationRegionId": "cn-beijing",
                            "ClientToken": "t-copy"},
    "CopySnapshot": lambda w: {"RegionId": REGION, "SnapshotId": w["snap"], "DestinationRegionId": "cn-beijing",
                               "DestinationSnapshotName": "dr-copy", "DestinationSnapshotDescription": "a copy",
                               "ClientToken": "t-copy-snapshot"},
    "CreateAutoSnapshotPolicy": lambda w: {"regionId": REGION, "timePoints": '["2"]', "repeatWeekdays": '["3"]',
                                           "retentionDays": 7},
    "ModifyAutoSnapshotPolicyEx": lambda w: {"regionId": REGION, "autoSnapshotPolicyId": w["policy"],
                                             "timePoints": '["4"]'},
    "DescribeAutoSnapshotPolicyEx": lambda w: {"RegionId": REGION},
    "DeleteAutoSnapshotPolicy": lambda w: {"regionId": REGION, "autoSnapshotPolicyId": w["policy"]},
    "ApplyAutoSnapshotPolicy": lambda w: {"regionId": REGION, "autoSnapshotPolicyId": w["policy"],
                                          "diskIds": f'["{w["data"]}"]'},
    "CancelAutoSnapshotPolicy": lambda w: {"regionId": REGION, "diskIds": f'["{w["sys"]}"]'},
    "DescribeAutoSnapshotPolicyAssociations": lambda w: {"RegionId": REGION, "DiskId": w["sys"]},
    "CreateSnapshotGroup": lambda w: {"RegionId": REGION, "InstanceId": w["inst"], "ClientToken": "t-group"},
    "DescribeSnapshotGroups": lambda w: {"RegionId": REGION},
    "DeleteSnapshotGroup": lambda w: {"RegionId": REGION, "SnapshotGroupId": w["group"]},
    "ModifySnapshotGroup": lambda w: {"RegionId": REGION, "SnapshotGroupId": w["group"], "Name": "renamed"},
    "DescribeSnapshotLinks": lambda w: {"RegionId": REGION},
    "DescribeSnapshotsUsage": lambda w: {"RegionId": REGION},
    "ResetDisk": lambda w: {"DiskId": _stopped(w)["data"], "SnapshotId": w["free_snap"]},
    "ResetDisks": lambda w: {"RegionId": REGION, "Disk.1.DiskId": _stopped(w)["data"],
                             "Disk.1.SnapshotId": w["free_snap"]},
}


@pytest.mark.parametrize("action", sorted(router.ACTIONS))
def test_a_faulted_call_changes_nothing(ecs: MockEcs, action: str) -> None:
    assert action in SUCCEEDING, f"{action} has no succeeding call in {__file__}"
    w = _world(ecs)
    params = SUCCEEDING[action](w)
    driver = RequestsDriver()
    ecs.inject_fault(action, "InternalError", times=1)
    before = state_of(ecs)
    expect_error(lambda: driver.call(action, **params), "InternalError", INTERNAL, 500)
    assert state_of(ecs) == before
    # The same call (same ClientToken) then acts, once: the fault left no token behind.
    driver.call(action, **params)
    if action.startswith(("Create", "Run", "Delete", "Start", "Stop", "Attach", "Detach", "Replace", "Modify",
                          "Resize", "Reset")):
        assert state_of(ecs) != before


def test_every_action_has_a_succeeding_call() -> None:
    assert set(SUCCEEDING) == set(router.ACTIONS)


# --- latency ------------------------------------------------------------------------------------------
def test_latency_uses_the_replaceable_sleep(ecs: MockEcs) -> None:
    waited: List[float] = []
    ecs.sleep = waited.append
    ecs.inject_fault("DescribeInstances", "Throttling", latency=2.5)
    expect_error(lambda: RequestsDriver().call("DescribeInstances", RegionId=REGION), "Throttling")
    assert waited == [2.5]
    RequestsDriver().call("DescribeInstances", RegionId=REGION)
    assert waited == [2.5]  # the fault was used up: no more delay


def test_latency_only_delays_a_call_that_then_succeeds(ecs: MockEcs) -> None:
    waited: List[float] = []
    ecs.sleep = waited.append
    fault = ecs.inject_latency("*", 0.75, times=2)
    assert fault.code is None
    driver = RequestsDriver()
    instance_id = run_instance(driver)
    assert driver.call("DescribeInstances", RegionId=REGION)["TotalCount"] == 1
    driver.call("DescribeInstances", RegionId=REGION)
    assert waited == [0.75, 0.75]
    assert ecs.calls.codes == [None, None, None] and ecs.ids("instances") == [instance_id]


def test_latencies_add_up_with_an_error(ecs: MockEcs) -> None:
    waited: List[float] = []
    ecs.sleep = waited.append
    ecs.inject_latency("DescribeInstances", 1.0)
    ecs.inject_fault("DescribeInstances", "ServiceUnavailable", latency=0.5)
    expect_error(lambda: RequestsDriver().call("DescribeInstances", RegionId=REGION), "ServiceUnavailable")
    assert waited == [1.5]


def test_default_latency_is_time_sleep(ecs: MockEcs, slept: List[float]) -> None:
    ecs.inject_latency("DescribeDisks", 3)
    RequestsDriver().call("DescribeDisks", RegionId=REGION)
    assert slept == [3.0]


def test_sleep_can_move_the_mock_clock_instead(ecs: MockEcs) -> None:
    driver = RequestsDriver()
    _, disk_id = ready_disk(driver, ecs)
    snap_id = driver.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ecs.sleep = ecs.advance_clock
    ecs.inject_latency("DescribeSnapshots", 60, times=1)
    out = driver.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snap_id]))
    # The call was answered after its latency: the 60-second snapshot is done.
    assert out["Snapshots"]["Snapshot"][0]["Status"] == "accomplished"


def test_the_sleep_survives_reset_and_must_be_callable(ecs: MockEcs) -> None:
    waited: List[float] = []
    ecs.sleep = waited.append
    ecs.reset()
    assert ecs.sleep == waited.append
    ecs.inject_latency("*", 1)
    RequestsDriver().call("DescribeDisks", RegionId=REGION)
    assert waited == [1.0]
    with pytest.raises(TypeError):
        ecs.sleep = 5  # type: ignore[assignment]


def test_a_slow_call_holds_up_no_other(ecs: MockEcs) -> None:
    entered, release = threading.Event(), threading.Event()

    def blocking_sleep(seconds: float) -> None:
        entered.set()
        assert release.wait(10), "never released"

    ecs.sleep = blocking_sleep
    ecs.inject_latency("DescribeSnapshots", 30, times=1)
    results: List[Any] = []
    slow = threading.Thread(target=lambda: results.append(RequestsDriver().call("DescribeSnapshots",
                                                                                 RegionId=REGION)))
    slow.start()
    try:
        assert entered.wait(10)
        # While the slow call waits, another call is answered (the lock is not held).
        assert run_instance(RequestsDriver()).startswith("i-")
        assert results == []
    finally:
        release.set()
        slow.join(10)
    assert results and results[0]["TotalCount"] == 0
    assert ecs.calls.actions == ["RunInstances", "DescribeSnapshots"]
