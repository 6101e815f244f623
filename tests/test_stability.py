"""The run-to-run agreement figure of `make bench-stability`."""

from __future__ import annotations

from pathlib import Path

from benchmarks.interval_stability import agreement, main
from generator.bench.timer import summarize
from generator.schema.load import write_run
from tests.factories import make_run, make_timing


def _timing(n: int, samples: list[float]) -> object:
    return make_timing(params={"n": n}, samples=samples, process_rounds=[], stats=summarize(samples, 1))


def test_disjoint_and_changed_cases_are_counted(tmp_path: Path, capsys: object) -> None:
    a = make_run(results=[_timing(1, [1.0, 1.01, 0.99] * 2), _timing(2, [1.0, 1.01, 0.99] * 2)])
    b = make_run(
        run_id="2026-11-24T12-00-01Z-debian-12-x86_64-abc124",
        results=[_timing(1, [1.2, 1.21, 1.19] * 2), _timing(2, [1.0, 1.02, 0.98] * 2)],
    )
    agreed = agreement(a, b)
    assert agreed.cases == 2 and len(agreed.disjoint) == 1 and "n=1" in agreed.disjoint[0]
    assert len(agreed.changed) == 1 and abs(agreed.worst_ratio - 1.2) < 1e-9
    assert agreed.disjoint_share == 0.5
    out = tmp_path / "stability.json"
    main(["--compare", str(write_run(a, tmp_path)), str(write_run(b, tmp_path)), "--report", str(out)])
    assert '"disjoint_intervals": 1' in out.read_text()
