"""Per-call cost of mock_ecs against the floor (the same SDK call answered by a canned body).

Run:  python bench/bench_calls.py [--n 300]
Prints medians of repeated runs, in one process, and the ratio mock/floor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Callable, List

import responses
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
from aliyunsdkecs.request.v20140526.DeleteSnapshotRequest import DeleteSnapshotRequest
from aliyunsdkecs.request.v20140526.DescribeDisksRequest import DescribeDisksRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

from mock_ecs import mock_ecs
from mock_ecs.regions import ECS_URL

VENDORED = "aliyunsdkcore.vendored.requests.adapters.HTTPAdapter.send"


def _median_per_call(run: Callable[[], None], n: int, repeats: int = 5) -> float:
    samples: List[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            run()
        samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples)


def floor(client: AcsClient, n: int) -> float:
    body = json.dumps({"RequestId": "C8B26B44-0189-443E-9816-D951F59623A9", "SnapshotId": "s-bp1aaaaaaaaaaaaaaaaa"})
    with responses.RequestsMock(target=VENDORED, assert_all_requests_are_fired=False) as stub:
        stub.add(responses.POST, ECS_URL, body=body, content_type="application/json")

        def one() -> None:
            create = CreateSnapshotRequest()
            create.set_DiskId("d-bp1aaaaaaaaaaaaaaaaa")
            client.do_action_with_exception(create)
            delete = DeleteSnapshotRequest()
            delete.set_SnapshotId("s-bp1aaaaaaaaaaaaaaaaa")
            client.do_action_with_exception(delete)

        return _median_per_call(one, n)


def mocked(client: AcsClient, n: int) -> float:
    with mock_ecs(initialization_seconds=0, snapshot_min_seconds=0, snapshot_seconds_per_gib=0):
        run = RunInstancesRequest()
        run.set_ImageId("ubuntu_22_04_x64_20G_alibase_20240130.vhd")
        run.set_InstanceType("ecs.g7.large")
        instance_id = json.loads(client.do_action_with_exception(run))["InstanceIdSets"]["InstanceIdSet"][0]
        disks = DescribeDisksRequest()
        disks.set_InstanceId(instance_id)
        disk_id = json.loads(client.do_action_with_exception(disks))["Disks"]["Disk"][0]["DiskId"]

        def one() -> None:
            create = CreateSnapshotRequest()
            create.set_DiskId(disk_id)
            snapshot_id = json.loads(client.do_action_with_exception(create))["SnapshotId"]
            delete = DeleteSnapshotRequest()
            delete.set_SnapshotId(snapshot_id)
            client.do_action_with_exception(delete)

        return _median_per_call(one, n)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300, help="calls per repeat")
    args = parser.parse_args()
    client = AcsClient("LTAIbench", "bench-secret", "cn-hangzhou", auto_retry=False)
    f = floor(client, args.n)
    m = mocked(client, args.n)
    print(f"{'CreateSnapshot+DeleteSnapshot via aliyunsdkcore':<50} {'per pair':>10}")
    print(f"{'floor (canned responses stub)':<50} {f * 1e3:>8.3f} ms")
    print(f"{'mock_ecs':<50} {m * 1e3:>8.3f} ms")
    print(f"{'ratio mock/floor':<50} {m / f:>10.2f}")


if __name__ == "__main__":
    main()
