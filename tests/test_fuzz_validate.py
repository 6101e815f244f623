"""Fuzzing the run-file loader: hostile and malformed files get `error:` lines, never a traceback.

Hypothesis mutates a valid run file (wrong types, missing/extra fields, huge or non-finite numbers,
deep nesting, long strings, broken bytes, newer schema versions) at random places. Every mutant must
either validate into a Run or raise ValidationFailed; any other exception is a bug.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import ValidationFailed
from generator.schema import dump_run
from generator.schema.load import parse_run
from tests.factories import make_accuracy, make_run

BASE_RUNS = [
    json.loads(dump_run(make_run())),
    json.loads(dump_run(make_run(kind="accuracy", results=[make_accuracy()]))),
]

hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 5e-324, 10**40]),
    st.text(max_size=50),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "{{ 7*7 }}",
            "[x](javascript:alert(1))",
            "x" * 5000,
            "\u0000",
            "\ud7ff\uffff",
        ]
    ),
)
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


def _mutate(data: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    if not path:
        return value if action == "replace" else data
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif action == "extra" and isinstance(parent, dict):
        parent[f"extra_{last}"] = value
    elif action == "nest":
        deep: Any = value
        for _ in range(200):
            deep = [deep]
        parent[last] = deep
    return data


def _check(raw: bytes) -> None:
    try:
        parse_run(raw)
    except ValidationFailed as e:
        assert e.lines and all(isinstance(line, str) and line for line in e.lines)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_run_files_never_crash_the_loader(data: st.DataObject) -> None:
    run = json.loads(json.dumps(data.draw(st.sampled_from(BASE_RUNS))))
    path = data.draw(st.sampled_from(_paths(run)))
    action = data.draw(st.sampled_from(["replace", "delete", "extra", "nest"]))
    mutant = _mutate(run, path, action, data.draw(hostile_values))
    _check(json.dumps(mutant).encode())


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=300))
def test_random_bytes_never_crash_the_loader(raw: bytes) -> None:
    _check(raw)


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=0, max_value=400), junk=st.binary(max_size=8))
def test_truncated_and_corrupted_files(cut: int, junk: bytes) -> None:
    text = dump_run(make_run()).encode()
    _check(text[:cut] + junk + text[cut + len(junk) :])


def test_newer_versions_and_huge_files_give_error_lines(tmp_path: Path) -> None:
    run_id = "2026-11-24T12-00-00Z-debian-12-x86_64-abc123"
    base = BASE_RUNS[0]
    cases = {
        "newer": json.dumps({**base, "schema_version": 99}),
        "huge": json.dumps({**base, "command": "x" * (10 * 1024 * 1024)}),
        "nan": dump_run(make_run()).replace('"memory_gb": 16.0', '"memory_gb": NaN'),
    }
    for name, text in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / f"{run_id}.json").write_text(text)
        done = subprocess.run(
            [sys.executable, "-m", "generator", "validate", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1, name
        assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr, name
