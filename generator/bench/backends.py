"""One adapter per framework: import it, pin its threads, pick its device, move arrays in and out,
and say how to wait for queued device work. Only the worker process (one framework each) loads these.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from generator.bench import conditions as labels


class FrameworkUnavailable(Exception):
    """The framework is not installed, or cannot use the requested device here."""


@dataclass
class Backend:
    name: str  # numpy | tensorflow | torch
    device: str  # cpu | cuda | mps
    threads: int
    version: str
    module: Any = None
    # Waits for queued device work; None where calls are synchronous (CPU).
    sync: Callable[[], None] | None = None
    _keep: list[Any] = field(default_factory=list)  # objects whose lifetime pins a setting

    def asarray(self, array: np.ndarray) -> Any:
        if self.name == "numpy":
            return np.array(array, copy=True)
        if self.name == "torch":
            return self.module.from_numpy(np.ascontiguousarray(array)).to(self.device)
        with self.module.device(self.tf_device):
            return self.module.identity(self.module.convert_to_tensor(array))

    def to_numpy(self, value: Any) -> np.ndarray:
        if self.name == "numpy":
            return np.asarray(value)
        if self.name == "torch":
            return np.asarray(value.detach().cpu().numpy())
        return np.asarray(value.numpy())

    def conditions(self) -> dict[str, str]:
        """The math library this framework really calls and its thread pools, as set (short labels)."""
        if self.name == "numpy":
            from threadpoolctl import threadpool_info

            found = labels.numpy_conditions(threadpool_info(), labels.numpy_build_blas())
        elif self.name == "torch":
            found = labels.torch_conditions(self.module, self.device)
        else:
            found = labels.tf_conditions(self.module, self.device)
        return labels.clean(found)

    @property
    def tf_device(self) -> str:
        return "/CPU:0" if self.device == "cpu" else "/GPU:0"


def _version(*distributions: str) -> str:
    for dist in distributions:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise FrameworkUnavailable(f"{name} is not installed or does not import: {e}") from None


def load_numpy(device: str, threads: int) -> Backend:
    from threadpoolctl import threadpool_limits

    limits = threadpool_limits(limits=threads)
    # NumPy runs on the CPU only; on a GPU machine it is the CPU baseline.
    return Backend("numpy", "cpu", threads, np.__version__, np, None, [limits])


def torch_device(torch: Any, requested: str) -> str:
    cuda = bool(torch.cuda.is_available())
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if requested == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if requested == "cuda" and not cuda:
        raise FrameworkUnavailable("torch sees no CUDA device (CPU-only build or no driver)")
    if requested == "mps" and not mps:
        raise FrameworkUnavailable("torch sees no MPS device (needs Apple silicon and macOS 12.3+)")
    return requested


def load_torch(device: str, threads: int) -> Backend:
    torch = _import("torch")
    torch.set_num_threads(threads)
    # float32 means IEEE float32 everywhere: no TF32 tensor-core shortcuts on NVIDIA GPUs.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    resolved = torch_device(torch, device)
    sync: Callable[[], None] | None = None
    if resolved == "cuda":
        sync = torch.cuda.synchronize
    elif resolved == "mps":
        sync = torch.mps.synchronize
    return Backend("torch", resolved, threads, str(torch.__version__), torch, sync)


def tf_gpu_kind(tf: Any, gpu: Any) -> str:
    """'mps' for Apple's Metal PluggableDevice (tensorflow-metal), else 'cuda'."""
    if platform.system() == "Darwin":
        return "mps"  # TF has no CUDA on macOS: a GPU there is Metal
    try:
        details = tf.config.experimental.get_device_details(gpu)
    except (AttributeError, ValueError, RuntimeError):
        details = {}
    return "mps" if "METAL" in str(details.get("device_name", "")).upper() else "cuda"


def tf_device(tf: Any, requested: str) -> str:
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        if requested in ("cuda", "mps"):
            raise FrameworkUnavailable(f"tensorflow sees no GPU for --device {requested}")
        return "cpu"
    kind = tf_gpu_kind(tf, gpus[0])
    if requested == "auto":
        return kind
    if requested in ("cuda", "mps") and requested != kind:
        raise FrameworkUnavailable(f"tensorflow's GPU is a {kind} device, not {requested}")
    return requested


def tf_sync(tf: Any) -> Callable[[], None]:
    """Waits for every queued GPU op. Older TF has no such call: reading a fresh constant back does
    not wait for the device (constants live on the host), so GPU timing there would be wrong."""
    sync_devices = getattr(getattr(tf.test, "experimental", None), "sync_devices", None)
    if sync_devices is None:
        raise FrameworkUnavailable(
            f"tensorflow {tf.__version__} has no tf.test.experimental.sync_devices (TF 2.14+), "
            "so GPU timings could not wait for the device; use TF >= 2.14 or --device cpu"
        )
    return sync_devices  # type: ignore[no-any-return]


def load_tensorflow(device: str, threads: int) -> Backend:
    tf = _import("tensorflow")
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # already initialised (only in tests that load TF twice)
        pass
    resolved = tf_device(tf, device)
    tf.config.experimental.enable_tensor_float_32_execution(False)  # as for torch: real float32
    sync = tf_sync(tf) if resolved != "cpu" else None
    return Backend(
        "tensorflow",
        resolved,
        threads,
        _version("tensorflow", "tensorflow-cpu", "tensorflow-macos"),
        tf,
        sync,
    )


LOADERS: dict[str, Callable[[str, int], Backend]] = {
    "numpy": load_numpy,
    "tensorflow": load_tensorflow,
    "torch": load_torch,
}
