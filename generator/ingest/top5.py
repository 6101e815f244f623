"""`framebench ingest top5 DIR`: import the 34-model study's precomputed top-5 files as one run.

The study (cgnorthcutt/benchmarking-keras-pytorch) saved, per model, the top-5 class indices and
probabilities of all 50,000 ILSVRC2012 val images in sorted-synset order, 50 per class, so the label
of row i is i // 50. DIR is the study's layout (keras_imagenet/, pytorch_imagenet/) or one flat folder.
A SOURCE.md in DIR, when present, gives the upstream commit for the run's provenance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.catalog.zoo_models import architecture
from generator.errors import UserError
from generator.runmeta import new_header
from generator.schema.load import write_run
from generator.schema.models import AccuracyResult, Run, Source, TimingResult
from generator.schema.top5 import (
    PREDS_SUFFIX,
    PerImage,
    check_top5,
    file_names,
    load_npy,
    per_image,
    sha256_file,
)
from generator.stats import accuracy as significance

REPOSITORY = "cgnorthcutt/benchmarking-keras-pytorch"
URL = f"https://github.com/{REPOSITORY}"
CITATION = "Curtis G. Northcutt, Reproducible Benchmarking of Keras and PyTorch Models (2019), MIT License"
IMAGES = 50_000
PER_CLASS = 50
# The study's stacks (its README table: "Keras 2.2.4", "PyTorch 1.0" with torchvision's V1 weights).
STUDY_WEIGHTS = {
    "keras": "keras 2.2.4 applications imagenet",
    "pytorch": "torchvision (PyTorch 1.0) IMAGENET1K_V1",
}
_PREDS_FILE = re.compile(
    r"^(?P<model>[A-Za-z0-9_.\-]+)_(?P<framework>keras|pytorch)" + re.escape(PREDS_SUFFIX) + "$"
)
_COMMIT = re.compile(r"\bcommit\s+`?([0-9a-f]{7,40})`?", re.IGNORECASE)


def find_top5_files(root: Path) -> list[tuple[str, str, Path]]:
    """(model as in the file name, framework, preds path) of every preds file, sorted."""
    if not root.is_dir():
        raise UserError(f"{root}: no such folder")
    found: dict[tuple[str, str], Path] = {}
    for folder in (root, root / "keras_imagenet", root / "pytorch_imagenet"):
        for path in sorted(folder.glob(f"*{PREDS_SUFFIX}")) if folder.is_dir() else []:
            match = _PREDS_FILE.match(path.name)
            if not match:
                continue
            key = (match["model"], match["framework"])
            if key in found:
                raise UserError(f"{path}: {key[0]} ({key[1]}) also found as {found[key]}")
            found[key] = path
    if not found:
        raise UserError(
            f"{root}: no <model>_<keras|pytorch>{PREDS_SUFFIX} files"
            " here or in keras_imagenet/, pytorch_imagenet/"
        )
    return sorted((model, framework, path) for (model, framework), path in found.items())


def source_commit(root: Path) -> str | None:
    """The upstream commit named in DIR/SOURCE.md (the first `commit <hash>`), if any."""
    source = root / "SOURCE.md"
    if not source.is_file():
        return None
    match = _COMMIT.search(source.read_text(encoding="utf-8", errors="replace"))
    return match.group(1).lower() if match else None


@dataclass(frozen=True)
class Imported:
    result: AccuracyResult
    images: PerImage


def import_model(model: str, framework: str, preds_path: Path, labels: np.ndarray) -> Imported:
    preds_name, probs_name = file_names(model, framework)
    probs_path = preds_path.with_name(probs_name)
    if not probs_path.is_file():
        raise UserError(f"{probs_path}: missing (needed beside {preds_path.name})")
    preds, probs = load_npy(preds_path), load_npy(probs_path)
    check_top5(preds, probs, preds_name=str(preds_path), probs_name=str(probs_path))
    if len(preds) != IMAGES:
        raise UserError(f"{preds_path}: {len(preds)} rows, expected {IMAGES} (the ILSVRC2012 val set)")
    images = per_image(preds, probs.astype(np.float32), labels)
    top1, top5 = images.percents
    result = AccuracyResult(
        suite="accuracy",
        # Lower case, as our registries name them (the study's "mobilenetV2" is our "mobilenetv2").
        model=model.lower(),
        framework=framework,  # type: ignore[arg-type]
        protocol="original",
        top1=round(top1, 4),
        top5=round(top5, 4),
        images=IMAGES,
        weights=STUDY_WEIGHTS[framework],
        files={preds_name: sha256_file(preds_path), probs_name: sha256_file(probs_path)},
    )
    return Imported(result, images)


def paired_notes(imported: list[Imported]) -> dict[str, str]:
    """McNemar counts, top-1 and top-5, for every architecture both zoos have (same images, row by row)."""
    by_key = {(i.result.framework, architecture(i.result.framework, i.result.model)): i for i in imported}
    notes: dict[str, str] = {}
    for (framework, arch), keras in sorted(by_key.items()):
        torch = by_key.get(("pytorch", arch))
        if framework != "keras" or torch is None:
            continue
        same = keras.images.top1_class == torch.images.top1_class
        for k in ("top1", "top5"):
            right = (getattr(keras.images, f"{k}_right"), getattr(torch.images, f"{k}_right"))
            notes |= significance.paired_note(arch, k, significance.paired_counts(*right, same))
    return notes


def ingest_top5(dir: Path, *, out: Path, command: str) -> Path:
    """Score every model's top-5 files under `dir`; write one import run into `out`; return its path."""
    labels = np.arange(IMAGES, dtype=np.int64) // PER_CLASS
    imported = [
        import_model(model, framework, path, labels) for model, framework, path in find_top5_files(dir)
    ]
    results: list[TimingResult | AccuracyResult] = [i.result for i in imported]
    commit = source_commit(dir)
    header = new_header(command, slug="import-benchmarking-keras-pytorch")
    run = Run(
        **header.fields(),
        kind="import",
        source=Source(
            repository=REPOSITORY,
            commit=commit,
            url=f"{URL}/tree/{commit}" if commit else URL,
            license="MIT",
            citation=CITATION,
        ),
        settings={"protocol": "original", "images": IMAGES, "labels": "row // 50 (sorted synsets)"},
        notes={
            "top1": "preds[i, argmax(probs[i])] == i // 50; the study's columns are not sorted",
            "models": float(len(results)),
            "paired": "paired.ARCHITECTURE.top1 and .top5: Keras vs PyTorch on the same 50,000 images "
            "(keras_only / pytorch_only are McNemar's discordant pairs; same_top1: both predict the same "
            "class); generator.stats.accuracy.paired_from_notes reads them",
            **paired_notes(imported),
        },
        results=results,
    )
    return write_run(run, out)
