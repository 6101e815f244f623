"""The MLP and CNN of nets.py built in PyTorch and Keras/TF with the very same parameter values,
and their parameters read back in the NumPy reference layout (so results can be compared)."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.bench.backends import Backend
from generator.bench.ops import nets

Params = nets.Params


def torch_model(backend: Backend, kind: str, p: Params) -> Any:
    torch = backend.module
    nn = torch.nn
    if kind == "mlp":
        d_in, hidden = p["w1"].shape
        model = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, p["w2"].shape[1]))
        values = [p["w1"].T, p["b1"], p["w2"].T, p["b2"]]
    else:
        channels = p["k"].shape[0]
        model = nn.Sequential(
            nn.Conv2d(1, channels, nets.KERNEL),
            nn.ReLU(),
            nn.AvgPool2d(2),
            nn.Flatten(),
            nn.Linear(p["w"].shape[0], p["w"].shape[1]),
        )
        values = [p["k"], p["bk"], p["w"].T, p["b"]]
    with torch.no_grad():
        for param, value in zip(model.parameters(), values, strict=True):
            param.copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return model.to(backend.device)


def torch_params(model: Any, kind: str, grads: bool = False) -> Params:
    """Parameters (or their gradients) of a torch_model, in the reference layout."""
    tensors = [(q.grad if grads else q).detach().cpu().numpy() for q in model.parameters()]
    names = ("w1", "b1", "w2", "b2") if kind == "mlp" else ("k", "bk", "w", "b")
    out = dict(zip(names, tensors, strict=True))
    out[names[2]] = out[names[2]].T
    if kind == "mlp":
        out["w1"] = out["w1"].T
    return out


def keras_model(backend: Backend, kind: str, p: Params) -> Any:
    import keras

    layers = keras.layers
    with backend.module.device(backend.tf_device):
        if kind == "mlp":
            d_in, hidden = p["w1"].shape
            model = keras.Sequential(
                [
                    keras.Input((d_in,)),
                    layers.Dense(hidden, activation="relu"),
                    layers.Dense(p["w2"].shape[1]),
                ]
            )
            model.set_weights([p["w1"], p["b1"], p["w2"], p["b2"]])
        else:
            channels = p["k"].shape[0]
            model = keras.Sequential(
                [
                    keras.Input((nets.SIDE, nets.SIDE, 1)),
                    layers.Conv2D(channels, nets.KERNEL, activation="relu"),
                    layers.AveragePooling2D(2),
                    layers.Flatten(),
                    layers.Dense(p["w"].shape[1]),
                ]
            )
            model.set_weights(
                [p["k"].transpose(2, 3, 1, 0), p["bk"], nets.tf_dense_rows(p["w"], channels), p["b"]]
            )
    return model


def keras_params(values: list[np.ndarray], kind: str) -> Params:
    """Keras weights (or gradients, same order) in the reference layout."""
    if kind == "mlp":
        return dict(zip(("w1", "b1", "w2", "b2"), values, strict=True))
    k, bk, w, b = values
    channels = k.shape[3]
    return {"k": k.transpose(3, 2, 0, 1), "bk": bk, "w": nets.from_tf_dense_rows(w, channels), "b": b}


def framework_input(backend: Backend, kind: str, x: np.ndarray) -> np.ndarray:
    """TF's convolution takes NHWC images: the same values, transposed."""
    if backend.name == "tensorflow" and kind == "cnn":
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    return x


def build_params(kind: str, params: dict[str, Any]) -> Params:
    if kind == "mlp":
        return nets.mlp_params(int(params["d_in"]), int(params["hidden"]), int(params["classes"]))
    return nets.cnn_params(int(params["channels"]), int(params["classes"]))


def build_data(
    kind: str, params: dict[str, Any], batch: int, offset: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    if kind == "mlp":
        return nets.mlp_data(batch, int(params["d_in"]), int(params["classes"]), offset)
    return nets.cnn_data(batch, int(params["classes"]), offset)
