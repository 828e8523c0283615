"""The order in which the real ECS writes the keys of an answer.

The service builds each object of an answer (the envelope and every nested object) as a Java
``HashMap`` and writes it, in JSON and XML alike, in that map's iteration order: keys sorted by
hash bucket, keys of one bucket in insertion order. Clients depend on it: footmark's parser dies
with ``RecursionError`` when ``PublicIpAddress`` comes before ``EipAddress``. The evidence
(real 2024 answers, the 2021 reference samples) is summarised in README "How faithful it is".

The views of frequent answers write their dicts in this order already, so rendering them costs
nothing; rarely called actions may order a whole answer with ``ordered``. The tests walk every
answer of every built action and check it with ``out_of_order``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

# A real object sometimes has more keys than the mock's (fields only the cloud fills), and its
# capacity, which decides the buckets, grows with them: these are the capacities seen in real
# answers for objects whose key count the mock does not reach.
# A Disk is the other way round: real answers have 40 keys (64); the mock's 51 answer every
# field of the SDK model, and the 11 that real answers show only for some disks (local,
# shared, AutoPL) take their places in that same table of 64.
REAL_CAPACITY: Mapping[str, int] = {"Instance": 128, "Disk": 64}


def java_string_hash(key: str) -> int:
    """``String.hashCode()`` over UTF-16 code units, as a 32-bit unsigned value."""
    h = 0
    data = key.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def capacity(count: int) -> int:
    """The table size a ``HashMap`` filled by ``put`` reaches for ``count`` keys (load 0.75)."""
    cap = 16
    while count > 0.75 * cap:
        cap *= 2
    return cap


@lru_cache(maxsize=4096)
def bucket(key: str, cap: int) -> int:
    h = java_string_hash(key)
    return (h ^ (h >> 16)) & (cap - 1)


def hashmap_order(keys: Iterable[str], cap: Optional[int] = None) -> List[str]:
    """``keys`` in iteration order; keys sharing a bucket keep the order given."""
    keys = list(keys)
    size = cap or capacity(len(keys))
    return sorted(keys, key=lambda k: bucket(k, size))


def out_of_order(keys: Sequence[str], cap: Optional[int] = None) -> Optional[Tuple[str, str]]:
    """The first pair of adjacent keys the real service would write the other way round."""
    size = cap or capacity(len(keys))
    for first, second in zip(keys, keys[1:]):
        if bucket(first, size) > bucket(second, size):
            return first, second
    return None


def ordered(obj: Mapping[str, Any]) -> Dict[str, Any]:
    """``obj`` with the keys of every object in it in iteration order, at the capacity of each
    object's own key count: for answers too rare to be worth writing in order by hand."""
    return {k: _ordered_value(obj[k]) for k in hashmap_order(obj)}


def _ordered_value(value: Any) -> Any:
    if isinstance(value, dict):
        return ordered(value)
    if isinstance(value, list):
        return [_ordered_value(v) for v in value]
    return value
