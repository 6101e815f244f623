"""Inference of the MLP, the CNN and MobileNetV2 in the variants of cases.INFER_VARIANTS: fp32 (TF as
a tf.function graph, torch eagerly under inference_mode), tflite-fp32 (TF's model in the TFLite
interpreter), int8-static (quantize.py: int8 weights and activations) and pruned-50 (half of each
weight tensor zeroed in dense kernels: the same arithmetic, so no speed-up is expected).

Every check compares logits (no softmax: a random-weight network's softmax is near uniform, which
would hide any error). MLP/CNN outputs are checked against NumPy on the very same (pruned) weights,
int8 against the fp32 NumPy logits with a tolerance a wrongly calibrated model exceeds. MobileNetV2
has no NumPy reference: each variant is checked against the framework's own fp32 logits (gross
errors only, see APP_RMS_TOLERANCES), and a pruned model for its zeroed half. Each variant
reports its top-1 agreement with fp32 and its errors on a fixed sample batch."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from generator.bench.backends import Backend
from generator.bench.ops import nets, quantize
from generator.bench.ops.framework_nets import (
    build_data,
    build_params,
    framework_input,
    keras_model,
    torch_model,
)
from generator.bench.ops.prepared import (
    INT8_RMS_TOLERANCE,
    TOLERANCES,
    Mismatch,
    Prepared,
    Unsupported,
    check_close,
    check_rms,
    mode,
    relative_rms_error,
    scaled_error,
    top1_agreement,
)
from generator.bench.ops.quantize import Converted
from generator.catalog.cases import INFER_VARIANTS, WorkItem
from generator.catalog.flops import flops

CHECK_BATCH = 256
CALIBRATION_BATCH = 64
APP_CHECK_BATCH = 4
APP_CALIBRATION_BATCH = 8
APP_SIDE = 224
PRUNED_FRACTION = 0.5
TFLITE_VARIANTS = ("tflite-fp32", "int8-static")  # TF runs these in the TFLite interpreter

Forward = Callable[[Any], Any]  # framework-layout input -> output in the framework


def _torch_prune(backend: Backend, model: Any) -> Any:
    import torch.nn.utils.prune as prune  # a submodule `import torch` does not load

    for module in model.modules():
        if isinstance(module, (backend.module.nn.Linear, backend.module.nn.Conv2d)):
            prune.l1_unstructured(module, "weight", amount=PRUNED_FRACTION)  # type: ignore[no-untyped-call]
            prune.remove(module, "weight")  # type: ignore[no-untyped-call]  # make it permanent: plain dense weights with zeros
    return model


def _keras_prune(model: Any) -> Any:
    for layer in model.layers:
        weights = layer.get_weights()
        if weights and weights[0].ndim >= 2:  # the kernel; biases and batch-norm statistics stay
            weights[0] = nets.magnitude_prune({"k": weights[0]}, PRUNED_FRACTION)["k"]
            layer.set_weights(weights)
    return model


def _weight_tensors(backend: Backend, model: Any) -> list[np.ndarray]:
    """The kernels pruning applies to (conv and dense weights), as NumPy arrays."""
    if backend.name == "torch":
        nn = backend.module.nn
        kinds = (nn.Linear, nn.Conv2d)
        return [m.weight.detach().cpu().numpy() for m in model.modules() if isinstance(m, kinds)]
    return [w for layer in model.layers for w in layer.get_weights()[:1] if w.ndim >= 2]


def check_pruned(backend: Backend, model: Any) -> None:
    """Raise Mismatch unless every weight tensor has (about) PRUNED_FRACTION of its entries zero."""
    for weights in _weight_tensors(backend, model):
        zero = float(np.mean(weights == 0))
        if abs(zero - PRUNED_FRACTION) > max(1.0 / weights.size, 0.01):
            raise Mismatch(
                f"a pruned weight tensor {weights.shape} has {zero:.1%} zeros, not {PRUNED_FRACTION:.0%}"
            )


def _convert(backend: Backend, variant: str, model: Any, calibration: np.ndarray) -> Converted:
    """The model as `variant` runs it (pruning changes `model` itself)."""
    if backend.name == "torch":
        if variant == "tflite-fp32":
            raise Unsupported("TFLite is TensorFlow's runtime; torch's int8 is compared with its fp32")
        if variant == "int8-static":
            return quantize.torch_int8(backend, model, calibration)
        model = _torch_prune(backend, model) if variant == "pruned-50" else model
        return Converted(model.eval(), "", "torch eager, inference_mode")
    if variant in TFLITE_VARIANTS:
        return quantize.tflite(backend, model, calibration if variant == "int8-static" else None)
    model = _keras_prune(model) if variant == "pruned-50" else model
    return Converted(model, "", "Keras model as a tf.function graph (no XLA)")


def _runner(backend: Backend, variant: str, converted: Converted, batch: int) -> Forward:
    if backend.name == "torch":
        torch, model = backend.module, converted.model

        def forward(x: Any) -> Any:
            with torch.inference_mode():
                return model(x)

        return forward
    if variant in TFLITE_VARIANTS:
        return converted.model(batch)  # type: ignore[no-any-return]
    model = converted.model
    return backend.module.function(lambda x: model(x, training=False))  # type: ignore[no-any-return]


def _conditions(backend: Backend, variant: str, converted: Converted) -> dict[str, str]:
    if backend.name == "numpy":
        return {**mode("numpy"), "runtime": "NumPy matmul (BLAS)"}
    if variant in TFLITE_VARIANTS and backend.name == "tensorflow":
        # TFLite has its own thread pool, not TF's intra/inter-op pools.
        out = {"mode": "TFLite interpreter", "threads": f"{backend.threads} (TFLite num_threads)"}
    else:  # TF runs its Keras model as a tf.function graph
        out = mode(backend.name, compiled=backend.name == "tensorflow")
    out["runtime"] = converted.runtime
    if converted.quantized_layers:
        out["quantized_layers"] = converted.quantized_layers
    return out


def _takes_numpy(backend: Backend, variant: str) -> bool:
    return backend.name == "tensorflow" and variant in TFLITE_VARIANTS


def _to_numpy(backend: Backend, value: Any) -> np.ndarray:
    return value if isinstance(value, np.ndarray) else backend.to_numpy(value)


def _numpy_forward(variant: str, forward: Callable[..., Any], used: nets.Params) -> Forward:
    if variant == "int8-static":
        raise Unsupported("NumPy has no int8 quantized matrix product")
    if variant == "tflite-fp32":
        raise Unsupported("TFLite is TensorFlow's runtime")
    weights = {k: v.astype(np.float32) for k, v in used.items()}
    return lambda a: forward(weights, a)


def _small_net(item: WorkItem, backend: Backend) -> Prepared:
    kind = "mlp" if item.case == "mlp_infer" else "cnn"
    params = dict(item.params)
    batch = int(params["batch"])
    p = build_params(kind, params)
    forward = nets.mlp_forward if kind == "mlp" else nets.cnn_forward
    x_check, _ = build_data(kind, params, CHECK_BATCH, offset=1)
    x, _ = build_data(kind, params, batch, offset=2)
    calibration, _ = build_data(kind, params, CALIBRATION_BATCH, offset=3)
    p64 = {k: v.astype(np.float64) for k, v in p.items()}
    fp32_ref = forward(p64, x_check.astype(np.float64))
    used = nets.magnitude_prune(p64, PRUNED_FRACTION) if item.variant == "pruned-50" else p64
    variant_ref = forward(used, x_check.astype(np.float64))
    if backend.name == "numpy":
        run_np = _numpy_forward(item.variant, forward, used)
        check_out = run_np(x_check)
        call: Callable[[], object] = lambda: run_np(x)  # noqa: E731
        conditions = _conditions(backend, item.variant, Converted(None, "", ""))
    else:
        build = torch_model if backend.name == "torch" else keras_model
        converted = _convert(
            backend, item.variant, build(backend, kind, p), framework_input(backend, kind, calibration)
        )
        as_input = (lambda a: a) if _takes_numpy(backend, item.variant) else backend.asarray
        check_run = _runner(backend, item.variant, converted, CHECK_BATCH)
        check_out = _to_numpy(backend, check_run(as_input(framework_input(backend, kind, x_check))))
        run = _runner(backend, item.variant, converted, batch)
        xt = as_input(framework_input(backend, kind, x))
        call = lambda: run(xt)  # noqa: E731
        conditions = _conditions(backend, item.variant, converted)
    metrics: dict[str, float] = {}
    if item.variant == "int8-static":
        metrics["rms_err_vs_fp32"] = check_rms(check_out, variant_ref, INT8_RMS_TOLERANCE, "int8 logits")
        err = scaled_error(check_out, variant_ref)[0]
    else:
        err = check_close(check_out, variant_ref, TOLERANCES["float32"], f"{item.variant} logits")
    metrics |= {
        "max_abs_err": err,
        "agreement_vs_fp32": top1_agreement(check_out, fp32_ref),
        "max_abs_err_vs_fp32": scaled_error(check_out, fp32_ref)[0],
    }
    return Prepared(
        call=call, flops=flops(item.case, params), items=batch, metrics=metrics, conditions=conditions
    )


_APP_MODELS: dict[str, Any] = {}  # built once per worker process: every batch size reuses it


def _batch_norm_from_data(backend: Backend, model: Any, images: np.ndarray) -> None:
    """Set every batch norm's running statistics to those of `images` (one training-mode pass).

    With random weights and the initial statistics (mean 0, variance 1) the activations shrink
    layer by layer until the logits are ~1e-9 and all alike, below int8's smallest step, so no
    check could see an error. Statistics from data keep each layer near unit scale, as trained
    models are; the arithmetic timed is the same."""
    if backend.name == "torch":
        torch = backend.module
        norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
        replace = 1.0  # torch: weight of the new batch's statistics
    else:
        import keras

        norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
        replace = 0.0  # keras: weight of the old statistics
    momenta = [norm.momentum for norm in norms]
    for norm in norms:
        norm.momentum = replace
    if backend.name == "torch":
        with backend.module.no_grad():
            model.train()(backend.asarray(images))
        model.eval()
    else:
        model(backend.asarray(images), training=True)
    for norm, momentum in zip(norms, momenta, strict=True):
        norm.momentum = momentum


def _app_model(backend: Backend) -> Any:
    if backend.name not in _APP_MODELS:
        images = np.random.default_rng(8).standard_normal((APP_CALIBRATION_BATCH, APP_SIDE, APP_SIDE, 3))
        if backend.name == "torch":
            import torchvision

            model = torchvision.models.mobilenet_v2(weights=None).to(backend.device)
            images = images.transpose(0, 3, 1, 2)
        else:
            import keras

            with backend.module.device(backend.tf_device):
                # Logits, as torchvision's model gives: a softmax would flatten every difference.
                model = keras.applications.MobileNetV2(
                    weights=None, input_shape=(APP_SIDE, APP_SIDE, 3), classifier_activation=None
                )
        _batch_norm_from_data(backend, model, np.ascontiguousarray(images, dtype=np.float32))
        _APP_MODELS[backend.name] = model
    return _APP_MODELS[backend.name]


def _app_copy(backend: Backend, model: Any) -> Any:
    """A copy with the same weights, for a variant that changes its model."""
    if backend.name == "torch":
        return copy.deepcopy(model)
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


# One conversion per framework and variant (it takes seconds), shared by every batch size.
_APP_CONVERTED: dict[tuple[str, str], Converted] = {}


def _app_converted(backend: Backend, variant: str, calibration: np.ndarray) -> Converted:
    key = (backend.name, variant)
    if key not in _APP_CONVERTED:
        model = _app_model(backend)
        model = model if variant == "fp32" else _app_copy(backend, model)
        converted = _convert(backend, variant, model, calibration)
        if variant == "pruned-50":
            check_pruned(backend, converted.model)
        _APP_CONVERTED[key] = converted
    return _APP_CONVERTED[key]


def _mobilenet(item: WorkItem, backend: Backend) -> Prepared:
    if backend.name == "numpy":
        raise Unsupported("no NumPy implementation of MobileNetV2")
    batch = int(dict(item.params)["batch"])
    gen = np.random.default_rng(7)
    images = gen.standard_normal((APP_CHECK_BATCH, 3, APP_SIDE, APP_SIDE)).astype(np.float32)
    x = gen.standard_normal((batch, 3, APP_SIDE, APP_SIDE)).astype(np.float32)
    calibration = gen.standard_normal((APP_CALIBRATION_BATCH, 3, APP_SIDE, APP_SIDE)).astype(np.float32)
    if backend.name == "tensorflow":
        images, x, calibration = (a.transpose(0, 2, 3, 1).copy() for a in (images, x, calibration))
    fp32 = _runner(backend, "fp32", _app_converted(backend, "fp32", calibration), APP_CHECK_BATCH)
    fp32_out = _to_numpy(backend, fp32(backend.asarray(images)))
    converted = _app_converted(backend, item.variant, calibration)
    as_input = (lambda a: a) if _takes_numpy(backend, item.variant) else backend.asarray
    check_run = _runner(backend, item.variant, converted, APP_CHECK_BATCH)
    check_out = _to_numpy(backend, check_run(as_input(images)))
    if check_out.shape != (APP_CHECK_BATCH, 1000):
        raise Mismatch(f"unexpected output shape {check_out.shape}")
    err, rel = scaled_error(check_out, fp32_out)  # raises Mismatch on NaN or infinity
    rms = relative_rms_error(check_out, fp32_out)
    if item.variant in APP_RMS_TOLERANCES:
        check_rms(check_out, fp32_out, APP_RMS_TOLERANCES[item.variant], f"{item.variant} logits")
    run = _runner(backend, item.variant, converted, batch)
    xt = as_input(x)
    metrics = {
        "max_abs_err_vs_fp32": err,
        "rel_err_vs_fp32": rel,
        "rms_err_vs_fp32": rms,
        "agreement_vs_fp32": top1_agreement(check_out, fp32_out),
    }
    return Prepared(
        call=lambda: run(xt),
        flops=flops(item.case, dict(item.params)),
        items=batch,
        metrics=metrics,
        conditions=_conditions(backend, item.variant, converted),
    )


# MobileNetV2 logits vs the framework's fp32 ones (relative RMS error): the same model in another
# runtime agrees to float rounding. int8 loses ~0.2-0.3 through 53 random-weight layers, and most of
# what distinguishes one noise image from another (random weights make the logits mostly the same for
# every input), so here the check catches gross errors only (layers mixed up, wrong scales: ~1); the
# MLP and CNN checks catch a miscalibration too. Pruning changes the model: its check is check_pruned.
APP_RMS_TOLERANCES = {"tflite-fp32": 1e-3, "int8-static": 0.5}


def prepare(item: WorkItem, backend: Backend) -> Prepared:
    if item.variant not in INFER_VARIANTS:
        raise Unsupported(f"no inference variant {item.variant!r} (known: {', '.join(INFER_VARIANTS)})")
    if item.case == "mobilenet_v2_infer":
        return _mobilenet(item, backend)
    return _small_net(item, backend)
