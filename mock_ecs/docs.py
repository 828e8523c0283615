"""The README's "Supported actions" section, generated from the router so it cannot drift.

Every handler declares what it reads in ``@action(...)`` (registry.py), and reading anything
else is refused at run time; the table below is rendered from those declarations and from
the official metadata (``router.META``)::

    python -m mock_ecs.docs           # rewrite the section of README.md between the markers
    python -m mock_ecs.docs --check   # exit 1 when README.md is out of date

It also writes the reference pages under docs/ (``PAGES``): docs/response-fields.md, the fields
of the official SDK's response models each action answers (mock_ecs/conformance.py, which needs
the test extras: the Tea SDK and aliyunsdkcore), and docs/errors.md, the documented error codes
each action answers and why not the others (mock_ecs/errors_page.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from . import conformance, errors_page, reach, router
from .conformance import Coverage
from .router import ActionSpec

START = "<!-- actions:start -->"
END = "<!-- actions:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"
COMMAND = "python -m mock_ecs.docs"
PAGING_STYLES = (
    ("PageNumber/PageSize", ("PageNumber", "PageSize")),
    ("NextToken/MaxResults", ("NextToken", "MaxResults")),
)
# Shown in their own columns rather than among the parameters.
_OWN_COLUMNS = frozenset({"DryRun"}) | frozenset(n for _, names in PAGING_STYLES for n in names)
_NONE = "—"


def _code(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else _NONE


def implemented(spec: ActionSpec) -> List[str]:
    """Metadata names of the parameters ``spec`` reads, its required ones and own columns aside.

    ``Tag.N.Key`` and ``Filter.1.Key`` are shown as their metadata names ``Tag`` and ``Filter``;
    the parameters every action may read (router.ALWAYS) appear where the action has them.
    """
    real = router.META.get(spec.name, {})
    names = {router.family(p) for p in spec.params} | {p for p in router.ALWAYS if p in real}
    return sorted(names - set(spec.required) - _OWN_COLUMNS)


def unread(spec: ActionSpec) -> List[str]:
    """Real parameters of the action (metadata) that its handler does not declare."""
    return sorted(name for name in router.META.get(spec.name, {}) if not spec.allows(name))


def dry_run(spec: ActionSpec) -> str:
    if "DryRun" in spec.params:
        return "yes"
    return "ignored" if "DryRun" in router.META.get(spec.name, {}) else _NONE


def paging(spec: ActionSpec) -> str:
    if not spec.name.startswith("Describe"):
        return _NONE
    styles = [label for label, names in PAGING_STYLES if all(n in spec.params for n in names)]
    return ", ".join(styles) or "none"


def render(actions: Optional[Dict[str, ActionSpec]] = None, fields: Optional[Dict[str, Coverage]] = None) -> str:
    """The section, markers included; with ``fields`` (conformance.measure()), a column of the
    response fields each action answers, linked to docs/response-fields.md."""
    specs = [spec for _, spec in sorted((actions if actions is not None else router.ACTIONS).items())]
    error_counts = errors_page.counts({spec.name: reach.answered(spec) for spec in specs})
    extra_head = " Errors answered |" + (" Response fields |" if fields is not None else "")
    lines = [
        START,
        f"<!-- Generated from the @action declarations by `{COMMAND}`: edit the code, then rerun it. -->",
        "",
        "| Action | Required | Implemented parameters and filters | DryRun | Paging |" + extra_head,
        "|---|---|---|---|---|---|" + ("---|" if fields is not None else ""),
    ]
    for spec in specs:
        extra = f" {errors_page.cell(spec.name, *error_counts[spec.name])} |"
        if fields is not None:
            cov = fields.get(spec.name)
            extra += f" {conformance.summary(cov) if cov is not None else _NONE} |"
        lines.append(
            f"| {spec.name} | {_code(spec.required)} | {_code(implemented(spec))} | {dry_run(spec)} | {paging(spec)} |"
            + extra
        )
    lines += [
        "",
        "Names are the metadata's: `Tag` stands for `Tag.N.Key`/`Tag.N.Value`, `DataDisk` for "
        "`DataDisk.N.*`, `Filter` for `Filter.N.Key`/`Filter.N.Value`. The required parameters, and the "
        "type of every parameter, come from the official metadata (`mock_ecs/data/params.json`, derived "
        "by `mock_ecs/data/derive_params.py`): a missing required parameter answers `Missing<Name>` "
        "(400); a value that is not of its type (Integer, Long: an optional sign and digits within 32 or "
        "64 bits; Boolean: `true`/`false` in any case; Float), in any real parameter of the action, "
        "answers `InvalidParameter` naming it (400), before any other check of the action. "
        "DryRun \"yes\": `DryRun=true` runs every check, then answers `DryRunOperation` and changes nothing.",
        "",
    ]
    unread_by = [(spec, unread(spec)) for spec in specs]
    ignored = [(spec.name, names) for spec, names in unread_by if names and not spec.strict]
    refused = [(spec.name, names) for spec, names in unread_by if names and spec.strict]
    strict = [spec.name for spec in specs if spec.strict]
    lines.append("Accepted but ignored (real parameters that these actions do not read; a request with them "
                 "is answered as if they were absent):" if ignored else "No real parameter is silently ignored.")
    lines += [f"- {name}: {_code(names)}" for name, names in ignored]
    lines.append("")
    lines.append(f"{_code(strict)} refuse a real parameter they do not implement with `MockEcs.FilterNotSupported` "
                 f"(501) rather than ignore it; " + ("they refuse:" if refused else "none is left."))
    lines += [f"- {name}: {_code(names)}" for name, names in refused]
    lines.append(END)
    return "\n".join(lines)


measure_fields = conformance.measure  # runs the scenario: needs the test extras (the SDKs)


def fields_page(fields: Dict[str, Coverage]) -> str:
    return conformance.render_page(fields, conformance.sdk_version(), COMMAND) + "\n"


def errors_page_text(_fields: Dict[str, Coverage]) -> str:
    return errors_page.render(reach.answered_by_action(), COMMAND)


# The reference pages under docs/ (next to the README): path and renderer.
PAGES: Tuple[Tuple[str, Callable[[Dict[str, Coverage]], str]], ...] = (
    ("docs/response-fields.md", fields_page),
    ("docs/errors.md", errors_page_text),
)


def section_of(text: str) -> Optional[str]:
    """The marked section of ``text``, markers included; None when a marker is missing."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start:end + len(END)]


def rewrite(text: str, fields: Optional[Dict[str, Coverage]] = None) -> str:
    current = section_of(text)
    if current is None:
        raise ValueError(f"the README has no {START} ... {END} section")
    return text.replace(current, render(fields=fields), 1)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description="Render README's supported actions from the router.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is out of date")
    parser.add_argument("--readme", type=Path, default=README, help="the README to check or rewrite")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    fields = measure_fields()
    try:
        updated = rewrite(text, fields)
    except ValueError as exc:
        print(f"{args.readme}: {exc}", file=sys.stderr)
        return 2
    pages = {args.readme.parent / path: make(fields) for path, make in PAGES}
    stale = [path for path, page in pages.items() if not path.exists() or path.read_text(encoding="utf-8") != page]
    if args.check:
        if updated != text:
            print(f"{args.readme}: the supported-actions section is out of date; run `{COMMAND}`", file=sys.stderr)
        for path in stale:
            print(f"{path}: out of date; run `{COMMAND}`", file=sys.stderr)
        return 1 if updated != text or stale else 0
    if updated != text:
        args.readme.write_text(updated, encoding="utf-8")
        print(f"{args.readme}: supported-actions section rewritten")
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages[path], encoding="utf-8")
        print(f"{path}: rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
