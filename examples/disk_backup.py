"""A small, realistic disk-backup job, run here against mock_ecs.

``backup_instance`` is ordinary production code: it snapshots every cloud disk of an
instance with the real aliyunsdkcore client, using a ClientToken so a retried run never
doubles a snapshot, and waits until each snapshot is ``accomplished``.

Run it:  python examples/disk_backup.py
Under the mock the wait does not sleep: each poll moves the mock's clock instead.
"""

from __future__ import annotations

import json
import time
from typing import Callable, Dict, List

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest
from aliyunsdkecs.request.v20140526.DescribeDisksRequest import DescribeDisksRequest
from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest

from mock_ecs import mock_ecs


def call(client: AcsClient, request: object) -> Dict:
    return json.loads(client.do_action_with_exception(request))


def backup_instance(
    client: AcsClient, instance_id: str, run_id: str,
    wait: Callable[[float], None] = time.sleep, poll_seconds: float = 15,
    say: Callable[[str], None] = print,
) -> List[str]:
    """Snapshot each disk of ``instance_id`` and wait for all snapshots to finish."""
    disks = DescribeDisksRequest()
    disks.set_InstanceId(instance_id)
    snapshot_ids = []
    for disk in call(client, disks)["Disks"]["Disk"]:
        request = CreateSnapshotRequest()
        request.set_DiskId(disk["DiskId"])
        request.set_SnapshotName(f"backup-{run_id}-{disk['Type']}")
        request.set_Description(f"Nightly backup {run_id} of {disk['DiskId']}")
        request.set_ClientToken(f"{run_id}-{disk['DiskId']}")
        try:
            snapshot_id = call(client, request)["SnapshotId"]
        except ServerException as err:
            say(f"  {disk['DiskId']}: skipped ({err.get_error_code()}: {err.get_error_msg()})")
            continue
        say(f"  {disk['DiskId']} ({disk['Type']}, {disk['Size']} GiB) -> {snapshot_id}")
        snapshot_ids.append(snapshot_id)

    pending = set(snapshot_ids)
    while pending:
        query = DescribeSnapshotsRequest()
        query.set_SnapshotIds(json.dumps(sorted(pending)))
        for snap in call(client, query)["Snapshots"]["Snapshot"]:
            say(f"  {snap['SnapshotId']}: {snap['Status']:<12} {snap['Progress']:>4}  "
                f"remaining {snap['RemainTime']} s")
            if snap["Status"] == "accomplished":
                pending.discard(snap["SnapshotId"])
        if pending:
            wait(poll_seconds)
    return snapshot_ids


def main() -> None:
    with mock_ecs() as ecs:
        client = AcsClient("LTAIexampleKey", "exampleSecret", "cn-hangzhou")
        run = RunInstancesRequest()
        run.set_ImageId("ubuntu_22_04_x64_20G_alibase_20240130.vhd")
        run.set_InstanceType("ecs.g7.large")
        run.set_DataDisks([{"Size": 100, "Category": "cloud_essd"}])
        instance_id = call(client, run)["InstanceIdSets"]["InstanceIdSet"][0]
        print(f"Launched {instance_id} in the mock ECS.")

        print("Backing up at once (the new disks are still initialising):")
        backup_instance(client, instance_id, "run0", wait=ecs.advance_clock)

        ecs.advance_clock(3600)
        print("One hour later:")
        ids = backup_instance(client, instance_id, "run1", wait=ecs.advance_clock)
        print(f"Done: {len(ids)} snapshot(s) accomplished, at mock time {ecs.now():%H:%M:%S}.")


if __name__ == "__main__":
    main()
