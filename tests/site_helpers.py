"""Shared helpers of the site tests: build the sample set, run mkdocs on a built docs folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RUNS = ROOT / "tests" / "data" / "runs"


def build(runs: Path, out: Path, hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    """`framebench build` in a child process (as `make site` runs it)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--runs", str(runs), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        check=False,
    )


def mkdocs_build(docs: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of the project's mkdocs.yml, pointed at `docs`."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"^docs_dir:.*$", f"docs_dir: {docs}", config, flags=re.M)
    path = site.parent / "mkdocs.yml"
    path.write_text(config, encoding="utf-8")
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
