"""The CPU peak: cores identified from recorded flag sets, the clock it uses, and the committed runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.bench import runner
from generator.bench.options import Plan
from generator.catalog.cores import identify
from generator.catalog.peaks import (
    PEAK_DTYPES,
    Clock,
    clock_settings,
    estimate,
    peak_dtype,
    peak_for,
    result_peaks,
)
from generator.schema.load import load_run, run_paths
from generator.schema.models import Cpu
from tests.factories import make_machine, make_run, make_timing
from tests.test_peak_cpus import RECORDED, Recorded

COMMITTED_RUNS = Path(__file__).parent.parent / "runs"
CLOCK = Clock(6500.0, "measured: test clock")  # above every table clock, so it is the one used


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_core_and_per_cycle_rates_of_recorded_cpus(name: str) -> None:
    recorded = RECORDED[name]
    core = identify(recorded.cpu)
    assert core is not None and recorded.core in core.name
    assert tuple(core.per_cycle(d) for d in PEAK_DTYPES) == recorded.per_core


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_peak_is_cores_times_clock_times_rate_plus_matrix_units(name: str) -> None:
    recorded: Recorded = RECORDED[name]
    cores = recorded.cpu.cores_physical or 0
    for dtype, per_core, matrix in zip(PEAK_DTYPES, recorded.per_core, recorded.matrix, strict=True):
        peak = estimate(recorded.cpu, dtype, CLOCK)
        assert peak is not None
        assert peak.gflops == pytest.approx(6.5 * (cores * per_core + matrix))
        assert peak.source == "measured: test clock (6500 MHz)"
        assert f"{cores} cores × 6.5 GHz × {per_core} {dtype}" in peak.formula


def test_two_fma_units_double_the_one_unit_parts() -> None:
    two = estimate(RECORDED["skylake-gold-6148"].cpu, "float32", CLOCK)
    one = estimate(RECORDED["skylake-silver-4114"].cpu, "float32", CLOCK)
    assert two is not None and one is not None and two.gflops == pytest.approx(2 * one.gflops)


def test_without_a_recorded_clock_the_core_ceiling_is_used() -> None:
    spr = RECORDED["sapphire-rapids"].cpu  # nominal 2.2 GHz; Xeon w9-3495X boosts to 4.8 GHz
    peak = peak_for(make_machine().model_copy(update={"cpu": spr}), {}, "float32")
    assert peak is not None and peak.gflops == pytest.approx(2 * 4.8 * 64)
    assert peak.source.startswith("ceiling: fastest boost clock of any Intel Sapphire/Emerald Rapids part")


def test_apple_chips_use_their_documented_clock_over_a_lower_measurement() -> None:
    m2 = RECORDED["apple-m2"].cpu
    on_an_efficiency_core = estimate(m2, "float32", Clock(2400.0, "measured: chain"))
    assert on_an_efficiency_core is not None
    assert on_an_efficiency_core.gflops == pytest.approx(3.7 * (8 * 32 + 2 * 512))
    assert on_an_efficiency_core.source == "Apple M2 P-core maximum clock (chip table) (3700 MHz)"
    unknown_chip = m2.model_copy(update={"model": "Apple M9"})
    measured = estimate(unknown_chip, "float32", Clock(2400.0, "measured: chain"))
    assert measured is not None and measured.source == "measured: chain (2400 MHz)"


def test_a_nominal_clock_above_the_ceiling_wins() -> None:
    cpu = RECORDED["neoverse-v1"].cpu.model_copy(update={"freq_mhz": 3000.0})  # table says 2.6 GHz
    peak = estimate(cpu, "float32", None)
    assert peak is not None and peak.gflops == pytest.approx(4 * 3.0 * 32) and "nominal" in peak.source


def test_recorded_clock_is_read_back_from_settings() -> None:
    machine = make_machine(freq_mhz=2000.0)
    settings: dict[str, object] = {**clock_settings(Clock(3500.0, "cpufreq cpuinfo_max_freq")), "threads": 2}
    peak = peak_for(machine, settings, "float64")
    assert peak is not None and peak.gflops == pytest.approx(2 * 3.5 * 16)
    assert peak.source == "cpufreq cpuinfo_max_freq (3500 MHz)"
    # A damaged clock setting is ignored (the ceiling is used), never trusted.
    broken = peak_for(machine, {**settings, "cpu.clock_mhz": "fast"}, "float64")
    assert broken is not None and broken.source.startswith("ceiling")


def test_unknown_dtypes_and_isas_have_no_peak() -> None:
    assert estimate(RECORDED["zen3-epyc"].cpu, "float16", CLOCK) is None
    riscv = Cpu(model="SiFive U74", arch="riscv64", cores_physical=4, cores_logical=4)
    assert estimate(riscv, "float32", CLOCK) is None


def test_quantized_variants_use_the_int8_peak() -> None:
    assert peak_dtype("float32", "int8-dynamic") == "int8"
    assert peak_dtype("float32", "fp32") == "float32"
    assert peak_dtype("float64", "default") == "float64"


def test_runner_records_clock_and_every_peak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "machine_clock", lambda nominal: Clock(3100.0, "measured: mock"))
    plan = Plan(frameworks=("numpy",), device="cpu", quick=True, cases=None, threads=2, processes=1)
    settings, notes = runner._settings(plan, 2, make_machine(freq_mhz=2000.0))
    assert settings["cpu.clock_mhz"] == 3100.0 and settings["cpu.clock_source"] == "measured: mock"
    assert settings["peak_gflops.float32"] == pytest.approx(2 * 3.1 * 32)
    assert settings["peak_gflops.int8"] == pytest.approx(2 * 3.1 * 128)
    assert settings["peak_source.float64"] == "measured: mock (3100 MHz)"
    assert notes["peak_formula.int8"].startswith("2 cores × 3.1 GHz × 128 int8 op/cycle")

    # Each result is held against its own dtype's peak, at the clock the settings record.
    results = [make_timing(0.01, variant=variant, flops=5e8) for variant in ("default", "int8-dynamic")]
    run = make_run(machine=make_machine(freq_mhz=2000.0), settings=settings, results=results)
    pct = [row.pct for row in result_peaks(run)]
    assert pct == pytest.approx(
        [100 * 50.0 / settings[f"peak_gflops.{dtype}"] for dtype in ("float32", "int8")]
    )


def test_no_committed_cpu_figure_exceeds_its_peak() -> None:
    highest = 0.0
    for path in run_paths([COMMITTED_RUNS]):
        run = load_run(path)
        highest = max([highest, *(row.pct for row in result_peaks(run))])
    assert 0.0 < highest <= 100.0  # the Debian run of 2026-11-24 reaches 62 % (it showed 136 % before)
