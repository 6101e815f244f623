"""What really ran: each backend's math library and thread pools, each case's execution mode and
threads, as short labels; and the GPU paths (TF's device sync, Apple Metal) with fake frameworks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from generator.bench import backends, conditions
from generator.bench.backends import Backend, FrameworkUnavailable, load_numpy, load_torch
from generator.bench.ops import prepare
from generator.bench.ops.prepared import SINGLE_THREAD, mode
from generator.catalog.cases import WorkItem

OPENBLAS = {
    "user_api": "blas",
    "internal_api": "openblas",
    "num_threads": 2,
    "filepath": "/venv/site-packages/numpy.libs/libscipy_openblas64_.so",
    "version": "0.3.27",
    "threading_layer": "pthreads",
    "architecture": "SkylakeX",
}


def test_numpy_library_names_openblas_and_its_kernel() -> None:
    other = {
        **OPENBLAS,
        "filepath": "/venv/site-packages/scipy.libs/libopenblas.so",
        "architecture": "Haswell",
    }
    openmp = {"user_api": "openmp", "internal_api": "openmp", "num_threads": 8, "filepath": "/libgomp.so"}
    found = conditions.numpy_conditions([openmp, other, OPENBLAS])
    assert found == {
        "library": "OpenBLAS 0.3.27 kernel SkylakeX (pthreads)",
        "threads": "2 (BLAS), 1 (elementwise ufuncs)",
    }
    assert conditions.numpy_conditions([])["library"] == "no BLAS found by threadpoolctl"
    accelerate = conditions.numpy_conditions([], "accelerate 14.0")
    assert accelerate == {
        "library": "accelerate 14.0 (threads not visible)",
        "threads": "unknown (BLAS), 1 (elementwise ufuncs)",
    }
    assert conditions.numpy_build_blas()  # this NumPy says what it was built with


def test_numpy_backend_reports_the_thread_limit_it_set() -> None:
    found = load_numpy("cpu", 1).conditions()
    assert found["threads"] == "1 (BLAS), 1 (elementwise ufuncs)"
    assert found["library"].split()[0] in ("OpenBLAS", "MKL", "BLIS", "accelerate")


def test_torch_library_from_its_build_config() -> None:
    config = (
        "  - Intel(R) oneAPI Math Kernel Library Version 2024.2-Product Build 20240605\n"
        "  - Intel(R) MKL-DNN v3.5.3 (Git Hash abc)\n  - CPU capability usage: AVX512\n"
        "  - Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release\n"
    )
    fake = SimpleNamespace(
        __config__=SimpleNamespace(show=lambda: config),
        backends=SimpleNamespace(mkldnn=SimpleNamespace(is_available=lambda: True)),
        get_num_threads=lambda: 2,
        get_num_interop_threads=lambda: 4,
    )
    assert conditions.torch_conditions(fake, "cpu") == {
        "library": "MKL 2024.2-Product, oneDNN v3.5.3, ATen AVX512",
        "threads": "2 intra-op, 4 inter-op",
    }
    openblas = SimpleNamespace(
        **{**vars(fake), "__config__": SimpleNamespace(show=lambda: "BLAS_INFO=open\n")}
    )
    assert conditions.torch_conditions(openblas, "cpu")["library"] == "BLAS open"


def test_torch_backend_conditions_are_real() -> None:
    found = load_torch("cpu", 1).conditions()
    assert found["threads"].startswith("1 intra-op")
    assert found["library"] != "unknown"


def fake_tf(intra: int, inter: int, cuda_build: bool = False) -> Any:
    return SimpleNamespace(
        config=SimpleNamespace(
            threading=SimpleNamespace(
                get_intra_op_parallelism_threads=lambda: intra,
                get_inter_op_parallelism_threads=lambda: inter,
            )
        ),
        sysconfig=SimpleNamespace(
            get_build_info=lambda: {"is_cuda_build": cuda_build, "cuda_version": "12.3", "cudnn_version": "8"}
        ),
    )


def test_tf_library_says_onednn_or_eigen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    monkeypatch.setattr(conditions, "tf_onednn_enabled", lambda: False)
    found = conditions.tf_conditions(fake_tf(2, 2), "cpu")
    assert found == {
        "library": "Eigen (oneDNN custom ops off: TF default for this CPU)",
        "threads": "2 intra-op, 2 inter-op",
    }
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    monkeypatch.setattr(conditions, "tf_onednn_enabled", lambda: True)
    found = conditions.tf_conditions(fake_tf(0, 2, cuda_build=True), "cuda")
    assert found["library"] == "oneDNN custom ops on (TF_ENABLE_ONEDNN_OPTS=1); CUDA 12.3, cuDNN 8"
    assert found["threads"] == "TF default (all cores) intra-op, 2 inter-op"


def test_labels_are_one_short_line() -> None:
    assert conditions.clean({"library": "a\nb\x00c" + "x" * 300}) == {"library": "a b c" + "x" * 195}
    assert conditions.clean({"mode": "eager", "runtime": " \n"}) == {"mode": "eager"}


def work(case: str, framework: str, variant: str = "default", **params: Any) -> WorkItem:
    return WorkItem("tensor", case, framework, "cpu", "float32", variant, tuple(sorted(params.items())))


def test_numpy_elementwise_cases_say_they_run_on_one_thread() -> None:
    backend = load_numpy("cpu", 2)
    for case in ("add", "exp", "sum"):
        assert prepare(work(case, "numpy", n=100), backend).conditions == {
            **mode("numpy"),
            "threads": SINGLE_THREAD,
        }
    assert "threads" not in prepare(work("matmul", "numpy", n=8), backend).conditions  # BLAS: the pool's


def test_modes_name_the_compiler() -> None:
    assert mode("torch", compiled=True) == {"mode": "torch.compile (inductor)"}
    assert mode("tensorflow", compiled=True) == {"mode": "tf.function (graph, no XLA)"}
    assert mode("tensorflow") == {"mode": "eager"}


# --- GPU paths with fake TensorFlow (no GPU here) ----------------------------------------------------


def gpu_tf(details: dict[str, str], sync: bool = True) -> Any:
    experimental = SimpleNamespace(sync_devices=lambda: None) if sync else SimpleNamespace()
    return SimpleNamespace(
        __version__="2.13.0",
        config=SimpleNamespace(
            list_physical_devices=lambda kind: ["/physical_device:GPU:0"],
            experimental=SimpleNamespace(get_device_details=lambda gpu: details),
        ),
        test=SimpleNamespace(experimental=experimental),
    )


def test_tf_auto_on_apple_metal_is_mps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("platform.system", lambda: "Linux")
    metal = gpu_tf({"device_name": "METAL"})
    assert backends.tf_device(metal, "auto") == "mps"
    assert backends.tf_device(metal, "mps") == "mps"
    with pytest.raises(FrameworkUnavailable, match="mps device, not cuda"):
        backends.tf_device(metal, "cuda")
    nvidia = gpu_tf({"device_name": "NVIDIA H100", "compute_capability": "(9, 0)"})
    assert backends.tf_device(nvidia, "auto") == "cuda"
    with pytest.raises(FrameworkUnavailable, match="cuda device, not mps"):
        backends.tf_device(nvidia, "mps")
    monkeypatch.setattr("platform.system", lambda: "Darwin")
    assert backends.tf_device(gpu_tf({}), "auto") == "mps"  # TF on macOS has no CUDA


def test_tf_gpu_sync_waits_for_the_device_or_refuses() -> None:
    synced: list[int] = []
    tf = gpu_tf({})
    tf.test.experimental.sync_devices = lambda: synced.append(1)
    backends.tf_sync(tf)()
    assert synced == [1]
    with pytest.raises(
        FrameworkUnavailable, match=r"tensorflow 2\.13\.0 has no tf\.test\.experimental\.sync_devices"
    ):
        backends.tf_sync(gpu_tf({}, sync=False))


def test_backend_conditions_dispatch_on_the_framework(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conditions, "tf_onednn_enabled", lambda: None)
    found = Backend("tensorflow", "cpu", 2, "2.21", fake_tf(2, 2)).conditions()
    assert found["library"] == "Eigen or oneDNN (TF does not say)"
