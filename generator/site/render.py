"""`framebench build`: run files → the MkDocs docs folder, through the site's pipeline.

    load (run files, validated in parallel) → tidy frames (generator.site.tidy)
      → analysis (newest results, framework ratios, comparability, summaries)
      → pages (one module per page kind: a Page context each)
      → output (templates, chart spec files, table data files, assets, downloads)

Deterministic (same runs → same bytes), incremental (a file is rewritten only when its bytes change)
and clean (files the previous build wrote and this one did not are removed). Pages are made and
written one at a time, so a site of 10,000 runs never holds all of its pages in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.schema.load import dump_run, run_paths, run_schema
from generator.schema.models import Run
from generator.site.analysis import zoo
from generator.site.analysis.latest import latest_timings
from generator.site.analysis.ratios import framework_ratios
from generator.site.cache import Previews, RunCache
from generator.site.load import Collection, collect_runs, rare_collections, read_files, worker_pool
from generator.site.output.assets import write_assets
from generator.site.output.page import render_page
from generator.site.output.writer import Writer, read_manifest, remove_stale, write_manifest
from generator.site.pages import accuracy, cases, comparisons, docs, home, machines, runs
from generator.site.pages.common import Page, run_download
from generator.site.pages.history import history_pages


@dataclass(frozen=True)
class Built:
    pages: list[Path]  # the Markdown pages written
    runs: int


def _frame_json(frame: pd.DataFrame) -> str:
    return frame.to_json(orient="records", indent=1, double_precision=10) + "\n"


def write_downloads(
    writer: Writer, tables: dict[str, pd.DataFrame], collection: Collection, linked: dict[str, str]
) -> None:
    for stem, frame in tables.items():
        writer.text(
            f"downloads/{stem}.csv", frame.to_csv(index=False, float_format="%.10g", lineterminator="\n")
        )
        writer.text(f"downloads/{stem}.json", _frame_json(frame))
    writer.text("downloads/run.schema.json", json.dumps(run_schema(), indent=1, sort_keys=True) + "\n")
    # The run files themselves, byte for byte, so a download matches what the repository holds
    # (unless their pages link to them elsewhere).
    for run in collection.headers:
        if run.run_id in linked:
            continue
        path = collection.sources.get(run.run_id)
        if path is not None:
            writer.copy(run_download(run.run_id), path)
        else:  # collected from memory, results kept
            writer.bytes(run_download(run.run_id), dump_run(run).encode("utf-8"))


def contributing_file() -> Path:
    """CONTRIBUTING.md at the repository root (the folder holding the generator package)."""
    return Path(__file__).resolve().parents[2] / "CONTRIBUTING.md"


def all_pages(
    collection: Collection,
    latest: pd.DataFrame,
    ratios: pd.DataFrame,
    rows: dict[str, int],
    linked: dict[str, str],
    with_run_pages: bool = True,
) -> Iterator[Page]:
    """Every page of the site, made lazily (run pages are most of a large site; without
    `with_run_pages` they are left to render_run_batch)."""
    frames = collection.frames
    yield home.home_page(frames, latest)
    yield machines.machines_index(frames)
    yield from machines.os_pages(frames, latest)
    yield from machines.machine_pages(frames, latest, ratios)
    yield cases.operations_index(latest)
    yield from cases.case_pages(frames, latest)
    yield comparisons.frameworks_page(frames, latest, ratios)
    yield from history_pages(frames, latest)
    yield from accuracy.accuracy_pages(
        frames.accuracy, zoo.speed_frame(latest, frames.fingerprints), zoo.paired_frame(collection.headers)
    )
    yield runs.runs_index(frames)
    if with_run_pages:
        yield from runs.run_pages(collection.headers, frames, linked)
    yield docs.methodology_page()
    yield docs.downloads_page(rows)
    yield docs.contribute_page(contributing_file())


def render_run_batch(batch: runs.RunBatch, out: Path) -> tuple[set[str], list[str]]:
    """The pages of a batch of runs, written under `out` (in a worker process): the files written
    and the pages among them."""
    writer = Writer(out, set())
    pages = []
    for page in runs.batch_pages(batch):
        render_page(page, writer)
        pages.append(page.path)
    return writer.written, pages


def linked_runs(collection: Collection, source: Path, runs_url: str) -> dict[str, str]:
    """Run id -> `runs_url` + the file's path under `source`: where run pages link a run's file when it
    is not copied into the site (GitHub Pages publishes at most 1 GB; 10,000 runs are 2.2 GB)."""
    base = runs_url.rstrip("/")
    return {
        run_id: f"{base}/{path.resolve().relative_to(source.resolve()).as_posix()}"
        for run_id, path in collection.sources.items()
    }


def build_site(
    source: Path | Iterable[Run], out: Path, cache: Path | None = None, runs_url: str | None = None
) -> Built:
    """Render every page for the runs into `out` (the MkDocs docs folder).

    `source` is a folder of run files (validated here, in parallel, or read back from the `cache`
    folder when an earlier build read the same bytes) or runs already in memory. With `runs_url`
    (the folder's address elsewhere, e.g. in the repository at this commit), run pages link each run
    file there instead of a copy in the site.
    Nothing is written unless every run is valid. With worker processes (a large set of files), the
    workers read the runs, then make the run pages while this process makes every other page.
    """
    files = [str(p) for p in run_paths([source])] if isinstance(source, Path) else []
    with rare_collections(), worker_pool(len(files)) as pool:
        collection = read_files(files, pool, cache) if isinstance(source, Path) else collect_runs(source)
        manifest = read_manifest(out)
        out.mkdir(parents=True, exist_ok=True)
        writer = Writer(out, set(manifest.get("files", [])))
        frames = collection.frames
        linked = linked_runs(collection, source, runs_url) if runs_url and isinstance(source, Path) else {}
        latest = latest_timings(frames.timings)
        ratios = framework_ratios(latest)
        tables = {
            "runs": frames.runs,
            "machines": frames.machines,
            "timings": latest.drop(columns=["error"]),
            "ratios": ratios,
            "accuracy": frames.accuracy,
        }
        rows = {k: len(v) for k, v in tables.items()}
        batches = (
            [
                pool.submit(render_run_batch, b, out)
                for b in runs.run_batches(collection.headers, frames, linked)
            ]
            if pool is not None
            else []
        )
        written = []
        previews = Previews(cache) if cache is not None else None
        for page in all_pages(collection, latest, ratios, rows, linked, with_run_pages=pool is None):
            render_page(page, writer, previews)
            written.append(out / page.path)
        write_downloads(writer, tables, collection, linked)
        bundle = write_assets(writer, manifest, RunCache(cache) if cache is not None else None)
        for done in batches:
            files_written, pages = done.result()
            writer.written |= files_written
            written += [out / p for p in pages]
    if previews is not None:
        previews.prune()
    remove_stale(out, writer.previous, writer.written)
    write_manifest(out, {"bundle": bundle, "files": sorted(writer.written)})
    return Built(written, len(collection.headers))
