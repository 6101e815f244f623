"""Crash safety: SIGKILL the whole benchmark (runner and workers) at random moments, resume, repeat.

Whatever moment the kill lands on, the run folder must hold one valid run file (never partial JSON),
and after the last --resume every planned case must be in it exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from generator.schema.load import load_run
from generator.schema.models import TimingResult

CASES = "tensor"


def _bench(out: Path, resume: Path | None = None) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "generator",
        "bench",
        "ops",
        "--quick",
        "--framework",
        "numpy",
        "--device",
        "cpu",
        "--threads",
        "1",
        "--cases",
        CASES,
        "--out",
        str(out),
    ]
    if resume is not None:
        cmd += ["--resume", str(resume)]
    # A new session so the kill reaches the worker processes too, like a power cut would.
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _keys(path: Path) -> list[tuple[object, ...]]:
    run = load_run(path)
    return [
        (r.family, r.case, r.framework, r.device, r.dtype, r.variant, tuple(sorted(r.params.items())))
        for r in run.results
        if isinstance(r, TimingResult)
    ]


@pytest.mark.slow
def test_random_sigkills_then_resume_lose_nothing_and_duplicate_nothing(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert _bench(reference).wait(timeout=300) == 0
    (ref_file,) = reference.glob("*.json")
    expected = Counter(_keys(ref_file))
    assert expected and max(expected.values()) == 1

    out = tmp_path / "killed"
    rng = random.Random(20261124)
    kills_tried = 0
    run_file: Path | None = None
    for _ in range(12):
        proc = _bench(out, resume=run_file)
        time.sleep(rng.uniform(0.3, 2.5))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills_tried += 1
        proc.wait(timeout=60)
        files = sorted(out.glob("*.json"))
        assert len(files) <= 1, files
        if files:
            run_file = files[0]
            _keys(run_file)  # parses and validates: never partial JSON
        if proc.returncode == 0:
            break
    else:
        proc = _bench(out, resume=run_file)
        assert proc.wait(timeout=300) == 0
    assert kills_tried >= 3
    (final,) = out.glob("*.json")
    assert Counter(_keys(final)) == expected
