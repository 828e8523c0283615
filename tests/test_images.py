"""Images: CreateImage, DescribeImages, DeleteImage, and what they do to snapshots.

Texts come from shared/reference/ecs-api/actions/<Action>.md and FACTS.md (sections 6, 8, 9, 10).
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List

import pytest

from conftest import (
    IMAGE,
    REGION,
    Driver,
    accomplished_snapshot,
    create_instance,
    disks_of,
    expect_error,
    ready_disk,
    run_instance,
    snapshots_of,
)
from mock_ecs import MockEcs

IMAGE_ID = re.compile(r"^m-bp1[a-z0-9]{17}$")
NOT_READY_MSG = ("The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId "
                 "does not support this operation.")
MALFORMED_NAME_MSG = "The specified Image name is wrongly formed."
# Fields of the DescribeImages sample in actions/DescribeImages.md.
SAMPLE_IMAGE_FIELDS = {
    "ImageId", "ImageFamily", "Description", "OSNameEn", "ProductCode", "ResourceGroupId", "OSType", "Architecture",
    "OSName", "DiskDeviceMappings", "ImageOwnerAlias", "Progress", "IsSupportCloudinit", "Usage", "CreationTime",
    "ImageVersion", "Tags", "Status", "ImageName", "IsSupportIoOptimized", "IsSelfShared", "IsCopied",
    "IsSubscribed", "Platform", "Size",
}
SAMPLE_MAPPING_FIELDS = {"ImportOSSObject", "Format", "Device", "Type", "SnapshotId", "ImportOSSBucket", "Progress",
                         "Size"}


# --- helpers ------------------------------------------------------------------------------
def create_image(client: Driver, **params: Any) -> str:
    return client.call("CreateImage", RegionId=REGION, **params)["ImageId"]


def describe(client: Driver, **filters: Any) -> Dict[str, Any]:
    return client.call("DescribeImages", RegionId=REGION, **filters)


def images(client: Driver, **filters: Any) -> List[Dict[str, Any]]:
    return describe(client, PageSize=100, **filters)["Images"]["Image"]


def image(client: Driver, image_id: str, **filters: Any) -> Dict[str, Any]:
    (found,) = images(client, ImageId=image_id, **filters)
    return found


def snapshot(client: Driver, snap_id: str) -> Dict[str, Any]:
    (found,) = client.call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snap_id]))["Snapshots"][
        "Snapshot"]
    return found


# --- CreateImage from a snapshot ------------------------------------------------------------
def test_create_image_from_an_accomplished_snapshot(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    assert snapshot(client, snap_id)["Usage"] == "none"
    out = client.call("CreateImage", RegionId=REGION, SnapshotId=snap_id, ImageName="golden-image",
                      Description="built from a snapshot")
    assert set(out) == {"RequestId", "ImageId"}
    image_id = out["ImageId"]
    assert IMAGE_ID.match(image_id)
    img = image(client, image_id)
    assert (img["Status"], img["Progress"], img["ImageOwnerAlias"]) == ("Available", "100%", "self")
    assert (img["ImageName"], img["Description"]) == ("golden-image", "built from a snapshot")
    assert img["Size"] == 40
    assert img["DiskDeviceMappings"]["DiskDeviceMapping"] == [{
        "Device": "/dev/xvda", "SnapshotId": snap_id, "Size": "40", "Type": "system", "Format": "",
        "ImportOSSBucket": "", "ImportOSSObject": "", "Progress": "100%", "Encrypted": False, "RemainTime": 0,
    }]
    assert snapshot(client, snap_id)["Usage"] == "image"
    assert ecs.ids("images") == [image_id]


def test_create_image_from_a_progressing_snapshot(client, ecs):
    _, disk_id = ready_disk(client, ecs)
    snap_id = client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"]
    ecs.advance_clock(59)
    expect_error(lambda: create_image(client, SnapshotId=snap_id), "InvalidSnapshotId.NotReady", NOT_READY_MSG, 403)
    expect_error(lambda: create_image(client, **{"DiskDeviceMapping.1.SnapshotId": snap_id}),
                 "InvalidSnapshotId.NotReady", NOT_READY_MSG, 403)
    assert ecs.ids("images") == []
    assert snapshot(client, snap_id)["Usage"] == "none"
    ecs.advance_clock(1)
    assert IMAGE_ID.match(create_image(client, SnapshotId=snap_id))


def test_create_image_from_an_unknown_snapshot(client, ecs):
    expect_error(lambda: create_image(client, SnapshotId="s-bp1abcdefghijklmnopq"),
                 "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.", 404)


def test_create_image_from_disk_device_mappings(client, ecs):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 100})
    ecs.advance_clock(ecs.settings.initialization_seconds)
    by_type = {d["Type"]: d["DiskId"] for d in disks_of(client, instance_id)}
    snaps = {kind: client.call("CreateSnapshot", DiskId=disk_id)["SnapshotId"] for kind, disk_id in by_type.items()}
    ecs.advance_clock(150)  # 100 GiB x 1.5 s
    image_id = create_image(client, **{"DiskDeviceMapping.1.SnapshotId": snaps["system"],
                                       "DiskDeviceMapping.2.SnapshotId": snaps["data"]})
    rows = image(client, image_id)["DiskDeviceMappings"]["DiskDeviceMapping"]
    assert [(r["Device"], r["SnapshotId"], r["Size"], r["Type"]) for r in rows] == [
        ("/dev/xvda", snaps["system"], "40", "system"), ("/dev/xvdb", snaps["data"], "100", "data")]
    assert {snapshot(client, s)["Usage"] for s in snaps.values()} == {"image"}


# --- CreateImage from an instance -----------------------------------------------------------
def test_create_image_from_an_instance_is_creating_until_its_snapshots_finish(client, ecs):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 100,
                                          "DataDisk.2.Size": 200, "DataDisk.2.Category": "ephemeral_ssd"})
    image_id = create_image(client, InstanceId=instance_id, ImageName="from-instance")
    # One snapshot per cloud disk (local disks cannot be snapshotted), made for the image.
    snaps = client.call("DescribeSnapshots", RegionId=REGION, InstanceId=instance_id)["Snapshots"]["Snapshot"]
    assert sorted(s["SourceDiskType"] for s in snaps) == ["data", "system"]
    assert {s["Status"] for s in snaps} == {"progressing"} and {s["Usage"] for s in snaps} == {"image"}
    # DescribeImages lists Available images unless told otherwise.
    assert images(client, ImageId=image_id) == []
    assert image(client, image_id, Status="Creating")["Status"] == "Creating"
    ecs.advance_clock(149)  # the 100 GiB data disk takes 150 s
    assert image(client, image_id, Status="Creating")["ImageName"] == "from-instance"
    ecs.advance_clock(1)
    img = image(client, image_id)
    assert (img["Status"], img["Progress"], img["Size"]) == ("Available", "100%", 40)
    rows = img["DiskDeviceMappings"]["DiskDeviceMapping"]
    assert [(r["Device"], r["Size"], r["Type"]) for r in rows] == [("/dev/xvda", "40", "system"),
                                                                   ("/dev/xvdb", "100", "data")]
    assert sorted(r["SnapshotId"] for r in rows) == sorted(s["SnapshotId"] for s in snaps)
    assert ecs.image(image_id)["Status"] == "Available"


def test_create_image_from_an_instance_with_image_creation_seconds(client, ecs):
    with MockEcs(image_creation_seconds=300) as ecs2:
        instance_id = run_instance(client)
        image_id = create_image(client, InstanceId=instance_id)
        ecs2.advance_clock(299)
        assert ecs2.image(image_id)["Status"] == "Creating"
        ecs2.advance_clock(1)
        assert image(client, image_id)["Status"] == "Available"


def test_create_image_from_a_stopped_instance(client, ecs):
    instance_id = create_instance(client)
    image_id = create_image(client, InstanceId=instance_id)
    ecs.advance_clock(60)
    assert image(client, image_id)["Status"] == "Available"


def test_create_image_from_a_pending_instance(client, ecs):
    with MockEcs(instance_start_seconds=30) as ecs2:
        instance_id = run_instance(client)
        expect_error(lambda: create_image(client, InstanceId=instance_id), "IncorrectInstanceStatus",
                     "The current status of the instance does not support this operation.", 400)
        assert ecs2.ids("images") == [] and ecs2.ids("snapshots") == []


def test_create_image_from_an_unknown_instance(client, ecs):
    expect_error(lambda: create_image(client, InstanceId="i-bp1abcdefghijklmnopq"),
                 "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.", 404)


def test_create_image_from_an_instance_whose_disk_is_being_snapshotted(client, ecs):
    instance_id = run_instance(client)
    first = create_image(client, InstanceId=instance_id)
    expect_error(lambda: create_image(client, InstanceId=instance_id), "IncorrectDiskStatus.CreatingSnapshot",
                 "A previous snapshot creation is in process.", 403)
    assert ecs.ids("images") == [first] and len(ecs.ids("snapshots")) == 1
    ecs.advance_clock(60)
    assert create_image(client, InstanceId=instance_id) != first


def test_create_image_instance_takes_priority_over_snapshots(client, ecs):
    instance_id = run_instance(client)
    bogus = "s-bp1abcdefghijklmnopq"
    # Documented priority: InstanceId > DiskDeviceMapping > SnapshotId, so the unknown snapshots are ignored.
    mapping = {"DiskDeviceMapping.1.SnapshotId": bogus}
    image_id = create_image(client, InstanceId=instance_id, SnapshotId=bogus, **mapping)
    ecs.advance_clock(60)
    (row,) = image(client, image_id)["DiskDeviceMappings"]["DiskDeviceMapping"]
    assert row["SnapshotId"] in ecs.ids("snapshots") and row["SnapshotId"] != bogus
    # Without the instance, DiskDeviceMapping wins over SnapshotId.
    expect_error(lambda: create_image(client, SnapshotId=row["SnapshotId"], **mapping),
                 "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.", 404)


def test_create_image_needs_a_source(client, ecs):
    expect_error(lambda: create_image(client, ImageName="nothing"), "MissingParameter",
                 "The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is mandatory for "
                 "processing this request is not supplied.", 400)
    assert ecs.ids("images") == []


# --- names and other parameters -------------------------------------------------------------
@pytest.mark.parametrize("name", ["a", "1image", "-image", "http://image", "https://image", "x" * 129,
                                  "has space"])
def test_create_image_malformed_name(client, ecs, name):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    expect_error(lambda: create_image(client, SnapshotId=snap_id, ImageName=name),
                 "InvalidImageName.Malformed", MALFORMED_NAME_MSG, 400)
    assert ecs.ids("images") == []


@pytest.mark.parametrize("name", ["Ab", "my-image_1:v2", "x" * 128, "镜像一号"])
def test_create_image_good_name(client, ecs, name):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    assert image(client, create_image(client, SnapshotId=snap_id, ImageName=name))["ImageName"] == name


def test_create_image_duplicate_name(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    first = create_image(client, SnapshotId=snap_id, ImageName="base")
    expect_error(lambda: create_image(client, SnapshotId=snap_id, ImageName="base"),
                 "InvalidImageName.Duplicated", "The specified image name is already in use.", 400)
    assert ecs.ids("images") == [first]
    # Names are case-sensitive; a deleted image frees its name.
    create_image(client, SnapshotId=snap_id, ImageName="Base")
    client.call("DeleteImage", RegionId=REGION, ImageId=first)
    assert image(client, create_image(client, SnapshotId=snap_id, ImageName="base"))["ImageName"] == "base"


def test_create_image_malformed_description(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    expect_error(lambda: create_image(client, SnapshotId=snap_id, Description="x"),
                 "InvalidDescription.Malformed", "The specified description is wrongly formed.", 400)


def test_create_image_tags(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    image_id = create_image(client, SnapshotId=snap_id, **{"Tag.1.Key": "team", "Tag.1.Value": "storage"})
    assert image(client, image_id)["Tags"] == {"Tag": [{"TagKey": "team", "TagValue": "storage"}]}


def test_create_image_client_token(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    first = create_image(client, SnapshotId=snap_id, ImageName="tokened", ClientToken="image-token")
    assert create_image(client, SnapshotId=snap_id, ImageName="tokened", ClientToken="image-token") == first
    expect_error(lambda: create_image(client, SnapshotId=snap_id, ImageName="other", ClientToken="image-token"),
                 "InvalidParamter.Conflict",
                 "The specified same token is trying to make requests with different parameters.", 403)
    assert ecs.ids("images") == [first]


# --- DescribeImages ------------------------------------------------------------------------
def test_describe_images_shape(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    image_id = create_image(client, SnapshotId=snap_id, ImageName="shape")
    out = describe(client, ImageId=image_id)
    assert set(out) == {"RequestId", "RegionId", "TotalCount", "PageNumber", "PageSize", "Images"}
    assert (out["RegionId"], out["TotalCount"], out["PageNumber"], out["PageSize"]) == (REGION, 1, 1, 10)
    (img,) = out["Images"]["Image"]
    assert SAMPLE_IMAGE_FIELDS <= set(img)
    # Size is an Integer on the image and a String inside DiskDeviceMappings (FACTS.md section 9).
    assert isinstance(img["Size"], int)
    (row,) = img["DiskDeviceMappings"]["DiskDeviceMapping"]
    assert SAMPLE_MAPPING_FIELDS <= set(row) and row["Size"] == "40"
    assert img["Usage"] == "none" and img["IsSelfShared"] == "False" and img["IsCopied"] is False
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", img["CreationTime"])


def test_describe_images_owner_alias(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    mine = create_image(client, SnapshotId=snap_id)
    assert [i["ImageId"] for i in images(client, ImageOwnerAlias="self")] == [mine]
    system = images(client, ImageOwnerAlias="system")
    assert system and {i["ImageOwnerAlias"] for i in system} == {"system"}
    assert mine not in {i["ImageId"] for i in system} and IMAGE in {i["ImageId"] for i in system}
    assert {i["ImageId"] for i in images(client)} == {mine} | {i["ImageId"] for i in system}
    assert images(client, ImageOwnerAlias="others") == []
    expect_error(lambda: describe(client, ImageOwnerAlias="everyone"), "InvalidImageOwnerAlias.ValueNotSupported",
                 "The specified ImageOwnerAlias value is not supported.", 400)


def test_describe_images_status_filter(client, ecs):
    with MockEcs(image_creation_seconds=120) as ecs2:
        _, _, snap_id = accomplished_snapshot(client, ecs2)
        ready = create_image(client, SnapshotId=snap_id)
        ecs2.advance_clock(120)
        creating = create_image(client, SnapshotId=snap_id)
        ids = lambda **f: [i["ImageId"] for i in images(client, ImageOwnerAlias="self", **f)]  # noqa: E731
        assert ids() == [ready]  # the default is Status=Available
        assert ids(Status="Creating") == [creating]
        assert sorted(ids(Status="Creating,Available")) == sorted([creating, ready])
        assert ids(Status="CreateFailed") == []
        expect_error(lambda: describe(client, Status="Broken"),
                     "InvalidStatus.NotFound", "The specified Status is not found", 404)


def test_describe_images_by_id(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    a, b, c = (create_image(client, SnapshotId=snap_id) for _ in range(3))
    assert [i["ImageId"] for i in images(client, ImageId=b)] == [b]
    assert sorted(i["ImageId"] for i in images(client, ImageId=f"{a},{c}")) == sorted([a, c])
    assert images(client, ImageId="m-bp1abcdefghijklmnopq") == []
    assert [i["ImageId"] for i in images(client, SnapshotId=snap_id)] == [c, b, a]


def test_describe_images_usage_follows_instances(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    image_id = create_image(client, SnapshotId=snap_id)
    assert image(client, image_id)["Usage"] == "none"
    run_instance(client, ImageId=image_id)
    assert image(client, image_id)["Usage"] == "instance"


# --- DeleteImage ---------------------------------------------------------------------------
def test_delete_image(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    image_id = create_image(client, SnapshotId=snap_id)
    assert client.call("DeleteImage", RegionId=REGION, ImageId=image_id).keys() == {"RequestId"}
    assert images(client, ImageId=image_id) == [] and ecs.ids("images") == []
    with pytest.raises(KeyError):
        ecs.image(image_id)


def test_delete_unknown_image(client, ecs):
    expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId="m-bp1abcdefghijklmnopq"),
                 "InvalidImageId.NotFound", "The specified ImageId does not exist.", 404)
    expect_error(lambda: client.call("DeleteImage", RegionId=REGION),
                 "MissingImageId", "ImageId is mandatory for this action.", 400)


def test_delete_image_used_by_an_instance(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    image_id = create_image(client, SnapshotId=snap_id)
    user = run_instance(client, ImageId=image_id)
    for force in (None, False):
        expect_error(lambda force=force: client.call("DeleteImage", RegionId=REGION, ImageId=image_id, Force=force),
                     "ImageUsingByInstance", "The specified image has been used to create instances.", 403)
    assert ecs.ids("images") == [image_id]
    client.call("DeleteImage", RegionId=REGION, ImageId=image_id, Force=True)
    assert ecs.ids("images") == []
    assert user in ecs.ids("instances")


def test_delete_image_after_its_instance_is_released(client, ecs):
    _, _, snap_id = accomplished_snapshot(client, ecs)
    image_id = create_image(client, SnapshotId=snap_id)
    user = run_instance(client, ImageId=image_id)
    client.call("DeleteInstance", InstanceId=user, Force=True)
    client.call("DeleteImage", RegionId=REGION, ImageId=image_id)
    assert ecs.ids("images") == []


def test_delete_image_frees_its_snapshots(client, ecs):
    _, disk_id, snap_id = accomplished_snapshot(client, ecs)
    first = create_image(client, SnapshotId=snap_id)
    second = create_image(client, SnapshotId=snap_id)
    refused = "The snapshot has been used to create user defined image(s)."
    expect_error(lambda: client.call("DeleteSnapshot", SnapshotId=snap_id), "SnapshotCreatedImage", refused, 403)
    expect_error(lambda: client.call("DeleteSnapshot", SnapshotId=snap_id, Force=True),
                 "SnapshotCreatedImage", refused, 403)
    client.call("DeleteImage", RegionId=REGION, ImageId=first)
    # Still used by the second image.
    expect_error(lambda: client.call("DeleteSnapshot", SnapshotId=snap_id), "SnapshotCreatedImage", refused, 403)
    assert snapshot(client, snap_id)["Usage"] == "image"
    client.call("DeleteImage", RegionId=REGION, ImageId=second)
    assert snapshot(client, snap_id)["Usage"] == "none"
    assert client.call("DeleteSnapshot", SnapshotId=snap_id).keys() == {"RequestId"}
    assert snapshots_of(client, disk_id) == []


def test_delete_image_made_from_an_instance_frees_the_snapshots_it_made(client, ecs):
    instance_id = run_instance(client)
    image_id = create_image(client, InstanceId=instance_id)
    ecs.advance_clock(60)
    (snap,) = client.call("DescribeSnapshots", RegionId=REGION, InstanceId=instance_id)["Snapshots"]["Snapshot"]
    expect_error(lambda: client.call("DeleteSnapshot", SnapshotId=snap["SnapshotId"]), "SnapshotCreatedImage",
                 "The snapshot has been used to create user defined image(s).", 403)
    client.call("DeleteImage", RegionId=REGION, ImageId=image_id)
    client.call("DeleteSnapshot", SnapshotId=snap["SnapshotId"])
    assert ecs.ids("snapshots") == []


# --- through every client ---------------------------------------------------------------------
def test_image_lifecycle_through_every_client(any_client, ecs):
    _, _, snap_id = accomplished_snapshot(any_client, ecs)
    image_id = any_client.call("CreateImage", RegionId=REGION, SnapshotId=snap_id, ImageName="every-client")["ImageId"]
    assert IMAGE_ID.match(image_id)
    expect_error(lambda: any_client.call("CreateImage", RegionId=REGION, SnapshotId=snap_id, ImageName="every-client"),
                 "InvalidImageName.Duplicated", "The specified image name is already in use.", 400)
    out = any_client.call("DescribeImages", RegionId=REGION, ImageId=image_id)
    (img,) = out["Images"]["Image"]
    # libcloud reads XML, where every number is text; the mapping's Size is text everywhere.
    assert (img["Status"], img["ImageOwnerAlias"], str(img["Size"])) == ("Available", "self", "40")
    (row,) = img["DiskDeviceMappings"]["DiskDeviceMapping"]
    assert (row["Device"], row["SnapshotId"], row["Size"], row["Type"]) == ("/dev/xvda", snap_id, "40", "system")
    expect_error(lambda: any_client.call("DeleteSnapshot", SnapshotId=snap_id), "SnapshotCreatedImage",
                 "The snapshot has been used to create user defined image(s).", 403)
    any_client.call("DeleteImage", RegionId=REGION, ImageId=image_id)
    expect_error(lambda: any_client.call("DeleteImage", RegionId=REGION, ImageId=image_id),
                 "InvalidImageId.NotFound", "The specified ImageId does not exist.", 404)
    any_client.call("DeleteSnapshot", SnapshotId=snap_id)
    assert ecs.ids("images") == [] and ecs.ids("snapshots") == []
