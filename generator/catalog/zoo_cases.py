"""The model-zoo speed suite (family "models"): inference time of every keras.applications and
torchvision.models classifier at its own input size, batch 1 and 32, with random weights.

Plain data, importable without any framework (the runner plans from it). Results are keyed by
params model=<registry name>, batch and input_size; the framework says which zoo (tensorflow: Keras,
torch: torchvision). Variants: "eager" (the default: torch eager under inference_mode, NCHW; Keras
`model(x, training=False)` executed eagerly), "channels-last" (torch only: model and input in NHWC
memory format; Keras is NHWC already), "graph" (Keras only: the same call as a tf.function graph,
no XLA) and "compiled" (torch.compile with inductor; Keras: tf.function with jit_compile=True, XLA).

Cases: `zoo_infer` (the 34 models of the study, eager: the default suite), `zoo_infer_more` (every
other model both installed zoos provide), `zoo_infer_layouts` and `zoo_infer_compiled` (the study's
models in the other variants). Quick mode: three models per zoo at batch 1.

Cost: a call costs about FLOPs / rate; `estimate_seconds` adds model building and start-up, and
`min_rounds` gives slow cases fewer timed rounds per process (down to 2). On a 2-core EPYC the study
suite took 41.5 min with 2 processes, most of it the batch-32 calls themselves (see the rates below).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from generator.catalog.protocol import MIN_ROUNDS
from generator.catalog.zoo_models import KERAS_MODELS
from generator.catalog.zoo_models import STUDY_MODELS as TORCH_STUDY

C = TypeVar("C")
V = TypeVar("V")
Params = tuple[tuple[str, int | str], ...]
# A variant as generator.catalog.cases.Variant takes it: (dtype, variant, params, frameworks).
VariantSpec = tuple[str, str, Params, tuple[str, ...]]

FAMILY = "models"
BATCHES = (1, 32)
QUICK_BATCHES = (1,)
DEFAULT_VARIANT = "eager"
VARIANT_FRAMEWORKS = {"channels-last": ("torch",), "graph": ("tensorflow",)}
WEIGHTS = "random (speed does not depend on weights)"
FLOP_FORMULA = (
    "counted on the model at its input size, per image × batch: torch.utils.flop_counter on one "
    "forward pass (torch); 2 × the multiply-adds of every convolution and dense kernel (Keras)"
)


@dataclass(frozen=True)
class ZooModel:
    framework: str  # tensorflow (keras.applications) | torch (torchvision.models)
    name: str  # registry name: a KERAS_MODELS key, or the torchvision builder's name
    constructor: str  # keras.applications attribute, or torchvision.models builder
    input_size: int  # the model's own square input side
    gflops: float  # forward GFLOPs per image (see FLOP_FORMULA), for planning; the run counts its own
    study: bool  # one of the 34 models of the study


# torchvision builder -> (input side: the crop of its IMAGENET1K_V1 weights, or the constructor's
# 224 for vit_h_14 and regnet_y_128gf, which ship only SWAG weights; forward GFLOPs per image,
# counted with torch.utils.flop_counter on the meta device).
TORCH_TABLE: dict[str, tuple[int, float]] = {
    "alexnet": (224, 1.428),
    "convnext_base": (224, 30.709),
    "convnext_large": (224, 68.723),
    "convnext_small": (224, 17.367),
    "convnext_tiny": (224, 8.911),
    "densenet121": (224, 5.668),
    "densenet161": (224, 15.456),
    "densenet169": (224, 6.720),
    "densenet201": (224, 8.583),
    "efficientnet_b0": (224, 0.772),
    "efficientnet_b1": (240, 1.374),
    "efficientnet_b2": (288, 2.175),
    "efficientnet_b3": (300, 3.654),
    "efficientnet_b4": (380, 8.788),
    "efficientnet_b5": (456, 20.533),
    "efficientnet_b6": (528, 38.135),
    "efficientnet_b7": (600, 75.492),
    "efficientnet_v2_l": (480, 112.159),
    "efficientnet_v2_m": (480, 49.165),
    "efficientnet_v2_s": (384, 16.731),
    "googlenet": (224, 2.997),
    "inception_v3": (299, 11.426),
    "maxvit_t": (224, 11.116),
    "mnasnet0_5": (224, 0.209),
    "mnasnet0_75": (224, 0.431),
    "mnasnet1_0": (224, 0.629),
    "mnasnet1_3": (224, 1.053),
    "mobilenet_v2": (224, 0.602),
    "mobilenet_v3_large": (224, 0.433),
    "mobilenet_v3_small": (224, 0.113),
    "regnet_x_16gf": (224, 31.882),
    "regnet_x_1_6gf": (224, 3.206),
    "regnet_x_32gf": (224, 63.472),
    "regnet_x_3_2gf": (224, 6.353),
    "regnet_x_400mf": (224, 0.828),
    "regnet_x_800mf": (224, 1.599),
    "regnet_x_8gf": (224, 15.990),
    "regnet_y_128gf": (224, 255.036),
    "regnet_y_16gf": (224, 31.823),
    "regnet_y_1_6gf": (224, 3.224),
    "regnet_y_32gf": (224, 64.559),
    "regnet_y_3_2gf": (224, 6.353),
    "regnet_y_400mf": (224, 0.804),
    "regnet_y_800mf": (224, 1.668),
    "regnet_y_8gf": (224, 16.946),
    "resnet101": (224, 15.603),
    "resnet152": (224, 23.027),
    "resnet18": (224, 3.628),
    "resnet34": (224, 7.328),
    "resnet50": (224, 8.178),
    "resnext101_32x8d": (224, 32.828),
    "resnext101_64x4d": (224, 30.921),
    "resnext50_32x4d": (224, 8.461),
    "shufflenet_v2_x0_5": (224, 0.081),
    "shufflenet_v2_x1_0": (224, 0.290),
    "shufflenet_v2_x1_5": (224, 0.592),
    "shufflenet_v2_x2_0": (224, 1.167),
    "squeezenet1_0": (224, 1.638),
    "squeezenet1_1": (224, 0.698),
    "swin_b": (224, 30.862),
    "swin_s": (224, 17.482),
    "swin_t": (224, 8.981),
    "swin_v2_b": (256, 40.650),
    "swin_v2_s": (256, 23.092),
    "swin_v2_t": (256, 11.879),
    "vgg11": (224, 15.218),
    "vgg11_bn": (224, 15.218),
    "vgg13": (224, 22.617),
    "vgg13_bn": (224, 22.617),
    "vgg16": (224, 30.941),
    "vgg16_bn": (224, 30.941),
    "vgg19": (224, 39.264),
    "vgg19_bn": (224, 39.264),
    "vit_b_16": (224, 35.128),
    "vit_b_32": (224, 8.818),
    "vit_h_14": (224, 334.590),
    "vit_l_16": (224, 123.109),
    "vit_l_32": (224, 30.755),
    "wide_resnet101_2": (224, 45.506),
    "wide_resnet50_2": (224, 22.796),
}

# KERAS_MODELS name -> forward GFLOPs per image at its input size (2 × conv and dense multiply-adds,
# counted on the built model by generator.bench.ops.zoo.keras_flops).
KERAS_GFLOPS: dict[str, float] = {
    "xception": 16.715,
    "vgg16": 30.941,
    "vgg19": 39.264,
    "resnet50": 7.716,
    "inceptionv3": 11.426,
    "inceptionresnetv2": 26.312,
    "mobilenet": 1.137,
    "mobilenetv2": 0.602,
    "densenet121": 5.668,
    "densenet169": 6.720,
    "densenet201": 8.583,
    "nasnetmobile": 1.127,
    "nasnetlarge": 47.567,
    "resnet101": 15.140,
    "resnet152": 22.565,
    "resnet50v2": 6.965,
    "resnet101v2": 14.389,
    "resnet152v2": 21.813,
    "mobilenetv3small": 0.113,
    "mobilenetv3large": 0.433,
    "efficientnetb0": 0.772,
    "efficientnetb1": 1.374,
    "efficientnetb2": 1.987,
    "efficientnetb3": 3.654,
    "efficientnetb4": 8.788,
    "efficientnetb5": 20.533,
    "efficientnetb6": 38.135,
    "efficientnetb7": 75.492,
    "efficientnetv2b0": 1.436,
    "efficientnetv2b1": 2.394,
    "efficientnetv2b2": 3.395,
    "efficientnetv2b3": 6.023,
    "efficientnetv2s": 16.731,
    "efficientnetv2m": 49.165,
    "efficientnetv2l": 112.159,
    "convnexttiny": 8.911,
    "convnextsmall": 17.367,
    "convnextbase": 30.709,
    "convnextlarge": 68.723,
    "convnextxlarge": 121.842,
}
# The accuracy suite's frameworks (zoos) -> the speed suite's (the framework that runs the zoo).
QUICK_MODELS = {
    "tensorflow": ("mobilenet", "resnet50", "densenet121"),
    "torch": ("squeezenet1_1", "resnet18", "mobilenet_v2"),
}


def _torch_model(name: str) -> ZooModel:
    size, gflops = TORCH_TABLE[name]
    return ZooModel("torch", name, name, size, gflops, name in TORCH_STUDY)


def _keras_model(name: str) -> ZooModel:
    spec = KERAS_MODELS[name]
    return ZooModel("tensorflow", name, spec.constructor, spec.input_size, KERAS_GFLOPS[name], spec.study)


ZOO_MODELS: tuple[ZooModel, ...] = tuple(
    [_keras_model(n) for n in KERAS_MODELS] + [_torch_model(n) for n in TORCH_TABLE]
)
_BY_KEY = {(m.framework, m.name): m for m in ZOO_MODELS}


def zoo_model(framework: str, name: str) -> ZooModel:
    """The model a work item names; KeyError for a name its zoo does not have."""
    return _BY_KEY[(framework, name)]


def _params(model: ZooModel, batch: int) -> Params:
    values: dict[str, int | str] = {"model": model.name, "batch": batch, "input_size": model.input_size}
    return tuple(sorted(values.items()))


def _variants(
    models: Iterable[ZooModel], variants: Iterable[str], batches: Iterable[int]
) -> tuple[VariantSpec, ...]:
    return tuple(
        (
            "float32",
            variant,
            _params(m, b),
            (m.framework,),
        )
        for variant in variants
        for m in models
        if m.framework in VARIANT_FRAMEWORKS.get(variant, (m.framework,))
        for b in batches
    )


def _quick() -> tuple[VariantSpec, ...]:
    chosen = [zoo_model(fw, name) for fw, names in QUICK_MODELS.items() for name in names]
    return _variants(chosen, (DEFAULT_VARIANT,), QUICK_BATCHES)


def _small(models: tuple[ZooModel, ...]) -> tuple[ZooModel, ...]:
    """The model of fewest FLOPs per zoo, for a quick run."""
    return tuple(
        min((m for m in models if m.framework == fw), key=lambda m: m.gflops)
        for fw in ("tensorflow", "torch")
    )


STUDY = tuple(m for m in ZOO_MODELS if m.study)
MORE = tuple(m for m in ZOO_MODELS if not m.study)
_WHAT = "inference (logits of one batch of random images) at the model's own input size, random weights"


@dataclass(frozen=True)
class CaseSpec:
    """A case as generator.catalog.cases.Case takes it (this module imports nothing from there)."""

    name: str
    description: str
    quick: tuple[VariantSpec, ...]
    full: tuple[VariantSpec, ...]


CASE_SPECS: tuple[CaseSpec, ...] = (
    CaseSpec(
        "zoo_infer",
        f"the 34 models of the study, eager: {_WHAT}",
        quick=_quick(),
        full=_variants(STUDY, (DEFAULT_VARIANT,), BATCHES),
    ),
    CaseSpec(
        "zoo_infer_more",
        f"every other keras.applications / torchvision.models classifier, eager: {_WHAT}",
        quick=_variants(_small(MORE), (DEFAULT_VARIANT,), QUICK_BATCHES),
        full=_variants(MORE, (DEFAULT_VARIANT,), BATCHES),
    ),
    CaseSpec(
        "zoo_infer_layouts",
        f"the study's models, torch in channels-last memory format, Keras as a tf.function graph: {_WHAT}",
        quick=_variants(_small(STUDY), ("channels-last", "graph"), QUICK_BATCHES),
        full=_variants(STUDY, ("channels-last", "graph"), BATCHES),
    ),
    CaseSpec(
        "zoo_infer_compiled",
        f"the study's models compiled (torch.compile / XLA jit_compile): {_WHAT}",
        quick=_variants(_small(STUDY), ("compiled",), QUICK_BATCHES),
        full=_variants(STUDY, ("compiled",), BATCHES),
    ),
)

# Planning figures for this 2-core CPU class (medians of the committed 34-model run of a 2-core EPYC,
# 2026-11-28, not promises): sustained GFLOP/s of convnet inference at batch 32, per-call overhead at
# batch 1 (Keras eager dispatches layer by layer: about half a second per call), model build (random
# initialisation) and worker start-up (importing TF is the slow one).
RATE_GFLOPS = {"tensorflow": 40.0, "torch": 70.0}
CALL_OVERHEAD_S = {"tensorflow": 0.5, "torch": 0.015}
BUILD_S = {"tensorflow": 4.0, "torch": 1.5}
START_S = {"tensorflow": 20.0, "torch": 8.0}
CHECK_BATCH = 2  # images in the output check of eager variants
CASE_TARGET_S = 8.0  # timed rounds per process and case aimed at, before min_rounds cuts in
MIN_ROUNDS_FLOOR = 2  # never fewer timed rounds per process (2 processes x 2 = 4 samples)
FULL_MIN_ROUNDS = MIN_ROUNDS  # the timer's own minimum, kept for fast cases


def model_cases(case: Callable[..., C], variant: Callable[..., V]) -> tuple[C, ...]:
    """The cases built with the registry's own types: `model_cases(Case, Variant)` in cases.py."""
    return tuple(
        case(
            spec.name,
            FAMILY,
            spec.description,
            quick=tuple(variant(*v) for v in spec.quick),
            full=tuple(variant(*v) for v in spec.full),
            frameworks=("tensorflow", "torch"),
        )
        for spec in CASE_SPECS
    )


def call_seconds(framework: str, params: Mapping[str, object]) -> float:
    """Estimated time of one call (one batch) of a model work item (its framework and params)."""
    model = zoo_model(framework, str(params["model"]))
    return model.gflops * int(str(params["batch"])) / RATE_GFLOPS[framework] + CALL_OVERHEAD_S[framework]


def min_rounds(framework: str, params: Mapping[str, object]) -> int:
    """Timed rounds per process: the timer's 6 for fast cases, down to 2 for calls of seconds."""
    rounds = math.floor(CASE_TARGET_S / call_seconds(framework, params))
    return max(MIN_ROUNDS_FLOOR, min(FULL_MIN_ROUNDS, rounds))


def estimate_seconds(items: Iterable[tuple[str, Mapping[str, object]]], processes: int) -> float:
    """Wall time of work items, given as (framework, params), on this CPU class with `processes`
    worker processes per case: per process and item, the check call (at most CHECK_BATCH images),
    one warm-up call and min_rounds timed calls, plus one model build per process and model, plus
    worker start-up per framework and pass. (Compiled variants' compilation is not included.)"""
    total = 0.0
    models: set[tuple[str, str]] = set()
    frameworks: set[str] = set()
    for framework, params in items:
        check = call_seconds(framework, {**params, "batch": min(CHECK_BATCH, int(str(params["batch"])))})
        total += processes * ((1 + min_rounds(framework, params)) * call_seconds(framework, params) + check)
        models.add((framework, str(params["model"])))
        frameworks.add(framework)
    total += processes * sum(BUILD_S[fw] for fw, _ in models)
    return total + processes * sum(START_S[fw] for fw in frameworks)
