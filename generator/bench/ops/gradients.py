"""Gradients of the MLP's loss: hand-written NumPy backprop vs tf.GradientTape vs torch.autograd.
Loss and every gradient are checked against the NumPy float64 reference before timing."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.bench.backends import Backend
from generator.bench.ops import nets
from generator.bench.ops.framework_nets import (
    build_data,
    build_params,
    keras_model,
    keras_params,
    torch_model,
    torch_params,
)
from generator.bench.ops.prepared import TOLERANCES, Prepared, Unsupported, check_close, mode
from generator.catalog.cases import WorkItem
from generator.catalog.flops import flops


def _grad_fn(backend: Backend, p: nets.Params, x: np.ndarray, y: np.ndarray) -> Any:
    """A call returning (loss, gradients in the reference layout as a callable's result)."""
    if backend.name == "numpy":
        return lambda: nets.mlp_grads(p, x, y)
    if backend.name == "torch":
        torch = backend.module
        model = torch_model(backend, "mlp", p)
        xt, yt = backend.asarray(x), backend.asarray(y)

        def torch_step() -> Any:
            model.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(xt), yt)
            loss.backward()
            return loss

        def torch_read() -> tuple[float, nets.Params]:
            loss = torch_step()
            return float(loss.item()), torch_params(model, "mlp", grads=True)

        return torch_step, torch_read
    tf = backend.module
    model = keras_model(backend, "mlp", p)
    xt, yt = backend.asarray(x), backend.asarray(y)

    def tf_step() -> Any:
        with tf.GradientTape() as tape:
            logits = model(xt, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yt, logits))
        return loss, tape.gradient(loss, model.trainable_variables)

    def tf_read() -> tuple[float, nets.Params]:
        loss, grads = tf_step()
        return float(loss.numpy()), keras_params([g.numpy() for g in grads], "mlp")

    return tf_step, tf_read


def prepare(item: WorkItem, backend: Backend) -> Prepared:
    if item.case != "mlp_grad":
        raise Unsupported(f"no gradients case {item.case!r}")
    params = dict(item.params)
    batch = int(params["batch"])
    p = build_params("mlp", params)
    x, y = build_data("mlp", params, batch)
    p64 = {k: v.astype(np.float64) for k, v in p.items()}
    ref_loss, ref_grads = nets.mlp_grads(p64, x.astype(np.float64), y)
    made = _grad_fn(backend, p, x, y)
    if backend.name == "numpy":
        call = made
        loss, grads = made()
    else:
        call, read = made
        loss, grads = read()
    tol = TOLERANCES[item.dtype]
    err = check_close(np.array(loss), np.array(ref_loss), tol, "loss")
    for name, ref in ref_grads.items():
        err = max(err, check_close(grads[name], ref, tol, f"gradient of {name}"))
    return Prepared(
        call=call,
        flops=flops(item.case, params),
        items=batch,
        metrics={"max_abs_err": err},
        conditions=mode(backend.name),
    )
