"""`framebench bench accuracy`: score model zoos on an ImageNet val folder, one run file out.

Each framework runs in its own worker process (worker.py); this module plans the models, checks the
inputs before any model is built, and scores each model's top-5 files as soon as its worker reports
it. The run file is rewritten atomically after every model (runfile.py), so it is valid at every
moment: a killed run keeps every finished model and `--resume FILE` evaluates only the rest. A run
that finished no model is removed again. Workers' stderr is passed through as it comes; progress
(generator/progress.py) goes to stderr too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from generator.accuracy.imagenet import ValSet, scan_val_folder
from generator.accuracy.runfile import AccuracyRunFile, check_same, load_resumed, recorded
from generator.accuracy.worker import USER_ERROR_EXIT, Job, ModelTiming
from generator.catalog.names import ZOOS, Zoo
from generator.catalog.zoo_models import KERAS_MODELS, TORCH_MODELS
from generator.errors import UserError
from generator.progress import Progress
from generator.schema.models import AccuracyResult, Run
from generator.schema.top5 import check_top5, file_names, load_npy, score, sha256_file

SEED = 0
ZOO_MODELS: dict[Zoo, tuple[str, ...]] = {"keras": tuple(KERAS_MODELS), "pytorch": tuple(TORCH_MODELS)}
DEFAULTS = {"protocol": "standard", "batch_size": 32, "device": "auto", "weights": "imagenet"}


@dataclass(frozen=True)
class AccuracyOptions:
    """What the user asked for. With `resume`, None means "as the resumed run recorded"."""

    data: Path
    frameworks: tuple[str, ...] | None = ZOOS
    models: tuple[str, ...] | None = None
    protocol: Literal["original", "standard"] | None = "standard"
    batch_size: int | None = 32
    device: Literal["auto", "cpu", "cuda", "mps"] | None = "auto"
    weights: Literal["imagenet", "none"] | None = "imagenet"
    limit: int | None = None
    workers: int | None = None
    out: Path | None = None
    command: str = "framebench bench accuracy"
    resume: Path | None = None


@dataclass(frozen=True)
class Settings:
    """The options a run is made with (recorded in its settings, and taken back on --resume)."""

    frameworks: tuple[str, ...]
    models: tuple[str, ...] | None
    protocol: Literal["original", "standard"]
    batch_size: int
    device: Literal["auto", "cpu", "cuda", "mps"]
    weights: Literal["imagenet", "none"]
    limit: int | None


def plan_models(frameworks: tuple[str, ...], models: tuple[str, ...] | None) -> dict[Zoo, list[str]]:
    """Which models each framework evaluates; unknown names are one error listing the valid ones."""
    zoos: list[Zoo] = [z for z in ZOOS if z in frameworks]
    if models is None:
        return {z: list(ZOO_MODELS[z]) for z in zoos}
    unknown = [m for m in models if not any(m in ZOO_MODELS[z] for z in zoos)]
    if unknown:
        valid = "; ".join(f"{z}: {', '.join(ZOO_MODELS[z])}" for z in zoos)
        raise UserError(f"--models: unknown model(s) {', '.join(unknown)}; valid names are {valid}")
    plan = {z: [m for m in dict.fromkeys(models) if m in ZOO_MODELS[z]] for z in zoos}
    return {z: names for z, names in plan.items() if names}


OnResult = Callable[[ModelTiming], None]
OnStart = Callable[[str], None]


def _read_messages(proc: subprocess.Popen[str], on_start: OnStart, on_result: OnResult) -> list[str]:
    """Hand each message to its callback as it arrives; the error lines of a user error, if any."""
    assert proc.stdout is not None
    errors: list[str] = []
    for line in proc.stdout:
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue  # not ours; the protocol lines are all JSON
        if message.get("type") == "start":
            on_start(str(message["model"]))
        elif message.get("type") == "result":
            on_result(ModelTiming(**message["timing"]))
        elif message.get("type") == "error":
            errors = [str(line) for line in message.get("lines", [])]
    return errors


def run_worker(job: Job, work_dir: Path, *, on_start: OnStart, on_result: OnResult) -> None:
    """Run one framework's job in a fresh interpreter, reporting each model as it finishes; its
    stderr is ours (passed through as it comes); its user errors become ours."""
    job_path = work_dir / f"{job.framework}-job.json"
    job_path.write_text(json.dumps(asdict(job)), encoding="utf-8")
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    with subprocess.Popen(
        [sys.executable, "-m", "generator.accuracy.worker", str(job_path)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            errors = _read_messages(proc, on_start, on_result)
        except BaseException:
            proc.kill()
            raise
        code = proc.wait()
    if code == USER_ERROR_EXIT:
        raise UserError(errors[0] if errors else f"{job.framework} worker failed", lines=errors or None)
    if code != 0:
        raise RuntimeError(f"{job.framework} worker exited with status {code} (its messages are above)")


def score_model(
    folder: Path, framework: Zoo, timing: ModelTiming, labels: np.ndarray
) -> tuple[float, float, dict[str, str]]:
    preds_name, probs_name = file_names(timing.model, framework)
    preds, probs = load_npy(folder / preds_name), load_npy(folder / probs_name)
    check_top5(preds, probs, preds_name=preds_name, probs_name=probs_name)
    top1, top5 = score(preds, probs, labels)
    files = {name: sha256_file(folder / name) for name in (preds_name, probs_name)}
    return top1, top5, files


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


def _settings(options: AccuracyOptions, resumed: Run | None) -> Settings:
    """The options this run is made with: defaults for a new run, the recorded ones when resuming."""
    given: dict[str, object] = {
        "protocol": options.protocol,
        "batch_size": options.batch_size,
        "device": options.device,
        "weights": options.weights,
        "frameworks": options.frameworks,
        "models": options.models,
    }
    if resumed is not None:
        check_same(resumed, given)
        given = {name: recorded(resumed, name) or value for name, value in given.items()}
    chosen = {name: value if value is not None else DEFAULTS.get(name) for name, value in given.items()}
    limit = resumed.settings.get("limit_per_class") if resumed is not None else options.limit
    return Settings(
        frameworks=tuple(chosen["frameworks"] or ZOOS),  # type: ignore[arg-type]
        models=chosen["models"],  # type: ignore[arg-type]
        protocol=chosen["protocol"],  # type: ignore[arg-type]
        batch_size=int(chosen["batch_size"]),  # type: ignore[call-overload]
        device=chosen["device"],  # type: ignore[arg-type]
        weights=chosen["weights"],  # type: ignore[arg-type]
        limit=int(limit) if isinstance(limit, int) else None,
    )


def _new_run(options: AccuracyOptions, settings: Settings, valset: ValSet) -> AccuracyRunFile:
    from generator.machine.detect import fingerprint, machine_slug
    from generator.runmeta import new_header

    machine = fingerprint()
    header = new_header(options.command, slug=machine_slug(machine))
    out_dir = options.out if options.out is not None else Path("runs") / machine.os.tag
    run = Run(
        **header.fields(),
        kind="accuracy",
        machine=machine,
        settings={
            "protocol": settings.protocol,
            "batch_size": settings.batch_size,
            "device": settings.device,
            "weights": settings.weights,
            "frameworks": ",".join(settings.frameworks),
            **({"models": ",".join(settings.models)} if settings.models else {}),
            "classes": len(valset.classes),
            "images": len(valset.paths),
            **({"limit_per_class": settings.limit} if settings.limit else {}),
        },
        notes={
            "top5_files": f"{header.run_id}.top5/",
            "latency_ms": "median model forward time of one batch of batch_size images",
            "throughput_img_s": "images / wall time of data pipeline + inference, model build excluded",
            **(
                {"weights_none": "random weights: figures test the pipeline, they are not accuracy"}
                if settings.weights == "none"
                else {}
            ),
        },
        results=[],
    )
    return AccuracyRunFile(run, out_dir / f"{header.run_id}.json", fresh=True)


def _check_same_images(run: Run, valset: ValSet) -> None:
    if run.settings.get("images") != len(valset.paths):
        raise UserError(
            f"--resume: the run scored {run.settings.get('images')} images, --data holds "
            f"{len(valset.paths)} (with its --limit): resume with the same --data"
        )


def _show(progress: Progress, framework: str) -> OnStart:
    return lambda model: progress.current(f"{framework}: {model}")


def _evaluate(run_file: AccuracyRunFile, settings: Settings, valset: ValSet, workers: int | None) -> None:
    """Run the models the run file does not hold yet, each framework in its own worker."""
    plan = plan_models(settings.frameworks, settings.models)
    done = run_file.done()
    todo = {fw: [m for m in names if (fw, m) not in done] for fw, names in plan.items()}
    labels = np.asarray(valset.labels, dtype=np.int64)
    converted = float(run_file.run.notes.get("converted_to_rgb", 0.0))
    with (
        tempfile.TemporaryDirectory(prefix="framebench-accuracy-") as work,
        Progress(sum(map(len, todo.values())), label="bench accuracy") as progress,
    ):
        for framework, names in todo.items():
            if not names:
                continue
            progress.framework(framework, len(names))

            def finished(t: ModelTiming, framework: Zoo = framework) -> None:
                nonlocal converted
                top1, top5, files = score_model(run_file.top5_dir, framework, t, labels)
                run_file.add(
                    accuracy_result(t, framework, settings.protocol, settings.batch_size, top1, top5, files)
                )
                converted = max(converted, float(t.converted))
                run_file.note("converted_to_rgb", converted)
                progress.advance()

            job = Job(
                framework=framework,
                models=names,
                protocol=settings.protocol,
                batch_size=settings.batch_size,
                device=settings.device,
                weights=settings.weights,
                workers=(os.cpu_count() or 1) if workers is None else workers,
                seed=SEED,
                paths=[str(p) for p in valset.paths],
                out_dir=str(run_file.top5_dir),
            )
            run_worker(job, Path(work), on_start=_show(progress, framework), on_result=finished)


def run_accuracy(options: AccuracyOptions) -> Path:
    """Evaluate into `<out>/<run_id>.json` and `<out>/<run_id>.top5/` (or continue `options.resume`);
    return the run file's path."""
    if options.workers is not None and options.workers < 0:
        raise UserError(f"--workers {options.workers}: must be 0 (load in the main process) or more")
    resumed = load_resumed(options.resume) if options.resume is not None else None
    settings = _settings(options, resumed.run if resumed else None)
    if not plan_models(settings.frameworks, settings.models):
        raise UserError("--framework: no framework selected")
    valset = scan_val_folder(
        options.data, limit=settings.limit, require_imagenet=settings.weights == "imagenet"
    )
    if resumed is not None:
        _check_same_images(resumed.run, valset)
        run_file = AccuracyRunFile(resumed.run, resumed.path, fresh=False)
    else:
        run_file = _new_run(options, settings, valset)
    try:
        _evaluate(run_file, settings, valset, options.workers)
    except BaseException as e:
        if run_file.discard_if_empty() or not isinstance(e, (UserError, RuntimeError)):
            raise
        more = f"finished models are kept in {run_file.path}; continue with --resume {run_file.path}"
        if isinstance(e, UserError):
            raise UserError(f"{e}; {more}", lines=[*e.lines[:-1], f"{e.lines[-1]}; {more}"]) from None
        raise RuntimeError(f"{e}; {more}") from e
    return run_file.path
