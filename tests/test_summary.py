"""Framework speed-up summaries (generator.site.analysis.summary): one case set, transitive, honest."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.catalog.cases import in_summaries
from generator.machine.identity import hardware_class, machine_key
from generator.schema.load import load_runs
from generator.schema.models import TimingResult
from generator.site.analysis.summary import (
    PairSummary,
    framework_scores,
    framework_summary,
)
from generator.site.analysis.summary_select import INPUT_COLUMNS
from generator.stats.verdicts import CANT_TELL, SAME

RUNS = Path(__file__).resolve().parents[1] / "runs"
CASES = tuple("abcdefghijkl")


def results(
    speed: dict[str, float],
    *,
    cases: Sequence[str] = CASES,
    sizes: Sequence[int] = (1,),
    noise: float = 0.0,
    processes: int = 1,
    process_noise: float = 0.01,
    machine: str = "m1",
    hardware: str = "cpu-x",
    run_id: str = "2026-01-01T00-00-00Z-r1",
    interval: str = "between-processes",
    variant: str = "default",
    seed: int = 0,
) -> pd.DataFrame:
    """One row per case, size and framework: time = case base time / the framework's speed, with
    log-normal noise per result and `processes` per-process medians around it."""
    rng = np.random.default_rng(seed)
    rows = []
    for case in cases:
        base = math.exp(rng.normal(-6, 2))
        for size in sizes:
            for framework, factor in speed.items():
                median = base * size / factor * math.exp(noise * rng.normal())
                spread = np.exp(process_noise * rng.normal(size=processes))
                rows.append(
                    {
                        "hardware_class": hardware,
                        "machine": machine,
                        "device": "cpu",
                        "family": "tensor",
                        "case": case,
                        "variant": variant,
                        "dtype": "float32",
                        "params": f"n={size}",
                        "framework": framework,
                        "median_s": median,
                        "interval": interval,
                        "run_id": run_id,
                        "process_medians": list(median * spread) if processes > 1 else [median],
                        "ci_lo": median * 0.999,
                        "ci_hi": median * 1.001,
                    }
                )
    return pd.DataFrame(rows)


def pair(summary: pd.DataFrame, a: str, b: str) -> PairSummary:
    found = summary[(summary["framework_a"] == a) & (summary["framework_b"] == b)]
    assert len(found) == 1, found
    return PairSummary(*found.iloc[0])


def test_columns_are_the_row_model() -> None:
    summary = framework_summary(results({"numpy": 1.0, "torch": 2.0}))
    assert list(summary.columns) == list(PairSummary._fields)
    with pytest.raises(ValueError, match="run_id"):
        framework_summary(results({"numpy": 1.0, "torch": 2.0}).drop(columns="run_id"))


def test_empty_input_and_categorical_columns() -> None:
    frame = results({"numpy": 1.0, "tensorflow": 0.7, "torch": 2.0}, noise=0.2, processes=3)
    empty = framework_summary(frame.iloc[:0])
    assert empty.empty and list(empty.columns) == list(PairSummary._fields)
    # The site's frames hold text as categoricals; the figures must not depend on that.
    text = [c for c in INPUT_COLUMNS if c != "median_s"]
    categorical = frame.astype({c: "category" for c in text})
    pd.testing.assert_frame_equal(framework_summary(categorical), framework_summary(frame))
    # Without process medians or intervals the figures stand; only the measurement noise is missing.
    bare = framework_summary(frame.drop(columns=["process_medians", "ci_lo", "ci_hi"]))
    assert bare["ratio"].tolist() == pytest.approx(framework_summary(frame)["ratio"].tolist(), rel=1e-12)


def test_ratios_are_transitive_on_one_case_set() -> None:
    frame = results({"numpy": 1.0, "tensorflow": 0.8, "torch": 1.9}, noise=0.4)
    # torch alone measured an extra case, absurdly fast: it is outside the common set of every pair.
    extra = results({"torch": 1000.0}, cases=["z"], seed=1)
    summary = framework_summary(pd.concat([frame, extra], ignore_index=True))
    tn, tt, fn = (
        pair(summary, "torch", "numpy"),
        pair(summary, "torch", "tensorflow"),
        pair(summary, "tensorflow", "numpy"),
    )
    assert tn.ratio == pytest.approx(tt.ratio * fn.ratio, rel=1e-12)
    assert {tn.cases, tt.cases, fn.cases} == {len(CASES)}
    assert tn.ratio == pytest.approx(framework_summary(frame).pipe(pair, "torch", "numpy").ratio, rel=1e-12)
    # The geo-mean over cases of the per-case ratio, computed by hand.
    by_case = frame.pivot_table(index="case", columns="framework", values="median_s")
    expected = math.exp(np.log(by_case["numpy"] / by_case["torch"]).mean())
    assert tn.ratio == pytest.approx(expected, rel=1e-12)
    # The per-framework scores are the same figures: relative times whose quotients are the ratios.
    scores = framework_scores(frame).set_index("framework")["relative_time"]
    assert scores.min() == 1.0 and scores.idxmin() == "torch"
    assert scores["numpy"] / scores["torch"] == pytest.approx(tn.ratio, rel=1e-12)
    assert scores["tensorflow"] / scores["torch"] == pytest.approx(tt.ratio, rel=1e-12)


def test_a_uniform_two_fold_gap_is_two_with_a_tight_interval() -> None:
    summary = framework_summary(results({"numpy": 1.0, "torch": 2.0}, noise=0.01, processes=5))
    row = pair(summary, "torch", "numpy")
    assert row.ratio == pytest.approx(2.0, rel=0.01)
    assert 1.97 < row.ci_lo < row.ratio < row.ci_hi < 2.03
    assert row.verdict == "faster" and row.cases == len(CASES) and row.machines == 1 and row.runs == 1


def test_a_three_percent_gap_is_no_clear_difference() -> None:
    summary = framework_summary(results({"numpy": 1.0, "torch": 1.03}, noise=0.01, processes=5))
    row = pair(summary, "torch", "numpy")
    assert row.ci_lo > 1.0 and row.ci_hi < 1.05
    assert row.verdict == SAME
    noisy = pair(framework_summary(results({"numpy": 1.0, "torch": 1.03}, noise=0.3)), "torch", "numpy")
    assert noisy.ci_lo < 1 < 1.05 < noisy.ci_hi and noisy.verdict == CANT_TELL


def test_sweep_points_do_not_weigh_more() -> None:
    swept = results({"numpy": 1.0, "torch": 4.0}, cases=["a"], sizes=range(1, 9))
    single = results({"numpy": 1.0, "torch": 1.0}, cases=["b", "c"], seed=1)
    row = pair(framework_summary(pd.concat([swept, single], ignore_index=True)), "torch", "numpy")
    assert row.ratio == pytest.approx(4.0 ** (1 / 3), rel=1e-12)  # not (4^8)^(1/10) = 3.03
    assert row.cases == 3 and row.points == 10


def test_int8_pruned_and_compiled_variants_stay_out() -> None:
    fp32 = results({"numpy": 1.0, "torch": 2.0}, variant="fp32")
    others = [
        results({"numpy": 1.0, "torch": 50.0}, variant=v, seed=i)
        for i, v in enumerate(["int8-dynamic", "int8-static", "pruned-50", "compiled", "quantized"])
    ]
    summary = framework_summary(pd.concat([fp32, *others], ignore_index=True))
    assert pair(summary, "torch", "numpy").ratio == pytest.approx(2.0, rel=1e-12)
    assert [in_summaries(v) for v in ("default", "eager", "fp32", "int8-dynamic", "pruned-50")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_same_input_same_output_and_row_order_does_not_matter() -> None:
    frame = pd.concat(
        [
            results({"numpy": 1.0, "tensorflow": 1.2, "torch": 1.5}, noise=0.3, processes=3),
            results({"numpy": 1.0, "torch": 1.1}, noise=0.2, machine="m2", hardware="cpu-y", seed=3),
        ],
        ignore_index=True,
    )
    first, second = framework_summary(frame), framework_summary(frame.copy())
    pd.testing.assert_frame_equal(first, second)
    shuffled = framework_summary(frame.sample(frac=1.0, random_state=7).reset_index(drop=True))
    pd.testing.assert_frame_equal(first, shuffled, rtol=1e-9)
    assert not framework_summary(frame, seed=1)["ci_lo"].equals(first["ci_lo"])


def test_interval_kinds_never_meet_in_one_figure() -> None:
    old = results({"numpy": 1.0, "torch": 3.0}, interval="within-process", run_id="2026-01-01T00-00-00Z-r1")
    new = results(
        {"numpy": 1.0, "torch": 1.5},
        interval="between-processes",
        machine="m2",
        seed=2,
        run_id="2026-02-01T00-00-00Z-r2",
    )
    frame = pd.concat([old, new], ignore_index=True)
    newest = framework_summary(frame)
    assert list(newest["interval"]) == ["between-processes"]
    assert pair(newest, "torch", "numpy").ratio == pytest.approx(1.5, rel=1e-12)
    each = framework_summary(frame, each_kind=True).set_index("interval")
    assert each.loc["within-process", "ratio"] == pytest.approx(3.0, rel=1e-12)
    assert each.loc["between-processes", "ratio"] == pytest.approx(1.5, rel=1e-12)
    assert set(each["machines"]) == {1}
    # A newer kind that compares nothing (one framework re-measured) leaves the older comparison shown.
    numpy_only = new[new["framework"] == "numpy"]
    kept = framework_summary(pd.concat([old, numpy_only], ignore_index=True))
    assert list(kept["interval"]) == ["within-process"]


def test_machines_pool_with_their_newest_runs() -> None:
    stale = results({"numpy": 1.0, "torch": 9.0}, run_id="2026-01-01T00-00-00Z-old")
    m1 = results({"numpy": 1.0, "torch": 2.0}, run_id="2026-03-01T00-00-00Z-new", noise=0.02)
    m2 = results(
        {"numpy": 1.0, "torch": 2.0}, machine="m2", run_id="2026-02-01T00-00-00Z-m2", seed=1, noise=0.02
    )
    m3 = results({"numpy": 1.0, "torch": 2.0}, machine="m3", hardware="cpu-other", seed=2)
    summary = framework_summary(pd.concat([stale, m2, m1, m3], ignore_index=True))
    row = summary[summary["hardware_class"] == "cpu-x"].pipe(pair, "torch", "numpy")
    assert row.ratio == pytest.approx(2.0, rel=0.02)
    assert (row.machines, row.runs, row.cases, row.points) == (2, 2, len(CASES), 2 * len(CASES))
    assert len(summary) == 2  # one row per hardware class


def test_machines_that_disagree_widen_the_interval() -> None:
    agree = [results({"numpy": 1.0, "torch": 2.0}, machine=f"m{i}", seed=i, noise=0.01) for i in range(4)]
    disagree = [
        results({"numpy": 1.0, "torch": f}, machine=f"m{i}", seed=i, noise=0.01)
        for i, f in enumerate([1.2, 2.0, 3.0, 4.0])
    ]
    tight = pair(framework_summary(pd.concat(agree, ignore_index=True)), "torch", "numpy")
    wide = pair(framework_summary(pd.concat(disagree, ignore_index=True)), "torch", "numpy")
    assert tight.ci_hi / tight.ci_lo < 1.03 < wide.ci_hi / wide.ci_lo


def test_spread_between_processes_widens_the_interval() -> None:
    one_case = {"cases": ["a"], "processes": 5}
    steady = pair(
        framework_summary(results({"numpy": 1.0, "torch": 1.2}, process_noise=0.01, **one_case)),
        "torch",
        "numpy",
    )
    shaky = pair(
        framework_summary(results({"numpy": 1.0, "torch": 1.2}, process_noise=0.4, **one_case)),
        "torch",
        "numpy",
    )
    assert steady.verdict == "faster" and steady.ci_hi / steady.ci_lo < 1.05
    assert shaky.verdict == CANT_TELL and shaky.ci_lo < 1 < shaky.ci_hi


def test_intervals_cover_the_true_ratio_95_times_in_100() -> None:
    """Cases drawn from a population whose geo-mean speed-up is 1.5; the interval over 6 cases
    must cover it about as often as it says (a percentile bootstrap would cover ~88 %)."""
    rng = np.random.default_rng(5)
    covered = 0
    for k in range(150):
        frame = results({"numpy": 1.0, "torch": 1.0}, cases=CASES[:6], seed=k)
        torch = frame["framework"] == "torch"
        frame.loc[torch, "median_s"] /= np.exp(rng.normal(math.log(1.5), 0.4, torch.sum()))
        row = framework_summary(frame, resamples=500).iloc[0]
        covered += row.ci_lo <= 1.5 <= row.ci_hi
    assert 0.90 <= covered / 150 <= 0.99


def test_the_correction_keeps_null_comparisons_from_being_called() -> None:
    nulls = [
        results({"numpy": 1.0, "torch": 1.0}, hardware=f"cpu-{i}", machine=f"m{i}", noise=0.3, seed=i)
        for i in range(60)
    ]
    summary = framework_summary(pd.concat(nulls, ignore_index=True))
    assert (summary["q_value"] >= summary["p_value"]).all()
    # Without the correction some of 60 null comparisons would look real; with it (almost) none does.
    assert (summary["p_value"] < 0.05).sum() >= 1
    assert summary["verdict"].isin([CANT_TELL, SAME]).all()


# --- the committed runs ----------------------------------------------------------------------------


def process_medians(result: TimingResult) -> list[float]:
    rounds = list(getattr(result, "process_rounds", []) or [])
    if len(rounds) < 2:
        assert result.stats is not None
        return [result.stats.median]
    out, start = [], 0
    for n in rounds:
        out.append(statistics.median(result.samples[start : start + n]))
        start += n
    return out


def committed_frame() -> pd.DataFrame:
    rows = []
    for run in load_runs([RUNS]):
        if run.kind != "ops" or run.machine is None:
            continue
        for r in run.results:
            if not isinstance(r, TimingResult) or r.status != "ok" or r.stats is None:
                continue
            rows.append(
                {
                    "hardware_class": hardware_class(run.machine, r.device),
                    "machine": machine_key(run.machine),
                    "device": r.device,
                    "family": r.family,
                    "case": r.case,
                    "variant": r.variant,
                    "dtype": r.dtype,
                    "params": json.dumps(sorted(r.params.items())),
                    "framework": r.framework,
                    "median_s": r.stats.median,
                    "interval": getattr(r.stats, "interval", "within-process"),
                    "run_id": run.run_id,
                    "process_medians": process_medians(r),
                    "ci_lo": r.stats.ci95[0],
                    "ci_hi": r.stats.ci95[1],
                }
            )
    frame = pd.DataFrame(rows)
    assert set(INPUT_COLUMNS) <= set(frame.columns)
    return frame


def test_committed_runs_give_consistent_pairwise_figures() -> None:
    frame = committed_frame()
    summary = framework_summary(frame)
    assert len(summary) >= 10
    assert ((summary["ci_lo"] <= summary["ratio"]) & (summary["ratio"] <= summary["ci_hi"])).all()
    triples = 0
    for _, group in summary.groupby(["hardware_class", "device", "family", "interval"]):
        assert group["cases"].nunique() == 1 and group["points"].nunique() == 1
        if len(group) == 3:
            triples += 1
            tn, tt, fn = (
                pair(group, *p)
                for p in [("torch", "numpy"), ("torch", "tensorflow"), ("tensorflow", "numpy")]
            )
            assert tn.ratio == pytest.approx(tt.ratio * fn.ratio, rel=1e-12)
    assert triples >= 4
    # One group recomputed by hand: CPU tensor ops of the 2-core Debian machine, torch vs numpy.
    debian = frame[(frame["run_id"].str.endswith("3bc087")) & (frame["device"] == "cpu")]
    tensor = debian[debian["family"] == "tensor"]
    points = tensor.pivot_table(
        index=["case", "dtype", "params"], columns="framework", values="median_s"
    ).dropna()
    logs = np.log(points).groupby(level="case").mean()
    expected = math.exp((logs["numpy"] - logs["torch"]).mean())
    row = summary[
        (summary["hardware_class"] == tensor["hardware_class"].iloc[0]) & (summary["family"] == "tensor")
    ].pipe(pair, "torch", "numpy")
    assert row.ratio == pytest.approx(expected, rel=1e-12) and row.cases == len(logs)
    # int8 and pruned results are in the files but in no summary.
    assert frame["variant"].isin(["int8-dynamic", "pruned-50"]).any()
    inference = summary[(summary["family"] == "inference")]
    fp32_cases = frame[(frame["family"] == "inference") & (frame["variant"] == "fp32")]["case"].nunique()
    assert (inference["cases"] <= fp32_cases).all()
