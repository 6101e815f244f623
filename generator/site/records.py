"""Runs and results → row tuples and columns of the site's frames (applied by generator.site.collect).

Each function turns one run or one result into a tuple in its frame's column order, so a frame is
built from columns once instead of from millions of dicts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from generator.schema.models import AccuracyResult, Machine, ParamValue, Run, TimingResult
from generator.site.aggregate import (
    ENV_FIELDS,
    IMPORTED_TAG,
    blas_text,
    gpu_text,
    machine_id,
    params_text,
    size_of,
)

RUN_COLUMNS = (
    "run_id",
    "kind",
    "created",
    "date",
    "os_tag",
    "machine_id",
    "cpu",
    "arch",
    "gpu",
    "device",
    "threads",
    "blas",
    "python",
    *ENV_FIELDS[4:],
    "results",
    "ok",
    "command",
    "source",
)
# The timing frame's columns by kind (strings become sorted categoricals), then in frame order.
TIMING_STRINGS = (
    "run_id",
    "created",
    "machine_id",
    "os_tag",
    "family",
    "case",
    "framework",
    "device",
    "dtype",
    "variant",
    "params",
    "size_name",
    "status",
    "error",
)
TIMING_FLOATS = (
    "size",
    "median",
    "ci_lo",
    "ci_hi",
    "iqr",
    "flops",
    "gflops",
    "pct_peak",
    "items_per_s",
    "agreement",
    "transfer_h2d_s",
)
TIMING_INTS = ("rounds", "threads")
TIMING_COLUMNS = (
    *TIMING_STRINGS[:12],
    "size",
    "status",
    "error",
    "median",
    "ci_lo",
    "ci_hi",
    "iqr",
    "rounds",
    *TIMING_FLOATS[5:],
    "threads",
)
ACCURACY_COLUMNS = (
    "run_id",
    "kind",
    "created",
    "machine_id",
    "os_tag",
    "source",
    "model",
    "framework",
    "protocol",
    "status",
    "error",
    "top1",
    "top5",
    "images",
    "weights",
    "device",
    "img_s",
    "latency_ms",
)


def run_row(run: Run) -> tuple[object, ...]:
    """One run's summary row, in RUN_COLUMNS order."""
    m = run.machine
    threads = run.settings.get("threads")
    return (
        run.run_id,
        run.kind,
        run.created,
        run.created[:10],
        m.os.tag if m else IMPORTED_TAG,
        machine_id(run),
        m.cpu.model if m else "",
        m.cpu.arch if m else "",
        gpu_text(m),
        ",".join(sorted({r.device for r in run.results if r.device})),
        str(threads) if threads is not None else "",
        blas_text(m),
        m.python if m else "",
        *((m.frameworks.get(fw, "") if m else "") for fw in ENV_FIELDS[4:]),
        len(run.results),
        sum(1 for r in run.results if r.status == "ok"),
        run.command,
        run.source.repository if run.source else "",
    )


def machine_frame(runs: Sequence[Run]) -> tuple[pd.DataFrame, dict[str, Machine]]:
    """One row per machine with its newest fingerprint (results are not needed)."""
    newest: dict[str, Run] = {}
    counts: dict[str, int] = {}
    for run in runs:
        key = machine_id(run)
        if not key:
            continue
        counts[key] = counts.get(key, 0) + 1
        if key not in newest or run.run_id > newest[key].run_id:
            newest[key] = run
    rows = []
    fingerprints: dict[str, Machine] = {}
    for key, run in newest.items():
        m = run.machine
        assert m is not None
        fingerprints[key] = m
        rows.append(
            (
                key,
                m.os.tag,
                m.host_id,
                m.os.pretty or f"{m.os.distro} {m.os.version}",
                m.cpu.model,
                m.cpu.arch,
                f"{m.cpu.cores_physical or '?'} / {m.cpu.cores_logical}",
                m.memory_gb,
                gpu_text(m),
                blas_text(m),
                counts[key],
                run.run_id,
            )
        )
    columns = ["machine_id", "os_tag", "host_id", "os", "cpu", "arch", "cores", "memory_gb", "gpu", "blas",
               "runs", "latest_run"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns).sort_values("machine_id").reset_index(drop=True)
    return frame, fingerprints


_PARAMS_TEXT: dict[tuple[tuple[str, ParamValue], ...], tuple[str, str, float]] = {}


def _params(params: dict[str, ParamValue]) -> tuple[str, str, float]:
    """params_text and size_of of a parameter set, remembered (runs repeat the same few sets)."""
    key = tuple(params.items())
    found = _PARAMS_TEXT.get(key)
    if found is None:
        found = (params_text(params), *size_of(params))
        if len(_PARAMS_TEXT) < 1 << 16:
            _PARAMS_TEXT[key] = found
    return found


def timing_values(run: Run, r: TimingResult) -> tuple[object, ...]:
    """One timing result's row: TIMING_STRINGS, then TIMING_FLOATS, then TIMING_INTS."""
    assert run.machine is not None
    text, size_name, size = _params(r.params)
    st, mt, nan = r.stats, r.metrics, math.nan
    return (
        run.run_id,
        run.created,
        machine_id(run),
        run.machine.os.tag,
        r.family,
        r.case,
        r.framework,
        r.device,
        r.dtype,
        r.variant,
        text,
        size_name,
        r.status,
        r.error or "",
        size,
        st.median if st else nan,
        st.ci95[0] if st else nan,
        st.ci95[1] if st else nan,
        st.iqr if st else nan,
        r.flops if r.flops is not None else nan,
        mt.get("gflops", nan),
        mt.get("pct_peak", nan),
        mt.get("items_per_s", nan),
        mt.get("agreement_vs_fp32", nan),
        mt.get("transfer_h2d_s", nan),
        st.rounds if st else 0,
        r.threads or 0,
    )


def finish_timings(frame: pd.DataFrame) -> pd.DataFrame:
    """Frame order, run-id order (stable: a run's results keep their order), derived GFLOP/s."""
    frame = frame[list(TIMING_COLUMNS)]
    if len(frame):
        order = np.argsort(frame["run_id"].cat.codes.to_numpy(), kind="stable")
        frame = frame.take(order).reset_index(drop=True)
    # GFLOP/s from flops and the median when the worker did not store it (older or imported files).
    missing = frame["gflops"].isna() & (frame["median"] > 0) & frame["flops"].notna()
    frame.loc[missing, "gflops"] = frame.loc[missing, "flops"] / frame.loc[missing, "median"] / 1e9
    return frame


def accuracy_row(run: Run, r: AccuracyResult) -> tuple[object, ...]:
    """One accuracy result's row, in ACCURACY_COLUMNS order."""
    return (
        run.run_id,
        run.kind,
        run.created,
        machine_id(run),
        run.machine.os.tag if run.machine else IMPORTED_TAG,
        run.source.repository if run.source else "",
        r.model,
        r.framework,
        r.protocol,
        r.status,
        r.error or "",
        r.top1,
        r.top5,
        r.images,
        r.weights or "",
        r.device or "",
        r.throughput_img_s,
        r.latency_ms,
    )
