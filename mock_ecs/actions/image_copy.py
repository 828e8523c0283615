"""CopyImage: a custom image copied to another region (or its own).

The copy is a new image of the destination region, ``Creating`` for ``image_creation_seconds``
of the mock's clock, with one new snapshot per snapshot of the source, made in the destination
and progressing for the same time. While a copy is Creating, its source cannot be deleted
(DeleteImage ``OperationDenied.ImageCopying``, images.py).

CopyImage has no documented error table; it answers the codes the other image actions document
for the same faults (the source image unknown, a name malformed or taken, the quota reached).
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from .. import regions, validate
from ..backend import add_snapshot
from ..context import Context
from ..models import Image, Snapshot
from ..registry import action
from .common import check_image_room, new_id


def copying(ctx: Context, image_id: str) -> bool:
    """Whether a copy of ``image_id`` is still Creating in some region of the account."""
    now = ctx.now
    return any(
        img.copy_source == image_id and img.status(now) == "Creating"
        for state in ctx.account.regions.values() for img in state.images.values()
    )


@action(
    "CopyImage",
    params=(
        "ImageId", "DestinationRegionId", "DestinationImageName", "DestinationDescription", "Encrypted", "KMSKeyId",
        "EncryptAlgorithm", "ResourceGroupId", "Tag", "DryRun",
    ),
)
def copy_image(ctx: Context) -> Dict[str, Any]:
    """Checks, in this order: the parameters' formats, the ClientToken, the source image (a custom
    image of the request's region, Available), the destination region, then its names and quota."""
    region_id = ctx.region_id
    assert region_id is not None
    name = validate.optional_name(ctx, "DestinationImageName", "InvalidImageName.Malformed", letter_start=True)
    if name.startswith(("acs:", "aliyun")):  # the metadata's rule for DestinationImageName
        raise ctx.error("InvalidImageName.Malformed")
    description = validate.optional_description(ctx, "DestinationDescription",
                                                error_key="InvalidDescription.MalformedImage")
    encrypted = ctx.get_bool("Encrypted")
    kms_key_id = ctx.get("KMSKeyId")
    ctx.get("EncryptAlgorithm")  # "This parameter is unavailable." (metadata): read and ignored
    tags = validate.tags(ctx)
    token = validate.client_token(ctx)
    destination = ctx.get("DestinationRegionId") or region_id

    def create() -> Dict[str, Any]:
        state = ctx.region()
        source = state.images.get(ctx.get("ImageId"))
        if source is None:
            raise ctx.error("InvalidImageId.NotFound")
        now = ctx.now
        if source.status(now) != "Available":
            raise ctx.error("IncorrectImageStatus")
        if not regions.is_known(destination):
            raise ctx.error("InvalidRegionId.NotFound")
        target = ctx.account.region(destination)
        check_image_room(ctx, target, name)
        ctx.commit()
        seconds = ctx.settings.image_creation_seconds
        image_id = new_id(ctx, "m", destination)
        rows: List[Tuple[str, str, int, str]] = []
        for device, snap_id, size, kind in source.mappings:
            original = state.snapshots.get(snap_id)
            snap = Snapshot(
                snapshot_id=new_id(ctx, "s", destination), region_id=destination,
                source_disk_id=original.source_disk_id if original else "", source_disk_size=size,
                source_disk_type=kind, source_disk_category=original.source_disk_category if original else "cloud_essd",
                created_at=now, duration=seconds, snapshot_name=f"Created_for_{image_id}",
                description=f"Copied from {snap_id} for image {image_id}",
                encrypted=encrypted or (original.encrypted if original else False),
                kms_key_id=kms_key_id or (original.kms_key_id if original and not encrypted else ""),
                data_gib=original.data_gib if original else None, content=original.content if original else 0,
            )
            add_snapshot(ctx.account, target, snap)
            snap.image_ids.add(image_id)
            rows.append((device, snap.snapshot_id, size, kind))
        target.images[image_id] = Image(
            image_id=image_id, region_id=destination, image_name=name or image_id, created_at=now,
            ready_at=now + seconds, size=source.size, description=description or source.description,
            platform=source.platform, os_type=source.os_type, architecture=source.architecture, mappings=rows,
            tags=tags, resource_group_id=ctx.get("ResourceGroupId"), image_family=source.image_family,
            os_name=source.os_name, copy_source=source.image_id,
        )
        return {"ImageId": image_id}

    answer = validate.idempotent(ctx, token, "IdempotentParameterMismatch", create)
    # Keys in the real order (keyorder.py): RequestId first, as in CreateImage.
    return {"RequestId": "", "ImageId": answer["ImageId"]}
