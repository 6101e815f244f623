"""The registry of benchmark cases: family, description and the parameter sweeps of quick and full
mode. The runner plans work from it without importing any framework; the site's methodology page
lists it. A work item's key (family, case, framework, device, dtype, variant, params) identifies a
result, so --resume can skip what a run file already holds."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from generator.catalog.names import FRAMEWORKS, result_key
from generator.catalog.zoo_cases import FAMILY as MODELS_FAMILY
from generator.catalog.zoo_cases import model_cases

ParamValue = int | float | bool | str
Params = tuple[tuple[str, ParamValue], ...]


@dataclass(frozen=True)
class Variant:
    dtype: str
    variant: str
    params: Params
    frameworks: tuple[str, ...] = ()  # the frameworks that run it; empty: every framework of the case


@dataclass(frozen=True)
class Case:
    name: str
    family: str  # tensor | gradients | training | inference
    description: str
    quick: tuple[Variant, ...]
    full: tuple[Variant, ...]
    frameworks: tuple[str, ...] = FRAMEWORKS
    test_only: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class WorkItem:
    family: str
    case: str
    framework: str
    device: str
    dtype: str
    variant: str
    params: Params

    def key(self) -> str:
        return result_key(self.to_json())

    def to_json(self) -> dict[str, object]:
        return {
            "family": self.family,
            "case": self.case,
            "framework": self.framework,
            "device": self.device,
            "dtype": self.dtype,
            "variant": self.variant,
            "params": dict(self.params),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> WorkItem:
        params = data["params"]
        assert isinstance(params, dict)
        return cls(
            str(data["family"]),
            str(data["case"]),
            str(data["framework"]),
            str(data["device"]),
            str(data["dtype"]),
            str(data["variant"]),
            tuple(sorted(params.items())),
        )


def _v(dtype: str, variant: str = "default", **params: ParamValue) -> Variant:
    return Variant(dtype, variant, tuple(sorted(params.items())), VARIANT_FRAMEWORKS.get(variant, ()))


def _sweep(
    dtypes: Iterable[str], variants: Iterable[str], name: str, values: Iterable[int], **fixed: ParamValue
) -> tuple[Variant, ...]:
    return tuple(_v(d, var, **{name: v}, **fixed) for d in dtypes for var in variants for v in values)


F32 = ("float32",)
MLP = {"d_in": 256, "hidden": 512, "classes": 10}
CNN = {"channels": 16, "classes": 10}
# Inference variants. fp32: the framework's own runtime (TF: tf.function graph; torch: eager under
# inference_mode). tflite-fp32: the same float model in the TFLite interpreter, the runtime TF's
# int8 runs in. int8-static: int8 weights and activations calibrated on sample inputs (TF: TFLite
# full-integer conversion; torch: FX static quantization, x86 backend), float32 in and out, so its
# dtype stays float32 (peak.peak_dtype holds it against the int8 peak). pruned-50: half of each
# weight tensor zeroed, dense kernels (no speed-up due).
INFER_VARIANTS = ("fp32", "tflite-fp32", "int8-static", "pruned-50")
VARIANT_FRAMEWORKS = {"tflite-fp32": ("tensorflow",)}
# The fp32 run in the same runtime as a variant: its speed-up is baseline time / variant time.
VARIANT_BASELINES = {
    ("tensorflow", "int8-static"): "tflite-fp32",
    ("torch", "int8-static"): "fp32",
    ("tensorflow", "pruned-50"): "fp32",
    ("torch", "pruned-50"): "fp32",
    ("numpy", "pruned-50"): "fp32",
}
# Framework summaries and rankings compare like with like: only the plain, eager and fp32 modes, which
# every framework has. int8 and pruned variants change the arithmetic (int8-static, int8-dynamic,
# pruned-50), tflite-fp32 the runtime, and compiled modes exist in some frameworks only: each is
# compared with its baseline on its case page instead.
SUMMARY_VARIANTS = frozenset({"default", "eager", "fp32"})
TRAIN_VARIANTS = ("eager", "compiled")
ELEMENTWISE_DOC = "on one vector of n float32 values drawn from one seeded NumPy array"


def _elementwise(name: str, what: str) -> Case:
    return Case(
        name,
        "tensor",
        f"{what} {ELEMENTWISE_DOC}",
        quick=_sweep(F32, ("default",), "n", [2**20]),
        full=_sweep(F32, ("default",), "n", [2**16, 2**20, 2**22]),
    )


def _inference(name: str, net: str, shape: Mapping[str, ParamValue], pruning: str) -> Case:
    return Case(
        name,
        "inference",
        f"{net} forward pass: fp32, fp32 in TFLite, int8 static quantization, 50 % {pruning}",
        quick=_sweep(F32, INFER_VARIANTS, "batch", [1, 32], **shape),
        full=_sweep(F32, INFER_VARIANTS, "batch", [1, 8, 32, 64], **shape),
    )


CASES: tuple[Case, ...] = (
    Case(
        "matmul",
        "tensor",
        "n×n by n×n matrix product (BLAS GEMM in NumPy); on a GPU, host↔device "
        "transfers are timed separately",
        quick=_sweep(F32, ("default",), "n", [128, 1024]) + _sweep(("float64",), ("default",), "n", [512]),
        full=_sweep(("float32", "float64"), ("default",), "n", [64, 128, 256, 512, 1024, 2048, 4096]),
    ),
    _elementwise("add", "a + b"),
    _elementwise("subtract", "a - b"),
    _elementwise("multiply", "a * b (elementwise)"),
    _elementwise("exp", "exp(a)"),
    _elementwise("tanh", "tanh(a)"),
    _elementwise("sum", "sum of all elements"),
    _elementwise("mean", "mean of all elements"),
    Case(
        "transpose_copy",
        "tensor",
        "transpose an n×n float32 matrix into a new contiguous array",
        quick=_sweep(F32, ("default",), "n", [1024]),
        full=_sweep(F32, ("default",), "n", [1024, 4096]),
    ),
    Case(
        "conv2d",
        "tensor",
        "2-D convolution, 3×3 kernel, stride 1, 'valid' padding, NCHW data (TF: NHWC "
        "copies of the same values); NumPy by im2col + one matrix product",
        quick=(_v("float32", batch=8, c_in=16, c_out=32, side=32, kernel=3),),
        full=(
            _v("float32", batch=8, c_in=16, c_out=32, side=32, kernel=3),
            _v("float32", batch=32, c_in=32, c_out=64, side=64, kernel=3),
        ),
    ),
    Case(
        "mlp_grad",
        "gradients",
        "loss and gradients of a 2-layer ReLU MLP with softmax cross-entropy: "
        "hand-written NumPy backprop vs tf.GradientTape vs torch.autograd",
        quick=(_v("float32", "eager", batch=64, **MLP),),
        full=(_v("float32", "eager", batch=64, **MLP), _v("float32", "eager", batch=512, **MLP)),
    ),
    Case(
        "mlp_train",
        "training",
        "one SGD step (forward, backward, update) of the MLP on synthetic data",
        quick=_sweep(F32, TRAIN_VARIANTS, "batch", [64], **MLP),
        full=_sweep(F32, TRAIN_VARIANTS, "batch", [64, 256], **MLP),
    ),
    Case(
        "cnn_train",
        "training",
        "one SGD step of a small CNN (conv 3×3 ×16, ReLU, 2×2 average pool, dense) "
        "on synthetic 1×28×28 images",
        quick=_sweep(F32, TRAIN_VARIANTS, "batch", [32], **CNN),
        full=_sweep(F32, TRAIN_VARIANTS, "batch", [32, 128], **CNN),
    ),
    _inference("mlp_infer", "MLP", MLP, "magnitude pruning"),
    _inference("cnn_infer", "small-CNN", CNN, "pruning"),
    Case(
        "mobilenet_v2_infer",
        "inference",
        "MobileNetV2 (torchvision / keras.applications, weights=None, 224×224, logits out): speed "
        "only, random weights differ between frameworks",
        quick=_sweep(F32, ("fp32",), "batch", [1, 8]),
        full=_sweep(F32, INFER_VARIANTS, "batch", [1, 8, 32, 64]),
    ),
    # Test-only fault injection, enabled by FRAMEBENCH_TEST_FAULTS=1: crashes the worker process.
    Case(
        "fault_segfault",
        "tensor",
        "test only: the worker kills itself with SIGSEGV",
        quick=(_v("float32"),),
        full=(_v("float32"),),
        test_only=True,
    ),
    Case(
        "fault_wrong",
        "tensor",
        "test only: returns a wrong result, which validation must catch",
        quick=(_v("float32", n=1000),),
        full=(_v("float32", n=1000),),
        test_only=True,
    ),
)
# The model-zoo speed suite (zoo_cases.py): `--cases models` selects it, the default selection does not.
CASES += model_cases(Case, Variant)
FAMILIES = ("tensor", "gradients", "training", "inference", MODELS_FAMILY)


def test_faults_enabled() -> bool:
    return os.environ.get("FRAMEBENCH_TEST_FAULTS") == "1"


def public_cases() -> tuple[Case, ...]:
    return tuple(c for c in CASES if not c.test_only or test_faults_enabled())


def select_cases(names: Iterable[str] | None) -> tuple[Case, ...]:
    """The cases named (case names or family names); ValueError lists the valid names."""
    cases = public_cases()
    if names is None:
        return tuple(c for c in cases if not c.test_only and c.family != MODELS_FAMILY)
    wanted = list(names)
    valid = {c.name for c in cases} | set(FAMILIES)
    bad = [n for n in wanted if n not in valid]
    if bad or not wanted:
        raise ValueError(
            f"unknown case(s) {', '.join(bad) or '(none given)'}; valid: "
            f"{', '.join([*FAMILIES, *(c.name for c in cases)])}"
        )
    return tuple(c for c in cases if c.name in wanted or c.family in wanted)


def in_summaries(variant: str) -> bool:
    """Whether results of this variant enter framework summaries and rankings."""
    return variant in SUMMARY_VARIANTS


def baseline_variant(framework: str, variant: str) -> str | None:
    """The variant whose time a variant's speed-up divides (same framework and runtime), if any."""
    return VARIANT_BASELINES.get((framework, variant))


def plan(cases: Iterable[Case], framework: str, device: str, quick: bool) -> list[WorkItem]:
    items = []
    for case in cases:
        if framework not in case.frameworks:
            continue
        for v in case.quick if quick else case.full:
            if v.frameworks and framework not in v.frameworks:
                continue
            items.append(WorkItem(case.family, case.name, framework, device, v.dtype, v.variant, v.params))
    return items
