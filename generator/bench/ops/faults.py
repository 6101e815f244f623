"""Test-only cases (enabled by FRAMEBENCH_TEST_FAULTS=1) that prove the safety nets work: a worker
that dies by a signal, and a framework result that is wrong and must be caught by validation."""

from __future__ import annotations

import os
import signal

import numpy as np

from generator.bench.backends import Backend
from generator.bench.ops.prepared import TOLERANCES, Prepared, check_close, rng
from generator.catalog.cases import WorkItem


def prepare(item: WorkItem, backend: Backend) -> Prepared:
    if item.case == "fault_segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    a = rng().uniform(-1, 1, int(dict(item.params)["n"])).astype(np.float32)
    wrong = backend.to_numpy(backend.asarray(a)) * 1.01  # off by 1 %: far beyond float32 tolerance
    check_close(wrong, a.astype(np.float64), TOLERANCES[item.dtype])
    raise AssertionError("validation let a wrong result through")
