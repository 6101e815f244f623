"""Machine keys, hardware classes and labels (generator.machine.identity), and duplicates keyed by machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.contrib.duplicates import Duplicates
from generator.machine.identity import (
    defining_fields,
    hardware_class,
    hardware_label,
    machine_key,
    nominal_memory_gb,
    series_label,
    short_cpu_name,
)
from generator.schema.load import load_runs
from generator.schema.models import Gpu, Machine
from tests.factories import make_machine, make_run, make_timing

RUNS = Path(__file__).resolve().parents[1] / "runs"
H100 = Gpu(vendor="nvidia", name="NVIDIA H100 80GB HBM3", memory_gb=79.6)


def machine(
    model: str = "Intel(R) Xeon(R) Processor",
    *,
    cores: tuple[int | None, int] = (2, 2),
    flags: list[str] | None = None,
    **fields: object,
) -> Machine:
    """The factory machine with another CPU (physical, logical cores; flags) and machine fields."""
    base = make_machine()
    cpu: dict[str, object] = {"model": model, "cores_physical": cores[0], "cores_logical": cores[1]}
    if flags is not None:
        cpu["flags"] = flags
    return base.model_copy(update={"cpu": base.cpu.model_copy(update=cpu), **fields})


def test_clones_sharing_a_host_id_are_different_machines() -> None:
    xeon = machine("Intel(R) Xeon(R) Processor")
    epyc = machine("AMD EPYC 9B14")
    assert xeon.host_id == epyc.host_id
    assert machine_key(xeon) != machine_key(epyc)
    assert machine_key(xeon) != machine_key(machine(cores=(4, 4)))
    assert machine_key(xeon) != machine_key(machine(memory_gb=62.8))
    assert machine_key(xeon) != machine_key(machine(gpus=[H100]))
    assert machine_key(xeon) != machine_key(machine(host_id="f" * 16))


def test_memory_jitter_and_gpu_order_keep_one_key() -> None:
    assert machine_key(machine(memory_gb=23.4)) == machine_key(machine(memory_gb=23.5))
    assert machine_key(machine(memory_gb=125.7)) == machine_key(machine(memory_gb=125.9))
    assert machine_key(machine(memory_gb=15.4)) == machine_key(machine(memory_gb=16.0))
    l4 = Gpu(vendor="nvidia", name="NVIDIA L4", memory_gb=22.5)
    assert machine_key(machine(gpus=[H100, l4])) == machine_key(machine(gpus=[l4, H100]))
    assert machine_key(machine(gpus=[H100])) != machine_key(machine(gpus=[H100, H100]))
    # Nothing but the fingerprint: versions and flags that change with an upgrade keep the machine.
    assert machine_key(machine(python="3.12.1", flags=["avx"])) == machine_key(machine())


@pytest.mark.parametrize(
    ("reported", "nominal"),
    [
        (23.4, 24),
        (23.5, 24),
        (125.9, 128),
        (7.7, 8),
        (3.6, 4),
        (14.6, 16),
        (31.3, 32),
        (18.0, 18),
        (16.0, 16),
    ],
)
def test_nominal_memory(reported: float, nominal: float) -> None:
    assert nominal_memory_gb(reported) == nominal


def test_committed_runs_keep_one_key_per_real_machine() -> None:
    machines = [run.machine for run in load_runs([RUNS]) if run.machine is not None]
    by_box: dict[tuple[str, str], set[str]] = {}
    for m in machines:
        by_box.setdefault((m.host_id, m.cpu.model), set()).add(machine_key(m))
    # Each (host id, CPU) is one box: the Xeon VM with two runs, the Ubuntu H100 box, and the
    # AMD EPYC VM, a clone that shares the Xeon's /etc/machine-id and still gets its own key.
    assert len(machines) >= 3 and all(len(keys) == 1 for keys in by_box.values())
    assert len({k for keys in by_box.values() for k in keys}) == len(by_box)
    shared = [host for host, _ in by_box if sum(1 for h, _ in by_box if h == host) > 1]
    assert shared, "the committed runs include two machines that share one host id"
    # Same generic CPU name, other core counts or vector units: separate hardware classes. The EPYC VM
    # was moved onto an AVX-512 part on 4 December: one box (same host id, CPU name and cores), so
    # one machine key and page, and its runs since then pool into the AVX-512 class.
    classes: dict[tuple[str, str], set[str]] = {}
    for m in machines:
        classes.setdefault((m.host_id, m.cpu.model), set()).add(hardware_class(m, "cpu"))
    assert len({c for found in classes.values() for c in found}) == len(by_box) + 1
    moved = [box for box, found in classes.items() if len(found) > 1]
    assert [model for _, model in moved] == ["AMD EPYC"]


def test_a_clone_of_a_committed_machine_gets_its_own_key() -> None:
    committed = next(run.machine for run in load_runs([RUNS]) if run.machine is not None)
    clone = committed.model_copy(
        update={"cpu": committed.cpu.model_copy(update={"model": "AMD EPYC 9B14", "flags": ["avx512f"]})}
    )
    assert machine_key(clone) != machine_key(committed)
    assert hardware_class(clone, "cpu") != hardware_class(committed, "cpu")


def test_hardware_classes_pool_machines_of_one_kind() -> None:
    one = machine("AMD EPYC 9B14", host_id="1" * 16, memory_gb=8.0, gpus=[H100])
    two = machine("AMD EPYC 9B14", host_id="2" * 16, memory_gb=64.0)
    assert machine_key(one) != machine_key(two)
    assert hardware_class(one, "cpu") == hardware_class(two, "cpu")
    assert hardware_class(one, "cpu") != hardware_class(machine("AMD EPYC 9B14", cores=(2, 4)), "cpu")
    # GPU work pools by GPU model, whatever the host CPU.
    other_host = machine("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", gpus=[H100])
    assert hardware_class(one, "cuda") == hardware_class(other_host, "cuda")
    assert hardware_class(one, "cuda") != hardware_class(one, "cpu")
    pcie = Gpu(vendor="nvidia", name="NVIDIA H100 PCIe", memory_gb=79.6)
    assert hardware_class(one, "cuda") != hardware_class(machine(gpus=[pcie]), "cuda")
    # A GPU the fingerprint does not name pools with nothing else.
    assert hardware_class(machine(host_id="1" * 16), "cuda") != hardware_class(machine(), "cuda")


def test_generic_cpu_names_are_told_apart_by_their_vector_extensions() -> None:
    skylake = machine(flags=["avx2", "avx512f"])
    sapphire = machine(flags=["avx2", "avx512f", "amx_tile"])
    assert hardware_class(skylake, "cpu") != hardware_class(sapphire, "cpu")
    assert hardware_label(skylake, "cpu") == "Xeon AVX-512 (2 cores)"
    assert hardware_label(sapphire, "cpu") == "Xeon AMX (2 cores)"
    # A model number says enough: flags recorded differently by another tool version do not split it.
    named = "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz"
    assert hardware_class(machine(named, flags=[]), "cpu") == hardware_class(machine(named), "cpu")


@pytest.mark.parametrize(
    ("model", "short"),
    [
        ("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", "Xeon Platinum 8481C"),
        ("AMD EPYC 9B14 96-Core Processor", "EPYC 9B14"),
        ("Apple M2 Max", "Apple M2 Max"),
        ("Intel(R) Xeon(R) CPU @ 2.20GHz", "Xeon"),
        ("Intel(R) Xeon(R) Processor", "Xeon"),
        ("12th Gen Intel(R) Core(TM) i7-12700H", "Core i7-12700H"),
        ("AMD Ryzen 7 PRO 7840U w/ Radeon 780M Graphics", "Ryzen 7 PRO 7840U"),
        ("AMD Ryzen 9 7950X 16-Core Processor", "Ryzen 9 7950X"),
        ("Neoverse-N1", "Neoverse-N1"),
        ("CPU", "CPU"),
    ],
)
def test_short_cpu_names(model: str, short: str) -> None:
    assert short_cpu_name(model) == short


def test_labels_name_the_hardware_that_ran() -> None:
    box = machine(memory_gb=125.9, cores=(16, 16), flags=["amx_tile"], gpus=[H100])
    assert series_label(box, "torch", "cuda", "float32") == "H100 80GB · torch · float32"
    assert series_label(box, "torch", "cpu", "float32") == "Xeon AMX (16 cores) · torch · float32"
    assert series_label(machine(flags=[]), "numpy", "cpu") == "Xeon (2 cores) · numpy"
    assert series_label(box, "torch", "cpu", "float32", "int8-dynamic").endswith("· float32 · int8-dynamic")
    assert series_label(box, "numpy", "cpu", "float32", "default").endswith("· numpy · float32")
    t4 = machine(gpus=[Gpu(vendor="nvidia", name="Tesla T4", memory_gb=15.0)])
    assert hardware_label(t4, "cuda") == "T4 16GB"
    a10g = machine(gpus=[Gpu(vendor="nvidia", name="NVIDIA A10G", memory_gb=22.5)])
    assert hardware_label(a10g, "cuda") == "A10G 24GB"
    mac = machine(
        "Apple M2 Max", memory_gb=32.0, cores=(12, 12), gpus=[Gpu(vendor="apple", name="Apple M2 Max GPU")]
    )
    assert series_label(mac, "torch", "mps", "float32") == "Apple M2 Max GPU 32GB · torch · float32"
    assert series_label(mac, "numpy", "cpu") == "Apple M2 Max (12 cores) · numpy"
    smt = machine("AMD EPYC 9B14", cores=(8, 16))
    assert hardware_label(smt, "cpu") == "EPYC 9B14 (8C/16T)"
    assert hardware_label(machine("AMD EPYC 9B14", cores=(None, 4)), "cpu") == "EPYC 9B14 (4 threads)"
    assert hardware_label(machine(), "cuda") == "cuda GPU (model not recorded)"
    for label in (series_label(box, "tensorflow", "cuda", "float32"), series_label(smt, "torch", "cpu")):
        assert len(label) < 35


def test_defining_fields_name_every_field_of_the_key() -> None:
    fields = dict(defining_fields(machine(memory_gb=23.5, gpus=[H100])))
    assert fields["anonymous host id"] == "0123456789abcdef"
    assert fields["CPU model"] == "Intel(R) Xeon(R) Processor"
    assert fields["CPU cores (physical / logical)"] == "2 / 2"
    assert any(v == "24 GiB (reported: 23.5 GiB)" for v in fields.values())
    assert fields["GPUs"] == "NVIDIA H100 80GB HBM3 (80 GB)"


def test_near_duplicates_need_one_machine_not_just_one_host_id() -> None:
    base = make_run(results=[make_timing(0.010), make_timing(0.020, params={"n": 512})])
    same_box = base.model_copy(update={"run_id": "2026-11-24T13-00-00Z-debian-12-x86_64-abc124"})
    assert base.machine is not None
    clone = same_box.model_copy(
        update={"machine": base.machine.model_copy(update={"cpu": machine("AMD EPYC 9B14").cpu})}
    )
    nudged = [make_timing(0.0100001), make_timing(0.0200001, params={"n": 512})]
    index = Duplicates(hosts={base.machine.host_id})
    index.add(base, "runs/a.json")
    assert [i.message for i in index.find(same_box.model_copy(update={"results": nudged}))] == [
        "near duplicate of runs/a.json: same machine and every figure within 0.1%"
    ]
    assert index.find(clone.model_copy(update={"results": nudged})) == []
