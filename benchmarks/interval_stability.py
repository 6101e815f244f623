"""Do the intervals hold from one run to the next? `make bench-stability` runs the quick ops suite
twice back to back and counts the cases whose 95 % intervals do not overlap (goal: at most 5 %).

    python -m benchmarks.interval_stability [--compare A.json B.json] [--report FILE] [bench ops options]

Two intervals that each cover the true figure 95 % of the time overlap far more often than that, so
a larger share of disjoint pairs means the intervals leave out noise that matters between runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from generator.schema.load import load_run
from generator.schema.models import Run, TimingResult

OUT = Path("bench_results/stability.json")
BIG_CHANGE = 0.05


@dataclass(frozen=True)
class Agreement:
    cases: int  # ok in both runs
    disjoint: list[str]  # cases whose intervals do not overlap
    changed: list[str]  # cases whose estimates differ by more than BIG_CHANGE
    worst_ratio: float  # the largest max(a/b, b/a) over the cases

    @property
    def disjoint_share(self) -> float:
        return len(self.disjoint) / self.cases if self.cases else 0.0


def _ok(run: Run) -> dict[str, TimingResult]:
    found = {}
    for r in run.results:
        if isinstance(r, TimingResult) and r.status == "ok" and r.stats is not None:
            params = ",".join(f"{k}={v}" for k, v in sorted(r.params.items()))
            found[f"{r.framework} {r.case} {r.variant} {r.dtype} {params}"] = r
    return found


def agreement(a: Run, b: Run) -> Agreement:
    """How two runs of one machine agree, case by case."""
    first, second = _ok(a), _ok(b)
    disjoint, changed, worst = [], [], 1.0
    for key in sorted(first.keys() & second.keys()):
        sa, sb = first[key].stats, second[key].stats
        assert sa is not None and sb is not None
        if sa.ci95[1] < sb.ci95[0] or sb.ci95[1] < sa.ci95[0]:
            disjoint.append(key)
        ratio = max(sa.median / sb.median, sb.median / sa.median) if sa.median and sb.median else 1.0
        worst = max(worst, ratio)
        if ratio > 1 + BIG_CHANGE:
            changed.append(key)
    return Agreement(len(first.keys() & second.keys()), disjoint, changed, worst)


def _bench(extra: list[str]) -> tuple[Path, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "bench", "ops", "--quick", *extra],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip().splitlines()[-1]), time.perf_counter() - start


def report(a: Path, b: Path, agreed: Agreement, seconds: list[float]) -> dict[str, object]:
    return {
        "runs": [str(a), str(b)],
        "wall_s": [round(s, 1) for s in seconds],
        "cases": agreed.cases,
        "disjoint_intervals": len(agreed.disjoint),
        "disjoint_share": round(agreed.disjoint_share, 4),
        "changed_over_5_percent": len(agreed.changed),
        "worst_ratio": round(agreed.worst_ratio, 3),
        "goal": "at most 5 % of cases with disjoint 95 % intervals",
        "disjoint_cases": agreed.disjoint,
        "changed_cases": agreed.changed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.interval_stability", description=__doc__)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two run files")
    parser.add_argument("--report", type=Path, default=OUT, help=f"where the figures go (default {OUT})")
    args, extra = parser.parse_known_args(argv)
    if args.compare:
        (a, b), seconds = args.compare, []
    else:
        (a, wall_a), (b, wall_b) = _bench(extra), _bench(extra)
        seconds = [wall_a, wall_b]
    agreed = agreement(load_run(a), load_run(b))
    figures = report(a, b, agreed, seconds)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(
        f"{len(agreed.disjoint)} of {agreed.cases} cases ({100 * agreed.disjoint_share:.1f} %) have "
        f"disjoint 95 % intervals; {len(agreed.changed)} differ by more than {100 * BIG_CHANGE:g} %; "
        f"worst ratio {agreed.worst_ratio:.2f}"
        + (f"; wall time {seconds[0]:.0f} s and {seconds[1]:.0f} s" if seconds else "")
    )
    for key in agreed.disjoint:
        print(f"  disjoint: {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
