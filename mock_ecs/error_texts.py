"""Each action's own status and message for a code: the table the gateway reads for every error.

The same code reads differently per action in the reference (``InvalidDescription.Malformed``
is 404 in CreateSnapshot and 400 in CreateDisk). ``data/errors.json`` (derived from the
reference by ``data/derive_errors.py``) holds every built action's documented codes and the
common table; ``localize`` answers an error with them:

1. a message the action documents for the code keeps it, with the action's status;
2. the catalogue's text for the code (errors.CATALOGUE: what a handler gets when it names no
   text) becomes the action's own, where the action documents one (the first is the newest);
3. any other message (a handler's own, a ``%s`` filled in) stays, with the status of the
   action's ``%s`` row when it has one.

Lookups go to the action's table (for CreateSnapshot under ``edition="spec"``, the spec's table
first), then the common table, then nothing: the error stays as raised. An action's table is
made on its first error, then one dict lookup per error answered; a successful call never
comes here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Set, Tuple

from . import errors
from .errors import EcsError

Entry = Tuple[int, str]
Table = Dict[str, List[Entry]]

DATA: Dict[str, object] = json.loads(
    Path(__file__).with_name("data").joinpath("errors.json").read_text(encoding="utf-8")
)
ACTIONS: Dict[str, Table] = DATA["actions"]  # type: ignore[assignment]
COMMON: Table = DATA["common"]  # type: ignore[assignment]
EDITIONS: Dict[str, Dict[str, Table]] = DATA["editions"]  # type: ignore[assignment]
CHOICES: List[str] = DATA["choices"]  # type: ignore[assignment]
FILL = "%s"
# A failure of the server itself reads as the common table says in every action (the actions'
# tables word InternalError two ways, at random); an injected one too.
SERVER_CODES = ("InternalError", "ServiceUnavailable")


class Rule(NamedTuple):
    by_message: Dict[str, int]
    default: Optional[Entry]  # the first documented text that is not a bare "%s"
    fill: Optional[int]  # the status of a "%s" row (or of one without text)


def _rule(entries: List[Entry]) -> Rule:
    texts = [(s, m) for s, m in entries if m and m != FILL]
    fills = [s for s, m in entries if not m or m == FILL]  # no text documented: any text reads
    return Rule({m: s for s, m in reversed(texts)}, texts[0] if texts else None, fills[0] if fills else None)


def _catalogue_texts() -> Dict[str, FrozenSet[str]]:
    """Wire code -> the texts the catalogue gives it (under any of its keys)."""
    out: Dict[str, Set[str]] = {}
    for key, (_, text) in errors.CATALOGUE.items():
        out.setdefault(errors.WIRE_CODE.get(key, key), set()).add(text)
    return {code: frozenset(texts) for code, texts in out.items()}


GENERIC = _catalogue_texts()
_COMMON_RULES = {code: _rule(entries) for code, entries in COMMON.items()}


def _rules(edition: str, action: str) -> Dict[str, Rule]:
    rules = dict(_COMMON_RULES)
    rules.update((code, _rule(entries)) for code, entries in ACTIONS.get(action, {}).items())
    rules.update((code, _rule(entries)) for code, entries in EDITIONS.get(edition, {}).get(action, {}).items())
    rules.update((code, _COMMON_RULES[code]) for code in SERVER_CODES)
    return rules


# (edition, action) -> code -> Rule, each made on the action's first error, not when the tables
# load (the first request); actions mock_ecs does not build read the common table.
_TABLES: Dict[Tuple[str, str], Dict[str, Rule]] = {}


def _table(edition: str, action: str) -> Dict[str, Rule]:
    table = _TABLES.get((edition, action))
    if table is None:
        if action not in ACTIONS:  # any name a request makes up: not kept
            return _COMMON_RULES
        table = _TABLES[edition, action] = _rules(edition, action)
    return table


def documented(action: str, edition: str = "current") -> Dict[str, List[Entry]]:
    """The codes ``action`` documents (its own table; the spec's first under ``edition="spec"``)."""
    table = {code: list(entries) for code, entries in ACTIONS.get(action, {}).items()}
    table.update({code: list(e) for code, e in EDITIONS.get(edition, {}).get(action, {}).items()})
    return table


def localize(edition: str, action: str, err: EcsError) -> EcsError:
    """``err`` as ``action`` answers it (see the module's docstring)."""
    rule = _table(edition, action).get(err.code)
    if rule is None:
        return err
    status = rule.by_message.get(err.message)
    if status is None:
        if rule.default is not None and err.message in GENERIC.get(err.code, ()):
            status, message = rule.default
            return EcsError(err.code, message, status)
        status = rule.fill
        if status is None:
            return err
    return err if status == err.status else EcsError(err.code, err.message, status)
