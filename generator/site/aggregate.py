"""Runs → pandas frames: one row per run, per machine, per timing and per accuracy result.

Everything downstream (page contexts, charts, downloads) reads these frames, never the run objects.
Rows are built in one pass over the results (column lists, no per-row DataFrame work) and the rest is
vectorised, so 10,000 runs of ~200 results aggregate in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.schema.models import AccuracyResult, Machine, ParamValue, Run, TimingResult

IMPORTED_TAG = "imported"
# The parameter that says "how big" a case is, in order of preference, for size-sweep charts.
SIZE_PARAMS = ("n", "batch", "side")
# A result is identified on one machine by these; the latest run's result wins.
RESULT_KEY = ["machine_id", "family", "case", "framework", "device", "dtype", "variant", "params"]
ENV_FIELDS = ("os_tag", "device", "threads", "blas", "numpy", "tensorflow", "torch", "keras", "torchvision")


@dataclass(frozen=True)
class Frames:
    runs: pd.DataFrame  # one row per run
    machines: pd.DataFrame  # one row per machine (OS tag + host id), its newest fingerprint
    timings: pd.DataFrame  # one row per timing result of every ops run
    accuracy: pd.DataFrame  # one row per accuracy result (measured and imported)
    fingerprints: dict[str, Machine]  # machine_id -> newest fingerprint, for the machine pages


def params_text(params: dict[str, ParamValue]) -> str:
    """Canonical, sorted text of a parameter set: `batch=32, n=1024`."""
    return ", ".join(f"{k}={_fmt_param(v)}" for k, v in sorted(params.items()))


def _fmt_param(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def size_of(params: dict[str, ParamValue]) -> tuple[str, float]:
    for name in SIZE_PARAMS:
        value = params.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return name, float(value)
    return "", math.nan


def machine_id(run: Run) -> str:
    if run.machine is None:
        return ""
    return f"{run.machine.os.tag}/{run.machine.host_id}"


def blas_text(machine: Machine | None) -> str:
    if machine is None:
        return ""
    parts = sorted(
        {
            " ".join(
                p
                for p in (b.internal_api, b.version, f"({b.threading_layer})" if b.threading_layer else "")
                if p
            )
            for b in machine.blas
        }
    )
    return "; ".join(parts)


def gpu_text(machine: Machine | None) -> str:
    return "; ".join(g.name for g in machine.gpus) if machine else ""


def _run_rows(runs: Sequence[Run]) -> pd.DataFrame:
    rows = []
    for run in runs:
        m = run.machine
        devices = sorted({r.device for r in run.results if r.device})
        threads = run.settings.get("threads")
        rows.append(
            {
                "run_id": run.run_id,
                "kind": run.kind,
                "created": run.created,
                "date": run.created[:10],
                "os_tag": m.os.tag if m else IMPORTED_TAG,
                "machine_id": machine_id(run),
                "cpu": m.cpu.model if m else "",
                "arch": m.cpu.arch if m else "",
                "gpu": gpu_text(m),
                "device": ",".join(devices),
                "threads": str(threads) if threads is not None else "",
                "blas": blas_text(m),
                "python": m.python if m else "",
                **{fw: (m.frameworks.get(fw, "") if m else "") for fw in ENV_FIELDS[4:]},
                "results": len(run.results),
                "ok": sum(1 for r in run.results if r.status == "ok"),
                "command": run.command,
                "source": run.source.repository if run.source else "",
            }
        )
    columns = [
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
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


def _machine_rows(runs: Sequence[Run]) -> tuple[pd.DataFrame, dict[str, Machine]]:
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
            {
                "machine_id": key,
                "os_tag": m.os.tag,
                "host_id": m.host_id,
                "os": m.os.pretty or f"{m.os.distro} {m.os.version}",
                "cpu": m.cpu.model,
                "arch": m.cpu.arch,
                "cores": f"{m.cpu.cores_physical or '?'} / {m.cpu.cores_logical}",
                "memory_gb": m.memory_gb,
                "gpu": gpu_text(m),
                "blas": blas_text(m),
                "runs": counts[key],
                "latest_run": run.run_id,
            }
        )
    columns = [
        "machine_id",
        "os_tag",
        "host_id",
        "os",
        "cpu",
        "arch",
        "cores",
        "memory_gb",
        "gpu",
        "blas",
        "runs",
        "latest_run",
    ]
    frame = pd.DataFrame(rows, columns=columns).sort_values("machine_id").reset_index(drop=True)
    return frame, fingerprints


def _timing_rows(runs: Iterable[Run]) -> pd.DataFrame:
    cols: dict[str, list[object]] = {
        name: []
        for name in (
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
            "size",
            "status",
            "error",
            "median",
            "ci_lo",
            "ci_hi",
            "iqr",
            "rounds",
            "flops",
            "gflops",
            "pct_peak",
            "items_per_s",
            "agreement",
            "transfer_h2d_s",
            "threads",
        )
    }
    nan = math.nan
    for run in runs:
        if run.kind != "ops" or run.machine is None:
            continue
        mid, tag = machine_id(run), run.machine.os.tag
        for r in run.results:
            if not isinstance(r, TimingResult):
                continue
            size_name, size = size_of(r.params)
            st, mt = r.stats, r.metrics
            values = (
                run.run_id,
                run.created,
                mid,
                tag,
                r.family,
                r.case,
                r.framework,
                r.device,
                r.dtype,
                r.variant,
                params_text(r.params),
                size_name,
                size,
                r.status,
                r.error or "",
                st.median if st else nan,
                st.ci95[0] if st else nan,
                st.ci95[1] if st else nan,
                st.iqr if st else nan,
                st.rounds if st else 0,
                r.flops if r.flops is not None else nan,
                mt.get("gflops", nan),
                mt.get("pct_peak", nan),
                mt.get("items_per_s", nan),
                mt.get("agreement_vs_fp32", nan),
                mt.get("transfer_h2d_s", nan),
                r.threads or 0,
            )
            for column, value in zip(cols.values(), values, strict=True):
                column.append(value)
    frame = pd.DataFrame(cols)
    for name in ("median", "ci_lo", "ci_hi", "iqr", "flops", "gflops", "pct_peak", "items_per_s", "size"):
        frame[name] = frame[name].astype("float64")
    # GFLOP/s from flops and the median when the worker did not store it (older or imported files).
    missing = frame["gflops"].isna() & (frame["median"] > 0) & frame["flops"].notna()
    frame.loc[missing, "gflops"] = frame.loc[missing, "flops"] / frame.loc[missing, "median"] / 1e9
    return frame


def _accuracy_rows(runs: Iterable[Run]) -> pd.DataFrame:
    rows = []
    for run in runs:
        for r in run.results:
            if not isinstance(r, AccuracyResult):
                continue
            rows.append(
                {
                    "run_id": run.run_id,
                    "kind": run.kind,
                    "created": run.created,
                    "machine_id": machine_id(run),
                    "os_tag": run.machine.os.tag if run.machine else IMPORTED_TAG,
                    "source": run.source.repository if run.source else "",
                    "model": r.model,
                    "framework": r.framework,
                    "protocol": r.protocol,
                    "status": r.status,
                    "error": r.error or "",
                    "top1": r.top1,
                    "top5": r.top5,
                    "images": r.images,
                    "weights": r.weights or "",
                    "device": r.device or "",
                    "img_s": r.throughput_img_s,
                    "latency_ms": r.latency_ms,
                }
            )
    columns = [
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
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for name in ("top1", "top5", "img_s", "latency_ms"):
        frame[name] = frame[name].astype("float64")
    return frame


def aggregate(runs: Sequence[Run]) -> Frames:
    ordered = sorted(runs, key=lambda r: r.run_id)
    machines, fingerprints = _machine_rows(ordered)
    return Frames(
        runs=_run_rows(ordered),
        machines=machines,
        timings=_timing_rows(ordered),
        accuracy=_accuracy_rows(ordered),
        fingerprints=fingerprints,
    )


def latest_timings(timings: pd.DataFrame) -> pd.DataFrame:
    """Successful results, one per machine and result key: the newest run's (ties: larger run id)."""
    ok = timings[(timings["status"] == "ok") & (timings["median"] > 0)]
    ok = ok.sort_values(["created", "run_id"], kind="stable")
    latest = ok.drop_duplicates(subset=RESULT_KEY, keep="last")
    return latest.sort_values([*RESULT_KEY, "size"], kind="stable").reset_index(drop=True)


PAIRS = (("torch", "numpy"), ("tensorflow", "numpy"), ("torch", "tensorflow"))


def framework_ratios(latest: pd.DataFrame) -> pd.DataFrame:
    """Speed-up of framework A over B on the same machine, device and case: time_B / time_A.

    The interval combines the two medians' 95 % intervals at their extremes (B low / A high to
    B high / A low); with independent runs it covers the true ratio with at least 0.95² ≈ 90 %.
    A verdict other than "no clear difference" needs the whole interval on one side of 1.
    """
    key = ["machine_id", "os_tag", "family", "case", "device", "dtype", "variant", "params", "size"]
    keep = [*key, "framework", "median", "ci_lo", "ci_hi", "run_id"]
    frames = []
    for a, b in PAIRS:
        left = latest.loc[latest["framework"] == a, keep]
        right = latest.loc[latest["framework"] == b, keep]
        merged = left.merge(right, on=key, suffixes=("_a", "_b"), how="inner")
        if merged.empty:
            continue
        merged["pair"] = f"{a} vs {b}"
        frames.append(merged)
    columns = [
        *key,
        "pair",
        "framework_a",
        "framework_b",
        "ratio",
        "ratio_lo",
        "ratio_hi",
        "verdict",
        "run_id_a",
        "run_id_b",
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    both = pd.concat(frames, ignore_index=True)
    both["ratio"] = both["median_b"] / both["median_a"]
    both["ratio_lo"] = both["ci_lo_b"] / both["ci_hi_a"]
    both["ratio_hi"] = both["ci_hi_b"] / both["ci_lo_a"]
    both["verdict"] = np.select(
        [both["ratio_lo"] > 1, both["ratio_hi"] < 1], ["faster", "slower"], default="no clear difference"
    )
    both = both[columns].sort_values(
        ["pair", "machine_id", "family", "case", "device", "dtype", "variant", "size", "params"],
        kind="stable",
    )
    return both.reset_index(drop=True)


def family_summary(ratios: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Geometric-mean speed-up per group, with how many comparisons were clearly faster/slower."""
    columns = [*by, "geomean", "n", "faster", "slower", "unclear"]
    if ratios.empty:
        return pd.DataFrame(columns=columns)
    work = ratios.assign(
        log_ratio=np.log(ratios["ratio"].astype("float64")),
        faster=(ratios["verdict"] == "faster").astype(int),
        slower=(ratios["verdict"] == "slower").astype(int),
        unclear=(ratios["verdict"] == "no clear difference").astype(int),
    )
    grouped = work.groupby(list(by), sort=True, observed=True).agg(
        log_mean=("log_ratio", "mean"),
        n=("ratio", "size"),
        faster=("faster", "sum"),
        slower=("slower", "sum"),
        unclear=("unclear", "sum"),
    )
    grouped["geomean"] = np.exp(grouped["log_mean"])
    return grouped.reset_index()[columns]


def environment_differences(runs: pd.DataFrame, run_ids: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The environment fields (OS, device, threads, BLAS, framework versions) on which these runs differ."""
    subset = runs[runs["run_id"].isin(set(run_ids))]
    differences = []
    for name in ENV_FIELDS:
        values = sorted({str(v) for v in subset[name] if str(v)})
        if len(values) > 1:
            differences.append((name, values))
    return differences
