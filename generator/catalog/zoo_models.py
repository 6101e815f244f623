"""The two model zoos as plain data: the Keras applications and torchvision models we evaluate, the
weights each torchvision model pins, and which of them are the 34-model study's. Importable without
any framework: the CLI validates model names with it, the speed suite plans from it, and the site
joins Keras and PyTorch models of one architecture with it.

Class indices: both zoos predict the 1000 ImageNet-1k classes in the standard ILSVRC index order,
the sorted-synset order of the val folder (generator/accuracy/imagenet.py), so no remapping is needed.
torchvision entries pin IMAGENET1K_V1 (the weights the study scored, and the first ImageNet-1k release
of the newer ones) so a figure never silently changes when torchvision moves its DEFAULT.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KerasModel:
    constructor: str  # attribute of keras.applications
    module: str  # keras.applications submodule holding its preprocess_input (also its family)
    input_size: int  # the model's native square input side
    study: bool = False  # one of the 13 Keras models of the 34-model study
    architecture: str = ""  # the torchvision name of the same architecture, for side-by-side views


def _m(ctor: str, module: str, size: int, *, study: bool = False, arch: str = "") -> KerasModel:
    return KerasModel(ctor, module, size, study, arch)


KERAS_MODELS: dict[str, KerasModel] = {
    # The study's 13 (its "mobilenetV2" is our "mobilenetv2").
    "xception": _m("Xception", "xception", 299, study=True),
    "vgg16": _m("VGG16", "vgg16", 224, study=True, arch="vgg16"),
    "vgg19": _m("VGG19", "vgg19", 224, study=True, arch="vgg19"),
    "resnet50": _m("ResNet50", "resnet50", 224, study=True, arch="resnet50"),
    "inceptionv3": _m("InceptionV3", "inception_v3", 299, study=True, arch="inception_v3"),
    "inceptionresnetv2": _m("InceptionResNetV2", "inception_resnet_v2", 299, study=True),
    "mobilenet": _m("MobileNet", "mobilenet", 224, study=True),
    "mobilenetv2": _m("MobileNetV2", "mobilenet_v2", 224, study=True, arch="mobilenet_v2"),
    "densenet121": _m("DenseNet121", "densenet", 224, study=True, arch="densenet121"),
    "densenet169": _m("DenseNet169", "densenet", 224, study=True, arch="densenet169"),
    "densenet201": _m("DenseNet201", "densenet", 224, study=True, arch="densenet201"),
    "nasnetmobile": _m("NASNetMobile", "nasnet", 224, study=True),
    "nasnetlarge": _m("NASNetLarge", "nasnet", 331, study=True),
    # Newer than the study.
    "resnet101": _m("ResNet101", "resnet", 224, arch="resnet101"),
    "resnet152": _m("ResNet152", "resnet", 224, arch="resnet152"),
    "resnet50v2": _m("ResNet50V2", "resnet_v2", 224),
    "resnet101v2": _m("ResNet101V2", "resnet_v2", 224),
    "resnet152v2": _m("ResNet152V2", "resnet_v2", 224),
    "mobilenetv3small": _m("MobileNetV3Small", "mobilenet_v3", 224, arch="mobilenet_v3_small"),
    "mobilenetv3large": _m("MobileNetV3Large", "mobilenet_v3", 224, arch="mobilenet_v3_large"),
    **{
        f"efficientnetb{i}": _m(f"EfficientNetB{i}", "efficientnet", size, arch=f"efficientnet_b{i}")
        for i, size in enumerate((224, 240, 260, 300, 380, 456, 528, 600))
    },
    **{
        f"efficientnetv2{v.lower()}": _m(
            # torchvision has only the S/M/L sizes of EfficientNetV2.
            f"EfficientNetV2{v}",
            "efficientnet_v2",
            size,
            arch=f"efficientnet_v2_{v.lower()}" if len(v) == 1 else "",
        )
        for v, size in (
            ("B0", 224),
            ("B1", 240),
            ("B2", 260),
            ("B3", 300),
            ("S", 384),
            ("M", 480),
            ("L", 480),
        )
    },
    **{
        f"convnext{v.lower()}": _m(
            f"ConvNeXt{v}", "convnext", 224, arch=f"convnext_{v.lower()}" if v != "XLarge" else ""
        )
        for v in ("Tiny", "Small", "Base", "Large", "XLarge")
    },
}


# The study's 21 PyTorch models (PyTorch 1.0, torchvision 0.2).
STUDY_MODELS = frozenset(
    ["alexnet", "inception_v3", "squeezenet1_0", "squeezenet1_1"]
    + [f"vgg{d}{bn}" for d in (11, 13, 16, 19) for bn in ("", "_bn")]
    + [f"resnet{d}" for d in (18, 34, 50, 101, 152)]
    + [f"densenet{d}" for d in (121, 161, 169, 201)]
)

# model builder name (torchvision.models.<name>) -> its weights enum class. vit_h_14 and
# regnet_y_128gf are left out: they ship only SWAG weights at 518/384 px, a different protocol.
_WEIGHTS_ENUMS = {
    "alexnet": "AlexNet_Weights",
    "convnext_base": "ConvNeXt_Base_Weights",
    "convnext_large": "ConvNeXt_Large_Weights",
    "convnext_small": "ConvNeXt_Small_Weights",
    "convnext_tiny": "ConvNeXt_Tiny_Weights",
    "densenet121": "DenseNet121_Weights",
    "densenet161": "DenseNet161_Weights",
    "densenet169": "DenseNet169_Weights",
    "densenet201": "DenseNet201_Weights",
    "efficientnet_b0": "EfficientNet_B0_Weights",
    "efficientnet_b1": "EfficientNet_B1_Weights",
    "efficientnet_b2": "EfficientNet_B2_Weights",
    "efficientnet_b3": "EfficientNet_B3_Weights",
    "efficientnet_b4": "EfficientNet_B4_Weights",
    "efficientnet_b5": "EfficientNet_B5_Weights",
    "efficientnet_b6": "EfficientNet_B6_Weights",
    "efficientnet_b7": "EfficientNet_B7_Weights",
    "efficientnet_v2_l": "EfficientNet_V2_L_Weights",
    "efficientnet_v2_m": "EfficientNet_V2_M_Weights",
    "efficientnet_v2_s": "EfficientNet_V2_S_Weights",
    "googlenet": "GoogLeNet_Weights",
    "inception_v3": "Inception_V3_Weights",
    "maxvit_t": "MaxVit_T_Weights",
    "mnasnet0_5": "MNASNet0_5_Weights",
    "mnasnet0_75": "MNASNet0_75_Weights",
    "mnasnet1_0": "MNASNet1_0_Weights",
    "mnasnet1_3": "MNASNet1_3_Weights",
    "mobilenet_v2": "MobileNet_V2_Weights",
    "mobilenet_v3_large": "MobileNet_V3_Large_Weights",
    "mobilenet_v3_small": "MobileNet_V3_Small_Weights",
    "regnet_x_16gf": "RegNet_X_16GF_Weights",
    "regnet_x_1_6gf": "RegNet_X_1_6GF_Weights",
    "regnet_x_32gf": "RegNet_X_32GF_Weights",
    "regnet_x_3_2gf": "RegNet_X_3_2GF_Weights",
    "regnet_x_400mf": "RegNet_X_400MF_Weights",
    "regnet_x_800mf": "RegNet_X_800MF_Weights",
    "regnet_x_8gf": "RegNet_X_8GF_Weights",
    "regnet_y_16gf": "RegNet_Y_16GF_Weights",
    "regnet_y_1_6gf": "RegNet_Y_1_6GF_Weights",
    "regnet_y_32gf": "RegNet_Y_32GF_Weights",
    "regnet_y_3_2gf": "RegNet_Y_3_2GF_Weights",
    "regnet_y_400mf": "RegNet_Y_400MF_Weights",
    "regnet_y_800mf": "RegNet_Y_800MF_Weights",
    "regnet_y_8gf": "RegNet_Y_8GF_Weights",
    "resnet101": "ResNet101_Weights",
    "resnet152": "ResNet152_Weights",
    "resnet18": "ResNet18_Weights",
    "resnet34": "ResNet34_Weights",
    "resnet50": "ResNet50_Weights",
    "resnext101_32x8d": "ResNeXt101_32X8D_Weights",
    "resnext101_64x4d": "ResNeXt101_64X4D_Weights",
    "resnext50_32x4d": "ResNeXt50_32X4D_Weights",
    "shufflenet_v2_x0_5": "ShuffleNet_V2_X0_5_Weights",
    "shufflenet_v2_x1_0": "ShuffleNet_V2_X1_0_Weights",
    "shufflenet_v2_x1_5": "ShuffleNet_V2_X1_5_Weights",
    "shufflenet_v2_x2_0": "ShuffleNet_V2_X2_0_Weights",
    "squeezenet1_0": "SqueezeNet1_0_Weights",
    "squeezenet1_1": "SqueezeNet1_1_Weights",
    "swin_b": "Swin_B_Weights",
    "swin_s": "Swin_S_Weights",
    "swin_t": "Swin_T_Weights",
    "swin_v2_b": "Swin_V2_B_Weights",
    "swin_v2_s": "Swin_V2_S_Weights",
    "swin_v2_t": "Swin_V2_T_Weights",
    "vgg11": "VGG11_Weights",
    "vgg11_bn": "VGG11_BN_Weights",
    "vgg13": "VGG13_Weights",
    "vgg13_bn": "VGG13_BN_Weights",
    "vgg16": "VGG16_Weights",
    "vgg16_bn": "VGG16_BN_Weights",
    "vgg19": "VGG19_Weights",
    "vgg19_bn": "VGG19_BN_Weights",
    "vit_b_16": "ViT_B_16_Weights",
    "vit_b_32": "ViT_B_32_Weights",
    "vit_l_16": "ViT_L_16_Weights",
    "vit_l_32": "ViT_L_32_Weights",
    "wide_resnet101_2": "Wide_ResNet101_2_Weights",
    "wide_resnet50_2": "Wide_ResNet50_2_Weights",
}


@dataclass(frozen=True)
class TorchModel:
    weights: str  # "<Enum>.<member>" of torchvision.models
    crop: int  # centre crop of the study's protocol: 224, or 299 for inception_v3
    study: bool


TORCH_MODELS: dict[str, TorchModel] = {
    name: TorchModel(f"{enum}.IMAGENET1K_V1", 299 if name == "inception_v3" else 224, name in STUDY_MODELS)
    for name, enum in _WEIGHTS_ENUMS.items()
}


def architecture(zoo: str, model: str) -> str:
    """A name shared by the same architecture in both zoos (the torchvision name), for side-by-side
    views; a Keras model without a torchvision twin, and every torchvision model, keeps its own name.
    zoo: "keras" or "pytorch" (the accuracy zoos' names)."""
    if zoo == "keras":
        entry = KERAS_MODELS.get(model.lower())
        if entry is not None and entry.architecture:
            return entry.architecture
    return model
