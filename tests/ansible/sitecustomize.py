"""Read at start-up by every Python process of the playbook run (tests/test_ansible.py puts this
folder on PYTHONPATH and sets MOCK_ECS_CLOCK_URL).

In a module's process (``AnsiballZ_*``) ``time.sleep`` moves the mock's clock through the control
API instead of waiting: footmark sleeps 10 s after RunInstances and between its polls, and no test
waits for real time. ansible-playbook's own process, whose short sleeps pace its workers, is left
alone.
"""

import json
import os
import sys
import time
import urllib.request

_CLOCK = os.environ.get("MOCK_ECS_CLOCK_URL")
_SCRIPT = os.path.basename(sys.argv[0]) if getattr(sys, "argv", None) else ""

if _CLOCK and _SCRIPT.startswith("AnsiballZ_"):
    # The control API is the server itself: no proxy in between.
    _opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _advance(seconds: float) -> None:
        body = json.dumps({"seconds": float(seconds)}).encode()
        request = urllib.request.Request(_CLOCK, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        _opener.open(request, timeout=10).read()

    time.sleep = _advance
