"""The noise model (generator.stats.noise): the special functions behind it against scipy, the prior
fit against the distribution it assumes, and the calibration and power of intervals and comparisons
on simulated runs at the noise measured on the 2-core VM (between-process log sd about 11 %, heavy
tails, cases of one pool differing in noise)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from generator.stats import noise
from generator.stats.distributions import digamma, t_quantile, tetragamma, trigamma, trigamma_inverse


@pytest.mark.parametrize("x", [0.05, 0.5, 1.0, 2.5, 9.9, 10.0, 37.0, 1e4])
def test_digamma_and_trigamma_equal_scipy(x: float) -> None:
    assert digamma(x) == pytest.approx(special.digamma(x), rel=1e-12, abs=1e-13)
    assert trigamma(x) == pytest.approx(special.polygamma(1, x), rel=1e-11)
    assert tetragamma(x) == pytest.approx(special.polygamma(2, x), rel=1e-11)
    assert trigamma_inverse(trigamma(x)) == pytest.approx(x, rel=1e-10)


def test_the_prior_fit_recovers_the_prior_it_assumes() -> None:
    # σ² ~ s0²·d0/χ²(d0) per case, then s² ~ σ²·χ²(d)/d from d + 1 processes.
    rng = np.random.default_rng(1)
    s0, d0, d = 0.11, 6.0, 2
    sigma2 = s0**2 * d0 / rng.chisquare(d0, 4000)
    s2 = sigma2 * rng.chisquare(d, 4000) / d
    prior = noise.fit_prior(list(s2), [d] * 4000)
    assert prior is not None
    assert prior.df == pytest.approx(d0, rel=0.25) and math.sqrt(prior.variance) == pytest.approx(
        s0, rel=0.05
    )


def test_a_pool_whose_cases_agree_pools_fully_but_never_beyond_its_own_evidence() -> None:
    prior = noise.fit_prior([0.01] * 5, [2] * 5)  # five equal variances: less spread than sampling gives
    assert prior == noise.Prior(pytest.approx(0.01), 10.0)
    assert noise.fit_prior([0.01, 0.02], [2, 2]) is None  # too small a pool
    assert noise.moderate(0.04, 2, None) == (0.04, 2.0)
    assert noise.moderate(0.04, 2, noise.Prior(0.01, 6.0)) == (pytest.approx(0.0175), 8.0)


def _pool(rng: np.random.Generator, cases: int, processes: int) -> tuple[np.ndarray, np.ndarray]:
    """Log process medians of one framework's cases in one run: each case's own σ (log-normal around
    11 %), Student-t(4) tails. Returns (medians[case, process], true log times)."""
    truth = rng.normal(-5, 2, cases)
    sigma = 0.11 * np.exp(rng.normal(0, 0.35, cases))
    tails = stats.t.rvs(4, size=(cases, processes), random_state=rng) / math.sqrt(2)  # unit variance
    return truth[:, None] + sigma[:, None] * tails, truth


def _moderated_intervals(medians: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = medians.shape[1]
    var = medians.var(axis=1, ddof=1)
    prior = noise.fit_prior(list(var), [k - 1] * len(var))
    half = []
    for v in var:
        s2, df = noise.moderate(float(v), k - 1, prior)
        half.append(t_quantile(0.975, df) * math.sqrt(s2 / k))
    centre = medians.mean(axis=1)
    return centre, np.array(half), var


@pytest.mark.parametrize(("processes", "narrower"), [(3, 0.75), (6, 0.95)])
def test_moderated_intervals_keep_their_level_and_are_narrower(processes: int, narrower: float) -> None:
    rng = np.random.default_rng(7)
    covered, plain_half, half_all = [], [], []
    for _ in range(150):
        medians, truth = _pool(rng, 30, processes)
        centre, half, var = _moderated_intervals(medians)
        covered.extend(np.abs(centre - truth) <= half)
        half_all.extend(half)
        plain_half.extend(stats.t.ppf(0.975, processes - 1) * np.sqrt(var / processes))
    assert 0.93 <= np.mean(covered) <= 0.975
    assert np.median(half_all) < narrower * np.median(plain_half)  # the fewer processes, the more it helps


def test_run_noise_is_estimated_from_repeated_runs_and_defaults_without_them() -> None:
    one = [[{"a": (1.0, 0.01)}]]  # a group of one run says nothing about run-to-run noise
    assert noise.run_noise(one) == noise.RunNoise(noise.DEFAULT_RUN_SD, noise.DEFAULT_RUN_DF, 0)
    rng = np.random.default_rng(3)
    tau, cases = 0.12, 60
    mu = rng.normal(-5, 2, cases)

    def group(runs: int) -> list[dict[str, tuple[float, float]]]:
        shifts = rng.normal(0, tau, runs)
        return [
            {str(c): (mu[c] + shifts[r] + rng.normal(0, 0.05), 0.05**2) for c in range(cases)}
            for r in range(runs)
        ]

    found = noise.run_noise([group(20), group(21), one[0]])
    assert found.runs == 41 and found.df == noise.DEFAULT_RUN_DF + 39
    # Pooled with the default (0.05, worth 4 runs' evidence): mostly the data's 0.12.
    assert 0.09 < found.sd < 0.14


def _compare_trials(rng: np.random.Generator, slowdown: float, trials: int) -> tuple[float, float]:
    """Share of simulated case comparisons (3 vs 3 processes, one run a side, τ = 5 %) called slower,
    and the median smallest detectable change."""
    called, detectable = 0, []
    for _ in range(trials):
        medians, _truth = _pool(rng, 30, 6)
        base, new = medians[:, :3].copy(), medians[:, 3:].copy()
        base += rng.normal(0, noise.DEFAULT_RUN_SD)
        new += rng.normal(0, noise.DEFAULT_RUN_SD) + math.log1p(slowdown)
        sides = []
        for side in (base, new):
            var = side.var(axis=1, ddof=1)
            prior = noise.fit_prior(list(var), [2] * len(var))
            s2, df = noise.moderate(float(var[0]), 2, prior)
            sides.append((s2 / 3, df, 1))
        diff = noise.run_difference(sides, noise.run_noise([]))
        low, _high = diff.interval(float(new[0].mean() - base[0].mean()))
        called += low > 1
        detectable.append(diff.detectable())
    return called / trials, float(np.median(detectable))


def test_a_change_twice_the_detectable_one_is_found_and_no_change_rarely_flagged() -> None:
    rng = np.random.default_rng(11)
    false_alarm, detectable = _compare_trials(rng, 0.0, 400)
    assert false_alarm <= 0.05  # one-sided share called slower: at most the test's level
    power, _ = _compare_trials(rng, 2 * (detectable - 1), 400)
    assert power >= 0.9
