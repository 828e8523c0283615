"""CopySnapshot through aliyunsdkcore and the Tea SDK: a copy in another region, progressing on the
mock's clock then accomplished, holding its source's data; every refusal of its table with its own
status and text; ClientToken; failures; and DescribeSnapshots' Available (instant access)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

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

DEST = "cn-beijing"
NAMES = {"DestinationSnapshotName": "dr-copy", "DestinationSnapshotDescription": "disaster recovery"}
NOT_FOUND = ("InvalidSnapshotId.NotFound", "The specified snapshot is not exists.", 403)
NOT_READY = ("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)


def copy(client: Driver, snap_id: str, **extra: Any) -> str:
    params = {"RegionId": REGION, "SnapshotId": snap_id, "DestinationRegionId": DEST, **NAMES, **extra}
    return str(client.call("CopySnapshot", **params)["SnapshotId"])


def shown(client: Driver, region: str, snap_id: str) -> List[Dict[str, Any]]:
    out = client.call("DescribeSnapshots", RegionId=region, SnapshotIds=json.dumps([snap_id]))
    return list(out["Snapshots"].get("Snapshot", []))


def test_a_copy_is_a_new_snapshot_of_the_destination_progressing_on_the_clock(client, ecs):
    _, disk_id, source = accomplished_snapshot(client, ecs)
    client.call("TagResources", RegionId=REGION, ResourceType="snapshot",
                **{"ResourceId.1": source, "Tag.1.Key": "env", "Tag.1.Value": "prod"})
    copied = copy(client, source, RetentionDays=30, **{"Tag.1.Key": "site", "Tag.1.Value": "dr"})
    assert copied.startswith("s-2ze") and copied != source
    (snap,) = shown(client, DEST, copied)
    assert (snap["Status"], snap["Progress"], snap["RemainTime"], snap["Available"]) == ("progressing", "0%", 60, False)
    assert (snap["SourceSnapshotId"], snap["SourceRegionId"], snap["RegionId"]) == (source, REGION, DEST)
    assert (snap["SnapshotName"], snap["Description"], snap["RetentionDays"]) == ("dr-copy", "disaster recovery", 30)
    assert (snap["SourceDiskId"], snap["SourceDiskSize"], snap["SourceDiskType"]) == (disk_id, "40", "system")
    assert (snap["SnapshotType"], snap["FullSnapshotSizeInBytes"], snap["Encrypted"]) == ("user", 0, False)
    # The source's tags are not copied; the copy has its own.
    assert snap["Tags"]["Tag"] == [{"TagKey": "site", "TagValue": "dr"}]
    # It is not in the source's region, and the source is as it was.
    assert shown(client, REGION, copied) == []
    (original,) = shown(client, REGION, source)
    assert (original["SourceSnapshotId"], original["SourceRegionId"]) == ("", "")
    assert original["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": "prod"}]
    ecs.advance_clock(30)
    assert shown(client, DEST, copied)[0]["Progress"] == "50%"
    ecs.advance_clock(30)
    (snap,) = shown(client, DEST, copied)
    assert (snap["Status"], snap["Progress"], snap["RemainTime"]) == ("accomplished", "100%", 0)
    assert snap["Available"] is True
    assert snap["FullSnapshotSizeInBytes"] == 40 * 2**30
    # The destination's listing by disk shows the copy in its source disk's chain.
    out = client.call("DescribeSnapshots", RegionId=DEST, DiskId=disk_id)
    assert [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]] == [copied]


def test_the_copy_holds_the_source_data_and_a_disk_made_from_it_too(client, ecs):
    """The restore drill's second half: write, snapshot, write, copy, a disk from the copy in the
    destination holds the first generation."""
    _, disk_id = ready_disk(client, ecs)
    assert ecs.write_disk(disk_id) == 1
    source = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ecs.advance_clock(60)
    assert ecs.write_disk(disk_id) == 2
    copied = copy(client, source)
    zone = f"{DEST}-a"
    expect_error(lambda: client.call("CreateDisk", RegionId=DEST, ZoneId=zone, SnapshotId=copied),
                 "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)
    ecs.advance_clock(60)
    assert ecs.snapshot(copied)["Status"] == "accomplished"
    restored = client.call("CreateDisk", RegionId=DEST, ZoneId=zone, SnapshotId=copied)["DiskId"]
    assert restored.startswith("d-2ze")
    assert ecs.disk_content(restored) == 1 and ecs.disk_content(disk_id) == 2
    assert shown(client, DEST, copied)[0]["Usage"] == "disk"
    # A copy of the copy (back to the first region) holds it too.
    again = client.call("CopySnapshot", RegionId=DEST, SnapshotId=copied, DestinationRegionId=REGION,
                        **NAMES)["SnapshotId"]
    ecs.advance_clock(60)
    (snap,) = shown(client, REGION, again)
    assert (snap["SourceSnapshotId"], snap["SourceRegionId"], snap["Status"]) == (copied, DEST, "accomplished")
    back = client.call("CreateDisk", RegionId=REGION, ZoneId=f"{REGION}-h", SnapshotId=again)["DiskId"]
    assert ecs.disk_content(back) == 1


def test_how_long_a_copy_takes_is_a_setting(client):
    with MockEcs(copy_seconds_per_gib=3) as ecs:
        _, disk_id, source = accomplished_snapshot(client, ecs)
        ecs.set_disk_data_size(disk_id, 10)
        copied = copy(client, source)  # the source holds the whole 40 GiB disk: 120 s
        assert shown(client, DEST, copied)[0]["RemainTime"] == 120
        ecs.advance_clock(119)
        assert ecs.snapshot(copied)["Status"] == "progressing"
        ecs.advance_clock(1)
        assert ecs.snapshot(copied)["Status"] == "accomplished"
    with MockEcs(snapshot_min_seconds=200) as ecs:
        _, _, source = accomplished_snapshot(client, ecs)
        ecs.advance_clock(200)
        assert shown(client, DEST, copy(client, source))[0]["RemainTime"] == 200


def test_encryption_resource_group_and_retention(client, ecs):
    _, _, source = accomplished_snapshot(client, ecs)
    copied = copy(client, source, Encrypted=True, KMSKeyId="key-dr-0001", ResourceGroupId="rg-dr",
                  RetentionDays=1)
    (snap,) = shown(client, DEST, copied)
    assert (snap["Encrypted"], snap["KMSKeyId"], snap["ResourceGroupId"]) == (True, "key-dr-0001", "rg-dr")
    plain = copy(client, source)
    assert (shown(client, DEST, plain)[0]["Encrypted"], shown(client, DEST, plain)[0]["KMSKeyId"]) == (False, "")
    # RetentionDays: released a day after the copy was made.
    ecs.advance_clock(86400)
    assert shown(client, DEST, copied) == [] and len(shown(client, DEST, plain)) == 1


def test_client_token_answers_the_first_copy_again(client, ecs):
    _, _, source = accomplished_snapshot(client, ecs)
    first = copy(client, source, ClientToken="dr-token-0001")
    assert copy(client, source, ClientToken="dr-token-0001") == first
    out = client.call("DescribeSnapshots", RegionId=DEST)
    assert [s["SnapshotId"] for s in out["Snapshots"]["Snapshot"]] == [first]
    expect_error(lambda: copy(client, source, ClientToken="dr-token-0001", RetentionDays=3),
                 "IdempotentParameterMismatch", "The request is retried with updated parameters.", 400)


def test_deleting_a_progressing_copy_cancels_it(client, ecs):
    _, disk_id, source = accomplished_snapshot(client, ecs)
    copied = copy(client, source)
    ecs.advance_clock(30)
    client.call("DeleteSnapshot", RegionId=DEST, SnapshotId=copied)
    assert shown(client, DEST, copied) == []
    assert ecs.ids("snapshots") == [source]
    ecs.advance_clock(60)
    assert shown(client, DEST, copied) == [] and shown(client, REGION, source)[0]["Status"] == "accomplished"


def test_copy_refusals(client, ecs):
    _, disk_id, source = accomplished_snapshot(client, ecs)
    expect_error(lambda: copy(client, "s-bp1doesnotexist0000"), *NOT_FOUND)
    # A snapshot of another region is unknown in the request's region.
    expect_error(lambda: client.call("CopySnapshot", RegionId="cn-shanghai", SnapshotId=source,
                                     DestinationRegionId=DEST, **NAMES), *NOT_FOUND)
    expect_error(lambda: copy(client, source, DestinationRegionId=REGION),
                 "InvalidOperation.NotSupportCopyInSameRegion", "Copying snapshot in the same region is not supported.",
                 403)
    expect_error(lambda: copy(client, source, DestinationRegionId="cn-atlantis"),
                 "InvalidRegionId.NotExists", "Region not exists.", 403)
    # The source region unknown: the gateway answers CopySnapshot's own code for it.
    expect_error(lambda: copy(client, source, RegionId="xx-nowhere-1"), "InvalidRegionId.NotExists",
                 "Region not exists.", 403)
    progressing = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    expect_error(lambda: copy(client, progressing), *NOT_READY)
    ecs.fail_snapshot(progressing, at_progress=40)
    expect_error(lambda: copy(client, progressing), *NOT_READY)
    for name in ("1copy", "-copy", "c", "x" * 129, "http://copy", "中文copy"):
        expect_error(lambda: copy(client, source, DestinationSnapshotName=name),  # noqa: B023
                     "InvalidSnapshotName.Malformed",
                     "The specified SnapshotName is wrongly formed.", 403)
    for text in ("x", "y" * 257, "https://dr"):
        expect_error(lambda: copy(client, source, DestinationSnapshotDescription=text),  # noqa: B023
                     "InvalidDescription.Malformed", "The specified description is wrongly formed.", 403)
    for days in (0, 65537):
        expect_error(lambda: copy(client, source, RetentionDays=days),  # noqa: B023
                     "InvalidRetentionDays.Malformed",
                     "The specified RetentionDays is not valid.", 403)
    expect_error(lambda: copy(client, source, **{"Tag.1.Key": "k", "Tag.2.Key": "k"}), "Duplicate.TagKey",
                 "The Tag.N.Key contain duplicate key.", 400)
    expect_error(lambda: copy(client, source, **{"Tag.1.Key": "aliyun-k"}), "InvalidTagKey.Malformed",
                 "The specified Tag.n.Key is not valid.", 400)
    expect_error(lambda: copy(client, source, **{"Tag.1.Key": "k", "Tag.1.Value": "http://v"}),
                 "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.", 400)
    expect_error(lambda: copy(client, source, KMSKeyId="key-dr-0001"), "InvalidEncrypted.NotMatchKmsKeyId",
                 "The specified KMSKeyId is only valid when Encrypted is true.", 403)
    # Both names are required by the metadata.
    params = {"RegionId": REGION, "SnapshotId": source, "DestinationRegionId": DEST}
    expect_error(lambda: client.call("CopySnapshot", **params, DestinationSnapshotDescription="dr copy"),
                 "MissingDestinationSnapshotName", "DestinationSnapshotName is mandatory for this action.", 400)
    ecs.set_account_status(not_enough_balance=True)
    expect_error(lambda: copy(client, source), "InvalidAccountStatus.NotEnoughBalance",
                 "Your account does not have enough balance.", 403)
    ecs.set_account_status(not_enough_balance=False, snapshot_service_unavailable=True)
    expect_error(lambda: copy(client, source), "InvalidAccountStatus.SnapshotServiceUnavailable",
                 "Snapshot service has not been opened yet.", 403)
    ecs.set_account_status(snapshot_service_unavailable=False)
    # Nothing was copied by the refused calls.
    assert client.call("DescribeSnapshots", RegionId=DEST)["Snapshots"].get("Snapshot", []) == []


def test_the_destination_quota(client):
    with MockEcs(snapshot_quota=2) as ecs:
        _, _, source = accomplished_snapshot(client, ecs)
        copy(client, source)
        copy(client, source)
        expect_error(lambda: copy(client, source), "QuotaExceed.SnapshotQuota",
                     "The quota is insufficient, please contact your channel partner to increase the quota.", 403)


def test_a_copy_fails_under_its_source_disks_failure_rule(client, ecs):
    _, disk_id, source = accomplished_snapshot(client, ecs)
    rule = ecs.fail_snapshots(disk_id, at_progress=40)
    copied = copy(client, source)
    ecs.advance_clock(24)
    (snap,) = shown(client, DEST, copied)
    assert (snap["Status"], snap["Progress"], snap["RemainTime"], snap["Available"]) == ("failed", "40%", 0, False)
    assert rule.fired == 1
    expect_error(lambda: client.call("CopySnapshot", RegionId=DEST, SnapshotId=copied, DestinationRegionId=REGION,
                                     **NAMES), *NOT_READY)
    expect_error(lambda: client.call("CreateDisk", RegionId=DEST, ZoneId=f"{DEST}-a", SnapshotId=copied),
                 "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)
    # Deleting the failed copy frees its place.
    client.call("DeleteSnapshot", RegionId=DEST, SnapshotId=copied)
    assert shown(client, DEST, copied) == []


def test_an_instant_access_essd_snapshot_is_available_before_it_is_accomplished(client, ecs):
    """DescribeSnapshots' Available: "can be used to create or roll back a cloud disk" (FACTS.md
    6), true before accomplished for an ESSD snapshot with instant access; CreateDisk takes it."""
    essd = system_disk(client, run_instance(client, **{"SystemDisk.Category": "cloud_essd"}))
    efficiency = system_disk(client, run_instance(client, **{"SystemDisk.Category": "cloud_efficiency"}))
    ecs.advance_clock(ecs.settings.initialization_seconds)
    ecs.write_disk(essd)
    fast = client.call("CreateSnapshot", DiskId=essd, InstantAccess=True)["SnapshotId"]
    normal = client.call("CreateSnapshot", DiskId=efficiency, InstantAccess=True)["SnapshotId"]
    (snap,) = shown(client, REGION, fast)
    assert (snap["Status"], snap["Available"], snap["InstantAccess"]) == ("progressing", True, True)
    assert shown(client, REGION, normal)[0]["Available"] is False  # instant access is for ESSDs only
    disk = client.call("CreateDisk", RegionId=REGION, ZoneId=f"{REGION}-h", SnapshotId=fast)["DiskId"]
    assert ecs.disk_content(disk) == 1
    expect_error(lambda: client.call("CreateDisk", RegionId=REGION, ZoneId=f"{REGION}-h", SnapshotId=normal),
                 "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403)
    # Copying and making an image still wait for accomplished (Available speaks of disks only).
    expect_error(lambda: copy(client, fast), *NOT_READY)
    expect_error(lambda: client.call("CreateImage", RegionId=REGION, SnapshotId=fast), "InvalidSnapshotId.NotReady")
    # Instant access turned off: a progressing one is no longer available.
    client.call("ModifySnapshotAttribute", SnapshotId=fast, DisableInstantAccess=True)
    assert shown(client, REGION, fast)[0]["Available"] is False
    ecs.advance_clock(60)
    assert shown(client, REGION, fast)[0]["Available"] is True


@pytest.mark.in_process
def test_the_typed_request_classes_of_both_sdks(ecs: MockEcs) -> None:
    """aliyunsdkecs' CopySnapshotRequest and the Tea client's copy_snapshot with its models; the
    Tea DescribeSnapshots model reads the copy's source fields and Available."""
    from alibabacloud_ecs20140526 import models
    from aliyunsdkecs.request.v20140526.CopySnapshotRequest import CopySnapshotRequest

    core, tea = SdkCoreDriver(), TeaDriver()
    _, _, source = accomplished_snapshot(core, ecs)
    req = CopySnapshotRequest()
    req.set_SnapshotId(source)
    req.set_DestinationRegionId(DEST)
    req.set_DestinationSnapshotName("dr-core")
    req.set_DestinationSnapshotDescription("by aliyunsdkcore")
    req.set_Encrypted(True)
    req.set_KMSKeyId("key-dr-0001")
    req.set_RetentionDays(7)
    req.set_Tags([{"Key": "site", "Value": "dr"}])
    by_core = json.loads(core.client.do_action_with_exception(req))["SnapshotId"]
    body = tea.client.copy_snapshot(models.CopySnapshotRequest(
        region_id=REGION, snapshot_id=source, destination_region_id=DEST, destination_snapshot_name="dr-tea",
        destination_snapshot_description="by the Tea SDK", client_token="tea-copy-0001",
        tag=[models.CopySnapshotRequestTag(key="site", value="dr")])).body
    assert body.request_id and body.snapshot_id.startswith("s-2ze") and body.snapshot_id != by_core
    ecs.advance_clock(60)
    found = tea.client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=DEST, snapshot_ids=json.dumps([by_core, body.snapshot_id]))).body.snapshots.snapshot
    assert sorted((s.snapshot_name, s.source_snapshot_id, s.source_region_id, s.available, s.encrypted)
                  for s in found) == [("dr-core", source, REGION, True, True), ("dr-tea", source, REGION, True, False)]
    assert {s.tags.tag[0].tag_key for s in found} == {"site"}
