"""The benchmarks run (tiny N), so the scripts cannot rot; no test asserts a time.

``python bench/run.py --smoke`` is run whole, and the pieces it is made of are checked for
what they claim: the floors really answer with their canned bodies (no mock, no network),
the memory figure really comes from snapshots made by CreateSnapshot requests, the server
load really gets answers, and the table and ``--check`` report what the rows say.
"""

from __future__ import annotations

import importlib
import json
import random
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Import a bench module by name (bench/ on sys.path, as when a script runs)."""
    monkeypatch.syspath_prepend(str(BENCH))
    yield importlib.import_module


def moto_installed() -> bool:
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        return False
    return True


def _rows(out: str) -> Dict[str, List[str]]:
    """The table printed by run.py: measure -> [section, figure, against, ratio, target, met]."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#  measure"))
    header, rule = lines[start], lines[start + 1]
    assert set(rule.replace(" ", "")) == {"-"}
    spans, col = [], 0
    for dashes in rule.split("  "):
        spans.append((col, col + len(dashes)))
        col += len(dashes) + 2
    assert [header[a:b].strip() for a, b in spans] == ["#", "measure", "mock_ecs", "against", "ratio", "target", "met"]
    rows = {}
    for line in lines[start + 2:]:
        cells = [line[a:b].strip() for a, b in spans]
        rows[cells[1]] = [cells[0]] + cells[2:]
    return rows


def test_run_smoke_prints_one_table_with_every_section(bench, capsys):
    run = bench("run")
    assert run.main(["--smoke"]) == 0
    out = capsys.readouterr().out
    assert out.count("#  measure") == 1  # one table
    rows = _rows(out)
    assert {cells[0] for cells in rows.values()} == {"1", "2", "3", "4", "5", "6", "7", "8"}
    for client in ("aliyunsdkcore", "Tea SDK"):
        cells = rows[f"{client} CreateSnapshot+DeleteSnapshot: mock_ecs vs floor"]
        assert cells[0] == "1" and cells[4] == "<= 1.30" and cells[5] in ("yes", "NO")
        assert float(cells[1].split()[0]) > 0 and float(cells[2].split()[0]) > 0 and float(cells[3]) > 0
    assert "DescribeSnapshots PageSize=100: 300 vs 100 snapshots" in rows
    assert "DescribeSnapshots DiskId (10 own): 300 vs 100 snapshots" in rows
    memory = rows["memory per snapshot, 640 snapshots (tracemalloc) vs 1 KiB"]
    assert memory[1].endswith(" B") and memory[2] == "1,024 B" and memory[4] == "<= 1.00"
    # Row 8: the year's jump made the snapshots a policy keeps (20 disks x 28), against two weeks.
    (jump,) = [cells for name, cells in rows.items() if name.startswith("advance 1 year + first DescribeSnapshots")]
    assert "20 disks, 2 policies; 560 snapshots kept" in next(n for n in rows if n.startswith("advance 1 year"))
    assert jump[0] == "8" and jump[4] == "<= 1.50" and float(jump[3]) > 0
    assert rows["memory after the year's jump vs after 2 weeks (tracemalloc)"][4] == "<= 1.20"
    assert rows["DescribeSnapshots DiskId (28) afterwards vs in a region of 28 snapshots"][4] == "<= 1.50"
    if moto_installed():
        assert "boto3 create+delete_snapshot: mock_aws vs floor (before-send)" in rows
        for client in ("aliyunsdkcore", "Tea SDK"):
            assert rows[f"overhead over the floor: mock_ecs ({client}) vs moto"][4] == "<= 0.20"
        assert rows["import mock_ecs vs import moto (fresh interpreter)"][4] == "<= 0.20"
        cold = rows["cold start on top of the client (CPU): import + first with"]
        assert cold[4] == "<= 0.20" and cold[5] in ("yes", "NO") and float(cold[1].split()[0]) > 0
        assert rows["the same + mock_ecs's first request"][4] == "-"
        assert rows["make, enter, leave: with mock_ecs() vs with mock_aws()"][4] == "<= 0.10"
        for threads in ("1 client thread", "8 client threads"):
            cells = rows[f"server requests/s, {threads}: mock_ecs vs moto"]
            assert cells[1].endswith("/s") and cells[2].endswith("/s") and cells[4] == ">= 3.00"
    else:
        assert "moto rows: moto not installed (pip install -e '.[bench]')" in rows


def test_run_without_moto_still_reports_every_own_figure(bench, capsys):
    run = bench("run")
    assert run.main(["--smoke", "--no-moto", "--sections", "startup,server"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows["import mock_ecs"][1].endswith(" ms")
    assert rows["cold start on top of the client (CPU): import + first with"][1].endswith(" ms")
    assert rows["make, enter, leave: with mock_ecs()"][1].endswith(" us")
    assert rows["server requests/s, 1 client thread"][1].endswith("/s")
    assert rows["server requests/s, 8 client threads"][2] == "-"  # nothing to compare with


def test_check_fails_only_on_a_missed_target(bench, monkeypatch, capsys):
    run = bench("run")
    met = run.Row("1", "a target met", "1 ms", "2 ms", 0.5, "<= 1.30", True)
    missed = run.Row("6", "a target missed", "2,000 B", "1,024 B", 1.95, "<= 1.00", False)
    info = run.Row("3", "information only", "3 ms")
    monkeypatch.setattr(run, "run", lambda *a: [met, info])
    assert run.main(["--check"]) == 0
    monkeypatch.setattr(run, "run", lambda *a: [met, missed, info])
    assert run.main([]) == 0  # reports, does not judge
    assert run.main(["--check"]) == 1
    rows = _rows(capsys.readouterr().out.split("mock_ecs benchmarks")[-1])
    assert rows["a target missed"] == ["6", "2,000 B", "1,024 B", "1.95", "<= 1.00", "NO"]
    assert rows["information only"] == ["3", "3 ms", "-", "-", "-", "-"]
    with pytest.raises(SystemExit):
        run.main(["--sections", "calls,nonsense"])


def test_floors_answer_with_their_canned_bodies(bench):
    """The floor batches never reach a mock or the network: a canned body answers each call."""
    calls = bench("bench_calls")
    from mock_ecs import MockEcs

    sdkcore = calls.sdkcore_client()
    batches = {"aliyunsdkcore": calls.sdkcore_batches(sdkcore), "tea": calls.tea_batches(calls.tea_client(), sdkcore)}
    with MockEcs() as ecs:  # were a floor to reach mock_ecs, the canned disk would be a NotFound
        for batch in batches.values():
            assert batch["floor"](2) > 0
        assert ecs.calls == []
    for batch in batches.values():
        assert batch["mock"](2) > 0


@pytest.mark.skipif(not moto_installed(), reason="moto is the bench extra")
def test_the_boto3_floor_answers_what_moto_answers(bench):
    calls = bench("bench_calls")
    client = calls.boto3_client()
    canned = calls.moto_canned(client)
    assert set(canned) == {"CreateVolume", "CreateSnapshot", "DeleteSnapshot"}
    assert b"<snapshotId>snap-" in canned["CreateSnapshot"]["body"]
    batches = calls.boto3_batches(client, calls.boto3_client())
    assert batches["floor"](2) > 0 and batches["mock"](2) > 0


def test_memory_figure_comes_from_snapshots_made_by_requests(bench, monkeypatch):
    memory = bench("bench_memory")
    from mock_ecs.gateway import Gateway

    seen: List[str] = []
    handle = Gateway.handle

    def spy(self: Any, req: Any) -> Any:
        resp = handle(self, req)
        if "Action=CreateSnapshot" in req.url and resp.status == 200:
            seen.append(json.loads(resp.body)["SnapshotId"])
        return resp

    monkeypatch.setattr(Gateway, "handle", spy)
    per, made = memory.bytes_per_snapshot(130)  # three disks: 64, 64 and 2 snapshots
    assert made == 130 and len(set(seen)) == 130
    assert per > 100  # a snapshot is at least its object and its ID


def test_server_load_gets_answers(bench):
    server = bench("bench_server")
    got = server.measure([1, 2], 0.05, 1, with_moto=False)
    for threads in (1, 2):
        rps, failed = got["mock_ecs"][threads]
        assert rps > 0 and failed == 0


def test_import_is_timed_in_a_fresh_interpreter(bench, tmp_path):
    startup = bench("bench_startup")
    code = "import sys\nassert 'mock_ecs' not in sys.modules\nimport mock_ecs"
    assert startup.import_seconds(code, str(tmp_path)) > 0
    assert list(tmp_path.rglob("*.pyc"))  # the bytecode cache is the temporary one


def test_bench_describe_smoke(bench, capsys):
    describe = bench("bench_describe")
    assert describe.main(["--smoke"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "DescribeSnapshots via aliyunsdkcore: median ms per call, by snapshots in the region"
    rows = {line[:38].strip(): line[38:].split() for line in out[2:]}
    assert set(rows) == {"DiskId (10 snapshots of its own)", "SnapshotIds (10 IDs)", "no filter, PageSize=100",
                         "no filter, NextToken, MaxResults=50"}
    for cells in rows.values():
        assert len(cells) == 3 and all(float(c) > 0 for c in cells)  # two sizes and the ratio


def test_bench_fills_the_region_it_claims(bench):
    """build() really puts N snapshots in the region, 10 of them on the measured disk."""
    from aliyunsdkcore.client import AcsClient

    from mock_ecs import MockEcs

    describe = bench("bench_describe")
    client = AcsClient("LTAIbench", "bench-secret", describe.REGION, auto_retry=False)
    with MockEcs(**describe.FAST) as mock:
        disk_id, ten = describe.build(mock, client, 300, random.Random(1))
        assert len(mock.ids("snapshots")) == 300 and len(set(ten)) == 10
        assert sum(1 for s in mock.ids("snapshots") if mock.snapshot(s)["SourceDiskId"] == disk_id) == 10
        for run in describe.queries(client, disk_id, ten).values():
            assert run()["TotalCount"] in (10, 300)


def test_bench_modules_do_not_leak_into_sys_path():
    assert str(BENCH) not in sys.path
