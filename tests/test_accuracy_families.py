"""The model registries, and every supported model family end to end through the CLI.

Each family is run once with random weights (`--weights none`) on one image per class. Left out of
the end-to-end run, on purpose: NASNetLarge (nasnetmobile covers the nasnet family; Large alone takes
longer to build than the rest together on 2 cores) and the larger siblings of every family (same code,
more layers); their constructors and weights names are still checked below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.fixtures.synthetic_imagenet import build_val_folder
from generator.accuracy.torch_zoo import weights_enum
from generator.catalog.zoo_models import KERAS_MODELS, STUDY_MODELS, TORCH_MODELS, architecture
from generator.schema.load import load_run

KERAS_FAMILIES = {  # keras.applications module -> the model that represents it
    "vgg16": "vgg16", "vgg19": "vgg19", "resnet50": "resnet50", "resnet": "resnet101",
    "resnet_v2": "resnet50v2",
    "xception": "xception", "inception_v3": "inceptionv3", "inception_resnet_v2": "inceptionresnetv2",
    "mobilenet": "mobilenet", "mobilenet_v2": "mobilenetv2", "mobilenet_v3": "mobilenetv3small",
    "densenet": "densenet121", "nasnet": "nasnetmobile", "efficientnet": "efficientnetb0",
    "efficientnet_v2": "efficientnetv2b0", "convnext": "convnexttiny",
}  # fmt: skip
TORCH_FAMILIES = {  # torchvision.models module -> the model that represents it
    "alexnet": "alexnet", "vgg": "vgg11", "resnet": "resnet18", "squeezenet": "squeezenet1_1",
    "densenet": "densenet121", "inception": "inception_v3", "googlenet": "googlenet",
    "mobilenetv2": "mobilenet_v2", "mobilenetv3": "mobilenet_v3_small", "shufflenetv2": "shufflenet_v2_x0_5",
    "mnasnet": "mnasnet0_5", "regnet": "regnet_x_400mf", "efficientnet": "efficientnet_b0",
    "vision_transformer": "vit_b_32", "convnext": "convnext_tiny", "swin_transformer": "swin_t",
    "maxvit": "maxvit_t",
}  # fmt: skip


def test_the_study_zoos_are_covered() -> None:
    assert sum(m.study for m in KERAS_MODELS.values()) == 13
    assert len(STUDY_MODELS) == 21 and set(TORCH_MODELS) >= STUDY_MODELS
    assert {m.module for m in KERAS_MODELS.values()} == set(KERAS_FAMILIES)
    assert architecture("keras", "inceptionv3") == architecture("pytorch", "inception_v3") == "inception_v3"
    assert (
        architecture("keras", "mobilenetv2") == "mobilenet_v2"
        and architecture("keras", "xception") == "xception"
    )
    for model in KERAS_MODELS.values():
        assert not model.architecture or model.architecture in TORCH_MODELS


def test_every_torch_entry_has_its_weights_enum_and_every_family_is_covered() -> None:
    import torchvision.models

    modules = set()
    for name, spec in TORCH_MODELS.items():
        member = weights_enum(spec.weights)
        assert (
            member.meta["num_categories"]
            if "num_categories" in member.meta
            else len(member.meta["categories"]) == 1000
        )
        assert member.url.endswith((".pth", ".pt")), name
        modules.add(getattr(torchvision.models, name).__module__.rsplit(".", 1)[-1])
    assert modules == set(TORCH_FAMILIES)


def _cli(data: Path, out: Path, framework: str, models: list[str]) -> Path:
    env = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
    cmd = [sys.executable, "-m", "generator", "bench", "accuracy", "--data", str(data), "--weights", "none"]
    cmd += ["--zoo", framework, "--models", ",".join(models), "--limit", "1", "--batch-size", "2"]
    proc = subprocess.run([*cmd, "--out", str(out)], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Path(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize(("framework", "families"), [("keras", KERAS_FAMILIES), ("pytorch", TORCH_FAMILIES)])
def test_every_family_runs_end_to_end(tmp_path: Path, framework: str, families: dict[str, str]) -> None:
    data = build_val_folder(tmp_path / "val", classes=2, per_class=1, odd_modes=False)
    models = list(families.values())
    run = load_run(_cli(data, tmp_path / "out", framework, models))
    assert sorted(r.model for r in run.results) == sorted(models)
    for result in run.results:
        assert result.images == 2 and result.status == "ok"  # type: ignore[union-attr]


KERAS_CONSTRUCTORS = r"""
import json, keras
from generator.catalog.zoo_models import KERAS_MODELS
apps = keras.applications
print(json.dumps([n for n, m in KERAS_MODELS.items() if not callable(getattr(apps, m.constructor, None))]))
"""


@pytest.mark.slow
def test_every_keras_entry_names_a_keras_application() -> None:
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", KERAS_CONSTRUCTORS], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
