"""The one renderer of every table on the site.

A table is a frame plus columns that say which frame column holds each column's shown text, its raw
number (sorting uses it, never the formatted text) and its link target (a docs-relative page or file,
built by the page modules from slugs and run ids, never from free text). Small tables become raw HTML
(MkDocs does not parse Markdown tables, which is most of its time on large sites); a table with more
than INLINE_ROWS rows, or one that would take a page over its DOM budget, is written as a compact JSON
data file beside the page, which the site script renders paged, sortable and filterable, and offers
for download (JSON, or CSV made in the browser). Cells are encoded column by column, once per
distinct value, so a site of two million result rows is written in seconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii

import numpy as np
import pandas as pd
from markupsafe import Markup

from generator.site.output.markup import html, slug, url

INLINE_ROWS = 30  # larger tables ship as data files (paged: a short page for the reader)
PAGE_CELLS = 1500  # inline cells one page may hold (Material's own page is ~600 elements)
SHOWN_ROWS = 25  # rows per page of a data table (a CSS min-height reserves their space)
# Tables and charts stay out of Material's search index: their numbers and tick labels were 80 % of
# it (465 KB), and the page loads and parses that index on every page.
NOT_SEARCHED = "data-search-exclude"


@dataclass(frozen=True)
class Column:
    title: str
    text: str  # frame column with the shown text
    sort: str | None = None  # frame column with the raw number the column sorts by
    link: str | None = None  # frame column with the docs-relative target ("" for none)
    # Long text (conditions, warnings, reasons): the column keeps a readable width, so its text does
    # not wrap into a narrow strip that makes every row of the table tall (the table scrolls sideways).
    wide: bool = False


@dataclass(frozen=True)
class Table:
    name: str  # a short trusted label: the filter box's name and the data file's name
    columns: tuple[Column, ...]
    frame: pd.DataFrame
    # The data file's rows already encoded (json_rows), for pages made in batches from one frame.
    encoded: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self.encoded) if self.encoded is not None else len(self.frame)


@dataclass(frozen=True)
class Cell:
    """One cell of a small table built row by row (see rows_table)."""

    text: object
    target: str = ""  # docs-relative page or file
    sort: float | None = None


def rows_table(name: str, titles: Sequence[str], rows: Sequence[Sequence[Cell | object]]) -> Table:
    """A table from rows of Cells (or plain values) for the small tables that pages build by hand."""
    data: dict[str, list[object]] = {}
    columns = []
    for i, title in enumerate(titles):
        cells = [c if isinstance(c, Cell) else Cell(c) for c in (row[i] for row in rows)]
        data[f"t{i}"] = [str(c.text) for c in cells]
        has_link = any(c.target for c in cells)
        has_sort = any(c.sort is not None for c in cells)
        if has_link:
            data[f"l{i}"] = [c.target for c in cells]
        if has_sort:
            data[f"s{i}"] = [math.nan if c.sort is None else float(c.sort) for c in cells]
        columns.append(Column(title, f"t{i}", f"s{i}" if has_sort else None, f"l{i}" if has_link else None))
    return Table(name, tuple(columns), pd.DataFrame(data, columns=list(data)))


@dataclass
class Budget:
    """Inline cells left on one page."""

    cells: int = PAGE_CELLS

    def take(self, cells: int) -> bool:
        if cells > self.cells:
            return False
        self.cells -= cells
        return True


def data_file(page: str, name: str) -> str:
    """Where a page's table data lives: beside the page, named after the page and the table."""
    stem = page.removesuffix(".md")
    return f"{stem}.{slug(name)}.json"


def _per_value(column: pd.Series, show: Callable[[str], str]) -> np.ndarray:
    """`show` applied once per distinct value of `column`, spread back over its rows."""
    # to_numpy().tolist(): iterating a pandas string index one value at a time is ~20x slower.
    if isinstance(column.dtype, pd.CategoricalDtype):
        # Only the categories in use (a batch of run pages holds 256 of 10,000 run ids); code -1 is "".
        codes, used = pd.factorize(column.cat.codes.to_numpy())
        categories = column.cat.categories.to_numpy(dtype=object)
        values = [categories[c] if c >= 0 else "" for c in used.tolist()]
    else:
        codes, uniques = pd.factorize(column.astype(str), use_na_sentinel=True)
        values = [*uniques.to_numpy(dtype=object).tolist(), ""]  # code -1 (missing) is the last
    shown = np.array([show(str(v)) for v in values], dtype=object)
    return shown[codes]


def _sort_values(frame: pd.DataFrame, col: Column) -> list[str] | None:
    if col.sort is None:
        return None
    numbers = frame[col.sort].to_numpy(dtype=np.float64)
    shown = list(map(repr, numbers.tolist()))  # Python floats: repr() of NumPy scalars is slow
    for missing in np.flatnonzero(~np.isfinite(numbers)).tolist():
        shown[missing] = ""
    return shown


def _html_cells(frame: pd.DataFrame, col: Column, here: str) -> np.ndarray:
    text = _per_value(frame[col.text], lambda t: str(html(t)) if t else "–")
    if col.link is not None:
        hrefs = _per_value(frame[col.link], lambda t: str(html(url(here, t))) if t else "")
        text = np.array(
            [f'<a href="{h}">{t}</a>' if h else t for t, h in zip(text, hrefs, strict=True)], dtype=object
        )
    sorts = _sort_values(frame, col)
    if sorts is None:
        return np.array([f"<td>{t}</td>" for t in text], dtype=object)
    return np.array([f'<td data-sort="{s}">{t}</td>' for t, s in zip(text, sorts, strict=True)], dtype=object)


def _json_cells(frame: pd.DataFrame, col: Column, here: str) -> np.ndarray:
    # The json module's own string encoder, without json.dumps' set-up per call (a build encodes
    # millions of cells). ASCII with escapes ("\u00b5s"): a data file of ASCII text is joined and
    # written a byte a character; "µ" or "–" in one cell made Python hold all of it at two.
    text = _per_value(frame[col.text], lambda t: encode_basestring_ascii(t or "–"))
    if col.sort is None and col.link is None:
        return text
    sorts = _sort_values(frame, col) or [""] * len(frame)
    hrefs = (
        _per_value(frame[col.link], lambda t: encode_basestring_ascii(url(here, t)) if t else "null")
        if col.link is not None
        else ["null"] * len(frame)
    )
    return np.array(
        [f"[{t},{s or 'null'},{h}]" for t, s, h in zip(text, sorts, hrefs, strict=True)], dtype=object
    )


WIDE = ' class="fb-wide"'  # a wide column's header (framebench.css gives it its minimum width)


def _thead(table: Table) -> str:
    cells = "".join(f"<th{WIDE if c.wide else ''}>{html(c.title)}</th>" for c in table.columns)
    return f"<thead><tr>{cells}</tr></thead>"


def inline_html(table: Table, here: str) -> str:
    columns = [_html_cells(table.frame, c, here) for c in table.columns]
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in zip(*columns, strict=True))
    return (
        f'<div class="fb-table" {NOT_SEARCHED} data-name="{html(table.name)}">'
        f"<table>{_thead(table)}<tbody>{body}</tbody></table></div>\n"
    )


def json_rows(table: Table, here: str) -> list[str]:
    """The table's rows as data-file lines (links relative to the page `here`)."""
    columns = [_json_cells(table.frame, c, here) for c in table.columns]
    return ["[" + ",".join(cells) + "]" for cells in zip(*columns, strict=True)]


def data_json(table: Table, here: str) -> str:
    """The data file: column titles, which columns carry a sort number and a link, and the rows."""
    meta = [
        {"title": c.title, "sort": c.sort is not None, "link": c.link is not None, "wide": c.wide}
        for c in table.columns
    ]
    rows = ",\n".join(table.encoded if table.encoded is not None else json_rows(table, here))
    head = json.dumps({"name": table.name, "columns": meta}, ensure_ascii=False, sort_keys=True)
    return head[:-1] + ',"rows":[\n' + rows + "\n]}\n"


def data_html(table: Table, here: str, rel: str) -> str:
    src = html(url(here, rel))
    rows = len(table)
    return (
        f'<div class="fb-table" {NOT_SEARCHED} data-name="{html(table.name)}" data-src="{src}" '
        f'data-rows="{rows}" '
        f'style="min-height:{2.4 + 1.9 * min(rows, SHOWN_ROWS):.1f}em">'
        f'<p class="fb-table-note">{rows} rows · <a href="{src}" download>download as JSON</a></p>'
        "<noscript><p>This table is shown with JavaScript; its data is in the JSON file above.</p>"
        "</noscript></div>\n"
    )


def without_empty_columns(table: Table) -> Table:
    """The table without columns that hold no text in any row (conditions or warnings nobody recorded)."""
    if table.encoded is not None:
        return table
    kept = tuple(c for c in table.columns if (table.frame[c.text].astype(str) != "").any())
    return table if len(kept) == len(table.columns) else Table(table.name, kept, table.frame)


@dataclass
class TableWriter:
    """Renders a page's tables; `files` collects the data files to write (path -> text)."""

    here: str
    budget: Budget = field(default_factory=Budget)
    files: dict[str, str] = field(default_factory=dict)

    def render(self, table: Table | None) -> Markup:
        if table is None or not len(table):
            return Markup("*None yet.*\n")
        table = without_empty_columns(table)
        rows = len(table)
        inline = table.encoded is None and rows <= INLINE_ROWS
        if inline and self.budget.take(rows * len(table.columns)):
            return Markup(inline_html(table, self.here))
        rel = data_file(self.here, table.name)
        if rel in self.files:
            raise ValueError(f"{self.here}: two tables named {table.name!r}")
        self.files[rel] = data_json(table, self.here)
        return Markup(data_html(table, self.here, rel))
