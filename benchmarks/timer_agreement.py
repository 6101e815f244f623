"""Benchmark of the benchmark: time the same two calls (torch matmul 1024² and add of 4 M floats)
with our timer, torch.utils.benchmark.Timer.blocked_autorange and a pyperf-style timeit loop, and
write the ratios (ours / theirs; 1.0 = perfect agreement) into a run file's notes.

Usage: python -m benchmarks.timer_agreement RUNFILE [--device cpu|cuda] [--threads N]
The methods take turns (ours, torch, timeit) for ROUNDS rounds so slow drifts of the machine hit
all three alike; each figure is the median over the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.bench.timer import measure
from generator.catalog.protocol import BUDGET_S
from generator.schema.load import dump_run, load_run, write_atomic

ROUNDS = 3
RUN_TIME_S = 1.0  # per method and round
TIMEIT_VALUES = 10  # pyperf-style: calibrated loop, then this many values, median
TARGET = 0.05  # the target: within 5 %


def _ours(fn: Callable[[], object], sync: Callable[[], None] | None) -> float:
    return measure(fn, sync=sync, budget_s=min(RUN_TIME_S, BUDGET_S)).stats.median


def _torch_benchmark(fn: Callable[[], object]) -> float:
    import torch
    from torch.utils import benchmark

    # torch's Timer synchronises CUDA itself when a GPU is present. Its default is one thread:
    # measure with the threads the run uses, like the other two methods.
    timer = benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())
    return float(timer.blocked_autorange(min_run_time=RUN_TIME_S).median)


def _timeit(fn: Callable[[], object], sync: Callable[[], None] | None) -> float:
    clock = time.perf_counter
    if sync is not None:
        # Like the other two methods: wait for the device when the clock is read, not after each call.
        def clock() -> float:
            sync()
            return time.perf_counter()

    t = timeit.Timer(fn, timer=clock)
    loops, elapsed = t.autorange()  # calibrate: loops of at least 0.2 s
    loops = max(1, int(loops * RUN_TIME_S / TIMEIT_VALUES / max(elapsed, 1e-9)))
    return statistics.median(t.timeit(loops) / loops for _ in range(TIMEIT_VALUES))


def cases(device: str) -> dict[str, Callable[[], object]]:
    import numpy as np
    import torch

    gen = np.random.default_rng(1)
    a, b = (
        torch.from_numpy(gen.standard_normal((1024, 1024)).astype(np.float32)).to(device) for _ in range(2)
    )
    x, y = (torch.from_numpy(gen.standard_normal(4 * 2**20).astype(np.float32)).to(device) for _ in range(2))
    return {"matmul_1024": lambda: torch.matmul(a, b), "add_4m": lambda: torch.add(x, y)}


def compare(device: str = "cpu", threads: int | None = None) -> dict[str, float]:
    """Notes entries: medians of each method and the ratios ours/theirs, per case."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    sync = torch.cuda.synchronize if device == "cuda" else None
    notes: dict[str, float] = {}
    for name, fn in cases(device).items():
        figures: dict[str, list[float]] = {"ours": [], "torch_benchmark": [], "timeit": []}
        for _ in range(ROUNDS):
            figures["ours"].append(_ours(fn, sync))
            figures["torch_benchmark"].append(_torch_benchmark(fn))
            figures["timeit"].append(_timeit(fn, sync))
        medians = {k: statistics.median(v) for k, v in figures.items()}
        for method, value in medians.items():
            notes[f"agreement.{name}.{method}_s"] = value
        for method in ("torch_benchmark", "timeit"):
            notes[f"agreement.{name}.{method}"] = medians["ours"] / medians[method]
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.timer_agreement", description=__doc__)
    parser.add_argument("runfile", type=Path)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--threads", type=int, default=None, help="default: the run's threads setting")
    args = parser.parse_args(argv)
    run = load_run(args.runfile)
    threads_setting: Any = run.settings.get("threads")
    threads = args.threads or (threads_setting if isinstance(threads_setting, int) else None)
    found = compare(args.device, threads)
    notes: dict[str, Any] = {
        **run.notes,
        **found,
        "agreement.device": args.device,
        "agreement.method": f"ours / other timer, median of {ROUNDS} interleaved rounds",
    }
    write_atomic(args.runfile, dump_run(run.model_copy(update={"notes": notes})))
    load_run(args.runfile)  # still valid
    worst = 0.0
    for key, value in sorted(found.items()):
        if not key.endswith("_s"):
            worst = max(worst, abs(value - 1.0))
            print(f"{key} = {value:.3f}", file=sys.stderr)
    verdict = "within" if worst <= TARGET else "NOT within"
    print(f"timer agreement: worst deviation {worst:.1%}, {verdict} the {TARGET:.0%} target", file=sys.stderr)
    print(args.runfile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
