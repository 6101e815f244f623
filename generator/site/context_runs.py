"""Page contexts of the runs: the runs index and one permalink page per run.

Run pages are made lazily, a batch of runs at a time, so a site of 10,000 runs never holds every
page's rows at once; their result tables are built column by column (generator.site.table_rows).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from generator.schema.models import Run
from generator.site import aggregate
from generator.site.aggregate import Frames
from generator.site.context import (
    Page,
    Table,
    cell,
    machine_labels,
    machine_page,
    os_page,
    rows_of,
    run_cell,
    run_download,
    run_page,
    table,
)
from generator.site.context_ops import RESULT_COLUMNS
from generator.site.markup import link
from generator.site.table_rows import result_lines

BATCH = 256  # run pages made at a time
ACCURACY_COLUMNS = ("model", "framework", "protocol", "status", "top-1 (%)", "top-5 (%)", "img/s", "weights")


def runs_index(frames: Frames) -> Page:
    here = "runs/index.md"
    rows = [
        (
            run_cell(here, r.run_id),
            cell(r.kind),
            cell(r.date),
            cell(r.os_tag),
            cell(r.cpu or r.source),
            cell(r.device or "–"),
            cell(r.results),
            cell(r.ok),
        )
        for r in rows_of(frames.runs.sort_values("run_id", ascending=False))
    ]
    columns = ("run", "kind", "date", "OS", "CPU / source", "devices", "results", "ok")
    return Page(path=here, template="runs.md.j2", title="Runs", data={"runs": table(columns, rows, "runs")})


def _accuracy_table(acc: pd.DataFrame | None) -> Table | None:
    if acc is None:
        return None
    rows = []
    for r in rows_of(acc.sort_values(["framework", "model"])):
        ok = r.status == "ok"
        rows.append(
            (
                cell(r.model),
                cell(r.framework),
                cell(r.protocol),
                cell(r.status),
                cell(f"{r.top1:.2f}" if ok else r.error),
                cell(f"{r.top5:.2f}" if ok else "–"),
                cell(f"{r.img_s:.1f}" if r.img_s == r.img_s else "–"),
                cell(r.weights or "–"),
            )
        )
    return table(ACCURACY_COLUMNS, rows, "results") if rows else None


def run_pages(runs: Sequence[Run], frames: Frames) -> Iterator[Page]:
    """One page per run (in run-id order); `runs` may be headers without results."""
    timings = frames.timings  # sorted by run id, each run's results in file order
    ids = timings["run_id"].astype("category")
    position = {str(rid): i for i, rid in enumerate(ids.cat.categories)}
    codes = ids.cat.codes.to_numpy()
    starts = np.searchsorted(codes, np.arange(len(position)), side="left")
    ends = np.searchsorted(codes, np.arange(len(position)), side="right")
    accuracy = dict(tuple(aggregate.plain(frames.accuracy).groupby("run_id", sort=False)))
    labels = machine_labels(frames.machines)
    for begin in range(0, len(runs), BATCH):
        batch = runs[begin : begin + BATCH]
        found = [position[r.run_id] for r in batch if r.run_id in position]
        lo = int(starts[min(found)]) if found else 0
        hi = int(ends[max(found)]) if found else 0
        # Every page of the batch lives in runs/, so one set of lines serves them all.
        lines = result_lines(run_page("x"), timings.iloc[lo:hi])
        for run in batch:
            i = position.get(run.run_id)
            mine = None if i is None else tuple(lines[int(starts[i]) - lo : int(ends[i]) - lo])
            yield _run_page(run, labels, accuracy.get(run.run_id), mine)


def _run_page(
    run: Run, labels: dict[str, str], acc: pd.DataFrame | None, mine: tuple[str, ...] | None
) -> Page:
    here = run_page(run.run_id)
    mid = aggregate.machine_id(run)
    return Page(
        path=here,
        template="run.md.j2",
        title=run.run_id,
        data={
            "run": run,
            "download": link(here, run_download(run.run_id)),
            "machine_label": labels.get(mid, ""),
            "machine_link": link(here, machine_page(mid)) if mid else "",
            "os_link": link(here, os_page(run.machine.os.tag)) if run.machine else "",
            "blas": aggregate.blas_text(run.machine),
            "timings": None if mine is None else Table(RESULT_COLUMNS, (), "results", mine),
            "accuracy": _accuracy_table(acc),
        },
    )
