"""Lookups, paging and response pieces the action modules share."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple, TypeVar

from .. import ids
from ..backend import RegionState
from ..context import Context
from ..models import Disk, Instance, PublicImage

T = TypeVar("T")

# Platform images a RunInstances may name. Any other non-``m-`` ID is accepted as well,
# with a 20 GiB Linux image, because public catalogues change and tests should not care.
PUBLIC_IMAGES: Dict[str, PublicImage] = {
    img.image_id: img
    for img in (
        PublicImage("ubuntu_22_04_x64_20G_alibase_20240130.vhd", 20, "Ubuntu  22.04 64 bit", "Ubuntu"),
        PublicImage("ubuntu_18_04_x64_20G_alibase_20200618.vhd", 20, "Ubuntu  18.04 64 bit", "Ubuntu"),
        PublicImage("centos_7_9_x64_20G_alibase_20240628.vhd", 20, "CentOS  7.9 64 bit", "CentOS"),
        PublicImage("aliyun_3_x64_20G_alibase_20240528.vhd", 20, "Alibaba Cloud Linux  3.2104 LTS 64 bit", "Aliyun"),
        PublicImage(
            "win2019_1809_x64_dtc_en-us_40G_alibase_20240613.vhd", 40,
            "Windows Server  2019 Data Center Edition 64bit English Edition", "Windows Server 2019",
        ),
    )
}


def public_image(image_id: str) -> PublicImage:
    known = PUBLIC_IMAGES.get(image_id)
    if known is not None:
        return known
    size = 40 if image_id.startswith("win") else 20
    return PublicImage(image_id, size, image_id, "Windows Server" if size == 40 else "Linux")


def tags_view(tags: Dict[str, str]) -> Dict[str, Any]:
    return {"Tag": [{"TagKey": k, "TagValue": v} for k, v in tags.items()]}


def get_instance(ctx: Context, instance_id: str) -> Tuple[RegionState, Instance]:
    state = ctx.locate(instance_id)
    inst = state.instances.get(instance_id) if state else None
    if state is None or inst is None:
        raise ctx.error("InvalidInstanceId.NotFound")
    return state, inst


def get_disk(ctx: Context, disk_id: str) -> Tuple[RegionState, Disk]:
    state = ctx.locate(disk_id)
    disk = state.disks.get(disk_id) if state else None
    if state is None or disk is None:
        raise ctx.error("InvalidDiskId.NotFound")
    return state, disk


def new_id(ctx: Context, prefix: str, region_id: str) -> str:
    rid = ids.new_id(prefix, region_id)
    ctx.account.where[rid] = region_id
    return rid


def status_filter(ctx: Context, allowed: Sequence[str], error_key: str) -> Optional[str]:
    value = ctx.get("Status")
    if not value:
        return None
    if value not in allowed:
        raise ctx.error(error_key)
    return value
