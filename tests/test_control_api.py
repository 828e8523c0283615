"""The control API over HTTP (``/_mock_ecs/``): every endpoint, its effect seen by a real client
(aliyunsdkcore pointed at a ThreadedMockServer), and its errors (JSON, 4xx, a clear message).
"""

from __future__ import annotations

import http.client
import json
import random
import re
import shlex
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from conftest import REGION, ApiError, SdkCoreDriver, create_instance, expect_error, run_instance, system_disk
from mock_ecs import DEFAULT_ACCOUNT_ID, MockEcs
from mock_ecs.control import Control
from mock_ecs.server import ThreadedMockServer


class Ctl:
    """JSON over plain http.client (no proxy settings, no patching can get in between)."""

    def __init__(self, server: ThreadedMockServer) -> None:
        self.server = server
        self.headers: Dict[str, str] = {}

    def raw(self, method: str, path: str, body: Optional[bytes] = None) -> Tuple[int, Any]:
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=10)
        try:
            conn.request(method, path, body=body)
            resp = conn.getresponse()
            self.headers = {k.lower(): v for k, v in resp.getheaders()}
            data = resp.read()
            assert self.headers["content-type"].startswith("application/json")
            return resp.status, json.loads(data)
        finally:
            conn.close()

    def __call__(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        data = None if body is None else json.dumps(body).encode()
        status, doc = self.raw(method, "/_mock_ecs/" + path, data)
        assert status == expect, doc
        if expect >= 400:
            assert set(doc) == {"error"} and isinstance(doc["error"], str) and doc["error"], doc
        return doc


@pytest.fixture
def server() -> Iterator[ThreadedMockServer]:
    with ThreadedMockServer(snapshot_quota=2) as srv:
        yield srv


@pytest.fixture
def ctl(server: ThreadedMockServer) -> Ctl:
    return Ctl(server)


@pytest.fixture
def sdk(server: ThreadedMockServer) -> SdkCoreDriver:
    """aliyunsdkcore with its endpoint override pointed at the server."""
    return SdkCoreDriver(endpoint=server.endpoint)


def ready(sdk: SdkCoreDriver, ctl: Ctl) -> Tuple[str, str]:
    instance_id = run_instance(sdk)
    disk_id = system_disk(sdk, instance_id)
    ctl("POST", "clock/advance", {"seconds": 3600})
    return instance_id, disk_id


def snapshot_of(sdk: SdkCoreDriver, snapshot_id: str) -> Dict[str, Any]:
    out = sdk.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snapshot_id]))
    return dict(out["Snapshots"]["Snapshot"][0])


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the scenario ------------------------------------------------------------------------------
def test_create_snapshot_scenario_driven_by_the_clock_endpoint(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    instance_id = run_instance(sdk)
    disk_id = system_disk(sdk, instance_id)
    err = expect_error(lambda: sdk.call("CreateSnapshot", DiskId=disk_id), "IncorrectDiskStatus.Initializing",
                       status=403)
    assert err.request_id
    clock = ctl("POST", "clock/advance", {"seconds": 3600})
    assert clock["offset"] == 3600
    snapshot_id = sdk.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    started = snapshot_of(sdk, snapshot_id)
    assert (started["Status"], started["Progress"], started["RemainTime"]) == ("progressing", "0%", 60)
    ctl("POST", "clock/advance", {"seconds": 30})
    assert snapshot_of(sdk, snapshot_id)["Progress"] == "50%"
    assert ctl("GET", f"resources/{snapshot_id}")["Progress"] == "50%"
    done_at = ctl("GET", "clock")["epoch"] + 30
    ctl("POST", "clock/set", {"now": iso(done_at + 1)})
    done = snapshot_of(sdk, snapshot_id)
    assert (done["Status"], done["Progress"], done["RemainTime"]) == ("accomplished", "100%", 0)
    # The quota of this server is 2: one more, then the quota error.
    sdk.call("CreateSnapshot", DiskId=disk_id)
    ctl("POST", "clock/advance", {"seconds": 60})
    expect_error(lambda: sdk.call("CreateSnapshot", DiskId=disk_id), "QuotaExceed.Snapshot", status=403)


# --- every endpoint is there, and every capability of the handle has one -------------------------
def _template(pattern: str) -> str:
    return "/_mock_ecs/" + re.sub(r"\(\?P<\w+>\[\^/\]\+\)", "{id}", pattern.strip("^$"))


def test_the_index_lists_every_endpoint(ctl: Ctl, server: ThreadedMockServer) -> None:
    rows = ctl("GET", "")["endpoints"]
    assert ctl.raw("GET", "/_mock_ecs")[1]["endpoints"] == rows
    for verb, pattern, _ in Control(server.handle).routes:
        path = _template(pattern.pattern)
        assert any(verb in row["endpoint"].split()[0] and path in row["endpoint"] for row in rows), (verb, path)


# The handle's public control API -> the endpoint doing the same (or why it has none).
PARITY = {
    "reset": "POST reset",
    "advance_clock": "POST clock/advance",
    "now": "GET clock",
    "settings": "GET settings",
    "set_account_status": "POST accounts/{id}",
    "lock_instance": "POST instances/{id}/locks",
    "unlock_instance": "DELETE instances/{id}/locks",
    "lock_disk": "POST disks/{id}/locks",
    "unlock_disk": "DELETE disks/{id}/locks",
    "inject_fault": "POST faults",
    "inject_latency": "POST faults (code null, latency)",
    "faults": "GET faults",
    "clear_faults": "DELETE faults",
    "sleep": "GET/PUT sleep",
    "register_access_key": "POST access-keys",
    "access_keys": "GET access-keys",
    "set_disk_data_size": "POST disks/{id}/data-size",
    "write_disk": "POST disks/{id}/write",
    "disk_content": "GET disks/{id}/content",
    "fail_snapshot": "POST snapshots/{id}/fail",
    "fail_snapshots": "POST snapshot-failures",
    "snapshot_failures": "GET snapshot-failures",
    "clear_snapshot_failures": "DELETE snapshot-failures",
    "calls": "GET calls",
    "clear_calls": "DELETE calls",
    "auto_snapshot_log": "GET auto-snapshot-log",
    "instance": "GET resources/{id}",
    "disk": "GET resources/{id}",
    "snapshot": "GET resources/{id}",
    "image": "GET resources/{id}",
    "ids": "GET resources?kind=",
    "account_of": "GET resources/{id}/account",
    "dump_state": "GET state",
    "save_state": "GET state",
    "load_state": "PUT state",
}
NOT_CONTROL = {
    # Activation and plumbing of the in-process mock, or its configuration: not run-time control.
    "start", "stop", "active", "current", "backend", "gateway", "install_backend", "configured_access_keys",
    "read_environment_keys",
}


def test_every_public_capability_of_the_handle_has_an_endpoint() -> None:
    handle = MockEcs()
    public = {name for name in dir(handle) if not name.startswith("_")}
    assert public == set(PARITY) | NOT_CONTROL, "map the new public API to its endpoint in PARITY"


# --- reset, clock, settings ------------------------------------------------------------------------
def test_reset_empties_everything(sdk: SdkCoreDriver, ctl: Ctl, server: ThreadedMockServer) -> None:
    run_instance(sdk)
    ctl("POST", "faults", {"action": "DescribeDisks", "code": "Throttling"})
    ctl("POST", "clock/advance", {"seconds": 100})
    assert ctl("POST", "reset") == {"reset": True}
    assert ctl("GET", "resources?kind=instances")["ids"] == []
    assert ctl("GET", "faults") == {"faults": []} and ctl("GET", "calls") == {"calls": []}
    assert ctl("GET", "clock")["offset"] == 0
    assert sdk.call("DescribeInstances", RegionId=REGION)["TotalCount"] == 0


def test_clock_read_advance_and_set(ctl: Ctl, server: ThreadedMockServer) -> None:
    first = ctl("GET", "clock")
    assert set(first) == {"now", "epoch", "offset"} and first["offset"] == 0
    assert first["now"] == iso(first["epoch"])
    later = ctl("POST", "clock/advance", {"seconds": 86400})
    assert later["offset"] == 86400 and later["epoch"] >= first["epoch"] + 86400
    assert ctl("POST", "clock/advance?seconds=10")["offset"] == 86410
    target = later["epoch"] + 7200
    moved = ctl("POST", "clock/set", {"now": iso(target)})
    assert moved["now"] == iso(target) and server.handle.now().timestamp() == pytest.approx(target, abs=2)
    assert ctl("POST", "clock/set", {"epoch": target + 60})["epoch"] == pytest.approx(target + 60, abs=1)


@pytest.mark.parametrize("path,body,message", [
    ("clock/advance", {}, 'give {"seconds": N}'),
    ("clock/advance", {"seconds": -1}, "the clock only moves forward"),
    ("clock/advance", {"seconds": "soon"}, "seconds must be a number, not 'soon'"),
    ("clock/advance", {"seconds": True}, "seconds must be a number, not True"),
    ("clock/set", {}, 'give {"now": "YYYY-MM-DDThh:mm:ssZ"} or {"epoch": seconds}'),
    ("clock/set", {"now": "2020-01-01T00:00:00Z"}, "the clock only moves forward; it is already"),
    ("clock/set", {"now": "tomorrow"}, "now must be a time like 2026-01-01T01:00:00Z, not 'tomorrow'"),
])
def test_clock_errors(ctl: Ctl, path: str, body: Dict[str, Any], message: str) -> None:
    assert message in ctl("POST", path, body, expect=400)["error"]
    assert ctl("GET", "clock")["offset"] == 0


def test_settings_are_the_servers(ctl: Ctl, server: ThreadedMockServer) -> None:
    settings = ctl("GET", "settings")
    assert settings == server.handle.settings.as_dict() and settings["snapshot_quota"] == 2


# --- accounts, locks, disk data ----------------------------------------------------------------------
def test_account_flags(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    _, disk_id = ready(sdk, ctl)
    flags = ctl("POST", f"accounts/{DEFAULT_ACCOUNT_ID}", {"not_enough_balance": True})
    assert flags == {"account_id": DEFAULT_ACCOUNT_ID, "not_enough_balance": True,
                     "snapshot_service_unavailable": False}
    expect_error(lambda: sdk.call("CreateSnapshot", DiskId=disk_id), "InvalidAccountStatus.NotEnoughBalance")
    ctl("POST", f"accounts/{DEFAULT_ACCOUNT_ID}", {"not_enough_balance": False,
                                                    "snapshot_service_unavailable": True})
    expect_error(lambda: sdk.call("CreateSnapshot", DiskId=disk_id),
                 "InvalidAccountStatus.SnapshotServiceUnavailable")
    assert ctl("GET", f"accounts/{DEFAULT_ACCOUNT_ID}")["snapshot_service_unavailable"] is True
    assert ctl("GET", "accounts")["accounts"] == [ctl("GET", f"accounts/{DEFAULT_ACCOUNT_ID}")]
    ctl("POST", f"accounts/{DEFAULT_ACCOUNT_ID}", {"snapshot_service_unavailable": False})
    sdk.call("CreateSnapshot", DiskId=disk_id)
    # An account no request has used yet has the flags off.
    assert ctl("GET", "accounts/9999999999999999")["not_enough_balance"] is False


def test_account_flag_errors(ctl: Ctl) -> None:
    assert "must be true or false, not 'yes'" in ctl(
        "POST", "accounts/1", {"not_enough_balance": "yes"}, expect=400)["error"]
    assert "unknown account flag(s) balance" in ctl("POST", "accounts/1", {"balance": True}, expect=400)["error"]


def test_instance_locks(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    instance_id, disk_id = ready(sdk, ctl)
    locked = ctl("POST", f"instances/{instance_id}/locks", {"reason": "security"})
    assert locked["OperationLocks"]["LockReason"][0]["LockReason"] == "security"
    out = sdk.call("DescribeInstances", RegionId=REGION, InstanceIds=json.dumps([instance_id]))
    assert out["Instances"]["Instance"][0]["OperationLocks"] == locked["OperationLocks"]
    expect_error(lambda: sdk.call("CreateSnapshot", DiskId=disk_id), "InstanceLockedForSecurity")
    ctl("POST", f"instances/{instance_id}/locks", {"reason": "financial", "message": "Pay up."})
    reasons = ctl("GET", f"resources/{instance_id}")["OperationLocks"]["LockReason"]
    assert [(r["LockReason"], r.get("LockMsg")) for r in reasons][1] == ("financial", "Pay up.")
    after = ctl("DELETE", f"instances/{instance_id}/locks?reason=security")
    assert [r["LockReason"] for r in after["OperationLocks"]["LockReason"]] == ["financial"]
    assert ctl("DELETE", f"instances/{instance_id}/locks")["OperationLocks"]["LockReason"] == []
    sdk.call("CreateSnapshot", DiskId=disk_id)


def test_lock_errors(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    instance_id = run_instance(sdk)
    assert ctl("POST", "instances/i-nosuch/locks", {}, expect=404) == {"error": "no instance i-nosuch"}
    assert ctl("DELETE", "instances/i-nosuch/locks", expect=404) == {"error": "no instance i-nosuch"}
    assert "lock reason must be one of ['financial', 'security']" in ctl(
        "POST", f"instances/{instance_id}/locks", {"reason": "legal"}, expect=400)["error"]


def test_disk_locks(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    instance_id = create_instance(sdk)
    disk_id = system_disk(sdk, instance_id)
    locked = ctl("POST", f"disks/{disk_id}/locks", {})
    assert locked == {"disk_id": disk_id, "OperationLocks": {"OperationLock": [{"LockReason": "financial"}]}}
    expect_error(lambda: sdk.call("StartInstance", InstanceId=instance_id), "DiskInArrears",
                 "The specified operation is denied as your disk has expired.", 403)
    ctl("POST", f"disks/{disk_id}/locks", {"reason": "security"})
    after = ctl("DELETE", f"disks/{disk_id}/locks?reason=financial")
    assert after["OperationLocks"]["OperationLock"] == [{"LockReason": "security"}]
    assert ctl("DELETE", f"disks/{disk_id}/locks")["OperationLocks"]["OperationLock"] == []
    sdk.call("StartInstance", InstanceId=instance_id)
    assert ctl("POST", "disks/d-nosuch/locks", {}, expect=404) == {"error": "no disk d-nosuch"}
    assert ctl("DELETE", "disks/d-nosuch/locks", expect=404) == {"error": "no disk d-nosuch"}
    refused = ctl("POST", f"disks/{disk_id}/locks", {"reason": "legal"}, expect=400)
    assert "lock reason must be one of" in refused["error"]


def test_disk_data_size(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    _, disk_id = ready(sdk, ctl)
    assert ctl("POST", f"disks/{disk_id}/data-size", {"gib": 500}) == {"disk_id": disk_id, "gib": 500.0}
    snapshot_id = sdk.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    assert snapshot_of(sdk, snapshot_id)["RemainTime"] == 750  # 500 GiB x 1.5 s
    assert ctl("POST", "disks/d-nosuch/data-size", {"gib": 1}, expect=404) == {"error": "no disk d-nosuch"}
    assert "gib must be a number" in ctl("POST", f"disks/{disk_id}/data-size", {"gib": "lots"}, expect=400)["error"]
    assert "give" in ctl("POST", f"disks/{disk_id}/data-size", {}, expect=400)["error"]


def test_disk_content_written_and_read(sdk: SdkCoreDriver, ctl: Ctl, server: ThreadedMockServer) -> None:
    _, disk_id = ready(sdk, ctl)
    assert ctl("GET", f"disks/{disk_id}/content") == {"disk_id": disk_id, "content": 0}
    assert ctl("POST", f"disks/{disk_id}/write") == {"disk_id": disk_id, "content": 1}
    assert ctl("POST", f"disks/{disk_id}/write", {}) == {"disk_id": disk_id, "content": 2}
    assert server.handle.disk_content(disk_id) == 2
    assert ctl("GET", f"disks/{disk_id}/content?account_id={DEFAULT_ACCOUNT_ID}")["content"] == 2
    # Another account does not hold it; an unknown disk is a 404, as for the other disk endpoints.
    assert ctl("GET", f"disks/{disk_id}/content?account_id=1111111111111111", expect=404) == {
        "error": f"no disk {disk_id}"}
    assert ctl("POST", "disks/d-nosuch/write", expect=404) == {"error": "no disk d-nosuch"}
    assert ctl("GET", "disks/d-nosuch/content", expect=404) == {"error": "no disk d-nosuch"}
    assert ctl("GET", f"disks/{disk_id}/write", expect=405)["error"].endswith("it takes POST")
    with pytest.raises(KeyError):
        server.handle.write_disk("d-nosuch")
    assert server.handle.disk_content(disk_id) == 2


# --- faults and latencies -------------------------------------------------------------------------
def test_faults_times_then_clear(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    added = ctl("POST", "faults", {"action": "DescribeDisks", "code": "Throttling", "times": 2})
    assert added["fault"]["code"] == "Throttling" and added["fault"]["status"] == 400
    for _ in range(2):
        expect_error(lambda: sdk.call("DescribeDisks", RegionId=REGION), "Throttling", status=400)
    sdk.call("DescribeDisks", RegionId=REGION)
    (fault,) = ctl("GET", "faults")["faults"]
    assert (fault["fired"], fault["times"], fault["seen"]) == (2, 0, 2)
    ctl("POST", "faults", {"action": "*", "code": "ServiceUnavailable", "times": None})
    expect_error(lambda: sdk.call("DescribeInstances", RegionId=REGION), "ServiceUnavailable", status=503)
    assert ctl("DELETE", "faults") == {"faults": []}
    sdk.call("DescribeInstances", RegionId=REGION)


def test_fault_of_ones_own_code_status_and_message(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    ctl("POST", "faults", {"action": "DescribeInstances", "code": "Custom.Failure", "status": 418,
                           "message": "No coffee."})
    expect_error(lambda: sdk.call("DescribeInstances", RegionId=REGION), "Custom.Failure", "No coffee.", 418)
    calls = ctl("GET", "calls?injected=true")["calls"]
    assert [(c["code"], c["injected"], c["ok"]) for c in calls] == [("Custom.Failure", True, False)]


def test_fault_rate_and_seed_are_repeatable(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    ctl("POST", "faults", {"action": "DescribeDisks", "code": "InternalError", "rate": 0.5, "seed": 7})
    codes = []
    for _ in range(12):
        try:
            sdk.call("DescribeDisks", RegionId=REGION)
            codes.append(None)
        except ApiError as err:
            codes.append(err.code)
    rng = random.Random(7)
    assert codes == ["InternalError" if rng.random() < 0.5 else None for _ in range(12)]
    assert None in codes and "InternalError" in codes


def test_latency_with_the_sleep_modes(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    assert ctl("GET", "sleep") == {"mode": "real"}
    assert ctl("PUT", "sleep", {"mode": "record"}) == {"mode": "record", "waits": []}
    ctl("POST", "faults", {"action": "DescribeDisks", "code": None, "latency": 2.5, "times": None})
    sdk.call("DescribeDisks", RegionId=REGION)  # delayed, then answered
    assert ctl("GET", "sleep") == {"mode": "record", "waits": [2.5]}
    assert ctl("POST", "sleep", {"mode": "clock"}) == {"mode": "clock"}
    before = ctl("GET", "clock")["offset"]
    sdk.call("DescribeDisks", RegionId=REGION)
    assert ctl("GET", "clock")["offset"] == before + 2.5
    assert ctl("PUT", "sleep?mode=real") == {"mode": "real"}
    ctl("DELETE", "faults")
    sdk.call("DescribeDisks", RegionId=REGION)


@pytest.mark.parametrize("body,message", [
    ({"code": "Throttling"}, 'give {"action": "CreateSnapshot" or "*"'),
    ({"action": "DescribeDisks", "code": "Throttling", "retries": 1}, "unknown fault option(s) retries"),
    ({"action": "DescribeNothing", "code": "Throttling"}, "'DescribeNothing' is not an action mock_ecs builds"),
    ({"action": "DescribeDisks", "code": "Mine"}, "give status= (and message=) for a code of your own"),
    ({"action": "DescribeDisks", "code": "Throttling", "rate": 2}, "rate must be a fraction in (0, 1]"),
    ({"action": "DescribeDisks", "code": None}, "give an error code, a latency, or both"),
    ({"action": "DescribeDisks", "code": 5}, "code must be a string"),
])
def test_fault_errors(ctl: Ctl, body: Dict[str, Any], message: str) -> None:
    assert message in ctl("POST", "faults", body, expect=400)["error"]
    assert ctl("GET", "faults") == {"faults": []}


def test_sleep_mode_error(ctl: Ctl) -> None:
    assert 'mode must be "real", "clock" or "record"' in ctl("PUT", "sleep", {"mode": "fast"}, expect=400)["error"]


# --- access keys ----------------------------------------------------------------------------------
def test_access_keys_of_a_strict_server() -> None:
    with ThreadedMockServer(strict_access_keys=True) as server:
        ctl = Ctl(server)
        alice = SdkCoreDriver(ak="LTAIalice", secret="aliceSecret", endpoint=server.endpoint)
        expect_error(lambda: alice.call("DescribeInstances", RegionId=REGION), "InvalidAccessKeyId.NotFound",
                     status=404)
        assert ctl("GET", "access-keys") == {"access_keys": {}}
        added = ctl("POST", "access-keys", {"access_key_id": "LTAIalice", "secret": "aliceSecret",
                                            "account_id": "1111111111111111"})
        assert added == {"access_key_id": "LTAIalice", "account_id": "1111111111111111"}
        instance_id = run_instance(alice)
        assert ctl("GET", "access-keys") == {"access_keys": {"LTAIalice": "1111111111111111"}}
        assert ctl("GET", f"resources/{instance_id}/account")["account_id"] == "1111111111111111"
        assert ctl("GET", "resources?kind=instances&account_id=1111111111111111")["ids"] == [instance_id]
        assert ctl("GET", f"resources?kind=instances&account_id={DEFAULT_ACCOUNT_ID}")["ids"] == []
        ctl("GET", f"resources/{instance_id}?account_id={DEFAULT_ACCOUNT_ID}", expect=404)
        wrong = SdkCoreDriver(ak="LTAIalice", secret="guess", endpoint=server.endpoint)
        expect_error(lambda: wrong.call("DescribeInstances", RegionId=REGION), "InvalidAccessKeySecret")
        # A key without account_id belongs to the default account.
        assert ctl("POST", "access-keys", {"access_key_id": "LTAIbob", "secret": "b"})["account_id"] == \
            DEFAULT_ACCOUNT_ID


def test_access_key_errors(ctl: Ctl) -> None:
    assert "give" in ctl("POST", "access-keys", {"access_key_id": "LTAIx"}, expect=400)["error"]
    assert "must be a non-empty string" in ctl(
        "POST", "access-keys", {"access_key_id": "LTAIx", "secret": "s", "account_id": 5}, expect=400)["error"]


# --- the call record --------------------------------------------------------------------------------
def test_calls_with_filters_and_clear(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    run_instance(sdk)
    sdk.call("DescribeDisks", RegionId=REGION)
    expect_error(lambda: sdk.call("CreateSnapshot", DiskId="d-nosuch"), "InvalidDiskId.NotFound")
    calls = ctl("GET", "calls")["calls"]
    assert [c["action"] for c in calls] == ["RunInstances", "DescribeDisks", "CreateSnapshot"]
    first = calls[0]
    assert first["account_id"] == DEFAULT_ACCOUNT_ID and first["region_id"] == REGION and first["ok"] is True
    assert first["params"]["ImageId"] and "Signature" not in first["params"]
    assert [c["action"] for c in ctl("GET", "calls?action=DescribeDisks,CreateSnapshot")["calls"]] == [
        "DescribeDisks", "CreateSnapshot"]
    failed = ctl("GET", "calls?ok=false")["calls"]
    assert [(c["code"], c["status"]) for c in failed] == [("InvalidDiskId.NotFound", 404)]
    assert ctl("GET", "calls?status=404")["calls"] == failed
    assert ctl("GET", "calls?code=InvalidDiskId.NotFound")["calls"] == failed
    assert len(ctl("GET", f"calls?account_id={DEFAULT_ACCOUNT_ID}&ok=true")["calls"]) == 2
    assert ctl("GET", "calls?injected=true")["calls"] == []
    assert "?ok= must be true or false" in ctl("GET", "calls?ok=maybe", expect=400)["error"]
    assert ctl("DELETE", "calls") == {"calls": []}
    assert ctl("GET", "calls") == {"calls": []}
    assert ctl("GET", "resources?kind=instances")["ids"]  # only the record was emptied


# --- state and resources ------------------------------------------------------------------------------
def test_state_round_trip(sdk: SdkCoreDriver, ctl: Ctl, server: ThreadedMockServer) -> None:
    instance_id, disk_id = ready(sdk, ctl)
    state = ctl("GET", "state")
    assert state["format"] == "mock_ecs.state" and state["version"] == 1
    ctl("POST", "reset")
    assert ctl("PUT", "state", state)["loaded"] is True
    assert ctl("GET", "resources?kind=disks")["ids"] == [disk_id]
    sdk.call("CreateSnapshot", DiskId=disk_id)  # past the initialisation window, as saved
    assert "not a mock_ecs state" in ctl("PUT", "state", {"format": "other"}, expect=400)["error"]
    assert ctl("GET", "resources?kind=instances")["ids"] == [instance_id]


def test_resource_views_are_what_describe_shows(sdk: SdkCoreDriver, ctl: Ctl) -> None:
    instance_id, disk_id = ready(sdk, ctl)
    snapshot_id = sdk.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ctl("POST", "clock/advance", {"seconds": 60})
    image_id = sdk.call("CreateImage", RegionId=REGION, SnapshotId=snapshot_id, ImageName="gold")["ImageId"]
    described = {
        instance_id: sdk.call("DescribeInstances", RegionId=REGION)["Instances"]["Instance"][0],
        disk_id: sdk.call("DescribeDisks", RegionId=REGION, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"][0],
        snapshot_id: snapshot_of(sdk, snapshot_id),
        image_id: sdk.call("DescribeImages", RegionId=REGION, ImageId=image_id)["Images"]["Image"][0],
    }
    for rid, view in described.items():
        assert ctl("GET", f"resources/{rid}") == view, rid
        assert ctl("GET", f"resources/{rid}/account") == {"resource_id": rid, "account_id": DEFAULT_ACCOUNT_ID}
    for kind, rid in (("instances", instance_id), ("disks", disk_id), ("snapshots", snapshot_id),
                      ("images", image_id)):
        assert ctl("GET", f"resources?kind={kind}") == {"kind": kind, "ids": [rid]}


def test_resource_errors(ctl: Ctl) -> None:
    assert ctl("GET", "resources/i-nosuch", expect=404) == {"error": "no resource i-nosuch"}
    assert "IDs start with i-, d-, s- or m-" in ctl("GET", "resources/sg-123", expect=404)["error"]
    assert ctl("GET", "resources/s-nosuch/account", expect=404) == {"error": "no resource s-nosuch"}
    assert "?kind= must be one of instances, disks, snapshots, images" in ctl(
        "GET", "resources?kind=vpcs", expect=400)["error"]


# --- errors of the control API itself -----------------------------------------------------------------
def test_unknown_endpoint_is_404(ctl: Ctl) -> None:
    assert ctl("GET", "nothing/here", expect=404) == {
        "error": "no control endpoint /_mock_ecs/nothing/here; GET /_mock_ecs/ lists them"}


def test_wrong_method_is_405_with_allow(ctl: Ctl) -> None:
    assert ctl("DELETE", "clock", expect=405) == {"error": "DELETE is not allowed on /_mock_ecs/clock; it takes GET"}
    assert ctl.headers["allow"] == "GET"
    ctl("GET", "reset", expect=405)
    assert ctl.headers["allow"] == "POST"


def test_bodies_that_are_not_json_objects_are_400(ctl: Ctl) -> None:
    status, doc = ctl.raw("POST", "/_mock_ecs/clock/advance", b"seconds=5")
    assert status == 400 and doc["error"].startswith("the body is not JSON")
    status, doc = ctl.raw("POST", "/_mock_ecs/clock/advance", b"[5]")
    assert (status, doc) == (400, {"error": "the body must be a JSON object, not list"})
    status, doc = ctl.raw("POST", "/_mock_ecs/clock/advance", b"\xff\xfe")
    assert status == 400 and doc["error"].startswith("the body is not JSON")


def test_the_control_api_shares_state_with_the_handle(server: ThreadedMockServer, ctl: Ctl,
                                                      sdk: SdkCoreDriver) -> None:
    """``ThreadedMockServer(handle=ecs)``: the handle and the server are one ECS."""
    with MockEcs() as ecs, ThreadedMockServer(handle=ecs) as shared:
        ecs.advance_clock(123)
        assert Ctl(shared)("GET", "clock")["offset"] == 123
        Ctl(shared)("POST", "clock/advance", {"seconds": 7})
        assert ecs.backend.clock.offset == 130


# --- the README's examples are real ---------------------------------------------------------------------
README = Path(__file__).resolve().parent.parent / "README.md"
BASE = "http://127.0.0.1:8080"


def readme_curls() -> List[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Server mode\n"):text.index("### Saved states\n")]
    return re.findall(r"`(curl [^`]+)`", section)


def run_curl(command: str, server: ThreadedMockServer, cwd: Path) -> Tuple[str, str, int, Any]:
    """Run one README curl line against ``server``: -s, -X, -d, --data-binary [@file], > file."""
    words = shlex.split(command)[1:]
    method, data, url, out_file = None, None, None, None
    while words:
        word = words.pop(0)
        if word == "-s":
            continue
        if word == "-X":
            method = words.pop(0)
        elif word in ("-d", "--data-binary"):
            value = words.pop(0)
            data = (cwd / value[1:]).read_bytes() if value.startswith("@") else value.encode()
        elif word == ">":
            out_file = cwd / words.pop(0)
        elif word.startswith(BASE):
            url = word
        else:
            raise AssertionError(f"the README curl line uses {word!r}, which this test does not read")
    assert url is not None, command
    method = method or ("POST" if data is not None else "GET")
    target = url[len(BASE):]
    status, doc = Ctl(server).raw(method, target, data)
    if out_file is not None:
        out_file.write_text(json.dumps(doc))
    return method, target, status, doc


def test_the_readme_has_a_curl_example_for_every_endpoint(server: ThreadedMockServer) -> None:
    examples = []
    for command in readme_curls():
        words = shlex.split(command)
        method = words[words.index("-X") + 1] if "-X" in words else ("POST" if "-d" in words else "GET")
        url = next(w for w in words if w.startswith(BASE))
        examples.append((method, url[len(BASE):].split("?")[0]))
    for verb, pattern, _ in Control(server.handle).routes:
        if verb == "POST" and pattern.pattern in ("^sleep$", "^state$"):
            continue  # aliases of PUT
        assert any(method == verb and path.startswith("/_mock_ecs/") and pattern.match(path[len("/_mock_ecs/"):])
                   for method, path in examples), f"README lacks a curl example for {verb} {pattern.pattern}"


def test_every_readme_curl_example_works(server: ThreadedMockServer, sdk: SdkCoreDriver, ctl: Ctl,
                                         tmp_path: Path) -> None:
    instance_id, disk_id = ready(sdk, ctl)
    snapshot_id = sdk.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ctl("POST", "clock/advance", {"seconds": 60})
    progressing_id = sdk.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]  # one that can still fail
    prepared = server.handle.dump_state()
    values = {"$INSTANCE_ID": instance_id, "$DISK_ID": disk_id, "$SNAPSHOT_ID": snapshot_id,
              "$PROGRESSING_SNAPSHOT_ID": progressing_id}
    commands = readme_curls()
    assert len(commands) >= 28
    for command in commands:
        server.handle.load_state(prepared)  # each example from the same prepared ECS
        for name, value in values.items():
            command = command.replace(name, value)
        method, target, status, doc = run_curl(command, server, tmp_path)
        assert status == 200, (command, doc)
        assert isinstance(doc, dict) and "error" not in doc, command


def test_a_failure_inside_the_control_api_is_a_json_500(server: ThreadedMockServer, ctl: Ctl,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Control, "settings", broken)
    assert ctl("GET", "settings", expect=500) == {"error": "internal error of the control API: RuntimeError: boom"}
    assert ctl("GET", "clock")["offset"] == 0  # the server goes on
