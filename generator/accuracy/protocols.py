"""The preprocessing protocols of generator/catalog/preprocessing.py, implemented: an RGB PIL image
in, the model's input array out (before Keras' per-model `preprocess_input`, which the Keras worker
applies to whole batches). The PyTorch transforms live with the torch zoo
(torch_zoo.torch_transform), which knows the weights."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from generator.catalog.preprocessing import CROP_RATIO, Protocol

Transform = Callable[[Image.Image], np.ndarray]


def resize_shorter(image: Image.Image, shorter: int, resample: Image.Resampling) -> Image.Image:
    """Scale so the shorter side is `shorter`; the longer side is truncated as torchvision does."""
    w, h = image.size
    size = (shorter, int(shorter * h / w)) if w <= h else (int(shorter * w / h), shorter)
    return image if size == image.size else image.resize(size, resample)


def center_crop(image: Image.Image, size: int) -> Image.Image:
    """A centred size x size crop, offsets rounded as torchvision's CenterCrop rounds them."""
    w, h = image.size
    left = round((w - size) / 2.0)
    top = round((h - size) / 2.0)
    return image.crop((left, top, left + size, top + size))


@dataclass(frozen=True)
class KerasOriginal:
    """keras.utils.load_img(target_size=(s, s)) + img_to_array: NEAREST resize, no crop."""

    size: int

    def __call__(self, image: Image.Image) -> np.ndarray:
        if image.size != (self.size, self.size):
            image = image.resize((self.size, self.size), Image.Resampling.NEAREST)
        return np.asarray(image, dtype=np.float32)


@dataclass(frozen=True)
class KerasStandard:
    """Shorter side to size / 0.875 (bilinear), then a centred size x size crop."""

    size: int

    def __call__(self, image: Image.Image) -> np.ndarray:
        shorter = round(self.size / CROP_RATIO)
        image = center_crop(resize_shorter(image, shorter, Image.Resampling.BILINEAR), self.size)
        return np.asarray(image, dtype=np.float32)


def keras_transform(protocol: Protocol, size: int) -> Transform:
    return KerasOriginal(size) if protocol == "original" else KerasStandard(size)
