"""int8 like for like: torch static int8 vs torch fp32, TFLite int8 vs TFLite fp32; the layers that
really became int8 are recorded; and the int8 and pruned checks fail on a broken model."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import numpy as np
import pytest

from generator.bench.backends import Backend, load_torch
from generator.bench.ops import inference, prepare, quantize
from generator.bench.ops.prepared import Mismatch, Unsupported, relative_rms_error
from generator.catalog import cases
from generator.catalog.cases import WorkItem

MLP = {"d_in": 32, "hidden": 16, "classes": 10}
CNN = {"channels": 4, "classes": 10}


def infer(case: str, framework: str, variant: str, batch: int = 4) -> WorkItem:
    params = MLP if case == "mlp_infer" else CNN
    return WorkItem(
        "inference",
        case,
        framework,
        "cpu",
        "float32",
        variant,
        tuple(sorted({**params, "batch": batch}.items())),
    )


@pytest.fixture(scope="module")
def torch_backend() -> Backend:
    return load_torch("cpu", 1)


@pytest.fixture(scope="module")
def tf_backend() -> Backend:
    pytest.importorskip("tensorflow")
    from generator.bench.backends import load_tensorflow

    return load_tensorflow("cpu", 1)


def test_variants_pair_int8_with_fp32_in_the_same_runtime() -> None:
    assert cases.baseline_variant("tensorflow", "int8-static") == "tflite-fp32"
    assert cases.baseline_variant("torch", "int8-static") == "fp32"
    assert cases.baseline_variant("torch", "fp32") is None
    planned = {
        fw: {
            (i.case, i.variant, i.dtype)
            for i in cases.plan(cases.select_cases(["inference"]), fw, "cpu", False)
        }
        for fw in ("numpy", "tensorflow", "torch")
    }
    assert ("mlp_infer", "tflite-fp32", "float32") in planned["tensorflow"]
    assert not any(v == "tflite-fp32" for _, v, _ in planned["torch"] | planned["numpy"])
    assert ("cnn_infer", "int8-static", "float32") in planned["torch"]
    assert not any("dynamic" in v for _, v, _ in planned["torch"])


@pytest.mark.parametrize(
    ("case", "layers"), [("mlp_infer", "2/2 Linear"), ("cnn_infer", "1/1 Conv2d, 1/1 Linear")]
)
def test_torch_static_int8_quantizes_every_layer(case: str, layers: str, torch_backend: Backend) -> None:
    prepared = prepare(infer(case, "torch", "int8-static"), torch_backend)
    prepared.call()
    assert prepared.conditions["quantized_layers"] == layers
    assert "static int8" in prepared.conditions["runtime"] and prepared.conditions["mode"] == "eager"
    assert 0.001 < prepared.metrics["rms_err_vs_fp32"] < 0.1  # int8 rounding: not zero, not large
    assert prepared.metrics["agreement_vs_fp32"] > 0.8


def test_a_miscalibrated_int8_model_fails_the_check(
    monkeypatch: pytest.MonkeyPatch, torch_backend: Backend
) -> None:
    real = quantize.torch_int8

    def miscalibrated(backend: Backend, model: Any, calibration: np.ndarray) -> quantize.Converted:
        return real(backend, model, calibration * 100)  # activation ranges 100x too wide

    monkeypatch.setattr(quantize, "torch_int8", miscalibrated)
    with pytest.raises(Mismatch, match="int8 logits differs from fp32: RMS error"):
        prepare(infer("cnn_infer", "torch", "int8-static"), torch_backend)


def test_a_model_left_unpruned_fails_the_check(
    monkeypatch: pytest.MonkeyPatch, torch_backend: Backend
) -> None:
    monkeypatch.setattr(inference, "_torch_prune", lambda backend, model: model)  # pruning silently skipped
    with pytest.raises(Mismatch, match="pruned-50 logits differs from NumPy"):
        prepare(infer("mlp_infer", "torch", "pruned-50"), torch_backend)


def test_check_pruned_rejects_an_unpruned_model(torch_backend: Backend) -> None:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
    with pytest.raises(Mismatch, match="zeros, not 50%"):
        inference.check_pruned(torch_backend, model)
    inference.check_pruned(torch_backend, inference._torch_prune(torch_backend, model))


def test_torch_has_no_tflite_variant(torch_backend: Backend) -> None:
    with pytest.raises(Unsupported, match="TFLite is TensorFlow's runtime"):
        prepare(infer("mlp_infer", "torch", "tflite-fp32"), torch_backend)


def test_relative_rms_error_sees_what_max_error_hides() -> None:
    ref = np.linspace(-1, 1, 1000)
    assert relative_rms_error(ref, ref) == 0
    assert relative_rms_error(np.zeros_like(ref), ref) == pytest.approx(1.0)
    assert relative_rms_error(ref * 1.05, ref) == pytest.approx(0.05)
    with pytest.raises(Mismatch, match="NaN"):
        relative_rms_error(np.full(1000, np.nan), ref)


def test_layer_counts_of_a_tflite_model() -> None:
    ops = [
        {"op_name": "QUANTIZE", "inputs": [0]},
        {"op_name": "CONV_2D", "inputs": [0, 1, 2]},
        {"op_name": "DEPTHWISE_CONV_2D", "inputs": [3, 4, -1]},
        {"op_name": "FULLY_CONNECTED", "inputs": [5, 6, -1]},
        {"op_name": "DELEGATE", "inputs": [0, 1]},
    ]
    dtypes = {0: np.float32, 1: np.int8, 2: np.int32, 3: np.int8, 4: np.float32, 5: np.int8, 6: np.int8}
    assert quantize.tflite_layer_counts(ops, dtypes) == "1/1 Conv2D, 1/1 Dense, 0/1 DepthwiseConv2D"
    assert quantize.layer_summary(Counter(), Counter()) == "none"


# --- TensorFlow: TFLite fp32 vs TFLite int8 ----------------------------------------------------------


def test_tflite_fp32_and_int8_run_in_the_same_runtime(tf_backend: Backend) -> None:
    fp32 = prepare(infer("cnn_infer", "tensorflow", "tflite-fp32"), tf_backend)
    int8 = prepare(infer("cnn_infer", "tensorflow", "int8-static"), tf_backend)
    for prepared in (fp32, int8):
        prepared.call()
        assert prepared.conditions["mode"] == "TFLite interpreter"
        assert prepared.conditions["runtime"].startswith("TFLite interpreter")
    assert fp32.conditions["quantized_layers"] == "0/1 Conv2D, 0/1 Dense"
    assert int8.conditions["quantized_layers"] == "1/1 Conv2D, 1/1 Dense"
    assert fp32.metrics["max_abs_err"] < 1e-4 and 0.001 < int8.metrics["rms_err_vs_fp32"] < 0.1


def test_a_miscalibrated_tflite_model_fails_the_check(
    monkeypatch: pytest.MonkeyPatch, tf_backend: Backend
) -> None:
    real = quantize.tflite

    def miscalibrated(backend: Backend, model: Any, calibration: np.ndarray | None) -> quantize.Converted:
        return real(backend, model, None if calibration is None else calibration * 100)

    monkeypatch.setattr(quantize, "tflite", miscalibrated)
    with pytest.raises(Mismatch, match="int8 logits differs from fp32"):
        prepare(infer("mlp_infer", "tensorflow", "int8-static"), tf_backend)


def test_mobilenet_int8_is_checked_on_distinct_logits(
    monkeypatch: pytest.MonkeyPatch, torch_backend: Backend
) -> None:
    """Batch-norm statistics from data keep the random network's logits apart, so int8 error shows."""
    import torch

    model = inference._app_model(torch_backend)
    with torch.no_grad():
        logits = model(
            torch.from_numpy(np.random.default_rng(0).standard_normal((2, 3, 224, 224), np.float32))
        )
    assert float(logits.std()) > 0.01  # not ~1e-9 and all alike, as with the initial statistics
    work = WorkItem(
        "inference", "mobilenet_v2_infer", "torch", "cpu", "float32", "int8-static", (("batch", 1),)
    )
    prepared = prepare(work, torch_backend)
    assert prepared.conditions["quantized_layers"] == "52/52 Conv2d, 1/1 Linear"
    assert 0.01 < prepared.metrics["rms_err_vs_fp32"] < inference.APP_RMS_TOLERANCES["int8-static"]
    monkeypatch.setattr(inference, "_APP_CONVERTED", {})
    real = quantize.torch_int8

    def mixed_up(backend: Backend, model: Any, calibration: np.ndarray) -> quantize.Converted:
        broken = copy.deepcopy(model)  # the classes' weights in the wrong order
        with torch.no_grad():
            broken.classifier[1].weight.copy_(broken.classifier[1].weight.flip(0))
        return real(backend, broken, calibration)

    monkeypatch.setattr(quantize, "torch_int8", mixed_up)
    with pytest.raises(Mismatch, match="int8-static logits differs from fp32: RMS error"):
        prepare(work, torch_backend)
