"""Training steps of the MLP and the CNN: NumPy SGD by hand, Keras layers + keras SGD under
tf.GradientTape, torch.nn + torch.optim.SGD; eager, and compiled (tf.function / torch.compile)
where the framework offers it. Parameters after a few steps are checked against NumPy first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from generator.bench.backends import Backend
from generator.bench.ops import nets
from generator.bench.ops.framework_nets import (
    build_data,
    build_params,
    framework_input,
    keras_model,
    keras_params,
    torch_model,
    torch_params,
)
from generator.bench.ops.prepared import (
    COMPILE_LIMIT_S,
    TRAINING_TOLERANCE,
    Prepared,
    Unsupported,
    check_close,
    mode,
    time_limit,
)
from generator.catalog.cases import WorkItem
from generator.catalog.flops import flops

CHECK_STEPS = 3


def _numpy_step(kind: str, p: nets.Params, x: np.ndarray, y: np.ndarray) -> Callable[[], object]:
    grads = nets.mlp_grads if kind == "mlp" else nets.cnn_grads

    def step() -> float:
        loss, g = grads(p, x, y)
        for k in p:
            p[k] -= nets.LEARNING_RATE * g[k]
        return loss

    return step


def _torch_step(
    backend: Backend, kind: str, p: nets.Params, x: np.ndarray, y: np.ndarray, compiled: bool
) -> tuple[Callable[[], object], Callable[[], nets.Params]]:
    torch = backend.module
    model = torch_model(backend, kind, p)
    opt = torch.optim.SGD(model.parameters(), lr=nets.LEARNING_RATE)
    xt, yt = backend.asarray(x), backend.asarray(y)

    def step() -> Any:
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    run = torch.compile(step) if compiled else step
    return run, lambda: torch_params(model, kind)


def _tf_step(
    backend: Backend, kind: str, p: nets.Params, x: np.ndarray, y: np.ndarray, compiled: bool
) -> tuple[Callable[[], object], Callable[[], nets.Params]]:
    import keras

    tf = backend.module
    model = keras_model(backend, kind, p)
    with tf.device(backend.tf_device):
        opt = keras.optimizers.SGD(learning_rate=nets.LEARNING_RATE)
        opt.build(model.trainable_variables)
    xt, yt = backend.asarray(framework_input(backend, kind, x)), backend.asarray(y)

    def step() -> Any:
        with tf.GradientTape() as tape:
            logits = model(xt, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yt, logits))
        opt.apply_gradients(
            zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables, strict=True)
        )
        return loss

    run = tf.function(step) if compiled else step
    return run, lambda: keras_params([v.numpy() for v in model.trainable_variables], kind)


def prepare(item: WorkItem, backend: Backend) -> Prepared:
    kind = "mlp" if item.case == "mlp_train" else "cnn"
    params = dict(item.params)
    batch = int(params["batch"])
    compiled = item.variant == "compiled"
    p = build_params(kind, params)
    x, y = build_data(kind, params, batch)
    expected = nets.sgd_steps(
        {k: v.astype(np.float64) for k, v in p.items()}, kind, x.astype(np.float64), y, CHECK_STEPS
    )
    if backend.name == "numpy":
        if compiled:
            raise Unsupported("NumPy has no graph compiler; its eager step is the NumPy figure")
        step = _numpy_step(kind, p, x, y)
        for _ in range(CHECK_STEPS):
            step()
        read: Callable[[], nets.Params] = lambda: p  # noqa: E731
    else:
        build = _torch_step if backend.name == "torch" else _tf_step
        step, read = build(backend, kind, p, x, y, compiled)
        compiler = "torch.compile" if backend.name == "torch" else "tf.function"
        try:
            with time_limit(COMPILE_LIMIT_S, compiler):
                step()  # first call: traces and compiles when compiled
        except Unsupported:
            raise
        except Exception as e:
            if not compiled:
                raise
            raise Unsupported(f"{compiler} failed here: {type(e).__name__}: {str(e)[:300]}") from None
        # The first step ran from the shared initial values; two more complete the check.
        for _ in range(CHECK_STEPS - 1):
            step()
    got = read()
    err = 0.0
    for name, ref in expected.items():
        err = max(
            err, check_close(got[name], ref, TRAINING_TOLERANCE, f"{name} after {CHECK_STEPS} SGD steps")
        )
    return Prepared(
        call=step,
        flops=flops(item.case, params),
        items=batch,
        metrics={"max_abs_err": err},
        conditions=mode(backend.name, compiled),
    )
