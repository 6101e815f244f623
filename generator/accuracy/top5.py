"""Top-5 files in the 34-model study's format: read, check, write and score them.

`<model>_<keras|pytorch>_imagenet_top5preds.npy` holds int64 (N, 5) class indices and
`..._top5probs.npy` float32 (N, 5) softmax probabilities of those classes, column for column. The
study's columns are NOT sorted (it used np.argpartition), so top-1 is `preds[i, argmax(probs[i])]`;
the files we write are sorted best-first, which reads the same way.
"""

from __future__ import annotations

import hashlib
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


def score(preds: np.ndarray, probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(top-1 %, top-5 %) of a checked pair against integer labels, vectorised."""
    rows = np.arange(len(preds))
    top1 = preds[rows, np.argmax(probs, axis=1)] == labels
    top5 = (preds == labels[:, None]).any(axis=1)
    return 100.0 * float(top1.mean()), 100.0 * float(top5.mean())


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
    np.save(folder / preds_name, preds)
    np.save(folder / probs_name, probs)
