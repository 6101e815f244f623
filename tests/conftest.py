"""Loaded before any test module. torch and torchvision are imported first: tensorflow imported
before torchvision in one process segfaults (the frameworks otherwise run in their own subprocesses)."""

from __future__ import annotations

import torch  # noqa: F401  (import order matters, see above)
import torchvision  # noqa: F401
