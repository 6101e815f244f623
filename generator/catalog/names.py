"""The names every part of framebench spells the same way: frameworks, devices, the two model zoos,
and the key that identifies a result within a run. Imports nothing, so the schema can use it too."""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import combinations
from typing import Literal, get_args

Framework = Literal["numpy", "tensorflow", "torch"]
FRAMEWORKS: tuple[Framework, ...] = get_args(Framework)
Device = Literal["cpu", "cuda", "mps"]
DEVICES: tuple[Device, ...] = get_args(Device)
# The accuracy suite names each zoo ("keras", "pytorch"); the speed suite names the framework that
# runs it ("tensorflow", "torch"). This maps the first to the second.
Zoo = Literal["keras", "pytorch"]
ZOO_FRAMEWORKS: dict[str, str] = {"keras": "tensorflow", "pytorch": "torch"}
ZOOS: tuple[Zoo, ...] = get_args(Zoo)
# A comparison of two frameworks reads "torch vs numpy": the earlier one here first.
COMPARISON_ORDER: tuple[str, ...] = ("torch", "tensorflow", "numpy")
FRAMEWORK_PAIRS = tuple(combinations(COMPARISON_ORDER, 2))

# What identifies a timing result within a run: --resume skips what a run file already holds by it,
# the runner replaces a result by it, the site keeps the newest result per machine and key.
RESULT_KEY_FIELDS = ("family", "case", "framework", "device", "dtype", "variant", "params")


def result_key(fields: Mapping[str, object]) -> str:
    """The key of a result, work item or worker share given as its fields (a missing variant is the
    default one, missing params are none)."""
    params = fields.get("params") or {}
    assert isinstance(params, Mapping)
    return json.dumps(
        [
            *(str(fields[name]) for name in RESULT_KEY_FIELDS[:5]),
            str(fields.get("variant", "default")),
            sorted(params.items()),
        ]
    )
