"""Every FLOP formula against an independent count of the real implementation on small shapes:
torch's FlopCounterMode (which counts matrix products and convolutions, forward and backward, as
2 FLOPs per multiply-add) and TensorFlow's profiler statistics (tf.compat.v1.profiler's registry).

Where the counters count differently, the test says so and checks the difference is exactly that:
neither counter counts ReLU, pooling, softmax or the SGD update (nor do the formulas); torch counts
a Linear's addmm as its product only (no bias add), TF counts BiasAdd apart; TF counts no FLOPs for
exp and tanh (the formulas count 1 per element) and n - 1 for a sum of n; TF's statistic for a
convolution's backward ops assumes the input's spatial size instead of the output's ('valid'
padding: 28² instead of 26²), and its traced training graph holds the first layer's input gradient,
which nothing uses, so the function runtime prunes it before running."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from generator.bench.backends import Backend, load_torch
from generator.bench.ops import gradients, training
from generator.bench.ops.framework_nets import build_data, build_params, framework_input, torch_model
from generator.catalog.flops import FLOP_FORMULAS, flops

MLP = {"d_in": 16, "hidden": 8, "classes": 10}
CNN = {"channels": 2, "classes": 10}
BATCH = 4


@pytest.fixture(scope="module")
def torch_backend() -> Backend:
    return load_torch("cpu", 1)


def torch_count(fn: Callable[[], object]) -> tuple[int, dict[str, int]]:
    """(total FLOPs, FLOPs per aten op) that FlopCounterMode sees while `fn` runs."""
    with FlopCounterMode(display=False) as counter:
        fn()
    per_op = {str(op): int(n) for op, n in counter.get_flop_counts()["Global"].items()}
    return int(counter.get_total_flops()), per_op


def test_formulas_by_hand() -> None:
    """The published formulas, evaluated by hand: 2B(2dh + 3hc) for the MLP's backward, not 3x forward."""
    b, d, h, c = 2, 3, 4, 5
    assert flops("mlp_infer", {"batch": b, "d_in": d, "hidden": h, "classes": c}) == 2 * b * (d * h + h * c)
    expected = 2 * b * (2 * d * h + 3 * h * c)
    for case in ("mlp_grad", "mlp_train"):
        assert flops(case, {"batch": b, "d_in": d, "hidden": h, "classes": c}) == expected
    ch, k = 3, 10
    assert flops("cnn_infer", {"batch": b, "channels": ch, "classes": k}) == 2 * b * (
        ch * 26 * 26 * 9 + ch * 13 * 13 * k
    )
    assert flops("cnn_train", {"batch": b, "channels": ch, "classes": k}) == 2 * b * (
        2 * ch * 26 * 26 * 9 + 3 * ch * 13 * 13 * k
    )
    assert "3·hidden·classes" in FLOP_FORMULAS["mlp_grad"] and "3 ×" not in FLOP_FORMULAS["mlp_train"]
    assert "3·c_out·13·13·classes" in FLOP_FORMULAS["cnn_train"]


def test_the_old_three_times_forward_overcounted_as_the_audit_found() -> None:
    mlp = {"batch": 512, "d_in": 256, "hidden": 512, "classes": 10}
    old = 3 * flops("mlp_infer", mlp)  # type: ignore[operator]
    assert old / flops("mlp_grad", mlp) == pytest.approx(1.47, abs=0.005)  # type: ignore[operator]
    cnn = {"batch": 32, "channels": 16, "classes": 10}
    assert 3 * flops("cnn_infer", cnn) / flops("cnn_train", cnn) == pytest.approx(1.35, abs=0.005)  # type: ignore[operator]


def test_tensor_products_match_torch_counter() -> None:
    a = torch.ones(16, 16)
    assert torch_count(lambda: a @ a)[0] == flops("matmul", {"n": 16})
    x, w = torch.ones(2, 3, 8, 8), torch.ones(4, 3, 3, 3)
    conv = {"batch": 2, "c_in": 3, "c_out": 4, "side": 8, "kernel": 3}
    assert torch_count(lambda: torch.nn.functional.conv2d(x, w))[0] == flops("conv2d", conv)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_inference_matches_torch_counter(kind: str, torch_backend: Backend) -> None:
    params = MLP if kind == "mlp" else CNN
    model = torch_model(torch_backend, kind, build_params(kind, params))
    x = torch.from_numpy(build_data(kind, params, BATCH)[0])
    with torch.no_grad():
        total, per_op = torch_count(lambda: model(x))
    assert total == flops(f"{kind}_infer", {"batch": BATCH, **params})
    assert set(per_op) <= {"aten.addmm", "aten.convolution"}  # bias, ReLU, pooling: not counted


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_training_step_matches_torch_counter(kind: str, torch_backend: Backend) -> None:
    """The very step the benchmark times (forward, backward, SGD update) under torch's counter."""
    params = MLP if kind == "mlp" else CNN
    x, y = build_data(kind, params, BATCH)
    step, _ = training._torch_step(torch_backend, kind, build_params(kind, params), x, y, compiled=False)
    total, _ = torch_count(step)
    assert total == flops(f"{kind}_train", {"batch": BATCH, **params})
    forward = flops(f"{kind}_infer", {"batch": BATCH, **params})
    assert forward is not None and total < 3 * forward  # no gradient for the data


def test_mlp_gradients_match_torch_counter(torch_backend: Backend) -> None:
    x, y = build_data("mlp", MLP, BATCH)
    step, _ = gradients._grad_fn(torch_backend, build_params("mlp", MLP), x, y)
    total, per_op = torch_count(step)
    assert total == flops("mlp_grad", {"batch": BATCH, **MLP})
    # Backward: two weight gradients and the hidden layer's input gradient, three products.
    assert per_op["aten.mm"] == 2 * BATCH * (MLP["d_in"] * MLP["hidden"] + 2 * MLP["hidden"] * MLP["classes"])


def test_mobilenet_published_mac_count_matches_torch_counter() -> None:
    import torchvision

    model = torchvision.models.mobilenet_v2(weights=None).eval()
    with torch.no_grad():
        total, _ = torch_count(lambda: model(torch.zeros(1, 3, 224, 224)))
    published = flops("mobilenet_v2_infer", {"batch": 1})
    assert published is not None and total == pytest.approx(published, rel=0.005)  # 601.5 M vs 600 M


# --- TensorFlow's profiler statistics ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tf_backend() -> Backend:
    pytest.importorskip("tensorflow")
    from generator.bench.backends import load_tensorflow

    return load_tensorflow("cpu", 1)


def tf_count(tf: Any, fn: Callable[..., Any], *args: Any) -> Counter[str]:
    """FLOPs per op type in the traced graph of `fn`, from the statistics TF's profiler uses."""
    from tensorflow.python.framework import ops

    graph = tf.function(fn).get_concrete_function(*args).graph
    counts: Counter[str] = Counter()
    for node in graph.as_graph_def().node:
        value = ops.get_stats_for_node_def(graph, node, "flops").value
        if value:
            counts[node.op] += int(value)
    return counts


def test_tensor_ops_match_tf_profiler(tf_backend: Backend) -> None:
    tf, n = tf_backend.module, 1000
    v = tf.TensorSpec([n], tf.float32)
    for case, fn in (("add", tf.add), ("subtract", tf.subtract), ("multiply", tf.multiply)):
        assert sum(tf_count(tf, fn, v, v).values()) == flops(case, {"n": n})
    assert sum(tf_count(tf, tf.reduce_mean, v).values()) == flops("mean", {"n": n})
    assert sum(tf_count(tf, tf.reduce_sum, v).values()) == flops("sum", {"n": n}) - 1  # type: ignore[operator]
    assert sum(tf_count(tf, tf.exp, v).values()) == 0  # TF counts transcendentals as nothing
    m = tf.TensorSpec([16, 16], tf.float32)
    assert sum(tf_count(tf, tf.linalg.matmul, m, m).values()) == flops("matmul", {"n": 16})
    conv = tf_count(
        tf,
        lambda x, w: tf.nn.conv2d(x, w, 1, "VALID"),
        tf.TensorSpec([2, 8, 8, 3]),
        tf.TensorSpec([3, 3, 3, 4]),
    )
    assert conv["Conv2D"] == flops("conv2d", {"batch": 2, "c_in": 3, "c_out": 4, "side": 8, "kernel": 3})


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_keras_training_matches_tf_profiler(kind: str, tf_backend: Backend) -> None:
    from generator.bench.ops.framework_nets import keras_model

    tf = tf_backend.module
    params = MLP if kind == "mlp" else CNN
    model = keras_model(tf_backend, kind, build_params(kind, params))
    x, y = build_data(kind, params, BATCH)
    xt, yt = tf.constant(framework_input(tf_backend, kind, x)), tf.constant(y)

    def grads(a: Any, labels: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels, model(a, training=True))
            )
        return tape.gradient(loss, model.trainable_variables)

    counted = tf_count(tf, grads, xt, yt)
    forward = tf_count(tf, lambda a: model(a, training=False), xt)
    if kind == "mlp":
        assert counted["MatMul"] == flops("mlp_train", {"batch": BATCH, **params})
        assert forward["MatMul"] == flops("mlp_infer", {"batch": BATCH, **params})
        return
    conv_macs = BATCH * CNN["channels"] * 26 * 26 * 9
    dense_macs = BATCH * CNN["channels"] * 13 * 13 * CNN["classes"]
    assert forward["Conv2D"] + forward["MatMul"] == flops("cnn_infer", {"batch": BATCH, **params})
    assert counted["Conv2D"] + counted["MatMul"] == 2 * conv_macs + 2 * 3 * dense_macs
    # The weight gradient, counted by TF over the 28×28 input instead of the 26×26 output.
    assert counted["Conv2DBackpropFilter"] == 2 * conv_macs * 28 * 28 // (26 * 26)
    formula = flops("cnn_train", {"batch": BATCH, **params})
    assert counted["Conv2D"] + counted["MatMul"] + 2 * conv_macs == formula
