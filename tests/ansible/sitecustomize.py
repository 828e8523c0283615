"""Read at start-up by every Python process of the playbook run (tests/test_ansible.py puts this
folder on PYTHONPATH and sets MOCK_ECS_CLOCK_URL).

``advance_clock`` moves the mock's clock through the control API: the suite's own module
(library/ecs_snapshot.py) waits between polls with it. In a module's process (``AnsiballZ_*``)
``time.sleep`` is replaced by it too: footmark sleeps 10 s after RunInstances and between its
polls, and no test waits for real time. ansible-playbook's own process, whose short sleeps pace its workers, is left
alone.
"""

import json
import os
import sys
import time
import urllib.request

_CLOCK = os.environ.get("MOCK_ECS_CLOCK_URL")
_SCRIPT = os.path.basename(sys.argv[0]) if getattr(sys, "argv", None) else ""

# The control API is the server itself: no proxy in between.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def advance_clock(seconds: float) -> None:
    """Move the mock's clock by ``seconds`` (the suite's modules wait with this, never for real)."""
    if not _CLOCK:
        raise RuntimeError("MOCK_ECS_CLOCK_URL is not set: run this through tests/test_ansible.py")
    body = json.dumps({"seconds": float(seconds)}).encode()
    request = urllib.request.Request(_CLOCK, data=body, method="POST", headers={"Content-Type": "application/json"})
    _opener.open(request, timeout=10).read()


if _CLOCK and _SCRIPT.startswith("AnsiballZ_"):
    time.sleep = advance_clock  # footmark's own waits (third-party code) move the clock too
