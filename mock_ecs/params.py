"""The request parameters of every action, from the official metadata (data/params.json), and
the gateway's checks made from them: required parameters and the type of every value.

``params.json`` is derived by ``data/derive_params.py`` and checked in. The gateway runs
``required``/``first_malformed`` before any handler, so a handler never sees a malformed
typed value: an Integer is an optional sign and ASCII digits within 32 bits, a Long within
64 bits, a Boolean ``true``/``false`` in any case, a Float a finite decimal number. An empty
value is an absent one (a required parameter that is empty is missing). Strings, and the
elements of a RepeatList without sub-parameters, take any value; their rules are the
actions' own.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Set, Tuple, TypeVar

Entry = Dict[str, Any]
Table = Dict[str, Dict[str, Entry]]

META: Table = json.loads(Path(__file__).with_name("data").joinpath("params.json").read_text(encoding="utf-8"))

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
# Past this many digits a number cannot be in range, whatever its leading zeros: refused
# before int() (which gives up past 4300 digits).
_MAX_DIGITS = 64
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
# A wire name inside a RepeatList: ``Tag.3.Key``, ``SecurityGroupIds.2``, ``NetworkInterface.1.SecurityGroupIds.2``.
_REPEATED = re.compile(r"([A-Za-z][A-Za-z0-9]*)\.([0-9]+)(?:\.(.+))?", re.S)


def parse_int(raw: str, bounds: Optional[Tuple[int, int]] = INT32) -> Optional[int]:
    """An optional sign and ASCII digits (within ``bounds``); None for anything else."""
    if len(raw) > _MAX_DIGITS or not _INT.fullmatch(raw):
        return None
    value = int(raw)
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        return None
    return value


def _is_int32(raw: str) -> bool:
    return parse_int(raw, INT32) is not None


def _is_int64(raw: str) -> bool:
    return parse_int(raw, INT64) is not None


def _is_bool(raw: str) -> bool:
    return raw.lower() in ("true", "false")


def _is_float(raw: str) -> bool:
    return len(raw) <= _MAX_DIGITS and _FLOAT.fullmatch(raw) is not None and math.isfinite(float(raw))


# Every type the metadata uses, with its check (None: any value). tests/test_param_validation.py
# fails when the metadata brings a type that is not listed here.
CHECKS: Dict[str, Optional[Callable[[str], bool]]] = {
    "String": None,
    "Integer": _is_int32,
    "Long": _is_int64,
    "Boolean": _is_bool,
    "Float": _is_float,
    # The containers: their elements arrive as ``Name.N[.Sub]`` (RepeatList) or ``Name.Field``
    # (Struct, whose fields the metadata lists as their own parameters where it knows them).
    "RepeatList": None,
    "Struct": None,
}


def table(action: str) -> Dict[str, Entry]:
    return META.get(action, {})


def required(action: str) -> Tuple[str, ...]:
    """The action's required parameters: RegionId first (the gateway resolves the region
    before anything else), then the others in the metadata's order."""
    names = [name for name, entry in table(action).items() if entry.get("required")]
    return tuple(sorted(names, key=lambda n: n != "RegionId"))


def present(action: str, name: str, values: Dict[str, str]) -> bool:
    """Whether the required ``name``, absent under its bare name (the gateway asks only then),
    was sent as a RepeatList's ``Name.N``/``Name.N.Sub``, or, for the lowerCamel ``regionId`` of
    the automatic snapshot policy actions, as the ``RegionId`` aliyunsdkcore adds to every request
    (its request classes have no setter for ``regionId``)."""
    if name == "regionId":
        return bool(values.get("RegionId"))
    if table(action).get(name, {}).get("type") != "RepeatList":
        return False
    head = name + "."
    return any(v for k, v in values.items() if k.startswith(head))


def needs_region(action: str) -> bool:
    return bool(table(action).get("RegionId", {}).get("required"))


def type_of(action: str, key: str) -> Optional[str]:
    """The metadata type of the wire parameter ``key`` of ``action`` (None: not a parameter of it)."""
    return _type_in(table(action), key)


def _type_in(entries: Dict[str, Entry], key: str) -> Optional[str]:
    entry = entries.get(key)
    if entry is not None:
        return str(entry["type"])
    m = _REPEATED.fullmatch(key)
    if m is None:
        return None
    entry = entries.get(m.group(1))
    if entry is None or entry["type"] != "RepeatList":
        return None
    rest = m.group(3)
    if rest is None:
        return "String"  # an element of a list of plain values
    return _type_in(entry.get("sub", {}), rest)


V = TypeVar("V")
# A cache, not a record: past this many names (hostile requests can make up any number of
# them) an answer is worked out each time instead of being remembered.
CACHED_NAMES = 2048


class Learnt(Dict[str, V]):
    """name -> ``work(name)``, worked out on the first ask and then a plain dict lookup (no
    Python call); bounded by ``CACHED_NAMES``, since the names come from requests."""

    def __init__(self, work: Callable[[str], V]) -> None:
        super().__init__()
        self._work = work

    def __missing__(self, name: str) -> V:
        answer = self._work(name)
        if len(self) < CACHED_NAMES:
            self[name] = answer
        return answer


Check = Optional[Callable[[str], bool]]
# action -> wire name -> the check of its type (None: any value).
_CHECK_OF: Dict[str, Learnt[Check]] = {}


def _checks(action: str) -> Learnt[Check]:
    def check_of(key: str) -> Check:
        kind = type_of(action, key)
        return CHECKS.get(kind) if kind is not None else None

    return _CHECK_OF.setdefault(action, Learnt(check_of))


# action -> the wire names met that take any value (no check): a request made of these alone
# (the common parameters and Strings: most requests) is answered by one set operation.
_UNTYPED: Dict[str, Set[str]] = {}


def first_malformed(action: str, params: Dict[str, str]) -> Optional[str]:
    """The first parameter (in request order) whose non-empty value is not of its type."""
    untyped = _UNTYPED.get(action)
    if untyped is None:
        untyped = _UNTYPED.setdefault(action, set())
    elif untyped.issuperset(params):
        return None
    checks = _CHECK_OF.get(action)
    if checks is None:
        checks = _checks(action)
    for key, value in params.items():
        check = checks[key]
        if check is None:
            if len(untyped) < CACHED_NAMES:  # bounded: the names come from requests
                untyped.add(key)
        elif value != "" and not check(value):
            return key
    return None


def types_used() -> Set[str]:
    """Every type the table names (sub-parameters included)."""
    seen: Set[str] = set()

    def walk(entries: Dict[str, Entry]) -> None:
        for entry in entries.values():
            seen.add(entry["type"])
            walk(entry.get("sub", {}))

    for entries in META.values():
        walk(entries)
    return seen
