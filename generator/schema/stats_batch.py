"""The statistics check of a whole run at once, with NumPy: the site build's fast path.

Validation recomputes every timing result's estimate and interval from its samples
(models._check_stats). One result at a time in Python that was a third of reading a run, so the
build (which has NumPy; `framebench validate` may not) hands a run's results to check() instead.
Results of one shape (sample count and process_rounds; a run has a few) are checked as one array.

check() is a filter, not a second judge: it answers "every result agrees" or "not all", and a run it
does not pass is validated again one result at a time (schema.load.parse_run), so every message
still comes from _check_stats. It repeats that check's arithmetic operation for operation (the
same sums, products and comparisons in the same order), so its verdicts and process_sd values are
the Python ones to the bit; tests/test_stats_batch.py holds the two to that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray

from generator.schema.models import ABS_TOL, REL_TOL, TimingResult
from generator.stats import timing
from generator.stats.distributions import t975

Floats = NDArray[np.float64]


def check(results: Sequence[TimingResult]) -> list[float] | None:
    """Each result's process_sd (NaN for one process) when every result's stored statistics are
    ordered and those of its samples (as models._check_order and _check_stats decide), else None.
    Results need stats and samples."""
    # Field values straight from each model's __dict__, where pydantic keeps them: an attribute of a
    # model costs several lookups, and a large build checks two million results.
    fields = [r.__dict__ for r in results]
    shapes: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    for i, f in enumerate(fields):
        shapes.setdefault((len(f["samples"]), tuple(f["process_rounds"])), []).append(i)
    sds = [math.nan] * len(results)
    for (n, rounds), members in shapes.items():
        found = _check_shape(n, rounds, [fields[i] for i in members])
        if found is None:
            return None
        for i, sd in zip(members, found, strict=True):
            sds[i] = sd
    return sds


def _check_shape(n: int, rounds: tuple[int, ...], fields: list[dict[str, Any]]) -> list[float] | None:
    """check() for results (their field values) of `n` samples each, taken by processes of `rounds`."""
    if rounds and (sum(rounds) != n or min(rounds) < 1):
        return None  # _check_stats words this one
    k, m = max(len(rounds), 1), len(fields)
    kind: timing.IntervalKind = "between-processes" if k >= 2 else "within-process"
    stored = [f["stats"].__dict__ for f in fields]
    lo, hi, coverage = timing.median_ci_ranks(n)
    confidence = round(max(coverage, timing.CONFIDENCE) if k >= 2 else coverage, 6)
    if any(
        s["rounds"] != n
        or s["processes"] != k
        or s["interval"] != kind
        or not math.isclose(s["confidence"], confidence, rel_tol=0, abs_tol=1e-6)
        for s in stored
    ):
        return None
    samples = _rows([f["samples"] for f in fields], n)
    ordered = np.sort(samples, axis=1)
    low, high = ordered[:, lo], ordered[:, hi]
    if k >= 2:
        center, sd = _between(samples, rounds)
        center = np.minimum(np.maximum(center, ordered[:, 0]), ordered[:, -1])  # as timing.estimate
        half = t975(k - 1) * sd / math.sqrt(k)
        low = np.maximum(0.0, np.minimum(center - half, low))
        high = np.maximum(center + half, high)
    else:
        center, sd = _quantile(ordered, 0.5), np.full(m, math.nan)
    fresh = np.stack(
        [center, ordered[:, 0], ordered[:, -1], np.minimum(low, center), np.maximum(high, center)], axis=1
    )
    have = _rows([(s["median"], s["min"], s["max"], *s["ci95"]) for s in stored], 5)
    median, low_end, high_end = have[:, 0], have[:, 3], have[:, 4]
    ordered_ok = (have[:, 1] <= median) & (median <= have[:, 2]) & (low_end <= median) & (median <= high_end)
    return sd.tolist() if bool(np.all(ordered_ok) and np.all(_isclose(have, fresh))) else None


def _rows(values: list[Any], width: int) -> Floats:
    """Sequences of `width` floats as the rows of an array (quicker than np.array's shape discovery)."""
    flat = np.fromiter(chain.from_iterable(values), dtype=np.float64, count=len(values) * width)
    return flat.reshape(len(values), width)


def _between(samples: Floats, rounds: tuple[int, ...]) -> tuple[Floats, Floats]:
    """Each row's mean and standard deviation of its per-process medians (timing._between)."""
    medians = np.empty((len(samples), len(rounds)))
    start = 0
    for j, count in enumerate(rounds):
        group = np.sort(samples[:, start : start + count], axis=1)
        mid = count >> 1
        if count & 1:
            medians[:, j] = group[:, mid]
        else:
            low = group[:, mid - 1]
            medians[:, j] = low + (group[:, mid] - low) * 0.5
        start += count
    # Sums as timing.mean_sd makes them (math.fsum is exactly rounded; NumPy's sums are not).
    k = len(rounds)
    center = np.fromiter(map(math.fsum, medians.tolist()), dtype=np.float64, count=len(medians)) / k
    deviations = medians - center[:, None]
    squares = (deviations * deviations).tolist()
    sd = np.sqrt(np.fromiter(map(math.fsum, squares), dtype=np.float64, count=len(medians)) / (k - 1))
    return center, sd


def _quantile(ordered: Floats, q: float) -> Floats:
    """timing.quantile of each sorted row."""
    pos = (ordered.shape[1] - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, ordered.shape[1] - 1)
    values: Floats = ordered[:, lo] + (ordered[:, hi] - ordered[:, lo]) * (pos - lo)
    return values


def _isclose(a: Floats, b: Floats) -> NDArray[np.bool_]:
    """math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL) elementwise, comparison for comparison
    (both finite: validation refuses infinities)."""
    diff = np.abs(b - a)
    close: NDArray[np.bool_] = (a == b) | (diff <= np.abs(REL_TOL * b)) | (diff <= np.abs(REL_TOL * a))
    return close | (diff <= ABS_TOL)
