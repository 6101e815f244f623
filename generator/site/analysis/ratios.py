"""Framework against framework on the same machine and configuration, and geo-mean summaries."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from generator.catalog.cases import SUMMARY_VARIANTS
from generator.catalog.names import FRAMEWORK_PAIRS
from generator.site.analysis.comparability import condition_differences
from generator.stats.verdicts import FASTER, SLOWER, verdict

RATIO_KEY = ["machine_id", "os_tag", "family", "case", "device", "dtype", "variant", "params", "size"]
RATIO_COLUMNS = [
    *RATIO_KEY,
    "pair",
    "framework_a",
    "framework_b",
    "ratio",
    "ratio_lo",
    "ratio_hi",
    "verdict",
    "interval",
    "differs",
    "run_id_a",
    "run_id_b",
]
UNLIKE_INTERVALS = "no verdict (intervals of different kinds)"


def framework_ratios(latest: pd.DataFrame) -> pd.DataFrame:
    """Speed-up of framework A over B on the same machine, device and case: time_B / time_A.

    The interval combines the two medians' 95 % intervals at their extremes (B low / A high to
    B high / A low); with independent results it covers the true ratio with at least 0.95² ≈ 90 %.
    `differs` names the conditions (threads, mode, library ...) that the two results ran under
    differently. The verdict reads the interval in the words of generator.stats.verdicts ("faster"
    needs the whole interval above 1 and beyond the ±5 % margin, "can't tell" spans 1, "too noisy to
    call" spans more than a factor of 3), and needs both intervals of the same kind (within one
    process, or between independent processes): an interval of one kind says nothing about the noise
    the other covers.
    """
    keep = [*RATIO_KEY, "framework", "median", "ci_lo", "ci_hi", "interval", "conditions", "run_id"]
    frames = []
    for a, b in FRAMEWORK_PAIRS:
        left = latest.loc[latest["framework"] == a, keep]
        right = latest.loc[latest["framework"] == b, keep]
        merged = left.merge(right, on=RATIO_KEY, suffixes=("_a", "_b"), how="inner")
        if not merged.empty:
            frames.append(merged.assign(pair=f"{a} vs {b}"))
    if not frames:
        return pd.DataFrame(columns=RATIO_COLUMNS)
    both = pd.concat(frames, ignore_index=True)
    both["ratio"] = both["median_b"] / both["median_a"]
    both["ratio_lo"] = both["ci_lo_b"] / both["ci_hi_a"]
    both["ratio_hi"] = both["ci_hi_b"] / both["ci_lo_a"]
    same_kind = both["interval_a"] == both["interval_b"]
    both["interval"] = np.where(same_kind, both["interval_a"], "mixed")
    both["verdict"] = [
        verdict(lo, hi, True, above=FASTER, below=SLOWER) if same else UNLIKE_INTERVALS
        for lo, hi, same in zip(both["ratio_lo"], both["ratio_hi"], same_kind, strict=True)
    ]
    both["differs"] = [
        condition_differences(a, b) for a, b in zip(both["conditions_a"], both["conditions_b"], strict=True)
    ]
    order = ["pair", "machine_id", "family", "case", "device", "dtype", "variant", "size", "params"]
    return both[RATIO_COLUMNS].sort_values(order, kind="stable").reset_index(drop=True)


def ranking(latest: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Frameworks ranked per group: geo-mean of time / best time over configurations that every
    framework of the group measured, and in how many of them each was the fastest.

    A configuration is one machine, device, case, dtype and parameter set, of a variant that enters
    summaries (generator.catalog.cases.in_summaries: no int8, pruned or compiled variants);
    only configurations measured by all the group's frameworks count, so each framework is judged on
    the same work.
    """
    config = ["machine_id", "device", "case", "dtype", "variant", "params"]
    columns = [*by, "framework", "relative", "wins", "configs"]
    work = latest[latest["variant"].isin(SUMMARY_VARIANTS)]
    if work.empty:
        return pd.DataFrame(columns=columns)
    frameworks = work.groupby(list(by), observed=True)["framework"].transform("nunique")
    per_config = work.groupby([*by, *config], observed=True)["framework"].transform("nunique")
    common = work[per_config == frameworks]
    if common.empty:
        return pd.DataFrame(columns=columns)
    best = common.groupby([*by, *config], observed=True)["median"].transform("min")
    common = common.assign(
        log_rel=np.log(common["median"] / best), win=(common["median"] == best).astype(int)
    )
    out = common.groupby([*by, "framework"], observed=True).agg(
        log_rel=("log_rel", "mean"), wins=("win", "sum"), configs=("median", "size")
    )
    out["relative"] = np.exp(out["log_rel"])
    out = out.reset_index().sort_values([*by, "relative", "framework"], kind="stable")
    return out[columns].reset_index(drop=True)
