"""One framework's benchmark process: `python -m generator.bench.worker FRAMEWORK DEVICE THREADS`.

Protocol (JSON lines): the worker says `hello` (framework loaded, device resolved) or `unavailable`;
the parent sends one job line (work items, in the order to run them, and the timer's budget and
warm-up) on stdin; the worker then sends `start` before and `result` after each item. A result is
one process's share of a case: the runner merges the shares of several processes.
The protocol owns the real stdout: everything else the process
prints (framework banners, C++ logs) is redirected to stderr, which the parent keeps in a log.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from datetime import datetime, timezone
from typing import IO, Any

from generator.bench import disturbance
from generator.bench.backends import LOADERS, Backend, FrameworkUnavailable
from generator.bench.ops.prepared import Mismatch, Unsupported
from generator.bench.timer import measure
from generator.catalog.cases import WorkItem
from generator.catalog.protocol import MIN_ROUNDS

ERROR_CHARS = 1500


def base_result(item: WorkItem, threads: int) -> dict[str, Any]:
    return {
        "suite": "ops",
        "family": item.family,
        "case": item.case,
        "framework": item.framework,
        "device": item.device,
        "dtype": item.dtype,
        "variant": item.variant,
        "params": dict(item.params),
        "threads": threads,
    }


def run_item(item: WorkItem, backend: Backend, budget_s: float, warmup_s: float) -> dict[str, Any]:
    """Prepare, validate and time one item; every outcome becomes a result (never an exception)."""
    from generator.bench.ops import prepare

    result = base_result(item, backend.threads)
    try:
        prepared = prepare(item, backend)
        before = disturbance.snapshot()
        measured = measure(
            prepared.call,
            sync=backend.sync,
            budget_s=budget_s,
            warmup_s=warmup_s,
            min_rounds=prepared.min_rounds or MIN_ROUNDS,
        )
        seen, warnings = disturbance.measure_between(before, disturbance.snapshot())
    except Unsupported as e:
        return {**result, "status": "unsupported", "error": str(e)[:ERROR_CHARS] or "unsupported"}
    except Mismatch as e:
        return {**result, "status": "failed", "error": f"result check failed: {e}"[:ERROR_CHARS]}
    except Exception as e:  # a case that raises is a failed case; the suite goes on
        tb = traceback.format_exception_only(type(e), e)[-1].strip()
        return {**result, "status": "failed", "error": f"raised {tb}"[:ERROR_CHARS]}
    metrics = {**prepared.metrics, **seen}
    metrics["stopped_by_precision"] = 1.0 if measured.stopped_by == "precision" else 0.0
    return {
        **result,
        "status": "ok",
        "samples": measured.samples,
        "loops": measured.loops,
        "flops": prepared.flops,
        "items": prepared.items,
        "metrics": {k: float(v) for k, v in metrics.items()},
        "conditions": {**backend.conditions(), **prepared.conditions},
        "warnings": warnings,
    }


def _free(backend: Backend) -> None:
    gc.collect()
    if backend.name == "torch" and backend.device == "cuda":
        backend.module.cuda.empty_cache()


def serve(framework: str, device: str, threads: int, stdin: IO[str], out: IO[str]) -> int:
    # What tells this process from every other one of the run: its id and when it started.
    identity = {"pid": os.getpid(), "started": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}

    def emit(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, allow_nan=False) + "\n")
        out.flush()

    try:
        backend = LOADERS[framework](device, threads)
    except FrameworkUnavailable as e:
        emit({"type": "unavailable", "reason": str(e)[:ERROR_CHARS]})
        return 0
    emit(
        {
            "type": "hello",
            "device": backend.device,
            "threads": threads,
            "version": backend.version,
            **identity,
        }
    )
    line = stdin.readline()
    if not line:
        return 0
    job = json.loads(line)
    for data in job["items"]:
        item = WorkItem.from_json(data)
        emit({"type": "start", "key": item.key()})
        share = run_item(item, backend, float(job["budget_s"]), float(job["warmup_s"]))
        emit({"type": "result", "key": item.key(), "result": share})
        _free(backend)
    return 0


def main(argv: list[str]) -> int:
    framework, device, threads = argv[0], argv[1], int(argv[2])
    # Keep the real stdout for the protocol; send every other print (Python or C) to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if framework == "torch":
        import torch  # noqa: F401  (torch and torchvision before anything that may pull in TF)
    return serve(framework, device, threads, sys.stdin, protocol)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
