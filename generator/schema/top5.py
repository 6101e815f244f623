"""Top-5 prediction files in the 34-model study's format: read, check, write and score them (the
accuracy suite writes them, generator/ingest reads the study's).

`<model>_<keras|pytorch>_imagenet_top5preds.npy` holds int64 (N, 5) class indices and
`..._top5probs.npy` float32 (N, 5) softmax probabilities of those classes, column for column. The
study's columns are NOT sorted (it used np.argpartition), so top-1 is `preds[i, argmax(probs[i])]`;
the files we write are sorted best-first, which reads the same way.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.errors import UserError

K = 5
CLASSES = 1000
PREDS_SUFFIX = "_imagenet_top5preds.npy"
PROBS_SUFFIX = "_imagenet_top5probs.npy"
# float16 too: a later version of the study's Keras script saved its probabilities that way.
PROB_DTYPES = (np.dtype(np.float32), np.dtype(np.float16))


def file_names(model: str, framework: str) -> tuple[str, str]:
    stem = f"{model}_{framework}"
    return stem + PREDS_SUFFIX, stem + PROBS_SUFFIX


def top5_of(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best five classes per row, highest first (stable: equal scores keep index order)."""
    order = np.argsort(-probs, axis=1, kind="stable")[:, :K].astype(np.int64)
    return order, np.take_along_axis(probs, order, axis=1).astype(np.float32)


def check_top5(preds: np.ndarray, probs: np.ndarray, *, preds_name: str, probs_name: str) -> None:
    """Raise UserError naming the file when the pair is not in the study's format."""
    if preds.ndim != 2 or preds.shape[1] != K or preds.shape[0] == 0:
        raise UserError(f"{preds_name}: shape {preds.shape}, expected (N, {K})")
    if preds.dtype != np.int64:
        raise UserError(f"{preds_name}: dtype {preds.dtype}, expected int64")
    if probs.shape != preds.shape:
        raise UserError(f"{probs_name}: shape {probs.shape}, expected {preds.shape} like {preds_name}")
    if probs.dtype not in PROB_DTYPES:
        raise UserError(f"{probs_name}: dtype {probs.dtype}, expected float32")
    if preds.min() < 0 or preds.max() >= CLASSES:
        raise UserError(f"{preds_name}: class indices must be in 0..{CLASSES - 1}")
    if not np.isfinite(probs).all():
        raise UserError(f"{probs_name}: holds NaN or infinite probabilities")


def load_npy(path: Path) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise UserError(f"{path}: not a readable .npy array ({e})") from None
    if not isinstance(array, np.ndarray):
        raise UserError(f"{path}: not a single .npy array")
    return array


@dataclass(frozen=True)
class PerImage:
    """Per-image outcome of a checked pair: the top-1 class and whether top-1 / top-5 hold the label."""

    top1_class: np.ndarray  # int64 (N,)
    top1_right: np.ndarray  # bool (N,)
    top5_right: np.ndarray  # bool (N,)

    @property
    def percents(self) -> tuple[float, float]:
        return 100.0 * float(self.top1_right.mean()), 100.0 * float(self.top5_right.mean())


def per_image(preds: np.ndarray, probs: np.ndarray, labels: np.ndarray) -> PerImage:
    top1_class = preds[np.arange(len(preds)), np.argmax(probs, axis=1)]
    return PerImage(top1_class, top1_class == labels, (preds == labels[:, None]).any(axis=1))


def score(preds: np.ndarray, probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(top-1 %, top-5 %) of a checked pair against integer labels, vectorised."""
    return per_image(preds, probs, labels).percents


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_top5(folder: Path, model: str, framework: str, preds: np.ndarray, probs: np.ndarray) -> None:
    preds_name, probs_name = file_names(model, framework)
    check_top5(preds, probs, preds_name=preds_name, probs_name=probs_name)
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in ((preds_name, preds), (probs_name, probs)):
        # Write aside, then rename: a killed run never leaves half a file under the final name.
        partial = folder / f".{name}.partial"
        with partial.open("wb") as f:
            np.save(f, array)
        os.replace(partial, folder / name)
