"""CopySnapshot: a snapshot copied to another region (NEXT-ACTIONS.md 2.1).

The copy is a new snapshot of the destination region, ``progressing`` on the mock's clock (as
long as a snapshot of the source's data takes, or ``copy_seconds_per_gib`` per GiB), then
``accomplished``. It holds its source's data (size, content generation), shows its source in
``SourceSnapshotId``/``SourceRegionId``, and does not take the source's tags. It stays in the
chain of its source's disk (``SourceDiskId``), so the failure rules of that disk apply to it.
Deleting it while it progresses cancels the copy (DeleteSnapshot).

Checks, in this order: the parameters' formats -> the ClientToken -> the account -> the
destination region (unknown: InvalidRegionId.NotExists; the source's own:
InvalidOperation.NotSupportCopyInSameRegion) -> the source snapshot (InvalidSnapshotId.NotFound,
403 here; progressing or failed: InvalidSnapshotId.NotReady) -> the destination's quota.
"""

from __future__ import annotations

from typing import Any, Dict

from .. import regions, validate
from ..backend import add_snapshot, fail_at
from ..context import Context
from ..models import Snapshot
from ..registry import action
from ..settings import Settings
from .common import check_account_open, new_id

# CopySnapshot's QuotaExceed.SnapshotQuota has no text in its table: CreateSnapshot's newer
# reference words the same code so (FACTS.md 8).
SNAPSHOT_QUOTA = "The quota is insufficient, please contact your channel partner to increase the quota."
# The table lists InvalidEncrypted.NotMatchKmsKeyId without a text: the mock's own words.
KMS_WITHOUT_ENCRYPTED = "The specified KMSKeyId is only valid when Encrypted is true."


def copy_seconds(settings: Settings, source: Snapshot) -> float:
    """How long a copy of ``source`` progresses: max(snapshot_min_seconds, data GiB x rate), the
    rate being ``copy_seconds_per_gib`` or, when 0, that of a snapshot."""
    rate = settings.copy_seconds_per_gib or settings.snapshot_seconds_per_gib
    gib = source.full_size_bytes() / 2**30
    return max(settings.snapshot_min_seconds, gib * rate)


@action(
    "CopySnapshot",
    params=(
        "DestinationRegionId", "DestinationSnapshotName", "DestinationSnapshotDescription", "RetentionDays",
        "Encrypted", "KMSKeyId", "Tag", "ResourceGroupId", "Arn", "DestinationStorageLocationArn",
    ),
)
def copy_snapshot(ctx: Context) -> Dict[str, Any]:
    region_id = ctx.region_id
    assert region_id is not None
    # The 2025 metadata's rule: 2-128 characters, a letter first, then letters, digits, ":_.-".
    name = ctx.get("DestinationSnapshotName")
    if name and not validate.check_name(name, "current", forbid_auto=False, letter_start=True):
        raise ctx.error("InvalidSnapshotName.Malformed")
    description = validate.optional_description(ctx, "DestinationSnapshotDescription")
    retention = ctx.get_int("RetentionDays", None, "InvalidRetentionDays.Malformed", lo=1, hi=65536)
    encrypted = ctx.get_bool("Encrypted")
    kms_key_id = ctx.get("KMSKeyId")
    if kms_key_id and not encrypted:
        raise ctx.error("InvalidEncrypted.NotMatchKmsKeyId", message=KMS_WITHOUT_ENCRYPTED)
    tags = validate.tags(ctx)
    token = validate.client_token(ctx)
    ctx.get("Arn")  # "invitational preview and unavailable for public use" (metadata): ignored
    ctx.get("DestinationStorageLocationArn")  # "not publicly available" (metadata): ignored
    destination = ctx.get("DestinationRegionId")

    def create() -> Dict[str, Any]:
        check_account_open(ctx)
        account = ctx.account
        if not regions.is_known(destination):
            raise ctx.error("InvalidRegionId.NotExists", message="Region not exists.")
        if destination == region_id:
            raise ctx.error("InvalidOperation.NotSupportCopyInSameRegion",
                            message="Copying snapshot in the same region is not supported.")
        source = ctx.region().snapshots.get(ctx.get("SnapshotId"))
        if source is None:
            raise ctx.error("InvalidSnapshotId.NotFound")
        now = ctx.now
        if source.status(now) != "accomplished":  # progressing or failed
            raise ctx.error("InvalidSnapshotId.NotReady")
        target = account.region(destination)
        chain = target.snapshots_by_disk.get(source.source_disk_id)
        if chain is not None and len(chain) >= ctx.settings.snapshot_quota:
            raise ctx.error("QuotaExceed.SnapshotQuota", message=SNAPSHOT_QUOTA)
        ctx.commit()
        copy = Snapshot(
            snapshot_id=new_id(ctx, "s", destination), region_id=destination,
            source_disk_id=source.source_disk_id, source_disk_size=source.source_disk_size,
            source_disk_type=source.source_disk_type, source_disk_category=source.source_disk_category,
            created_at=now, duration=copy_seconds(ctx.settings, source), snapshot_name=name,
            description=description, retention_days=retention,
            # A KMS key is regional: the copy is encrypted with the key given (or the destination's
            # default one, ""), never the source's.
            encrypted=encrypted or source.encrypted, kms_key_id=kms_key_id,
            resource_group_id=ctx.get("ResourceGroupId"), tags=tags, data_gib=source.data_gib,
            content=source.content, source_snapshot_id=source.snapshot_id, source_region_id=region_id,
        )
        at = ctx.backend.draw_failure(source.source_disk_id) if ctx.backend.failure_rules else None
        if at is not None:
            fail_at(copy, at)
        add_snapshot(account, target, copy)
        return {"SnapshotId": copy.snapshot_id}

    answer = validate.idempotent(ctx, token, "IdempotentParameterMismatch", create)
    # Keys in the real order (keyorder.py): as CreateSnapshot's, the SnapshotId first.
    return {"SnapshotId": answer["SnapshotId"], "RequestId": ""}
