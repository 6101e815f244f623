"""Static previews of the live charts (generator/site/output/preview.py): drawn from the very specs
charts.py writes, on the selector's default, every point a link with its tooltip, strings escaped,
the same bytes every time, and None (live chart only) outside the subset or over the page's budget."""

from __future__ import annotations

import copy

from bs4 import BeautifulSoup

from benchmarks.fixtures.synthetic_runs import PAYLOADS
from generator.site.output import charts
from generator.site.output.page import Budget, Page, chart_html
from generator.site.output.preview import preview
from generator.site.output.scales import g, seconds_label


def _scaling_rows() -> list[charts.Record]:
    rows: list[charts.Record] = []
    for machine in ("new box", "old box"):
        for framework in ("numpy", "torch"):
            for size in (64, 256, 1024):
                median = size * 1e-6 * (2 if framework == "numpy" else 1) * (3 if machine == "old box" else 1)
                rows.append({
                    "machine": machine, "framework": framework, "series": f"{framework} · float32",
                    "size": size, "median": median, "ci_lo": median * 0.9, "ci_hi": median * 1.1,
                    "params": f"n={size}", "time": "t", "ci": "c", "gflops_text": "1",
                    "run_id": f"run-{machine[0]}", "href": f"../../runs/run-{machine[0]}/",
                })  # fmt: skip
    return rows


def _scaling() -> charts.Chart:
    return charts.scaling_chart(
        _scaling_rows(), y="median", y_title="median time", title="How does it scale?", x_title="n",
        machines=["new box", "old box"],
    )  # fmt: skip


def test_scaling_preview_shows_the_default_machine_with_linked_points() -> None:
    drawn = preview(_scaling().spec, 400)
    assert drawn is not None
    svg = BeautifulSoup(drawn.svg, "html.parser")
    links = svg.select("a")
    assert len(links) == 6 and {a["href"] for a in links} == {"../../runs/run-n/"}  # the newest machine only
    assert all("run (click to open): run-n" in a.title.get_text() for a in links)
    assert len(svg.select("path[stroke]")) == 2  # one line per series
    labels = [t.get_text() for t in svg.select("text")]
    assert "median time" in labels and "n" in labels and any(label.endswith(" ms") for label in labels)
    assert [(b.name, b.options, b.value) for b in drawn.bindings] == [
        ("fb_machine", ("new box", "old box"), "new box")
    ]
    assert drawn == preview(copy.deepcopy(_scaling().spec), 400)  # same spec, same bytes


def test_best_and_accuracy_charts_preview_with_rows_per_label() -> None:
    rows: list[charts.Record] = [
        {"machine": m, "framework": f, "params": "n=1", "value": v, "value_text": str(v), "run_id": "r",
         "href": "runs/r/"}
        for m, f, v in (("a", "numpy", 3.0), ("a", "torch", 9.0), ("b", "numpy", 1.0))
    ]  # fmt: skip
    chart = charts.best_chart(rows, x="value", x_title="GFLOP/s", title="Best?", seconds=False)
    best = preview(chart.spec, 99)
    assert best is not None and len(BeautifulSoup(best.svg, "html.parser").select("a")) == 3
    acc: list[charts.Record] = [
        {"architecture": "resnet50", "model": "resnet50", "framework": f, "protocol": p, "source": "s",
         "top1": t, "top5": 90.0, "run_id": "r", "href": "runs/r/"}
        for f, p, t in (("keras", "original", 74.9), ("pytorch", "standard", 76.1))
    ]  # fmt: skip
    drawn = preview(charts.accuracy_chart(acc, title="Accurate?").spec, 99)
    assert drawn is not None
    titles = [a.title.get_text() for a in BeautifulSoup(drawn.svg, "html.parser").select("a")]
    assert "top-1 (%): 74.90" in titles[0] or "top-1 (%): 74.90" in titles[1]


def test_hostile_strings_are_escaped_and_foreign_links_dropped() -> None:
    rows = [
        {"machine": p, "framework": p, "params": p, "value": 1.0 + i, "value_text": p, "run_id": p,
         "href": "javascript:alert(1)" if i == 0 else "runs/x/"}
        for i, p in enumerate(PAYLOADS)
    ]  # fmt: skip
    chart = charts.best_chart(rows, x="value", x_title="<b>x</b>", title="<script>t</script>", seconds=False)
    drawn = preview(chart.spec, 999)
    assert drawn is not None
    svg = BeautifulSoup(drawn.svg, "html.parser")
    assert not svg.select("script, img, b, foreignobject")
    assert [a["href"] for a in svg.select("a")] == ["runs/x/"] * (len(PAYLOADS) - 1)
    assert "<b>x</b>" in [t.get_text() for t in svg.select("text")]


def test_outside_the_subset_or_over_budget_gives_no_preview() -> None:
    spec = _scaling().spec
    assert preview(spec, 5) is None  # 6 points and 6 interval rules
    assert preview({**spec, "facet": {"field": "machine"}}, 400) is None
    bar = {**spec, "layer": [{**spec["layer"][0], "mark": "bar"}]}
    assert preview(bar, 400) is None
    assert preview({**spec, "transform": [{"calculate": "1", "as": "one"}]}, 400) is None


def test_page_draws_previews_within_its_budget() -> None:
    class Sink:
        def text(self, rel: str, data: str) -> None:
            pass

    page = Page("operations/x.md", "case.md.j2", "x", charts=(_scaling(), _scaling()))
    budget = Budget(marks=20)
    first = chart_html(page, 0, Sink(), budget)  # type: ignore[arg-type]
    second = chart_html(page, 1, Sink(), budget)  # type: ignore[arg-type]
    assert "fb-preview" in first and '<select data-param="fb_machine">' in first
    assert "fb-preview" not in second and "data-src" in second  # over the budget: live only


def test_tick_labels_read_as_people_write_numbers() -> None:
    assert [g(v) for v in (140.0, 0.5, 2.0, 1e-7, 1234567.0)] == ["140", "0.5", "2", "1e-7", "1.23457e+6"]
    assert [seconds_label(v) for v in (2.0, 0.01, 2.5e-4, 5e-9)] == ["2 s", "10 ms", "250 µs", "5 ns"]


def test_layer_filters_radio_bindings_and_order_preview_at_their_defaults() -> None:
    rows = [
        {"m": m, "batch": b, "x": x, "y": y, "front": f, "href": f"runs/{m}{b}{x}/"}
        for m in ("a", "b")
        for b in (1, 8)
        for x, y, f in ((1.0, 70.0, True), (10.0, 75.0, True), (5.0, 60.0, False))
    ]  # fmt: skip
    x = {"field": "x", "type": "quantitative", "scale": {"type": "log"}}
    y = {"field": "y", "type": "quantitative", "scale": {"zero": False}}
    spec = {
        "data": {"values": rows},
        "height": 200,
        "params": [
            {"name": "fb_m", "value": "a", "bind": {"input": "select", "options": ["a", "b"]}},
            {"name": "fb_b", "value": 8, "bind": {"input": "radio", "options": [1, 8]}},
        ],
        "transform": [{"filter": "datum.m == fb_m && datum.batch == fb_b"}],
        "layer": [
            {"transform": [{"filter": "datum.front"}], "mark": "line",
             "encoding": {"x": x, "y": y, "order": {"field": "x", "type": "quantitative"}}},
            {"mark": {"type": "point", "filled": True},
             "encoding": {"x": x, "y": y, "href": {"field": "href"}}},
        ],
    }  # fmt: skip
    drawn = preview(spec, 99)
    assert drawn is not None
    svg = BeautifulSoup(drawn.svg, "html.parser")
    assert sorted(a["href"] for a in svg.select("a")) == sorted(
        ["runs/a810.0/", "runs/a81.0/", "runs/a85.0/"]
    )
    assert svg.select_one("path[stroke]")["d"].count("L") == 1  # the front: two points, in x order
    assert [(b.name, b.value, b.numeric) for b in drawn.bindings] == [
        ("fb_m", "a", False),
        ("fb_b", "8", True),
    ]
