"""Accuracy with error bars: exact binomial intervals, the paired McNemar test, and ranks that tie.

Pure functions on counts (standard library and NumPy only), so the site can call them without any
framework or scipy:

- `clopper_pearson(correct, images)`: the exact (Clopper-Pearson) 95 % interval of a top-k accuracy.
  It treats the 50,000 val images as a sample of the images the model could meet; it is conservative
  (covers at least 95 %). The bounds are beta quantiles, found by Newton steps on the regularised
  incomplete beta function (its continued fraction), kept inside a bisection bracket.
- `mcnemar(b, c)`: two models scored on the same images, b = images only the first gets right, c =
  only the second. Exact two-sided binomial test (b ~ Binomial(b + c, 1/2)) when b + c < 25, else the
  chi-square statistic with continuity correction, (|b - c| - 1)^2 / (b + c), with 1 degree of freedom.
- `tied_ranks(intervals)`: rank = 1 + the number of models whose interval lies wholly above this
  one's. Models whose intervals overlap are never ranked apart, so two models share a rank unless the
  data separate them; ranks may skip numbers (competition ranking).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from generator.stats.distributions import beta_quantile

CONFIDENCE = 0.95
EXACT_BELOW = 25  # discordant pairs under which McNemar's exact binomial test is used
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Interval:
    low: float  # percent
    high: float  # percent

    def overlaps(self, other: Interval) -> bool:
        return self.low <= other.high and other.low <= self.high


def clopper_pearson(correct: int, images: int, confidence: float = CONFIDENCE) -> Interval:
    """The exact binomial interval of correct / images, in percent."""
    if images <= 0 or not 0 <= correct <= images:
        raise ValueError(f"need 0 <= correct <= images and images > 0, got {correct} of {images}")
    alpha = 1.0 - confidence
    low = 0.0 if correct == 0 else beta_quantile(alpha / 2, correct, images - correct + 1)
    high = 1.0 if correct == images else beta_quantile(1 - alpha / 2, correct + 1, images - correct)
    return Interval(100.0 * low, 100.0 * high)


def interval_of_percent(percent: float, images: int, confidence: float = CONFIDENCE) -> Interval:
    """The interval of a stored accuracy (percent to 4 decimals recovers the count for <= 10^6 images)."""
    return clopper_pearson(round(percent * images / 100.0), images, confidence)


@dataclass(frozen=True)
class McNemar:
    statistic: float  # chi-square (continuity-corrected), or b for the exact test
    p_value: float
    method: Literal["exact binomial", "chi-square, continuity-corrected"]


def mcnemar(b: int, c: int) -> McNemar:
    """McNemar's test of b (first right, second wrong) against c (first wrong, second right)."""
    n = b + c
    if n == 0:
        return McNemar(0.0, 1.0, "exact binomial")
    if n < EXACT_BELOW:
        tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2.0**n
        return McNemar(float(b), min(1.0, 2.0 * tail), "exact binomial")
    statistic = (abs(b - c) - 1.0) ** 2 / n
    return McNemar(statistic, math.erfc(math.sqrt(statistic / 2.0)), "chi-square, continuity-corrected")


@dataclass(frozen=True)
class PairedCounts:
    """Two zoos' models of one architecture on the same images, top-1 or top-5."""

    images: int
    both_right: int
    keras_only: int  # Keras right, PyTorch wrong
    pytorch_only: int
    same_top1: int  # images where both predict the same top-1 class (right or wrong)


@dataclass(frozen=True)
class PairedResult:
    counts: PairedCounts
    test: McNemar
    keras_percent: float
    pytorch_percent: float
    agreement_percent: float  # how often the two give the same top-1 class

    @property
    def significant(self) -> bool:
        return self.test.p_value < SIGNIFICANCE

    @property
    def difference(self) -> float:
        """PyTorch minus Keras, percentage points."""
        return self.pytorch_percent - self.keras_percent


def paired_counts(keras_right: np.ndarray, pytorch_right: np.ndarray, same_top1: np.ndarray) -> PairedCounts:
    """Counts from per-image booleans (row i = the same image in both)."""
    if not keras_right.shape == pytorch_right.shape == same_top1.shape:
        raise ValueError("per-image arrays of both zoos must have the same length")
    return PairedCounts(
        images=int(keras_right.size),
        both_right=int(np.count_nonzero(keras_right & pytorch_right)),
        keras_only=int(np.count_nonzero(keras_right & ~pytorch_right)),
        pytorch_only=int(np.count_nonzero(~keras_right & pytorch_right)),
        same_top1=int(np.count_nonzero(same_top1)),
    )


def paired_result(counts: PairedCounts) -> PairedResult:
    n = counts.images
    return PairedResult(
        counts=counts,
        test=mcnemar(counts.keras_only, counts.pytorch_only),
        keras_percent=100.0 * (counts.both_right + counts.keras_only) / n,
        pytorch_percent=100.0 * (counts.both_right + counts.pytorch_only) / n,
        agreement_percent=100.0 * counts.same_top1 / n,
    )


def tied_ranks(intervals: Sequence[Interval]) -> list[int]:
    """1 + how many intervals lie wholly above each one (see the module docstring)."""
    lows = np.array([i.low for i in intervals], dtype=np.float64)
    return [1 + int(np.count_nonzero(lows > i.high)) for i in intervals]


# Paired counts travel in a run's `notes` (which hold at most 64 entries) as one text per architecture
# and k: "paired.<architecture>.<top1|top5>": "images=50000 both_right=... keras_only=... ...".
NOTE_PREFIX = "paired."
_FIELDS = tuple(PairedCounts.__dataclass_fields__)


def paired_note(architecture: str, k: str, counts: PairedCounts) -> dict[str, str]:
    text = " ".join(f"{name}={value}" for name, value in asdict(counts).items())
    return {f"{NOTE_PREFIX}{architecture}.{k}": text}


def _counts(text: str) -> PairedCounts | None:
    fields: dict[str, int] = {}
    for part in text.split():
        name, _, value = part.partition("=")
        if name in _FIELDS and value.isdigit():
            fields[name] = int(value)
    if set(fields) != set(_FIELDS) or fields["images"] <= 0:
        return None
    return PairedCounts(**fields)


def paired_from_notes(notes: Mapping[str, str | float]) -> dict[tuple[str, str], PairedResult]:
    """{(architecture, "top1" | "top5"): result} from a run's notes; malformed entries are skipped."""
    found: dict[tuple[str, str], PairedResult] = {}
    for key, value in sorted(notes.items()):
        architecture, _, k = key.removeprefix(NOTE_PREFIX).rpartition(".")
        if not key.startswith(NOTE_PREFIX) or not isinstance(value, str) or k not in ("top1", "top5"):
            continue
        counts = _counts(value)
        if counts is not None and architecture:
            found[(architecture, k)] = paired_result(counts)
    return found
