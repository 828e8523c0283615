"""What a handler sees of one request: its parameters, account, region and the clock reading.

The clock is read once per request, so every rule within one call sees the same instant.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, List, Optional

from . import errors
from .backend import Account, Backend, RegionState
from .errors import EcsError
from .params import parse_int
from .settings import Settings

_REPR_LIST = re.compile(r"^\[\s*(?:'[A-Za-z0-9_.:-]*'\s*(?:,\s*'[A-Za-z0-9_.:-]*'\s*)*)?\]$")


class UndeclaredParameter(AssertionError):
    """A handler read a parameter its @action did not declare (answered as InternalError)."""


class Context:
    def __init__(
        self,
        backend: Backend,
        account: Account,
        action: str,
        params: Dict[str, str],
        region_id: Optional[str],
        now: float,
        request_id: str,
        allows: Optional[Callable[[str], bool]] = None,
    ) -> None:
        self.backend = backend
        self.account = account
        self.action = action
        self.params = params
        self.region_id = region_id
        # The region the call acted in, for the call record: the request's, else the region
        # of the first resource it located (a request may name none: CreateSnapshot, DiskId).
        self.acted_region = region_id
        self.now = now
        self.request_id = request_id
        self.settings: Settings = backend.settings
        # None for the control API's own views, which read no parameters.
        self._allows = allows
        # An undeclared DryRun is not read (asked about only when it is "true": nearly never).
        self.dry_run = params.get("DryRun", "").lower() == "true" and self._declared("DryRun")

    # --- errors --------------------------------------------------------------------------
    def error(self, key: str, message: Optional[str] = None) -> EcsError:
        return errors.error(key, message=message)

    def commit(self) -> None:
        """Called by a handler once every check passed and before it changes anything."""
        if self.dry_run:
            raise self.error("DryRunOperation")

    # --- regions -------------------------------------------------------------------------
    def region(self) -> RegionState:
        """The request's region; actions that need one have RegionId checked by the gateway."""
        assert self.region_id is not None
        return self.account.region(self.region_id)

    def locate(self, resource_id: str) -> Optional[RegionState]:
        """Where ``resource_id`` lives, within the request's region when it names one."""
        if self.acted_region is None:
            self.acted_region = self.account.where.get(resource_id)
        return self.account.find(resource_id, self.region_id)

    # --- typed parameters ----------------------------------------------------------------
    def _declared(self, name: str) -> bool:
        return self._allows is None or self._allows(name)

    def _read(self, name: str) -> Optional[str]:
        """Every read goes through here (``get`` inlines it): reading an undeclared parameter is a
        bug of ours."""
        allows = self._allows
        if allows is not None and not allows(name):
            raise UndeclaredParameter(f"{self.action} reads {name!r} without declaring it in @action(params=...)")
        return self.params.get(name)

    def get(self, name: str, default: str = "") -> str:
        allows = self._allows  # _read, inlined: the most frequent read
        if allows is not None and not allows(name):
            self._read(name)  # raises UndeclaredParameter
        value = self.params.get(name)
        return default if value is None else value

    def has(self, name: str) -> bool:
        return self._read(name) is not None

    def get_int(
        self, name: str, default: Optional[int] = None, error_key: Optional[str] = None,
        lo: Optional[int] = None, hi: Optional[int] = None,
    ) -> Optional[int]:
        raw = self._read(name)
        if raw is None or raw == "":
            return default
        # ASCII digits only (int() would take "1_0", " 7" and other scripts' digits); the
        # gateway already refused a malformed Integer, this guards String-typed numbers.
        value = parse_int(raw, None)
        if value is None:
            raise self._bad(name, error_key)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self._bad(name, error_key)
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        raw = self._read(name)
        if raw is None or raw == "":
            return default
        low = raw.lower()
        if low not in ("true", "false"):
            raise errors.invalid_parameter(name)
        return low == "true"

    def _bad(self, name: str, error_key: Optional[str]) -> EcsError:
        return self.error(error_key) if error_key else errors.invalid_parameter(name)

    def indexed(self, prefix: str, limit: int = 100) -> Dict[int, Dict[str, str]]:
        """Collect ``Prefix.N.Field`` parameters into {N: {Field: value}} (N from 1)."""
        if not self._declared(prefix):
            raise UndeclaredParameter(f"{self.action} reads {prefix}.N without declaring it")
        out: Dict[int, Dict[str, str]] = {}
        head = prefix + "."
        # Most requests carry none (CreateSnapshot without Tag): one search of the names joined,
        # which finds every name starting with ``head`` (and at worst a false alarm: the loop).
        if "\n" + head not in "\n" + "\n".join(self.params):
            return out
        for key, value in self.params.items():
            if not key.startswith(head):
                continue
            number, _, sub = key[len(head):].partition(".")
            # No sign (which parse_int takes); parse_int refuses other scripts' digits ("²") and
            # numbers too long for int().
            n = parse_int(number, (1, limit)) if number.isdigit() else None
            if n is None:
                raise errors.invalid_parameter(key)
            out.setdefault(n, {})[sub] = value
        return dict(sorted(out.items()))

    def id_list(self, name: str, limit: int = 100, too_many: Optional[str] = None) -> Optional[List[str]]:
        """A JSON-array ID list (``["s-1","s-2"]``); None when absent."""
        raw = self._read(name)
        if raw is None or raw == "":
            return None
        values = parse_id_list(name, raw)
        if len(values) > limit:
            raise self.error(too_many) if too_many else errors.invalid_parameter(name)
        return values


def parse_id_list(name: str, raw: str) -> List[str]:
    """A JSON array of strings; anything else is a malformed parameter.

    footmark (behind the Ansible modules) sends Python's repr, ``['s-1', 's-2']``; a list of
    single-quoted plain IDs is read the same way.
    """
    try:
        value: Optional[Any] = json.loads(raw)
    except RecursionError:  # "[[[[...": nested deeper than the parser goes
        raise errors.invalid_parameter(name) from None
    except ValueError:
        value = None
        if _REPR_LIST.match(raw):
            value = json.loads(raw.replace("'", '"'))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise errors.invalid_parameter(name)
    return list(value)
