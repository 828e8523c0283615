"""Property-based paging of DescribeSnapshots (hypothesis), through aliyunsdkcore.

For random sets of snapshots spread over several disks, a random filter and random page
sizes of both styles:

- a NextToken walk (MaxResults 1..100), with random creations and deletions between pages,
  returns every snapshot that existed for the whole walk exactly once, newest first, never
  repeats one, and never mixes in a snapshot created after the walk began;
- a PageNumber walk (PageSize 1..100) without changes returns exactly the full set, newest
  first, with the right TotalCount on every page and an empty page after the last.

Each example starts its own mock inside the test body (so no function-scoped fixture is
shared between examples), with settings under which snapshots finish at once.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REGION, SdkCoreDriver
from mock_ecs import MockEcs

FAST = {"initialization_seconds": 0, "snapshot_min_seconds": 0, "snapshot_seconds_per_gib": 0,
        "snapshot_quota": 100_000}
DATA_DISKS = 3  # plus the system disk: four disks per world
DRIVER = SdkCoreDriver()

# The filter a world is walked with (see make_filter).
FILTERS = ("none", "disk", "data", "instance", "ids")
page_sizes = st.one_of(st.integers(1, 8), st.integers(1, 100))


class World:
    """A running instance with four disks, and a model of its snapshots in creation order."""

    def __init__(self) -> None:
        params: Dict[str, Any] = {"RegionId": REGION, "ImageId": "ubuntu_22_04_x64_20G_alibase_20240130.vhd",
                                  "InstanceType": "ecs.g7.large"}
        for n in range(1, DATA_DISKS + 1):
            params[f"DataDisk.{n}.Category"], params[f"DataDisk.{n}.Size"] = "cloud_efficiency", 20
        self.instance = DRIVER.call("RunInstances", **params)["InstanceIdSets"]["InstanceIdSet"][0]
        disks = DRIVER.call("DescribeDisks", RegionId=REGION, InstanceId=self.instance)["Disks"]["Disk"]
        # Disk 0 is the system disk.
        self.disks = [d["DiskId"] for d in sorted(disks, key=lambda d: d["Type"] != "system")]
        self.made: List[Tuple[str, int]] = []  # (snapshot ID, disk index), oldest first
        self.alive: Dict[str, int] = {}

    def create(self, disk: int) -> str:
        snap_id = DRIVER.call("CreateSnapshot", DiskId=self.disks[disk])["SnapshotId"]
        self.made.append((snap_id, disk))
        self.alive[snap_id] = disk
        return snap_id

    def delete(self, snap_id: str) -> None:
        DRIVER.call("DeleteSnapshot", SnapshotId=snap_id)
        del self.alive[snap_id]

    def newest_first(self, keep: Callable[[str, int], bool]) -> List[str]:
        return [s for s, d in reversed(self.made) if s in self.alive and keep(s, d)]


Keep = Callable[[str, int], bool]


def make_filter(world: World, kind: str, disk: int, picks: List[int]) -> Tuple[Dict[str, Any], Keep]:
    if kind == "disk":
        return {"DiskId": world.disks[disk]}, lambda s, d: d == disk
    if kind == "data":
        return {"SourceDiskType": "Data"}, lambda s, d: d != 0
    if kind == "instance":
        return {"InstanceId": world.instance}, lambda s, d: True
    if kind == "ids":
        existing = [s for s, _ in world.made]
        chosen = {existing[p % len(existing)] for p in picks} if existing else set()
        return {"SnapshotIds": json.dumps(sorted(chosen))}, lambda s, d: s in chosen
    return {}, lambda s, d: True


def page(params: Dict[str, Any]) -> Dict[str, Any]:
    return DRIVER.call("DescribeSnapshots", RegionId=REGION, **params)


def ids_of(out: Dict[str, Any]) -> List[str]:
    return [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]]


worlds = st.fixed_dictionaries({
    "layout": st.lists(st.integers(0, DATA_DISKS), max_size=45),
    "filter": st.sampled_from(FILTERS),
    "filter_disk": st.integers(0, DATA_DISKS),
    "picks": st.lists(st.integers(0, 1000), max_size=12),
})


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(world_spec=worlds, size=page_sizes, data=st.data())
def test_next_token_walk_with_churn(world_spec: Dict[str, Any], size: int, data: st.DataObject) -> None:
    with MockEcs(**FAST):
        world = World()
        for disk in world_spec["layout"]:
            world.create(disk)
        params, keep = make_filter(world, world_spec["filter"], world_spec["filter_disk"], world_spec["picks"])
        initial = world.newest_first(keep)
        created: List[str] = []
        deleted: List[str] = []
        shown: List[str] = []
        token: Optional[str] = None
        for _ in range(len(initial) + 2):  # a walk needs at most one page per item, plus the last
            out = page({**params, "MaxResults": size, **({"NextToken": token} if token else {})})
            got = ids_of(out)
            assert len(got) <= size
            shown += got
            token = out["NextToken"]
            if not token:
                break
            assert got, "a page before the last is never empty"
            # Random churn between pages: creations on any disk, deletions of any snapshot.
            ops = data.draw(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000)), max_size=4), label="churn")
            for is_create, n in ops:
                if is_create or not world.alive:
                    created.append(world.create(n % len(world.disks)))
                else:
                    # In creation order: sorted by (random) ID, the draws that follow would
                    # differ between replays of one example (hypothesis: FlakyStrategyDefinition).
                    victim = list(world.alive)[n % len(world.alive)]
                    world.delete(victim)
                    deleted.append(victim)
        else:
            raise AssertionError("the NextToken walk did not end")
        survivors = [s for s in initial if s not in deleted]
        assert len(shown) == len(set(shown)), "an item came back twice"
        assert not set(shown) & set(created), "an item newer than the walk was mixed in"
        assert set(shown) <= set(initial)
        assert [s for s in initial if s in shown] == shown, "not newest first"
        assert [s for s in shown if s in survivors] == survivors, "an item that existed throughout is missing"


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(world_spec=worlds, size=page_sizes)
def test_page_number_walk_returns_the_full_set(world_spec: Dict[str, Any], size: int) -> None:
    with MockEcs(**FAST):
        world = World()
        for disk in world_spec["layout"]:
            world.create(disk)
        # Some deletions before the walk, so the set has holes.
        for snap_id, _ in world.made[::5]:
            world.delete(snap_id)
        params, keep = make_filter(world, world_spec["filter"], world_spec["filter_disk"], world_spec["picks"])
        expected = world.newest_first(keep)
        pages = -(-len(expected) // size)
        shown: List[str] = []
        for number in range(1, pages + 2):
            out = page({**params, "PageNumber": number, "PageSize": size})
            assert (out["TotalCount"], out["PageNumber"], out["PageSize"]) == (len(expected), number, size)
            got = ids_of(out)
            if number <= pages:
                assert len(got) == (size if number < pages else len(expected) - size * (pages - 1))
            else:
                assert got == [], "a page after the last is empty"
            shown += got
        assert shown == expected
        # The NextToken walk over the same, unchanged set returns the same list.
        walked: List[str] = []
        token = ""
        while True:
            out = page({**params, "MaxResults": size, **({"NextToken": token} if token else {})})
            walked += ids_of(out)
            token = out["NextToken"]
            if not token:
                break
        assert walked == expected
