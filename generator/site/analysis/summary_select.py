"""Which timing results a framework summary may compare, and how noisy each one is.

Like for like: only the variants generator.catalog.cases.in_summaries admits (plain, eager, fp32);
only one
interval kind per hardware class, device and family (the most trustworthy one, INTERVAL_PREFERENCE,
that compares at least two frameworks), because an interval within one process says nothing about the
noise between processes; only the newest result per machine and configuration (largest run id: run
ids start with their UTC time). Works on integer codes, so millions of input rows take about a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from generator.catalog.cases import in_summaries
from generator.stats.summary import NORMAL_FROM_DF, critical_value

# Required columns. params: any hashable key of the parameter set (e.g. "batch=32, n=1024");
# machine: generator.machine.identity.machine_key; hardware_class:
# generator.machine.identity.hardware_class(machine, device); interval: the results' stats.interval
# kind; median_s: seconds per call.
INPUT_COLUMNS = ("hardware_class", "machine", "device", "family", "case", "variant", "dtype", "params",
                 "framework", "median_s", "interval", "run_id")  # fmt: skip
# process_medians: per-process medians of the result (a list; one value or absent for old runs);
# ci_lo / ci_hi: its 95 % interval, used where there is only one process.
OPTIONAL_COLUMNS = ("process_medians", "ci_lo", "ci_hi")
GROUP = ["hardware_class", "device", "family", "interval"]
INTERVAL_PREFERENCE = ("between-processes", "within-process")


def comparable_results(results: pd.DataFrame, *, each_kind: bool = False) -> pd.DataFrame:
    """The rows a summary compares, as text, with log_t (log of median_s) and log_var (its variance
    from the measurement). each_kind: keep every interval kind (each is summarised apart)."""
    missing = [c for c in INPUT_COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(f"summary input lacks column(s) {', '.join(missing)}")
    work = _selected(results, each_kind)
    return work.assign(log_t=np.log(work["median_s"].to_numpy(np.float64)), log_var=_log_variance(work))


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column and its distinct values as text (categoricals cost nothing)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(np.int64), column.cat.categories.astype(str).to_numpy()
    codes, uniques = pd.factorize(column)
    return codes.astype(np.int64), np.asarray([str(u) for u in uniques], dtype=object)


def _combined(codes: Sequence[np.ndarray]) -> np.ndarray:
    """One integer per distinct combination of several code columns."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for column in codes:
        width = int(column.max(initial=0)) + 2
        if int(key.max(initial=0)) * width >= 2**62:  # renumber densely before int64 would overflow
            key = pd.factorize(key)[0].astype(np.int64) + 1
        key = key * width + column + 1
    return key


def _selected(results: pd.DataFrame, each_kind: bool) -> pd.DataFrame:
    """The rows that count: default variants, one interval kind per group, newest per configuration.

    Works on integer codes, so 2 million input rows take a second; text is made for the survivors only.
    """
    names = [c for c in INPUT_COLUMNS if c != "median_s"]
    coded = {name: _codes(results[name]) for name in names}
    median = results["median_s"].to_numpy(dtype=np.float64)
    variant_codes, variants = coded["variant"]
    wanted = np.array([in_summaries(v) for v in variants] + [False], dtype=bool)
    keep = wanted[variant_codes] & np.isfinite(median) & (median > 0)  # code -1 (missing) maps to False
    if not each_kind:
        keep &= _preferred_kind(coded, keep)
    rows = np.flatnonzero(keep)
    config = [*GROUP, "machine", "case", "framework", "dtype", "variant", "params"]
    newest = rows[_newest([coded[c][0][rows] for c in config], _ranks(*coded["run_id"])[rows])]
    optional = [c for c in OPTIONAL_COLUMNS if c in results.columns]
    work = pd.DataFrame(results.iloc[newest][["median_s", *optional]]).reset_index(drop=True)
    for name in names:
        codes, uniques = coded[name]
        work[name] = uniques[codes[newest]]
    return work


def _preferred_kind(coded: dict[str, tuple[np.ndarray, np.ndarray]], keep: np.ndarray) -> np.ndarray:
    """Rows of the most trustworthy interval kind (INTERVAL_PREFERENCE, then by name) among the kinds
    that hold at least two frameworks in their hardware class, device and family."""
    interval, kinds = coded["interval"]
    known = [k for k in INTERVAL_PREFERENCE if k in set(kinds)]
    order = {k: i for i, k in enumerate([*known, *sorted(set(kinds) - set(known))])}
    rank = np.array([order[k] for k in kinds] + [len(order)], dtype=np.int64)[interval]
    where = _combined([coded[c][0] for c in GROUP[:3]])
    kind_key = _combined([where, interval])
    rows = np.flatnonzero(keep)
    seen = pd.DataFrame({"kind": kind_key[rows], "framework": coded["framework"][0][rows]}).drop_duplicates()
    frameworks = seen.groupby("kind")["framework"].size()
    usable = keep & np.isin(kind_key, frameworks.index[frameworks >= 2].to_numpy())
    unused = np.iinfo(np.int64).max
    best = pd.Series(np.where(usable, rank, unused)).groupby(where).transform("min").to_numpy()
    return np.asarray(usable & (rank == best))


def _ranks(codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
    """Each row's place in the sorted order of its text value."""
    order = np.argsort(uniques.astype(str), kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return np.asarray(rank[codes], dtype=np.int64)


def _newest(config: Sequence[np.ndarray], run_rank: np.ndarray) -> np.ndarray:
    """Positions of the row with the largest run id per configuration."""
    if len(run_rank) == 0:
        return np.zeros(0, dtype=np.int64)
    key = _combined(config)
    order = np.lexsort((run_rank, key))
    last = np.r_[key[order][1:] != key[order][:-1], True]
    return np.asarray(order[last])


def _log_variance(work: pd.DataFrame) -> np.ndarray:
    """Variance of each result's log median: from its process medians, else from its 95 % interval."""
    var = np.zeros(len(work))
    if "ci_lo" in work.columns and "ci_hi" in work.columns:
        lo, hi = work["ci_lo"].to_numpy(np.float64), work["ci_hi"].to_numpy(np.float64)
        ok = (lo > 0) & (hi >= lo) & np.isfinite(hi)  # NaN compares False: no interval, no noise
        var[ok] = ((np.log(hi[ok]) - np.log(lo[ok])) / (2 * critical_value(NORMAL_FROM_DF))) ** 2
    if "process_medians" not in work.columns or work.empty:
        return var
    values = [np.atleast_1d(np.asarray(v, dtype=np.float64)).ravel() for v in work["process_medians"]]
    counts = np.fromiter((v.size for v in values), dtype=np.int64, count=len(values))
    flat = np.concatenate(values)
    owner = np.repeat(np.arange(len(values)), counts)
    unusable = np.bincount(owner, ~(np.isfinite(flat) & (flat > 0)), len(values)) > 0
    several = (counts >= 2) & ~unusable
    logs = np.log(np.where(several[owner], flat, 1.0))
    mean = np.bincount(owner, logs, len(values)) / np.maximum(counts, 1)
    squares = np.bincount(owner, (logs - mean[owner]) ** 2, len(values))
    spread = squares / np.maximum(counts - 1, 1)
    var[several] = (math.pi / 2) * spread[several] / counts[several]
    return var
