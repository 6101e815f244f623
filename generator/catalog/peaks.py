"""The CPU's peak arithmetic rate, the denominator of every "% of peak" (pure: no probing here).

peak = physical cores × maximum clock × operations per cycle per core (an FMA counts as 2), plus a
matrix coprocessor where the chip has one beside its cores (Apple's AMX, which Accelerate's BLAS
uses). The operations per cycle come from the core's real FMA datapath (generator.catalog.cores:
one or two 512-bit units, Zen 4's split 512-bit operations, Apple's four 128-bit pipes ...), and
int8 has its own peak (VNNI, AMX tiles, sdot/smmla), because quantized kernels run integer
arithmetic. The clock is the one recorded in the run (the OS's maximum, or measured by
generator.bench.probe); a run that recorded none (runs made before the clock was recorded) gets the
highest boost clock of any part with that core. Each step takes the larger figure when unsure, so
the peak is an upper bound: a result above 100 % of it means the peak is wrong, and
`framebench check` says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from generator.catalog.cores import PEAK_DTYPES, Core, identify
from generator.schema.models import Cpu, Machine, Run, TimingResult

__all__ = [
    "PEAK_DTYPES",
    "Clock",
    "PeakEstimate",
    "ResultPeak",
    "clock_settings",
    "estimate",
    "peak_dtype",
    "peak_for",
    "result_peaks",
]

# Run settings written by the runner and read back here.
CLOCK_MHZ = "cpu.clock_mhz"
CLOCK_SOURCE = "cpu.clock_source"


@dataclass(frozen=True)
class Clock:
    """A CPU clock and how it was found (the OS's report or generator.bench.probe's measurement)."""

    mhz: float
    source: str  # how it was found, shown beside every peak built on it


@dataclass(frozen=True)
class PeakEstimate:
    gflops: float  # billions of operations per second (FLOP for floats, int8 ops for int8)
    source: str  # where the clock came from, short: shown beside every "% of peak"
    formula: str  # the whole calculation, for the methodology and `framebench check`


def peak_dtype(dtype: str, variant: str) -> str:
    """The peak a result is held against: int8 for quantized variants (they compute in int8)."""
    return "int8" if "int8" in variant else dtype


def _clock(core: Core, cpu: Cpu, recorded: Clock | None) -> Clock:
    """The recorded clock; else (or when the chip's own documented maximum is higher) the table's."""
    table = core.max_ghz * 1000
    if core.known_clock and (recorded is None or recorded.mhz < table):
        return Clock(table, f"{core.name} P-core maximum clock (chip table)")
    if recorded is not None:
        return recorded
    if cpu.freq_mhz and cpu.freq_mhz > table:
        return Clock(cpu.freq_mhz, "nominal clock (above the fastest known part; no clock recorded)")
    return Clock(table, f"ceiling: fastest boost clock of any {core.name} part (no clock recorded)")


def estimate(cpu: Cpu, dtype: str, clock: Clock | None) -> PeakEstimate | None:
    """The peak of all physical cores of `cpu` for `dtype` at `clock` (None: the core's table clock)."""
    core = identify(cpu)
    if core is None or dtype not in PEAK_DTYPES:
        return None
    clock = _clock(core, cpu, clock)
    cores = cpu.cores_physical or cpu.cores_logical
    ghz = clock.mhz / 1000
    per_cycle = core.per_cycle(dtype)
    gflops = cores * ghz * per_cycle
    unit, rate = (f"{dtype} FLOP", "GFLOP/s") if dtype != "int8" else ("int8 op", "GOP/s")
    formula = (
        f"{cores} cores × {ghz:.3g} GHz × {per_cycle} {unit}/cycle ({core.name}: {core.datapath(dtype)})"
    )
    if core.matrix is not None:
        matrix = core.matrix.units * ghz * core.matrix.per_cycle[dtype]
        gflops += matrix
        formula += (
            f" + {core.matrix.units} {core.matrix.name} units × {ghz:.3g} GHz × "
            f"{core.matrix.per_cycle[dtype]} {unit}/cycle"
        )
    formula += f" = {gflops:.4g} {rate}; clock: {clock.source}"
    return PeakEstimate(gflops=gflops, source=f"{clock.source} ({clock.mhz:.0f} MHz)", formula=formula)


def recorded_clock(settings: Mapping[str, object]) -> Clock | None:
    """The clock a run recorded in its settings, or None (older runs)."""
    mhz, source = settings.get(CLOCK_MHZ), settings.get(CLOCK_SOURCE)
    if isinstance(mhz, (int, float)) and not isinstance(mhz, bool) and mhz > 0 and isinstance(source, str):
        return Clock(float(mhz), source)
    return None


def clock_settings(clock: Clock | None) -> dict[str, float | str]:
    """The settings that record `clock` in a run (empty when none was found)."""
    return {} if clock is None else {CLOCK_MHZ: round(clock.mhz, 1), CLOCK_SOURCE: clock.source[:200]}


def peak_for(machine: Machine, settings: Mapping[str, object], dtype: str) -> PeakEstimate | None:
    """The peak of a run's machine for `dtype` (float32, float64 or int8), or None when unknown.

    Uses the clock the run recorded; runs without one (made before it was recorded) get the core's
    clock ceiling, so the figure is sound for every committed run. The site calls this.
    """
    return estimate(machine.cpu, dtype, recorded_clock(settings))


class ResultPeak(NamedTuple):
    """One CPU result of a run beside its peak."""

    position: int  # in run.results
    result: TimingResult
    gflops: float  # from the FLOP count and the median time
    peak: PeakEstimate

    @property
    def pct(self) -> float:
        return 100.0 * self.gflops / self.peak.gflops


def result_peaks(run: Run) -> Iterator[ResultPeak]:
    """Every ok CPU result of `run` with a FLOP count and a known peak, each with that peak."""
    if run.machine is None:
        return
    for i, result in enumerate(run.results):
        if not isinstance(result, TimingResult) or result.status != "ok" or result.stats is None:
            continue
        if result.device != "cpu" or not result.flops or result.stats.min <= 0:
            continue  # GPU results have no CPU peak; a zero time is reported elsewhere
        peak = peak_for(run.machine, run.settings, peak_dtype(result.dtype, result.variant))
        if peak is not None and peak.gflops > 0:
            yield ResultPeak(i, result, result.flops / result.stats.median / 1e9, peak)
