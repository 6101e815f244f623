"""What a case hands the worker: a ready-to-time call plus its derived figures, and the checks that
must pass before anything is timed (a wrong result is a failed case, never a number)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from generator.bench.conditions import clean

SEED = 20261124
# Largest allowed |result - reference| / max|reference|, per dtype (or per variant for int8).
TOLERANCES = {"float64": 1e-9, "float32": 2e-4}
# int8 logits vs fp32: largest allowed RMS error / RMS of the reference. A correct static quantization
# of the small nets is at ~0.03, a miscalibrated one (activation ranges off by 100x) at ~1; the max
# error is too noisy for int8 (one outlier logit in 2560), the RMS error is not.
INT8_RMS_TOLERANCE = 0.1
TRAINING_TOLERANCE = 2e-3  # float32 parameters after a few SGD steps: rounding compounds per step


class Unsupported(Exception):
    """The framework cannot do this case here (a reason, never a made-up figure)."""


class Mismatch(Exception):
    """The framework's result differs from the NumPy reference beyond the tolerance."""


@dataclass
class Prepared:
    call: Callable[[], object]
    flops: float | None = None
    items: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    # What ran, beyond the framework's library and threads (Backend.conditions): keys "mode",
    # "runtime", "threads" (where a case uses fewer than the pool), "quantized_layers".
    conditions: dict[str, str] = field(default_factory=dict)
    # Fewer timed rounds per process than the timer's default, for calls that take seconds (model
    # zoos at batch 32 on a 2-core CPU); None: the timer's MIN_ROUNDS.
    min_rounds: int | None = None

    def __post_init__(self) -> None:
        self.conditions = clean(self.conditions)


# The execution mode of a case, per framework: eager, or compiled (training's "compiled" variant).
MODES = {
    ("numpy", False): "NumPy (eager)",
    ("torch", False): "eager",
    ("tensorflow", False): "eager",
    ("torch", True): "torch.compile (inductor)",
    ("tensorflow", True): "tf.function (graph, no XLA)",
}
SINGLE_THREAD = "1 (NumPy ufuncs, reductions and copies run on one thread)"


def mode(framework: str, compiled: bool = False) -> dict[str, str]:
    return {"mode": MODES[(framework, compiled)]}


def rng(offset: int = 0) -> np.random.Generator:
    return np.random.default_rng(SEED + offset)


def scaled_error(result: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """(max |result - reference|, that divided by max |reference|)."""
    result = np.asarray(result, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if result.shape != reference.shape:
        raise Mismatch(f"shape {result.shape} differs from the NumPy reference's {reference.shape}")
    if not np.all(np.isfinite(result)):
        raise Mismatch("result holds NaN or infinity")
    err = float(np.max(np.abs(result - reference))) if result.size else 0.0
    scale = float(np.max(np.abs(reference))) if reference.size else 0.0
    return err, err / max(scale, 1e-30)


def check_close(result: np.ndarray, reference: np.ndarray, tolerance: float, what: str = "result") -> float:
    """Raise Mismatch unless `result` matches `reference`; return the max absolute error."""
    err, rel = scaled_error(result, reference)
    if rel > tolerance:
        raise Mismatch(
            f"{what} differs from NumPy: max abs error {err:.3g} "
            f"({rel:.3g} of the largest value, tolerance {tolerance:g})"
        )
    return err


def relative_rms_error(result: np.ndarray, reference: np.ndarray) -> float:
    """RMS of (result - reference) divided by the RMS of the reference."""
    scaled_error(result, reference)  # the same shape and finiteness checks
    diff = np.asarray(result, dtype=np.float64) - np.asarray(reference, dtype=np.float64)
    return float(np.linalg.norm(diff) / max(float(np.linalg.norm(reference)), 1e-30))


def check_rms(result: np.ndarray, reference: np.ndarray, tolerance: float, what: str) -> float:
    """Raise Mismatch unless the relative RMS error is within `tolerance`; return it."""
    rel = relative_rms_error(result, reference)
    if rel > tolerance:
        raise Mismatch(
            f"{what} differs from fp32: RMS error {rel:.3g} of the RMS value (tolerance {tolerance:g})"
        )
    return rel


def top1_agreement(logits: np.ndarray, reference: np.ndarray) -> float:
    """Fraction of rows whose arg-max class equals the reference's."""
    return float(np.mean(np.argmax(logits, axis=-1) == np.argmax(reference, axis=-1)))


COMPILE_LIMIT_S = 180.0  # a graph compiler that takes longer is reported unsupported here


@contextlib.contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise Unsupported if the block runs longer than `seconds` (SIGALRM; main thread, POSIX only)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise Unsupported(f"{what} did not finish within {seconds:g} s on this machine")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
