"""DescribeRegions, DescribeZones, DescribeInstanceTypes: what the mock offers, read from its
own tables (regions.py, the disk categories RunInstances/CreateDisk accept, the instance types
below), so that a tool that discovers before it creates is told only what the mock will accept.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from .. import errors, paging, regions
from ..context import Context
from ..keyorder import ordered as _ordered
from ..models import CLOUD_DISK_CATEGORIES, LOCAL_DISK_CATEGORIES
from ..registry import action
from .common import choice
from .instances import instance_family, type_facts

LANGUAGES = ("zh-CN", "en-US", "ja")
RESOURCE_TYPES = ("instance", "disk", "reservedinstance", "scu")
CHARGE_TYPES = ("PrePaid", "PostPaid")
SPOT_STRATEGIES = ("NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo")

# The instance types the mock lists (RunInstances accepts any name; these are the ones it
# advertises). CPU and memory come from the name, as DescribeInstances reads them.
_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge")
INSTANCE_TYPES: Tuple[str, ...] = tuple(
    f"ecs.{family}.{size}" for family in ("c5", "g5", "r5", "c6", "g6", "r6", "c7", "g7", "r7") for size in _SIZES
) + ("ecs.gn6i-c4g1.xlarge", "ecs.gn7i-c8g1.2xlarge")
_SYSTEM_CATEGORIES = tuple(sorted(CLOUD_DISK_CATEGORIES - {"cloud"}))
_DISK_CATEGORIES = tuple(sorted(CLOUD_DISK_CATEGORIES | LOCAL_DISK_CATEGORIES))
_FAMILIES = sorted({instance_family(t) for t in INSTANCE_TYPES})


def _language(ctx: Context) -> str:
    """The AcceptLanguage asked for (zh-CN by default); exact spelling, as documented."""
    value = ctx.get("AcceptLanguage") or "zh-CN"
    if value not in LANGUAGES:
        raise ctx.error("InvalidAcceptLanguage.NotFound")
    return value


def _region_name(region_id: str, language: str) -> str:
    """The region's LocalName: ``ja`` reads the English one (the mock has no Japanese names; the
    real service answers its own)."""
    _, _, english, chinese = regions.REGIONS[region_id]
    return chinese if language == "zh-CN" else english


@action("DescribeRegions", params=("AcceptLanguage", "InstanceChargeType", "ResourceType"))
def describe_regions(ctx: Context) -> Dict[str, Any]:
    language = _language(ctx)
    choice(ctx, "ResourceType", RESOURCE_TYPES, "InvalidResourceType.NotFound")
    choice(ctx, "InstanceChargeType", CHARGE_TYPES, "InvalidInstanceChargeType.NotFound")
    items = [
        _ordered({"RegionId": rid, "RegionEndpoint": f"ecs.{rid}.aliyuncs.com",
                  "LocalName": _region_name(rid, language), "Status": "available"})
        for rid in regions.REGIONS
    ]
    return {"RequestId": "", "Regions": {"Region": items}}


def _zone_view(zone_id: str, language: str, verbose: bool) -> Dict[str, Any]:
    region_id, letter = zone_id.rsplit("-", 1)
    english = _region_name(region_id, "en-US").split("(")[-1].rstrip(")")
    chinese = _region_name(region_id, "zh-CN").split("（")[0]
    name = f"{chinese} 可用区 {letter.upper()}" if language == "zh-CN" else f"{english} Zone {letter.upper()}"
    resources = [_ordered({
        "IoOptimized": True,
        "SystemDiskCategories": {"supportedSystemDiskCategory": list(_SYSTEM_CATEGORIES)},
        "DataDiskCategories": {"supportedDataDiskCategory": list(_DISK_CATEGORIES)},
        "NetworkTypes": {"supportedNetworkCategory": ["vpc"]},
        "InstanceTypes": {"supportedInstanceType": list(INSTANCE_TYPES)},
        "InstanceTypeFamilies": {"supportedInstanceTypeFamily": list(_FAMILIES)},
        "InstanceGenerations": {"supportedInstanceGeneration": ["ecs-5", "ecs-6", "ecs-7"]},
    })] if verbose else []
    return _ordered({
        "ZoneId": zone_id,
        "ZoneType": "AvZone",
        "LocalName": name,
        "AvailableResourceCreation": {"ResourceTypes": ["VSwitch", "IoOptimized", "Instance", "Disk"]},
        "AvailableDiskCategories": {"DiskCategories": list(_DISK_CATEGORIES)},
        "AvailableInstanceTypes": {"InstanceTypes": list(INSTANCE_TYPES) if verbose else []},
        "AvailableVolumeCategories": {"VolumeCategories": []},
        "AvailableDedicatedHostTypes": {"DedicatedHostType": []},
        "DedicatedHostGenerations": {"DedicatedHostGeneration": []},
        "AvailableResources": {"ResourcesInfo": resources},
    })


@action("DescribeZones", params=("AcceptLanguage", "InstanceChargeType", "SpotStrategy", "Verbose"))
def describe_zones(ctx: Context) -> Dict[str, Any]:
    language = _language(ctx)
    choice(ctx, "InstanceChargeType", CHARGE_TYPES, "InvalidInstanceChargeType.NotFound")
    choice(ctx, "SpotStrategy", SPOT_STRATEGIES, "InvalidSpotStrategy")
    verbose = ctx.get_bool("Verbose", True)
    assert ctx.region_id is not None
    zones = [_zone_view(z, language, verbose) for z in regions.zones(ctx.region_id)]
    return {"RequestId": "", "Zones": {"Zone": zones}}


def type_view(instance_type: str) -> Dict[str, Any]:
    """One InstanceType: CPU and memory from the name; the rest the values of a current VPC type."""
    cpu, memory, threads, gpus, gpu_spec, credit = type_facts(instance_type)
    eni = max(2, min(8, cpu // 2))
    return _ordered({
        "InstanceTypeId": instance_type,
        "InstanceTypeFamily": instance_family(instance_type),
        "CpuCoreCount": cpu,
        "MemorySize": memory / 1024,
        "CpuArchitecture": "X86",
        "CpuSpeedFrequency": 2.7,
        "CpuTurboFrequency": 3.5,
        "PhysicalProcessorModel": "Intel Xeon (Ice Lake) Platinum 8369B",
        "InstanceCategory": "Compute-optimized with GPU" if gpus else "General-purpose",
        "InstanceFamilyLevel": "CreditEntryLevel" if credit else "EnterpriseLevel",
        "GPUAmount": gpus,
        "GPUSpec": gpu_spec,
        "GPUMemorySize": 16.0 if gpus else 0.0,
        "BaselineCredit": 0,
        "InitialCredit": 0,
        "LocalStorageAmount": 0,
        "LocalStorageCapacity": 0,
        "LocalStorageCategory": "",
        "DiskQuantity": 17,
        "EniQuantity": eni,
        "EniTotalQuantity": eni,
        "EniPrivateIpAddressQuantity": 6,
        "EniIpv6AddressQuantity": 1,
        "EniTrunkSupported": True,
        "EriQuantity": 0,
        "NetworkCardQuantity": 1,
        "NetworkCards": {"NetworkCardInfo": [{"NetworkCardIndex": 0}]},
        "NetworkEncryptionSupport": False,
        "InstanceBandwidthRx": 1024000 * cpu,
        "InstanceBandwidthTx": 1024000 * cpu,
        "InstancePpsRx": 300000 * cpu,
        "InstancePpsTx": 300000 * cpu,
        "PrimaryEniQueueNumber": min(cpu, 32),
        "SecondaryEniQueueNumber": min(cpu, 32),
        "TotalEniQueueQuantity": min(cpu, 32) * eni,
        "MaximumQueueNumberPerEni": min(cpu, 32),
        "QueuePairNumber": 0,
        "NvmeSupport": "required",
        "JumboFrameSupport": True,
        "SupportedBootModes": {"SupportedBootMode": ["BIOS", "UEFI"]},
        "Attributes": {"Attribute": []},
        "Clock": {"PtpSupport": "unsupported"},
        "CpuOptions": _ordered({
            "Core": max(1, cpu // threads), "ThreadsPerCore": threads, "CoreFactor": threads,
            "HyperThreadingAdjustable": threads > 1, "NestedVirtualizationSupport": False,
            "SupportedTopologyTypes": {"SupportedTopologyType": ["DiscreteCoreToHyperThread"]},
        }),
        "EnhancedNetwork": _ordered({"SriovSupport": False, "RssSupport": True, "ExpressSupport": False,
                                     "VfQueueNumberPerEni": 0}),
        "SecurityOptions": {"SecureBootSupport": True},
        "NetworkInfo": {"BandwidthWeighting": {"WeightingInfos": {"WeightingInfo": []}}},
    })


@action("DescribeInstanceTypes", params=("InstanceTypes", "InstanceTypeFamily", "MaxResults", "NextToken"))
def describe_instance_types(ctx: Context) -> Dict[str, Any]:
    """The catalogue, in its own order, filtered by ``InstanceTypes.N`` (1 to 10) and family;
    NextToken pages (MaxResults 1 to 1600, default 1600)."""
    wanted = [v.get("", "") for v in ctx.indexed("InstanceTypes").values()]
    if len(wanted) > 10:
        raise errors.invalid_parameter("InstanceTypes")
    family = ctx.get("InstanceTypeFamily")
    size = ctx.get_int("MaxResults", 1600, lo=1, hi=1600) or 1600
    token = ctx.get("NextToken")
    start = paging.read_token(ctx, token) if token else 0
    found: List[str] = [
        t for t in INSTANCE_TYPES
        if (not wanted or t in wanted) and (not family or instance_family(t) == family)
    ]
    page = found[start:start + size]
    body: Dict[str, Any] = {"RequestId": "", "InstanceTypes": {"InstanceType": [type_view(t) for t in page]}}
    end = start + len(page)
    body["NextToken"] = paging.make_token(ctx, end) if end < len(found) else ""
    return _ordered(body)
