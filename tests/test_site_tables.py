"""The one table renderer: small tables as escaped HTML with raw sort numbers, large ones as data
files; the page budget; the results table's rules for % of peak."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from benchmarks.fixtures.synthetic_runs import PAYLOADS
from generator.site.output import tables
from generator.site.output.tables import Cell, Column, Table, TableWriter, rows_table
from generator.site.pages.results import RESULT_COLUMNS, peak_text

ROOT = Path(__file__).resolve().parents[1]


def _numbers(count: int) -> Table:
    frame = pd.DataFrame(
        {
            "name": [f"row {i}" for i in range(count)],
            "page": [f"runs/r{i}.md" for i in range(count)],
            "seconds_text": [f"{i % 7} ms" for i in range(count)],
            "seconds": [(i % 7) * 1e-3 for i in range(count)],
        }
    )
    columns = (Column("name", "name", link="page"), Column("time", "seconds_text", sort="seconds"))
    return Table("results", columns, frame)


def test_small_table_is_html_with_raw_sort_numbers_and_page_relative_links() -> None:
    writer = TableWriter("machines/debian-12/abc.md")
    html = str(writer.render(_numbers(3)))
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.select("tbody tr")
    assert len(rows) == 3 and not writer.files
    assert rows[2].select("td")[1]["data-sort"] == repr(2e-3)
    # Directory URLs: machines/debian-12/abc/ -> ../../../runs/r2/
    assert rows[2].select_one("a")["href"] == "../../../runs/r2/"


def test_large_table_ships_as_a_data_file_beside_its_page() -> None:
    writer = TableWriter("runs/x.md")
    html = str(writer.render(_numbers(tables.INLINE_ROWS + 1)))
    assert "<table" not in html
    ((rel, text),) = writer.files.items()
    assert rel == "runs/x.results.json"
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("div.fb-table")["data-src"] == "../x.results.json"
    data = json.loads(text)
    assert [c["title"] for c in data["columns"]] == ["name", "time"]
    assert data["columns"][1]["sort"] is True and len(data["rows"]) == tables.INLINE_ROWS + 1
    name, time = data["rows"][9]
    assert name == ["row 9", None, "../r9/"] and time == ["2 ms", 0.002, None]


def test_long_text_columns_keep_their_width_inline_and_in_data_files() -> None:
    table = _numbers(3)
    wide = Table(table.name, (table.columns[0], Column("why", "seconds_text", wide=True)), table.frame)
    html = str(TableWriter("runs/x.md").render(wide))
    heads = BeautifulSoup(html, "html.parser").select("thead th")
    assert [h.get("class") for h in heads] == [None, ["fb-wide"]]
    data = json.loads(tables.data_json(wide, "runs/x.md"))
    assert [c["wide"] for c in data["columns"]] == [False, True]
    # The results tables' long text: reasons a result failed, peak sources, conditions, warnings.
    assert [c.title for c in RESULT_COLUMNS if c.wide] == [
        "95 % CI (or why it failed)",
        "% of CPU peak (clock source)",
        "conditions",
        "warnings",
    ]


def test_page_budget_moves_later_tables_to_data_files() -> None:
    writer = TableWriter("index.md", tables.Budget(cells=60))
    assert "<table" in writer.render(_numbers(20))  # 40 cells fit
    assert "<table" not in writer.render(_numbers(20))  # 40 more do not
    assert list(writer.files) == ["index.results.json"]


def test_hostile_text_is_escaped_in_html_and_in_data_files() -> None:
    rows = [(Cell(p, "runs/r.md"), p) for p in PAYLOADS]
    small = BeautifulSoup(
        str(TableWriter("index.md").render(rows_table("t", ("a", "b"), rows))), "html.parser"
    )
    assert not small.select("script, img, svg, td a[href^=javascript]")
    assert [td.get_text() for td in small.select("tbody td:nth-of-type(2)")] == [
        " ".join(p.split()) for p in PAYLOADS
    ]
    many = rows_table("t", ("a", "b"), rows * 20)
    writer = TableWriter("index.md")
    writer.render(many)
    data = json.loads(writer.files["index.t.json"])
    assert data["rows"][0][1] == PAYLOADS[0]  # the script draws text with textContent, never as HTML


def test_columns_nobody_filled_are_left_out() -> None:
    frame = pd.DataFrame({"a": ["x", "y"], "warnings": ["", ""]})
    table = Table("t", (Column("a", "a"), Column("warnings", "warnings")), frame)
    html = str(TableWriter("index.md").render(table))
    assert "warnings" not in html and ">x<" in html


@pytest.mark.parametrize(
    ("pct", "source", "shown"),
    [
        (45.25, "cpufreq max (3500 MHz)", "45.2 % (cpufreq max (3500 MHz))"),
        (45.2, "", "–"),  # no peak: not shown
        (136.0, "probe", "over 100 %: peak estimate wrong (probe)"),
        (float("nan"), "probe", "–"),
    ],
)
def test_percent_of_peak_comes_with_its_source_and_never_exceeds_100(
    pct: float, source: str, shown: str
) -> None:
    assert peak_text(pct, source) == shown


def test_static_summary_chart_escapes_and_links_every_point() -> None:
    from generator.site.output.svg import speedup_svg

    rows = [
        {"label": p, "pair": "torch vs numpy", "value": 1.5, "lo": 1.2, "hi": 1.9, "value_text": "1.50×",
         "ci": "1.20× – 1.90×", "verdict": "faster", "counts": "3 cases", "href": "machines/"}
        for p in PAYLOADS
    ]  # fmt: skip
    both = BeautifulSoup(speedup_svg("Which <b>framework</b>?", rows, "speed-up"), "html.parser")
    assert not both.select("script, img, b, foreignobject")
    # Two layouts of one chart (wide; narrow for phones), each with every point and label.
    wide, narrow = both.select("svg")
    assert "fb-svg-wide" in wide["class"] and "fb-svg-narrow" in narrow["class"]
    for svg in (wide, narrow):
        assert [a["href"] for a in svg.select("a")] == ["machines/"] * len(PAYLOADS)
        labels = [t.get_text() for t in svg.select("text")]
        assert all(" ".join(p.split()) in labels for p in PAYLOADS)
        assert svg["aria-label"] == "Which <b>framework</b>?"
    assert wide["viewbox"].split()[2] == "760" and narrow["viewbox"].split()[2] == "380"


def test_an_unbounded_interval_is_cut_at_the_axis_with_an_arrow_and_said_in_words() -> None:
    # Two cases give a t-interval with one degree of freedom: 1e-7 to 1e7 would squash every row.
    from generator.site.output.markup import ratio_interval
    from generator.site.output.svg import speedup_svg

    row = {"pair": "torch vs numpy", "value_text": "", "ci": "", "verdict": "", "counts": "", "href": "x/"}
    rows = [
        {**row, "label": "narrow", "value": 2.0, "lo": 1.8, "hi": 2.2},
        {**row, "label": "wide", "value": 3.0, "lo": 1e-7, "hi": 1e7},
    ]
    svg = BeautifulSoup(speedup_svg("t", rows, "speed-up"), "html.parser").select_one("svg.fb-svg-wide")
    ticks = [t.get_text() for t in svg.select("text") if t.get_text().endswith("×")]
    assert ticks == ["0.1×", "1×", "10×"]  # the estimates (2, 3) times 20 either way, no further
    assert len(svg.select("path")) == 2  # both ends of the wide interval, none on the narrow one
    assert ratio_interval(1e-7, 1e7) == "< 0.001× – > 1000×"
    assert ratio_interval(0.5, 2.0) == "0.50× – 2.00×"
    assert ratio_interval(float("nan"), 2.0) == "–"


def test_two_cases_that_disagree_get_a_hollow_point_and_no_interval() -> None:
    # One degree of freedom: two cases that disagree give "< 0.001× – > 1000×", which says only that
    # there is too little to go on; two that agree well enough for a verdict keep their interval.
    from generator.site.pages.summaries import speedup_chart, speedup_table

    base = {"hardware": "Xeon (2 cores)", "device": "cpu", "pair": "torch vs numpy", "ratio": 1.5,
            "q_value": 0.01, "machines": 1, "runs": 1}  # fmt: skip
    rows = [  # family, interval, verdict, cases (the resampled units)
        ("tensor", 1e-5, 1e5, "can't tell", 2),
        ("training", 1.2, 1.9, "faster", 2),
        ("gradients", 0.5, 4.0, "can't tell", 3),
    ]
    summary = pd.DataFrame(
        [
            {**base, "family": f, "ci_lo": lo, "ci_hi": hi, "verdict": v, "cases": n, "units": n}
            for f, lo, hi, v, n in rows
        ]
    )
    by = ("hardware", "device", "family")
    svg = BeautifulSoup(speedup_chart("", summary, by, {}, "t").svg, "html.parser").select_one(
        "svg.fb-svg-wide"
    )
    marks = {a.title.get_text().split(" · ")[2].split(" ")[0]: a for a in svg.select("a")}
    assert marks["tensor"].select_one("circle")["fill"] == "none" and not marks["tensor"].select("line")
    assert "too few cases for an interval" in marks["tensor"].title.get_text()
    assert marks["training"].select("line") and "1.20× – 1.90×" in marks["training"].title.get_text()
    assert marks["gradients"].select("line")  # three cases: two degrees of freedom, drawn
    table = speedup_table("s", summary, by, ("hardware", "device", "family"), {})
    intervals = table.frame["t5"].tolist()  # the "95 % interval" column
    assert intervals == ["too few cases for an interval", "1.20× – 1.90×", "0.50× – 4.00×"]
