"""What really ran, as short labels for a result's `conditions`: the math library each framework
called (and, for OpenBLAS, the kernel set it picked for this CPU) and the thread pools as set.
Read from the loaded libraries themselves, never from what was requested."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

MAX_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def label(text: str) -> str:
    """A condition value: one line, at most MAX_CHARS characters."""
    return _CONTROL.sub(" ", text).strip()[:MAX_CHARS]


def clean(conditions: Mapping[str, str]) -> dict[str, str]:
    """Every value as a label; empty ones left out (a result's conditions are non-empty strings)."""
    labels = {key: label(value) for key, value in conditions.items()}
    return {key: value for key, value in labels.items() if value}


def _numpy_blas(info: list[dict[str, Any]]) -> dict[str, Any] | None:
    """NumPy's own BLAS among the loaded thread pools (its wheel bundles one under numpy.libs)."""
    blas = [lib for lib in info if lib.get("user_api") == "blas"]
    own = [lib for lib in blas if "numpy" in str(lib.get("filepath", ""))]
    found = own or blas
    return found[0] if found else None


def numpy_build_blas() -> str | None:
    """The BLAS NumPy was built against, from its build config (name and version), if it says."""
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except (TypeError, KeyError, AttributeError):  # NumPy < 1.26 has no dict mode
        return None
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()


def numpy_conditions(threadpool_info: list[dict[str, Any]], build_blas: str | None = None) -> dict[str, str]:
    """`threadpool_info` is threadpoolctl.threadpool_info() after the thread limit was applied;
    `build_blas` names NumPy's BLAS where threadpoolctl sees none (e.g. Apple Accelerate)."""
    lib = _numpy_blas(threadpool_info)
    if lib is None:
        library = f"{build_blas} (threads not visible)" if build_blas else "no BLAS found by threadpoolctl"
        return {"library": library, "threads": "unknown (BLAS), 1 (elementwise ufuncs)"}
    api = str(lib["internal_api"])
    name = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}.get(api, api)
    parts = [name, str(lib.get("version") or "version unknown")]
    if lib.get("architecture"):
        parts.append(f"kernel {lib['architecture']}")
    if lib.get("threading_layer"):
        parts.append(f"({lib['threading_layer']})")
    # Elementwise ufuncs and reductions never use the BLAS pool: they run on one thread.
    return {
        "library": " ".join(parts),
        "threads": f"{lib['num_threads']} (BLAS), 1 (elementwise ufuncs)",
    }


def _config_line(config: str, pattern: str) -> str | None:
    match = re.search(pattern, config)
    return match.group(1).strip() if match else None


def torch_conditions(torch: Any, device: str) -> dict[str, str]:
    config = str(torch.__config__.show())
    mkl = _config_line(config, r"Math Kernel Library Version ([\w.\-]+)")
    onednn = _config_line(config, r"MKL-DNN (v[\w.]+)") or _config_line(config, r"oneDNN (v[\w.]+)")
    blas = _config_line(config, r"BLAS_INFO=(\w+)")
    capability = _config_line(config, r"CPU capability usage: (\w+)")
    parts = []
    if mkl:
        parts.append(f"MKL {mkl}")
    elif blas:
        parts.append(f"BLAS {blas}")
    if onednn and bool(torch.backends.mkldnn.is_available()):
        parts.append(f"oneDNN {onednn}")
    if capability:
        parts.append(f"ATen {capability}")
    if device == "cuda":
        parts.append(f"CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}")
    elif device == "mps":
        parts.append("Metal Performance Shaders")
    return {
        "library": ", ".join(parts) or "unknown",
        "threads": f"{torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op",
    }


def tf_onednn_enabled() -> bool | None:
    """Whether TF's oneDNN custom operations are on (TF_ENABLE_ONEDNN_OPTS or TF's CPU default)."""
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return None
    return bool(_pywrap_util_port.IsMklEnabled())


def tf_conditions(tf: Any, device: str) -> dict[str, str]:
    onednn = tf_onednn_enabled()
    env = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    source = f"TF_ENABLE_ONEDNN_OPTS={env}" if env is not None else "TF default for this CPU"
    if onednn is None:
        library = "Eigen or oneDNN (TF does not say)"
    elif onednn:
        library = f"oneDNN custom ops on ({source})"
    else:
        library = f"Eigen (oneDNN custom ops off: {source})"
    if device != "cpu":
        build = dict(tf.sysconfig.get_build_info())
        if build.get("is_cuda_build"):
            library += f"; CUDA {build.get('cuda_version')}, cuDNN {build.get('cudnn_version')}"
        else:
            library += "; GPU via a PluggableDevice (Metal)"
    threading = tf.config.threading

    def pool(size: int) -> str:
        return str(size) if size else "TF default (all cores)"  # 0 means TF chooses

    return {
        "library": library,
        "threads": (
            f"{pool(threading.get_intra_op_parallelism_threads())} intra-op, "
            f"{pool(threading.get_inter_op_parallelism_threads())} inter-op"
        ),
    }
