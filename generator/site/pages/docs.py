"""The pages about the site itself: methodology (quoted from the code), downloads, contribute."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from generator.catalog import cases, flops, peaks, preprocessing, protocol
from generator.site.analysis import summary
from generator.site.analysis.ratios import framework_ratios
from generator.site.output.markup import link
from generator.site.output.tables import Cell, rows_table
from generator.site.pages.common import Page
from generator.stats import change, history, noise, verdicts
from generator.stats import timing as statistics

# Aggregated tables offered for download: file stem -> what it holds.
DOWNLOADS = {
    "runs": "one row per run: kind, date, OS, machine, devices, threads, BLAS, framework versions",
    "machines": "one row per machine: OS tag, CPU, cores, memory, GPUs, BLAS, newest run",
    "timings": "the newest successful timing of every case configuration on every machine",
    "ratios": "framework speed-ups with their intervals and verdicts",
    "accuracy": "every accuracy result, measured and imported",
}


def _doc(obj: object) -> str:
    return inspect.cleandoc(inspect.getdoc(obj) or "")


def methodology_page() -> Page:
    """Quotes the measuring code's own constants and docstrings, so the page cannot drift from it."""
    timer_settings = [
        ("warm-up before sampling", f"{protocol.WARMUP_S:g} s"),
        ("minimum duration of one sample (loops calibrated to reach it)", f"{protocol.MIN_SAMPLE_S:g} s"),
        (
            f"stop when the {100 * protocol.STOP_CONFIDENCE:g} % CI of the median is within",
            f"{100 * protocol.TARGET_REL_CI:g} % of the median",
        ),
        ("minimum / maximum number of samples", f"{protocol.MIN_ROUNDS} / {protocol.MAX_ROUNDS}"),
        ("time budget per case (full / --quick)", f"{protocol.BUDGET_S:g} s / {protocol.QUICK_BUDGET_S:g} s"),
        ("confidence level", f"{100 * statistics.CONFIDENCE:g} %"),
        ("outliers (counted, not removed)", f"Tukey's fences, {statistics.OUTLIER_IQR_FACTOR:g} × IQR"),
    ]
    case_rows = [
        (
            c.family,
            c.name,
            c.description,
            flops.FLOP_FORMULAS.get(c.name, "not counted"),
            Cell(len(c.quick), sort=float(len(c.quick))),
            Cell(len(c.full), sort=float(len(c.full))),
        )
        for c in cases.public_cases()
        if not c.test_only
    ]
    return Page(
        path="methodology.md",
        template="methodology.md.j2",
        title="Methodology",
        data={
            "timer_doc": _doc(protocol),
            "timer": rows_table("timer", ("setting", "value"), timer_settings),
            "flops_doc": _doc(flops),
            "cases": rows_table(
                "cases",
                (
                    "family",
                    "case",
                    "what is timed",
                    "FLOPs per call",
                    "quick configurations",
                    "full configurations",
                ),
                case_rows,
            ),
            "peak_doc": _doc(peaks),
            "protocols_doc": _doc(preprocessing),
            "verdicts_doc": _doc(verdicts),
            "noise_doc": _doc(noise),
            "ratio_doc": _doc(framework_ratios),
            "summary_doc": _doc(summary),
            "change_doc": _doc(change),
            "history_doc": _doc(history),
        },
    )


def downloads_page(files: dict[str, int]) -> Page:
    here = "downloads.md"
    rows = []
    for stem, what in DOWNLOADS.items():
        rows.append(
            (
                stem,
                what,
                Cell(f"{stem}.csv", f"downloads/{stem}.csv"),
                Cell(f"{stem}.json", f"downloads/{stem}.json"),
                Cell(files.get(stem, 0), sort=float(files.get(stem, 0))),
            )
        )
    return Page(
        path=here,
        template="downloads.md.j2",
        title="Downloads",
        data={
            "tables": rows_table("downloads", ("table", "what", "CSV", "JSON", "rows"), rows),
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
