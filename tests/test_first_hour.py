"""What a newcomer met in the first hour, each as the README now tells it.

- curl against the server: the README's curl example runs as written (``mock-ecs url`` signs);
- a latency-only fault delays every matching call until cleared, from Python and over HTTP;
- a request naming no region is recorded (and logged) in the region it acted in;
- the mock's clock moved back by freezegun: sane answers, the same whether read before or not.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

import pytest
from freezegun import freeze_time

from conftest import REGION, SdkCoreDriver, TeaDriver, expect_error, readme_snippet, run_instance, system_disk
from mock_ecs import DEFAULT_ACCOUNT_ID, MockEcs
from mock_ecs.server import ThreadedMockServer

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


def clean_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and not k.startswith("MOCK_ECS_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # the mock-ecs of this interpreter first
    return {**env, **extra}


def get(server: ThreadedMockServer, target: str, method: str = "GET", body: Optional[bytes] = None,
        ) -> Tuple[int, Any]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, target, body=body)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def json_documents(text: str) -> List[Any]:
    """The JSON documents curl printed one after another (no newline between them)."""
    decoder, docs, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)
    return docs


# --- curl ----------------------------------------------------------------------------------------
def mock_ecs_url(*args: str, **env: str) -> str:
    done = subprocess.run(["mock-ecs", "url", *args], capture_output=True, text=True, env=clean_env(**env),
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None,
                    reason="the README's curl example needs curl and bash")
def test_the_readme_curl_example_runs_as_written() -> None:
    assert shutil.which("mock-ecs", path=str(BIN)), "pip install -e . installs the mock-ecs console script"
    script = readme_snippet("curl", fence="bash")
    with ThreadedMockServer(port=0) as server:
        # The server of the example listens on 8080; this one on a free port, told as MOCK_ECS_PORT.
        done = subprocess.run(["bash", "-c", "set -eu\n" + script.replace("8080", str(server.port))],
                              capture_output=True, text=True, env=clean_env(MOCK_ECS_PORT=str(server.port)),
                              cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        run, refused, advanced, created, described = json_documents(done.stdout)
        calls = server.handle.calls
    assert run["InstanceIdSets"]["InstanceIdSet"][0].startswith("i-bp1")
    assert refused["Code"] == "IncorrectDiskStatus.Initializing"
    assert advanced["offset"] == 3600
    assert created["SnapshotId"].startswith("s-bp1")
    assert [s["SnapshotId"] for s in described["Snapshots"]["Snapshot"]] == [created["SnapshotId"]]
    assert [(c.action, c.status, c.code) for c in calls] == [
        ("RunInstances", 200, None), ("DescribeDisks", 200, None),
        ("CreateSnapshot", 403, "IncorrectDiskStatus.Initializing"), ("CreateSnapshot", 200, None),
        ("DescribeSnapshots", 200, None),
    ]
    assert {c.params["Format"] for c in calls} == {"JSON"} and len({c.params["SignatureNonce"] for c in calls}) == 5


def test_mock_ecs_url_signs_for_a_registered_key() -> None:
    with ThreadedMockServer(port=0, strict_access_keys=True) as server:
        server.handle.register_access_key("LTAIalice", "aliceSecret")
        port = str(server.port)
        good = mock_ecs_url("--access-key-id", "LTAIalice", "--secret", "aliceSecret", "DescribeDisks",
                            f"RegionId={REGION}", "DiskName=a b*~", MOCK_ECS_PORT=port)
        assert good.startswith(f"http://127.0.0.1:{port}/?")
        status, body = get(server, good[len(server.url):])
        assert status == 200 and body["TotalCount"] == 0
        status, body = get(server, good[len(server.url):])  # a fresh nonce each time: a URL serves once
        assert (status, body["Code"]) == (400, "SignatureNonceUsed")
        posted = mock_ecs_url("--access-key-id", "LTAIalice", "--secret", "aliceSecret", "--method", "POST",
                              "--endpoint", server.url, "DescribeInstances", f"RegionId={REGION}")
        status, body = get(server, posted[len(server.url):], method="POST")
        assert status == 200 and body["TotalCount"] == 0
        wrong = mock_ecs_url("--access-key-id", "LTAIalice", "--secret", "notTheSecret", "--endpoint", server.url,
                             "DescribeDisks", f"RegionId={REGION}")
        status, body = get(server, wrong[len(server.url):])
        assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
        status, body = get(server, mock_ecs_url("--endpoint", server.url, "DescribeDisks", f"RegionId={REGION}")[
            len(server.url):])
        assert (status, body["Code"]) == (404, "InvalidAccessKeyId.NotFound")  # strict: any-key is refused
        xml = mock_ecs_url("--endpoint", server.url, "--access-key-id", "LTAIalice", "--secret", "aliceSecret",
                           "--format", "XML", "DescribeDisks", f"RegionId={REGION}")
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        conn.request("GET", xml[len(server.url):])
        answer = conn.getresponse()
        assert answer.status == 200 and b"<DescribeDisksResponse>" in answer.read()
        conn.close()
        assert [c.account_id for c in server.handle.calls if c.ok] == [DEFAULT_ACCOUNT_ID] * 3
    assert dict(p.split("=", 1) for p in urlsplit(good).query.split("&"))["DiskName"] == "a%20b%2A~"


def test_mock_ecs_url_refuses_a_parameter_without_a_value() -> None:
    done = subprocess.run(["mock-ecs", "url", "DescribeDisks", "RegionId"], capture_output=True, text=True,
                          env=clean_env(), timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        2, "", "mock-ecs: parameters are NAME=VALUE, not 'RegionId'\n")


# --- latency-only faults: one default on both sides -----------------------------------------------
def test_a_latency_only_fault_delays_every_call_until_cleared(ecs: MockEcs) -> None:
    waits: List[float] = []
    ecs.sleep = waits.append
    client = SdkCoreDriver()
    fault = ecs.inject_fault("DescribeDisks", None, latency=2.0)
    assert fault.times is None
    for _ in range(3):
        client.call("DescribeDisks", RegionId=REGION)
    assert waits == [2.0, 2.0, 2.0] and fault.fired == 3
    ecs.clear_faults()
    client.call("DescribeDisks", RegionId=REGION)
    assert waits == [2.0, 2.0, 2.0]
    ecs.inject_fault("DescribeDisks", None, latency=0.5, times=2)  # times caps it
    ecs.inject_latency("DescribeInstances", 1.5)                  # the same default
    for _ in range(3):
        client.call("DescribeDisks", RegionId=REGION)
        client.call("DescribeInstances", RegionId=REGION)
    assert waits == [2.0, 2.0, 2.0, 0.5, 1.5, 0.5, 1.5, 1.5]
    error = ecs.inject_fault("DescribeDisks", "Throttling", latency=1.0)  # an error: the next call only
    assert error.times == 1
    expect_error(lambda: client.call("DescribeDisks", RegionId=REGION), "Throttling")
    client.call("DescribeDisks", RegionId=REGION)


def test_a_latency_only_fault_over_http_delays_every_call_until_cleared() -> None:
    with ThreadedMockServer(port=0) as server:
        client = SdkCoreDriver(endpoint=server.endpoint)
        assert get(server, "/_mock_ecs/sleep", "PUT", b'{"mode": "record"}')[0] == 200
        # The README's own example body.
        status, body = get(server, "/_mock_ecs/faults", "POST",
                           b'{"action": "DescribeDisks", "code": null, "latency": 2.0}')
        assert status == 200 and body["fault"]["times"] is None
        for _ in range(3):
            client.call("DescribeDisks", RegionId=REGION)
        assert get(server, "/_mock_ecs/sleep")[1] == {"mode": "record", "waits": [2.0, 2.0, 2.0]}
        (listed,) = get(server, "/_mock_ecs/faults")[1]["faults"]
        assert (listed["fired"], listed["times"]) == (3, None)
        assert get(server, "/_mock_ecs/faults", "DELETE")[0] == 200
        once = b'{"action": "DescribeDisks", "code": null, "latency": 1.0, "times": 1}'
        assert get(server, "/_mock_ecs/faults", "POST", once)[1]["fault"]["times"] == 1
        for _ in range(2):
            client.call("DescribeDisks", RegionId=REGION)
        assert get(server, "/_mock_ecs/sleep")[1]["waits"] == [2.0, 2.0, 2.0, 1.0]
        status, body = get(server, "/_mock_ecs/faults", "POST", b'{"action": "DescribeDisks", "code": "Throttling"}')
        assert body["fault"]["times"] == 1  # an error fault: still the next call only


# --- the region of a request that names none -------------------------------------------------------
@pytest.fixture
def logged_server() -> Iterator[Tuple[ThreadedMockServer, List[str]]]:
    lines: List[str] = []
    with ThreadedMockServer(port=0, quiet=False, say=lines.append) as server:
        yield server, lines


def test_a_request_without_region_is_recorded_in_the_region_it_acted_in(logged_server) -> None:
    server, lines = logged_server
    # The Tea SDK sends no RegionId for CreateSnapshot; its endpoint override names no region.
    tea = TeaDriver(endpoint=server.endpoint, protocol="http")
    instance_id = run_instance(tea)
    disk_id = system_disk(tea, instance_id)
    expect_error(lambda: tea.call("CreateSnapshot", DiskId=disk_id), "IncorrectDiskStatus.Initializing")
    get(server, "/_mock_ecs/clock/advance", "POST", b'{"seconds": 3600}')
    snapshot_id = tea.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    expect_error(lambda: tea.call("CreateSnapshot", DiskId="d-bp1nosuchdisk000001"), "InvalidDiskId.NotFound")
    created = [c for c in server.handle.calls.of("CreateSnapshot")]
    assert all("RegionId" not in c.params for c in created)
    assert [(c.region_id, c.code) for c in created] == [
        (REGION, "IncorrectDiskStatus.Initializing"), (REGION, None), (None, "InvalidDiskId.NotFound")]
    status, body = get(server, f"/_mock_ecs/calls?action=CreateSnapshot&region_id={REGION}")
    assert status == 200
    assert [(c["region_id"], c["code"]) for c in body["calls"]] == [
        (REGION, "IncorrectDiskStatus.Initializing"), (REGION, None)]
    logged = [line for line in lines if line.startswith("CreateSnapshot ")]
    assert [re.search(r" region=(\S+) ", line).group(1) for line in logged] == [REGION, REGION, "-"]  # type: ignore[union-attr]
    assert server.handle.snapshot(snapshot_id)["RegionId"] == REGION


def test_a_region_named_by_the_request_is_the_one_recorded(ecs: MockEcs) -> None:
    client = SdkCoreDriver()
    instance_id = run_instance(client)
    disk_id = system_disk(client, instance_id)
    expect_error(lambda: client.call("CreateSnapshot", DiskId=disk_id, RegionId="cn-shanghai"),
                 "InvalidDiskId.NotFound")
    assert (ecs.calls[-1].region_id, ecs.calls[-1].params["RegionId"]) == ("cn-shanghai", "cn-shanghai")


# --- the clock moved back ----------------------------------------------------------------------------
def test_freezegun_moving_back_before_a_creation_gives_sane_answers() -> None:
    with freeze_time("2026-01-01 00:00:00") as clock, MockEcs(instance_start_seconds=60) as ecs:
        client = SdkCoreDriver()
        instance_id = run_instance(client)
        disk_id = system_disk(client, instance_id)
        clock.tick(3600)
        snapshot_id = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
        assert client.call("DescribeInstances", RegionId=REGION)["Instances"]["Instance"][0]["Status"] == "Running"
        clock.move_to("2025-12-31 23:00:00")  # an hour before anything was made
        (snap,) = client.call("DescribeSnapshots", RegionId=REGION)["Snapshots"]["Snapshot"]
        assert (snap["Status"], snap["Progress"], snap["RemainTime"], snap["CreationTime"]) == (
            "progressing", "0%", 60, "2026-01-01T01:00:00Z")  # not begun: its whole 60 s left
        (inst,) = client.call("DescribeInstances", RegionId=REGION)["Instances"]["Instance"]
        assert inst["Status"] == "Pending"  # read at the new time, though it was Running when last read
        expect_error(lambda: client.call("CreateSnapshot", DiskId=disk_id), "IncorrectInstanceStatus")
        clock.move_to("2026-01-01 01:00:30")
        assert ecs.snapshot(snapshot_id)["Progress"] == "50%" and ecs.snapshot(snapshot_id)["RemainTime"] == 30
        assert ecs.instance(instance_id)["Status"] == "Running"
        clock.move_to("2026-01-01 01:01:00")
        assert (ecs.snapshot(snapshot_id)["Status"], ecs.snapshot(snapshot_id)["RemainTime"]) == ("accomplished", 0)


def test_a_status_depends_on_the_time_not_on_whether_it_was_read() -> None:
    shown = []
    for read_in_between in (False, True):
        with freeze_time("2026-01-01 00:00:00") as clock, MockEcs(disk_transition_seconds=30) as ecs:
            client = SdkCoreDriver()
            disk_id = client.call("CreateDisk", RegionId=REGION, ZoneId="cn-hangzhou-i", Size=20)["DiskId"]
            clock.tick(60)
            if read_in_between:
                assert ecs.disk(disk_id)["Status"] == "Available"
            clock.move_to("2026-01-01 00:00:10")
            shown.append(ecs.disk(disk_id)["Status"])
            assert ecs.dump_state()["accounts"][DEFAULT_ACCOUNT_ID]["regions"][REGION]["disks"][0]["phase"] == {
                "status": "Creating", "then": "Available", "until": 1767225630.0}
    assert shown == ["Creating", "Creating"]
