"""The one implementation of each distribution (generator.stats.distributions), held to scipy.stats."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from generator.stats.distributions import (
    T975_DECIMALS,
    T975_ROUNDED_UP_TO,
    beta_cdf,
    beta_quantile,
    normal_quantile,
    t975,
    t_quantile,
    t_two_sided_p,
)

DFS = [1, 1.5, 2, 3, 4.7, 10, 29, 30, 31, 57.3, 120, 199, 200, 1000, 10**6]


@pytest.mark.parametrize("df", DFS)
def test_t_tail_equals_scipy(df: float) -> None:
    # Over a thousand degrees of freedom digits cancel (in lgamma(a + b) - lgamma(a) - lgamma(b), and in
    # 1 - x for x = df / (df + t^2) near 1): the figures here have at most a few hundred.
    rel = 1e-11 if df <= 1000 else 1e-8
    for t in (0.0, 0.01, 0.5, 1.0, 1.96, 2.5, 4.0, 12.7, 40.0):
        want = 2 * stats.t.sf(t, df)
        assert t_two_sided_p(t, df) == pytest.approx(want, rel=rel, abs=1e-300)
        assert t_two_sided_p(-t, df) == t_two_sided_p(t, df)
    assert t_two_sided_p(math.inf, df) == 0.0


@pytest.mark.parametrize("df", DFS)
def test_t_quantile_equals_scipy(df: float) -> None:
    rel = 1e-11 if df <= 1000 else 1e-8
    for q in (0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.9995 if df >= 2 else 0.999):
        assert t_quantile(q, df) == pytest.approx(stats.t.ppf(q, df), rel=rel, abs=1e-12)


def test_t975_is_the_three_decimal_quantile_then_its_approximation() -> None:
    for df in range(1, T975_ROUNDED_UP_TO + 1):
        assert t975(df) == round(float(stats.t.ppf(0.975, df)), T975_DECIMALS)
    for df in (31, 45, 60, 100, 1000, 10**5):
        assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=2.2e-3)
    with pytest.raises(ValueError):
        t975(0)


# x stops short of 1 by 1e-9: nearer, the last bit of x moves I_x(1/2, 1/2) by more than the tolerance
# (x = 1 - 2**-53 gave 1 - 6.7e-9 here, the exact value, against scipy's 1 - 9.5e-9).
@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.floats(0.0, 1.0 - 1e-9), st.floats(0.5, 5000.0), st.floats(0.5, 5000.0))
def test_beta_cdf_equals_scipy(x: float, a: float, b: float) -> None:
    assert beta_cdf(x, a, b) == pytest.approx(stats.beta.cdf(x, a, b), rel=1e-9, abs=1e-13)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.floats(0.001, 0.999), st.floats(1.0, 60000.0), st.floats(1.0, 60000.0))
def test_beta_quantile_equals_scipy(q: float, a: float, b: float) -> None:
    assert beta_quantile(q, a, b) == pytest.approx(stats.beta.ppf(q, a, b), rel=1e-8, abs=1e-12)


def test_normal_quantile_equals_scipy() -> None:
    for q in (0.001, 0.025, 0.5, 0.9, 0.975, 0.999):
        assert normal_quantile(q) == pytest.approx(stats.norm.ppf(q), rel=1e-12, abs=1e-15)
