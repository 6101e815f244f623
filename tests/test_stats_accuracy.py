"""Accuracy error bars: exact intervals against scipy, McNemar's two regimes, tied ranks, notes format."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from generator.catalog.study import printed_table
from generator.stats import accuracy as sig


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_clopper_pearson_equals_scipy_beta_quantiles(pair: tuple[int, int]) -> None:
    correct, images = pair
    got = sig.clopper_pearson(correct, images)
    low = 0.0 if correct == 0 else stats.beta.ppf(0.025, correct, images - correct + 1)
    high = 1.0 if correct == images else stats.beta.ppf(0.975, correct + 1, images - correct)
    assert got.low == pytest.approx(100 * low, abs=1e-8)
    assert got.high == pytest.approx(100 * high, abs=1e-8)
    assert got.low <= 100 * correct / images <= got.high


def test_interval_of_a_stored_percent_recovers_the_count() -> None:
    assert sig.interval_of_percent(75.062, 50000) == sig.clopper_pearson(37531, 50000)
    with pytest.raises(ValueError):
        sig.clopper_pearson(5, 4)


@pytest.mark.parametrize(("b", "c"), [(0, 0), (3, 10), (0, 24), (12, 12), (100, 150), (1618, 2609)])
def test_mcnemar_exact_below_25_discordant_pairs_else_corrected_chi_square(b: int, c: int) -> None:
    got = sig.mcnemar(b, c)
    if b + c < sig.EXACT_BELOW:
        assert got.method == "exact binomial"
        expected = stats.binomtest(b, b + c, 0.5).pvalue if b + c else 1.0
    else:
        assert got.method == "chi-square, continuity-corrected"
        expected = stats.chi2.sf((abs(b - c) - 1) ** 2 / (b + c), 1)
    assert got.p_value == pytest.approx(expected, rel=1e-9)


def test_paired_counts_and_agreement_from_per_image_booleans() -> None:
    keras = np.array([1, 1, 0, 0, 1, 0], bool)
    torch = np.array([1, 0, 1, 1, 1, 0], bool)
    same = np.array([1, 0, 0, 0, 1, 1], bool)
    result = sig.paired_result(sig.paired_counts(keras, torch, same))
    assert (result.counts.both_right, result.counts.keras_only, result.counts.pytorch_only) == (2, 1, 2)
    assert result.keras_percent == pytest.approx(50.0) and result.pytorch_percent == pytest.approx(400 / 6)
    assert result.agreement_percent == pytest.approx(50.0) and not result.significant


def test_notes_round_trip_and_skip_malformed_entries() -> None:
    counts = sig.PairedCounts(
        images=50000, both_right=30000, keras_only=1200, pytorch_only=1500, same_top1=41000
    )
    notes: dict[str, str | float] = {
        **sig.paired_note("resnet50", "top1", counts),
        "paired.vgg16.top1": "images=50000 both_right=1",  # incomplete
        "paired.vgg19.top9": next(iter(sig.paired_note("x", "top1", counts).values())),
        "models": 34.0,
    }
    parsed = sig.paired_from_notes(notes)
    assert list(parsed) == [("resnet50", "top1")] and parsed["resnet50", "top1"].counts == counts


def test_ranks_tie_overlapping_intervals_and_count_only_clearly_better_models() -> None:
    intervals = [sig.Interval(80, 82), sig.Interval(79, 81), sig.Interval(76, 78), sig.Interval(77.5, 79)]
    # 79-81 overlaps 80-82: both first. 77.5-79 overlaps 79-81 only at its edge (still a tie with it) but
    # lies wholly below 80-82: one model is clearly better. 76-78 lies below the first two.
    assert sig.tied_ranks(intervals) == [1, 1, 3, 2]


def test_printed_table_is_the_studys_34_rows_in_rank_order() -> None:
    rows = printed_table()
    assert len(rows) == 34 and [r.rank1 for r in rows] == list(range(1, 35))
    assert (rows[0].framework, rows[0].model, rows[0].top1, rows[0].top5) == (
        "keras",
        "nasnetlarge",
        80.83,
        95.27,
    )
    assert {r.framework for r in rows if r.model == "mobilenetv2"} == {"keras"}
