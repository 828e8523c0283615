"""What a test suite pays before its first call: importing the mock, and entering and leaving it.

Run:  python bench/bench_startup.py [--imports 7] [--n 200] [--repeats 9]

- Import: ``import mock_ecs`` against ``import moto``, each in a fresh interpreter (a
  subprocess per run; the figure is the import alone, timed inside it, the median of runs
  alternating between the two). Also ``from mock_ecs import mock_ecs`` against ``from moto
  import mock_aws`` (what a test module writes), and the first ``with mock_ecs():`` /
  ``with mock_aws():`` of the process after that import (a cold start).
- Enter and leave: ``with mock_ecs(): pass`` against ``with mock_aws(): pass`` (a new mock
  each time, as a decorated test makes one), in this process, warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional

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

_PROBE = """
import time
_t = time.perf_counter()
{code}
print(time.perf_counter() - _t)
"""


def import_seconds(code: str, bytecode: str) -> float:
    """Seconds ``code`` takes in a fresh interpreter (timed inside it: startup excluded).

    Compiled bytecode is cached in ``bytecode`` (PYTHONPYCACHEPREFIX) for every package alike,
    as an installed package has its .pyc: a PYTHONDONTWRITEBYTECODE environment would otherwise
    compile the work tree's sources at each import, but not site-packages'.
    """
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = bytecode
    out = subprocess.run([sys.executable, "-c", _PROBE.format(code=code)], capture_output=True, text=True,
                         check=True, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def imports(runs: int, with_moto: bool, only: Optional[List[str]] = None) -> Dict[str, float]:
    """Median seconds of each import (and cold start), the subprocesses alternating."""
    chosen = {**IMPORTS, **COLD}
    if only is not None:
        chosen = {k: v for k, v in chosen.items() if k in only}
    if not with_moto:
        chosen = {k: v for k, v in chosen.items() if "moto" not in k}
    samples: Dict[str, List[float]] = {name: [] for name in chosen}
    with tempfile.TemporaryDirectory(prefix="mock_ecs-bench-pyc-") as bytecode:
        for code in chosen.values():
            import_seconds(code, bytecode)  # compiles and caches: the runs below read .pyc
        for _ in range(runs):
            for name, code in chosen.items():
                samples[name].append(import_seconds(code, bytecode))
    return {name: statistics.median(values) for name, values in samples.items()}


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
    for name, seconds in enter_leave(args.n, args.repeats, with_moto).items():
        print(f"enter+leave {name:<40}{seconds * 1e6:>10.1f} us")


if __name__ == "__main__":
    main()
