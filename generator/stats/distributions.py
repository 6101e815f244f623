"""The distributions the statistics need, each implemented once, in pure Python: the regularised
incomplete beta function and its quantile, Student's t (its two-sided tail, its quantile, and the
three-decimal 97.5 % quantile the timing intervals use), the normal quantile, and the digamma and
trigamma functions (with the inverse of trigamma) that the noise model's prior fit needs.

Pure Python because validation (the pydantic-only install) recomputes every timing interval, and the
site install has no scipy; scipy would also make a figure depend on which extras are installed.
tests/test_stats_distributions.py holds each function to scipy.stats.

The incomplete beta function is evaluated by its continued fraction (modified Lentz's method), on
the side of the symmetry I_x(a, b) = 1 - I_(1-x)(b, a) where the fraction converges quickly;
Student's t tail is an incomplete beta function, and its quantile a bisection on that tail.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist

_EPS = 1e-15
_TINY = 1e-300
_MAX_TERMS = 100_000


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def _log_beta_density_factor(a: float, b: float, x: float) -> float:
    return math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)


def beta_cdf(x: float, a: float, b: float) -> float:
    """The regularised incomplete beta function I_x(a, b) (the Beta(a, b) distribution function)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(_log_beta_density_factor(a, b, x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _continued_fraction(a, b, x) / a
    return 1.0 - front * _continued_fraction(b, a, 1.0 - x) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    """The x with I_x(a, b) = q: Newton steps from the mean, kept inside a shrinking bisection bracket."""
    low, high = 0.0, 1.0
    x = a / (a + b)
    for _ in range(200):
        error = beta_cdf(x, a, b) - q
        if abs(error) < 1e-14 or high - low < 1e-14:
            return x
        if error > 0:
            high = x
        else:
            low = x
        density = math.exp(_log_beta_density_factor(a, b, x) - math.log(x) - math.log1p(-x))
        step = x - error / density if density > 0 else -1.0
        x = step if low < step < high else (low + high) / 2.0
    return x


NORMAL_ABOVE_DF = 1e6  # Student's t is the normal distribution to ~1e-6 here; the beta tail loses bits


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with `df` degrees of freedom (the normal tail above
    NORMAL_ABOVE_DF, infinity included)."""
    if math.isinf(t):
        return 0.0
    if df > NORMAL_ABOVE_DF:
        return math.erfc(abs(t) / math.sqrt(2))
    x = df / (df + t * t)
    return beta_cdf(x, df / 2, 0.5)


def t_quantile(q: float, df: float) -> float:
    """The q quantile of Student's t with `df` (whole or not) degrees of freedom, for q >= 1/2: the t
    with P(T > t) = 1 - q, by bisection (to the last bit) on the two-sided tail; the normal quantile
    above NORMAL_ABOVE_DF, infinity included."""
    if df > NORMAL_ABOVE_DF:
        return normal_quantile(q)
    lo, hi = 0.0, 1000.0  # P(T > 1000) is under 1e-3 even for one degree of freedom
    for _ in range(100):
        mid = (lo + hi) / 2
        if t_two_sided_p(mid, df) / 2 > 1 - q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


T975_DECIMALS = 3
T975_ROUNDED_UP_TO = 30  # degrees of freedom


@functools.lru_cache(maxsize=1024)  # validation asks for the same few df millions of times
def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t as the timing intervals use it, since the first run file:
    up to 30 degrees of freedom rounded to three decimals, as the standard tables print it; above,
    1.959964 + 2.4 / df, within 0.0022 of the exact value (worst at 31). Every stored interval
    recomputes from its samples to the bit with these, so they belong to the file format: an exact
    quantile would disagree with the stored intervals."""
    if df < 1:
        raise ValueError("need at least one degree of freedom")
    if df <= T975_ROUNDED_UP_TO:
        return round(t_quantile(0.975, df), T975_DECIMALS)
    return 1.959964 + 2.4 / df


def normal_quantile(q: float) -> float:
    """The q quantile of the standard normal distribution."""
    return NormalDist().inv_cdf(q)


def digamma(x: float) -> float:
    """ψ(x) = d/dx log Γ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) - 1/x up to x >= 10, then the
    asymptotic series (its error there is below 1e-14)."""
    if x <= 0:
        raise ValueError("digamma needs x > 0")
    shift = 0.0
    while x < 10.0:
        shift -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    return shift + math.log(x) - 0.5 / x - series


def trigamma(x: float) -> float:
    """ψ'(x) for x > 0: the recurrence ψ'(x) = ψ'(x + 1) + 1/x² up to x >= 10, then the asymptotic
    series (its relative error there is below 1e-12)."""
    if x <= 0:
        raise ValueError("trigamma needs x > 0")
    shift = 0.0
    while x < 10.0:
        shift += 1.0 / (x * x)
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = (
        inv
        + inv2 / 2
        + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (1 / 30 - inv2 * 5 / 66))))
    )
    return shift + series


def tetragamma(x: float) -> float:
    """ψ''(x) for x > 0: the recurrence ψ''(x) = ψ''(x + 1) - 2/x³ up to x >= 10, then the asymptotic
    series."""
    if x <= 0:
        raise ValueError("tetragamma needs x > 0")
    shift = 0.0
    while x < 10.0:
        shift -= 2.0 / (x * x * x)
        x += 1.0
    inv2 = 1.0 / (x * x)
    tail = 1 / 2 - inv2 * (1 / 6 - inv2 * (1 / 6 - inv2 * (3 / 10 - inv2 * 5 / 6)))
    return shift - inv2 * (1.0 + 1.0 / x + inv2 * tail)


@functools.lru_cache(maxsize=4096)
def trigamma_inverse(y: float) -> float:
    """The x > 0 with ψ'(x) = y, for y > 0: Newton's method on 1/ψ'(x), which is nearly linear in x,
    from Smyth's starting point (limma's trigammaInverse)."""
    if y <= 0:
        raise ValueError("trigamma_inverse needs y > 0")
    if y > 1e7:
        return 1.0 / math.sqrt(y)
    if y < 1e-6:
        return 1.0 / y
    x = 0.5 + 1.0 / y
    for _ in range(50):
        tri = trigamma(x)
        step = tri * (1.0 - tri / y) / tetragamma(x)
        x += step
        if -step / x < 1e-12:
            break
    return x
