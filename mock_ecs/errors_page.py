"""docs/errors.md: per built action, the codes its reference documents, those the mock answers
(read from the handlers' code, reach.py), and why each other one is not answered.

The reasons are a table of rules (``REASONS``: a pattern on the code, first match wins), so a
new action's codes get a reason without a hand-written row each; ``BY_ACTION`` overrides one
action's code where the general rule is wrong for it. Rendered by ``python -m mock_ecs.docs``.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Sequence, Tuple

from . import error_texts, reach

BILLING = "cannot happen in a mock: the billing and account back-end (balance, payment, real-name checks)"
CAPACITY = "cannot happen in a mock: the real cloud's stock, quotas and offers (the mock's quotas are settings)"
ACCESS = "cannot happen in a mock: the permissions, allow-lists and subscriptions of a real account"
RACE = "cannot happen in a mock: a concurrent operation in the real back-end (calls are served one at a time)"
BACKEND = "a failure of the real back-end: answered only when injected (`inject_fault`)"
NETWORK = "not yet: networking (VPC, vSwitch, security groups, ENIs, IP addresses) is accepted, not checked"
HOSTS = "not yet: dedicated hosts, deployment sets, clusters and private pools are not modelled"
CRYPTO = "not yet: encryption (KMS keys) is not modelled"
SPOT = "not yet: spot (preemptible) instances are not modelled"
GROUPS = "not yet: resource groups are not modelled (any ResourceGroupId is accepted and kept)"
VOLUMES = "not yet: Shared Block Storage devices (volumes) are not modelled"
NOT_YET = "not yet: the mock does not model this rule"

# (pattern on the code, reason): the first that matches.
REASONS: Tuple[Tuple[str, str], ...] = (
    (r"^(InternalError|ServiceUnavailable|InstanceNotReady|NodeControllerUnavailable|DiskError)$|Failed$", BACKEND),
    (r"Arrearage|Balance|PayMethod|Payment|Unpaid|UnPaid|UNPAID|3DVerification|RealName|BuyImage", BILLING),
    (r"^InstanceExpired|^InsufficientBalance|^InvalidAccountStatus", BILLING),
    (r"Idempot|LastTokenProcessing|Operation\.Conflict|OperationConflict|Transfer|Upgrading|Creating|Copying"
     r"|Importing|Exporting|Detaching|NotFinished|TooManySnapshot|DISK_HAS_CREATING|ConcurrentSnapshot", RACE),
    (r"KMS|Encrypt", CRYPTO),
    (r"Spot", SPOT),
    (r"VSwitch|Vpc|SecurityGroup|Ip|Eni|NetworkInterface|NetworkType|InconsistentNetwork|RouteEntry|SLB|Vlan"
     r"|Bandwidth|IoOptimi|HOSTNAME|HostName|Hostname", NETWORK),
    (r"DedicatedHost|Deployment|Cluster|NodeController|Tenancy|PrivatePool|OnHost", HOSTS),
    (r"ResourceGroup", GROUPS),
    (r"Volume", VOLUMES),
    (r"RamRole|PassRole|Forbidden|Forbbiden|Unauthorized|WhiteList|Authorized|NotSubscribed|RiskControl"
     r"|EnterpriseGroup|JoinedGroup|ResourceControl", ACCESS),
    (r"^QuotaExceed|LimitExceed|NoStock|NotOnSale|NotOpen|ResourceNotAvailable|Offline|ZoneNotAllowed"
     r"|Zone\.|ElasticQuota", CAPACITY),
)
BY_ACTION: Dict[Tuple[str, str], str] = dict(reach.NOT_ANSWERED)
for _reset in ("ResetDisk", "ResetDisks"):
    BY_ACTION[(_reset, "Disk.NotFound")] = (
        "an unknown disk is answered with the table's other code for it, `InvalidDiskId.NotFound` (same status and "
        "text)")
    BY_ACTION[(_reset, "InvalidInstanceId.NotFound")] = (
        "cannot happen in the mock: a disk In_use always has its instance")
BY_ACTION[("ResetDisk", "InvalidOperation.DiskResetInProgress")] = "cannot happen in the mock: a reset takes no time"
BY_ACTION[("CopySnapshot", "InvalidRegionId.MalFormed")] = (
    "an unknown source or destination region is answered with the table's `InvalidRegionId.NotExists`")
BY_ACTION[("CopySnapshot", "InvalidSnapshotCategory.NotSupportCopy")] = (
    "cannot happen in the mock: local snapshots (Category flash) are not made")
BY_ACTION[("CopySnapshot", "InvalidOperation.UnfinishedCrossRegionCopy")] = (
    "not yet: the table gives this code no text and no rule; copies of one snapshot may run at once")


def reason(action: str, code: str) -> str:
    if (action, code) in BY_ACTION:
        return BY_ACTION[(action, code)]
    for pattern, why in REASONS:
        if re.search(pattern, code):
            return why
    return NOT_YET


def anchor(action: str) -> str:
    return action.lower()


def counts(answered: Dict[str, FrozenSet[str]]) -> Dict[str, Tuple[int, int]]:
    """action -> (documented codes answered, documented codes)."""
    out = {}
    for name, codes in answered.items():
        documented = set(error_texts.documented(name))
        out[name] = (len(codes & documented), len(documented))
    return out


def cell(name: str, n: int, m: int, page: str = "docs/errors.md") -> str:
    return f"[{n}/{m}]({page}#{anchor(name)})"


def _statuses(rows: Sequence[Sequence[object]]) -> str:
    return ", ".join(str(s) for s in sorted({int(str(r[0])) for r in rows}))


def render(answered: Dict[str, FrozenSet[str]], command: str) -> str:
    total = counts(answered)
    n_all = sum(n for n, _ in total.values())
    m_all = sum(m for _, m in total.values())
    lines: List[str] = [
        "# Error codes per action",
        "",
        f"<!-- Generated by `{command}` from mock_ecs/data/errors.json and the handlers' code: rerun it. -->",
        "",
        "For each built action: the codes its API reference documents (`mock_ecs/data/errors.json`, derived by "
        "`mock_ecs/data/derive_errors.py` from the 2021 tables, the newer rows and the common table), which of "
        "them the mock answers (read from the handler's code and every function it calls, `mock_ecs/reach.py`; a "
        "test reaches each through a real client with the documented status and message, "
        "`tests/test_error_registry.py`), and why the others are not answered. An answered code reads as the "
        "action's own table words it (`mock_ecs/error_texts.py`).",
        "",
        f"In all: **{n_all} of {m_all}** documented codes answered.",
        "",
        "| Action | Answered / documented |",
        "|---|---|",
    ]
    lines += [f"| [{name}](#{anchor(name)}) | {n}/{m} |" for name, (n, m) in sorted(total.items())]
    for name, codes in sorted(answered.items()):
        documented = error_texts.documented(name)
        n, m = total[name]
        lines += ["", f"## {name}", "", f"{n} of {m} documented codes answered.", "",
                  "| Code | HTTP | Answered | Why not |", "|---|---|---|---|"]
        for code in reach.sorted_codes(documented):
            yes = code in codes
            lines.append(f"| `{code}` | {_statuses(documented[code])} | {'yes' if yes else '—'} | "
                         f"{'' if yes else reason(name, code)} |")
        extra = reach.sorted_codes(codes - set(documented))
        if extra:
            lines += ["", "Also answered, though this action's table does not list them (the common table's or "
                          "the catalogue's text): " + ", ".join(f"`{c}`" for c in extra) + "."]
    lines += ["", "## Where the sources disagree", "",
              "The newest source wins (`mock_ecs/data/derive_errors.py`); the choices:", ""]
    lines += [f"- {choice}" for choice in error_texts.CHOICES]
    return "\n".join(lines) + "\n"
