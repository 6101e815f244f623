"""`framebench ingest top5`: the 34 models of the study, scored, compared with its printed table, paired."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from generator.catalog.study import reproduction
from generator.errors import UserError
from generator.ingest.top5 import ingest_top5
from generator.schema.load import load_run
from generator.schema.models import AccuracyResult
from generator.stats.accuracy import paired_from_notes

SHARED = Path(__file__).parents[2] / "shared/data/cgnorthcutt-top5"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared top-5 files not found at {SHARED}")


@needs_shared
def test_all_34_models_equal_the_printed_table_but_resnet152(tmp_path: Path) -> None:
    path = ingest_top5(SHARED, out=tmp_path, command="framebench ingest top5 shared")
    run = load_run(path)
    assert run.kind == "import" and run.machine is None
    accuracy = [r for r in run.results if isinstance(r, AccuracyResult)]
    assert Counter(r.framework for r in accuracy) == {"keras": 13, "pytorch": 21}
    rows = reproduction(accuracy)
    assert len(rows) == 34 and all(r.recomputed_top1 is not None for r in rows)
    differing = {(r.framework, r.model): (r.diff_top1, r.diff_top5) for r in rows if not r.equal}
    # Upstream replaced the resnet152 files after printing the table; the data says so.
    assert differing == {("pytorch", "resnet152"): (-0.01, 0.01)}
    (resnet152,) = [r for r in rows if r.model == "resnet152"]
    assert "8734e0a" in resnet152.note and all(not r.note for r in rows if r.equal)


@needs_shared
def test_paired_keras_vs_pytorch_counts_add_up_and_match_each_side(tmp_path: Path) -> None:
    run = load_run(ingest_top5(SHARED, out=tmp_path, command="c"))
    paired = paired_from_notes(run.notes)
    both = ("densenet121", "densenet169", "densenet201", "inception_v3", "resnet50", "vgg16", "vgg19")
    assert set(paired) == {(arch, k) for arch in both for k in ("top1", "top5")}
    top = {(r.framework, r.model): r for r in run.results if isinstance(r, AccuracyResult)}
    for (arch, k), result in paired.items():
        keras_name = "inceptionv3" if arch == "inception_v3" else arch
        assert result.keras_percent == pytest.approx(getattr(top["keras", keras_name], k), abs=1e-9)
        assert result.pytorch_percent == pytest.approx(getattr(top["pytorch", arch], k), abs=1e-9)
        assert 50 < result.agreement_percent < 100 and result.counts.images == 50000
    # The study's headline: resnets are better in PyTorch, inception in Keras, both far beyond chance.
    assert paired["resnet50", "top1"].difference > 0 and paired["resnet50", "top1"].significant
    assert paired["inception_v3", "top1"].difference < 0 and paired["inception_v3", "top1"].significant


def test_paired_counts_of_fake_models_are_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    _fake_pair(tmp_path / "in", "resnet50", "keras", right=30000, rng=rng)
    _fake_pair(tmp_path / "in", "resnet50", "pytorch", right=30010, rng=rng)
    run = load_run(ingest_top5(tmp_path / "in", out=tmp_path / "out", command="c"))
    result = paired_from_notes(run.notes)["resnet50", "top1"]
    assert (result.counts.both_right, result.counts.keras_only, result.counts.pytorch_only) == (30000, 0, 10)
    assert result.test.method == "exact binomial" and result.test.p_value == pytest.approx(2 / 2**10)


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
