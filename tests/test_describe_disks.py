"""DescribeDisks: every filter of the real API, ANDed, with its value rules; both paging styles.

Filters and values come from shared/reference/ecs-api/meta/en-US/DescribeDisks.json; error
codes, messages and statuses from actions/DescribeDisks.md (2021 docs). Where that table
names no error for a bad value, the mock answers InvalidParameter naming the parameter
(400, 'The specified parameter "<Name>" is not valid.').
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest

from conftest import (
    REGION,
    ApiError,
    Driver,
    SdkCoreDriver,
    expect_error,
    run_instance,
    system_disk,
    walk_pages,
)
from conftest import invalid_parameter as invalid
from mock_ecs import MockEcs
from mock_ecs.router import ACTIONS, META, unsupported_filter
from mock_ecs.table import Table

ZONE = "cn-hangzhou-b"
UNKNOWN_DISK = "d-bp1abcdefghijklmnopq"


# --- helpers ------------------------------------------------------------------------------
def create_disk(client: Driver, **extra: Any) -> str:
    params: Dict[str, Any] = {"RegionId": REGION, "ZoneId": ZONE, "Size": 20, **extra}
    return client.call("CreateDisk", **params)["DiskId"]


def describe(client: Driver, **params: Any) -> Dict[str, Any]:
    return client.call("DescribeDisks", RegionId=REGION, **params)


def found(client: Driver, **params: Any) -> List[str]:
    """IDs of every matching disk, newest first (one page of up to 100)."""
    return [d["DiskId"] for d in describe(client, PageSize=100, **params)["Disks"]["Disk"]]


def minute(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%MZ")


@pytest.fixture
def world(client: Driver, ecs: MockEcs) -> Dict[str, Any]:
    """An instance with a system and a data disk, a loose disk, and a tagged encrypted ESSD."""
    instance_id = run_instance(client, **{"DataDisk.1.Size": 30, "DataDisk.1.DiskName": "data-one"})
    sys_id = system_disk(client, instance_id)
    (data_id,) = [d for d in found(client, InstanceId=instance_id) if d != sys_id]
    loose = create_disk(client, DiskName="loose", DiskCategory="cloud")
    essd = create_disk(client, ZoneId="cn-hangzhou-h", DiskCategory="cloud_essd", Encrypted=True,
                       KMSKeyId="kms-key-1", ResourceGroupId="rg-bp1abcdefghijklmno",
                       **{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "team", "Tag.2.Value": "db"})
    return {"instance": instance_id, "sys": sys_id, "data": data_id, "loose": loose, "essd": essd}


# --- every real parameter is implemented ------------------------------------------------------
# A valid value for every parameter of the metadata (RepeatLists in their wire form).
SAMPLES: Dict[str, Dict[str, str]] = {
    "AdditionalAttributes": {"AdditionalAttributes.1": "Placement"},
    "AutoSnapshotPolicyId": {"AutoSnapshotPolicyId": "sp-bp1abcdefghijklmnopq"},
    "Category": {"Category": "cloud_essd"},
    "DeleteAutoSnapshot": {"DeleteAutoSnapshot": "true"},
    "DeleteWithInstance": {"DeleteWithInstance": "false"},
    "DiskChargeType": {"DiskChargeType": "PostPaid"},
    "DiskIds": {"DiskIds": json.dumps([UNKNOWN_DISK])},
    "DiskName": {"DiskName": "loose"},
    "DiskType": {"DiskType": "data"},
    "DryRun": {"DryRun": "false"},
    "EnableAutoSnapshot": {"EnableAutoSnapshot": "true"},
    "EnableAutomatedSnapshotPolicy": {"EnableAutomatedSnapshotPolicy": "false"},
    "EnableShared": {"EnableShared": "false"},
    "Encrypted": {"Encrypted": "false"},
    "Filter.1.Key": {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2020-01-01T00:00Z"},
    "Filter.1.Value": {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2020-01-01T00:00Z"},
    "Filter.2.Key": {"Filter.2.Key": "CreationEndTime", "Filter.2.Value": "2099-01-01T00:00Z"},
    "Filter.2.Value": {"Filter.2.Key": "CreationEndTime", "Filter.2.Value": "2099-01-01T00:00Z"},
    "InstanceId": {"InstanceId": "i-bp1abcdefghijklmnopq"},
    "KMSKeyId": {"KMSKeyId": "kms-key-1"},
    "LockReason": {"LockReason": "security"},
    "MaxResults": {"MaxResults": "20"},
    "MultiAttach": {"MultiAttach": "Disabled"},
    "NextToken": {},  # filled with a real token by the test
    "PageNumber": {"PageNumber": "2"},
    "PageSize": {"PageSize": "5"},
    "Portable": {"Portable": "true"},
    "RegionId": {},
    "ResourceGroupId": {"ResourceGroupId": "rg-bp1abcdefghijklmno"},
    "SnapshotId": {"SnapshotId": "s-bp1abcdefghijklmnopq"},
    "Status": {"Status": "Available"},
    "Tag": {"Tag.1.Key": "env", "Tag.1.Value": "prod"},
    "ZoneId": {"ZoneId": ZONE},
}


def test_the_samples_cover_every_metadata_parameter():
    assert set(SAMPLES) == set(META["DescribeDisks"])


@pytest.mark.parametrize("name", sorted(META["DescribeDisks"]))
def test_no_real_parameter_is_refused_as_unsupported(name):
    spec = ACTIONS["DescribeDisks"]
    wire = SAMPLES[name] or {name: "x"}
    assert unsupported_filter(spec, {k: "x" for k in wire}) is None
    assert unsupported_filter(spec, {"Tag.7.key": "x", "Tag.7.value": "y", "AdditionalAttributes.3": "x"}) is None


def test_every_real_parameter_is_answered(client, ecs):
    for _ in range(11):
        create_disk(client)
    token = describe(client, MaxResults=10)["NextToken"]
    assert token
    for name in sorted(META["DescribeDisks"]):
        params = dict(SAMPLES[name]) if name != "NextToken" else {"NextToken": token}
        try:
            out = describe(client, **params)
        except ApiError as err:  # pragma: no cover - the assertion names the parameter
            pytest.fail(f"{name}: {err}")
        assert "Disks" in out, name
    assert not [c for c in ecs.calls if c.code == "MockEcs.FilterNotSupported"]


# --- ID lists -----------------------------------------------------------------------------
def test_disk_ids(client, world):
    sys_id, loose, essd = world["sys"], world["loose"], world["essd"]
    assert found(client, DiskIds=json.dumps([sys_id, loose])) == [loose, sys_id]
    # Unknown and repeated IDs: each disk once, unknown ones simply not found.
    assert found(client, DiskIds=json.dumps([essd, UNKNOWN_DISK, essd])) == [essd]
    # "[]" is a valid filter with an empty result (FACTS.md section 9).
    out = describe(client, DiskIds="[]")
    assert (out["TotalCount"], out["Disks"]["Disk"]) == (0, [])
    # footmark sends Python's repr of a list; it is read the same way.
    assert found(client, DiskIds=f"['{loose}']") == [loose]


def test_disk_ids_limits(client, world):
    hundred = [world["loose"]] + [f"d-bp1abcdefghijklm{i:03d}" for i in range(99)]
    assert found(client, DiskIds=json.dumps(hundred)) == [world["loose"]]
    expect_error(lambda: describe(client, DiskIds=json.dumps(hundred + [UNKNOWN_DISK])),
                 "InvalidDiskIds.Malformed", "The amount of specified disk Ids exceeds the limit.", 403)
    for bad in (world["loose"], '{"a": 1}', "[1, 2]", '["d-1"'):
        expect_error(lambda bad=bad: describe(client, DiskIds=bad),
                     "InvalidParameter.DiskIds", "The specified parameter diskIds is not valid.", 400)


def test_instance_id(client, world):
    assert found(client, InstanceId=world["instance"]) == [world["data"], world["sys"]]
    assert found(client, InstanceId="i-bp1abcdefghijklmnopq") == []
    # With DiskIds both must hold.
    assert found(client, InstanceId=world["instance"], DiskIds=json.dumps([world["sys"], world["loose"]])) == [
        world["sys"]]


# --- value filters ----------------------------------------------------------------------------
def test_status(client, ecs, world):
    attached = [world["data"], world["sys"]]
    assert found(client, Status="In_use") == attached
    assert found(client, Status="Available") == [world["essd"], world["loose"]]
    assert len(found(client, Status="All")) == 4
    for passing in ("Attaching", "Detaching", "Creating", "ReIniting"):
        assert found(client, Status=passing) == []
    for bad in ("in_use", "Deleted", "all"):
        expect_error(lambda bad=bad: describe(client, Status=bad),
                     "InvalidStatus.ValueNotSupported", "The specified disk status is not supported.", 400)


def test_status_sees_passing_states(client, ecs):
    with MockEcs(disk_transition_seconds=10) as slow:
        disk_id = create_disk(client)
        assert found(client, Status="Creating") == [disk_id]
        slow.advance_clock(10)
        assert found(client, Status="Creating") == [] and found(client, Status="Available") == [disk_id]


def test_disk_type(client, world):
    assert found(client, DiskType="system") == [world["sys"]]
    assert found(client, DiskType="data") == [world["essd"], world["loose"], world["data"]]
    assert len(found(client, DiskType="all")) == 4
    expect_error(lambda: describe(client, DiskType="boot"),
                 "InvalidDiskType.ValueNotSupported", "The specified disk type is not supported.", 400)


def test_category(client, world):
    assert found(client, Category="cloud") == [world["loose"]]
    assert found(client, Category="cloud_essd") == [world["essd"]]
    assert found(client, Category="cloud_efficiency") == [world["data"], world["sys"]]
    assert len(found(client, Category="all")) == 4
    for real_but_absent in ("cloud_auto", "cloud_regional_disk_auto", "elastic_ephemeral_disk_premium",
                            "local_hdd_pro", "ephemeral_ssd"):
        assert found(client, Category=real_but_absent) == []
    for bad in ("ssd", "CLOUD", "san_ssd"):
        expect_error(lambda bad=bad: describe(client, Category=bad),
                     "InvalidCategory.ValueNotSupported", "The specified disk category is not supported.", 400)


def test_zone(client, world):
    assert found(client, ZoneId="cn-hangzhou-h") == [world["essd"]]
    assert found(client, ZoneId="cn-hangzhou-c") == []
    expect_error(lambda: describe(client, ZoneId="cn-hangzhou-z"),
                 "InvalidZoneId.NotFound", "The zoneId provided does not exist in our records.", 400)
    expect_error(lambda: describe(client, ZoneId="cn-shanghai-a"),
                 "InvalidZoneId.NotFound", "The zoneId provided does not exist in our records.", 400)


def test_name_kms_key_and_auto_snapshot_policy(client, world):
    assert found(client, DiskName="loose") == [world["loose"]]
    assert found(client, DiskName="data-one") == [world["data"]]
    assert found(client, DiskName="loos") == []
    assert found(client, KMSKeyId="kms-key-1") == [world["essd"]]
    assert found(client, KMSKeyId="kms-key-2") == []
    # No automatic snapshot policy is applied yet: AutoSnapshotPolicyId is "" everywhere.
    assert {d["AutoSnapshotPolicyId"] for d in describe(client)["Disks"]["Disk"]} == {""}
    assert found(client, AutoSnapshotPolicyId="sp-bp1abcdefghijklmnopq") == []


def new_policy(client: Driver) -> str:
    return client.call("CreateAutoSnapshotPolicy", regionId=REGION, timePoints='["1"]', repeatWeekdays='["1"]',
                       retentionDays=-1)["AutoSnapshotPolicyId"]


def apply_policy(client: Driver, policy_id: str, *disk_ids: str) -> None:
    client.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy_id,
                diskIds=json.dumps(list(disk_ids)))


def policy_fields(client: Driver, world: Dict[str, Any]) -> Dict[str, tuple]:
    """Per disk of the world: (AutoSnapshotPolicyId, EnableAutomatedSnapshotPolicy, EnableAutoSnapshot)."""
    by_id = {d["DiskId"]: d for d in describe(client, PageSize=100)["Disks"]["Disk"]}
    return {name: (by_id[world[name]]["AutoSnapshotPolicyId"], by_id[world[name]]["EnableAutomatedSnapshotPolicy"],
                   by_id[world[name]]["EnableAutoSnapshot"]) for name in ("sys", "data", "loose", "essd")}


def test_auto_snapshot_policy_fields_and_filters(client, world):
    """A disk shows the policy applied to it; AutoSnapshotPolicyId and EnableAutomatedSnapshotPolicy
    find exactly those disks (NEXT-ACTIONS.md 1.1: one policy per disk, Apply replaces it)."""
    first, second = new_policy(client), new_policy(client)
    apply_policy(client, first, world["data"], world["loose"])
    apply_policy(client, second, world["essd"])
    assert policy_fields(client, world) == {
        "sys": ("", False, True), "data": (first, True, True), "loose": (first, True, True),
        "essd": (second, True, True)}
    assert found(client, AutoSnapshotPolicyId=first) == [world["loose"], world["data"]]
    assert found(client, AutoSnapshotPolicyId=second) == [world["essd"]]
    assert found(client, AutoSnapshotPolicyId="sp-bp1abcdefghijklmnopq") == []
    assert found(client, EnableAutomatedSnapshotPolicy=True) == [world[k] for k in ("essd", "loose", "data")]
    assert found(client, EnableAutomatedSnapshotPolicy=False) == [world["sys"]]
    # ANDed with the other filters; the policy's count is the filtered one.
    out = describe(client, AutoSnapshotPolicyId=first, DiskType="data", Category="cloud")
    assert (out["TotalCount"], [d["DiskId"] for d in out["Disks"]["Disk"]]) == (1, [world["loose"]])
    assert found(client, AutoSnapshotPolicyId=first, EnableAutomatedSnapshotPolicy=False) == []
    assert found(client, AutoSnapshotPolicyId=first, InstanceId=world["instance"]) == [world["data"]]

    # Apply replaces a disk's policy; Cancel and Delete leave it with none.
    apply_policy(client, second, world["loose"])
    assert found(client, AutoSnapshotPolicyId=first) == [world["data"]]
    assert found(client, AutoSnapshotPolicyId=second) == [world["essd"], world["loose"]]
    client.call("CancelAutoSnapshotPolicy", regionId=REGION, diskIds=json.dumps([world["data"]]))
    assert found(client, AutoSnapshotPolicyId=first) == []
    client.call("DeleteAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=second)
    assert found(client, AutoSnapshotPolicyId=second) == []
    assert found(client, EnableAutomatedSnapshotPolicy=True) == []
    assert set(policy_fields(client, world).values()) == {("", False, True)}


def test_terraform_reads_an_attachment_by_policy_and_disk_ids(client, world):
    """alicloud_ecs_auto_snapshot_policy_attachment reads DescribeDisks with AutoSnapshotPolicyId
    and DiskIds (one disk): the disk while it holds the policy, nothing once it does not."""
    policy = new_policy(client)
    apply_policy(client, policy, world["data"])
    out = describe(client, AutoSnapshotPolicyId=policy, DiskIds=json.dumps([world["data"]]))
    assert out["TotalCount"] == 1
    (disk,) = out["Disks"]["Disk"]
    assert (disk["DiskId"], disk["AutoSnapshotPolicyId"], disk["EnableAutomatedSnapshotPolicy"]) == (
        world["data"], policy, True)
    assert describe(client, AutoSnapshotPolicyId=policy, DiskIds=json.dumps([world["sys"]]))["Disks"]["Disk"] == []
    client.call("CancelAutoSnapshotPolicy", regionId=REGION, diskIds=json.dumps([world["data"]]))
    out = describe(client, AutoSnapshotPolicyId=policy, DiskIds=json.dumps([world["data"]]))
    assert (out["TotalCount"], out["Disks"]["Disk"]) == (0, [])


def test_a_policy_of_another_account_finds_nothing(client, ecs, world):
    policy = new_policy(client)
    apply_policy(client, policy, world["data"])
    ecs.register_access_key("AKOTHERACCOUNT", "other-secret", account_id="2000000000000002")
    other = SdkCoreDriver(ak="AKOTHERACCOUNT", secret="other-secret")
    other_disk = create_disk(other)
    assert found(other, AutoSnapshotPolicyId=policy) == []
    assert found(other, EnableAutomatedSnapshotPolicy=False) == [other_disk]
    assert found(client, AutoSnapshotPolicyId=policy) == [world["data"]]


def test_snapshot_id(client, ecs, world):
    ecs.advance_clock(ecs.settings.initialization_seconds)
    snap_id = client.call("CreateSnapshot", DiskId=world["sys"])["SnapshotId"]
    ecs.advance_clock(60)
    made = create_disk(client, SnapshotId=snap_id)
    assert found(client, SnapshotId=snap_id) == [made]
    assert found(client, SnapshotId="s-bp1abcdefghijklmnopq") == []
    # The disk keeps its SourceSnapshotId after the snapshot is gone, and is still found by it.
    client.call("DeleteSnapshot", SnapshotId=snap_id, Force=True)
    assert found(client, SnapshotId=snap_id) == [made]
    expect_error(lambda: describe(client, SnapshotId="d-bp1abcdefghijklmnopq"),
                 "InvalidSnapshot.NotFound", "The specified parameter SnapshotId is not valid.", 400)


def test_disk_charge_type(client, world):
    prepaid = run_instance(client, InstanceChargeType="PrePaid", Period=1)
    prepaid_disk = system_disk(client, prepaid)
    assert found(client, DiskChargeType="PrePaid") == [prepaid_disk]
    assert prepaid_disk not in found(client, DiskChargeType="PostPaid")
    assert len(found(client, DiskChargeType="PostPaid")) == 4
    for bad in ("Prepaid", "Subscription"):
        expect_error(lambda bad=bad: describe(client, DiskChargeType=bad),
                     "InvalidDiskChargeType.NotFound", "The DiskChargeType does not exist in our records", 404)


def test_lock_reason(client, ecs, world):
    ecs.lock_instance(world["instance"], "financial")
    assert found(client, LockReason="financial") == [world["data"], world["sys"]]
    assert found(client, LockReason="security") == []
    ecs.lock_instance(world["instance"], "security")
    assert found(client, LockReason="security") == [world["data"], world["sys"]]
    # Values of the 2021 docs are accepted too; no disk carries them.
    for reason in ("recycling", "dedicatedhostfinancial"):
        assert found(client, LockReason=reason) == []
    for bad in ("Security", "refunded", "overdue"):
        expect_error(lambda bad=bad: describe(client, LockReason=bad),
                     "InvalidLockReason.NotFound", "The specified LockReason is not found", 404)


def test_resource_group_also_shows_the_default_group(client, world):
    # "Resources in the default resource group are displayed in the response regardless of
    # the value specified for this parameter" (metadata): the default group is the empty ID.
    default_group = [world["loose"], world["data"], world["sys"]]
    assert found(client, ResourceGroupId="rg-bp1abcdefghijklmno") == [world["essd"]] + default_group
    assert found(client, ResourceGroupId="rg-bp1zzzzzzzzzzzzzzz") == default_group


def test_tags(client, world):
    essd = world["essd"]
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "prod"}) == [essd]
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "dev"}) == []
    # A key alone matches any value; lowercase key/value (metadata Tag.N.key) work the same.
    assert found(client, **{"Tag.1.Key": "team"}) == [essd]
    assert found(client, **{"Tag.1.key": "env", "Tag.1.value": "prod"}) == [essd]
    # Several tags: all must hold; the numbering need not start at 1.
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "team",
                            "Tag.2.Value": "db"}) == [essd]
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "team",
                            "Tag.2.Value": "web"}) == []
    assert found(client, **{"Tag.3.Key": "team", "Tag.3.Value": "db"}) == [essd]


def test_tag_errors(client, world):
    expect_error(lambda: describe(client, **{"Tag.1.Value": "prod"}),
                 "InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.", 400)
    expect_error(lambda: describe(client, **{"Tag.21.Key": "env"}),
                 "InvalidTagCount", "The specified tags are beyond the permitted range.", 400)
    assert found(client, **{"Tag.20.Key": "env"}) == [world["essd"]]


@pytest.mark.parametrize("name,true_ids,false_ids", [
    # (filter, disks it keeps when true, when false) over sys, data, loose, essd
    ("Portable", ["essd", "loose", "data"], ["sys"]),
    ("DeleteWithInstance", ["data", "sys"], ["essd", "loose"]),
    ("Encrypted", ["essd"], ["loose", "data", "sys"]),
    ("DeleteAutoSnapshot", ["essd", "loose", "data", "sys"], []),
    # EnableAutoSnapshot (deprecated) is true for every disk; no policy is applied here (see
    # test_auto_snapshot_policy_fields_and_filters); sharing is not modelled.
    ("EnableAutoSnapshot", ["essd", "loose", "data", "sys"], []),
    ("EnableAutomatedSnapshotPolicy", [], ["essd", "loose", "data", "sys"]),
    ("EnableShared", [], ["essd", "loose", "data", "sys"]),
])
def test_boolean_filters(client, world, name, true_ids, false_ids):
    assert found(client, **{name: True}) == [world[k] for k in true_ids]
    assert found(client, **{name: False}) == [world[k] for k in false_ids]
    expect_error(lambda: describe(client, **{name: "yes"}), "InvalidParameter", invalid(name), 400)


def test_delete_auto_snapshot_follows_modify_disk_attribute(client, world):
    client.call("ModifyDiskAttribute", RegionId=REGION, DiskId=world["loose"], DeleteAutoSnapshot=False)
    assert found(client, DeleteAutoSnapshot=True) == [world[k] for k in ("essd", "data", "sys")]
    assert found(client, DeleteAutoSnapshot=False) == [world["loose"]]
    assert describe(client, DiskIds=json.dumps([world["loose"]]))["Disks"]["Disk"][0]["DeleteAutoSnapshot"] is False


def test_view_agrees_with_the_unmodelled_filters(client, world):
    d = describe(client, DiskIds=json.dumps([world["loose"]]))["Disks"]["Disk"][0]
    assert (d["EnableAutoSnapshot"], d["EnableAutomatedSnapshotPolicy"], d["MultiAttach"]) == (True, False, "Disabled")
    assert d["DeleteAutoSnapshot"] is True


def test_multi_attach(client, world):
    assert len(found(client, MultiAttach="Disabled")) == 4
    assert found(client, MultiAttach="Enabled") == [] and found(client, MultiAttach="LegacyShared") == []
    expect_error(lambda: describe(client, MultiAttach="disabled"), "InvalidParameter", invalid("MultiAttach"), 400)


def test_additional_attributes_placement_fills_placement_only(client, world):
    plain = describe(client)["Disks"]["Disk"]
    placed = describe(client, **{"AdditionalAttributes.1": "Placement"})["Disks"]["Disk"]
    assert all(d["Placement"] == {} for d in plain)  # the real answer's empty object
    assert [d["Placement"] for d in placed] == [{"ZoneIds": d["ZoneId"]} for d in plain]
    assert [{**d, "Placement": {}} for d in placed] == plain
    expect_error(lambda: describe(client, **{"AdditionalAttributes.1": "META_OPTIONS"}),
                 "InvalidParameter", invalid("AdditionalAttributes.1"), 400)


# --- time filters -----------------------------------------------------------------------------
def test_creation_time_filters(client, ecs):
    first_before = ecs.now()
    first = create_disk(client)
    first_after = ecs.now()
    ecs.advance_clock(180)
    second_before = ecs.now()
    second = create_disk(client)
    start = {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": minute(second_before)}
    assert found(client, **start) == [second]
    assert found(client, **{"Filter.2.Key": "CreationEndTime", "Filter.2.Value": minute(first_after)}) == [first]
    # The key decides, not the position; both bounds together are ANDed.
    assert found(client, **{"Filter.1.Key": "CreationEndTime", "Filter.1.Value": minute(first_after)}) == [first]
    window = {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": minute(first_before),
              "Filter.2.Key": "CreationEndTime", "Filter.2.Value": minute(first_after + timedelta(minutes=1))}
    assert found(client, **window) == [first]
    # Seconds are accepted too (the CreationTime of a disk has seconds).
    created = describe(client, DiskIds=json.dumps([second]))["Disks"]["Disk"][0]["CreationTime"]
    assert found(client, **{"Filter.1.Key": "CreationStartTime", "Filter.1.Value": created}) == [second]
    assert found(client, **{"Filter.2.Key": "CreationEndTime", "Filter.2.Value": created}) == [second, first]


def test_creation_end_time_covers_its_whole_minute(client, ecs):
    start = datetime.fromtimestamp(ecs.backend.clock.now(), tz=timezone.utc)
    ecs.advance_clock(60 - start.second - start.microsecond / 1e6 + 30)  # half past a minute
    disk_id = create_disk(client)
    shown = minute(ecs.now())
    assert found(client, **{"Filter.1.Key": "CreationEndTime", "Filter.1.Value": shown}) == [disk_id]
    earlier = minute(ecs.now() - timedelta(minutes=1))
    assert found(client, **{"Filter.1.Key": "CreationEndTime", "Filter.1.Value": earlier}) == []
    assert found(client, **{"Filter.1.Key": "CreationStartTime", "Filter.1.Value": shown}) == [disk_id]


def test_time_filter_errors(client, ecs):
    # DescribeDisks.md documents no error for these: InvalidParameter names the parameter.
    expired = {"Filter.1.Key": "ExpiredStartTime", "Filter.1.Value": "2020-01-01T00:00Z"}
    expect_error(lambda: describe(client, **expired), "InvalidParameter", invalid("Filter.1.Key"), 400)
    expect_error(lambda: describe(client, **{"Filter.2.Key": "CreationEndTime", "Filter.2.Value": "yesterday"}),
                 "InvalidParameter", invalid("Filter.2.Value"), 400)
    expect_error(lambda: describe(client, **{"Filter.1.Key": "CreationEndTime", "Filter.1.Value": ""}),
                 "InvalidParameter", invalid("Filter.1.Value"), 400)
    expect_error(lambda: describe(client, **{"Filter.1.Value": "2020-01-01T00:00Z"}),
                 "InvalidParameter", invalid("Filter.1.Key"), 400)
    # DescribeDisks has two filters: a third is refused, never ignored.
    third = {"Filter.3.Key": "CreationStartTime", "Filter.3.Value": "2020-01-01T00:00Z"}
    expect_error(lambda: describe(client, **third), "InvalidParameter", invalid("Filter.3.Key"), 400)


# --- filters together ----------------------------------------------------------------------------
def test_filters_are_anded(client, world):
    assert found(client, DiskType="data", Status="In_use") == [world["data"]]
    assert found(client, DiskType="data", Status="Available", Category="cloud") == [world["loose"]]
    assert found(client, DiskType="data", Status="Available", Category="cloud_essd", Encrypted=False) == []
    assert found(client, InstanceId=world["instance"], Portable=False) == [world["sys"]]
    assert found(client, ZoneId=ZONE, DeleteWithInstance=False) == [world["loose"]]
    assert found(client, DiskIds=json.dumps([world["essd"], world["loose"]]),
                 **{"Tag.1.Key": "env"}, Encrypted=True, ZoneId="cn-hangzhou-h") == [world["essd"]]
    out = describe(client, DiskType="data", PageSize=1)
    assert (out["TotalCount"], len(out["Disks"]["Disk"])) == (3, 1)


# --- paging ---------------------------------------------------------------------------------------
def test_page_number_defaults_and_bounds(client, ecs):
    made = [create_disk(client) for _ in range(12)]
    out = describe(client)
    assert (out["PageNumber"], out["PageSize"], out["TotalCount"]) == (1, 10, 12)
    assert [d["DiskId"] for d in out["Disks"]["Disk"]] == made[::-1][:10]
    second = describe(client, PageNumber=2)
    assert [d["DiskId"] for d in second["Disks"]["Disk"]] == made[::-1][10:]
    assert describe(client, PageNumber=3)["Disks"]["Disk"] == []
    assert describe(client, PageSize=100)["PageSize"] == 100
    for bad in (101, 0):
        expect_error(lambda bad=bad: describe(client, PageSize=bad),
                     "InvalidPageSize.Malformed", "The specified parameter PageSize is not valid.", 400)
    # Not an Integer at all: the gateway's type check (metadata), before the range.
    expect_error(lambda: describe(client, PageSize="ten"),
                 "InvalidParameter", 'The specified parameter "PageSize" is not valid.', 400)
    expect_error(lambda: describe(client, PageNumber=0),
                 "InvalidPageNumber.Malformed", "The specified parameter PageNumber is not valid.", 400)


def test_max_results_is_clamped_to_10_500(client, ecs):
    for _ in range(12):
        create_disk(client)
    # "less than 10: the default value is 10; greater than 500: 500" (metadata).
    for asked, used in ((1, 10), (9, 10), (10, 10), (11, 11), (500, 500), (501, 500), (10000, 500)):
        out = describe(client, MaxResults=asked)
        assert out["PageSize"] == used, asked
        assert len(out["Disks"]["Disk"]) == min(used, 12)
    expect_error(lambda: describe(client, MaxResults="many"), "InvalidParameter", invalid("MaxResults"), 400)


def test_next_token_walk_sees_everything_once_newest_first(client, ecs):
    made = [create_disk(client) for _ in range(25)]
    pages = list(walk_pages(lambda **p: describe(client, **p), MaxResults=10))
    seen = [d["DiskId"] for out in pages for d in out["Disks"]["Disk"]]
    assert len(pages) == 3 and seen == made[::-1]


def test_next_token_walk_survives_creations_and_deletions(client, ecs):
    made = [create_disk(client) for _ in range(25)]
    pages = walk_pages(lambda **p: describe(client, **p), MaxResults=10)
    first_page = [d["DiskId"] for d in next(pages)["Disks"]["Disk"]]
    assert first_page == made[::-1][:10]
    # Between pages: new disks, one shown disk deleted, one not yet shown deleted.
    newer = [create_disk(client) for _ in range(3)]
    client.call("DeleteDisk", DiskId=first_page[-1])
    gone = made[5]
    client.call("DeleteDisk", DiskId=gone)
    seen = first_page + [d["DiskId"] for out in pages for d in out["Disks"]["Disk"]]
    expected = [d for d in made[::-1] if d != gone]
    assert seen == expected
    assert len(seen) == len(set(seen))
    assert not set(newer) & set(seen)


def test_next_token_walk_with_a_filter(client, ecs):
    made = [create_disk(client, DiskCategory="cloud" if i % 2 else "cloud_ssd") for i in range(30)]
    seen: List[str] = []
    out = describe(client, MaxResults=10, Category="cloud")
    seen += [d["DiskId"] for d in out["Disks"]["Disk"]]
    assert out["TotalCount"] == 15 and out["PageSize"] == 10
    out = describe(client, MaxResults=10, Category="cloud", NextToken=out["NextToken"])
    seen += [d["DiskId"] for d in out["Disks"]["Disk"]]
    assert out["NextToken"] == ""
    assert seen == [d for i, d in enumerate(made) if i % 2][::-1]


def test_bad_next_tokens(client, ecs):
    for _ in range(12):
        create_disk(client, DiskCategory="cloud")
    token = describe(client, MaxResults=10)["NextToken"]
    filtered = describe(client, MaxResults=10, Category="cloud")["NextToken"]
    assert token and filtered

    def refused(**params: Any) -> None:
        expect_error(lambda: describe(client, **params), "InvalidNextToken.Malformed",
                     "The specified parameter NextToken is not valid.", 400)

    refused(NextToken="AAAAAdDWBF2")  # forged
    refused(NextToken=token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])  # tampered
    refused(NextToken=token, Category="cloud")  # issued for other filters
    refused(NextToken=filtered)
    refused(NextToken=filtered, Category="cloud_ssd")
    # The paging parameters themselves may change along the walk.
    assert describe(client, NextToken=token, MaxResults=50)["NextToken"] == ""
    # A DescribeInstances token is not a DescribeDisks token.
    for _ in range(11):
        run_instance(client)
    other = client.call("DescribeInstances", RegionId=REGION, MaxResults=10)["NextToken"]
    assert other
    refused(NextToken=other)
    # A token from before a reset is stale.
    ecs.reset()
    for _ in range(12):
        create_disk(client)
    refused(NextToken=token)


def test_page_number_style_also_returns_a_next_token(client, ecs):
    made = [create_disk(client) for _ in range(12)]
    out = describe(client, PageSize=10)
    assert out["NextToken"]
    rest = describe(client, MaxResults=10, NextToken=out["NextToken"])
    assert [d["DiskId"] for d in rest["Disks"]["Disk"]] == made[::-1][10:]
    assert describe(client, PageSize=20)["NextToken"] == ""


# --- candidate sources use the indexes --------------------------------------------------------------
def test_candidates_come_from_indexes_not_scans(monkeypatch):
    """An unfiltered page is a slice of the region table; DiskIds and InstanceId use lookups."""
    client = SdkCoreDriver()
    with MockEcs():
        instance_id = run_instance(client, **{"DataDisk.1.Size": 30})
        loose = create_disk(client)
        for _ in range(15):
            create_disk(client)

        def no_scan(self: Any) -> Any:
            raise AssertionError("DescribeDisks scanned a whole table")

        monkeypatch.setattr(Table, "values", no_scan)
        monkeypatch.setattr(Table, "__iter__", no_scan)
        assert describe(client)["TotalCount"] == 18
        assert describe(client, PageNumber=2, PageSize=5)["TotalCount"] == 18
        assert describe(client, MaxResults=10)["NextToken"]
        assert [d["DiskId"] for d in describe(client, DiskIds=json.dumps([loose]))["Disks"]["Disk"]] == [loose]
        assert describe(client, InstanceId=instance_id, Status="In_use")["TotalCount"] == 2
        monkeypatch.undo()
        # The patch is what the calls above ran under: counting a filtered table does trip it.
        monkeypatch.setattr(Table, "values", no_scan)
        with pytest.raises(ApiError) as info:
            describe(client, Status="Available", MaxResults=10)
        assert info.value.code == "InternalError"
