"""Fingerprint parsers fed with outputs recorded on Debian, Ubuntu, Arch and macOS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.machine import detect
from generator.schema.models import Machine

DATA = Path(__file__).parent / "data" / "os"


@pytest.mark.parametrize(
    ("name", "tag", "distro"),
    [
        ("debian-12", "debian-12", "debian"),
        ("ubuntu-24.04", "ubuntu-24.04", "ubuntu"),
        ("arch", "arch", "arch"),
    ],
)
def test_os_release_gives_distro_tag(name: str, tag: str, distro: str) -> None:
    fields = detect.parse_os_release((DATA / f"os-release.{name}").read_text())
    found = detect.os_from_release(fields, kernel="6.1.0")
    assert (found.family, found.distro, found.tag) == ("linux", distro, tag)


def test_ubuntu_pretty_name_keeps_spaces() -> None:
    fields = detect.parse_os_release((DATA / "os-release.ubuntu-24.04").read_text())
    assert fields["PRETTY_NAME"] == "Ubuntu 24.04.1 LTS"


@pytest.mark.parametrize(
    ("version", "tag"), [("14.5", "macos-14"), ("10.15.7", "macos-10.15"), ("26.0", "macos-26")]
)
def test_macos_tag_uses_major_version(version: str, tag: str) -> None:
    assert detect.os_from_mac_version(version).tag == tag


def test_lscpu_debian() -> None:
    cpu = detect.parse_lscpu((DATA / "lscpu.debian-12").read_text())
    assert cpu["arch"] == "x86_64"
    assert cpu["cores_logical"] == 2 and cpu["cores_physical"] == 2
    assert "avx512f" in cpu["flags"] and "fma" in cpu["flags"]


def test_sysctl_apple_silicon() -> None:
    cpu = detect.parse_sysctl((DATA / "sysctl.macos-14-m2").read_text())
    assert cpu["model"] == "Apple M2" and cpu["arch"] == "arm64"
    assert cpu["cores_logical"] == 8 and cpu["memory_gb"] == 16.0


def test_sysctl_intel_mac_flags() -> None:
    cpu = detect.parse_sysctl((DATA / "sysctl.macos-13-intel").read_text())
    assert cpu["arch"] == "x86_64" and cpu["cores_physical"] == 6 and cpu["cores_logical"] == 12
    assert {"avx2", "fma"} <= set(cpu["flags"])


def test_nvidia_smi_csv() -> None:
    (gpu,) = detect.parse_nvidia_smi((DATA / "nvidia-smi.h100.csv").read_text())
    assert gpu.vendor == "nvidia" and gpu.name.startswith("NVIDIA H100")
    assert gpu.memory_gb == pytest.approx(79.6, abs=0.1) and gpu.compute_capability == "9.0"


def test_nvidia_smi_garbage_gives_no_gpu() -> None:
    assert detect.parse_nvidia_smi("NVIDIA-SMI has failed\n") == []


def test_fingerprint_of_this_machine_is_valid_and_anonymous() -> None:
    found = detect.fingerprint()
    Machine.model_validate_json(found.model_dump_json())
    assert found.cpu.cores_logical >= 1 and found.memory_gb > 0
    import socket

    host = socket.gethostname()
    if len(host) >= 4:  # a two-letter host name ("vm") would match ISA flags
        assert host not in found.model_dump_json()
    assert len(found.host_id) == 16
    assert detect.machine_slug(found).startswith(found.os.tag + "-")


def test_env_json_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "env", "--json"], capture_output=True, text=True, check=True
    )
    data = json.loads(done.stdout)
    assert data["os"]["tag"] and data["cpu"]["cores_logical"] >= 1
    assert "numpy" in data["frameworks"]
