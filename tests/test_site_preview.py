"""Static previews of the live charts (generator/site/output/preview.py): the very specs charts.py
writes as vl-convert draws them, on the selector's default, every point a link to its run with its
tooltip as title, text in the page's colour, strings escaped, links only inside the site, drawn once
per spec (the build cache), and none over the page's budget."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from benchmarks.fixtures.synthetic_runs import PAYLOADS
from generator.site.cache import Previews
from generator.site.output import charts, preview
from generator.site.output.page import Budget, Page, chart_html


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


def _drawn(chart: charts.Chart, cache: Previews | None = None) -> preview.Preview:
    drawn = preview.preview(chart.spec, chart.title, cache)
    assert drawn is not None
    return drawn


def test_scaling_preview_shows_the_default_machine_with_linked_points() -> None:
    drawn = _drawn(_scaling())
    svg = BeautifulSoup(drawn.svg, "html.parser")
    links = svg.select("a")
    assert len(links) == 6 and {a["href"] for a in links} == {"../../runs/run-n/"}  # the newest machine only
    assert all("run (click to open): run-n" in a.title.get_text() for a in links)
    labels = [t.get_text() for t in svg.select("text")]
    assert "median time" in labels and "n" in labels and any(label.endswith(" ms") for label in labels)
    assert "How does it scale?" not in labels  # the figure's caption shows the title
    assert svg.svg["aria-label"] == "How does it scale?" and svg.svg["width"] == "100%"
    assert "currentColor" in drawn.svg and "#000" not in drawn.svg and "white" not in drawn.svg
    assert "xlink" not in drawn.svg and "\n" not in drawn.svg
    assert [(b.name, b.options, b.value) for b in drawn.bindings] == [
        ("fb_machine", ("new box", "old box"), "new box")
    ]
    assert drawn == _drawn(charts.Chart("How does it scale?", copy.deepcopy(_scaling().spec)))  # same bytes


def test_best_and_accuracy_charts_preview_with_their_tooltips() -> None:
    rows: list[charts.Record] = [
        {"machine": m, "framework": f, "params": "n=1", "value": v, "value_text": str(v), "run_id": "r",
         "href": "runs/r/"}
        for m, f, v in (("a", "numpy", 3.0), ("a", "torch", 9.0), ("b", "numpy", 1.0))
    ]  # fmt: skip
    best = _drawn(charts.best_chart(rows, x="value", x_title="GFLOP/s", title="Best?", seconds=False))
    assert len(BeautifulSoup(best.svg, "html.parser").select("a")) == 3
    acc: list[charts.Record] = [
        {"architecture": "resnet50", "model": "resnet50", "framework": f, "protocol": p, "source": "s",
         "top1": t, "top5": 90.0, "run_id": "r", "href": "runs/r/"}
        for f, p, t in (("keras", "original", 74.9), ("pytorch", "standard", 76.1))
    ]  # fmt: skip
    drawn = _drawn(charts.accuracy_chart(acc, title="Accurate?"))
    titles = sorted(a.title.get_text() for a in BeautifulSoup(drawn.svg, "html.parser").select("a"))
    assert titles[0].startswith("model: resnet50; framework: keras; protocol: original; figures: s; ")
    assert "top-1 (%): 74.90; top-5 (%): 90.00" in titles[0]


def _hostile(href: str) -> charts.Chart:
    rows = [
        {"machine": p, "framework": p, "params": p, "value": 1.0 + i, "value_text": p, "run_id": p,
         "href": href if i == 0 else "runs/x/"}
        for i, p in enumerate(PAYLOADS)
    ]  # fmt: skip
    return charts.best_chart(rows, x="value", x_title="<b>x</b>", title="<script>t</script>", seconds=False)


def test_hostile_strings_are_escaped_and_foreign_links_dropped() -> None:
    for href in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "https://elsewhere.example/",
        "data:text/html,x",
    ):
        svg = BeautifulSoup(_drawn(_hostile(href)).svg, "html.parser")
        assert not svg.select("script, img, b, foreignobject, style")
        assert {a["href"] for a in svg.select("a")} == {"runs/x/"}
        assert (
            len(svg.select("a")) == len(svg.select("title")) - 1
        )  # the foreign link's point keeps its tooltip
        assert "<b>x</b>" in [t.get_text() for t in svg.select("text")]
        assert PAYLOADS[0] in [t.get_text() for t in svg.select("text")]


def test_a_drawing_is_kept_by_the_spec_it_drew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Previews(tmp_path)
    first = _drawn(_scaling(), cache)
    drawn: list[object] = []
    monkeypatch.setattr(preview, "_draw", lambda spec: drawn.append(spec))
    again = Previews(tmp_path)
    assert _drawn(_scaling(), again) == first and not drawn  # read back, not drawn again
    changed = _scaling_rows()
    changed[0]["href"] = "../../runs/other/"
    chart = charts.scaling_chart(changed, y="median", y_title="median time", title="t", x_title="n",
                                 machines=["new box", "old box"])  # fmt: skip
    assert preview.preview(chart.spec, "t", again) is None and len(drawn) == 1  # a new spec is drawn
    again.prune()
    assert len(list(tmp_path.glob("previews/*/*.svg"))) == 1  # the one this build used is kept
    Previews(tmp_path).prune()  # a build that used none
    assert not list(tmp_path.glob("previews/*/*.svg"))


def test_page_draws_previews_within_its_budget() -> None:
    class Sink:
        def text(self, rel: str, data: str) -> None:
            pass

    page = Page("operations/x.md", "case.md.j2", "x", charts=(_scaling(), _scaling()))
    size = _drawn(_scaling()).elements
    budget = Budget(elements=size + size // 2)
    first = chart_html(page, 0, Sink(), budget)  # type: ignore[arg-type]
    second = chart_html(page, 1, Sink(), budget)  # type: ignore[arg-type]
    assert "fb-preview" in first and '<select data-param="fb_machine">' in first
    assert "fb-preview" not in second and "data-src" in second  # over the budget: live only


def test_radio_bindings_keep_their_numbers() -> None:
    rows: list[charts.Record] = [
        {"machine": m, "batch": b, "img_s": x, "top1": y, "front": f, "on_front": "yes" if f else "no",
         "framework": "keras", "model": "m", "top1_text": "", "figures": "", "img_s_text": "", "run_id": "",
         "href": f"architectures/{m}{b}{x}/"}
        for m in ("a", "b")
        for b in (1, 8)
        for x, y, f in ((1.0, 70.0, True), (10.0, 75.0, True), (5.0, 60.0, False))
    ]  # fmt: skip
    drawn = _drawn(charts.accuracy_speed_chart(rows, title="t", machines=["a", "b"], batches=[8, 1]))
    svg = BeautifulSoup(drawn.svg, "html.parser")
    hrefs = sorted(a["href"] for a in svg.select("a"))
    assert hrefs == sorted(f"architectures/a8{x}/" for x in (1.0, 10.0, 5.0))  # machine a, batch 8
    assert [(b.name, b.value, b.numeric) for b in drawn.bindings] == [
        ("fb_machine", "a", False),
        ("fb_batch", "8", True),
    ]
