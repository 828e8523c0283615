"""Every documented code the mock claims to answer is reached by a test, through a real client,
with the action's documented status and message.

"Answered" is read from the handlers' code (mock_ecs/reach.py), "documented" is the action's
table (data/errors.json); tests/error_registry.py names, for each such (action, code), one test
that reaches it. Nothing here can pass by default:

- the registry must list exactly the answered and documented codes (a new rule without a test,
  or a stale entry, fails);
- each registered test must exist and name its code;
- the registered tests are run (in a child pytest, with tests/error_recorder.py writing down
  every error the mock answers and which test made it): each must pass, and each must have
  made its action answer its code with a status and message of that action's table.

After adding a rule and its test, regenerate the registry (runs the whole suite once):

    python tests/test_error_registry.py
"""

from __future__ import annotations

import ast
import functools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from error_registry import REACHED  # noqa: E402

from mock_ecs import error_texts, reach, router  # noqa: E402

Record = Tuple[str, str, str, int, str]  # node, action, code, status, message


def claimed() -> Set[Tuple[str, str]]:
    router.lookup("DescribeInstances")  # the actions register as the router is first read
    return {
        (name, code)
        for name, codes in reach.answered_by_action().items()
        for code in codes & set(error_texts.documented(name))
    }


def documented_answer(action: str, code: str, status: int, message: str) -> bool:
    """Whether (status, message) is one of the action's rows for the code (either edition); a
    row without text or with ``%s`` takes any message."""
    rows = error_texts.documented(action, "spec").get(code, []) + error_texts.documented(action).get(code, [])
    return any(s == status and m in (message, "", error_texts.FILL) for s, m in rows)


def run_recorded(nodes: List[str], *extra: str) -> Tuple[int, str, List[Record]]:
    """Run ``nodes`` in a child pytest under the recorder; its exit code, output and records."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "errors")
        env = {**os.environ, "MOCK_ECS_ERROR_LOG": log,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH", "")]))}
        proc = subprocess.run(  # the child skips this file's run (MOCK_ECS_ERROR_LOG is set)
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
             "-p", "error_recorder", *extra, *nodes],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
        )
        records: List[Record] = []
        for path in Path(tmp).glob("errors.*"):
            for line in path.read_text(encoding="utf-8").splitlines():
                node, action, code, status, message = json.loads(line)
                if node:
                    records.append((node, action, code, status, message))
    return proc.returncode, proc.stdout[-4000:] + proc.stderr[-2000:], records


def test_the_registry_lists_exactly_the_answered_documented_codes() -> None:
    want = claimed()
    missing = sorted(want - set(REACHED))
    stale = sorted(set(REACHED) - want)
    assert not missing, f"answered codes no registered test reaches (add a test, rerun this file): {missing}"
    assert not stale, f"registered codes the mock no longer claims to answer: {stale}"


@functools.cache
def _source(path: Path) -> str:
    """A test file's text, read once (the registry names the same files many times)."""
    return path.read_text(encoding="utf-8")


@functools.cache
def _functions(path: Path) -> Set[str]:
    return {node.name for node in ast.walk(ast.parse(_source(path))) if isinstance(node, ast.FunctionDef)}


def test_each_registered_test_exists_and_names_its_code() -> None:
    for (action, code), node in sorted(REACHED.items()):
        file, _, name = node.partition("::")
        path = ROOT / file
        assert path.exists(), (action, code, node)
        assert name.split("[")[0] in _functions(path), (action, code, node)
        assert f'"{code}"' in _source(path), (action, code, node)


@pytest.fixture(scope="module")
def recorded() -> Iterator[Dict[str, List[Record]]]:
    if os.environ.get("MOCK_ECS_ERROR_LOG"):
        pytest.skip("already inside a recorded run")
    nodes = sorted(set(REACHED.values()))
    assert nodes and all("::" in node for node in nodes), "an empty registry would run the whole suite"
    code, output, records = run_recorded(nodes)
    assert code == 0, output
    by_node: Dict[str, List[Record]] = {}
    for record in records:
        by_node.setdefault(record[0], []).append(record)
    yield by_node


def test_each_registered_test_reaches_its_code_in_the_documented_words(recorded: Dict[str, List[Record]]) -> None:
    wrong = []
    for (action, code), node in sorted(REACHED.items()):
        answers = [(s, m) for _, a, c, s, m in recorded.get(node, []) if (a, c) == (action, code)]
        if not any(documented_answer(action, code, s, m) for s, m in answers):
            wrong.append((action, code, node, answers[:2]))
    assert not wrong, wrong


def regenerate() -> None:
    """Run the whole suite under the recorder and write tests/error_registry.py: for each
    answered, documented code, the shortest in-process test that reached it in the documented
    words and names the code."""
    _, _, records = run_recorded(["tests"], "-n", "4")
    found: Dict[Tuple[str, str], List[str]] = {}
    for node, action, code, status, message in records:
        file = node.partition("::")[0]
        if documented_answer(action, code, status, message) and f'"{code}"' in _source(ROOT / file):
            found.setdefault((action, code), []).append(node)
    lines = [
        '"""(action, code) -> a test that makes the action answer the code in its documented words.',
        "",
        "Generated by `python tests/test_error_registry.py`; checked by tests/test_error_registry.py.",
        '"""',
        "# ruff: noqa: E501",
        "",
        "from typing import Dict, Tuple",
        "",
        "REACHED: Dict[Tuple[str, str], str] = {",
    ]
    unreached = []
    for key in sorted(claimed()):
        nodes = found.get(key)
        if not nodes:
            unreached.append(key)
            continue
        best = min(set(nodes), key=lambda n: ("@server" in n, "[tea" in n or "libcloud" in n, len(n), n))
        lines.append(f"    ({json.dumps(key[0])}, {json.dumps(key[1])}): {json.dumps(best)},")
    lines.append("}")
    (HERE / "error_registry.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote tests/error_registry.py; unreached: {unreached}")


if __name__ == "__main__":
    regenerate()
