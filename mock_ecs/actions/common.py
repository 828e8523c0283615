"""Lookups and response pieces the action modules share, and the Describe filter readers.

The filter readers turn one request parameter each into a value or a ``filters.Check``; every
Describe action validates its parameters in their documented order with them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Collection, Dict, List, Optional, Tuple

from .. import errors, filters, ids
from ..backend import RegionState, disk_snapshots
from ..context import Context
from ..errors import EcsError
from ..models import Disk, Image, Instance, PublicImage

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


def os_type(platform: str) -> str:
    """OSType of an image (and of the instances it boots) from its Platform."""
    return "windows" if platform.lower().startswith("windows") else "linux"


# The OS names of the 2024 alibase Linux images: they (and custom images of them) support NVMe disks.
NVME_OS_NAMES = frozenset(
    img.os_name for img in PUBLIC_IMAGES.values() if "alibase_2024" in img.image_id and os_type(img.platform) == "linux"
)


def platform_os_name(platform: str, architecture: str) -> str:
    """The OSName of a custom image whose source OS is unknown: its Platform and word size, in the
    public catalogue's spelling ("CentOS  7.9 64 bit" without the version)."""
    return f"{platform}  {'32' if architecture == 'i386' else '64'} bit"


def custom_os_name(image: Image) -> str:
    return image.os_name or platform_os_name(image.platform, image.architecture)


def image_os(state: RegionState, image_id: str) -> Tuple[str, str, str]:
    """(OSName, OSType, Platform) of what ``image_id`` boots: a custom image's own, else the
    public catalogue's."""
    if image_id.startswith("m-"):
        image = state.images.get(image_id)
        if image is not None:
            return custom_os_name(image), image.os_type, image.platform
    known = public_image(image_id)
    return known.os_name, os_type(known.platform), known.platform


def image_content(state: RegionState, image_id: str) -> int:
    """The content generation a system disk booted from ``image_id`` holds: that of a custom
    image's system snapshot (Disk.content), 0 for a public image."""
    image = state.images.get(image_id) if image_id.startswith("m-") else None
    if image is None:
        return 0
    for _, snap_id, _, kind in image.mappings:
        snap = state.snapshots.get(snap_id)
        if kind == "system" and snap is not None:
            return snap.content
    return 0


def tags_view(tags: Dict[str, str]) -> Dict[str, Any]:
    return {"Tag": [{"TagKey": k, "TagValue": v} for k, v in tags.items()]}


def get_instance(ctx: Context, instance_id: str) -> Tuple[RegionState, Instance]:
    state = ctx.locate(instance_id)
    inst = state.instances.get(instance_id) if state else None
    if state is None or inst is None:
        raise ctx.error("InvalidInstanceId.NotFound")
    return state, inst


def check_unlocked(ctx: Context, inst: Instance, lock_key: str = "InstanceLockedForSecurity.Instance") -> None:
    """The refusals StopInstance, RebootInstance and ResizeDisk start with, in this order: a
    security lock (``lock_key``: the action's code for it), then a subscription expired or a
    ``financial`` lock (InstanceExpiredOrInArrears)."""
    if inst.security_locked():
        raise ctx.error(lock_key)
    if inst.in_arrears(ctx.now):
        raise ctx.error("InstanceExpiredOrInArrears")


def check_account_open(ctx: Context) -> None:
    """The account's own refusals of snapshot work (set_account_status): before any disk check."""
    account = ctx.account
    if account.not_enough_balance:
        raise ctx.error("InvalidAccountStatus.NotEnoughBalance")
    if account.snapshot_service_unavailable:
        raise ctx.error("InvalidAccountStatus.SnapshotServiceUnavailable")


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


def check_image_room(ctx: Context, state: RegionState, name: str) -> None:
    """Before CreateImage or CopyImage adds an image to ``state``: its name free there
    (InvalidImageName.Duplicated), then room under the quota (QuotaExceed.Image)."""
    if name and any(img.image_name == name for img in state.images.values()):
        raise ctx.error("InvalidImageName.Duplicated")
    if len(state.images) >= ctx.settings.image_quota:
        raise ctx.error("QuotaExceed.Image")


def progressing_snapshot(ctx: Context, state: RegionState, disk_id: str) -> bool:
    """Whether a snapshot of the disk is still being made (one at a time per disk)."""
    return any(s.status(ctx.now) == "progressing" for s in disk_snapshots(state, disk_id))


# --- Describe filter readers ----------------------------------------------------------------
def dry_run_flag(ctx: Context) -> bool:
    """DryRun is a Boolean: anything but true/false is an invalid parameter, not a real run."""
    return ctx.get_bool("DryRun")


def id_filter(ctx: Context, name: str, too_many: Optional[str] = None,
              malformed: Optional[str] = None) -> Optional[List[str]]:
    """A JSON-array ID list of up to 100 IDs; None when absent, ``[]`` matches nothing."""
    try:
        return ctx.id_list(name, too_many=too_many)
    except EcsError as exc:
        if malformed is not None and exc.code == "InvalidParameter":
            raise ctx.error(malformed) from None
        raise


def choice(ctx: Context, name: str, allowed: Collection[str], error_key: Optional[str], *,
           lower: bool = False) -> str:
    """A value from a fixed set ("" when absent); another answers ``error_key`` (else InvalidParameter).

    ``lower``: the parameter is case-insensitive; the value is compared and returned lowercased.
    """
    value = ctx.get(name).lower() if lower else ctx.get(name)
    if value and value not in allowed:
        raise ctx.error(error_key) if error_key else errors.invalid_parameter(name)
    return value


def optional_flag(ctx: Context, name: str) -> Optional[bool]:
    """A Boolean filter: None when absent or empty (no filter), else its value."""
    return ctx.get_bool(name) if ctx.get(name) else None


def flag_checks(ctx: Context, flags: Dict[str, Callable[[Any], bool]]) -> List[filters.Check]:
    """Boolean filters: each given one keeps the items whose attribute equals it."""
    return [filters.value_is(get, ctx.get_bool(name)) for name, get in flags.items() if ctx.get(name)]


def resource_group_check(ctx: Context) -> Optional[filters.Check]:
    """ResourceGroupId: "Resources in the default resource group are displayed in the response
    regardless of the value specified" (metadata); the default group is the empty ID."""
    group = ctx.get("ResourceGroupId")
    if not group:
        return None
    return lambda item: item.resource_group_id in (group, "")


def tag_entries(ctx: Context) -> List[Dict[str, str]]:
    """The ``Tag.N.*`` entries of a Describe filter, by N; N past 20 is InvalidTagCount.

    Each action reads Key/Value (and the deprecated lowercase key/value) its own documented way.
    """
    try:
        entries = ctx.indexed("Tag", limit=1000)
    except EcsError:
        raise ctx.error("InvalidTagCount") from None
    if any(n > 20 for n in entries):
        raise ctx.error("InvalidTagCount")
    return list(entries.values())


def tag_pairs(ctx: Context, entries: List[Dict[str, str]]) -> List[Tuple[str, str]]:
    """(key, value) of ``Tag.N`` entries (or the deprecated lowercase ``key``/``value``): an
    entry with a value and no key is ``InvalidTag.Mismatch``; one with neither is skipped."""
    wanted: List[Tuple[str, str]] = []
    for entry in entries:
        key = entry.get("Key") or entry.get("key") or ""
        value = entry.get("Value") or entry.get("value") or ""
        if not key:
            if value:
                raise ctx.error("InvalidTag.Mismatch")
            continue
        wanted.append((key, value))
    return wanted


def tag_check(ctx: Context) -> Optional[filters.Check]:
    """``Tag.N.Key``/``Tag.N.Value`` of DescribeInstances and DescribeDisks. A Value without its Key
    is InvalidTag.Mismatch; a Key without a Value matches any value of that key. All must hold."""
    wanted = tag_pairs(ctx, tag_entries(ctx))
    if not wanted:
        return None
    return lambda item: all(k in item.tags and (v == "" or item.tags[k] == v) for k, v in wanted)


def _filter_time(text: str) -> Optional[Tuple[float, float]]:
    """(instant, length of the unit it names): ``yyyy-MM-ddTHH:mmZ`` (a minute) or with seconds."""
    for fmt, unit in (("%Y-%m-%dT%H:%MZ", 60.0), ("%Y-%m-%dT%H:%M:%SZ", 1.0)):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp(), unit
        except ValueError:
            continue
    return None


def time_checks(
    ctx: Context, keys: Dict[str, Tuple[str, bool]], limit: int, bad: Callable[[int, str], EcsError],
) -> List[filters.Check]:
    """``Filter.N.Key``/``Filter.N.Value`` time filters. ``keys``: key -> (attribute, is an end).

    A start keeps items at or after the instant; an end keeps items up to the end of the
    minute (or second) it names, so an item shown with CreationTime ``T`` matches an end ``T``.
    """
    checks: List[filters.Check] = []
    for n, entry in ctx.indexed("Filter", limit=limit).items():
        key, value = entry.get("Key", ""), entry.get("Value", "")
        if not key and not value:
            continue
        if key not in keys:
            raise bad(n, "Key")
        parsed = _filter_time(value)
        if parsed is None:
            raise bad(n, "Value")
        when, unit = parsed
        attr, is_end = keys[key]
        checks.append(filters.earlier_than(attr, when + unit) if is_end else filters.not_before(attr, when))
    return checks


def repeat_values(ctx: Context, name: str, limit: int = 100) -> Dict[int, str]:
    """``Name.N`` values of a RepeatList parameter, by N (empty values dropped)."""
    return {n: entry.get("", "") for n, entry in ctx.indexed(name, limit=limit).items() if entry.get("", "")}
