"""Floating-point operation counts per call, for GFLOP/s. Formulas count the arithmetic a textbook
implementation does (a multiply-add is 2 FLOPs); transcendental functions count 1, like most papers.
Networks count their matrix products and convolutions only (biases, ReLU, pooling, softmax and the
SGD update are a small rest, and counted by no framework's FLOP counter either).

A backward pass computes, per layer, the weight gradient (one multiply-add per forward one) and the
gradient with respect to the layer's input (as many again), except for the first layer: nothing
needs the gradient of the data, and neither the NumPy reference nor torch autograd nor TF computes
it. So forward + backward = 2 × forward + the forward of every layer but the first, not 3 × forward.
`FLOP_FORMULAS` is quoted by the site's methodology page; `flops()` evaluates the same formulas;
tests/test_flops.py checks both against torch's own FLOP counter on the real models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.catalog import zoo_cases

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
    "mlp_grad": "2·batch·(2·d_in·hidden + 3·hidden·classes): forward 2·batch·(d_in·hidden + "
    "hidden·classes), both weight gradients as much again, and the hidden layer's input gradient "
    "2·batch·hidden·classes; the data's gradient is not computed (matmuls only)",
    "mlp_train": "2·batch·(2·d_in·hidden + 3·hidden·classes), as mlp_grad (the SGD update is not counted)",
    "cnn_train": "2·batch·(2·c_out·26·26·9 + 3·c_out·13·13·classes) for 1×28×28 inputs: forward, the "
    "convolution's and the dense layer's weight gradients and the dense layer's input gradient; the "
    "image's gradient is not computed (the SGD update is not counted)",
    "mlp_infer": "forward = 2·batch·(d_in·hidden + hidden·classes); int8-static: the same count, as "
    "int8 operations",
    "cnn_infer": "forward = 2·batch·(c_out·26·26·9 + c_out·13·13·classes) for 1×28×28 inputs; "
    "int8-static: the same count, as int8 operations",
    "mobilenet_v2_infer": "2 × 300 M multiply-adds per 224×224 image (published MAC count; torch's "
    "counter finds 601.5 M FLOPs in torchvision's model)",
}

# The model-zoo cases count on the model itself (ops/zoo.py), so flops() has no formula for them.
FLOP_FORMULAS |= {spec.name: zoo_cases.FLOP_FORMULA for spec in zoo_cases.CASE_SPECS}

MOBILENET_V2_MACS = 300e6  # per 224x224 image (Sandler et al. 2018, table 4)


def mlp_layer_macs(batch: int, d_in: int, hidden: int, classes: int) -> list[float]:
    """Multiply-adds of each layer's forward pass, first layer first."""
    return [float(batch * d_in * hidden), float(batch * hidden * classes)]


def cnn_layer_macs(batch: int, channels: int, side: int, kernel: int, classes: int) -> list[float]:
    conv_out = side - kernel + 1
    pooled = conv_out // 2
    conv = float(batch * channels * conv_out * conv_out * kernel * kernel)  # one input channel
    return [conv, float(batch * channels * pooled * pooled * classes)]


def forward_flops(layer_macs: Sequence[float]) -> float:
    return 2.0 * sum(layer_macs)


def backprop_flops(layer_macs: Sequence[float]) -> float:
    """Forward + weight gradients of every layer + input gradients of every layer but the first."""
    return 2.0 * (2 * sum(layer_macs) + sum(layer_macs[1:]))


def mlp_forward_flops(batch: int, d_in: int, hidden: int, classes: int) -> float:
    return forward_flops(mlp_layer_macs(batch, d_in, hidden, classes))


def cnn_forward_flops(batch: int, channels: int, side: int, kernel: int, classes: int) -> float:
    return forward_flops(cnn_layer_macs(batch, channels, side, kernel, classes))


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
        return backprop_flops(mlp_layer_macs(p("batch"), p("d_in"), p("hidden"), p("classes")))
    if case == "mlp_infer":
        return mlp_forward_flops(p("batch"), p("d_in"), p("hidden"), p("classes"))
    if case == "cnn_train":
        return backprop_flops(cnn_layer_macs(p("batch"), p("channels"), 28, 3, p("classes")))
    if case == "cnn_infer":
        return cnn_forward_flops(p("batch"), p("channels"), 28, 3, p("classes"))
    if case == "mobilenet_v2_infer":
        return 2.0 * MOBILENET_V2_MACS * p("batch")
    return None
