"""Referential integrity between snapshots, disks, images and instances, through real clients.

Texts come from shared/reference/ecs-api/actions/{DeleteSnapshot,CreateDisk,CreateImage,DeleteImage}.md
and FACTS.md sections 6, 8 and 10.

Already asserted elsewhere, so not repeated here:
- tests/test_images.py: SnapshotCreatedImage for a snapshot behind one or two images (Force does not
  bypass it), DeleteImage freeing the snapshot (``test_delete_image_frees_its_snapshots``), the
  snapshots CreateImage makes of an instance being held and freed, Usage "image".
- tests/test_disks.py: CreateDisk from a snapshot takes the snapshot's size, Usage "disk",
  SnapshotCreatedDisk without Force, a progressing snapshot refused (InvalidSnapshotId.NotReady),
  DeleteDisk keeping its snapshots with SourceDiskId.
- tests/test_instances.py: DeleteInstance keeping the manual snapshot of a released disk.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from conftest import (
    REGION,
    Driver,
    accomplished_snapshot,
    disks_of,
    expect_error,
    run_instance,
    snapshots_of,
    system_disk,
)
from mock_ecs import MockEcs

ZONE = "cn-hangzhou-b"
CREATED_IMAGE = ("SnapshotCreatedImage", "The snapshot has been used to create user defined image(s).", 403)
CREATED_DISK = ("SnapshotCreatedDisk", "The snapshot has been used to create disk(s).", 403)


# --- helpers ------------------------------------------------------------------------------
def snapshot(client: Driver, snap_id: str) -> Optional[Dict[str, Any]]:
    """The snapshot as DescribeSnapshots shows it, None when it is gone."""
    found = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snap_id]))["Snapshots"][
        "Snapshot"]
    return found[0] if found else None


def usage(client: Driver, snap_id: str) -> str:
    found = snapshot(client, snap_id)
    assert found is not None, snap_id
    return str(found["Usage"])


def status(client: Driver, snap_id: str) -> str:
    found = snapshot(client, snap_id)
    assert found is not None, snap_id
    return str(found["Status"])


def take_snapshot(client: Driver, ecs: MockEcs, disk_id: str, wait: float = 60) -> str:
    snap_id = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ecs.advance_clock(wait)
    return str(snap_id)


def ready_instance(client: Driver, ecs: MockEcs, **extra: Any) -> str:
    instance_id = run_instance(client, **extra)
    ecs.advance_clock(ecs.settings.initialization_seconds)
    return instance_id


def disk_from(client: Driver, snap_id: str, **extra: Any) -> str:
    return str(client.call("CreateDisk", RegionId=REGION, ZoneId=ZONE, SnapshotId=snap_id, **extra)["DiskId"])


def image_from(client: Driver, **source: Any) -> str:
    return str(client.call("CreateImage", RegionId=REGION, **source)["ImageId"])


def delete_snapshot(client: Driver, snap_id: str, **extra: Any) -> Dict[str, Any]:
    return client.call("DeleteSnapshot", SnapshotId=snap_id, **extra)


def disk(client: Driver, disk_id: str) -> Dict[str, Any]:
    (found,) = client.call("DescribeDisks", RegionId=REGION, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"]
    return found


# --- DeleteSnapshot of a snapshot disks were made from ------------------------------------------
def test_force_deletes_a_snapshot_used_by_disks_and_the_disks_stay(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    made = [disk_from(client, snap_id), disk_from(client, snap_id, Size=100)]
    expect_error(lambda: delete_snapshot(client, snap_id, Force=False), *CREATED_DISK)
    assert snapshot(client, snap_id) is not None
    assert delete_snapshot(client, snap_id, Force=True).keys() == {"RequestId"}
    assert snapshot(client, snap_id) is None and snap_id not in ecs.ids("snapshots")
    # The disks keep their data and still name the snapshot they came from.
    for disk_id in made:
        shown = disk(client, disk_id)
        assert (shown["Status"], shown["SourceSnapshotId"]) == ("Available", snap_id)
        client.call("DeleteDisk", DiskId=disk_id)
    assert set(ecs.ids("disks")).isdisjoint(made)


def test_releasing_the_derived_disks_frees_the_snapshot(client, ecs):
    # Decision: SnapshotCreatedDisk protects disks that exist (they need the snapshot to be
    # re-initialised); once they are released the snapshot deletes without Force.
    _, _, snap_id = accomplished_snapshot(client, ecs)
    first, second = disk_from(client, snap_id), disk_from(client, snap_id)
    client.call("DeleteDisk", DiskId=first)
    expect_error(lambda: delete_snapshot(client, snap_id), *CREATED_DISK)
    client.call("DeleteDisk", DiskId=second)
    delete_snapshot(client, snap_id)
    assert snapshot(client, snap_id) is None


def test_run_instances_data_disk_from_a_snapshot_holds_it(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    user = run_instance(client, **{"DataDisk.1.SnapshotId": snap_id})
    (data,) = [d for d in disks_of(client, user) if d["Type"] == "data"]
    assert (data["SourceSnapshotId"], data["Size"]) == (snap_id, 40)  # the snapshot's size by default
    assert usage(client, snap_id) == "disk"
    expect_error(lambda: delete_snapshot(client, snap_id), *CREATED_DISK)
    # The data disk is released with its instance (DeleteWithInstance defaults to true).
    client.call("DeleteInstance", InstanceId=user, Force=True)
    delete_snapshot(client, snap_id)
    assert snapshot(client, snap_id) is None


# --- a snapshot behind both an image and a disk ---------------------------------------------
def test_snapshot_used_by_an_image_and_a_disk(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    assert usage(client, snap_id) == "none"
    image_id = image_from(client, SnapshotId=snap_id)
    assert usage(client, snap_id) == "image"
    disk_id = disk_from(client, snap_id)
    assert usage(client, snap_id) == "image_disk"
    # The image holds it whatever Force says; the disk only until Force=true.
    for force in (None, False, True):
        expect_error(lambda force=force: delete_snapshot(client, snap_id, Force=force), *CREATED_IMAGE)
    client.call("DeleteImage", RegionId=REGION, ImageId=image_id)
    assert usage(client, snap_id) == "disk"
    expect_error(lambda: delete_snapshot(client, snap_id), *CREATED_DISK)
    delete_snapshot(client, snap_id, Force=True)
    assert snapshot(client, snap_id) is None
    assert disk(client, disk_id)["SourceSnapshotId"] == snap_id


def test_an_image_of_several_snapshots_holds_every_one(client, ecs):
    instance_id = ready_instance(client, ecs, **{"DataDisk.1.Size": 20})
    by_type = {d["Type"]: d["DiskId"] for d in disks_of(client, instance_id)}
    system = take_snapshot(client, ecs, by_type["system"])
    data = take_snapshot(client, ecs, by_type["data"])
    image_id = image_from(client, **{"DiskDeviceMapping.1.SnapshotId": system,
                                     "DiskDeviceMapping.2.SnapshotId": data})
    for snap_id in (system, data):
        assert usage(client, snap_id) == "image"
        expect_error(lambda snap_id=snap_id: delete_snapshot(client, snap_id, Force=True), *CREATED_IMAGE)
    client.call("DeleteImage", RegionId=REGION, ImageId=image_id)
    for snap_id in (system, data):
        assert usage(client, snap_id) == "none"
        delete_snapshot(client, snap_id)
    assert ecs.ids("snapshots") == []


def test_an_image_of_an_instance_holds_a_snapshot_of_every_cloud_disk(client, ecs):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 20})
    image_id = image_from(client, InstanceId=instance_id)
    ecs.advance_clock(60)
    made = client.call("DescribeSnapshots", RegionId=REGION, InstanceId=instance_id)["Snapshots"]["Snapshot"]
    assert sorted(s["SourceDiskType"] for s in made) == ["data", "system"]
    mapped = {r["SnapshotId"] for r in ecs.image(image_id)["DiskDeviceMappings"]["DiskDeviceMapping"]}
    assert mapped == {s["SnapshotId"] for s in made}
    for snap in made:
        assert snap["Usage"] == "image"
        expect_error(lambda snap=snap: delete_snapshot(client, snap["SnapshotId"]), *CREATED_IMAGE)
    # A disk made from one of them: image_disk.
    disk_from(client, made[0]["SnapshotId"])
    assert usage(client, made[0]["SnapshotId"]) == "image_disk"


# --- releasing disks: their snapshots outlive them ----------------------------------------------
def test_snapshots_of_a_deleted_disk_stay_usable(client, ecs):
    instance_id = ready_instance(client, ecs)
    source = disk_from(client, take_snapshot(client, ecs, system_disk(client, instance_id)), Size=None)
    client.call("AttachDisk", DiskId=source, InstanceId=instance_id)
    ecs.advance_clock(ecs.settings.initialization_seconds)
    older, newer = take_snapshot(client, ecs, source), take_snapshot(client, ecs, source)
    client.call("DetachDisk", DiskId=source, InstanceId=instance_id)
    client.call("DeleteDisk", DiskId=source)
    # Still listed under the released disk, newest first, and still good for disks and images.
    assert [(s["SnapshotId"], s["SourceDiskId"]) for s in snapshots_of(client, source)] == [
        (newer, source), (older, source)]
    assert disk(client, disk_from(client, older))["Size"] == 40
    # A data disk's snapshot makes an image's system disk when the mapping says so (SnapshotId
    # alone refuses it: OperationDenied, "not from system disk").
    image_id = image_from(client, **{"DiskDeviceMapping.1.SnapshotId": newer, "DiskDeviceMapping.1.DiskType": "system"})
    assert ecs.image(image_id)["Status"] == "Available"
    assert (usage(client, older), usage(client, newer)) == ("disk", "image")


def test_delete_instance_cancels_the_progressing_snapshots_of_the_disks_it_releases(client, ecs):
    instance_id = ready_instance(client, ecs, **{"DataDisk.1.Size": 20, "DataDisk.1.DeleteWithInstance": False})
    by_type = {d["Type"]: d["DiskId"] for d in disks_of(client, instance_id)}
    kept_snapshot = take_snapshot(client, ecs, by_type["system"], wait=60)
    running = take_snapshot(client, ecs, by_type["system"], wait=0)  # 60 s to go
    on_kept_disk = take_snapshot(client, ecs, by_type["data"], wait=0)  # 30 s to go
    assert status(client, running) == "progressing"
    client.call("DeleteInstance", InstanceId=instance_id, Force=True)
    # The system disk is released: its finished snapshot stays, the progressing one is cancelled.
    assert snapshot(client, running) is None
    assert [s["SnapshotId"] for s in snapshots_of(client, by_type["system"])] == [kept_snapshot]
    # The data disk is kept, so its snapshot carries on and finishes.
    assert disk(client, by_type["data"])["Status"] == "Available"
    ecs.advance_clock(30)
    assert status(client, on_kept_disk) == "accomplished"


# --- the whole chain through every client ------------------------------------------------------
def test_integrity_chain_through_every_client(any_client, ecs):
    client = any_client
    _, _, snap_id = accomplished_snapshot(client, ecs)
    image_id = image_from(client, SnapshotId=snap_id)
    disk_id = disk_from(client, snap_id)
    assert usage(client, snap_id) == "image_disk"
    expect_error(lambda: delete_snapshot(client, snap_id, Force=True), *CREATED_IMAGE)
    client.call("DeleteImage", RegionId=REGION, ImageId=image_id)
    expect_error(lambda: delete_snapshot(client, snap_id), *CREATED_DISK)
    delete_snapshot(client, snap_id, Force=True)
    remaining: List[str] = ecs.ids("snapshots")
    assert snap_id not in remaining and disk_id in ecs.ids("disks")
