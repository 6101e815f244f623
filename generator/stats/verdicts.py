"""The words every verdict uses, defined once: what an interval of a ratio says.

A ratio compares two timings (framework A against B, or NEW against BASE). Its verdict reads its
interval against 1 and against an equivalence margin (MARGIN, ±5 % on the log scale, so that A vs B
and B vs A agree):

- SAME: the whole interval lies within the margin: whatever the difference, it is under 5 %;
- the direction ("faster" or "slower"): a real difference (significant after the correction for
  the many verdicts shown together) with the whole interval beyond the margin;
- `maybe_small` of the direction ("slower, maybe by < 5 %"): a real difference whose interval
  reaches into the margin, so it may be too small to matter;
- CANT_TELL: the interval spans 1 and reaches beyond the margin: the data cannot tell, and more
  runs would (the comparison says how many);
- TOO_NOISY: the interval spans more than a factor of MAX_SPAN: a figure that wide says nothing;
- NO_VERDICT: the two sides' noise was not measured alike (one process only, or intervals of
  different kinds).
"""

from __future__ import annotations

MARGIN = 0.05
MAX_SPAN = 3.0
FDR = 0.05  # the false discovery rate the correction for many verdicts allows
FASTER = "faster"
SLOWER = "slower"
CANT_TELL = "can't tell"
TOO_NOISY = "too noisy to call"
NO_VERDICT = "no verdict"


def percent(fraction: float) -> str:
    """0.05 as "5 %", as the site writes percentages."""
    return f"{100 * fraction:.0f} %"


def same(margin: float = MARGIN) -> str:
    return f"same within ±{percent(margin)}"


def maybe_small(direction: str, margin: float = MARGIN) -> str:
    return f"{direction}, maybe by < {percent(margin)}"


SAME = same()


def verdict(low: float, high: float, real: bool, *, above: str, below: str, margin: float = MARGIN) -> str:
    """The verdict of a ratio's interval [low, high]; `above` names a ratio above 1 ("slower" for
    NEW/BASE times), `below` one under 1; `real`: significant after correction."""
    if not (low > 0 and high >= low):
        return NO_VERDICT
    if high / low > MAX_SPAN:
        return TOO_NOISY
    inner, outer = 1 / (1 + margin), 1 + margin
    if low >= inner and high <= outer:
        return same(margin)
    if real and low > 1:
        return above if low > outer else maybe_small(above, margin)
    if real and high < 1:
        return below if high < inner else maybe_small(below, margin)
    return CANT_TELL
