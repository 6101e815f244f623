"""The Keras applications we evaluate, and how to build and run one.

The registry is plain data, importable without Keras (the CLI validates model names with it). Class
indices: Keras applications predict the 1000 ImageNet-1k classes in the standard ILSVRC index order,
which is the sorted-synset order of the val folder (see imagenet.py), so no remapping is needed.
Only the worker subprocess imports keras, with KERAS_BACKEND=tensorflow.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.accuracy.loader import Batch, batches
from generator.accuracy.protocols import Protocol, Transform, keras_transform
from generator.errors import UserError


@dataclass(frozen=True)
class KerasModel:
    constructor: str  # attribute of keras.applications
    module: str  # keras.applications submodule holding its preprocess_input (also its family)
    input_size: int  # the model's native square input side
    study: bool = False  # one of the 13 Keras models of the 34-model study
    architecture: str = ""  # the torchvision name of the same architecture, for side-by-side views


def _m(ctor: str, module: str, size: int, *, study: bool = False, arch: str = "") -> KerasModel:
    return KerasModel(ctor, module, size, study, arch)


KERAS_MODELS: dict[str, KerasModel] = {
    # The study's 13 (its "mobilenetV2" is our "mobilenetv2").
    "xception": _m("Xception", "xception", 299, study=True),
    "vgg16": _m("VGG16", "vgg16", 224, study=True, arch="vgg16"),
    "vgg19": _m("VGG19", "vgg19", 224, study=True, arch="vgg19"),
    "resnet50": _m("ResNet50", "resnet50", 224, study=True, arch="resnet50"),
    "inceptionv3": _m("InceptionV3", "inception_v3", 299, study=True, arch="inception_v3"),
    "inceptionresnetv2": _m("InceptionResNetV2", "inception_resnet_v2", 299, study=True),
    "mobilenet": _m("MobileNet", "mobilenet", 224, study=True),
    "mobilenetv2": _m("MobileNetV2", "mobilenet_v2", 224, study=True, arch="mobilenet_v2"),
    "densenet121": _m("DenseNet121", "densenet", 224, study=True, arch="densenet121"),
    "densenet169": _m("DenseNet169", "densenet", 224, study=True, arch="densenet169"),
    "densenet201": _m("DenseNet201", "densenet", 224, study=True, arch="densenet201"),
    "nasnetmobile": _m("NASNetMobile", "nasnet", 224, study=True),
    "nasnetlarge": _m("NASNetLarge", "nasnet", 331, study=True),
    # Newer than the study.
    "resnet101": _m("ResNet101", "resnet", 224, arch="resnet101"),
    "resnet152": _m("ResNet152", "resnet", 224, arch="resnet152"),
    "resnet50v2": _m("ResNet50V2", "resnet_v2", 224),
    "resnet101v2": _m("ResNet101V2", "resnet_v2", 224),
    "resnet152v2": _m("ResNet152V2", "resnet_v2", 224),
    "mobilenetv3small": _m("MobileNetV3Small", "mobilenet_v3", 224, arch="mobilenet_v3_small"),
    "mobilenetv3large": _m("MobileNetV3Large", "mobilenet_v3", 224, arch="mobilenet_v3_large"),
    **{
        f"efficientnetb{i}": _m(f"EfficientNetB{i}", "efficientnet", size, arch=f"efficientnet_b{i}")
        for i, size in enumerate((224, 240, 260, 300, 380, 456, 528, 600))
    },
    **{
        f"efficientnetv2{v.lower()}": _m(
            # torchvision has only the S/M/L sizes of EfficientNetV2.
            f"EfficientNetV2{v}",
            "efficientnet_v2",
            size,
            arch=f"efficientnet_v2_{v.lower()}" if len(v) == 1 else "",
        )
        for v, size in (
            ("B0", 224),
            ("B1", 240),
            ("B2", 260),
            ("B3", 300),
            ("S", 384),
            ("M", 480),
            ("L", 480),
        )
    },
    **{
        f"convnext{v.lower()}": _m(
            f"ConvNeXt{v}", "convnext", 224, arch=f"convnext_{v.lower()}" if v != "XLarge" else ""
        )
        for v in ("Tiny", "Small", "Base", "Large", "XLarge")
    },
}


def architecture(framework: str, model: str) -> str:
    """A name shared by the same architecture in both zoos (the torchvision name), for side-by-side
    views; a Keras model without a torchvision twin keeps its own name."""
    if framework == "keras" and model in KERAS_MODELS:
        return KERAS_MODELS[model].architecture or model
    return model


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
