"""Is a run's figure believable? Two checks, both pure functions of the runs:

- impossible figures (always an error): GFLOP/s far above the CPU's peak, zero times, top-1 above
  top-5;
- a wrong peak (a warning): a CPU figure above 100 % of its peak (generator.catalog.peaks) but not far
  above it says the peak, an upper bound by construction, is wrong for this CPU;
- outliers (a warning): outside median ± K·MAD of the same figure in comparable runs, i.e. the same
  hardware class (CPU model + architecture, or GPU name) and the same framework major.minor version.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

from generator.catalog.peaks import result_peaks
from generator.contrib.findings import Issue
from generator.machine.identity import hardware_class
from generator.schema.models import AccuracyResult, Run, TimingResult

# The peak is an upper bound, but a core told apart wrongly (flags a hypervisor hides) can halve it:
# only figures clearly beyond it count as impossible; those between 100 % and this say the peak is wrong.
PEAK_MARGIN = 1.5
K_MAD = 5.0
MIN_COMPARABLE = 3
# MAD is 0 when the comparable runs agree exactly; the range never gets narrower than ±K·1%.
MIN_RELATIVE_SPREAD = 0.01

Key = tuple[object, ...]
ZOO_PACKAGE = {"keras": "keras", "pytorch": "torch"}
UNITS = {"stats.median": " s", "top1": " %", "top5": " %", "throughput_img_s": " images/s"}


def _major_minor(version: str | None) -> str:
    if not version:
        return "?"
    return ".".join(version.split("+")[0].split(".")[:2])


def describe_timing(result: TimingResult) -> str:
    params = " ".join(f"{k}={v}" for k, v in sorted(result.params.items()))
    variant = "" if result.variant == "default" else f" {result.variant}"
    return f"{result.case} {result.framework} {result.device} {result.dtype}{variant} {params}".strip()


def figures(run: Run) -> Iterable[tuple[int, str, Key, float]]:
    """(result index, field, comparability key, value) for every figure that can be compared."""
    for i, result in enumerate(run.results):
        if result.status != "ok":
            continue
        if isinstance(result, TimingResult):
            if run.machine is None or result.stats is None:
                continue
            version = _major_minor(run.machine.frameworks.get(result.framework))
            key: Key = (
                "ops",
                hardware_class(run.machine, result.device or "cpu"),
                result.framework,
                version,
                result.family,
                result.case,
                result.device,
                result.dtype,
                result.variant,
                tuple(sorted(result.params.items())),
                result.threads,
            )
            yield i, "stats.median", key, result.stats.median
        else:
            yield from _accuracy_figures(i, run, result)


def _accuracy_figures(i: int, run: Run, result: AccuracyResult) -> Iterable[tuple[int, str, Key, float]]:
    # Accuracy hardly depends on the hardware, so imported runs (no machine) compare with measured ones.
    model: Key = (result.model, result.framework, result.protocol, result.weights, result.input_size)
    for name in ("top1", "top5"):
        value = getattr(result, name)
        if value is not None:
            yield i, name, ("accuracy", name, *model, result.images), value
    if result.throughput_img_s is not None and run.machine is not None:
        version = _major_minor(run.machine.frameworks.get(ZOO_PACKAGE[result.framework]))
        hardware = hardware_class(run.machine, result.device or "cpu")
        key = ("throughput", hardware, version, *model, result.device, result.batch_size)
        yield i, "throughput_img_s", key, result.throughput_img_s


def impossible(run: Run) -> list[Issue]:
    """Figures no machine can produce; each one fails the check."""
    issues: list[Issue] = []
    for i, result in enumerate(run.results):
        if isinstance(result, AccuracyResult):
            if result.top1 is not None and result.top5 is not None and result.top1 > result.top5 + 1e-9:
                issues.append(Issue(f"results.{i}.top1", f"top-1 {result.top1} is above top-5 {result.top5}"))
            if result.status == "ok" and result.throughput_img_s == 0:
                issues.append(Issue(f"results.{i}.throughput_img_s", "an ok result cannot run at 0 images/s"))
            continue
        if (
            result.status == "ok"
            and result.stats is not None
            and (result.stats.min <= 0 or min(result.samples) <= 0)
        ):
            where = f"results.{i} ({describe_timing(result)})"
            issues.append(Issue(where, "a time of 0 s is impossible (every sample must be above zero)"))
    for row in result_peaks(run):
        if row.gflops > PEAK_MARGIN * row.peak.gflops:
            issues.append(
                Issue(
                    f"results.{row.position} ({describe_timing(row.result)})",
                    f"{row.gflops:.4g} GFLOP/s is above {PEAK_MARGIN:g} × this CPU's estimated peak "
                    f"({row.peak.formula})",
                )
            )
    return issues


def wrong_peaks(run: Run) -> list[Issue]:
    """CPU figures above 100 % of their peak (but not impossible): the peak, not the figure, is wrong."""
    return [
        Issue(
            f"results.{row.position} ({describe_timing(row.result)})",
            f"{row.gflops:.4g} GFLOP/s is {row.pct:.0f} % of this CPU's peak, so the peak is wrong for "
            f"this CPU (too low); please report its model and flags ({row.peak.formula})",
        )
        for row in result_peaks(run)
        if 100.0 < row.pct <= 100.0 * PEAK_MARGIN
    ]


class Reference:
    """The figures of existing runs, grouped by comparability key.

    keys: the only keys worth keeping (those of the runs to check), so memory stays small; None = all.
    """

    def __init__(self, keys: Iterable[Key] | None = None) -> None:
        self._keys = None if keys is None else set(keys)
        self._values: dict[Key, dict[str, float]] = defaultdict(dict)

    def add(self, run: Run) -> None:
        for _, _, key, value in figures(run):
            if self._keys is None or key in self._keys:
                # One value per run and key: repeated cases within a run do not outvote other runs.
                self._values[key].setdefault(run.run_id, value)

    def outliers(self, run: Run) -> list[Issue]:
        issues: list[Issue] = []
        for i, field, key, value in figures(run):
            others = [v for run_id, v in self._values.get(key, {}).items() if run_id != run.run_id]
            if len(others) < MIN_COMPARABLE:
                continue
            centre = statistics.median(others)
            mad = statistics.median(abs(v - centre) for v in others)
            spread = max(mad, MIN_RELATIVE_SPREAD * abs(centre))
            low, high = centre - K_MAD * spread, centre + K_MAD * spread
            if low <= value <= high:
                continue
            result = run.results[i]
            label = describe_timing(result) if isinstance(result, TimingResult) else result.model
            unit = UNITS.get(field, "")
            issues.append(
                Issue(
                    f"results.{i}.{field}",
                    f"{label}: {value:.4g}{unit} is outside {low:.4g} to {high:.4g}{unit}, the range of "
                    f"{len(others)} comparable runs (median {centre:.4g} ± {K_MAD:g} × MAD {spread:.3g})",
                )
            )
        return issues
