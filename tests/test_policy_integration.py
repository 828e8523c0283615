"""Automatic snapshot policies as the existing actions show them, through aliyunsdkcore and the
Tea SDK (in-process and against the server): a released disk leaves its policy and, when its
DeleteAutoSnapshot is true (the default), takes its automatic snapshots with it; manual ones stay
(FACTS.md section 6: "Automatic snapshots follow DeleteAutoSnapshot; manual snapshots are kept",
[DOC21 DeleteInstance]; docs-2021/ModifyDiskAttribute.en.md). DescribeDisks' policy fields and
filters are in test_describe_disks.py, SnapshotType in test_describe_snapshots.py, tags on
policies in test_tags.py, the firing itself in test_auto_snapshot_firing.py.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from freezegun import freeze_time

from conftest import REGION, Driver, disks_of, expect_error, run_instance, snapshots_of, system_disk
from mock_ecs import MockEcs

HOUR, DAY = 3600, 86400
EVERY_DAY = json.dumps([str(d) for d in range(1, 8)])
# 2026-03-02 00:00 UTC is Monday 08:00 UTC+8.
MONDAY = "2026-03-02 00:00:00"
NOT_COMPLETED = "The operation is denied due to a snapshot of the specified disk is not completed yet."


@pytest.fixture
def monday(ecs: MockEcs) -> Iterator[MockEcs]:
    with freeze_time(MONDAY):
        yield ecs


def create_policy(client: Driver, hours: List[int], retention: int = -1) -> str:
    out = client.call("CreateAutoSnapshotPolicy", regionId=REGION, timePoints=json.dumps([str(h) for h in hours]),
                      repeatWeekdays=EVERY_DAY, retentionDays=retention)
    return str(out["AutoSnapshotPolicyId"])


def apply_policy(client: Driver, policy_id: str, *disk_ids: str) -> None:
    client.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy_id,
                diskIds=json.dumps(list(disk_ids)))


def associated(client: Driver, policy_id: str) -> List[str]:
    out = client.call("DescribeAutoSnapshotPolicyAssociations", RegionId=REGION, AutoSnapshotPolicyId=policy_id)
    return sorted(a["DiskId"] for a in out["AutoSnapshotPolicyAssociations"]["AutoSnapshotPolicyAssociation"])


def disk_nums(client: Driver, policy_id: str) -> int:
    out = client.call("DescribeAutoSnapshotPolicyEx", RegionId=REGION, AutoSnapshotPolicyId=policy_id)
    (policy,) = out["AutoSnapshotPolicies"]["AutoSnapshotPolicy"]
    return int(policy["DiskNums"])


def kinds(client: Driver, disk_id: str) -> List[Tuple[str, str]]:
    """(SnapshotType, name) of the disk's snapshots, oldest first."""
    return [(s["SnapshotType"], s["SnapshotName"]) for s in reversed(snapshots_of(client, disk_id))]


def auto(policy_id: str, *days: str) -> List[Tuple[str, str]]:
    return [("auto", f"auto2.0_{day}_{policy_id}") for day in days]


def keep_auto_snapshots(client: Driver, disk_id: str) -> None:
    client.call("ModifyDiskAttribute", RegionId=REGION, DiskId=disk_id, DeleteAutoSnapshot=False)


def attached_disks(client: Driver, ecs: MockEcs, count: int) -> Tuple[str, List[str]]:
    """A running instance with ``count`` detachable 20 GiB data disks, all initialised."""
    instance_id = run_instance(client)
    disks = [client.call("CreateDisk", RegionId=REGION, InstanceId=instance_id, Size=20,
                         DiskCategory="cloud_efficiency")["DiskId"] for _ in range(count)]
    ecs.advance_clock(ecs.settings.initialization_seconds)
    return instance_id, disks


def fired_after(ecs: MockEcs, disk_id: str, when: float) -> List[Dict[str, Any]]:
    return [f for f in ecs.auto_snapshot_log() if f["disk_id"] == disk_id and f["time"] > when]


# --- DeleteDisk -----------------------------------------------------------------------------------
def test_delete_disk_releases_its_automatic_snapshots_unless_told_to_keep_them(client: Driver, monday: MockEcs) -> None:
    ecs = monday
    instance_id, (drop, keep) = attached_disks(client, ecs, 2)
    manual = client.call("CreateSnapshot", DiskId=drop, SnapshotName="manual-one")["SnapshotId"]
    policy = create_policy(client, [12, 20])
    apply_policy(client, policy, drop, keep)
    keep_auto_snapshots(client, keep)
    ecs.advance_clock(DAY)  # Tuesday 09:00 UTC+8: Monday 12:00 and 20:00 fired
    assert kinds(client, drop) == [("user", "manual-one")] + auto(policy, "20260302", "20260302")
    assert kinds(client, keep) == auto(policy, "20260302", "20260302")
    for disk_id in (drop, keep):
        client.call("DetachDisk", InstanceId=instance_id, DiskId=disk_id)
    ecs.advance_clock(60)
    released_at = ecs.now().timestamp()
    for disk_id in (drop, keep):
        client.call("DeleteDisk", DiskId=disk_id)
    # DeleteAutoSnapshot true (the default): the automatic snapshots went; the manual one stays.
    assert [(s["SnapshotId"], s["SourceDiskId"], s["Status"]) for s in snapshots_of(client, drop)] == [
        (manual, drop, "accomplished")]
    assert kinds(client, keep) == auto(policy, "20260302", "20260302")
    auto_left = client.call("DescribeSnapshots", RegionId=REGION, SnapshotType="auto")["Snapshots"]["Snapshot"]
    assert {s["SourceDiskId"] for s in auto_left} == {keep}
    # The policy no longer holds them, and fires for them no more.
    assert (associated(client, policy), disk_nums(client, policy)) == ([], 0)
    ecs.advance_clock(2 * DAY)
    assert fired_after(ecs, drop, released_at) == fired_after(ecs, keep, released_at) == []
    assert len(kinds(client, keep)) == 2


def test_delete_disk_waits_for_a_progressing_automatic_snapshot(client: Driver, monday: MockEcs) -> None:
    ecs = monday
    instance_id, (disk_id,) = attached_disks(client, ecs, 1)
    ecs.set_disk_data_size(disk_id, 2400)  # 2,400 GiB x 1.5 s: one hour
    policy = create_policy(client, [10])
    apply_policy(client, policy, disk_id)  # Monday 09:00 UTC+8
    client.call("DetachDisk", InstanceId=instance_id, DiskId=disk_id)
    assert disk_nums(client, policy) == 1
    ecs.advance_clock(HOUR + 60)  # 10:01: fired on the detached disk (it was attached before)
    (snap,) = snapshots_of(client, disk_id)
    assert (snap["SnapshotType"], snap["Status"]) == ("auto", "progressing")
    expect_error(lambda: client.call("DeleteDisk", DiskId=disk_id), "DiskCreatingSnapshot", NOT_COMPLETED, 403)
    ecs.advance_clock(HOUR)
    client.call("DeleteDisk", DiskId=disk_id)
    assert snapshots_of(client, disk_id) == []
    assert (associated(client, policy), disk_nums(client, policy)) == ([], 0)


# --- DeleteInstance -----------------------------------------------------------------------------
def test_delete_instance_releases_the_automatic_snapshots_of_the_disks_it_releases(
        client: Driver, monday: MockEcs) -> None:
    """The system disk and a DeleteWithInstance data disk go with the instance (one keeping its
    automatic snapshots by DeleteAutoSnapshot=false); a data disk that stays keeps its policy and,
    Available after having been attached, keeps getting automatic snapshots."""
    ecs = monday
    instance_id = run_instance(client, **{
        "DataDisk.1.Size": 20, "DataDisk.1.Category": "cloud_efficiency",
        "DataDisk.2.Size": 20, "DataDisk.2.Category": "cloud_efficiency", "DataDisk.2.DeleteWithInstance": False})
    ecs.advance_clock(ecs.settings.initialization_seconds)
    by_dwi = {d["DeleteWithInstance"]: d["DiskId"] for d in disks_of(client, instance_id) if d["Type"] == "data"}
    system, released, stays = system_disk(client, instance_id), by_dwi[True], by_dwi[False]
    manual = client.call("CreateSnapshot", DiskId=system, SnapshotName="before-release")["SnapshotId"]
    policy = create_policy(client, [12])
    apply_policy(client, policy, system, released, stays)
    keep_auto_snapshots(client, released)
    ecs.advance_clock(DAY)  # Monday 12:00 fired
    for disk_id in (system, released, stays):
        assert kinds(client, disk_id)[-1] == auto(policy, "20260302")[0]
    client.call("DeleteInstance", InstanceId=instance_id, Force=True)
    assert [s["SnapshotId"] for s in snapshots_of(client, system)] == [manual]
    assert kinds(client, released) == auto(policy, "20260302")
    assert kinds(client, stays) == auto(policy, "20260302")
    assert (associated(client, policy), disk_nums(client, policy)) == ([stays], 1)
    (left,) = client.call("DescribeDisks", RegionId=REGION, AutoSnapshotPolicyId=policy)["Disks"]["Disk"]
    assert (left["DiskId"], left["Status"], left["EnableAutomatedSnapshotPolicy"]) == (stays, "Available", True)
    ecs.advance_clock(DAY)  # Tuesday 12:00 fires for the disk that stayed only
    assert kinds(client, stays) == auto(policy, "20260302", "20260303")
    assert kinds(client, released) == auto(policy, "20260302")


# --- ReplaceSystemDisk --------------------------------------------------------------------------
def test_replace_system_disk_releases_the_old_disk_from_its_policy(client: Driver, monday: MockEcs) -> None:
    """The old system disk is released like any other; the new one starts without a policy."""
    ecs = monday
    instance_id = run_instance(client)
    ecs.advance_clock(ecs.settings.initialization_seconds)
    old = system_disk(client, instance_id)
    policy = create_policy(client, [12])
    apply_policy(client, policy, old)
    ecs.advance_clock(DAY)
    assert kinds(client, old) == auto(policy, "20260302")
    client.call("StopInstance", InstanceId=instance_id)
    ecs.advance_clock(60)
    image_id = client.call("DescribeInstances", RegionId=REGION, InstanceIds=json.dumps([instance_id]))[
        "Instances"]["Instance"][0]["ImageId"]
    new = client.call("ReplaceSystemDisk", InstanceId=instance_id, ImageId=image_id)["DiskId"]
    assert snapshots_of(client, old) == []
    assert (associated(client, policy), disk_nums(client, policy)) == ([], 0)
    (disk,) = client.call("DescribeDisks", RegionId=REGION, DiskIds=json.dumps([new]))["Disks"]["Disk"]
    assert (disk["AutoSnapshotPolicyId"], disk["EnableAutomatedSnapshotPolicy"]) == ("", False)
