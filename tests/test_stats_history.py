"""Change detection over framework versions: finds a planted 20 % step, stays quiet on pure noise."""

from __future__ import annotations

import math
import random

from generator.stats.history import Point, detect, steps_of, version_key

VERSIONS = ["2.10.0", "2.11.0", "2.12.1", "2.13.0", "2.14.1"]
SEEDS = 300


def _history(rng: random.Random, step_at: int | None, size: float = 0.20) -> list[Point]:
    """Two runs per version, three processes each; process-to-process noise 3 %."""
    points = []
    for i, version in enumerate(VERSIONS):
        level = 1.0 * (1 + size if step_at is not None and i >= step_at else 1.0)
        for run in range(2):
            medians = tuple(level * math.exp(rng.gauss(0, 0.03)) for _ in range(3))
            points.append(Point(version, f"2026-01-0{i + 1}T0{run}:00:00Z", medians, f"r{i}{run}"))
    return points


def test_versions_sort_as_releases() -> None:
    ordered = sorted(["2.13.0+cpu", "2.9.1", "2.14.0", "2.14.0rc1", "2.10.0"], key=version_key)
    assert ordered == ["2.9.1", "2.10.0", "2.13.0+cpu", "2.14.0rc1", "2.14.0"]


def test_a_planted_20_percent_step_is_found_at_least_95_percent_of_the_time() -> None:
    rng = random.Random(11)
    found = 0
    for _ in range(SEEDS):
        steps = steps_of(("s",), _history(rng, step_at=3))
        reported = [s for s in steps if s.reported]
        found += any(
            s.before == "2.12.1" and s.after == "2.13.0" and s.change.verdict == "slower" for s in reported
        )
    assert found / SEEDS >= 0.95


def test_pure_noise_reports_a_step_in_at_most_5_percent_of_histories() -> None:
    rng = random.Random(12)
    false_alarms = sum(any(s.reported for s in steps_of(("s",), _history(rng, None))) for _ in range(SEEDS))
    assert false_alarms / SEEDS <= 0.05


def test_detect_covers_every_series_and_counts_runs() -> None:
    rng = random.Random(13)
    steps = detect({("a",): _history(rng, None), ("b",): _history(rng, step_at=1)})
    assert [s.series for s in steps] == [("a",)] * 4 + [("b",)] * 4
    assert all(s.runs_before == 2 and s.runs_after == 2 for s in steps)
    assert next(s.reported for s in steps if s.series == ("b",))
