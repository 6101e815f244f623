"""The ImageNet preprocessing protocols of the accuracy suite, as data (generator/accuracy/protocols.py
and torch_zoo.py implement them).

`original` reproduces the 34-model study (cgnorthcutt/benchmarking-keras-pytorch, 2019):
  Keras:   `keras.utils.load_img(path, target_size=(s, s))` - a direct resize to the model's input
           size with PIL's NEAREST filter (load_img's default), no crop - then `img_to_array`.
  PyTorch: Resize(256) -> CenterCrop(224, or 299 for inception_v3: a 299 crop of a 256 resize,
           which pads with black) -> ToTensor -> Normalize(ImageNet mean/std).
`standard` uses each zoo's documented evaluation transform:
  Keras:   resize the shorter side to s / 0.875 (bilinear), centre-crop s x s, the crop ratio
           of the Keras/TF reference training scripts.
  PyTorch: the weights enum's own `weights.transforms()`.
Keras arrays are HWC float32 in 0..255; PyTorch arrays are CHW float32, already normalised.
"""

from __future__ import annotations

from typing import Literal

Protocol = Literal["original", "standard"]

CROP_RATIO = 0.875
ORIGINAL_TORCH_RESIZE = 256
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
