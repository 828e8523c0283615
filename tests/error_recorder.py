"""A pytest plugin that writes down every error the mock answers, and which test made it.

Loaded with ``-p error_recorder`` (tests/ on the path) and ``MOCK_ECS_ERROR_LOG=<file>``: each
error the gateway answers (after the action's own texts are applied, error_texts.localize)
is appended to the file as one JSON line ``[nodeid, action, code, status, message]``. The
error registry's test (test_error_registry.py) runs the registered tests under it.
"""

from __future__ import annotations

import json
import os
from typing import Any, List, Optional

import pytest

from mock_ecs import error_texts
from mock_ecs.errors import EcsError

_current: List[Optional[str]] = [None]
_original = error_texts.localize


def _recording(edition: str, action: str, err: EcsError) -> EcsError:
    answer = _original(edition, action, err)
    path = os.environ.get("MOCK_ECS_ERROR_LOG")
    if path:
        line = json.dumps([_current[0], action, answer.code, answer.status, answer.message])
        with open(f"{path}.{os.getpid()}", "a", encoding="utf-8") as out:
            out.write(line + "\n")
    return answer


error_texts.localize = _recording  # type: ignore[assignment]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    _current[0] = item.nodeid
    try:
        yield
    finally:
        _current[0] = None
