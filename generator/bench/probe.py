"""This CPU's maximum clock: what the OS reports, and what a dependent-add chain measures.

A peak needs the clock the cores really reach (their boost clock), not the nominal one that
/proc/cpuinfo shows. The OS reports the maximum where it has a frequency driver (Linux cpufreq,
lscpu, macOS on Intel); most VMs have none, so the clock is also measured: a chain of dependent
integer adds retires one add per cycle on every x86-64 and AArch64 core (1-cycle latency, and the
chain forbids overlap), so adds per second is the clock. The chain runs on one core, where the
boost clock is highest, and the best of many short trials is kept, so a busy machine lowers it
little. Methods, in order, each falling back to the next when unavailable:

1. the chain compiled with the system's C compiler (cc/gcc/clang);
2. the same chain as hand-assembled x86-64 machine code, run from an executable page in a child
   process (no compiler needed; a crash there costs only the measurement);
3. none: the peak then uses the core's clock ceiling from its table.

The result is the larger of the reported and the measured clock (the OS may report the base clock
as its maximum, e.g. acpi-cpufreq with boost), and never below the nominal clock. Everything takes
well under a second.
"""

from __future__ import annotations

import functools
import glob
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.catalog.peaks import Clock
from generator.machine.detect import command_output

CHAIN_ADDS = 100  # dependent adds per loop iteration (the loop's own counter runs beside them)
# Many short trials (1 million adds, about 0.3 ms at 3 GHz): on a busy machine some run undisturbed,
# and the best is kept (measured here under load 6 on 2 cores: within 3 % of the quiet figure).
LOOPS = 10_000
TRIALS = 200
PLAUSIBLE_MHZ = (200.0, 7000.0)  # outside this the measurement is broken, not the CPU
PROBE_TIMEOUT_S = 10.0
SYSFS_MAX_FREQ = "/sys/devices/system/cpu/cpu[0-9]*/cpufreq/cpuinfo_max_freq"

CHAIN_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static unsigned long chain(long loops) {
    unsigned long x = 1, y = 3;
    for (long i = 0; i < loops; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __asm__ volatile(".rept 100\n\tadd %1, %0\n\t.endr" : "+r"(x) : "r"(y));
#elif defined(__aarch64__)
        __asm__ volatile(".rept 100\n\tadd %0, %0, %1\n\t.endr" : "+r"(x) : "r"(y));
#else
#error "no dependent-add chain for this architecture"
#endif
    }
    return x;
}
int main(int argc, char **argv) {
    long loops = atol(argv[1]);
    int trials = atoi(argv[2]);
    double best = 0;
    unsigned long sink = chain(loops * 10); /* warm-up: lets the clock ramp up */
    for (int t = 0; t < trials; t++) {
        double start = now();
        sink += chain(loops);
        double rate = loops * 100.0 / (now() - start);
        if (rate > best) best = rate;
    }
    printf("%.1f %lu\n", best / 1e6, sink & 1);
    return 0;
}
"""


# --- what the OS reports ---------------------------------------------------------------------------


def sysfs_max_mhz(paths: Iterable[str]) -> float | None:
    """The largest cpufreq cpuinfo_max_freq (kHz) of the given files, in MHz."""
    values = []
    for path in paths:
        try:
            values.append(int(Path(path).read_text().strip()) / 1000)
        except (OSError, ValueError):
            continue
    return max(values) if values else None


def lscpu_max_mhz(text: str) -> float | None:
    """`CPU max MHz:` of lscpu output."""
    return _field_number(text, "CPU max MHz", scale=1.0)


def sysctl_max_mhz(text: str) -> float | None:
    """`hw.cpufrequency_max:` (Hz) of macOS sysctl output (Intel Macs; Apple silicon has none)."""
    return _field_number(text, "hw.cpufrequency_max", scale=1e-6)


def _field_number(text: str, key: str, *, scale: float) -> float | None:
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == key:
            try:
                return float(value.strip()) * scale or None
            except ValueError:
                return None
    return None


def _output(cmd: list[str]) -> str:
    return command_output(cmd, PROBE_TIMEOUT_S)


def reported_clock(
    system: str | None = None,
    run: Callable[[list[str]], str] = _output,
    sysfs_pattern: str = SYSFS_MAX_FREQ,
) -> Clock | None:
    """The maximum clock the OS reports, or None (most VMs)."""
    system = system or platform.system()
    if system == "Linux":
        mhz = sysfs_max_mhz(glob.glob(sysfs_pattern))
        if mhz:
            return Clock(mhz, "cpufreq cpuinfo_max_freq")
        mhz = lscpu_max_mhz(run(["lscpu"]))
        if mhz:
            return Clock(mhz, "lscpu CPU max MHz")
    elif system == "Darwin":
        mhz = sysctl_max_mhz(run(["sysctl", "hw.cpufrequency_max"]))
        if mhz:
            return Clock(mhz, "sysctl hw.cpufrequency_max")
    return None


# --- what a dependent-add chain measures -----------------------------------------------------------


def _plausible(text: str) -> float | None:
    try:
        mhz = float(text.split()[0])
    except (IndexError, ValueError):
        return None
    return mhz if PLAUSIBLE_MHZ[0] <= mhz <= PLAUSIBLE_MHZ[1] else None


def _compiler() -> str | None:
    return next((c for c in ("cc", "gcc", "clang") if shutil.which(c)), None)


def compiled_chain_mhz(compiler: str | None = None) -> float | None:
    """The clock from the chain compiled with a C compiler; None without one or on any failure."""
    compiler = compiler or _compiler()
    if compiler is None or platform.machine().lower() not in ("x86_64", "amd64", "aarch64", "arm64"):
        return None
    with tempfile.TemporaryDirectory(prefix="framebench-probe-") as tmp:
        source, program = Path(tmp) / "chain.c", Path(tmp) / "chain"
        source.write_text(CHAIN_C)
        try:
            built = subprocess.run(
                [compiler, "-O1", "-o", str(program), str(source)],
                capture_output=True,
                timeout=PROBE_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return _run_chain([str(program)]) if built.returncode == 0 else None


def machine_code_chain_mhz() -> float | None:
    """The clock from the hand-assembled chain (x86-64 POSIX only), run in a child process."""
    if platform.machine().lower() not in ("x86_64", "amd64") or sys.platform == "win32":
        return None
    return _run_chain([sys.executable, "-m", "generator.bench.probe_chain"])


def _run_chain(command: list[str]) -> float | None:
    """Run a chain program with the loop and trial counts; its MHz, or None on any failure."""
    try:
        done = subprocess.run(
            [*command, str(LOOPS), str(TRIALS)],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return _plausible(done.stdout) if done.returncode == 0 else None


MEASURERS: tuple[tuple[str, Callable[[], float | None]], ...] = (
    ("compiled C", compiled_chain_mhz),
    ("x86-64 machine code", machine_code_chain_mhz),
)


def measured_clock(measurers: Iterable[tuple[str, Callable[[], float | None]]] = MEASURERS) -> Clock | None:
    """The clock of the first method that works, naming the method."""
    for name, measure in measurers:
        mhz = measure()
        if mhz is not None:
            return Clock(
                round(mhz, 1),
                f"measured: dependent-add chain ({name}), best of {TRIALS} trials on one core",
            )
    return None


def best_clock(reported: Clock | None, measured: Clock | None, nominal_mhz: float | None) -> Clock | None:
    """The highest credible clock: reported or measured, never below the nominal clock."""
    found = [c for c in (reported, measured) if c is not None]
    if not found:
        return None
    best = max(found, key=lambda c: c.mhz)
    if nominal_mhz and nominal_mhz > best.mhz:
        return Clock(nominal_mhz, f"nominal clock (above the {best.source}: {best.mhz:g} MHz)")
    return best


@functools.cache
def machine_clock(nominal_mhz: float | None) -> Clock | None:
    """This machine's maximum clock, probed once per process."""
    return best_clock(reported_clock(), measured_clock(), nominal_mhz)
