"""Resource IDs in the real shape: prefix, dash, 20 lowercase letters and digits.

The first three characters after the dash encode the region, as on the real service.
"""

from __future__ import annotations

import os
import random
import string
import uuid

from . import regions

_ALPHABET = string.ascii_lowercase + string.digits
# Seeded once from the OS: IDs must be unique and unpredictable enough, not secret, and a
# per-call urandom (SystemRandom) cost more than the rest of CreateSnapshot.
_rng = random.Random(os.urandom(32))

# Prefixes of resources that are not disks: a DiskId carrying one is the wrong kind of ID.
FOREIGN_PREFIXES = (
    "i-", "s-", "m-", "sg-", "vpc-", "vsw-", "sp-", "sl-", "ssg-", "rg-", "ds-", "eni-",
    "eip-", "lb-", "key-", "kp-", "ami-", "vol-", "snap-",
)


def new_id(prefix: str, region: str) -> str:
    head = regions.id_prefix(region)
    return f"{prefix}-{head}{''.join(_rng.choices(_ALPHABET, k=20 - len(head)))}"


def request_id() -> str:
    return str(uuid.uuid4()).upper()


def kind_of(resource_id: str) -> str:
    """The prefix of an ID ('d', 'i', ...), or '' when it has none."""
    head, sep, _ = resource_id.partition("-")
    return head if sep else ""
