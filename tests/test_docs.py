"""README's "Supported actions" section is generated from the router (mock_ecs/docs.py): it must
be up to date, and the generator must follow the declarations it is rendered from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mock_ecs import docs, router
from mock_ecs.router import ActionSpec

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_section_is_the_generated_one():
    text = README.read_text(encoding="utf-8")
    section = docs.section_of(text)
    assert section is not None, f"README.md lacks the {docs.START} ... {docs.END} markers"
    assert section == docs.render(), "README.md's supported actions are out of date: run `python -m mock_ecs.docs`"
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


def test_check_and_rewrite(tmp_path):
    stale = tmp_path / "README.md"
    stale.write_text(f"# title\n\n### Supported actions\n{docs.START}\nold list\n{docs.END}\n\n## After\n",
                     encoding="utf-8")
    checked = _run("--check", "--readme", str(stale))
    assert checked.returncode == 1 and "python -m mock_ecs.docs" in checked.stderr
    assert _run("--readme", str(stale)).returncode == 0
    text = stale.read_text(encoding="utf-8")
    assert text == f"# title\n\n### Supported actions\n{docs.render()}\n\n## After\n"
    assert _run("--check", "--readme", str(stale)).returncode == 0
    no_markers = tmp_path / "OTHER.md"
    no_markers.write_text("# nothing to rewrite\n", encoding="utf-8")
    assert _run("--check", "--readme", str(no_markers)).returncode == 2


def test_the_real_readme_passes_the_check():
    assert _run("--check").returncode == 0
