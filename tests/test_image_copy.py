"""CopyImage through the real clients: a new image in the destination region, Creating on the
mock's clock, its snapshots copied there; its refusals; DeleteImage of a source being copied;
libcloud's copy_image."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from conftest import REGION, Driver, accomplished_snapshot, expect_error
from mock_ecs import MockEcs

DEST = "cn-beijing"
COPY_SECONDS = 300


def golden(client: Driver, ecs: MockEcs, name: str = "golden") -> str:
    """An Available custom image of REGION made from a system-disk snapshot."""
    _, _, snap = accomplished_snapshot(client, ecs)
    image_id = client.call("CreateImage", RegionId=REGION, SnapshotId=snap, ImageName=name)["ImageId"]
    ecs.advance_clock(ecs.backend.settings.image_creation_seconds)
    return image_id


def found(client: Driver, region: str, image_id: str) -> List[Dict[str, Any]]:
    out = client.call("DescribeImages", RegionId=region, ImageId=image_id, Status="Creating,Available")
    return out["Images"].get("Image", [])


def copy(client: Driver, image_id: str, **extra: Any) -> str:
    return client.call("CopyImage", RegionId=REGION, ImageId=image_id, **{"DestinationRegionId": DEST, **extra})[
        "ImageId"]


def test_copy_is_a_new_image_in_the_destination_creating_on_the_clock(client):
    with MockEcs(image_creation_seconds=COPY_SECONDS) as ecs:
        source = golden(client, ecs)
        copied = copy(client, source, DestinationImageName="golden-bj", DestinationDescription="in Beijing",
                      **{"Tag.1.Key": "env", "Tag.1.Value": "prod"})
        assert copied.startswith("m-2ze") and copied != source
        (image,) = found(client, DEST, copied)
        assert (image["Status"], image["ImageName"], image["Description"]) == ("Creating", "golden-bj", "in Beijing")
        assert image["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": "prod"}]
        (mapping,) = image["DiskDeviceMappings"]["DiskDeviceMapping"]
        snaps = client.call("DescribeSnapshots", RegionId=DEST)["Snapshots"]["Snapshot"]
        assert [(s["SnapshotId"], s["Status"]) for s in snaps] == [(mapping["SnapshotId"], "progressing")]
        assert found(client, REGION, copied) == []
        ecs.advance_clock(COPY_SECONDS)
        assert found(client, DEST, copied)[0]["Status"] == "Available"
        snaps = client.call("DescribeSnapshots", RegionId=DEST)["Snapshots"]["Snapshot"]
        assert [(s["Status"], s["Usage"]) for s in snaps] == [("accomplished", "image")]
        # The source is as it was.
        assert [i["ImageName"] for i in found(client, REGION, source)] == ["golden"]


def test_copy_keeps_the_source_name_when_none_is_given_and_can_stay_in_its_region(client, ecs):
    source = golden(client, ecs)
    same = client.call("CopyImage", RegionId=REGION, ImageId=source)["ImageId"]
    (image,) = found(client, REGION, same)
    assert (image["ImageName"], image["Status"], image["Platform"]) == (same, "Available", "Others Linux")


def test_copy_refusals(client):
    with MockEcs(image_creation_seconds=COPY_SECONDS) as ecs:
        expect_error(lambda: copy(client, "m-bp1doesnotexist0000"), "InvalidImageId.NotFound",
                     "The specified ImageId does not exist.", 404)
        expect_error(lambda: copy(client, "ubuntu_22_04_x64_20G_alibase_20240130.vhd"), "InvalidImageId.NotFound",
                     "The specified ImageId does not exist.", 404)
        _, _, snap = accomplished_snapshot(client, ecs)
        creating = client.call("CreateImage", RegionId=REGION, SnapshotId=snap, ImageName="golden")["ImageId"]
        expect_error(lambda: copy(client, creating), "IncorrectImageStatus",
                     "The current status of the image does not support this operation.", 403)
        ecs.advance_clock(COPY_SECONDS)
        # The image is in REGION: asked for in another region, it is unknown there.
        expect_error(lambda: client.call("CopyImage", RegionId=DEST, ImageId=creating, DestinationRegionId=REGION),
                     "InvalidImageId.NotFound", "The specified ImageId does not exist.", 404)
        expect_error(lambda: copy(client, creating, DestinationRegionId="cn-atlantis"), "InvalidRegionId.NotFound",
                     "The specified RegionId does not exist.", 404)
        expect_error(lambda: copy(client, creating, DestinationImageName="-bad"), "InvalidImageName.Malformed",
                     "The specified Image name is wrongly formed.", 400)
        expect_error(lambda: copy(client, creating, DestinationDescription="http://x"),
                     "InvalidDescription.Malformed", "The specified description is wrongly formed.", 400)
        copy(client, creating, DestinationImageName="golden-bj")
        expect_error(lambda: copy(client, creating, DestinationImageName="golden-bj"), "InvalidImageName.Duplicated",
                     "The specified Image name has already bean used.", 400)
        assert len(ecs.ids("images")) == 2


def test_copy_quota_of_the_destination(client):
    with MockEcs(image_quota=1) as ecs:
        source = golden(client, ecs)
        copy(client, source)
        expect_error(lambda: copy(client, source), "QuotaExceed.Image", "The Image Quota exceeds.", 403)


def test_copy_dry_run_and_client_token(client, ecs):
    source = golden(client, ecs)
    expect_error(lambda: copy(client, source, DryRun=True), "DryRunOperation",
                 "Request validation has been passed with DryRun flag set.", 400)
    assert len(ecs.ids("images")) == 1
    first = copy(client, source, ClientToken="copy-token-1")
    assert copy(client, source, ClientToken="copy-token-1") == first
    expect_error(lambda: copy(client, source, ClientToken="copy-token-1", DestinationImageName="other"),
                 "IdempotentParameterMismatch", "The request is retried with updated parameters.", 400)
    assert len(ecs.ids("images")) == 2


def test_delete_image_refused_while_a_copy_is_creating(client):
    with MockEcs(image_creation_seconds=COPY_SECONDS) as ecs:
        source = golden(client, ecs)
        copy(client, source)
        expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId=source),
                     "OperationDenied.ImageCopying", "The Image is coping.", 403)
        ecs.advance_clock(COPY_SECONDS)
        client.call("DeleteImage", RegionId=REGION, ImageId=source)
        assert found(client, REGION, source) == []


@pytest.mark.parametrize("name", ["", "x", "acs:golden", "http://golden"])
def test_copy_name_rules(client, ecs, name):
    source = golden(client, ecs)
    if not name:
        assert copy(client, source, DestinationImageName=name)
        return
    expect_error(lambda: copy(client, source, DestinationImageName=name), "InvalidImageName.Malformed",
                 "The specified Image name is wrongly formed.", 400)


def test_libcloud_copy_image(ecs: MockEcs):
    """libcloud reads the copy back in the driver's region: a copy within it (the default)."""
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider

    from conftest import SdkCoreDriver

    source = golden(SdkCoreDriver(), ecs)
    driver = get_driver(Provider.ALIYUN_ECS)("LTAItestAccessKey", "testSecret", region=REGION)
    (image,) = [i for i in driver.list_images(ex_filters={"ImageOwnerAlias": "self"}) if i.id == source]
    new = driver.copy_image(source_region=REGION, node_image=image, name="golden-copy", description="by libcloud")
    assert new.id != source and new.name == "golden-copy"
    assert ecs.image(new.id)["Description"] == "by libcloud"
