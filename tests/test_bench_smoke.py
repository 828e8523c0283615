"""The DescribeSnapshots benchmark runs (tiny sizes), so the script cannot rot."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_describe.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_describe", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_describe_smoke(capsys):
    bench = _load()
    assert bench.main(["--smoke"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "DescribeSnapshots via aliyunsdkcore: median ms per call, by snapshots in the region"
    rows = {line[:38].strip(): line[38:].split() for line in out[2:]}
    assert set(rows) == {"DiskId (10 snapshots of its own)", "SnapshotIds (10 IDs)", "no filter, PageSize=100",
                         "no filter, NextToken, MaxResults=50"}
    for cells in rows.values():
        assert len(cells) == 3 and all(float(c) > 0 for c in cells)  # two sizes and the ratio


def test_bench_fills_the_region_it_claims(capsys):
    """build() really puts N snapshots in the region, 10 of them on the measured disk."""
    import random

    from aliyunsdkcore.client import AcsClient

    from mock_ecs import MockEcs

    bench = _load()
    client = AcsClient("LTAIbench", "bench-secret", bench.REGION, auto_retry=False)
    with MockEcs(**bench.FAST) as mock:
        disk_id, ten = bench.build(mock, client, 300, random.Random(1))
        assert len(mock.ids("snapshots")) == 300 and len(set(ten)) == 10
        assert sum(1 for s in mock.ids("snapshots") if mock.snapshot(s)["SourceDiskId"] == disk_id) == 10
        for run in bench.queries(client, disk_id, ten).values():
            assert run()["TotalCount"] in (10, 300)
