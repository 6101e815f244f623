"""Statistics of timing samples, in pure Python so that validation (the pydantic-only install)
recomputes them from the samples instead of trusting the figures stored beside them.

A result holds samples (seconds per call; each the mean of `loops` back-to-back calls) taken by one
or more independent worker processes (`process_rounds` says how many samples each took, in order).
Two kinds of 95 % interval for the point estimate:

- ``within-process`` (one process, and every schema-1 run): the distribution-free order-statistic
  interval of the median. It covers the noise between samples of one process only; a second process
  can land elsewhere (memory layout, thread placement, clock), so it is too narrow for comparing runs.
- ``between-processes`` (two or more processes): the estimate is the mean of the per-process medians
  (kept within the samples' range, which its rounding can leave by an ulp) and the interval a
  Student-t interval over those medians, so process-to-process noise is inside it;
  it is widened, where needed, to cover the order-statistic interval of all samples pooled.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from generator.stats.distributions import t975

CONFIDENCE = 0.95
OUTLIER_IQR_FACTOR = 1.5  # Tukey's fences
IntervalKind = Literal["within-process", "between-processes"]


@dataclass(frozen=True)
class Summary:
    """What Stats stores, computed from samples alone (the schema's Stats mirrors these fields)."""

    median: float  # the point estimate (see the module docstring for the two kinds)
    mean: float
    min: float
    max: float
    iqr: float  # inter-quartile range of the samples, i.e. of loop means, not of single calls
    ci95: tuple[float, float]
    outliers: int
    rounds: int
    interval: IntervalKind
    confidence: float  # the interval's true coverage level (under 0.95 for 5 or fewer samples)
    processes: int


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (NumPy's default method)."""
    if not sorted_values:
        raise ValueError("no values")
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@functools.lru_cache(maxsize=4096)  # validation asks for the same few n millions of times
def median_ci_ranks(n: int, confidence: float = CONFIDENCE) -> tuple[int, int, float]:
    """0-based ranks (lo, hi) of the order statistics bounding the median, and their true coverage.

    Distribution-free: the count X of samples below the true median is Binomial(n, 1/2), and the
    interval [x_(j), x_(n-1-j)] misses it with probability 2 P(X <= j). We take the largest j whose
    miss probability stays within 1 - confidence. Below n = 6 no j qualifies: the whole range is
    returned with its real coverage, 1 - 2^(1-n) (93.75 % for n = 5), never labelled 95 %.
    """
    if n <= 0:
        raise ValueError("no samples")
    alpha = 1.0 - confidence
    tail = 0.0  # P(X <= j)
    lo = 0
    miss = 2.0 / 2.0**n  # the whole range misses only when every sample is on one side
    for j in range(n // 2 + 1):
        tail += math.comb(n, j) / 2.0**n
        if 2 * tail > alpha:
            break
        lo, miss = j, 2 * tail
    lo = min(lo, (n - 1) // 2)
    return lo, n - 1 - lo, min(1.0, max(0.0, 1.0 - miss)) if n > 1 else 0.0


def split(samples: Sequence[float], process_rounds: Sequence[int]) -> list[list[float]]:
    """The samples of each process, in order; one group when `process_rounds` is empty."""
    if not process_rounds:
        return [list(samples)]
    _check_rounds(samples, process_rounds)
    groups, start = [], 0
    for count in process_rounds:
        groups.append(list(samples[start : start + count]))
        start += count
    return groups


def _check_rounds(samples: Sequence[float], process_rounds: Sequence[int]) -> None:
    if sum(process_rounds) != len(samples) or min(process_rounds) < 1:
        raise ValueError(
            f"process_rounds {list(process_rounds)} must be positive and add up to the {len(samples)} samples"
        )


class IntervalEstimate(NamedTuple):  # a tuple: validation makes one per result
    """The point estimate and its interval: what validation checks against the stored figures."""

    median: float
    ci95: tuple[float, float]
    interval: IntervalKind
    coverage: float  # before rounding
    processes: int
    ordered: list[float]  # the samples, sorted
    process_sd: float  # standard deviation of the per-process medians (NaN for one process)


def estimate(samples: Sequence[float], process_rounds: Sequence[int] = ()) -> IntervalEstimate:
    """The estimate and 95 % interval of `samples` (see the module docstring), without the
    descriptive figures describe() adds; validation of every result needs only these."""
    if process_rounds:
        _check_rounds(samples, process_rounds)
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    lo, hi, coverage = median_ci_ranks(len(ordered))
    # Positional arguments and no intermediate tuples: validation calls this for every result.
    low, high = ordered[lo], ordered[hi]
    if len(process_rounds) >= 2:
        k, center, sd = _between(samples, process_rounds)
        # The mean of the medians lies within the samples, but its rounding may not: 3 equal samples
        # of 1e-13 average to 1.0000000000000001e-13. Stats must read min <= median <= max.
        center = min(max(center, ordered[0]), ordered[-1])
        half = t975(k - 1) * sd / math.sqrt(k)
        low, high = max(0.0, min(center - half, low)), max(center + half, high)
        kind: IntervalKind = "between-processes"
        coverage = max(coverage, CONFIDENCE)
    else:
        center, kind, sd = quantile(ordered, 0.5), "within-process", math.nan
    ci95 = (min(low, center), max(high, center))
    return IntervalEstimate(center, ci95, kind, coverage, max(len(process_rounds), 1), ordered, sd)


def _between(samples: Sequence[float], process_rounds: Sequence[int]) -> tuple[int, float, float]:
    """(processes, mean, standard deviation) of the per-process medians; two or more processes.
    Validation takes this path for every result: each median is quantile(group, 0.5) inlined, to the
    same bits (an odd group's middle value; an even group's lower middle plus half the gap)."""
    medians, start = [], 0
    for count in process_rounds:
        end = start + count
        group = sorted(samples[start:end])
        mid = count >> 1
        if count & 1:
            medians.append(group[mid])
        else:
            low = group[mid - 1]
            medians.append(low + (group[mid] - low) * 0.5)
        start = end
    center, sd = mean_sd(medians)
    return len(medians), center, sd


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """The mean and the sample standard deviation (NaN for one value), each sum exactly rounded
    (math.fsum) and each square a product, so a vectorized check can reproduce them to the bit."""
    k = len(values)
    center = math.fsum(values) / k
    if k < 2:
        return center, math.nan
    deviations = [v - center for v in values]
    return center, math.sqrt(math.fsum([d * d for d in deviations]) / (k - 1))


def process_sd(samples: Sequence[float], process_rounds: Sequence[int]) -> float:
    """The standard deviation of the per-process medians (what estimate() computes; NaN for one
    process): change detection across versions needs it for every result."""
    return _between(samples, process_rounds)[2] if len(process_rounds) >= 2 else math.nan


def describe(samples: Sequence[float], process_rounds: Sequence[int] = ()) -> Summary:
    """The statistics of `samples` taken by processes of `process_rounds` samples each."""
    est = estimate(samples, process_rounds)
    ordered = est.ordered
    q1, q3 = quantile(ordered, 0.25), quantile(ordered, 0.75)
    iqr = max(q3 - q1, 0.0)
    lo_fence, hi_fence = q1 - OUTLIER_IQR_FACTOR * iqr, q3 + OUTLIER_IQR_FACTOR * iqr
    return Summary(
        median=est.median,
        mean=math.fsum(ordered) / len(ordered),
        min=ordered[0],
        max=ordered[-1],
        iqr=iqr,
        ci95=est.ci95,
        outliers=sum(1 for s in ordered if s < lo_fence or s > hi_fence),
        rounds=len(ordered),
        interval=est.interval,
        confidence=round(est.coverage, 6),
        processes=est.processes,
    )


def process_medians(samples: Sequence[float], process_rounds: Sequence[int]) -> list[float]:
    """The median of each process's samples, in process order (one value for one process)."""
    return [quantile(sorted(g), 0.5) for g in split(samples, process_rounds)]


def process_spread(samples: Sequence[float], process_rounds: Sequence[int]) -> float:
    """(max - min) / mean of the per-process medians: 0 for one process."""
    medians = process_medians(samples, process_rounds)
    if len(medians) < 2:
        return 0.0
    mean = math.fsum(medians) / len(medians)
    return (max(medians) - min(medians)) / mean if mean > 0 else 0.0
