"""The one clock: wall time (so freezegun and time-machine move it) plus a settable offset.

Nothing is scheduled: state that depends on time is computed from ``now()`` when read.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Dict

# The form every SDK sends, read without strptime (which costs more than the rest of a check).
_SECONDS = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")


class Clock:
    """Current time as epoch seconds; ``advance`` moves the mock forward without sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        # Looked up on each call so that freezegun's patched time.time is honoured.
        return time.time() + self.offset

    def wall(self) -> float:
        """Time without the offset: what request timestamps are compared with."""
        return time.time()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds

    def reset(self) -> None:
        self.offset = 0.0


def iso_seconds(ts: float) -> str:
    """``yyyy-MM-ddTHH:mm:ssZ``, the format of snapshots, disks and images."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_minutes(ts: float) -> str:
    """``yyyy-MM-ddTHH:mmZ``, the minute precision of DescribeInstances."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


# Timestamps read in the fast form and their values: requests of one second carry the same
# timestamp. A cache, emptied when full (the texts come from requests).
_parsed: Dict[str, float] = {}


def parse_iso(text: str) -> float:
    """Parse the timestamp forms clients send (seconds or minutes, with Z)."""
    known = _parsed.get(text)
    if known is not None:
        return known
    m = _SECONDS.fullmatch(text)
    if m is not None:
        # What strptime answers for this form; an impossible date or time is a ValueError too.
        year, month, day, hour, minute, second = map(int, m.groups())
        value = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp()
        if len(_parsed) >= 256:
            _parsed.clear()
        _parsed[text] = value
        return value
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    raise ValueError(text)
