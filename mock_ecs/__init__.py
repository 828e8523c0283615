"""mock_ecs: an in-memory Alibaba Cloud ECS (API 2014-05-26) for offline tests.

``@mock_ecs`` catches every Python ECS client (aliyunsdkcore, the Tea SDK sync and async,
libcloud, plain requests) and answers as the real service would.
"""

from .backend import DEFAULT_ACCOUNT_ID, Fault
from .calls import Call, CallList
from .errors import EcsError
from .keys import AccessKeysError
from .mock import MockEcs, mock_ecs
from .settings import Settings

__all__ = [
    "DEFAULT_ACCOUNT_ID", "AccessKeysError", "Call", "CallList", "EcsError", "Fault", "MockEcs", "Settings", "mock_ecs",
]
__version__ = "0.1.0"
