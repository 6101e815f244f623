"""Did a figure change between two measurements? The ratio NEW/BASE of two timing results, its 95 %
interval and a verdict: the test `framebench compare` and the site's change detection share.

Each side's estimate is the mean of its per-process medians, with standard error sd/sqrt(k) over
its k processes (generator/stats/timing.py). The log of the ratio then has variance (se/mean)^2 summed over
both sides (delta method), and Welch-Satterthwaite degrees of freedom; the interval and the p-value
come from Student's t. A change is called only when it is significant AND at least `min_effect`
(default 5 %) — tiny but real differences from memory layout or clock are not regressions.

Results with a within-process interval (one process: every schema-1 run) carry no estimate of the
noise between processes, which is most of the noise between runs; they get no verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from generator.stats.distributions import t975, t_quantile, t_two_sided_p
from generator.stats.timing import mean_sd

MIN_EFFECT = 0.05
Verdict = Literal["slower", "faster", "no significant change", "no verdict"]


@dataclass(frozen=True)
class Estimate:
    """A result's estimate (seconds), its standard error, and degrees of freedom (processes - 1)."""

    mean: float
    se: float
    df: int

    @classmethod
    def from_medians(cls, medians: Sequence[float]) -> Estimate:
        """From the medians of independent processes (of one run, or of several runs pooled)."""
        k = len(medians)
        mean, sd = mean_sd(medians)
        if k < 2:
            return cls(mean, math.nan, 0)
        return cls(mean, sd / math.sqrt(k), k - 1)


@dataclass(frozen=True)
class Change:
    ratio: float  # NEW / BASE time: above 1 is slower
    low: float
    high: float
    p_value: float
    verdict: Verdict


def compare(base: Estimate, new: Estimate, min_effect: float = MIN_EFFECT, alpha: float = 0.05) -> Change:
    """The change from `base` to `new` with its interval (at 1 - alpha) and verdict."""
    ratio = new.mean / base.mean if base.mean > 0 else math.inf
    if base.df < 1 or new.df < 1 or not math.isfinite(ratio) or ratio <= 0:
        return Change(ratio, math.nan, math.nan, math.nan, "no verdict")
    a, b = (new.se / new.mean) ** 2, (base.se / base.mean) ** 2
    var = a + b
    log_ratio = math.log(ratio)
    if var == 0:
        p = 0.0 if log_ratio else 1.0
        return Change(ratio, ratio, ratio, p, _verdict(ratio, p, min_effect, alpha))
    df = var * var / (a * a / new.df + b * b / base.df) if a or b else 1.0
    half = _t_quantile(1 - alpha / 2, df) * math.sqrt(var)
    p = t_two_sided_p(log_ratio / math.sqrt(var), df)
    return Change(
        ratio, ratio * math.exp(-half), ratio * math.exp(half), p, _verdict(ratio, p, min_effect, alpha)
    )


def _verdict(ratio: float, p: float, min_effect: float, alpha: float) -> Verdict:
    if p < alpha and ratio >= 1 + min_effect:
        return "slower"
    if p < alpha and ratio <= 1 / (1 + min_effect):
        return "faster"
    return "no significant change"


def _t_quantile(q: float, df: float) -> float:
    """Student's t quantile; for whole df at 97.5 %, the three-decimal t975 of the timing intervals,
    as this test has always used (the exact quantile would move published intervals in the third digit)."""
    if abs(q - 0.975) < 1e-12 and float(df).is_integer():
        return t975(int(df))
    return t_quantile(q, df)


def holm(p_values: Sequence[float], alpha: float = 0.05) -> list[bool]:
    """Holm's step-down correction: which of the hypotheses are rejected at family-wise `alpha`."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    for rank, i in enumerate(order):
        if p_values[i] > alpha / (len(p_values) - rank):
            break
        rejected[i] = True
    return rejected
