"""A Terraform-style disk lifecycle through aliyunsdkcore's generic CommonRequest (as the
alicloud provider does with its RPC calls): a disk from a snapshot, a state waiter polling
DescribeDisks until Available, tags written with TagResources and read back with
ListTagResources, and deletion detected by InvalidDiskId.NotFound. The waiter's sleep moves the
mock's clock (no real waiting)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest

from conftest import REGION, SdkCoreDriver, accomplished_snapshot
from mock_ecs import MockEcs

POLL_SECONDS = 5  # the provider's refresh interval


def rpc(client: AcsClient, action: str, **params: Any) -> Dict[str, Any]:
    req = CommonRequest(domain=f"ecs.{REGION}.aliyuncs.com", version="2014-05-26", action_name=action)
    req.set_method("POST")
    req.set_accept_format("json")
    req.add_query_param("RegionId", REGION)
    for key, value in params.items():
        req.add_query_param(key, value)
    return json.loads(client.do_action_with_exception(req))


def wait_for_status(client: AcsClient, ecs: MockEcs, disk_id: str, target: str, timeout: int = 600) -> List[str]:
    """resource.StateChangeConf: poll, refresh interval, give up at the timeout; the states seen."""
    seen: List[str] = []
    for _ in range(timeout // POLL_SECONDS):
        disks = rpc(client, "DescribeDisks", DiskIds=json.dumps([disk_id]))["Disks"]["Disk"]
        seen.append(disks[0]["Status"] if disks else "")
        if seen[-1] == target:
            return seen
        ecs.advance_clock(POLL_SECONDS)
    raise AssertionError(f"{disk_id} never reached {target}: {seen}")


def test_disk_from_snapshot_tagged_then_deleted(ecs: MockEcs) -> None:
    _, source, snap = accomplished_snapshot(SdkCoreDriver(), ecs)
    client = AcsClient("LTAIterraform", "secret", REGION, auto_retry=False)
    zone = ecs.disk(source)["ZoneId"]

    disk_id = rpc(client, "CreateDisk", ZoneId=zone, SnapshotId=snap, DiskCategory="cloud_essd",
                  DiskName="tf-data", ClientToken="tf-create-1")["DiskId"]
    seen = wait_for_status(client, ecs, disk_id, "Available")
    assert seen[-1] == "Available" and set(seen) <= {"Creating", "Available"}, seen
    (disk,) = rpc(client, "DescribeDisks", DiskIds=json.dumps([disk_id]))["Disks"]["Disk"]
    assert (disk["SourceSnapshotId"], disk["Size"], disk["DiskName"]) == (snap, 40, "tf-data")

    tagged = rpc(client, "TagResources", ResourceType="disk", **{"ResourceId.1": disk_id, "Tag.1.Key": "Name",
                                                                  "Tag.1.Value": "tf-data", "Tag.2.Key": "env",
                                                                  "Tag.2.Value": "test"})
    assert set(tagged) == {"RequestId"}
    listed = rpc(client, "ListTagResources", ResourceType="disk", **{"ResourceId.1": disk_id})
    rows = listed["TagResources"]["TagResource"]
    assert sorted((r["ResourceId"], r["ResourceType"], r["TagKey"], r["TagValue"]) for r in rows) == [
        (disk_id, "disk", "Name", "tf-data"), (disk_id, "disk", "env", "test")]
    assert listed.get("NextToken", "") == ""
    (disk,) = rpc(client, "DescribeDisks", DiskIds=json.dumps([disk_id]), **{"Tag.1.Key": "env",
                                                                              "Tag.1.Value": "test"})["Disks"]["Disk"]
    assert disk["DiskId"] == disk_id

    rpc(client, "DeleteDisk", DiskId=disk_id)
    # The provider's delete retries DeleteDisk until the disk is gone: then it is InvalidDiskId.NotFound.
    with pytest.raises(ServerException) as err:
        rpc(client, "DeleteDisk", DiskId=disk_id)
    assert (err.value.get_error_code(), err.value.get_http_status(), err.value.get_error_msg()) == (
        "InvalidDiskId.NotFound", 404, "The specified disk does not exist.")
    assert rpc(client, "DescribeDisks", DiskIds=json.dumps([disk_id]))["Disks"]["Disk"] == []
    assert disk_id not in ecs.ids("disks")
