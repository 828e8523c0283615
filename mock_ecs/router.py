"""Which actions exist and which the mock builds: the table of handlers, read.

Importing this module imports the actions package, whose modules register their handlers with
``@action`` (registry.py) as they are imported; so whoever reads the table here finds it full.
The router only reads it: it adds the real ECS actions (data/ecs_actions.txt), the lookup, and
the refusal of real filters a strict action does not implement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, FrozenSet, Optional

from . import actions as _actions  # noqa: F401  (imported for the handlers it registers)
from .registry import ACTIONS, ALWAYS, META, ActionSpec, Handler, family

__all__ = [
    "ACTIONS", "ALWAYS", "META", "REAL_ACTIONS", "ActionSpec", "Handler", "family", "lookup", "unsupported_filter",
]

_DATA = Path(__file__).with_name("data")


def _load_real_actions() -> FrozenSet[str]:
    lines = (_DATA / "ecs_actions.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


REAL_ACTIONS: FrozenSet[str] = _load_real_actions()


def lookup(name: str) -> Optional[ActionSpec]:
    return ACTIONS.get(name)


def unsupported_filter(spec: ActionSpec, params: Dict[str, str]) -> Optional[str]:
    """The first real, non-empty parameter of a strict action that the mock does not implement."""
    if not spec.strict:
        return None
    real = META.get(spec.name, {})
    for key, value in params.items():
        if value == "" or spec.allows(key):
            continue
        if key in real or family(key) in real:
            return key
    return None
