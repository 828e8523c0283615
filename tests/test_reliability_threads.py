"""Thread-safety: many threads creating snapshots of the same disks, under a moving clock.

In process, 8 threads (each with its own aliyunsdkcore ``AcsClient``) race CreateSnapshot on
one disk, with no ClientToken, with one token shared by all, and mixed, while another thread
moves the mock's clock in small steps. Against the server, 16 client threads send 10,000
requests (CreateSnapshot with and without shared tokens, DeleteSnapshot, DescribeSnapshots)
while the clock moves through the control API.

What must hold, checked from a consistent view (under ``backend.lock``) while the threads
run, and afterwards from the snapshots themselves and the call record:

- never more than one progressing snapshot per disk at any instant: the snapshots of a disk
  cover disjoint intervals ``[created_at, created_at + duration)``;
- never more snapshots of a disk than the quota;
- one snapshot per ClientToken: every answer to a token names the same snapshot;
- every error is one the rules explain (IncorrectDiskStatus.CreatingSnapshot while one is
  progressing, QuotaExceed.Snapshot at the quota); IdempotentParameterMismatch only for a
  token reused with other parameters;
- nothing lost: every snapshot answered exists (unless the test deleted it), every snapshot
  that exists was answered, and the call record counts exactly what the clients saw.
"""

from __future__ import annotations

import http.client
import json
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple
from urllib.parse import urlencode

import pytest
import requests

from conftest import IMAGE, REGION, ApiError, SdkCoreDriver, run_instance, signed_params, system_disk
from mock_ecs import MockEcs
from mock_ecs.server import ThreadedMockServer

DURATION = 4.0  # seconds of mock time a snapshot progresses
STEP = 0.5  # the clock moves in steps this small
SETTINGS = {"initialization_seconds": 0, "snapshot_min_seconds": DURATION, "snapshot_seconds_per_gib": 0}
BUSY, QUOTA = "IncorrectDiskStatus.CreatingSnapshot", "QuotaExceed.Snapshot"
MISMATCH = "IdempotentParameterMismatch"
DEADLINE = 60.0  # no thread of these tests may run longer (a hang fails instead of blocking CI)


def _switch_interval(seconds: float) -> Iterator[None]:
    """The interpreter's thread switch interval set to ``seconds`` for the test, restored after it."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def switch_often() -> Iterator[None]:
    """Switch threads every 10 microseconds rather than every 5 ms: far more interleavings."""
    yield from _switch_interval(1e-5)


@pytest.fixture
def switch_less_often() -> Iterator[None]:
    """Every 200 microseconds, for the server test (its 33 threads would spend their time switching)."""
    yield from _switch_interval(2e-4)


# --- the checks (pure functions, so that they can be shown to fail) -------------------------------
def overlaps(snapshots: Iterable[Tuple[str, float, float]]) -> List[Tuple[str, str]]:
    """Pairs of snapshots (id, created_at, duration) that were progressing at the same instant."""
    ordered = sorted(snapshots, key=lambda s: s[1])
    return [(a[0], b[0]) for a, b in zip(ordered, ordered[1:]) if b[1] < a[1] + a[2]]


def progressing_now(ecs: MockEcs, disk_ids: Iterable[str]) -> Dict[str, Tuple[int, int]]:
    """disk -> (progressing snapshots, all snapshots), read at one instant under the lock."""
    backend = ecs.backend
    with backend.lock:
        now = backend.clock.now()
        out = {}
        for acct in backend.accounts.values():
            state = acct.regions.get(REGION)
            if state is None:
                continue
            for disk_id in disk_ids:
                snaps = state.snapshots_by_disk.get(disk_id)
                items = snaps.values() if snaps is not None else []
                out[disk_id] = (sum(s.status(now) == "progressing" for s in items), len(items))
        return out


def violations(seen: Dict[str, Tuple[int, int]], quota: int) -> List[str]:
    return [f"{disk}: {busy} progressing, {count} snapshots (quota {quota})"
            for disk, (busy, count) in seen.items() if busy > 1 or count > quota]


def token_conflicts(answers: Iterable[Tuple[str, str]]) -> List[str]:
    """(token, snapshot ID) answers: tokens answered with two snapshots, snapshots of two tokens."""
    by_token: Dict[str, Set[str]] = defaultdict(set)
    by_snap: Dict[str, Set[str]] = defaultdict(set)
    for token, snap in answers:
        by_token[token].add(snap)
        by_snap[snap].add(token)
    return ([f"token {t} -> {sorted(s)}" for t, s in by_token.items() if len(s) > 1]
            + [f"snapshot {s} <- tokens {sorted(t)}" for s, t in by_snap.items() if len(t) > 1])


def test_the_checks_catch_what_they_look_for() -> None:
    assert overlaps([("a", 0, 4), ("b", 4, 4), ("c", 9, 4)]) == []
    assert overlaps([("a", 0, 4), ("b", 3.5, 4)]) == [("a", "b")]
    assert overlaps([("b", 3.9, 4), ("a", 0, 4)]) == [("a", "b")]
    assert violations({"d-1": (1, 5)}, 5) == []
    assert violations({"d-1": (2, 2)}, 5) and violations({"d-1": (0, 6)}, 5)
    assert token_conflicts([("t", "s-1"), ("t", "s-1"), ("u", "s-2")]) == []
    assert token_conflicts([("t", "s-1"), ("t", "s-2")]) and token_conflicts([("t", "s-1"), ("u", "s-1")])


class Clock(threading.Thread):
    """Moves the mock's clock in small steps until told to stop, checking the invariants before
    each step from one consistent view (under the lock)."""

    def __init__(self, ecs: MockEcs, disk_ids: List[str], quota: int,
                 advance: Optional[Callable[[float], None]] = None, max_steps: int = 20_000) -> None:
        super().__init__(name="moving-clock", daemon=True)
        self.ecs, self.disk_ids, self.quota = ecs, disk_ids, quota
        self.advance = advance or ecs.advance_clock
        self.max_steps = max_steps
        self.done = threading.Event()
        self.steps = 0
        self.samples = 0
        self.problems: List[str] = []
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        try:
            while not self.done.is_set() and self.steps < self.max_steps:
                self.problems += violations(progressing_now(self.ecs, self.disk_ids), self.quota)
                self.samples += 1
                self.advance(STEP)
                self.steps += 1
                self.done.wait(0.0005)  # a tiny bounded wait, so the workers get the GIL too
        except BaseException as err:  # shown by the test
            self.error = err

    def finish(self) -> None:
        self.done.set()
        self.join(DEADLINE)
        assert not self.is_alive(), "the clock thread did not stop"
        assert self.error is None, repr(self.error)
        self.problems += violations(progressing_now(self.ecs, self.disk_ids), self.quota)


def run_threads(target: Callable[[int], None], count: int) -> None:
    """Start ``count`` threads at once (a barrier), wait for them, re-raise the first failure."""
    barrier = threading.Barrier(count)
    errors: List[BaseException] = []

    def body(n: int) -> None:
        try:
            barrier.wait(DEADLINE)
            target(n)
        except BaseException as err:  # collected and raised in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=body, args=(n,), name=f"worker-{n}", daemon=True) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    if errors:
        raise errors[0]


def snapshot_spans(ecs: MockEcs, disk_id: str) -> List[Tuple[str, float, float]]:
    with ecs.backend.lock:
        state = ecs.backend.account(ecs.account_of(disk_id)).regions[REGION]
        by_disk = state.snapshots_by_disk.get(disk_id)
        return [(s.snapshot_id, s.created_at, s.duration) for s in (by_disk.values() if by_disk else [])]


# --- in process: 8 aliyunsdkcore clients on one disk ------------------------------------------------
THREADS, ATTEMPTS, QUOTA_IN_PROCESS = 8, 30, 6


def token_for(mode: str, thread: int, attempt: int) -> Optional[str]:
    if mode == "none" or (mode == "mixed" and thread % 2 == 0):
        return None
    return f"shared-{attempt}"  # the same token for every thread's n-th attempt


@pytest.mark.parametrize("mode", ["none", "shared", "mixed"])
def test_eight_clients_snapshot_one_disk_under_a_moving_clock(mode: str, switch_often: None) -> None:
    with MockEcs(snapshot_quota=QUOTA_IN_PROCESS, **SETTINGS) as ecs:
        setup = SdkCoreDriver()
        disk = system_disk(setup, run_instance(setup))
        ecs.clear_calls()
        outcomes: List[Tuple[Optional[str], str, str]] = []  # (token, "ok" or code, snapshot ID or "")
        lock = threading.Lock()

        def worker(n: int) -> None:
            client = SdkCoreDriver()  # each thread its own AcsClient
            for attempt in range(ATTEMPTS):
                token = token_for(mode, n, attempt)
                params: Dict[str, Any] = {"DiskId": disk, "SnapshotName": "backup"}
                if token is not None:
                    params["ClientToken"] = token
                try:
                    snap = client.call("CreateSnapshot", **params)["SnapshotId"]
                    outcome = (token, "ok", snap)
                except ApiError as err:
                    outcome = (token, err.code, "")
                with lock:
                    outcomes.append(outcome)

        clock = Clock(ecs, [disk], QUOTA_IN_PROCESS)
        clock.start()
        try:
            run_threads(worker, THREADS)
        finally:
            clock.finish()

        assert clock.samples > 0 and clock.problems == [], clock.problems[:5]
        codes = Counter(code for _, code, _ in outcomes)
        assert set(codes) <= {"ok", BUSY, QUOTA}, codes  # never a mismatch: same params per token
        assert codes["ok"] > 0
        spans = snapshot_spans(ecs, disk)
        assert overlaps(spans) == []  # never two progressing at one instant
        assert len(spans) <= QUOTA_IN_PROCESS
        answered = {snap for _, code, snap in outcomes if code == "ok"}
        assert answered == {s[0] for s in spans}  # nothing lost, nothing made that nobody was told
        assert token_conflicts((t, s) for t, code, s in outcomes if code == "ok" and t) == []
        if codes[QUOTA]:
            assert len(spans) == QUOTA_IN_PROCESS
        if mode == "none":  # every success made a snapshot of its own
            assert codes["ok"] == len(spans)
        # The record saw exactly what the clients saw.
        record = ecs.calls.of("CreateSnapshot")
        assert len(record) == THREADS * ATTEMPTS == len(outcomes)
        assert Counter(c.code or "ok" for c in record) == codes
        # DescribeSnapshots (another client) agrees, and shows no two progressing at once.
        shown = setup.call("DescribeSnapshots", RegionId=REGION, DiskId=disk, PageSize=100)["Snapshots"]["Snapshot"]
        assert {s["SnapshotId"] for s in shown} == answered
        assert sum(s["Status"] == "progressing" for s in shown) <= 1


def test_one_token_from_eight_threads_at_once_makes_one_snapshot(switch_often: None) -> None:
    """The same ClientToken at the same moment: one snapshot; every thread that sent the same
    parameters is told its ID, every thread that sent others gets IdempotentParameterMismatch."""
    for round_ in range(20):
        with MockEcs(**SETTINGS) as ecs:
            setup = SdkCoreDriver()
            disk = system_disk(setup, run_instance(setup))
            answers: Dict[int, str] = {}

            def worker(n: int, disk: str = disk, answers: Dict[int, str] = answers) -> None:
                name = "alpha" if n % 2 else "beta"  # two parameter sets, one token
                try:
                    answers[n] = SdkCoreDriver().call(
                        "CreateSnapshot", DiskId=disk, SnapshotName=name, ClientToken="one-token")["SnapshotId"]
                except ApiError as err:
                    answers[n] = err.code

            run_threads(worker, THREADS)
            snaps = ecs.ids("snapshots")
            assert len(snaps) == 1, (round_, answers)
            winner = ecs.snapshot(snaps[0])["SnapshotName"]
            for n, answer in answers.items():
                same = ("alpha" if n % 2 else "beta") == winner
                assert answer == (snaps[0] if same else MISMATCH), (round_, n, answers)


# --- the server: 16 client threads, 10,000 requests -------------------------------------------------
SERVER_THREADS, REQUESTS, DISKS, QUOTA_SERVER = 16, 10_000, 4, 14


class Observed:
    """What one client thread sent and was answered."""

    def __init__(self) -> None:
        self.answers: List[Tuple[str, str, int, str, str, str]] = []  # (request ID, action, status, code, snap, token)

    def add(self, request_id: str, action: str, status: int, code: str, snap: str = "", token: str = "") -> None:
        self.answers.append((request_id, action, status, code, snap, token))


class Connection:
    """One keep-alive HTTP connection to the server (http.client: the lightest client, so the
    server, not the client, is what 16 threads contend for)."""

    def __init__(self, server: ThreadedMockServer) -> None:
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=DEADLINE)

    def ecs(self, action: str, **params: Any) -> Tuple[int, Dict[str, Any]]:
        self.conn.request("GET", "/?" + urlencode(signed_params(action, params)),
                          headers={"Host": f"ecs.{REGION}.aliyuncs.com"})
        resp = self.conn.getresponse()
        return resp.status, json.loads(resp.read())

    def control(self, path: str, doc: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        self.conn.request("POST", "/_mock_ecs/" + path, body=json.dumps(doc).encode(),
                          headers={"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        return resp.status, json.loads(resp.read())

    def close(self) -> None:
        self.conn.close()


def test_sixteen_threads_ten_thousand_requests_against_the_server(switch_less_often: None) -> None:
    handle = MockEcs(snapshot_quota=QUOTA_SERVER, **SETTINGS)
    with ThreadedMockServer(handle=handle) as server:
        setup = Connection(server)
        disks = []
        for _ in range(DISKS):
            status, body = setup.ecs("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")
            assert status == 200, body
            instance = body["InstanceIdSets"]["InstanceIdSet"][0]
            status, body = setup.ecs("DescribeDisks", RegionId=REGION, InstanceId=instance)
            disks.append(body["Disks"]["Disk"][0]["DiskId"])
        handle.clear_calls()

        def advance(seconds: float) -> None:  # the clock moves through the control API
            status, body = setup.control("clock/advance", {"seconds": seconds})
            assert status == 200, body

        observed = [Observed() for _ in range(SERVER_THREADS)]
        per_thread = REQUESTS // SERVER_THREADS

        def worker(n: int) -> None:
            rng = random.Random(n)
            mine: List[str] = []  # snapshots this thread made without a token: only it deletes them
            seen = observed[n]
            conn = Connection(server)
            try:
                for i in range(per_thread):
                    roll = rng.random()
                    disk = disks[rng.randrange(DISKS)]
                    if roll < 0.1:
                        status, body = conn.ecs("DescribeSnapshots", RegionId=REGION, DiskId=disk)
                        seen.add(body["RequestId"], "DescribeSnapshots", status, body.get("Code", ""))
                    elif roll < 0.4 and mine:
                        snap = mine.pop(0)
                        status, body = conn.ecs("DeleteSnapshot", SnapshotId=snap)
                        seen.add(body["RequestId"], "DeleteSnapshot", status, body.get("Code", ""), snap)
                    else:
                        # Some creates carry a token that other threads send at about the same time.
                        token = f"{disk}-{i // 50}" if rng.random() < 0.3 else ""
                        params = {"DiskId": disk, "ClientToken": token} if token else {"DiskId": disk}
                        status, body = conn.ecs("CreateSnapshot", **params)
                        snap = body.get("SnapshotId", "")
                        seen.add(body["RequestId"], "CreateSnapshot", status, body.get("Code", ""), snap, token)
                        if snap and not token:
                            mine.append(snap)
            finally:
                conn.close()

        clock = Clock(handle, disks, QUOTA_SERVER, advance=advance)
        clock.start()
        started = time.monotonic()
        try:
            run_threads(worker, SERVER_THREADS)
        finally:
            clock.finish()
            setup.close()
        elapsed = time.monotonic() - started

    answers = [a for o in observed for a in o.answers]
    assert len(answers) == per_thread * SERVER_THREADS == REQUESTS
    assert clock.samples > 0 and clock.problems == [], clock.problems[:5]
    assert clock.steps > 10, f"the clock barely moved in {elapsed:.1f}s"
    assert handle.backend.clock.offset == clock.steps * STEP  # every advance counted, none lost

    # Every error is one the rules explain.
    explained = {("CreateSnapshot", 403, BUSY), ("CreateSnapshot", 403, QUOTA)}
    for _, action, status, code, _, _ in answers:
        assert status == 200 or (action, status, code) in explained, (action, status, code)
    codes = Counter((a[1], a[3]) for a in answers)
    assert codes[("CreateSnapshot", "")] > 0 and codes[("DeleteSnapshot", "")] > 0, codes

    # Nothing lost: what was answered exists unless the test deleted it, and nothing else exists.
    created = {a[4] for a in answers if a[1] == "CreateSnapshot" and a[2] == 200}
    deleted = {a[4] for a in answers if a[1] == "DeleteSnapshot" and a[2] == 200}
    assert deleted <= created
    assert set(handle.ids("snapshots")) == created - deleted
    assert token_conflicts((a[5], a[4]) for a in answers if a[5] and a[2] == 200) == []
    for disk in disks:
        spans = snapshot_spans(handle, disk)
        assert len(spans) <= QUOTA_SERVER
        assert overlaps(spans) == []  # those never deleted never progressed together

    # The call record counts exactly what the clients saw, request by request.
    record = handle.calls
    assert handle.backend.calls_dropped == 0 and len(record) == REQUESTS
    by_id = {c.request_id: c for c in record}
    assert len(by_id) == REQUESTS
    for request_id, action, status, code, _, _ in answers:
        call = by_id[request_id]
        assert (call.action, call.status, call.code or "") == (action, status, code)
    assert Counter((c.action, c.code or "") for c in record) == codes


class SlowNonces(dict):  # type: ignore[type-arg]
    """The nonce memory, with a thread switch forced between "seen?" and "remember": where two
    threads sending one nonce would both get through, were the two steps not under one lock."""

    def __contains__(self, key: object) -> bool:
        seen = super().__contains__(key)
        time.sleep(0.0005)
        return seen


@pytest.mark.parametrize("slow", [False, True], ids=["as_is", "switch_forced"])
def test_concurrent_requests_reusing_one_nonce_are_accepted_once(slow: bool, switch_often: None) -> None:
    """SignatureNonce is checked before the handler takes the lock: of threads sending one nonce
    at the same moment, one gets through."""
    for _ in range(10 if slow else 30):
        with MockEcs(**SETTINGS) as ecs:
            if slow:
                ecs.backend.nonces = SlowNonces()
            params = signed_params("DescribeInstances", {"RegionId": REGION})
            results: List[int] = []

            def worker(n: int, params: Dict[str, str] = params, results: List[int] = results) -> None:
                results.append(requests.get(f"https://ecs.{REGION}.aliyuncs.com/", params=params).status_code)

            run_threads(worker, THREADS)
            assert sorted(results) == [200] + [400] * (THREADS - 1), results
            assert ecs.calls.codes.count("SignatureNonceUsed") == THREADS - 1


def test_calls_are_recorded_and_read_safely_while_threads_answer(switch_often: None) -> None:
    """Copies of the (bounded) record taken while threads append to it are whole, never an error."""
    with MockEcs(max_calls=50, **SETTINGS) as ecs:
        stop = threading.Event()
        copies: List[int] = []
        errors: List[BaseException] = []

        def reader() -> None:
            try:
                while not stop.is_set():
                    copies.append(len(ecs.calls))
                    copies.append(len(ecs.calls.of("DescribeInstances")))
            except BaseException as err:  # shown below
                errors.append(err)

        watcher = threading.Thread(target=reader, daemon=True)
        watcher.start()
        try:
            run_threads(lambda n: [SdkCoreDriver().call("DescribeInstances", RegionId=REGION) for _ in range(25)],
                        THREADS)
        finally:
            stop.set()
            watcher.join(DEADLINE)
        assert errors == [] and copies and max(copies) <= 50
        assert len(ecs.calls) == 50 and ecs.backend.calls_dropped == THREADS * 25 - 50
