"""No leak: memory stays flat however long a mock lives.

- 100,000 CreateSnapshot/DeleteSnapshot cycles (one in ten with RetentionDays) through the
  gateway, under a moving clock: memory, counted in allocated blocks and (on Linux) resident
  pages, stays flat after a warm-up, and so does every structure that grows with requests.
- A few thousand cycles through aliyunsdkcore: flat too (responses keeps no record of the
  requests the interception answered).
- Signature nonces are kept for the 15-minute window of the request timestamps (wall time)
  and no longer, so under a moving clock their memory is bounded by the requests of the
  window; the mock's own clock (``advance_clock``) does not shorten the window.
- The call record grows by design, up to the ``max_calls`` setting (default 100,000; 0: no
  limit), dropping the oldest (counted in ``backend.calls_dropped``).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import time
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import urlencode

import pytest
import time_machine

from conftest import REGION, ApiError, SdkCoreDriver, expect_error, run_instance, signed_params, system_disk
from mock_ecs import MockEcs
from mock_ecs.auth import WINDOW_SECONDS
from mock_ecs.wire import HttpRequest

FAST = {"initialization_seconds": 0, "snapshot_min_seconds": 0, "snapshot_seconds_per_gib": 0}
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
HOST = f"https://ecs.{REGION}.aliyuncs.com/?"


def footprint() -> Tuple[int, int]:
    """(allocated blocks, resident bytes or 0 where /proc is not there), after a full collection."""
    gc.collect()
    rss = 0
    with contextlib.suppress(OSError, ValueError, AttributeError):  # not Linux: blocks alone
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return sys.getallocatedblocks(), rss


def flat(samples: List[Tuple[int, int]], max_blocks: int, max_rss: int) -> List[str]:
    """Growth beyond the bounds between the first sample and any later one."""
    blocks0, rss0 = samples[0]
    out = [f"sample {i}: +{b - blocks0} blocks" for i, (b, _) in enumerate(samples) if b - blocks0 > max_blocks]
    if rss0:
        out += [f"sample {i}: +{(r - rss0) >> 20} MiB resident" for i, (_, r) in enumerate(samples)
                if r - rss0 > max_rss]
    return out


def test_flat_sees_growth() -> None:
    """The check can fail: a growing series is reported, a wobbling one is not."""
    assert flat([(1000, 1 << 30), (1500, 1 << 30), (900, (1 << 30) + (1 << 20))], 1000, 8 << 20) == []
    assert flat([(1000, 0), (1500, 0), (2001, 0)], 1000, 8 << 20) == ["sample 2: +1001 blocks"]
    assert flat([(1000, 1 << 30), (1000, (1 << 30) + (9 << 20))], 1000, 8 << 20) == ["sample 1: +9 MiB resident"]


class Wire:
    """Requests straight to the gateway, their query written out once (the access key is not
    registered, so the signature is not checked; the nonce and timestamp are)."""

    def __init__(self, ecs: MockEcs) -> None:
        self.ecs = ecs
        self.nonce = 0
        self.stamp()

    def stamp(self) -> None:
        """Take the (moved) wall time as the requests' Timestamp."""
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.head = f"{HOST}Version=2014-05-26&Format=JSON&AccessKeyId=LTAIleak&Signature=x&Timestamp={ts}"

    def send(self, action: str, query: str) -> Tuple[int, Dict[str, Any]]:
        self.nonce += 1
        resp = self.ecs.gateway.handle(
            HttpRequest("GET", f"{self.head}&Action={action}&SignatureNonce=n{self.nonce}{query}", {}, b""))
        return resp.status, json.loads(resp.body)


def make_disk(ecs: MockEcs) -> str:
    client = SdkCoreDriver()
    return system_disk(client, run_instance(client))


@pytest.fixture
def moving_clock() -> Iterator[Any]:
    """Wall time (what request timestamps and nonces are measured by) under the test's control."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


CYCLES, CHECK_EVERY, WARM_UP = 100_000, 10_000, 20_000
SHIFT_EVERY, SHIFT = 1_000, 60.0  # a minute of wall time every 1,000 cycles: 100 minutes in all


def test_a_hundred_thousand_create_delete_cycles_keep_memory_flat(moving_clock: Any) -> None:
    with MockEcs(max_calls=1000, **FAST) as ecs:
        disk = make_disk(ecs)
        wire = Wire(ecs)
        acct = ecs.backend.account(ecs.account_of(disk))
        create, retained = f"&DiskId={disk}", f"&DiskId={disk}&RetentionDays=30"
        samples: List[Tuple[int, int]] = []
        most_nonces = 0
        for n in range(1, CYCLES + 1):
            status, body = wire.send("CreateSnapshot", retained if n % 10 == 0 else create)
            assert status == 200, body
            status, body = wire.send("DeleteSnapshot", "&SnapshotId=" + body["SnapshotId"])
            assert status == 200, body
            if n % SHIFT_EVERY == 0:
                moving_clock.shift(SHIFT)
                ecs.advance_clock(3600)  # the mock's own clock moves too
                wire.stamp()
                most_nonces = max(most_nonces, len(ecs.backend.nonces))
            if n % CHECK_EVERY == 0 and n >= WARM_UP:
                samples.append(footprint())
        # Everything that grows with requests stayed within its bound.
        assert ecs.ids("snapshots") == []
        assert len(ecs.backend.calls) == 1000 and ecs.backend.calls_dropped == 2 * CYCLES + 2 - 1000
        window_requests = 2 * SHIFT_EVERY * (WINDOW_SECONDS / SHIFT + 1)
        assert most_nonces <= window_requests, most_nonces
        assert len(ecs.backend.nonce_order) == len(ecs.backend.nonces)
        assert len(acct.retention) <= 128, len(acct.retention)
        state = acct.regions[REGION]
        assert len(state.snapshots) == 0 and state.snapshots_by_disk == {}
        assert len(acct.where) == 2  # the instance and its disk
        # And memory did not grow from the warm-up on: a leak of one small object per cycle
        # would be 80,000 blocks.
        assert len(samples) == (CYCLES - WARM_UP) // CHECK_EVERY + 1
        problems = flat(samples, max_blocks=20_000, max_rss=32 << 20)
        assert problems == [], (problems, samples)


def test_thousands_of_cycles_through_aliyunsdkcore_keep_memory_flat(moving_clock: Any) -> None:
    cycles, warm_up, check_every = 2_000, 500, 250
    with MockEcs(max_calls=100, **FAST) as ecs:
        disk = make_disk(ecs)
        client = SdkCoreDriver()
        samples: List[Tuple[int, int]] = []
        for n in range(1, cycles + 1):
            snap = client.call("CreateSnapshot", DiskId=disk)["SnapshotId"]
            client.call("DeleteSnapshot", SnapshotId=snap)
            if n % 20 == 0:  # the nonce window (15 minutes) is full after 300 cycles
                moving_clock.shift(SHIFT)  # aliyunsdkcore stamps its requests with the moved time
            if n % check_every == 0 and n >= warm_up:
                samples.append(footprint())
        assert ecs.ids("snapshots") == [] and len(ecs.calls) == 100
        # Each call recorded by responses would keep a request and a response (kilobytes).
        problems = flat(samples, max_blocks=10_000, max_rss=16 << 20)
        assert problems == [], (problems, samples)


# --- nonces -----------------------------------------------------------------------------------------
def test_nonces_are_forgotten_once_their_window_has_passed(moving_clock: Any) -> None:
    with MockEcs(**FAST) as ecs:
        wire = Wire(ecs)
        sizes = []
        for _minute in range(60):
            for _ in range(50):
                status, body = wire.send("DescribeInstances", f"&RegionId={REGION}")
                assert status == 200, body
            sizes.append(len(ecs.backend.nonces))
            moving_clock.shift(60)
            wire.stamp()
        # At most the requests of the last 15 minutes (and the one the window's edge keeps).
        assert max(sizes) <= 50 * (WINDOW_SECONDS // 60 + 1), sizes
        assert sizes[-1] == sizes[30], sizes  # flat once the window is full
        assert len(ecs.backend.nonce_order) == len(ecs.backend.nonces)


def test_a_forgotten_nonce_protects_nothing_a_timestamp_does_not(moving_clock: Any) -> None:
    """Forgetting a nonce after the window loses no protection: its request's timestamp has expired."""
    with MockEcs(**FAST) as ecs:
        params = signed_params("DescribeInstances", {"RegionId": REGION})
        replay = HttpRequest("GET", HOST + urlencode(params), {}, b"")
        assert ecs.gateway.handle(replay).status == 200
        assert ecs.gateway.handle(replay).status == 400  # SignatureNonceUsed
        ecs.advance_clock(86_400)  # the mock's clock: the window is wall time, like the timestamp's
        assert ecs.calls.codes[-1] == "SignatureNonceUsed"
        assert ecs.gateway.handle(replay).status == 400 and ecs.calls.codes[-1] == "SignatureNonceUsed"
        moving_clock.shift(WINDOW_SECONDS + 1)
        Wire(ecs).send("DescribeInstances", f"&RegionId={REGION}")  # any request prunes the window
        assert ecs.backend.nonces and params["SignatureNonce"] not in {n for _, n in ecs.backend.nonces}
        assert ecs.gateway.handle(replay).status == 400 and ecs.calls.codes[-1] == "InvalidTimeStamp.Expired"


# --- the call record --------------------------------------------------------------------------------
def describe(client: SdkCoreDriver, times: int) -> None:
    for _ in range(times):
        client.call("DescribeInstances", RegionId=REGION)


def test_the_call_record_keeps_the_newest_max_calls() -> None:
    assert MockEcs().settings.max_calls == 100_000
    with MockEcs(max_calls=100) as ecs:
        client = SdkCoreDriver()
        describe(client, 60)
        assert len(ecs.calls) == 60 and ecs.backend.calls_dropped == 0
        first_kept = ecs.calls[50].request_id
        describe(client, 90)
        calls = ecs.calls
        assert len(calls) == 100 and ecs.backend.calls_dropped == 50
        assert calls[0].request_id == first_kept  # the oldest went first
        expect_error(lambda: client.call("DescribeInstances", RegionId="no-such-region"), "InvalidRegionId.NotFound")
        assert ecs.calls[-1].code == "InvalidRegionId.NotFound" and ecs.backend.calls_dropped == 51
        ecs.clear_calls()
        assert ecs.calls == [] and ecs.backend.calls_dropped == 0
        ecs.reset()
        assert ecs.backend.calls.maxlen == 100  # a setting: kept across reset()


def test_max_calls_zero_keeps_every_call() -> None:
    with MockEcs(max_calls=0) as ecs:
        describe(SdkCoreDriver(), 150)
        assert len(ecs.calls) == 150 and ecs.backend.calls_dropped == 0


@pytest.mark.parametrize("value", [-1, True, 1.5, "10", None])
def test_max_calls_must_be_a_count(value: Any) -> None:
    with pytest.raises(ValueError, match="max_calls"):
        MockEcs(max_calls=value)


def test_the_bound_applies_to_calls_made_by_any_client() -> None:
    """Refused requests count too (they are recorded), and a record of the cap's size is all that is kept."""
    with MockEcs(max_calls=10) as ecs:
        client = SdkCoreDriver()
        for _ in range(30):
            with pytest.raises(ApiError):
                client.call("CreateSnapshot", DiskId="d-nosuchdisk")
        describe(client, 5)
        assert [c.code for c in ecs.calls] == ["InvalidDiskId.NotFound"] * 5 + [None] * 5
        assert ecs.backend.calls_dropped == 25

