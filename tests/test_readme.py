"""The README's quickstart is real code: run it, so the documentation cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_blocks() -> list:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_quickstart_runs():
    quickstart = _python_blocks()[0]
    namespace: dict = {}
    exec(compile(quickstart, "README quickstart", "exec"), namespace)
    namespace["test_backup_job"]()


def test_readme_gives_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    assert 'python3 -m pip install -e ".[examples]" && python3 examples/disk_backup.py' in text
    assert 'python3 -m pip install -e ".[test]" && python3 -m pytest -n 2\n' in text


def test_ci_runs_the_readme_test_command():
    """.ci/run ends with the README's test command (quieter pip, the same pytest line)."""
    last = (README.parent / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert last == 'python3 -m pip install -e ".[test]" --quiet && python3 -m pytest -n 2'


def test_example_backup_job_prints_progress_to_accomplished(capsys):
    import importlib.util

    path = README.parent / "examples" / "disk_backup.py"
    spec = importlib.util.spec_from_file_location("disk_backup", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
    out = capsys.readouterr().out
    assert "IncorrectDiskStatus.Initializing" in out
    assert "progressing" in out
    assert out.count("accomplished 100%") == 2
    assert "Done: 2 snapshot(s) accomplished" in out
