"""Every benchmark of mock_ecs in one table: against the floor, against moto, and against itself.

Run:  python bench/run.py            (a few minutes; moto's rows need the ``bench`` extra)
      python bench/run.py --smoke    (tiny N, seconds: CI runs it through a test so it cannot rot)

Each figure is the median of repeated runs in this process; each comparison is a ratio of
contenders measured side by side in the same run (their runs interleaved), so that a busy
machine slows both alike. In-process, single-threaded figures are CPU time of this process
(``time.process_time``; ``--wall`` for wall-clock time); imports are timed in fresh
interpreters, and the servers' requests per second in wall-clock time. The rows:

1. CreateSnapshot+DeleteSnapshot through aliyunsdkcore and through the Tea SDK under mock_ecs,
   against the same calls answered by a bare ``responses`` stub (a canned body) at the same
   interception point: the floor (bench_calls.py).
2. boto3 create_snapshot+delete_snapshot under moto's ``mock_aws`` against boto3 answered with
   moto's own bodies at the point where moto answers (botocore's ``before-send``), and each
   mock's overhead over its floor, compared.
3. Importing mock_ecs and moto in a fresh interpreter (bench_startup.py); the cold start on
   top of the client: ``import aliyunsdkcore.client`` then importing mock_ecs and its first
   ``with mock_ecs()``, against ``import boto3`` then moto's first ``with mock_aws()`` (CPU
   time after the client's import, in fresh interpreters).
4. Making, entering and leaving ``mock_ecs()`` against ``mock_aws()``.
5. DescribeSnapshots (PageSize=100; DiskId) with 1,000 ... 100,000 snapshots in the region,
   against the same with 100 (bench_describe.py).
6. Memory per snapshot with 100,000 snapshots, made by CreateSnapshot requests (bench_memory.py).
7. Server mode: requests per second with 1 and 8 client threads, against moto's server
   (bench_server.py).
8. Automatic snapshot policies (bench_policies.py): 1,000 disks under 10 policies (4 time
   points a day, retention 7 days), the clock moved one year in one step, then one
   DescribeSnapshots by DiskId, which makes the firings due. Against the same with a jump of two
   weeks (the same snapshots remain): the year's hours must cost nearly nothing, in time and in
   memory. A DescribeSnapshots afterwards against the same read in a region of one disk.

Exit status 0; with ``--check``, 1 when a target is not met.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_calls  # noqa: E402
import bench_describe  # noqa: E402
import bench_memory  # noqa: E402
import bench_policies  # noqa: E402
import bench_server  # noqa: E402
import bench_startup  # noqa: E402
import bench_timing as timing  # noqa: E402

KIB = 1024


@dataclass
class Row:
    section: str
    measure: str
    figure: str
    against: str = ""
    ratio: Optional[float] = None
    # (text, test of the ratio); None: a row for information
    target: Optional[str] = None
    met: Optional[bool] = None


@dataclass
class Sizes:
    """How much work each section does: the full run, or the smoke run."""

    calls_n: int = 100
    calls_repeats: int = 21
    import_runs: int = 7
    import_rows: int = 3  # plain import; the from-import; the cold start
    enter_n: int = 100
    enter_repeats: int = 11
    describe_sizes: Sequence[int] = (100, 1_000, 10_000, 100_000)
    describe_calls: int = 40
    describe_repeats: int = 7
    memory_count: int = 100_000
    server_seconds: float = 1.0
    server_repeats: int = 5
    policy_disks: int = 1000
    policy_count: int = 10
    policy_repeats: int = 3


SMOKE = Sizes(calls_n=3, calls_repeats=2, import_runs=1, import_rows=1, enter_n=3, enter_repeats=2,
              describe_sizes=(100, 300), describe_calls=2, describe_repeats=1, memory_count=640,
              server_seconds=0.05, server_repeats=1, policy_disks=20, policy_count=2, policy_repeats=1)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.3f} ms"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} us"


def calls_rows(sizes: Sizes, with_moto: bool) -> List[Row]:
    got = bench_calls.measure(sizes.calls_n, sizes.calls_repeats, with_moto)
    rows = []
    overhead = {}
    for client, label in (("aliyunsdkcore", "aliyunsdkcore"), ("tea", "Tea SDK"), ("boto3", "boto3")):
        if client not in got:
            continue
        pair = got[client]
        ratio = pair.ratio("mock", "floor")
        overhead[client] = pair.difference("mock", "floor")
        if client == "boto3":
            rows.append(Row("2", "boto3 create+delete_snapshot: mock_aws vs floor (before-send)", _ms(pair["mock"]),
                            _ms(pair["floor"]), ratio))
        else:
            rows.append(Row("1", f"{label} CreateSnapshot+DeleteSnapshot: mock_ecs vs floor", _ms(pair["mock"]),
                            _ms(pair["floor"]), ratio, "<= 1.30", ratio <= 1.30))
    if "boto3" in overhead:
        for client, label in (("aliyunsdkcore", "aliyunsdkcore"), ("tea", "Tea SDK")):
            ratio = overhead[client] / overhead["boto3"]
            rows.append(Row("2", f"overhead over the floor: mock_ecs ({label}) vs moto", _ms(overhead[client]),
                            _ms(overhead["boto3"]), ratio, "<= 0.20", ratio <= 0.20))
    elif bench_calls.moto_installed():
        rows.append(Row("2", "moto rows: left out (--no-moto)", "-"))
    else:
        rows.append(Row("2", "moto rows: moto not installed (pip install -e '.[bench]')", "-"))
    return rows


def startup_rows(sizes: Sizes, with_moto: bool) -> List[Row]:
    pairs = [
        ("import mock_ecs", "import moto", "import mock_ecs vs import moto (fresh interpreter)", 0.20),
        ("from mock_ecs import mock_ecs", "from moto import mock_aws",
         "from mock_ecs import mock_ecs vs from moto import mock_aws", None),
        ("from mock_ecs import mock_ecs; with mock_ecs()", "from moto import mock_aws; with mock_aws()",
         "cold start: that import + the first with-block", None),
    ][:sizes.import_rows]
    imports = bench_startup.imports(sizes.import_runs, with_moto, [name for pair in pairs for name in pair[:2]])
    rows = []
    for ours, theirs, label, limit in pairs:
        if with_moto:
            ratio = imports[ours] / imports[theirs]
            rows.append(Row("3", label, _ms(imports[ours]), _ms(imports[theirs]), ratio,
                            f"<= {limit:.2f}" if limit else None, ratio <= limit if limit else None))
        else:
            rows.append(Row("3", ours, _ms(imports[ours])))
    cold = bench_startup.on_top(sizes.import_runs, with_moto)
    first_with = "cold start on top of the client (CPU): import + first with"
    first_request = "the same + mock_ecs's first request"
    if with_moto:
        ratio = cold["mock_ecs"] / cold["moto"]
        rows.append(Row("3", first_with, _ms(cold["mock_ecs"]), _ms(cold["moto"]), ratio, "<= 0.20", ratio <= 0.20))
        rows.append(Row("3", first_request, _ms(cold["mock_ecs + first request"]), _ms(cold["moto"]),
                        cold["mock_ecs + first request"] / cold["moto"]))
    else:
        rows.append(Row("3", first_with, _ms(cold["mock_ecs"])))
        rows.append(Row("3", first_request, _ms(cold["mock_ecs + first request"])))
    entered = bench_startup.enter_leave(sizes.enter_n, sizes.enter_repeats, with_moto)
    if with_moto:
        ratio = entered.ratio("mock_ecs", "moto")
        rows.append(Row("4", "make, enter, leave: with mock_ecs() vs with mock_aws()", _us(entered["mock_ecs"]),
                        _us(entered["moto"]), ratio, "<= 0.10", ratio <= 0.10))
    else:
        rows.append(Row("4", "make, enter, leave: with mock_ecs()", _us(entered["mock_ecs"])))
    return rows


def describe_rows(sizes: Sizes) -> List[Row]:
    queries = {"no filter, PageSize=100": "PageSize=100", "DiskId (10 snapshots of its own)": "DiskId (10 own)"}
    got = bench_describe.measure(sizes.describe_sizes, sizes.describe_calls, sizes.describe_repeats,
                                 names=list(queries))
    small, large = sizes.describe_sizes[0], sizes.describe_sizes[-1]
    rows = []
    for name, label in queries.items():
        by_size = got[name]
        for size in sizes.describe_sizes[1:]:
            ratio = by_size[size] / by_size[small]
            last = size == large
            rows.append(Row("5", f"DescribeSnapshots {label}: {size:,} vs {small:,} snapshots", _ms(by_size[size]),
                            _ms(by_size[small]), ratio, "<= 2.00" if last else None, ratio <= 2.0 if last else None))
    return rows


def memory_rows(sizes: Sizes) -> List[Row]:
    per, made = bench_memory.bytes_per_snapshot(sizes.memory_count)
    ratio = per / KIB
    return [Row("6", f"memory per snapshot, {made:,} snapshots (tracemalloc) vs 1 KiB", f"{per:,.0f} B",
                f"{KIB:,} B", ratio, "<= 1.00", ratio <= 1.0)]


def server_rows(sizes: Sizes, with_moto: bool) -> List[Row]:
    got = bench_server.measure([1, 8], sizes.server_seconds, sizes.server_repeats, with_moto)
    rows = []
    for threads in (1, 8):
        ours, failed = got["mock_ecs"][threads]
        label = f"server requests/s, {threads} client thread{'s' if threads > 1 else ''}"
        if failed:
            label += f" ({failed} failed)"
        if "moto" in got:
            theirs, moto_failed = got["moto"][threads]
            if moto_failed:
                label += f" (moto: {moto_failed} failed)"
            ratio = ours / theirs
            rows.append(Row("7", label + ": mock_ecs vs moto", f"{ours:,.0f}/s", f"{theirs:,.0f}/s", ratio,
                            ">= 3.00", ratio >= 3.0))
        else:
            rows.append(Row("7", label, f"{ours:,.0f}/s"))
    return rows


def policy_rows(sizes: Sizes) -> List[Row]:
    got = bench_policies.measure(sizes.policy_disks, sizes.policy_count, sizes.policy_repeats)
    kept = int(got["snapshots"])
    jump = got["year_jump"] / got["weeks_jump"]
    memory = got["year_bytes"] / got["weeks_bytes"]
    read = got["year_read"] / got["small_read"]
    where = f"{sizes.policy_disks:,} disks, {sizes.policy_count} policies"
    return [
        Row("8", f"advance 1 year + first DescribeSnapshots ({where}; {kept:,} snapshots kept) vs 2 weeks",
            _ms(got["year_jump"]), _ms(got["weeks_jump"]), jump, "<= 1.50", jump <= 1.5),
        Row("8", "  the same, per snapshot kept", _us(got["year_jump"] / max(1, kept))),
        Row("8", "memory after the year's jump vs after 2 weeks (tracemalloc)", f"{got['year_bytes'] / 2**20:,.1f} MiB",
            f"{got['weeks_bytes'] / 2**20:,.1f} MiB", memory, "<= 1.20", memory <= 1.2),
        Row("8", "DescribeSnapshots DiskId (28) afterwards vs in a region of 28 snapshots", _ms(got["year_read"]),
            _ms(got["small_read"]), read, "<= 1.50", read <= 1.5),
    ]


SECTIONS = ("calls", "startup", "describe", "memory", "server", "policies")


def run(sizes: Sizes, sections: Sequence[str], with_moto: bool) -> List[Row]:
    rows: List[Row] = []
    if "calls" in sections:
        rows += calls_rows(sizes, with_moto)
    if "startup" in sections:
        rows += startup_rows(sizes, with_moto)
    if "describe" in sections:
        rows += describe_rows(sizes)
    if "memory" in sections:
        rows += memory_rows(sizes)
    if "server" in sections:
        rows += server_rows(sizes, with_moto)
    if "policies" in sections:
        rows += policy_rows(sizes)
    return rows


HEAD = ("#", "measure", "mock_ecs", "against", "ratio", "target", "met")


def table(rows: List[Row]) -> List[str]:
    cells = [HEAD] + [
        (r.section, r.measure, r.figure, r.against or "-", "-" if r.ratio is None else f"{r.ratio:.2f}",
         r.target or "-", "-" if r.met is None else ("yes" if r.met else "NO"))
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEAD))]
    right = {2, 3, 4}
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(c))
                     .rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny N: checks that every benchmark runs")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
    parser.add_argument("--no-moto", action="store_true", help="leave moto out even when installed")
    parser.add_argument("--wall", action="store_true", help="time in-process figures with the wall clock")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    if args.wall:
        timing.use_wall_clock()
    with_moto = not args.no_moto and bench_calls.moto_installed()
    sizes = SMOKE if args.smoke else Sizes()
    rows = run(sizes, sections, with_moto)
    clock = "wall clock" if args.wall else "CPU time"
    print(f"mock_ecs benchmarks{' (smoke: tiny N, figures mean nothing)' if args.smoke else ''}: "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs, in-process figures in {clock}; "
          "medians of repeated runs, ratios side by side")
    for line in table(rows):
        print(line)
    missed = [r for r in rows if r.met is False]
    return 1 if args.check and missed and not args.smoke else 0


if __name__ == "__main__":
    sys.exit(main())
