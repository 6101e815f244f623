"""`make bench-accuracy`: how much faster our batched pipeline is than the study's batch-1 Keras loop.

The 34-model study ran Keras `model.predict` on one image at a time "for reproducibility" (5-10 hours
for 50,000 images). On a synthetic ImageNet-layout folder and random-weight models (no downloads) this
measures, in separate worker processes: Keras the study's way (sequential decode, `predict` per
image) against our batched, threaded pipeline; and PyTorch at batch size 1 against batched. It checks
that both ways give identical top-5 predictions and writes one run file recording the ratios.

    python -m benchmarks.batched_speedup [--classes 10] [--per-class 10] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.fixtures.synthetic_imagenet import build_val_folder
from generator.accuracy.evaluate import SEED, accuracy_result, run_worker, score_model
from generator.accuracy.imagenet import scan_val_folder
from generator.accuracy.worker import Job, ModelTiming
from generator.catalog.names import DEVICES, ZOOS, Zoo
from generator.errors import UserError
from generator.schema.models import AccuracyResult, Run, TimingResult
from generator.schema.top5 import file_names, load_npy

MODELS: dict[Zoo, str] = {"keras": "mobilenet", "pytorch": "mobilenet_v2"}
BATCH = 32


def _job(framework: Zoo, paths: list[str], out_dir: Path, *, batched: bool, device: str) -> Job:
    tag = "batched" if batched else "batch1"
    return Job(
        framework=framework,
        models=[MODELS[framework]],
        protocol="original",
        batch_size=BATCH if batched else 1,
        device=device,
        weights="none",
        workers=(os.cpu_count() or 1) if batched else 1,
        seed=SEED,
        paths=paths,
        out_dir=str(out_dir / tag),
        # Keras batch 1 is the study's loop (model.predict per image); PyTorch batch 1 the plain loop.
        mode="study" if framework == "keras" and not batched else "batched",
    )


def _same_top5(framework: Zoo, a: Path, b: Path) -> bool:
    preds_name, _probs_name = file_names(MODELS[framework], framework)
    return bool(np.array_equal(load_npy(a / preds_name), load_npy(b / preds_name)))


def measure(
    classes: int,
    per_class: int,
    out: Path,
    command: str,
    *,
    frameworks: tuple[Zoo, ...] = ("keras", "pytorch"),
    device: str = "cpu",
) -> Path:
    from generator.machine.detect import fingerprint, machine_slug
    from generator.runmeta import new_header
    from generator.schema.load import write_run

    machine = fingerprint()
    header = new_header(command, slug=machine_slug(machine))
    results: list[TimingResult | AccuracyResult] = []
    notes: dict[str, str | float] = {
        "purpose": "speed-up of batched evaluation over batch size 1 on synthetic images; random "
        "weights, so top1/top5 are not accuracy",
    }
    with tempfile.TemporaryDirectory(prefix="framebench-speedup-") as tmp:
        work = Path(tmp)
        valset = scan_val_folder(build_val_folder(work / "val", classes=classes, per_class=per_class))
        paths = [str(p) for p in valset.paths]
        labels = np.asarray(valset.labels, dtype=np.int64)
        for framework in frameworks:
            timings: dict[str, ModelTiming] = {}
            for batched in (False, True):
                job = _job(framework, paths, work / "top5", batched=batched, device=device)
                got: list[ModelTiming] = []
                run_worker(job, work, on_start=lambda _model: None, on_result=got.append)
                t = timings["batched" if batched else "batch1"] = got[0]
                top1, top5, _files = score_model(Path(job.out_dir), framework, t, labels)
                results.append(accuracy_result(t, framework, "original", job.batch_size, top1, top5))
            ratio = timings["batched"].throughput_img_s / timings["batch1"].throughput_img_s
            way = "keras_predict_batch1" if framework == "keras" else "batch1"
            notes[f"{framework}_speedup_batched_vs_{way}"] = round(ratio, 3)
            same = _same_top5(framework, work / "top5" / "batch1", work / "top5" / "batched")
            notes[f"{framework}_top5_identical_batched_vs_batch1"] = "yes" if same else "NO"
            print(
                f"{framework} {MODELS[framework]}: batch 1 {timings['batch1'].throughput_img_s:.1f} img/s, "
                f"batch {BATCH} {timings['batched'].throughput_img_s:.1f} img/s, speed-up {ratio:.2f}x, "
                f"top-5 identical: {same}"
            )
    run = Run(
        **header.fields(),
        kind="accuracy",
        machine=machine,
        settings={
            "classes": classes,
            "images": classes * per_class,
            "batch_size": BATCH,
            "weights": "none",
            "device": device,
        },
        notes=notes,
        results=results,
    )
    return write_run(run, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batched_speedup", description=__doc__)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--out", type=Path, default=None, help="default: runs/<os-tag>/")
    parser.add_argument("--zoo", choices=(*ZOOS, "all"), default="all")
    parser.add_argument("--device", choices=DEVICES, default="cpu")
    args = parser.parse_args(argv)
    if args.classes < 1 or args.per_class < 1:
        parser.error("--classes and --per-class must be at least 1")
    command = "python -m benchmarks.batched_speedup " + " ".join(argv if argv is not None else sys.argv[1:])
    try:
        if args.out is None:
            from generator.machine.detect import operating_system

            args.out = Path("runs") / operating_system().tag
        frameworks: tuple[Zoo, ...] = ZOOS if args.zoo == "all" else (args.zoo,)
        print(
            measure(
                args.classes,
                args.per_class,
                args.out,
                command.strip(),
                frameworks=frameworks,
                device=args.device,
            )
        )
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
