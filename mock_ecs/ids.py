"""Resource IDs in the real shape: prefix, dash, 20 lowercase letters and digits.

The first three characters after the dash encode the region, as on the real service.
"""

from __future__ import annotations

import os
import random
import string

from . import regions

_ALPHABET = string.ascii_lowercase + string.digits
# Seeded once from the OS: IDs must be unique and unpredictable enough, not secret, and a
# per-call urandom (SystemRandom) cost more than the rest of CreateSnapshot.
_rng = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's IDs
    os.register_at_fork(after_in_child=lambda: _rng.seed(os.urandom(32)))

# Prefixes of resources that are not disks: a DiskId carrying one is the wrong kind of ID.
FOREIGN_PREFIXES = (
    "i-", "s-", "m-", "sg-", "vpc-", "vsw-", "sp-", "sl-", "ssg-", "rg-", "ds-", "eni-",
    "eip-", "lb-", "key-", "kp-", "ami-", "vol-", "snap-",
)


# Random bytes -> characters of the alphabet: 252 = 7 x 36, so each of the bytes 0..251 maps
# to one character uniformly; the bytes 252..255 are dropped (rejection sampling).
_TO_CHAR = bytes(ord(_ALPHABET[b % 36]) for b in range(252)) + b"\0" * 4
_DROPPED = bytes(range(252, 256))


def random_chars(count: int) -> str:
    """``count`` characters drawn uniformly from lowercase letters and digits."""
    out = b""
    while len(out) < count:
        size = count + 4
        out += _rng.getrandbits(size * 8).to_bytes(size, "little").translate(_TO_CHAR, _DROPPED)
    return out[:count].decode("ascii")


def new_id(prefix: str, region: str) -> str:
    head = regions.REGIONS[region][0]  # regions.id_prefix(region)
    return f"{prefix}-{head}{random_chars(20 - len(head))}"


# A random hex digit -> the digit with the RFC 4122 variant bits (10xx): 8, 9, A or B.
_VARIANT = {digit: "89AB"[int(digit, 16) & 3] for digit in "0123456789ABCDEF"}


def request_id() -> str:
    """An uppercase random (version 4) UUID, as ``str(uuid.uuid4()).upper()`` makes, cheaper."""
    h = _rng.getrandbits(128).to_bytes(16, "little").hex().upper()  # randbytes(16), one call less
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def snapshot_sn(snapshot_id: str) -> str:
    """A snapshot's SnapshotSN in the real shape (``64472-116742336-61976****``: 5, 9 and 9 digits),
    derived from its ID, so a snapshot keeps its SN across processes and saved states (``hash()``
    of a str is salted per process)."""
    import hashlib  # loaded by then (auth imports it); not at ``import mock_ecs``

    n = int.from_bytes(hashlib.sha256(snapshot_id.encode()).digest()[:12], "big")
    n, third = divmod(n, 9 * 10**8)
    n, second = divmod(n, 9 * 10**8)
    return f"{n % (9 * 10**4) + 10**4}-{second + 10**8}-{third + 10**8}"


def kind_of(resource_id: str) -> str:
    """The prefix of an ID ('d', 'i', ...), or '' when it has none."""
    head, sep, _ = resource_id.partition("-")
    return head if sep else ""
