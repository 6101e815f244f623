"""What differs between the environments behind one comparison (versions, threads, BLAS, conditions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

ENV_FIELDS = ("os_tag", "device", "threads", "blas", "numpy", "tensorflow", "torch", "keras", "torchvision")


@dataclass(frozen=True)
class Comparability:
    """What differs between the environments of the runs behind one comparison."""

    differences: tuple[tuple[str, tuple[str, ...]], ...]
    warn: bool
    scope: str  # "runs on one machine" or "machines", for the sentence above the list


def environment_differences(runs: pd.DataFrame, run_ids: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The environment fields (OS, device, threads, BLAS, framework versions) on which these runs differ."""
    subset = runs[runs["run_id"].isin(set(run_ids))]
    differences = []
    for name in ENV_FIELDS:
        values = sorted({str(v) for v in subset[name] if str(v)})
        if len(values) > 1:
            differences.append((name, values))
    return differences


def comparability(runs: pd.DataFrame, run_ids: Iterable[str], scope: str) -> Comparability | None:
    """None when the runs agree on every environment field we track."""
    differences = environment_differences(runs, run_ids)
    if not differences:
        return None
    # Hardware and OS differences are what a cross-machine view is about; software or thread
    # differences mean that a gap may not come from the hardware or the framework alone.
    expected = {"os_tag", "device"} if scope == "machines" else set()
    warn = any(name not in expected for name, _ in differences)
    return Comparability(tuple((n, tuple(v)) for n, v in differences), warn, scope)


def condition_differences(a: str, b: str) -> str:
    """The condition keys on which two results' conditions texts ("key: value; ...") differ, or ""."""

    def parse(text: str) -> dict[str, str]:
        pairs = (item.split(": ", 1) for item in text.split("; ") if ": " in item)
        return {k: v for k, v in pairs}

    left, right = parse(a), parse(b)
    if not left or not right:
        return ""
    differ = sorted(k for k in left.keys() & right.keys() if left[k] != right[k])
    return ", ".join(differ)
