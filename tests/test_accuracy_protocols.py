"""Each protocol makes exactly the tensors it claims, checked against a reference implementation on
synthetic JPEGs (including grayscale, CMYK, portrait, landscape and smaller-than-crop images)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmarks.fixtures.synthetic_imagenet import build_val_folder
from generator.accuracy.imagenet import load_rgb, scan_val_folder
from generator.accuracy.protocols import KerasStandard
from generator.accuracy.torch_zoo import TorchRunner, torch_transform, weights_enum
from generator.catalog.preprocessing import IMAGENET_MEAN, IMAGENET_STD
from generator.catalog.zoo_models import TORCH_MODELS


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = build_val_folder(tmp_path_factory.mktemp("val"), classes=2, per_class=3)
    small = root / "n01440764" / "ILSVRC2012_val_00000099.JPEG"
    Image.new("RGB", (201, 150), (200, 30, 90)).save(small)  # below 256 and below the 299 crop
    paths = list(scan_val_folder(root).paths)
    modes = {Image.open(p).mode for p in paths}
    assert {"L", "CMYK", "RGB"} <= modes
    return paths


def torch_original_reference(path: Path, crop: int) -> np.ndarray:
    """The study's PyTorch transform written out in PIL + NumPy from torchvision's documented
    semantics: shorter side to 256 (PIL bilinear, long side truncated), zero-pad to the crop when the
    image is smaller (left/top pad = deficit // 2), centre crop at round((size - crop) / 2), /255,
    (x - mean) / std."""
    image = Image.open(path).convert("RGB")
    w, h = image.size
    size = (256, int(256 * h / w)) if w <= h else (int(256 * w / h), 256)
    x = np.asarray(image.resize(size, Image.Resampling.BILINEAR), dtype=np.uint8)
    ph, pw = max(crop - x.shape[0], 0), max(crop - x.shape[1], 0)
    x = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    top, left = round((x.shape[0] - crop) / 2), round((x.shape[1] - crop) / 2)
    x = x[top : top + crop, left : left + crop].astype(np.float32) / np.float32(255)
    mean, std = np.array(IMAGENET_MEAN, np.float32), np.array(IMAGENET_STD, np.float32)
    return ((x - mean) / std).transpose(2, 0, 1)


def _through_dataloader(paths: list[Path], protocol: str, model: str) -> tuple[np.ndarray, int]:
    """Our PyTorch data path (DataLoader with a worker process), as the evaluation runs it."""
    spec = TORCH_MODELS[model]
    transform, side = torch_transform(protocol, crop=spec.crop, weights_name=spec.weights)  # type: ignore[arg-type]
    runner = TorchRunner(
        name=model, model=None, transform=transform, input_size=side, device="cpu", weights="-"
    )
    return np.concatenate([b.array for b in runner.batches(paths, batch_size=3, workers=1)]), side


@pytest.mark.parametrize(("model", "crop"), [("resnet18", 224), ("inception_v3", 299)])
def test_torch_original_matches_reference(images: list[Path], model: str, crop: int) -> None:
    ours, side = _through_dataloader(images, "original", model)
    assert side == crop and ours.shape == (len(images), 3, crop, crop)
    reference = np.stack([torch_original_reference(p, crop) for p in images])
    # Same operations in the same float32 order: equal to a few ULPs (torch may fuse sub/div).
    np.testing.assert_allclose(ours, reference, rtol=0, atol=2e-6)


@pytest.mark.parametrize("model", ["resnet18", "efficientnet_b3", "vit_b_16"])
def test_torch_standard_is_the_weights_own_transform(images: list[Path], model: str) -> None:
    ours, side = _through_dataloader(images, "standard", model)
    preset = weights_enum(TORCH_MODELS[model].weights).transforms()
    reference = np.stack([preset(Image.open(p).convert("RGB")).numpy() for p in images])
    assert side == preset.crop_size[0]
    assert np.array_equal(ours, reference)


@pytest.mark.parametrize("size", [224, 299, 331])
def test_keras_standard_matches_reference(images: list[Path], size: int) -> None:
    from torchvision.transforms import InterpolationMode
    from torchvision.transforms import functional as F

    shorter = round(size / 0.875)
    for path in images:
        image = Image.open(path).convert("RGB")
        reference = F.center_crop(F.resize(image, shorter, InterpolationMode.BILINEAR), [size, size])
        ours = KerasStandard(size)(load_rgb(path)[0])
        assert np.array_equal(ours, np.asarray(reference, dtype=np.float32)), path


KERAS_CHECK = r"""
import importlib, json, sys
from pathlib import Path
import keras, numpy as np
from generator.catalog.zoo_models import KERAS_MODELS
from generator.accuracy.loader import batches
from generator.accuracy.protocols import keras_transform
paths = [Path(p) for p in sys.argv[1:]]
report = {}
for name in ("mobilenet", "resnet50", "vgg19", "densenet121", "xception", "nasnetlarge", "efficientnetb0"):
    spec = KERAS_MODELS[name]
    pre = importlib.import_module(f"keras.applications.{spec.module}").preprocess_input
    size = (spec.input_size, spec.input_size)
    arrays = [keras.utils.img_to_array(keras.utils.load_img(p, target_size=size)) for p in paths]
    reference = pre(np.stack(arrays))
    loaded = batches(paths, keras_transform("original", spec.input_size), batch_size=2, workers=2)
    ours = pre(np.concatenate([b.array for b in loaded]))
    report[name] = [list(ours.shape), bool(np.array_equal(ours, reference))]
print(json.dumps(report))
"""


@pytest.mark.slow
def test_keras_original_is_keras_load_img_then_preprocess_input(images: list[Path]) -> None:
    # Keras runs in its own process (TensorFlow and torchvision must not share one).
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-c", KERAS_CHECK, *map(str, images)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    n = len(images)
    assert report == {
        "mobilenet": [[n, 224, 224, 3], True],
        "resnet50": [[n, 224, 224, 3], True],
        "vgg19": [[n, 224, 224, 3], True],
        "densenet121": [[n, 224, 224, 3], True],
        "xception": [[n, 299, 299, 3], True],
        "nasnetlarge": [[n, 331, 331, 3], True],
        "efficientnetb0": [[n, 224, 224, 3], True],
    }
