"""`make bench-verdicts`: how wide, how well calibrated and how powerful the published verdicts are,
measured on the committed runs (no new timing), printed and written to bench_results/verdicts.json.

- width: per ops run with several processes, the median half-width of its per-case 95 % intervals as
  the file stores them and as the site publishes them (moderated by the noise model), and the share of
  published intervals spanning more than a factor of 3;
- calibration: every pair of ops runs of one machine with the same framework versions, compared as
  `framebench compare` does: the share of cases it flags (goal: at most 5 %), and the share whose
  intervals alone give p < 0.05 (goal: 2 to 8 %);
- power: into a copy of the newer run of each pair, every case slowed down by twice the smallest
  change the comparison says it could detect: the share of cases then called "slower" (goal: 90 %).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from generator.bench.timer import summarize
from generator.compare import Comparison, compare_runs
from generator.machine.identity import hardware_class, machine_key
from generator.schema.load import dump_run, load_runs
from generator.schema.models import Run, TimingResult
from generator.site.tidy import timing_columns
from generator.stats.timing import process_sd
from generator.stats.verdicts import CANT_TELL, MAX_SPAN, NO_VERDICT, SLOWER, TOO_NOISY

QUIET = (CANT_TELL, TOO_NOISY, NO_VERDICT)  # what says nothing changed that it could see


def _series(r: TimingResult) -> tuple[str, ...]:
    """A result's case configuration as compare keys it (SeriesKey without the hardware class)."""
    params = ",".join(f"{k}={v}" for k, v in sorted(r.params.items()))
    return (r.framework, r.case, r.variant, r.dtype, r.device, params)


def width(run: Run) -> dict[str, Any]:
    """Median relative half-width of the stored and the published intervals of a run's results."""
    timings = [r for r in run.results if isinstance(r, TimingResult) and r.status == "ok" and r.stats]
    sds = [process_sd(r.samples, r.process_rounds) for r in timings]
    columns = timing_columns(run, "m", timings, sds)
    rows = zip(columns["ci_lo"], columns["ci_hi"], columns["median"], timings, strict=True)
    between = [(lo, hi, m, r.stats) for lo, hi, m, r in rows if r.stats and r.stats.processes >= 2]
    published = [(hi - lo) / 2 / m for lo, hi, m, _ in between]
    stored = [(s.ci95[1] - s.ci95[0]) / 2 / s.median for _, _, _, s in between]
    spans = [hi / lo for lo, hi, _, _ in between if lo > 0]
    return {
        "run": run.run_id,
        "processes": statistics.median(s.processes for _, _, _, s in between) if between else 0,
        "cases": len(between),
        "stored_half_width": round(statistics.median(stored), 4) if stored else None,
        "published_half_width": round(statistics.median(published), 4) if published else None,
        "wider_than_3x": round(sum(x > MAX_SPAN for x in spans) / len(spans), 4) if spans else None,
    }


def _slowed(run: Run, factors: dict[tuple[str, ...], float]) -> Run:
    """A copy of `run` whose cases are `factors` times slower (samples and stats alike)."""
    results = []
    for r in run.results:
        factor = factors.get(_series(r)) if isinstance(r, TimingResult) else None
        if isinstance(r, TimingResult) and factor and r.stats:
            samples = [s * factor for s in r.samples]
            loops = r.stats.loops
            r = r.model_copy(
                update={"samples": samples, "stats": summarize(samples, loops, r.process_rounds)}
            )
        results.append(r)
    return run.model_copy(update={"results": results})


def _key(row_key: Any) -> tuple[str, ...]:
    return (row_key.framework, row_key.case, row_key.variant, row_key.dtype, row_key.device, row_key.params)


def calibration(base: Path, new: Path, work: Path) -> dict[str, Any]:
    """One same-version pair: what compare flags, what p < 0.05 alone would, and the planted power."""
    placebo: Comparison = compare_runs([base], [new])
    rows = [r for r in placebo.rows if r.verdict != "no verdict"]
    flagged = [r for r in rows if r.verdict not in QUIET and not r.verdict.startswith("same")]
    raw = [r for r in rows if r.p_value < 0.05]
    (newer,) = load_runs([new])
    factors = {_key(r.key): 1 + 2 * (r.detectable - 1) for r in rows}
    # Labelled as other versions, as a real regression would be: else compare would count the pair as
    # repeated runs of one version and take the planted shift for run-to-run noise.
    slowed = _slowed(newer, factors)
    assert slowed.machine is not None
    versions = {k: f"{v}+planted" for k, v in slowed.machine.frameworks.items()}
    slowed = slowed.model_copy(update={"machine": slowed.machine.model_copy(update={"frameworks": versions})})
    planted = work / "planted" / f"{newer.run_id}.json"
    planted.parent.mkdir(exist_ok=True)
    planted.write_text(dump_run(slowed))
    found = compare_runs([base], [planted])
    called = [r for r in found.rows if r.verdict == SLOWER]
    return {
        "base": base.name,
        "new": new.name,
        "cases": len(rows),
        "flagged": round(len(flagged) / len(rows), 4) if rows else None,
        "p_below_0.05": round(len(raw) / len(rows), 4) if rows else None,
        "median_detectable": round(statistics.median(r.detectable for r in rows), 4) if rows else None,
        "run_to_run_sd": round(placebo.run_noise.sd, 4),
        "planted_twice_detectable_called_slower": round(len(called) / len(rows), 4) if rows else None,
    }


def measure(runs_dir: Path) -> dict[str, Any]:
    paths = sorted(runs_dir.rglob("*.json"))
    runs = {p: r for p, r in zip(paths, load_runs(paths), strict=True) if r.kind == "ops" and r.machine}
    widths = [width(r) for r in runs.values()]
    groups: dict[tuple[str, ...], list[Path]] = defaultdict(list)
    for path, run in runs.items():
        assert run.machine is not None
        suite = run.command.split(" --out")[0]
        versions = tuple(sorted(f"{k}={v}" for k, v in run.machine.frameworks.items()))
        hardware = hardware_class(run.machine, "cpu")  # one host may be moved to other hardware
        groups[(machine_key(run.machine), hardware, suite, *versions)].append(path)
    pairs = []
    with tempfile.TemporaryDirectory(prefix="fb-verdicts-") as tmp:
        for members in groups.values():
            ordered = sorted(members, key=lambda p: p.name)
            pairs += [calibration(a, b, Path(tmp)) for a, b in itertools.pairwise(ordered)]
    return {"benchmark": "verdicts", "widths": widths, "same_version_pairs": pairs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.verdicts", description=__doc__)
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    parser.add_argument("--out", type=Path, default=Path("bench_results/verdicts.json"))
    args = parser.parse_args(argv)
    result = measure(args.runs)
    args.out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    for row in result["widths"]:
        print(json.dumps(row), file=sys.stderr)
    for row in result["same_version_pairs"]:
        print(json.dumps(row), file=sys.stderr)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
