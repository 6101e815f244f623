"""Synthetic but schema-valid run sets, for the site scale benchmark and the hostile-string tests.

These are never measurements: every synthetic machine's CPU model says "synthetic", and nothing here
writes into runs/. Sizes mimic real runs: ~200 results per run spread over ~30 machines.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from generator.bench.timer import summarize
from generator.schema.models import (
    AccuracyResult,
    Cpu,
    Gpu,
    Machine,
    OperatingSystem,
    Run,
    TimingResult,
)

OS_TAGS = [
    ("linux", "debian", "12"),
    ("linux", "ubuntu", "24.04"),
    ("linux", "ubuntu", "22.04"),
    ("macos", "macos", "14"),
    ("macos", "macos", "15"),
    ("linux", "fedora", "41"),
]
FRAMEWORKS = ("numpy", "tensorflow", "torch")
SIZES = (64, 128, 256, 512, 1024, 2048, 4096)
TENSOR_CASES = ("matmul", "add", "sub", "mul", "exp", "tanh", "sum", "mean", "transpose_copy", "conv2d")

# Strings that must show literally on the site and never run as code or markup.
PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "[click](javascript:window.__pwned=1)",
    "{{ 7*7 }} {% raw %}",
    '<a href="javascript:window.__pwned=1">x</a>',
    "| a | b | --- | ||",
    "<svg onload=window.__pwned=1>",
    "`code` **bold** <!-- comment",
)


def synthetic_machine(index: int) -> Machine:
    family, distro, version = OS_TAGS[index % len(OS_TAGS)]
    gpus = [Gpu(vendor="nvidia", name=f"Synthetic GPU {index}", memory_gb=24.0)] if index % 5 == 0 else []
    return Machine(
        os=OperatingSystem(
            family=family,  # type: ignore[arg-type]
            distro=distro,
            version=version,
            tag=f"{distro}-{version}",
        ),
        cpu=Cpu(
            model=f"Synthetic CPU {index:02d}",
            arch="arm64" if family == "macos" else "x86_64",
            cores_physical=4 + index % 12,
            cores_logical=8 + 2 * (index % 12),
            flags=["avx2", "fma"],
        ),
        memory_gb=float(16 + 8 * (index % 8)),
        gpus=gpus,
        python="3.11.7",
        frameworks={"numpy": "2.4.6", "tensorflow": "2.21.0", "torch": f"2.{12 + index % 3}.1"},
        host_id=f"{index:016x}",
    )


CONDITIONS = {
    "numpy": {"library": "OpenBLAS 0.3.27 (synthetic)", "threads": "8", "mode": "eager"},
    "tensorflow": {"library": "oneDNN (synthetic)", "threads": "8", "mode": "tf.function"},
    "torch": {"library": "MKL (synthetic)", "threads": "8", "mode": "eager"},
}


def _timing(rng: random.Random, case: str, framework: str, n: int, speed: float) -> TimingResult:
    flops = 2.0 * n**3 if case == "matmul" else float(n * n)
    median = max(flops / (speed * 1e9) * rng.uniform(0.8, 1.25), 1e-7)
    samples = [median * rng.uniform(0.97, 1.05) for _ in range(7)]
    return TimingResult(
        suite="ops",
        family="tensor",
        case=case,
        framework=framework,  # type: ignore[arg-type]
        device="cpu",
        dtype="float32",
        params={"n": n},
        status="ok",
        samples=samples,
        flops=flops,
        threads=8,
        conditions=CONDITIONS[framework],
        warnings=["spread between processes 6 %"] if rng.random() < 0.02 else [],
        process_rounds=[2, 2, 3],  # three worker processes, as `bench ops --quick` takes
        stats=summarize(samples, 1, [2, 2, 3]),
    )


def synthetic_runs(count: int, *, machines: int = 30, seed: int = 0) -> Iterator[Run]:
    """`count` valid ops runs of ~210 results each (10 cases x 3 frameworks x 7 sizes)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    fleet = [synthetic_machine(i) for i in range(machines)]
    for i in range(count):
        machine = fleet[i % machines]
        created = start + timedelta(minutes=7 * i)
        speed = 20.0 + 5 * (i % machines)
        results: list[TimingResult | AccuracyResult] = [
            _timing(rng, case, fw, n, speed * (1.0 + 0.2 * k))
            for case in TENSOR_CASES
            for k, fw in enumerate(FRAMEWORKS)
            for n in SIZES
        ]
        yield Run(
            schema_version=2,
            run_id=f"{created:%Y-%m-%dT%H-%M-%S}Z-{machine.os.tag}-synthetic-{i:06x}",
            kind="ops",
            created=f"{created:%Y-%m-%dT%H:%M:%S}Z",
            tool_version="0.1.0",
            command="framebench bench ops (synthetic)",
            machine=machine,
            results=results,
        )


def hostile_run() -> Run:
    """A valid run whose every free-text field holds a payload from PAYLOADS."""
    base = next(synthetic_runs(1, machines=1))
    payload = iter(PAYLOADS * 8)
    assert base.machine is not None
    machine = base.machine.model_copy(
        update={
            "cpu": base.machine.cpu.model_copy(update={"model": next(payload)}),
            "gpus": [Gpu(vendor="nvidia", name=next(payload))],
            "frameworks": {"numpy": next(payload), "torch": "2.14.1"},
        }
    )
    results = [
        r.model_copy(update={"case": next(payload), "dtype": "float32", "variant": next(payload)})
        for r in base.results[:4]
    ]
    return base.model_copy(
        update={
            "run_id": "2026-01-01T00-00-00Z-debian-12-hostile-000001",
            "command": next(payload),
            "machine": machine,
            "results": results,
            "notes": {"comment": next(payload)},
        }
    )
