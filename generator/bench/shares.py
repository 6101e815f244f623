"""Merging one case's shares from several independent worker processes into one result.

Each process times every case it is given and reports a *share*: its samples, loop count, metrics,
conditions and warnings. The result in the run file holds all shares' samples in process order
with `process_rounds` saying which came from which process, and statistics recomputed over them, so
the file is a valid, complete record after every share (a crash keeps what was measured).
"""

from __future__ import annotations

import math
from typing import Any

from generator.bench.timer import summarize
from generator.schema.models import TimingResult
from generator.stats import timing as statistics

UNSTABLE_SPREAD = 0.10  # per-process medians further apart than this make a case "unstable"
SPREAD_WARNING = "unstable: per-process medians spread "
MAX_WARNINGS = 32
# Metrics that describe disturbance: the worst process counts. The rest are the first process's.
WORST_OF = ("other_cores", "steal_fraction", "max_abs_err", "max_rel_err")


def processes_done(result: TimingResult | None) -> int:
    """How many processes have measured this case; a case that could not run counts as finished."""
    if result is None:
        return 0
    if result.status != "ok":
        return 1_000_000
    return len(result.process_rounds) or 1


def _derived(share: dict[str, Any], median: float) -> dict[str, float]:
    metrics = {k: v for k, v in share.get("metrics", {}).items() if k not in ("gflops", "items_per_s")}
    if share.get("flops") and median > 0:
        metrics["gflops"] = float(share["flops"]) / median / 1e9
    if share.get("items") and median > 0:
        metrics["items_per_s"] = float(share["items"]) / median
    return metrics


def _with_stats(data: dict[str, Any], samples: list[float], rounds: list[int], loops: int) -> dict[str, Any]:
    stats = summarize(samples, loops, rounds)
    warnings = [w for w in data.get("warnings", []) if not w.startswith(SPREAD_WARNING)]
    spread = statistics.process_spread(samples, rounds)
    if spread > UNSTABLE_SPREAD:
        warnings.append(f"{SPREAD_WARNING}{100 * spread:.0f} % (min to max over {len(rounds)} processes)")
    return {
        **data,
        "samples": samples,
        "process_rounds": rounds,
        "stats": stats.model_dump(mode="json"),
        "metrics": _derived(data, stats.median),
        "warnings": _unique(warnings)[:MAX_WARNINGS],
    }


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _identity(share: dict[str, Any]) -> list[dict[str, Any]]:
    return [share["worker"]] if "worker" in share else []


def first_share(share: dict[str, Any]) -> dict[str, Any]:
    """The result data of a case measured by one process so far."""
    data = {k: v for k, v in share.items() if k not in ("loops", "worker")}
    if share.get("status") != "ok":
        return data
    data["workers"] = _identity(share)
    samples = list(share["samples"])
    return _with_stats(data, samples, [len(samples)], int(share["loops"]))


def add_share(previous: TimingResult, share: dict[str, Any], index: int) -> dict[str, Any]:
    """The result data of `previous` (ok) with one more process's share merged in."""
    data = previous.model_dump(mode="json")
    if share.get("status") != "ok":
        note = f"process {index + 1} {share.get('status')}: {share.get('error') or ''}"[:300]
        return {**data, "warnings": _unique([*data["warnings"], note])[:MAX_WARNINGS]}
    rounds = list(previous.process_rounds) or [len(previous.samples)]
    samples = [*previous.samples, *share["samples"]]
    metrics = dict(data["metrics"])
    for key, value in share.get("metrics", {}).items():
        if key in WORST_OF:
            metrics[key] = max(value, metrics.get(key, -math.inf))
        elif key == "stopped_by_precision":  # the share of processes that reached the target
            metrics[key] = (metrics.get(key, 0.0) * len(rounds) + value) / (len(rounds) + 1)
        elif key == "clock_change":
            metrics[key] = max(value, metrics.get(key, 0.0), key=abs)
        else:
            metrics.setdefault(key, value)
    warnings = [*data["warnings"], *share.get("warnings", [])]
    if share.get("conditions", {}) != data["conditions"]:
        changed = sorted(
            k
            for k in {*share.get("conditions", {}), *data["conditions"]}
            if share.get("conditions", {}).get(k) != data["conditions"].get(k)
        )
        warnings.append(f"process {index + 1} ran under other conditions: {', '.join(changed)}")
    loops = min(previous.stats.loops if previous.stats else 1, int(share["loops"]))
    # Every process has its worker recorded, or none does (a run resumed from before it was recorded).
    known = data.get("workers", [])
    workers = [*known, *_identity(share)] if len(known) == len(rounds) else []
    merged = {**data, "metrics": metrics, "warnings": warnings, "workers": workers}
    return _with_stats(merged, samples, [*rounds, len(share["samples"])], loops)


def merge(previous: TimingResult | None, share: dict[str, Any]) -> dict[str, Any]:
    """Result data after `share`: the first share, or `previous` with `share` added."""
    if previous is None or previous.status != "ok":
        return first_share(share)
    return add_share(previous, share, processes_done(previous))
