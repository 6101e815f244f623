"""The two small networks every framework runs, defined once in NumPy: seeded parameters, forward,
hand-written backprop and SGD. They are the reference the frameworks are checked against, and the
NumPy contestant itself.

MLP: x(B, d_in) → dense(hidden) → ReLU → dense(classes).
CNN: x(B, 1, 28, 28) → conv 3×3 (channels, 'valid') → ReLU → 2×2 average pool → flatten (C, H, W
order) → dense(classes). Loss: mean softmax cross-entropy.
"""

from __future__ import annotations

import numpy as np

from generator.bench.ops.prepared import rng
from generator.bench.ops.tensor import im2col_conv2d

Params = dict[str, np.ndarray]
SIDE, KERNEL = 28, 3
CONV_SIDE = SIDE - KERNEL + 1  # 26
POOLED = CONV_SIDE // 2  # 13
LEARNING_RATE = 0.05


def mlp_params(d_in: int, hidden: int, classes: int, dtype: str = "float32") -> Params:
    g = rng(1)
    return {
        "w1": (g.standard_normal((d_in, hidden)) * np.sqrt(2.0 / d_in)).astype(dtype),
        "b1": (g.standard_normal(hidden) * 0.01).astype(dtype),
        "w2": (g.standard_normal((hidden, classes)) * np.sqrt(1.0 / hidden)).astype(dtype),
        "b2": (g.standard_normal(classes) * 0.01).astype(dtype),
    }


def cnn_params(channels: int, classes: int, dtype: str = "float32") -> Params:
    g = rng(2)
    features = channels * POOLED * POOLED
    return {
        "k": (g.standard_normal((channels, 1, KERNEL, KERNEL)) / KERNEL).astype(dtype),
        "bk": (g.standard_normal(channels) * 0.01).astype(dtype),
        "w": (g.standard_normal((features, classes)) * np.sqrt(1.0 / features)).astype(dtype),
        "b": (g.standard_normal(classes) * 0.01).astype(dtype),
    }


def mlp_data(batch: int, d_in: int, classes: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    g = rng(10 + offset)
    return g.standard_normal((batch, d_in)).astype(np.float32), g.integers(0, classes, batch).astype(np.int64)


def cnn_data(batch: int, classes: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    g = rng(20 + offset)
    return (
        g.standard_normal((batch, 1, SIDE, SIDE)).astype(np.float32),
        g.integers(0, classes, batch).astype(np.int64),
    )


def _softmax_xent(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / exp.sum(axis=1, keepdims=True)
    batch = logits.shape[0]
    loss = float(np.mean(np.log(exp.sum(axis=1)) - shifted[np.arange(batch), labels]))
    grad = probs
    grad[np.arange(batch), labels] -= 1.0
    return loss, grad / batch


def mlp_forward(p: Params, x: np.ndarray) -> np.ndarray:
    return np.asarray(np.maximum(x @ p["w1"] + p["b1"], 0) @ p["w2"] + p["b2"])


def mlp_grads(p: Params, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
    h = np.maximum(x @ p["w1"] + p["b1"], 0)
    loss, dlogits = _softmax_xent(h @ p["w2"] + p["b2"], y)
    dh = (dlogits @ p["w2"].T) * (h > 0)
    return loss, {"w1": x.T @ dh, "b1": dh.sum(0), "w2": h.T @ dlogits, "b2": dlogits.sum(0)}


def _conv_relu_pool(p: Params, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.maximum(im2col_conv2d(x, p["k"]) + p["bk"][None, :, None, None], 0)
    batch, channels = z.shape[:2]
    pooled = z.reshape(batch, channels, POOLED, 2, POOLED, 2).mean(axis=(3, 5))
    return z, pooled.reshape(batch, -1)


def cnn_forward(p: Params, x: np.ndarray) -> np.ndarray:
    return np.asarray(_conv_relu_pool(p, x)[1] @ p["w"] + p["b"])


def cnn_grads(p: Params, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
    z, features = _conv_relu_pool(p, x)
    loss, dlogits = _softmax_xent(features @ p["w"] + p["b"], y)
    batch, channels = z.shape[:2]
    dpooled = (dlogits @ p["w"].T).reshape(batch, channels, POOLED, 1, POOLED, 1)
    dz = np.broadcast_to(dpooled / 4.0, (batch, channels, POOLED, 2, POOLED, 2)).reshape(z.shape) * (z > 0)
    windows = np.lib.stride_tricks.sliding_window_view(x, (KERNEL, KERNEL), axis=(2, 3))  # B,1,26,26,3,3
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(-1, KERNEL * KERNEL)
    dk = dz.transpose(1, 0, 2, 3).reshape(channels, -1) @ cols
    return loss, {
        "k": dk.reshape(p["k"].shape),
        "bk": dz.sum(axis=(0, 2, 3)),
        "w": features.T @ dlogits,
        "b": dlogits.sum(0),
    }


def sgd_steps(p: Params, grads_fn: str, x: np.ndarray, y: np.ndarray, steps: int) -> Params:
    """`steps` plain SGD steps on one batch; returns new parameters (the input is not changed)."""
    grads = mlp_grads if grads_fn == "mlp" else cnn_grads
    params = {k: v.copy() for k, v in p.items()}
    for _ in range(steps):
        _, g = grads(params, x, y)
        for k in params:
            params[k] -= (LEARNING_RATE * g[k]).astype(params[k].dtype)
    return params


def magnitude_prune(p: Params, amount: float = 0.5) -> Params:
    """Zero the `amount` smallest-magnitude entries of every weight tensor (biases kept), per tensor:
    what torch.nn.utils.prune.l1_unstructured does."""
    pruned = {}
    for name, value in p.items():
        if value.ndim < 2:
            pruned[name] = value.copy()
            continue
        flat = np.abs(value).ravel()
        cut = round(amount * flat.size)
        mask = np.ones(flat.size, dtype=bool)
        mask[np.argsort(flat, kind="stable")[:cut]] = False
        pruned[name] = value * mask.reshape(value.shape)
    return pruned


def tf_dense_rows(w: np.ndarray, channels: int) -> np.ndarray:
    """The CNN's dense weight with rows reordered from NCHW-flatten (C,H,W) to NHWC-flatten (H,W,C)."""
    classes = w.shape[1]
    return np.ascontiguousarray(
        w.reshape(channels, POOLED, POOLED, classes).transpose(1, 2, 0, 3).reshape(-1, classes)
    )


def from_tf_dense_rows(w: np.ndarray, channels: int) -> np.ndarray:
    classes = w.shape[1]
    return np.ascontiguousarray(
        w.reshape(POOLED, POOLED, channels, classes).transpose(2, 0, 1, 3).reshape(-1, classes)
    )
