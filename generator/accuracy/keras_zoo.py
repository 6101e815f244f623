"""How to build and run one of the Keras applications we evaluate (the registry itself is plain data
in generator/catalog/zoo_models.py). Only the worker subprocess imports keras, with
KERAS_BACKEND=tensorflow.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.accuracy.loader import Batch, batches
from generator.accuracy.protocols import Transform, keras_transform
from generator.catalog.preprocessing import Protocol
from generator.catalog.zoo_models import KERAS_MODELS
from generator.errors import UserError


def keras_cache_dir() -> Path:
    """Where keras.utils.get_file keeps downloaded weights."""
    return Path(os.environ.get("KERAS_HOME", str(Path.home() / ".keras"))).expanduser() / "models"


def _is_download_failure(error: BaseException) -> bool:
    # get_file wraps urllib errors in a plain Exception("URL fetch failure on ...").
    return isinstance(error, OSError) or "fetch failure" in str(error)


@dataclass
class KerasRunner:
    name: str
    model: Any
    preprocess: Callable[[np.ndarray], np.ndarray]
    transform: Transform
    input_size: int
    device: str
    weights: str
    _tf_device: str

    def batches(self, paths: Sequence[Path], *, batch_size: int, workers: int) -> Iterator[Batch]:
        return batches(paths, self.transform, batch_size=batch_size, workers=workers)

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """Class probabilities (n, 1000) of a batch of HWC 0..255 images."""
        import tensorflow as tf

        with tf.device(self._tf_device):
            # preprocess_input works in place on float arrays: give it a copy.
            out = self.model.predict_on_batch(self.preprocess(batch.copy()))
        return np.asarray(out, dtype=np.float32)

    def predict_one_by_one(self, batch: np.ndarray) -> np.ndarray:
        """The study's way: `model.predict` on one image at a time."""
        import tensorflow as tf

        rows = []
        with tf.device(self._tf_device):
            for image in batch:
                rows.append(self.model.predict(self.preprocess(image[None].copy()), verbose=0))
        return np.asarray(np.concatenate(rows), dtype=np.float32)


def keras_device(device: str) -> tuple[str, str]:
    """(recorded device, TensorFlow device string) for --device."""
    import platform

    import tensorflow as tf

    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    gpu_kind = "mps" if platform.system() == "Darwin" else "cuda"
    if device == "cpu" or (device == "auto" and not has_gpu):
        return "cpu", "/CPU:0"
    if not has_gpu or (device != "auto" and device != gpu_kind):
        raise UserError(f"--device {device}: TensorFlow sees no such GPU on this machine")
    return gpu_kind, "/GPU:0"


def load_keras(name: str, *, weights: str, protocol: Protocol, device: str, seed: int) -> KerasRunner:
    import importlib

    import keras

    spec = KERAS_MODELS[name]
    recorded, tf_device = keras_device(device)
    keras.utils.set_random_seed(seed)
    constructor = getattr(keras.applications, spec.constructor)
    try:
        model = constructor(weights="imagenet" if weights == "imagenet" else None)
    except Exception as e:
        if weights == "imagenet" and _is_download_failure(e):
            raise UserError(
                f"{name}: Keras ImageNet weights are not in {keras_cache_dir()} and cannot be downloaded "
                f"({str(e).splitlines()[0][:120]}); copy the .h5 file there or use --weights none"
            ) from None
        raise
    module = importlib.import_module(f"keras.applications.{spec.module}")
    return KerasRunner(
        name=name,
        model=model,
        preprocess=module.preprocess_input,
        transform=keras_transform(protocol, spec.input_size),
        input_size=spec.input_size,
        device=recorded,
        weights=(
            f"keras {keras.__version__} {spec.constructor} imagenet"
            if weights == "imagenet"
            else f"none (random init, seed {seed})"
        ),
        _tf_device=tf_device,
    )
