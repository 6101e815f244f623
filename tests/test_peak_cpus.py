"""CPU records as machines report them (/proc/cpuinfo or lscpu flags, model names), for tests/test_peak.py.

The Sapphire Rapids and Zen 3 flag lists were recorded on the machines behind the committed runs and
on the team's build VM; the others are /proc/cpuinfo flag lines of the named parts (cloud instances:
AWS m6i, c7a, Graviton2/3/4; the Zen 5 VM of issue 12 shows the bare model name "AMD EPYC").
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.schema.models import Cpu

_X86_BASE = (
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht "
    "syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid tsc_known_freq pni "
    "pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c "
    "rdrand hypervisor lahf_lm abm 3dnowprefetch ssbd ibrs ibpb stibp fsgsbase tsc_adjust bmi1 avx2 smep "
    "bmi2 erms invpcid rdseed adx smap clflushopt sha_ni xsaveopt xsavec xgetbv1 xsaves arat umip pku ospke"
)
SAPPHIRE_RAPIDS = (
    "3dnowprefetch abm adx aes amx_bf16 amx_int8 amx_tile apic arat arch_capabilities avx avx2 avx512_bf16 "
    "avx512_bitalg avx512_fp16 avx512_vbmi2 avx512_vnni avx512_vpopcntdq avx512bitalg avx512bw avx512cd "
    "avx512dq avx512f avx512ifma avx512vbmi avx512vbmi2 avx512vl avx512vnni avx512vpopcntdq avx_vnni bmi1 "
    "bmi2 bus_lock_detect cldemote clflush clflushopt clwb cmov constant_tsc cpuid cpuid_fault cx16 cx8 de "
    "erms f16c flush_l1d fma fpu fsgsbase fsrm fxsr gfni ht hypervisor ibpb ibrs ibrs_enhanced ibt invpcid "
    "lahf_lm lm mca mce md_clear mmx movbe movdir64b movdiri msr mtrr nonstop_tsc nopl nx ospke osxsave pae "
    "pat pcid pclmulqdq pdpe1gb pge pku pni popcnt pse pse36 rdpid rdrand rdrnd rdseed rdtscp rep_good sep "
    "serialize sha sha_ni smap smep ss ssbd sse sse2 sse4_1 sse4_2 ssse3 stibp syscall tsc tsc_adjust "
    "tsc_deadline_timer tsc_known_freq tscdeadline tsxldtrk umip vaes vme vpclmulqdq wbnoinvd x2apic xgetbv1 "
    "xsave xsavec xsaveopt xsaves xtopology"
)
ICE_LAKE_SP = (
    f"{_X86_BASE} avx512f avx512dq avx512ifma clwb avx512cd avx512bw avx512vl wbnoinvd avx512vbmi "
    "avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg tme avx512_vpopcntdq rdpid md_clear "
    "flush_l1d arch_capabilities"
)
SKYLAKE_SP = f"{_X86_BASE} mpx avx512f avx512dq clwb avx512cd avx512bw avx512vl md_clear flush_l1d"
ZEN3 = (
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht "
    "syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid "
    "extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt "
    "tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a "
    "misalignsse 3dnowprefetch osvw topoext ssbd ibrs ibpb stibp vmmcall fsgsbase tsc_adjust bmi1 avx2 smep "
    "bmi2 erms invpcid rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves clzero "
    "xsaveerptr wbnoinvd arat umip pku ospke vaes vpclmulqdq rdpid fsrm"
)
ZEN4 = (
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht "
    "syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good amd_lbr_v2 nopl nonstop_tsc cpuid "
    "extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt "
    "aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch "
    "osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 "
    "invpcid_single hw_pstate ssbd mba perfmon_v2 ibrs ibpb stibp ibrs_enhanced vmmcall fsgsbase bmi1 avx2 "
    "smep bmi2 erms invpcid cqm rdt_a avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd "
    "sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc avx512_bf16 clzero irperf "
    "xsaveerptr rdpru wbnoinvd amd_ppin cppc arat npt lbrv svm_lock nrip_save avx512vbmi umip pku ospke "
    "avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq la57 rdpid overflow_recov "
    "succor smca fsrm flush_l1d"
)
ZEN5 = f"{ZEN4} movdiri movdir64b avx_vnni avx512_vp2intersect"
NEOVERSE_N1 = (
    "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs"
)
NEOVERSE_V1 = (
    "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop "
    "sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs paca pacg dcpodp svei8mm svebf16 "
    "i8mm bf16 dgh rng"
)
NEOVERSE_V2 = (
    "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop "
    "sha3 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs sb paca pacg dcpodp sve2 sveaes svepmull "
    "svebitperm svesha3 flagm2 frint svei8mm svebf16 i8mm bf16 dgh rng bti"
)


@dataclass(frozen=True)
class Recorded:
    """A CPU record and what its cores do per cycle (float32, float64, int8) and per chip (matrix units)."""

    cpu: Cpu
    core: str  # expected identification (a substring of Core.name)
    per_core: tuple[int, int, int]
    matrix: tuple[int, int, int] = (0, 0, 0)  # all units of the chip together, per cycle


def _cpu(model: str, flags: str, cores: int, arch: str = "x86_64", mhz: float | None = 2100.0) -> Cpu:
    return Cpu(
        model=model, arch=arch, cores_physical=cores, cores_logical=cores, flags=flags.split(), freq_mhz=mhz
    )


RECORDED = {
    # Two 512-bit FMA units; AMX tiles do 2048 int8 ops per cycle (the committed runs' machines).
    "sapphire-rapids": Recorded(
        _cpu("Intel(R) Xeon(R) Processor", SAPPHIRE_RAPIDS, 2, mhz=2200.0), "Sapphire", (64, 32, 2048)
    ),
    "ice-lake-sp": Recorded(
        _cpu("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", ICE_LAKE_SP, 4), "Ice Lake SP", (64, 32, 256)
    ),
    "skylake-gold-6148": Recorded(
        _cpu("Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz", SKYLAKE_SP, 4), "Skylake", (64, 32, 256)
    ),
    # Silver/Gold 5xxx Skylake parts have one 512-bit FMA unit: no more FLOP per cycle than AVX2.
    "skylake-silver-4114": Recorded(
        _cpu("Intel(R) Xeon(R) Silver 4114 CPU @ 2.20GHz", SKYLAKE_SP, 4), "one FMA unit", (32, 16, 128)
    ),
    "zen3-epyc": Recorded(_cpu("AMD EPYC", ZEN3, 2, mhz=2445.4), "Zen 2/3", (32, 16, 128)),
    # Zen 4 runs 512-bit operations in two passes over 256-bit pipes: AVX2's FLOP per cycle.
    "zen4-epyc-9654": Recorded(_cpu("AMD EPYC 9654 96-Core Processor", ZEN4, 8), "Zen 4", (32, 16, 128)),
    "zen5-epyc-9575f": Recorded(_cpu("AMD EPYC 9575F 64-Core Processor", ZEN5, 8), "Zen 5", (64, 32, 256)),
    "zen5-vm": Recorded(_cpu("AMD EPYC", ZEN5, 2, mhz=2600.0), "Zen 5", (64, 32, 256)),
    "zen5-mobile": Recorded(
        _cpu("AMD Ryzen AI 9 HX 370 w/ Radeon 890M", ZEN5, 12), "Zen 5 mobile", (32, 16, 128)
    ),
    # Apple: four 128-bit NEON pipes per core, plus the AMX units Accelerate's BLAS runs on.
    "apple-m2": Recorded(
        _cpu("Apple M2", "", 8, arch="arm64", mhz=None), "Apple M2", (32, 16, 256), matrix=(1024, 256, 4096)
    ),
    "apple-m3-max": Recorded(
        _cpu("Apple M3 Max", "", 16, arch="arm64", mhz=None), "Apple M3 Max", (32, 16, 256), (1536, 384, 6144)
    ),
    "neoverse-n1": Recorded(_cpu("Neoverse-N1", NEOVERSE_N1, 4, arch="aarch64", mhz=None), "N1", (16, 8, 64)),
    "neoverse-v1": Recorded(
        _cpu("Neoverse-V1", NEOVERSE_V1, 4, arch="aarch64", mhz=None), "V1", (32, 16, 256)
    ),
    "neoverse-v2": Recorded(
        _cpu("Neoverse-V2", NEOVERSE_V2, 4, arch="aarch64", mhz=None), "V2", (32, 16, 256)
    ),
}
