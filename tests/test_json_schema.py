"""The published JSON Schema is a valid schema (ECMA-262 patterns, checked by check-jsonschema
against its metaschema with format checking), and every committed run, migrated to the current
version, validates against it: editors and other tools read run files through this schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.schema import run_schema
from generator.schema.migrate import migrate

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


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


def test_every_committed_run_validates_against_the_schema(schema: Path, tmp_path: Path) -> None:
    paths = sorted((ROOT / "runs").rglob("*.json"))
    assert paths
    migrated = []
    for path in paths:
        out = tmp_path / path.name
        out.write_text(json.dumps(migrate(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
        migrated.append(str(out))
    done = check_jsonschema("--schemafile", str(schema), *migrated)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_rejects_what_validation_rejects(schema: Path, tmp_path: Path) -> None:
    bad = json.loads((sorted((ROOT / "runs").rglob("*.json"))[0]).read_text(encoding="utf-8"))
    bad = migrate(bad)
    bad["source"] = {"repository": "x", "url": 'https://example.org/"quoted"'}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert check_jsonschema("--schemafile", str(schema), str(path)).returncode == 1
