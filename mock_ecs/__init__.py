"""mock_ecs: an in-memory Alibaba Cloud ECS (API 2014-05-26) for offline tests.

``@mock_ecs`` catches every Python ECS client (aliyunsdkcore, the Tea SDK sync and async,
libcloud, plain requests) and answers as the real service would.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend import DEFAULT_ACCOUNT_ID, Fault
    from .calls import Call, CallList
    from .errors import EcsError
    from .keys import AccessKeysError
    from .mock import MockEcs, mock_ecs
    from .settings import Settings
    from .state import StateError

__all__ = [
    "DEFAULT_ACCOUNT_ID", "AccessKeysError", "Call", "CallList", "EcsError", "Fault", "MockEcs", "Settings",
    "StateError", "mock_ecs",
]
__version__ = "0.1.0"

# Each public name and the module that defines it, imported on first use (PEP 562): ``import
# mock_ecs``, and the pytest plugin that every pytest run loads, cost next to nothing.
_HOME = {
    "DEFAULT_ACCOUNT_ID": "backend", "Fault": "backend", "Call": "calls", "CallList": "calls",
    "EcsError": "errors", "AccessKeysError": "keys", "MockEcs": "mock", "mock_ecs": "mock",
    "Settings": "settings", "StateError": "state",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'mock_ecs' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> Any:
    return sorted(set(globals()) | set(__all__))
