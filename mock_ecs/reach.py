"""Which error codes each built action can answer, read from the code of its handler.

Nothing is listed by hand: the handler's source and every function of the package it calls
(transitively: the action modules, validate, common, paging, Context's methods) are read with
``ast``, and every catalogue key among their string constants (``ctx.error("...")``, an
``error_key="..."`` default), every code of a direct ``EcsError("Code", ...)`` and of a
``ctx.error("Code", "text")`` outside the catalogue is a code the action answers. The reading
over-approximates (a shared helper's every branch counts for each caller); the conformance
test (tests/test_error_registry.py) makes every code claimed here be reached by a test. The
gateway's own checks that apply to every action (``GATEWAY``) are added.

Used by the docs (docs/errors.md) and the tests, never on the request path.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from typing import Any, Callable, Dict, FrozenSet, List, Set, Tuple

from . import errors, gateway, router
from .context import Context

# Answered by the gateway for any action, before its handler: a value not of its type
# (InvalidParameter, naming it), and an unknown RegionId in the action's own code
# (gateway.unknown_region: InvalidRegionId.NotFound where the action documents none of its own).
GATEWAY = frozenset({"InvalidParameter"})
_ERROR_CALLS = frozenset({"error", "EcsError"})
# What the reading finds but the action does not answer in a documented text: (action, code) ->
# why. Shown in docs/errors.md; not counted as answered.
NOT_ANSWERED: Dict[Tuple[str, str], str] = {
    ("ReplaceSystemDisk", "InvalidInstance.NotFoundSystemDisk"):
        "cannot happen in the mock: every instance keeps its system disk (it cannot be detached)",
    ("DeleteInstance", "InvalidParameter"):
        "answered in the gateway's words, naming the malformed parameter; the table's text names InstanceId",
    ("CreateInstance", "MissingParameter"):
        "answered as RunInstances' table words it (ImageId, InstanceType); CreateInstance's names only VSwitchId",
    ("ApplyAutoSnapshotPolicy", "InvalidAutoSnapshotPolicyId.NotFound"):
        "the 2025 table gives an unknown policy this and 404 ParameterInvalid \"...does not exist.\"; the mock "
        "answers the latter, which the 2021 page gives too",
    ("CreateSnapshotGroup", "InvalidSnapshotName.Malformed"):
        "its table gives a bad Name this and InvalidParameter.Name, with one explanation; the mock answers the "
        "latter (members have no name of their own)",
    ("CreateSnapshotGroup", "IncorrectDiskType.NotSupport"):
        "the 2021 page limits groups to ESSDs, the newer metadata to cloud disks: every cloud disk is taken, a "
        "local one is DiskCategory.OperationNotSupported",
    ("CreateSnapshotGroup", "InvalidSnapshotCategory.Malformed"):
        "cannot happen: CreateSnapshotGroup has no Category parameter",
    ("ModifyAutoSnapshotPolicyEx", "InvalidOperation.PolicyTypeUnsupported"):
        "cannot happen in the mock: it has no System policies (every policy is Custom)",
}


def _wire(key: str) -> str:
    return errors.WIRE_CODE.get(key, key)


def _resolve(node: ast.expr, scope: Dict[str, Any]) -> Any:
    """The object a called name or attribute refers to (None when it is not ours to read)."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id in ("ctx", "self"):
            return getattr(Context, node.attr, None)
        owner = _resolve(node.value, scope)
        if isinstance(owner, types.ModuleType):
            return getattr(owner, node.attr, None)
    return None


def _ours(fn: Any) -> bool:
    return inspect.isfunction(fn) and fn.__module__.startswith("mock_ecs.") and fn.__module__ != __name__


def codes_of(fn: Callable[..., Any], seen: Set[Any]) -> Set[str]:
    """The codes ``fn`` and the package functions it calls can raise."""
    if fn in seen:
        return set()
    seen.add(fn)
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    scope = fn.__globals__
    found: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in errors.CATALOGUE:
            found.add(_wire(node.value))
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0] if node.args else None
            if name in _ERROR_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str) \
                    and (name == "EcsError" or len(node.args) > 1 or node.keywords):
                found.add(_wire(first.value))
            elif name == "missing" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(errors.missing(first.value).code)  # errors.missing("X"): MissingX
            target = _resolve(node.func, scope)
            if _ours(target):
                found |= codes_of(target, seen)
        elif isinstance(node, ast.Name) and _ours(scope.get(node.id)):  # a callback handed on
            found |= codes_of(scope[node.id], seen)
    return found


def answered(spec: router.ActionSpec) -> FrozenSet[str]:
    """Every code ``spec``'s action can answer: its handler's, the gateway's, DryRunOperation
    where it reads DryRun."""
    gateway._load()  # unknown_region reads the error tables it loads
    codes = codes_of(spec.handler, set()) | GATEWAY | {gateway.unknown_region(spec.name).code}
    codes.discard("DryRunOperation")
    if "DryRun" in spec.params:
        codes.add("DryRunOperation")
    return frozenset(c for c in codes if (spec.name, c) not in NOT_ANSWERED)


def answered_by_action() -> Dict[str, FrozenSet[str]]:
    return {name: answered(spec) for name, spec in sorted(router.ACTIONS.items())}


def sorted_codes(codes: Any) -> List[str]:
    return sorted(codes, key=str.lower)
