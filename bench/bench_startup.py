"""What a test suite pays before its first call: importing the mock, and entering and leaving it.

Run:  python bench/bench_startup.py [--imports 7] [--n 200] [--repeats 9]

- Import: ``import mock_ecs`` against ``import moto``, each in a fresh interpreter (a
  subprocess per run; the figure is the import alone, timed inside it, the median of runs
  alternating between the two). Also ``from mock_ecs import mock_ecs`` against ``from moto
  import mock_aws`` (what a test module writes), and the first ``with mock_ecs():`` /
  ``with mock_aws():`` of the process after that import (a cold start).
- Cold start on top of the client: what a process that has already imported its client
  (``import aliyunsdkcore.client``; ``import boto3``) pays more for importing the mock and
  its first ``with`` block, in CPU time, in a fresh interpreter. It is timed inside the
  interpreter from after the client's import, so it is the whole minus the client's import
  alone, without the noise of a second interpreter. For information, the same with mock_ecs's
  first request as well (DescribeSnapshots through an ``AcsClient`` made beforehand: the
  mock's tables load on the first request, and the client's own first-request work is
  counted too).
- Enter and leave: ``with mock_ecs(): pass`` against ``with mock_aws(): pass`` (a new mock
  each time, as a decorated test makes one), in this process, warm.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
from typing import Callable, Dict, List, Optional

from bench_timing import Compared, per_op, side_by_side

IMPORTS = {
    "import mock_ecs": "import mock_ecs",
    "import moto": "import moto",
    "from mock_ecs import mock_ecs": "from mock_ecs import mock_ecs",
    "from moto import mock_aws": "from moto import mock_aws",
}
# A cold start: the import and then the first mock entered and left.
COLD = {
    "from mock_ecs import mock_ecs; with mock_ecs()": "from mock_ecs import mock_ecs\nwith mock_ecs():\n    pass",
    "from moto import mock_aws; with mock_aws()": "from moto import mock_aws\nwith mock_aws():\n    pass",
}

# On top of the client: (what the process imported first, untimed; what is timed after it).
ON_TOP = {
    "mock_ecs": ("import aliyunsdkcore.client", "from mock_ecs import mock_ecs\nwith mock_ecs():\n    pass"),
    "mock_ecs + first request": (
        "import aliyunsdkcore.client\n"
        "from aliyunsdkcore.client import AcsClient\n"
        "from aliyunsdkecs.request.v20140526.DescribeSnapshotsRequest import DescribeSnapshotsRequest\n"
        "client = AcsClient('LTAIbench', 'bench-secret', 'cn-hangzhou', auto_retry=False)\n"
        "request = DescribeSnapshotsRequest()\n"
        "request.add_query_param('RegionId', 'cn-hangzhou')",
        "from mock_ecs import mock_ecs\nwith mock_ecs():\n    client.do_action_with_exception(request)",
    ),
    "moto": ("import boto3", "from moto import mock_aws\nwith mock_aws():\n    pass"),
}

# ``base`` runs untimed; ``code`` is timed with ``clock`` (perf_counter or process_time).
_PROBE = """
import time
{base}
_t = time.{clock}()
{code}
print(time.{clock}() - _t)
"""


def _fresh_env(bytecode: str) -> Dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = bytecode
    return env


def _probe_seconds(code: str, bytecode: str, base: str = "", clock: str = "perf_counter") -> float:
    out = subprocess.run([sys.executable, "-c", _PROBE.format(base=base, code=code, clock=clock)],
                         capture_output=True, text=True, check=True, env=_fresh_env(bytecode))
    return float(out.stdout.strip().splitlines()[-1])


def import_seconds(code: str, bytecode: str) -> float:
    """Seconds ``code`` takes in a fresh interpreter (timed inside it: startup excluded).

    Compiled bytecode is cached in ``bytecode`` (PYTHONPYCACHEPREFIX) for every package alike,
    as an installed package has its .pyc: a PYTHONDONTWRITEBYTECODE environment would otherwise
    compile the work tree's sources at each import, but not site-packages'.
    """
    return _probe_seconds(code, bytecode)


def on_top_seconds(base: str, code: str, bytecode: str) -> float:
    """CPU seconds ``code`` takes in a fresh interpreter that has run ``base`` first (untimed)."""
    return _probe_seconds(code, bytecode, base, "process_time")


def _alternating(runs: int, cases: Dict[str, Callable[[str], float]]) -> Dict[str, float]:
    """Median of each case (called with the bytecode folder), the fresh interpreters alternating
    between the cases; one untimed run of each first compiles and caches: the runs read .pyc."""
    samples: Dict[str, List[float]] = {name: [] for name in cases}
    with tempfile.TemporaryDirectory(prefix="mock_ecs-bench-pyc-") as bytecode:
        for case in cases.values():
            case(bytecode)
        for _ in range(runs):
            for name, case in cases.items():
                samples[name].append(case(bytecode))
    return {name: statistics.median(values) for name, values in samples.items()}


def on_top(runs: int, with_moto: bool) -> Dict[str, float]:
    """Median CPU seconds of each ON_TOP case, the fresh interpreters alternating between them."""
    return _alternating(runs, {
        name: functools.partial(on_top_seconds, base, code)
        for name, (base, code) in ON_TOP.items() if with_moto or name != "moto"
    })


def imports(runs: int, with_moto: bool, only: Optional[List[str]] = None) -> Dict[str, float]:
    """Median seconds of each import (and cold start), the subprocesses alternating."""
    chosen = {**IMPORTS, **COLD}
    if only is not None:
        chosen = {k: v for k, v in chosen.items() if k in only}
    if not with_moto:
        chosen = {k: v for k, v in chosen.items() if "moto" not in k}
    return _alternating(runs, {name: functools.partial(import_seconds, code) for name, code in chosen.items()})


def enter_leave(n: int, repeats: int, with_moto: bool) -> Compared:
    """Seconds to make, enter and leave a mock: ``with mock_ecs(): pass`` (and ``mock_aws``)."""
    from mock_ecs import mock_ecs

    def ours(count: int) -> float:
        def once() -> None:
            with mock_ecs():
                pass

        return per_op(once, count)

    batches = {"mock_ecs": ours}
    if with_moto:
        from moto import mock_aws

        def theirs(count: int) -> float:
            def once() -> None:
                with mock_aws():
                    pass

            return per_op(once, count)

        batches["moto"] = theirs
    return side_by_side(batches, n, repeats)


def main(argv: Optional[List[str]] = None) -> None:
    from bench_calls import moto_installed

    parser = argparse.ArgumentParser()
    parser.add_argument("--imports", type=int, default=7, help="fresh interpreters per import")
    parser.add_argument("--n", type=int, default=200, help="enter/leave per repeat")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    with_moto = moto_installed()
    for name, seconds in imports(args.imports, with_moto).items():
        print(f"{name:<52}{seconds * 1e3:>10.1f} ms")
    for name, seconds in on_top(args.imports, with_moto).items():
        print(f"{'on top of the client, CPU: ' + name:<52}{seconds * 1e3:>10.1f} ms")
    for name, seconds in enter_leave(args.n, args.repeats, with_moto).items():
        print(f"enter+leave {name:<40}{seconds * 1e6:>10.1f} us")


if __name__ == "__main__":
    main()
