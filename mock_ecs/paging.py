"""Both pagination styles of the Describe actions, newest first, with opaque NextTokens.

A NextToken names the sequence number of the last item shown (see table.py), so the next
page starts just after it: walking every page returns each item that existed when the
walk began exactly once, whatever is created or deleted meanwhile (new items are newer and
are not mixed into an older walk). A token is signed and bound to its action, its filters
and the mock that issued it: a forged one, or one from before a reset, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, TypeVar

from .context import Context
from .table import Sequenced, Table
from .validate import fingerprint

T = TypeVar("T", bound=Sequenced)

_KEY = secrets.token_bytes(16)
PAGING_PARAMS = frozenset({"NextToken", "MaxResults", "PageNumber", "PageSize"})


@dataclass(frozen=True)
class Limits:
    """The real defaults and bounds of one action's paging parameters."""

    # MaxResults (lowest, highest), values outside are clamped to them; None: no NextToken.
    max_results: Optional[Tuple[int, int]]
    page_size_max: int = 100
    default: int = 10


SNAPSHOTS = Limits((1, 100))
DISKS = Limits((10, 500))
INSTANCES = Limits((10, 100))
IMAGES = Limits(None)


def _filters_digest(ctx: Context) -> str:
    business = {k: v for k, v in ctx.params.items() if k not in PAGING_PARAMS}
    # The region is part of the query too (fingerprint leaves RegionId out, as a common parameter).
    return hashlib.sha256(repr((ctx.region_id, fingerprint(business))).encode()).hexdigest()[:12]


def make_token(ctx: Context, last_seq: int) -> str:
    body = json.dumps([ctx.action, last_seq, _filters_digest(ctx), ctx.backend.generation], separators=(",", ":"))
    sig = hmac.new(_KEY, body.encode(), hashlib.sha256).hexdigest()[:16]
    return base64.urlsafe_b64encode(f"{body}|{sig}".encode()).decode().rstrip("=")


def read_token(ctx: Context, token: str) -> int:
    """The sequence number a NextToken continues after."""
    try:
        raw = base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()).decode()
        body, sig = raw.rsplit("|", 1)
        action, last_seq, digest, generation = json.loads(body)
    except (ValueError, UnicodeDecodeError, TypeError, RecursionError):
        raise ctx.error("InvalidNextToken.Malformed") from None
    # compare_digest refuses str with non-ASCII characters: compare the bytes.
    good = hmac.compare_digest(sig.encode(), hmac.new(_KEY, body.encode(), hashlib.sha256).hexdigest()[:16].encode())
    if (not good or action != ctx.action or digest != _filters_digest(ctx)
            or generation != ctx.backend.generation or not isinstance(last_seq, int)):
        raise ctx.error("InvalidNextToken.Malformed")
    return last_seq


def _newest_first(table: Optional[Table[Any]], items: Optional[Iterable[T]], before: Optional[int]) -> Iterable[T]:
    if table is not None:
        return table.newest_first(before)
    ordered = sorted(items or (), key=lambda item: item.seq, reverse=True)
    return ordered if before is None else [item for item in ordered if item.seq < before]


def paginate(
    ctx: Context, limits: Limits, *, table: Optional[Table[Any]] = None, items: Optional[Iterable[T]] = None,
    keep: Optional[Callable[[T], bool]] = None,
) -> Tuple[List[T], Dict[str, Any]]:
    """One page of the candidates (a region table, or a list from an index) that ``keep`` accepts.

    Without a filter a page of a table is a slice: its cost does not grow with the region. The
    paging fields come in the real envelope's order, with the slot of the RequestId (render.py):
    ``{**meta, "Disks": ...}`` is the real DescribeDisks/DescribeSnapshots envelope.
    """
    items = list(items) if items is not None else None
    uses_token = limits.max_results is not None and (ctx.get("NextToken") or ctx.has("MaxResults"))
    if uses_token:
        page, token, size = _token_page(ctx, limits, table, items, keep)
        return page, {"TotalCount": _total(table, items, keep), "NextToken": token, "PageSize": size, "RequestId": ""}
    number = ctx.get_int("PageNumber", 1, "InvalidPageNumber.Malformed", lo=1) or 1
    size = ctx.get_int("PageSize", limits.default, "InvalidPageSize.Malformed", lo=1,
                       hi=limits.page_size_max) or limits.default
    offset = (number - 1) * size
    if table is not None and keep is None:
        page, total = table.newest_slice(offset, size), len(table)
    else:
        matching = [item for item in _newest_first(table, items, None) if keep is None or keep(item)]
        page, total = matching[offset:offset + size], len(matching)
    if limits.max_results is None:
        return page, {"TotalCount": total, "PageSize": size, "RequestId": "", "PageNumber": number}
    token = make_token(ctx, page[-1].seq) if page and offset + len(page) < total else ""
    return page, {"TotalCount": total, "NextToken": token, "PageSize": size, "RequestId": "", "PageNumber": number}


def token_page(
    ctx: Context, limits: Limits, *, table: Optional[Table[Any]] = None, items: Optional[Iterable[T]] = None,
    keep: Optional[Callable[[T], bool]] = None,
) -> Tuple[List[T], str]:
    """One NextToken/MaxResults page and the NextToken after it ("" at the end), for the actions
    whose answer has no TotalCount (DescribeSnapshotGroups, DescribeAutoSnapshotPolicyAssociations)."""
    page, token, _ = _token_page(ctx, limits, table, list(items) if items is not None else None, keep)
    return page, token


def _token_page(
    ctx: Context, limits: Limits, table: Optional[Table[Any]], items: Optional[List[T]],
    keep: Optional[Callable[[T], bool]],
) -> Tuple[List[T], str, int]:
    assert limits.max_results is not None
    lo, hi = limits.max_results
    size = min(max(ctx.get_int("MaxResults", limits.default) or limits.default, lo), hi)
    token = ctx.get("NextToken")
    before = read_token(ctx, token) if token else None
    page: List[T] = []
    for item in _newest_first(table, items, before):
        if keep is None or keep(item):
            page.append(item)
            if len(page) > size:
                break
    more = len(page) > size
    page = page[:size]
    return page, make_token(ctx, page[-1].seq) if more else "", size


def _total(table: Optional[Table[Any]], items: Optional[Iterable[T]], keep: Optional[Callable[[T], bool]]) -> int:
    if keep is None:
        return len(table) if table is not None else len(list(items or ()))
    source: Iterable[T] = table.values() if table is not None else (items or ())
    return sum(1 for item in source if keep(item))
