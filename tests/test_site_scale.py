"""Pages stay light at any number of runs: a synthetic site of a few hundred runs (the shape of
10,000: ~200 results per run, 30 machines) built with `framebench build` and `mkdocs build`, every
page under 300 KB of HTML and 3,000 DOM elements (counting the rows and cells the site script draws
into a data table: one page of them)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from benchmarks.fixtures.synthetic_runs import synthetic_runs
from generator.schema.load import write_run
from generator.site.output.tables import SHOWN_ROWS
from tests.site_helpers import build, mkdocs_build

MAX_HTML = 300 * 1024
MAX_DOM = 3000


class Counter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements = 0
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        found = dict(attrs)
        if tag == "div" and "fb-table" in (found.get("class") or "") and found.get("data-src"):
            self.sources.append(str(found["data-src"]))


def dom_size(page: Path) -> int:
    counter = Counter()
    counter.feed(page.read_text(encoding="utf-8"))
    drawn = 0
    for src in counter.sources:
        data = json.loads((page.parent / src).resolve().read_text(encoding="utf-8"))
        columns = len(data["columns"])
        # Header, one page of rows with a link in some cells, filter box, pager: an upper bound.
        drawn += 10 + 2 * columns + min(len(data["rows"]), SHOWN_ROWS) * (1 + 2 * columns)
    return counter.elements + drawn


@pytest.mark.slow
def test_no_page_is_over_the_limits(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    for run in synthetic_runs(360, machines=30):
        assert run.machine is not None
        write_run(run, runs / run.machine.os.tag)
    docs, site = tmp_path / "docs", tmp_path / "site"
    assert build(runs, docs).returncode == 0
    done = mkdocs_build(docs, site)
    assert done.returncode == 0, done.stderr
    pages = list(site.rglob("*.html"))
    assert len(pages) > 400
    sizes = {str(p.relative_to(site)): p.stat().st_size for p in pages}
    heaviest = max(sizes, key=sizes.__getitem__)
    assert sizes[heaviest] <= MAX_HTML, (heaviest, sizes[heaviest])
    doms = {str(p.relative_to(site)): dom_size(p) for p in pages}
    biggest = max(doms, key=doms.__getitem__)
    assert doms[biggest] <= MAX_DOM, (biggest, doms[biggest])
    # The runs index holds 360 rows and a machine page ~600 results: both must have gone to data files.
    assert "<table" not in (site / "runs/index.html").read_text().split('data-name="runs"')[1][:400]
