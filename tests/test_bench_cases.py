"""Cases do equal work and are checked against NumPy: a wrong result must fail, never be timed.
Runs NumPy and PyTorch in-process (small sizes); TensorFlow runs in the runner tests' subprocesses."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from generator.bench import backends
from generator.bench.backends import Backend, load_numpy, load_torch
from generator.bench.ops import nets, prepare, tensor
from generator.bench.ops.prepared import Mismatch, Unsupported, check_close
from generator.bench.worker import run_item
from generator.catalog import cases
from generator.catalog.cases import WorkItem
from generator.catalog.flops import FLOP_FORMULAS, flops
from generator.schema.models import TimingResult


def item(
    case: str, framework: str = "numpy", dtype: str = "float32", variant: str = "default", **params: Any
) -> WorkItem:
    family = next(c.family for c in cases.CASES if c.name == case)
    return WorkItem(family, case, framework, "cpu", dtype, variant, tuple(sorted(params.items())))


def test_registry_is_complete() -> None:
    names = [c.name for c in cases.CASES]
    assert len(names) == len(set(names))
    for case in cases.public_cases():
        assert case.family in cases.FAMILIES and case.quick and case.full and case.description
        assert case.name in FLOP_FORMULAS
    assert {c.family for c in cases.public_cases()} == set(cases.FAMILIES)


def test_select_cases_by_name_and_family_and_rejects_unknown() -> None:
    assert [c.name for c in cases.select_cases(["matmul"])] == ["matmul"]
    assert {c.family for c in cases.select_cases(["training"])} == {"training"}
    with pytest.raises(ValueError, match=r"unknown case\(s\) nope; valid: tensor, gradients.*matmul"):
        cases.select_cases(["nope"])
    assert all(not c.test_only for c in cases.select_cases(None))


def test_plan_keys_are_unique_and_round_trip() -> None:
    items = cases.plan(cases.select_cases(None), "torch", "cpu", quick=True)
    keys = [i.key() for i in items]
    assert len(keys) == len(set(keys))
    assert all(WorkItem.from_json(i.to_json()) == i for i in items)


def test_flops_formulas() -> None:
    assert flops("matmul", {"n": 1024}) == 2 * 1024**3
    assert flops("add", {"n": 10}) == 10
    assert flops("transpose_copy", {"n": 8}) is None
    assert flops("conv2d", {"batch": 1, "c_in": 2, "c_out": 3, "side": 5, "kernel": 3}) == 2 * 3 * 9 * 2 * 9
    # forward + weight gradients + the hidden layer's input gradient (tests/test_flops.py checks more)
    assert flops("mlp_train", {"batch": 2, "d_in": 3, "hidden": 4, "classes": 5}) == 2 * 2 * (2 * 12 + 3 * 20)


def test_check_close_rejects_wrong_values_shapes_and_nans() -> None:
    ref = np.linspace(-1, 1, 100)
    assert check_close(ref.astype(np.float32), ref, 2e-4) < 1e-6
    with pytest.raises(Mismatch, match="max abs error"):
        check_close(ref * 1.01, ref, 2e-4)
    with pytest.raises(Mismatch, match="shape"):
        check_close(ref[:50], ref, 2e-4)
    with pytest.raises(Mismatch, match="NaN"):
        check_close(np.full(100, np.nan), ref, 2e-4)


def test_im2col_conv_matches_a_direct_loop() -> None:
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
    direct = np.zeros((2, 4, 4, 4))
    for i in range(4):
        for j in range(4):
            direct[:, :, i, j] = np.einsum("bchw,ochw->bo", x[:, :, i : i + 3, j : j + 3], w)
    np.testing.assert_allclose(tensor.im2col_conv2d(x, w), direct, rtol=1e-12)
    np.testing.assert_allclose(tensor.reference("conv2d", x, w), direct, rtol=1e-12)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_numpy_backprop_matches_finite_differences(kind: str) -> None:
    if kind == "mlp":
        p = {k: v.astype(np.float64) for k, v in nets.mlp_params(5, 7, 3).items()}
        x, y = nets.mlp_data(4, 5, 3)
        forward, grads = nets.mlp_forward, nets.mlp_grads
    else:
        p = {k: v.astype(np.float64) for k, v in nets.cnn_params(2, 3).items()}
        x, y = nets.cnn_data(2, 3)
        forward, grads = nets.cnn_forward, nets.cnn_grads
    x = x.astype(np.float64)

    def loss(params: nets.Params) -> float:
        logits = forward(params, x)
        shifted = logits - logits.max(1, keepdims=True)
        return float(np.mean(np.log(np.exp(shifted).sum(1)) - shifted[np.arange(len(y)), y]))

    value, g = grads(p, x, y)
    assert value == pytest.approx(loss(p))
    for name in p:
        idx = tuple(1 % s for s in p[name].shape)
        hi = {k: v.copy() for k, v in p.items()}
        lo = {k: v.copy() for k, v in p.items()}
        hi[name][idx] += 1e-6
        lo[name][idx] -= 1e-6
        assert g[name][idx] == pytest.approx((loss(hi) - loss(lo)) / 2e-6, rel=1e-4, abs=1e-8)


def test_magnitude_prune_zeroes_half_of_each_weight() -> None:
    p = nets.mlp_params(8, 6, 4)
    pruned = nets.magnitude_prune(p)
    assert np.mean(pruned["w1"] == 0) == pytest.approx(0.5)
    np.testing.assert_array_equal(pruned["b1"], p["b1"])
    kept = pruned["w1"] != 0
    assert np.abs(p["w1"][kept]).min() >= np.abs(p["w1"][~kept]).max()


@pytest.fixture(scope="module")
def numpy_backend() -> Backend:
    return load_numpy("cpu", 1)


@pytest.fixture(scope="module")
def torch_backend() -> Backend:
    return load_torch("cpu", 1)


SMALL = [
    item("matmul", n=64),
    item("matmul", dtype="float64", n=32),
    item("add", n=1000),
    item("exp", n=1000),
    item("mean", n=1000),
    item("transpose_copy", n=33),
    item("conv2d", batch=2, c_in=3, c_out=4, side=8, kernel=3),
    item("mlp_grad", variant="eager", batch=8, d_in=16, hidden=8, classes=10),
    item("mlp_train", variant="eager", batch=8, d_in=16, hidden=8, classes=10),
    item("cnn_train", variant="eager", batch=4, channels=2, classes=10),
    item("mlp_infer", variant="fp32", batch=2, d_in=16, hidden=8, classes=10),
    item("mlp_infer", variant="pruned-50", batch=2, d_in=16, hidden=8, classes=10),
    item("cnn_infer", variant="pruned-50", batch=2, channels=2, classes=10),
]


@pytest.mark.parametrize("work", SMALL, ids=lambda w: f"{w.case}-{w.dtype}-{w.variant}")
@pytest.mark.parametrize("framework", ["numpy", "torch"])
def test_cases_validate_and_run(
    work: WorkItem, framework: str, numpy_backend: Backend, torch_backend: Backend
) -> None:
    backend = numpy_backend if framework == "numpy" else torch_backend
    prepared = prepare(
        WorkItem(work.family, work.case, framework, "cpu", work.dtype, work.variant, work.params), backend
    )
    prepared.call()
    assert prepared.metrics["max_abs_err"] >= 0
    conditions = {**backend.conditions(), **prepared.conditions}  # as the worker records them
    assert {"library", "threads", "mode"} <= set(conditions)
    assert all(0 < len(v) <= 200 and v.isprintable() for v in conditions.values())


def test_torch_int8_reports_agreement(torch_backend: Backend) -> None:
    work = item("mlp_infer", "torch", variant="int8-static", batch=4, d_in=32, hidden=16, classes=10)
    prepared = prepare(work, torch_backend)
    assert 0.5 <= prepared.metrics["agreement_vs_fp32"] <= 1.0


def test_an_unknown_inference_variant_is_unsupported(torch_backend: Backend) -> None:
    with pytest.raises(Unsupported, match="no inference variant 'int8-dynamic'"):
        prepare(
            item("mlp_infer", "torch", variant="int8-dynamic", batch=4, d_in=8, hidden=4, classes=10),
            torch_backend,
        )


def test_numpy_has_no_compiled_or_int8_variant(numpy_backend: Backend) -> None:
    with pytest.raises(Unsupported, match="graph compiler"):
        prepare(item("mlp_train", variant="compiled", batch=4, d_in=8, hidden=4, classes=10), numpy_backend)
    with pytest.raises(Unsupported, match="int8"):
        prepare(
            item("mlp_infer", "numpy", variant="int8-static", batch=4, d_in=8, hidden=4, classes=10),
            numpy_backend,
        )


def test_a_wrong_result_is_a_failed_case(monkeypatch: pytest.MonkeyPatch, torch_backend: Backend) -> None:
    real = tensor.operations

    def broken(backend: Backend) -> dict[str, Any]:
        ops = dict(real(backend))
        ops["add"] = lambda a, b: a + b * 1.001  # a subtly wrong kernel
        return ops

    monkeypatch.setattr(tensor, "operations", broken)
    data = run_item(item("add", "torch", n=1000), torch_backend, budget_s=0.05, warmup_s=0.01)
    result = TimingResult.model_validate_json(json.dumps(data))
    assert result.status == "failed" and "max abs error" in (result.error or "")
    assert result.samples == [] and result.stats is None


def test_an_ok_result_has_samples_flops_and_conditions(numpy_backend: Backend) -> None:
    """What the worker reports for a case (statistics and GFLOP/s are derived from it later)."""
    result = run_item(item("matmul", n=64), numpy_backend, budget_s=0.05, warmup_s=0.01)
    assert result["status"] == "ok" and result["samples"] and result["threads"] == 1
    assert result["flops"] == 2 * 64**3
    conditions = result["conditions"]
    assert (
        conditions["threads"] == "1 (BLAS), 1 (elementwise ufuncs)" and conditions["mode"] == "NumPy (eager)"
    )
    assert conditions["library"]


# --- GPU code paths, exercised with mocks (no GPU here) -------------------------------------------


def test_torch_picks_cuda_and_its_sync_when_cuda_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    synced = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: synced.append(1))
    backend = load_torch("auto", 1)
    assert backend.device == "cuda" and backend.sync is not None
    backend.sync()
    assert synced == [1]
    assert backends.torch_device(torch, "cuda") == "cuda"


def test_torch_cuda_request_without_gpu_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(backends.FrameworkUnavailable, match="no CUDA"):
        backends.torch_device(torch, "cuda")
    assert backends.torch_device(torch, "cpu") == "cpu"


def test_tf_device_choice_with_a_fake_tf() -> None:
    class FakeConfig:
        def __init__(self, gpus: list[str]) -> None:
            self.gpus = gpus

        def list_physical_devices(self, kind: str) -> list[str]:
            return self.gpus

    class FakeTF:
        def __init__(self, gpus: list[str]) -> None:
            self.config = FakeConfig(gpus)

    assert backends.tf_device(FakeTF(["gpu0"]), "auto") == "cuda"
    assert backends.tf_device(FakeTF([]), "auto") == "cpu"
    with pytest.raises(backends.FrameworkUnavailable):
        backends.tf_device(FakeTF([]), "cuda")


def test_gpu_matmul_records_transfers_separately(numpy_backend: Backend) -> None:
    syncs: list[int] = []
    fake_gpu = Backend("numpy", "cuda", 1, "test", np, lambda: syncs.append(1))
    prepared = prepare(item("matmul", n=32), fake_gpu)
    assert prepared.metrics["transfer_h2d_s"] > 0 and prepared.metrics["transfer_d2h_s"] > 0
    assert syncs  # the transfer timings waited for the (fake) device
    assert "transfer_h2d_s" not in prepare(item("matmul", n=32), numpy_backend).metrics


def test_time_limit_turns_a_slow_compiler_into_unsupported() -> None:
    import time

    from generator.bench.ops.prepared import time_limit

    with (
        pytest.raises(Unsupported, match=r"did not finish within 0\.05 s"),
        time_limit(0.05, "slow compiler"),
    ):
        time.sleep(2)
    with time_limit(5, "fast"):
        pass  # no alarm left behind
    time.sleep(0.01)
