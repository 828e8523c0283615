"""Derive ``errors.json`` (every built action's documented error codes) from the reference.
Run from the repository root:

    python mock_ecs/data/derive_errors.py ../shared [NewAction ...]

Sources, oldest first; where two disagree the newest wins, and every such choice is listed in
the file's ``choices`` (rendered in docs/errors.md):

- the spec's CreateSnapshot table (2018, ``spec/CreateSnapshot.md``): the ``spec`` edition,
  which the setting ``edition="spec"`` (the default) answers for CreateSnapshot;
- the 2021 API reference: ``reference/ecs-api/actions/<Action>.md`` and, where it has the
  action, ``docs-2021/<Action>.en.md`` (the same tables; they must agree);
- the common error table of 2021 (FACTS.md section 2b) and what real traffic showed (2a);
- the newer reference (2024-2026, FACTS.md's [DOCNEW] notes): the rows in ``NEWER`` below,
  each checked to appear byte for byte in FACTS.md;
- the 2025 reference of the automatic snapshot policy actions (NEXT-ACTIONS.md section 1):
  ``NEXT_ACTIONS_ROWS``, each code and text checked to appear there byte for byte.

Per action, code -> ``[[status, message], ...]``, newest first, then in the table's order; a
code may have several messages. Texts are kept byte for byte, typos included. The actions
are those mock_ecs builds (``params.json``), plus any named.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

Entry = Tuple[int, str]
Table = Dict[str, List[Entry]]

# (action, status, code, message, replaced): rows of the newer reference ([DOCNEW], quoted in
# FACTS.md). ``replaced`` is the 2021 text the row rewords (dropped), or None when it adds a row.
NEWER: Tuple[Tuple[str, int, str, str, Optional[str]], ...] = (
    ("CreateSnapshot", 400, "InvalidRetentionDays.Malformed", "The specified RetentionDays is not valid.", None),
    ("CreateSnapshot", 403, "InvalidClientToken.Malformed",
     "The specified clientToken is improperly formatted. It must contain only ASCII characters and must not "
     "exceed 64 characters in length.", None),
    ("CreateSnapshot", 403, "QuotaExceed.SnapshotQuota",
     "The quota is insufficient, please contact your channel partner to increase the quota.", None),
    ("CreateSnapshot", 403, "QuotaExceed.ConcurrentSnapshotQuota",
     "The number of snapshots being created for the disk %s has exceeded the concurrent quota (%s). Please wait "
     "for the previous snapshots to complete before trying again.", None),
    ("CreateSnapshot", 403, "DISK_HAS_CREATING_SNAPSHOT",
     "The operation cannot be performed while a snapshot is being created for the disk.", None),
    ("DescribeSnapshots", 404, "InvalidFilterKey.NotFound", "The specified FilterKey is not found.", ""),
    ("DescribeSnapshots", 404, "InvalidFilterValue", "The specified FilterValue exceeds the limit.", None),
    ("DeleteSnapshot", 403, "SnapshotCreatedDisk",
     "The snapshot that you are trying to delete is in use by one or more disks.", None),
    ("DeleteSnapshot", 404, "InvalidSnapshotId.NotFound", "The specified snapshot is not found.",
     "The specified snapshot is not found"),
    ("DeleteSnapshot", 403, "InvalidOperation.RelatedSnapshotNotFinished",
     "The related standard snapshot is not finished.", None),
    ("CreateImage", 403, "SnapshotNotReady", "The specified snapshot is not ready.", None),
    ("CreateImage", 403, "TooManySnapshot.Unfinished",
     "There are too many snapshots being created, please wait for them to be created done.", None),
    ("CreateImage", 400, "InvalidImageName.Duplicated", "The specified image name is already in use.",
     "The specified Image name has already bean used."),
    ("AttachDisk", 403, "IncorrectDiskStatus",
     "The current status of the disk does not support this operation. The expected disk status is Available.", None),
    ("AttachDisk", 400, "InvalidRegionId.MalFormed", "The specified RegionId is not valid.", None),
    ("DetachDisk", 404, "InvalidDisk.AlreadyDetached", "The specified disk has been detached.", None),
    ("DetachDisk", 403, "DependencyViolation", "The specified disk has not been attached on the specified instance.",
     None),
    ("DetachDisk", 403, "DiskTypeViolation", "The specified disk is a system disk and cannot support the operation.",
     None),
    ("DetachDisk", 403, "DiskNotPortable", "The specified disk is not a portable disk.", None),
    ("DetachDisk", 403, "InvalidOperation.DiskDetachingFromThisEcs", "The specified disk is detaching from this ecs.",
     None),
    ("DetachDisk", 400, "InvalidRegionId.MalFormed", "The specified RegionId is not valid.", None),
    ("DeleteDisk", 404, "InvalidDiskId.NotFound", "The specified disk does not exist.", None),
    ("DeleteDisk", 403, "IncorrectDiskStatus.Initializing", "The current disk status does not support this operation.",
     None),
    ("DeleteDisk", 403, "InvalidDiskStatus.DeleteProtection",
     "The specified disk is under delete protection, can not be deleted.", None),
)
NEWER_CHOICES = (
    "CreateSnapshot: the newer table's 403 `Throttling` \"Request was denied due to user flow control.\" is not "
    "taken: throttling is the gateway's, answered alike for every action with the common table's text.",
    "DescribeSnapshots `InvalidFilterKey.NotFound`: the 2021 table has no text; the newer one's "
    "\"The specified FilterKey is not found.\".",
    "CreateImage `InvalidImageName.Duplicated`: the newer \"The specified image name is already in use.\" "
    "replaces 2021's \"The specified Image name has already bean used.\".",
    "DeleteSnapshot `InvalidSnapshotId.NotFound`: the newer \"The specified snapshot is not found.\" replaces "
    "2021's text without the period.",
    "DescribeSnapshots `InvalidStatus.NotFound`: the newer reference adds a period (FACTS.md); "
    "\"The specified Status is not found.\" replaces 2021's text.",
)

# (action, status, code, message): the 2025 reference's tables of the automatic snapshot policy
# actions ([DOC-2025], quoted in NEXT-ACTIONS.md section 1), the newest source for them. A
# message is checked to appear there byte for byte; "" is a code it lists without a text (any
# text reads, with that status). A row replaces an older row of the same code and text.
NEXT_ACTIONS_ROWS: Tuple[Tuple[str, int, str, str], ...] = (
    ("CreateAutoSnapshotPolicy", 403, "ParameterInvalid", "The specified RegionId parameter is invalid."),
    ("CreateAutoSnapshotPolicy", 403, "ParameterInvalid", "The specified RepeatWeekDays parameter is invalid."),
    ("CreateAutoSnapshotPolicy", 403, "ParameterInvalid", "The specified TimePoints parameter is invalid."),
    ("CreateAutoSnapshotPolicy", 403, "ParameterInvalid", "The specified RetentionDays parameter is invalid."),
    ("CreateAutoSnapshotPolicy", 403, "AutoSnapshotPolicy.QuotaExceed",
     "The maximum number of automatic snapshot policy has been reached."),
    ("CreateAutoSnapshotPolicy", 400, "InvalidSnapshotPolicyName.Malformed",
     "The specified autoSnapshotPolicyName is wrongly formed."),
    ("CreateAutoSnapshotPolicy", 400, "Duplicate.TagKey", ""),
    ("CreateAutoSnapshotPolicy", 400, "InvalidTagKey.Malformed", ""),
    ("CreateAutoSnapshotPolicy", 400, "InvalidTagValue.Malformed", ""),
    ("CreateAutoSnapshotPolicy", 403, "InvalidParameter.TargetCopyRegions",
     "The specified TargetCopyRegions is invalid."),
    ("CreateAutoSnapshotPolicy", 403, "InvalidParameter.CopiedSnapshotsRetentionDays",
     "The specified CopiedSnapshotsRetentionDays is invalid."),
    ("CreateAutoSnapshotPolicy", 403, "InvalidAccountStatus.NotEnoughBalance", ""),
    ("CreateAutoSnapshotPolicy", 403, "InvalidAccountStatus.SnapshotServiceUnavailable", ""),
    ("CreateAutoSnapshotPolicy", 400, "InvalidParameter.EncryptedIllegal", ""),
    ("CreateAutoSnapshotPolicy", 404, "InvalidResourceGroup.NotFound", ""),
    ("ModifyAutoSnapshotPolicyEx", 403, "InvalidParameter.TargetCopyRegions",
     "The specified TargetCopyRegions is invalid."),
    ("ModifyAutoSnapshotPolicyEx", 403, "InvalidParameter.CopiedSnapshotsRetentionDays",
     "The specified CopiedSnapshotsRetentionDays is invalid."),
    ("ModifyAutoSnapshotPolicyEx", 403, "InvalidOperation.PolicyTypeUnsupported", ""),
    ("DescribeAutoSnapshotPolicyEx", 400, "InvalidRegionId.NotFound", "The specified RegionId does not exist."),
    ("DescribeAutoSnapshotPolicyEx", 400, "InvalidTag.Mismatch", ""),
    ("DescribeAutoSnapshotPolicyEx", 400, "InvalidTagCount", ""),
    ("ApplyAutoSnapshotPolicy", 400, "InvalidAutoSnapshotPolicyId.NotFound",
     "The specified AutoSnapshotPolicyId does not exist."),
    ("ApplyAutoSnapshotPolicy", 403, "QuotaExceed.AppliedAutoSnapshotPolicyQuota", ""),
    ("CancelAutoSnapshotPolicy", 403, "ParameterInvalid", "The specified RegionId parameter is invalid."),
    ("CancelAutoSnapshotPolicy", 403, "ParameterInvalid", "The specified DiskIds are invalid."),
    ("CancelAutoSnapshotPolicy", 404, "InvalidDiskId.NotFound", "The specified DiskIds are not found."),
    ("DescribeAutoSnapshotPolicyAssociations", 403, "MissingParameter.AutoSnapshotPolicyIdOrDiskId", ""),
    ("DescribeAutoSnapshotPolicyAssociations", 403, "ParameterConflict.AutoSnapshotPolicyIdAndDiskId", ""),
    ("DescribeAutoSnapshotPolicyAssociations", 404, "InvalidRegionId.NotFound", ""),
    ("DescribeAutoSnapshotPolicyAssociations", 404, "InvalidAutoSnapshotPolicyId.NotFound",
     "Specified parameter AutoSnapshotPolicyId not found."),
    ("DescribeAutoSnapshotPolicyAssociations", 404, "InvalidDiskId.NotFound", ""),
    # ResetDisk (NEXT-ACTIONS.md 2.2); ResetDisks, which has only its docs-2021 page, checks the same rules.
    ("ResetDisk", 400, "DryRunOperation", "Request validation has been passed with DryRun flag set."),
    ("ResetDisk", 403, "IncorrectDiskStatus.HasUnfinishedSnapshot", "The current disk has unfinished snapshot."),
    ("ResetDisk", 403, "InvalidOperation.DiskResetInProgress", ""),
    ("ResetDisks", 400, "DryRunOperation", "Request validation has been passed with DryRun flag set."),
    ("ResetDisks", 403, "IncorrectDiskStatus.HasUnfinishedSnapshot", "The current disk has unfinished snapshot."),
    # CopySnapshot (NEXT-ACTIONS.md 2.1, the 2025 table), over its Chinese 2021 page's table.
    ("CopySnapshot", 400, "InvalidRegionId.MalFormed", "The specified RegionId is not valid."),
    ("CopySnapshot", 403, "InvalidSnapshotId.NotFound", "The specified snapshot is not exists."),
    ("CopySnapshot", 403, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet."),
    ("CopySnapshot", 403, "InvalidOperation.NotSupportCopyInSameRegion",
     "Copying snapshot in the same region is not supported."),
    ("CopySnapshot", 403, "InvalidSnapshotName.Malformed", "The specified SnapshotName is wrongly formed."),
    ("CopySnapshot", 403, "InvalidDescription.Malformed", "The specified description is wrongly formed."),
    ("CopySnapshot", 403, "InvalidRetentionDays.Malformed", "The specified RetentionDays is not valid."),
    ("CopySnapshot", 403, "InvalidRegionId.NotExists", "Region not exists."),
    ("CopySnapshot", 403, "InvalidOperation.UnfinishedCrossRegionCopy", ""),
    ("CopySnapshot", 403, "InvalidSnapshotCategory.NotSupportCopy", ""),
    ("CopySnapshot", 403, "QuotaExceed.SnapshotQuota", ""),
    ("CopySnapshot", 403, "InvalidEncrypted.NotMatchKmsKeyId", ""),
    ("CopySnapshot", 400, "Duplicate.TagKey", ""),
    ("CopySnapshot", 400, "InvalidTagKey.Malformed", ""),
    ("CopySnapshot", 400, "InvalidTagValue.Malformed", ""),
    ("CopySnapshot", 409, "InvalidOperation.Conflict", ""),
)
NEXT_ACTIONS_CHOICES = (
    "CancelAutoSnapshotPolicy: the 2025 table (NEXT-ACTIONS.md 1.6: 403 `ParameterInvalid`, 404 "
    "`InvalidDiskId.NotFound` \"The specified DiskIds are not found.\") replaces the 2021 page's, which gave "
    "404 for both `ParameterInvalid` texts.",
    "CreateAutoSnapshotPolicy and DescribeAutoSnapshotPolicyAssociations have no 2021 page: their tables are "
    "NEXT-ACTIONS.md's (2025). ModifyAutoSnapshotPolicyEx's `InvalidParameter.TargetCopyRegions` and "
    "`InvalidParameter.CopiedSnapshotsRetentionDays`, listed there without a text, take "
    "CreateAutoSnapshotPolicy's.",
    "CreateAutoSnapshotPolicy `InvalidParameter.EncryptedIllegal` (listed without a text) answers CreateDisk's "
    "text for the same rule; DescribeAutoSnapshotPolicyAssociations' `MissingParameter.AutoSnapshotPolicyIdOrDiskId`"
    " and `ParameterConflict.AutoSnapshotPolicyIdAndDiskId` (no text either) answer the mock's own words.",
    "ResetDisks: the 2025 ResetDisk table's `IncorrectDiskStatus.HasUnfinishedSnapshot` (NEXT-ACTIONS.md 2.2), "
    "which ResetDisks' 2021 page lacks, for the same rule. ResetDisk's and ResetDisks' `OperationDenied` "
    "\"The specified snapshot dees not support ResetDisk.\" [sic] answers a copied snapshot (a copy cannot "
    "roll back its source disk, NEXT-ACTIONS.md 2.1).",
    "CopySnapshot: the 2025 table (NEXT-ACTIONS.md 2.1) over the Chinese 2021 page's (whose rows quote the "
    "English texts; the tag codes keep its texts). `QuotaExceed.SnapshotQuota` (listed without a text) answers "
    "CreateSnapshot's newer text for it; `InvalidEncrypted.NotMatchKmsKeyId` (no text either) the mock's own "
    "words.",
)

# (action, code, 2021 text): FACTS.md notes that the newer reference adds a period to the text.
PERIOD_ADDED = (("DescribeSnapshots", "InvalidStatus.NotFound", "The specified Status is not found"),)

# The 2021 extraction of DeleteDisk's table cut a message short; FACTS.md quotes the whole
# 2021 text. (action, code, cut text, whole text)
REPAIRED = (
    ("DeleteDisk", "DiskCreatingSnapshot", "The operation is denied due to a snapshot of the specified disk is",
     "The operation is denied due to a snapshot of the specified disk is not completed yet."),
)

# Observed in real traffic (FACTS.md 2a), newer than the 2021 common table, which documents other
# texts for some of these codes: listed first, so that they are the default.
OBSERVED: Tuple[Tuple[int, str, str], ...] = (
    (404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
    (400, "SignatureNonceUsed", "Specified signature nonce was used already."),
    (404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."),
    (400, "InvalidVersion", "Specified parameter Version is not valid."),
    (400, "SignatureDoesNotMatch",
     "Specified signature is not matched with our calculation. server string to sign is:"),
)
OBSERVED_CHOICES = (
    "Common `InvalidAccessKeyId.NotFound`: real traffic's 404 \"Specified access key is not found.\" before the "
    "2021 table's 400 \"The specified Access Key ID does not exist.\".",
    "Common `SignatureNonceUsed`: real traffic's \"Specified signature nonce was used already.\" before the 2021 "
    "table's \"The request signature nonce has been used.\".",
)

_ROW_2021 = re.compile(r"^\|\s*(\d{3})\s*\|\s*`([^`]+)`\s*\|(.*?)\|")
_ROW_DOCS = re.compile(r"^\|(\d{3})\|([A-Za-z0-9_.]+)\|(.*?)\|")
_ROW_SPEC = re.compile(r"^\|\s*([A-Za-z][A-Za-z0-9_.]+)\s*\|(.*?)\|\s*(\d{3})\s*\|")
_MD_ESCAPE = re.compile(r"\\([\\()_*\[\]#])")


def _section(text: str, heading: str) -> List[str]:
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("#"):
            inside = line.lstrip("#").strip().startswith(heading)
            continue
        if inside:
            lines.append(line)
    return lines


def _add(table: Table, code: str, entry: Entry) -> None:
    entries = table.setdefault(code, [])
    if entry not in entries:
        entries.append(entry)


def _rows(text: str, heading: str, row: re.Pattern[str], unescape: bool = False) -> Table:
    """The (status, code, message) rows of the ``heading`` section: the 2021 pages and FACTS.md
    quote codes in backticks; docs-2021 does not, and escapes Markdown (``unescape``)."""
    table: Table = {}
    for line in _section(text, heading):
        m = row.match(line)
        if m:
            message = _MD_ESCAPE.sub(r"\1", m.group(3)) if unescape else m.group(3)
            _add(table, m.group(2), (int(m.group(1)), message.strip()))
    return table


def action_2021(path: Path) -> Table:
    return _rows(path.read_text(encoding="utf-8"), "Error codes", _ROW_2021)


def docs_2021(path: Path) -> Table:
    return _rows(path.read_text(encoding="utf-8"), "Error codes", _ROW_DOCS, unescape=True)


def docs_2021_zh(path: Path) -> Table:
    return _rows(path.read_text(encoding="utf-8"), "错误码", _ROW_DOCS, unescape=True)


def common_2021(facts: str) -> Table:
    return _rows(facts, "2b.", _ROW_2021)


def spec_table(path: Path) -> Table:
    table: Table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ROW_SPEC.match(line)
        if m and m.group(1) != "Code":
            _add(table, m.group(1), (int(m.group(3)), m.group(2).strip()))
    return table


def _quoted(facts: str, text: str) -> None:
    _quoted_in(facts, "FACTS.md", text)


def _quoted_in(source: str, name: str, text: str) -> None:
    if text not in source:
        raise SystemExit(f"{name} does not quote {text!r}: the table above must copy it byte for byte")


def _next_actions(ref: Path, tables: Dict[str, Table]) -> None:
    """NEXT_ACTIONS_ROWS over the older tables of the actions built: each row first (in its
    order), then the older rows of the code with another text."""
    text = (ref / "NEXT-ACTIONS.md").read_text(encoding="utf-8")
    newer: Dict[str, Table] = {}
    for name, status, code, message in NEXT_ACTIONS_ROWS:
        if name in tables:
            # The code too ("A.B / .C" abbreviates A.C there).
            if code not in text and "." + code.split(".", 1)[-1] not in text:
                raise SystemExit(f"NEXT-ACTIONS.md does not name {code} ({name}): copy it byte for byte")
            if message:
                _quoted_in(text, "NEXT-ACTIONS.md", message)
            _add(newer.setdefault(name, {}), code, (status, message))
    for name, table in newer.items():
        for code, entries in table.items():
            texts = {m for _, m in entries}
            tables[name][code] = entries + [e for e in tables[name].get(code, []) if e[1] not in texts]


def derive(shared: Path, actions: Sequence[str]) -> Dict[str, object]:
    ref = shared / "reference" / "ecs-api"
    facts = (ref / "FACTS.md").read_text(encoding="utf-8")
    tables: Dict[str, Table] = {}
    for name in sorted(actions):
        path = ref / "actions" / f"{name}.md"
        docs = ref / "docs-2021" / f"{name}.en.md"
        if not path.exists():
            # The actions built after the first 19 have only the docs-2021 page.
            # Neither page (DescribeInstanceTypes, CopyImage): no documented table, the
            # common table and the catalogue's texts answer.
            # CopySnapshot has only its Chinese page, whose table quotes the English texts.
            zh = ref / "docs-2021" / f"{name}.zh.md"
            tables[name] = docs_2021(docs) if docs.exists() else docs_2021_zh(zh) if zh.exists() else {}
            continue
        table = action_2021(path)
        if docs.exists() and docs_2021(docs) != table:
            raise SystemExit(f"{docs} and {path} disagree: read both and decide here")
        tables[name] = table
    for name, code, cut, whole in REPAIRED:
        if name in tables:
            _quoted(facts, whole)
            tables[name][code] = [(s, whole if m == cut else m) for s, m in tables[name][code]]
    for name, status, code, message, replaced in NEWER:
        if name not in tables:
            continue
        _quoted(facts, message)
        old = [e for e in tables[name].get(code, []) if e[1] != replaced]
        tables[name][code] = [(status, message)] + [e for e in old if e != (status, message)]
    _next_actions(ref, tables)
    for name, code, bare in PERIOD_ADDED:
        if name in tables:
            if not any(bare in line and "[DOCNEW] adds a period" in line for line in facts.splitlines()):
                raise SystemExit(f"FACTS.md no longer says the newer {name} {code} adds a period")
            tables[name][code] = [(s, m + "." if m == bare else m) for s, m in tables[name][code]]
    common = common_2021(facts)
    for status, code, message in OBSERVED:
        _quoted(facts, message)
        common[code] = [(status, message)] + [e for e in common.get(code, []) if e != (status, message)]
    choices = [
        *NEWER_CHOICES,
        *NEXT_ACTIONS_CHOICES,
        *(f"{n} `{c}`: the 2021 extraction cut the text short; FACTS.md's whole 2021 text." for n, c, _, _ in REPAIRED),
        *OBSERVED_CHOICES,
        "CreateSnapshot: with `edition=\"spec\"` (the default) the spec's 2018 texts answer where they differ "
        "(`QuotaExceed.Snapshot`, `CreateSnapshot.Failed`, `DiskCategory.OperationNotSupported`); with "
        "`edition=\"current\"` the newest reference's.",
    ]
    return {
        "actions": tables,
        "common": common,
        "editions": {"spec": {"CreateSnapshot": spec_table(shared / "spec" / "CreateSnapshot.md")}},
        "choices": choices,
    }


def render(data: Dict[str, object]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")
    if not (shared / "reference" / "ecs-api" / "FACTS.md").exists():
        raise SystemExit(f"no reference/ecs-api/FACTS.md under {shared}")
    here = Path(__file__).parent
    built = json.loads(here.joinpath("params.json").read_text(encoding="utf-8"))
    out = here / "errors.json"
    out.write_text(render(derive(shared, [*built, *sys.argv[2:]])), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
