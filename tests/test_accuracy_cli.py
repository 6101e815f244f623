"""`framebench bench accuracy` end to end through the CLI, on a synthetic ImageNet-layout folder of
real JPEGs with random-weight (`--weights none`) models of both frameworks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmarks.fixtures.synthetic_imagenet import build_val_folder, synset_ids
from generator.accuracy.evaluate import AccuracyOptions, run_accuracy
from generator.errors import UserError
from generator.schema.load import load_run

pytestmark = pytest.mark.slow
MODELS = "mobilenet,resnet18"  # one Keras, one torchvision model


def bench(*args: str, cwd: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    # A proxy that refuses at once: no test ever downloads weights, with or without internet.
    env = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9", **extra_env)
    cmd = [sys.executable, "-m", "generator", "bench", "accuracy", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def val(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_val_folder(tmp_path_factory.mktemp("imagenet") / "val", classes=10, per_class=3)


@pytest.fixture(scope="module")
def batched_run(val: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch32")
    proc = bench("--data", str(val), "--weights", "none", "--models", MODELS, "--out", str(out), cwd=out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Path(proc.stdout.strip().splitlines()[-1])


def test_run_file_has_both_frameworks_and_top5_files(batched_run: Path) -> None:
    run = load_run(batched_run)
    assert run.kind == "accuracy" and run.machine is not None
    by_model = {r.model: r for r in run.results}
    assert sorted(by_model) == ["mobilenet", "resnet18"]
    assert by_model["mobilenet"].framework == "keras" and by_model["resnet18"].framework == "pytorch"  # type: ignore[union-attr]
    assert run.notes["converted_to_rgb"] == 2.0  # the grayscale and the CMYK JPEG
    top5_dir = batched_run.with_suffix(".top5")
    labels = np.repeat(np.arange(10), 3)
    for result in by_model.values():
        assert result.images == 30 and result.weights.startswith("none")  # type: ignore[union-attr]
        assert result.throughput_img_s and result.throughput_img_s > 0  # type: ignore[union-attr]
        assert result.latency_ms and result.latency_ms > 0  # type: ignore[union-attr]
        preds = np.load(top5_dir / f"{result.model}_{result.framework}_imagenet_top5preds.npy")  # type: ignore[union-attr]
        probs = np.load(top5_dir / f"{result.model}_{result.framework}_imagenet_top5probs.npy")  # type: ignore[union-attr]
        assert preds.dtype == np.int64 and probs.dtype == np.float32 and preds.shape == probs.shape == (30, 5)
        # The recorded figures are the files' figures.
        assert result.top5 == pytest.approx(100 * (preds == labels[:, None]).any(1).mean())  # type: ignore[union-attr]
        assert result.top1 == pytest.approx(100 * (preds[:, 0] == labels).mean())  # type: ignore[union-attr]
    assert [p.name for p in batched_run.parent.iterdir() if p.name.startswith(".")] == []


def test_batch_size_1_gives_identical_top5(val: Path, batched_run: Path, tmp_path: Path) -> None:
    args = ("--data", str(val), "--weights", "none", "--models", MODELS, "--batch-size", "1")
    proc = bench(*args, "--out", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    one = Path(proc.stdout.strip().splitlines()[-1]).with_suffix(".top5")
    many = batched_run.with_suffix(".top5")
    names = sorted(p.name for p in many.iterdir() if p.name.endswith("top5preds.npy"))
    assert len(names) == 2
    for name in names:
        assert np.array_equal(np.load(one / name), np.load(many / name)), name


def test_resume_scores_only_the_missing_model_and_keeps_the_rest(
    val: Path, batched_run: Path, tmp_path: Path
) -> None:
    # A run killed after its first model: the file holds that model only (as streamed).
    out = tmp_path / "out"
    out.mkdir()
    killed = out / batched_run.name
    shutil.copytree(batched_run.with_suffix(".top5"), killed.with_suffix(".top5"))
    raw = json.loads(batched_run.read_text())
    kept = [r for r in raw["results"] if r["model"] == "mobilenet"]
    killed.write_text(json.dumps({**raw, "results": kept}))
    for path in killed.with_suffix(".top5").glob("resnet18_*"):
        path.unlink()
    # Through the API: nothing given means "as the resumed run recorded" (see AccuracyOptions).
    assert run_accuracy(_resume(val, killed)) == killed
    run = load_run(killed)
    assert [r.model for r in run.results] == ["mobilenet", "resnet18"]
    assert run.results[0].model_dump() == load_run(batched_run).results[0].model_dump()  # untouched
    assert run.results[1].top1 == load_run(batched_run).results[1].top1  # type: ignore[union-attr]
    assert (killed.with_suffix(".top5") / "resnet18_pytorch_imagenet_top5preds.npy").is_file()


def test_resume_refuses_other_options(val: Path, batched_run: Path) -> None:
    with pytest.raises(UserError, match=r"--batch-size differs from the run being resumed .* 32"):
        run_accuracy(replace(_resume(val, batched_run), batch_size=4))


def _resume(val: Path, run: Path) -> AccuracyOptions:
    return AccuracyOptions(
        data=val, frameworks=None, protocol=None, batch_size=None, device=None, weights=None, resume=run
    )


def _one_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """One `error:` line, the last one (progress and the workers' own stderr may come before it)."""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error: ")]
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert len(errors) == 1 and lines[-1] == errors[0], proc.stderr[-2000:]
    for fragment in fragments:
        assert fragment in errors[0]


def _nothing_written(out: Path) -> None:
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        (lambda root: root / "missing", ("no such folder",)),
        (lambda root: root, ("no class subfolders",)),
        (lambda root: (root / "n01440764").mkdir() or root, ("holds no images",)),
    ],
)
def test_bad_data_folder(tmp_path: Path, make, fragments: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    data = make(tmp_path / "val") if (tmp_path / "val").mkdir() is None else None
    proc = bench("--data", str(data), "--weights", "none", "--out", str(tmp_path / "out"), cwd=tmp_path)
    _one_error(proc, *fragments)
    _nothing_written(tmp_path / "out")


def test_unknown_model_lists_valid_names(val: Path, tmp_path: Path) -> None:
    proc = bench(
        "--data", str(val), "--models", "resnet18,nope", "--out", str(tmp_path / "out"), cwd=tmp_path
    )
    _one_error(proc, "unknown model(s) nope", "valid names are", "inceptionresnetv2", "squeezenet1_1")
    _nothing_written(tmp_path / "out")


def test_pretrained_weights_need_the_1000_synsets(val: Path, tmp_path: Path) -> None:
    proc = bench("--data", str(val), "--models", "resnet18", "--out", str(tmp_path / "out"), cwd=tmp_path)
    _one_error(proc, "has 10 class folders", "1000 ImageNet synset folders")
    _nothing_written(tmp_path / "out")


def test_unreadable_image_fails_and_leaves_nothing(tmp_path: Path) -> None:
    data = build_val_folder(tmp_path / "val", classes=2, per_class=2)
    (data / synset_ids(2)[1] / "ILSVRC2012_val_00000099.JPEG").write_bytes(b"\xff\xd8 truncated")
    out = tmp_path / "out"
    proc = bench(
        "--data", str(data), "--weights", "none", "--models", "resnet18", "--out", str(out), cwd=tmp_path
    )
    _one_error(proc, "ILSVRC2012_val_00000099.JPEG: cannot read image")
    _nothing_written(out)


@pytest.fixture(scope="module")
def full_synsets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("full") / "val"
    tiny = Image.new("RGB", (40, 30), (10, 20, 30))
    for synset in synset_ids(1000):
        (root / synset).mkdir(parents=True)
        tiny.save(root / synset / "ILSVRC2012_val_00000001.JPEG")
    return root


@pytest.mark.parametrize(
    ("framework", "model", "fragments"),
    [
        (
            "pytorch",
            "resnet18",
            ("ResNet18_Weights.IMAGENET1K_V1", "hub/checkpoints/resnet18-", "--weights none"),
        ),
        ("keras", "mobilenet", ("Keras ImageNet weights are not in", "keras/models", "--weights none")),
    ],
)
def test_missing_weights_name_the_cache(
    full_synsets: Path, tmp_path: Path, framework: str, model: str, fragments: tuple[str, ...]
) -> None:
    args = ("--data", str(full_synsets), "--zoo", framework, "--models", model, "--limit", "1")
    # Empty weight caches, whatever this machine has downloaded before.
    empty = {"TORCH_HOME": str(tmp_path / "torch"), "KERAS_HOME": str(tmp_path / "keras")}
    proc = bench(*args, "--out", str(tmp_path / "out"), cwd=tmp_path, **empty)
    _one_error(proc, *fragments)
    _nothing_written(tmp_path / "out")
