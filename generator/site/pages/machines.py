"""The machines section: the index, one page per OS tag and one per machine. Each opens with a short
ranked summary per case family; the full tables follow (as data files when they are long)."""

from __future__ import annotations

import pandas as pd

from generator.catalog.names import DEVICES
from generator.machine.identity import defining_fields
from generator.site.analysis.comparability import comparability
from generator.site.analysis.ratios import ranking
from generator.site.output.markup import fixed, link
from generator.site.output.tables import Cell, rows_table
from generator.site.pages.common import (
    Page,
    machine_labels,
    machine_page,
    os_page,
    rows_of,
    run_page,
)
from generator.site.pages.comparisons import ratio_table
from generator.site.pages.results import results_table
from generator.site.pages.summaries import pair_summary, ranking_table, speedup_chart, speedup_table
from generator.site.tidy import Frames


def machines_index(frames: Frames) -> Page:
    here = "machines/index.md"
    labels = machine_labels(frames.machines)
    groups = []
    for os_tag, machines in frames.machines.groupby("os_tag", sort=True):
        rows = [
            (
                Cell(labels[m.machine_id], machine_page(m.machine_id)),
                m.arch,
                m.gpu or "none",
                Cell(m.runs, sort=float(m.runs)),
                Cell(m.latest_run, run_page(m.latest_run)),
            )
            for m in rows_of(machines)
        ]
        table = rows_table(str(os_tag), ("machine", "arch", "GPUs", "runs", "latest run"), rows)
        groups.append((str(os_tag), link(here, os_page(str(os_tag))), table))
    return Page(path=here, template="machines.md.j2", title="Machines", data={"groups": groups})


def _runs_table(frame: pd.DataFrame, with_cpu: bool) -> object:
    rows = [
        (
            Cell(r.run_id, run_page(r.run_id)),
            r.kind,
            r.date,
            *((r.cpu,) if with_cpu else ()),
            r.device or "–",
            r.threads or "–",
            r.torch or "–",
            r.tensorflow or "–",
            r.numpy or "–",
            Cell(r.results, sort=float(r.results)),
        )
        for r in rows_of(frame.sort_values("run_id", ascending=False))
    ]
    titles = ("run", "kind", "date", *(("CPU",) if with_cpu else ()), "devices", "threads", "torch",
              "tensorflow", "numpy", "results")  # fmt: skip
    return rows_table("runs", titles, rows)


def os_pages(frames: Frames, latest: pd.DataFrame) -> list[Page]:
    labels = machine_labels(frames.machines)
    pages = []
    for os_tag, machines in frames.machines.groupby("os_tag", sort=True):
        here = os_page(str(os_tag))
        machine_rows = [
            (
                Cell(labels[m.machine_id], machine_page(m.machine_id)),
                m.arch,
                m.cores,
                Cell(fixed(m.memory_gb, 0), sort=float(m.memory_gb)),
                m.gpu or "none",
                m.blas or "–",
                Cell(m.runs, sort=float(m.runs)),
                Cell(m.latest_run, run_page(m.latest_run)),
            )
            for m in rows_of(machines)
        ]
        on_os = latest[latest["os_tag"] == os_tag]
        by = ["hardware", "device", "family"]
        summary = pair_summary(on_os, {(m, d): labels[m] for m in machines["machine_id"] for d in DEVICES})
        targets = {labels[mid]: machine_page(mid) for mid in machines["machine_id"]}
        chart = speedup_chart(
            here,
            summary,
            by,
            targets,
            f"Which framework is faster on each {os_tag} machine, per case family?",
        )
        ranked = ranking(on_os, ["family"])
        runs = frames.runs[frames.runs["os_tag"] == os_tag]
        pages.append(
            Page(
                path=here,
                template="os.md.j2",
                title=f"Machines running {os_tag}",
                charts=(chart,) if len(summary) else (),
                data={
                    "os_tag": str(os_tag),
                    "ranking": ranking_table("ranking", ranked, "family"),
                    "machines": rows_table(
                        "machines",
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
                    ),
                    "summary": speedup_table(
                        "speed-ups", summary, by, ("machine", "device", "family"), targets
                    ),
                    "runs": _runs_table(runs, with_cpu=True),
                },
            )
        )
    return pages


def peak_sources(latest: pd.DataFrame) -> list[tuple[str, str]]:
    """(dtype, how the peak was found) for every % of peak shown on a machine's page."""
    found = latest.loc[latest["peak_source"] != "", ["dtype", "peak_source"]].drop_duplicates()
    return sorted((str(d), str(s)) for d, s in zip(found["dtype"], found["peak_source"], strict=True))


def machine_pages(frames: Frames, latest: pd.DataFrame, ratios: pd.DataFrame) -> list[Page]:
    labels = machine_labels(frames.machines)
    by_machine = dict(tuple(latest.groupby("machine_id", sort=True)))
    ratios_by_machine = dict(tuple(ratios.groupby("machine_id", sort=True)))
    runs_by_machine = dict(tuple(frames.runs.groupby("machine_id", sort=True)))
    pages = []
    for m in rows_of(frames.machines):
        here = machine_page(m.machine_id)
        mine = by_machine.get(m.machine_id, latest.iloc[0:0])
        my_ratios = ratios_by_machine.get(m.machine_id, ratios.iloc[0:0])
        summary = pair_summary(mine, {(m.machine_id, d): "this machine" for d in DEVICES})
        chart = speedup_chart(
            here,
            summary,
            ["family", "device"],
            {},
            "Which framework is faster on this machine, per case family?",
        )
        families = [
            (str(family), results_table(str(family), rows))
            for family, rows in mine.groupby("family", sort=True)
        ]
        runs = runs_by_machine.get(m.machine_id, frames.runs.iloc[0:0])
        pages.append(
            Page(
                path=here,
                template="machine.md.j2",
                title=f"Machine {m.host_id[:6]} on {m.os_tag}",  # no run-file text: titles go out unescaped
                charts=(chart,) if len(summary) else (),
                data={
                    "label": labels[m.machine_id],
                    "machine": frames.fingerprints[m.machine_id],
                    "defining": defining_fields(frames.fingerprints[m.machine_id]),
                    "os_link": link(here, os_page(m.os_tag)),
                    "os_tag": m.os_tag,
                    "peaks": peak_sources(mine),
                    "ranking": ranking_table("ranking", ranking(mine, ["family"]), "family"),
                    "families": families,
                    "ratios": ratio_table("comparisons", my_ratios, labels, with_machine=False),
                    "runs": _runs_table(runs, with_cpu=False),
                    "comparability": comparability(frames.runs, set(mine["run_id"]), "runs on one machine"),
                },
            )
        )
    return pages
