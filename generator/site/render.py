"""Page contexts → files in the MkDocs docs folder (`framebench build`).

Writes the Markdown pages, chart SVG fallbacks, vendored JavaScript, downloads and the run-file
schema. Deterministic (same runs → same bytes), incremental (a file is rewritten only when its bytes
change; a chart's SVG is rendered only when its spec is new, in worker processes) and clean (files
the previous build wrote and this one did not are removed). A manifest of what was written guards
against deleting anything the generator did not create. Pages are made and written one at a time, so
a site of 10,000 runs never holds all of its pages in memory.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from generator.errors import UserError
from generator.schema.load import display, dump_run, run_schema, write_atomic
from generator.schema.models import Run
from generator.site import (
    aggregate,
    context_accuracy,
    context_machines,
    context_ops,
    context_pages,
    context_runs,
)
from generator.site.collect import Collection, collect_files, collect_runs
from generator.site.context import Cell, Comparability, Page, Table, run_download
from generator.site.markup import code, link, md, script_json
from generator.site.svg import VEGA_LITE, SvgQueue

MANIFEST = ".framebench-manifest.json"
ASSETS = Path(__file__).parent / "assets"
BUNDLE = "assets/vendor/vega-bundle.js"


def cell_markdown(c: Cell) -> str:
    text = md(c.text) if c.text else Markup("–")
    return f"[{text}]({c.target})" if c.target else str(text)


def table_markdown(t: Table | None) -> Markup:
    """A Markdown table inside a div that the site's table script makes sortable and filterable."""
    if t is None or not (t.rows or t.lines):
        return Markup("*None yet.*\n")
    lines = [
        f'<div class="fb-table" data-name="{md(t.name)}" markdown="1">',
        "",
        "| " + " | ".join(str(md(c)) for c in t.columns) + " |",
        "|" + "---|" * len(t.columns),
    ]
    if t.lines is not None:
        lines.extend(t.lines)
    else:
        lines.extend("| " + " | ".join(cell_markdown(c) for c in row) + " |" for row in t.rows)
    lines += ["", "</div>", ""]
    return Markup("\n".join(lines))


def comparability_markdown(comp: Comparability | None) -> Markup:
    if comp is None:
        return Markup("")
    if comp.warn:
        head = '!!! warning "Not directly comparable"'
        why = (
            f"These figures come from {comp.scope} whose software or settings differ, so a gap may "
            "come from those differences rather than from the hardware or the framework:"
        )
    else:
        head = '!!! info "What differs"'
        why = f"These figures come from {comp.scope} that differ in:"
    items = [
        f"    - **{md(name)}**: " + ", ".join(str(code(v)) for v in values)
        for name, values in comp.differences
    ]
    return Markup("\n".join([head, "", f"    {why}", "", *items, ""]) + "\n")


def paragraphs(text: str) -> Markup:
    """Docstring text as escaped Markdown paragraphs (blank lines separate them)."""
    return Markup("\n\n".join(str(md(p)) for p in text.split("\n\n") if p.strip()))


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("generator.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=md, code=code, paragraphs=paragraphs, table=table_markdown, comparability=comparability_markdown
    )
    return env


@dataclass(frozen=True)
class Built:
    pages: list[Path]  # the Markdown pages written
    runs: int


class Writer:
    """Writes files under `out` only when their bytes change and remembers what it wrote."""

    def __init__(self, out: Path, previous: set[str]) -> None:
        self.out = out
        self.previous = previous
        self.written: set[str] = set()

    def text(self, rel: str, text: str) -> Path:
        return self.bytes(rel, text.encode("utf-8"))

    def bytes(self, rel: str, data: bytes) -> Path:
        path = self.out / rel
        self.written.add(rel)
        if not (path.is_file() and path.read_bytes() == data):
            # temp + rename without fsync: a site page is rebuilt, not recovered, after a crash, and
            # 20,000 fsyncs would dominate a large build.
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return path

    def copy(self, rel: str, source: Path) -> Path:
        """Like bytes(), for a whole file (kernel copy, never all of them in memory at once)."""
        path = self.out / rel
        self.written.add(rel)
        same_size = path.is_file() and path.stat().st_size == source.stat().st_size
        if same_size and path.read_bytes() == source.read_bytes():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, path)
        return path

    def keep(self, rel: str) -> bool:
        """True when an earlier build wrote `rel` and it is still there (content-addressed files)."""
        if rel in self.previous and (self.out / rel).is_file():
            self.written.add(rel)
            return True
        return False


def read_manifest(out: Path) -> dict[str, Any]:
    manifest = out / MANIFEST
    if manifest.is_file():
        data: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
        return data
    if out.exists() and any(out.iterdir()):
        raise UserError(
            f"{display(out)}: not empty and not made by `framebench build` (no {MANIFEST}); "
            "refusing to write into it. Pass an empty or new folder with --out."
        )
    return {}


def chart_markdown(page: Page, index: int, writer: Writer, svgs: SvgQueue) -> Markup:
    """The live chart's container and spec, with the static SVG shown until (or unless) JS runs."""
    chart = page.charts[index]
    text = chart.json()
    rel = f"assets/charts/{hashlib.sha256(text.encode()).hexdigest()[:20]}.svg"
    if not writer.keep(rel):
        svgs.add(rel, text)
    spec_id = f"fb-spec-{index}"
    return Markup(
        f'<div class="fb-chart" data-spec="{spec_id}" markdown="1">\n\n'
        f"![{md(chart.title)}]({link(page.path, rel)}){{ .fb-fallback }}\n\n</div>\n\n"
        f'<script type="application/json" id="{spec_id}">{script_json(chart.spec)}</script>\n'
    )


def render_page(page: Page, writer: Writer, svgs: SvgQueue) -> Path:
    template = environment().get_template(page.template)
    text = template.render(
        page=page,
        chart=lambda i: chart_markdown(page, i, writer, svgs),
        link=lambda to: link(page.path, to),
        **page.data,
    )
    return writer.text(page.path, text)


def _frame_json(frame: pd.DataFrame) -> str:
    return frame.to_json(orient="records", indent=1, double_precision=10) + "\n"


def write_downloads(writer: Writer, tables: dict[str, pd.DataFrame], collection: Collection) -> None:
    for stem, frame in tables.items():
        writer.text(
            f"downloads/{stem}.csv", frame.to_csv(index=False, float_format="%.10g", lineterminator="\n")
        )
        writer.text(f"downloads/{stem}.json", _frame_json(frame))
    writer.text("downloads/run.schema.json", json.dumps(run_schema(), indent=1, sort_keys=True) + "\n")
    # The run files themselves, byte for byte, so a download matches what the repository holds.
    for run in collection.headers:
        path = collection.sources.get(run.run_id)
        if path is not None:
            writer.copy(run_download(run.run_id), path)
        else:  # collected from memory, results kept
            writer.bytes(run_download(run.run_id), dump_run(run).encode("utf-8"))


def write_assets(writer: Writer, manifest: dict[str, Any]) -> str:
    for asset in sorted(ASSETS.iterdir()):
        if asset.is_file() and asset.suffix in (".js", ".css"):
            writer.bytes(f"assets/{asset.name}", asset.read_bytes())
    import vl_convert

    version = (
        f"vega {vl_convert.get_vega_version()}, vega-embed {vl_convert.get_vega_embed_version()}, "
        f"Vega-Lite {VEGA_LITE}"
    )
    if manifest.get("bundle") == version and writer.keep(BUNDLE):
        return version
    snippet = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    bundle = vl_convert.javascript_bundle(snippet, vl_version=VEGA_LITE)
    # A function scope keeps the bundle's top-level names out of the page's global scope; the
    # snippet publishes the three globals the chart loader uses.
    header = f"/* Vega, Vega-Lite {VEGA_LITE} and vega-embed (BSD-3-Clause), bundled by {version}. */\n"
    writer.text(BUNDLE, header + "(function () {\n" + bundle + "\n})();\n")
    return version


def remove_stale(out: Path, previous: set[str], written: set[str]) -> None:
    for rel in sorted(previous - written):
        path = out / rel
        if path.is_file():
            path.unlink()
        parent = path.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def contributing_file() -> Path:
    """CONTRIBUTING.md at the repository root (the folder holding the generator package)."""
    return Path(__file__).resolve().parents[2] / "CONTRIBUTING.md"


def all_pages(
    collection: Collection, latest: pd.DataFrame, ratios: pd.DataFrame, rows: dict[str, int]
) -> Iterator[Page]:
    """Every page of the site, made lazily (run pages are most of a large site)."""
    frames = collection.frames
    yield context_pages.home_page(frames, ratios)
    yield context_pages.machines_index(frames)
    yield from context_machines.os_pages(frames, latest, ratios)
    yield from context_machines.machine_pages(frames, latest, ratios)
    yield context_pages.operations_index(latest)
    yield from context_ops.case_pages(frames, latest)
    yield context_ops.frameworks_page(frames, ratios)
    yield from context_accuracy.accuracy_pages(frames.accuracy)
    yield context_runs.runs_index(frames)
    yield from context_runs.run_pages(collection.headers, frames)
    yield context_pages.methodology_page()
    yield context_pages.downloads_page(rows)
    yield context_pages.contribute_page(contributing_file())


def build_site(source: Path | Iterable[Run], out: Path) -> Built:
    """Render every page for the runs into `out` (the MkDocs docs folder).

    `source` is a folder of run files (validated here, in parallel) or runs already in memory.
    Nothing is written unless every run is valid.
    """
    collection = collect_files([source]) if isinstance(source, Path) else collect_runs(source)
    manifest = read_manifest(out)
    out.mkdir(parents=True, exist_ok=True)
    writer = Writer(out, set(manifest.get("files", [])))
    frames = collection.frames
    latest = aggregate.latest_timings(frames.timings)
    ratios = aggregate.framework_ratios(latest)
    tables = {
        "runs": frames.runs,
        "machines": frames.machines,
        "timings": latest.drop(columns=["error"]),
        "ratios": ratios,
        "accuracy": frames.accuracy,
    }
    svgs = SvgQueue()
    try:
        rows = {k: len(v) for k, v in tables.items()}
        written = [render_page(page, writer, svgs) for page in all_pages(collection, latest, ratios, rows)]
        write_downloads(writer, tables, collection)
        bundle = write_assets(writer, manifest)
        for rel, svg in svgs.results():
            writer.text(rel, svg)
    finally:
        svgs.close()
    remove_stale(out, writer.previous, writer.written)
    text = json.dumps({"bundle": bundle, "files": sorted(writer.written)}, indent=1) + "\n"
    manifest_path = out / MANIFEST
    if not (manifest_path.is_file() and manifest_path.read_text(encoding="utf-8") == text):
        write_atomic(manifest_path, text)
    return Built(written, len(collection.headers))
