"""Automatic snapshot policies over a long clock jump: the cost follows the snapshots kept.

Run:  python bench/bench_policies.py [--disks 1000] [--policies 10] [--repeats 3]
      python bench/bench_policies.py --smoke

``disks`` running instances' system disks are spread over ``policies`` policies (4 time points
a day, every day, retention 7 days), all through aliyunsdkcore. Then the mock's clock jumps by
one year in one step (``advance_clock``) and one DescribeSnapshots by DiskId reads a disk's
snapshots: the firings due are made by that request. The same is done with a jump of two
weeks (the same firings matter; everything older has expired), so the ratio year / two weeks
says whether the year's hours cost anything. Memory (tracemalloc, after the read) is compared
the same way. A DescribeSnapshots afterwards is compared with the same read in a region of one
disk holding the same 28 snapshots (under 100 snapshots in the region).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tracemalloc
from typing import Dict, List, Tuple

import bench_timing as timing
from aliyunsdkcore.client import AcsClient
from bench_common import IMAGE, REGION, sdkcore_call

from mock_ecs import MockEcs

DAY = 86400
YEAR = 365 * DAY
TWO_WEEKS = 14 * DAY
RETENTION_DAYS = 7
TIME_POINTS = ["0", "6", "12", "18"]
WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"]
KEPT_PER_DISK = len(TIME_POINTS) * RETENTION_DAYS  # 28


def _client() -> AcsClient:
    return AcsClient("LTAIbenchPolicies", "benchSecret", REGION, auto_retry=False)


def setup(mock: MockEcs, client: AcsClient, disks: int, policies: int) -> List[str]:
    """``disks`` system disks under ``policies`` policies; the disk IDs."""
    disk_ids: List[str] = []
    while len(disk_ids) < disks:
        amount = min(100, disks - len(disk_ids))
        run = sdkcore_call(client, "RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large",
                           Amount=amount)
        made = set(run["InstanceIdSets"]["InstanceIdSet"])
        page = sdkcore_call(client, "DescribeDisks", RegionId=REGION, InstanceIds=json.dumps(sorted(made)),
                            PageSize=100)
        disk_ids += [d["DiskId"] for d in page["Disks"]["Disk"]]
    mock.advance_clock(mock.settings.initialization_seconds)
    per = -(-disks // policies)
    for n in range(policies):
        policy = sdkcore_call(client, "CreateAutoSnapshotPolicy", regionId=REGION, timePoints=json.dumps(TIME_POINTS),
                              repeatWeekdays=json.dumps(WEEKDAYS), retentionDays=RETENTION_DAYS,
                              autoSnapshotPolicyName=f"bench-{n}")["AutoSnapshotPolicyId"]
        for start in range(n * per, min(disks, (n + 1) * per), 100):
            chunk = disk_ids[start:min(start + 100, (n + 1) * per, disks)]
            sdkcore_call(client, "ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy,
                         diskIds=json.dumps(chunk))
    return disk_ids


def read(client: AcsClient, disk_id: str) -> int:
    out = sdkcore_call(client, "DescribeSnapshots", RegionId=REGION, DiskId=disk_id, PageSize=100)
    return len(out["Snapshots"]["Snapshot"])


def jump(disks: int, policies: int, seconds: float, after_reads: int, trace: bool = False) -> Tuple[float, int, int]:
    """(time of the jump and its first read, or with ``trace`` the bytes it added; the time of a
    read after it; snapshots in the region). Timed without tracemalloc, which slows Python down."""
    with MockEcs() as mock:
        client = _client()
        disk_ids = setup(mock, client, disks, policies)
        gc.collect()
        if trace:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
        start = timing.clock()
        mock.advance_clock(seconds)
        got = read(client, disk_ids[0])
        figure: float = timing.clock() - start
        if trace:
            figure = tracemalloc.get_traced_memory()[0] - base
            tracemalloc.stop()
        assert got == KEPT_PER_DISK, got
        after = timing.per_op(lambda: read(client, disk_ids[-1]), after_reads)
        return figure, after, len(mock.ids("snapshots"))


def small_region_read(after_reads: int) -> float:
    """A DescribeSnapshots by DiskId of 28 snapshots in a region of one disk."""
    with MockEcs() as mock:
        client = _client()
        (disk_id,) = setup(mock, client, 1, 1)
        mock.advance_clock(TWO_WEEKS)
        assert read(client, disk_id) == KEPT_PER_DISK
        return timing.per_op(lambda: read(client, disk_id), after_reads)


def measure(disks: int, policies: int, repeats: int, after_reads: int = 40) -> Dict[str, float]:
    """Medians over ``repeats`` of each figure, the contenders interleaved; memory from one run each."""
    year: List[Tuple[float, float, int]] = []
    weeks: List[Tuple[float, float, int]] = []
    small: List[float] = []
    for _ in range(repeats):
        year.append(jump(disks, policies, YEAR, after_reads))
        weeks.append(jump(disks, policies, TWO_WEEKS, after_reads))
        small.append(small_region_read(after_reads))
    return {
        "year_jump": statistics.median(r[0] for r in year),
        "weeks_jump": statistics.median(r[0] for r in weeks),
        "year_bytes": jump(disks, policies, YEAR, 1, trace=True)[0],
        "weeks_bytes": jump(disks, policies, TWO_WEEKS, 1, trace=True)[0],
        "year_read": statistics.median(r[1] for r in year),
        "small_read": statistics.median(small),
        "snapshots": year[0][2],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--disks", type=int, default=1000)
    parser.add_argument("--policies", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.disks, args.policies, args.repeats = 20, 2, 1
    got = measure(args.disks, args.policies, args.repeats)
    for key, value in got.items():
        print(f"{key}: {value:,.6f}" if isinstance(value, float) else f"{key}: {value:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
