"""The pytest plugin (entry point ``pytest11``): the ``ecs_mock`` fixture.

Settings come from ``@pytest.mark.mock_ecs(snapshot_quota=3)`` on a test, or from an
``ecs_mock_settings`` fixture a project overrides in its conftest.py.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from .mock import MockEcs


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mock_ecs(**settings): settings of the ecs_mock fixture")


@pytest.fixture
def ecs_mock_settings() -> Dict[str, Any]:
    """Override in a conftest.py to change the defaults of every ``ecs_mock``."""
    return {}


@pytest.fixture
def ecs_mock(request: pytest.FixtureRequest, ecs_mock_settings: Dict[str, Any]) -> Iterator[MockEcs]:
    """An active, empty mock ECS for one test; dropped afterwards."""
    settings = dict(ecs_mock_settings)
    marker = request.node.get_closest_marker("mock_ecs")
    if marker is not None:
        settings.update(marker.kwargs)
    handle = MockEcs(**settings)
    with handle:
        yield handle
    handle.reset()
