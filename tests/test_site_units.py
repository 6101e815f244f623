"""Unit tests of the site's aggregation and text escaping (no page rendering)."""

from __future__ import annotations

import math

import pytest

from generator.bench.timer import summarize
from generator.site.analysis import comparability
from generator.site.analysis.latest import latest_timings
from generator.site.analysis.ratios import UNLIKE_INTERVALS, framework_ratios, ranking
from generator.site.load import collect_runs
from generator.site.output import markup
from tests.factories import make_machine, make_run, make_timing


def _frames(runs):  # type: ignore[no-untyped-def]
    return collect_runs(runs).frames


def _timing(framework: str, median: float, lo: float, hi: float, **fields: object):  # type: ignore[no-untyped-def]
    """A result whose 95 % interval is [lo, hi]: five samples, whose interval is [min, max]."""
    samples = [lo, median, median, median, hi]
    return make_timing(median, framework=framework, samples=samples, stats=summarize(samples, 1), **fields)


def test_latest_timing_per_machine_wins_and_failures_are_dropped() -> None:
    old = make_run(
        "2026-01-01T00-00-00Z-debian-12-x86_64-aaa",
        created="2026-01-01T00:00:00Z",
        results=[_timing("numpy", 2.0, 1.9, 2.1)],
    )
    new = make_run(
        "2026-02-01T00-00-00Z-debian-12-x86_64-bbb",
        created="2026-02-01T00:00:00Z",
        results=[
            _timing("numpy", 1.0, 0.9, 1.1),
            make_timing(framework="torch", status="failed", error="boom", samples=[], stats=None),
        ],
    )
    frames = _frames([new, old])
    assert list(frames.runs["run_id"]) == sorted([old.run_id, new.run_id])
    latest = latest_timings(frames.timings)
    assert len(latest) == 1
    assert latest.iloc[0]["run_id"] == new.run_id and latest.iloc[0]["median"] == 1.0
    # GFLOP/s derived from flops / median when the worker stored none: 2·256³ / 1 s.
    assert latest.iloc[0]["gflops"] == pytest.approx(2 * 256**3 / 1e9)


@pytest.mark.parametrize(
    ("torch", "verdict"),
    [((1.0, 0.9, 1.1), "faster"), ((4.0, 3.0, 5.0), "slower"), ((2.0, 1.5, 2.5), "can't tell")],
)
def test_ratio_verdict_needs_the_interval_to_exclude_one(
    torch: tuple[float, float, float], verdict: str
) -> None:
    run = make_run(results=[_timing("numpy", 2.0, 1.8, 2.2), _timing("torch", *torch)])
    latest = latest_timings(_frames([run]).timings)
    ratios = framework_ratios(latest)
    row = ratios[ratios["pair"] == "torch vs numpy"].iloc[0]
    assert row["ratio"] == pytest.approx(2.0 / torch[0])
    assert row["ratio_lo"] == pytest.approx(1.8 / torch[2]) and row["ratio_hi"] == pytest.approx(
        2.2 / torch[1]
    )
    assert row["verdict"] == verdict


def test_ranking_scores_frameworks_on_the_configurations_all_of_them_measured() -> None:
    run = make_run(
        results=[
            _timing("numpy", 4.0, 3.9, 4.1, params={"n": 1}),
            _timing("torch", 1.0, 0.99, 1.01, params={"n": 1}),
            _timing("numpy", 1.0, 0.99, 1.01, params={"n": 2}),
            _timing("torch", 2.0, 1.9, 2.1, params={"n": 2}),
            _timing("numpy", 9.0, 8.9, 9.1, params={"n": 3}),  # torch did not measure n=3: left out
        ]
    )
    ranked = ranking(latest_timings(_frames([run]).timings), ["family"]).set_index("framework")
    # numpy: times 4 and 1 against best 1 and 1 -> geo-mean 2; torch: 1 and 2 -> geo-mean sqrt(2).
    assert ranked.loc["torch", "relative"] == pytest.approx(math.sqrt(2.0))
    assert ranked.loc["numpy", "relative"] == pytest.approx(2.0)
    assert ranked.loc["torch", "wins"] == 1 and ranked.loc["numpy", "configs"] == 2


@pytest.mark.parametrize("variant", ["int8-static", "int8-dynamic", "pruned-50", "tflite-fp32", "compiled"])
def test_ranking_leaves_out_the_variants_summaries_leave_out(variant: str) -> None:
    # The same rule as the summaries (catalog.cases.in_summaries): a pruned or int8 result where numpy
    # wins by far must not move the ranking of the plain variants.
    plain = [_timing("numpy", 2.0, 1.9, 2.1, family="inference", case="mlp_infer", variant="fp32")]
    plain += [_timing("torch", 1.0, 0.99, 1.01, family="inference", case="mlp_infer", variant="fp32")]
    other = [
        _timing(fw, t, 0.99 * t, 1.01 * t, family="inference", case="mlp_infer", variant=variant)
        for fw, t in (("numpy", 1.0), ("torch", 100.0))
    ]
    ranked = ranking(latest_timings(_frames([make_run(results=plain + other)]).timings), ["family"])
    assert ranked.set_index("framework")["configs"].to_dict() == {"numpy": 1, "torch": 1}
    assert ranked.set_index("framework").loc["torch", "relative"] == pytest.approx(1.0)


def test_intervals_of_different_kinds_get_no_verdict() -> None:
    between = [1.0, 1.0, 1.0, 1.1, 1.1, 1.1]
    torch = make_timing(
        1.05, framework="torch", samples=between, process_rounds=[3, 3], stats=summarize(between, 1, [3, 3])
    )
    run = make_run(results=[_timing("numpy", 9.0, 8.9, 9.1), torch])
    row = framework_ratios(latest_timings(_frames([run]).timings)).iloc[0]
    assert row["ratio_lo"] > 1  # torch is clearly faster by the numbers ...
    assert row["verdict"] == UNLIKE_INTERVALS and row["interval"] == "mixed"  # ... but no verdict


def test_conditions_that_differ_are_named() -> None:
    a = make_timing(framework="torch", conditions={"threads": "2", "mode": "eager", "library": "MKL"})
    b = make_timing(framework="numpy", conditions={"threads": "1", "mode": "eager", "library": "OpenBLAS"})
    row = framework_ratios(latest_timings(_frames([make_run(results=[a, b])]).timings)).iloc[0]
    assert row["differs"] == "library, threads"


def test_environment_differences_name_what_differs() -> None:
    a = make_run("2026-01-01T00-00-00Z-debian-12-x86_64-aaa", settings={"threads": 4})
    machine = make_machine().model_copy(update={"frameworks": {"numpy": "2.0.0"}})
    b = make_run("2026-01-02T00-00-00Z-debian-12-x86_64-bbb", settings={"threads": 8}, machine=machine)
    frames = _frames([a, b])
    diffs = dict(comparability.environment_differences(frames.runs, [a.run_id, b.run_id]))
    assert diffs == {"threads": ["4", "8"], "numpy": ["2.0.0", "2.4.6"]}
    assert comparability.environment_differences(frames.runs, [a.run_id]) == []


@pytest.mark.parametrize(
    "hostile",
    [
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "{{ 7*7 }}",
        "a | b\n| --- |",
        "`x` *y* _z_",
    ],
)
def test_md_makes_any_string_literal_text(hostile: str) -> None:
    import markdown

    html = markdown.markdown(f"| h |\n|---|\n| {markup.md(hostile)} |", extensions=["tables", "attr_list"])
    assert "<img" not in html and "<a " not in html and "<em>" not in html and "<code>" not in html
    assert html.count("<td>") == 1  # a `|` in the string did not split the cell
    from bs4 import BeautifulSoup

    assert BeautifulSoup(html, "html.parser").td.get_text() == " ".join(hostile.split())


def test_script_json_cannot_close_its_script_element() -> None:
    text = markup.script_json({"name": "</script><script>alert(1)</script>"})
    assert "</" not in text and "<" not in text


def test_slugs_are_safe_and_distinct() -> None:
    assert markup.slug("matmul") == "matmul"
    assert markup.slug("a/b") != markup.slug("a_b")
    assert all(c.isalnum() or c in "-_" for c in markup.slug("<img src=x>"))


def test_links_and_urls_are_relative() -> None:
    assert markup.link("machines/debian-12/abc.md", "runs/r1.md") == "../../runs/r1.md"
    # MkDocs serves machines/debian-12/abc.md at machines/debian-12/abc/ (directory URLs).
    assert markup.url("machines/debian-12/abc.md", "runs/r1.md") == "../../../runs/r1/"
    assert markup.url("index.md", "runs/r1.md") == "runs/r1/"


def test_number_formats_are_fixed() -> None:
    assert markup.seconds(0.00123) == "1.23 ms"
    assert markup.seconds(2.5e-8) == "25.0 ns"
    assert markup.ratio(1.456) == "1.46×"
    assert markup.fixed(3.14159, 2) == "3.14" and markup.fixed(16.0, 0) == "16"
    assert markup.fixed(float("nan")) == "–"  # an empty cell, not "nan"


def test_run_files_collected_in_workers_equal_runs_collected_in_memory(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from benchmarks.fixtures.synthetic_runs import synthetic_runs
    from generator.schema.load import write_run
    from generator.site import load

    runs = list(synthetic_runs(5, machines=2))
    for run in runs:
        assert run.machine is not None
        write_run(run, tmp_path / run.machine.os.tag)
    monkeypatch.setattr(load, "CHUNK", 2)  # three chunks, in worker processes
    monkeypatch.setattr(load, "PARALLEL_FROM", 2)
    files, memory = load.collect_files([tmp_path]), collect_runs(runs)
    for name in ("runs", "machines", "timings", "accuracy"):
        pd.testing.assert_frame_equal(getattr(files.frames, name), getattr(memory.frames, name))
    assert [h.run_id for h in files.headers] == sorted(r.run_id for r in runs)
    assert not any(h.results for h in files.headers)  # headers only: results live in the frames
    assert sorted(files.sources) == sorted(r.run_id for r in runs) and not memory.sources
