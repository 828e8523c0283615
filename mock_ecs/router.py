"""Action name -> handler, built once when the action modules are imported.

Each handler declares its required parameters and whether it needs a region, so the gateway
answers ``Missing<Name>`` uniformly before a handler runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Optional, Tuple

from .context import Context

Handler = Callable[[Context], Dict[str, Any]]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    handler: Handler
    required: Tuple[str, ...]
    # Actions with RegionId required in the metadata; the others find the resource's region.
    needs_region: bool


ACTIONS: Dict[str, ActionSpec] = {}


def action(name: str, *, required: Tuple[str, ...] = (), needs_region: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        reqs = (("RegionId",) if needs_region else ()) + required
        ACTIONS[name] = ActionSpec(name, fn, reqs, needs_region)
        return fn

    return register


def _load_real_actions() -> FrozenSet[str]:
    path = Path(__file__).with_name("data") / "ecs_actions.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


REAL_ACTIONS: FrozenSet[str] = _load_real_actions()


def lookup(name: str) -> Optional[ActionSpec]:
    return ACTIONS.get(name)


def _register_all() -> None:
    # Imported for their @action side effect.
    from .actions import disks, images, instances, snapshots  # noqa: F401


_register_all()
