"""A tiny ImageNet-layout val folder of real JPEGs, for tests and `make bench-accuracy`.

Never a stand-in for ImageNet figures: the pictures are smooth random colour fields. Sizes vary and
include portrait and landscape shapes so every resize/crop path runs, and one grayscale and one CMYK
JPEG are included because ImageNet val has both.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def synset_ids(classes: int) -> list[str]:
    """Synset-shaped folder names (n + 8 digits), already in sorted order."""
    return [f"n{1440764 + 1000 * i:08d}" for i in range(classes)]


def _picture(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    # A coarse random grid scaled up bilinearly: smooth like a photo, so JPEG keeps it recognisable.
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    return Image.fromarray(coarse, "RGB").resize((width, height), Image.Resampling.BILINEAR)


def build_val_folder(
    root: Path, *, classes: int = 10, per_class: int = 3, seed: int = 0, odd_modes: bool = True
) -> Path:
    """Write classes x per_class JPEGs under root/<synset>/; return root."""
    rng = np.random.default_rng(seed)
    for c, synset in enumerate(synset_ids(classes)):
        folder = root / synset
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            width, height = (int(v) for v in rng.integers(160, 420, size=2))
            image = _picture(rng, width, height)
            if odd_modes and (c, i) == (0, 1):
                image = image.convert("L")
            elif odd_modes and (c, i) == (1 % classes, 2 % per_class):
                image = image.convert("CMYK")
            image.save(folder / f"ILSVRC2012_val_{c * per_class + i + 1:08d}.JPEG", quality=90)
    return root
