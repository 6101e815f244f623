"""An estimate of a CPU's peak floating-point rate, from its ISA flags (pure: no probing).

peak = physical cores × clock (GHz) × FLOP per cycle per core, where FLOP per cycle per core =
SIMD lanes × 2 (fused multiply-add) × 2 FMA units. Two FMA units per core is what current x86
server/desktop cores (and Apple/Neoverse cores, which have more) offer; some parts have one, and
turbo/AVX clocks differ from the nominal clock, so this is an estimate, not a datasheet figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.schema.models import Cpu

FMA_UNITS = 2
VECTOR_BITS = (  # widest vector unit the flags promise, checked in this order
    ("avx512f", 512, True),
    ("avx2", 256, True),  # needs fma too, checked below
    ("avx", 256, False),
    ("sse2", 128, False),
    ("asimd", 128, True),  # ARMv8 NEON (Linux flag name)
    ("neon", 128, True),
)
DTYPE_BITS = {"float32": 32, "float64": 64, "float16": 16, "bfloat16": 16}


@dataclass(frozen=True)
class PeakEstimate:
    gflops: float
    formula: str


def _vector(cpu: Cpu) -> tuple[str, int, bool] | None:
    flags = {f.lower() for f in cpu.flags}
    if cpu.arch.lower() in ("arm64", "aarch64") and not flags & {"asimd", "neon"}:
        flags.add("neon")  # every ARMv8 core has NEON; macOS does not list it
    for flag, bits, fma in VECTOR_BITS:
        if flag in flags:
            if flag == "avx2" and "fma" not in flags:
                return "avx", 256, False
            return flag, bits, fma
    return None


def peak_gflops(cpu: Cpu, dtype: str) -> PeakEstimate | None:
    """Estimated peak GFLOP/s of all physical cores for float32/float64, or None if unknown."""
    vector = _vector(cpu)
    elem_bits = DTYPE_BITS.get(dtype)
    if vector is None or elem_bits is None or cpu.freq_mhz is None or elem_bits < 32:
        return None
    flag, bits, fma = vector
    cores = cpu.cores_physical or cpu.cores_logical
    lanes = bits // elem_bits
    # Without FMA a core still issues one add and one multiply per cycle: 2 FLOPs per lane.
    per_cycle = lanes * 2 * (FMA_UNITS if fma else 1)
    ghz = cpu.freq_mhz / 1000
    gflops = cores * ghz * per_cycle
    formula = (
        f"{cores} cores × {ghz:g} GHz × {per_cycle} {dtype} FLOP/cycle "
        f"({flag}: {lanes} lanes × 2{' (FMA) × ' + str(FMA_UNITS) + ' FMA units' if fma else ' (add + mul)'})"
        f" = {gflops:g} GFLOP/s (estimate at the nominal clock; turbo can exceed it)"
    )
    return PeakEstimate(gflops=gflops, formula=formula)
