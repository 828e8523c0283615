"""Action name -> handler: the ``@action`` decorator and the table it fills.

The action modules import this module and register their handlers as they are imported; the
router (router.py) imports the actions package and only reads the table. Importing the table
from here does not fill it: readers go through the router.

Each handler declares every business parameter it reads (``params``, metadata names:
``Tag`` covers ``Tag.N.Key``). Its required parameters, and whether it needs a region (RegionId
required), come from the table derived from the official metadata (data/params.json, see
params.py), never from a hand-written list. The declaration is enforced when a handler reads
a parameter, so the README's table of supported parameters, generated from it, cannot drift
from the code. For ``strict`` actions (the Describe* filters) a real parameter that is not
implemented is refused rather than silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Tuple

from . import params as _params
from .context import Context

Handler = Callable[[Context], Dict[str, Any]]

# Parameters every action may read without declaring them.
ALWAYS = frozenset({"RegionId", "ClientToken"})
_INDEXED = re.compile(r"^([A-Za-z]+)\.\d+(?:\.|$)")
# action -> parameter name -> {"type", "required", "sub"}, derived from the official metadata.
META: Dict[str, Dict[str, Dict[str, Any]]] = _params.META


def family(name: str) -> str:
    """The metadata name of a wire parameter: ``Tag.3.Key`` -> ``Tag``."""
    m = _INDEXED.match(name)
    return m.group(1) if m else name


@dataclass(frozen=True)
class ActionSpec:
    name: str
    handler: Handler
    required: Tuple[str, ...]
    # Actions with RegionId required in the metadata; the others find the resource's region.
    needs_region: bool
    params: FrozenSet[str]
    strict: bool
    # allows(name): ``declares``, learnt per name. The dict lookup itself, so that each read of
    # a request's Context (which is handed it) costs no Python call.
    allows: Callable[[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allows", _params.Learnt(self.declares).__getitem__)

    def declares(self, name: str) -> bool:
        """Whether the handler declared the parameter (or family, or prefix) ``name``."""
        return (
            name in self.params or name in ALWAYS or family(name) in self.params
            or any(p.startswith(name + ".") for p in self.params)
        )


ACTIONS: Dict[str, ActionSpec] = {}


def action(name: str, *, params: Tuple[str, ...] = (), strict: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler; its required parameters are the metadata's (params.required)."""
    if name not in META:
        raise LookupError(f"{name} has no entry in data/params.json: rerun data/derive_params.py")
    required = _params.required(name)

    def register(fn: Handler) -> Handler:
        ACTIONS[name] = ActionSpec(
            name, fn, required, _params.needs_region(name), frozenset(params) | frozenset(required), strict,
        )
        return fn

    return register
