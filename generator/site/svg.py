"""Static SVG fallbacks of the charts, rendered by vl-convert in worker processes.

One SVG costs ~0.1–1 s of vl-convert (one JavaScript runtime per process), and a site has a few
hundred charts whatever the number of runs. Rendering starts in a process pool as soon as there are
enough charts to pay for it, so it overlaps with the rest of the build; a small site renders in
this process. A chart's SVG is named after a hash of its spec, so an unchanged chart is never
rendered again (see render.Writer.keep).
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

VEGA_LITE = "6.4"  # the Vega-Lite version Altair 6 writes its schema for (v6.4.x)
WIDTH = 640  # the static fallback's width; the live chart fills its container
UNAVAILABLE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40" role="img" '
    'aria-label="Static chart unavailable"><text x="8" y="24" font-family="sans-serif" font-size="13">'
    "Static chart unavailable: enable JavaScript to see this chart.</text></svg>"
)
POOL_FROM = 6  # charts queued before a pool is worth its start-up (~1 s per worker)


def render(spec_json: str) -> str:
    """The SVG of a chart's canonical JSON spec, at the fixed fallback width (no container to fill)."""
    import vl_convert

    spec = json.loads(spec_json)
    spec["width"] = WIDTH
    try:
        return str(vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE))
    except ValueError:
        # vl-convert can fail on unusual text (seen: astral-plane characters cut by label truncation).
        # The static picture is only the no-JavaScript fallback; the live chart does not depend on it.
        return UNAVAILABLE_SVG


def _workers() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, min(len(os.sched_getaffinity(0)), 8))
    return max(1, min(os.cpu_count() or 1, 8))


class SvgQueue:
    """Collects (file, spec) jobs; `results()` returns every file's SVG, in the order of the files."""

    def __init__(self) -> None:
        self.waiting: dict[str, str] = {}
        self.futures: dict[str, Future[str]] = {}
        self.pool: ProcessPoolExecutor | None = None

    def add(self, rel: str, spec_json: str) -> None:
        if rel in self.waiting or rel in self.futures:
            return
        self.waiting[rel] = spec_json
        if self.pool is None and len(self.waiting) >= POOL_FROM and _workers() > 1:
            # spawn: never fork a process that may already hold threads (BLAS, vl-convert).
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=_workers(), mp_context=context)
        if self.pool is not None:
            for name, spec in self.waiting.items():
                self.futures[name] = self.pool.submit(render, spec)
            self.waiting.clear()

    def results(self) -> list[tuple[str, str]]:
        try:
            done = {name: render(spec) for name, spec in self.waiting.items()}
            done.update({name: future.result() for name, future in self.futures.items()})
        finally:
            self.close()
        return sorted(done.items())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
