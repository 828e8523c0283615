"""Lookups, paging and response pieces the action modules share."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, Dict, List, Optional, Sequence, Tuple, TypeVar

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


# --- paging ------------------------------------------------------------------------------
_TOKEN_KEY = b"mock_ecs page token"


def _sign(text: str) -> str:
    return hmac.new(_TOKEN_KEY, text.encode(), hashlib.sha256).hexdigest()[:16]


def make_token(action: str, last_id: str, position: int) -> str:
    raw = f"{action}:{last_id}:{position}"
    return base64.urlsafe_b64encode(f"{raw}:{_sign(raw)}".encode()).decode().rstrip("=")


def read_token(ctx: Context, token: str) -> Tuple[str, int]:
    """The ID (and position) a NextToken continues after; a forged or foreign one is refused."""
    try:
        padded = token + "=" * (-len(token) % 4)
        action, last_id, position, sig = base64.urlsafe_b64decode(padded.encode()).decode().rsplit(":", 3)
        pos = int(position)
    except (ValueError, UnicodeDecodeError):
        raise ctx.error("InvalidNextToken.Malformed") from None
    if action != ctx.action or not hmac.compare_digest(sig, _sign(f"{action}:{last_id}:{position}")):
        raise ctx.error("InvalidNextToken.Malformed")
    return last_id, pos


def paginate(
    ctx: Context, items: Sequence[T], key: Any, *, max_page: int = 100, max_results: int = 100,
) -> Tuple[List[T], Dict[str, Any]]:
    """Page ``items`` (already filtered and ordered) by PageNumber/PageSize or NextToken/MaxResults."""
    token = ctx.get("NextToken")
    if token or ctx.has("MaxResults"):
        limit = ctx.get_int("MaxResults", 10, lo=1, hi=max_results) or 10
        start = 0
        if token:
            last, position = read_token(ctx, token)
            ordered_ids = [key(item) for item in items]
            # Resume after the last item shown; if it was deleted meanwhile, at its old place.
            start = ordered_ids.index(last) + 1 if last in ordered_ids else min(position, len(items))
        page = list(items[start:start + limit])
        meta: Dict[str, Any] = {"TotalCount": len(items), "MaxResults": limit}
        more = start + limit < len(items)
        meta["NextToken"] = make_token(ctx.action, key(page[-1]), start + len(page)) if more and page else ""
        return page, meta
    number = ctx.get_int("PageNumber", 1, "InvalidPageNumber.Malformed", lo=1) or 1
    size = ctx.get_int("PageSize", 10, "InvalidPageSize.Malformed", lo=1, hi=max_page) or 10
    begin = (number - 1) * size
    return list(items[begin:begin + size]), {"TotalCount": len(items), "PageNumber": number, "PageSize": size}


def status_filter(ctx: Context, allowed: Sequence[str], error_key: str) -> Optional[str]:
    value = ctx.get("Status")
    if not value:
        return None
    if value not in allowed:
        raise ctx.error(error_key)
    return value
