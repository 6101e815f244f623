"""`framebench ingest top5`: the 10 shared models of the 34-model study, scored and imported."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from generator.errors import UserError
from generator.ingest.top5 import ingest_top5
from generator.schema.load import load_run

SHARED = Path(__file__).parents[2] / "shared/data/cgnorthcutt-top5"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared top-5 files not found at {SHARED}")

# Acc@1 / Acc@5 (%) from the README table "Benchmark Results on ImageNet" of
# https://github.com/cgnorthcutt/benchmarking-keras-pytorch (README.md, master), for the 10 models whose
# top-5 files are in the shared folder. Keras rows are "Keras 2.2.4", PyTorch rows "PyTorch 1.0".
STUDY_TABLE = {
    ("keras", "xception"): (77.18, 93.49),
    ("keras", "resnet50"): (70.35, 89.55),
    ("keras", "mobilenet"): (69.02, 88.48),
    ("keras", "vgg16"): (65.24, 86.20),
    ("pytorch", "resnet50"): (75.06, 92.48),
    ("pytorch", "densenet121"): (74.07, 91.94),
    ("pytorch", "inception_v3"): (69.25, 88.69),
    ("pytorch", "resnet18"): (68.37, 88.56),
    ("pytorch", "squeezenet1_1"): (56.42, 79.21),
    ("pytorch", "alexnet"): (54.50, 77.64),
}


@needs_shared
def test_figures_equal_the_study_table(tmp_path: Path) -> None:
    path = ingest_top5(SHARED, out=tmp_path, command="framebench ingest top5 shared")
    run = load_run(path)
    assert run.kind == "import" and run.machine is None
    got = {(r.framework, r.model): (r.top1, r.top5) for r in run.results}  # type: ignore[union-attr]
    assert set(got) == set(STUDY_TABLE)
    for key, (top1, top5) in STUDY_TABLE.items():
        assert got[key][0] == pytest.approx(top1, abs=0.01), key
        assert got[key][1] == pytest.approx(top5, abs=0.01), key


@needs_shared
def test_provenance_and_checksums(tmp_path: Path) -> None:
    import hashlib

    run = load_run(ingest_top5(SHARED, out=tmp_path, command="c"))
    assert run.source is not None
    assert run.source.repository == "cgnorthcutt/benchmarking-keras-pytorch"
    assert run.source.commit == "74df938db0f266947abedb2ec9f741af65e2d8ed"  # as SOURCE.md states
    assert run.source.license == "MIT"
    result = next(r for r in run.results if r.model == "vgg16")
    name = "vgg16_keras_imagenet_top5preds.npy"
    expected = hashlib.sha256((SHARED / "keras_imagenet" / name).read_bytes()).hexdigest()
    assert result.files[name] == expected  # type: ignore[union-attr]
    assert {r.images for r in run.results} == {50000}  # type: ignore[union-attr]


def _fake_pair(
    folder: Path, model: str, framework: str, *, right: int, rng: np.random.Generator, rows: int = 50000
) -> None:
    """`rows` rows where the first `right` rows' top-1 is the label (i // 50)."""
    labels = np.arange(rows) // 50
    preds = (labels[:, None] + np.arange(1, 6)) % 1000
    preds[:right, 2] = labels[:right]
    probs = rng.random((rows, 5)).astype(np.float32)
    probs[:right, 2] = 2.0
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / f"{model}_{framework}_imagenet_top5preds.npy", preds.astype(np.int64))
    np.save(folder / f"{model}_{framework}_imagenet_top5probs.npy", probs)


def test_flat_folder_without_source_md(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    _fake_pair(tmp_path / "in", "mobilenetV2", "keras", right=25000, rng=rng)
    run = load_run(ingest_top5(tmp_path / "in", out=tmp_path / "out", command="c"))
    (result,) = run.results
    assert result.model == "mobilenetv2"  # type: ignore[union-attr]
    assert (result.top1, result.top5) == (50.0, 50.0)  # type: ignore[union-attr]
    assert run.source is not None and run.source.commit is None


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: np.save(d / "m_pytorch_imagenet_top5preds.npy", np.zeros((50000, 4), np.int64)), "shape"),
        (lambda d: np.save(d / "m_pytorch_imagenet_top5probs.npy", np.zeros((50000, 5), np.int64)), "dtype"),
        (lambda d: (d / "m_pytorch_imagenet_top5probs.npy").unlink(), "missing"),
        (
            lambda d: _fake_pair(d, "m", "pytorch", right=0, rng=np.random.default_rng(3), rows=100),
            "100 rows",
        ),
    ],
)
def test_bad_file_is_one_error_line_and_writes_nothing(tmp_path: Path, damage, message: str) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in"
    _fake_pair(src, "m", "pytorch", right=10, rng=np.random.default_rng(2))
    damage(src)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "ingest", "top5", str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_empty_or_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such folder"):
        ingest_top5(tmp_path / "nope", out=tmp_path / "out", command="c")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match=re.escape("no <model>_<keras|pytorch>")):
        ingest_top5(tmp_path / "empty", out=tmp_path / "out", command="c")


@needs_shared
def test_cli_prints_the_run_path_last(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "ingest", "top5", str(SHARED), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path.parent == tmp_path and json.loads(path.read_text())["kind"] == "import"
