"""The published JSON Schema (`framebench schema`) is a valid schema (ECMA-262 patterns, checked by
check-jsonschema against its metaschema with format checking), and describes every schema version
that validation reads: every committed run file, as it is on disk, validates against it. Editors and
other tools read run files through this schema."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator.errors import ValidationFailed
from generator.schema import SCHEMA_VERSION, run_schema
from generator.schema.load import parse_run
from generator.schema.migrate import MIGRATIONS, OLDER_SCHEMAS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
COMMITTED = sorted([*(ROOT / "runs").rglob("*.json"), *(ROOT / "tests/data/runs").rglob("*.json")])


def check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--regex-variant", "default", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "run.schema.json"
    path.write_text(json.dumps(run_schema(), indent=2), encoding="utf-8")
    return path


def test_schema_passes_its_metaschema_with_format_checks(schema: Path) -> None:
    done = check_jsonschema("--check-metaschema", str(schema))
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_committed_run_validates_against_the_schema_as_it_is(schema: Path) -> None:
    versions = {json.loads(path.read_bytes())["schema_version"] for path in COMMITTED}
    assert versions == set(range(1, SCHEMA_VERSION + 1))  # the files hold every version
    done = check_jsonschema("--schemafile", str(schema), *map(str, COMMITTED))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_rejects_what_validation_rejects(schema: Path, tmp_path: Path) -> None:
    bad = json.loads(COMMITTED[0].read_text(encoding="utf-8"))
    bad["source"] = {"repository": "x", "url": 'https://example.org/"quoted"'}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert check_jsonschema("--schemafile", str(schema), str(path)).returncode == 1


def _oldest_with_stats() -> dict[str, Any]:
    for path in COMMITTED:
        data = json.loads(path.read_bytes())
        if data["schema_version"] == 1 and any("stats" in r for r in data["results"]):
            return data
    raise AssertionError("no committed version-1 run with stats")


def test_each_version_is_held_to_its_own_rules() -> None:
    """Version 1's stats may lack what version 2 requires; a file says which version it is, and
    the schema agrees with validation on each variant."""
    v1 = _oldest_with_stats()
    stats = next(r["stats"] for r in v1["results"] if "stats" in r)
    assert "interval" not in stats
    as_v2 = copy.deepcopy(v1) | {"schema_version": 2}  # the same content called version 2
    half = copy.deepcopy(v1)
    next(r["stats"] for r in half["results"] if "stats" in r)["interval"] = "within-process"
    migrated = MIGRATIONS[1](copy.deepcopy(v1)) | {"schema_version": 2}
    validator = jsonschema.Draft202012Validator(run_schema())
    for data, valid in ((v1, True), (as_v2, False), (half, False), (migrated, True)):
        assert validator.is_valid(data) is valid
        try:
            parse_run(json.dumps(data).encode())
            accepted = True
        except ValidationFailed:
            accepted = False
        assert accepted is valid
    assert set(OLDER_SCHEMAS) == set(MIGRATIONS)  # each migration says its change in the schema too
