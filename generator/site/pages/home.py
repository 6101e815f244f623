"""The home page: the answer first (framework speed-ups per hardware class and device, with
intervals), then the newest machines and runs."""

from __future__ import annotations

import pandas as pd

from generator.site.output.tables import Cell, rows_table
from generator.site.pages.common import (
    Page,
    machine_labels,
    machine_page,
    newest_date,
    os_page,
    rows_of,
    run_page,
)
from generator.site.pages.summaries import hardware_classes, pair_summary, speedup_chart, speedup_table
from generator.site.tidy import Frames

HERE = "index.md"
NEWEST = 8


def home_page(frames: Frames, latest: pd.DataFrame) -> Page:
    summary = pair_summary(latest, *hardware_classes(frames.fingerprints))
    by = ["hardware", "device", "family"]
    targets = {c: "machines/index.md" for c in summary["hardware"]}
    chart = speedup_chart(HERE, summary, by, targets, "Which framework is faster on which hardware?")
    labels = machine_labels(frames.machines)
    newest = frames.machines.sort_values(["newest", "machine_id"], ascending=False).head(NEWEST)
    machine_rows = [
        (
            Cell(labels[m.machine_id], machine_page(m.machine_id)),
            m.cpu,
            m.gpu or "none",
            Cell(m.os_tag, os_page(m.os_tag)),
            Cell(m.latest_run, run_page(m.latest_run)),
        )
        for m in rows_of(newest)
    ]
    latest = frames.runs.sort_values("run_id", ascending=False).head(10)
    run_rows = [
        (
            Cell(r.run_id, run_page(r.run_id)),
            r.kind,
            r.date,
            Cell(labels[r.machine_id], machine_page(r.machine_id)) if r.machine_id else r.source,
        )
        for r in rows_of(latest)
    ]
    return Page(
        path=HERE,
        template="home.md.j2",
        title="framebench",
        charts=(chart,) if len(summary) else (),
        data={
            "newest": newest_date(frames.runs),
            "counts": {
                "runs": len(frames.runs),
                "machines": len(frames.machines),
                "os_tags": frames.machines["os_tag"].nunique(),
                "results": len(frames.timings) + len(frames.accuracy),
            },
            "headline": speedup_table("speed-ups", summary, by, ("hardware", "device", "family"), targets),
            "machines": rows_table(
                "newest machines", ("machine", "CPU", "GPUs", "OS", "latest run"), machine_rows
            ),
            "latest": rows_table("latest runs", ("run", "kind", "date", "machine / source"), run_rows),
        },
    )
