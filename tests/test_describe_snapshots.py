"""DescribeSnapshots: every filter of actions/DescribeSnapshots.md and meta/en-US, ANDed, with
the documented value rules and errors; both paging styles; NextToken safety; DryRun; indexes.

Each scenario runs through aliyunsdkcore and the Tea SDK (the ``client`` fixture). Most run
on a "fast" mock (no initialisation window, snapshots finish at once, a large quota) so that
many snapshots are cheap; the ones about ``progressing`` use the default timings. Error codes,
messages and HTTP statuses are copied byte for byte from the reference (typos included).
"""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from freezegun import freeze_time

from conftest import REGION, Driver, disks_of, expect_error, ready_disk, run_instance, system_disk, walk_pages
from mock_ecs import MockEcs
from mock_ecs.backend import DEFAULT_ACCOUNT_ID, RegionState
from mock_ecs.router import META, lookup, unsupported_filter

FAST = {"initialization_seconds": 0, "snapshot_min_seconds": 0, "snapshot_seconds_per_gib": 0,
        "snapshot_quota": 1000}
DATA_DISK = {"DataDisk.1.Category": "cloud_efficiency", "DataDisk.1.Size": 20}

# actions/DescribeSnapshots.md (2021 error table) and FACTS.md section 9, byte for byte.
ERRORS: Dict[str, Tuple[int, str]] = {
    "InvalidSnapshotIds.Malformed": (403, "The amount of specified specified snapshot Ids exceeds the limit."),
    "InvalidStatus.NotFound": (404, "The specified Status is not found."),  # the newer reference's
    "InvalidSnapshotType.NotFound": (404, "The specfied SnapshotType is not found"),
    "InvalidUsage": (404, "The specifed Usage is not valid"),
    "InvalidSourceDiskType": (404, "The specifed SourceDiskType is not valid"),
    "InvalidSnapshotCategory.Malformed": (403, "The specified Category is not valid."),
    "InvalidSnapshotLinkId.NotFound": (404, "The specified snapshot link is not found."),
    # [DOC21] leaves the message empty; [DOCNEW] gives this one.
    "InvalidFilterKey.NotFound": (404, "The specified FilterKey is not found."),
    "InvalidFilterValue": (404, "The specified FilterValue exceeds the limit."),
    "InvalidTagCount": (400, "The specified tags are beyond the permitted range."),
    "InvalidTag.Mismatch": (400, "The specified Tag.n.Key and Tag.n.Value are not match."),
    # The mock's own texts (mock_ecs/errors.py): the reference has none for these.
    "InvalidNextToken.Malformed": (400, "The specified parameter NextToken is not valid."),
    "InvalidPageSize.Malformed": (400, "The specified parameter PageSize is not valid."),
    "InvalidPageNumber.Malformed": (400, "The specified parameter PageNumber is not valid."),
    "DryRunOperation": (400, "Request validation has been passed with DryRun flag set."),
}


# --- helpers ------------------------------------------------------------------------------
@pytest.fixture
def fast(ecs: MockEcs) -> Iterator[MockEcs]:
    """A mock where snapshots finish at once and disks take snapshots right after creation."""
    with MockEcs(**FAST) as handle:
        yield handle


def describe(client: Driver, **params: Any) -> Dict[str, Any]:
    return client.call("DescribeSnapshots", RegionId=params.pop("RegionId", REGION), **params)


def ids_of(out: Dict[str, Any]) -> List[str]:
    return [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]]


def found(client: Driver, **params: Any) -> List[str]:
    return ids_of(describe(client, PageSize=100, **params))


def fails(client: Driver, code: str, **params: Any) -> None:
    status, message = ERRORS[code]
    expect_error(lambda: describe(client, **params), code, message, status)


def snap(client: Driver, disk_id: str, **params: Any) -> str:
    return client.call("CreateSnapshot", DiskId=disk_id, **params)["SnapshotId"]


def instance_with_data_disk(client: Driver) -> Tuple[str, str, str]:
    """(instance, system disk, data disk) of a running instance."""
    inst = run_instance(client, **DATA_DISK)
    disks = {d["Type"]: d["DiskId"] for d in disks_of(client, inst)}
    return inst, disks["system"], disks["data"]


def fill(client: Driver, disks: List[str], count: int) -> List[str]:
    """``count`` snapshots spread round-robin over ``disks``; oldest first."""
    return [snap(client, disks[n % len(disks)]) for n in range(count)]


def newest_first(made: List[str]) -> List[str]:
    return list(reversed(made))


def pages(client: Driver, **params: Any) -> Iterator[Dict[str, Any]]:
    """Every page by NextToken (see ``walk_pages``)."""
    return walk_pages(lambda **p: describe(client, **p), **params)


def walk(client: Driver, **params: Any) -> List[str]:
    """The IDs of every page by NextToken."""
    seen: List[str] = []
    for out in pages(client, **params):
        if out["NextToken"]:
            assert len(ids_of(out)) > 0  # only the last page may be empty
        seen += ids_of(out)
    return seen


def three_snapshots(client: Driver, mock: MockEcs) -> Tuple[str, str]:
    """A disk with three snapshots, and the NextToken of a first page of one."""
    _, disk = ready_disk(client, mock)
    fill(client, [disk], 3)
    return disk, describe(client, MaxResults=1)["NextToken"]


def region_state(handle: MockEcs) -> RegionState:
    return handle.backend.accounts[DEFAULT_ACCOUNT_ID].regions[REGION]


# =========================================================================================
# The filter list: every real parameter is implemented (none answers FilterNotSupported).
# =========================================================================================
def test_every_real_parameter_is_declared():
    spec = lookup("DescribeSnapshots")
    assert spec is not None and spec.strict
    everything = {name: "x" for name in META["DescribeSnapshots"]}
    everything.update({"Tag.1.Key": "k", "Tag.1.Value": "v", "Tag.2.key": "k", "Tag.2.value": "v"})
    assert unsupported_filter(spec, everything) is None
    assert "SnapshotLinkId" in META["DescribeSnapshots"]


def test_every_filter_at_once_is_accepted(client, fast):
    inst, disk, _ = instance_with_data_disk(client)
    made = snap(client, disk, SnapshotName="all-filters", ResourceGroupId="rg-aek2abc", **{
        "Tag.1.Key": "env", "Tag.1.Value": "prod"})
    link = describe(client, SnapshotIds=json.dumps([made]))["Snapshots"]["Snapshot"][0]["SnapshotLinkId"]
    out = describe(
        client, InstanceId=inst, DiskId=disk, SnapshotIds=json.dumps([made]), SnapshotLinkId=link,
        SnapshotName="all-filters", Status="accomplished", SnapshotType="user", SourceDiskType="System",
        Usage="none", Encrypted=False, Category="Standard", ResourceGroupId="rg-aek2abc",
        **{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Filter.1.Key": "CreationStartTime",
           "Filter.1.Value": "2000-01-01T00:00Z", "Filter.2.Key": "CreationEndTime",
           "Filter.2.Value": "2999-01-01T00:00Z"},
        DryRun=False, PageNumber=1, PageSize=10,
    )
    assert ids_of(out) == [made]
    # One filter more that does not hold empties the answer (the filters are ANDed).
    assert ids_of(describe(client, DiskId=disk, SnapshotIds=json.dumps([made]), SnapshotLinkId=link,
                           SnapshotName="all-filters", Status="progressing")) == []


# =========================================================================================
# The response.
# =========================================================================================
def test_response_shape_and_snapshot_link_id(client, fast):
    _, system, data = instance_with_data_disk(client)
    a1, b1, a2 = snap(client, system), snap(client, data), snap(client, system)
    out = describe(client)
    assert {"RequestId", "TotalCount", "PageNumber", "PageSize", "NextToken", "Snapshots"} <= set(out)
    assert (out["TotalCount"], out["PageNumber"], out["PageSize"], out["NextToken"]) == (3, 1, 10, "")
    items = {s["SnapshotId"]: s for s in out["Snapshots"]["Snapshot"]}
    assert ids_of(out) == [a2, b1, a1]
    links = {sid: items[sid]["SnapshotLinkId"] for sid in items}
    for link in links.values():
        assert link.startswith("sl-") and len(link) == 23 and link[3:].isalnum() and link[3:].islower()
    # One chain per disk.
    assert links[a1] == links[a2] != links[b1]


def test_every_model_field_with_its_type(client, ecs):
    """The fields of the SDK model that users missed: the full size once accomplished, the
    instant-access days only with instant access, a copy's source fields empty."""
    disk_id = system_disk(client, run_instance(client))
    ecs.advance_clock(3600)
    ecs.set_disk_data_size(disk_id, 3.5)
    plain = snap(client, disk_id)
    shown = describe(client, SnapshotIds=json.dumps([plain]))["Snapshots"]["Snapshot"][0]
    assert (shown["Status"], shown["FullSnapshotSizeInBytes"]) == ("progressing", 0)
    assert (shown["SourceSnapshotId"], shown["SourceRegionId"]) == ("", "")
    assert "InstantAccessRetentionDays" not in shown and "RetentionDays" not in shown
    ecs.advance_clock(3600)
    fast_one = snap(client, disk_id, InstantAccess=True, RetentionDays=7)
    ecs.advance_clock(3600)
    items = {s["SnapshotId"]: s for s in describe(client)["Snapshots"]["Snapshot"]}
    assert items[plain]["FullSnapshotSizeInBytes"] == int(3.5 * 2**30)
    assert isinstance(items[plain]["FullSnapshotSizeInBytes"], int)
    assert (items[fast_one]["InstantAccess"], items[fast_one]["InstantAccessRetentionDays"]) == (True, 7)
    assert items[fast_one]["RetentionDays"] == 7


# =========================================================================================
# SnapshotIds: a JSON array of up to 100 IDs; [] is an empty answer; more is an error.
# =========================================================================================
def test_snapshot_ids(client, fast):
    _, disk, other = instance_with_data_disk(client)
    made = fill(client, [disk, other], 5)
    # Newest first whatever the order asked; duplicates and unknown IDs add nothing.
    asked = [made[0], made[3], made[0], "s-bp1doesnotexist0000", made[2]]
    out = describe(client, SnapshotIds=json.dumps(asked))
    assert ids_of(out) == [made[3], made[2], made[0]] and out["TotalCount"] == 3
    empty = describe(client, SnapshotIds="[]")
    assert (ids_of(empty), empty["TotalCount"]) == ([], 0)
    # 100 IDs are fine; 101 are refused.
    hundred = made + [f"s-bp1unknown{n:09d}" for n in range(95)]
    assert len(hundred) == 100 and sorted(found(client, SnapshotIds=json.dumps(hundred))) == sorted(made)
    fails(client, "InvalidSnapshotIds.Malformed", SnapshotIds=json.dumps(hundred + ["s-bp1onetoomany00000"]))
    # ANDed with DiskId.
    assert found(client, SnapshotIds=json.dumps(made), DiskId=other) == [made[3], made[1]]


# =========================================================================================
# SnapshotLinkId: one chain ID or a JSON array of them (up to 100).
# An ID no chain of the region ever had answers InvalidSnapshotLinkId.NotFound (documented);
# a chain that exists but has no matching snapshot answers an empty page.
# =========================================================================================
def _link(client: Driver, snapshot_id: str) -> str:
    return describe(client, SnapshotIds=json.dumps([snapshot_id]))["Snapshots"]["Snapshot"][0]["SnapshotLinkId"]


def test_snapshot_link_id_filter(client, fast):
    _, disk, other = instance_with_data_disk(client)
    _, third = ready_disk(client, fast)
    made = fill(client, [disk, other, third], 6)
    link_a, link_b = _link(client, made[0]), _link(client, made[1])
    assert found(client, SnapshotLinkId=link_a) == [made[3], made[0]]
    assert found(client, SnapshotLinkId=json.dumps([link_a])) == [made[3], made[0]]
    assert found(client, SnapshotLinkId=json.dumps([link_b, link_a])) == [made[4], made[3], made[1], made[0]]
    assert found(client, SnapshotLinkId="[]") == []
    # ANDed with the other ID filters.
    assert found(client, SnapshotLinkId=link_a, DiskId=other) == []
    assert found(client, SnapshotLinkId=link_a, SnapshotIds=json.dumps(made[:2])) == [made[0]]
    # Paged like any other filter.
    assert walk(client, SnapshotLinkId=json.dumps([link_a, link_b]), MaxResults=1) == [
        made[4], made[3], made[1], made[0]]


def test_snapshot_link_id_unknown_and_emptied_chain(client, fast):
    _, disk = ready_disk(client, fast)
    only = snap(client, disk)
    link = _link(client, only)
    fails(client, "InvalidSnapshotLinkId.NotFound", SnapshotLinkId="sl-bp1doesnotexist0000")
    fails(client, "InvalidSnapshotLinkId.NotFound", SnapshotLinkId=json.dumps([link, "sl-bp1doesnotexist0000"]))
    # A chain of another region is not found in this one.
    fails(client, "InvalidSnapshotLinkId.NotFound", SnapshotLinkId=link, RegionId="cn-beijing")
    client.call("DeleteSnapshot", SnapshotId=only)
    assert found(client, SnapshotLinkId=link) == []
    # The disk keeps its chain: the next snapshot joins it.
    again = snap(client, disk)
    assert _link(client, again) == link and found(client, SnapshotLinkId=link) == [again]


def test_snapshot_link_id_more_than_100_is_invalid(client, fast):
    _, disk = ready_disk(client, fast)
    link = _link(client, snap(client, disk))
    expect_error(lambda: describe(client, SnapshotLinkId=json.dumps([link] * 101)), "InvalidParameter",
                 'The specified parameter "SnapshotLinkId" is not valid.', 400)
    assert len(found(client, SnapshotLinkId=json.dumps([link] * 100))) == 1


# =========================================================================================
# Status: progressing | accomplished | failed | all (default).
# =========================================================================================
def test_status_filter(client, ecs):
    _, disk = ready_disk(client, ecs)
    done = snap(client, disk)
    ecs.advance_clock(60)  # a 40 GiB system disk: 60 s
    running = snap(client, disk)
    assert found(client, Status="progressing") == [running]
    assert found(client, Status="accomplished") == [done]
    assert found(client, Status="failed") == []
    assert found(client, Status="all") == found(client) == [running, done]
    ecs.advance_clock(60)
    assert found(client, Status="accomplished") == [running, done]
    assert found(client, Status="progressing") == []


@pytest.mark.parametrize("value", ["Accomplished", "ALL", "done", "creating", " all"])
def test_status_outside_the_set(client, ecs, value):
    fails(client, "InvalidStatus.NotFound", Status=value)


# =========================================================================================
# SnapshotType: auto | user | all (default). "auto": taken by an automatic snapshot policy.
# =========================================================================================
def test_snapshot_type_filter(client, fast):
    _, disk = ready_disk(client, fast)
    made = fill(client, [disk], 2)
    assert found(client, SnapshotType="user") == found(client, SnapshotType="all") == newest_first(made)
    assert found(client, SnapshotType="auto") == []
    assert all(s["SnapshotType"] == "user" for s in describe(client)["Snapshots"]["Snapshot"])


def test_snapshot_type_tells_automatic_from_manual(client, fast):
    """A policy's snapshot is "auto", a CreateSnapshot one "user"; the filter and the view agree,
    from the table and from the disk's index alike."""
    with freeze_time("2026-03-02 00:00:00"):  # a Monday, 08:00 UTC+8
        inst, disk, data = instance_with_data_disk(client)
        manual = snap(client, disk)
        policy = client.call("CreateAutoSnapshotPolicy", regionId=REGION, timePoints='["9"]',
                             repeatWeekdays='["1"]', retentionDays=-1)["AutoSnapshotPolicyId"]
        client.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy,
                    diskIds=json.dumps([disk]))
        fast.advance_clock(3600)  # 09:00 UTC+8: the policy fires
        later = snap(client, data)
        (auto,) = found(client, SnapshotType="auto")
        assert auto not in (manual, later)
        assert found(client, SnapshotType="user") == [later, manual]
        assert found(client, SnapshotType="all") == found(client) == [later, auto, manual]
        assert found(client, SnapshotType="auto", DiskId=disk) == [auto]
        assert found(client, SnapshotType="user", DiskId=disk) == [manual]
        assert found(client, SnapshotType="auto", DiskId=data) == []
        assert found(client, SnapshotType="auto", InstanceId=inst) == [auto]
        assert found(client, SnapshotType="auto", SnapshotIds=json.dumps([manual, auto, later])) == [auto]
        view = {s["SnapshotId"]: s for s in describe(client)["Snapshots"]["Snapshot"]}
        assert {sid: v["SnapshotType"] for sid, v in view.items()} == {later: "user", auto: "auto", manual: "user"}
        assert view[auto]["SnapshotName"] == f"auto2.0_20260302_{policy}"
        assert view[auto]["CreationTime"] == "2026-03-02T01:00:00Z"
        # The "auto" prefix stays reserved for the policies' names.
        expect_error(lambda: snap(client, data, SnapshotName=f"auto2.0_20260302_{policy}"),
                     "InvalidSnapshotName.Malformed", "The specified SnapshotName is wrongly formed.", 400)


@pytest.mark.parametrize("value", ["timer", "manual", "User", "copied"])
def test_snapshot_type_outside_the_set(client, ecs, value):
    fails(client, "InvalidSnapshotType.NotFound", SnapshotType=value)


# =========================================================================================
# SourceDiskType: system | data, case-insensitive (System/Data in the 2021 docs).
# =========================================================================================
def test_source_disk_type_is_case_insensitive(client, fast):
    _, system, data = instance_with_data_disk(client)
    sys_snap, data_snap = snap(client, system), snap(client, data)
    for value in ("system", "System", "SYSTEM"):
        assert found(client, SourceDiskType=value) == [sys_snap]
    for value in ("data", "Data", "DATA"):
        assert found(client, SourceDiskType=value) == [data_snap]
    shown = {s["SnapshotId"]: s["SourceDiskType"] for s in describe(client)["Snapshots"]["Snapshot"]}
    assert shown == {sys_snap: "system", data_snap: "data"}  # lowercase in the answer


@pytest.mark.parametrize("value", ["root", "all", "systemdisk"])
def test_source_disk_type_outside_the_set(client, ecs, value):
    fails(client, "InvalidSourceDiskType", SourceDiskType=value)


# =========================================================================================
# Usage: image | disk | image_disk | none.
# =========================================================================================
def test_usage_filter(client, fast):
    inst, system, data = instance_with_data_disk(client)
    zone = disks_of(client, inst)[0]["ZoneId"]
    for_image, for_disk, for_both, unused = fill(client, [system, data], 4)
    client.call("CreateImage", RegionId=REGION, SnapshotId=for_image, ImageName="from-snapshot")
    client.call("CreateDisk", RegionId=REGION, ZoneId=zone, SnapshotId=for_disk)
    client.call("CreateImage", RegionId=REGION, SnapshotId=for_both, ImageName="from-snapshot-2")
    client.call("CreateDisk", RegionId=REGION, ZoneId=zone, SnapshotId=for_both)
    assert found(client, Usage="image") == [for_image]
    assert found(client, Usage="disk") == [for_disk]
    assert found(client, Usage="image_disk") == [for_both]
    assert found(client, Usage="none") == [unused]
    shown = {s["SnapshotId"]: s["Usage"] for s in describe(client)["Snapshots"]["Snapshot"]}
    assert shown == {for_image: "image", for_disk: "disk", for_both: "image_disk", unused: "none"}


@pytest.mark.parametrize("value", ["Image", "unused", "images", "all"])
def test_usage_outside_the_set(client, ecs, value):
    fails(client, "InvalidUsage", Usage=value)


# =========================================================================================
# Category: Standard | Flash | archive (case-insensitive); other values are malformed.
# =========================================================================================
def test_category_filter(client, fast):
    _, disk = ready_disk(client, fast)
    made = snap(client, disk)
    for value in ("Standard", "standard", "STANDARD"):
        assert found(client, Category=value) == [made]
    assert found(client, Category="Flash") == found(client, Category="archive") == []


@pytest.mark.parametrize("value", ["premium", "local", "standard-1"])
def test_category_outside_the_set(client, ecs, value):
    fails(client, "InvalidSnapshotCategory.Malformed", Category=value)


# =========================================================================================
# Filter.1/2: CreationStartTime and CreationEndTime, yyyy-MM-ddTHH:mmZ, UTC, bounds included.
# =========================================================================================
def test_creation_time_filters(client, fast):
    with freeze_time("2026-03-01 09:55:00", tick=False) as clock:
        _, disk = ready_disk(client, fast)
        clock.move_to("2026-03-01 10:00:00")
        early = snap(client, disk)
        clock.move_to("2026-03-01 10:05:00")
        middle = snap(client, disk)
        clock.move_to("2026-03-01 10:10:30")
        late = snap(client, disk)
        start = {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2026-03-01T10:05Z"}
        end = {"Filter.2.Key": "CreationEndTime", "Filter.2.Value": "2026-03-01T10:05Z"}
        assert found(client, **start) == [late, middle]
        assert found(client, **end) == [middle, early]
        assert found(client, **start, **end) == [middle]
        # Either key in either slot.
        assert found(client, **{"Filter.2.Key": "CreationStartTime", "Filter.2.Value": "2026-03-01T10:10Z"}) == [late]
        assert found(client, **{"Filter.1.Key": "CreationEndTime", "Filter.1.Value": "2026-03-01T10:00Z"}) == [early]
        # An empty window.
        assert found(client, **{"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2026-03-01T10:11Z"}) == []
        # ANDed with the other filters.
        assert found(client, DiskId=disk, Status="accomplished", **start) == [late, middle]


@pytest.mark.parametrize("params,code", [
    ({"Filter.1.Key": "CreationTime", "Filter.1.Value": "2026-03-01T10:05Z"}, "InvalidFilterKey.NotFound"),
    ({"Filter.2.Key": "creationendtime", "Filter.2.Value": "2026-03-01T10:05Z"}, "InvalidFilterKey.NotFound"),
    ({"Filter.1.Value": "2026-03-01T10:05Z"}, "InvalidFilterKey.NotFound"),
    ({"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "yesterday"}, "InvalidFilterValue"),
    ({"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2026-03-01 10:05"}, "InvalidFilterValue"),
    ({"Filter.2.Key": "CreationEndTime", "Filter.2.Value": "2026-13-01T10:05Z"}, "InvalidFilterValue"),
    ({"Filter.2.Key": "CreationEndTime"}, "InvalidFilterValue"),
], ids=["unknown_key", "key_case", "value_without_key", "not_a_time", "no_T_Z", "month_13", "key_without_value"])
def test_creation_time_filter_errors(client, ecs, params, code):
    fails(client, code, **params)


# =========================================================================================
# Tag.N.Key / Tag.N.Value (N 1..20; lowercase .key/.value too): a Key alone matches any value.
# =========================================================================================
def test_tag_filters(client, fast):
    _, disk = ready_disk(client, fast)
    prod = snap(client, disk, **{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "team", "Tag.2.Value": "a"})
    dev = snap(client, disk, **{"Tag.1.Key": "env", "Tag.1.Value": "dev"})
    blank = snap(client, disk, **{"Tag.1.Key": "env", "Tag.1.Value": ""})
    snap(client, disk)
    assert found(client, **{"Tag.1.Key": "env"}) == [blank, dev, prod]
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "prod"}) == [prod]
    assert found(client, **{"Tag.1.key": "env", "Tag.1.value": "dev"}) == [dev]
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": ""}) == [blank]
    # Several tags are ANDed.
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "team"}) == [prod]
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "dev", "Tag.2.Key": "team"}) == []
    assert found(client, **{"Tag.1.Key": "owner"}) == []
    # 20 tags are allowed.
    twenty = {f"Tag.{n}.Key": "env" for n in range(1, 21)}
    assert found(client, **twenty) == [blank, dev, prod]
    shown = describe(client, SnapshotIds=json.dumps([prod]))["Snapshots"]["Snapshot"][0]["Tags"]
    assert shown == {"Tag": [{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "a"}]}


@pytest.mark.parametrize("params,code", [
    ({f"Tag.{n}.Key": f"k{n}" for n in range(1, 22)}, "InvalidTagCount"),
    ({"Tag.21.Key": "env"}, "InvalidTagCount"),
    ({"Tag.1.Value": "prod"}, "InvalidTag.Mismatch"),
    ({"Tag.1.Key": "env", "Tag.2.Value": "prod"}, "InvalidTag.Mismatch"),
    ({"Tag.1.Key": "", "Tag.1.Value": "prod"}, "InvalidTag.Mismatch"),
], ids=["21_tags", "n_21", "value_without_key", "value_of_another_n", "empty_key"])
def test_tag_filter_errors(client, ecs, params, code):
    fails(client, code, **params)


# =========================================================================================
# The plain equality filters, and DiskId/InstanceId; all ANDed.
# =========================================================================================
def test_name_group_encryption_kms_disk_and_instance(client, fast):
    inst, system, data = instance_with_data_disk(client)
    secret = client.call("CreateDisk", RegionId=REGION, InstanceId=inst, Size=20, Encrypted=True,
                         KMSKeyId="0e478b7a-4262-4802-b8cb-00d3fb40aaaa")["DiskId"]
    other_inst = run_instance(client)
    other = system_disk(client, other_inst)
    named = snap(client, system, SnapshotName="nightly", ResourceGroupId="rg-aek2one")
    plain = snap(client, data)
    locked = snap(client, secret, SnapshotName="nightly")
    elsewhere = snap(client, other, ResourceGroupId="rg-aek2one")
    assert found(client, SnapshotName="nightly") == [locked, named]
    assert found(client, SnapshotName="Nightly") == []
    assert found(client, ResourceGroupId="rg-aek2one") == [elsewhere, named]
    assert found(client, Encrypted=True) == [locked]
    assert found(client, Encrypted=False) == [elsewhere, plain, named]
    assert found(client, KMSKeyId="0e478b7a-4262-4802-b8cb-00d3fb40aaaa") == [locked]
    assert found(client, DiskId=data) == [plain]
    assert found(client, DiskId="d-bp1doesnotexist0000") == []
    assert found(client, InstanceId=inst) == [locked, plain, named]
    assert found(client, InstanceId=other_inst) == [elsewhere]
    assert found(client, InstanceId="i-bp1doesnotexist0000") == []
    # ANDed.
    assert found(client, InstanceId=inst, SnapshotName="nightly") == [locked, named]
    assert found(client, InstanceId=inst, SnapshotName="nightly", Encrypted=False) == [named]
    assert found(client, InstanceId=inst, DiskId=other) == []
    assert found(client, InstanceId=inst, ResourceGroupId="rg-aek2one", SourceDiskType="data") == []
    assert found(client, DiskId=secret, SnapshotName="nightly", Encrypted=True, SourceDiskType="Data") == [locked]
    expect_error(lambda: describe(client, Encrypted="maybe"), "InvalidParameter",
                 'The specified parameter "Encrypted" is not valid.', 400)


def test_snapshots_of_another_region_are_not_shown(client, fast):
    _, disk = ready_disk(client, fast)
    made = snap(client, disk)
    assert found(client) == [made]
    out = describe(client, RegionId="cn-beijing")
    assert (ids_of(out), out["TotalCount"]) == ([], 0)
    assert found(client, RegionId="cn-beijing", SnapshotIds=json.dumps([made])) == []


# =========================================================================================
# PageNumber / PageSize: PageSize 1..100, default 10; pages newest first.
# =========================================================================================
def test_page_number_paging(client, fast):
    _, system, data = instance_with_data_disk(client)
    made = fill(client, [system, data], 23)
    first = describe(client)
    assert (first["PageNumber"], first["PageSize"], first["TotalCount"]) == (1, 10, 23)
    assert ids_of(first) == newest_first(made)[:10]
    pages = [ids_of(describe(client, PageNumber=n, PageSize=7)) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [7, 7, 7, 2]
    assert sum(pages, []) == newest_first(made)
    # Beyond the end: an empty page that still tells the total.
    beyond = describe(client, PageNumber=5, PageSize=7)
    assert (ids_of(beyond), beyond["TotalCount"], beyond["PageNumber"], beyond["PageSize"]) == ([], 23, 5, 7)
    far = describe(client, PageNumber=1000, PageSize=100, DiskId=data)
    assert (ids_of(far), far["TotalCount"]) == ([], 11)
    # With a filter the total is the filtered total.
    filtered = describe(client, DiskId=system, PageSize=5, PageNumber=3)
    assert filtered["TotalCount"] == 12 and ids_of(filtered) == newest_first(made[0::2])[10:15]


def test_page_size_bounds(client, fast):
    _, system, data = instance_with_data_disk(client)
    made = fill(client, [system, data], 105)
    out = describe(client, PageSize=100)
    assert (len(ids_of(out)), out["TotalCount"]) == (100, 105)
    assert ids_of(describe(client, PageSize=100, PageNumber=2)) == newest_first(made)[100:]
    assert ids_of(describe(client, PageSize=1)) == [made[-1]]
    for bad in (101, 0, -1):
        fails(client, "InvalidPageSize.Malformed", PageSize=bad)
    for bad in (0, -3):
        fails(client, "InvalidPageNumber.Malformed", PageNumber=bad)
    # Not an Integer at all: the gateway's type check (metadata), before the range.
    for name in ("PageSize", "PageNumber"):
        expect_error(lambda name=name: describe(client, **{name: "ten"}),
                     "InvalidParameter", f'The specified parameter "{name}" is not valid.', 400)


# =========================================================================================
# NextToken / MaxResults: MaxResults up to 100, default 10.
# =========================================================================================
def test_next_token_walk_returns_everything_once(client, fast):
    _, system, data = instance_with_data_disk(client)
    made = fill(client, [system, data], 25)
    first = describe(client, MaxResults=10)
    assert ids_of(first) == newest_first(made)[:10] and first["NextToken"] and first["PageSize"] == 10
    assert "PageNumber" not in first
    # The token alone: MaxResults defaults to 10.
    second = describe(client, NextToken=first["NextToken"])
    assert ids_of(second) == newest_first(made)[10:20]
    for size in (1, 3, 10, 24, 25, 100):
        assert walk(client, MaxResults=size) == newest_first(made), size
    # A page of the PageNumber style hands out a token too; the walk continues from it.
    assert walk(client, PageSize=4) == newest_first(made)
    # With a filter: the DiskId index.
    assert walk(client, DiskId=data, MaxResults=4) == newest_first(made[1::2])
    assert walk(client, Status="accomplished", SourceDiskType="system", MaxResults=5) == newest_first(made[0::2])


def test_max_results_bounds(client, fast):
    _, system, data = instance_with_data_disk(client)
    made = fill(client, [system, data], 130)
    assert ids_of(describe(client, MaxResults=100)) == newest_first(made)[:100]
    # Above the maximum: clamped to 100 (the reference names no error).
    assert len(ids_of(describe(client, MaxResults=500))) == 100
    assert ids_of(describe(client, MaxResults=1)) == [made[-1]]
    expect_error(lambda: describe(client, MaxResults="many"), "InvalidParameter",
                 'The specified parameter "MaxResults" is not valid.', 400)


def test_next_token_walk_while_snapshots_come_and_go(client, fast):
    _, system, data = instance_with_data_disk(client)
    made = fill(client, [system, data], 30)
    order = newest_first(made)
    shown: List[str] = []
    created: List[str] = []
    deleted: List[str] = []

    walked = 0
    for out in pages(client, MaxResults=4):
        shown += ids_of(out)
        walked += 1
        if not out["NextToken"]:
            break
        # Between pages: delete one snapshot already shown and one not reached yet; create two new ones.
        victims = [next(s for s in shown if s not in deleted)]
        ahead = [s for s in order if s not in shown and s not in deleted]
        victims += ahead[-1:]
        for victim in victims:
            client.call("DeleteSnapshot", SnapshotId=victim)
            deleted.append(victim)
        created.extend([snap(client, system), snap(client, data)])
    assert walked >= 5 and len(deleted) >= 8 and len(created) >= 8
    assert len(shown) == len(set(shown))  # no repeats
    assert not set(shown) & set(created)  # newer than the walk: not mixed into it
    survivors = [s for s in order if s not in deleted]
    assert [s for s in shown if s in survivors] == survivors  # each survivor once, newest first
    assert [s for s in order if s in shown] == shown  # newest first throughout
    # Those deleted before the walk reached them never show.
    assert all(s in shown for s in deleted[0::2])
    assert not any(s in shown for s in deleted[1::2])


def test_next_token_from_the_page_before_a_deleted_item(client, fast):
    _, disk = ready_disk(client, fast)
    made = fill(client, [disk], 6)
    first = describe(client, MaxResults=2)
    assert ids_of(first) == [made[5], made[4]]
    # The last item shown is deleted before the next page: the walk goes on after it.
    client.call("DeleteSnapshot", SnapshotId=made[4])
    client.call("DeleteSnapshot", SnapshotId=made[3])
    assert ids_of(describe(client, MaxResults=2, NextToken=first["NextToken"])) == [made[2], made[1]]


def _garble(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]


def _forge(token: str) -> str:
    """The same body with the last seq moved, re-encoded, keeping the old signature."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    body, sig = raw.rsplit("|", 1)
    parts = json.loads(body)
    parts[1] += 1
    return base64.urlsafe_b64encode(f"{json.dumps(parts, separators=(',', ':'))}|{sig}".encode()).decode()


def test_bad_next_tokens(client, fast):
    _, system, data = instance_with_data_disk(client)
    fill(client, [system, data], 6)
    token = describe(client, MaxResults=2)["NextToken"]
    disk_token = describe(client, MaxResults=1, DiskId=system)["NextToken"]
    assert describe(client, NextToken=token)["Snapshots"]["Snapshot"]
    bad = {
        "docs_example": "caeba0bbb2be03f84eb48b699f0a4883",
        "garbled": _garble(token),
        "truncated": token[:-3],
        "forged_body": _forge(token),
        "not_base64": "%%%not a token%%%",
        "json_only": base64.urlsafe_b64encode(b'["DescribeSnapshots",1,"x","y"]').decode(),
    }
    for value in bad.values():
        fails(client, "InvalidNextToken.Malformed", NextToken=value)
    # Bound to its filters: another DiskId, or a filter added, or a filter dropped.
    fails(client, "InvalidNextToken.Malformed", NextToken=disk_token, DiskId=data)
    fails(client, "InvalidNextToken.Malformed", NextToken=disk_token)
    fails(client, "InvalidNextToken.Malformed", NextToken=token, Status="accomplished")
    # Bound to its region.
    fails(client, "InvalidNextToken.Malformed", NextToken=token, RegionId="cn-beijing")
    # MaxResults may change between pages: it is not a filter.
    assert len(ids_of(describe(client, NextToken=token, MaxResults=3))) == 3


def test_next_token_of_another_action(client, fast):
    inst, _, _ = instance_with_data_disk(client)
    run_instance(client)
    fill(client, [d["DiskId"] for d in disks_of(client, inst)], 4)
    disks_token = client.call("DescribeDisks", RegionId=REGION, PageSize=1)["NextToken"]
    assert disks_token
    fails(client, "InvalidNextToken.Malformed", NextToken=disks_token)


def test_next_token_from_before_a_reset(client, fast):
    _, token = three_snapshots(client, fast)
    fast.reset()
    three_snapshots(client, fast)
    fails(client, "InvalidNextToken.Malformed", NextToken=token)


def test_next_token_of_another_mock(client, fast):
    _, token = three_snapshots(client, fast)
    with MockEcs(**FAST) as other:
        three_snapshots(client, other)
        fails(client, "InvalidNextToken.Malformed", NextToken=token)


# =========================================================================================
# DryRun: DryRunOperation when the request would succeed; its own error when it would fail.
# =========================================================================================
def test_dry_run(client, fast):
    disk, token = three_snapshots(client, fast)
    fails(client, "DryRunOperation", DryRun=True)
    fails(client, "DryRunOperation", DryRun=True, DiskId=disk, Status="accomplished")
    fails(client, "DryRunOperation", DryRun=True, NextToken=token)
    fails(client, "DryRunOperation", DryRun=True, SnapshotIds="[]")
    # A request that would fail answers its failure.
    fails(client, "InvalidStatus.NotFound", DryRun=True, Status="done")
    fails(client, "InvalidSnapshotIds.Malformed", DryRun=True, SnapshotIds=json.dumps(["s-x"] * 101))
    fails(client, "InvalidTag.Mismatch", DryRun=True, **{"Tag.1.Value": "v"})
    fails(client, "InvalidNextToken.Malformed", DryRun=True, NextToken=_garble(token))
    fails(client, "InvalidPageSize.Malformed", DryRun=True, PageSize=101)
    fails(client, "InvalidSnapshotLinkId.NotFound", DryRun=True, SnapshotLinkId="sl-bp1doesnotexist0000")
    # DryRun=false is a normal call.
    assert len(ids_of(describe(client, DryRun=False))) == 3
    expect_error(lambda: describe(client, RegionId="xx-nowhere-1", DryRun=True), "InvalidRegionId.NotFound",
                 "The specified RegionId does not exist.", 404)


# =========================================================================================
# Lookups by ID, DiskId, InstanceId and SnapshotLinkId use indexes: the region is not scanned.
# =========================================================================================
def test_id_filters_do_not_scan_the_region(client, fast, monkeypatch):
    inst, system, data = instance_with_data_disk(client)
    made = fill(client, [system, data], 6)
    link = _link(client, made[0])
    table = region_state(fast).snapshots

    def scan(*_: Any, **__: Any) -> Any:
        raise AssertionError("DescribeSnapshots scanned the region's snapshot table")

    for method in ("values", "newest_first", "newest_slice", "__iter__"):
        monkeypatch.setattr(table, method, scan)
    assert found(client, SnapshotIds=json.dumps(made[:2])) == [made[1], made[0]]
    assert found(client, DiskId=system, Status="accomplished") == newest_first(made[0::2])
    assert found(client, InstanceId=inst, SourceDiskType="data") == newest_first(made[1::2])
    assert found(client, SnapshotLinkId=link) == newest_first(made[0::2])
    assert walk(client, DiskId=data, MaxResults=1) == newest_first(made[1::2])
    # The guard works: a query with no ID filter does read the table (and trips it).
    expect_error(lambda: describe(client, Status="accomplished"), "InternalError", status=500)
