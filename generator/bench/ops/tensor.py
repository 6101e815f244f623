"""Tensor ops: matmul, elementwise arithmetic and functions, reductions, transpose+copy, conv2d.

Inputs come from one seeded NumPy array per case and are copied into each framework; references
are computed by NumPy in float64, so NumPy's own float32 result is checked too."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from generator.bench.backends import Backend
from generator.bench.ops.prepared import SINGLE_THREAD, TOLERANCES, Prepared, check_close, mode, rng
from generator.bench.timer import measure
from generator.catalog.cases import WorkItem
from generator.catalog.flops import flops
from generator.catalog.protocol import QUICK_BUDGET_S

BINARY = ("matmul", "add", "subtract", "multiply")
UNARY = ("exp", "tanh", "sum", "mean", "transpose_copy")


def im2col_conv2d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """'valid' cross-correlation, NCHW × OIHW -> NCHW, as im2col (one copy) plus one GEMM."""
    c_out, c_in, k, _ = w.shape
    batch, _, side, _ = x.shape
    out = side - k + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))  # B,C,Ho,Wo,k,k
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(batch * out * out, c_in * k * k)
    result = cols @ w.reshape(c_out, c_in * k * k).T
    return np.ascontiguousarray(result.reshape(batch, out, out, c_out).transpose(0, 3, 1, 2))


def reference(case: str, *arrays: np.ndarray) -> np.ndarray:
    a = [x.astype(np.float64) for x in arrays]
    table: dict[str, Callable[[], Any]] = {
        "matmul": lambda: a[0] @ a[1],
        "add": lambda: a[0] + a[1],
        "subtract": lambda: a[0] - a[1],
        "multiply": lambda: a[0] * a[1],
        "exp": lambda: np.exp(a[0]),
        "tanh": lambda: np.tanh(a[0]),
        "sum": lambda: np.sum(a[0]),
        "mean": lambda: np.mean(a[0]),
        "transpose_copy": lambda: a[0].T.copy(),
        "conv2d": lambda: np.einsum(
            "bchwij,ocij->bohw",
            np.lib.stride_tricks.sliding_window_view(a[0], a[1].shape[2:], axis=(2, 3)),
            a[1],
        ),
    }
    return np.asarray(table[case]())


# The case's function in each framework, as an attribute path of its module: (numpy, torch, tensorflow).
OP_NAMES = {
    "matmul": ("matmul", "matmul", "linalg.matmul"),
    "add": ("add", "add", "add"),
    "subtract": ("subtract", "sub", "subtract"),
    "multiply": ("multiply", "mul", "multiply"),
    "exp": ("exp", "exp", "exp"),
    "tanh": ("tanh", "tanh", "tanh"),
    "sum": ("sum", "sum", "reduce_sum"),
    "mean": ("mean", "mean", "reduce_mean"),
}
FRAMEWORK_COLUMN = {"numpy": 0, "torch": 1, "tensorflow": 2}


def operations(backend: Backend) -> dict[str, Callable[..., Any]]:
    m = backend.module
    column = FRAMEWORK_COLUMN[backend.name]
    ops = {case: functools.reduce(getattr, names[column].split("."), m) for case, names in OP_NAMES.items()}
    if backend.name == "numpy":
        ops |= {"transpose_copy": lambda a: np.ascontiguousarray(a.T), "conv2d": im2col_conv2d}
    elif backend.name == "torch":
        ops |= {"transpose_copy": lambda a: a.t().contiguous(), "conv2d": m.nn.functional.conv2d}
    else:
        ops |= {"transpose_copy": m.transpose, "conv2d": lambda x, w: m.nn.conv2d(x, w, 1, "VALID")}
    return ops


def inputs(item: WorkItem) -> list[np.ndarray]:
    p = dict(item.params)
    gen = rng()
    dtype = np.dtype(item.dtype)
    if item.case == "conv2d":
        batch, c_in, c_out, side, k = (int(p[k]) for k in ("batch", "c_in", "c_out", "side", "kernel"))
        x = gen.standard_normal((batch, c_in, side, side)).astype(dtype)
        return [x, (gen.standard_normal((c_out, c_in, k, k)) / np.sqrt(c_in * k * k)).astype(dtype)]
    n = int(p["n"])
    if item.case in ("matmul", "transpose_copy"):
        shape: tuple[int, ...] = (n, n)
    else:
        shape = (n,)
    count = 2 if item.case in BINARY else 1
    # exp/tanh on [-1, 1): no overflow, and every element does real work.
    return [gen.uniform(-1.0, 1.0, shape).astype(dtype) for _ in range(count)]


def _transfers(backend: Backend, arrays: list[np.ndarray], result: Any) -> dict[str, float]:
    """Host→device (all inputs) and device→host (the result) copy times, apart from compute."""

    def h2d() -> object:
        return [backend.asarray(a) for a in arrays]

    def d2h() -> object:
        return backend.to_numpy(result)

    budget = QUICK_BUDGET_S / 2
    return {
        "transfer_h2d_s": measure(h2d, sync=backend.sync, budget_s=budget, warmup_s=0.05).stats.median,
        "transfer_d2h_s": measure(d2h, sync=backend.sync, budget_s=budget, warmup_s=0.05).stats.median,
    }


def prepare(item: WorkItem, backend: Backend) -> Prepared:
    arrays = inputs(item)
    expected = reference(item.case, *arrays)
    op = operations(backend)[item.case]
    if backend.name == "tensorflow" and item.case == "conv2d":
        # TF's CPU kernels take NHWC data and HWIO filters: same values, its native layout.
        arrays_fw = [arrays[0].transpose(0, 2, 3, 1), arrays[1].transpose(2, 3, 1, 0)]
        expected_fw = expected.transpose(0, 2, 3, 1)
    else:
        arrays_fw, expected_fw = arrays, expected
    tensors = [backend.asarray(a) for a in arrays_fw]
    result = op(*tensors)
    err = check_close(backend.to_numpy(result), expected_fw, TOLERANCES[item.dtype])
    metrics = {"max_abs_err": err}
    if backend.device != "cpu" and item.case == "matmul":
        metrics.update(_transfers(backend, arrays_fw, result))
    conditions = mode(backend.name)
    if backend.name == "numpy" and item.case not in ("matmul", "conv2d"):
        conditions["threads"] = SINGLE_THREAD  # only the BLAS products use NumPy's thread pool
    return Prepared(
        call=lambda: op(*tensors),
        flops=flops(item.case, dict(item.params)),
        metrics=metrics,
        conditions=conditions,
    )
