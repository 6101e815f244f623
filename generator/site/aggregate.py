"""Runs → pandas frames: one row per run, per machine, per timing and per accuracy result.

Everything downstream (page contexts, charts, downloads) reads these frames, never the run objects.
The row functions here turn one run or result into a tuple; generator.site.collect applies them while
the run files are read (in parallel) and builds the frames from columns. The rest is vectorised.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.schema.models import Machine, ParamValue, Run

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


def aggregate(runs: Iterable[Run]) -> Frames:
    from generator.site.collect import collect_runs

    return collect_runs(runs).frames


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its categorical columns as plain strings (for small frames shown on pages)."""
    kinds = {n: object for n, t in frame.dtypes.items() if isinstance(t, pd.CategoricalDtype)}
    return frame.astype(kinds) if kinds else frame


def latest_timings(timings: pd.DataFrame) -> pd.DataFrame:
    """Successful results, one per machine and result key: the newest run's (ties: larger run id)."""
    ok = timings[(timings["status"] == "ok") & (timings["median"] > 0)]
    ok = ok.sort_values(["created", "run_id"], kind="stable")
    latest = plain(ok.drop_duplicates(subset=RESULT_KEY, keep="last"))
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
