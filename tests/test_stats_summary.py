"""The statistics of the framework summaries (generator.stats.summary): intervals that agree with their
p-values, the Benjamini-Hochberg correction, verdicts and their margin."""

from __future__ import annotations

import math

import pytest

from generator.stats.summary import (
    NORMAL_FROM_DF,
    benjamini_hochberg,
    critical_value,
    interval,
    p_value,
    t_two_sided,
    verdict,
)
from generator.stats.verdicts import CANT_TELL, SAME


def test_verdicts_and_their_margin() -> None:
    assert verdict(0.96, 1.04, 0.5) == SAME
    assert verdict(1 / 1.05, 1.05, 0.5) == SAME
    assert verdict(1.06, 1.30, 0.001) == "faster"
    assert verdict(0.7, 0.9, 0.001) == "slower"
    assert verdict(1.02, 1.30, 0.001) == "faster, maybe by < 5 %"
    assert verdict(0.8, 0.98, 0.001) == "slower, maybe by < 5 %"
    assert verdict(1.06, 1.30, 0.2) == CANT_TELL  # unproven after the correction
    assert verdict(0.9, 1.2, 0.001) == CANT_TELL
    assert verdict(1.06, 1.08, 0.001, margin=0.10) == "same within ±10 %"
    # A vs B and B vs A always agree, the margin being symmetric on the log scale.
    for lo, hi in [(0.951, 1.02), (0.97, 1.0515), (1.01, 1.2), (0.5, 0.8), (0.9, 1.1)]:
        forward, backward = verdict(lo, hi, 0.001), verdict(1 / hi, 1 / lo, 0.001)
        assert forward.replace("faster", "x").replace("slower", "x") == backward.replace(
            "faster", "x"
        ).replace("slower", "x")


def test_student_t_and_the_interval_agree_with_the_p_value() -> None:
    # Student's t below NORMAL_FROM_DF degrees of freedom, the normal distribution from there on.
    for df, t in [(1, 12.706), (2, 4.303), (4, 2.776), (10, 2.228), (30, 2.042), (NORMAL_FROM_DF, 1.960)]:
        assert critical_value(df) == pytest.approx(t, abs=5e-4)
        assert t_two_sided(critical_value(df), df) == pytest.approx(0.05, abs=1e-12)
    assert critical_value(NORMAL_FROM_DF - 1) > critical_value(NORMAL_FROM_DF) + 0.01
    assert t_two_sided(0.0, 3) == 1.0
    for units in (1, 2, 5, 12):
        for log_ratio in (0.0, 0.05, 0.1, 0.3):
            lo, hi = interval(log_ratio, 0.05, units)
            assert lo * hi == pytest.approx(math.exp(2 * log_ratio))  # symmetric on the log scale
            assert (lo > 1) == (p_value(log_ratio, 0.05, units) < 0.05)


def test_benjamini_hochberg() -> None:
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.20])
    assert benjamini_hochberg([]).size == 0
