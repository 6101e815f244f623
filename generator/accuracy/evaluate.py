"""`framebench bench accuracy`: score model zoos on an ImageNet val folder, one run file out.

Each framework runs in its own worker process (worker.py); this module plans the models, checks the
inputs before any model is built, scores the top-5 files the workers leave, and writes the run. Nothing
partial is left behind: top-5 files go into a hidden staging folder that becomes `<run_id>.top5/` only
when every model finished, and the run file is written last, atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from generator.accuracy.imagenet import ValSet, scan_val_folder
from generator.accuracy.keras_zoo import KERAS_MODELS
from generator.accuracy.top5 import check_top5, file_names, load_npy, score, sha256_file
from generator.accuracy.torch_zoo import TORCH_MODELS
from generator.accuracy.worker import USER_ERROR_EXIT, Job, ModelTiming
from generator.errors import UserError
from generator.schema.models import AccuracyResult, Run, TimingResult

Zoo = Literal["keras", "pytorch"]
SEED = 0
ZOO_MODELS: dict[Zoo, tuple[str, ...]] = {"keras": tuple(KERAS_MODELS), "pytorch": tuple(TORCH_MODELS)}


@dataclass(frozen=True)
class AccuracyOptions:
    data: Path
    frameworks: tuple[str, ...] = ("keras", "pytorch")
    models: tuple[str, ...] | None = None
    protocol: Literal["original", "standard"] = "standard"
    batch_size: int = 32
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    weights: Literal["imagenet", "none"] = "imagenet"
    limit: int | None = None
    workers: int | None = None
    out: Path | None = None
    command: str = "framebench bench accuracy"


def architecture(framework: str, model: str) -> str:
    """A name shared by the same architecture in both zoos (the torchvision name), for side-by-side
    views; a Keras model without a torchvision twin keeps its own name."""
    if framework == "keras" and model in KERAS_MODELS:
        return KERAS_MODELS[model].architecture or model
    return model


def plan_models(frameworks: tuple[str, ...], models: tuple[str, ...] | None) -> dict[Zoo, list[str]]:
    """Which models each framework evaluates; unknown names are one error listing the valid ones."""
    zoos: list[Zoo] = [z for z in ("keras", "pytorch") if z in frameworks]
    if models is None:
        return {z: list(ZOO_MODELS[z]) for z in zoos}
    unknown = [m for m in models if not any(m in ZOO_MODELS[z] for z in zoos)]
    if unknown:
        valid = "; ".join(f"{z}: {', '.join(ZOO_MODELS[z])}" for z in zoos)
        raise UserError(f"--models: unknown model(s) {', '.join(unknown)}; valid names are {valid}")
    plan = {z: [m for m in dict.fromkeys(models) if m in ZOO_MODELS[z]] for z in zoos}
    return {z: names for z, names in plan.items() if names}


def run_worker(job: Job, work_dir: Path) -> list[ModelTiming]:
    """Run one framework's job in a fresh interpreter; its user errors become ours."""
    job_path = work_dir / f"{job.framework}-job.json"
    job_path.write_text(json.dumps(asdict(job)), encoding="utf-8")
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, "-m", "generator.accuracy.worker", str(job_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode == USER_ERROR_EXIT:
        lines = [ln.removeprefix("error: ") for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
        raise UserError(lines[0] if lines else f"{job.framework} worker failed", lines=lines or None)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.splitlines()[-30:])
        raise RuntimeError(f"{job.framework} worker exited with {proc.returncode}:\n{tail}")
    raw = json.loads(Path(job.results_path).read_text(encoding="utf-8"))
    return [ModelTiming(**entry) for entry in raw]


def score_model(
    folder: Path, framework: Zoo, timing: ModelTiming, labels: np.ndarray
) -> tuple[float, float, dict[str, str]]:
    preds_name, probs_name = file_names(timing.model, framework)
    preds, probs = load_npy(folder / preds_name), load_npy(folder / probs_name)
    check_top5(preds, probs, preds_name=preds_name, probs_name=probs_name)
    top1, top5 = score(preds, probs, labels)
    files = {name: sha256_file(folder / name) for name in (preds_name, probs_name)}
    return top1, top5, files


def accuracy_results(
    options: AccuracyOptions, valset: ValSet, folder: Path, timings: dict[Zoo, list[ModelTiming]]
) -> list[TimingResult | AccuracyResult]:
    labels = np.asarray(valset.labels, dtype=np.int64)
    results: list[TimingResult | AccuracyResult] = []
    for framework, entries in timings.items():
        for t in entries:
            top1, top5, files = score_model(folder, framework, t, labels)
            results.append(
                accuracy_result(t, framework, options.protocol, options.batch_size, top1, top5, files)
            )
    return results


def accuracy_result(
    t: ModelTiming, framework: Zoo, protocol: str, batch_size: int, top1: float, top5: float,
    files: dict[str, str] | None = None,
) -> AccuracyResult:  # fmt: skip
    """One model's figures as a run-file result (percentages to 4 decimals, speeds to 3)."""
    return AccuracyResult(
        suite="accuracy",
        model=t.model,
        framework=framework,
        protocol=protocol,  # type: ignore[arg-type]
        top1=round(top1, 4),
        top5=round(top5, 4),
        images=t.images,
        weights=t.weights,
        device=t.device,  # type: ignore[arg-type]
        batch_size=batch_size,
        input_size=t.input_size,
        throughput_img_s=round(t.throughput_img_s, 3),
        latency_ms=round(t.latency_ms, 3),
        files=files or {},
    )


def run_accuracy(options: AccuracyOptions) -> Path:
    """Evaluate, write `<out>/<run_id>.json` and `<out>/<run_id>.top5/`; return the run file's path."""
    from generator.machine import fingerprint, machine_slug
    from generator.runmeta import new_header
    from generator.schema.load import write_run

    if options.workers is not None and options.workers < 0:
        raise UserError(f"--workers {options.workers}: must be 0 (load in the main process) or more")
    plan = plan_models(options.frameworks, options.models)
    if not plan:
        raise UserError("--framework: no framework selected")
    valset = scan_val_folder(
        options.data, limit=options.limit, require_imagenet=options.weights == "imagenet"
    )
    machine = fingerprint()
    header = new_header(options.command, slug=machine_slug(machine))
    out_dir = options.out if options.out is not None else Path("runs") / machine.os.tag
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{header.run_id}.top5.", dir=out_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; the published folder should read like the run file
    final = out_dir / f"{header.run_id}.top5"
    try:
        timings: dict[Zoo, list[ModelTiming]] = {}
        with tempfile.TemporaryDirectory(prefix="framebench-accuracy-") as work:
            for framework, names in plan.items():
                job = Job(
                    framework=framework,
                    models=names,
                    protocol=options.protocol,
                    batch_size=options.batch_size,
                    device=options.device,
                    weights=options.weights,
                    workers=(os.cpu_count() or 1) if options.workers is None else options.workers,
                    seed=SEED,
                    paths=[str(p) for p in valset.paths],
                    out_dir=str(staging),
                    results_path=str(Path(work) / f"{framework}-results.json"),
                )
                timings[framework] = run_worker(job, Path(work))
        results = accuracy_results(options, valset, staging, timings)
        converted = max((t.converted for entries in timings.values() for t in entries), default=0)
        run = Run(
            **header.fields(),
            kind="accuracy",
            machine=machine,
            settings={
                "protocol": options.protocol,
                "batch_size": options.batch_size,
                "device": options.device,
                "weights": options.weights,
                "classes": len(valset.classes),
                "images": len(valset.paths),
                **({"limit_per_class": options.limit} if options.limit else {}),
            },
            notes={
                "converted_to_rgb": float(converted),
                "top5_files": f"{final.name}/",
                "latency_ms": "median model forward time of one batch of batch_size images",
                "throughput_img_s": "images / wall time of data pipeline + inference, model build excluded",
                **(
                    {"weights_none": "random weights: figures test the pipeline, they are not accuracy"}
                    if options.weights == "none"
                    else {}
                ),
            },
            results=results,
        )
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        return write_run(run, out_dir)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
