"""The torchvision models we evaluate, and how to build and run one.

The registry is plain data, importable without torch. Every entry names its weights enum member; we pin
IMAGENET1K_V1 (the weights the 34-model study scored, and the first ImageNet-1k release of the newer
ones) so a figure never silently changes when torchvision moves its DEFAULT. Class indices are the
standard ImageNet-1k order, which is the sorted-synset order of the val folder (see imagenet.py).
Only the worker subprocess imports torch and torchvision.
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
from generator.accuracy.protocols import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    ORIGINAL_TORCH_RESIZE,
    Protocol,
    Transform,
)
from generator.errors import UserError

# The study's 21 PyTorch models (PyTorch 1.0, torchvision 0.2).
STUDY_MODELS = frozenset(
    ["alexnet", "inception_v3", "squeezenet1_0", "squeezenet1_1"]
    + [f"vgg{d}{bn}" for d in (11, 13, 16, 19) for bn in ("", "_bn")]
    + [f"resnet{d}" for d in (18, 34, 50, 101, 152)]
    + [f"densenet{d}" for d in (121, 161, 169, 201)]
)

# model builder name (torchvision.models.<name>) -> its weights enum class. vit_h_14 and
# regnet_y_128gf are left out: they ship only SWAG weights at 518/384 px, a different protocol.
_WEIGHTS_ENUMS = {
    "alexnet": "AlexNet_Weights",
    "convnext_base": "ConvNeXt_Base_Weights",
    "convnext_large": "ConvNeXt_Large_Weights",
    "convnext_small": "ConvNeXt_Small_Weights",
    "convnext_tiny": "ConvNeXt_Tiny_Weights",
    "densenet121": "DenseNet121_Weights",
    "densenet161": "DenseNet161_Weights",
    "densenet169": "DenseNet169_Weights",
    "densenet201": "DenseNet201_Weights",
    "efficientnet_b0": "EfficientNet_B0_Weights",
    "efficientnet_b1": "EfficientNet_B1_Weights",
    "efficientnet_b2": "EfficientNet_B2_Weights",
    "efficientnet_b3": "EfficientNet_B3_Weights",
    "efficientnet_b4": "EfficientNet_B4_Weights",
    "efficientnet_b5": "EfficientNet_B5_Weights",
    "efficientnet_b6": "EfficientNet_B6_Weights",
    "efficientnet_b7": "EfficientNet_B7_Weights",
    "efficientnet_v2_l": "EfficientNet_V2_L_Weights",
    "efficientnet_v2_m": "EfficientNet_V2_M_Weights",
    "efficientnet_v2_s": "EfficientNet_V2_S_Weights",
    "googlenet": "GoogLeNet_Weights",
    "inception_v3": "Inception_V3_Weights",
    "maxvit_t": "MaxVit_T_Weights",
    "mnasnet0_5": "MNASNet0_5_Weights",
    "mnasnet0_75": "MNASNet0_75_Weights",
    "mnasnet1_0": "MNASNet1_0_Weights",
    "mnasnet1_3": "MNASNet1_3_Weights",
    "mobilenet_v2": "MobileNet_V2_Weights",
    "mobilenet_v3_large": "MobileNet_V3_Large_Weights",
    "mobilenet_v3_small": "MobileNet_V3_Small_Weights",
    "regnet_x_16gf": "RegNet_X_16GF_Weights",
    "regnet_x_1_6gf": "RegNet_X_1_6GF_Weights",
    "regnet_x_32gf": "RegNet_X_32GF_Weights",
    "regnet_x_3_2gf": "RegNet_X_3_2GF_Weights",
    "regnet_x_400mf": "RegNet_X_400MF_Weights",
    "regnet_x_800mf": "RegNet_X_800MF_Weights",
    "regnet_x_8gf": "RegNet_X_8GF_Weights",
    "regnet_y_16gf": "RegNet_Y_16GF_Weights",
    "regnet_y_1_6gf": "RegNet_Y_1_6GF_Weights",
    "regnet_y_32gf": "RegNet_Y_32GF_Weights",
    "regnet_y_3_2gf": "RegNet_Y_3_2GF_Weights",
    "regnet_y_400mf": "RegNet_Y_400MF_Weights",
    "regnet_y_800mf": "RegNet_Y_800MF_Weights",
    "regnet_y_8gf": "RegNet_Y_8GF_Weights",
    "resnet101": "ResNet101_Weights",
    "resnet152": "ResNet152_Weights",
    "resnet18": "ResNet18_Weights",
    "resnet34": "ResNet34_Weights",
    "resnet50": "ResNet50_Weights",
    "resnext101_32x8d": "ResNeXt101_32X8D_Weights",
    "resnext101_64x4d": "ResNeXt101_64X4D_Weights",
    "resnext50_32x4d": "ResNeXt50_32X4D_Weights",
    "shufflenet_v2_x0_5": "ShuffleNet_V2_X0_5_Weights",
    "shufflenet_v2_x1_0": "ShuffleNet_V2_X1_0_Weights",
    "shufflenet_v2_x1_5": "ShuffleNet_V2_X1_5_Weights",
    "shufflenet_v2_x2_0": "ShuffleNet_V2_X2_0_Weights",
    "squeezenet1_0": "SqueezeNet1_0_Weights",
    "squeezenet1_1": "SqueezeNet1_1_Weights",
    "swin_b": "Swin_B_Weights",
    "swin_s": "Swin_S_Weights",
    "swin_t": "Swin_T_Weights",
    "swin_v2_b": "Swin_V2_B_Weights",
    "swin_v2_s": "Swin_V2_S_Weights",
    "swin_v2_t": "Swin_V2_T_Weights",
    "vgg11": "VGG11_Weights",
    "vgg11_bn": "VGG11_BN_Weights",
    "vgg13": "VGG13_Weights",
    "vgg13_bn": "VGG13_BN_Weights",
    "vgg16": "VGG16_Weights",
    "vgg16_bn": "VGG16_BN_Weights",
    "vgg19": "VGG19_Weights",
    "vgg19_bn": "VGG19_BN_Weights",
    "vit_b_16": "ViT_B_16_Weights",
    "vit_b_32": "ViT_B_32_Weights",
    "vit_l_16": "ViT_L_16_Weights",
    "vit_l_32": "ViT_L_32_Weights",
    "wide_resnet101_2": "Wide_ResNet101_2_Weights",
    "wide_resnet50_2": "Wide_ResNet50_2_Weights",
}


@dataclass(frozen=True)
class TorchModel:
    weights: str  # "<Enum>.<member>" of torchvision.models
    crop: int  # centre crop of the study's protocol: 224, or 299 for inception_v3
    study: bool


TORCH_MODELS: dict[str, TorchModel] = {
    name: TorchModel(f"{enum}.IMAGENET1K_V1", 299 if name == "inception_v3" else 224, name in STUDY_MODELS)
    for name, enum in _WEIGHTS_ENUMS.items()
}


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
