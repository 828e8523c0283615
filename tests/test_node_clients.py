"""The Node.js SDKs end to end against the mock server: @alicloud/pop-core and @alicloud/ecs20140526.

Each test starts a server (the ``ecs_server`` fixture, sharing the ``ecs_mock`` handle), runs one
script of tests/node/ with node, and asserts every value of the JSON summary it prints: what the
client's own result objects and error objects held. The scripts move the clock through the
control endpoint (POST /_mock_ecs/clock/advance), never by sleeping.

The npm packages come from the project's package.json and package-lock.json (``npm ci``, which
.ci/run does). Without node or node_modules the tests fail when CI is set, and skip otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from conftest import readme_snippet
from mock_ecs import MockEcs

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = Path(__file__).resolve().parent / "node"
PACKAGES = ("@alicloud/pop-core", "@alicloud/ecs20140526", "@alicloud/openapi-core")
AK, SECRET = "LTAInodeAccessKey", "nodeSecret"  # as in tests/node/common.js
MISSING_DISK = "d-bp1missing0000000000"
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
SNAPSHOT_ID = re.compile(r"^s-bp1[0-9a-z]{17}$")
INITIALIZING = ("IncorrectDiskStatus.Initializing", "The current disk status does not support this operation.", 403)
NOT_FOUND = ("InvalidDiskId.NotFound", "The specified DiskId does not exist.", 404)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable() -> str:
    """Why the Node.js clients cannot run here ("" when they can)."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    missing = [name for name in PACKAGES if not (ROOT / "node_modules" / name / "package.json").is_file()]
    if missing:
        return f"{', '.join(missing)} not in {ROOT / 'node_modules'}: run `npm ci` at the repository root"
    return ""


@pytest.fixture
def node() -> str:
    reason = _unavailable()
    if reason:
        if _in_ci():
            pytest.fail(f"the Node.js end-to-end tests cannot run: {reason}", pytrace=False)
        pytest.skip(f"Node.js clients unavailable ({reason}); in CI this fails")
    return shutil.which("node") or "node"


def _no_proxy_env() -> Dict[str, str]:
    """The environment without its proxy variables: the mock is on loopback, never behind a proxy."""
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def run_node(node: str, script: str, url: str, mode: str) -> Dict[str, Any]:
    proc = subprocess.run(
        [node, str(NODE_DIR / script), url, mode], cwd=ROOT, env=_no_proxy_env(), capture_output=True, text=True,
        timeout=60,
    )
    assert proc.returncode == 0, f"node {script} {mode} exited {proc.returncode}:\n{proc.stderr}\n{proc.stdout}"
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, f"expected one JSON line on stdout, got:\n{proc.stdout}\n{proc.stderr}"
    summary: Dict[str, Any] = json.loads(lines[0])
    return summary


def check_scenario(summary: Dict[str, Any], ecs: MockEcs, *, snapshot_key: str) -> None:
    """The parts every client shows alike: IDs, disk, clock, the snapshot's three states."""
    instance_id, disk_id = summary["instanceId"], summary["diskId"]
    assert ecs.ids("instances") == [instance_id]
    disk = ecs.disk(disk_id)
    assert disk["InstanceId"] == instance_id and disk["Type"] == "system"
    assert summary["disk"] == {"type": "system", "size": 40, "status": "In_use", "category": "cloud_efficiency"}
    # One advance of the window through the control endpoint, seen by the shared handle.
    assert summary["clock"] == {"status": 200, "offset": 3600}
    snapshot_id = summary["created"][snapshot_key]
    assert SNAPSHOT_ID.match(snapshot_id), snapshot_id
    assert ecs.ids("snapshots") == [snapshot_id]
    common = {"totalCount": 1, "snapshotId": snapshot_id, "sourceDiskId": disk_id}
    stages = {
        "progressing": {"status": "progressing", "progress": "0%", "remainTime": 60, "available": False},
        "halfway": {"status": "progressing", "progress": "50%", "remainTime": 30, "available": False},
        "accomplished": {"status": "accomplished", "progress": "100%", "remainTime": 0, "available": True},
    }
    for stage, expected in stages.items():
        got = {k: v for k, v in summary[stage].items() if k != "httpStatus"}
        assert got == {**common, **expected}, stage
    assert ecs.snapshot(snapshot_id)["Status"] == "accomplished"
    # Nothing was created by the refused calls.
    assert [c.code for c in ecs.calls if c.action == "CreateSnapshot"] == [INITIALIZING[0], None, NOT_FOUND[0]]


def request_id_of(ecs: MockEcs, code: str) -> str:
    return next(c.request_id for c in ecs.calls if c.code == code)


def thrown_errors(summary: Dict[str, Any]) -> Iterator[Tuple[Dict[str, Any], str, str, int]]:
    """(the error object, code, message, status) of the two refused CreateSnapshot calls, each
    checked to have been thrown as an Error."""
    for key, (code, message, status) in (("initializing", INITIALIZING), ("notFound", NOT_FOUND)):
        err = summary[key]
        assert err["thrown"] is True and err["isError"] is True, err
        yield err, code, message, status


# --- @alicloud/pop-core ---------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["GET", "POST"])
def test_pop_core(node, ecs_server, ecs_mock, mode):
    ecs_mock.register_access_key(AK, SECRET)  # signatures are verified
    summary = run_node(node, "popcore.js", ecs_server, mode)
    assert (summary["client"], summary["mode"]) == ("@alicloud/pop-core", mode)
    check_scenario(summary, ecs_mock, snapshot_key="snapshotId")

    # pop-core ignores the HTTP status and throws on the body's Code: an Error with
    # .code, .name "<Code>Error", .message "<Message>, URL: <url>", .data (the body).
    for err, code, message, status in thrown_errors(summary):
        assert err["code"] == code
        assert err["name"] == code + "Error"
        assert err["httpStatus"] == status
        assert err["message"] == f"{message}, URL: {err['url']}"
        if mode == "POST":
            assert err["url"] == ecs_server + "/"
        else:
            assert err["url"].startswith(ecs_server + "/?AccessKeyId=" + AK + "&Action=CreateSnapshot&DiskId=")
        data = err["data"]
        assert (data["Code"], data["Message"]) == (code, message)
        assert data["RequestId"] == request_id_of(ecs_mock, code)
        assert set(data) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert summary["created"]["keys"] == ["RequestId", "SnapshotId"]
    assert REQUEST_ID.match(summary["created"]["requestId"])

    # What arrived: the wire form of this mode, signed with the registered key.
    calls = ecs_mock.calls
    assert [c.action for c in calls] == [
        "RunInstances", "DescribeDisks", "CreateSnapshot", "CreateSnapshot",
        "DescribeSnapshots", "DescribeSnapshots", "DescribeSnapshots", "CreateSnapshot",
    ]
    assert {c.method for c in calls} == {mode}
    assert {c.access_key_id for c in calls} == {AK}
    assert {c.host for c in calls} == {ecs_server.split("//", 1)[1]}
    assert calls[-1].params["DiskId"] == MISSING_DISK and "RegionId" not in calls[-1].params


# --- @alicloud/ecs20140526 (Tea) ------------------------------------------------------------
@pytest.mark.parametrize("mode", ["V3", "v2"])
def test_ecs_tea(node, ecs_server, ecs_mock, mode):
    ecs_mock.register_access_key(AK, SECRET)  # signatures are verified
    summary = run_node(node, "ecs_tea.js", ecs_server, mode)
    assert (summary["client"], summary["mode"]) == ("@alicloud/ecs20140526", mode)
    check_scenario(summary, ecs_mock, snapshot_key="snapshotId")
    for stage in ("progressing", "halfway", "accomplished"):
        assert summary[stage]["httpStatus"] == 200

    # Tea throws ClientError for 4xx: .code, .statusCode, .requestId, .data, and a message
    # "<Code>: code: <status>, <Message> request id: <id>".
    for err, code, message, status in thrown_errors(summary):
        request_id = request_id_of(ecs_mock, code)
        assert err["name"] == "ClientError"
        assert (err["code"], err["statusCode"], err["requestId"]) == (code, status, request_id)
        assert err["message"] == f"{code}: code: {status}, {message} request id: {request_id}"
        data = err["data"]
        assert (data["Code"], data["Message"], data["RequestId"]) == (code, message, request_id)
    created = summary["created"]
    assert created["httpStatus"] == 200 and created["isModel"] is True
    assert REQUEST_ID.match(created["requestId"])

    calls = ecs_mock.calls
    assert {c.access_key_id for c in calls} == {AK}
    assert {c.method for c in calls} == {"POST"}
    create = calls[-1]
    assert create.action == "CreateSnapshot" and create.params["DiskId"] == MISSING_DISK
    if mode == "V3":  # no Action, Version or signature parameters: all in headers
        assert "Action" not in create.params and "Signature" not in create.params
    else:
        assert create.params["Format"] == "json" and create.params["SignatureMethod"] == "HMAC-SHA1"


def test_node_error_is_reported_not_hidden(node, ecs_server, ecs_mock):
    """A wrong secret: the scripts exit non-zero with the client's error, which the test shows."""
    ecs_mock.register_access_key(AK, "another secret")
    with pytest.raises(AssertionError, match=r"SignatureDoesNotMatch|InvalidAccessKeySecret"):
        run_node(node, "popcore.js", ecs_server, "GET")


# --- the README's Node.js snippets are real code ---------------------------------------------
NODE_SNIPPETS = {
    "@alicloud/pop-core": [
        "IncorrectDiskStatus.Initializing The current disk status does not support this operation.",
        "progressing",
        "accomplished",
    ],
    "@alicloud/ecs20140526": ["IncorrectDiskStatus.Initializing 403", "progressing", "accomplished"],
}


@pytest.mark.parametrize("marker", list(NODE_SNIPPETS))
def test_readme_node_snippet_runs(marker, node, ecs_mock_server, ecs_mock):
    code = readme_snippet(marker, fence="js", comment="//").replace("8080", str(ecs_mock_server.port))
    proc = subprocess.run([node, "-e", code], cwd=ROOT, env=_no_proxy_env(), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == NODE_SNIPPETS[marker], proc.stderr
    assert {c.host for c in ecs_mock.calls} == {ecs_mock_server.endpoint}
    assert [c.status for c in ecs_mock.calls if c.action == "CreateSnapshot"] == [403, 200]
