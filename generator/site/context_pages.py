"""Page contexts of the site's frame: home, section indexes, run permalinks, methodology, downloads."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pandas as pd

from generator.site import aggregate
from generator.site.aggregate import Frames
from generator.site.context import (
    Cell,
    Page,
    case_page,
    cell,
    machine_labels,
    machine_page,
    newest_date,
    os_page,
    rows_of,
    run_cell,
    table,
)
from generator.site.context_ops import summary_table
from generator.site.markup import link

# Aggregated tables offered for download: file stem -> what it holds.
DOWNLOADS = {
    "runs": "one row per run: kind, date, OS, machine, devices, threads, BLAS, framework versions",
    "machines": "one row per machine: OS tag, CPU, cores, memory, GPUs, BLAS, newest run",
    "timings": "the newest successful timing of every case configuration on every machine",
    "ratios": "framework speed-ups with their intervals and verdicts",
    "accuracy": "every accuracy result, measured and imported",
}


def home_page(frames: Frames, ratios: pd.DataFrame) -> Page:
    here = "index.md"
    by = ["os_tag", "device", "family", "pair"]
    latest = frames.runs.sort_values("run_id", ascending=False).head(10)
    labels = machine_labels(frames.machines)
    latest_rows = [
        (
            run_cell(here, r.run_id),
            cell(r.kind),
            cell(r.date),
            Cell(r.os_tag, link(here, os_page(r.os_tag))) if r.machine_id else cell(r.source),
            Cell(labels[r.machine_id], link(here, machine_page(r.machine_id))) if r.machine_id else cell("–"),
        )
        for r in rows_of(latest)
    ]
    return Page(
        path=here,
        template="home.md.j2",
        title="framebench",
        data={
            "newest": newest_date(frames.runs),
            "counts": {
                "runs": len(frames.runs),
                "machines": len(frames.machines),
                "os_tags": frames.machines["os_tag"].nunique(),
                "results": len(frames.timings) + len(frames.accuracy),
            },
            "headline": summary_table(aggregate.family_summary(ratios, by), by, here),
            "latest": table(("run", "kind", "date", "OS / source", "machine"), latest_rows, "latest runs"),
        },
    )


def machines_index(frames: Frames) -> Page:
    here = "machines/index.md"
    labels = machine_labels(frames.machines)
    groups = []
    for os_tag, machines in frames.machines.groupby("os_tag", sort=True):
        rows = [
            (
                Cell(labels[m.machine_id], link(here, machine_page(m.machine_id))),
                cell(m.arch),
                cell(m.gpu or "none"),
                cell(m.runs),
                run_cell(here, m.latest_run),
            )
            for m in rows_of(machines)
        ]
        groups.append(
            (
                str(os_tag),
                link(here, os_page(str(os_tag))),
                table(("machine", "arch", "GPUs", "runs", "latest run"), rows, str(os_tag)),
            )
        )
    return Page(path=here, template="machines.md.j2", title="Machines", data={"groups": groups})


def operations_index(latest: pd.DataFrame) -> Page:
    here = "operations/index.md"
    from generator.bench.cases import CASES

    described = {c.name: c.description for c in CASES}
    rows = []
    summary = latest.groupby(["family", "case"], sort=True).agg(
        machines=("machine_id", "nunique"), frameworks=("framework", "nunique"), results=("run_id", "size")
    )
    for r in rows_of(summary.reset_index()):
        family, case = r.family, r.case
        rows.append(
            (
                cell(family),
                Cell(str(case), link(here, case_page(str(case)))),
                cell(described.get(str(case), "–")),
                cell(r.machines),
                cell(r.frameworks),
                cell(r.results),
            )
        )
    cases = table(("family", "case", "what it does", "machines", "frameworks", "results"), rows, "cases")
    return Page(path=here, template="operations.md.j2", title="Operations", data={"cases": cases})


def _doc(obj: object) -> str:
    return inspect.cleandoc(inspect.getdoc(obj) or "")


def methodology_page() -> Page:
    """Quotes the measuring code's own constants and docstrings, so the page cannot drift from it."""
    from generator.accuracy import protocols
    from generator.bench import cases, flops, peak, timer

    timer_settings = [
        ("warm-up before sampling", f"{timer.WARMUP_S:g} s"),
        ("minimum duration of one sample (loops calibrated to reach it)", f"{timer.MIN_SAMPLE_S:g} s"),
        ("stop when the 95 % CI of the median is within", f"{100 * timer.TARGET_REL_CI:g} % of the median"),
        ("minimum / maximum number of samples", f"{timer.MIN_ROUNDS} / {timer.MAX_ROUNDS}"),
        ("time budget per case (full / --quick)", f"{timer.BUDGET_S:g} s / {timer.QUICK_BUDGET_S:g} s"),
        ("confidence level", f"{100 * timer.CONFIDENCE:g} %"),
        ("outliers (counted, not removed)", f"Tukey's fences, {timer.OUTLIER_IQR_FACTOR:g} × IQR"),
    ]
    case_rows = [
        (
            cell(c.family),
            cell(c.name),
            cell(c.description),
            cell(flops.FLOP_FORMULAS.get(c.name, "not counted")),
            cell(len(c.quick)),
            cell(len(c.full)),
        )
        for c in cases.public_cases()
        if not c.test_only
    ]
    return Page(
        path="methodology.md",
        template="methodology.md.j2",
        title="Methodology",
        data={
            "timer_doc": _doc(timer),
            "timer": table(("setting", "value"), [(cell(a), cell(b)) for a, b in timer_settings], "timer"),
            "flops_doc": _doc(flops),
            "cases": table(
                (
                    "family",
                    "case",
                    "what is timed",
                    "FLOPs per call",
                    "quick configurations",
                    "full configurations",
                ),
                case_rows,
                "cases",
            ),
            "peak_doc": _doc(peak),
            "protocols_doc": _doc(protocols),
            "ratio_doc": _doc(aggregate.framework_ratios),
        },
    )


def downloads_page(files: dict[str, int]) -> Page:
    here = "downloads.md"
    rows = []
    for stem, what in DOWNLOADS.items():
        rows.append(
            (
                cell(stem),
                cell(what),
                Cell(f"{stem}.csv", link(here, f"downloads/{stem}.csv")),
                Cell(f"{stem}.json", link(here, f"downloads/{stem}.json")),
                cell(files.get(stem, 0)),
            )
        )
    return Page(
        path=here,
        template="downloads.md.j2",
        title="Downloads",
        data={
            "tables": table(("table", "what", "CSV", "JSON", "rows"), rows, "downloads"),
            "schema": link(here, "downloads/run.schema.json"),
            "runs": link(here, "runs/index.md"),
        },
    )


_REL_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\((?!https?://|mailto:|#)([^)\s]+)\)")


def contribute_page(contributing: Path | None) -> Page:
    """CONTRIBUTING.md from the repository, when there is one; relative links point outside the site,
    so they become plain text naming the file (MkDocs --strict would reject them)."""
    text = None
    if contributing is not None and contributing.is_file():
        text = contributing.read_text(encoding="utf-8")
        text = _REL_LINK.sub(lambda m: f"{m.group(2)} (`{m.group(3)}` in the repository)", text)
    return Page(
        path="contribute.md", template="contribute.md.j2", title="Contribute", data={"contributing": text}
    )
