"""Frames → typed page contexts: what each page shows, already formatted, with relative links.

A context holds data, never markup: text cells are escaped by the templates, link targets are built
here from slugs and run ids (never from free text). `site_pages()` lists every page of the site.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from generator.site import aggregate
from generator.site.charts import Chart
from generator.site.markup import link, seconds, slug, url


@dataclass(frozen=True)
class Cell:
    text: str
    target: str | None = None  # a relative link target built by us, never from run-file text


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    name: str = ""  # a short trusted label for the filter box
    # Rows already as Markdown table lines, for tables of millions of cells (run pages): built by
    # generator.site.table_rows with the same escaping and links as `rows` would get from render.
    lines: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Comparability:
    """What differs between the environments of the runs behind one comparison."""

    differences: tuple[tuple[str, tuple[str, ...]], ...]
    warn: bool
    scope: str  # "runs on one machine" or "machines", for the sentence above the list


@dataclass(frozen=True)
class Page:
    path: str  # docs-relative Markdown file
    template: str
    title: str
    charts: tuple[Chart, ...] = ()
    data: dict[str, object] = field(default_factory=dict)


# Where pages live, so every module links the same way.
def run_page(run_id: str) -> str:
    return f"runs/{run_id}.md"


def run_download(run_id: str) -> str:
    return f"downloads/runs/{run_id}.json"


def os_page(os_tag: str) -> str:
    return f"machines/{os_tag}/index.md"


def machine_page(machine_id: str) -> str:
    os_tag, host_id = machine_id.split("/", 1)
    return f"machines/{os_tag}/{host_id}.md"


def case_page(case: str) -> str:
    return f"operations/{slug(case)}.md"


def cell(text: object, target: str | None = None) -> Cell:
    return Cell(str(text), target)


def run_cell(here: str, run_id: str) -> Cell:
    return Cell(run_id, link(here, run_page(run_id)))


def table(columns: Sequence[str], rows: Iterable[Sequence[Cell]], name: str = "") -> Table:
    return Table(tuple(columns), tuple(tuple(r) for r in rows), name)


def machine_labels(machines: pd.DataFrame) -> dict[str, str]:
    """Readable, unique names: CPU model, OS tag and the start of the anonymous host id."""
    return {
        mid: f"{cpu} · {tag} · {host[:6]}"
        for mid, cpu, tag, host in zip(
            machines["machine_id"], machines["cpu"], machines["os_tag"], machines["host_id"], strict=True
        )
    }


def comparability(runs: pd.DataFrame, run_ids: Iterable[str], scope: str) -> Comparability | None:
    """None when the runs agree on every environment field we track."""
    differences = aggregate.environment_differences(runs, run_ids)
    if not differences:
        return None
    # Hardware and OS differences are what a cross-machine view is about; software or thread
    # differences mean that a gap may not come from the hardware or the framework alone.
    expected = {"os_tag", "device"} if scope == "machines" else set()
    warn = any(name not in expected for name, _ in differences)
    return Comparability(tuple((n, tuple(v)) for n, v in differences), warn, scope)


def ci_text(lo: float, hi: float) -> str:
    return f"{seconds(lo)} – {seconds(hi)}"


def fmt_float(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else "–"


def chart_href(here: str, run_id: str) -> str:
    return url(here, run_page(run_id))


def safe_title(name: str, kind: str) -> str:
    """A page title without run-file text where the name is not a plain slug: MkDocs and Material put
    titles into <title> and navigation unescaped, so free text is shown only in the page body."""
    return name if slug(name) == name else f"{kind} {slug(name)}"


def newest_date(runs: pd.DataFrame) -> str:
    return str(runs["date"].max()) if len(runs) else "no runs yet"


def rows_of(frame: pd.DataFrame) -> Iterator[Any]:
    """A frame's rows as named tuples. Typed Any: pandas-stubs types every field as a union of all
    scalar types, while our frames' columns each hold one known type."""
    return iter(frame.itertuples(index=False))
