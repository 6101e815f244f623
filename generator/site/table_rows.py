"""Result tables as Markdown lines, built column by column for tables of millions of cells.

A run page shows all of its ~200 results; 10,000 runs make two million rows, too many for one Cell
object per cell. Text is escaped once per distinct value (md()), links are built once per distinct
target, and the lines equal what render.table_markdown makes of the same rows as Cells.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from generator.site.context import case_page, ci_text, fmt_float, run_page
from generator.site.markup import link, md, seconds


def _text(value: object) -> str:
    text = str(value)
    return str(md(text)) if text else "–"


def _per_value(column: pd.Series, show: Callable[[str], str]) -> np.ndarray:
    """`show` applied once per distinct value of `column`, spread back over its rows."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, values = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, values = pd.factorize(column)
    shown = np.array([show(str(v)) for v in values] + [""], dtype=object)
    return shown[codes]


def result_lines(here: str, rows: pd.DataFrame) -> list[str]:
    """The RESULT_COLUMNS rows of `rows` (timing frame rows) for the page `here`."""
    if rows.empty:
        return []
    ok = (rows["status"] == "ok").to_numpy()
    status = _per_value(rows["status"], _text)
    error = _per_value(rows["error"], _text)
    medians = rows["median"].to_numpy()
    lows, highs = rows["ci_lo"].to_numpy(), rows["ci_hi"].to_numpy()
    columns = [
        _per_value(rows["case"], lambda c: f"[{_text(c)}]({link(here, case_page(c))})"),
        *(_per_value(rows[name], _text) for name in ("params", "dtype", "variant", "framework", "device")),
        [seconds(m) if k else s for m, k, s in zip(medians, ok, status, strict=True)],
        [ci_text(lo, hi) if k else e for lo, hi, k, e in zip(lows, highs, ok, error, strict=True)],
        [fmt_float(v) for v in rows["gflops"].to_numpy()],
        [fmt_float(v) for v in rows["pct_peak"].to_numpy()],
        _per_value(rows["run_id"], lambda r: f"[{_text(r)}]({link(here, run_page(r))})"),
    ]
    return ["| " + " | ".join(cells) + " |" for cells in zip(*columns, strict=True)]
