"""Benchmark cases, one module per family. `prepare(item, backend)` builds a case, checks its result
against NumPy and returns the call to time (or raises Unsupported / Mismatch)."""

from __future__ import annotations

from generator.bench.backends import Backend
from generator.bench.ops.prepared import Prepared
from generator.catalog.cases import WorkItem


def prepare(item: WorkItem, backend: Backend) -> Prepared:
    # Imported here so a worker loads only the family it runs.
    if item.case.startswith("fault_"):
        from generator.bench.ops import faults as module
    elif item.family == "tensor":
        from generator.bench.ops import tensor as module  # type: ignore[no-redef]
    elif item.family == "gradients":
        from generator.bench.ops import gradients as module  # type: ignore[no-redef]
    elif item.family == "training":
        from generator.bench.ops import training as module  # type: ignore[no-redef]
    elif item.family == "models":
        from generator.bench.ops import zoo as module  # type: ignore[no-redef]
    else:
        from generator.bench.ops import inference as module  # type: ignore[no-redef]
    return module.prepare(item, backend)
