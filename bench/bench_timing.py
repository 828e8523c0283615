"""Shared timing helpers: medians of repeated runs, interleaved so comparisons are side by side."""

from __future__ import annotations

import statistics
import time
from typing import Callable, Dict, List

# Runs ``n`` operations and answers the seconds per operation.
Batch = Callable[[int], float]

# What in-process, single-threaded figures are timed with: the CPU time of this process, so
# that other work on the machine does not distort them (``use_wall_clock()`` switches).
clock: Callable[[], float] = time.process_time


def use_wall_clock() -> None:
    global clock
    clock = time.perf_counter


def per_op(run: Callable[[], object], n: int) -> float:
    """Seconds per call of ``run`` over ``n`` calls."""
    start = clock()
    for _ in range(n):
        run()
    return (clock() - start) / n


class Compared(Dict[str, float]):
    """Median seconds per operation of each contender, and ``ratio(a, b)``: the median of the
    ratios a/b of the same repeat (each measured right after the other)."""

    def __init__(self, samples: Dict[str, List[float]]) -> None:
        super().__init__({name: statistics.median(values) for name, values in samples.items()})
        self.samples = samples

    def ratio(self, a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(self.samples[a], self.samples[b]))

    def difference(self, a: str, b: str) -> float:
        return statistics.median(x - y for x, y in zip(self.samples[a], self.samples[b]))


def side_by_side(batches: Dict[str, Batch], n: int, repeats: int, warmup: bool = True) -> Compared:
    """Each batch run ``repeats`` times, in turn within each repeat, ``n`` operations a run.

    Interleaving puts the contenders under the same conditions (a noisy neighbour, a change
    of CPU frequency hit them all alike), so a ratio of the same repeat is a side-by-side
    comparison; short runs and many repeats make it robust.
    """
    if warmup:
        for batch in batches.values():
            batch(max(1, n // 5))
    samples: Dict[str, List[float]] = {name: [] for name in batches}
    for _ in range(repeats):
        for name, batch in batches.items():
            samples[name].append(batch(n))
    return Compared(samples)
