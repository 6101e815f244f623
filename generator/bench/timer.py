"""The timer: warm-up, loop calibration, adaptive repeats within one process.

One *sample* is the mean time of `loops` back-to-back calls, with the loop count calibrated so a
sample lasts at least MIN_SAMPLE_S (the clock's resolution and per-sample overhead then cost well
under 0.1 %). Samples are taken until the interval of the median is within TARGET_REL_CI of the
median, or the process's time budget is spent; never fewer than MIN_ROUNDS. The stopping check uses
a 99 % interval, stricter than the 95 % one reported: stopping at the first narrow 95 % interval
would select lucky streaks and cover the median only 93-94 % of the time (tests/test_bench_timer.py
simulates it). On a GPU a `sync` callable (e.g. torch.cuda.synchronize) runs before the clock starts
and before it stops, so queued asynchronous work is inside the sample it belongs to.

The runner calls this in several independent worker processes per case (PROCESSES); the published
interval comes from the spread between them (generator/stats.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator import stats as statistics
from generator.schema.models import Stats

WARMUP_S = 0.2  # warm-up time (at least one call: first calls pay for allocation, JIT, caches)
QUICK_WARMUP_S = 0.1
MIN_SAMPLE_S = 0.01  # calibrate loops so one sample lasts at least this long
TARGET_REL_CI = 0.02  # stop when (interval high - low) / median <= this
STOP_CONFIDENCE = 0.99  # the level of the interval the stopping rule checks
MIN_ROUNDS = 6  # never fewer samples per process (6 is the least that gives a 95 % interval)
MAX_ROUNDS = 200  # never more: the interval only narrows as 1/sqrt(n)
PROCESSES = 4  # independent worker processes per case in full mode
QUICK_PROCESSES = 3  # and in --quick mode
BUDGET_S = 0.8  # time budget per case and process in full mode (warm-up and calibration included)
QUICK_BUDGET_S = 0.3  # and in --quick mode
CONFIDENCE = statistics.CONFIDENCE
OUTLIER_IQR_FACTOR = statistics.OUTLIER_IQR_FACTOR

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
    """The schema's Stats of `samples` (see generator/stats.py for what the interval covers)."""
    s = statistics.summarize(samples, process_rounds)
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
