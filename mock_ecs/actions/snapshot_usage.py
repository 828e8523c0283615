"""DescribeSnapshotLinks (a disk's snapshot chain, ``sl-``) and DescribeSnapshotsUsage.

Sizes are the data the snapshots hold (Snapshot.full_size_bytes, FullSnapshotSizeInBytes of
DescribeSnapshots): the sum over the chain's or the region's accomplished snapshots (one still
progressing or failed holds none yet), as if none were incremental. Counts are every snapshot
stored, failed ones too (they count toward the quota until deleted). Facts: NEXT-ACTIONS.md
sections 2.6 and 2.7, docs-2021/DescribeSnapshotLinks.en.md, DescribeSnapshotsUsage.en.md.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

from .. import keyorder, paging
from ..backend import RegionState
from ..context import Context
from ..errors import EcsError
from ..models import Snapshot
from ..registry import action
from ..table import Table

# MaxResults: "a value smaller than 10 ... is 10; greater than 100 ... 100" (metadata).
LINKS = paging.Limits((10, 100))


def stored_bytes(snaps: List[Snapshot], now: float) -> int:
    return sum(s.full_size_bytes() for s in snaps if s.status(now) == "accomplished")


class _Chain:
    """One chain; its sequence is its place among the region's chains (they are never
    forgotten, see RegionState.link_by_disk), so NextTokens hold across creations."""

    __slots__ = ("link_id", "disk_id", "snapshots", "seq")

    def __init__(self, link_id: str, disk_id: str, snapshots: Table[Snapshot], seq: int) -> None:
        self.link_id, self.disk_id, self.snapshots, self.seq = link_id, disk_id, snapshots, seq


def _disk_ids(ctx: Context) -> Optional[List[str]]:
    """DiskIds: a JSON array of up to 100 IDs; None when absent ("[]" finds nothing)."""
    try:
        return ctx.id_list("DiskIds")
    except EcsError:
        raise ctx.error("InvalidDiskIds", "The specified diskIds is invalid.") from None


def _link_ids(ctx: Context) -> Optional[List[str]]:
    """SnapshotLinkIds, read as DiskIds is."""
    try:
        return ctx.id_list("SnapshotLinkIds")
    except EcsError:
        raise ctx.error("InvalidSnapshotLinkIds", "The specified snapshotLinkIds is invalid.") from None


def link_view(ctx: Context, state: RegionState, chain: _Chain) -> Dict[str, Any]:
    disk = state.disks.get(chain.disk_id)
    snaps = chain.snapshots.values()  # only the chains of the page are read
    newest = snaps[-1]
    inst = state.instances.get(disk.instance_id) if disk is not None and disk.instance_id else None
    return keyorder.ordered({
        "SnapshotLinkId": chain.link_id,
        "SourceDiskId": chain.disk_id,
        # The disk as it is now; once released, as its newest snapshot saw it.
        "SourceDiskName": disk.disk_name if disk is not None else "",
        "SourceDiskSize": disk.size if disk is not None else newest.source_disk_size,
        "SourceDiskType": disk.disk_type if disk is not None else newest.source_disk_type,
        "TotalCount": len(snaps),
        "TotalSize": stored_bytes(snaps, ctx.now),
        "InstanceId": inst.instance_id if inst is not None else "",
        "InstanceName": inst.instance_name if inst is not None else "",
        "RegionId": newest.region_id,
        "Category": newest.category,
        "InstantAccess": newest.instant_access,
    })


@action(
    "DescribeSnapshotLinks", strict=True,
    params=("DiskIds", "SnapshotLinkIds", "InstanceId", "PageNumber", "PageSize", "NextToken", "MaxResults"),
)
def describe_links(ctx: Context) -> Dict[str, Any]:
    """The chains holding snapshots, newest chain first; the filters are ANDed."""
    state = ctx.region()
    disk_ids, link_ids = _disk_ids(ctx), _link_ids(ctx)
    instance_id = ctx.get("InstanceId")
    wanted_disks = set(disk_ids) if disk_ids is not None else None
    wanted_links = set(link_ids) if link_ids is not None else None
    inst_disks: Optional[Set[str]] = None
    if instance_id:
        inst = state.instances.get(instance_id)
        inst_disks = set(inst.disk_ids) if inst is not None else set()
    chains: List[_Chain] = []
    for seq, (disk_id, link_id) in enumerate(state.link_by_disk.items(), 1):
        if ((wanted_disks is not None and disk_id not in wanted_disks)
                or (wanted_links is not None and link_id not in wanted_links)
                or (inst_disks is not None and disk_id not in inst_disks)):
            continue
        snaps = state.snapshots_by_disk.get(disk_id)  # an index; absent once the chain is empty
        if snaps:
            chains.append(_Chain(link_id, disk_id, snaps, seq))
    page, meta = paging.paginate(ctx, LINKS, items=chains)
    return keyorder.ordered({**meta, "SnapshotLinks": {"SnapshotLink": [link_view(ctx, state, c) for c in page]}})


@action("DescribeSnapshotsUsage")
def describe_usage(ctx: Context) -> Dict[str, Any]:
    snaps = ctx.region().snapshots.values()
    return keyorder.ordered({"SnapshotCount": len(snaps), "SnapshotSize": stored_bytes(snaps, ctx.now),
                             "RequestId": ""})
