"""An ID -> resource table that also keeps creation order, for paging without scans.

Each resource gets a sequence number when it enters a table; numbers only grow, so "newest
first" is descending sequence, and a page token can name the last number it showed. Lookup
by ID is a dict hit; the n-th newest item and "items older than s" are list slices found by
bisection, so a page costs O(page + log n) however large the region is.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from typing import Dict, Generic, Iterator, List, Optional, Protocol, TypeVar


class Sequenced(Protocol):
    seq: int


T = TypeVar("T", bound=Sequenced)

# One counter for the process: a sequence number is never reused, even across mocks.
_counter = itertools.count(1)


class Table(Generic[T]):
    """``primary`` tables number what enters them; an index over the same items does not."""

    def __init__(self, primary: bool = True) -> None:
        self._primary = primary
        self._by_id: Dict[str, T] = {}
        self._seqs: List[int] = []
        self._items: List[T] = []

    # --- mapping ---------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        return key in self._by_id

    def __getitem__(self, key: str) -> T:
        return self._by_id[key]

    def get(self, key: str) -> Optional[T]:
        return self._by_id.get(key)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._by_id))

    def values(self) -> List[T]:
        """Oldest first (creation order)."""
        return list(self._items)

    def __setitem__(self, key: str, item: T) -> None:
        if key in self._by_id:
            raise KeyError(f"{key} is already in the table")
        if self._primary:
            item.seq = next(_counter)
        elif self._seqs and item.seq <= self._seqs[-1]:
            raise ValueError("an index receives items in creation order")
        self._by_id[key] = item
        self._seqs.append(item.seq)
        self._items.append(item)

    def __delitem__(self, key: str) -> None:
        item = self._by_id.pop(key)
        index = bisect_left(self._seqs, item.seq)
        del self._seqs[index]
        del self._items[index]

    def pop(self, key: str, default: Optional[T] = None) -> Optional[T]:
        item = self._by_id.pop(key, None)
        if item is None:
            return default
        index = bisect_left(self._seqs, item.seq)  # as __delitem__ does
        del self._seqs[index]
        del self._items[index]
        return item

    # --- order -----------------------------------------------------------------------
    def newest(self) -> Optional[T]:
        return self._items[-1] if self._items else None

    def oldest_first(self) -> Iterator[T]:
        """Items in creation order, without the copy ``values()`` makes (do not change the table meanwhile)."""
        return iter(self._items)

    def newest_first(self, before_seq: Optional[int] = None) -> Iterator[T]:
        """Items newest first, only those older than ``before_seq`` when given."""
        end = len(self._items) if before_seq is None else bisect_left(self._seqs, before_seq)
        items = self._items
        for index in range(end - 1, -1, -1):
            yield items[index]

    def newest_slice(self, offset: int, size: int) -> List[T]:
        """The ``offset``-th to ``offset+size``-th newest items."""
        end = len(self._items) - offset
        if end <= 0:
            return []
        return self._items[max(0, end - size):end][::-1]
