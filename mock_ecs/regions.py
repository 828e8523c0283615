"""Regions and zones the mock knows, and how a host name names a region."""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

# region -> (ID prefix of its resources, zone letters). Prefixes from FACTS.md section 5 where
# known; the others are stable made-up values of the same shape.
REGIONS: Dict[str, Tuple[str, str]] = {
    "cn-hangzhou": ("bp1", "bcdefghijk"),
    "cn-shanghai": ("uf6", "abcdefgl"),
    "cn-beijing": ("2ze", "acdefghijkl"),
    "cn-qingdao": ("m5e", "bc"),
    "cn-zhangjiakou": ("8vb", "abc"),
    "cn-huhehaote": ("hp3", "ab"),
    "cn-wulanchabu": ("0jl", "abc"),
    "cn-shenzhen": ("wz9", "acdef"),
    "cn-heyuan": ("f8z", "ab"),
    "cn-guangzhou": ("7xv", "ab"),
    "cn-chengdu": ("2vc", "ab"),
    "cn-hongkong": ("j6c", "bcd"),
    "ap-southeast-1": ("t4n", "abc"),
    "ap-southeast-3": ("8ps", "ab"),
    "ap-southeast-5": ("k1a", "abc"),
    "ap-southeast-6": ("5ts", "ab"),
    "ap-southeast-7": ("0jo", "a"),
    "ap-northeast-1": ("6we", "abc"),
    "ap-northeast-2": ("mj7", "a"),
    "us-west-1": ("rj9", "ab"),
    "us-east-1": ("0xi", "ab"),
    "eu-central-1": ("gw8", "abc"),
    "eu-west-1": ("d7o", "ab"),
    "me-east-1": ("eb3", "a"),
    "me-central-1": ("l4v", "a"),
}

# Every ECS endpoint form (clients.md): ecs-<region>, ecs.<region>, ecs-vpc.<region>, ecs
# central, and the location service that aliyunsdkcore asks for unknown regions.
# A fully qualified name with its trailing dot (``ecs.aliyuncs.com.``) is the same host.
# Host names are case-insensitive: the async path sees the URL exactly as the caller wrote it.
ECS_URL = re.compile(
    r"^https?://(?:ecs[a-z0-9.-]*|location(?:-readonly)?)\.aliyuncs\.com\.?(?::\d+)?(?:/|$|\?)", re.IGNORECASE
)
_HOST_REGION = re.compile(r"^ecs(?:-vpc)?[.-]([a-z]{2,}-[a-z0-9-]+?)\.aliyuncs\.com$")


def is_known(region: str) -> bool:
    return region in REGIONS


def zones(region: str) -> Tuple[str, ...]:
    letters = REGIONS[region][1]
    return tuple(f"{region}-{c}" for c in letters)


def default_zone(region: str) -> str:
    return zones(region)[0]


def id_prefix(region: str) -> str:
    return REGIONS[region][0]


def region_of_host(host: str) -> Optional[str]:
    """The region a host names (``ecs.cn-beijing.aliyuncs.com``), or None (central, loopback)."""
    name = host.split(":", 1)[0].lower().rstrip(".")
    m = _HOST_REGION.match(name)
    if m and m.group(1) in REGIONS:
        return m.group(1)
    return None
