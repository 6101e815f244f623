"""The ImageNet validation folder: find its images and labels, and decode them as RGB.

The layout is torchvision's `ImageFolder`: one subfolder per synset (wnid). Classes are the sorted
subfolder names and files are sorted by name within each, exactly as `ImageFolder` orders them, so
row i of every result is the same image whichever framework ran. For the 1000 ILSVRC2012 synsets the
sorted order IS the standard ImageNet-1k class index order that Keras applications and torchvision
weights both use (index 0 = n01440764 tench ... 999 = n15075141 toilet tissue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from generator.errors import UserError

IMAGENET_CLASSES = 1000
# Extensions torchvision's ImageFolder accepts (IMG_EXTENSIONS), compared case-insensitively.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
_SYNSET = re.compile(r"^n[0-9]{8}$")


@dataclass(frozen=True)
class ValSet:
    root: Path
    classes: tuple[str, ...]
    paths: tuple[Path, ...]
    labels: tuple[int, ...]


def scan_val_folder(root: Path, *, limit: int | None = None, require_imagenet: bool = False) -> ValSet:
    """List the images of an ImageFolder-layout folder in ImageFolder's order.

    `limit` keeps the first N files (by name) of each class. `require_imagenet` (set when pretrained
    weights are scored) demands the 1000 synset folders, since a label is a position among them.
    """
    if not root.exists():
        raise UserError(f"--data {root}: no such folder")
    if not root.is_dir():
        raise UserError(f"--data {root}: not a folder")
    classes = tuple(sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")))
    if not classes:
        raise UserError(
            f"--data {root}: no class subfolders (expected one folder per synset, e.g. n01440764/)"
        )
    if require_imagenet:
        odd = [c for c in classes if not _SYNSET.match(c)]
        if odd or len(classes) != IMAGENET_CLASSES:
            detail = f"; not synset ids: {', '.join(odd[:3])}" if odd else ""
            raise UserError(
                f"--data {root}: has {len(classes)} class folders, pretrained weights need the "
                f"{IMAGENET_CLASSES} ImageNet synset folders (n01440764 ... n15075141){detail}"
            )
    paths: list[Path] = []
    labels: list[int] = []
    for label, name in enumerate(classes):
        files = sorted(
            (p for p in (root / name).iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()),
            key=lambda p: p.name,
        )
        if not files:
            raise UserError(
                f"--data {root}: class folder {name}/ holds no images ({', '.join(IMAGE_EXTENSIONS)})"
            )
        files = files[:limit] if limit else files
        paths.extend(files)
        labels.extend([label] * len(files))
    return ValSet(root=root, classes=classes, paths=tuple(paths), labels=tuple(labels))


def load_rgb(path: Path) -> tuple[Image.Image, bool]:
    """Decode an image as RGB; the flag says it was not RGB on disk (grayscale, CMYK, palette...).

    ImageNet val holds a few grayscale and CMYK JPEGs; both zoos' loaders convert them with PIL's
    `convert("RGB")`, so we do the same and count them.
    """
    try:
        with Image.open(path) as image:
            converted = image.mode != "RGB"
            rgb = image.convert("RGB")  # convert() also forces the lazy decode, inside the try
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as e:
        raise UserError(f"{path}: cannot read image: {e}") from None
    return rgb, converted
