"""Which machine and which hardware a result was measured on, and the short names people use for them.

- A machine is one hardware configuration: the anonymous host id (a hash of /etc/machine-id) together
  with the hardware fingerprint. Cloned images (VMs, containers, cloud images) share /etc/machine-id, so
  the host id alone would put different boxes on one machine page. The key is derived from fields every
  run file already holds, so committed runs split correctly without being rewritten.
- A hardware class is what makes results of different machines comparable: the same CPU model and core
  counts for CPU work, the same GPU model for GPU work. Runs of one class pool in summaries.

Memory enters as a nominal size: operating systems report a little less than is installed, and the
figure moves by a few tenths between kernels, so it is rounded up to the next usual size. The boundary
between two sizes sits just above a usual size, where reported totals (always a bit below the installed
size) do not fall.
"""

from __future__ import annotations

import hashlib
import json
import re

from generator.schema.models import Gpu, Machine

KEY_LENGTH = 12  # hex digits of a machine key or hardware class: 48 bits, no collision among 10^5 machines
# Installed system memory comes in powers of two and 1.5 times them (6, 12, 24, 48, 96 ... GiB), and
# Apple sells 18 and 36 GB.
SYSTEM_MEMORY_GB = tuple(sorted({base * 2.0**k for k in range(-2, 21) for base in (1.0, 1.5)} | {18.0, 36.0}))
# GPU memory sizes as sold; memory.total reads a little below them (79.6 for 80, 22.5 for an A10G's 24).
GPU_MEMORY_GB = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 16, 20, 24, 32, 40, 48, 64, 80, 94, 96, 128, 141, 180,
                 192, 256, 288)  # fmt: skip
SYSTEM_SLACK = 1.01  # reported up to 1 % above a usual size still counts as that size
GPU_SLACK = 1.005
# Vector extensions that tell apart CPUs sold under one generic name ("Intel(R) Xeon(R) Processor" in
# most VMs covers Skylake to Granite Rapids), strongest first.
ISA_TIERS = (("amx_tile", "AMX"), ("avx512f", "AVX-512"), ("avx2", "AVX2"), ("sve2", "SVE2"), ("sve", "SVE"))
GPU_VENDORS_BY_DEVICE = {"cuda": ("nvidia", "amd"), "mps": ("apple",)}

_CPU_NOISE = re.compile(
    r"\((?:R|TM)\)|®|™|@\s*[\d.]+\s*[GM]Hz|\b\d+-Core\b|\b(?:CPU|Processor|Intel|AMD|Genuine|Authentic)\b"
    r"|\b\d+(?:st|nd|rd|th) Gen\b|\s(?:with|w/) Radeon.*$",
    re.IGNORECASE,
)
_GPU_NOISE = re.compile(
    r"\((?:R|TM)\)|\b(?:NVIDIA|AMD|Intel|Tesla|GeForce|HBM\d?e?|GDDR\d\w?)\b", re.IGNORECASE
)
_HAS_MEMORY = re.compile(r"\d+\s*GB\b", re.IGNORECASE)


def _hash(parts: object) -> str:
    text = json.dumps(parts, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


def _words(text: str) -> str:
    return " ".join(text.split())


def _nominal(reported: float, sizes: tuple[float, ...], slack: float) -> float:
    for size in sizes:
        if size * slack >= reported:
            return float(size)
    return float(round(reported))


def nominal_memory_gb(reported: float) -> float:
    """The installed system memory a reported total stands for: 23.4 and 23.5 GiB are both 24."""
    return _nominal(reported, SYSTEM_MEMORY_GB, SYSTEM_SLACK)


def nominal_gpu_memory_gb(reported: float) -> float:
    """The memory a GPU is sold with: 79.6 GiB read from the driver is an 80 GB card."""
    return _nominal(reported, tuple(float(s) for s in GPU_MEMORY_GB), GPU_SLACK)


def _gpu_identity(gpu: Gpu) -> list[object]:
    memory = nominal_gpu_memory_gb(gpu.memory_gb) if gpu.memory_gb else None
    return [_words(gpu.name).casefold(), memory]


def machine_key(machine: Machine) -> str:
    """A stable short hex key of one hardware configuration: host id, CPU model, core counts, nominal
    memory and the GPUs (as a multiset: their order in the file does not matter)."""
    cpu = machine.cpu
    gpus = sorted((_gpu_identity(g) for g in machine.gpus), key=repr)
    return _hash(
        [
            machine.host_id,
            _words(cpu.model).casefold(),
            cpu.cores_physical,
            cpu.cores_logical,
            nominal_memory_gb(machine.memory_gb),
            gpus,
        ]
    )


def _gpu_text(gpu: Gpu) -> str:
    if gpu.memory_gb:
        return f"{gpu.name} ({nominal_gpu_memory_gb(gpu.memory_gb):g} GB)"
    return gpu.name


def defining_fields(machine: Machine) -> list[tuple[str, str]]:
    """The fingerprint fields that make a machine one machine, as (name, value) for its page."""
    cpu = machine.cpu
    return [
        ("anonymous host id", machine.host_id),
        ("CPU model", cpu.model),
        ("CPU cores (physical / logical)", f"{cpu.cores_physical or '?'} / {cpu.cores_logical}"),
        (
            "memory size class (the reported total rounded up to a usual size)",
            f"{nominal_memory_gb(machine.memory_gb):g} GiB (reported: {machine.memory_gb:g} GiB)",
        ),
        ("GPUs", "; ".join(_gpu_text(g) for g in machine.gpus) or "none"),
    ]


def short_cpu_name(model: str) -> str:
    """What people call a CPU: "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz" -> "Xeon Platinum 8481C",
    "AMD EPYC 9B14 96-Core Processor" -> "EPYC 9B14"; "Apple M2 Max" stays."""
    name = _words(_CPU_NOISE.sub(" ", model)).strip(" -,")
    return name or _words(model) or "unknown CPU"


def _isa_tier(machine: Machine) -> str:
    flags = {f.casefold() for f in machine.cpu.flags}
    return next((name for flag, name in ISA_TIERS if flag in flags), "")


def _cpu_name(machine: Machine) -> str:
    """The short CPU name; a name without a model number also says its strongest vector extension,
    so two generations sold as plain "Xeon" do not look (and pool) alike."""
    name = short_cpu_name(machine.cpu.model)
    if re.search(r"\d", name):
        return name
    tier = _isa_tier(machine)
    return f"{name} {tier}" if tier else name


def device_gpu(machine: Machine, device: str) -> Gpu | None:
    """The GPU a result on `device` ran on: the first one of a vendor that serves the device."""
    vendors = GPU_VENDORS_BY_DEVICE.get(device, ())
    return next((g for g in machine.gpus if g.vendor in vendors), None)


def hardware_class(machine: Machine, device: str) -> str:
    """A short key shared by every machine whose results on `device` pool in summaries: for CPU work
    the CPU model and core counts, for GPU work the GPU model and its memory."""
    if device == "cpu":
        cpu = machine.cpu
        return "cpu-" + _hash([_cpu_name(machine).casefold(), cpu.cores_physical, cpu.cores_logical])
    gpu = device_gpu(machine, device)
    if gpu is None:  # a GPU the fingerprint does not name pools with nothing but its own machine
        return "gpu-" + _hash([device, machine_key(machine)])
    return "gpu-" + _hash(_gpu_identity(gpu))


def _cores(machine: Machine) -> str:
    physical, logical = machine.cpu.cores_physical, machine.cpu.cores_logical
    if physical is None:
        return f"{logical} threads"
    if physical == logical:
        return f"{logical} cores"
    return f"{physical}C/{logical}T"  # the usual short form for cores / hardware threads


def gpu_label(gpu: Gpu, machine: Machine) -> str:
    """Model and memory: "NVIDIA H100 80GB HBM3" -> "H100 80GB", "Tesla T4" (15 GiB) -> "T4 16GB". An
    Apple GPU shares the system memory, so it is named with that."""
    name = _words(_GPU_NOISE.sub(" ", gpu.name)).strip(" -,") or _words(gpu.name)
    if _HAS_MEMORY.search(name):
        return name
    if gpu.memory_gb:
        return f"{name} {nominal_gpu_memory_gb(gpu.memory_gb):g}GB"
    if gpu.vendor == "apple":
        return f"{name} {nominal_memory_gb(machine.memory_gb):g}GB"
    return name


def hardware_label(machine: Machine, device: str) -> str:
    """The readable name of a hardware class: "Xeon Platinum 8481C (2 cores)", "H100 80GB"."""
    if device == "cpu":
        return f"{_cpu_name(machine)} ({_cores(machine)})"
    gpu = device_gpu(machine, device)
    return gpu_label(gpu, machine) if gpu is not None else f"{device} GPU (model not recorded)"


def series_label(
    machine: Machine, framework: str, device: str, dtype: str | None = None, variant: str | None = None
) -> str:
    """A chart or table label: "H100 80GB · torch · float32", "Xeon AMX (2 cores) · numpy"."""
    parts = [hardware_label(machine, device), framework]
    if dtype:
        parts.append(dtype)
    if variant and variant != "default":
        parts.append(variant)
    return " · ".join(parts)
