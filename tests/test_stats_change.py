"""The change test of `framebench compare` and the history pages (generator.stats.change): verdicts,
the minimum effect, Holm's correction."""

from __future__ import annotations

import math
import random

import pytest

from generator.stats.change import Estimate, compare, holm


def test_holm_rejects_step_down() -> None:
    assert holm([0.001, 0.04, 0.02, 0.5], alpha=0.05) == [True, False, False, False]
    assert holm([0.01, 0.02], alpha=0.05) == [True, True]


def test_a_20_percent_slowdown_is_found_and_equal_runs_are_not_flagged() -> None:
    rng = random.Random(1)
    base = Estimate.from_medians([1.0, 1.02, 0.99])
    assert compare(base, Estimate.from_medians([1.2, 1.22, 1.19])).verdict == "slower"
    assert compare(base, Estimate.from_medians([0.8, 0.81, 0.79])).verdict == "faster"
    flagged = 0
    for _ in range(400):
        a = Estimate.from_medians([math.exp(rng.gauss(0, 0.03)) for _ in range(3)])
        b = Estimate.from_medians([math.exp(rng.gauss(0, 0.03)) for _ in range(3)])
        flagged += compare(a, b).verdict != "no significant change"
    assert flagged / 400 <= 0.05


def test_a_significant_but_tiny_change_is_no_change() -> None:
    base = Estimate.from_medians([1.0, 1.0001, 0.9999])
    assert compare(base, Estimate.from_medians([1.02, 1.0201, 1.0199])).verdict == "no significant change"
    assert compare(base, Estimate.from_medians([1.02, 1.0201, 1.0199]), min_effect=0.01).verdict == "slower"


def test_one_process_gets_no_verdict() -> None:
    change = compare(Estimate.from_medians([1.0]), Estimate.from_medians([2.0, 2.1]))
    assert change.verdict == "no verdict" and change.ratio == pytest.approx(2.05)
