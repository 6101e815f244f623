"""Page contexts of the operations side: OS and machine pages, case pages, framework comparison."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from generator.site import aggregate, charts
from generator.site.aggregate import Frames
from generator.site.charts import Chart, Record
from generator.site.context import (
    Cell,
    Page,
    Table,
    case_page,
    cell,
    chart_href,
    ci_text,
    comparability,
    fmt_float,
    machine_labels,
    machine_page,
    os_page,
    rows_of,
    run_cell,
    safe_title,
    table,
)
from generator.site.markup import link, ratio, seconds, url

RESULT_COLUMNS = (
    "case",
    "parameters",
    "dtype",
    "variant",
    "framework",
    "device",
    "median",
    "95 % CI",
    "GFLOP/s",
    "% of peak",
    "run",
)
RATIO_COLUMNS = (
    "comparison",
    "machine",
    "case",
    "parameters",
    "dtype",
    "variant",
    "device",
    "speed-up",
    "interval",
    "verdict",
    "run A",
    "run B",
)


def result_rows(here: str, rows: pd.DataFrame) -> list[tuple[Cell, ...]]:
    out: list[tuple[Cell, ...]] = []
    for r in rows_of(rows):
        ok = r.status == "ok"
        out.append(
            (
                Cell(r.case, link(here, case_page(r.case))),
                cell(r.params),
                cell(r.dtype),
                cell(r.variant),
                cell(r.framework),
                cell(r.device),
                cell(seconds(r.median) if ok else r.status),
                cell(ci_text(r.ci_lo, r.ci_hi) if ok else r.error),
                cell(fmt_float(r.gflops)),
                cell(fmt_float(r.pct_peak)),
                run_cell(here, r.run_id),
            )
        )
    return out


def ratio_rows(here: str, ratios: pd.DataFrame, labels: dict[str, str]) -> list[tuple[Cell, ...]]:
    out: list[tuple[Cell, ...]] = []
    for r in rows_of(ratios):
        out.append(
            (
                cell(r.pair),
                Cell(labels.get(r.machine_id, r.machine_id), link(here, machine_page(r.machine_id))),
                Cell(r.case, link(here, case_page(r.case))),
                cell(r.params),
                cell(r.dtype),
                cell(r.variant),
                cell(r.device),
                cell(ratio(r.ratio)),
                cell(f"{ratio(r.ratio_lo)} – {ratio(r.ratio_hi)}"),
                cell(r.verdict),
                run_cell(here, r.run_id_a),
                run_cell(here, r.run_id_b),
            )
        )
    return out


def summary_table(summary: pd.DataFrame, by: list[str], here: str) -> Table:
    rows = []
    for r in rows_of(summary):
        d = r._asdict()
        first = [Cell(str(d["os_tag"]), link(here, os_page(str(d["os_tag"]))))] if "os_tag" in by else []
        rest = [cell(d[name]) for name in by if name != "os_tag"]
        rows.append(
            (
                *first,
                *rest,
                cell(ratio(d["geomean"])),
                cell(d["faster"]),
                cell(d["slower"]),
                cell(d["unclear"]),
                cell(d["n"]),
            )
        )
    columns = [*by, "geo-mean speed-up", "A faster", "A slower", "no clear difference", "comparisons"]
    return table([c.replace("os_tag", "OS").replace("pair", "A vs B") for c in columns], rows, "summary")


def ratio_records(
    here: str, ratios: pd.DataFrame, labels: dict[str, str], with_machine: bool
) -> list[Record]:
    records: list[Record] = []
    for r in rows_of(ratios):
        label = f"{r.case} · {r.params} · {r.dtype}" + ("" if r.variant == "default" else f" · {r.variant}")
        if with_machine:
            label = f"{labels.get(r.machine_id, r.machine_id)} · {r.device} · {label}"
        records.append(
            {
                "label": label,
                "ratio": float(r.ratio),
                "ratio_lo": float(r.ratio_lo),
                "ratio_hi": float(r.ratio_hi),
                "ratio_text": ratio(r.ratio),
                "ci": f"{ratio(r.ratio_lo)} – {ratio(r.ratio_hi)}",
                "verdict": str(r.verdict),
                "run_id": str(r.run_id_a),
                "href": chart_href(here, str(r.run_id_a)),
            }
        )
    return records


def ratio_charts(here: str, ratios: pd.DataFrame, labels: dict[str, str], with_machine: bool) -> list[Chart]:
    out: list[Chart] = []
    for pair, group in ratios.groupby("pair", sort=True):
        a, b = str(pair).split(" vs ")
        out.append(
            charts.ratio_chart(
                ratio_records(here, group, labels, with_machine),
                title=f"Speed-up of {a} over {b} (above 1: {a} is faster)",
            )
        )
    return out


def summary_chart(
    here: str, summary: pd.DataFrame, by: list[str], target: dict[str, str], title: str
) -> Chart:
    """One point per group and framework pair; each links to the page that details the group."""
    rows: list[Record] = []
    for r in rows_of(summary):
        d = r._asdict()
        rows.append(
            {
                "label": " · ".join(str(d[name]) for name in by),
                "pair": str(d["pair"]),
                "geomean": float(d["geomean"]),
                "geomean_text": ratio(d["geomean"]),
                "counts": f"{d['faster']} / {d['slower']} / {d['unclear']}",
                "href": url(here, target.get(str(d[by[0]]), here)),
            }
        )
    return charts.summary_chart(rows, title=title)


def _series(label: str, r: Any) -> str:
    variant = r.variant
    text = f"{label} · {r.device} · {r.dtype}"
    return text if variant == "default" else f"{text} · {variant}"


def variant_table(here: str, rows: pd.DataFrame) -> Table | None:
    """Speed-up of each inference variant (int8, pruned) over fp32 on the same machine and framework."""
    key = ["machine_id", "framework", "device", "dtype", "params"]
    base = rows[rows["variant"] == "fp32"]
    others = rows[rows["variant"] != "fp32"]
    if base.empty or others.empty:
        return None
    merged = others.merge(base, on=key, suffixes=("", "_fp32"))
    out: list[tuple[Cell, ...]] = []
    for r in rows_of(merged):
        lo, hi = r.ci_lo_fp32 / r.ci_hi, r.ci_hi_fp32 / r.ci_lo
        verdict = "faster" if lo > 1 else "slower" if hi < 1 else "no clear difference"
        agreement = "–" if math.isnan(r.agreement) else f"{100 * r.agreement:.1f} %"
        out.append(
            (
                cell(r.variant),
                cell(r.framework),
                cell(r.device),
                cell(r.params),
                cell(ratio(r.median_fp32 / r.median)),
                cell(f"{ratio(lo)} – {ratio(hi)}"),
                cell(verdict),
                cell(agreement),
                run_cell(here, r.run_id),
            )
        )
    columns = (
        "variant",
        "framework",
        "device",
        "parameters",
        "speed-up over fp32",
        "interval",
        "verdict",
        "top-1 agreement with fp32",
        "run",
    )
    return table(columns, out, "variants")


def case_pages(frames: Frames, latest: pd.DataFrame) -> list[Page]:
    labels = machine_labels(frames.machines)
    by_case = dict(tuple(latest.groupby("case", sort=True)))
    not_ok = frames.timings[frames.timings["status"] != "ok"].sort_values(["created", "run_id"])
    not_ok = aggregate.plain(not_ok.drop_duplicates(subset=aggregate.RESULT_KEY, keep="last"))
    families = aggregate.plain(frames.timings[["case", "family"]].drop_duplicates("case"))
    family_of = dict(zip(families["case"], families["family"], strict=True))
    failures = dict(tuple(not_ok.groupby("case", sort=True)))
    pages = []
    for case in sorted(family_of):
        here = case_page(case)
        rows = by_case.get(case, latest.iloc[0:0])
        failed = failures.get(case)
        family = str(family_of[case])
        machines = sorted(set(rows["machine_id"]))
        pages.append(
            Page(
                path=here,
                template="case.md.j2",
                title=safe_title(case, "Case"),
                charts=tuple(case_charts(here, case, rows, labels)),
                data={
                    "case": case,
                    "family": family,
                    "results": table(RESULT_COLUMNS, result_rows(here, rows), "results"),
                    "failures": table(RESULT_COLUMNS, result_rows(here, failed), "failures")
                    if failed is not None
                    else None,
                    "variants": variant_table(here, rows) if family == "inference" else None,
                    "machines": [(labels[mid], link(here, machine_page(mid))) for mid in machines],
                    "comparability": comparability(frames.runs, set(rows["run_id"]), "machines"),
                },
            )
        )
    return pages


def case_charts(here: str, case: str, rows: pd.DataFrame, labels: dict[str, str]) -> list[Chart]:
    """Scaling curves (log size axis): time, GFLOP/s and % of the CPU's estimated peak."""
    records: list[Record] = [
        {
            "size": float(r.size),
            "median": float(r.median),
            "ci_lo": float(r.ci_lo),
            "ci_hi": float(r.ci_hi),
            "gflops": None if math.isnan(r.gflops) else float(r.gflops),
            "pct_peak": None if math.isnan(r.pct_peak) else float(r.pct_peak),
            "framework": r.framework,
            "series": _series(labels[r.machine_id], r),
            "params": r.params,
            "time": seconds(r.median),
            "ci": ci_text(r.ci_lo, r.ci_hi),
            "gflops_text": fmt_float(r.gflops),
            "run_id": r.run_id,
            "href": chart_href(here, r.run_id),
        }
        for r in rows_of(rows)
        if not math.isnan(r.size)
    ]
    if not records:
        return []
    size_name = str(rows["size_name"].iloc[0])
    out = [
        charts.scaling_chart(
            records,
            y="median",
            y_title="median time per call (s)",
            x_title=size_name,
            title=f"{case}: time per call vs {size_name}",
        )
    ]
    with_flops = [rec for rec in records if rec["gflops"] is not None]
    if with_flops:
        out.append(
            charts.scaling_chart(
                with_flops,
                y="gflops",
                y_title="throughput (GFLOP/s)",
                x_title=size_name,
                title=f"{case}: GFLOP/s vs {size_name}",
            )
        )
    with_peak = [rec for rec in records if rec["pct_peak"] is not None]
    if with_peak:
        out.append(
            charts.scaling_chart(
                with_peak,
                y="pct_peak",
                log_y=False,
                x_title=size_name,
                y_title="% of the CPU's estimated peak",
                title=f"{case}: % of estimated CPU peak (CPU results)",
            )
        )
    return out


def frameworks_page(frames: Frames, ratios: pd.DataFrame) -> Page:
    here = "frameworks.md"
    labels = machine_labels(frames.machines)
    by = ["os_tag", "device", "family", "pair"]
    summary = aggregate.family_summary(ratios, by)
    mixed = ratios[ratios["run_id_a"] != ratios["run_id_b"]]
    warnings = []
    for mid, group in mixed.groupby("machine_id", sort=True):
        comp = comparability(
            frames.runs, set(group["run_id_a"]) | set(group["run_id_b"]), "runs on one machine"
        )
        if comp is not None:
            warnings.append((labels.get(str(mid), str(mid)), link(here, machine_page(str(mid))), comp))
    return Page(
        path=here,
        template="frameworks.md.j2",
        title="Framework comparison",
        charts=(
            summary_chart(
                here,
                summary,
                by,
                {t: os_page(t) for t in summary["os_tag"]},
                "Framework speed-ups per OS, device and family (geometric means)",
            ),
        )
        if len(summary)
        else (),
        data={
            "summary": summary_table(summary, by, here),
            "ratios": table(RATIO_COLUMNS, ratio_rows(here, ratios, labels), "comparisons"),
            "warnings": warnings,
            "count": len(ratios),
        },
    )
