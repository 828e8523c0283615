"""Snapshots that fail after they started: ``ecs.fail_snapshot`` (one progressing snapshot, at a
progress or now), ``ecs.fail_snapshots`` (a rule drawn for every snapshot made from then on:
manual, automatic, group members, copies), and over HTTP (``/_mock_ecs/snapshots/{id}/fail``,
``/_mock_ecs/snapshot-failures``).

Through aliyunsdkcore and the Tea SDK (in-process and against the server): a failed snapshot is
``failed`` with its Progress frozen and RemainTime 0, frees its disk for the next snapshot,
counts toward the quota until deleted, is found by ``Status=failed`` and is refused as the
source of a disk or an image with the error a snapshot that is not ready gets.
"""

from __future__ import annotations

import http.client
import json
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from freezegun import freeze_time

from conftest import (
    REGION,
    Driver,
    SdkCoreDriver,
    TeaDriver,
    accomplished_snapshot,
    expect_error,
    ready_disk,
    run_instance,
    system_disk,
)
from mock_ecs import MockEcs
from mock_ecs.server import ThreadedMockServer

# The default timings: a 40 GiB system disk's snapshot progresses for 40 x 1.5 = 60 s.
DURATION = 60
NOT_READY_DISK = "The specified snapshot has not completed yet."
NOT_READY_IMAGE = ("The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId "
                   "does not support this operation.")


def describe(client: Driver, snapshot_id: str) -> Dict[str, Any]:
    out = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snapshot_id]))
    found = out["Snapshots"]["Snapshot"]
    assert len(found) == 1, out
    return dict(found[0])


def state_of(snap: Dict[str, Any]) -> Tuple[str, str, int, bool]:
    return snap["Status"], snap["Progress"], snap["RemainTime"], snap["Available"]


def snapshot(client: Driver, disk_id: str) -> str:
    return str(client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"])


def wait_until_done(client: Driver, ecs: MockEcs, snapshot_id: str, step: float = 6,
                    limit: int = 100) -> Tuple[Dict[str, Any], List[str]]:
    """What a backup tool does: poll DescribeSnapshots until the snapshot is no longer
    progressing, the mock's clock moved between polls. Returns the last answer and every Progress."""
    seen: List[str] = []
    for _ in range(limit):
        snap = describe(client, snapshot_id)
        seen.append(snap["Progress"])
        if snap["Status"] != "progressing":
            return snap, seen
        ecs.advance_clock(step)
    raise AssertionError(f"still progressing after {limit} polls: {seen}")


def ids_with_status(client: Driver, disk_id: str, status: str) -> List[str]:
    out = client.call("DescribeSnapshots", RegionId=REGION, DiskId=disk_id, Status=status)
    return sorted(s["SnapshotId"] for s in out["Snapshots"]["Snapshot"])


# --- the done-when: a poller waiting for accomplished sees failed ---------------------------
def test_a_poller_waiting_for_accomplished_sees_failed_at_40_percent(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.advance_clock(12)
    view = ecs.fail_snapshot(snap_id, at_progress=40)
    assert state_of(view) == ("progressing", "20%", 48, False)  # it fails later, when it gets there
    last, seen = wait_until_done(client, ecs, snap_id)
    assert state_of(last) == ("failed", "40%", 0, False)
    assert seen == ["20%", "30%", "40%"]
    assert last["FullSnapshotSizeInBytes"] == 0
    ecs.advance_clock(3600)  # stopped: it never moves on
    assert state_of(describe(client, snap_id)) == ("failed", "40%", 0, False)


def test_the_same_poller_sees_accomplished_when_nothing_fails(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    last, seen = wait_until_done(client, ecs, snap_id)
    assert state_of(last) == ("accomplished", "100%", 0, True)
    assert seen[-2:] == ["90%", "100%"]


@pytest.mark.in_process
def test_fail_now_freezes_the_progress_where_it_is(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.advance_clock(33)
    view = ecs.fail_snapshot(snap_id)
    assert state_of(view) == ("failed", "55%", 0, False)
    ecs.advance_clock(600)
    assert state_of(describe(client, snap_id)) == ("failed", "55%", 0, False)
    assert ecs.snapshot(snap_id)["Status"] == "failed"


@pytest.mark.in_process
def test_a_progress_already_passed_fails_now(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.advance_clock(30)
    assert state_of(ecs.fail_snapshot(snap_id, at_progress=40)) == ("failed", "50%", 0, False)


@pytest.mark.in_process
def test_a_later_call_moves_the_failure_of_a_snapshot_still_progressing(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.fail_snapshot(snap_id, at_progress=90)
    ecs.fail_snapshot(snap_id, at_progress=10)
    ecs.advance_clock(30)
    assert state_of(describe(client, snap_id)) == ("failed", "10%", 0, False)


# --- the handle's errors ----------------------------------------------------------------------------
def test_fail_snapshot_refuses_what_cannot_fail(ecs: MockEcs) -> None:
    client = SdkCoreDriver()
    _, disk_id, done_id = accomplished_snapshot(client, ecs)
    with pytest.raises(ValueError, match=rf"fail_snapshot: {done_id} is already accomplished; only a progressing"):
        ecs.fail_snapshot(done_id)
    failed_id = snapshot(client, disk_id)
    ecs.fail_snapshot(failed_id)
    with pytest.raises(ValueError, match=rf"fail_snapshot: {failed_id} is already failed"):
        ecs.fail_snapshot(failed_id, at_progress=50)
    with pytest.raises(KeyError):
        ecs.fail_snapshot("s-" + "0" * 20)
    progressing = snapshot(client, disk_id)
    for bad in (100, -1, True, "40", 40.0, [40]):
        with pytest.raises(ValueError, match=r"at_progress must be an integer percent from 0 to 99, not "):
            ecs.fail_snapshot(progressing, at_progress=bad)  # type: ignore[arg-type]
    assert describe(client, progressing)["Status"] == "progressing"  # none of them changed it


@pytest.mark.parametrize(("options", "message"), [
    ({"rate": 1.5}, "fail_snapshots: rate must be a fraction from 0 to 1, not 1.5"),
    ({"rate": -0.1}, "fail_snapshots: rate must be a fraction from 0 to 1, not -0.1"),
    ({"rate": "0.5"}, "fail_snapshots: rate must be a fraction from 0 to 1, not '0.5'"),
    ({"at_progress": 100}, "fail_snapshots: at_progress must be an integer percent from 0 to 99, not 100"),
    ({"at_progress": -5}, "fail_snapshots: at_progress must be an integer percent from 0 to 99, not -5"),
    ({"times": 0}, "fail_snapshots: times must be a positive integer or None, not 0"),
    ({"times": 1.5}, "fail_snapshots: times must be a positive integer or None, not 1.5"),
    ({"seed": "x"}, "fail_snapshots: seed must be an integer or None, not 'x'"),
    ({"disk_id": 7}, "fail_snapshots: disk_id must be a disk ID or None, not 7"),
])
def test_fail_snapshots_checks_its_arguments(ecs: MockEcs, options: Dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        ecs.fail_snapshots(**options)
    assert str(info.value) == message
    assert ecs.snapshot_failures == []


def test_fail_snapshots_of_an_unknown_disk_is_a_key_error(ecs: MockEcs) -> None:
    with pytest.raises(KeyError, match="fail_snapshots: no disk d-00000000000000000000"):
        ecs.fail_snapshots("d-" + "0" * 20)


# --- the rule form ------------------------------------------------------------------------------------
@pytest.mark.in_process
def test_a_rule_makes_the_next_snapshots_fail_then_is_used_up(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    rule = ecs.fail_snapshots(disk_id, at_progress=40, times=2)
    assert ecs.snapshot_failures == [rule]
    outcomes = []
    for _ in range(3):
        snap_id = snapshot(client, disk_id)
        last, _ = wait_until_done(client, ecs, snap_id)
        outcomes.append((last["Status"], last["Progress"]))
    assert outcomes == [("failed", "40%"), ("failed", "40%"), ("accomplished", "100%")]
    assert (rule.seen, rule.fired, rule.times) == (2, 2, 0)


@pytest.mark.in_process
def test_a_rule_at_0_percent_fails_the_snapshot_as_it_is_made(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    ecs.fail_snapshots()
    snap_id = snapshot(client, disk_id)
    assert state_of(describe(client, snap_id)) == ("failed", "0%", 0, False)


@pytest.mark.in_process
def test_a_rule_for_one_disk_leaves_the_others(client: Driver, ecs: MockEcs) -> None:
    _, first = ready_disk(client, ecs)
    second = system_disk(client, run_instance(client))
    ecs.advance_clock(ecs.settings.initialization_seconds)
    rule = ecs.fail_snapshots(first)
    a, b = snapshot(client, first), snapshot(client, second)
    ecs.advance_clock(DURATION)
    assert (describe(client, a)["Status"], describe(client, b)["Status"]) == ("failed", "accomplished")
    assert (rule.seen, rule.fired) == (1, 1)


def _rated_run(seed: int) -> List[str]:
    """Twelve snapshots of one disk under a rule failing half of them at 50%."""
    with MockEcs() as ecs:
        client = SdkCoreDriver()
        _, disk_id = ready_disk(client, ecs)
        ecs.fail_snapshots(disk_id, rate=0.5, seed=seed, at_progress=50)
        statuses = []
        for _ in range(12):
            snap_id = snapshot(client, disk_id)
            ecs.advance_clock(DURATION)
            statuses.append(describe(client, snap_id)["Status"])
        return statuses


def test_a_rate_with_a_seed_is_repeatable() -> None:
    first = _rated_run(seed=7)
    assert first == _rated_run(seed=7)
    assert {"failed", "accomplished"} == set(first)  # some of each: a fraction, not all or none
    assert first != _rated_run(seed=8)


@pytest.mark.in_process
def test_rate_zero_fails_none_and_the_first_rule_that_draws_decides(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    never = ecs.fail_snapshots(disk_id, rate=0.0)
    at_70 = ecs.fail_snapshots(disk_id, at_progress=70, times=1)
    at_10 = ecs.fail_snapshots(at_progress=10)
    first = snapshot(client, disk_id)
    ecs.advance_clock(DURATION)
    second = snapshot(client, disk_id)
    ecs.advance_clock(DURATION)
    assert describe(client, first)["Progress"] == "70%"
    assert describe(client, second)["Progress"] == "10%"
    assert [(r.seen, r.fired) for r in (never, at_70, at_10)] == [(2, 0), (1, 1), (1, 1)]


@pytest.mark.in_process
def test_clear_and_reset_drop_the_rules_not_the_failures_already_set(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    ecs.fail_snapshots(disk_id, at_progress=50)
    doomed = snapshot(client, disk_id)
    ecs.clear_snapshot_failures()
    assert ecs.snapshot_failures == []
    ecs.advance_clock(DURATION)
    assert describe(client, doomed)["Status"] == "failed"
    fine = snapshot(client, disk_id)
    ecs.advance_clock(DURATION)
    assert describe(client, fine)["Status"] == "accomplished"
    ecs.fail_snapshots()
    ecs.reset()
    assert ecs.snapshot_failures == []


# --- what a failed snapshot does -------------------------------------------------------------------
def test_a_failed_snapshot_frees_its_disk_for_the_next(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.advance_clock(10)
    expect_error(lambda: snapshot(client, disk_id), "IncorrectDiskStatus.CreatingSnapshot", status=403)
    ecs.fail_snapshot(snap_id)
    retry = snapshot(client, disk_id)
    assert describe(client, retry)["Status"] == "progressing"


def test_failed_snapshots_count_toward_the_quota_until_deleted(client: Driver) -> None:
    with MockEcs(snapshot_quota=2) as ecs:
        _, disk_id = ready_disk(client, ecs)
        ecs.fail_snapshots(disk_id)
        failed = [snapshot(client, disk_id), snapshot(client, disk_id)]
        expect_error(lambda: snapshot(client, disk_id), "QuotaExceed.Snapshot",
                     "The maximum number of snapshots is exceeded.", 403)
        client.call("DeleteSnapshot", SnapshotId=failed[0])
        ecs.clear_snapshot_failures()
        kept = snapshot(client, disk_id)
        ecs.advance_clock(DURATION)
        assert ids_with_status(client, disk_id, "all") == sorted([failed[1], kept])


def test_status_failed_finds_them_and_only_them(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    done = snapshot(client, disk_id)
    ecs.advance_clock(DURATION)
    failed = snapshot(client, disk_id)
    ecs.fail_snapshot(failed, at_progress=40)
    ecs.advance_clock(DURATION)
    going = snapshot(client, disk_id)
    assert ids_with_status(client, disk_id, "failed") == [failed]
    assert ids_with_status(client, disk_id, "accomplished") == [done]
    assert ids_with_status(client, disk_id, "progressing") == [going]
    assert ids_with_status(client, disk_id, "all") == sorted([done, failed, going])


def test_a_failed_snapshot_makes_no_disk(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.fail_snapshot(snap_id)
    ecs.advance_clock(DURATION)
    zone = client.call("DescribeDisks", RegionId=REGION, DiskIds=json.dumps([disk_id]))["Disks"]["Disk"][0]["ZoneId"]
    before = ecs.ids("disks")
    expect_error(lambda: client.call("CreateDisk", RegionId=REGION, ZoneId=zone, SnapshotId=snap_id),
                 "InvalidSnapshotId.NotReady", NOT_READY_DISK, 403)
    expect_error(lambda: run_instance(client, **{"DataDisk.1.SnapshotId": snap_id}),
                 "InvalidSnapshotId.NotReady", NOT_READY_DISK, 403)
    assert ecs.ids("disks") == before
    assert describe(client, snap_id)["Usage"] == "none"


def test_a_failed_snapshot_makes_no_image(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.fail_snapshot(snap_id, at_progress=40)
    ecs.advance_clock(DURATION)
    expect_error(lambda: client.call("CreateImage", RegionId=REGION, SnapshotId=snap_id),
                 "InvalidSnapshotId.NotReady", NOT_READY_IMAGE, 403)
    expect_error(lambda: client.call("CreateImage", RegionId=REGION, **{"DiskDeviceMapping.1.SnapshotId": snap_id}),
                 "InvalidSnapshotId.NotReady", NOT_READY_IMAGE, 403)
    assert ecs.ids("images") == []


def test_an_instant_access_snapshot_is_available_until_it_fails(client: Driver, ecs: MockEcs) -> None:
    """An ESSD's instant-access snapshot is usable while it progresses (Available true): failed, it no longer is."""
    _, disk_id = ready_disk(client, ecs, **{"SystemDisk.Category": "cloud_essd"})
    snap_id = str(client.call("CreateSnapshot", DiskId=disk_id, InstantAccess=True)["SnapshotId"])
    ecs.fail_snapshot(snap_id, at_progress=40)
    ecs.advance_clock(12)
    assert state_of(describe(client, snap_id)) == ("progressing", "20%", 48, True)
    ecs.advance_clock(12)
    assert state_of(describe(client, snap_id)) == ("failed", "40%", 0, False)


@pytest.mark.in_process
def test_a_failed_snapshot_can_be_deleted_and_is_gone(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.fail_snapshot(snap_id)
    client.call("DeleteSnapshot", SnapshotId=snap_id)
    assert ecs.ids("snapshots") == []


@pytest.mark.in_process
def test_a_failed_snapshot_survives_a_saved_state(client: Driver, ecs: MockEcs) -> None:
    _, disk_id = ready_disk(client, ecs)
    snap_id = snapshot(client, disk_id)
    ecs.fail_snapshot(snap_id, at_progress=40)
    saved = ecs.dump_state()
    ecs.load_state(saved)
    ecs.advance_clock(DURATION)
    assert state_of(describe(client, snap_id)) == ("failed", "40%", 0, False)


# --- automatic snapshots fail too ------------------------------------------------------------------
@pytest.mark.in_process
@pytest.mark.parametrize("fails", [True, False], ids=["failing", "not-failing"])
def test_an_automatic_snapshot_fails_by_rule_and_frees_the_next_time_point(client: Driver, ecs: MockEcs,
                                                                           fails: bool) -> None:
    with freeze_time("2026-03-02 00:00:00"):  # Monday 08:00 UTC+8
        _, disk_id = ready_disk(client, ecs)  # 09:00
        out = client.call("CreateAutoSnapshotPolicy", regionId=REGION, timePoints=json.dumps(["10", "11"]),
                          repeatWeekdays=json.dumps(["1", "2", "3", "4", "5", "6", "7"]), retentionDays=-1)
        client.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=out["AutoSnapshotPolicyId"],
                    diskIds=json.dumps([disk_id]))
        ecs.set_disk_data_size(disk_id, 3000)  # 4,500 s: the 10:00 one would still progress at 11:00
        rule = ecs.fail_snapshots(disk_id, at_progress=30, times=1) if fails else None
        ecs.advance_clock(2 * 3600 + 60)  # 11:01
        snaps = client.call("DescribeSnapshots", RegionId=REGION, DiskId=disk_id)["Snapshots"]["Snapshot"]
        by_time = sorted(snaps, key=lambda s: s["CreationTime"])
        if fails:
            assert [(s["SnapshotType"], s["Status"], s["Progress"]) for s in by_time] == [
                ("auto", "failed", "30%"), ("auto", "progressing", "1%")]
            assert rule is not None and (rule.seen, rule.fired) == (1, 1)
            assert [f["skipped"] for f in ecs.auto_snapshot_log()] == ["", ""]
        else:  # the counterpart: nothing fails, 11:00 finds the disk busy
            assert [(s["SnapshotType"], s["Status"]) for s in by_time] == [("auto", "progressing")]
            assert [f["skipped"] for f in ecs.auto_snapshot_log()] == ["", "snapshot_progressing"]


# --- snapshot groups: a member drawn by a rule fails the group ----------------------------------------
def test_a_rule_fails_a_group_member_and_so_the_group(client: Driver, ecs: MockEcs) -> None:
    instance_id, system = ready_disk(client, ecs, **{"DataDisk.1.Size": 20})
    disks = client.call("DescribeDisks", RegionId=REGION, InstanceId=instance_id)["Disks"]["Disk"]
    data = next(d["DiskId"] for d in disks if d["Type"] == "data")
    rule = ecs.fail_snapshots(data, at_progress=50)
    group_id = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)["SnapshotGroupId"]
    ecs.advance_clock(DURATION)
    out = client.call("DescribeSnapshotGroups", RegionId=REGION, **{"SnapshotGroupId.1": group_id})
    [group] = out["SnapshotGroups"]["SnapshotGroup"]
    members = {m["SourceDiskId"]: m["Progress"] for m in group["Snapshots"]["Snapshot"]}
    assert (group["Status"], members) == ("failed", {system: "100%", data: "50%"})
    assert (rule.seen, rule.fired) == (1, 1)
    assert ids_with_status(client, data, "failed") == [m["SnapshotId"] for m in group["Snapshots"]["Snapshot"]
                                                        if m["SourceDiskId"] == data]


# --- accounts ------------------------------------------------------------------------------------------
ACCT_A, ACCT_B = "1111111111111111", "2222222222222222"


@pytest.fixture
def two_accounts(ecs: MockEcs) -> Iterator[Tuple[Driver, Driver]]:
    ecs.register_access_key("LTAIaliceAccessKey01", "aliceSecret", ACCT_A)
    ecs.register_access_key("LTAIbobAccessKey0002", "bobSecret", ACCT_B)
    yield (SdkCoreDriver(ak="LTAIaliceAccessKey01", secret="aliceSecret"),
           TeaDriver(ak="LTAIbobAccessKey0002", secret="bobSecret"))


def test_failures_stay_in_their_account(ecs: MockEcs, two_accounts: Tuple[Driver, Driver]) -> None:
    a, b = two_accounts
    disk_a = system_disk(a, run_instance(a))
    disk_b = system_disk(b, run_instance(b))
    ecs.advance_clock(ecs.settings.initialization_seconds)
    snap_a, snap_b = snapshot(a, disk_a), snapshot(b, disk_b)
    with pytest.raises(KeyError):
        ecs.fail_snapshot(snap_a, account_id=ACCT_B)  # not B's
    assert describe(a, snap_a)["Status"] == "progressing"
    ecs.fail_snapshot(snap_a, account_id=ACCT_A)
    rule = ecs.fail_snapshots(disk_a)
    ecs.advance_clock(DURATION)
    again_b = snapshot(b, disk_b)
    ecs.advance_clock(DURATION)
    assert ids_with_status(a, disk_a, "failed") == [snap_a]
    assert ids_with_status(b, disk_b, "failed") == []
    assert ids_with_status(b, disk_b, "accomplished") == sorted([snap_b, again_b])
    assert (rule.seen, rule.fired) == (0, 0)  # B's snapshots never drew A's disk's rule
    out = b.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snap_a]), Status="failed")
    assert out["Snapshots"]["Snapshot"] == []


# --- over HTTP ----------------------------------------------------------------------------------------
class Ctl:
    def __init__(self, server: ThreadedMockServer) -> None:
        self.server = server

    def __call__(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=10)
        try:
            data = None if body is None else json.dumps(body).encode()
            conn.request(method, "/_mock_ecs/" + path, body=data)
            resp = conn.getresponse()
            doc = json.loads(resp.read())
            assert resp.status == expect, doc
            return doc
        finally:
            conn.close()


@pytest.fixture
def server() -> Iterator[ThreadedMockServer]:
    with ThreadedMockServer() as srv:
        yield srv


def test_over_http_a_poller_sees_failed(server: ThreadedMockServer) -> None:
    ctl = Ctl(server)
    client = SdkCoreDriver(endpoint=server.endpoint)
    disk_id = system_disk(client, run_instance(client))
    ctl("POST", "clock/advance", {"seconds": 3600})
    snap_id = snapshot(client, disk_id)
    view = ctl("POST", f"snapshots/{snap_id}/fail", {"at_progress": 40})
    assert (view["SnapshotId"], view["Status"], view["Progress"]) == (snap_id, "progressing", "0%")
    ctl("POST", "clock/advance", {"seconds": 30})
    assert state_of(describe(client, snap_id)) == ("failed", "40%", 0, False)
    ctl("POST", f"snapshots/{snap_id}/fail", {}, expect=400)  # already failed
    again = snapshot(client, disk_id)
    ctl("POST", "clock/advance", {"seconds": 12})
    assert ctl("POST", f"snapshots/{again}/fail?at_progress=10", {})["Status"] == "failed"  # 10% is past
    assert ctl("GET", f"resources/{again}")["Progress"] == "20%"


@pytest.mark.parametrize(("path", "body", "status", "message"), [
    ("snapshots/s-00000000000000000000/fail", {}, 404, "no snapshot s-00000000000000000000"),
    ("snapshots/{snap}/fail", {"at_progress": 100}, 400,
     "fail_snapshot: at_progress must be an integer percent from 0 to 99, not 100"),
    ("snapshots/{snap}/fail", {"at_progress": "forty"}, 400, "at_progress must be an integer, not 'forty'"),
    ("snapshots/{snap}/fail", {"progress": 40}, 400,
     "unknown option(s) progress; the options are at_progress and account_id"),
    ("snapshots/{snap}/fail", {"account_id": "2222222222222222"}, 404, "no snapshot {snap}"),
    ("snapshot-failures", {"rate": 2}, 400, "fail_snapshots: rate must be a fraction from 0 to 1, not 2"),
    ("snapshot-failures", {"times": 0}, 400, "fail_snapshots: times must be a positive integer or None, not 0"),
    ("snapshot-failures", {"at_progress": 99.5}, 400,
     "fail_snapshots: at_progress must be an integer percent from 0 to 99, not 99.5"),
    ("snapshot-failures", {"disk": "d-1"}, 400,
     "unknown option(s) disk; the options are disk_id, rate, seed, at_progress, times"),
    ("snapshot-failures", {"disk_id": "d-00000000000000000000"}, 404,
     "fail_snapshots: no disk d-00000000000000000000 (nor snapshots of it) in any account"),
])
def test_over_http_bad_requests_are_clear(server: ThreadedMockServer, path: str, body: Dict[str, Any], status: int,
                                          message: str) -> None:
    ctl = Ctl(server)
    client = SdkCoreDriver(endpoint=server.endpoint)
    disk_id = system_disk(client, run_instance(client))
    ctl("POST", "clock/advance", {"seconds": 3600})
    snap_id = snapshot(client, disk_id)
    answer = ctl("POST", path.replace("{snap}", snap_id), body, expect=status)
    assert answer == {"error": message.replace("{snap}", snap_id)}
    assert ctl("GET", "snapshot-failures") == {"snapshot_failures": []}
    assert describe(client, snap_id)["Status"] == "progressing"


def test_over_http_rules_listed_drawn_and_cleared(server: ThreadedMockServer) -> None:
    ctl = Ctl(server)
    client = SdkCoreDriver(endpoint=server.endpoint)
    disk_id = system_disk(client, run_instance(client))
    ctl("POST", "clock/advance", {"seconds": 3600})
    added = ctl("POST", "snapshot-failures", {"disk_id": disk_id, "at_progress": 25, "times": 1})
    rule = {"disk_id": disk_id, "rate": 1.0, "seed": 0, "at_progress": 25, "times": 1, "seen": 0, "fired": 0}
    assert added == {"snapshot_failure": rule, "snapshot_failures": [rule]}
    snap_id = snapshot(client, disk_id)
    ctl("POST", "clock/advance", {"seconds": DURATION})
    assert state_of(describe(client, snap_id)) == ("failed", "25%", 0, False)
    listed = ctl("GET", "snapshot-failures")["snapshot_failures"]
    assert [(r["times"], r["seen"], r["fired"]) for r in listed] == [(0, 1, 1)]
    assert ctl("DELETE", "snapshot-failures") == {"snapshot_failures": []}
    assert ctl("GET", "snapshot-failures") == {"snapshot_failures": []}
    ctl("POST", "snapshot-failures", {})
    ctl("POST", "reset")
    assert ctl("GET", "snapshot-failures") == {"snapshot_failures": []}
