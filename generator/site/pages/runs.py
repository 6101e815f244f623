"""The runs index and one permalink page per run.

Run pages are made lazily, a batch of runs at a time, so a site of 10,000 runs never holds every
page's rows at once; a batch's result rows are encoded for the data files in one column-wise pass.
A run page is raw HTML (links are browser URLs): the MkDocs hook generator/site/output/stamp.py puts
every one into a single rendered page shell, so MkDocs' per-page cost does not grow with the runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.schema.models import Run
from generator.site.output.markup import fixed, url
from generator.site.output.tables import Cell, Table, json_rows, rows_table
from generator.site.pages.common import (
    Page,
    machine_labels,
    machine_page,
    os_page,
    rows_of,
    run_download,
    run_page,
)
from generator.site.pages.results import results_table
from generator.site.tidy import Frames, blas_text, machine_id, plain

BATCH = 256  # run pages made at a time
INDEX = "runs/index.md"
ACCURACY_COLUMNS = ("model", "framework", "protocol", "status", "top-1 (%)", "top-5 (%)", "img/s", "weights")


def runs_index(frames: Frames) -> Page:
    rows = [
        (
            Cell(r.run_id, run_page(r.run_id)),
            r.kind,
            r.date,
            r.os_tag,
            r.cpu or r.source,
            r.device or "–",
            Cell(r.results, sort=float(r.results)),
            Cell(r.ok, sort=float(r.ok)),
        )
        for r in rows_of(frames.runs.sort_values("run_id", ascending=False))
    ]
    titles = ("run", "kind", "date", "OS", "CPU / source", "devices", "results", "ok")
    return Page(
        path=INDEX, template="runs.md.j2", title="Runs", data={"runs": rows_table("runs", titles, rows)}
    )


def _accuracy_table(acc: pd.DataFrame | None) -> Table | None:
    if acc is None:
        return None
    rows = []
    for r in rows_of(acc.sort_values(["framework", "model"])):
        ok = r.status == "ok"
        rows.append(
            (
                r.model,
                r.framework,
                r.protocol,
                r.status,
                Cell(fixed(r.top1, 2) if ok else r.error, sort=float(r.top1) if ok else None),
                Cell(fixed(r.top5, 2) if ok else "–", sort=float(r.top5) if ok else None),
                fixed(r.img_s, 1),
                r.weights or "–",
            )
        )
    return rows_table("accuracy", ACCURACY_COLUMNS, rows) if rows else None


@dataclass(frozen=True)
class RunBatch:
    """What the pages of a batch of runs need, and nothing else: plain data, so a batch can be made
    into pages in a worker process while the main process makes the site's other pages."""

    runs: list[Run]  # headers (results dropped) in run-id order
    timings: pd.DataFrame  # the batch's TimingRow rows, in run-id order
    accuracy: pd.DataFrame  # the batch's AccuracyRow rows (plain strings)
    labels: dict[str, str]  # machine id -> its label (common.machine_labels)
    downloads: dict[str, str]  # run id -> where its file is linked to, when not a copy in the site


def run_batches(
    runs: Sequence[Run], frames: Frames, downloads: dict[str, str] | None = None
) -> Iterator[RunBatch]:
    """The runs (in run-id order) in batches of BATCH, each with its own rows of the frames;
    `downloads` names run files linked outside the site (render.build_site's `runs_url`)."""
    timings = frames.timings  # sorted by run id, each run's results in file order
    ids = timings["run_id"].astype("category")
    position = {str(rid): i for i, rid in enumerate(ids.cat.categories)}
    codes = ids.cat.codes.to_numpy()
    starts = np.searchsorted(codes, np.arange(len(position)), side="left")
    ends = np.searchsorted(codes, np.arange(len(position)), side="right")
    accuracy = plain(frames.accuracy)
    labels = machine_labels(frames.machines)
    for begin in range(0, len(runs), BATCH):
        batch = list(runs[begin : begin + BATCH])
        found = [position[r.run_id] for r in batch if r.run_id in position]
        lo = int(starts[min(found)]) if found else 0
        hi = int(ends[max(found)]) if found else 0
        wanted = accuracy["run_id"].isin({r.run_id for r in batch})
        linked = {r.run_id: downloads[r.run_id] for r in batch if downloads and r.run_id in downloads}
        yield RunBatch(batch, timings.iloc[lo:hi], accuracy[wanted], labels, linked)


def batch_pages(batch: RunBatch) -> Iterator[Page]:
    """One page per run of the batch; its results are encoded for the data files in one pass."""
    run_ids = batch.timings["run_id"].astype(str).to_numpy()
    accuracy = dict(tuple(batch.accuracy.groupby("run_id", sort=False)))
    # Every page of the batch lives in runs/, so one encoding serves them all.
    table = results_table("results", batch.timings, with_run=False)
    encoded = json_rows(table, run_page("x"))
    for run in batch.runs:
        lo, hi = (
            np.searchsorted(run_ids, run.run_id, side="left"),
            np.searchsorted(run_ids, run.run_id, "right"),
        )
        mine = (
            Table("results", table.columns, table.frame.iloc[0:0], tuple(encoded[lo:hi])) if hi > lo else None
        )
        yield _run_page(run, batch.labels, accuracy.get(run.run_id), mine, batch.downloads.get(run.run_id))


def run_pages(runs: Sequence[Run], frames: Frames, downloads: dict[str, str] | None = None) -> Iterator[Page]:
    """One page per run (in run-id order); `runs` may be headers without results."""
    for batch in run_batches(runs, frames, downloads):
        yield from batch_pages(batch)


def anchor(heading: str) -> str:
    """The id Python-Markdown's toc extension gives a heading (its default slugify), so a run page's
    permalink is the one it had as Markdown."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _run_page(
    run: Run, labels: dict[str, str], acc: pd.DataFrame | None, timings: Table | None, linked: str | None
) -> Page:
    here = run_page(run.run_id)
    mid = machine_id(run)
    return Page(
        path=here,
        template="run.md.j2",
        title=run.run_id,
        data={
            "run": run,
            "anchor": anchor(f"Run {run.run_id}"),
            "download": linked or url(here, run_download(run.run_id)),
            "machine_label": labels.get(mid, ""),
            "machine_link": url(here, machine_page(mid)) if mid else "",
            "os_link": url(here, os_page(run.machine.os.tag)) if run.machine else "",
            "blas": blas_text(run.machine),
            "timings": timings,
            "accuracy": _accuracy_table(acc),
        },
    )
