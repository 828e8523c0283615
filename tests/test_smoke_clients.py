"""The basic scenario through every client: instance, initialisation window, snapshot, progress."""

from __future__ import annotations

from conftest import REGION, expect_error, run_instance, snapshots_of, system_disk


def test_create_snapshot_scenario_through_every_client(any_client, ecs):
    instance_id = run_instance(any_client)
    disk_id = system_disk(any_client, instance_id)
    expect_error(
        lambda: any_client.call("CreateSnapshot", DiskId=disk_id),
        "IncorrectDiskStatus.Initializing", "The current disk status does not support this operation.", 403,
    )
    ecs.advance_clock(3600)
    snap_id = any_client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    assert snap_id.startswith("s-bp1") and len(snap_id) == 22
    snap = snapshots_of(any_client, disk_id)
    snap = snap[0]
    assert snap["SnapshotId"] == snap_id
    assert snap["Status"] == "progressing"
    ecs.advance_clock(60)  # a 40 GiB disk takes 60 s
    snap = snapshots_of(any_client, disk_id)
    snap = snap[0]
    assert snap["Status"] == "accomplished"
    assert snap["Progress"] == "100%"
    assert REGION
