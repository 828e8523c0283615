"""DescribeImages: every real parameter, ANDed, with its value rules; paging; CreateImage's clock
and attributes; DeleteImage's ``delete_unknown``; DryRun on all three image actions.

Texts come from shared/reference/ecs-api/actions/{DescribeImages,CreateImage,DeleteImage}.md and
the metadata meta/en-US/DescribeImages.json. Rules tests/test_images.py already asserts are not
repeated here: the response shape, ImageOwnerAlias self/system/others and its bad value, the Status
default/comma list/bad value, ImageId lists and SnapshotId order, Usage following instances,
DeleteImage of an unknown ID (default setting), ImageUsingByInstance and Force.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest

from conftest import IMAGE, REGION, Driver, accomplished_snapshot, expect_error, run_instance
from mock_ecs import MockEcs, router
from mock_ecs.actions.common import PUBLIC_IMAGES
from mock_ecs.backend import DEFAULT_ACCOUNT_ID

WINDOWS = "win2019_1809_x64_dtc_en-us_40G_alibase_20240613.vhd"
PUBLIC = list(PUBLIC_IMAGES)  # the catalogue's order is the order DescribeImages lists it in
DRY_RUN = ("DryRunOperation", "Request validation has been passed with DryRun flag set.", 400)
FILTER_KEY = ("InvalidFilterKey.NotFound", "The specified FilterKey is not found.", 404)


# --- helpers ------------------------------------------------------------------------------
def create_image(client: Driver, snap_id: Optional[str] = None, **params: Any) -> str:
    return client.call("CreateImage", RegionId=REGION, SnapshotId=snap_id, **params)["ImageId"]


def describe(client: Driver, **params: Any) -> Dict[str, Any]:
    return client.call("DescribeImages", RegionId=REGION, **params)


def ids(client: Driver, **params: Any) -> List[str]:
    """Image IDs of one page of 100, in the order DescribeImages answers them."""
    return [i["ImageId"] for i in describe(client, **{"PageSize": 100, **params})["Images"]["Image"]]


def mine(client: Driver, **params: Any) -> List[str]:
    return ids(client, ImageOwnerAlias="self", **params)


@pytest.fixture
def snap(client: Driver, ecs: MockEcs) -> str:
    return accomplished_snapshot(client, ecs)[2]


# --- no real parameter is refused -----------------------------------------------------------
def _wire_names(name: str, info: Dict[str, Any]) -> List[str]:
    if info["type"] == "RepeatList":
        subs = ("Key", "Value", "key", "value") if name == "Tag" else ("Key", "Value")
        return [f"{name}.1.{sub}" for sub in subs]
    return [name]


def test_every_real_describe_images_parameter_is_implemented():
    spec = router.ACTIONS["DescribeImages"]
    assert spec.strict
    for name, info in router.META["DescribeImages"].items():
        for wire in _wire_names(name, info):
            assert router.unsupported_filter(spec, {wire: "x"}) is None, wire
            assert spec.allows(wire), wire


def test_all_real_parameters_at_once_are_answered(client, ecs, snap):
    image_id = create_image(client, snap, ImageName="all-params", ImageFamily="family-a",
                            ResourceGroupId="rg-aaa", **{"Tag.1.Key": "team", "Tag.1.Value": "db"})
    params: Dict[str, Any] = {
        "ActionType": "CreateEcs", "Architecture": "x86_64", "DryRun": False, "ImageFamily": "family-a",
        "ImageId": image_id, "ImageName": "all-params", "ImageOwnerAlias": "self", "ImageOwnerId": DEFAULT_ACCOUNT_ID,
        "InstanceType": "ecs.g7.large", "IsPublic": False, "IsSupportCloudinit": True, "IsSupportIoOptimized": True,
        "OSType": "linux", "PageNumber": 1, "PageSize": 10, "ResourceGroupId": "rg-aaa", "ShowExpired": False,
        "SnapshotId": snap, "Status": "Available", "Usage": "none", "Tag.1.Key": "team", "Tag.1.Value": "db",
        "Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2000-01-01T00:00Z",
    }
    # Every metadata parameter but RegionId (sent by describe) is in this request.
    assert {router.family(k) for k in params} == set(router.META["DescribeImages"]) - {"RegionId"}
    assert ids(client, **params) == [image_id]


# --- ImageId, ImageName, SnapshotId -----------------------------------------------------------
def test_image_id_list_keeps_custom_before_public_and_ignores_blanks(client, ecs, snap):
    a, b = create_image(client, snap), create_image(client, snap)
    assert ids(client, ImageId=f"{IMAGE}, {a} ,,{b},{a}") == [b, a, IMAGE]


def test_image_name_is_a_fuzzy_match(client, ecs, snap):
    web = create_image(client, snap, ImageName="Web-Server-2024")
    create_image(client, snap, ImageName="database")
    assert mine(client, ImageName="server") == [web]
    assert mine(client, ImageName="Web-Server-2024") == [web]
    assert mine(client, ImageName="nothing-like-it") == []
    # Public images are named after their IDs.
    assert ids(client, ImageOwnerAlias="system", ImageName="ubuntu") == [i for i in PUBLIC if "ubuntu" in i]


def test_snapshot_id_finds_only_the_images_made_from_it(client, ecs, snap):
    _, _, other = accomplished_snapshot(client, ecs)
    from_snap, from_other = create_image(client, snap), create_image(client, other)
    assert ids(client, SnapshotId=snap) == [from_snap]
    assert ids(client, SnapshotId=other) == [from_other]
    assert ids(client, SnapshotId="s-bp1abcdefghijklmnopq") == []
    assert ids(client, ImageId=f"{from_snap},{from_other}", SnapshotId=snap) == [from_snap]


# --- Status, ImageOwnerAlias, IsPublic, ImageOwnerId -----------------------------------------------
def test_status_default_applies_to_named_images_too(client, ecs, snap):
    with MockEcs(image_creation_seconds=100) as ecs2:
        _, _, snap2 = accomplished_snapshot(client, ecs2)
        image_id = create_image(client, snap2)
        assert ids(client, ImageId=image_id) == []
        assert ids(client, ImageId=image_id, Status="Creating, Available") == [image_id]


@pytest.mark.parametrize("everything", ["ALL", "all", "All", "Available,ALL"])
def test_status_all_is_every_status(client, ecs, snap, everything):
    """footmark's wait_for_image_status sends Status=ALL; the six named statuses stay exact."""
    with MockEcs(image_creation_seconds=100) as ecs2:
        _, _, snap2 = accomplished_snapshot(client, ecs2)
        ready = create_image(client, snap2)
        ecs2.advance_clock(100)
        creating = create_image(client, snap2)
        assert sorted(ids(client, ImageOwnerAlias="self", Status=everything)) == sorted([ready, creating])
        assert ids(client, ImageId=creating, Status=everything) == [creating]
        expect_error(lambda: ids(client, Status="available"), "InvalidStatus.NotFound",
                     "The specified Status is not found", 404)


def test_marketplace_images_are_none(client, ecs, snap):
    create_image(client, snap)
    assert ids(client, ImageOwnerAlias="marketplace") == []


def test_is_public(client, ecs, snap):
    image_id = create_image(client, snap)
    # Published community images come from other accounts: the mock has none.
    assert ids(client, ImageOwnerAlias="others", IsPublic=True) == []
    assert mine(client, IsPublic=False) == [image_id]
    # "When you set this parameter to true, you must set ImageOwnerAlias to others."
    for owner in (None, "self", "system"):
        expect_error(lambda owner=owner: describe(client, IsPublic=True, ImageOwnerAlias=owner),
                     "InvalidParameter", 'The specified parameter "IsPublic" is not valid.', 400)
    expect_error(lambda: describe(client, IsPublic="yes"),
                 "InvalidParameter", 'The specified parameter "IsPublic" is not valid.', 400)


def test_image_owner_id(client, ecs, snap):
    image_id = create_image(client, snap)
    # The caller's own images; public images belong to Alibaba Cloud.
    assert ids(client, ImageOwnerId=DEFAULT_ACCOUNT_ID) == [image_id]
    assert ids(client, ImageOwnerId="9999999999999999") == []
    assert ids(client, ImageOwnerAlias="others", ImageOwnerId="9999999999999999") == []
    # "This parameter takes effect only if you query shared images or community images."
    assert mine(client, ImageOwnerId="9999999999999999") == [image_id]
    assert ids(client, ImageOwnerAlias="system", ImageOwnerId="9999999999999999") == PUBLIC
    expect_error(lambda: describe(client, ImageOwnerId="owner-1"),
                 "InvalidParameter", 'The specified parameter "ImageOwnerId" is not valid.', 400)


# --- Usage, OSType, Architecture, IsSupport*, InstanceType --------------------------------------
def test_usage_filter(client, ecs, snap):
    used, idle = create_image(client, snap), create_image(client, snap)
    run_instance(client, ImageId=used)  # the fixture's instance already runs IMAGE
    assert mine(client, Usage="instance") == [used]
    assert mine(client, Usage="none") == [idle]
    assert ids(client, ImageOwnerAlias="system", Usage="instance") == [IMAGE]
    assert describe(client, ImageId=IMAGE)["Images"]["Image"][0]["Usage"] == "instance"
    expect_error(lambda: describe(client, Usage="image"), "InvalidUsage", "The specifed Usage is not valid", 404)


def test_os_type_filter(client, ecs, snap):
    linux = create_image(client, snap)
    windows = create_image(client, snap, Platform="Windows Server 2022")
    assert describe(client, ImageId=windows)["Images"]["Image"][0]["OSType"] == "windows"
    assert ids(client, OSType="windows") == [windows, WINDOWS]
    assert ids(client, OSType="linux") == [linux] + [i for i in PUBLIC if i != WINDOWS]
    assert ids(client, OSType="Windows") == [windows, WINDOWS]  # case-insensitive
    expect_error(lambda: describe(client, OSType="macos"), "InvalidOSType", "The specifed OSType is not valid", 404)


def test_architecture_filter(client, ecs, snap):
    arm = create_image(client, snap, Architecture="arm64")
    old = create_image(client, snap, Architecture="i386")
    assert ids(client, Architecture="arm64") == [arm]
    assert ids(client, Architecture="i386") == [old]
    assert ids(client, Architecture="x86_64") == PUBLIC
    for bad in ("amd64", "ARM64"):
        expect_error(lambda bad=bad: describe(client, Architecture=bad),
                     "InvalidArchitecture", "The specifed Architecture is not valid", 404)


@pytest.mark.parametrize("param", ["IsSupportIoOptimized", "IsSupportCloudinit"])
def test_support_flags(client, ecs, snap, param):
    image_id = create_image(client, snap)
    # Every image of the mock supports I/O optimisation and cloud-init.
    assert ids(client, **{param: True}) == [image_id] + PUBLIC
    assert ids(client, **{param: False}) == []
    expect_error(lambda: describe(client, **{param: "maybe"}),
                 "InvalidParameter", f'The specified parameter "{param}" is not valid.', 400)


def test_instance_type_filter(client, ecs, snap):
    arm = create_image(client, snap, Architecture="arm64")
    x86 = create_image(client, snap)
    for arm_type in ("ecs.g8y.large", "ecs.c6r.xlarge"):
        assert ids(client, InstanceType=arm_type) == [arm]
    assert ids(client, InstanceType="ecs.g7.large") == [x86] + PUBLIC
    for bad in ("g7.large", "ecs.g7", "ECS.G7.LARGE"):
        expect_error(lambda bad=bad: describe(client, InstanceType=bad), "InvalidInstanceType.ValueNotSupported",
                     "The specified InstanceType does not exist or beyond the permitted range.", 400)


# --- ImageFamily, ActionType, ShowExpired, ResourceGroupId ------------------------------------
def test_image_family(client, ecs, snap):
    a = create_image(client, snap, ImageFamily="hangzhou-daily-update")
    create_image(client, snap, ImageFamily="other-family")
    create_image(client, snap)
    assert ids(client, ImageFamily="hangzhou-daily-update") == [a]
    assert describe(client, ImageId=a)["Images"]["Image"][0]["ImageFamily"] == "hangzhou-daily-update"
    assert ids(client, ImageFamily="hangzhou") == []  # exact, unlike ImageName


@pytest.mark.parametrize("family", ["a", "1family", "acs:family", "aliyun-family", "has space", "x" * 129])
def test_create_image_bad_family(client, ecs, snap, family):
    expect_error(lambda: create_image(client, snap, ImageFamily=family),
                 "InvalidParameter", 'The specified parameter "ImageFamily" is not valid.', 400)
    assert ecs.ids("images") == []


def test_action_type_and_show_expired_are_checked_and_keep_every_image(client, ecs, snap):
    image_id = create_image(client, snap)
    everything = [image_id] + PUBLIC
    for params in ({"ActionType": "CreateEcs"}, {"ActionType": "ChangeOS"}, {"ShowExpired": True},
                   {"ShowExpired": False}):
        assert ids(client, **params) == everything, params
    expect_error(lambda: describe(client, ActionType="Launch"),
                 "InvalidParameter", 'The specified parameter "ActionType" is not valid.', 400)
    expect_error(lambda: describe(client, ShowExpired="no"),
                 "InvalidParameter", 'The specified parameter "ShowExpired" is not valid.', 400)


def test_resource_group_shows_the_default_group_too(client, ecs, snap):
    in_a = create_image(client, snap, ResourceGroupId="rg-aaa")
    create_image(client, snap, ResourceGroupId="rg-bbb")
    default = create_image(client, snap)
    # "Resources in the default resource group are displayed ... regardless of this parameter."
    assert mine(client, ResourceGroupId="rg-aaa") == [default, in_a]
    assert ids(client, ResourceGroupId="rg-aaa") == [default, in_a] + PUBLIC


# --- Tag.N, Filter.N ---------------------------------------------------------------------------
def test_tag_filters(client, ecs, snap):
    db = create_image(client, snap, **{"Tag.1.Key": "team", "Tag.1.Value": "db", "Tag.2.Key": "env",
                                        "Tag.2.Value": "prod"})
    web = create_image(client, snap, **{"Tag.1.Key": "team", "Tag.1.Value": "web"})
    create_image(client, snap)
    assert ids(client, **{"Tag.1.Key": "team", "Tag.1.Value": "db"}) == [db]
    assert ids(client, **{"Tag.1.Key": "team"}) == [web, db]  # a key alone matches any value
    assert ids(client, **{"Tag.1.Key": "team", "Tag.2.Key": "env", "Tag.2.Value": "prod"}) == [db]
    assert ids(client, **{"Tag.1.Key": "team", "Tag.1.Value": "web", "Tag.2.Key": "env"}) == []
    # The deprecated lowercase form.
    assert ids(client, **{"Tag.1.key": "team", "Tag.1.value": "web"}) == [web]


def test_bad_tag_filters(client, ecs):
    expect_error(lambda: describe(client, **{"Tag.1.Value": "db"}), "InvalidTag.Mismatch",
                 "The specified Tag.n.Key and Tag.n.Value are not match.", 400)
    expect_error(lambda: describe(client, **{"Tag.21.Key": "team"}), "InvalidTagCount",
                 "The specified tags are beyond the permitted range.", 400)


def test_creation_time_filters(client, ecs, snap):
    first = create_image(client, snap)
    ecs.advance_clock(3600)
    second = create_image(client, snap)
    cut = ecs.image(second)["CreationTime"][:16] + "Z"  # yyyy-MM-ddTHH:mmZ: the minute second was made in
    ecs.advance_clock(3600)
    later = ecs.now().strftime("%Y-%m-%dT%H:%MZ")
    assert mine(client, **{"Filter.1.Key": "CreationStartTime", "Filter.1.Value": later}) == []
    assert mine(client, **{"Filter.1.Key": "CreationEndTime", "Filter.1.Value": cut}) == [first]
    start = {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": cut}
    assert ids(client, **start) == [second]  # the public catalogue dates from 2024-01-01
    assert mine(client, **start, **{"Filter.2.Key": "CreationEndTime", "Filter.2.Value": later}) == [second]
    assert ids(client, **{"Filter.1.Key": "CreationEndTime", "Filter.1.Value": "2024-01-01T00:00Z"}) == PUBLIC


@pytest.mark.parametrize("key,value", [("CreatedAfter", "2024-01-01T00:00Z"), ("CreationStartTime", "yesterday"),
                                       ("CreationEndTime", "2024-13-01T00:00Z")])
def test_bad_creation_time_filters(client, ecs, key, value):
    # DescribeImages.md: InvalidFilterKey.NotFound, "because the specified start time or end time is invalid".
    expect_error(lambda: describe(client, **{"Filter.1.Key": key, "Filter.1.Value": value}), *FILTER_KEY)


def test_filters_are_anded(client, ecs, snap):
    target = create_image(client, snap, ImageName="target", Architecture="arm64", ImageFamily="fam",
                          **{"Tag.1.Key": "team", "Tag.1.Value": "db"})
    create_image(client, snap, ImageName="target-x86", ImageFamily="fam", **{"Tag.1.Key": "team", "Tag.1.Value": "db"})
    create_image(client, snap, ImageName="target-other", Architecture="arm64", ImageFamily="fam")
    create_image(client, snap, ImageName="target-nofam", Architecture="arm64", **{"Tag.1.Key": "team"})
    query = {"ImageName": "target", "Architecture": "arm64", "ImageFamily": "fam", "Tag.1.Key": "team"}
    assert ids(client, **query) == [target]
    assert ids(client, **query, OSType="windows") == []
    assert ids(client, **query, ImageId=IMAGE) == []


# --- paging --------------------------------------------------------------------------------------
def test_paging_newest_custom_first_then_public(client, ecs, snap):
    made = [create_image(client, snap) for _ in range(12)]
    everything = made[::-1] + PUBLIC
    first = describe(client)
    assert (first["TotalCount"], first["PageNumber"], first["PageSize"]) == (17, 1, 10)
    assert "NextToken" not in first  # DescribeImages pages by PageNumber/PageSize only
    walked: List[str] = []
    for number in (1, 2, 3):
        out = describe(client, PageNumber=number, PageSize=7)
        assert (out["TotalCount"], out["PageNumber"], out["PageSize"]) == (17, number, 7)
        walked += [i["ImageId"] for i in out["Images"]["Image"]]
    assert walked == everything
    assert describe(client, PageNumber=4, PageSize=7)["Images"]["Image"] == []
    assert [i["ImageId"] for i in describe(client, PageSize=100)["Images"]["Image"]] == everything


@pytest.mark.parametrize("param,value,code,message", [
    ("PageSize", 0, "InvalidPageSize.Malformed", "The specified parameter PageSize is not valid."),
    ("PageSize", 101, "InvalidPageSize.Malformed", "The specified parameter PageSize is not valid."),
    # Not an Integer at all: the gateway's type check (metadata), before the range.
    ("PageSize", "ten", "InvalidParameter", 'The specified parameter "PageSize" is not valid.'),
    ("PageNumber", 0, "InvalidPageNumber.Malformed", "The specified parameter PageNumber is not valid."),
])
def test_paging_bounds(client, ecs, param, value, code, message):
    expect_error(lambda: describe(client, **{param: value}), code, message, 400)


# --- CreateImage: the clock and the attributes DescribeImages filters on ---------------------------
def test_create_image_progress_follows_the_clock(client, ecs):
    with MockEcs(image_creation_seconds=200) as ecs2:
        _, _, snap_id = accomplished_snapshot(client, ecs2)
        image_id = create_image(client, snap_id)
        seen: List[Tuple[str, str]] = []
        for step in (0, 50, 99, 51):
            ecs2.advance_clock(step)
            img = describe(client, ImageId=image_id, Status="Creating,Available")["Images"]["Image"][0]
            seen.append((img["Status"], img["Progress"]))
        assert seen == [("Creating", "0%"), ("Creating", "25%"), ("Creating", "74%"), ("Available", "100%")]


def test_create_image_from_an_instance_waits_for_its_slowest_snapshot(client, ecs):
    instance_id = run_instance(client, **{"DataDisk.1.Size": 100})
    data = next(d["DiskId"] for d in client.call("DescribeDisks", RegionId=REGION, InstanceId=instance_id)[
        "Disks"]["Disk"] if d["Type"] == "data")
    ecs.set_disk_data_size(data, 400)  # 600 s of snapshot at 1.5 s/GiB
    image_id = create_image(client, InstanceId=instance_id)
    ecs.advance_clock(599)
    assert ecs.image(image_id)["Status"] == "Creating"
    assert ids(client, ImageId=image_id) == []
    ecs.advance_clock(1)
    assert ids(client, ImageId=image_id) == [image_id]


def test_create_image_platform_and_architecture(client, ecs, snap):
    plain = describe(client, ImageId=create_image(client, snap))["Images"]["Image"][0]
    assert (plain["Platform"], plain["OSType"], plain["Architecture"]) == ("Others Linux", "linux", "x86_64")
    centos = describe(client, ImageId=create_image(client, snap, Platform="centos"))["Images"]["Image"][0]
    assert (centos["Platform"], centos["OSType"]) == ("CentOS", "linux")
    expect_error(lambda: create_image(client, snap, Platform="Plan9"),
                 "InvalidPlatform.Malformed", "The specified Platform is wrongly formed.", 400)
    expect_error(lambda: create_image(client, snap, Architecture="amd64"),
                 "InvalidArchitecture.Malformed", "The specified Architecture is wrongly formed.", 400)
    assert len(ecs.ids("images")) == 2


def test_create_image_from_an_instance_keeps_its_platform(client, ecs):
    instance_id = run_instance(client, ImageId=WINDOWS)
    image_id = create_image(client, InstanceId=instance_id)
    ecs.advance_clock(120)
    img = describe(client, ImageId=image_id)["Images"]["Image"][0]
    assert (img["Platform"], img["OSType"]) == (PUBLIC_IMAGES[WINDOWS].platform, "windows")
    assert ids(client, ImageOwnerAlias="self", OSType="windows") == [image_id]
    # An instance of a custom image passes that image's platform and architecture on.
    _, _, snap_id = accomplished_snapshot(client, ecs)
    custom = create_image(client, snap_id, Platform="Debian", Architecture="arm64")
    second = create_image(client, InstanceId=run_instance(client, ImageId=custom, InstanceType="ecs.g8y.large"))
    ecs.advance_clock(120)
    img = describe(client, ImageId=second)["Images"]["Image"][0]
    assert (img["Platform"], img["Architecture"]) == ("Debian", "arm64")


# --- DeleteImage: delete_unknown -------------------------------------------------------------------
def test_delete_unknown_image_ignored_when_configured(client):
    with MockEcs(delete_unknown="ignore") as ecs2:
        out = client.call("DeleteImage", RegionId=REGION, ImageId="m-bp1abcdefghijklmnopq")
        assert set(out) == {"RequestId"}
        # Known images still follow every rule.
        _, _, snap_id = accomplished_snapshot(client, ecs2)
        image_id = create_image(client, snap_id)
        run_instance(client, ImageId=image_id)
        expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId=image_id),
                     "ImageUsingByInstance", "The specified image has been used to create instances.", 403)
        client.call("DeleteImage", RegionId=REGION, ImageId=image_id, Force=True)
        assert ecs2.ids("images") == []
        # Deleting it again is ignored too; a dry run of it still answers DryRunOperation.
        client.call("DeleteImage", RegionId=REGION, ImageId=image_id)
        expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId=image_id, DryRun=True), *DRY_RUN)


def test_delete_unknown_setting_is_checked():
    assert MockEcs().settings.delete_unknown == "error"
    with pytest.raises(ValueError):
        MockEcs(delete_unknown="maybe")


# --- DryRun ------------------------------------------------------------------------------------------
def test_create_image_dry_run_creates_nothing(client, ecs, snap):
    expect_error(lambda: create_image(client, snap, DryRun=True), *DRY_RUN)
    instance_id = run_instance(client)
    before = sorted(ecs.ids("snapshots"))
    expect_error(lambda: create_image(client, InstanceId=instance_id, DryRun=True), *DRY_RUN)
    assert ecs.ids("images") == [] and sorted(ecs.ids("snapshots")) == before
    assert ecs.snapshot(snap)["Usage"] == "none"
    # A dry run still answers the first failing check.
    create_image(client, snap, ImageName="taken")
    expect_error(lambda: create_image(client, snap, ImageName="taken", DryRun=True),
                 "InvalidImageName.Duplicated", "The specified image name is already in use.", 400)
    expect_error(lambda: create_image(client, "s-bp1abcdefghijklmnopq", DryRun=True),
                 "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.", 404)
    assert len(ecs.ids("images")) == 1
    create_image(client, snap, DryRun=False)
    assert len(ecs.ids("images")) == 2


def test_delete_image_dry_run_keeps_the_image(client, ecs, snap):
    image_id = create_image(client, snap)
    expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId=image_id, DryRun=True), *DRY_RUN)
    assert ecs.ids("images") == [image_id]
    assert ecs.snapshot(snap)["Usage"] == "image"
    run_instance(client, ImageId=image_id)
    expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId=image_id, DryRun=True),
                 "ImageUsingByInstance", "The specified image has been used to create instances.", 403)
    expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId=image_id, DryRun=True, Force=True),
                 *DRY_RUN)
    expect_error(lambda: client.call("DeleteImage", RegionId=REGION, ImageId="m-bp1abcdefghijklmnopq", DryRun=True),
                 "InvalidImageId.NotFound", "The specified ImageId does not exist.", 404)
    assert ecs.ids("images") == [image_id]


def test_describe_images_dry_run_checks_everything_first(client, ecs):
    expect_error(lambda: describe(client, DryRun=True), *DRY_RUN)
    expect_error(lambda: describe(client, DryRun=True, OSType="macos"),
                 "InvalidOSType", "The specifed OSType is not valid", 404)
    expect_error(lambda: describe(client, DryRun=True, PageSize=500),
                 "InvalidPageSize.Malformed", "The specified parameter PageSize is not valid.", 400)
    expect_error(lambda: describe(client, DryRun=True, PageNumber=0),
                 "InvalidPageNumber.Malformed", "The specified parameter PageNumber is not valid.", 400)
    assert describe(client, DryRun=False)["TotalCount"] == len(PUBLIC)


def test_describe_images_through_every_client(any_client, ecs):
    _, _, snap_id = accomplished_snapshot(any_client, ecs)
    arm = any_client.call("CreateImage", RegionId=REGION, SnapshotId=snap_id, Architecture="arm64",
                          **{"Tag.1.Key": "team", "Tag.1.Value": "db"})["ImageId"]
    out = any_client.call("DescribeImages", RegionId=REGION, InstanceType="ecs.g8y.large", **{"Tag.1.Key": "team"})
    assert [i["ImageId"] for i in out["Images"]["Image"]] == [arm]
    expect_error(lambda: any_client.call("DescribeImages", RegionId=REGION, Architecture="sparc"),
                 "InvalidArchitecture", "The specifed Architecture is not valid", 404)
    expect_error(lambda: any_client.call("DescribeImages", RegionId=REGION, DryRun=True), *DRY_RUN)
