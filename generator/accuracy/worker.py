"""One framework's evaluation, run in its own process: `python -m generator.accuracy.worker JOB.json`.

Keras and PyTorch never share a process (TensorFlow imported before torchvision segfaults, and each
framework's thread pools and allocator are measured alone). The job file says which models to run on
which images. Protocol (JSON lines on stdout, as generator/bench/worker.py): `{"type": "start",
"model": M}` before a model, and after it, once its top-5 files are in the job's folder, `{"type":
"result", "timing": {...ModelTiming}}`; a problem the user caused is `{"type": "error", "lines":
[...]}` and exit code 3. Everything else the process prints (framework logs) goes to stderr, which
the parent passes through as it comes.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Literal, Protocol

import numpy as np
from PIL import Image

from generator.accuracy.loader import Batch
from generator.accuracy.protocols import Transform
from generator.errors import UserError
from generator.schema.top5 import top5_of, write_top5

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


Emit = Callable[[dict[str, Any]], None]


def run_job(job: Job, emit: Emit) -> list[ModelTiming]:
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    timings = []
    for name in job.models:
        emit({"type": "start", "model": name})
        timing = evaluate_model(job, name)
        emit({"type": "result", "timing": asdict(timing)})
        timings.append(timing)
    return timings


def serve(raw: dict[str, Any], protocol: IO[str]) -> int:
    def emit(message: dict[str, Any]) -> None:
        protocol.write(json.dumps(message, allow_nan=False) + "\n")
        protocol.flush()

    try:
        run_job(Job(**raw), emit)
    except UserError as e:
        emit({"type": "error", "lines": e.lines})
        return USER_ERROR_EXIT
    return 0


def main(argv: list[str]) -> int:
    raw: dict[str, Any] = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    if raw["framework"] == "keras":
        os.environ["KERAS_BACKEND"] = "tensorflow"  # Keras applications are TensorFlow models here
    # Keep the real stdout for the protocol; send every other print (Python or C) to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return serve(raw, protocol)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
