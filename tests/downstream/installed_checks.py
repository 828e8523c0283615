"""A downstream project's tests: what a user of the installed package writes.

``.ci/run`` copies this file as ``test_installed.py`` into an empty directory outside the
checkout and runs it with the pytest of a fresh virtual environment that holds only the wheel
(installed non-editable), aliyunsdkcore, aliyunsdkecs and pytest. Its name keeps the project's
own test run from collecting it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import RpcRequest
from aliyunsdkecs.request.v20140526 import (
    CreateSnapshotRequest,
    DescribeDisksRequest,
    DescribeInstancesRequest,
    DescribeSnapshotsRequest,
    RunInstancesRequest,
)

import mock_ecs
from mock_ecs import MockEcs

IMAGE = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"


def _do(client: AcsClient, request: RpcRequest) -> Dict[str, Any]:
    return json.loads(client.do_action_with_exception(request))


def _backup_scenario(client: AcsClient, ecs: MockEcs) -> None:
    """An instance, its system disk, a snapshot of it that completes once the mock's clock moves."""
    run = RunInstancesRequest.RunInstancesRequest()
    run.set_ImageId(IMAGE)
    run.set_InstanceType("ecs.g7.large")
    instance_id = _do(client, run)["InstanceIdSets"]["InstanceIdSet"][0]
    disks = DescribeDisksRequest.DescribeDisksRequest()
    disks.set_InstanceId(instance_id)
    (disk,) = _do(client, disks)["Disks"]["Disk"]
    assert disk["Type"] == "system" and disk["InstanceId"] == instance_id
    ecs.advance_clock(3600)  # past the new disk's initialisation
    snap = CreateSnapshotRequest.CreateSnapshotRequest()
    snap.set_DiskId(disk["DiskId"])
    snapshot_id = _do(client, snap)["SnapshotId"]
    query = DescribeSnapshotsRequest.DescribeSnapshotsRequest()
    query.set_SnapshotIds(json.dumps([snapshot_id]))
    assert _do(client, query)["Snapshots"]["Snapshot"][0]["Status"] == "progressing"
    ecs.advance_clock(3600)
    (snapshot,) = _do(client, query)["Snapshots"]["Snapshot"]
    assert (snapshot["SnapshotId"], snapshot["Status"], snapshot["SourceDiskId"]) == (
        snapshot_id, "accomplished", disk["DiskId"])
    assert ecs.calls.actions == ["RunInstances", "DescribeDisks", "CreateSnapshot", "DescribeSnapshots",
                                 "DescribeSnapshots"]
    assert ecs.calls.failed == []


def test_the_package_is_the_installed_wheel_not_a_checkout() -> None:
    package = Path(mock_ecs.__file__).resolve()
    assert package.is_relative_to(Path(sys.prefix).resolve()), package
    assert (package.parent / "data" / "params.json").is_file()


def test_the_pytest_fixture(ecs_mock: MockEcs) -> None:
    _backup_scenario(AcsClient("any-key", "any-secret", "cn-hangzhou"), ecs_mock)


@mock_ecs.mock_ecs
def test_the_decorator() -> None:
    _backup_scenario(AcsClient("any-key", "any-secret", "cn-hangzhou"), MockEcs.current())


def test_mock_ecs_serve_answers_an_ecs_request() -> None:
    command = shutil.which("mock-ecs", path=os.path.dirname(sys.executable))
    assert command, "the console script mock-ecs is not installed next to this python"
    server = subprocess.Popen([command, "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        first = server.stdout.readline()  # "mock-ecs serving http://127.0.0.1:PORT (...)"
        assert first.startswith("mock-ecs serving http://127.0.0.1:"), first
        endpoint = first.split("http://", 1)[1].split()[0]
        client = AcsClient("any-key", "any-secret", "cn-hangzhou", auto_retry=False)
        run = RunInstancesRequest.RunInstancesRequest()
        run.set_ImageId(IMAGE)
        run.set_InstanceType("ecs.g7.large")
        run.set_endpoint(endpoint)
        (instance_id,) = _do(client, run)["InstanceIdSets"]["InstanceIdSet"]
        describe = DescribeInstancesRequest.DescribeInstancesRequest()
        describe.set_endpoint(endpoint)
        answer = _do(client, describe)
        assert answer["TotalCount"] == 1 and answer["RequestId"]
        assert answer["Instances"]["Instance"][0]["InstanceId"] == instance_id
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
