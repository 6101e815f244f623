"""Shared helpers of the site tests: build the sample set, run mkdocs on a built docs folder."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.fixtures.mkdocs_config import mkdocs_config_for

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RUNS = ROOT / "tests" / "data" / "runs"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


def build(
    runs: Path, out: Path, hash_seed: str = "0", options: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`framebench build` in a child process (as `make site` runs it)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--runs", str(runs), "--out", str(out), *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        check=False,
    )


def mkdocs_build(docs: Path, site: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of the project's mkdocs.yml pointed at `docs` (or of `config`)."""
    path = config or mkdocs_config_for(docs, site.parent, ROOT / "mkdocs.yml")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(path), "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def chromium() -> Path:
    """The Chromium executable of the browser tests: $FRAMEBENCH_CHROMIUM, default Debian's."""
    path = Path(os.environ.get("FRAMEBENCH_CHROMIUM") or "/usr/bin/chromium")
    if path.is_file() and shutil.which(str(path)):
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing: CI must install Chromium (or set FRAMEBENCH_CHROMIUM)")
    pytest.skip(f"{path} is missing (apt-get install chromium, or set FRAMEBENCH_CHROMIUM)")


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A local HTTP server of `folder`; yields its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


def go_live(box: object) -> None:
    """Reach for a chart as a reader does: point at its preview (or, without one, scroll to it), and
    wait for the live chart."""
    if box.locator(".fb-preview").count():  # type: ignore[attr-defined]
        box.hover()  # type: ignore[attr-defined]
    else:
        box.scroll_into_view_if_needed()  # type: ignore[attr-defined]
    box.locator(".fb-live canvas").first.wait_for(state="attached", timeout=15000)  # type: ignore[attr-defined]
