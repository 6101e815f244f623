"""The model-zoo speed cases (family "models", registry in generator/bench/zoo_cases.py): build a
keras.applications or torchvision.models classifier with random weights at its own input size, check
that one batch of random images gives finite logits of the right shape, and hand the worker the call.

A model is built once per worker process and reused by every batch size and variant. FLOPs are
counted on the model itself (zoo_cases.FLOP_FORMULA); the parameter count is a metric.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import numpy as np

from generator.bench.backends import Backend
from generator.bench.ops.prepared import COMPILE_LIMIT_S, Mismatch, Prepared, Unsupported, time_limit
from generator.catalog.cases import WorkItem
from generator.catalog.zoo_cases import CHECK_BATCH, WEIGHTS, ZooModel, min_rounds, zoo_model

CLASSES = 1000
SEED = 13
MODES = {
    ("torch", "eager"): "eager (inference_mode)",
    ("torch", "channels-last"): "eager (inference_mode), channels-last memory format",
    ("torch", "compiled"): "torch.compile (inductor)",
    ("tensorflow", "eager"): "eager (Keras model called op by op)",
    ("tensorflow", "graph"): "tf.function (graph, no XLA)",
    ("tensorflow", "compiled"): "tf.function(jit_compile=True) (XLA)",
}
LAYOUTS = {"torch": "NCHW", "tensorflow": "NHWC"}

_BUILT: dict[
    tuple[str, str], tuple[Any, float, int]
] = {}  # (framework, name) -> (model, GFLOPs/image, params)


def keras_flops(model: Any) -> float:
    """Forward FLOPs per image: 2 × the multiply-adds of every convolution and dense kernel (a
    kernel's size times the output positions it is applied at), nested models included."""
    macs = 0.0
    for layer in model.layers:
        if hasattr(layer, "layers"):
            macs += keras_flops(layer) / 2
            continue
        kernels = [
            getattr(layer, name)
            for name in ("kernel", "depthwise_kernel", "pointwise_kernel")
            if getattr(layer, name, None) is not None
        ]
        if kernels:
            positions = int(np.prod([d for d in layer.output.shape[1:-1] if d is not None] or [1]))
            macs += positions * sum(float(np.prod(k.shape)) for k in kernels)
    return 2.0 * macs


def _build_torch(backend: Backend, spec: ZooModel) -> tuple[Any, float, int]:
    import torchvision
    from torch.utils.flop_counter import FlopCounterMode

    torch = backend.module
    torch.manual_seed(SEED)
    # Say how to initialise (their default warns); the weights are random either way.
    extra = {"init_weights": True} if spec.constructor in ("inception_v3", "googlenet") else {}
    model = getattr(torchvision.models, spec.constructor)(weights=None, **extra).eval().to(backend.device)
    side = spec.input_size
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        model(torch.zeros(1, 3, side, side, device=backend.device))
    params = sum(int(p.numel()) for p in model.parameters())
    return model, counter.get_total_flops() / 1e9, params


def _build_keras(backend: Backend, spec: ZooModel) -> tuple[Any, float, int]:
    import keras

    keras.utils.set_random_seed(SEED)
    side = spec.input_size
    with backend.module.device(backend.tf_device):
        # The side explicitly: some (MobileNetV3) otherwise build for any size, (None, None).
        model = getattr(keras.applications, spec.constructor)(weights=None, input_shape=(side, side, 3))
    return model, keras_flops(model) / 1e9, int(model.count_params())


def _forget_models(backend: Backend) -> None:
    _BUILT.clear()
    if backend.name == "tensorflow":
        # Keras' global state (layer names, graph caches) grows with every model a process builds.
        import keras

        keras.backend.clear_session(free_memory=True)
    gc.collect()


def built(backend: Backend, spec: ZooModel) -> tuple[Any, float, int]:
    """(model, forward GFLOPs per image, parameter count), built once per process."""
    key = (backend.name, spec.name)
    if key not in _BUILT:
        _forget_models(backend)  # one model at a time: the largest hold gigabytes
        build = _build_torch if backend.name == "torch" else _build_keras
        _BUILT[key] = build(backend, spec)
    return _BUILT[key]


def _images(backend: Backend, batch: int, side: int) -> np.ndarray:
    shape = (batch, 3, side, side) if backend.name == "torch" else (batch, side, side, 3)
    return np.random.default_rng(SEED + batch).standard_normal(shape).astype(np.float32)


def _torch_call(backend: Backend, model: Any, variant: str, x: Any) -> Callable[[], Any]:
    torch = backend.module
    if variant == "channels-last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    else:
        model = model.to(memory_format=torch.contiguous_format)
    if variant == "compiled":
        model = torch.compile(model)

    def call() -> Any:
        with torch.inference_mode():
            return model(x)

    return call


def _keras_call(backend: Backend, model: Any, variant: str, x: Any) -> Callable[[], Any]:
    tf = backend.module
    if variant == "channels-last":
        raise Unsupported("Keras applications are channels-last (NHWC) already: see the eager variant")
    if variant == "eager":
        return lambda: model(x, training=False)
    graph = tf.function(lambda images: model(images, training=False), jit_compile=variant == "compiled")
    return lambda: graph(x)


def prepare(item: WorkItem, backend: Backend) -> Prepared:
    params = dict(item.params)
    if backend.name not in LAYOUTS:
        raise Unsupported(f"{backend.name} has no model zoo")
    if (backend.name, item.variant) not in MODES:
        raise Unsupported(f"variant {item.variant} does not exist for {backend.name}")
    spec = zoo_model(backend.name, str(params["model"]))
    batch = int(params["batch"])
    model, gflops, parameters = built(backend, spec)
    maker = _torch_call if backend.name == "torch" else _keras_call
    call = maker(backend, model, item.variant, backend.asarray(_images(backend, batch, spec.input_size)))
    # The check runs a small batch (a batch of 32 of a large model costs seconds, and the timer warms
    # up anyway); a compiled variant checks the timed batch, whose compilation it must wait for.
    size = batch if item.variant == "compiled" else min(batch, CHECK_BATCH)
    check = (
        call
        if size == batch
        else maker(backend, model, item.variant, backend.asarray(_images(backend, size, spec.input_size)))
    )
    with time_limit(COMPILE_LIMIT_S, f"{item.variant} {spec.name}"):
        out = backend.to_numpy(check())
    if out.shape != (size, CLASSES):
        raise Mismatch(f"{spec.name}: output shape {out.shape}, expected {(size, CLASSES)}")
    if not np.all(np.isfinite(out)):
        raise Mismatch(f"{spec.name}: output holds NaN or infinity")
    return Prepared(
        call=call,
        flops=gflops * 1e9 * batch,
        items=batch,
        metrics={"params": float(parameters), "gflops_per_image": gflops},
        conditions={
            "mode": MODES[(backend.name, item.variant)],
            "weights": WEIGHTS,
            "layout": "NHWC" if item.variant == "channels-last" else LAYOUTS[backend.name],
            "input": f"{batch}×{spec.input_size}×{spec.input_size}×3 random float32",
        },
        min_rounds=min_rounds(backend.name, dict(item.params)),
    )
