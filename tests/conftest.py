"""Shared fixtures. torch and torchvision are imported first: tensorflow imported before
torchvision in one process segfaults (the frameworks otherwise run in their own subprocesses)."""

from __future__ import annotations

import pytest
import torch  # noqa: F401  (import order matters, see above)
import torchvision  # noqa: F401

from tests.factories import make_run


@pytest.fixture
def sample_run():  # type: ignore[no-untyped-def]
    return make_run()
