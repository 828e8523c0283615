"""The pytest plugin (entry point ``pytest11``): the ``ecs_mock``, ``ecs_server`` and
``ecs_mock_server`` fixtures.

Settings come from ``@pytest.mark.mock_ecs(snapshot_quota=3)`` on a test, or from an
``ecs_mock_settings`` fixture a project overrides in its conftest.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator

import pytest

from .mock import MockEcs

if TYPE_CHECKING:
    from .server import ThreadedMockServer


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


@pytest.fixture
def ecs_mock_server(ecs_mock: MockEcs) -> Iterator[ThreadedMockServer]:
    """A mock ECS server on a free loopback port, serving ``ecs_mock``'s state; stopped afterwards.

    ``ecs_mock_server.url`` is ``http://127.0.0.1:PORT``, ``.endpoint`` is ``127.0.0.1:PORT``
    (the form SDK endpoint overrides take) and ``.handle`` is ``ecs_mock``. What a client does
    over HTTP shows in ``ecs_mock`` (``ecs_mock.calls``, ``ecs_mock.snapshot(...)``), and what
    the test does to ``ecs_mock`` (``advance_clock``, ``inject_fault``) the server answers.
    """
    from .server import ThreadedMockServer

    with ThreadedMockServer(host="127.0.0.1", port=0, handle=ecs_mock) as server:
        yield server


@pytest.fixture
def ecs_server(ecs_mock_server: ThreadedMockServer) -> str:
    """The URL (``http://127.0.0.1:PORT``) of a mock ECS server sharing ``ecs_mock``'s state.

    For clients in other languages and other processes; the server object is ``ecs_mock_server``.
    """
    return ecs_mock_server.url
