"""The clock probe: OS reports parsed from recorded outputs, each method's fallback, and the real chain."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.bench import probe, probe_chain
from generator.catalog.peaks import Clock

LSCPU_WITH_CPUFREQ = """\
Architecture:                    x86_64
Model name:                      Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz
CPU max MHz:                     4600.0000
CPU min MHz:                     800.0000
"""
LSCPU_VM = "Architecture:  x86_64\nModel name:  AMD EPYC\nBogoMIPS:  4890.80\n"


def test_sysfs_gives_the_fastest_cores_clock(tmp_path: Path) -> None:
    for cpu, khz in (("cpu0", "3500000"), ("cpu1", "4700000"), ("cpu2", "garbage")):
        folder = tmp_path / cpu / "cpufreq"
        folder.mkdir(parents=True)
        (folder / "cpuinfo_max_freq").write_text(f"{khz}\n")
    pattern = str(tmp_path / "cpu[0-9]*" / "cpufreq" / "cpuinfo_max_freq")
    clock = probe.reported_clock("Linux", run=lambda cmd: "", sysfs_pattern=pattern)
    assert clock == Clock(4700.0, "cpufreq cpuinfo_max_freq")


def test_lscpu_and_sysctl_max_clocks(tmp_path: Path) -> None:
    none = str(tmp_path / "nothing" / "*")
    assert probe.reported_clock("Linux", run=lambda cmd: LSCPU_WITH_CPUFREQ, sysfs_pattern=none) == Clock(
        4600.0, "lscpu CPU max MHz"
    )
    assert probe.reported_clock("Linux", run=lambda cmd: LSCPU_VM, sysfs_pattern=none) is None
    intel_mac = "hw.cpufrequency_max: 4100000000\n"
    assert probe.reported_clock("Darwin", run=lambda cmd: intel_mac) == Clock(
        4100.0, "sysctl hw.cpufrequency_max"
    )
    assert probe.reported_clock("Darwin", run=lambda cmd: "") is None  # Apple silicon reports none
    assert probe.sysctl_max_mhz("hw.cpufrequency_max: soon\n") is None


def test_the_first_working_method_measures_and_is_named() -> None:
    calls: list[str] = []

    def broken() -> float | None:
        calls.append("compiler")
        return None

    def working() -> float | None:
        calls.append("machine code")
        return 3456.78

    clock = probe.measured_clock((("compiled C", broken), ("x86-64 machine code", working)))
    assert calls == ["compiler", "machine code"]
    assert clock is not None and clock.mhz == 3456.8
    assert clock.source.startswith("measured: dependent-add chain (x86-64 machine code)")
    assert probe.measured_clock((("compiled C", broken),)) is None


def test_missing_or_failing_compiler_degrades_to_none() -> None:
    assert probe.compiled_chain_mhz("no-such-compiler-here") is None
    assert probe.compiled_chain_mhz("false") is None  # exits 1 without building anything


def test_best_clock_takes_the_higher_and_never_goes_below_nominal() -> None:
    reported = Clock(2450.0, "cpufreq cpuinfo_max_freq")  # acpi-cpufreq: base clock, boost hidden
    measured = Clock(3150.0, "measured: chain")
    assert probe.best_clock(reported, measured, 2445.0) == measured
    assert probe.best_clock(None, None, 2445.0) is None
    floor = probe.best_clock(None, Clock(1200.0, "measured: chain"), 2445.0)
    assert floor is not None and floor.mhz == 2445.0 and floor.source.startswith("nominal clock")


def test_implausible_measurements_are_rejected() -> None:
    assert probe._plausible("3150.2 1\n") == 3150.2
    assert probe._plausible("91000.0 1\n") is None
    assert probe._plausible("") is None


def test_machine_code_jumps_back_to_the_loop_start() -> None:
    code = probe_chain.chain_code()
    loop_start = 10  # after the two 5-byte movs
    jnz = len(code) - 3
    assert code[jnz] == 0x75 and code[-1] == 0xC3
    offset = code[jnz + 1] - 256
    assert jnz + 2 + offset == loop_start
    assert code[loop_start : loop_start + 3] == probe_chain.ADD_RAX_RDX


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_both_chains_measure_the_same_clock_here() -> None:
    compiled = probe.compiled_chain_mhz()
    assert compiled is not None
    machine_code = probe.machine_code_chain_mhz()
    if machine_code is not None:  # x86-64 with executable pages allowed
        assert machine_code == pytest.approx(compiled, rel=0.15)
