"""Floating-point operation counts per call, for GFLOP/s. Formulas count the arithmetic a textbook
implementation does (a multiply-add is 2 FLOPs); transcendental functions count 1, like most papers.
`FLOP_FORMULAS` is quoted by the site's methodology page; `flops()` evaluates the same formulas."""

from __future__ import annotations

from collections.abc import Mapping

ParamValue = int | float | bool | str

FLOP_FORMULAS: dict[str, str] = {
    "matmul": "2·n³ (n×n by n×n)",
    "add": "n",
    "subtract": "n",
    "multiply": "n",
    "exp": "n (one per element)",
    "tanh": "n (one per element)",
    "sum": "n",
    "mean": "n",
    "transpose_copy": "none counted (a memory-bound copy of n×n values; time only)",
    "conv2d": "2·batch·c_out·h_out·w_out·c_in·k² ('valid' padding, stride 1)",
    "mlp_grad": "3 × forward, forward = 2·batch·(d_in·hidden + hidden·classes) (matmuls only)",
    "mlp_train": "3 × forward of the MLP (forward + backward; the SGD update is not counted)",
    "cnn_train": "3 × forward of the CNN (forward + backward; the SGD update is not counted)",
    "mlp_infer": "forward = 2·batch·(d_in·hidden + hidden·classes)",
    "cnn_infer": "forward = 2·batch·(c_out·26·26·9 + c_out·13·13·classes) for 1×28×28 inputs",
    "mobilenet_v2_infer": "≈ 2 × 300 M multiply-adds per 224×224 image (published MAC count)",
}

MOBILENET_V2_MACS = 300e6  # per 224x224 image (Sandler et al. 2018, table 4)


def mlp_forward_flops(batch: int, d_in: int, hidden: int, classes: int) -> float:
    return 2.0 * batch * (d_in * hidden + hidden * classes)


def cnn_forward_flops(batch: int, channels: int, side: int, kernel: int, classes: int) -> float:
    conv_out = side - kernel + 1
    pooled = conv_out // 2
    conv = 2.0 * batch * channels * conv_out * conv_out * kernel * kernel
    dense = 2.0 * batch * channels * pooled * pooled * classes
    return conv + dense


def conv2d_flops(batch: int, c_in: int, c_out: int, side: int, kernel: int) -> float:
    out = side - kernel + 1
    return 2.0 * batch * c_out * out * out * c_in * kernel * kernel


def flops(case: str, params: Mapping[str, ParamValue]) -> float | None:
    """FLOPs per call of `case` with `params`; None when the case does no counted arithmetic."""

    def p(name: str) -> int:
        return int(params[name])

    if case == "matmul":
        return 2.0 * p("n") ** 3
    if case in ("add", "subtract", "multiply", "exp", "tanh", "sum", "mean"):
        return float(p("n"))
    if case == "conv2d":
        return conv2d_flops(p("batch"), p("c_in"), p("c_out"), p("side"), p("kernel"))
    if case in ("mlp_grad", "mlp_train"):
        return 3 * mlp_forward_flops(p("batch"), p("d_in"), p("hidden"), p("classes"))
    if case == "mlp_infer":
        return mlp_forward_flops(p("batch"), p("d_in"), p("hidden"), p("classes"))
    if case == "cnn_train":
        return 3 * cnn_forward_flops(p("batch"), p("channels"), 28, 3, p("classes"))
    if case == "cnn_infer":
        return cnn_forward_flops(p("batch"), p("channels"), 28, 3, p("classes"))
    if case == "mobilenet_v2_infer":
        return 2.0 * MOBILENET_V2_MACS * p("batch")
    return None
