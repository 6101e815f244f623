"""Small valid run-file objects for unit tests (not measurements: never published)."""

from __future__ import annotations

from typing import Any

from generator.bench.timer import summarize
from generator.schema.models import AccuracyResult, Cpu, Machine, OperatingSystem, Run, TimingResult


def make_machine(**cpu: Any) -> Machine:
    return Machine(
        os=OperatingSystem(family="linux", distro="debian", version="12", tag="debian-12"),
        cpu=Cpu(
            model="Test CPU", arch="x86_64", cores_physical=2, cores_logical=2, flags=["avx2", "fma"], **cpu
        ),
        memory_gb=16.0,
        python="3.11.7",
        frameworks={"numpy": "2.4.6"},
        host_id="0123456789abcdef",
    )


def make_timing(median: float = 0.01, **fields: Any) -> TimingResult:
    base: dict[str, Any] = dict(
        suite="ops",
        family="tensor",
        case="matmul",
        framework="numpy",
        device="cpu",
        dtype="float32",
        params={"n": 256},
        status="ok",
        samples=[median] * 5,
        flops=2 * 256**3,
        stats=summarize([median] * 5, 1),
    )
    base.update(fields)
    return TimingResult(**base)


def make_accuracy(**fields: Any) -> AccuracyResult:
    base: dict[str, Any] = dict(
        suite="accuracy",
        model="resnet50",
        framework="pytorch",
        protocol="original",
        top1=76.1,
        top5=92.9,
        images=50000,
        weights="IMAGENET1K_V1",
    )
    base.update(fields)
    return AccuracyResult(**base)


def make_run(run_id: str = "2026-11-24T12-00-00Z-debian-12-x86_64-abc123", **fields: Any) -> Run:
    base: dict[str, Any] = dict(
        schema_version=2,
        run_id=run_id,
        kind="ops",
        created="2026-11-24T12:00:00Z",
        tool_version="0.1.0",
        command="framebench bench ops --quick",
        machine=make_machine(),
        results=[make_timing()],
    )
    base.update(fields)
    return Run(**base)
