"""Which core a CPU record describes, and what that core can do per cycle (pure: no probing).

A core is named from the model string and the ISA flags (the CPU family/model numbers are not in the
run file). When the record cannot tell two cores apart, the rule picks the faster one, so the peak
built from it stays an upper bound: a result may fall far below it, never above it.

Per-cycle figures (sources: Intel 64 and IA-32 Architectures Optimization Reference Manual, "FMA
units" per SKU on ark.intel.com; AMD Software Optimization Guides for family 17h/19h/1Ah; Arm
Neoverse N1/N2/V1/V2 Software Optimization Guides; Apple silicon: Apple's CPU Optimization Guide and
Dougall Johnson's Firestorm measurements; Intel AMX: 2048 int8 ops per cycle per core, Intel's
"Accelerate AI workloads with Intel AMX" brief; Apple's AMX coprocessor: corsix/amx notes):

| core | FMA datapath | int8 |
| --- | --- | --- |
| Intel Sapphire/Emerald/Granite Rapids | 2 × 512-bit | AMX tiles: 2048 ops/cycle |
| Intel Ice Lake SP, Skylake/Cascade Lake SP (Platinum, Gold 6xxx) | 2 × 512-bit | VNNI |
| Intel Xeon Bronze/Silver/Gold 5xxx (Skylake/Cascade Lake), client AVX-512 cores | 1 × 512-bit | VNNI |
| Intel Haswell … Arrow Lake (AVX2) | 2 × 256-bit | AVX-VNNI where present |
| AMD Zen 5 server/desktop | 2 × 512-bit | VNNI |
| AMD Zen 5 mobile (Ryzen AI, not Max) | 2 × 256-bit (512-bit ops take two passes) | VNNI |
| AMD Zen 4 | 2 × 256-bit (512-bit ops take two passes) | VNNI |
| AMD Zen 2/3 | 2 × 256-bit | - |
| AMD Zen/Zen+ | 2 × 128-bit (256-bit ops take two passes) | - |
| Apple M-series P-core | 4 × 128-bit NEON, plus the AMX matrix unit per cluster | sdot/smmla; AMX |
| Arm Neoverse V1 | 2 × 256-bit SVE (= 4 × 128-bit NEON) | sdot, smmla (i8mm) |
| Arm Neoverse V2 | 4 × 128-bit SVE2 | sdot, smmla |
| Arm Neoverse N1 / N2 | 2 × 128-bit | sdot (N1), smmla (N2) |

Vector int8 (VNNI vpdpbusd, AVX2 vpmaddubsw, ARM sdot) multiplies-and-adds one byte pair per byte of
the vector: bytes × 2 ops × units per cycle; smmla (i8mm) does twice that. The clock ceilings are the
highest max-boost clock of any part built on the core (vendor spec pages), used only when the run
recorded no clock: they are loose, never low.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.schema.models import Cpu

PEAK_DTYPES = ("float32", "float64", "int8")
ELEMENT_BITS = {"float32": 32, "float64": 64, "int8": 8}
# Flags that only AMD parts report (Linux names); the model string may be a bare "QEMU Virtual CPU".
AMD_ONLY_FLAGS = {"sse4a", "clzero", "misalignsse", "extdapicid", "cmplegacy", "topoext"}
# Skylake/Cascade Lake SP parts with one AVX-512 FMA unit (ark.intel.com "# of AVX-512 FMA Units: 1").
ONE_FMA_XEON = re.compile(r"\b(Bronze|Silver)\b|\bGold 5[12]\d\d(?<!5122)(?<!5222)")
# Zen 5 model numbers (EPYC 9xx5/4xx5, Ryzen 9000, Ryzen AI), for when a hypervisor hides its new flags.
ZEN5_MODEL = re.compile(r"EPYC \d{3}5|Ryzen \d+ 9\d{3}|Ryzen AI")


@dataclass(frozen=True)
class MatrixUnit:
    """A matrix coprocessor beside the cores (Apple AMX/SME): `units` of them on the chip."""

    name: str
    units: int
    per_cycle: dict[str, int]  # ops per cycle of one unit, by dtype


@dataclass(frozen=True)
class Core:
    name: str
    vector_bits: int  # width of one FMA pipe
    fma_units: int  # pipes of that width (without FMA: one add pipe + one multiply pipe count as 1)
    max_ghz: float  # highest max-boost clock of any part with this core
    int8_per_cycle: int | None = None  # a matrix engine inside the core (Intel AMX) beats the vectors
    int8_factor: int = 1  # 2 where smmla (i8mm) doubles the MACs of sdot
    matrix: MatrixUnit | None = None
    # max_ghz is this chip's own documented maximum (Apple), not a ceiling over many parts: it beats a
    # lower measurement (which may have run on an efficiency core).
    known_clock: bool = False

    def per_cycle(self, dtype: str) -> int:
        """Operations per cycle of one core (an FMA counts as 2), vector units only."""
        if dtype == "int8" and self.int8_per_cycle is not None:
            return self.int8_per_cycle
        lanes = self.vector_bits // ELEMENT_BITS[dtype]
        return lanes * 2 * self.fma_units * (self.int8_factor if dtype == "int8" else 1)

    def datapath(self, dtype: str) -> str:
        """The units behind `per_cycle(dtype)`, for the peak's formula."""
        if dtype == "int8" and self.int8_per_cycle is not None:
            return "AMX int8 tiles"
        pipes = f"{self.fma_units} × {self.vector_bits}-bit FMA"
        return f"{pipes}, smmla" if dtype == "int8" and self.int8_factor == 2 else pipes


def _flags(cpu: Cpu) -> set[str]:
    # Linux spells avx512_vnni, py-cpuinfo avx512vnni: compare without underscores.
    return {f.lower().replace("_", "") for f in cpu.flags}


def _intel(cpu: Cpu, flags: set[str]) -> Core:
    model = cpu.model
    # Ceilings: Xeon w9-3495X (4.8 GHz; Granite Rapids assumed no faster), Rocket Lake Xeon W-1390P and
    # Core i9-11900K (5.3 GHz, Rocket Lake has IFMA like Ice Lake), Core i9-10980XE and Xeon W-2295 (4.8).
    if "amxfp16" in flags:
        return Core("Intel Granite Rapids", 512, 2, 4.8, int8_per_cycle=2048)
    if "amxtile" in flags or "avx512fp16" in flags:
        amx = 2048 if "amxint8" in flags else None
        return Core("Intel Sapphire/Emerald Rapids", 512, 2, 4.8, int8_per_cycle=amx)
    if "avx512f" in flags:
        # Client AVX-512 cores (Cannon/Ice/Tiger/Rocket Lake) have IFMA and one 512-bit FMA unit;
        # the Skylake-X/Cascade Lake-X "Core" HEDT parts lack IFMA and have two.
        if "avx512ifma" in flags and ("Core(TM)" in model or "avx512vp2intersect" in flags):
            return Core("Intel client AVX-512 (Ice/Tiger/Rocket Lake)", 512, 1, 5.3)
        if "avx512ifma" in flags:  # Ice Lake SP: every SKU has two units
            return Core("Intel Ice Lake SP / Rocket Lake Xeon", 512, 2, 5.3)
        if ONE_FMA_XEON.search(model):
            return Core("Intel Skylake/Cascade Lake SP, one FMA unit", 512, 1, 4.8)
        return Core("Intel Skylake/Cascade Lake", 512, 2, 4.8)
    return _x86_generic(flags)


def _amd(cpu: Cpu, flags: set[str]) -> Core:
    # Ceilings: Ryzen 9 7950X/9950X and EPYC 4584PX/4585PX (5.7 GHz), Ryzen 9 6980HX (Zen 3+, 5.0),
    # Threadripper 2950X (4.4).
    model = cpu.model
    if "avx512f" in flags:
        if flags & {"avxvnni", "avx512vp2intersect", "movdiri"} or ZEN5_MODEL.search(model):
            mobile = "Ryzen AI" in model and "Max" not in model  # Strix/Krackan Point: 256-bit datapath
            return Core(f"AMD Zen 5{' mobile' if mobile else ''}", 256 if mobile else 512, 2, 5.7)
        return Core("AMD Zen 4", 256, 2, 5.7)
    if {"avx2", "fma"} <= flags:
        if flags & {"clwb", "rdpid", "wbnoinvd"}:  # added by Zen 2
            return Core("AMD Zen 2/3", 256, 2, 5.0)
        return Core("AMD Zen/Zen+", 128, 2, 4.4)
    return _x86_generic(flags)


def _x86_generic(flags: set[str]) -> Core:
    # Unknown x86: no x86 part boosts above 6.2 GHz (Core i9-14900KS).
    if {"avx2", "fma"} <= flags:
        return Core("x86 AVX2+FMA", 256, 2, 6.2)
    if "avx" in flags:
        return Core("x86 AVX without FMA (add + multiply pipes)", 256, 1, 6.2)
    return Core("x86 SSE2 (add + multiply pipes)", 128, 1, 6.2)


# Apple silicon: P-core max clock (GHz) by generation, across its base/Pro/Max/Ultra chips.
APPLE_P_GHZ = {1: 3.23, 2: 3.7, 3: 4.06, 4: 4.51}
APPLE_UNKNOWN_GHZ = 5.0  # a newer chip than the table knows
# AMX/SME units: one per P-cluster plus the E-cluster's (smaller, counted as a full one).
APPLE_AMX_UNITS = {"": 2, "Pro": 3, "Max": 3, "Ultra": 6}
APPLE_AMX_PER_CYCLE = {"float32": 512, "float64": 128, "int8": 2048}  # 16×16 fp32, 8×8 fp64 FMAs
APPLE_CHIP = re.compile(r"Apple M(\d+)(?: (Pro|Max|Ultra))?")
NEOVERSE = {  # lscpu model name -> (datapath bits, pipes, max GHz of any part with it)
    "Neoverse-N1": (128, 2, 3.3),  # Ampere Altra Q80-33
    "Neoverse-N2": (128, 2, 3.4),  # Microsoft Cobalt 100
    "Neoverse-V1": (256, 2, 2.6),  # AWS Graviton3
    "Neoverse-V2": (128, 4, 3.5),  # NVIDIA Grace lists 3.44 GHz
}
ARM_UNKNOWN_GHZ = 5.0


def _arm(cpu: Cpu, flags: set[str]) -> Core:
    chip = APPLE_CHIP.search(cpu.model)
    if chip:
        generation, tier = int(chip.group(1)), chip.group(2) or ""
        ghz = APPLE_P_GHZ.get(generation, APPLE_UNKNOWN_GHZ)
        amx = MatrixUnit("Apple AMX", APPLE_AMX_UNITS[tier], APPLE_AMX_PER_CYCLE)
        return Core(
            f"Apple M{generation}{' ' + tier if tier else ''}",
            128,
            4,
            ghz,
            int8_factor=2,
            matrix=amx,
            known_clock=generation in APPLE_P_GHZ,
        )
    i8mm = 2 if "i8mm" in flags else 1
    for name, (bits, pipes, ghz) in NEOVERSE.items():
        if name.lower() in cpu.model.lower():
            return Core(f"Arm {name}", bits, pipes, ghz, int8_factor=i8mm)
    # Unknown Arm core: as wide as the widest NEON cores (4 × 128-bit), so the peak stays an upper bound.
    return Core("Arm (unknown core, widest NEON assumed)", 128, 4, ARM_UNKNOWN_GHZ, int8_factor=i8mm)


def identify(cpu: Cpu) -> Core | None:
    """The core of `cpu` (the faster candidate when the record cannot tell), or None for other ISAs."""
    arch = cpu.arch.lower()
    flags = _flags(cpu)
    if arch in ("arm64", "aarch64"):
        return _arm(cpu, flags)
    if arch not in ("x86_64", "amd64", "i686", "i386", "x86"):
        return None
    if "AMD" in cpu.model.upper() or flags & AMD_ONLY_FLAGS:
        return _amd(cpu, flags)
    return _intel(cpu, flags)
