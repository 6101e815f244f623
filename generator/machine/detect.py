"""This machine's fingerprint: OS tag, CPU, memory, GPUs, BLAS, Python and framework versions.

Kept libraries do the probing (platform, psutil, py-cpuinfo, threadpoolctl); the few text formats we
read ourselves (/etc/os-release, lscpu, sysctl, nvidia-smi CSV) have small pure parsers so tests can
feed them outputs recorded on macOS, Debian and Ubuntu.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import platform
import re
import shlex
import shutil
import subprocess
from typing import Any

from generator.machine.privacy import host_id
from generator.schema.models import BlasLibrary, Cpu, Gpu, Machine, OperatingSystem

# Distribution names as they appear in version metadata; tensorflow ships under several names.
FRAMEWORK_DISTRIBUTIONS = {
    "numpy": ("numpy",),
    "scipy": ("scipy",),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly"),
    "tensorflow-metal": ("tensorflow-metal",),
    "keras": ("keras",),
    "torch": ("torch",),
    "torchvision": ("torchvision",),
    "jax": ("jax",),
}
_TAG_UNSAFE = re.compile(r"[^a-z0-9.\-]+")


def _tag(*parts: str) -> str:
    text = "-".join(p for p in parts if p).lower()
    return _TAG_UNSAFE.sub("-", text).strip("-.")[:64] or "unknown"


# --- operating system ----------------------------------------------------------------------------


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines of /etc/os-release (values may be shell-quoted)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            words = shlex.split(value)
        except ValueError:
            words = [value.strip("\"'")]
        fields[key.strip()] = " ".join(words)
    return fields


def os_from_release(fields: dict[str, str], kernel: str | None = None) -> OperatingSystem:
    distro = fields.get("ID", "linux").lower() or "linux"
    version = fields.get("VERSION_ID") or fields.get("BUILD_ID") or "rolling"
    return OperatingSystem(
        family="linux",
        distro=distro[:200],
        version=version[:100],
        tag=_tag(distro, version if version != "rolling" else ""),
        pretty=(fields.get("PRETTY_NAME") or None),
        kernel=kernel,
    )


def os_from_mac_version(version: str, kernel: str | None = None) -> OperatingSystem:
    # macOS 11+ is named by its major version (macos-14); 10.x by major.minor (macos-10.15).
    parts = version.split(".")
    short = ".".join(parts[:2]) if parts[0] == "10" else parts[0]
    return OperatingSystem(
        family="macos",
        distro="macos",
        version=version or "unknown",
        tag=_tag("macos", short),
        pretty=f"macOS {version}",
        kernel=kernel,
    )


def operating_system() -> OperatingSystem:
    system = platform.system()
    kernel = platform.release() or None
    if system == "Linux":
        try:
            fields = platform.freedesktop_os_release()
        except OSError:
            fields = {}
        return os_from_release(dict(fields), kernel)
    if system == "Darwin":
        return os_from_mac_version(platform.mac_ver()[0], kernel)
    if system == "Windows":
        release = platform.release() or "unknown"
        return OperatingSystem(
            family="windows",
            distro="windows",
            version=platform.version() or release,
            tag=_tag("windows", release),
            pretty=f"Windows {release}",
            kernel=kernel,
        )
    return OperatingSystem(
        family="other",
        distro=(system or "unknown").lower(),
        version=kernel or "unknown",
        tag=_tag(system or "unknown"),
        kernel=kernel,
    )


# --- CPU -----------------------------------------------------------------------------------------


def parse_lscpu(text: str) -> dict[str, Any]:
    """Model, arch, cores and flags from `lscpu` output."""
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines()) if v}
    logical = int(fields.get("CPU(s)", "0") or 0)
    per_core = int(fields.get("Thread(s) per core", "1") or 1)
    return {
        "model": fields.get("Model name", "unknown"),
        "arch": fields.get("Architecture", platform.machine()),
        "cores_logical": logical,
        "cores_physical": logical // per_core if logical and per_core else None,
        "flags": sorted(fields.get("Flags", "").split()),
    }


def parse_sysctl(text: str) -> dict[str, Any]:
    """Model, cores, memory and flags from `sysctl` output on macOS (`key: value` lines)."""
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines()) if v}
    flags = " ".join(fields.get(k, "") for k in ("machdep.cpu.features", "machdep.cpu.leaf7_features"))
    return {
        "model": fields.get("machdep.cpu.brand_string", "unknown"),
        "arch": "arm64" if fields.get("hw.optional.arm64") == "1" else "x86_64",
        "cores_logical": int(fields.get("hw.logicalcpu", "0") or 0),
        "cores_physical": int(fields.get("hw.physicalcpu", "0") or 0) or None,
        "flags": sorted({f.lower() for f in flags.split()}),
        "memory_gb": round(int(fields.get("hw.memsize", "0") or 0) / 2**30, 1),
    }


def command_output(cmd: list[str], timeout: float = 10) -> str:
    """The standard output of a command, or "" when it is missing, fails or times out."""
    if shutil.which(cmd[0]) is None:
        return ""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def cpu() -> Cpu:
    import cpuinfo  # py-cpuinfo
    import psutil

    info: dict[str, Any] = {}
    try:
        info = cpuinfo.get_cpu_info()
    except Exception:  # py-cpuinfo probes many sources; any failure falls back to lscpu/sysctl
        info = {}
    fallback: dict[str, Any] = {}
    if platform.system() == "Darwin":
        fallback = parse_sysctl(command_output(["sysctl", "machdep.cpu", "hw"]))
    elif platform.system() == "Linux":
        fallback = parse_lscpu(command_output(["lscpu"]))
    hz = info.get("hz_advertised") or info.get("hz_actual")
    freq_mhz = hz[0] / 1e6 if isinstance(hz, (list, tuple)) and hz and hz[0] else None
    logical = psutil.cpu_count(logical=True) or fallback.get("cores_logical") or 1
    physical = psutil.cpu_count(logical=False) or fallback.get("cores_physical")
    flags = info.get("flags") or fallback.get("flags") or []
    return Cpu(
        model=str(info.get("brand_raw") or fallback.get("model") or platform.processor() or "unknown")[:200],
        arch=platform.machine() or str(info.get("arch", "unknown")).lower(),
        cores_physical=physical,
        cores_logical=logical,
        flags=sorted({str(f)[:40] for f in flags})[:1024],
        freq_mhz=round(freq_mhz, 1) if freq_mhz else None,
    )


# --- GPUs ----------------------------------------------------------------------------------------


def parse_nvidia_smi(text: str) -> list[Gpu]:
    """Rows of `nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap` (CSV, no units)."""
    gpus = []
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 3 or not cells[0]:
            continue
        try:
            memory_gb: float | None = round(float(cells[1]) / 1024, 1)
        except ValueError:
            memory_gb = None
        capability = cells[3] if len(cells) > 3 and cells[3] not in ("", "[N/A]") else None
        gpus.append(
            Gpu(
                vendor="nvidia",
                name=cells[0][:200],
                memory_gb=memory_gb,
                driver=cells[2][:100] or None,
                compute_capability=capability,
            )
        )
    return gpus


def gpus(cpu_model: str) -> list[Gpu]:
    found = parse_nvidia_smi(
        command_output(
            [
                "nvidia-smi",
                "--query-gpu=name,memory.total,driver_version,compute_cap",
                "--format=csv,noheader,nounits",
            ]
        )
    )
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        # Apple silicon: the GPU is part of the SoC and shares the system memory.
        found.append(Gpu(vendor="apple", name=f"{cpu_model} GPU"[:200]))
    return found


# --- libraries -----------------------------------------------------------------------------------


def framework_versions() -> dict[str, str]:
    """Installed versions from package metadata; nothing is imported (importing TF is slow and risky)."""
    versions: dict[str, str] = {}
    for name, distributions in FRAMEWORK_DISTRIBUTIONS.items():
        for dist in distributions:
            try:
                versions[name] = importlib.metadata.version(dist)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return versions


def blas_libraries(owner: str = "numpy") -> list[BlasLibrary]:
    """BLAS/OpenMP libraries loaded in this process (call after importing the framework)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    libs = []
    for entry in threadpool_info():
        libs.append(
            BlasLibrary(
                user_api=str(entry.get("user_api", "unknown"))[:200],
                internal_api=str(entry.get("internal_api", "unknown"))[:200],
                version=str(entry["version"])[:100] if entry.get("version") else None,
                threading_layer=str(entry["threading_layer"])[:200] if entry.get("threading_layer") else None,
                architecture=str(entry["architecture"])[:200] if entry.get("architecture") else None,
                num_threads=entry.get("num_threads"),
                owner=owner,
            )
        )
    return sorted(libs, key=lambda b: (b.user_api, b.internal_api))


def fingerprint() -> Machine:
    """The full fingerprint of this machine, as recorded in every run file."""
    import psutil

    with contextlib.suppress(ImportError):
        import numpy  # noqa: F401  (loads the BLAS that threadpoolctl then reports)
    the_cpu = cpu()
    return Machine(
        os=operating_system(),
        cpu=the_cpu,
        memory_gb=round(psutil.virtual_memory().total / 2**30, 1),
        gpus=gpus(the_cpu.model),
        python=platform.python_version(),
        blas=blas_libraries(),
        frameworks=framework_versions(),
        host_id=host_id(),
    )


def machine_slug(machine: Machine) -> str:
    """`debian-12-x86_64`: the OS tag and architecture, used in run ids."""
    arch = re.sub(r"[^a-z0-9_]+", "-", machine.cpu.arch.lower()).strip("-")
    return f"{machine.os.tag}-{arch}"


def describe(machine: Machine) -> str:
    """A short human-readable summary for `framebench env`."""
    cpu_ = machine.cpu
    cores = f"{cpu_.cores_physical or '?'} cores / {cpu_.cores_logical} threads"
    isa = ", ".join(f for f in cpu_.flags if f.startswith(("avx", "fma", "neon", "amx")))
    blas_text = "; ".join(f"{b.internal_api} {b.version or ''}".strip() for b in machine.blas)
    lines = [
        f"os:         {machine.os.pretty or machine.os.distro} ({machine.os.tag})",
        f"cpu:        {cpu_.model}, {cpu_.arch}, {cores}",
        f"isa:        {isa or '-'}",
        f"memory:     {machine.memory_gb} GiB",
        f"gpus:       {'; '.join(g.name for g in machine.gpus) or 'none'}",
        f"python:     {machine.python}",
        f"blas:       {blas_text or '-'}",
        f"frameworks: {', '.join(f'{k} {v}' for k, v in sorted(machine.frameworks.items())) or 'none'}",
        f"host id:    {machine.host_id}",
    ]
    return "\n".join(lines)
