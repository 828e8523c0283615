"""DescribeSnapshotLinks and DescribeSnapshotsUsage through aliyunsdkcore and the Tea SDK (in
process and over HTTP): one chain per disk with its count and the bytes its accomplished
snapshots hold (FullSnapshotSizeInBytes), the filters ANDed, both paging styles, and the
region's totals. Texts from docs-2021/DescribeSnapshotLinks.en.md, DescribeSnapshotsUsage.en.md.
"""

from __future__ import annotations

from typing import Any, Dict, List

from conftest import REGION, Driver, expect_error, ready_disk, run_instance, walk_pages
from mock_ecs import MockEcs

GIB = 2**30


def links(client: Driver, **params: Any) -> List[Dict[str, Any]]:
    return client.call("DescribeSnapshotLinks", RegionId=REGION, **params)["SnapshotLinks"]["SnapshotLink"]


def test_a_chain_counts_its_snapshots_and_their_bytes(client: Driver, ecs: MockEcs) -> None:
    instance_id, disk_id = ready_disk(client, ecs, InstanceName="web")
    assert links(client) == []
    first = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    [link] = links(client)
    # Progressing: stored, but holding no data yet.
    assert (link["TotalCount"], link["TotalSize"]) == (1, 0)
    ecs.advance_clock(60)
    client.call("CreateSnapshot", DiskId=disk_id)
    ecs.advance_clock(60)
    [link] = links(client)
    snaps = client.call("DescribeSnapshots", RegionId=REGION, DiskId=disk_id)["Snapshots"]["Snapshot"]
    assert link == {**link, "SnapshotLinkId": snaps[0]["SnapshotLinkId"], "SourceDiskId": disk_id,
                    "SourceDiskSize": 40, "SourceDiskType": "system", "InstanceId": instance_id,
                    "InstanceName": "web", "RegionId": REGION, "TotalCount": 2, "TotalSize": 2 * 40 * GIB,
                    "Category": "standard", "InstantAccess": False}
    assert link["TotalSize"] == sum(s["FullSnapshotSizeInBytes"] for s in snaps)
    assert link["SnapshotLinkId"].startswith("sl-")
    usage = client.call("DescribeSnapshotsUsage", RegionId=REGION)
    assert (usage["SnapshotCount"], usage["SnapshotSize"]) == (2, 80 * GIB)
    # The disk's data size, when set, is what a snapshot holds.
    ecs.set_disk_data_size(disk_id, 1.5)
    client.call("CreateSnapshot", DiskId=disk_id)
    ecs.advance_clock(60)
    assert links(client)[0]["TotalSize"] == 80 * GIB + int(1.5 * GIB)
    client.call("DeleteSnapshot", SnapshotId=first)
    usage = client.call("DescribeSnapshotsUsage", RegionId=REGION)
    assert (usage["SnapshotCount"], usage["SnapshotSize"]) == (2, 40 * GIB + int(1.5 * GIB))
    assert client.call("DescribeSnapshotsUsage", RegionId="cn-beijing")["SnapshotCount"] == 0


def test_filters_are_anded_and_empty_arrays_find_nothing(client: Driver, ecs: MockEcs) -> None:
    a_inst, a_disk = ready_disk(client, ecs)
    b_inst = run_instance(client)
    ecs.advance_clock(ecs.settings.initialization_seconds)
    b_disk = client.call("DescribeDisks", RegionId=REGION, InstanceId=b_inst)["Disks"]["Disk"][0]["DiskId"]
    for disk in (a_disk, b_disk):
        client.call("CreateSnapshot", DiskId=disk)
    a_link, b_link = (links(client, DiskIds=f'["{d}"]')[0]["SnapshotLinkId"] for d in (a_disk, b_disk))
    assert [x["SourceDiskId"] for x in links(client)] == [b_disk, a_disk]  # newest chain first
    assert [x["SourceDiskId"] for x in links(client, InstanceId=a_inst)] == [a_disk]
    assert [x["SnapshotLinkId"] for x in links(client, SnapshotLinkIds=f'["{b_link}"]')] == [b_link]
    assert links(client, SnapshotLinkIds=f'["{b_link}"]', InstanceId=a_inst) == []
    assert links(client, DiskIds="[]") == [] and links(client, SnapshotLinkIds="[]") == []
    assert [x["SnapshotLinkId"] for x in links(client, DiskIds=f'["{a_disk}","{b_disk}"]',
                                                SnapshotLinkIds=f'["{a_link}"]')] == [a_link]
    expect_error(lambda: links(client, DiskIds="d-1"), "InvalidDiskIds", "The specified diskIds is invalid.", 400)
    expect_error(lambda: links(client, SnapshotLinkIds="[1]"), "InvalidSnapshotLinkIds",
                 "The specified snapshotLinkIds is invalid.", 400)
    many = "[" + ",".join(f'"d-{n}"' for n in range(101)) + "]"
    expect_error(lambda: links(client, DiskIds=many), "InvalidDiskIds", "The specified diskIds is invalid.", 400)


def test_both_paging_styles(client: Driver, ecs: MockEcs) -> None:
    disks = []
    for _ in range(12):
        _, disk = ready_disk(client, ecs)
        client.call("CreateSnapshot", DiskId=disk)
        disks.append(disk)
    first = client.call("DescribeSnapshotLinks", RegionId=REGION)
    assert (first["TotalCount"], first["PageNumber"], first["PageSize"]) == (12, 1, 10)
    second = client.call("DescribeSnapshotLinks", RegionId=REGION, PageNumber=2, PageSize=10)
    shown = [x["SourceDiskId"] for p in (first, second) for x in p["SnapshotLinks"]["SnapshotLink"]]
    assert shown == disks[::-1]
    # NextToken/MaxResults: below 10 reads as 10 (the metadata), above 100 as 100.
    pages = list(walk_pages(lambda **p: client.call("DescribeSnapshotLinks", RegionId=REGION, **p), MaxResults=3))
    assert [len(p["SnapshotLinks"]["SnapshotLink"]) for p in pages] == [10, 2]
    assert [x["SourceDiskId"] for p in pages for x in p["SnapshotLinks"]["SnapshotLink"]] == disks[::-1]
    expect_error(lambda: client.call("DescribeSnapshotLinks", RegionId=REGION, PageSize=101),
                 "InvalidPageSize.Malformed")


def test_unknown_regions_in_each_actions_words(client: Driver, ecs: MockEcs) -> None:
    expect_error(lambda: client.call("DescribeSnapshotLinks", RegionId="xx-nowhere-1"),
                 "InvalidRegionId", "The specified regionId is invalid.", 400)
    expect_error(lambda: client.call("DescribeSnapshotsUsage", RegionId="xx-nowhere-1"),
                 "InvalidParam.RegionId", "The specified region is not exist.", 403)
