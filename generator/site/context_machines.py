"""Page contexts of the machines: one page per OS tag and one per machine."""

from __future__ import annotations

import pandas as pd

from generator.site import aggregate, charts
from generator.site.aggregate import Frames
from generator.site.charts import Record
from generator.site.context import (
    Cell,
    Page,
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
    table,
)
from generator.site.context_ops import (
    RATIO_COLUMNS,
    RESULT_COLUMNS,
    ratio_charts,
    ratio_rows,
    result_rows,
    summary_chart,
    summary_table,
)
from generator.site.markup import link, seconds


def os_pages(frames: Frames, latest: pd.DataFrame, ratios: pd.DataFrame) -> list[Page]:
    labels = machine_labels(frames.machines)
    pages = []
    for os_tag, machines in frames.machines.groupby("os_tag", sort=True):
        here = os_page(str(os_tag))
        machine_rows = [
            (
                Cell(labels[m.machine_id], link(here, machine_page(m.machine_id))),
                cell(m.arch),
                cell(m.cores),
                cell(fmt_float(m.memory_gb, 0)),
                cell(m.gpu or "none"),
                cell(m.blas or "–"),
                cell(m.runs),
                run_cell(here, m.latest_run),
            )
            for m in rows_of(machines)
        ]
        mine = ratios[ratios["os_tag"] == os_tag]
        summary = aggregate.family_summary(mine, ["machine_id", "device", "family", "pair"])
        pages_of = {labels[mid]: machine_page(mid) for mid in machines["machine_id"]}
        summary["machine_id"] = summary["machine_id"].map(labels)
        chart = summary_chart(
            here,
            summary.rename(columns={"machine_id": "machine"}),
            ["machine", "device", "family"],
            pages_of,
            f"Framework speed-ups on {os_tag} per machine and family (geometric means)",
        )
        runs = frames.runs[frames.runs["os_tag"] == os_tag].sort_values("run_id", ascending=False)
        run_rows = [
            (
                run_cell(here, r.run_id),
                cell(r.kind),
                cell(r.date),
                cell(r.cpu),
                cell(r.device),
                cell(r.results),
            )
            for r in rows_of(runs)
        ]
        pages.append(
            Page(
                path=here,
                template="os.md.j2",
                title=f"Machines running {os_tag}",
                charts=(chart,) if len(summary) else (),
                data={
                    "os_tag": str(os_tag),
                    "machines": table(
                        (
                            "machine",
                            "arch",
                            "cores (physical / logical)",
                            "memory (GB)",
                            "GPUs",
                            "BLAS",
                            "runs",
                            "latest run",
                        ),
                        machine_rows,
                        "machines",
                    ),
                    "summary": summary_table(
                        summary.rename(columns={"machine_id": "machine"}),
                        ["machine", "device", "family", "pair"],
                        here,
                    ),
                    "runs": table(("run", "kind", "date", "CPU", "devices", "results"), run_rows, "runs"),
                },
            )
        )
    return pages


def machine_pages(frames: Frames, latest: pd.DataFrame, ratios: pd.DataFrame) -> list[Page]:
    labels = machine_labels(frames.machines)
    by_machine = dict(tuple(latest.groupby("machine_id", sort=True)))
    ratios_by_machine = dict(tuple(ratios.groupby("machine_id", sort=True)))
    runs_by_machine = dict(tuple(frames.runs.groupby("machine_id", sort=True)))
    pages = []
    for m in rows_of(frames.machines):
        here = machine_page(m.machine_id)
        mine = by_machine.get(m.machine_id, latest.iloc[0:0])
        families = []
        chart_list = []
        for family, rows in mine.groupby("family", sort=True):
            families.append((str(family), table(RESULT_COLUMNS, result_rows(here, rows), str(family))))
            records: list[Record] = [
                {
                    "label": f"{r.case} · {r.params} · {r.dtype}"
                    + ("" if r.variant == "default" else f" · {r.variant}"),
                    "framework": r.framework,
                    "device": r.device,
                    "median": float(r.median),
                    "ci_lo": float(r.ci_lo),
                    "ci_hi": float(r.ci_hi),
                    "time": seconds(r.median),
                    "ci": ci_text(r.ci_lo, r.ci_hi),
                    "run_id": r.run_id,
                    "href": chart_href(here, r.run_id),
                }
                for r in rows_of(rows)
            ]
            chart_list.append(
                charts.bar_time_chart(records, title=f"{family}: median time per call on this machine")
            )
        runs = runs_by_machine.get(m.machine_id, frames.runs.iloc[0:0]).sort_values("run_id", ascending=False)
        run_rows = [
            (
                run_cell(here, r.run_id),
                cell(r.kind),
                cell(r.date),
                cell(r.device),
                cell(r.threads or "–"),
                cell(r.torch or "–"),
                cell(r.tensorflow or "–"),
                cell(r.numpy or "–"),
                cell(r.results),
            )
            for r in rows_of(runs)
        ]
        my_ratios = ratios_by_machine.get(m.machine_id, ratios.iloc[0:0])
        pages.append(
            Page(
                path=here,
                template="machine.md.j2",
                title=f"Machine {m.host_id[:6]} on {m.os_tag}",
                charts=(*chart_list, *ratio_charts(here, my_ratios, labels, False)),
                data={
                    "machine": frames.fingerprints[m.machine_id],
                    "os_link": link(here, os_page(m.os_tag)),
                    "os_tag": m.os_tag,
                    "families": families,
                    "ratios": table(RATIO_COLUMNS, ratio_rows(here, my_ratios, labels), "comparisons"),
                    "runs": table(
                        (
                            "run",
                            "kind",
                            "date",
                            "devices",
                            "threads",
                            "torch",
                            "tensorflow",
                            "numpy",
                            "results",
                        ),
                        run_rows,
                        "runs",
                    ),
                    "comparability": comparability(frames.runs, set(mine["run_id"]), "runs on one machine"),
                },
            )
        )
    return pages
