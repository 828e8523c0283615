"""Regions and zones the mock knows, and how a host name names a region."""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

# region -> (ID prefix of its resources, zone letters, English name, Chinese name). Prefixes from
# FACTS.md section 5 where known; the others are stable made-up values of the same shape. The
# names are DescribeRegions' LocalName (en-US, zh-CN).
REGIONS: Dict[str, Tuple[str, str, str, str]] = {
    "cn-hangzhou": ("bp1", "bcdefghijk", "China (Hangzhou)", "华东1（杭州）"),
    "cn-shanghai": ("uf6", "abcdefgl", "China (Shanghai)", "华东2（上海）"),
    "cn-beijing": ("2ze", "acdefghijkl", "China (Beijing)", "华北2（北京）"),
    "cn-qingdao": ("m5e", "bc", "China (Qingdao)", "华北1（青岛）"),
    "cn-zhangjiakou": ("8vb", "abc", "China (Zhangjiakou)", "华北3（张家口）"),
    "cn-huhehaote": ("hp3", "ab", "China (Hohhot)", "华北5（呼和浩特）"),
    "cn-wulanchabu": ("0jl", "abc", "China (Ulanqab)", "华北6（乌兰察布）"),
    "cn-shenzhen": ("wz9", "acdef", "China (Shenzhen)", "华南1（深圳）"),
    "cn-heyuan": ("f8z", "ab", "China (Heyuan)", "华南2（河源）"),
    "cn-guangzhou": ("7xv", "ab", "China (Guangzhou)", "华南3（广州）"),
    "cn-chengdu": ("2vc", "ab", "China (Chengdu)", "西南1（成都）"),
    "cn-hongkong": ("j6c", "bcd", "China (Hong Kong)", "中国香港"),
    "ap-southeast-1": ("t4n", "abc", "Singapore", "新加坡"),
    "ap-southeast-3": ("8ps", "ab", "Malaysia (Kuala Lumpur)", "马来西亚（吉隆坡）"),
    "ap-southeast-5": ("k1a", "abc", "Indonesia (Jakarta)", "印度尼西亚（雅加达）"),
    "ap-southeast-6": ("5ts", "ab", "Philippines (Manila)", "菲律宾（马尼拉）"),
    "ap-southeast-7": ("0jo", "a", "Thailand (Bangkok)", "泰国（曼谷）"),
    "ap-northeast-1": ("6we", "abc", "Japan (Tokyo)", "日本（东京）"),
    "ap-northeast-2": ("mj7", "a", "South Korea (Seoul)", "韩国（首尔）"),
    "us-west-1": ("rj9", "ab", "US (Silicon Valley)", "美国（硅谷）"),
    "us-east-1": ("0xi", "ab", "US (Virginia)", "美国（弗吉尼亚）"),
    "eu-central-1": ("gw8", "abc", "Germany (Frankfurt)", "德国（法兰克福）"),
    "eu-west-1": ("d7o", "ab", "UK (London)", "英国（伦敦）"),
    "me-east-1": ("eb3", "a", "UAE (Dubai)", "阿联酋（迪拜）"),
    "me-central-1": ("l4v", "a", "SAU (Riyadh)", "沙特（利雅得）"),
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
