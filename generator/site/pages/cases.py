"""The operations section: the index of cases and one page per case. A case page answers "how does
each framework scale on this machine?" (a machine selector, newest first) and "which machine runs it
fastest?" (the best figure per machine), then lists every result."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from generator.catalog.cases import baseline_variant
from generator.machine.identity import series_label
from generator.schema.models import Machine
from generator.site.analysis.comparability import comparability
from generator.site.analysis.latest import latest_failures
from generator.site.analysis.ratios import ranking
from generator.site.output import charts
from generator.site.output.charts import Chart, Record
from generator.site.output.markup import fixed, link, ratio, ratio_interval, seconds
from generator.site.output.tables import Cell, Table, rows_table
from generator.site.pages.common import (
    Page,
    case_page,
    chart_href,
    ci_text,
    machine_labels,
    machine_page,
    rows_of,
    run_page,
    safe_title,
)
from generator.site.pages.results import PEAK_CEILING, results_table
from generator.site.pages.summaries import ranking_table
from generator.site.tidy import Frames
from generator.stats import verdicts
from generator.stats.verdicts import FASTER, SLOWER

INDEX = "operations/index.md"


def operations_index(latest: pd.DataFrame) -> Page:
    from generator.catalog.cases import CASES

    described = {c.name: c.description for c in CASES}
    summary = latest.groupby(["family", "case"], sort=True).agg(
        machines=("machine_id", "nunique"), frameworks=("framework", "nunique"), results=("run_id", "size")
    )
    rows = [
        (
            r.family,
            Cell(r.case, case_page(str(r.case))),
            described.get(str(r.case), "–"),
            Cell(r.machines, sort=float(r.machines)),
            Cell(r.frameworks, sort=float(r.frameworks)),
            Cell(r.results, sort=float(r.results)),
        )
        for r in rows_of(summary.reset_index())
    ]
    titles = ("family", "case", "what it does", "machines", "frameworks", "results")
    return Page(
        path=INDEX,
        template="operations.md.j2",
        title="Operations",
        data={"cases": rows_table("cases", titles, rows)},
    )


def _record(here: str, row: Any, machine: str, fingerprint: Machine) -> Record:
    return {
        "size": float(row.size),
        "median": float(row.median),
        "ci_lo": float(row.ci_lo),
        "ci_hi": float(row.ci_hi),
        "gflops": None if math.isnan(row.gflops) else float(row.gflops),
        "pct_peak": _peak(row),
        "framework": str(row.framework),
        "machine": machine,
        "series": series_label(fingerprint, row.framework, row.device, row.dtype, row.variant),
        "params": str(row.params),
        "time": seconds(row.median),
        "ci": ci_text(row.ci_lo, row.ci_hi),
        "gflops_text": fixed(row.gflops),
        "run_id": str(row.run_id),
        "href": chart_href(here, str(row.run_id)),
    }


def _peak(r: Any) -> float | None:
    pct = float(r.pct_peak)
    if math.isnan(pct) or not r.peak_source or pct > PEAK_CEILING:
        return None
    return float(pct)


def case_charts(
    here: str, case: str, rows: pd.DataFrame, labels: dict[str, str], fingerprints: dict[str, Machine]
) -> list[Chart]:
    """Scaling on one machine (selector, newest first), then the best figure per machine."""
    sized = rows[rows["size"].notna()]
    if sized.empty:
        return []
    # Newest first: the machine whose newest result of this case is the most recent.
    newest = sized.groupby("machine_id")["created"].max().sort_values(ascending=False, kind="stable")
    order = [str(m) for m in newest.index]
    machines = [labels[m] for m in order]
    records = [_record(here, r, labels[r.machine_id], fingerprints[r.machine_id]) for r in rows_of(sized)]
    size_name = str(sized["size_name"].iloc[0])
    out = [
        charts.scaling_chart(
            records, y="median", y_title="median time per call", x_title=size_name, machines=machines,
            title=f"How does {case}'s time grow with {size_name} on one machine?",
        )
    ]  # fmt: skip
    with_flops = [rec for rec in records if rec["gflops"] is not None]
    if with_flops:
        out.append(
            charts.scaling_chart(
                with_flops, y="gflops", y_title="throughput (GFLOP/s)", x_title=size_name, machines=machines,
                title=f"What throughput does {case} reach on one machine?",
            )
        )  # fmt: skip
    with_peak = [rec for rec in records if rec["pct_peak"] is not None]
    if with_peak:
        out.append(
            charts.scaling_chart(
                with_peak, y="pct_peak", log_y=False, x_title=size_name, machines=machines,
                y_title="% of the CPU's peak (source: each run's peak estimate)",
                title=f"How close to the CPU's peak does {case} get?",
            )
        )  # fmt: skip
    out.append(best_chart(here, case, sized, labels, order))
    return out


def best_chart(here: str, case: str, rows: pd.DataFrame, labels: dict[str, str], order: list[str]) -> Chart:
    """Per machine and framework: the best GFLOP/s, or (without a FLOP count) the time at its largest size."""
    by_flops = rows["gflops"].notna().all()
    if by_flops:
        best = rows.sort_values("gflops", ascending=False, kind="stable")
    else:
        best = rows.sort_values(["size", "median"], ascending=[False, True], kind="stable")
    best = best.drop_duplicates(["machine_id", "framework", "device"])
    rank = {m: i for i, m in enumerate(order)}
    best = best.assign(rank=best["machine_id"].map(rank)).sort_values(["rank", "framework"], kind="stable")
    records: list[Record] = [
        {
            "machine": labels[r.machine_id] + ("" if r.device == "cpu" else f" · {r.device}"),
            "framework": str(r.framework),
            "value": float(r.gflops) if by_flops else float(r.median),
            "value_text": fixed(r.gflops) if by_flops else seconds(r.median),
            "params": str(r.params),
            "run_id": str(r.run_id),
            "href": chart_href(here, str(r.run_id)),
        }
        for r in rows_of(best)
    ]
    if by_flops:
        return charts.best_chart(
            records,
            x="value",
            x_title="best throughput (GFLOP/s)",
            title=f"Which machine runs {case} fastest?",
            seconds=False,
        )
    return charts.best_chart(
        records, x="value", x_title="median time at the largest size (s)",
        title=f"Which machine runs {case} fastest (time at its largest size)?", seconds=True,
    )  # fmt: skip


def variant_table(rows: pd.DataFrame) -> Table | None:
    """Speed-up of each inference variant (int8, pruned) over the fp32 run in the same runtime (TF int8
    runs in TFLite, so its baseline is tflite-fp32), on the same machine and framework."""
    key = ["machine_id", "framework", "device", "dtype", "params"]
    pairs = [
        (f, v, baseline_variant(f, v))
        for f, v in zip(rows["framework"].astype(str), rows["variant"].astype(str), strict=True)
    ]
    others = rows.assign(baseline=[b or "" for _, _, b in pairs])[[b is not None for _, _, b in pairs]]
    base = rows.assign(baseline=rows["variant"].astype(str))
    if others.empty:
        return None
    merged = others.merge(base, on=[*key, "baseline"], suffixes=("", "_fp32"))
    if merged.empty:
        return None
    out = []
    for r in rows_of(merged):
        # A wide between-process interval can reach down to 0 s: the ratio is then unbounded above.
        lo = r.ci_lo_fp32 / r.ci_hi if r.ci_hi > 0 else math.inf
        hi = r.ci_hi_fp32 / r.ci_lo if r.ci_lo > 0 else math.inf
        if r.interval != r.interval_fp32:
            verdict = "no verdict (intervals of different kinds)"
        else:
            verdict = verdicts.verdict(lo, hi, True, above=FASTER, below=SLOWER)
        agreement = "–" if math.isnan(r.agreement) else f"{100 * r.agreement:.1f} %"
        speedup = r.median_fp32 / r.median
        out.append(
            (
                r.variant,
                r.quantized or "–",
                r.framework,
                r.device,
                r.params,
                Cell(ratio(speedup), sort=float(speedup)),
                ratio_interval(lo, hi),
                verdict,
                agreement,
                Cell(r.run_id, run_page(r.run_id)),
            )
        )
    titles = ("variant", "int8 layers", "framework", "device", "parameters",
              "speed-up over fp32 (same runtime)", "interval", "verdict", "top-1 agreement with fp32",
              "run")  # fmt: skip
    return rows_table("variants", titles, out)


def case_pages(frames: Frames, latest: pd.DataFrame) -> list[Page]:
    labels = machine_labels(frames.machines)
    order = list(frames.machines.sort_values(["newest", "machine_id"], ascending=False)["machine_id"])
    by_case = dict(tuple(latest.groupby("case", sort=True)))
    failures = dict(tuple(latest_failures(frames.timings).groupby("case", sort=True)))
    families = frames.timings[["case", "family"]].drop_duplicates("case")
    family_of = {str(c): str(f) for c, f in zip(families["case"], families["family"], strict=True)}
    pages = []
    for case in sorted(family_of):
        here = case_page(case)
        rows = by_case.get(case, latest.iloc[0:0])
        failed = failures.get(case)
        family = family_of[case]
        machines = [m for m in order if m in set(rows["machine_id"])]
        pages.append(
            Page(
                path=here,
                template="case.md.j2",
                title=safe_title(case, "Case"),
                charts=tuple(case_charts(here, case, rows, labels, frames.fingerprints)),
                data={
                    "case": case,
                    "family": family,
                    "ranking": ranking_table(
                        "fastest per machine",
                        ranking(rows.assign(machine=rows["machine_id"].map(labels)), ["machine"]),
                        "machine",
                    ),
                    "results": results_table("results", rows, with_case=False),
                    "failures": results_table("failures", failed, with_case=False)
                    if failed is not None
                    else None,
                    "variants": variant_table(rows) if family == "inference" else None,
                    "machines": [(labels[mid], link(here, machine_page(mid))) for mid in machines],
                    "comparability": comparability(frames.runs, set(rows["run_id"]), "machines"),
                },
            )
        )
    return pages
