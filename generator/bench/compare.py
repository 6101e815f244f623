"""Framework-vs-framework speed ratios with a confidence interval.

ratio = median(b) / median(a) ("a is this many times faster than b"), with a percentile bootstrap
CI: both sample sets are resampled independently, the ratio of the resampled medians recorded, and
the 2.5 / 97.5 % quantiles of those ratios reported. Seeded, so the same runs give the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


@dataclass(frozen=True)
class Ratio:
    value: float
    ci95: tuple[float, float]


def speed_ratio(
    a: Sequence[float],
    b: Sequence[float],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Ratio:
    """How many times faster `a` is than `b` (per-call seconds), with a bootstrap 95 % CI."""
    xa, xb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if xa.size == 0 or xb.size == 0 or np.any(xa <= 0) or np.any(xb <= 0):
        raise ValueError("need non-empty, positive samples on both sides")
    gen = np.random.default_rng(seed)
    med_a = np.median(gen.choice(xa, size=(resamples, xa.size)), axis=1)
    med_b = np.median(gen.choice(xb, size=(resamples, xb.size)), axis=1)
    ratios = med_b / med_a
    lo, hi = np.quantile(ratios, [0.025, 0.975])
    value = float(np.median(xb) / np.median(xa))
    return Ratio(value=value, ci95=(min(float(lo), value), max(float(hi), value)))
