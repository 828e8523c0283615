"""Tags: TagResources, UntagResources, ListTagResources and the legacy AddTags, RemoveTags,
DescribeTags, on the tags Describe* show and filter on.

Texts and statuses from shared/reference/ecs-api/docs-2021/TagResources.en.md (and its
UntagResources/ListTagResources siblings, whose tables are the same).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import pytest

from conftest import (
    REGION,
    Driver,
    SdkCoreDriver,
    accomplished_snapshot,
    expect_error,
    invalid_parameter,
    tag_params,
)
from mock_ecs import MockEcs

OTHER_REGION = "cn-beijing"
TOO_MANY_IDS = "The ResourceIds parameter's number is exceed , Valid : 50"
TOO_MANY_TAGS = "The Tags parameter's number is exceed , Valid : 20"
NOT_FOUND = "The specified ResourceIds are not found in our records."
BAD_TYPE = "The ResourceType provided does not exist in our records."
QUOTA = "The quota of tags on resource is beyond permitted range."


def ids_params(ids: List[str], name: str = "ResourceId") -> Dict[str, str]:
    return {f"{name}.{n}": rid for n, rid in enumerate(ids, start=1)}


def tag(client: Driver, kind: str, ids: List[str], pairs: List[Tuple[str, str]]) -> Dict[str, Any]:
    return client.call("TagResources", RegionId=REGION, ResourceType=kind, **ids_params(ids), **tag_params(pairs))


def listed(client: Driver, kind: str, **params: Any) -> List[Tuple[str, str, str]]:
    out = client.call("ListTagResources", RegionId=REGION, ResourceType=kind, **params)
    rows = out["TagResources"]["TagResource"]
    assert all(r["ResourceType"] == kind for r in rows)
    return [(r["ResourceId"], r["TagKey"], r["TagValue"]) for r in rows]


def world(client: Driver, ecs: MockEcs) -> Dict[str, str]:
    """An instance, its system disk, a snapshot of it and an image made from the snapshot."""
    instance_id, disk_id, snap_id = accomplished_snapshot(client, ecs)
    image_id = client.call("CreateImage", RegionId=REGION, SnapshotId=snap_id, ImageName="golden")["ImageId"]
    return {"instance": instance_id, "disk": disk_id, "snapshot": snap_id, "image": image_id}


# type -> (its Describe action, the ID-list filter, the list key)
DESCRIBE = {
    "instance": ("DescribeInstances", "InstanceIds", "Instances"),
    "disk": ("DescribeDisks", "DiskIds", "Disks"),
    "snapshot": ("DescribeSnapshots", "SnapshotIds", "Snapshots"),
    "image": ("DescribeImages", "ImageId", "Images"),
}


def described_tags(client: Driver, kind: str, rid: str) -> Dict[str, str]:
    """The tags Describe* shows for the resource."""
    if kind == "image":
        item = client.call("DescribeImages", RegionId=REGION, ImageId=rid)["Images"]["Image"][0]
    else:
        action, ids_name, plural = DESCRIBE[kind]
        item = client.call(action, RegionId=REGION, **{ids_name: json.dumps([rid])})[plural][plural[:-1]][0]
    return {t["TagKey"]: t["TagValue"] for t in (item.get("Tags") or {}).get("Tag", [])}


def found_by_tag(client: Driver, kind: str, key: str, value: str) -> List[str]:
    """The IDs Describe* finds with the Tag.1 filter."""
    flt = tag_params([(key, value)])
    action, _, plural = DESCRIBE[kind]
    id_key = plural[:-1] + "Id"
    return [item[id_key] for item in client.call(action, RegionId=REGION, **flt)[plural][plural[:-1]]]


KINDS = ("instance", "disk", "snapshot", "image")


# --- the one store ---------------------------------------------------------------------------
def test_tags_set_here_are_the_ones_describe_shows_and_filters_on(client: Driver, ecs: MockEcs) -> None:
    res = world(client, ecs)
    for kind in KINDS:
        rid = res[kind]
        assert tag(client, kind, [rid], [("env", "prod"), ("team", kind)])["RequestId"]
        assert described_tags(client, kind, rid) == {"env": "prod", "team": kind}
        assert found_by_tag(client, kind, "team", kind) == [rid]
        assert sorted(listed(client, kind, **ids_params([rid]))) == [(rid, "env", "prod"), (rid, "team", kind)]
        # A second TagResources overwrites a value and adds a key.
        tag(client, kind, [rid], [("env", "dev"), ("tier", "web")])
        assert described_tags(client, kind, rid) == {"env": "dev", "team": kind, "tier": "web"}
        assert found_by_tag(client, kind, "env", "prod") == []
        client.call("UntagResources", RegionId=REGION, ResourceType=kind, **ids_params([rid]),
                    **ids_params(["env", "absent"], "TagKey"))
        assert described_tags(client, kind, rid) == {"team": kind, "tier": "web"}
        client.call("UntagResources", RegionId=REGION, ResourceType=kind, All=True, **ids_params([rid]))
        assert described_tags(client, kind, rid) == {}
        assert listed(client, kind, **ids_params([rid])) == []


def test_tags_given_at_creation_are_listed(client: Driver, ecs: MockEcs) -> None:
    disk_id = client.call("CreateDisk", RegionId=REGION, ZoneId="cn-hangzhou-b", Size=20,
                          **tag_params([("made", "at-create")]))["DiskId"]
    assert listed(client, "disk", **ids_params([disk_id])) == [(disk_id, "made", "at-create")]


def test_the_answer_shape(client: Driver, ecs: MockEcs) -> None:
    res = world(client, ecs)
    tag(client, "instance", [res["instance"]], [("k", "v")])
    out = client.call("ListTagResources", RegionId=REGION, ResourceType="instance", **ids_params([res["instance"]]))
    assert set(out) == {"NextToken", "RequestId", "TagResources"}
    assert out["NextToken"] == ""
    assert out["TagResources"]["TagResource"] == [
        {"ResourceId": res["instance"], "TagKey": "k", "ResourceType": "instance", "TagValue": "v"}]
    assert set(client.call("UntagResources", RegionId=REGION, ResourceType="instance", All=True,
                           **ids_params([res["instance"]]))) == {"RequestId"}


# --- automatic snapshot policies (ResourceType snapshotpolicy, meta/en-US/TagResources.json) ---
def _policy(client: Driver, region: str = REGION, **extra: Any) -> str:
    return client.call("CreateAutoSnapshotPolicy", regionId=region, timePoints='["1"]', repeatWeekdays='["1"]',
                       retentionDays=-1, **extra)["AutoSnapshotPolicyId"]


def _policy_tags(client: Driver, policy_id: str) -> Dict[str, str]:
    out = client.call("DescribeAutoSnapshotPolicyEx", RegionId=REGION, AutoSnapshotPolicyId=policy_id)
    (policy,) = out["AutoSnapshotPolicies"]["AutoSnapshotPolicy"]
    return {t["TagKey"]: t["TagValue"] for t in policy["Tags"]["Tag"]}


def test_tags_on_automatic_snapshot_policies(client: Driver, ecs: MockEcs) -> None:
    """The tags given at creation, set by TagResources/AddTags and shown by DescribeAutoSnapshotPolicyEx
    are one store; ListTagResources and DescribeTags count the policies."""
    first = _policy(client, **tag_params([("made", "at-create")]))
    second = _policy(client)
    assert listed(client, "snapshotpolicy", **ids_params([first])) == [(first, "made", "at-create")]
    tag(client, "snapshotpolicy", [first, second], [("env", "prod")])
    assert _policy_tags(client, first) == {"made": "at-create", "env": "prod"}
    assert _policy_tags(client, second) == {"env": "prod"}
    assert listed(client, "snapshotpolicy", **{"Tag.1.Key": "made"}) == [
        (first, "made", "at-create"), (first, "env", "prod")]
    assert sorted(listed(client, "snapshotpolicy", **{"TagFilter.1.TagKey": "env"})) == sorted([
        (first, "made", "at-create"), (first, "env", "prod"), (second, "env", "prod")])
    client.call("UntagResources", RegionId=REGION, ResourceType="snapshotpolicy", **ids_params([first]),
                **ids_params(["made"], "TagKey"))
    assert _policy_tags(client, first) == {"env": "prod"}
    client.call("AddTags", RegionId=REGION, ResourceType="snapshotpolicy", ResourceId=second,
                **tag_params([("tier", "db")]))
    out = client.call("DescribeTags", RegionId=REGION, ResourceType="snapshotpolicy")
    counts = {(t["TagKey"], t["TagValue"]): t["ResourceTypeCount"] for t in out["Tags"]["Tag"]}
    assert sorted(counts) == [("env", "prod"), ("tier", "db")]
    assert (counts[("env", "prod")]["SnapshotPolicy"], counts[("env", "prod")]["Disk"]) == (2, 0)
    client.call("RemoveTags", RegionId=REGION, ResourceType="snapshotpolicy", ResourceId=second,
                **{"Tag.1.Key": "tier"})
    client.call("UntagResources", RegionId=REGION, ResourceType="snapshotpolicy", All=True,
                **ids_params([first, second]))
    assert _policy_tags(client, first) == _policy_tags(client, second) == {}
    assert listed(client, "snapshotpolicy") == []


def test_snapshot_policy_tags_not_found(client: Driver, ecs: MockEcs) -> None:
    """A policy is found in its own region and account only, under its own type."""
    policy = _policy(client)
    disk_id = _disks(client, 1)[0]
    elsewhere = _policy(client, OTHER_REGION)
    for kind, rid in (("snapshotpolicy", disk_id), ("disk", policy), ("snapshotpolicy", "sp-bp1aaaaaaaaaaaaaaaaa"),
                      ("snapshotpolicy", elsewhere)):
        expect_error(lambda kind=kind, rid=rid: tag(client, kind, [rid], [("k", "v")]),
                     "InvalidResourceId.NotFound", NOT_FOUND, 404)
    expect_error(lambda: tag(client, "snapshotpolicy", [policy, disk_id], [("k", "v")]),
                 "InvalidResourceId.NotFound", NOT_FOUND, 404)
    assert _policy_tags(client, policy) == {}  # nothing of a refused request is applied
    for bad in ("SnapshotPolicy", "autosnapshotpolicy", "policy"):
        expect_error(lambda bad=bad: tag(client, bad, [policy], [("k", "v")]),
                     "InvalidResourceType.NotFound", BAD_TYPE, 404)
    ecs.register_access_key("AKPOLICYOTHER", "policy-other-secret", "2000000000000013")
    other = SdkCoreDriver(ak="AKPOLICYOTHER", secret="policy-other-secret")
    expect_error(lambda: tag(other, "snapshotpolicy", [policy], [("k", "v")]),
                 "InvalidResourceId.NotFound", NOT_FOUND, 404)
    assert listed(other, "snapshotpolicy", **ids_params([policy])) == []
    client.call("DeleteAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy)
    expect_error(lambda: tag(client, "snapshotpolicy", [policy], [("k", "v")]),
                 "InvalidResourceId.NotFound", NOT_FOUND, 404)


# --- ListTagResources: filters and paging ----------------------------------------------------
def _disks(client: Driver, n: int) -> List[str]:
    return [client.call("CreateDisk", RegionId=REGION, ZoneId="cn-hangzhou-b", Size=20)["DiskId"] for _ in range(n)]


def test_tag_and_tag_filter_select_resources(client: Driver, ecs: MockEcs) -> None:
    a, b, c = _disks(client, 3)
    tag(client, "disk", [a], [("environment", "production"), ("app", "web")])
    tag(client, "disk", [b], [("env", "prod")])
    tag(client, "disk", [c], [("owner", "ops")])
    ids = lambda **p: sorted({r[0] for r in listed(client, "disk", **p)})  # noqa: E731
    assert ids(**tag_params([("env", "prod")])) == [b]
    assert ids(**{"Tag.1.Key": "app"}) == [a]
    assert ids(**{"Tag.1.Key": "app"}, **ids_params([b, c])) == []
    assert ids(**{"TagFilter.1.TagKey": "env*"}) == sorted([a, b])
    assert ids(**{"TagFilter.1.TagKey": "*wne*"}) == [c]
    assert ids(**{"TagFilter.1.TagKey": "env"}) == [b]
    assert ids(**{"TagFilter.1.TagKey": "environment", "TagFilter.1.TagValues.1": "prod*"}) == [a]
    assert ids(**{"TagFilter.1.TagKey": "env", "TagFilter.1.TagValues.1": "nope",
                  "TagFilter.1.TagValues.2": "*ro*"}) == [b]
    assert ids(**{"TagFilter.1.TagKey": "env*", "TagFilter.2.TagKey": "app"}) == [a]
    # Every tag of a matching resource is listed, not only the matching one.
    assert sorted(listed(client, "disk", **{"Tag.1.Key": "app"})) == [
        (a, "app", "web"), (a, "environment", "production")]
    # No filter at all: every tagged resource of the type in the region.
    assert ids() == sorted([a, b, c])
    expect_error(lambda: listed(client, "disk", **{"Tag.1.Value": "prod"}), "InvalidTag.Mismatch",
                 "The specified Tag.n.Key and Tag.n.Value are not match.", 400)
    expect_error(lambda: listed(client, "disk", **{"Tag.1.Key": "env", "TagFilter.1.TagKey": "env"}),
                 "InvalidParameter", invalid_parameter("TagFilter"), 400)


def test_next_token_walks_every_row_once(client: Driver, ecs: MockEcs) -> None:
    disks = _disks(client, 3)
    for n, disk_id in enumerate(disks):
        tag(client, "disk", [disk_id], [(f"k{i:02d}", f"{n}") for i in range(20)])
    first = client.call("ListTagResources", RegionId=REGION, ResourceType="disk", **ids_params(disks))
    rows = first["TagResources"]["TagResource"]
    assert len(rows) == 50 and first["NextToken"]
    second = client.call("ListTagResources", RegionId=REGION, ResourceType="disk", NextToken=first["NextToken"],
                         **ids_params(disks))
    assert second["NextToken"] == ""
    rows += second["TagResources"]["TagResource"]
    assert sorted((r["ResourceId"], r["TagKey"]) for r in rows) == sorted(
        (d, f"k{i:02d}") for d in disks for i in range(20))
    # A token belongs to its query.
    expect_error(lambda: client.call("ListTagResources", RegionId=REGION, ResourceType="disk",
                                     NextToken=first["NextToken"]), "InvalidNextToken.Malformed")
    expect_error(lambda: client.call("ListTagResources", RegionId=REGION, ResourceType="disk",
                                     NextToken="forged", **ids_params(disks)), "InvalidNextToken.Malformed")


# --- limits and errors -------------------------------------------------------------------------
def test_fifty_resources_and_twenty_tags_per_request(client: Driver, ecs: MockEcs) -> None:
    disk_id = _disks(client, 1)[0]
    ghost_ids = [disk_id] * 51
    expect_error(lambda: tag(client, "disk", ghost_ids, [("k", "v")]), "NumberExceed.ResourceIds", TOO_MANY_IDS, 400)
    expect_error(lambda: client.call("UntagResources", RegionId=REGION, ResourceType="disk", All=True,
                                     **ids_params(ghost_ids)), "NumberExceed.ResourceIds", TOO_MANY_IDS, 400)
    expect_error(lambda: listed(client, "disk", **ids_params(ghost_ids)), "NumberExceed.ResourceIds", TOO_MANY_IDS, 400)
    pairs = [(f"k{i}", "v") for i in range(21)]
    expect_error(lambda: tag(client, "disk", [disk_id], pairs), "NumberExceed.Tags", TOO_MANY_TAGS, 400)
    expect_error(lambda: client.call("UntagResources", RegionId=REGION, ResourceType="disk", **ids_params([disk_id]),
                                     **ids_params([k for k, _ in pairs], "TagKey")),
                 "NumberExceed.Tags", TOO_MANY_TAGS, 400)
    expect_error(lambda: listed(client, "disk", **tag_params(pairs)), "NumberExceed.Tags", TOO_MANY_TAGS, 400)
    six = {f"TagFilter.{n}.TagKey": f"k{n}" for n in range(1, 7)}
    expect_error(lambda: listed(client, "disk", **six), "NumberExceed.Tags", TOO_MANY_TAGS, 400)
    # Exactly 50 and 20 are accepted (the same disk named 50 times is one disk).
    tag(client, "disk", [disk_id] * 50, pairs[:20])
    assert len(listed(client, "disk", **ids_params([disk_id]))) == 20


def test_a_resource_carries_at_most_twenty_tags(client: Driver, ecs: MockEcs) -> None:
    a, b = _disks(client, 2)
    tag(client, "disk", [a], [(f"k{i}", "v") for i in range(20)])
    expect_error(lambda: tag(client, "disk", [b, a], [("one-more", "v")]), "OperationDenied.QuotaExceed", QUOTA, 400)
    assert listed(client, "disk", **ids_params([b])) == []  # nothing of a refused request is applied
    tag(client, "disk", [a], [("k0", "new")])  # a key it has already is no new tag
    expect_error(lambda: client.call("AddTags", RegionId=REGION, ResourceType="disk", ResourceId=a,
                                     **tag_params([("one-more", "v")])), "OperationDenied.QuotaExceed", QUOTA, 400)


def test_unknown_types_and_resources(client: Driver, ecs: MockEcs) -> None:
    res = world(client, ecs)
    for bad in ("vpc", "Instance", "instances"):
        expect_error(lambda bad=bad: tag(client, bad, [res["instance"]], [("k", "v")]),
                     "InvalidResourceType.NotFound", BAD_TYPE, 404)
        expect_error(lambda bad=bad: listed(client, bad), "InvalidResourceType.NotFound", BAD_TYPE, 404)
        expect_error(lambda bad=bad: client.call("UntagResources", RegionId=REGION, ResourceType=bad, All=True,
                                                 **ids_params([res["instance"]])),
                     "InvalidResourceType.NotFound", BAD_TYPE, 404)
    # Unknown, of another type, or in another region: not found, and nothing is tagged.
    for kind, rid in (("instance", "i-bp1aaaaaaaaaaaaaaaaa"), ("disk", res["instance"]), ("image", res["snapshot"])):
        expect_error(lambda kind=kind, rid=rid: tag(client, kind, [res[kind], rid], [("k", "v")]),
                     "InvalidResourceId.NotFound", NOT_FOUND, 404)
        assert described_tags(client, kind, res[kind]) == {}
    expect_error(lambda: client.call("TagResources", RegionId=OTHER_REGION, ResourceType="disk",
                                     **ids_params([res["disk"]]), **tag_params([("k", "v")])),
                 "InvalidResourceId.NotFound", NOT_FOUND, 404)
    expect_error(lambda: client.call("UntagResources", RegionId=REGION, ResourceType="disk", All=True,
                                     **ids_params([res["disk"], "d-bp1aaaaaaaaaaaaaaaaa"])),
                 "InvalidResourceId.NotFound", NOT_FOUND, 404)
    # Listing names IDs that do not exist without error (there is nothing to list for them).
    assert listed(client, "disk", **ids_params(["d-bp1aaaaaaaaaaaaaaaaa"])) == []


@pytest.mark.parametrize("pairs, code, message", [
    ([("k", "a"), ("k", "b")], "Duplicate.TagKey", "The Tag.N.Key contain duplicate key."),
    ([("aliyun-x", "v")], "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid."),
    ([("x" * 129, "v")], "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid."),
    ([("", "v")], "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid."),
    ([("k", "http://x")], "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid."),
    ([("k", "v" * 129)], "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid."),
])
def test_malformed_tags(client: Driver, ecs: MockEcs, pairs: List[Tuple[str, str]], code: str, message: str) -> None:
    disk_id = _disks(client, 1)[0]
    expect_error(lambda: tag(client, "disk", [disk_id], pairs), code, message, 400)
    expect_error(lambda: client.call("AddTags", RegionId=REGION, ResourceType="disk", ResourceId=disk_id,
                                     **tag_params(pairs)), code, message, 400)


def test_untag_needs_keys_or_all(client: Driver, ecs: MockEcs) -> None:
    disk_id = _disks(client, 1)[0]
    tag(client, "disk", [disk_id], [("k", "v")])
    for extra in ({}, {"All": False}):
        expect_error(lambda extra=extra: client.call("UntagResources", RegionId=REGION, ResourceType="disk",
                                                     **ids_params([disk_id]), **extra),
                     "MissingParameter.Tags", "The parameter - Tags should not be null", 404)
    # With TagKey.N, All is ignored: only the named keys go.
    tag(client, "disk", [disk_id], [("keep", "v")])
    client.call("UntagResources", RegionId=REGION, ResourceType="disk", All=True, **ids_params([disk_id]),
                **{"TagKey.1": "k"})
    assert listed(client, "disk", **ids_params([disk_id])) == [(disk_id, "keep", "v")]


def test_required_parameters(client: Driver, ecs: MockEcs) -> None:
    disk_id = _disks(client, 1)[0]
    expect_error(lambda: client.call("TagResources", RegionId=REGION, ResourceType="disk", **ids_params([disk_id])),
                 "MissingTag", "Tag is mandatory for this action.", 400)
    expect_error(lambda: client.call("TagResources", RegionId=REGION, ResourceType="disk", **tag_params([("k", "v")])),
                 "MissingResourceId", "ResourceId is mandatory for this action.", 400)
    expect_error(lambda: client.call("ListTagResources", RegionId=REGION), "MissingResourceType",
                 "ResourceType is mandatory for this action.", 400)


def test_an_unknown_region(client: Driver, ecs: MockEcs) -> None:
    disk_id = _disks(client, 1)[0]
    for action, extra in (("TagResources", tag_params([("k", "v")])), ("UntagResources", {"All": True}),
                          ("ListTagResources", {})):
        err = expect_error(lambda action=action, extra=extra: client.call(
            action, RegionId="cn-nowhere", ResourceType="disk", **ids_params([disk_id]), **extra),
            "InvalidRegionId.NotFound")
        assert err.status == 404


# --- the legacy API ------------------------------------------------------------------------------
def test_add_remove_describe_tags_share_the_store(client: Driver, ecs: MockEcs) -> None:
    res = world(client, ecs)
    disk_a, disk_b = _disks(client, 2)
    out = client.call("AddTags", RegionId=REGION, ResourceType="disk", ResourceId=disk_a,
                      **tag_params([("csi", "yes"), ("pv", "one")]))
    assert set(out) == {"RequestId"}
    # The lowercase key/value spelling of the legacy API.
    client.call("AddTags", RegionId=REGION, ResourceType="disk", ResourceId=disk_b,
                **{"Tag.1.key": "csi", "Tag.1.value": "yes"})
    client.call("AddTags", RegionId=REGION, ResourceType="instance", ResourceId=res["instance"],
                **tag_params([("csi", "yes")]))
    assert described_tags(client, "disk", disk_a) == {"csi": "yes", "pv": "one"}
    assert sorted(listed(client, "disk", **{"Tag.1.Key": "csi"})) == sorted(
        [(disk_a, "csi", "yes"), (disk_a, "pv", "one"), (disk_b, "csi", "yes")])

    out = client.call("DescribeTags", RegionId=REGION)
    assert (out["TotalCount"], out["PageNumber"], out["PageSize"]) == (2, 1, 50)
    by_pair = {(t["TagKey"], t["TagValue"]): t["ResourceTypeCount"] for t in out["Tags"]["Tag"]}
    assert by_pair[("csi", "yes")]["Disk"] == 2 and by_pair[("csi", "yes")]["Instance"] == 1
    assert by_pair[("pv", "one")]["Disk"] == 1 and by_pair[("pv", "one")]["Image"] == 0
    assert len(by_pair[("csi", "yes")]) == 12
    out = client.call("DescribeTags", RegionId=REGION, ResourceType="disk", ResourceId=disk_a, **{"Tag.1.Key": "pv"})
    assert [(t["TagKey"], t["TagValue"]) for t in out["Tags"]["Tag"]] == [("pv", "one")]
    out = client.call("DescribeTags", RegionId=REGION, PageSize=1, PageNumber=2)
    assert out["TotalCount"] == 2 and len(out["Tags"]["Tag"]) == 1

    # RemoveTags: a Value removes the key only where it has that value.
    client.call("RemoveTags", RegionId=REGION, ResourceType="disk", ResourceId=disk_a,
                **tag_params([("csi", "no"), ("pv", "one")]))
    assert described_tags(client, "disk", disk_a) == {"csi": "yes"}
    client.call("RemoveTags", RegionId=REGION, ResourceType="disk", ResourceId=disk_a, **{"Tag.1.Key": "csi"})
    assert described_tags(client, "disk", disk_a) == {}
    expect_error(lambda: client.call("RemoveTags", RegionId=REGION, ResourceType="disk", ResourceId=disk_a,
                                     **{"Tag.1.Value": "x"}), "InvalidTag.Mismatch")
    expect_error(lambda: client.call("AddTags", RegionId=REGION, ResourceType="disk",
                                     ResourceId="d-bp1nothere0000000000", **tag_params([("k", "v")])),
                 "InvalidResourceId.NotFound", NOT_FOUND, 404)
    expect_error(lambda: client.call("DescribeTags", RegionId=REGION, ResourceType="vpc"),
                 "InvalidResourceType.NotFound", BAD_TYPE, 404)
    expect_error(lambda: client.call("DescribeTags", RegionId=REGION, PageSize=101), "InvalidPageSize.Malformed")
