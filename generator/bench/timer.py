"""The timer: warm-up, loop calibration, adaptive repeats within one process, following the
protocol of generator/catalog/protocol.py (its constants and why they are what they are)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator.catalog.protocol import (
    BUDGET_S,
    MAX_ROUNDS,
    MIN_ROUNDS,
    MIN_SAMPLE_S,
    STOP_CONFIDENCE,
    TARGET_REL_CI,
    WARMUP_S,
)
from generator.schema.models import Stats
from generator.stats import timing as statistics

Clock = Callable[[], float]


@dataclass(frozen=True)
class Measurement:
    samples: list[float]  # seconds per call, one entry per round
    loops: int
    stopped_by: str  # "precision", "budget" or "max_rounds"

    @property
    def stats(self) -> Stats:
        return summarize(self.samples, self.loops)


def summarize(samples: Sequence[float], loops: int, process_rounds: Sequence[int] = ()) -> Stats:
    """The schema's Stats of `samples` (see generator/stats/timing.py for what the interval covers)."""
    s = statistics.describe(samples, process_rounds)
    return Stats(
        median=s.median,
        mean=s.mean,
        min=s.min,
        max=s.max,
        iqr=s.iqr,
        ci95=s.ci95,
        outliers=s.outliers,
        loops=loops,
        rounds=s.rounds,
        interval=s.interval,
        confidence=s.confidence,
        processes=s.processes,
    )


def stop_width(samples: Sequence[float]) -> float:
    """Relative width of the 99 % order-statistic interval of the median (the stopping rule's)."""
    ordered = sorted(samples)
    lo, hi, _ = statistics.median_ci_ranks(len(ordered), STOP_CONFIDENCE)
    median = statistics.quantile(ordered, 0.5)
    return (ordered[hi] - ordered[lo]) / median if median > 0 else math.inf


def _timed_loop(fn: Callable[[], object], loops: int, sync: Callable[[], None] | None, clock: Clock) -> float:
    if sync is not None:
        sync()
    start = clock()
    for _ in range(loops):
        fn()
    if sync is not None:
        sync()
    return clock() - start


def calibrate_loops(per_call_s: float, min_sample_s: float = MIN_SAMPLE_S) -> int:
    """Calls per sample so that one sample lasts at least `min_sample_s` (10 % headroom)."""
    if per_call_s >= min_sample_s:
        return 1
    return max(1, math.ceil(1.1 * min_sample_s / max(per_call_s, 1e-9)))


def measure(
    fn: Callable[[], object],
    *,
    sync: Callable[[], None] | None = None,
    budget_s: float = BUDGET_S,
    target_rel_ci: float = TARGET_REL_CI,
    warmup_s: float = WARMUP_S,
    min_sample_s: float = MIN_SAMPLE_S,
    min_rounds: int = MIN_ROUNDS,
    max_rounds: int = MAX_ROUNDS,
    clock: Clock = time.perf_counter,
) -> Measurement:
    """Time `fn` (a call doing one unit of work) and return its samples and statistics."""
    begin = clock()
    # Warm-up: at least one call, then keep calling until warmup_s has passed.
    calls = 0
    per_call = math.inf
    while calls == 0 or clock() - begin < warmup_s:
        per_call = min(per_call, _timed_loop(fn, 1, sync, clock))
        calls += 1
    # Calibration: grow the loop until one timed loop is long enough to trust its estimate.
    loops = calibrate_loops(per_call, min_sample_s)
    while loops > 1:
        elapsed = _timed_loop(fn, loops, sync, clock)
        if elapsed >= min_sample_s:
            break
        loops = calibrate_loops(elapsed / loops, min_sample_s)
        if clock() - begin > budget_s:
            break
    samples: list[float] = []
    stopped_by = "max_rounds"
    while len(samples) < max_rounds:
        samples.append(_timed_loop(fn, loops, sync, clock) / loops)
        if len(samples) < min_rounds:
            continue
        if stop_width(samples) <= target_rel_ci:
            stopped_by = "precision"
            break
        if clock() - begin >= budget_s:
            stopped_by = "budget"
            break
    return Measurement(samples=samples, loops=loops, stopped_by=stopped_by)
