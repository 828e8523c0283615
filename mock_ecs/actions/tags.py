"""Tags of any taggable resource: TagResources, UntagResources, ListTagResources, and the legacy
AddTags, RemoveTags, DescribeTags.

A tag lives in the ``tags`` dict of its resource, the one Describe* show and filter on, so
there is no second store to keep in step. Resource types are looked up in ``TAGGABLE``
(``taggable()``): a module that adds a resource type registers its region table and ID
prefix there, and every tag action serves it.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Tuple

from .. import errors, keyorder, paging
from ..context import Context
from ..errors import EcsError
from ..registry import action
from ..validate import tag_dict
from .common import repeat_values, tag_pairs

MAX_RESOURCES = 50  # ResourceId.N of the plural actions
MAX_TAGS = 20  # Tag.N / TagKey.N of one request, and tags on one resource
MAX_FILTERS = 5  # TagFilter.N
PAGE = 50  # rows of one ListTagResources page (it takes no page size)
class Taggable(NamedTuple):
    table: str  # the RegionState attribute holding the resources
    prefix: str  # every ID of the type starts with it
    id_field: str  # the model's ID attribute
    count_key: str  # its key in DescribeTags' ResourceTypeCount


TAGGABLE: Dict[str, Taggable] = {}


def taggable(resource_type: str, table: str, prefix: str, id_field: str, count_key: str) -> None:
    """Make ``resource_type`` (the wire's lowercase name) served by every tag action."""
    TAGGABLE[resource_type] = Taggable(table, prefix, id_field, count_key)


taggable("instance", "instances", "i-", "instance_id", "Instance")
taggable("disk", "disks", "d-", "disk_id", "Disk")
taggable("snapshot", "snapshots", "s-", "snapshot_id", "Snapshot")
taggable("image", "images", "m-", "image_id", "Image")
taggable("snapshotpolicy", "policies", "sp-", "policy_id", "SnapshotPolicy")  # automatic snapshot policies

# Every key of DescribeTags' ResourceTypeCount (the SDK model's): types the mock lacks count 0.
COUNT_KEYS = ("Ddh", "Disk", "Eni", "Image", "Instance", "KeyPair", "LaunchTemplate", "ReservedInstance",
              "Securitygroup", "Snapshot", "SnapshotPolicy", "Volume")
_COUNT_ORDER = keyorder.hashmap_order(COUNT_KEYS)


# --- readers ----------------------------------------------------------------------------------
def _type(ctx: Context) -> Taggable:
    found = TAGGABLE.get(ctx.get("ResourceType"))
    if found is None:
        raise ctx.error("InvalidResourceType.NotFound")
    return found


def _numbered(ctx: Context, name: str, most: int, code: str, scalar: bool = False) -> Dict[int, Any]:
    """``Name.N`` by N (``scalar``: a RepeatList's non-empty values, else its entries); an N
    past ``most``, or not a number, is ``code``."""
    try:
        found = repeat_values(ctx, name, limit=1000) if scalar else ctx.indexed(name, limit=1000)
    except EcsError:
        raise ctx.error(code) from None
    if any(n > most for n in found):
        raise ctx.error(code)
    return found


def _resource_ids(ctx: Context) -> List[str]:
    ids = _numbered(ctx, "ResourceId", MAX_RESOURCES, "NumberExceed.ResourceIds", scalar=True)
    return list(dict.fromkeys(ids.values()))


def _entries(ctx: Context, name: str) -> List[Dict[str, str]]:
    return list(_numbered(ctx, name, MAX_TAGS, "NumberExceed.Tags").values())


def _new_tags(ctx: Context) -> Dict[str, str]:
    """The Tag.N pairs to set, keys up to 128 characters (validate.tag_dict). Tag is required: the
    gateway has answered MissingTag when none was sent."""
    return tag_dict(ctx, _entries(ctx, "Tag"), 128)


def _resources(ctx: Context, kind: Taggable, ids: Iterable[str]) -> List[Any]:
    """The named resources of the type in the request's region; any other is not found."""
    table = getattr(ctx.region(), kind.table)
    found = []
    for rid in ids:
        item = table.get(rid) if rid.startswith(kind.prefix) else None
        if item is None:
            raise ctx.error("InvalidResourceId.NotFound")
        found.append(item)
    return found


def _check_quota(ctx: Context, items: Iterable[Any], tags: Dict[str, str]) -> None:
    for item in items:
        if len(item.tags.keys() | tags.keys()) > MAX_TAGS:
            raise ctx.error("OperationDenied.QuotaExceed")


# --- TagResources / UntagResources / ListTagResources ------------------------------------------
@action("TagResources", params=("ResourceType", "ResourceId", "Tag"))
def tag_resources(ctx: Context) -> Dict[str, Any]:
    kind = _type(ctx)
    ids = _resource_ids(ctx)
    tags = _new_tags(ctx)
    items = _resources(ctx, kind, ids)
    _check_quota(ctx, items, tags)
    ctx.commit()
    for item in items:
        item.tags.update(tags)
    return {"RequestId": ""}


@action("UntagResources", params=("ResourceType", "ResourceId", "TagKey", "All"))
def untag_resources(ctx: Context) -> Dict[str, Any]:
    kind = _type(ctx)
    ids = _resource_ids(ctx)
    keys = _numbered(ctx, "TagKey", MAX_TAGS, "NumberExceed.Tags", scalar=True)
    remove_all = ctx.get_bool("All")
    if not keys and not remove_all:
        raise ctx.error("MissingParameter.Tags")
    items = _resources(ctx, kind, ids)
    ctx.commit()
    for item in items:
        if keys:  # All counts only without TagKey.N
            for key in keys.values():
                item.tags.pop(key, None)
        else:
            item.tags.clear()
    return {"RequestId": ""}


def _pattern(text: str) -> Callable[[str], bool]:
    """``env*`` a prefix, ``*env*`` a part, anything else the exact text."""
    if len(text) >= 2 and text.startswith("*") and text.endswith("*"):
        part = text[1:-1]
        return lambda s: part in s
    if text.endswith("*"):
        head = text[:-1]
        return lambda s: s.startswith(head)
    return lambda s: s == text


def _tag_filter_checks(ctx: Context) -> List[Callable[[Dict[str, str]], bool]]:
    entries = _numbered(ctx, "TagFilter", MAX_FILTERS, "NumberExceed.Tags")
    checks: List[Callable[[Dict[str, str]], bool]] = []
    for entry in entries.values():
        key = entry.get("TagKey", "")
        values = [_pattern(v) for k, v in sorted(entry.items()) if k.startswith("TagValues.") and v]
        if not key:
            if values:
                raise ctx.error("InvalidTag.Mismatch")
            continue
        checks.append(_value_check(key, values) if values else _key_check(_pattern(key)))
    return checks


def _value_check(key: str, values: List[Callable[[str], bool]]) -> Callable[[Dict[str, str]], bool]:
    return lambda tags: key in tags and any(v(tags[key]) for v in values)


def _key_check(match: Callable[[str], bool]) -> Callable[[Dict[str, str]], bool]:
    return lambda tags: any(match(k) for k in tags)


def _pairs(ctx: Context) -> List[Tuple[str, str]]:
    """Tag.N as (key, value), a value without its key InvalidTag.Mismatch (common.tag_pairs)."""
    return tag_pairs(ctx, _entries(ctx, "Tag"))


@action("ListTagResources", params=("ResourceType", "ResourceId", "Tag", "TagFilter", "NextToken"))
def list_tag_resources(ctx: Context) -> Dict[str, Any]:
    """Rows (resource, tag) oldest resource first, every tag of each matching resource. A
    NextToken names the last row shown (resource sequence and tag position)."""
    kind = _type(ctx)
    ids = _resource_ids(ctx)
    wanted = _pairs(ctx)
    fuzzy = _tag_filter_checks(ctx)
    if wanted and fuzzy:
        raise errors.invalid_parameter("TagFilter")
    token = ctx.get("NextToken")
    after = paging.read_token(ctx, token) if token else -1
    table = getattr(ctx.region(), kind.table)
    if ids:
        candidates = sorted((item for item in (table.get(rid) for rid in ids) if item is not None),
                            key=lambda item: item.seq)
    else:
        candidates = table.values()
    rows: List[Dict[str, Any]] = []
    last = -1
    more = False
    for item in candidates:
        tags: Dict[str, str] = item.tags
        if not tags or not all(k in tags and (not v or tags[k] == v) for k, v in wanted):
            continue
        if not all(check(tags) for check in fuzzy):
            continue
        rid = getattr(item, kind.id_field)
        for n, (key, value) in enumerate(tags.items()):
            position = item.seq * 64 + n
            if position <= after:
                continue
            if len(rows) == PAGE:
                more = True
                break
            rows.append({"ResourceId": rid, "TagKey": key, "ResourceType": ctx.get("ResourceType"),
                         "TagValue": value})
            last = position
        if more:
            break
    return {
        "NextToken": paging.make_token(ctx, last) if more else "",
        "RequestId": "",
        "TagResources": {"TagResource": rows},
    }


# --- AddTags / RemoveTags / DescribeTags (the legacy API, one resource per call) ----------------
@action("AddTags", params=("ResourceType", "ResourceId", "Tag"))
def add_tags(ctx: Context) -> Dict[str, Any]:
    kind = _type(ctx)
    tags = _new_tags(ctx)
    item = _resources(ctx, kind, [ctx.get("ResourceId")])[0]
    _check_quota(ctx, [item], tags)
    ctx.commit()
    item.tags.update(tags)
    return {"RequestId": ""}


@action("RemoveTags", params=("ResourceType", "ResourceId", "Tag"))
def remove_tags(ctx: Context) -> Dict[str, Any]:
    """A Tag.N with a Value removes the key only where it has that value."""
    kind = _type(ctx)
    pairs = _pairs(ctx)
    item = _resources(ctx, kind, [ctx.get("ResourceId")])[0]
    ctx.commit()
    for key, value in pairs:
        if key in item.tags and (not value or item.tags[key] == value):
            del item.tags[key]
    return {"RequestId": ""}


@action("DescribeTags", params=("ResourceType", "ResourceId", "Tag", "Category", "PageNumber", "PageSize"))
def describe_tags(ctx: Context) -> Dict[str, Any]:
    """Each (key, value) in use in the region, with how many resources of each type carry it;
    ResourceType and ResourceId narrow the resources, Tag.N the pairs."""
    kinds = [_type(ctx)] if ctx.get("ResourceType") else list(TAGGABLE.values())
    resource_id = ctx.get("ResourceId")
    wanted = _pairs(ctx)
    number = ctx.get_int("PageNumber", 1, "InvalidPageNumber.Malformed", lo=1) or 1
    size = ctx.get_int("PageSize", 50, "InvalidPageSize.Malformed", lo=1, hi=100) or 50
    state = ctx.region()
    counts: Dict[Tuple[str, str], Dict[str, int]] = {}
    for kind in kinds:
        table = getattr(state, kind.table)
        items = [table.get(resource_id)] if resource_id else table.values()
        for item in items:
            if item is None:
                continue
            for key, value in item.tags.items():
                if wanted and not any(key == k and (not v or value == v) for k, v in wanted):
                    continue
                per_type = counts.setdefault((key, value), dict.fromkeys(_COUNT_ORDER, 0))
                per_type[kind.count_key] += 1
    pairs = list(counts.items())
    page = pairs[(number - 1) * size:number * size]
    return {
        "TotalCount": len(pairs), "PageSize": size, "RequestId": "", "PageNumber": number,
        "Tags": {"Tag": [{"ResourceTypeCount": per_type, "TagKey": key, "TagValue": value}
                         for (key, value), per_type in page]},
    }

