"""The timer: warm-up, loop calibration, adaptive repeats and distribution-free statistics.

One *sample* is the mean time of `loops` back-to-back calls, with the loop count calibrated so a
sample lasts at least MIN_SAMPLE_S (the clock's resolution and per-sample overhead then cost well
under 0.1 %). Samples are taken until the 95 % confidence interval of the median is within
TARGET_REL_CI of the median, or the case's time budget is spent; never fewer than MIN_ROUNDS.
On a GPU a `sync` callable (e.g. torch.cuda.synchronize) runs before the clock starts and before it
stops, so queued asynchronous work is inside the sample it belongs to.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator.schema.models import Stats

WARMUP_S = 0.2  # warm-up time (at least one call: first calls pay for allocation, JIT, caches)
MIN_SAMPLE_S = 0.01  # calibrate loops so one sample lasts at least this long
TARGET_REL_CI = 0.02  # stop when (ci95 high - ci95 low) / median <= this
MIN_ROUNDS = 5  # never fewer samples, whatever the budget
MAX_ROUNDS = 200  # never more: the interval only narrows as 1/sqrt(n)
BUDGET_S = 3.0  # time budget per case in full mode (warm-up and calibration included)
QUICK_BUDGET_S = 0.6  # and in --quick mode
CONFIDENCE = 0.95
OUTLIER_IQR_FACTOR = 1.5  # Tukey's fences

Clock = Callable[[], float]


@dataclass(frozen=True)
class Measurement:
    samples: list[float]  # seconds per call, one entry per round
    stats: Stats
    stopped_by: str  # "precision", "budget" or "max_rounds"


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (NumPy's default method)."""
    if not sorted_values:
        raise ValueError("no values")
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def median_ci_ranks(n: int, confidence: float = CONFIDENCE) -> tuple[int, int]:
    """0-based ranks (lo, hi) of the order statistics bounding the median with >= `confidence`.

    Distribution-free: the count X of samples below the true median is Binomial(n, 1/2), and the
    interval [x_(j), x_(n-1-j)] misses it with probability 2 P(X <= j). We take the largest j whose
    miss probability stays within 1 - confidence. Below n = 6 no j qualifies and the whole range is
    returned (its coverage, 1 - 2^(1-n), is then under 95 %).
    """
    if n <= 0:
        raise ValueError("no samples")
    alpha = 1.0 - confidence
    tail = 0.0  # P(X <= j)
    lo = 0
    for j in range(n // 2 + 1):
        tail += math.comb(n, j) / 2.0**n
        if 2 * tail > alpha:
            break
        lo = j
    lo = min(lo, (n - 1) // 2)
    return lo, n - 1 - lo


def summarize(samples: Sequence[float], loops: int) -> Stats:
    """Median, mean, range, IQR, order-statistic 95 % CI of the median and Tukey outliers."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    q1, median, q3 = (quantile(ordered, q) for q in (0.25, 0.5, 0.75))
    iqr = max(q3 - q1, 0.0)
    lo_fence, hi_fence = q1 - OUTLIER_IQR_FACTOR * iqr, q3 + OUTLIER_IQR_FACTOR * iqr
    lo, hi = median_ci_ranks(len(ordered))
    return Stats(
        median=median,
        mean=math.fsum(ordered) / len(ordered),
        min=ordered[0],
        max=ordered[-1],
        iqr=iqr,
        ci95=(min(ordered[lo], median), max(ordered[hi], median)),
        outliers=sum(1 for s in ordered if s < lo_fence or s > hi_fence),
        loops=loops,
        rounds=len(ordered),
    )


def relative_ci_width(stats: Stats) -> float:
    lo, hi = stats.ci95
    return (hi - lo) / stats.median if stats.median > 0 else math.inf


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
        if relative_ci_width(summarize(samples, loops)) <= target_rel_ci:
            stopped_by = "precision"
            break
        if clock() - begin >= budget_s:
            stopped_by = "budget"
            break
    return Measurement(samples=samples, stats=summarize(samples, loops), stopped_by=stopped_by)
