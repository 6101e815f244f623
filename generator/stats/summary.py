"""The statistics behind summary verdicts: intervals and p-values from a bootstrap spread (Student's t
from generator.stats.distributions), the Benjamini-Hochberg correction, and the verdict (in the words
and with the equivalence margin of generator.stats.verdicts).

Why not the bootstrap's percentiles: over n resampled units they are too narrow for small n (the
bootstrap variance is (n-1)/n of the truth, a normal quantile stands in for Student's t, and no
resample reaches beyond the range of the data): over 12 cases a "95 %" percentile interval covers
about 90 %, over 2 cases far less. The interval here is the bootstrap-standard-error one on the log
scale, log ratio ± t_{n-1}·se with se = bootstrap spread·√(n/(n-1)): it keeps its level from 2 units
on, and it excludes 1 exactly when the p-value is below 5 %, so a verdict never contradicts it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

from generator.stats import verdicts
from generator.stats.distributions import normal_quantile, t_quantile, t_two_sided_p
from generator.stats.verdicts import FASTER, FDR, MARGIN, SLOWER

CONFIDENCE = 0.95
NORMAL_FROM_DF = 200  # Student's t is the normal distribution to 3 digits from here on


@functools.lru_cache(maxsize=256)
def critical_value(df: int, confidence: float = CONFIDENCE) -> float:
    """The t with P(|T| > t) = 1 - confidence; the normal quantile from NORMAL_FROM_DF on."""
    q = 1 - (1 - confidence) / 2
    return normal_quantile(q) if df >= NORMAL_FROM_DF else t_quantile(q, df)


def t_two_sided(t: float, df: int) -> float:
    """P(|T| > |t|); the normal tail from NORMAL_FROM_DF on."""
    return math.erfc(abs(t) / math.sqrt(2)) if df >= NORMAL_FROM_DF else t_two_sided_p(t, df)


def interval(
    log_ratio: float, spread: float, units: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """The `confidence` interval of a ratio (not its log) from the bootstrap spread of its log over
    `units` resampled units; a normal one where nothing is resampled (only measurement noise)."""
    if units < 2:
        half = spread * critical_value(NORMAL_FROM_DF, confidence)  # the normal quantile
    else:
        half = spread * math.sqrt(units / (units - 1)) * critical_value(units - 1, confidence)
    return math.exp(log_ratio - half), math.exp(log_ratio + half)


def p_value(log_ratio: float, spread: float, units: int) -> float:
    """Two-sided p-value of "no speed-up", on the same footing as `interval`."""
    if spread <= 0:
        return float(log_ratio == 0)
    if units < 2:
        return math.erfc(abs(log_ratio) / spread / math.sqrt(2))
    return t_two_sided(log_ratio / (spread * math.sqrt(units / (units - 1))), units - 1)


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values): reject where q <= the false discovery rate."""
    p = np.asarray(p_values, dtype=np.float64)
    if p.size == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * p.size / np.arange(1, p.size + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty_like(p)
    out[order] = np.minimum(q, 1.0)
    return out


def verdict(ci_lo: float, ci_hi: float, q_value: float, *, margin: float = MARGIN, fdr: float = FDR) -> str:
    """What a speed-up interval of A over B says, in the words of generator.stats.verdicts: a
    difference is real when its q-value is below the false discovery rate."""
    return verdicts.verdict(ci_lo, ci_hi, q_value <= fdr, above=FASTER, below=SLOWER, margin=margin)
