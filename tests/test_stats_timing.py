"""The statistics behind every published interval, and validation recomputing them from the samples."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from generator.bench import timer
from generator.errors import ValidationFailed
from generator.schema.load import parse_run
from generator.schema.migrate import migrate
from generator.stats.distributions import t975
from generator.stats.timing import (
    describe,
    median_ci_ranks,
    process_medians,
    process_sd,
    process_spread,
)
from tests.factories import make_run, make_timing


def test_small_samples_say_their_true_confidence() -> None:
    assert median_ci_ranks(5)[2] == pytest.approx(0.9375)  # [min, max] of 5 samples
    assert median_ci_ranks(6)[2] == pytest.approx(1 - 2 / 64)
    assert describe([1.0, 2.0, 3.0, 4.0, 5.0]).confidence == pytest.approx(0.9375)
    assert median_ci_ranks(100)[2] >= 0.95


def test_one_process_gives_the_within_process_interval() -> None:
    s = describe([3.0, 1.0, 2.0, 5.0, 4.0, 6.0, 7.0])
    assert s.interval == "within-process" and s.processes == 1
    assert s.median == 4.0 and s.ci95 == (1.0, 7.0)


def test_between_processes_interval_is_a_t_interval_over_process_medians() -> None:
    groups = [[1.0, 1.0, 1.0], [1.2, 1.2, 1.2], [1.1, 1.1, 1.1]]
    s = describe([x for g in groups for x in g], [3, 3, 3])
    assert s.interval == "between-processes" and s.processes == 3
    assert s.median == pytest.approx(1.1)  # the mean of the per-process medians
    half = t975(2) * 0.1 / math.sqrt(3)
    assert s.ci95 == pytest.approx((1.1 - half, 1.1 + half))
    assert process_spread([x for g in groups for x in g], [3, 3, 3]) == pytest.approx(0.2 / 1.1)


def test_process_rounds_must_add_up() -> None:
    with pytest.raises(ValueError, match="add up"):
        describe([1.0, 2.0, 3.0], [1, 1])


def _simulated_run(rng: random.Random, processes: int) -> tuple[float, float]:
    """One case measured in `processes` processes: each process lands at its own level (sd 5 %),
    samples scatter 2 % around it. Returns the interval."""
    samples, rounds = [], []
    for _ in range(processes):
        level = 1.0 * math.exp(rng.gauss(0, 0.05))
        n = rng.randint(6, 20)
        samples += [level * math.exp(rng.gauss(0, 0.02)) for _ in range(n)]
        rounds.append(n)
    return describe(samples, rounds).ci95


def test_two_runs_intervals_overlap_when_process_noise_dominates() -> None:
    """The failure this design fixes: within-process intervals of two runs miss each other when each
    process lands at its own level; between-process intervals overlap at least 95 % of the time."""
    rng = random.Random(7)
    trials = 2000
    overlap = 0
    covered = 0
    for _ in range(trials):
        a, b = _simulated_run(rng, 3), _simulated_run(rng, 3)
        overlap += a[0] <= b[1] and b[0] <= a[1]
        covered += a[0] <= 1.0 <= a[1]  # the true typical level is 1.0 (median of the process levels)
    assert overlap / trials >= 0.97
    assert covered / trials >= 0.93
    # One process per run: the within-process interval misses the other run most of the time.
    rng = random.Random(7)
    misses = sum(
        not (a[0] <= b[1] and b[0] <= a[1])
        for a, b in ((_simulated_run(rng, 1), _simulated_run(rng, 1)) for _ in range(500))
    )
    assert misses / 500 > 0.3


def test_sequential_stopping_keeps_the_reported_coverage() -> None:
    """Stopping at the first narrow interval picks lucky streaks; the stricter stopping check keeps
    the reported 95 % interval's coverage of the true median."""
    rng = random.Random(3)
    trials, covered = 3000, 0
    for _ in range(trials):
        samples: list[float] = []
        while len(samples) < 60:
            samples.append(math.exp(rng.gauss(0, 0.012)))  # true median 1.0
            if len(samples) >= timer.MIN_ROUNDS and timer.stop_width(samples) <= timer.TARGET_REL_CI:
                break
        lo, hi = describe(samples).ci95
        covered += lo <= 1.0 <= hi
    assert covered / trials >= 0.945


def _file_with(result: dict[str, object]) -> bytes:
    data = json.loads(make_run().model_dump_json())
    data["results"] = [result]
    return json.dumps(data).encode()


def test_validation_rejects_statistics_that_contradict_the_samples() -> None:
    result = json.loads(make_timing().model_dump_json())
    result["samples"] = [5.0, 5.0, 5.0]
    result["stats"].update(median=0.01, mean=5.0, min=0.01, max=5.0, ci95=[0.01, 0.01], rounds=3)
    with pytest.raises(ValidationFailed) as e:
        parse_run(_file_with(result))
    assert e.value.lines[0].startswith("results.0: stats.median: 0.01 disagrees with the samples")


def test_validation_rejects_wrong_rounds_and_process_rounds() -> None:
    result = json.loads(make_timing().model_dump_json())
    result["stats"]["rounds"] = 9
    with pytest.raises(ValidationFailed, match="rounds 9"):
        parse_run(_file_with(result))
    result = json.loads(make_timing().model_dump_json())
    result["process_rounds"] = [2, 2]
    with pytest.raises(ValidationFailed, match="process_rounds"):
        parse_run(_file_with(result))


def test_version_1_files_migrate_to_within_process_intervals() -> None:
    data = json.loads(make_run().model_dump_json())
    data["schema_version"] = 1
    for r in data["results"]:
        for key in ("interval", "confidence", "processes"):
            del r["stats"][key]
    run = parse_run(json.dumps(data).encode())
    stats = run.results[0].stats  # type: ignore[union-attr]
    assert run.schema_version == 2 and stats is not None
    assert stats.interval == "within-process" and stats.processes == 1
    assert stats.confidence == pytest.approx(0.9375)
    assert migrate({"schema_version": 1, "results": "junk"})["schema_version"] == 2


def test_committed_runs_hold_their_statistics() -> None:
    for path in sorted(Path("runs").rglob("*.json")):
        run = parse_run(path.read_bytes())
        for r in run.results:
            stats = getattr(r, "stats", None)
            if stats is not None:
                assert stats.rounds == len(r.samples)  # type: ignore[union-attr]


def test_process_sd_is_the_spread_of_the_process_medians_to_the_bit() -> None:
    # estimate() inlines the per-process median for speed; it must equal quantile(group, 0.5) exactly.
    rng = random.Random(7)
    for _ in range(2000):
        rounds = [rng.randint(1, 9) for _ in range(rng.randint(2, 6))]
        samples = [rng.lognormvariate(-10, 1) for _ in range(sum(rounds))]
        medians = process_medians(samples, rounds)
        center = math.fsum(medians) / len(medians)
        want = math.sqrt(math.fsum([(m - center) * (m - center) for m in medians]) / (len(medians) - 1))
        assert process_sd(samples, rounds) == want
        assert describe(samples, rounds).median == center
    assert math.isnan(process_sd([1.0, 2.0], [2]))


def test_the_estimate_of_equal_samples_stays_within_them() -> None:
    # The mean of three equal medians, rounded, is one ulp above them; a result must still read
    # min <= median <= max, or the runner could not record it.
    for value in (1e-13, 0.1, 3.3e-7):
        samples = [value] * 3
        summary = describe(samples, [1, 1, 1])
        assert summary.min <= summary.median <= summary.max
        assert summary.ci95[0] <= summary.median <= summary.ci95[1]
        make_timing(samples=samples, process_rounds=[1, 1, 1], stats=timer.summarize(samples, 1, [1, 1, 1]))
