"""The int8 and TFLite forms of an inference model, each compared with fp32 in its own runtime:
torch static quantization (FX graph mode, int8 weights and activations, calibrated on sample
inputs) against torch fp32, and TFLite full-integer int8 against the same model converted to TFLite
in float32. Each also says which layers really became int8, counted in the converted model."""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.bench.backends import Backend
from generator.bench.ops.prepared import Unsupported

TORCH_ENGINES = ("x86", "fbgemm", "qnnpack")  # preferred quantized backend, in order
# TFLite builtin ops with weights, and the Keras layer they come from.
TFLITE_WEIGHTED_OPS = {
    "CONV_2D": "Conv2D",
    "DEPTHWISE_CONV_2D": "DepthwiseConv2D",
    "FULLY_CONNECTED": "Dense",
}

Run = Callable[[np.ndarray], np.ndarray]


@dataclass
class Converted:
    """A converted model: the callable (torch module or TFLite runner factory) and what it is."""

    model: Any
    quantized_layers: str  # e.g. "2/2 Linear, 1/1 Conv2d"
    runtime: str


@contextmanager
def _quiet() -> Iterator[None]:
    # torch announces the move of torch.ao.quantization to torchao, TF the move of TFLite to LiteRT;
    # both still work here, and their notices are not ours to print.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def layer_summary(total: Counter[str], quantized: Counter[str]) -> str:
    """'3/3 Conv2d, 1/1 Linear': int8 layers of each kind out of all layers of that kind."""
    return ", ".join(f"{quantized[kind]}/{count} {kind}" for kind, count in sorted(total.items())) or "none"


def _torch_engine(torch: Any) -> str:
    supported = set(torch.backends.quantized.supported_engines)
    for engine in TORCH_ENGINES:
        if engine in supported:
            return engine
    raise Unsupported(f"torch has no int8 CPU backend here (engines: {sorted(supported)})")


def torch_layer_counts(nn: Any, float_model: Any, int8_model: Any) -> str:
    """Conv2d/Linear layers of the float model, and how many of them the converted model runs in int8."""
    total: Counter[str] = Counter()
    for module in float_model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            total[type(module).__name__] += 1
    quantized: Counter[str] = Counter()
    for module in int8_model.modules():
        where = type(module).__module__
        if where.startswith("torch.ao.nn.") and ".quantized." in where and "packed" not in where:
            name = type(module).__name__
            if "Conv2d" in name or "ConvReLU2d" in name:
                quantized["Conv2d"] += 1
            elif name in ("Linear", "LinearReLU"):
                quantized["Linear"] += 1
    return layer_summary(total, quantized)


def torch_int8(backend: Backend, model: Any, calibration: np.ndarray) -> Converted:
    """Static int8 quantization of a float torch model, observers calibrated on `calibration`."""
    if backend.device != "cpu":
        raise Unsupported("torch int8 static quantization runs on the CPU only")
    torch = backend.module
    engine = _torch_engine(torch)
    torch.backends.quantized.engine = engine
    from torch.ao.quantization import get_default_qconfig_mapping, quantize_fx

    sample = torch.from_numpy(np.ascontiguousarray(calibration))
    with _quiet():
        observed = quantize_fx.prepare_fx(
            copy.deepcopy(model).eval(), get_default_qconfig_mapping(engine), example_inputs=(sample[:1],)
        )
        with torch.no_grad():
            observed(sample)
        int8_model = quantize_fx.convert_fx(observed)
    return Converted(
        int8_model, torch_layer_counts(torch.nn, model, int8_model), f"torch eager, FX static int8 ({engine})"
    )


def _tflite_blob(tf: Any, model: Any, calibration: np.ndarray | None) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if calibration is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([calibration[i : i + 1]] for i in range(len(calibration)))
        # Every op int8 or the conversion fails; input and output stay float32 (quantized at the edges).
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    with _quiet():
        return converter.convert()  # type: ignore[no-any-return]


def tflite_layer_counts(ops: list[dict[str, Any]], tensor_dtypes: dict[int, Any]) -> str:
    """Weighted TFLite ops (from Interpreter._get_ops_details) and how many have int8 weights."""
    total: Counter[str] = Counter()
    quantized: Counter[str] = Counter()
    for op in ops:
        kind = TFLITE_WEIGHTED_OPS.get(op["op_name"])
        if kind is None:
            continue
        total[kind] += 1
        inputs = list(op["inputs"])
        if len(inputs) > 1 and inputs[1] >= 0 and np.dtype(tensor_dtypes[inputs[1]]) == np.int8:
            quantized[kind] += 1
    return layer_summary(total, quantized)


def _interpreter(backend: Backend, blob: bytes, batch: int) -> tuple[Any, Run]:
    with _quiet():
        interp = backend.module.lite.Interpreter(model_content=blob, num_threads=backend.threads)
    inp = interp.get_input_details()[0]
    interp.resize_tensor_input(inp["index"], [batch, *inp["shape"][1:]])
    interp.allocate_tensors()
    out_index = interp.get_output_details()[0]["index"]

    def run(x: np.ndarray) -> np.ndarray:
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        return np.asarray(interp.get_tensor(out_index))

    return interp, run


def tflite(backend: Backend, model: Any, calibration: np.ndarray | None) -> Converted:
    """The Keras model in TFLite: float32 (`calibration` None) or full-integer int8.

    `Converted.model` is a factory batch -> runner (the interpreter's shapes are fixed per batch)."""
    if backend.device != "cpu":
        raise Unsupported("the TFLite interpreter runs on the CPU only here")
    tf = backend.module
    if not hasattr(tf, "lite"):
        raise Unsupported("this TensorFlow has no TFLite converter")
    blob = _tflite_blob(tf, model, calibration)
    interp, _ = _interpreter(backend, blob, 1)
    ops = interp._get_ops_details()  # the model's ops, and one DELEGATE node per delegated part
    dtypes = {t["index"]: t["dtype"] for t in interp.get_tensor_details()}
    delegated = any(op["op_name"] == "DELEGATE" for op in ops)
    runtime = "TFLite interpreter" + (" + default delegate (XNNPACK)" if delegated else ", builtin kernels")

    def factory(batch: int) -> Run:
        return _interpreter(backend, blob, batch)[1]

    return Converted(factory, tflite_layer_counts(ops, dtypes), runtime)
