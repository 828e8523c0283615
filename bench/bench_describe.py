"""DescribeSnapshots cost against the size of the region: it must not grow with it.

Run:  python bench/bench_describe.py [--calls 40] [--repeats 5] [--sizes 100,1000,10000,100000]
      python bench/bench_describe.py --smoke      (tiny sizes, for CI: the script cannot rot)

Every size has a region of its own in one mock, and the queries of every size are timed in
turn in each repeat (side by side). Each region of N snapshots is filled fast: one instance
is made through the API, its system disk gets 10 snapshots through the API (made when half
the region exists, so they are neither the newest nor the oldest), and the rest are added
straight into the backend with ``mock_ecs.backend.add_snapshot`` (64 per synthetic source
disk, the default quota), to
avoid N HTTP calls. Then each query is timed through aliyunsdkcore, and the median per call
is printed with the ratio largest N / smallest N. Exit status 1 when a ratio is above
``--max-ratio`` (default 2; not enforced with --smoke, whose timings are too small to mean much).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import sys
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import bench_timing as timing
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest
from bench_common import FAST, IMAGE, REGION, sdkcore_call

from mock_ecs import MockEcs, regions
from mock_ecs.backend import Account, RegionState, add_snapshot
from mock_ecs.models import Snapshot

PER_DISK = 64
_ALPHABET = string.ascii_lowercase + string.digits

Query = Callable[[], Dict[str, object]]


def _fill(acct: Account, state: RegionState, count: int, rng: random.Random, now: float,
          region: str = REGION) -> List[str]:
    """``count`` accomplished snapshots of synthetic disks, straight into the backend."""
    made: List[str] = []
    disk_id = ""
    head = regions.id_prefix(region)
    for n in range(count):
        if n % PER_DISK == 0:
            disk_id = f"d-{head}" + "".join(rng.choices(_ALPHABET, k=17))
        snap = Snapshot(
            snapshot_id=f"s-{head}" + "".join(rng.choices(_ALPHABET, k=17)), region_id=region,
            source_disk_id=disk_id, source_disk_size=40, source_disk_type="data",
            source_disk_category="cloud_efficiency", created_at=now, duration=0,
        )
        add_snapshot(acct, state, snap)
        made.append(snap.snapshot_id)
    return made


def build(mock: MockEcs, client: AcsClient, size: int, rng: random.Random,
          region: str = REGION) -> Tuple[str, List[str]]:
    """Fill ``region`` (``client``'s) with ``size`` snapshots; (the measured disk, 10 snapshot IDs
    spread out)."""
    run = sdkcore_call(client, "RunInstances", RegionId=region, ImageId=IMAGE, InstanceType="ecs.g7.large")
    instance_id = run["InstanceIdSets"]["InstanceIdSet"][0]
    disks = sdkcore_call(client, "DescribeDisks", RegionId=region, InstanceId=instance_id)
    disk_id = disks["Disks"]["Disk"][0]["DiskId"]
    backend = mock.backend
    acct = next(a for a in backend.accounts.values() if instance_id in a.where)
    state = acct.regions[region]
    now = backend.clock.now()
    own = 10
    filler = max(0, size - own)
    made = _fill(acct, state, filler // 2, rng, now, region)
    for _ in range(own):
        made.append(sdkcore_call(client, "CreateSnapshot", DiskId=disk_id)["SnapshotId"])
    made += _fill(acct, state, filler - filler // 2, rng, now, region)
    assert len(state.snapshots) == max(size, own)
    return disk_id, rng.sample(made, 10)


def queries(client: AcsClient, disk_id: str, ten: List[str]) -> Dict[str, Query]:
    def by_disk() -> Dict[str, object]:
        req = DescribeSnapshotsRequest()
        req.set_DiskId(disk_id)
        out = json.loads(client.do_action_with_exception(req))
        assert len(out["Snapshots"]["Snapshot"]) == 10, out["TotalCount"]
        return out  # type: ignore[no-any-return]

    def by_ids() -> Dict[str, object]:
        req = DescribeSnapshotsRequest()
        req.set_SnapshotIds(json.dumps(ten))
        out = json.loads(client.do_action_with_exception(req))
        assert out["TotalCount"] == 10
        return out  # type: ignore[no-any-return]

    def page_of_100() -> Dict[str, object]:
        req = DescribeSnapshotsRequest()
        req.set_PageSize(100)
        out = json.loads(client.do_action_with_exception(req))
        assert len(out["Snapshots"]["Snapshot"]) == min(100, out["TotalCount"])
        return out  # type: ignore[no-any-return]

    first = DescribeSnapshotsRequest()
    first.set_MaxResults(50)
    token = json.loads(client.do_action_with_exception(first))["NextToken"]

    def next_page() -> Dict[str, object]:
        req = DescribeSnapshotsRequest()
        req.set_MaxResults(50)
        req.set_NextToken(token)
        out = json.loads(client.do_action_with_exception(req))
        assert len(out["Snapshots"]["Snapshot"]) == min(50, max(0, out["TotalCount"] - 50))
        return out  # type: ignore[no-any-return]

    return {"DiskId (10 snapshots of its own)": by_disk, "SnapshotIds (10 IDs)": by_ids,
            "no filter, PageSize=100": page_of_100, "no filter, NextToken, MaxResults=50": next_page}


# One region per size, all in one mock: the sizes are measured side by side, their runs
# interleaved, with the same heap (a process holding 100,000 snapshots is a bigger process
# for every query, which is not what this measures).
SIZE_REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-qingdao", "cn-zhangjiakou")


def measure(sizes: Sequence[int], calls: int, repeats: int, seed: int = 7,
            names: Optional[Sequence[str]] = None) -> Dict[str, Dict[int, float]]:
    """{query: {region size: median seconds per call}}, for the queries named (default: all)."""
    if len(sizes) > len(SIZE_REGIONS):
        raise ValueError(f"at most {len(SIZE_REGIONS)} sizes")
    rng = random.Random(seed)
    samples: Dict[str, Dict[int, List[float]]] = {}
    with MockEcs(**FAST) as mock:
        runs: Dict[int, Dict[str, Query]] = {}
        for size, region in zip(sizes, SIZE_REGIONS):
            client = AcsClient("LTAIbench", "bench-secret", region, auto_retry=False)
            disk_id, ten = build(mock, client, size, rng, region)
            runs[size] = {name: run for name, run in queries(client, disk_id, ten).items()
                          if names is None or name in names}
        for size_runs in runs.values():
            for run in size_runs.values():
                run()  # warm up
        for _ in range(repeats):
            for size, size_runs in runs.items():
                for name, run in size_runs.items():
                    samples.setdefault(name, {}).setdefault(size, []).append(timing.per_op(run, calls))
    return {name: {size: statistics.median(v) for size, v in by_size.items()} for name, by_size in samples.items()}


def report(results: Dict[str, Dict[int, float]], sizes: Sequence[int]) -> Dict[str, float]:
    lo, hi = sizes[0], sizes[-1]
    ratio_head = f"ratio {hi:,}/{lo:,}"
    print("DescribeSnapshots via aliyunsdkcore: median ms per call, by snapshots in the region")
    print(f"{'query':<38}" + "".join(f"{n:>10,}" for n in sizes) + f"{ratio_head:>20}")
    ratios: Dict[str, float] = {}
    for name, by_size in results.items():
        ratios[name] = by_size[hi] / by_size[lo]
        cells = "".join(f"{by_size[n] * 1e3:>10.3f}" for n in sizes)
        print(f"{name:<38}{cells}{ratios[name]:>20.2f}")
    return ratios


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000,10000,100000", help="region sizes, comma-separated")
    parser.add_argument("--calls", type=int, default=40, help="calls per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and few calls (CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        sizes, calls, repeats = [60, 300], 2, 1
    else:
        sizes, calls, repeats = sorted(int(n) for n in args.sizes.split(",")), args.calls, args.repeats
    ratios = report(measure(sizes, calls, repeats), sizes)
    too_slow = {name: r for name, r in ratios.items() if r > args.max_ratio}
    if too_slow and not args.smoke:
        print(f"FAIL: ratio above {args.max_ratio}: {too_slow}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
