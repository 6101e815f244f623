"""One framework's evaluation, run in its own process: `python -m generator.accuracy.worker JOB.json`.

Keras and PyTorch never share a process (TensorFlow imported before torchvision segfaults, and each
framework's thread pools and allocator are measured alone). The job file says which models to run on
which images; the worker writes each model's top-5 files into the job's folder and a JSON list of
timings into `results_path`. A problem the user caused exits with code 3 and one `error:` line.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from PIL import Image

from generator.accuracy.loader import Batch
from generator.accuracy.protocols import Transform
from generator.accuracy.top5 import top5_of, write_top5
from generator.errors import UserError

USER_ERROR_EXIT = 3
DOWNLOAD_TIMEOUT_S = 15  # a weights download that cannot connect fails fast instead of hanging


class Runner(Protocol):
    @property
    def transform(self) -> Transform: ...
    @property
    def input_size(self) -> int: ...
    @property
    def device(self) -> str: ...
    @property
    def weights(self) -> str: ...

    def batches(self, paths: Sequence[Path], *, batch_size: int, workers: int) -> Iterator[Batch]: ...

    def predict(self, batch: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Job:
    framework: Literal["keras", "pytorch"]
    models: list[str]
    protocol: Literal["original", "standard"]
    batch_size: int
    device: str
    weights: str
    workers: int
    seed: int
    paths: list[str]
    out_dir: str  # top-5 files go here
    results_path: str
    mode: Literal["batched", "study"] = "batched"  # study: Keras model.predict one image at a time


@dataclass(frozen=True)
class ModelTiming:
    model: str
    device: str
    input_size: int
    weights: str
    images: int
    converted: int
    seconds: float  # data pipeline + inference, model build and warm-up excluded
    throughput_img_s: float
    latency_ms: float  # median forward time of one batch of batch_size images


def load_runner(job: Job, name: str) -> Runner:
    if job.framework == "keras":
        from generator.accuracy.keras_zoo import load_keras

        return load_keras(name, weights=job.weights, protocol=job.protocol, device=job.device, seed=job.seed)
    from generator.accuracy.torch_zoo import load_torch

    return load_torch(name, weights=job.weights, protocol=job.protocol, device=job.device, seed=job.seed)


def pad_rows(array: np.ndarray, rows: int) -> np.ndarray:
    """Pad a short last batch with zero images so the model never re-specialises on a new shape."""
    if len(array) >= rows:
        return array
    return np.concatenate([array, np.zeros((rows - len(array), *array.shape[1:]), array.dtype)])


def evaluate_model(job: Job, name: str) -> ModelTiming:
    runner = load_runner(job, name)
    paths = [Path(p) for p in job.paths]
    size = min(job.batch_size, len(paths))
    sample = runner.transform(Image.new("RGB", (runner.input_size, runner.input_size)))
    predict = runner.predict
    if job.mode == "study":
        predict = runner.predict_one_by_one  # type: ignore[attr-defined]
    predict(np.zeros((size, *sample.shape), np.float32))  # warm-up: tracing, allocation, caches
    preds, probs, forward = [], [], []
    converted = 0
    started = time.perf_counter()
    # Throughput is timed from the first batch's arrival: starting the loader's worker processes
    # is a one-off cost that would swamp a short run (50,000 images amortise it, 500 do not).
    steady_from, steady_images = 0.0, 0
    for batch in runner.batches(paths, batch_size=job.batch_size, workers=job.workers):
        tick = time.perf_counter()
        if not steady_from:
            steady_from = tick
        else:
            steady_images += len(batch.array)
        out = predict(pad_rows(batch.array, size) if job.mode == "batched" else batch.array)
        forward.append(time.perf_counter() - tick)
        top_preds, top_probs = top5_of(out[: len(batch.array)])
        preds.append(top_preds)
        probs.append(top_probs)
        converted += batch.converted
    ended = time.perf_counter()
    seconds = ended - started
    steady_s = ended - steady_from
    write_top5(Path(job.out_dir), name, job.framework, np.concatenate(preds), np.concatenate(probs))
    full = forward[:-1] if len(paths) % job.batch_size and len(forward) > 1 else forward
    return ModelTiming(
        model=name,
        device=runner.device,
        input_size=runner.input_size,
        weights=runner.weights,
        images=len(paths),
        converted=converted,
        seconds=seconds,
        throughput_img_s=steady_images / steady_s if steady_images else len(paths) / seconds,
        latency_ms=1000.0 * statistics.median(full),
    )


def run_job(job: Job) -> list[ModelTiming]:
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    timings = [evaluate_model(job, name) for name in job.models]
    Path(job.results_path).write_text(json.dumps([asdict(t) for t in timings]), encoding="utf-8")
    return timings


def main(argv: list[str]) -> int:
    raw: dict[str, Any] = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    if raw["framework"] == "keras":
        os.environ["KERAS_BACKEND"] = "tensorflow"  # Keras applications are TensorFlow models here
    try:
        run_job(Job(**raw))
    except UserError as e:
        for line in e.lines:
            print(f"error: {line}", file=sys.stderr)
        return USER_ERROR_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
