"""The instance and image views: every field of the Tea SDK's response models with the model's
type, the real service's key order in JSON and XML, and the values derived from the mock's model.
"""

from __future__ import annotations

import inspect
import json
import typing
import xml.etree.ElementTree as ET
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

from conftest import (
    IMAGE,
    REGION,
    SdkCoreDriver,
    accomplished_snapshot,
    create_instance,
    run_instance,
    signed_params,
)
from mock_ecs import MockEcs
from mock_ecs.backend import DEFAULT_ACCOUNT_ID
from mock_ecs.keyorder import REAL_CAPACITY, capacity, out_of_order

VSW = "vsw-bp1s5fnvk4gn2tws03624"
ALL_ATTRIBUTES = {"AdditionalAttributes.1": "NETWORK_PRIMARY_ENI_IP", "AdditionalAttributes.2": "META_OPTIONS"}


def raw(client: SdkCoreDriver, action: str, fmt: str, **params: Any) -> str:
    """The answer's text as sent (JSON or XML): a signed request through ``requests``, which
    aliyunsdkcore cannot send for XML (do_action_with_exception asks for JSON)."""
    query = signed_params(action, {"RegionId": REGION, **params}, fmt)
    resp = requests.get(f"https://ecs.{REGION}.aliyuncs.com/", params=query)
    assert resp.status_code == 200, resp.text
    return resp.text


@pytest.fixture
def sdk(ecs: MockEcs) -> SdkCoreDriver:
    return SdkCoreDriver()


@pytest.fixture
def world(sdk: SdkCoreDriver, ecs: MockEcs) -> Dict[str, str]:
    """A public-IP instance, one without, a stopped subscription one, one of a custom image."""
    web = run_instance(sdk, InternetMaxBandwidthOut=5, VSwitchId=VSW, KeyPairName="k", **{"Tag.1.Key": "env"})
    bare = run_instance(sdk)
    made = create_instance(sdk, InstanceChargeType="PrePaid", Period=1)
    _, _, snap = accomplished_snapshot(sdk, ecs)
    image = sdk.call("CreateImage", RegionId=REGION, SnapshotId=snap, Platform="Ubuntu", ImageName="golden")["ImageId"]
    custom = run_instance(sdk, ImageId=image)
    return {"web": web, "bare": bare, "made": made, "image": image, "custom": custom}


# --- key order ------------------------------------------------------------------------------
def json_objects(doc: Any, name: str = "") -> Iterator[Tuple[str, List[str]]]:
    """(name, keys) of every object of a parsed JSON answer; a list item is named by its list."""
    if isinstance(doc, dict):
        yield name, list(doc)
        for key, value in doc.items():
            yield from json_objects(value, key)
    elif isinstance(doc, list):
        for item in doc:
            yield from json_objects(item, name)


def xml_objects(elem: ET.Element) -> Iterator[Tuple[str, List[str]]]:
    """(tag, child tags without the repeats of a list) of every element with children."""
    children = list(elem)
    if children:
        yield elem.tag, list(dict.fromkeys(child.tag for child in children))
    for child in children:
        yield from xml_objects(child)


def misordered(objects: Iterator[Tuple[str, List[str]]]) -> List[Tuple[str, Tuple[str, str]]]:
    found = []
    for name, keys in objects:
        if len(keys) > 1:
            pair = out_of_order(keys, REAL_CAPACITY.get(name) or capacity(len(keys)))
            if pair is not None:
                found.append((name, pair))
    return found


def answers(sdk: SdkCoreDriver, world: Dict[str, str], fmt: str) -> List[str]:
    return [
        raw(sdk, "DescribeInstances", fmt),
        raw(sdk, "DescribeInstances", fmt, NeedSaleCycle="true", **ALL_ATTRIBUTES),
        raw(sdk, "DescribeInstances", fmt, MaxResults="10"),
        raw(sdk, "DescribeImages", fmt, ImageOwnerAlias="self"),
        raw(sdk, "DescribeImages", fmt, ImageOwnerAlias="system", PageSize="3"),
        raw(sdk, "RunInstances", fmt, ImageId=IMAGE, InstanceType="ecs.g7.large", InstanceChargeType="PrePaid"),
        raw(sdk, "CreateInstance", fmt, ImageId=IMAGE, InstanceType="ecs.g7.large", InstanceChargeType="PrePaid"),
    ]


def test_json_objects_are_in_the_real_key_order(sdk, world):
    for text in answers(sdk, world, "JSON"):
        assert misordered(json_objects(json.loads(text))) == [], text[:200]


def test_xml_elements_are_in_the_real_key_order(sdk, world):
    for text in answers(sdk, world, "XML"):
        root = ET.fromstring(text)
        assert misordered(xml_objects(root)) == [], text[:200]


def test_envelopes_place_request_id_as_the_real_service(sdk, world):
    assert list(json.loads(raw(sdk, "DescribeInstances", "JSON"))) == [
        "Instances", "TotalCount", "NextToken", "PageSize", "RequestId", "PageNumber"]
    assert list(json.loads(raw(sdk, "DescribeImages", "JSON"))) == [
        "TotalCount", "PageSize", "RequestId", "PageNumber", "Images", "RegionId"]
    assert [e.tag for e in ET.fromstring(raw(sdk, "DescribeImages", "XML"))] == [
        "TotalCount", "PageSize", "RequestId", "PageNumber", "Images", "RegionId"]


def test_eip_address_precedes_public_ip_address_in_every_instance(sdk, world):
    """footmark's parser recurses without end when PublicIpAddress comes first (empty IP list)."""
    for extra in ({}, {"NeedSaleCycle": "true", **ALL_ATTRIBUTES}):
        instances = json.loads(raw(sdk, "DescribeInstances", "JSON", **extra))["Instances"]["Instance"]
        assert len(instances) == 5  # world's four, and accomplished_snapshot's
        for inst in instances:
            keys = list(inst)
            assert keys.index("EipAddress") < keys.index("PublicIpAddress"), inst["InstanceId"]
        root = ET.fromstring(raw(sdk, "DescribeInstances", "XML", **extra))
        for inst in root.iter("Instance"):
            tags = [child.tag for child in inst]
            assert tags.index("EipAddress") < tags.index("PublicIpAddress"), tags
    web = json.loads(raw(sdk, "DescribeInstances", "JSON", InstanceIds=json.dumps([world["web"]])))
    (inst,) = web["Instances"]["Instance"]
    assert inst["PublicIpAddress"]["IpAddress"] and inst["EipAddress"] == {
        "Bandwidth": 0, "AllocationId": "", "IpAddress": "", "IsSupportUnassociate": False, "InternetChargeType": ""}


# --- every field of the Tea SDK's model, with its type ------------------------------------
def unset_fields(model: Any, path: str = "") -> Iterator[str]:
    """Paths of the attributes of a Tea model (and its nested models) that the answer did not set,
    or set with a value of another type than the model's."""
    cls = type(model)
    hints = typing.get_type_hints(cls.__init__, globalns=vars(inspect.getmodule(cls)))
    for attr in inspect.signature(cls.__init__).parameters:
        if attr == "self":
            continue
        value, hint = getattr(model, attr), hints[attr]
        where = f"{path}.{attr}"
        if value is None:
            yield where
        elif hasattr(value, "to_map"):
            yield from unset_fields(value, where)
        elif isinstance(value, list):
            for item in value:
                if hasattr(item, "to_map"):
                    yield from unset_fields(item, f"{where}[]")
        elif hint is float:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                yield f"{where}: {value!r}"
        elif hint in (int, str, bool) and (type(value) is not hint):
            yield f"{where}: {value!r}"


@pytest.mark.parametrize("action,params", [
    ("DescribeInstances", {"NeedSaleCycle": "true", **ALL_ATTRIBUTES}),
    ("DescribeImages", {}),
    ("DescribeImages", {"ImageOwnerAlias": "self"}),
    ("RunInstances", {"ImageId": IMAGE, "InstanceType": "ecs.g7.large", "InstanceChargeType": "PrePaid"}),
    ("CreateInstance", {"ImageId": IMAGE, "InstanceType": "ecs.g7.large", "InstanceChargeType": "PrePaid"}),
])
def test_every_model_field_is_answered_with_its_type(sdk, world, action, params):
    from alibabacloud_ecs20140526 import models

    body = json.loads(raw(sdk, action, "JSON", **params))
    model = getattr(models, f"{action}ResponseBody")().from_map(body)
    assert list(unset_fields(model)) == []


# --- values derived from the mock's model -------------------------------------------------
def one(sdk: SdkCoreDriver, instance_id: str) -> Dict[str, Any]:
    out = sdk.call("DescribeInstances", RegionId=REGION, InstanceIds=json.dumps([instance_id]))
    (inst,) = out["Instances"]["Instance"]
    return inst


def test_an_instance_of_a_custom_image_runs_the_image_os(sdk, ecs, world):
    inst = one(sdk, world["custom"])
    assert (inst["ImageId"], inst["OSName"], inst["OSNameEn"], inst["OSType"]) == (
        world["image"], "Ubuntu  22.04 64 bit", "Ubuntu  22.04 64 bit", "linux")
    (image,) = sdk.call("DescribeImages", RegionId=REGION, ImageId=world["image"])["Images"]["Image"]
    assert (image["OSName"], image["OSNameEn"], image["Platform"]) == (
        "Ubuntu  22.04 64 bit", "Ubuntu  22.04 64 bit", "Ubuntu")
    # The instance keeps its OS when the image is deleted.
    sdk.call("DeleteImage", RegionId=REGION, ImageId=world["image"], Force=True)
    assert one(sdk, world["custom"])["OSName"] == "Ubuntu  22.04 64 bit"


def test_a_custom_image_of_another_platform_names_its_platform(sdk, ecs):
    _, _, snap = accomplished_snapshot(sdk, ecs)
    image_id = sdk.call("CreateImage", RegionId=REGION, SnapshotId=snap, Platform="CentOS")["ImageId"]
    (image,) = sdk.call("DescribeImages", RegionId=REGION, ImageId=image_id)["Images"]["Image"]
    assert (image["OSName"], image["Features"]["NvmeSupport"]) == ("CentOS  64 bit", "unsupported")
    windows = sdk.call("CreateImage", RegionId=REGION, SnapshotId=snap, Platform="Windows Server 2019")["ImageId"]
    inst = one(sdk, run_instance(sdk, ImageId=windows))
    assert (inst["OSName"], inst["OSType"]) == ("Windows Server 2019  64 bit", "windows")


def test_vpc_id_follows_the_vswitch(sdk, world):
    web, bare = one(sdk, world["web"]), one(sdk, world["bare"])
    vpc = web["VpcAttributes"]["VpcId"]
    assert vpc.startswith("vpc-bp1") and len(vpc) == 25 and web["VpcAttributes"]["VSwitchId"] == VSW
    # The same vSwitch is in the same VPC; the VpcId filter finds it.
    assert one(sdk, run_instance(sdk, VSwitchId=VSW))["VpcAttributes"]["VpcId"] == vpc
    found = sdk.call("DescribeInstances", RegionId=REGION, VpcId=vpc)["Instances"]["Instance"]
    assert {i["InstanceId"] for i in found} >= {world["web"]}
    assert bare["VpcAttributes"]["VpcId"] == ""


@pytest.mark.parametrize("instance_type,cpu,cores,gpus,spec,credit", [
    ("ecs.g7.large", 2, 1, 0, "", ""),
    ("ecs.g7.xlarge", 4, 2, 0, "", ""),
    ("ecs.t6-c1m1.large", 2, 1, 0, "", "Standard"),
    ("ecs.gn6i-c4g1.xlarge", 4, 2, 1, "NVIDIA T4", ""),
    ("ecs.t5-lc1m1.small", 1, 1, 0, "", "Standard"),
])
def test_facts_of_the_instance_type(sdk, ecs, instance_type, cpu, cores, gpus, spec, credit):
    inst = one(sdk, run_instance(sdk, InstanceType=instance_type))
    threads = 1 if cpu == 1 else 2
    assert (inst["Cpu"], inst["CpuOptions"]["CoreCount"], inst["CpuOptions"]["ThreadsPerCore"]) == (cpu, cores, threads)
    assert (inst["GPUAmount"], inst["GPUSpec"], inst["CreditSpecification"]) == (gpus, spec, credit)


def test_local_disks_are_counted(sdk, ecs):
    inst = one(sdk, run_instance(sdk, **{"DataDisk.1.Category": "ephemeral_ssd", "DataDisk.1.Size": "100",
                                         "DataDisk.2.Size": "50"}))
    assert (inst["LocalStorageAmount"], inst["LocalStorageCapacity"]) == (1, 100)


def test_image_owner_and_publicity(sdk, world):
    (mine,) = sdk.call("DescribeImages", RegionId=REGION, ImageId=world["image"])["Images"]["Image"]
    assert (mine["ImageOwnerAlias"], mine["ImageOwnerId"], mine["IsPublic"], mine["Usable"]) == (
        "self", int(DEFAULT_ACCOUNT_ID), False, True)
    assert (mine["BootMode"], mine["Features"]["NvmeSupport"], mine["Features"]["ImdsSupport"]) == (
        "BIOS", "supported", "v2")
    (public,) = sdk.call("DescribeImages", RegionId=REGION, ImageId=IMAGE)["Images"]["Image"]
    assert (public["ImageOwnerAlias"], public["ImageOwnerId"], public["IsPublic"], public["Usable"]) == (
        "system", 0, True, True)


def test_trade_price_comes_with_the_order(sdk, ecs):
    out = sdk.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.xlarge",
                   InstanceChargeType="PrePaid", Period=1, Amount=2)
    assert list(out) == ["RequestId", "InstanceIdSets", "OrderId", "TradePrice"]
    assert out["TradePrice"] == pytest.approx(4 * 2 * 30 * 24 * 0.08)
    assert list(sdk.call("CreateInstance", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large")) == [
        "RequestId", "InstanceId"]
