"""No import circle inside mock_ecs: every module uses only modules below it.

The graph is read from the source with ``ast`` (nothing is imported). An import counts wherever
it stands, at the top or inside a function: a function-local import is a use that only runs
later, and a circle through it is still a circle. Imports under ``if TYPE_CHECKING:`` do not
count: they never run, and serve only annotations (mypy resolves those in any order).

A module's edge goes to the module it names (``from .actions import disks`` -> ``actions.disks``,
``from . import errors`` -> ``errors``; a name that is not a module -> the package that holds
it), not to the packages above it, which Python has already started to import by then.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set

import pytest

import mock_ecs

ROOT = Path(mock_ecs.__file__).parent

Graph = Dict[str, Set[str]]


def _modules(root: Path) -> Dict[str, Path]:
    """Dotted name (relative to the package, the package itself is "") -> source file."""
    out: Dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.stmt]:
    """Every import statement below ``node``, functions included, minus ``if TYPE_CHECKING:`` bodies."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.orelse:
                yield from _imports_in(stmt)
            continue
        yield from _imports_in(child)


def _imports_in(node: ast.AST) -> Iterator[ast.stmt]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _imports(node)


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def graph(root: Path, package: str) -> Graph:
    """Module -> the modules of the same package it imports (names relative to ``root``)."""
    modules = _modules(root)
    edges: Graph = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        for stmt in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: List[Optional[str]] = []
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.name == package or alias.name.startswith(package + "."):
                        targets.append(alias.name[len(package) + 1:])
            else:
                if stmt.level:
                    base_parts = here.split(".") if here else []
                    if stmt.level > 1:
                        base_parts = base_parts[: len(base_parts) - (stmt.level - 1)]
                    base = _join(".".join(base_parts), stmt.module or "")
                elif stmt.module == package or (stmt.module or "").startswith(package + "."):
                    base = (stmt.module or "")[len(package) + 1:]
                else:
                    continue
                for alias in stmt.names:
                    sub = _join(base, alias.name)
                    targets.append(sub if sub in modules else base)
            for target in targets:
                if target is not None and target in modules and target != name:
                    edges[name].add(target)
    return edges


def find_cycle(edges: Graph) -> Optional[List[str]]:
    """One import circle as ``[a, b, ..., a]``, or None when the graph is acyclic."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []

    def visit(node: str) -> Optional[List[str]]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _shown(cycle: List[str]) -> str:
    return " -> ".join(name or "mock_ecs" for name in cycle)


EDGES = graph(ROOT, "mock_ecs")


def test_mock_ecs_has_no_import_circle() -> None:
    cycle = find_cycle(EDGES)
    assert cycle is None, f"import circle in mock_ecs: {_shown(cycle)}"


@pytest.mark.parametrize("module, uses, does_not_use", [
    # Registration: the actions import the registry, the router reads it and imports the actions.
    ("actions.snapshots", "registry", "router"),
    ("router", "actions", "actions.snapshots"),
    ("registry", "params", "router"),
    # context reads ID lists itself; validate builds on context.
    ("validate", "context", "state"),
    ("context", "params", "validate"),
    # state is given what it works on; the handle calls it (function-local imports count).
    ("mock", "state", "server"),
    ("state", "backend", "mock"),
])
def test_the_graph_sees_the_layering(module: str, uses: str, does_not_use: str) -> None:
    """The reader finds real edges (top-level and function-local) and the ones removed are gone."""
    assert uses in EDGES[module]
    assert does_not_use not in EDGES[module]


def _write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_circle_through_a_function_local_import_is_found(tmp_path: Path) -> None:
    _write(tmp_path / "pkg", {
        "__init__.py": "",
        "low.py": "def f():\n    from .high import g\n",
        "high.py": "from . import low\n",
        "sub/__init__.py": "",
        "sub/leaf.py": "from ..low import f\nimport pkg.high\n",
    })
    edges = graph(tmp_path / "pkg", "pkg")
    assert edges == {"": set(), "low": {"high"}, "high": {"low"}, "sub": set(), "sub.leaf": {"low", "high"}}
    assert find_cycle(edges) == ["high", "low", "high"]


def test_type_checking_imports_are_not_uses(tmp_path: Path) -> None:
    _write(tmp_path / "pkg", {
        "__init__.py": "",
        "low.py": (
            "from typing import TYPE_CHECKING\nimport typing\n"
            "if TYPE_CHECKING:\n    from .high import g\nelse:\n    from . import other\n"
            "if typing.TYPE_CHECKING:\n    from . import high\n"
        ),
        "high.py": "from .low import f\n",
        "other.py": "",
    })
    edges = graph(tmp_path / "pkg", "pkg")
    assert edges["low"] == {"other"} and edges["high"] == {"low"}
    assert find_cycle(edges) is None
