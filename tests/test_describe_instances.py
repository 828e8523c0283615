"""DescribeInstances: every filter of the real API, ANDed, with its value rules; both paging
styles; the network and metadata attributes the filters read (RunInstances/CreateInstance).

Filters and values come from shared/reference/ecs-api/meta/en-US/DescribeInstances.json; error
codes, messages and statuses from actions/DescribeInstances.md, RunInstances.md and
CreateInstance.md. Where DescribeInstances.md names no error for a bad value, the mock answers
InvalidParameter naming the parameter (400, 'The specified parameter "<Name>" is not valid.').
"""

from __future__ import annotations

import ipaddress
import json
from datetime import timedelta
from typing import Any, Dict, List

import pytest

from conftest import (
    IMAGE,
    REGION,
    ApiError,
    Driver,
    SdkCoreDriver,
    create_instance,
    expect_error,
    run_instance,
    walk_pages,
)
from conftest import invalid_parameter as invalid
from mock_ecs import MockEcs
from mock_ecs.actions.instances import PRIVATE_NETWORK, PUBLIC_NETWORK, derive_ip
from mock_ecs.backend import DEFAULT_ACCOUNT_ID
from mock_ecs.router import ACTIONS, META, unsupported_filter
from mock_ecs.table import Table

UNKNOWN = "i-bp1abcdefghijklmnopq"
SG = "sg-bp1abcdefghijklmnopq"
VSW = "vsw-bp1abcdefghijklmnopqr"
HPC_MSG = "The specified HpcClusterId is not found."


# --- helpers ------------------------------------------------------------------------------
def run_many(client: Driver, amount: int, **extra: Any) -> List[str]:
    out = client.call("RunInstances", RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large",
                      Amount=amount, **extra)
    return out["InstanceIdSets"]["InstanceIdSet"]


def describe(client: Driver, **params: Any) -> Dict[str, Any]:
    return client.call("DescribeInstances", RegionId=REGION, **params)


def found(client: Driver, **params: Any) -> List[str]:
    """IDs of every matching instance, newest first (one page of up to 100)."""
    return [i["InstanceId"] for i in describe(client, PageSize=100, **params)["Instances"]["Instance"]]


def view(client: Driver, instance_id: str, **params: Any) -> Dict[str, Any]:
    (inst,) = describe(client, InstanceIds=json.dumps([instance_id]), **params)["Instances"]["Instance"]
    return inst


def minute_of(ecs: MockEcs, delta: float = 0) -> str:
    return (ecs.now() + timedelta(seconds=delta)).strftime("%Y-%m-%dT%H:%MZ")


@pytest.fixture
def world(client: Driver, ecs: MockEcs) -> Dict[str, str]:
    """Four instances that differ in every filtered attribute (oldest first: web, db, stopped, prepaid)."""
    web = run_instance(client, InstanceName="web-1", InstanceType="ecs.g7.large", SecurityGroupId=SG,
                       VSwitchId=VSW, KeyPairName="web-key", InternetMaxBandwidthOut=5,
                       InternetChargeType="PayByBandwidth", ZoneId="cn-hangzhou-h",
                       **{"Tag.1.Key": "env", "Tag.1.Value": "prod", "Tag.2.Key": "role", "Tag.2.Value": "web"})
    db = run_instance(client, InstanceName="db-1", InstanceType="ecs.r7.2xlarge", HttpTokens="required",
                      HttpPutResponseHopLimit=3, ResourceGroupId="rg-bp1abcdefghijklmno",
                      ImageId="centos_7_9_x64_20G_alibase_20240628.vhd", **{"Tag.1.Key": "env", "Tag.1.Value": "dev"})
    stopped = create_instance(client, InstanceName="web-2", HttpEndpoint="disabled", InternetMaxBandwidthOut=10)
    prepaid = run_instance(client, InstanceName="batch", InstanceChargeType="PrePaid", Period=1, PeriodUnit="Week",
                           InstanceType="ecs.c7.xlarge")
    return {"web": web, "db": db, "stopped": stopped, "prepaid": prepaid}


def ids(world: Dict[str, str], *names: str) -> List[str]:
    return [world[n] for n in names]


ALL = ("prepaid", "stopped", "db", "web")  # newest first


# --- every real parameter is implemented ------------------------------------------------------
SAMPLES: Dict[str, Dict[str, str]] = {
    "AdditionalAttributes": {"AdditionalAttributes.1": "META_OPTIONS"},
    "DeviceAvailable": {"DeviceAvailable": "true"},
    "DryRun": {"DryRun": "false"},
    "EipAddresses": {"EipAddresses": '["47.96.1.2"]'},
    "Filter.1.Key": {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2020-01-01T00:00Z"},
    "Filter.1.Value": {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2020-01-01T00:00Z"},
    "Filter.2.Key": {"Filter.2.Key": "CreationEndTime", "Filter.2.Value": "2099-01-01T00:00Z"},
    "Filter.2.Value": {"Filter.2.Key": "CreationEndTime", "Filter.2.Value": "2099-01-01T00:00Z"},
    "Filter.3.Key": {"Filter.3.Key": "ExpiredStartTime", "Filter.3.Value": "2020-01-01T00:00Z"},
    "Filter.3.Value": {"Filter.3.Key": "ExpiredStartTime", "Filter.3.Value": "2020-01-01T00:00Z"},
    "Filter.4.Key": {"Filter.4.Key": "ExpiredEndTime", "Filter.4.Value": "2199-01-01T00:00Z"},
    "Filter.4.Value": {"Filter.4.Key": "ExpiredEndTime", "Filter.4.Value": "2199-01-01T00:00Z"},
    "HpcClusterId": {"HpcClusterId": "hpc-bp1abcdefghijklmnopq"},
    "HttpEndpoint": {"HttpEndpoint": "enabled"},
    "HttpPutResponseHopLimit": {"HttpPutResponseHopLimit": "1"},
    "HttpTokens": {"HttpTokens": "optional"},
    "ImageId": {"ImageId": IMAGE},
    "InnerIpAddresses": {"InnerIpAddresses": '["10.1.1.1"]'},
    "InstanceChargeType": {"InstanceChargeType": "PostPaid"},
    "InstanceIds": {"InstanceIds": json.dumps([UNKNOWN])},
    "InstanceName": {"InstanceName": "web*"},
    "InstanceNetworkType": {"InstanceNetworkType": "vpc"},
    "InstanceType": {"InstanceType": "ecs.g7.large"},
    "InstanceTypeFamily": {"InstanceTypeFamily": "ecs.g7"},
    "InternetChargeType": {"InternetChargeType": "PayByTraffic"},
    "IoOptimized": {"IoOptimized": "true"},
    "Ipv6Address": {"Ipv6Address.1": "2001:db8::1"},
    "KeyPairName": {"KeyPairName": "web-key"},
    "LockReason": {"LockReason": "refunded"},
    "MaxResults": {"MaxResults": "20"},
    "NeedSaleCycle": {"NeedSaleCycle": "true"},
    "NextToken": {},  # filled with a real token by the test
    "PageNumber": {"PageNumber": "2"},
    "PageSize": {"PageSize": "5"},
    "PrivateIpAddresses": {"PrivateIpAddresses": '["172.16.1.2"]'},
    "PublicIpAddresses": {"PublicIpAddresses": '["47.96.1.2"]'},
    "RdmaIpAddresses": {"RdmaIpAddresses": "10.10.10.102"},
    "RegionId": {},
    "ResourceGroupId": {"ResourceGroupId": "rg-bp1abcdefghijklmno"},
    "SecurityGroupId": {"SecurityGroupId": SG},
    "Status": {"Status": "Running"},
    "Tag": {"Tag.1.Key": "env", "Tag.1.Value": "prod"},
    "VSwitchId": {"VSwitchId": VSW},
    "VpcId": {"VpcId": "vpc-bp1abcdefghijklmnopqr"},
    "ZoneId": {"ZoneId": "cn-hangzhou-b"},
}


def test_the_samples_cover_every_metadata_parameter():
    assert set(SAMPLES) == set(META["DescribeInstances"])


@pytest.mark.parametrize("name", sorted(META["DescribeInstances"]))
def test_no_real_parameter_is_refused_as_unsupported(name):
    wire = SAMPLES[name] or {name: "x"}
    assert unsupported_filter(ACTIONS["DescribeInstances"], {k: "x" for k in wire}) is None


def test_every_real_parameter_is_answered(client, ecs):
    run_many(client, 11)
    token = describe(client, MaxResults=10)["NextToken"]
    assert token
    for name in sorted(META["DescribeInstances"]):
        params = dict(SAMPLES[name]) if name != "NextToken" else {"NextToken": token}
        try:
            out = describe(client, **params)
        except ApiError as err:
            # The mock has no HPC clusters: the documented "not found" is the right answer.
            assert (name, err.code, err.message) == ("HpcClusterId", "InvalidHpcClusterId.NotFound", HPC_MSG)
            continue
        assert "Instances" in out, name
    assert not [c for c in ecs.calls if c.code == "MockEcs.FilterNotSupported"]


# --- ID lists and simple values ---------------------------------------------------------------
def test_instance_ids(client, world):
    assert found(client, InstanceIds=json.dumps(ids(world, "web", "prepaid", "web"))) == ids(world, "prepaid", "web")
    assert found(client, InstanceIds=json.dumps([UNKNOWN])) == []
    empty = describe(client, InstanceIds="[]")
    assert (empty["TotalCount"], empty["Instances"]["Instance"]) == (0, [])
    hundred = [world["db"]] + [f"i-bp1abcdefghijklm{i:03d}" for i in range(99)]
    assert found(client, InstanceIds=json.dumps(hundred)) == [world["db"]]
    # DescribeInstances.md documents no error for these.
    for bad in (json.dumps(hundred + [UNKNOWN]), world["db"], "[1]"):
        expect_error(lambda bad=bad: describe(client, InstanceIds=bad), "InvalidParameter", invalid("InstanceIds"), 400)


@pytest.mark.parametrize("param,value,expected", [
    ("ZoneId", "cn-hangzhou-h", ("web",)),
    ("ZoneId", "cn-hangzhou-b", ("prepaid", "stopped", "db")),
    ("ZoneId", "cn-hangzhou-z", ()),
    ("ImageId", "centos_7_9_x64_20G_alibase_20240628.vhd", ("db",)),
    ("InstanceType", "ecs.g7.large", ("stopped", "web")),
    ("InstanceType", "ecs.g7", ()),
    ("InstanceTypeFamily", "ecs.g7", ("stopped", "web")),
    ("InstanceTypeFamily", "ecs.r7", ("db",)),
    ("InstanceTypeFamily", "ecs.c7", ("prepaid",)),
    ("VSwitchId", VSW, ("web",)),
    ("VpcId", "vpc-bp1abcdefghijklmnopqr", ()),
    ("KeyPairName", "web-key", ("web",)),
    ("SecurityGroupId", SG, ("web",)),
    ("SecurityGroupId", "sg-bp1zzzzzzzzzzzzzzzzz", ()),
    ("InstanceName", "web-1", ("web",)),
    ("InstanceName", "web", ()),
    ("InstanceName", "web*", ("stopped", "web")),
    ("InstanceName", "*-1", ("db", "web")),
    ("InstanceName", "*", ALL),
    ("InstanceName", "w*-2", ("stopped",)),
    ("InstanceName", "web.1", ()),
    ("Status", "Running", ("prepaid", "db", "web")),
    ("Status", "Stopped", ("stopped",)),
    ("Status", "Pending", ()),
    ("InstanceChargeType", "PrePaid", ("prepaid",)),
    ("InstanceChargeType", "PostPaid", ("stopped", "db", "web")),
    ("InternetChargeType", "PayByBandwidth", ("web",)),
    ("InternetChargeType", "PayByTraffic", ("prepaid", "stopped", "db")),
    ("InstanceNetworkType", "vpc", ALL),
    ("InstanceNetworkType", "classic", ()),
    ("IoOptimized", True, ALL),
    ("IoOptimized", False, ()),
    ("HttpEndpoint", "enabled", ("prepaid", "db", "web")),
    ("HttpEndpoint", "disabled", ("stopped",)),
    ("HttpTokens", "required", ("db",)),
    ("HttpTokens", "optional", ("prepaid", "stopped", "web")),
    ("HttpPutResponseHopLimit", 3, ("db",)),
    ("HttpPutResponseHopLimit", 1, ("prepaid", "stopped", "web")),
    # "Resources in the default resource group are displayed ... regardless" (metadata).
    ("ResourceGroupId", "rg-bp1abcdefghijklmno", ALL),
    ("ResourceGroupId", "rg-bp1zzzzzzzzzzzzzzz", ("prepaid", "stopped", "web")),
])
def test_value_filters(client, world, param, value, expected):
    assert found(client, **{param: value}) == ids(world, *expected)


@pytest.mark.parametrize("param,value,code,message,status", [
    ("Status", "running", "InvalidStatus.NotFound", "The specified Status is not found", 404),
    ("Status", "Deleted", "InvalidStatus.NotFound", "The specified Status is not found", 404),
    ("InstanceChargeType", "Prepaid", "InvalidInstanceChargeType.NotFound",
     "The InstanceChargeType does not exist in our records", 404),
    ("InternetChargeType", "PayByHour", "InvalidInternetChargeType.ValueNotSupported",
     "The specified InternetChargeType is not valid", 404),
    ("InstanceNetworkType", "VPC", "InvalidNetworkType.NotFound",
     "The specified InstanceNetworkType is not found", 404),
    ("LockReason", "Financial", "InvalidLockReason.NotFound", "The specified LockReason is not found", 404),
    ("HpcClusterId", "hpc-bp1abcdefghijklmnopq", "InvalidHpcClusterId.NotFound", HPC_MSG, 400),
    # No documented error: InvalidParameter names the parameter.
    ("HttpEndpoint", "on", "InvalidParameter", invalid("HttpEndpoint"), 400),
    ("HttpTokens", "always", "InvalidParameter", invalid("HttpTokens"), 400),
    ("HttpPutResponseHopLimit", 65, "InvalidParameter", invalid("HttpPutResponseHopLimit"), 400),
    ("HttpPutResponseHopLimit", 0, "InvalidParameter", invalid("HttpPutResponseHopLimit"), 400),
    ("IoOptimized", "optimized", "InvalidParameter", invalid("IoOptimized"), 400),
    ("DeviceAvailable", "1", "InvalidParameter", invalid("DeviceAvailable"), 400),
    ("NeedSaleCycle", "yes", "InvalidParameter", invalid("NeedSaleCycle"), 400),
])
def test_bad_values(client, ecs, param, value, code, message, status):
    expect_error(lambda: describe(client, **{param: value}), code, message, status)


def test_lock_reason(client, ecs, world):
    ecs.lock_instance(world["db"], "financial")
    ecs.lock_instance(world["web"], "security")
    assert found(client, LockReason="financial") == [world["db"]]
    assert found(client, LockReason="security") == [world["web"]]
    for reason in ("recycling", "dedicatedhostfinancial", "refunded"):
        assert found(client, LockReason=reason) == []


def test_tags(client, world):
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "prod"}) == [world["web"]]
    assert found(client, **{"Tag.1.Key": "env"}) == ids(world, "db", "web")
    assert found(client, **{"Tag.1.key": "env", "Tag.1.value": "dev"}) == [world["db"]]
    assert found(client, **{"Tag.1.Key": "env", "Tag.2.Key": "role", "Tag.2.Value": "web"}) == [world["web"]]
    assert found(client, **{"Tag.1.Key": "env", "Tag.1.Value": "dev", "Tag.2.Key": "role"}) == []
    expect_error(lambda: describe(client, **{"Tag.1.Value": "prod"}),
                 "InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.", 400)
    expect_error(lambda: describe(client, **{"Tag.21.Key": "env"}),
                 "InvalidTagCount", "The specified tags are beyond the permitted range.", 400)


def test_device_available(client):
    with MockEcs(max_disks_per_instance=2):
        full = run_instance(client, **{"DataDisk.1.Size": 20})
        room = run_instance(client)
        assert view(client, full)["DeviceAvailable"] is False and view(client, room)["DeviceAvailable"] is True
        assert found(client, DeviceAvailable=True) == [room]
        assert found(client, DeviceAvailable=False) == [full]


def test_need_sale_cycle_adds_the_billing_cycle(client, world):
    assert "SaleCycle" not in view(client, world["prepaid"])
    assert "SaleCycle" not in view(client, world["prepaid"], NeedSaleCycle=False)
    assert view(client, world["prepaid"], NeedSaleCycle=True)["SaleCycle"] == "week"
    assert view(client, world["web"], NeedSaleCycle=True)["SaleCycle"] == ""


def test_filters_are_anded(client, world):
    assert found(client, Status="Running", InstanceTypeFamily="ecs.g7") == [world["web"]]
    assert found(client, Status="Running", InstanceName="web*", HttpEndpoint="enabled") == [world["web"]]
    assert found(client, Status="Stopped", InstanceName="web*", HttpEndpoint="enabled") == []
    assert found(client, InstanceIds=json.dumps(ids(world, "web", "db")), **{"Tag.1.Key": "env"},
                 InstanceChargeType="PostPaid", HttpTokens="required") == [world["db"]]
    out = describe(client, Status="Running", PageSize=2)
    assert (out["TotalCount"], len(out["Instances"]["Instance"])) == (3, 2)


# --- IP addresses -------------------------------------------------------------------------------
def test_private_ip_is_deterministic_unique_and_shown(client, ecs):
    made = run_many(client, 40)
    addresses = {}
    for inst in describe(client, PageSize=100)["Instances"]["Instance"]:
        (ip,) = inst["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]
        assert ipaddress.ip_address(ip) in PRIVATE_NETWORK
        assert inst["NetworkInterfaces"]["NetworkInterface"][0]["PrimaryIpAddress"] == ip
        addresses[inst["InstanceId"]] = ip
    assert sorted(addresses) == sorted(made)
    assert len(set(addresses.values())) == 40
    # Derived from the instance ID (its first free choice, in creation order).
    used: set = set()
    for instance_id in made:
        attempt = 0
        while derive_ip(instance_id, PRIVATE_NETWORK, attempt) in used:
            attempt += 1
        used.add(derive_ip(instance_id, PRIVATE_NETWORK, attempt))
        assert addresses[instance_id] == derive_ip(instance_id, PRIVATE_NETWORK, attempt)
    assert {view(client, i)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0] for i in made[:3]} == {
        addresses[i] for i in made[:3]}


def test_private_ips_never_collide(client, ecs, monkeypatch):
    # Force every first choice onto one address: the second instance takes its next choice.
    from mock_ecs.actions import instances

    real = instances.derive_ip
    monkeypatch.setattr(instances, "derive_ip",
                        lambda iid, net, attempt=0: real("same", net, 0) if attempt == 0 else real(iid, net, attempt))
    a, b = run_many(client, 2)
    ip_a = view(client, a)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    ip_b = view(client, b)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    assert ip_a == real("same", PRIVATE_NETWORK) and ip_b == real(b, PRIVATE_NETWORK, 1) and ip_a != ip_b


def test_public_ip_only_with_outbound_bandwidth_at_run_instances(client, world):
    web = view(client, world["web"])
    (public,) = web["PublicIpAddress"]["IpAddress"]
    assert ipaddress.ip_address(public) in PUBLIC_NETWORK
    assert (web["InternetMaxBandwidthOut"], web["InternetMaxBandwidthIn"]) == (5, 10)
    assert view(client, world["db"])["PublicIpAddress"] == {"IpAddress": []}
    assert view(client, world["db"])["InternetMaxBandwidthOut"] == 0
    # CreateInstance never gives a public IP (the real one needs AllocatePublicIpAddress).
    stopped = view(client, world["stopped"])
    assert stopped["PublicIpAddress"] == {"IpAddress": []} and stopped["InternetMaxBandwidthOut"] == 10


def test_ip_filters(client, world):
    addr = {k: view(client, v) for k, v in world.items()}
    private = {k: v["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0] for k, v in addr.items()}
    public = addr["web"]["PublicIpAddress"]["IpAddress"][0]
    assert found(client, PrivateIpAddresses=json.dumps([private["db"], private["stopped"]])) == ids(
        world, "stopped", "db")
    assert found(client, PrivateIpAddresses=private["db"]) == [world["db"]]  # a bare address is read too
    assert found(client, PrivateIpAddresses=json.dumps(["172.16.0.9"])) == []
    assert found(client, PrivateIpAddresses="[]") == []
    assert found(client, PublicIpAddresses=json.dumps([public])) == [world["web"]]
    assert found(client, PublicIpAddresses=json.dumps([private["web"]])) == []
    assert found(client, PrivateIpAddresses=json.dumps([private["web"]]), PublicIpAddresses=json.dumps([public]),
                 InstanceIds=json.dumps([world["web"]])) == [world["web"]]
    assert found(client, PrivateIpAddresses=json.dumps([private["db"]]), PublicIpAddresses=json.dumps([public])) == []
    # The mock gives no classic-network inner IPs, EIPs, RDMA or IPv6 addresses.
    for param in ("InnerIpAddresses", "EipAddresses", "RdmaIpAddresses"):
        assert found(client, **{param: json.dumps([private["web"], public])}) == []
        assert found(client, **{param: private["web"]}) == []
    assert found(client, **{"Ipv6Address.1": "2001:db8::1"}) == []
    assert web_view_has_no_extra_addresses(addr["web"])


def web_view_has_no_extra_addresses(inst: Dict[str, Any]) -> bool:
    return (inst["InnerIpAddress"], inst["RdmaIpAddress"], inst["EipAddress"]["IpAddress"]) == (
        {"IpAddress": []}, {"IpAddress": []}, "")


@pytest.mark.parametrize("param", ["PrivateIpAddresses", "PublicIpAddresses", "InnerIpAddresses", "EipAddresses",
                                   "RdmaIpAddresses"])
def test_ip_filter_values(client, ecs, param):
    hundred = [f"172.16.{i // 200}.{i % 200 + 2}" for i in range(100)]
    assert describe(client, **{param: json.dumps(hundred)})["TotalCount"] == 0
    for bad in (json.dumps(hundred + ["172.16.9.9"]), '["172.16.0.300"]', "[172]", '["2001:db8::1"]', "host-1"):
        expect_error(lambda bad=bad: describe(client, **{param: bad}), "InvalidParameter", invalid(param), 400)


def test_ipv6_filter_values(client, ecs):
    expect_error(lambda: describe(client, **{"Ipv6Address.2": "172.16.0.2"}),
                 "InvalidParameter", invalid("Ipv6Address.2"), 400)


def test_deleted_instance_frees_its_addresses(client, ecs, world):
    web = view(client, world["web"])
    private = web["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
    public = web["PublicIpAddress"]["IpAddress"][0]
    owners = ecs.backend.accounts[DEFAULT_ACCOUNT_ID].regions[REGION].ip_owners
    assert owners[private] == owners[public] == world["web"]
    client.call("DeleteInstance", InstanceId=world["web"], Force=True)
    assert private not in owners and public not in owners
    assert found(client, PrivateIpAddresses=json.dumps([private])) == []
    assert len(owners) == 3


# --- creation-side rules of the attributes the filters read ---------------------------------------
def test_metadata_options_defaults_and_values(client, world):
    assert view(client, world["web"])["MetadataOptions"] == {
        "HttpEndpoint": "enabled", "HttpTokens": "optional", "HttpPutResponseHopLimit": 1,
        "InstanceMetadataTags": "disabled"}
    assert view(client, world["db"])["MetadataOptions"] == {
        "HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 3,
        "InstanceMetadataTags": "disabled"}
    assert view(client, world["stopped"])["MetadataOptions"]["HttpEndpoint"] == "disabled"


@pytest.mark.parametrize("action", ["RunInstances", "CreateInstance"])
@pytest.mark.parametrize("param,value,code,message", [
    ("HttpEndpoint", "on", "InvalidHttpEndpoint.NotSupported",
     "The specified HttpEndpoint not supported, you can use enabled(default) or disabled."),
    ("HttpTokens", "always", "InvalidHttpTokens.NotSupported",
     "The specified HttpTokens not supported, you can use optional(default) or required."),
    ("HttpPutResponseHopLimit", 65, "InvalidHttpPutResponseHopLimit.NotSupported",
     "The specified HttpPutResponseHopLimit not supported, more than 1 and less than 64 is reasonable."),
    ("InternetChargeType", "PayByHour", "InvalidInternetChargeType.ValueNotSupported",
     "The specified InternetChargeType is not valid."),
    ("InternetMaxBandwidthOut", 101, "InvalidParameter", invalid("InternetMaxBandwidthOut")),
    ("InternetMaxBandwidthOut", -1, "InvalidParameter", invalid("InternetMaxBandwidthOut")),
])
def test_creation_values_are_checked(client, ecs, action, param, value, code, message):
    expect_error(lambda: client.call(action, RegionId=REGION, ImageId=IMAGE, InstanceType="ecs.g7.large",
                                     **{param: value}), code, message, 400)
    assert ecs.ids("instances") == []


def test_inbound_bandwidth_rules(client, ecs):
    # "at most 10 Mbit/s out: 1 to 10, default 10; more: 1 to InternetMaxBandwidthOut" (RunInstances.md).
    big = run_instance(client, InternetMaxBandwidthOut=50)
    assert view(client, big)["InternetMaxBandwidthIn"] == 50
    assert view(client, run_instance(client, InternetMaxBandwidthOut=50, InternetMaxBandwidthIn=20))[
        "InternetMaxBandwidthIn"] == 20
    expect_error(lambda: run_instance(client, InternetMaxBandwidthOut=5, InternetMaxBandwidthIn=11),
                 "InvalidInternetMaxBandwidthIn.Malformed",
                 "The specified parameter internetMaxBandwidthIn is not valid.", 400)
    expect_error(lambda: create_instance(client, InternetMaxBandwidthIn=0),
                 "InvalidParameter", invalid("InternetMaxBandwidthIn"), 400)


def test_hpc_cluster_at_creation(client, ecs):
    # The mock has no HPC clusters: naming one is its documented "not found" (texts differ).
    expect_error(lambda: run_instance(client, HpcClusterId="hpc-bp1abcdefghijklmnopq"),
                 "InvalidHpcClusterId.NotFound", "The specified HpcClusterId is not found", 400)
    expect_error(lambda: create_instance(client, HpcClusterId="hpc-bp1abcdefghijklmnopq"),
                 "InvalidHpcClusterId.NotFound", HPC_MSG, 400)
    assert ecs.ids("instances") == []


# --- AdditionalAttributes -------------------------------------------------------------------------
def test_additional_attributes(client, world):
    plain = view(client, world["web"])
    (eni,) = plain["NetworkInterfaces"]["NetworkInterface"]
    assert set(eni) == {"NetworkInterfaceId", "MacAddress", "PrimaryIpAddress", "Type"}
    assert eni["Type"] == "Primary" and eni["NetworkInterfaceId"].startswith("eni-bp1")
    assert eni["MacAddress"].startswith("00:16:3e:")
    # META_OPTIONS and DDH_CLUSTER are accepted; MetadataOptions is always shown, no dedicated hosts.
    assert view(client, world["web"], **{"AdditionalAttributes.1": "META_OPTIONS",
                                         "AdditionalAttributes.2": "DDH_CLUSTER"}) == plain
    # NETWORK_PRIMARY_ENI_IP adds the primary ENI's address sets.
    (rich,) = view(client, world["web"], **{"AdditionalAttributes.1": "NETWORK_PRIMARY_ENI_IP"})[
        "NetworkInterfaces"]["NetworkInterface"]
    assert rich["PrivateIpSets"] == {"PrivateIpSet": [
        {"PrivateDnsName": "", "PrivateIpAddress": eni["PrimaryIpAddress"], "Primary": True}]}
    assert rich["Ipv6Sets"] == {"Ipv6Set": []}
    assert (rich["Ipv4PrefixSets"], rich["Ipv6PrefixSets"]) == ({"Ipv4PrefixSet": []}, {"Ipv6PrefixSet": []})
    expect_error(lambda: describe(client, **{"AdditionalAttributes.1": "Placement"}),
                 "InvalidParameter", invalid("AdditionalAttributes.1"), 400)


# --- time filters ------------------------------------------------------------------------------
def test_creation_time_filters(client, ecs):
    before_first = minute_of(ecs)
    first = run_instance(client)
    after_first = minute_of(ecs)
    ecs.advance_clock(180)
    before_second = minute_of(ecs)
    second = run_instance(client)
    assert found(client, **{"Filter.1.Key": "CreationStartTime", "Filter.1.Value": before_second}) == [second]
    assert found(client, **{"Filter.2.Key": "CreationEndTime", "Filter.2.Value": after_first}) == [first]
    # The instance shows CreationTime with minute precision; as an end it includes the instance.
    shown = view(client, second)["CreationTime"]
    assert found(client, **{"Filter.2.Key": "CreationEndTime", "Filter.2.Value": shown}) == [second, first]
    window = {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": before_first,
              "Filter.2.Key": "CreationEndTime", "Filter.2.Value": after_first}
    assert found(client, **window) == [first]


def test_expired_time_filters(client, ecs):
    monthly = run_instance(client, InstanceChargeType="PrePaid", Period=1)  # 30 days
    yearly = run_instance(client, InstanceChargeType="PrePaid", Period=12)  # 360 days
    payg = run_instance(client)  # shows ExpiredTime 2099-12-31T15:59Z
    in_60_days = minute_of(ecs, 60 * 86400)
    assert found(client, **{"Filter.4.Key": "ExpiredEndTime", "Filter.4.Value": in_60_days}) == [monthly]
    assert found(client, **{"Filter.3.Key": "ExpiredStartTime", "Filter.3.Value": in_60_days}) == [payg, yearly]
    expires = view(client, yearly)["ExpiredTime"]
    assert found(client, **{"Filter.3.Key": "ExpiredStartTime", "Filter.3.Value": expires,
                            "Filter.4.Key": "ExpiredEndTime", "Filter.4.Value": expires}) == [yearly]
    assert found(client, **{"Filter.1.Key": "ExpiredEndTime", "Filter.1.Value": "2099-12-31T15:59Z"}) == [
        payg, yearly, monthly]


@pytest.mark.parametrize("params", [
    {"Filter.1.Key": "CreatedAfter", "Filter.1.Value": "2020-01-01T00:00Z"},
    {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "01/01/2020"},
    {"Filter.2.Key": "ExpiredEndTime", "Filter.2.Value": ""},
    {"Filter.4.Value": "2020-01-01T00:00Z"},
])
def test_time_filter_errors(client, ecs, params):
    # "InvalidFilterKey.NotFound: the specified start time or end time is invalid" (DescribeInstances.md,
    # whose message cell is empty; the text is DescribeSnapshots' current one).
    expect_error(lambda: describe(client, **params), "InvalidFilterKey.NotFound",
                 "The specified FilterKey is not found.", 404)


def test_a_fifth_time_filter_is_refused(client, ecs):
    fifth = {"Filter.5.Key": "CreationStartTime", "Filter.5.Value": "2020-01-01T00:00Z"}
    expect_error(lambda: describe(client, **fifth), "InvalidParameter", invalid("Filter.5.Key"), 400)


# --- paging ---------------------------------------------------------------------------------------
def test_page_number_defaults(client, ecs):
    made = run_many(client, 12)
    out = describe(client)
    assert (out["PageNumber"], out["PageSize"], out["TotalCount"]) == (1, 10, 12)
    assert [i["InstanceId"] for i in out["Instances"]["Instance"]] == made[::-1][:10]
    assert [i["InstanceId"] for i in describe(client, PageNumber=2)["Instances"]["Instance"]] == made[::-1][10:]
    expect_error(lambda: describe(client, PageSize=101),
                 "InvalidPageSize.Malformed", "The specified parameter PageSize is not valid.", 400)


def test_max_results_is_clamped_to_10_100(client, ecs):
    run_many(client, 12)
    # "smaller than 10: the default value is 10; greater than 100: 100" (metadata).
    for asked, used in ((1, 10), (10, 10), (11, 11), (100, 100), (101, 100), (500, 100)):
        out = describe(client, MaxResults=asked)
        assert out["PageSize"] == used, asked
        assert len(out["Instances"]["Instance"]) == min(used, 12)


def test_next_token_walk_survives_creations_and_deletions(client, ecs):
    made = run_many(client, 25)
    walk = walk_pages(lambda **p: describe(client, **p), MaxResults=10)
    seen = [i["InstanceId"] for i in next(walk)["Instances"]["Instance"]]
    assert seen == made[::-1][:10]
    newer = run_many(client, 2)
    client.call("DeleteInstance", InstanceId=seen[0], Force=True)
    client.call("DeleteInstance", InstanceId=made[3], Force=True)
    rest = list(walk)
    seen += [i["InstanceId"] for out in rest for i in out["Instances"]["Instance"]]
    assert len(rest) == 2  # three pages in all
    assert seen == [i for i in made[::-1] if i != made[3]]
    assert not set(newer) & set(seen)


def test_next_token_walk_with_filters(client, ecs):
    stopped = [create_instance(client) for _ in range(12)]
    run_many(client, 12)
    walk = walk_pages(lambda **p: describe(client, **p), MaxResults=10, Status="Stopped")
    seen = [i["InstanceId"] for out in walk for i in out["Instances"]["Instance"]]
    assert seen == stopped[::-1]


def test_bad_next_tokens(client, ecs):
    run_many(client, 12)
    token = describe(client, MaxResults=10)["NextToken"]
    running = describe(client, MaxResults=10, Status="Running")["NextToken"]

    def refused(**params: Any) -> None:
        expect_error(lambda: describe(client, **params), "InvalidNextToken.Malformed",
                     "The specified parameter NextToken is not valid.", 400)

    refused(NextToken="caeba0bbb2be03f84eb48b699f0a4883")  # forged (the doc's example)
    refused(NextToken=token + "x")
    refused(NextToken=token, Status="Running")
    refused(NextToken=running)
    assert len(describe(client, NextToken=running, Status="Running")["Instances"]["Instance"]) == 2
    ecs.reset()
    run_many(client, 12)
    refused(NextToken=token)


def test_candidates_come_from_indexes_not_scans(monkeypatch):
    client = SdkCoreDriver()
    with MockEcs():
        made = run_many(client, 15)
        private = [view(client, i)["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0] for i in made[:2]]

        def no_scan(self: Any) -> Any:
            raise AssertionError("DescribeInstances scanned a whole table")

        monkeypatch.setattr(Table, "values", no_scan)
        monkeypatch.setattr(Table, "__iter__", no_scan)
        assert describe(client)["TotalCount"] == 15
        assert describe(client, MaxResults=10)["NextToken"]
        assert found(client, InstanceIds=json.dumps(made[:1])) == made[:1]
        assert describe(client, PrivateIpAddresses=json.dumps(private), MaxResults=10)["TotalCount"] == 2
        with pytest.raises(ApiError) as info:
            describe(client, Status="Running", MaxResults=10)
        assert info.value.code == "InternalError"
