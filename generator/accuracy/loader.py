"""A framework-neutral batch loader: decode + preprocess images on a thread pool, in order.

PIL decodes and resizes with the GIL released, so threads keep both cores busy without the process
start-up and pickling of multiprocessing workers, and the same code feeds Keras and PyTorch (the
frameworks live in separate processes; neither imports the other's data stack).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.accuracy.imagenet import load_rgb
from generator.accuracy.protocols import Transform


@dataclass(frozen=True)
class Batch:
    start: int  # index of the first image in the full list
    array: np.ndarray  # (n, ...) float32
    converted: int  # images that were not RGB on disk


def _load_batch(paths: Sequence[Path], start: int, transform: Transform) -> Batch:
    arrays = []
    converted = 0
    for path in paths:
        image, was_converted = load_rgb(path)
        converted += was_converted
        arrays.append(transform(image))
    return Batch(start=start, array=np.stack(arrays), converted=converted)


def batches(paths: Sequence[Path], transform: Transform, *, batch_size: int, workers: int) -> Iterator[Batch]:
    """Yield consecutive batches in file order, keeping `workers + 1` batches in flight."""
    starts = range(0, len(paths), batch_size)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending: deque[Future[Batch]] = deque()
        for start in starts:
            pending.append(pool.submit(_load_batch, paths[start : start + batch_size], start, transform))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
