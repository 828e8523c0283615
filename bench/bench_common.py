"""What the benchmarks share: the region, image and fast mock settings, and one aliyunsdkcore call."""

from __future__ import annotations

import importlib
import json
from typing import Any, Dict

REGION = "cn-hangzhou"
IMAGE = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
# No waiting in mock time: disks are ready at once and snapshots accomplish at once.
FAST = {"initialization_seconds": 0, "snapshot_min_seconds": 0, "snapshot_seconds_per_gib": 0}


def sdkcore_call(client: Any, action: str, **params: Any) -> Dict[str, Any]:
    """``action`` through aliyunsdkcore's ``AcsClient`` (its typed request, ``params`` as query
    parameters); the JSON answer."""
    module = importlib.import_module(f"aliyunsdkecs.request.v20140526.{action}Request")
    req = getattr(module, f"{action}Request")()
    for key, value in params.items():
        req.add_query_param(key, str(value))
    return json.loads(client.do_action_with_exception(req))  # type: ignore[no-any-return]
