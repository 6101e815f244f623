"""The timer's statistics and its sampling loop (with a fake clock: no wall-time assertions)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.bench import timer
from generator.bench.timer import calibrate_loops, measure, summarize
from generator.stats.timing import median_ci_ranks as ranks_and_coverage
from generator.stats.timing import quantile


def median_ci_ranks(n: int) -> tuple[int, int]:
    lo, hi, _ = ranks_and_coverage(n)
    return lo, hi


samples_strategy = st.lists(
    st.floats(min_value=1e-7, max_value=10.0, allow_nan=False, allow_infinity=False), min_size=1, max_size=300
)


def binomial_cdf(k: int, n: int) -> float:
    return sum(math.comb(n, i) for i in range(k + 1)) / 2.0**n


@given(samples_strategy)
def test_summary_matches_numpy_and_is_ordered(samples: list[float]) -> None:
    stats = summarize(samples, loops=3)
    arr = np.array(samples)
    assert stats.median == pytest.approx(float(np.median(arr)), rel=1e-12)
    q1, q3 = np.percentile(arr, [25, 75])
    assert stats.iqr == pytest.approx(max(float(q3 - q1), 0.0), rel=1e-9, abs=1e-15)
    assert stats.min == arr.min() and stats.max == arr.max()
    assert stats.min <= stats.ci95[0] <= stats.median <= stats.ci95[1] <= stats.max
    assert stats.mean == pytest.approx(float(arr.mean()), rel=1e-9)
    assert stats.rounds == len(samples) and stats.loops == 3


@given(samples_strategy)
def test_outliers_follow_tukeys_fences(samples: list[float]) -> None:
    arr = np.array(samples)
    q1, q3 = np.percentile(arr, [25, 75])
    iqr = q3 - q1
    # Values within floating-point noise of a fence are ambiguous; skip those draws.
    fences = (q1 - 1.5 * iqr, q3 + 1.5 * iqr)
    if any(np.isclose(arr, f, rtol=1e-9, atol=0).any() for f in fences):
        return
    expected = int(np.sum((arr < fences[0]) | (arr > fences[1])))
    assert summarize(samples, loops=1).outliers == expected


@given(st.integers(min_value=6, max_value=400))
def test_median_ci_ranks_cover_95_percent_and_are_tightest(n: int) -> None:
    lo, hi = median_ci_ranks(n)
    assert hi == n - 1 - lo and 0 <= lo <= hi < n
    assert 1 - 2 * binomial_cdf(lo, n) >= 0.95  # the interval covers the median often enough
    if lo + 1 <= (n - 1) // 2:
        assert 1 - 2 * binomial_cdf(lo + 1, n) < 0.95  # and one rank tighter would not


def test_small_samples_use_the_whole_range() -> None:
    assert median_ci_ranks(1) == (0, 0)
    assert median_ci_ranks(5) == (0, 4)
    assert median_ci_ranks(100) == (39, 60)  # the textbook ranks 40 and 61 (1-based)


@given(samples_strategy, st.floats(min_value=1e-3, max_value=1e3))
def test_statistics_scale_with_the_samples(samples: list[float], factor: float) -> None:
    a, b = summarize(samples, 1), summarize([s * factor for s in samples], 1)
    assert b.median == pytest.approx(a.median * factor, rel=1e-9)
    assert b.ci95[0] == pytest.approx(a.ci95[0] * factor, rel=1e-9)
    assert b.outliers == a.outliers or math.isclose(a.iqr, 0.0, abs_tol=1e-12)


def test_quantile_interpolates_like_numpy() -> None:
    values = sorted([3.0, 1.0, 4.0, 1.5, 9.0, 2.6])
    for q in (0.0, 0.1, 0.25, 0.5, 0.75, 1.0):
        assert quantile(values, q) == pytest.approx(float(np.quantile(values, q)))
    with pytest.raises(ValueError):
        quantile([], 0.5)


def test_calibrate_loops() -> None:
    assert calibrate_loops(1.0, 0.01) == 1
    loops = calibrate_loops(1e-5, 0.01)
    assert loops * 1e-5 >= 0.01
    assert calibrate_loops(0.0, 0.01) >= 1


class FakeClock:
    """A clock that only moves when the timed function says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_measure_calibrates_and_stops_on_precision() -> None:
    clock = FakeClock()
    calls = []
    syncs = []

    def fn() -> None:
        calls.append(1)
        clock.now += 1e-4  # every call takes exactly 100 µs

    m = measure(fn, clock=clock, sync=lambda: syncs.append(1), budget_s=5.0, warmup_s=0.001)
    assert m.stats.median == pytest.approx(1e-4)
    assert m.stats.loops * 1e-4 >= timer.MIN_SAMPLE_S
    assert m.stopped_by == "precision" and m.stats.rounds == timer.MIN_ROUNDS
    assert m.stats.ci95[0] == pytest.approx(m.stats.ci95[1])
    assert len(syncs) >= 2 * m.stats.rounds  # before and after every sample


def test_measure_stops_on_budget_when_noisy() -> None:
    clock = FakeClock()
    state = {"i": 0}

    def fn() -> None:
        state["i"] += 1
        clock.now += 0.05 if state["i"] % 3 else 0.2  # a sample per call; never precise enough

    m = measure(fn, clock=clock, budget_s=2.0, warmup_s=0.0, target_rel_ci=0.001)
    assert m.stopped_by == "budget"
    assert m.stats.loops == 1 and m.stats.rounds >= timer.MIN_ROUNDS
    assert len(m.samples) == m.stats.rounds


def test_measure_always_takes_min_rounds_of_slow_calls() -> None:
    clock = FakeClock()

    def fn() -> None:
        clock.now += 10.0  # far over any budget

    m = measure(fn, clock=clock, budget_s=1.0, warmup_s=0.0)
    assert m.stats.rounds == timer.MIN_ROUNDS and m.stats.median == pytest.approx(10.0)


@settings(max_examples=25)
@given(st.lists(st.floats(min_value=1e-4, max_value=1e-2), min_size=3, max_size=50))
def test_measure_samples_are_per_call_means(durations: list[float]) -> None:
    clock = FakeClock()
    state = {"i": 0}

    def fn() -> None:
        clock.now += durations[state["i"] % len(durations)]
        state["i"] += 1

    m = measure(fn, clock=clock, budget_s=0.5, warmup_s=0.0, max_rounds=20)
    assert min(durations) - 1e-12 <= m.stats.min and m.stats.max <= max(durations) + 1e-12
    assert 1 <= m.stats.rounds <= 20
