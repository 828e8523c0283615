"""CreateImage, DescribeImages, DeleteImage.

DescribeImages implements every parameter of the real API (metadata en-US/DescribeImages.json):
each filter given becomes one check and all checks must hold. Custom images come before the
public catalogue, each newest first (public images sort after every custom one, see
models.PublicImage.seq).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple, Union

from .. import errors, filters, paging, validate
from ..backend import add_snapshot
from ..clock import iso_seconds, parse_iso
from ..context import Context
from ..models import Image, PublicImage, Snapshot
from ..paging import paginate
from ..registry import action
from .common import (
    NVME_OS_NAMES,
    PUBLIC_IMAGES,
    check_image_room,
    choice,
    custom_os_name,
    get_instance,
    image_os,
    new_id,
    optional_flag,
    os_type,
    progressing_snapshot,
    public_image,
    tag_entries,
    tag_pairs,
    tags_view,
)
from .image_copy import copying

IMAGE_STATUSES = ("Creating", "Waiting", "Available", "UnAvailable", "CreateFailed", "Deprecated")
OWNER_ALIASES = ("system", "self", "others", "marketplace")
ARCHITECTURES = ("i386", "x86_64", "arm64")
OS_TYPES = ("windows", "linux")
USAGES = ("instance", "none")
ACTION_TYPES = ("CreateEcs", "ChangeOS")
# CreateImage's Platform values (metadata en-US/CreateImage.json); the default is "Others Linux".
PLATFORMS = (
    "Aliyun", "Anolis", "CentOS", "Ubuntu", "CoreOS", "SUSE", "Debian", "OpenSUSE", "FreeBSD", "RedHat", "Kylin",
    "UOS", "Fedora", "Fedora CoreOS", "CentOS Stream", "AlmaLinux", "Rocky Linux", "Gentoo", "Customized Linux",
    "Others Linux", "Windows Server 2022", "Windows Server 2019", "Windows Server 2016", "Windows Server 2012",
    "Windows Server 2008", "Windows Server 2003",
)
DEFAULT_PLATFORM = "Others Linux"
_PLATFORM_SPELLING = {p.lower(): p for p in PLATFORMS}
# ImageFamily: 2-128 characters, a letter first, then letters, digits, ":", "_", "-".
_FAMILY = re.compile(r"^[A-Za-z][A-Za-z0-9:_\-]{1,127}$")
# Instance types look like ecs.g7.large, ecs.t5-lc1m1.small, ecs.gn6i-c4g1.xlarge.
_INSTANCE_TYPE = re.compile(r"^ecs\.[a-z0-9\-]+\.[a-z0-9\-]+$")
# ARM (arm64) families: g8y, c8y, r8y, ebmg8y (Yitian), g6r, c6r (Kunpeng).
_ARM_FAMILY = re.compile(r"^[a-z]+\d+[yr]$")
# The public catalogue's CreationTime (see public_view).
PUBLIC_CREATED = "2024-01-01T00:00:00Z"

AnyImage = Union[Image, PublicImage]
# CreateImage.md's OperationDenied texts for a DiskDeviceMapping without exactly one system disk.
_NO_SYSTEM_SNAPSHOT = "The specified parameter DiskDeviceMapping.n.SnapshotId does not contain system disk snapshot."
_TWO_SYSTEM_SNAPSHOTS = (
    "The specified parameter DiskDeviceMapping.n.SnapshotId contains two or more system disk snapshots.")


def _ready_snapshot(ctx: Context, snap_id: str) -> Snapshot:
    state = ctx.region()
    snap = state.snapshots.get(snap_id)
    if snap is None:
        raise ctx.error("InvalidSnapshotId.NotFound")
    # The spec: a snapshot that is not complete cannot make a custom image.
    if snap.status(ctx.now) != "accomplished":
        raise ctx.error("InvalidSnapshotId.NotReady")
    return snap


def _platform(ctx: Context) -> str:
    """CreateImage's Platform, case-insensitive, answered in its documented spelling."""
    value = choice(ctx, "Platform", _PLATFORM_SPELLING, "InvalidPlatform.Malformed", lower=True)
    return _PLATFORM_SPELLING[value] if value else ""


@action(
    "CreateImage",
    params=(
        "ImageName", "Description", "Tag", "InstanceId", "DiskDeviceMapping", "SnapshotId", "Platform",
        "Architecture", "ResourceGroupId", "ImageFamily", "DryRun",
    ),
)
def create_image(ctx: Context) -> Dict[str, Any]:
    region_id = ctx.region_id
    assert region_id is not None
    state = ctx.region()
    name = validate.optional_name(ctx, "ImageName", "InvalidImageName.Malformed")
    description = validate.optional_description(ctx, error_key="InvalidDescription.MalformedImage")
    platform = _platform(ctx)
    architecture = choice(ctx, "Architecture", ARCHITECTURES, "InvalidArchitecture.Malformed")
    family = ctx.get("ImageFamily")
    if family and (not _FAMILY.match(family) or family.lower().startswith(("acs:", "aliyun"))):
        # Undocumented error: the metadata states the rule but no code for it.
        raise errors.invalid_parameter("ImageFamily")
    tags = validate.tags(ctx)
    token = validate.client_token(ctx)
    instance_id = ctx.get("InstanceId")
    mappings = ctx.indexed("DiskDeviceMapping", limit=17)
    # Priority of the sources, as documented: InstanceId > DiskDeviceMapping > SnapshotId.
    sources: List[Tuple[str, Snapshot, str]] = []  # (device, snapshot, the disk type it gives)
    inst = None
    source_os: Tuple[str, str] = ("", "")  # (OSName, Platform) of what the source ran
    if instance_id:
        inst_state, inst = get_instance(ctx, instance_id)
        if inst.status(ctx.now) not in ("Running", "Stopped"):
            raise ctx.error("IncorrectInstanceStatus.Image")
        # One snapshot per disk at a time (CreateImage.md: IncorrectDiskStatus.CreatingSnapshot).
        if any(progressing_snapshot(ctx, inst_state, d) for d in inst.disk_ids):
            raise ctx.error("IncorrectDiskStatus.CreatingSnapshot")
        # An image of an instance runs what the instance runs, unless told otherwise.
        booted_os, _, booted_platform = image_os(inst_state, inst.image_id)
        source_os = (inst.os_name or booted_os, booted_platform)
        booted = state.images.get(inst.image_id)
        if booted is not None:
            platform, architecture = platform or booted.platform, architecture or booted.architecture
        elif not inst.image_id.startswith("m-"):
            known = public_image(inst.image_id)
            platform, architecture = platform or known.platform, architecture or known.architecture
    elif mappings:
        for n, fields_ in mappings.items():
            snap_id = fields_.get("SnapshotId", "")
            if not snap_id:
                raise errors.missing(f"DiskDeviceMapping.{n}.SnapshotId")
            device = fields_.get("Device") or ("/dev/xvda" if n == 1 else f"/dev/xvd{chr(ord('a') + n - 1)}")
            snap = _ready_snapshot(ctx, snap_id)
            # "If you do not set this parameter, the disk type is determined by the snapshot."
            kind = fields_.get("DiskType") or snap.source_disk_type
            if kind not in ("system", "data"):
                raise ctx.error("InvalidDiskType.ValueNotSupported")
            sources.append((device, snap, kind))
        systems = sum(kind == "system" for _, _, kind in sources)
        if systems != 1:
            raise ctx.error("OperationDenied", _NO_SYSTEM_SNAPSHOT if not systems else _TWO_SYSTEM_SNAPSHOTS)
    elif ctx.get("SnapshotId"):
        snap = _ready_snapshot(ctx, ctx.get("SnapshotId"))
        if snap.source_disk_type != "system":
            raise ctx.error("OperationDenied")  # "The specified snapshot is not from system disk."
        sources.append(("/dev/xvda", snap, "system"))
    else:
        raise ctx.error("MissingParameter.CreateImageSource")
    platform = platform or DEFAULT_PLATFORM
    architecture = architecture or "x86_64"
    system = next((snap for _, snap, kind in sources if kind == "system"), None)
    source_disk = state.disks.get(system.source_disk_id) if system is not None else None
    if source_disk is not None and source_disk.image_id:
        source_os = image_os(state, source_disk.image_id)[::2]
    os_name = source_os[0] if source_os[1] == platform else ""

    def create() -> Dict[str, Any]:
        # Checked here, after the ClientToken: a replay answers its first ImageId, not Duplicated.
        check_image_room(ctx, state, name)
        ctx.commit()
        now = ctx.now
        image_id = new_id(ctx, "m", region_id)
        ready = now + ctx.settings.image_creation_seconds
        rows: List[Tuple[str, str, int, str]] = []
        if inst is not None:
            # One new snapshot per disk of the instance; the image is ready when all are.
            settings = ctx.settings
            for disk_id in inst.disk_ids:
                disk = state.disks[disk_id]
                if disk.is_local:
                    continue
                snap = Snapshot(
                    snapshot_id=new_id(ctx, "s", region_id), region_id=region_id, source_disk_id=disk_id,
                    source_disk_size=disk.size, source_disk_type=disk.disk_type,
                    source_disk_category=disk.category, created_at=now,
                    duration=max(settings.snapshot_min_seconds, disk.data_gib * settings.snapshot_seconds_per_gib),
                    snapshot_name=f"Created_for_{image_id}",
                    description=f"Created for image {image_id}", content=disk.content,
                )
                add_snapshot(ctx.account, state, snap)
                sources.append((disk.device or "/dev/xvda", snap, disk.disk_type))
                ready = max(ready, snap.done_at())
        for device, snap, kind in sources:
            snap.image_ids.add(image_id)
            rows.append((device, snap.snapshot_id, snap.source_disk_size, kind))
        system_size = next((size for dev, _, size, kind in rows if kind == "system"), rows[0][2] if rows else 40)
        image = Image(
            image_id=image_id, region_id=region_id, image_name=name or image_id, created_at=now,
            ready_at=ready, size=system_size, description=description, platform=platform,
            os_type=os_type(platform), architecture=architecture, mappings=rows, source_instance_id=instance_id,
            tags=tags, resource_group_id=ctx.get("ResourceGroupId"), image_family=family, os_name=os_name,
        )
        state.images[image_id] = image
        return {"ImageId": image_id}

    return validate.idempotent(ctx, token, "InvalidParamter.Conflict", create)


def images_in_use(ctx: Context) -> Set[str]:
    """IDs of the images instances of the request's region run (Usage "instance")."""
    return {inst.image_id for inst in ctx.region().instances.values()}


def _owner_id(ctx: Context) -> int:
    """ImageOwnerId (an int64 in the model): the caller's account ID, when it is a number."""
    account = ctx.account.account_id
    return int(account) if account.isascii() and account.isdigit() else 0


def _boot_mode(architecture: str) -> str:
    return "UEFI" if architecture == "arm64" else "BIOS"


# Keys in the real service's order (Java HashMap order, see keyorder.py), here and in public_view.
def image_view(ctx: Context, image: Image, in_use: Optional[Set[str]] = None) -> Dict[str, Any]:
    now = ctx.now
    used = images_in_use(ctx) if in_use is None else in_use
    progress = image.progress(now)
    remain = 0 if now >= image.ready_at else int(-(-(image.ready_at - now) // 1))
    snapshots = ctx.region().snapshots
    os_name = custom_os_name(image)
    nvme = os_name in NVME_OS_NAMES  # a custom image of a 2024 alibase image keeps its features
    return {
        "ImageOwnerAlias": "self",
        "IsSelfShared": "False",
        "Description": image.description,
        "Platform": image.platform,
        "ResourceGroupId": image.resource_group_id,
        "Size": image.size,
        "IsSubscribed": False,
        "BootMode": _boot_mode(image.architecture),
        "OSName": os_name,
        "LicenseType": "",
        "IsPublic": False,
        "Usable": True,
        "ImageId": image.image_id,
        "DetectionOptions": {"Status": "", "Items": {"Item": []}},
        "Features": {
            "MemoryOnlineUpgrade": "unsupported", "NvmeSupport": "supported" if nvme else "unsupported",
            "CpuOnlineDowngrade": "unsupported", "ImdsSupport": "v2" if nvme else "v1",
            "CpuOnlineUpgrade": "unsupported", "MemoryOnlineDowngrade": "unsupported",
        },
        "OSNameEn": os_name,
        "Tags": tags_view(image.tags),
        "LoginAsNonRootSupported": image.platform == "Aliyun",
        "Status": image.status(now),
        "Progress": progress,
        "Usage": "instance" if image.image_id in used else "none",
        "Architecture": image.architecture,
        "ProductCode": "",
        "ImageOwnerId": _owner_id(ctx),
        "IsCopied": False,
        "ImageFamily": image.image_family,
        "IsSupportIoOptimized": True,
        "IsSupportCloudinit": True,
        "ImageName": image.image_name,
        "DiskDeviceMappings": {
            "DiskDeviceMapping": [
                {"SnapshotId": sid, "Type": kind, "Progress": progress, "Format": "", "Device": dev,
                 "Size": str(size), "Encrypted": snap.encrypted if (snap := snapshots.get(sid)) else False,
                 "ImportOSSBucket": "", "ImportOSSObject": "", "RemainTime": remain}
                for dev, sid, size, kind in image.mappings
            ]
        },
        "SecureBootOptions": {"SecureBootSupport": "unsupported"},
        "ImageVersion": "",
        "SupplierName": "",
        "OSType": image.os_type,
        "CreationTime": iso_seconds(image.created_at),
    }


def public_view(image_id: str, in_use: Optional[Set[str]] = None) -> Dict[str, Any]:
    """A platform image: Alibaba Cloud's (ImageOwnerId 0: no customer account owns it). The 2024
    alibase images support NVMe and IMDSv2 (Features); Alibaba Cloud Linux lets ecs-user log in
    (LoginAsNonRootSupported), as real answers show."""
    img = PUBLIC_IMAGES[image_id]
    new = img.os_name in NVME_OS_NAMES
    return {
        "ImageOwnerAlias": "system", "IsSelfShared": "False", "Description": "", "Platform": img.platform,
        "ResourceGroupId": "", "Size": img.size, "IsSubscribed": False, "BootMode": _boot_mode(img.architecture),
        "OSName": img.os_name, "LicenseType": "", "IsPublic": True, "Usable": True, "ImageId": img.image_id,
        "DetectionOptions": {"Status": "", "Items": {"Item": []}},
        "Features": {
            "MemoryOnlineUpgrade": "unsupported", "NvmeSupport": "supported" if new else "unsupported",
            "CpuOnlineDowngrade": "unsupported", "ImdsSupport": "v2" if new else "v1",
            "CpuOnlineUpgrade": "unsupported", "MemoryOnlineDowngrade": "unsupported",
        },
        "OSNameEn": img.os_name, "Tags": {"Tag": []}, "LoginAsNonRootSupported": img.platform == "Aliyun",
        "Status": "Available",
        "Progress": "100%", "Usage": "instance" if in_use and img.image_id in in_use else "none",
        "Architecture": img.architecture, "ProductCode": "", "ImageOwnerId": 0, "IsCopied": False,
        "ImageFamily": "", "IsSupportIoOptimized": True, "IsSupportCloudinit": True, "ImageName": img.image_id,
        "DiskDeviceMappings": {"DiskDeviceMapping": []}, "SecureBootOptions": {"SecureBootSupport": "unsupported"},
        "ImageVersion": "", "SupplierName": "", "OSType": os_type(img.platform), "CreationTime": PUBLIC_CREATED,
    }


# --- DescribeImages: what a filter reads of a custom or a public image ------------------------
_PUBLIC_CREATED_AT = parse_iso(PUBLIC_CREATED)


def _name(item: AnyImage) -> str:
    return item.image_name if isinstance(item, Image) else item.image_id


def _created(item: AnyImage) -> float:
    return item.created_at if isinstance(item, Image) else _PUBLIC_CREATED_AT


def _family(item: AnyImage) -> str:
    return item.image_family if isinstance(item, Image) else ""


def _group(item: AnyImage) -> str:
    return item.resource_group_id if isinstance(item, Image) else ""


def _tags(item: AnyImage) -> Dict[str, str]:
    return item.tags if isinstance(item, Image) else {}


def _snapshot_ids(item: AnyImage) -> Set[str]:
    return {sid for _, sid, _, _ in item.mappings} if isinstance(item, Image) else set()


def _comma_list(ctx: Context, name: str) -> List[str]:
    return [v.strip() for v in ctx.get(name).split(",") if v.strip()]


def _tag_filter(ctx: Context) -> List[Tuple[str, str]]:
    """``Tag.N.Key``/``Tag.N.Value``, N 1..20; a key with no value matches any value of that key."""
    return tag_pairs(ctx, tag_entries(ctx))


def _time_filters(ctx: Context) -> List[Tuple[str, float]]:
    """``Filter.N.Key`` CreationStartTime/CreationEndTime with a ``yyyy-MM-ddTHH:mmZ`` value.

    DescribeImages.md documents InvalidFilterKey.NotFound for a bad key and for a bad time.
    """
    bad = lambda: ctx.error("InvalidFilterKey.NotFound")  # noqa: E731
    return filters.creation_times(
        ((e.get("Key", ""), e.get("Value", "")) for e in ctx.indexed("Filter").values()), bad, bad,
    )


def _not_before(when: float) -> Callable[[AnyImage], bool]:
    return lambda item: _created(item) >= when


def _not_after(when: float) -> Callable[[AnyImage], bool]:
    return lambda item: _created(item) <= when


@action(
    "DescribeImages", strict=True,
    params=(
        "ImageId", "ImageName", "SnapshotId", "Status", "ImageOwnerAlias", "ImageOwnerId", "IsPublic", "Usage",
        "OSType", "Architecture", "IsSupportIoOptimized", "IsSupportCloudinit", "InstanceType", "ImageFamily",
        "ActionType", "ShowExpired", "ResourceGroupId", "Tag", "Filter", "PageNumber", "PageSize", "DryRun",
    ),
)
def describe_images(ctx: Context) -> Dict[str, Any]:
    state = ctx.region()
    # --- every value rule first, in the order of the parameters' documentation ---------
    statuses = _comma_list(ctx, "Status") or ["Available"]
    # ``ALL`` (any case) is every status: footmark's wait_for_image_status sends it; the
    # reference lists only the six names, which stay exact.
    if any(s.upper() == "ALL" for s in statuses):
        statuses = list(IMAGE_STATUSES)
    if any(s not in IMAGE_STATUSES for s in statuses):
        raise ctx.error("InvalidStatus.NotFound")
    owner = choice(ctx, "ImageOwnerAlias", OWNER_ALIASES, "InvalidImageOwnerAlias.ValueNotSupported")
    is_public = optional_flag(ctx, "IsPublic")
    if is_public and owner != "others":
        # "When you set this parameter to true, you must set ImageOwnerAlias to others."
        raise errors.invalid_parameter("IsPublic")
    owner_id = ctx.get("ImageOwnerId")
    if owner_id and not (owner_id.isascii() and owner_id.isdigit()):
        raise errors.invalid_parameter("ImageOwnerId")
    usage = choice(ctx, "Usage", USAGES, "InvalidUsage")
    wanted_os = choice(ctx, "OSType", OS_TYPES, "InvalidOSType", lower=True)
    arch = choice(ctx, "Architecture", ARCHITECTURES, "InvalidArchitecture")
    io_optimized, cloudinit = optional_flag(ctx, "IsSupportIoOptimized"), optional_flag(ctx, "IsSupportCloudinit")
    instance_type = ctx.get("InstanceType")
    if instance_type and not _INSTANCE_TYPE.match(instance_type):
        raise ctx.error("InvalidInstanceType.ValueNotSupported")
    choice(ctx, "ActionType", ACTION_TYPES, None)  # validated; every image of the mock allows both
    optional_flag(ctx, "ShowExpired")  # validated; the mock has no subscription images to expire
    tags = _tag_filter(ctx)
    times = _time_filters(ctx)
    wanted = _comma_list(ctx, "ImageId")
    name, snap_id, family, group = (ctx.get(p) for p in ("ImageName", "SnapshotId", "ImageFamily",
                                                         "ResourceGroupId"))
    now = ctx.now
    in_use = images_in_use(ctx)

    # --- each filter given becomes one check; all must hold ------------------------------
    checks: List[filters.Check] = []
    check = checks.append
    check(lambda i: (i.status(now) if isinstance(i, Image) else "Available") in statuses)
    if name:
        # "Fuzzy match is supported": a case-insensitive substring.
        low = name.lower()
        check(lambda i: low in _name(i).lower())
    if snap_id:
        check(lambda i: snap_id in _snapshot_ids(i))
    if owner_id and owner in ("", "others"):
        # Takes effect only where shared and community images are queried; public images
        # belong to Alibaba Cloud, custom ones to the caller's account.
        mine = ctx.account.account_id
        check(lambda i: isinstance(i, Image) and owner_id == mine)
    if is_public:
        check(filters.nothing)  # published community images: the mock has no other accounts
    if usage:
        check(lambda i: ("instance" if i.image_id in in_use else "none") == usage)
    if wanted_os:
        check(lambda i: os_type(i.platform) == wanted_os)
    if arch:
        check(lambda i: i.architecture == arch)
    if io_optimized is False or cloudinit is False:
        check(filters.nothing)  # every image of the mock supports both
    if instance_type:
        arm = bool(_ARM_FAMILY.match(instance_type.split(".")[1]))
        check(lambda i: (i.architecture == "arm64") == arm)
    if family:
        check(lambda i: _family(i) == family)
    if group:
        # Resources of the default group show whatever group is asked for (metadata).
        check(lambda i: _group(i) in (group, ""))
    if tags:
        check(lambda i: all(k in _tags(i) and (v == "" or _tags(i)[k] == v) for k, v in tags))
    for key, when in times:
        check(_not_before(when) if key == "CreationStartTime" else _not_after(when))

    # --- the candidates: the named images (ImageId is applied here), a snapshot's, or all ---
    custom: Iterable[Image]
    public: Iterable[PublicImage]
    if wanted:
        custom = [img for i in dict.fromkeys(wanted) if (img := state.images.get(i)) is not None]
        public = [PUBLIC_IMAGES[i] for i in dict.fromkeys(wanted) if i in PUBLIC_IMAGES]
    elif snap_id:
        snap = state.snapshots.get(snap_id)
        custom = [state.images[i] for i in (snap.image_ids if snap else ()) if i in state.images]
        public = []
    else:
        custom, public = state.images.values(), PUBLIC_IMAGES.values()
    if owner not in ("", "self"):
        custom = []
    if owner not in ("", "system"):
        public = []
    items: List[AnyImage] = [*custom, *public]
    page, meta = paginate(ctx, paging.IMAGES, items=items, keep=filters.combine(checks))
    ctx.commit()  # after paging: a bad PageNumber or PageSize fails a dry run as well
    views = [image_view(ctx, i, in_use) if isinstance(i, Image) else public_view(i.image_id, in_use) for i in page]
    return {
        "TotalCount": meta["TotalCount"], "PageSize": meta["PageSize"], "RequestId": "",
        "PageNumber": meta["PageNumber"], "Images": {"Image": views}, "RegionId": ctx.region_id,
    }


@action("DeleteImage", params=("Force", "DryRun"))
def delete_image(ctx: Context) -> Dict[str, Any]:
    state = ctx.region()
    force = ctx.get_bool("Force")
    image = state.images.get(ctx.get("ImageId"))
    if image is None:
        # The docs say an unknown image "is ignored" yet list InvalidImageId.NotFound (FACTS.md section 11).
        if ctx.settings.delete_unknown != "ignore":
            raise ctx.error("InvalidImageId.NotFound")
        ctx.commit()
        return {}
    if image.image_id in images_in_use(ctx) and not force:
        raise ctx.error("ImageUsingByInstance")
    if copying(ctx, image.image_id):
        raise ctx.error("OperationDenied.ImageCopying")
    ctx.commit()
    # The image's snapshots become free to delete.
    for _, snap_id, _, _ in image.mappings:
        snap = state.snapshots.get(snap_id)
        if snap is not None:
            snap.image_ids.discard(image.image_id)
    del state.images[image.image_id]
    ctx.account.where.pop(image.image_id, None)
    return {}
