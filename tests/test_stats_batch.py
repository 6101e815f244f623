"""The build's NumPy statistics check (generator.schema.stats_batch) against the one-by-one check it
stands in for: the same verdict on every run, and the same process_sd to the bit."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.bench.timer import summarize
from generator.errors import ValidationFailed
from generator.schema.load import dump_run, parse_run
from generator.schema.models import Byproducts, Stats, TimingResult, _check_order, _check_stats
from generator.schema.stats_batch import check
from generator.stats.timing import process_sd
from tests.factories import make_machine, make_run, make_timing

FIELDS = ("median", "min", "max", "ci95 low", "ci95 high")


def _stored(stats: Stats, field: str, value: float) -> Stats:
    """`stats` with one figure replaced, unvalidated (the check must judge it, not pydantic)."""
    figures: dict[str, Any] = dict(stats)
    if field.startswith("ci95"):
        low, high = stats.ci95
        figures["ci95"] = (value, high) if field == "ci95 low" else (low, value)
    else:
        figures[field] = value
    return Stats.model_construct(**figures)


def _figure(stats: Stats, field: str) -> float:
    if field.startswith("ci95"):
        return stats.ci95[0] if field == "ci95 low" else stats.ci95[1]
    return float(getattr(stats, field))


@st.composite
def results(draw: st.DrawFn) -> TimingResult:
    """A timing result whose stored statistics are right, nearly right (either side of the
    tolerance), out of order, or of another shape; its process_rounds may not add up."""
    rounds = draw(st.lists(st.integers(1, 7), min_size=0, max_size=5))
    count = sum(rounds) if rounds else draw(st.integers(1, 12))
    scale = draw(st.sampled_from([1e-13, 1e-7, 1e-3, 1.0, 1e3]))
    samples = [scale * x for x in draw(st.lists(st.floats(0, 10), min_size=count, max_size=count))]
    if draw(st.booleans()):  # samples of one value: an end just past the median can stay within tolerance
        samples = [samples[0]] * count
    stats = summarize(samples, 1, rounds)
    change = draw(st.sampled_from(["none", "figure", "figure", "shape", "rounds", "disorder"]))
    if change == "figure":
        field = draw(st.sampled_from(FIELDS))
        step = draw(st.sampled_from([0.5e-6, 1e-6, 1.0000001e-6, 2e-6, 1e-3])) * draw(
            st.sampled_from([1, -1])
        )
        base = _figure(stats, field)
        stats = _stored(stats, field, base + abs(base) * step + draw(st.sampled_from([0.0, 1e-12, 2e-12])))
    elif change == "shape":
        what = draw(st.sampled_from(["rounds", "processes", "interval"]))
        other = "within-process" if stats.interval == "between-processes" else "between-processes"
        value: Any = {"rounds": stats.rounds + 1, "processes": stats.processes + 1, "interval": other}[what]
        stats = Stats.model_construct(**{**dict(stats), what: value})
    elif change == "disorder":  # an end on the wrong side of the median, by a hair
        field = draw(st.sampled_from(["min", "ci95 low", "max", "ci95 high"]))
        sign = 1 if field in ("min", "ci95 low") else -1
        stats = _stored(stats, field, stats.median + sign * abs(stats.median) * 0.5e-6)
    elif change == "rounds" and rounds:
        rounds = [*rounds[:-1], rounds[-1] + 1]
    return TimingResult.model_construct(samples=samples, process_rounds=rounds, stats=stats)


def _one_by_one(result: TimingResult) -> bool:
    assert result.stats is not None
    try:
        _check_order(result.stats)
        _check_stats(result.stats, result.samples, result.process_rounds)
    except ValueError:
        return False
    return True


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(results(), min_size=1, max_size=6))
def test_the_batch_agrees_with_the_check_of_each_result(batch: list[TimingResult]) -> None:
    found = check(batch)
    assert (found is not None) == all(_one_by_one(r) for r in batch)
    if found is not None:
        for result, sd in zip(batch, found, strict=True):
            assert _same(sd, process_sd(result.samples, result.process_rounds))


def _run_bytes(results: list[TimingResult]) -> bytes:
    return dump_run(make_run(results=results, machine=make_machine())).encode()


def _mixed_results() -> list[TimingResult]:
    out = []
    for i, rounds in enumerate(([2, 3], [4, 1, 2], [], [3], [2, 3], [1, 1])):
        samples = [1e-3 * (1 + 0.01 * ((7 * j + i) % 5)) for j in range(sum(rounds) or 5)]
        out.append(make_timing(samples=samples, process_rounds=rounds, stats=summarize(samples, 1, rounds)))
    return out


def test_a_run_read_with_the_batch_is_the_run_read_one_by_one() -> None:
    raw = _run_bytes(_mixed_results())
    plain, batched = Byproducts(), Byproducts(batch=check)
    a, b = parse_run(raw, plain), parse_run(raw, batched)
    assert a == b
    for x, y in zip(a.results, b.results, strict=True):
        assert isinstance(x, TimingResult) and isinstance(y, TimingResult)
        assert _same(plain.process_sd(x), batched.process_sd(y))
    assert batched.process_sds and not batched.deferred


def test_a_run_the_batch_refuses_gets_the_one_by_one_messages() -> None:
    data = json.loads(_run_bytes(_mixed_results()))
    data["results"][4]["stats"]["median"] *= 1.01
    raw = json.dumps(data).encode()
    one_by_one = Byproducts()
    with pytest.raises(ValidationFailed) as plain:
        parse_run(raw, one_by_one)
    batched = Byproducts(batch=check)
    with pytest.raises(ValidationFailed) as fast:
        parse_run(raw, batched)
    assert fast.value.lines == plain.value.lines
    assert plain.value.lines[0].startswith("results.4: stats.median: ")
    # The fast attempt's results are forgotten (their ids may belong to new objects), and the precise
    # attempt checked each result on its own.
    assert len(batched.process_sds) == len(one_by_one.process_sds)
    assert not batched.deferred and batched.batch is None
