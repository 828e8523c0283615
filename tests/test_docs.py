"""README's "Supported actions" section is generated from the router (mock_ecs/docs.py): it must
be up to date, and the generator must follow the declarations it is rendered from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mock_ecs import conformance, docs, router
from mock_ecs.router import ActionSpec

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def fields():
    """The response-field coverage of every built action (the conformance scenario, once)."""
    return docs.measure_fields()


def test_readme_section_is_the_generated_one(fields):
    text = README.read_text(encoding="utf-8")
    section = docs.section_of(text)
    assert section is not None, f"README.md lacks the {docs.START} ... {docs.END} markers"
    assert section == docs.render(fields=fields), \
        "README.md's supported actions are out of date: run `python -m mock_ecs.docs`"
    assert text.count(docs.START) == 1 and "### Supported actions\n" + docs.START in text


def test_every_action_has_a_row_and_describe_images_refuses_nothing():
    section = docs.render()
    for name in router.ACTIONS:
        assert f"\n| {name} | " in section, name
    spec = router.ACTIONS["DescribeImages"]
    assert docs.unread(spec) == []
    assert set(docs.implemented(spec)) == set(router.META["DescribeImages"]) - {
        "RegionId", "DryRun", "PageNumber", "PageSize"}
    assert (docs.dry_run(spec), docs.paging(spec)) == ("yes", "PageNumber/PageSize")


def _fake(name: str, *, params: tuple, strict: bool) -> ActionSpec:
    return ActionSpec(name, lambda ctx: {}, ("RegionId",), True, frozenset(params), strict)


def test_the_table_follows_the_declarations():
    # A non-strict action that does not declare some real parameters lists them as ignored,
    # a strict one as refused; DryRun and paging follow what is declared.
    lax = _fake("DescribeImages", params=("ImageId", "Tag", "PageNumber", "PageSize"), strict=False)
    section = docs.render({"DescribeImages": lax})
    assert "| DescribeImages | `RegionId` | `ImageId`, `Tag` | ignored | PageNumber/PageSize |" in section
    ignored_line = next(line for line in section.splitlines() if line.startswith("- DescribeImages: "))
    assert "`Usage`" in ignored_line and "`DryRun`" in ignored_line and "`ImageId`" not in ignored_line
    strict = _fake("DescribeImages", params=("ImageId", "DryRun", "NextToken", "MaxResults"), strict=True)
    section = docs.render({"DescribeImages": strict})
    assert "| yes | NextToken/MaxResults |" in section
    assert "they refuse:\n- DescribeImages: " in section and "No real parameter is silently ignored." in section


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mock_ecs.docs", *args], capture_output=True, text=True,
                          cwd=README.parent, check=False)


def test_check_and_rewrite(tmp_path, fields):
    stale = tmp_path / "README.md"
    stale.write_text(f"# title\n\n### Supported actions\n{docs.START}\nold list\n{docs.END}\n\n## After\n",
                     encoding="utf-8")
    checked = _run("--check", "--readme", str(stale))
    assert checked.returncode == 1 and "python -m mock_ecs.docs" in checked.stderr
    assert _run("--readme", str(stale)).returncode == 0
    text = stale.read_text(encoding="utf-8")
    assert text == f"# title\n\n### Supported actions\n{docs.render(fields=fields)}\n\n## After\n"
    # The reference pages are written next to the README it was given.
    assert (tmp_path / "docs" / "response-fields.md").read_text(encoding="utf-8") == docs.fields_page(fields)
    assert _run("--check", "--readme", str(stale)).returncode == 0
    no_markers = tmp_path / "OTHER.md"
    no_markers.write_text("# nothing to rewrite\n", encoding="utf-8")
    assert _run("--check", "--readme", str(no_markers)).returncode == 2


def test_the_real_readme_passes_the_check():
    assert _run("--check").returncode == 0


# --- docs/response-fields.md ---------------------------------------------------------------------
def test_the_fields_page_is_the_generated_one(fields):
    page = README.parent / "docs" / "response-fields.md"
    assert page.read_text(encoding="utf-8") == docs.fields_page(fields), \
        "docs/response-fields.md is out of date: run `python -m mock_ecs.docs`"
    for action in router.ACTIONS:
        assert f"\n## {action}\n" in page.read_text(encoding="utf-8")


def test_every_built_action_answers_its_model(fields):
    """At least 95% of the SDK model's fields per built action; every one for disks and snapshots."""
    assert sorted(fields) == sorted(router.ACTIONS)
    low = {a: f"{c.percent:.1f}%" for a, c in fields.items() if c.percent < conformance.TARGET}
    assert low == {}, low
    for action in conformance.FULL:
        cov = fields[action]
        assert cov.with_status("missing", "mismatch") == [], action
        assert cov.count()[0] == cov.count()[1] > 30, action
    # Only the Shared Block Storage attachments are answered by an always-empty list.
    assert {f.path for f in fields["DescribeSnapshots"].with_status("empty")} == set()
    assert {f.path.rsplit(".", 1)[-1] for f in fields["DescribeDisks"].with_status("empty")} == {
        "AttachedTime", "Device", "InstanceId"}
    assert all("MountInstances" in f.path for f in fields["DescribeDisks"].with_status("empty"))


def test_the_count_sees_a_missing_field_and_a_wrong_type():
    """The measure can fail: a Snapshot without FullSnapshotSizeInBytes, a TotalCount as text."""
    answer = {"RequestId": "r", "TotalCount": "1", "PageNumber": 1, "PageSize": 10, "NextToken": "",
              "Snapshots": {"Snapshot": [{"SnapshotId": "s-1", "Tags": {"Tag": []}}]}}
    cov = conformance.coverage("DescribeSnapshots", [answer])
    missing = {f.path for f in cov.with_status("missing")}
    assert "Snapshots.Snapshot[].FullSnapshotSizeInBytes" in missing
    assert [f.path for f in cov.with_status("mismatch")] == ["TotalCount"]
    # Tags.Tag is answered but empty: its fields count as answered by the empty list.
    assert {f.path for f in cov.with_status("empty")} == {"Snapshots.Snapshot[].Tags.Tag[].TagKey",
                                                          "Snapshots.Snapshot[].Tags.Tag[].TagValue"}
    assert cov.percent < conformance.TARGET
    page = conformance.render_page({"DescribeSnapshots": cov}, "0", "cmd")
    assert "- `Snapshots.Snapshot[].FullSnapshotSizeInBytes` (int)" in page
    assert "- `TotalCount` (int)" in page.split("Answered with another type:")[1]


def test_the_model_walk_finds_nested_lists_and_types():
    paths = dict((f.path, f.type) for f in conformance.model_fields("DescribeDisks"))
    assert paths["Disks.Disk[].Attachments.Attachment[].Device"] == "str"
    assert paths["Disks.Disk[].Attachments.Attachment"] == "list"
    assert paths["Disks.Disk[].IOPS"] == "int" and paths["Disks.Disk[].Encrypted"] == "bool"
    assert paths["Disks.Disk[].Placement"] == "object"
    instance = dict((f.path, f.type) for f in conformance.model_fields("DescribeInstances"))
    assert instance["Instances.Instance[].SecurityGroupIds.SecurityGroupId"] == "list[str]"
    assert instance["Instances.Instance[].SpotPriceLimit"] == "float"


# --- docs/errors.md ------------------------------------------------------------------------------
def test_the_errors_page_is_the_generated_one():
    from mock_ecs import error_texts, errors_page, reach

    page = (README.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    answered = reach.answered_by_action()
    assert page == docs.errors_page_text({}), "docs/errors.md is out of date: run `python -m mock_ecs.docs`"
    for action, codes in answered.items():
        documented = error_texts.documented(action)
        n, m = errors_page.counts(answered)[action]
        assert f"\n## {action}\n\n{n} of {m} documented codes answered.\n" in page
        assert f"[{n}/{m}](docs/errors.md#{action.lower()})" in README.read_text(encoding="utf-8")
        rows = page.split(f"\n## {action}\n")[1].splitlines()
        for code in documented:  # every code has a row; every one not answered, a reason
            row = next(line for line in rows if line.startswith(f"| `{code}` |"))
            assert row.endswith("| yes |  |") if code in codes else "| — | " in row and not row.endswith("|  |")


def test_an_error_reason_follows_its_rules():
    from mock_ecs import errors_page

    assert errors_page.reason("CreateDisk", "InvalidParameter.KMSKeyId.NotFound") == errors_page.CRYPTO
    assert errors_page.reason("RunInstances", "Account.Arrearage") == errors_page.BILLING
    assert errors_page.reason("ReplaceSystemDisk", "InvalidInstance.NotFoundSystemDisk").startswith("cannot happen")
    assert errors_page.reason("DeleteImage", "SomethingNew") == errors_page.NOT_YET
