"""CreateImage, DescribeImages, DeleteImage."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from .. import errors, paging, validate
from ..backend import add_snapshot, disk_snapshots
from ..clock import iso_seconds
from ..context import Context
from ..models import Image, Snapshot
from ..paging import paginate
from ..router import action
from .common import PUBLIC_IMAGES, get_instance, new_id, tags_view

IMAGE_STATUSES = ("Creating", "Waiting", "Available", "UnAvailable", "CreateFailed", "Deprecated")
OWNER_ALIASES = ("system", "self", "others", "marketplace")


def _ready_snapshot(ctx: Context, snap_id: str) -> Snapshot:
    state = ctx.region()
    snap = state.snapshots.get(snap_id)
    if snap is None:
        raise ctx.error("InvalidSnapshotId.NotFound")
    # The spec: a snapshot that is not complete cannot make a custom image.
    if snap.status(ctx.now) != "accomplished":
        raise ctx.error("InvalidSnapshotId.NotReady")
    return snap


@action(
    "CreateImage", needs_region=True,
    params=(
        "ImageName", "Description", "Tag", "InstanceId", "DiskDeviceMapping", "SnapshotId", "Platform",
        "Architecture", "ResourceGroupId",
    ),
)
def create_image(ctx: Context) -> Dict[str, Any]:
    region_id = ctx.region_id
    assert region_id is not None
    state = ctx.region()
    name = validate.optional_name(ctx, "ImageName", "InvalidImageName.Malformed")
    description = validate.optional_description(ctx, error_key="InvalidDescription.MalformedImage")
    tags = validate.tags(ctx)
    token = validate.client_token(ctx)
    instance_id = ctx.get("InstanceId")
    mappings = ctx.indexed("DiskDeviceMapping", limit=17)
    # Priority of the sources, as documented: InstanceId > DiskDeviceMapping > SnapshotId.
    sources: List[Tuple[str, Snapshot]] = []
    inst = None
    if instance_id:
        inst_state, inst = get_instance(ctx, instance_id)
        if inst.status(ctx.now) not in ("Running", "Stopped"):
            raise ctx.error("IncorrectInstanceStatus.Image")
        # One snapshot per disk at a time (CreateImage.md: IncorrectDiskStatus.CreatingSnapshot).
        if any(s.status(ctx.now) == "progressing" for d in inst.disk_ids for s in disk_snapshots(inst_state, d)):
            raise ctx.error("IncorrectDiskStatus.CreatingSnapshot")
    elif mappings:
        for n, fields_ in mappings.items():
            snap_id = fields_.get("SnapshotId", "")
            if not snap_id:
                raise errors.missing(f"DiskDeviceMapping.{n}.SnapshotId")
            device = fields_.get("Device") or ("/dev/xvda" if n == 1 else f"/dev/xvd{chr(ord('a') + n - 1)}")
            sources.append((device, _ready_snapshot(ctx, snap_id)))
    elif ctx.get("SnapshotId"):
        sources.append(("/dev/xvda", _ready_snapshot(ctx, ctx.get("SnapshotId"))))
    else:
        raise ctx.error("MissingParameter.CreateImageSource")

    def create() -> Dict[str, Any]:
        # Checked here, after the ClientToken: a replay answers its first ImageId, not Duplicated.
        if name and any(img.image_name == name for img in state.images.values()):
            raise ctx.error("InvalidImageName.Duplicated")
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
                    description=f"Created for image {image_id}",
                )
                add_snapshot(ctx.account, state, snap)
                sources.append((disk.device or "/dev/xvda", snap))
                ready = max(ready, snap.done_at())
        for device, snap in sources:
            snap.image_ids.add(image_id)
            rows.append((device, snap.snapshot_id, snap.source_disk_size, snap.source_disk_type))
        system_size = next((size for dev, _, size, kind in rows if kind == "system"), rows[0][2] if rows else 40)
        image = Image(
            image_id=image_id, region_id=region_id, image_name=name or image_id, created_at=now,
            ready_at=ready, size=system_size, description=description,
            platform=ctx.get("Platform") or "Linux", architecture=ctx.get("Architecture") or "x86_64",
            mappings=rows, source_instance_id=instance_id, tags=tags,
            resource_group_id=ctx.get("ResourceGroupId"),
        )
        state.images[image_id] = image
        return {"ImageId": image_id}

    return validate.idempotent(ctx, token, "InvalidParamter.Conflict", create)


def image_view(ctx: Context, image: Image) -> Dict[str, Any]:
    now = ctx.now
    return {
        "ImageId": image.image_id,
        "ImageName": image.image_name,
        "Description": image.description,
        "Status": image.status(now),
        "Progress": image.progress(now),
        "CreationTime": iso_seconds(image.created_at),
        "Size": image.size,
        "ImageOwnerAlias": "self",
        "Platform": image.platform,
        "OSType": "windows" if image.platform.lower().startswith("windows") else "linux",
        "OSName": image.platform,
        "OSNameEn": image.platform,
        "Architecture": image.architecture,
        "Usage": "instance" if any(i.image_id == image.image_id for i in ctx.region().instances.values()) else "none",
        "IsSupportCloudinit": True,
        "IsSupportIoOptimized": True,
        "IsSelfShared": "False",
        "IsCopied": False,
        "IsSubscribed": False,
        "ProductCode": "",
        "ResourceGroupId": image.resource_group_id,
        "ImageFamily": "",
        "ImageVersion": "",
        "DiskDeviceMappings": {
            "DiskDeviceMapping": [
                {"Device": dev, "SnapshotId": sid, "Size": str(size), "Type": kind, "Format": "",
                 "ImportOSSBucket": "", "ImportOSSObject": "", "Progress": image.progress(now)}
                for dev, sid, size, kind in image.mappings
            ]
        },
        "Tags": tags_view(image.tags),
    }


def public_view(image_id: str) -> Dict[str, Any]:
    img = PUBLIC_IMAGES[image_id]
    return {
        "ImageId": img.image_id, "ImageName": img.image_id, "Description": "", "Status": "Available",
        "Progress": "100%", "CreationTime": "2024-01-01T00:00:00Z", "Size": img.size,
        "ImageOwnerAlias": "system", "Platform": img.platform,
        "OSType": "windows" if img.platform.startswith("Windows") else "linux",
        "OSName": img.os_name, "OSNameEn": img.os_name, "Architecture": img.architecture, "Usage": "none",
        "IsSupportCloudinit": True, "IsSupportIoOptimized": True, "IsSelfShared": "False", "IsCopied": False,
        "IsSubscribed": False, "ProductCode": "", "ResourceGroupId": "", "ImageFamily": "", "ImageVersion": "",
        "DiskDeviceMappings": {"DiskDeviceMapping": []}, "Tags": {"Tag": []},
    }


@action(
    "DescribeImages", needs_region=True, strict=True,
    params=(
        "Status", "ImageOwnerAlias", "ImageId", "ImageName", "SnapshotId", "PageNumber", "PageSize", "DryRun",
    ),
)
def describe_images(ctx: Context) -> Dict[str, Any]:
    state = ctx.region()
    statuses = [s for s in (ctx.get("Status") or "Available").split(",") if s]
    if any(s not in IMAGE_STATUSES for s in statuses):
        raise ctx.error("InvalidStatus.NotFound")
    owner = ctx.get("ImageOwnerAlias")
    if owner and owner not in OWNER_ALIASES:
        raise ctx.error("InvalidImageOwnerAlias.ValueNotSupported")
    wanted = {i for i in ctx.get("ImageId").split(",") if i}
    name, snap_id = ctx.get("ImageName"), ctx.get("SnapshotId")
    now = ctx.now
    rows: List[Any] = []
    if owner in ("", "self"):
        for image in reversed(list(state.images.values())):
            if wanted and image.image_id not in wanted:
                continue
            if image.status(now) not in statuses:
                continue
            if name and image.image_name != name:
                continue
            if snap_id and all(sid != snap_id for _, sid, _, _ in image.mappings):
                continue
            rows.append(image)
    if owner in ("", "system") and "Available" in statuses and not snap_id:
        for image_id in PUBLIC_IMAGES:
            if (not wanted or image_id in wanted) and (not name or name == image_id):
                rows.append(PUBLIC_IMAGES[image_id])
    ctx.commit()
    page, meta = paginate(ctx, paging.IMAGES, items=rows)
    views = [image_view(ctx, i) if isinstance(i, Image) else public_view(i.image_id) for i in page]
    return {**meta, "RegionId": ctx.region_id, "Images": {"Image": views}}


@action("DeleteImage", required=("ImageId",), needs_region=True, params=("Force",))
def delete_image(ctx: Context) -> Dict[str, Any]:
    state = ctx.region()
    image = state.images.get(ctx.get("ImageId"))
    if image is None:
        raise ctx.error("InvalidImageId.NotFound")
    in_use = any(i.image_id == image.image_id for i in state.instances.values())
    if in_use and not ctx.get_bool("Force"):
        raise ctx.error("ImageUsingByInstance")
    ctx.commit()
    # The image's snapshots become free to delete.
    for _, snap_id, _, _ in image.mappings:
        snap = state.snapshots.get(snap_id)
        if snap is not None:
            snap.image_ids.discard(image.image_id)
    del state.images[image.image_id]
    ctx.account.where.pop(image.image_id, None)
    return {}
