"""DescribeRegions, DescribeZones, DescribeInstanceTypes through the real clients, and libcloud's
calls that read them (list_locations, ex_list_zones, list_sizes)."""

from __future__ import annotations

import pytest

from conftest import REGION, expect_error, run_instance
from mock_ecs import MockEcs
from mock_ecs.regions import REGIONS, zones

LANGUAGE_TEXT = "Only Chinese (zh-CN), English (en-US), and Japanese (ja) are allowed."


def test_regions_list_every_region_of_the_mock(client):
    out = client.call("DescribeRegions", AcceptLanguage="en-US")
    rows = out["Regions"]["Region"]
    assert [r["RegionId"] for r in rows] == list(REGIONS)
    hangzhou = rows[0]
    assert hangzhou == {"Status": "available", "RegionId": "cn-hangzhou",
                        "RegionEndpoint": "ecs.cn-hangzhou.aliyuncs.com", "LocalName": "China (Hangzhou)"}


def test_regions_speak_chinese_by_default(client):
    rows = client.call("DescribeRegions")["Regions"]["Region"]
    assert rows[0]["LocalName"] == "华东1（杭州）"
    japanese = client.call("DescribeRegions", AcceptLanguage="ja")["Regions"]["Region"]
    assert japanese[0]["LocalName"] == "China (Hangzhou)"


@pytest.mark.parametrize("language", ["fr", "en", "EN-us", "zh"])
def test_regions_refuse_an_unknown_language(client, language):
    expect_error(lambda: client.call("DescribeRegions", AcceptLanguage=language),
                 "InvalidAcceptLanguage.NotFound", LANGUAGE_TEXT, 404)


def test_regions_refuse_an_unknown_resource_type(client):
    assert client.call("DescribeRegions", ResourceType="disk")["Regions"]["Region"]
    expect_error(lambda: client.call("DescribeRegions", ResourceType="volume"), "InvalidResourceType.NotFound",
                 "The ResourceType provided does not exist in our records.", 404)


def test_regions_refuse_an_unknown_charge_type(client):
    expect_error(lambda: client.call("DescribeRegions", InstanceChargeType="Free"),
                 "InvalidInstanceChargeType.NotFound", "The InstanceChargeType does not exist in our records", 404)


def test_zones_of_the_region_with_what_the_mock_accepts(client):
    out = client.call("DescribeZones", RegionId="cn-beijing", AcceptLanguage="en-US")
    rows = out["Zones"]["Zone"]
    assert [z["ZoneId"] for z in rows] == list(zones("cn-beijing"))
    first = rows[0]
    assert first["LocalName"] == "Beijing Zone A"
    assert first["ZoneType"] == "AvZone"
    assert "cloud_essd" in first["AvailableDiskCategories"]["DiskCategories"]
    assert "ecs.g7.large" in first["AvailableInstanceTypes"]["InstanceTypes"]
    assert first["AvailableResourceCreation"]["ResourceTypes"] == ["VSwitch", "IoOptimized", "Instance", "Disk"]
    info = first["AvailableResources"]["ResourcesInfo"][0]
    assert info["IoOptimized"] is True
    assert "ecs.g7" in info["InstanceTypeFamilies"]["supportedInstanceTypeFamily"]
    assert "cloud" not in info["SystemDiskCategories"]["supportedSystemDiskCategory"]


def test_zones_in_chinese_and_without_verbose(client):
    rows = client.call("DescribeZones", RegionId=REGION, Verbose=False)["Zones"]["Zone"]
    assert rows[0]["LocalName"] == "华东1 可用区 B"
    assert not rows[0]["AvailableInstanceTypes"].get("InstanceTypes")


def test_a_listed_type_and_category_are_accepted(client):
    """What DescribeZones offers, RunInstances takes: a tool that picks the first one works."""
    zone = client.call("DescribeZones", RegionId=REGION)["Zones"]["Zone"][1]
    kind = zone["AvailableInstanceTypes"]["InstanceTypes"][0]
    category = zone["AvailableResources"]["ResourcesInfo"][0]["SystemDiskCategories"][
        "supportedSystemDiskCategory"][0]
    assert run_instance(client, ZoneId=zone["ZoneId"], InstanceType=kind, **{"SystemDisk.Category": category})


def test_zones_errors(client):
    expect_error(lambda: client.call("DescribeZones", RegionId="cn-atlantis"),
                 "InvalidRegionId.NotFound", "The specified RegionId does not exist.", 404)
    expect_error(lambda: client.call("DescribeZones", RegionId=REGION, AcceptLanguage="de"),
                 "InvalidAcceptLanguage.NotFound", LANGUAGE_TEXT, 404)
    expect_error(lambda: client.call("DescribeZones", RegionId=REGION, SpotStrategy="Cheap"),
                 "InvalidSpotStrategy", "The specified SpotStrategy is not valid.", 400)
    expect_error(lambda: client.call("DescribeZones", RegionId=REGION, InstanceChargeType="prepaid"),
                 "InvalidInstanceChargeType.NotFound", "The InstanceChargeType does not exist in our records", 404)


def test_instance_types_with_cpu_and_memory(client):
    rows = client.call("DescribeInstanceTypes")["InstanceTypes"]["InstanceType"]
    by_id = {r["InstanceTypeId"]: r for r in rows}
    assert len(rows) == len(by_id) > 40
    g7 = by_id["ecs.g7.2xlarge"]
    assert (g7["CpuCoreCount"], g7["MemorySize"], g7["InstanceTypeFamily"]) == (8, 32.0, "ecs.g7")
    c6 = by_id["ecs.c6.large"]
    assert (c6["CpuCoreCount"], c6["MemorySize"]) == (2, 4.0)
    gpu = by_id["ecs.gn6i-c4g1.xlarge"]
    assert (gpu["GPUAmount"], gpu["GPUSpec"]) == (1, "NVIDIA T4")


def test_instance_types_filters(client):
    wanted = {"InstanceTypes.1": "ecs.r7.large", "InstanceTypes.2": "ecs.c5.xlarge",
              "InstanceTypes.3": "ecs.none.large"}
    rows = client.call("DescribeInstanceTypes", **wanted)["InstanceTypes"]["InstanceType"]
    assert sorted(r["InstanceTypeId"] for r in rows) == ["ecs.c5.xlarge", "ecs.r7.large"]
    rows = client.call("DescribeInstanceTypes", InstanceTypeFamily="ecs.r6")["InstanceTypes"]["InstanceType"]
    assert [r["InstanceTypeId"] for r in rows] == [
        "ecs.r6.large", "ecs.r6.xlarge", "ecs.r6.2xlarge", "ecs.r6.4xlarge", "ecs.r6.8xlarge"]
    assert client.call("DescribeInstanceTypes", InstanceTypeFamily="ecs.zz9")["InstanceTypes"].get(
        "InstanceType", []) == []


def test_instance_types_refuse_more_than_ten_types(client):
    many = {f"InstanceTypes.{i}": "ecs.g7.large" for i in range(1, 12)}
    expect_error(lambda: client.call("DescribeInstanceTypes", **many), "InvalidParameter", status=400)


def test_instance_types_page_with_next_token(client):
    whole = [r["InstanceTypeId"] for r in client.call("DescribeInstanceTypes")["InstanceTypes"]["InstanceType"]]
    seen, token = [], ""
    while True:
        extra = {"NextToken": token} if token else {}
        out = client.call("DescribeInstanceTypes", MaxResults=7, **extra)
        page = out["InstanceTypes"]["InstanceType"]
        assert len(page) <= 7
        seen += [r["InstanceTypeId"] for r in page]
        token = out.get("NextToken", "")
        if not token:
            break
    assert seen == whole
    expect_error(lambda: client.call("DescribeInstanceTypes", NextToken="forged"), "InvalidNextToken.Malformed",
                 "The specified parameter NextToken is not valid.", 400)


def test_catalogue_is_the_same_for_every_account(ecs):
    """Nothing an account does changes what another is offered; each account reads the catalogue."""
    from conftest import SdkCoreDriver

    one, two = SdkCoreDriver(ak="LTAIaccountOne"), SdkCoreDriver(ak="LTAIaccountTwo")
    run_instance(one)
    for action, extra in (("DescribeRegions", {}), ("DescribeZones", {"RegionId": REGION}),
                          ("DescribeInstanceTypes", {})):
        a, b = one.call(action, **extra), two.call(action, **extra)
        a.pop("RequestId"), b.pop("RequestId")
        assert a == b


def test_libcloud_locations_zones_and_sizes(ecs: MockEcs):
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider

    driver = get_driver(Provider.ALIYUN_ECS)("LTAItestAccessKey", "testSecret", region=REGION)
    locations = driver.list_locations()
    assert [loc.id for loc in locations] == list(REGIONS)
    found = driver.ex_list_zones()
    assert [z.id for z in found] == list(zones(REGION))
    assert "ecs.g7.large" in found[0].available_instance_types
    assert "cloud_essd" in found[0].available_disk_categories
    sizes = {s.id: s for s in driver.list_sizes()}
    assert sizes["ecs.g7.large"].ram == 8.0
