"""Timing frames → the series of generator.stats.history: per hardware class and case configuration, the
results of every run as Points over the framework versions they were measured with.

A pure adapter: which steps are real is decided by generator.stats.history (and its test,
generator.stats.change), never here. The frames keep each result's mean of per-process medians, its
process count and the spread of those medians, which is all the pooled test needs (history.pooled is
exact from them).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from generator.catalog.names import FRAMEWORKS
from generator.stats.change import Estimate
from generator.stats.history import Point, SeriesKey, version_key

SERIES_COLUMNS = list(SeriesKey._fields[1:])  # the result's own columns (the class comes from its machine)


@dataclass(frozen=True)
class ClassRuns:
    """What one hardware class holds: its frameworks' versions (oldest first), runs, machines, series."""

    hardware_class: str
    device: str
    versions: dict[str, list[str]]
    runs: int
    machines: int
    series: int  # case configurations measured (framework, case, variant, dtype, parameters)


@dataclass(frozen=True)
class History:
    classes: list[ClassRuns]  # every hardware class with results, by key
    # SeriesKey -> its points (oldest run first), for the series measured with two versions or more.
    series: dict[tuple[str, ...], list[Point]]


def _text(frame: pd.DataFrame, name: str) -> list[str]:
    return [str(v) for v in frame[name]]


def _version_of(runs: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(run id, framework) -> the framework's version in that run ("" when the run does not say)."""
    ids = _text(runs, "run_id")
    return {
        (run_id, name): version
        for name in FRAMEWORKS
        if name in runs.columns
        for run_id, version in zip(ids, _text(runs, name), strict=True)
    }


def result_estimate(median: float, processes: int, sd: float) -> Estimate:
    """A result's Estimate, as Estimate.from_medians of its per-process medians gives it."""
    if processes >= 2 and math.isfinite(sd):
        return Estimate(median, sd / math.sqrt(processes), processes - 1)
    return Estimate(median, math.nan, 0)


def history(
    timings: pd.DataFrame, runs: pd.DataFrame, latest: pd.DataFrame, classes: Mapping[tuple[str, str], str]
) -> History:
    """Every hardware class's runs and versions, and the Points of each series with two versions or more.

    `timings` are TimingRow rows (every run), `runs` RunRow rows, `latest` the newest result per machine
    and configuration (analysis.latest), `classes` maps (machine id, device) to a hardware class.
    """
    ok = timings[(timings["status"] == "ok") & (timings["median"] > 0)]
    # One row per run, device and framework: a few per run, however many results it holds.
    combos = ok[["run_id", "machine_id", "device", "framework"]].drop_duplicates()
    version_of = _version_of(runs)
    versions: dict[tuple[str, str], set[str]] = defaultdict(set)
    class_runs: dict[str, set[str]] = defaultdict(set)
    class_machines: dict[str, set[str]] = defaultdict(set)
    class_device: dict[str, str] = {}
    placed = []
    columns = (_text(combos, n) for n in ("run_id", "machine_id", "device", "framework"))
    for run_id, machine, device, framework in zip(*columns, strict=True):
        cls = classes.get((machine, device), machine)
        class_runs[cls].add(run_id)
        class_machines[cls].add(machine)
        class_device.setdefault(cls, device)
        version = version_of.get((run_id, framework), "")
        if version:
            versions[(cls, framework)].add(version)
            placed.append((run_id, device, framework, cls, version))
    found = [
        ClassRuns(
            cls,
            class_device[cls],
            {fw: sorted(v, key=version_key) for (c, fw), v in sorted(versions.items()) if c == cls},
            len(class_runs[cls]),
            len(class_machines[cls]),
            count,
        )
        for cls, count in sorted(_series_counts(latest, classes).items())
        if cls in class_runs
    ]
    several = {key for key, v in versions.items() if len(v) >= 2}
    wanted = pd.DataFrame(
        [p for p in placed if (p[3], p[2]) in several],
        columns=["run_id", "device", "framework", "hardware_class", "version"],
    )
    return History(found, _series(ok, wanted))


def _series_counts(latest: pd.DataFrame, classes: Mapping[tuple[str, str], str]) -> dict[str, int]:
    """Case configurations per hardware class (latest holds each machine's configurations once)."""
    machines, devices = _text(latest, "machine_id"), _text(latest, "device")
    configs = pd.DataFrame({name: _text(latest, name) for name in SERIES_COLUMNS}).assign(
        hardware_class=[classes.get(md, md[0]) for md in zip(machines, devices, strict=True)]
    )
    counts = configs.drop_duplicates().groupby("hardware_class").size()
    return {str(k): int(v) for k, v in counts.items()}


def _series(ok: pd.DataFrame, wanted: pd.DataFrame) -> dict[tuple[str, ...], list[Point]]:
    """The Points of every series whose framework has two versions or more on its class."""
    if wanted.empty:
        return {}
    rows = ok[ok["run_id"].isin(set(wanted["run_id"]))]
    texts = ["run_id", "created", *SERIES_COLUMNS]
    rows = pd.DataFrame(
        {
            **{name: _text(rows, name) for name in texts},
            **{name: rows[name].to_numpy() for name in ("median", "processes", "process_sd")},
        }
    ).merge(wanted, on=["run_id", "device", "framework"], how="inner")
    points: dict[tuple[str, ...], list[Point]] = defaultdict(list)
    keys = zip(*(_text(rows, n) for n in SeriesKey._fields), strict=True)
    figures = zip(
        rows["median"].tolist(), rows["processes"].tolist(), rows["process_sd"].tolist(), strict=True
    )
    meta = zip(_text(rows, "version"), _text(rows, "created"), _text(rows, "run_id"), strict=True)
    for key, (median, processes, sd), (version, created, run_id) in zip(keys, figures, meta, strict=True):
        estimate = result_estimate(float(median), int(processes), float(sd))
        points[SeriesKey(*key)].append(Point(version, created, (), run_id, estimate))
    return {
        key: sorted(found, key=lambda p: (p.created, p.run_id))
        for key, found in sorted(points.items())
        if len({p.version for p in found}) >= 2
    }
