"""The call record (``ecs.calls``), like ``responses.calls``: every request the mock answered,
refused ones included, with action, parameters, account, region, status, code and more; the
filters that make assertions short; and when it is emptied.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from conftest import (
    AK,
    REGION,
    RequestsDriver,
    SdkCoreDriver,
    TeaDriver,
    expect_error,
    ready_disk,
    run_instance,
    signed_params,
)
from mock_ecs import Call, CallList, MockEcs, mock_ecs
from mock_ecs.backend import DEFAULT_ACCOUNT_ID

HANGZHOU = "https://ecs-cn-hangzhou.aliyuncs.com/"
CENTRAL = "https://ecs.aliyuncs.com/"
README = Path(__file__).resolve().parent.parent / "README.md"


def one(ecs: MockEcs) -> Call:
    assert len(ecs.calls) == 1, ecs.calls
    return ecs.calls[0]


# --- what is recorded -------------------------------------------------------------------------------
def test_a_success_is_recorded_with_everything_known(ecs: MockEcs) -> None:
    ecs.register_access_key("LTAIalice", "aliceSecret", "1111111111111111")
    instance_id = run_instance(SdkCoreDriver(ak="LTAIalice", secret="aliceSecret"), InstanceName="web")
    c = one(ecs)
    assert (c.action, c.status, c.code, c.message, c.ok) == ("RunInstances", 200, None, None, True)
    assert (c.account_id, c.access_key_id, c.region_id) == ("1111111111111111", "LTAIalice", REGION)
    assert c.params["InstanceName"] == "web" and c.params["RegionId"] == REGION
    assert "Signature" not in c.params and c.params["SignatureNonce"]
    assert (c.method, c.host, c.injected) == ("POST", "ecs-cn-hangzhou.aliyuncs.com", False)
    assert re.fullmatch(r"[0-9A-F-]{36}", c.request_id)
    assert ecs.ids("instances") == [instance_id]


def test_a_v3_call_records_the_key_of_its_credential(ecs: MockEcs) -> None:
    TeaDriver(ak="LTAIteaKey").call("DescribeDisks", RegionId=REGION)
    c = one(ecs)
    assert (c.action, c.access_key_id, c.account_id, c.status) == ("DescribeDisks", "LTAIteaKey", DEFAULT_ACCOUNT_ID,
                                                                   200)
    # Tea V3 sends the action in a header, not as a parameter: the record has it anyway.
    assert "Action" not in c.params and c.params["RegionId"] == REGION


def test_a_business_error_is_recorded_with_its_message(ecs: MockEcs) -> None:
    expect_error(lambda: RequestsDriver().call("CreateSnapshot", DiskId="d-bp1nosuchdisk0000000"),
                 "InvalidDiskId.NotFound")
    c = one(ecs)
    assert (c.status, c.code, c.ok) == (404, "InvalidDiskId.NotFound", False)
    assert c.message == "The specified DiskId does not exist."
    assert c.account_id == DEFAULT_ACCOUNT_ID and c.region_id == REGION


GATEWAY_REFUSALS = [
    # (what is sent, expected status, code, recorded action)
    ("missing-action", 400, "MissingAction", ""),
    ("bad-version", 400, "InvalidVersion", "DescribeSnapshots"),
    ("unknown-action", 404, "InvalidAction.NotFound", "DescribeNothing"),
    ("not-built", 501, "MockEcs.ActionNotImplemented", "DescribeSecurityGroups"),
    ("missing-param", 400, "MissingDiskId", "CreateSnapshot"),
    ("stale-timestamp", 400, "InvalidTimeStamp.Expired", "DescribeSnapshots"),
    ("missing-nonce", 400, "MissingSignatureNonce", "DescribeSnapshots"),
    ("bad-region", 404, "InvalidRegionId.NotFound", "DescribeSnapshots"),
]


def _refused_request(kind: str) -> Dict[str, str]:
    base = {"RegionId": "cn-beijing"}
    if kind == "missing-action":
        params = signed_params("DescribeSnapshots", base)
        del params["Action"]
        return params
    if kind == "bad-version":
        return signed_params("DescribeSnapshots", base) | {"Version": "2099-01-01"}
    if kind == "unknown-action":
        return signed_params("DescribeNothing", base)
    if kind == "not-built":
        return signed_params("DescribeSecurityGroups", base)
    if kind == "missing-param":
        return signed_params("CreateSnapshot", base)
    if kind == "stale-timestamp":
        return signed_params("DescribeSnapshots", base) | {"Timestamp": "2001-01-01T00:00:00Z"}
    if kind == "missing-nonce":
        params = signed_params("DescribeSnapshots", base)
        del params["SignatureNonce"]
        return params
    return signed_params("DescribeSnapshots", {"RegionId": "xx-nowhere-1"})


@pytest.mark.parametrize("kind, status, code, action", GATEWAY_REFUSALS)
def test_requests_refused_by_the_gateway_are_recorded(ecs: MockEcs, kind: str, status: int, code: str,
                                                      action: str) -> None:
    resp = requests.get(CENTRAL, params=_refused_request(kind))
    assert (resp.status_code, resp.json()["Code"]) == (status, code)
    c = one(ecs)
    assert (c.action, c.status, c.code, c.message) == (action, status, code, resp.json()["Message"])
    assert c.request_id == resp.json()["RequestId"]
    assert c.access_key_id == AK
    # The region asked for is kept even when the request never got that far.
    assert c.region_id == ("xx-nowhere-1" if kind == "bad-region" else "cn-beijing")
    assert "Signature" not in c.params


def test_authentication_refusals_have_no_account_but_the_key(ecs: MockEcs) -> None:
    ecs.register_access_key("LTAIalice", "aliceSecret", "1111111111111111")
    expect_error(lambda: TeaDriver(ak="LTAIalice", secret="wrong").call("DescribeDisks", RegionId=REGION),
                 "SignatureDoesNotMatch")
    expect_error(lambda: SdkCoreDriver(ak="LTAIalice", secret="wrong").call("DescribeDisks", RegionId=REGION),
                 "InvalidAccessKeySecret")
    params = signed_params("DescribeDisks", {"RegionId": REGION}, ak="LTAIalice", secret="aliceSecret")
    requests.get(HANGZHOU, params=params)
    requests.get(HANGZHOU, params=params)  # the same nonce again
    assert ecs.calls.codes == ["SignatureDoesNotMatch", "SignatureDoesNotMatch", None, "SignatureNonceUsed"]
    assert [c.account_id for c in ecs.calls] == [None, None, "1111111111111111", None]
    assert {c.access_key_id for c in ecs.calls} == {"LTAIalice"}
    assert ecs.calls[0].message.startswith("Specified signature is not matched with our calculation.")


def test_strict_mode_refusals_are_recorded() -> None:
    with mock_ecs(strict_access_keys=True) as ecs:
        expect_error(lambda: SdkCoreDriver(ak="LTAIstranger").call("DescribeInstances", RegionId=REGION),
                     "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        c = one(ecs)
        assert (c.action, c.access_key_id, c.account_id, c.status) == ("DescribeInstances", "LTAIstranger", None, 404)


def test_an_unreadable_request_is_recorded(ecs: MockEcs, monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_ecs import gateway

    def broken(req: Any) -> Any:
        raise ValueError("unreadable")

    monkeypatch.setattr(gateway, "parse_request", broken)
    resp = requests.get(HANGZHOU, params={"Action": "DescribeDisks"})
    assert resp.status_code == 400
    c = one(ecs)
    assert (c.action, c.params, c.account_id, c.status, c.code) == ("", {}, None, 400, "InvalidParameter")
    assert (c.method, c.host) == ("GET", "ecs-cn-hangzhou.aliyuncs.com") and c.request_id in resp.text


def test_the_location_service_is_not_an_ecs_call(ecs: MockEcs) -> None:
    resp = requests.get("https://location-readonly.aliyuncs.com/",
                        params={"Action": "DescribeEndpoints", "Id": REGION, "ServiceCode": "ecs"})
    assert resp.status_code == 200
    assert ecs.calls == []


# --- asserting with it ------------------------------------------------------------------------------
def backup(driver: Any, disk_ids: List[str], token: bool) -> None:
    """User code under test: snapshot each disk, with (or without) a ClientToken."""
    for disk_id in disk_ids:
        extra = {"ClientToken": f"backup-{disk_id}-2026-01-01"} if token else {}
        driver.call("CreateSnapshot", DiskId=disk_id, **extra)


def test_every_create_snapshot_carried_a_client_token(ecs: MockEcs) -> None:
    driver = SdkCoreDriver()
    _, disk_id = ready_disk(driver, ecs)
    backup(driver, [disk_id], token=True)
    snaps = ecs.calls.of("CreateSnapshot")
    assert snaps and not snaps.missing("ClientToken")
    assert snaps.with_param("ClientToken") == snaps


def test_the_client_token_assertion_catches_a_call_without_one(ecs: MockEcs) -> None:
    driver = TeaDriver()
    _, disk_id = ready_disk(driver, ecs)
    backup(driver, [disk_id], token=True)
    ecs.advance_clock(3600)
    backup(driver, [disk_id], token=False)
    snaps = ecs.calls.of("CreateSnapshot")
    assert len(snaps) == 2 and len(snaps.missing("ClientToken")) == 1
    assert snaps.missing("ClientToken")[0].request_id == snaps[1].request_id
    with pytest.raises(AssertionError):
        assert snaps and not snaps.missing("ClientToken")


def test_filters_and_views(ecs: MockEcs) -> None:
    driver = RequestsDriver()
    ecs.register_access_key("LTAIbob", "bobSecret", "2222222222222222")
    run_instance(driver)
    expect_error(lambda: driver.call("CreateSnapshot", DiskId="d-x"), "InvalidDiskId.NotFound")
    ecs.inject_fault("DescribeDisks", "Throttling")
    expect_error(lambda: driver.call("DescribeDisks", RegionId=REGION), "Throttling")
    RequestsDriver(ak="LTAIbob", secret="bobSecret").call("DescribeDisks", RegionId="cn-beijing")
    calls = ecs.calls
    assert isinstance(calls, CallList) and isinstance(calls, list)
    assert calls.actions == ["RunInstances", "CreateSnapshot", "DescribeDisks", "DescribeDisks"]
    assert calls.codes == [None, "InvalidDiskId.NotFound", "Throttling", None]
    assert calls.statuses == [200, 404, 400, 200]
    assert calls.succeeded.actions == ["RunInstances", "DescribeDisks"]
    assert calls.failed.codes == ["InvalidDiskId.NotFound", "Throttling"]
    assert calls.of("DescribeDisks", "RunInstances").actions == ["RunInstances", "DescribeDisks", "DescribeDisks"]
    assert calls.of("StopInstance") == []
    assert calls.where(account_id="2222222222222222").actions == ["DescribeDisks"]
    assert calls.where(region_id="cn-beijing", ok=True).actions == ["DescribeDisks"]
    assert calls.where(injected=True).codes == ["Throttling"]
    assert calls.where(lambda c: c.status >= 400, action="CreateSnapshot").codes == ["InvalidDiskId.NotFound"]
    assert calls.with_param("DiskId", "d-x").actions == ["CreateSnapshot"]
    assert calls.missing("InstanceType").actions == ["CreateSnapshot", "DescribeDisks", "DescribeDisks"]
    assert isinstance(calls[1:], CallList) and calls[1:].actions == calls.actions[1:]
    assert calls[-1].access_key_id == "LTAIbob"
    with pytest.raises(TypeError, match="no field"):
        calls.where(acount_id="1")


# --- when it is emptied ----------------------------------------------------------------------------
def test_calls_is_a_copy(ecs: MockEcs) -> None:
    run_instance(RequestsDriver())
    calls = ecs.calls
    calls.clear()
    assert len(ecs.calls) == 1


def test_clear_calls_empties_only_the_record(ecs: MockEcs) -> None:
    instance_id = run_instance(RequestsDriver())
    ecs.clear_calls()
    assert ecs.calls == [] and ecs.ids("instances") == [instance_id]
    RequestsDriver().call("DescribeInstances", RegionId=REGION)
    assert ecs.calls.actions == ["DescribeInstances"]


def test_reset_and_start_empty_it() -> None:
    handle = mock_ecs()
    with handle as ecs:
        run_instance(RequestsDriver())
        assert len(ecs.calls) == 1
        ecs.reset()
        assert ecs.calls == [] and ecs.ids("instances") == []
        run_instance(RequestsDriver())
    # Stopped: the record is still there to inspect ...
    assert handle.calls.actions == ["RunInstances"]
    # ... until the next start.
    with handle as ecs:
        assert ecs.calls == []


def test_each_decorated_test_starts_with_an_empty_record() -> None:
    seen: List[int] = []

    @mock_ecs
    def decorated() -> None:
        run_instance(RequestsDriver())
        seen.append(len(mock_ecs.current().calls))

    decorated()
    decorated()
    assert seen == [1, 1]


def test_nested_mocks_record_their_own_calls() -> None:
    with mock_ecs() as outer:
        run_instance(RequestsDriver())
        with mock_ecs() as inner:
            RequestsDriver().call("DescribeInstances", RegionId=REGION)
        RequestsDriver().call("DescribeDisks", RegionId=REGION)
    assert outer.calls.actions == ["RunInstances", "DescribeDisks"]
    assert inner.calls.actions == ["DescribeInstances"]


# --- the README's examples are real code -----------------------------------------------------------
def _readme_example(marker: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = [b for b in blocks if b.startswith(f"# {marker}\n")]
    assert len(found) == 1, f"README.md has no python example starting with '# {marker}'"
    return found[0]


@pytest.mark.parametrize("marker", ["access keys", "strict mode", "fault injection", "call record"])
def test_readme_example_runs(marker: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(time, "sleep", lambda s: None)  # the SDK's retry backoff
    namespace: Dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(_readme_example(marker), f"README {marker}", "exec"), namespace)
    tests = [fn for name, fn in namespace.items() if name.startswith("test_") and callable(fn)]
    assert tests, f"the {marker} example defines no test_ function"
    for fn in tests:
        fn()
