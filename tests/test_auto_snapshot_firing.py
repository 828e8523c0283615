"""Automatic snapshot policies fire on the mock's clock (schedule.py), as the real service does.

Through aliyunsdkcore and the Tea SDK (in-process and against the server): policies are made
and applied with the real actions, the clock is moved (``advance_clock``, freezegun), and the
snapshots are read with DescribeSnapshots. Facts: NEXT-ACTIONS.md section 1.1 (UTC+8 time
points, Monday is 1, the skip rule, the quota rule, the ``auto2.0_yyyyMMdd_<policy>`` name).
"""

from __future__ import annotations

import http.client
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, Iterator, List, Optional

import pytest
import time_machine
from freezegun import freeze_time

from conftest import REGION, Driver, SdkCoreDriver, disks_of, expect_error, ready_disk, run_instance, snapshots_of
from mock_ecs import MockEcs
from mock_ecs.server import ThreadedMockServer

HOUR, DAY = 3600, 86400
EVERY_DAY = ["1", "2", "3", "4", "5", "6", "7"]
# 2026-03-02 is a Monday: 00:00 UTC is 08:00 UTC+8. The tests start there.
MONDAY = "2026-03-02 00:00:00"
UTC8 = timezone(timedelta(hours=8))


def create_policy(client: Driver, hours: Iterable[int], days: Iterable[str] = EVERY_DAY, retention: int = -1,
                  **extra: Any) -> str:
    out = client.call("CreateAutoSnapshotPolicy", regionId=REGION, timePoints=json.dumps([str(h) for h in hours]),
                      repeatWeekdays=json.dumps(list(days)), retentionDays=retention, **extra)
    return str(out["AutoSnapshotPolicyId"])


def apply_policy(client: Driver, policy_id: str, *disk_ids: str) -> None:
    client.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy_id,
                diskIds=json.dumps(list(disk_ids)))


def local(text: str) -> datetime:
    """A snapshot's CreationTime in UTC+8."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).astimezone(UTC8)


def creation_times(snaps: List[Dict[str, Any]]) -> List[str]:
    return sorted(local(s["CreationTime"]).strftime("%m-%d %H") for s in snaps)


@pytest.fixture
def monday(ecs: MockEcs) -> Iterator[MockEcs]:
    """The mock, at Monday 2026-03-02 08:00 UTC+8 (freezegun moves its clock)."""
    with freeze_time(MONDAY):
        yield ecs


def two_disks(client: Driver, ecs: MockEcs) -> List[str]:
    _, first = ready_disk(client, ecs)
    second_instance = run_instance(client)
    ecs.advance_clock(ecs.settings.initialization_seconds)
    return [first, disks_of(client, second_instance)[0]["DiskId"]]


# --- the scenario ---------------------------------------------------------------------
def test_three_days_of_a_two_day_policy(client: Driver, monday: MockEcs) -> None:
    """Hours 1 and 13 every day, retention 2 days, on two disks; three days later each disk holds
    exactly the snapshots of the last two days, accomplished, named with the UTC+8 date."""
    ecs = monday
    disks = two_disks(client, ecs)  # now Monday 10:00 UTC+8
    policy = create_policy(client, [1, 13], retention=2)
    apply_policy(client, policy, *disks)
    ecs.advance_clock(3 * DAY)  # Thursday 10:00 UTC+8
    for disk_id in disks:
        snaps = snapshots_of(client, disk_id)
        # Fired: Mon 13, Tue 1, Tue 13, Wed 1, Wed 13, Thu 1; Mon 13 and Tue 1 expired (2 days).
        assert creation_times(snaps) == ["03-03 13", "03-04 01", "03-04 13", "03-05 01"]
        for snap in snaps:
            assert snap["Status"] == "accomplished" and snap["Progress"] == "100%"
            assert snap["SnapshotType"] == "auto"
            assert snap["RetentionDays"] == 2
            assert snap["SnapshotName"] == f"auto2.0_{local(snap['CreationTime']):%Y%m%d}_{policy}"
            assert snap["SourceDiskId"] == disk_id
        assert {s["SnapshotName"] for s in snaps} == {
            f"auto2.0_20260303_{policy}", f"auto2.0_20260304_{policy}", f"auto2.0_20260305_{policy}"}
    # SnapshotType filters them: auto finds them all, user none.
    assert len(snapshots_of(client, disks[0], SnapshotType="auto")) == 4
    assert snapshots_of(client, disks[0], SnapshotType="user") == []


def test_a_time_point_while_a_snapshot_progresses_is_skipped(client: Driver, monday: MockEcs) -> None:
    ecs = monday
    _, disk_id = ready_disk(client, ecs)  # Monday 09:00 UTC+8
    # 20,000 GiB x 1.5 s = 30,000 s (8h20m): the 13:00 snapshot still progresses at 17:00 and 21:00.
    ecs.set_disk_data_size(disk_id, 20_000)
    policy = create_policy(client, [13, 17, 21, 23])
    apply_policy(client, policy, disk_id)
    ecs.advance_clock(8 * HOUR)  # Monday 17:00: the 13:00 one fired; 17:00 is now
    (first,) = snapshots_of(client, disk_id)
    assert first["Status"] == "progressing" and local(first["CreationTime"]).hour == 13
    # A manual snapshot meanwhile: the same error as while a manual one progresses.
    expect_error(lambda: client.call("CreateSnapshot", DiskId=disk_id), "IncorrectDiskStatus.CreatingSnapshot",
                 "A previous snapshot creation is in process.", 403)
    ecs.advance_clock(7 * HOUR)  # Tuesday 00:00: 13:00 done at 21:20; 17 and 21 skipped; 23 fired
    assert creation_times(snapshots_of(client, disk_id)) == ["03-02 13", "03-02 23"]
    log = [f for f in ecs.auto_snapshot_log() if f["disk_id"] == disk_id]
    assert [(datetime.fromtimestamp(f["time"], UTC8).hour, f["skipped"]) for f in log] == [
        (13, ""), (17, "snapshot_progressing"), (21, "snapshot_progressing"), (23, "")]
    assert [f["snapshot_id"] != "" for f in log] == [True, False, False, True]
    # The log is not the call record: no call is recorded for a firing.
    assert "CreateSnapshot" not in {c.action for c in ecs.calls if c.ok}


def test_cancel_stops_firing_and_delete_detaches(client: Driver, monday: MockEcs) -> None:
    ecs = monday
    disks = two_disks(client, ecs)
    policy = create_policy(client, [12])
    apply_policy(client, policy, *disks)
    ecs.advance_clock(DAY)
    assert [len(snapshots_of(client, d)) for d in disks] == [1, 1]
    client.call("CancelAutoSnapshotPolicy", regionId=REGION, diskIds=json.dumps([disks[0]]))
    ecs.advance_clock(DAY)
    assert [len(snapshots_of(client, d)) for d in disks] == [1, 2]
    client.call("DeleteAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy)
    assert {d["AutoSnapshotPolicyId"] for d in client.call(
        "DescribeDisks", RegionId=REGION, DiskIds=json.dumps(disks))["Disks"]["Disk"]} == {""}
    ecs.advance_clock(3 * DAY)
    assert [len(snapshots_of(client, d)) for d in disks] == [1, 2]  # kept, none added


def test_apply_replaces_the_disks_policy(client: Driver, monday: MockEcs) -> None:
    ecs = monday
    _, disk_id = ready_disk(client, ecs)
    noon = create_policy(client, [12])
    evening = create_policy(client, [20])
    apply_policy(client, noon, disk_id)
    apply_policy(client, evening, disk_id)
    ecs.advance_clock(DAY)
    (snap,) = snapshots_of(client, disk_id)
    assert local(snap["CreationTime"]).hour == 20 and snap["SnapshotName"].endswith(evening)


def test_time_points_and_weekdays_are_utc8(client: Driver, monday: MockEcs) -> None:
    """Tuesday (2) at 0:00 UTC+8 is Monday 16:00 UTC."""
    ecs = monday
    _, disk_id = ready_disk(client, ecs)
    apply_policy(client, create_policy(client, [0], days=["2"]), disk_id)
    ecs.advance_clock(7 * DAY)
    (snap,) = snapshots_of(client, disk_id)
    assert snap["CreationTime"] == "2026-03-02T16:00:00Z"
    assert snap["SnapshotName"].startswith("auto2.0_20260303_")


def test_a_changed_retention_applies_to_later_snapshots_only(client: Driver, monday: MockEcs) -> None:
    ecs = monday
    _, disk_id = ready_disk(client, ecs)
    policy = create_policy(client, [12], retention=30)
    apply_policy(client, policy, disk_id)
    ecs.advance_clock(DAY)
    client.call("ModifyAutoSnapshotPolicyEx", regionId=REGION, autoSnapshotPolicyId=policy, retentionDays=5)
    ecs.advance_clock(DAY)
    assert sorted(s["RetentionDays"] for s in snapshots_of(client, disk_id)) == [5, 30]


# --- the quota --------------------------------------------------------------------------------
@pytest.mark.in_process
def test_a_full_disk_releases_its_oldest_automatic_snapshot(client: Driver) -> None:
    with freeze_time(MONDAY), MockEcs(snapshot_quota=3) as ecs:
        _, disk_id = ready_disk(client, ecs)
        manual = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
        ecs.advance_clock(HOUR)
        apply_policy(client, create_policy(client, [12]), disk_id)
        ecs.advance_clock(4 * DAY)  # four firings; the disk holds 3: the manual one and the newest 2
        snaps = snapshots_of(client, disk_id)
        assert manual in {s["SnapshotId"] for s in snaps}
        assert creation_times([s for s in snaps if s["SnapshotType"] == "auto"]) == ["03-04 12", "03-05 12"]
        expect_error(lambda: client.call("CreateSnapshot", DiskId=disk_id), "QuotaExceed.Snapshot")


@pytest.mark.in_process
def test_rotation_keeps_an_automatic_snapshot_an_image_was_made_from(client: Driver) -> None:
    with freeze_time(MONDAY), MockEcs(snapshot_quota=2) as ecs:
        _, disk_id = ready_disk(client, ecs)
        apply_policy(client, create_policy(client, [12]), disk_id)
        ecs.advance_clock(DAY)
        (first,) = snapshots_of(client, disk_id)
        client.call("CreateImage", RegionId=REGION, SnapshotId=first["SnapshotId"], ImageName="from-auto")
        ecs.advance_clock(2 * DAY)  # the second fired; the third rotated the second out, not the first
        snaps = snapshots_of(client, disk_id)
        assert first["SnapshotId"] in {s["SnapshotId"] for s in snaps}
        assert creation_times(snaps) == ["03-02 12", "03-04 12"]


@pytest.mark.in_process
def test_a_disk_full_of_manual_snapshots_skips_the_time_point(client: Driver) -> None:
    with freeze_time(MONDAY), MockEcs(snapshot_quota=2) as ecs:
        _, disk_id = ready_disk(client, ecs)
        for _ in range(2):
            client.call("CreateSnapshot", DiskId=disk_id)
            ecs.advance_clock(HOUR)
        apply_policy(client, create_policy(client, [15]), disk_id)
        ecs.advance_clock(DAY)
        assert [s["SnapshotType"] for s in snapshots_of(client, disk_id)] == ["user", "user"]
        assert [f["skipped"] for f in ecs.auto_snapshot_log()] == ["quota"]


# --- which disks fire -------------------------------------------------------------------------
@pytest.mark.in_process
def test_a_stopping_instance_skips_and_a_detached_disk_still_fires(client: Driver) -> None:
    with freeze_time(MONDAY), MockEcs(instance_transition_seconds=2 * HOUR) as ecs:
        instance_id, disk_id = ready_disk(client, ecs)  # Monday 09:00 UTC+8
        ecs.advance_clock(2 * HOUR)  # Running
        apply_policy(client, create_policy(client, [12, 13]), disk_id)
        ecs.advance_clock(HOUR - 30 * 60)  # 11:30
        client.call("StopInstance", InstanceId=instance_id)  # Stopping until 13:30
        ecs.advance_clock(3 * HOUR)
        log = ecs.auto_snapshot_log()
        assert [(datetime.fromtimestamp(f["time"], UTC8).hour, f["skipped"]) for f in log] == [
            (12, "instance_status"), (13, "instance_status")]
        # Stopped now: the next day's time points fire (the disk is In_use).
        ecs.advance_clock(DAY)
        assert len(snapshots_of(client, disk_id)) == 2


def test_a_data_disk_detached_after_use_still_fires(client: Driver, monday: MockEcs) -> None:
    ecs = monday
    instance_id, _ = ready_disk(client, ecs)
    disk_id = client.call("CreateDisk", RegionId=REGION, ZoneId=disks_of(client, instance_id)[0]["ZoneId"],
                          Size=20, DiskCategory="cloud_essd")["DiskId"]
    never_attached = client.call("CreateDisk", RegionId=REGION, ZoneId=disks_of(client, instance_id)[0]["ZoneId"],
                                 Size=20, DiskCategory="cloud_essd")["DiskId"]
    client.call("AttachDisk", InstanceId=instance_id, DiskId=disk_id)
    client.call("DetachDisk", InstanceId=instance_id, DiskId=disk_id)
    apply_policy(client, create_policy(client, [20]), disk_id, never_attached)
    ecs.advance_clock(DAY)
    assert len(snapshots_of(client, disk_id)) == 1
    assert snapshots_of(client, never_attached) == []
    assert [f["skipped"] for f in ecs.auto_snapshot_log() if f["disk_id"] == never_attached] == ["disk_status"]


# --- the clock --------------------------------------------------------------------------------
@pytest.mark.in_process
def test_time_machine_moves_the_schedule(client: Driver) -> None:
    with time_machine.travel(datetime(2026, 3, 2, tzinfo=timezone.utc), tick=False) as traveller, MockEcs() as ecs:
        _, disk_id = ready_disk(client, ecs)
        apply_policy(client, create_policy(client, [12, 18]), disk_id)
        traveller.shift(timedelta(days=1))
        assert creation_times(snapshots_of(client, disk_id)) == ["03-02 12", "03-02 18"]


@pytest.mark.in_process
def test_freezegun_moves_the_schedule(client: Driver) -> None:
    with freeze_time(MONDAY) as frozen, MockEcs() as ecs:
        _, disk_id = ready_disk(client, ecs)
        apply_policy(client, create_policy(client, [12, 18]), disk_id)
        frozen.tick(timedelta(days=2))
        assert len(snapshots_of(client, disk_id)) == 4


@pytest.mark.in_process
@pytest.mark.parametrize(("settings", "data_gib", "count", "logged", "rate"), [
    ({}, None, 28, 2 * 28, None),  # the long jump skips the year but its last two weeks
    ({"snapshot_quota": 20}, None, 20, 364 * 4, None),  # the quota could fill: every firing counts (rotation)
    ({}, 20_000, 14, 364 * 4, None),  # 30,000 s snapshots outlast the 6-hour gaps: every firing counts (skips)
    ({}, None, 28, 364 * 4, 0.5),  # a failure rule draws for every snapshot: every firing counts
])
def test_a_year_in_one_step_equals_the_year_week_by_week(
    client: Driver, settings: Dict[str, int], data_gib: Optional[int], count: int, logged: int,
    rate: Optional[float],
) -> None:
    """What a year's jump leaves is what firing every time point in turn leaves, whether the
    jump skipped the firings that could not matter or, when they could, made them all."""
    kept = {}
    for steps in (1, 52):
        with freeze_time(MONDAY), MockEcs(**settings) as ecs:
            _, disk_id = ready_disk(client, ecs)
            if data_gib is not None:
                ecs.set_disk_data_size(disk_id, data_gib)
            if rate is not None:
                ecs.fail_snapshots(disk_id, rate=rate, seed=7, at_progress=50)
            policy = create_policy(client, [3, 9, 15, 21], retention=7)
            apply_policy(client, policy, disk_id)
            for _ in range(steps):
                ecs.advance_clock(364 * DAY // steps)
                snapshots_of(client, disk_id)
            snaps = snapshots_of(client, disk_id, PageSize=100)
            if steps == 1:
                assert len(ecs.auto_snapshot_log()) == logged
            kept[steps] = [(s["CreationTime"], s["SnapshotName"].replace(policy, "sp"), s["Status"]) for s in snaps]
    assert len(kept[1]) == count
    assert kept[1] == kept[52]
    if rate is not None:  # some failed (and, failed, freed the disk for the next time point)
        assert 0 < sum(status == "failed" for _, _, status in kept[1]) < count


@pytest.mark.in_process
def test_a_saved_state_continues_the_schedule(client: Driver, tmp_path: Any) -> None:
    path = tmp_path / "state.json"
    with freeze_time(MONDAY), MockEcs() as ecs:
        _, disk_id = ready_disk(client, ecs)
        policy = create_policy(client, [12], retention=3)
        apply_policy(client, policy, disk_id)
        ecs.advance_clock(DAY + HOUR)  # one fired
        ecs.save_state(path)
    with freeze_time("2026-06-01 00:00:00"), MockEcs(state=path) as ecs:
        assert len(snapshots_of(client, disk_id)) == 1
        ecs.advance_clock(2 * DAY)  # two more, none twice
        assert creation_times(snapshots_of(client, disk_id)) == ["03-02 12", "03-03 12", "03-04 12"]
        assert [d["AutoSnapshotPolicyId"] for d in client.call(
            "DescribeDisks", RegionId=REGION, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"]] == [policy]


def test_the_log_over_http(monday: MockEcs) -> None:
    with ThreadedMockServer(handle=monday) as server:
        client = SdkCoreDriver(endpoint=server.endpoint)
        _, disk_id = ready_disk(client, monday)
        policy = create_policy(client, [12])
        apply_policy(client, policy, disk_id)
        monday.advance_clock(DAY)
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        conn.request("GET", "/_mock_ecs/auto-snapshot-log")
        resp = conn.getresponse()
        doc = json.loads(resp.read())
        conn.close()
    assert resp.status == 200
    (firing,) = doc["firings"]
    snap_id: Optional[str] = firing["snapshot_id"]
    assert firing == {"account_id": firing["account_id"], "time": firing["time"], "region_id": REGION,
                      "policy_id": policy, "disk_id": disk_id, "snapshot_id": snap_id, "skipped": ""}
    assert datetime.fromtimestamp(firing["time"], UTC8).hour == 12
    assert snap_id in monday.ids("snapshots")


@pytest.mark.in_process
def test_the_log_keeps_the_newest_firings(client: Driver) -> None:
    with freeze_time(MONDAY), MockEcs(max_auto_snapshot_log=3) as ecs:
        _, disk_id = ready_disk(client, ecs)
        apply_policy(client, create_policy(client, [12]), disk_id)
        ecs.advance_clock(5 * DAY)
        log = ecs.auto_snapshot_log()
        assert [datetime.fromtimestamp(f["time"], UTC8).strftime("%m-%d") for f in log] == ["03-04", "03-05", "03-06"]
        assert ecs.backend.accounts[log[0]["account_id"]].auto_log_dropped == 2
    with pytest.raises(ValueError, match="max_auto_snapshot_log must be an integer >= 0"):
        MockEcs(max_auto_snapshot_log=-1)
