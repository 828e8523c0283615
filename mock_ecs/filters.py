"""Small predicates the Describe actions combine: each given filter becomes one check, ANDed."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable, Collection, Iterable, List, Optional, Tuple

from .clock import parse_iso
from .errors import EcsError

Check = Callable[[Any], bool]


def value_is(get: Callable[[Any], Any], value: Any) -> Check:
    """What ``get`` reads of an item equals ``value`` (for values that are not plain attributes)."""
    return lambda item: bool(get(item) == value)


def equals(attr: str, value: Any) -> Check:
    return value_is(attrgetter(attr), value)


def one_of(attr: str, values: Collection[Any]) -> Check:
    get = attrgetter(attr)
    return lambda item: get(item) in values


def not_before(attr: str, when: float) -> Check:
    get = attrgetter(attr)
    return lambda item: bool(get(item) >= when)


def not_after(attr: str, when: float) -> Check:
    get = attrgetter(attr)
    return lambda item: bool(get(item) <= when)


def earlier_than(attr: str, end: float) -> Check:
    get = attrgetter(attr)
    return lambda item: bool(get(item) < end)


def status_is(value: str, now: float) -> Check:
    return lambda item: bool(item.status(now) == value)


def nothing(_: Any) -> bool:
    return False


def combine(checks: List[Check]) -> Optional[Check]:
    """All checks at once; None when there is nothing to check (pages are then plain slices)."""
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda item: all(check(item) for check in checks)


CREATION_KEYS = ("CreationStartTime", "CreationEndTime")


def creation_times(
    pairs: Iterable[Tuple[str, str]], bad_key: Callable[[], EcsError], bad_value: Callable[[], EcsError],
) -> List[Tuple[str, float]]:
    """``Filter.N`` (Key, Value) pairs naming CreationStartTime/CreationEndTime, parsed.

    A pair with neither part is skipped; each action supplies its own documented errors.
    """
    out: List[Tuple[str, float]] = []
    for key, value in pairs:
        if not key and not value:
            continue
        if key not in CREATION_KEYS:
            raise bad_key()
        try:
            out.append((key, parse_iso(value)))
        except ValueError:
            raise bad_value() from None
    return out
