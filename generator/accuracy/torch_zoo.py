"""How to build and run one of the torchvision models we evaluate (the registry, with the weights
each entry pins, is plain data in generator/catalog/zoo_models.py). Only the worker subprocess imports
torch and torchvision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from PIL import Image

from generator.accuracy.imagenet import load_rgb
from generator.accuracy.loader import Batch
from generator.accuracy.protocols import Transform
from generator.catalog.preprocessing import IMAGENET_MEAN, IMAGENET_STD, ORIGINAL_TORCH_RESIZE, Protocol
from generator.catalog.zoo_models import TORCH_MODELS
from generator.errors import UserError


def weights_enum(qualified: str) -> Any:
    """The torchvision weights enum member named "<Enum>.<member>"."""
    import torchvision.models

    enum_name, _, member = qualified.partition(".")
    return getattr(getattr(torchvision.models, enum_name), member)


def torch_cache_dir() -> Path:
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints"


@dataclass(frozen=True)
class TorchPipeline:
    """A torchvision transform whose tensor output is returned as a float32 array.

    A class, not a closure, so DataLoader workers can receive it under the spawn start method."""

    pipeline: Callable[[Image.Image], Any]

    def __call__(self, image: Image.Image) -> np.ndarray:
        return np.asarray(self.pipeline(image).numpy(), dtype=np.float32)


def torch_transform(protocol: Protocol, *, crop: int, weights_name: str) -> tuple[Transform, int]:
    """The torchvision transform and the side of the tensor it makes."""
    from torchvision import transforms

    if protocol == "original":
        pipeline = transforms.Compose(
            [
                transforms.Resize(ORIGINAL_TORCH_RESIZE),
                transforms.CenterCrop(crop),
                transforms.ToTensor(),
                transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
            ]
        )
        return TorchPipeline(pipeline), crop
    preset = weights_enum(weights_name).transforms()
    return TorchPipeline(preset), int(preset.crop_size[0])


@dataclass(frozen=True)
class ImageList:
    """A map-style dataset (what DataLoader indexes): decoded, transformed images in file order."""

    paths: Sequence[Path]
    transform: Transform

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[np.ndarray | None, bool, str]:
        # A UserError raised in a worker process comes back re-wrapped in DataLoader's multi-line
        # message; hand the error text over as data and raise it in the main process instead.
        try:
            image, converted = load_rgb(self.paths[index])
        except UserError as e:
            return None, False, str(e)
        return self.transform(image), converted, ""


def collate(items: list[tuple[np.ndarray | None, bool, str]]) -> tuple[np.ndarray | None, int, str]:
    errors = [error for _, _, error in items if error]
    if errors:
        return None, 0, errors[0]
    return np.stack([a for a, _, _ in items if a is not None]), sum(c for _, c, _ in items), ""


@dataclass
class TorchRunner:
    name: str
    model: Any
    transform: Transform
    input_size: int
    device: str
    weights: str

    def batches(self, paths: Sequence[Path], *, batch_size: int, workers: int) -> Iterator[Batch]:
        """A DataLoader with worker processes: each runs torch single-threaded, so decoding never
        fights the model's intra-op threads for the cores (threads running torch ops would)."""
        from torch.utils.data import DataLoader

        loader: Any = DataLoader(
            cast(Any, ImageList(paths, self.transform)),
            batch_size=batch_size,
            num_workers=workers,
            collate_fn=collate,
            prefetch_factor=2 if workers else None,
        )
        start = 0
        for array, converted, error in loader:
            if error:
                raise UserError(error)
            yield Batch(start=start, array=array, converted=converted)
            start += len(array)

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """Class probabilities (n, 1000) of a batch of CHW normalised images."""
        import torch

        with torch.inference_mode():
            # channels_last: oneDNN's fast convolution layout (about 1.3-1.8x on CPU for convnets).
            images = torch.from_numpy(batch).to(self.device).contiguous(memory_format=torch.channels_last)
            logits = self.model(images)
            return np.asarray(logits.float().softmax(dim=1).cpu().numpy(), dtype=np.float32)


def torch_device(device: str) -> str:
    import torch

    mps = getattr(torch.backends, "mps", None)
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": bool(mps and mps.is_available())}
    if device == "auto":
        return next(d for d in ("cuda", "mps", "cpu") if available[d])
    if not available[device]:
        raise UserError(f"--device {device}: PyTorch sees no such device on this machine")
    return device


def load_torch(name: str, *, weights: str, protocol: Protocol, device: str, seed: int) -> TorchRunner:
    import torch
    import torchvision

    spec = TORCH_MODELS[name]
    recorded = torch_device(device)
    torch.manual_seed(seed)
    builder = getattr(torchvision.models, name)
    if weights == "imagenet":
        member = weights_enum(spec.weights)
        cached = torch_cache_dir() / Path(member.url).name
        try:
            model = builder(weights=member, progress=False)
        except OSError as e:  # urllib's URLError, timeouts and refused connections are OSErrors
            raise UserError(
                f"{name}: torchvision weights {spec.weights} are not at {cached} and cannot be "
                f"downloaded ({e}); copy the .pth file there or use --weights none"
            ) from None
    else:
        extra = {"aux_logits": False, "init_weights": True} if name in ("inception_v3", "googlenet") else {}
        model = builder(weights=None, **extra)
    transform, side = torch_transform(protocol, crop=spec.crop, weights_name=spec.weights)
    return TorchRunner(
        name=name,
        model=model.eval().to(recorded, memory_format=torch.channels_last),
        transform=transform,
        input_size=side,
        device=recorded,
        weights=(
            f"torchvision {torchvision.__version__} {spec.weights}"
            if weights == "imagenet"
            else f"none (random init, seed {seed})"
        ),
    )
