"""How a figure moves across framework versions on one hardware class, and which steps are real.

A *series* is one case (framework, case, variant, dtype, device, size) on one hardware class. Its
points are run results, grouped by the framework's version; the runs of one version pool (each of
their worker processes counts as one measurement). Consecutive versions are compared with the test
of generator/stats/change.py, and within each series Holm's correction keeps the chance of reporting any
false step at most 5 % — so a series with many versions does not cry wolf more often than one with
two. A step is reported when it survives the correction and is at least the minimum effect (5 %).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from generator.stats.change import MIN_EFFECT, Change, Estimate, compare, holm


class SeriesKey(NamedTuple):
    """What a series follows: one case configuration (its parameters as text) on one hardware class.
    `framebench compare` pools each side over hardware classes, and leaves the class empty."""

    hardware_class: str
    framework: str
    case: str
    variant: str
    dtype: str
    device: str
    params: str


@dataclass(frozen=True)
class Point:
    version: str  # the framework's version for this run
    created: str  # the run's time (ISO), for ordering runs of one version
    medians: tuple[float, ...]  # per-process medians, seconds (empty where only `summary` is known)
    run_id: str
    # The medians' Estimate, for points made from a table that keeps only each result's mean, standard
    # error and process count (the site's frames); pooling from it is exact (see `pooled`).
    summary: Estimate | None = None

    def estimate(self) -> Estimate:
        return self.summary if self.summary is not None else Estimate.from_medians(self.medians)


@dataclass(frozen=True)
class Step:
    series: tuple[str, ...]
    before: str  # version
    after: str
    change: Change
    reported: bool  # survives Holm's correction and is at least the minimum effect
    runs_before: int
    runs_after: int


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Orders '2.9.1' before '2.13.0' and '2.14.0rc1' before '2.14.0'; local tags ('+cpu') ignored."""
    main = version.split("+", 1)[0]
    parts: list[tuple[int, str]] = []
    for number, suffix in re.findall(r"(\d+)([a-z]*\d*)", main.lower()):
        # A plain release gets "~", which sorts after every pre-release suffix (a, b, rc, dev).
        parts.append((int(number), suffix or "~"))
    return tuple(parts)


def by_version(points: Iterable[Point]) -> list[tuple[str, list[Point]]]:
    groups: dict[str, list[Point]] = defaultdict(list)
    for p in points:
        groups[p.version].append(p)
    return sorted(groups.items(), key=lambda item: version_key(item[0]))


def pooled(estimates: Sequence[Estimate]) -> Estimate:
    """One Estimate over every process behind `estimates`, the same as Estimate.from_medians of all
    their medians: each one's mean, standard error and process count are its medians' sufficient
    statistics (count, sum and sum of squares)."""
    counts = [e.df + 1 for e in estimates]
    n = sum(counts)
    mean = math.fsum(k * e.mean for k, e in zip(counts, estimates, strict=True)) / n
    if n < 2:
        return Estimate(mean, math.nan, 0)
    # Squares between the means, plus within each estimate: (k - 1) sd^2 with sd = se sqrt(k) (one
    # process has no spread of its own, and its se is NaN).
    squares = math.fsum(
        k * (e.mean - mean) ** 2 + ((k - 1) * k * e.se**2 if k > 1 else 0.0)
        for k, e in zip(counts, estimates, strict=True)
    )
    return Estimate(mean, math.sqrt(squares / (n - 1)) / math.sqrt(n), n - 1)


def version_estimate(points: Sequence[Point]) -> Estimate:
    """The runs of one version pooled: each of their worker processes counts as one measurement."""
    return pooled([p.estimate() for p in points])


def steps_of(series: tuple[str, ...], points: Sequence[Point], min_effect: float = MIN_EFFECT) -> list[Step]:
    """Every step between consecutive versions of one series, with whether it is reported."""
    versions = by_version(points)
    estimates = [version_estimate(pts) for _, pts in versions]
    changes = [compare(a, b, min_effect) for a, b in itertools.pairwise(estimates)]
    testable = [i for i, c in enumerate(changes) if c.verdict != "no verdict"]
    rejected = holm([changes[i].p_value for i in testable])
    survives = {i for i, r in zip(testable, rejected, strict=True) if r}
    return [
        Step(
            series,
            versions[i][0],
            versions[i + 1][0],
            change,
            i in survives and change.verdict in ("slower", "faster"),
            len(versions[i][1]),
            len(versions[i + 1][1]),
        )
        for i, change in enumerate(changes)
    ]


def detect(all_series: dict[tuple[str, ...], list[Point]], min_effect: float = MIN_EFFECT) -> list[Step]:
    """The steps of every series, reported or not, in series order."""
    return [step for key in sorted(all_series) for step in steps_of(key, all_series[key], min_effect)]
