"""Snapshot-consistent groups through aliyunsdkcore and the Tea SDK (in process and over HTTP):
CreateSnapshotGroup takes one snapshot per disk at one instant or none, DescribeSnapshotGroups
reads the group's status from its members, DeleteSnapshotGroup keeps the members images use,
ModifySnapshotGroup renames.

Codes, statuses and texts are copied from docs-2021/CreateSnapshotGroup.en.md and
DescribeSnapshotGroups.en.md; the mock's own words where the reference has none (README).
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from conftest import (
    IMAGE,
    REGION,
    Driver,
    expect_error,
    invalid_parameter,
    ready_disk,
    run_instance,
    tag_params,
    walk_pages,
)
from mock_ecs import MockEcs

# docs-2021/CreateSnapshotGroup.en.md
CREATE_ERRORS = {
    "InvalidDiskId.NotFound": (404, "The specified DiskId does not exist."),
    "InvalidInstanceId.NotFound": (404, "The specified InstanceId does not exist."),
    "IncorrectDiskStatus.CreatingSnapshot": (403, "A previous snapshot creation is in process."),
    "QuotaExceed.Snapshot": (403, "The snapshot quota exceeds."),
    "IncorrectInstanceStatus": (400, "The current status of the resource does not support this operation."),
    "InvalidParameter.Name": (400, "The specified Name is invalid."),
    "InvalidDescription.Malformed": (404, "The specified description is wrongly formed."),
    "InvalidAccountStatus.NotEnoughBalance": (403, "Your account does not have enough balance."),
    "InvalidAccountStatus.SnapshotServiceUnavailable": (403, "Snapshot service has not been opened yet."),
    "IdempotentParameterMismatch": (403, "The specified clientToken is used."),
    "InvalidRetentionDays.Malformed": (400, "The specified RetentionDays is not valid."),
    "DiskCategory.OperationNotSupported": (
        400, "The operation is not supported to the specified disk due to its disk category"),
    "InstanceLockedForSecurity": (403, "The disk attached instance is locked due to security."),
    "DiskInArrears": (403, "The specified operation is denied as your disk has expired."),
    "IncorrectDiskStatus.NeverAttached": (403, "The specified disk has never been attached to any instance."),
    "DiskId.ValueNotSupported": (403, "The specified parameter diskid is not supported."),
    "IncorrectDiskStatus": (403, "The current disk status does not support this operation."),
    "Duplicate.TagKey": (400, "The Tag.N.Key contain duplicate key."),
    "InvalidTagKey.Malformed": (400, "The specified Tag.n.Key is not valid."),
    "InvalidTagValue.Malformed": (400, "The specified Tag.n.Value is not valid."),
    "IncorrectDiskStatus.NeverUsed": (403, "The specified disk has never been used after creating."),
    "InvalidRegionId.NotFound": (404, "The specified RegionId does not exist."),
}
NO_GROUP = (404, "The specified SnapshotGroupId does not exist.")


def refused(client: Driver, code: str, action: str = "CreateSnapshotGroup", **params: Any) -> None:
    status, message = CREATE_ERRORS[code]
    expect_error(lambda: client.call(action, RegionId=REGION, **params), code, message, status)


def two_disk_instance(client: Driver, ecs: MockEcs) -> tuple:
    """A running instance with a system disk (40 GiB) and a 20 GiB data disk, both initialised."""
    instance_id, system = ready_disk(client, ecs, **{"DataDisk.1.Size": 20})
    disks = client.call("DescribeDisks", RegionId=REGION, InstanceId=instance_id)["Disks"]["Disk"]
    data = next(d["DiskId"] for d in disks if d["Type"] == "data")
    return instance_id, system, data


def groups(client: Driver, **params: Any) -> List[Dict[str, Any]]:
    out = client.call("DescribeSnapshotGroups", RegionId=REGION, **params)
    return out["SnapshotGroups"]["SnapshotGroup"]


def test_a_group_is_one_snapshot_per_disk_taken_at_one_instant(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    assert ecs.write_disk(data) == 1  # the data disk was written to, the system disk not
    out = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id, Name="nightly",
                      Description="before upgrade", **tag_params([("team", "db")]))
    group_id = out["SnapshotGroupId"]
    assert group_id.startswith("ssg-") and list(out) == ["RequestId", "SnapshotGroupId"]
    [group] = groups(client, **{"SnapshotGroupId.1": group_id})
    assert group["Status"] == "progressing"
    assert (group["Name"], group["Description"], group["InstanceId"]) == ("nightly", "before upgrade", instance_id)
    assert group["Tags"] == {"Tag": [{"Key": "team", "Value": "db"}]}
    members = group["Snapshots"]["Snapshot"]
    assert [(m["SourceDiskId"], m["SourceDiskType"]) for m in members] == [(system, "system"), (data, "data")]
    assert all(m["Progress"] == "0%" and m["Available"] is False for m in members)
    # DescribeSnapshots shows the members, created at the same instant, each with its disk's size.
    snaps = {s["SnapshotId"]: s for s in client.call("DescribeSnapshots", RegionId=REGION,
                                                       InstanceId=instance_id)["Snapshots"]["Snapshot"]}
    assert set(snaps) == {m["SnapshotId"] for m in members}
    assert len({s["CreationTime"] for s in snaps.values()}) == 1
    # The 20 GiB member is done first: the group is progressing until the last (40 GiB) one is.
    ecs.advance_clock(30)
    [group] = groups(client, **{"SnapshotGroupId.1": group_id})
    assert group["Status"] == "progressing"
    assert [m["Progress"] for m in group["Snapshots"]["Snapshot"]] == ["50%", "100%"]
    ecs.advance_clock(30)
    [group] = groups(client, **{"SnapshotGroupId.1": group_id})
    assert group["Status"] == "accomplished"
    assert all(m["Available"] is True for m in group["Snapshots"]["Snapshot"])
    # Each member holds its own disk's content generation.
    ecs.write_disk(data)  # a write after the group is not in it
    members = [m["SnapshotId"] for m in group["Snapshots"]["Snapshot"]]
    restored = [client.call("CreateDisk", RegionId=REGION, ZoneId="cn-hangzhou-i", SnapshotId=s)["DiskId"]
                for s in members]
    assert [ecs.disk_content(d) for d in restored] == [0, 1]


def test_disk_ids_and_exclusions(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    only = client.call("CreateSnapshotGroup", RegionId=REGION, **{"DiskId.1": data})["SnapshotGroupId"]
    [group] = groups(client, **{"SnapshotGroupId.1": only})
    assert [m["SourceDiskId"] for m in group["Snapshots"]["Snapshot"]] == [data]
    assert group["InstanceId"] == instance_id  # every disk on one instance: that instance
    ecs.advance_clock(60)
    rest = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id,
                       **{"ExcludeDiskId.1": data})["SnapshotGroupId"]
    [group] = groups(client, **{"SnapshotGroupId.1": rest})
    assert [m["SourceDiskId"] for m in group["Snapshots"]["Snapshot"]] == [system]
    ecs.advance_clock(60)
    expect_error(lambda: client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id,
                                     **{"DiskId.1": data, "ExcludeDiskId.1": system}),
                 "InvalidParameter",
                 "The parameters DiskId.N and ExcludeDiskId.N cannot be specified at the same time.", 400)
    expect_error(lambda: client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id,
                                     **{"ExcludeDiskId.1": data, "ExcludeDiskId.2": system}),
                 "InvalidParameter", "The snapshot-consistent group contains no disk.", 400)
    other = run_instance(client)
    ecs.advance_clock(ecs.settings.initialization_seconds)
    expect_error(lambda: client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=other, **{"DiskId.1": data}),
                 "InvalidParameter", "The specified disk is not attached to the specified instance.", 400)
    expect_error(lambda: client.call("CreateSnapshotGroup", RegionId=REGION),
                 "MissingInstanceId", "InstanceId is mandatory for this action.", 400)
    expect_error(lambda: client.call("CreateSnapshotGroup", RegionId=REGION, **{"DiskId.17": data}),
                 "InvalidParameter", invalid_parameter("DiskId.17"), 400)


def test_one_refused_disk_refuses_the_group(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    client.call("CreateSnapshot", DiskId=data)  # progressing: the data disk cannot take another
    refused(client, "IncorrectDiskStatus.CreatingSnapshot", InstanceId=instance_id)
    # Nothing was taken: the system disk has no snapshot, and no group exists.
    assert client.call("DescribeSnapshots", RegionId=REGION, DiskId=system)["TotalCount"] == 0
    assert groups(client) == []


def test_create_refusals(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    refused(client, "InvalidInstanceId.NotFound", InstanceId="i-nothere")
    refused(client, "InvalidDiskId.NotFound", **{"DiskId.1": "d-nothere"})
    refused(client, "DiskId.ValueNotSupported", **{"DiskId.1": "i-notadisk"})
    refused(client, "InvalidParameter.Name", InstanceId=instance_id, Name="1starts-with-a-digit")
    refused(client, "InvalidDescription.Malformed", InstanceId=instance_id, Description="http://x")
    refused(client, "InvalidRetentionDays.Malformed", InstanceId=instance_id, InstantAccess="true",
            InstantAccessRetentionDays=65536)
    refused(client, "Duplicate.TagKey", InstanceId=instance_id, **tag_params([("a", "1"), ("a", "2")]))
    refused(client, "InvalidTagKey.Malformed", InstanceId=instance_id, **tag_params([("aliyun-x", "1")]))
    refused(client, "InvalidTagValue.Malformed", InstanceId=instance_id, **tag_params([("k", "http://x")]))
    expect_error(lambda: client.call("CreateSnapshotGroup", RegionId="xx-nowhere-1", InstanceId=instance_id),
                 "InvalidRegionId.NotFound", *CREATE_ERRORS["InvalidRegionId.NotFound"][::-1])
    never_started = client.call("CreateInstance", RegionId=REGION, ImageId=IMAGE,
                                InstanceType="ecs.g7.large")["InstanceId"]
    ecs.advance_clock(ecs.settings.initialization_seconds)
    refused(client, "IncorrectDiskStatus.NeverUsed", InstanceId=never_started)
    ecs.set_account_status(not_enough_balance=True)
    refused(client, "InvalidAccountStatus.NotEnoughBalance", InstanceId=instance_id)
    ecs.set_account_status(not_enough_balance=False, snapshot_service_unavailable=True)
    refused(client, "InvalidAccountStatus.SnapshotServiceUnavailable", InstanceId=instance_id)
    ecs.set_account_status(snapshot_service_unavailable=False)
    ecs.lock_instance(instance_id, "security")
    refused(client, "InstanceLockedForSecurity", InstanceId=instance_id)
    ecs.unlock_instance(instance_id)
    ecs.lock_disk(data, "financial")
    refused(client, "DiskInArrears", InstanceId=instance_id)
    ecs.unlock_disk(data)
    client.call("DetachDisk", InstanceId=instance_id, DiskId=data)
    ecs.advance_clock(60)
    refused(client, "IncorrectDiskStatus", **{"DiskId.1": data})  # Available: not In_use
    fresh = client.call("CreateDisk", RegionId=REGION, ZoneId="cn-hangzhou-i", Size=20)["DiskId"]
    ecs.advance_clock(60)
    refused(client, "IncorrectDiskStatus.NeverAttached", **{"DiskId.1": fresh})
    assert groups(client) == []


def test_a_stopping_instance_refuses(client: Driver, ecs: MockEcs) -> None:
    with MockEcs(instance_transition_seconds=30) as mock:
        instance_id, _ = ready_disk(client, mock)
        client.call("StopInstance", InstanceId=instance_id)
        refused(client, "IncorrectInstanceStatus", InstanceId=instance_id)  # Stopping
        mock.advance_clock(30)
        client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)  # Stopped is allowed


def test_local_disks_are_left_out_and_refused_by_name(client: Driver, ecs: MockEcs) -> None:
    instance_id, system = ready_disk(client, ecs, **{"DataDisk.1.Category": "ephemeral_ssd", "DataDisk.1.Size": 100})
    local = next(d["DiskId"] for d in client.call("DescribeDisks", RegionId=REGION, InstanceId=instance_id)
                 ["Disks"]["Disk"] if d["Type"] == "data")
    refused(client, "DiskCategory.OperationNotSupported", **{"DiskId.1": local})
    group_id = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)["SnapshotGroupId"]
    [group] = groups(client, **{"SnapshotGroupId.1": group_id})
    assert [m["SourceDiskId"] for m in group["Snapshots"]["Snapshot"]] == [system]


def test_quota_counts_per_disk(ecs: MockEcs, client: Driver) -> None:
    with MockEcs(snapshot_quota=1, snapshot_min_seconds=0, snapshot_seconds_per_gib=0,
                 initialization_seconds=0):
        instance_id, _ = ready_disk(client, MockEcs.current())
        client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)
        refused(client, "QuotaExceed.Snapshot", InstanceId=instance_id)


def test_client_token(client: Driver, ecs: MockEcs) -> None:
    instance_id, _, _ = two_disk_instance(client, ecs)
    first = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id, ClientToken="g-1")
    again = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id, ClientToken="g-1")
    assert again["SnapshotGroupId"] == first["SnapshotGroupId"] and len(groups(client)) == 1
    refused(client, "IdempotentParameterMismatch", InstanceId=instance_id, ClientToken="g-1", Name="other")


def test_a_failed_member_fails_the_group(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    group_id = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)["SnapshotGroupId"]
    [group] = groups(client)
    member = group["Snapshots"]["Snapshot"][1]["SnapshotId"]
    ecs.fail_snapshot(member, at_progress=40)
    ecs.advance_clock(30)
    [group] = groups(client, **{"SnapshotGroupId.1": group_id})
    assert group["Status"] == "failed"
    assert group["Snapshots"]["Snapshot"][1]["Progress"] == "40%"
    assert [g["SnapshotGroupId"] for g in groups(client, **{"Status.1": "failed"})] == [group_id]
    assert groups(client, **{"Status.1": "progressing", "Status.2": "accomplished"}) == []
    ecs.advance_clock(60)
    assert groups(client)[0]["Status"] == "failed"
    failed = client.call("DescribeSnapshots", RegionId=REGION, Status="failed")["Snapshots"]["Snapshot"]
    assert [s["SnapshotId"] for s in failed] == [member]


def test_failure_rules_apply_to_members(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    rule = ecs.fail_snapshots(data, at_progress=10)
    client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)
    assert (rule.seen, rule.fired) == (1, 1)  # drawn for the data disk's member only
    ecs.advance_clock(60)
    [group] = groups(client)
    assert group["Status"] == "failed"
    assert [(m["Progress"], m["Available"]) for m in group["Snapshots"]["Snapshot"]] == [("100%", True),
                                                                                       ("10%", False)]
    # A failed member frees its disk: the next group is taken.
    ecs.clear_snapshot_failures()
    client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)
    ecs.advance_clock(60)
    assert [g["Status"] for g in groups(client)] == ["accomplished", "failed"]


def test_instant_access_members_of_an_essd_are_available_early(client: Driver, ecs: MockEcs) -> None:
    instance_id, system = ready_disk(client, ecs, **{"SystemDisk.Category": "cloud_essd"})
    client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id, InstantAccess="true",
                InstantAccessRetentionDays=3)
    [member] = groups(client)[0]["Snapshots"]["Snapshot"]
    assert (member["Progress"], member["Available"], member["InstantAccess"]) == ("0%", True, True)
    assert member["InstantAccessRetentionDays"] == 3
    assert groups(client)[0]["Status"] == "progressing"


def test_describe_filters_and_pages(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    made = []
    for n in range(5):
        made.append(client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id,
                                 Name=f"g{n}", **tag_params([("n", str(n % 2))]))["SnapshotGroupId"])
        ecs.advance_clock(60)
    assert [g["SnapshotGroupId"] for g in groups(client)] == made[::-1]  # newest first
    assert [g["Name"] for g in groups(client, Name="g3")] == ["g3"]
    assert [g["Name"] for g in groups(client, **{"Tag.1.Key": "n", "Tag.1.Value": "1"})] == ["g3", "g1"]
    two = {"SnapshotGroupId.1": made[0], "SnapshotGroupId.2": made[4]}
    assert [g["Name"] for g in groups(client, InstanceId=instance_id, **two)] == ["g4", "g0"]
    assert groups(client, InstanceId="i-other") == []
    assert len(groups(client, **{"Status.1": "accomplished"})) == 5
    pages = list(walk_pages(lambda **p: client.call("DescribeSnapshotGroups", RegionId=REGION, **p), MaxResults=2))
    assert [len(p["SnapshotGroups"]["SnapshotGroup"]) for p in pages] == [2, 2, 1]
    assert [g["SnapshotGroupId"] for p in pages for g in p["SnapshotGroups"]["SnapshotGroup"]] == made[::-1]
    expect_error(lambda: client.call("DescribeSnapshotGroups", RegionId=REGION, **{"Status.1": "done"}),
                 "InvalidStatus.ValueNotSupported", "The specified Status done is not supported.", 403)
    expect_error(lambda: client.call("DescribeSnapshotGroups", RegionId=REGION, NextToken="forged"),
                 "InvalidNextToken.Malformed")


def test_delete_keeps_members_images_use(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    group_id = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)["SnapshotGroupId"]
    ecs.advance_clock(60)
    system_snap, data_snap = (m["SnapshotId"] for m in groups(client)[0]["Snapshots"]["Snapshot"])
    client.call("CreateImage", RegionId=REGION, SnapshotId=system_snap, ImageName="from-group")
    out = client.call("DeleteSnapshotGroup", RegionId=REGION, SnapshotGroupId=group_id)
    progress = out["OperationProgressSet"]["OperationProgress"]
    assert progress == [
        {"OperationStatus": "Failed", "ErrorCode": "SnapshotCreatedImage",
         "ErrorMsg": "The snapshot has been used to create user defined image(s).",
         "RelatedItemSet": {"RelatedItem": [{"Name": "SnapshotId", "Value": system_snap}]}},
        {"OperationStatus": "Success", "ErrorCode": "", "ErrorMsg": "",
         "RelatedItemSet": {"RelatedItem": [{"Name": "SnapshotId", "Value": data_snap}]}},
    ]
    left = client.call("DescribeSnapshots", RegionId=REGION, InstanceId=instance_id)["Snapshots"]["Snapshot"]
    assert [s["SnapshotId"] for s in left] == [system_snap]
    assert groups(client) == []
    expect_error(lambda: client.call("DeleteSnapshotGroup", RegionId=REGION, SnapshotGroupId=group_id),
                 "InvalidSnapshotGroupId.NotFound", NO_GROUP[1], NO_GROUP[0])


def test_delete_cancels_progressing_members(client: Driver, ecs: MockEcs) -> None:
    instance_id, system, data = two_disk_instance(client, ecs)
    group_id = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id)["SnapshotGroupId"]
    out = client.call("DeleteSnapshotGroup", RegionId=REGION, SnapshotGroupId=group_id)
    assert [p["OperationStatus"] for p in out["OperationProgressSet"]["OperationProgress"]] == ["Success"] * 2
    assert client.call("DescribeSnapshots", RegionId=REGION)["TotalCount"] == 0
    client.call("CreateSnapshot", DiskId=system)  # the disk is free again


def test_modify(client: Driver, ecs: MockEcs) -> None:
    instance_id, _, _ = two_disk_instance(client, ecs)
    group_id = client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id,
                           Name="old")["SnapshotGroupId"]
    client.call("ModifySnapshotGroup", RegionId=REGION, SnapshotGroupId=group_id, Name="new", Description="kept")
    [group] = groups(client)
    assert (group["Name"], group["Description"]) == ("new", "kept")
    client.call("ModifySnapshotGroup", RegionId=REGION, SnapshotGroupId=group_id)
    assert groups(client)[0]["Name"] == "new"
    expect_error(lambda: client.call("ModifySnapshotGroup", RegionId=REGION, SnapshotGroupId=group_id, Name="-x"),
                 "InvalidParameter.Name", "The specified Name is invalid.", 400)
    expect_error(lambda: client.call("ModifySnapshotGroup", RegionId=REGION, SnapshotGroupId=group_id,
                                     Description="h"), "InvalidDescription.Malformed")
    expect_error(lambda: client.call("ModifySnapshotGroup", RegionId=REGION, SnapshotGroupId="ssg-none", Name="x1"),
                 "InvalidSnapshotGroupId.NotFound", NO_GROUP[1], NO_GROUP[0])


@pytest.mark.in_process
def test_groups_survive_a_saved_state(client: Driver, ecs: MockEcs) -> None:
    instance_id, _, _ = two_disk_instance(client, ecs)
    client.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=instance_id, Name="kept")
    before = groups(client)
    ecs.load_state(ecs.dump_state())
    assert groups(client) == before
