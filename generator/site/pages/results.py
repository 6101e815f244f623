"""The results table: one definition of how a timing result is shown, used by every page that lists
results (run, machine, case and failure tables), built column-wise for tables of millions of rows."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from generator.site.output.markup import fixed, seconds
from generator.site.output.tables import Column, Table
from generator.site.pages.common import case_page, run_page

INTERVAL_WORDS = {"within-process": "within", "between-processes": "between processes", "": ""}
PEAK_CEILING = 100.0  # a % of peak above this means the peak estimate is wrong, not a fast result


def _mapped(column: pd.Series, show: Callable[[str], str]) -> pd.Series:
    """`show` once per distinct value of `column` (categorical or not)."""
    shown = {v: show(str(v)) for v in pd.unique(column)}
    return column.astype(object).map(shown)


def _text(column: pd.Series) -> ExtensionArray | np.ndarray:
    """A text column as it is: a categorical stays one (its tables show each category once)."""
    return column.array if isinstance(column.dtype, pd.CategoricalDtype) else column.astype(str).to_numpy()


def peak_text(pct: float, source: str) -> str:
    """% of peak only with the peak's source (int8 results are held against the int8 peak), and never
    above 100: a higher figure means the peak is wrong, and says so."""
    if not math.isfinite(pct) or not source:
        return "–"
    if pct > PEAK_CEILING:
        return f"over 100 %: peak estimate wrong ({source})"
    return f"{pct:.1f} % ({source})"


def result_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Display columns of TimingRow rows: text, raw sort numbers and link targets."""
    # Python lists, not NumPy arrays: the loops below format one value at a time, and arithmetic on
    # NumPy scalars costs several times that on floats.
    ok = (rows["status"] == "ok").to_numpy()
    ok_list = ok.tolist()
    status = rows["status"].astype(str).tolist()
    error = rows["error"].astype(str).tolist()
    medians, lows, highs = (rows[n].to_numpy(dtype=np.float64) for n in ("median", "ci_lo", "ci_hi"))
    variant = rows["variant"].astype(str).tolist()
    quantized = rows["quantized"].astype(str).tolist()
    gflops = rows["gflops"].to_numpy(dtype=np.float64)
    pct_peak = rows["pct_peak"].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {
            "case": _text(rows["case"]),
            "case_page": _mapped(rows["case"], case_page).to_numpy(),
            "params": _text(rows["params"]),
            "dtype": _text(rows["dtype"]),
            "variant": [
                f"{v} (int8 layers: {q})" if q else v for v, q in zip(variant, quantized, strict=True)
            ],
            "framework": _text(rows["framework"]),
            "device": _text(rows["device"]),
            "median_text": [
                seconds(m) if k else s for m, k, s in zip(medians.tolist(), ok_list, status, strict=True)
            ],
            "median": np.where(ok, medians, np.nan),
            "ci_text": [
                f"{seconds(lo)} – {seconds(hi)}" if k else e
                for lo, hi, k, e in zip(lows.tolist(), highs.tolist(), ok_list, error, strict=True)
            ],
            "interval": _mapped(rows["interval"], lambda v: INTERVAL_WORDS.get(v, v)).to_numpy(),
            "gflops_text": [fixed(v) for v in gflops.tolist()],
            "gflops": gflops,
            "peak_text": [
                peak_text(p, s)
                for p, s in zip(pct_peak.tolist(), rows["peak_source"].astype(str).tolist(), strict=True)
            ],
            "pct_peak": pct_peak,
            "conditions": _text(rows["conditions"]),
            "warnings": _text(rows["warnings"]),
            "run_id": _text(rows["run_id"]),
            "run_page": _mapped(rows["run_id"], run_page).to_numpy(),
        }
    )


RESULT_COLUMNS = (
    Column("case", "case", link="case_page"),
    Column("parameters", "params"),
    Column("dtype", "dtype"),
    Column("variant", "variant"),
    Column("framework", "framework"),
    Column("device", "device"),
    Column("median", "median_text", sort="median"),
    Column("95 % CI (or why it failed)", "ci_text", wide=True),
    Column("interval: noise within one process or between processes", "interval"),
    Column("GFLOP/s", "gflops_text", sort="gflops"),
    Column("% of CPU peak (clock source)", "peak_text", sort="pct_peak", wide=True),
    Column("conditions", "conditions", wide=True),
    Column("warnings", "warnings", wide=True),
    Column("run", "run_id", link="run_page"),
)


def results_table(name: str, rows: pd.DataFrame, *, with_case: bool = True, with_run: bool = True) -> Table:
    """The results table; a case page leaves out the case column, a run page the run column."""
    columns = RESULT_COLUMNS[0 if with_case else 1 : None if with_run else -1]
    return Table(name, columns, result_frame(rows))
