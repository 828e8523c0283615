"""Accounts are isolated: what one account owns, another cannot see, use or change.

Two access keys are registered with different account IDs and both drive the mock through the
real clients (aliyunsdkcore with RPC v1 signatures, the Tea SDK with ACS3 signatures, both
verified). For every built action (``router.ACTIONS``) a case shows that account B meets
account A's resources exactly as it meets IDs that never existed (same code, message and
status), that account A's state is unchanged afterwards, and, where the action takes a
ClientToken, that the same token in two accounts makes two resources.

Also here: access keys from ``access_keys=``, ``MOCK_ECS_ACCESS_KEYS_FILE`` and
``MOCK_ECS_ACCESS_KEYS``, and how they interplay with ``strict_access_keys``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Set

import pytest

from conftest import (
    IMAGE,
    REGION,
    ApiError,
    Driver,
    RequestsDriver,
    SdkCoreDriver,
    TeaDriver,
    expect_error,
    run_instance,
    system_disk,
)
from mock_ecs import DEFAULT_ACCOUNT_ID, AccessKeysError, MockEcs, ids, keys, mock_ecs, regions, router

pytest_plugins = ["pytester"]

ACCT_A, ACCT_B = "1111111111111111", "2222222222222222"
AK_A, SECRET_A = "LTAIaliceAccessKey01", "aliceSecret"
AK_B, SECRET_B = "LTAIbobAccessKey0002", "bobSecret"
DRIVERS = {"sdkcore": SdkCoreDriver, "tea": TeaDriver}
KINDS = ("instances", "disks", "snapshots", "images")
_ID = re.compile(r"\b(?:i|d|s|m|sl|sp|ssg)-[a-z0-9]{20}\b")


def as_list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


# --- the two accounts -------------------------------------------------------------------------
@dataclass
class World:
    ecs: MockEcs
    a: Driver
    b: Driver
    res: Dict[str, str] = field(default_factory=dict)  # name -> ID
    fakes: Dict[str, str] = field(default_factory=dict)  # A's ID -> an ID that never existed
    frozen: Optional[Dict[str, Any]] = None

    def a_state(self) -> Dict[str, Any]:
        """Everything account A has, as the control API shows it, and A's ClientTokens."""
        out: Dict[str, Any] = {
            kind: {rid: getattr(self.ecs, kind[:-1])(rid, account_id=ACCT_A) for rid in self.ecs.ids(kind, ACCT_A)}
            for kind in KINDS
        }
        acct = self.ecs.backend.accounts.get(ACCT_A)
        if acct is not None:
            out["tokens"] = sorted(acct.tokens)
            out["status"] = (acct.not_enough_balance, acct.snapshot_service_unavailable)
            out["policies"] = {p.policy_id: (p.policy_name, p.time_points, p.retention_days, dict(p.tags),
                                             list(p.disk_ids)) for st in acct.regions.values()
                               for p in st.policies.values()}
            out["groups"] = {g.group_id: (g.name, g.description, list(g.snapshot_ids)) for st in acct.regions.values()
                             for g in st.groups.values()}
        return out

    def freeze(self) -> None:
        """From here on only B acts: A's state must not change."""
        self.frozen = self.a_state()

    def fake(self, value: str) -> str:
        """``value`` with each of A's IDs replaced by an ID of the same kind that never existed."""
        owned_by_a = {rid for kind in (*KINDS, "policies", "groups") for rid in self.ecs.ids(kind, ACCT_A)} | {
            self.res.get("link_a", "")}

        def swap(m: re.Match[str]) -> str:
            rid = m.group(0)
            if rid not in owned_by_a:
                return rid
            if rid not in self.fakes:
                self.fakes[rid] = ids.new_id(rid.split("-", 1)[0], REGION)
            return self.fakes[rid]

        return _ID.sub(swap, value)

    def refused(self, action: str, code: str, **params: Any) -> ApiError:
        """B's call fails with ``code``, exactly as the same call naming IDs that never existed."""
        assert self.frozen is not None, "call world.freeze() before B acts"
        with pytest.raises(ApiError) as info:
            self.b.call(action, **params)
        err = info.value
        assert err.code == code, str(err)
        with pytest.raises(ApiError) as unknown:
            self.b.call(action, **{k: self.fake(str(v)) for k, v in params.items()})
        ghost = unknown.value
        assert (err.code, err.message, err.status) == (ghost.code, ghost.message, ghost.status)
        return err

    def b_list(self, action: str, list_key: str, item_key: str, id_key: str, **params: Any) -> Set[str]:
        out = self.b.call(action, RegionId=REGION, **params)
        return {item[id_key] for item in as_list(out[list_key][item_key])}


@pytest.fixture(params=list(DRIVERS))
def world(request: pytest.FixtureRequest, ecs: MockEcs) -> Iterator[World]:
    ecs.register_access_key(AK_A, SECRET_A, ACCT_A)
    ecs.register_access_key(AK_B, SECRET_B, ACCT_B)
    cls = DRIVERS[request.param]
    w = World(ecs, cls(ak=AK_A, secret=SECRET_A), cls(ak=AK_B, secret=SECRET_B))
    a, b, r = w.a, w.b, w.res
    r["inst_a"] = run_instance(a, InstanceName="alice-web")
    r["sys_a"] = system_disk(a, r["inst_a"])
    r["stopped_a"] = a.call("CreateInstance", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")["InstanceId"]
    zone = regions.default_zone(REGION)
    r["data_a"] = a.call("CreateDisk", RegionId=REGION, InstanceId=r["inst_a"], Size=20)["DiskId"]
    r["disk_a"] = a.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=20)["DiskId"]
    r["inst_b"] = run_instance(b, InstanceName="bob-web")
    r["sys_b"] = system_disk(b, r["inst_b"])
    r["stopped_b"] = b.call("CreateInstance", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")["InstanceId"]
    r["disk_b"] = b.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=20)["DiskId"]
    ecs.advance_clock(ecs.settings.initialization_seconds)
    r["snap_a"] = a.call("CreateSnapshot", DiskId=r["sys_a"], SnapshotName="alice-nightly")["SnapshotId"]
    ecs.advance_clock(3600)
    r["link_a"] = ecs.snapshot(r["snap_a"])["SnapshotLinkId"]
    r["image_a"] = a.call("CreateImage", RegionId=REGION, SnapshotId=r["snap_a"], ImageName="golden")["ImageId"]
    r["from_snap_a"] = a.call("CreateDisk", RegionId=REGION, ZoneId=zone, SnapshotId=r["snap_a"])["DiskId"]
    assert ecs.image(r["image_a"])["Status"] == "Available"
    yield w
    if w.frozen is not None:
        assert w.a_state() == w.frozen, "account B changed account A's state"
    # Every call of B's key ran as account B, every call of A's key as account A.
    for c in ecs.calls:
        assert c.account_id == {AK_A: ACCT_A, AK_B: ACCT_B}[c.access_key_id or ""], c


CASES: Dict[str, Callable[[World], None]] = {}


def case(action: str) -> Callable[[Callable[[World], None]], Callable[[World], None]]:
    def register(fn: Callable[[World], None]) -> Callable[[World], None]:
        CASES[action] = fn
        return fn

    return register


def _the_id(out: Dict[str, Any]) -> str:
    """The ID a create answered (RunInstances: its one InstanceIdSet)."""
    if "InstanceIdSets" in out:
        return str(as_list(out["InstanceIdSets"]["InstanceIdSet"])[0])
    return str(next(v for k, v in out.items()
                    if k in ("InstanceId", "DiskId", "SnapshotId", "ImageId", "SnapshotGroupId")))


def token_case(w: World, action: str, params_a: Dict[str, Any], params_b: Dict[str, Any]) -> None:
    """One ClientToken in two accounts: two resources, and no mismatch across accounts."""
    token = "shared-token-0001"
    first_a = _the_id(w.a.call(action, ClientToken=token, **params_a))
    w.freeze()
    # B's parameters differ from A's: in A that would be a mismatch, in B it is a new resource.
    first_b = _the_id(w.b.call(action, ClientToken=token, **params_b))
    assert first_b != first_a
    assert w.ecs.account_of(first_b) == ACCT_B and w.ecs.account_of(first_a) == ACCT_A
    # Each account replays its own answer.
    assert _the_id(w.b.call(action, ClientToken=token, **params_b)) == first_b
    # A's parameters under the token in B: B's own mismatch, not A's answer.
    with pytest.raises(ApiError) as info:
        w.b.call(action, ClientToken=token, **params_a)
    assert info.value.code in ("IdempotentParameterMismatch", "InvalidParamter.Conflict"), str(info.value)


# --- instances ---------------------------------------------------------------------------------
INSTANCE_A = {"RegionId": REGION, "ImageId": IMAGE, "InstanceType": "ecs.g7.large"}
INSTANCE_B = {**INSTANCE_A, "InstanceType": "ecs.c7.large"}


def _refuse_a_boot_sources(w: World, action: str) -> None:
    """B cannot boot (RunInstances, CreateInstance) from A's image, nor take a data disk from A's snapshot."""
    r = w.res
    w.freeze()
    w.refused(action, "InvalidImageId.NotFound", RegionId=REGION, ImageId=r["image_a"],
              InstanceType="ecs.g7.large")
    w.refused(action, "InvalidDataDiskSnapshotId.NotFound", RegionId=REGION, ImageId=IMAGE,
              InstanceType="ecs.g7.large", **{"DataDisk.1.SnapshotId": r["snap_a"]})
    w.frozen = None


@case("RunInstances")
def _run_instances(w: World) -> None:
    _refuse_a_boot_sources(w, "RunInstances")
    # A's own image boots A's instances: the refusal above is about the account.
    assert run_instance(w.a, ImageId=w.res["image_a"]).startswith("i-")
    token_case(w, "RunInstances", INSTANCE_A, INSTANCE_B)


@case("CreateInstance")
def _create_instance(w: World) -> None:
    _refuse_a_boot_sources(w, "CreateInstance")
    token_case(w, "CreateInstance", INSTANCE_A, INSTANCE_B)


@case("StartInstance")
def _start_instance(w: World) -> None:
    w.freeze()
    w.refused("StartInstance", "InvalidInstanceId.NotFound", InstanceId=w.res["stopped_a"])
    assert w.ecs.instance(w.res["stopped_a"])["Status"] == "Stopped"
    w.b.call("StartInstance", InstanceId=w.res["stopped_b"])  # B's own: it works


@case("StopInstance")
def _stop_instance(w: World) -> None:
    w.freeze()
    w.refused("StopInstance", "InvalidInstanceId.NotFound", InstanceId=w.res["inst_a"])
    assert w.ecs.instance(w.res["inst_a"])["Status"] == "Running"
    w.b.call("StopInstance", InstanceId=w.res["inst_b"])


@case("DeleteInstance")
def _delete_instance(w: World) -> None:
    w.freeze()
    w.refused("DeleteInstance", "InvalidInstanceId.NotFound", InstanceId=w.res["inst_a"], Force=True)
    w.refused("DeleteInstance", "InvalidInstanceId.NotFound", InstanceId=w.res["stopped_a"])
    w.b.call("DeleteInstance", InstanceId=w.res["stopped_b"])


@case("DescribeInstances")
def _describe_instances(w: World) -> None:
    r = w.res
    w.freeze()
    listed = lambda **p: w.b_list("DescribeInstances", "Instances", "Instance", "InstanceId", **p)  # noqa: E731
    assert listed() == {r["inst_b"], r["stopped_b"]}
    assert listed(InstanceIds=json.dumps([r["inst_a"], r["stopped_a"]])) == set()
    assert listed(InstanceName="alice-web") == set()
    assert listed(ImageId=IMAGE) == {r["inst_b"], r["stopped_b"]}
    out = w.b.call("DescribeInstances", RegionId=REGION, InstanceIds=json.dumps([r["inst_a"]]))
    assert out["TotalCount"] == 0
    # And the other way round.
    ids_a = {i["InstanceId"] for i in as_list(w.a.call("DescribeInstances", RegionId=REGION)["Instances"]["Instance"])}
    assert r["inst_a"] in ids_a and r["inst_b"] not in ids_a


# --- disks ----------------------------------------------------------------------------------------
@case("CreateDisk")
def _create_disk(w: World) -> None:
    r = w.res
    w.freeze()
    w.refused("CreateDisk", "InvalidSnapshotId.NotFound", RegionId=REGION, ZoneId=regions.default_zone(REGION),
              SnapshotId=r["snap_a"])
    w.refused("CreateDisk", "InvalidInstanceId.NotFound", RegionId=REGION, InstanceId=r["inst_a"], Size=20)
    w.frozen = None
    zone = regions.default_zone(REGION)
    token_case(w, "CreateDisk", {"RegionId": REGION, "ZoneId": zone, "Size": 20},
               {"RegionId": REGION, "ZoneId": zone, "Size": 30})


@case("AttachDisk")
def _attach_disk(w: World) -> None:
    r = w.res
    w.freeze()
    w.refused("AttachDisk", "InvalidDiskId.NotFound", InstanceId=r["inst_b"], DiskId=r["disk_a"])
    w.refused("AttachDisk", "InvalidInstanceId.NotFound", InstanceId=r["inst_a"], DiskId=r["disk_b"])
    w.refused("AttachDisk", "InvalidDiskId.NotFound", InstanceId=r["inst_a"], DiskId=r["disk_a"])
    assert w.ecs.disk(r["disk_a"])["Status"] == "Available"
    w.b.call("AttachDisk", InstanceId=r["inst_b"], DiskId=r["disk_b"])
    assert w.ecs.disk(r["disk_b"])["InstanceId"] == r["inst_b"]


@case("DetachDisk")
def _detach_disk(w: World) -> None:
    r = w.res
    w.b.call("AttachDisk", InstanceId=r["inst_b"], DiskId=r["disk_b"])
    w.freeze()
    w.refused("DetachDisk", "InvalidDiskId.NotFound", InstanceId=r["inst_b"], DiskId=r["data_a"])
    w.refused("DetachDisk", "InvalidDiskId.NotFound", InstanceId=r["inst_a"], DiskId=r["data_a"])
    w.refused("DetachDisk", "InvalidInstanceId.NotFound", InstanceId=r["inst_a"], DiskId=r["disk_b"])
    assert w.ecs.disk(r["data_a"])["InstanceId"] == r["inst_a"]
    w.b.call("DetachDisk", InstanceId=r["inst_b"], DiskId=r["disk_b"])


@case("DeleteDisk")
def _delete_disk(w: World) -> None:
    w.freeze()
    w.refused("DeleteDisk", "InvalidDiskId.NotFound", DiskId=w.res["disk_a"])
    w.b.call("DeleteDisk", DiskId=w.res["disk_b"])


@case("ReplaceSystemDisk")
def _replace_system_disk(w: World) -> None:
    r = w.res
    w.freeze()
    w.refused("ReplaceSystemDisk", "InvalidInstanceId.NotFound", InstanceId=r["stopped_a"], ImageId=IMAGE)
    w.refused("ReplaceSystemDisk", "InvalidImageId.NotFound", InstanceId=r["stopped_b"], ImageId=r["image_a"])
    w.frozen = None
    # A's instance can boot A's image; then one ClientToken in both accounts.
    token = "replace-token-0001"
    first_a = w.a.call("ReplaceSystemDisk", InstanceId=r["stopped_a"], ImageId=r["image_a"], ClientToken=token)
    w.freeze()
    first_b = w.b.call("ReplaceSystemDisk", InstanceId=r["stopped_b"], ImageId=IMAGE, ClientToken=token)
    assert first_b["DiskId"] != first_a["DiskId"]
    assert w.ecs.account_of(first_b["DiskId"]) == ACCT_B


@case("DescribeDisks")
def _describe_disks(w: World) -> None:
    r = w.res
    w.freeze()
    listed = lambda **p: w.b_list("DescribeDisks", "Disks", "Disk", "DiskId", **p)  # noqa: E731
    assert listed() == set(w.ecs.ids("disks", ACCT_B))
    assert r["disk_a"] not in listed() and r["sys_a"] not in listed()
    assert listed(DiskIds=json.dumps([r["disk_a"], r["sys_a"], r["data_a"]])) == set()
    assert listed(InstanceId=r["inst_a"]) == set()
    assert listed(SnapshotId=r["snap_a"]) == set()
    # A sees its disk made from the snapshot: the filter works, B just has none.
    out = w.a.call("DescribeDisks", RegionId=REGION, SnapshotId=r["snap_a"])
    assert [d["DiskId"] for d in as_list(out["Disks"]["Disk"])] == [r["from_snap_a"]]


# --- images ---------------------------------------------------------------------------------------
@case("CreateImage")
def _create_image(w: World) -> None:
    r = w.res
    w.freeze()
    w.refused("CreateImage", "InvalidSnapshotId.NotFound", RegionId=REGION, SnapshotId=r["snap_a"])
    w.refused("CreateImage", "InvalidInstanceId.NotFound", RegionId=REGION, InstanceId=r["inst_a"])
    w.refused("CreateImage", "InvalidSnapshotId.NotFound", RegionId=REGION,
              **{"DiskDeviceMapping.1.SnapshotId": r["snap_a"]})
    w.frozen = None
    # Image names are unique per account: B may use A's name.
    snap_b = w.b.call("CreateSnapshot", DiskId=r["sys_b"])["SnapshotId"]
    w.ecs.advance_clock(3600)
    w.freeze()
    image_b = w.b.call("CreateImage", RegionId=REGION, SnapshotId=snap_b, ImageName="golden")["ImageId"]
    assert image_b != r["image_a"]
    expect_error(lambda: w.b.call("CreateImage", RegionId=REGION, SnapshotId=snap_b, ImageName="golden"),
                 "InvalidImageName.Duplicated")
    token = "image-token-0001"
    w.frozen = None
    first_a = w.a.call("CreateImage", RegionId=REGION, SnapshotId=r["snap_a"], ClientToken=token)["ImageId"]
    w.freeze()
    first_b = w.b.call("CreateImage", RegionId=REGION, SnapshotId=snap_b, ClientToken=token)["ImageId"]
    assert first_b != first_a and w.ecs.account_of(first_b) == ACCT_B


def _same_catalogue(w: World, action: str, **params: Any) -> None:
    """The catalogue actions read no account's resources: B is answered what A is."""
    w.freeze()
    a, b = w.a.call(action, **params), w.b.call(action, **params)
    a.pop("RequestId"), b.pop("RequestId")
    assert a == b


@case("DescribeRegions")
def _describe_regions(w: World) -> None:
    _same_catalogue(w, "DescribeRegions", AcceptLanguage="en-US")


@case("DescribeZones")
def _describe_zones(w: World) -> None:
    _same_catalogue(w, "DescribeZones", RegionId=REGION)


@case("DescribeInstanceTypes")
def _describe_instance_types(w: World) -> None:
    w.frozen = None
    first = w.a.call("DescribeInstanceTypes", MaxResults=5)
    w.freeze()
    # A's NextToken is a cursor over the catalogue, the same for B.
    page = w.b.call("DescribeInstanceTypes", MaxResults=5, NextToken=first["NextToken"])
    assert page["InstanceTypes"]["InstanceType"][0]["InstanceTypeId"] == "ecs.g5.large"
    _same_catalogue(w, "DescribeInstanceTypes", InstanceTypeFamily="ecs.g7")


@case("CopyImage")
def _copy_image(w: World) -> None:
    r = w.res
    w.freeze()
    w.refused("CopyImage", "InvalidImageId.NotFound", RegionId=REGION, ImageId=r["image_a"],
              DestinationRegionId="cn-beijing")
    assert w.ecs.ids("images", ACCT_B) == []


@case("CopySnapshot")
def _copy_snapshot(w: World) -> None:
    r = w.res
    dest = {"DestinationRegionId": "cn-beijing", "DestinationSnapshotName": "copy",
            "DestinationSnapshotDescription": "a copy"}
    snap_b = w.b.call("CreateSnapshot", DiskId=r["sys_b"])["SnapshotId"]
    w.ecs.advance_clock(3600)
    w.freeze()
    # A's snapshot is unknown to B (403 in CopySnapshot's table), as one that never existed.
    err = w.refused("CopySnapshot", "InvalidSnapshotId.NotFound", RegionId=REGION, SnapshotId=r["snap_a"], **dest)
    assert (err.status, err.message) == (403, "The specified snapshot is not exists.")
    assert as_list(w.b.call("DescribeSnapshots", RegionId="cn-beijing")["Snapshots"].get("Snapshot", [])) == []
    w.frozen = None
    token_case(w, "CopySnapshot", {"RegionId": REGION, "SnapshotId": r["snap_a"], **dest},
               {"RegionId": REGION, "SnapshotId": snap_b, **dest})


@case("DescribeImages")
def _describe_images(w: World) -> None:
    r = w.res
    w.freeze()
    listed = lambda **p: w.b_list("DescribeImages", "Images", "Image", "ImageId", **p)  # noqa: E731
    assert listed(ImageOwnerAlias="self") == set()
    assert r["image_a"] not in listed()
    assert listed(ImageId=r["image_a"]) == set()
    assert listed(SnapshotId=r["snap_a"]) == set()
    assert listed(ImageOwnerId=ACCT_A) == set()
    assert listed(ImageName="golden") == set()
    # The filters work for A.
    out = w.a.call("DescribeImages", RegionId=REGION, ImageOwnerAlias="self")
    assert [i["ImageId"] for i in as_list(out["Images"]["Image"])] == [r["image_a"]]


@case("DeleteImage")
def _delete_image(w: World) -> None:
    w.freeze()
    w.refused("DeleteImage", "InvalidImageId.NotFound", RegionId=REGION, ImageId=w.res["image_a"])
    w.refused("DeleteImage", "InvalidImageId.NotFound", RegionId=REGION, ImageId=w.res["image_a"], Force=True)


# --- snapshots ------------------------------------------------------------------------------------
@case("CreateSnapshot")
def _create_snapshot(w: World) -> None:
    r = w.res
    w.freeze()
    w.refused("CreateSnapshot", "InvalidDiskId.NotFound", DiskId=r["data_a"])
    w.refused("CreateSnapshot", "InvalidDiskId.NotFound", DiskId=r["sys_a"], RegionId=REGION)
    w.frozen = None
    token_case(w, "CreateSnapshot", {"DiskId": r["data_a"]}, {"DiskId": r["sys_b"], "SnapshotName": "bob"})


@case("DescribeSnapshots")
def _describe_snapshots(w: World) -> None:
    r = w.res
    w.freeze()
    listed = lambda **p: w.b_list("DescribeSnapshots", "Snapshots", "Snapshot", "SnapshotId", **p)  # noqa: E731
    assert listed() == set()
    assert listed(SnapshotIds=json.dumps([r["snap_a"]])) == set()
    assert listed(DiskId=r["sys_a"]) == set()
    assert listed(InstanceId=r["inst_a"]) == set()
    assert listed(SnapshotName="alice-nightly") == set()
    w.refused("DescribeSnapshots", "InvalidSnapshotLinkId.NotFound", RegionId=REGION, SnapshotLinkId=r["link_a"])
    out = w.a.call("DescribeSnapshots", RegionId=REGION, SnapshotLinkId=r["link_a"])
    assert [s["SnapshotId"] for s in as_list(out["Snapshots"]["Snapshot"])] == [r["snap_a"]]


@case("DeleteSnapshot")
def _delete_snapshot(w: World) -> None:
    w.freeze()
    w.refused("DeleteSnapshot", "InvalidSnapshotId.NotFound", SnapshotId=w.res["snap_a"])
    w.refused("DeleteSnapshot", "InvalidSnapshotId.NotFound", SnapshotId=w.res["snap_a"], Force=True)


@case("ModifySnapshotAttribute")
def _modify_snapshot_attribute(w: World) -> None:
    w.freeze()
    w.refused("ModifySnapshotAttribute", "InvalidSnapshotId.NotFound", SnapshotId=w.res["snap_a"],
              SnapshotName="taken-over")
    assert w.ecs.snapshot(w.res["snap_a"])["SnapshotName"] == "alice-nightly"


@case("ModifyDiskAttribute")
def _modify_disk_attribute(w: World) -> None:
    r = w.res
    w.freeze()
    w.refused("ModifyDiskAttribute", "InvalidDiskId.NotFound", DiskId=r["disk_a"], DiskName="taken-over")
    # In a batch, one of A's disks among B's own refuses the whole request.
    w.refused("ModifyDiskAttribute", "InvalidDiskId.NotFound", RegionId=REGION, DeleteWithInstance=True,
              **{"DiskIds.1": r["disk_b"], "DiskIds.2": r["data_a"]})
    assert w.ecs.disk(r["disk_b"])["DiskName"] == ""
    w.b.call("ModifyDiskAttribute", DiskId=r["disk_b"], DiskName="bob-data")
    assert w.ecs.disk(r["disk_b"])["DiskName"] == "bob-data"


@case("ResizeDisk")
def _resize_disk(w: World) -> None:
    r = w.res
    w.freeze()
    w.refused("ResizeDisk", "InvalidDiskId.NotFound", DiskId=r["disk_a"], NewSize=40)
    w.refused("ResizeDisk", "InvalidDiskId.NotFound", DiskId=r["sys_a"], NewSize=80, Type="online")
    # One ClientToken in both accounts: B's resize is B's own, not a replay of A's.
    w.frozen = None
    w.a.call("ResizeDisk", DiskId=r["disk_a"], NewSize=30, ClientToken="resize-token-0001")
    w.freeze()
    w.b.call("ResizeDisk", DiskId=r["disk_b"], NewSize=40, ClientToken="resize-token-0001")
    assert (w.ecs.disk(r["disk_a"])["Size"], w.ecs.disk(r["disk_b"])["Size"]) == (30, 40)


# --- tags ------------------------------------------------------------------------------------------
_TAGGED = (("instance", "inst_a"), ("disk", "data_a"), ("snapshot", "snap_a"), ("image", "image_a"))


def _tag_a(w: World) -> None:
    for kind, name in _TAGGED:
        w.a.call("TagResources", RegionId=REGION, ResourceType=kind, **{"ResourceId.1": w.res[name],
                 "Tag.1.Key": "owner", "Tag.1.Value": "alice"})


@case("TagResources")
def _tag_resources(w: World) -> None:
    w.freeze()
    for kind, name in _TAGGED:
        w.refused("TagResources", "InvalidResourceId.NotFound", RegionId=REGION, ResourceType=kind,
                  **{"ResourceId.1": w.res[name], "Tag.1.Key": "owner", "Tag.1.Value": "bob"})


@case("UntagResources")
def _untag_resources(w: World) -> None:
    _tag_a(w)
    w.freeze()
    for kind, name in _TAGGED:
        w.refused("UntagResources", "InvalidResourceId.NotFound", RegionId=REGION, ResourceType=kind,
                  All=True, **{"ResourceId.1": w.res[name]})


@case("ListTagResources")
def _list_tag_resources(w: World) -> None:
    _tag_a(w)
    w.freeze()
    for kind, name in _TAGGED:
        out = w.b.call("ListTagResources", RegionId=REGION, ResourceType=kind, **{"ResourceId.1": w.res[name]})
        assert as_list(out["TagResources"]["TagResource"]) == []
        out = w.b.call("ListTagResources", RegionId=REGION, ResourceType=kind, **{"Tag.1.Key": "owner"})
        assert as_list(out["TagResources"]["TagResource"]) == []


@case("AddTags")
def _add_tags(w: World) -> None:
    w.freeze()
    for kind, name in _TAGGED:
        w.refused("AddTags", "InvalidResourceId.NotFound", RegionId=REGION, ResourceType=kind,
                  ResourceId=w.res[name], **{"Tag.1.Key": "owner", "Tag.1.Value": "bob"})


@case("RemoveTags")
def _remove_tags(w: World) -> None:
    _tag_a(w)
    w.freeze()
    for kind, name in _TAGGED:
        w.refused("RemoveTags", "InvalidResourceId.NotFound", RegionId=REGION, ResourceType=kind,
                  ResourceId=w.res[name], **{"Tag.1.Key": "owner"})


@case("DescribeTags")
def _describe_tags(w: World) -> None:
    _tag_a(w)
    w.freeze()
    assert as_list(w.b.call("DescribeTags", RegionId=REGION)["Tags"]["Tag"]) == []
    for kind, name in _TAGGED:
        out = w.b.call("DescribeTags", RegionId=REGION, ResourceType=kind, ResourceId=w.res[name])
        assert as_list(out["Tags"]["Tag"]) == []


@pytest.mark.parametrize("action", sorted(router.ACTIONS))
def test_every_action_is_isolated_between_accounts(world: World, action: str) -> None:
    if action not in CASES:
        pytest.fail(f"{action} is built but has no account-isolation case in {__file__}")
    CASES[action](world)
    assert world.frozen is not None, f"the {action} case never let account B act"


def test_every_case_names_a_built_action() -> None:
    assert set(CASES) == set(router.ACTIONS)


def test_isolation_check_can_fail(ecs: MockEcs) -> None:
    """The harness itself: a resource both accounts could see would be caught."""
    ecs.register_access_key(AK_A, SECRET_A, ACCT_A)
    ecs.register_access_key(AK_B, SECRET_B, ACCT_B)
    w = World(ecs, SdkCoreDriver(ak=AK_A, secret=SECRET_A), SdkCoreDriver(ak=AK_B, secret=SECRET_B))
    inst_b = run_instance(w.b)
    w.freeze()
    # An ID B can use (as a leaked one would be) is not refused like an unknown one.
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        w.refused("StopInstance", "InvalidInstanceId.NotFound", InstanceId=inst_b)
    # A change to A's state is noticed.
    run_instance(w.a)
    assert w.a_state() != w.frozen


# --- more isolation: ignore mode, account status, tokens, the default account ---------------------
def test_ignored_deletes_of_another_accounts_ids_delete_nothing() -> None:
    keyset = {AK_A: (SECRET_A, ACCT_A), AK_B: (SECRET_B, ACCT_B)}
    with mock_ecs(delete_unknown="ignore", access_keys=keyset) as ecs:
        a, b = RequestsDriver(ak=AK_A, secret=SECRET_A), RequestsDriver(ak=AK_B, secret=SECRET_B)
        inst = run_instance(a)
        sys_disk = system_disk(a, inst)
        disk = a.call("CreateDisk", RegionId=REGION, InstanceId=inst, Size=20)["DiskId"]
        ecs.advance_clock(3600)
        snap = a.call("CreateSnapshot", DiskId=sys_disk)["SnapshotId"]
        ecs.advance_clock(3600)
        image = a.call("CreateImage", RegionId=REGION, SnapshotId=snap)["ImageId"]
        image2 = a.call("CreateImage", RegionId=REGION, SnapshotId=snap)["ImageId"]
        snap2 = a.call("CreateSnapshot", DiskId=disk)["SnapshotId"]
        ecs.advance_clock(3600)
        a.call("DetachDisk", InstanceId=inst, DiskId=disk)
        # "Ignored", as for an unknown ID: success, and nothing of A's is gone.
        assert b.call("DeleteDisk", DiskId=disk)["RequestId"]
        assert b.call("DeleteSnapshot", SnapshotId=snap2)["RequestId"]
        assert b.call("DeleteImage", RegionId=REGION, ImageId=image, Force=True)["RequestId"]
        assert set(ecs.ids("disks", ACCT_A)) >= {disk, sys_disk}
        assert set(ecs.ids("snapshots", ACCT_A)) == {snap, snap2}
        assert set(ecs.ids("images", ACCT_A)) == {image, image2}
        assert ecs.ids("disks", ACCT_B) == ecs.ids("snapshots", ACCT_B) == ecs.ids("images", ACCT_B) == []


def test_account_status_is_per_account(ecs: MockEcs) -> None:
    ecs.register_access_key(AK_A, SECRET_A, ACCT_A)
    ecs.register_access_key(AK_B, SECRET_B, ACCT_B)
    a, b = TeaDriver(ak=AK_A, secret=SECRET_A), TeaDriver(ak=AK_B, secret=SECRET_B)
    disk_a, disk_b = system_disk(a, run_instance(a)), system_disk(b, run_instance(b))
    ecs.advance_clock(3600)
    ecs.set_account_status(not_enough_balance=True, account_id=ACCT_A)
    expect_error(lambda: a.call("CreateSnapshot", DiskId=disk_a), "InvalidAccountStatus.NotEnoughBalance",
                 "Your account does not have enough balance.", 403)
    assert b.call("CreateSnapshot", DiskId=disk_b)["SnapshotId"].startswith("s-")
    ecs.set_account_status(not_enough_balance=False, account_id=ACCT_A)
    ecs.set_account_status(snapshot_service_unavailable=True, account_id=ACCT_B)
    expect_error(lambda: b.call("CreateSnapshot", DiskId=disk_b), "InvalidAccountStatus.SnapshotServiceUnavailable",
                 "Snapshot service has not been opened yet.", 403)
    ecs.advance_clock(3600)
    assert a.call("CreateSnapshot", DiskId=disk_a)["SnapshotId"].startswith("s-")


def test_a_token_mismatch_stays_within_its_account(ecs: MockEcs) -> None:
    ecs.register_access_key(AK_A, SECRET_A, ACCT_A)
    ecs.register_access_key(AK_B, SECRET_B, ACCT_B)
    a, b = SdkCoreDriver(ak=AK_A, secret=SECRET_A), SdkCoreDriver(ak=AK_B, secret=SECRET_B)
    zone = regions.default_zone(REGION)
    first = a.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=20, ClientToken="tok")["DiskId"]
    # Other parameters with the same token: a mismatch in A ...
    expect_error(lambda: a.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=30, ClientToken="tok"),
                 "IdempotentParameterMismatch")
    # ... but a new disk in B, whose replay answers B's disk, not A's.
    other = b.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=30, ClientToken="tok")["DiskId"]
    assert other != first
    assert b.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=30, ClientToken="tok")["DiskId"] == other
    # The same parameters as A's first call with the same token: still a new disk in B.
    third = b.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=20, ClientToken="tok2")["DiskId"]
    assert a.call("CreateDisk", RegionId=REGION, ZoneId=zone, Size=20, ClientToken="tok")["DiskId"] == first
    assert ecs.ids("disks", ACCT_A) == [first]
    assert set(ecs.ids("disks", ACCT_B)) == {other, third}


def test_unregistered_keys_and_keys_without_account_share_the_default_account(ecs: MockEcs) -> None:
    ecs.register_access_key(AK_A, SECRET_A, ACCT_A)
    assert ecs.register_access_key("LTAIdefaultKey", "defaultSecret") == DEFAULT_ACCOUNT_ID
    anyone = RequestsDriver(ak="LTAIanyoneAtAll")
    registered_default = SdkCoreDriver(ak="LTAIdefaultKey", secret="defaultSecret")
    inst = run_instance(anyone)
    inst_a = run_instance(SdkCoreDriver(ak=AK_A, secret=SECRET_A))
    seen = registered_default.call("DescribeInstances", RegionId=REGION)["Instances"]["Instance"]
    assert [i["InstanceId"] for i in seen] == [inst]
    assert ecs.account_of(inst) == DEFAULT_ACCOUNT_ID and ecs.account_of(inst_a) == ACCT_A
    assert [c.account_id for c in ecs.calls] == [DEFAULT_ACCOUNT_ID, ACCT_A, DEFAULT_ACCOUNT_ID]


def test_control_api_finds_resources_of_every_account(ecs: MockEcs) -> None:
    ecs.register_access_key(AK_B, SECRET_B, ACCT_B)
    b = TeaDriver(ak=AK_B, secret=SECRET_B)
    inst = run_instance(b)
    disk = system_disk(b, inst)
    assert ecs.instance(inst)["InstanceId"] == inst
    assert ecs.instance(inst, account_id=ACCT_B)["InstanceId"] == inst
    with pytest.raises(KeyError):
        ecs.instance(inst, account_id=DEFAULT_ACCOUNT_ID)
    assert ecs.ids("instances") == ecs.ids("instances", ACCT_B) == [inst]
    assert ecs.ids("instances", DEFAULT_ACCOUNT_ID) == []
    ecs.lock_instance(inst, "security")
    expect_error(lambda: b.call("StopInstance", InstanceId=inst), "InstanceLockedForSecurity")
    ecs.set_disk_data_size(disk, 100)
    with pytest.raises(KeyError):
        ecs.account_of("i-bp1nosuchinstance00")


# --- keys from configuration ----------------------------------------------------------------------
KEYS_DOC = {
    AK_A: {"secret": SECRET_A, "account_id": ACCT_A},
    AK_B: [SECRET_B, ACCT_B],
    "LTAIdefaultKey": "defaultSecret",
}


def assert_keys_work(ecs: MockEcs) -> None:
    """A's and B's keys verify and land in their accounts; a wrong secret is refused."""
    inst_a = run_instance(SdkCoreDriver(ak=AK_A, secret=SECRET_A))
    inst_b = run_instance(TeaDriver(ak=AK_B, secret=SECRET_B))
    run_instance(RequestsDriver(ak="LTAIdefaultKey", secret="defaultSecret"))
    assert ecs.account_of(inst_a) == ACCT_A and ecs.account_of(inst_b) == ACCT_B
    assert [c.account_id for c in ecs.calls] == [ACCT_A, ACCT_B, DEFAULT_ACCOUNT_ID]
    expect_error(lambda: RequestsDriver(ak=AK_A, secret="wrong").call("DescribeInstances", RegionId=REGION),
                 "SignatureDoesNotMatch")


def test_access_keys_keyword() -> None:
    with mock_ecs(access_keys=KEYS_DOC) as ecs:
        assert ecs.access_keys == {AK_A: ACCT_A, AK_B: ACCT_B, "LTAIdefaultKey": DEFAULT_ACCOUNT_ID}
        assert_keys_work(ecs)


def test_access_keys_keyword_takes_python_tuples() -> None:
    with mock_ecs(access_keys={AK_A: (SECRET_A, ACCT_A), AK_B: (SECRET_B, ACCT_B)}) as ecs:
        assert ecs.access_keys == {AK_A: ACCT_A, AK_B: ACCT_B}


def test_access_keys_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(KEYS_DOC), encoding="utf-8")
    monkeypatch.setenv(keys.FILE_VARIABLE, str(path))
    with mock_ecs() as ecs:
        assert_keys_work(ecs)


def test_access_keys_inline_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keys.INLINE_VARIABLE, json.dumps(KEYS_DOC))
    with mock_ecs() as ecs:
        assert_keys_work(ecs)


def test_environment_is_read_when_the_mock_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    handle = mock_ecs()  # made before the variable is set
    monkeypatch.setenv(keys.INLINE_VARIABLE, json.dumps({AK_A: [SECRET_A, ACCT_A]}))
    with handle as ecs:
        assert ecs.access_keys == {AK_A: ACCT_A}
    monkeypatch.delenv(keys.INLINE_VARIABLE)
    with handle as ecs:  # a new start reads it again
        assert ecs.access_keys == {}


def test_decorated_tests_get_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: List[Dict[str, str]] = []

    @mock_ecs(access_keys={AK_B: (SECRET_B, ACCT_B)})
    def decorated() -> None:
        seen.append(mock_ecs.current().access_keys)

    monkeypatch.setenv(keys.INLINE_VARIABLE, json.dumps({AK_A: [SECRET_A, ACCT_A]}))
    decorated()
    decorated()
    assert seen == [{AK_A: ACCT_A, AK_B: ACCT_B}] * 2


def test_precedence_file_then_inline_then_keyword(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"LTAIk": ["fromFile", "1"], "LTAIfile": ["f", "9"]}), encoding="utf-8")
    monkeypatch.setenv(keys.FILE_VARIABLE, str(path))
    monkeypatch.setenv(keys.INLINE_VARIABLE, json.dumps({"LTAIk": ["fromInline", "2"], "LTAIinline": "i"}))
    with mock_ecs() as ecs:
        assert ecs.backend.access_keys["LTAIk"] == ("fromInline", "2")
        assert set(ecs.access_keys) == {"LTAIk", "LTAIfile", "LTAIinline"}
    with mock_ecs(access_keys={"LTAIk": ("fromKeyword", "3")}) as ecs:
        assert ecs.backend.access_keys["LTAIk"] == ("fromKeyword", "3")
        # The control API registers over all of them.
        ecs.register_access_key("LTAIk", "fromControl", "4")
        assert ecs.backend.access_keys["LTAIk"] == ("fromControl", "4")


def test_reset_keeps_configured_keys_and_drops_registered_ones() -> None:
    with mock_ecs(access_keys={AK_A: (SECRET_A, ACCT_A)}, strict_access_keys=True) as ecs:
        ecs.register_access_key(AK_B, SECRET_B, ACCT_B)
        assert set(ecs.access_keys) == {AK_A, AK_B}
        ecs.reset()
        assert ecs.access_keys == {AK_A: ACCT_A}
        assert RequestsDriver(ak=AK_A, secret=SECRET_A).call("DescribeInstances", RegionId=REGION)["TotalCount"] == 0
        expect_error(lambda: RequestsDriver(ak=AK_B, secret=SECRET_B).call("DescribeInstances", RegionId=REGION),
                     "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)


BAD_DOCUMENTS = [
    ("{not json", "not valid JSON"),
    ("[]", "must be an object"),
    ('"LTAIx"', "must be an object"),
    ('{"LTAIx": ""}', "secret of access key 'LTAIx' must be a non-empty string"),
    ('{"LTAIx": 12}', "access key 'LTAIx' must be a secret"),
    ('{"LTAIx": ["s", "1", "extra"]}', "must be [secret] or [secret, account_id]"),
    ('{"LTAIx": {"secret": "s", "acount_id": "1"}}', "unknown field(s) acount_id"),
    ('{"LTAIx": {"account_id": "1"}}', "has no 'secret'"),
    ('{"LTAIx": {"secret": "s", "account_id": 12}}', "account_id of access key 'LTAIx' must be a non-empty string"),
    ('{"": "s"}', "an access key ID must be a non-empty string"),
]


@pytest.mark.parametrize("text, message", BAD_DOCUMENTS)
def test_malformed_inline_variable_is_a_clear_error_at_start(monkeypatch: pytest.MonkeyPatch, text: str,
                                                             message: str) -> None:
    monkeypatch.setenv(keys.INLINE_VARIABLE, text)
    handle = mock_ecs()
    with pytest.raises(AccessKeysError) as info:
        handle.start()
    assert "environment variable MOCK_ECS_ACCESS_KEYS" in str(info.value)
    assert message in str(info.value)
    assert not handle.active
    # Nothing was patched: requests still reach the (absent) network layer unmocked.
    with pytest.raises(RuntimeError):
        mock_ecs.current()


@pytest.mark.parametrize("text, message", BAD_DOCUMENTS[:3])
def test_malformed_file_is_a_clear_error_at_start(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, text: str,
                                                  message: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(keys.FILE_VARIABLE, str(path))
    with pytest.raises(AccessKeysError, match=re.escape(message)) as info:
        mock_ecs().start()
    assert str(path) in str(info.value) and keys.FILE_VARIABLE in str(info.value)


def test_missing_file_is_a_clear_error_at_start(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keys.FILE_VARIABLE, str(tmp_path / "nowhere.json"))
    with pytest.raises(AccessKeysError, match="cannot be read"):
        with mock_ecs():
            pass  # pragma: no cover - never reached


@pytest.mark.parametrize("bad", [{"LTAIx": ""}, {"LTAIx": ("s", "")}, {"LTAIx": 1}, ["LTAIx"]])
def test_malformed_keyword_is_a_clear_error_at_once(bad: Any) -> None:
    with pytest.raises(AccessKeysError, match=r"mock_ecs\(access_keys=\.\.\.\)"):
        mock_ecs(access_keys=bad)


def test_register_access_key_checks_its_arguments(ecs: MockEcs) -> None:
    with pytest.raises(AccessKeysError):
        ecs.register_access_key("LTAIx", "")
    with pytest.raises(AccessKeysError):
        ecs.register_access_key("", "secret")
    assert ecs.access_keys == {}


# --- strict mode ------------------------------------------------------------------------------------
def test_strict_mode_with_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keys.INLINE_VARIABLE, json.dumps({AK_A: [SECRET_A, ACCT_A]}))
    with mock_ecs(strict_access_keys=True) as ecs:
        assert run_instance(TeaDriver(ak=AK_A, secret=SECRET_A)).startswith("i-")
        for driver in (TeaDriver(ak=AK_B, secret=SECRET_B), SdkCoreDriver(ak=AK_B, secret=SECRET_B)):
            expect_error(lambda d=driver: d.call("DescribeInstances", RegionId=REGION),
                         "InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        refused = ecs.calls.where(code="InvalidAccessKeyId.NotFound")
        assert len(refused) == 2
        assert {(c.access_key_id, c.account_id) for c in refused} == {(AK_B, None)}
        # Registering the key through the control API lets it in.
        ecs.register_access_key(AK_B, SECRET_B, ACCT_B)
        assert SdkCoreDriver(ak=AK_B, secret=SECRET_B).call("DescribeInstances", RegionId=REGION)["TotalCount"] == 0


def test_strict_mode_still_verifies_the_secret() -> None:
    with mock_ecs(strict_access_keys=True, access_keys={AK_A: (SECRET_A, ACCT_A)}) as ecs:
        expect_error(lambda: TeaDriver(ak=AK_A, secret="wrong").call("DescribeInstances", RegionId=REGION),
                     "SignatureDoesNotMatch")
        expect_error(lambda: SdkCoreDriver(ak=AK_A, secret="wrong").call("DescribeInstances", RegionId=REGION),
                     "InvalidAccessKeySecret")
        assert ecs.calls.codes == ["SignatureDoesNotMatch", "SignatureDoesNotMatch"]
        assert all(c.account_id is None and c.access_key_id == AK_A for c in ecs.calls)


def test_without_strict_mode_an_unregistered_key_is_not_checked() -> None:
    with mock_ecs(access_keys={AK_A: (SECRET_A, ACCT_A)}) as ecs:
        out = SdkCoreDriver(ak="LTAIneverRegistered", secret="anything").call("DescribeInstances", RegionId=REGION)
        assert out["TotalCount"] == 0
        assert ecs.calls[-1].account_id == DEFAULT_ACCOUNT_ID


def test_strict_mode_through_the_plugin_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import json, pytest
        from aliyunsdkcore.client import AcsClient
        from aliyunsdkcore.acs_exception.exceptions import ServerException
        from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest

        @pytest.mark.mock_ecs(strict_access_keys=True, access_keys={{"{AK_A}": ("{SECRET_A}", "{ACCT_A}")}})
        def test_it(ecs_mock):
            ok = AcsClient("{AK_A}", "{SECRET_A}", "cn-hangzhou", auto_retry=False)
            assert json.loads(ok.do_action_with_exception(DescribeInstancesRequest()))["TotalCount"] == 0
            bad = AcsClient("LTAIstranger", "x", "cn-hangzhou", auto_retry=False)
            with pytest.raises(ServerException) as info:
                bad.do_action_with_exception(DescribeInstancesRequest())
            assert info.value.get_error_code() == "InvalidAccessKeyId.NotFound"
            assert [c.account_id for c in ecs_mock.calls] == ["{ACCT_A}", None]
        """
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:asyncio").assert_outcomes(passed=1)


# --- instance attributes -------------------------------------------------------------------------
@case("DescribeUserData")
def _describe_user_data(w: World) -> None:
    w.freeze()
    w.refused("DescribeUserData", "InvalidInstanceId.NotFound", RegionId=REGION, InstanceId=w.res["inst_a"])
    assert w.b.call("DescribeUserData", RegionId=REGION, InstanceId=w.res["inst_b"])["InstanceId"] == w.res["inst_b"]


@case("DescribeInstanceAttribute")
def _describe_instance_attribute(w: World) -> None:
    w.freeze()
    w.refused("DescribeInstanceAttribute", "InvalidInstanceId.NotFound", InstanceId=w.res["inst_a"])
    assert w.b.call("DescribeInstanceAttribute", InstanceId=w.res["inst_b"])["InstanceName"] == "bob-web"


@case("DescribeInstanceStatus")
def _describe_instance_status(w: World) -> None:
    w.freeze()
    out = w.b.call("DescribeInstanceStatus", RegionId=REGION, **{"InstanceId.1": w.res["inst_a"]})
    assert out["TotalCount"] == 0
    shown = {s["InstanceId"] for s in as_list(w.b.call("DescribeInstanceStatus", RegionId=REGION)
                                              ["InstanceStatuses"]["InstanceStatus"])}
    assert shown == {w.res["inst_b"], w.res["stopped_b"]}


@case("ModifyInstanceAttribute")
def _modify_instance_attribute(w: World) -> None:
    w.freeze()
    w.refused("ModifyInstanceAttribute", "InvalidInstanceId.NotFound", InstanceId=w.res["inst_a"],
              InstanceName="taken-over", Password="Taken-Over123")
    assert w.ecs.instance(w.res["inst_a"])["InstanceName"] == "alice-web"
    w.b.call("ModifyInstanceAttribute", InstanceId=w.res["inst_b"], InstanceName="bob-renamed")
    assert w.ecs.instance(w.res["inst_b"])["InstanceName"] == "bob-renamed"


@case("RebootInstance")
def _reboot_instance(w: World) -> None:
    w.freeze()
    w.refused("RebootInstance", "InvalidInstanceId.NotFound", InstanceId=w.res["inst_a"])
    w.refused("RebootInstance", "InvalidInstanceId.NotFound", InstanceId=w.res["inst_a"], DryRun=True)
    w.b.call("RebootInstance", InstanceId=w.res["inst_b"])


# --- automatic snapshot policies -----------------------------------------------------------------
EVERY_DAY = '["1","2","3","4","5","6","7"]'


def _policy(driver: Driver, **extra: Any) -> str:
    params = {"regionId": REGION, "timePoints": '["1"]', "repeatWeekdays": EVERY_DAY, "retentionDays": 2, **extra}
    return str(driver.call("CreateAutoSnapshotPolicy", **params)["AutoSnapshotPolicyId"])


def _applied_policy(w: World) -> str:
    """A's policy, applied to A's system disk; B has a policy of its own."""
    policy = _policy(w.a, autoSnapshotPolicyName="alice-nightly")
    w.a.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=policy,
             diskIds=json.dumps([w.res["sys_a"]]))
    w.res["policy_b"] = _policy(w.b)
    return policy


def _b_policies(w: World, **params: Any) -> Set[str]:
    return w.b_list("DescribeAutoSnapshotPolicyEx", "AutoSnapshotPolicies", "AutoSnapshotPolicy",
                    "AutoSnapshotPolicyId", **params)


@case("CreateAutoSnapshotPolicy")
def _create_policy(w: World) -> None:
    for _ in range(3):
        _policy(w.a)
    w.freeze()
    made = _policy(w.b)  # A's policies count toward A's quota only
    assert _b_policies(w) == {made}
    assert w.ecs.account_of(made) == ACCT_B


@case("DescribeAutoSnapshotPolicyEx")
def _describe_policies(w: World) -> None:
    policy = _applied_policy(w)
    w.freeze()
    assert _b_policies(w) == {w.res["policy_b"]}
    assert _b_policies(w, AutoSnapshotPolicyId=policy) == set()
    assert _b_policies(w, AutoSnapshotPolicyName="alice-nightly") == set()


@case("ModifyAutoSnapshotPolicyEx")
def _modify_policy(w: World) -> None:
    policy = _applied_policy(w)
    w.freeze()
    w.refused("ModifyAutoSnapshotPolicyEx", "ParameterInvalid", regionId=REGION, autoSnapshotPolicyId=policy,
              timePoints='["5"]')


@case("DeleteAutoSnapshotPolicy")
def _delete_policy(w: World) -> None:
    policy = _applied_policy(w)
    w.freeze()
    w.refused("DeleteAutoSnapshotPolicy", "ParameterInvalid", regionId=REGION, autoSnapshotPolicyId=policy)


@case("ApplyAutoSnapshotPolicy")
def _apply_policy(w: World) -> None:
    policy = _applied_policy(w)
    w.freeze()
    w.refused("ApplyAutoSnapshotPolicy", "ParameterInvalid", regionId=REGION, autoSnapshotPolicyId=policy,
              diskIds=json.dumps([w.res["sys_b"]]))
    w.refused("ApplyAutoSnapshotPolicy", "InvalidDiskId.NotFound", regionId=REGION,
              autoSnapshotPolicyId=w.res["policy_b"], diskIds=json.dumps([w.res["sys_a"]]))
    w.b.call("ApplyAutoSnapshotPolicy", regionId=REGION, autoSnapshotPolicyId=w.res["policy_b"],
             diskIds=json.dumps([w.res["sys_b"]]))


@case("CancelAutoSnapshotPolicy")
def _cancel_policy(w: World) -> None:
    _applied_policy(w)
    w.freeze()
    w.refused("CancelAutoSnapshotPolicy", "InvalidDiskId.NotFound", regionId=REGION,
              diskIds=json.dumps([w.res["sys_a"]]))


@case("DescribeAutoSnapshotPolicyAssociations")
def _describe_associations(w: World) -> None:
    policy = _applied_policy(w)
    w.freeze()
    w.refused("DescribeAutoSnapshotPolicyAssociations", "InvalidAutoSnapshotPolicyId.NotFound", RegionId=REGION,
              AutoSnapshotPolicyId=policy)
    w.refused("DescribeAutoSnapshotPolicyAssociations", "InvalidDiskId.NotFound", RegionId=REGION,
              DiskId=w.res["sys_a"])


# --- snapshot-consistent groups, chains and usage ---------------------------------------------------
def _group_a(w: World) -> str:
    """A's group of its running instance (system and data disk); B has none."""
    return str(w.a.call("CreateSnapshotGroup", RegionId=REGION, InstanceId=w.res["inst_a"])["SnapshotGroupId"])


@case("CreateSnapshotGroup")
def _create_group(w: World) -> None:
    w.freeze()
    w.refused("CreateSnapshotGroup", "InvalidInstanceId.NotFound", RegionId=REGION, InstanceId=w.res["inst_a"])
    w.refused("CreateSnapshotGroup", "InvalidDiskId.NotFound", RegionId=REGION, **{"DiskId.1": w.res["sys_a"]})
    w.frozen = None
    token_case(w, "CreateSnapshotGroup", {"RegionId": REGION, "InstanceId": w.res["inst_a"]},
               {"RegionId": REGION, "InstanceId": w.res["inst_b"]})


@case("DescribeSnapshotGroups")
def _describe_groups(w: World) -> None:
    group = _group_a(w)
    w.freeze()
    assert w.b.call("DescribeSnapshotGroups", RegionId=REGION)["SnapshotGroups"]["SnapshotGroup"] == []
    assert w.b.call("DescribeSnapshotGroups", RegionId=REGION, **{"SnapshotGroupId.1": group},
                    InstanceId=w.res["inst_a"])["SnapshotGroups"]["SnapshotGroup"] == []


@case("DeleteSnapshotGroup")
def _delete_group(w: World) -> None:
    group = _group_a(w)
    w.freeze()
    w.refused("DeleteSnapshotGroup", "InvalidSnapshotGroupId.NotFound", RegionId=REGION, SnapshotGroupId=group)


@case("ModifySnapshotGroup")
def _modify_group(w: World) -> None:
    group = _group_a(w)
    w.freeze()
    w.refused("ModifySnapshotGroup", "InvalidSnapshotGroupId.NotFound", RegionId=REGION, SnapshotGroupId=group,
              Name="taken")


@case("DescribeSnapshotLinks")
def _describe_links(w: World) -> None:
    w.freeze()
    r = w.res
    for params in ({}, {"DiskIds": json.dumps([r["sys_a"]])}, {"SnapshotLinkIds": json.dumps([r["link_a"]])},
                   {"InstanceId": r["inst_a"]}):
        out = w.b.call("DescribeSnapshotLinks", RegionId=REGION, **params)
        assert (out["TotalCount"], out["SnapshotLinks"]["SnapshotLink"]) == (0, []), params


@case("DescribeSnapshotsUsage")
def _describe_usage(w: World) -> None:
    w.freeze()
    out = w.b.call("DescribeSnapshotsUsage", RegionId=REGION)
    assert (out["SnapshotCount"], out["SnapshotSize"]) == (0, 0)
    assert w.a.call("DescribeSnapshotsUsage", RegionId=REGION)["SnapshotCount"] == 1


# --- disks rolled back -------------------------------------------------------------------------------
@case("ResetDisk")
def _reset_disk(w: World) -> None:
    r = w.res
    w.ecs.write_disk(r["sys_a"])
    w.freeze()
    w.refused("ResetDisk", "InvalidDiskId.NotFound", DiskId=r["sys_a"], SnapshotId=r["snap_a"])
    w.refused("ResetDisk", "InvalidSnapshotId.NotFound", DiskId=r["sys_b"], SnapshotId=r["snap_a"])
    assert w.ecs.disk_content(r["sys_a"], ACCT_A) == 1 and w.ecs.disk_content(r["sys_b"], ACCT_B) == 0


@case("ResetDisks")
def _reset_disks(w: World) -> None:
    r = w.res
    w.ecs.write_disk(r["sys_a"])
    w.freeze()
    w.refused("ResetDisks", "InvalidDiskId.NotFound", RegionId=REGION,
              **{"Disk.1.DiskId": r["sys_a"], "Disk.1.SnapshotId": r["snap_a"]})
    w.refused("ResetDisks", "InvalidSnapshotId.NotFound", RegionId=REGION,
              **{"Disk.1.DiskId": r["sys_b"], "Disk.1.SnapshotId": r["snap_a"]})
    assert w.ecs.disk_content(r["sys_a"], ACCT_A) == 1 and w.ecs.disk_content(r["sys_b"], ACCT_B) == 0
