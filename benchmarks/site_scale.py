"""`make bench-site`: how `make site` (`framebench build`, then `mkdocs build`) scales with the number
of runs.

For each size it writes that many synthetic (valid, ~200-result) runs into a temporary folder, then
times the two builds as separate child processes and reads each child's peak memory from wait4():
once with an empty build cache (every run file read and validated: a first build), and once more after
one more run is added, into fresh folders with the first build's cache (what a deploy after a merged
pull request does: "after_one_more_run").
"site" is their sum (time) and the larger of the two (memory: they run one after the other). It also
records the largest page (HTML bytes) of the result. Figures go to bench_results/site-scale.json; the
growth exponent is the slope of log(time) on log(runs).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.fixtures.mkdocs_config import mkdocs_config_for
from benchmarks.fixtures.synthetic_runs import synthetic_runs
from generator.runmeta import load_average
from generator.schema.load import dump_run
from generator.schema.models import Run

DEFAULT_SIZES = (100, 1000, 10000)


def timed_child(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run `cmd`; return its wall time (s) and peak resident memory (MB). Fails loudly on error."""
    # Pending writes (the synthetic runs just written, the folders just removed) are flushed first:
    # on a 2-core machine the kernel's writeback would otherwise take CPU from the timed build, which
    # a real checkout, already on disk, does not pay.
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd[:4])} failed ({proc.returncode}): {err.decode()[-2000:]}")
    scale = 1024 if platform.system() == "Darwin" else 1  # ru_maxrss is bytes on macOS, KiB on Linux
    return {"seconds": round(wall, 3), "peak_mb": round(usage.ru_maxrss / scale / 1024, 1)}


def write_runs_of(folder: Path, runs: Iterable[Run]) -> None:
    for run in runs:
        sub = folder / (run.machine.os.tag if run.machine else "imported")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{run.run_id}.json").write_text(dump_run(run))


def write_runs(folder: Path, count: int, hold_back: int = 0) -> list[Run]:
    """Write `count` synthetic runs; return the `hold_back` runs that follow them (to add later)."""
    runs = synthetic_runs(count + hold_back)
    write_runs_of(folder, itertools.islice(runs, count))
    return list(runs)


def growth_exponent(sizes: list[int], seconds: list[float]) -> float | None:
    """Least-squares slope of log(seconds) against log(size): 1.0 means linear."""
    if len(sizes) < 2:
        return None
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-6)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den, 3) if den else None


def largest_page(site: Path) -> dict[str, Any]:
    """The largest HTML page of a built site: its path and size (the DOM is checked by the tests)."""
    pages = [(p.stat().st_size, str(p.relative_to(site))) for p in site.rglob("*.html")]
    size, path = max(pages) if pages else (0, "")
    return {"path": path, "kb": round(size / 1024, 1)}


def _site(work: Path, env: dict[str, str], with_mkdocs: bool) -> dict[str, Any]:
    """`make site` into fresh docs and site folders of `work` (the build cache in work/cache stays)."""
    for folder in ("docs", "site"):
        shutil.rmtree(work / folder, ignore_errors=True)
    build = timed_child(
        [sys.executable, "-m", "generator", "build", "--runs", str(work / "runs"),
         "--out", str(work / "docs"), "--cache", str(work / "cache")],
        env,
    )  # fmt: skip
    row: dict[str, Any] = {"build": build}
    if with_mkdocs:
        config = mkdocs_config_for(work / "docs", work, Path("mkdocs.yml").resolve())
        row["mkdocs"] = timed_child(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(work / "site")], env
        )
        row["site"] = {
            "seconds": round(build["seconds"] + row["mkdocs"]["seconds"], 3),
            "peak_mb": max(build["peak_mb"], row["mkdocs"]["peak_mb"]),
        }
        row["largest_page"] = largest_page(work / "site")
    return row


def measure(sizes: tuple[int, ...], mkdocs_max: int) -> dict[str, Any]:
    """Per size: a first build (empty build cache: every run file read and validated), then the build
    a deploy makes after one more run is merged (fresh folders, the cache of the first build)."""
    rows = []
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="fb-site-scale-") as tmp:
            work = Path(tmp)
            later = write_runs(work / "runs", count, hold_back=1)
            load = load_average()  # before the timed builds: anything else on the CPU shows here
            first = _site(work, env, count <= mkdocs_max)
            write_runs_of(work / "runs", later)
            again = _site(work, env, count <= mkdocs_max)
            row: dict[str, Any] = {
                "runs": count,
                **first,
                "build_ms_per_run": round(1000 * first["build"]["seconds"] / count, 3),
                "after_one_more_run": again,
                "load_1min_before": load,
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    result: dict[str, Any] = {
        "benchmark": "site-scale",
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.system(),
        },
        "results": rows,
        "build_growth_exponent": growth_exponent(list(sizes), [r["build"]["seconds"] for r in rows]),
    }
    timed = [r for r in rows if "mkdocs" in r]
    result["mkdocs_growth_exponent"] = growth_exponent(
        [r["runs"] for r in timed], [r["mkdocs"]["seconds"] for r in timed]
    )
    result["site_growth_exponent"] = growth_exponent(
        [r["runs"] for r in timed], [r["site"]["seconds"] for r in timed]
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.site_scale", description=__doc__)
    parser.add_argument(
        "--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated run counts"
    )
    parser.add_argument(
        "--mkdocs-max",
        type=int,
        default=10**9,
        help="time mkdocs build only up to this many runs (default: always; 0: never)",
    )
    parser.add_argument("--out", type=Path, default=Path("bench_results/site-scale.json"))
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    result = measure(sizes, mkdocs_max=args.mkdocs_max)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
