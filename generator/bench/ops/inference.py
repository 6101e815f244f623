"""Inference of the MLP, the CNN and MobileNetV2: fp32, int8 dynamic quantization and 50 % magnitude
pruning. MLP/CNN outputs are checked against NumPy on the very same (pruned) weights; int8 against
the fp32 NumPy output with a loose tolerance. Each variant reports its top-1 agreement with fp32 and
its max error on a fixed 256-sample batch. TF runs the model as a tf.function graph, torch eagerly
under inference_mode. Pruning zeroes weights in dense kernels everywhere (no sparse kernels): a
pruned model does the same arithmetic, so no speed-up is expected."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from generator.bench.backends import Backend
from generator.bench.cases import WorkItem
from generator.bench.flops import flops
from generator.bench.ops import nets
from generator.bench.ops.framework_nets import (
    build_data,
    build_params,
    framework_input,
    keras_model,
    torch_model,
)
from generator.bench.ops.prepared import (
    TOLERANCES,
    Mismatch,
    Prepared,
    Unsupported,
    check_close,
    scaled_error,
    top1_agreement,
)

CHECK_BATCH = 256
APP_CHECK_BATCH = 4
APP_SIDE = 224

Forward = Callable[[np.ndarray], Any]  # framework-layout input -> output in the framework


def _torch_forward(backend: Backend, model: Any) -> Forward:
    torch = backend.module
    model.eval()

    def forward(x: Any) -> Any:
        with torch.inference_mode():
            return model(x)

    return forward


def _torch_prune(backend: Backend, model: Any) -> Any:
    import torch.nn.utils.prune as prune  # a submodule `import torch` does not load

    for module in model.modules():
        if isinstance(module, (backend.module.nn.Linear, backend.module.nn.Conv2d)):
            prune.l1_unstructured(module, "weight", amount=0.5)  # type: ignore[no-untyped-call]
            prune.remove(module, "weight")  # type: ignore[no-untyped-call]  # make it permanent: plain dense weights with zeros
    return model


def _torch_int8(backend: Backend, model: Any) -> Any:
    if backend.device != "cpu":
        raise Unsupported("torch dynamic quantization runs on the CPU only")
    torch = backend.module
    with warnings.catch_warnings():
        # torch announces a move of this API to torchao; it still works, and the notice is not ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        return torch.ao.quantization.quantize_dynamic(model.eval(), {torch.nn.Linear}, dtype=torch.qint8)


def _tflite_int8(backend: Backend, model: Any) -> Callable[[int], Callable[[np.ndarray], np.ndarray]]:
    """Convert with the TFLite converter (dynamic-range int8 weights); returns interpreter factory."""
    if backend.device != "cpu":
        raise Unsupported("TFLite int8 runs on the CPU only")
    tf = backend.module
    try:
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        blob = converter.convert()
        interpreter_class = tf.lite.Interpreter
    except (AttributeError, ImportError) as e:
        raise Unsupported(f"TFLite converter/interpreter not available here: {e}") from None

    def interpreter_for(batch: int) -> Callable[[np.ndarray], np.ndarray]:
        interp = interpreter_class(model_content=blob, num_threads=backend.threads)
        inp = interp.get_input_details()[0]
        interp.resize_tensor_input(inp["index"], [batch, *inp["shape"][1:]])
        interp.allocate_tensors()
        out_index = interp.get_output_details()[0]["index"]

        def run(x: np.ndarray) -> np.ndarray:
            interp.set_tensor(inp["index"], x)
            interp.invoke()
            return np.asarray(interp.get_tensor(out_index))

        return run

    return interpreter_for


def _keras_prune(model: Any) -> Any:
    for layer in model.layers:
        weights = layer.get_weights()
        if weights and weights[0].ndim >= 2:  # the kernel; biases and batch-norm statistics stay
            weights[0] = nets.magnitude_prune({"k": weights[0]})["k"]
            layer.set_weights(weights)
    return model


_TFLITE: dict[int, tuple[Any, Callable[[int], Callable[[np.ndarray], np.ndarray]]]] = {}
_APP_MODELS: dict[str, Any] = {}  # built once per worker process: every batch size reuses it


def _app_model(backend: Backend) -> Any:
    if backend.name not in _APP_MODELS:
        if backend.name == "torch":
            import torchvision

            torch_model_ = torchvision.models.mobilenet_v2(weights=None)
            _APP_MODELS[backend.name] = torch_model_.to(backend.device).eval()
        else:
            import keras

            with backend.module.device(backend.tf_device):
                _APP_MODELS[backend.name] = keras.applications.MobileNetV2(
                    weights=None, input_shape=(APP_SIDE, APP_SIDE, 3)
                )
    return _APP_MODELS[backend.name]


def _runner(backend: Backend, variant: str, model: Any, batch: int) -> Callable[[np.ndarray], Any]:
    """A framework-layout numpy input -> framework output callable for one variant."""
    if backend.name == "torch":
        if variant == "int8-dynamic":
            model = _torch_int8(backend, model)
        elif variant == "pruned-50":
            model = _torch_prune(backend, model)
        return _torch_forward(backend, model)
    if variant == "int8-dynamic":
        # One conversion per model (it takes seconds); the check and the timed batch share it.
        if id(model) not in _TFLITE:
            _TFLITE[id(model)] = (model, _tflite_int8(backend, model))
        return _TFLITE[id(model)][1](batch)
    if variant == "pruned-50":
        model = _keras_prune(model)
    graph = backend.module.function(lambda x: model(x, training=False))
    return graph  # type: ignore[no-any-return]


def _to_numpy(backend: Backend, value: Any) -> np.ndarray:
    return value if isinstance(value, np.ndarray) else backend.to_numpy(value)


def _small_net(item: WorkItem, backend: Backend) -> Prepared:
    kind = "mlp" if item.case == "mlp_infer" else "cnn"
    params = dict(item.params)
    batch = int(params["batch"])
    p = build_params(kind, params)
    forward = nets.mlp_forward if kind == "mlp" else nets.cnn_forward
    x_check, _ = build_data(kind, params, CHECK_BATCH, offset=1)
    x, _ = build_data(kind, params, batch, offset=2)
    p64 = {k: v.astype(np.float64) for k, v in p.items()}
    fp32_ref = forward(p64, x_check.astype(np.float64))
    used = nets.magnitude_prune(p64) if item.variant == "pruned-50" else p64
    variant_ref = forward(used, x_check.astype(np.float64))
    if backend.name == "numpy":
        if item.variant == "int8-dynamic":
            raise Unsupported("NumPy has no int8 quantized matrix product")
        weights = {k: v.astype(np.float32) for k, v in used.items()}
        check_out = forward(weights, x_check)
        call: Callable[[], object] = lambda: forward(weights, x)  # noqa: E731
    else:
        tensor_in = backend.name == "torch" or item.variant != "int8-dynamic"
        as_input = backend.asarray if tensor_in else (lambda a: a)
        build = torch_model if backend.name == "torch" else keras_model
        check_run = _runner(backend, item.variant, build(backend, kind, p), CHECK_BATCH)
        check_out = _to_numpy(backend, check_run(as_input(framework_input(backend, kind, x_check))))
        run = _runner(backend, item.variant, build(backend, kind, p), batch)
        xt = as_input(framework_input(backend, kind, x))
        call = lambda: run(xt)  # noqa: E731
    tolerance = TOLERANCES["int8-dynamic" if item.variant == "int8-dynamic" else item.dtype]
    err = check_close(check_out, variant_ref, tolerance, f"{item.variant} output")
    metrics = {
        "max_abs_err": err,
        "agreement_vs_fp32": top1_agreement(check_out, fp32_ref),
        "max_abs_err_vs_fp32": scaled_error(check_out, fp32_ref)[0],
    }
    return Prepared(call=call, flops=flops(item.case, params), items=batch, metrics=metrics)


def _mobilenet(item: WorkItem, backend: Backend) -> Prepared:
    if backend.name == "numpy":
        raise Unsupported("no NumPy implementation of MobileNetV2")
    batch = int(dict(item.params)["batch"])
    gen = np.random.default_rng(7)
    images = gen.standard_normal((APP_CHECK_BATCH, 3, APP_SIDE, APP_SIDE)).astype(np.float32)
    x = gen.standard_normal((batch, 3, APP_SIDE, APP_SIDE)).astype(np.float32)
    if backend.name == "tensorflow":
        images, x = images.transpose(0, 2, 3, 1).copy(), x.transpose(0, 2, 3, 1).copy()
    model = _app_model(backend)
    fp32 = _runner(backend, "fp32", model, APP_CHECK_BATCH)
    fp32_out = _to_numpy(backend, fp32(backend.asarray(images)))
    if item.variant != "fp32":
        # A variant changes the model, so it gets its own copy with the same weights.
        if backend.name == "torch":
            import copy

            model = copy.deepcopy(model)
        else:
            import keras

            model = keras.models.clone_model(model)
            model.set_weights(_app_model(backend).get_weights())
    tensor_in = backend.name == "torch" or item.variant != "int8-dynamic"
    as_input = backend.asarray if tensor_in else (lambda a: a)
    check_out = _to_numpy(backend, _runner(backend, item.variant, model, APP_CHECK_BATCH)(as_input(images)))
    if check_out.shape != (APP_CHECK_BATCH, 1000) or not np.all(np.isfinite(check_out)):
        raise Mismatch(f"unexpected output shape {check_out.shape} or non-finite values")
    run = _runner(backend, item.variant, model, batch) if item.variant != "pruned-50" else None
    run = run or _runner(backend, "fp32", model, batch)  # pruning is already applied to `model`
    xt = as_input(x)
    # Random weights make the logits tiny and near-equal, so top-1 agreement would be noise here;
    # the error relative to the largest fp32 logit is what the variant changes.
    err, rel = scaled_error(check_out, fp32_out)
    metrics = {"max_abs_err_vs_fp32": err, "rel_err_vs_fp32": rel}
    return Prepared(
        call=lambda: run(xt), flops=flops(item.case, dict(item.params)), items=batch, metrics=metrics
    )


def prepare(item: WorkItem, backend: Backend) -> Prepared:
    if item.case == "mobilenet_v2_infer":
        return _mobilenet(item, backend)
    return _small_net(item, backend)
