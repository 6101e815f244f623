"""Read, validate and write run files.

Validation reports every problem of every file at once as `path: field.path: message` lines, so a
contributor fixes a run in one round. Writing is atomic (temp file + fsync + rename): a crash never
leaves a half-written run file behind.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.errors import UserError, ValidationFailed
from generator.schema.migrate import every_version, migrate
from generator.schema.models import PATTERN_MESSAGES, SCHEMA_VERSION, Byproducts, Run

MAX_FILE_BYTES = 5 * 1024 * 1024
_UNION_TAGS = {"ops", "accuracy"}
# Field names come from the file: escaped so a key cannot start a new output line (or a CI command).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display(path: Path) -> str:
    """The path as a user typed it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed: numbers must be finite")


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for i, item in enumerate(loc):
        # Tagged unions add the tag ('ops') to the location; it names no field of the file.
        if item in _UNION_TAGS and i > 0 and isinstance(loc[i - 1], int):
            continue
        parts.append(_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), str(item)[:80]))
    return ".".join(parts) or "(top level)"


def _pydantic_lines(err: ValidationError) -> list[str]:
    lines = []
    for e in err.errors(include_url=False, include_input=False):
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "string_pattern_mismatch":
            msg = PATTERN_MESSAGES.get(str((e.get("ctx") or {}).get("pattern")), msg)
        lines.append(f"{_field_path(e['loc'])}: {msg}")
    return lines


def parse_run(raw: bytes, byproducts: Byproducts | None = None) -> Run:
    """Parse and validate one run file's bytes; raise ValidationFailed with field-level lines.
    `byproducts` receives what validation computed for a reader (models.Byproducts)."""
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationFailed(f"file is {len(raw)} bytes, over the {MAX_FILE_BYTES} byte limit")
    try:
        # Fast path: pydantic-core parses and validates in one pass (about 10x quicker, which matters
        # for a site of 10,000 runs). Only a file at the current version can pass it, since
        # schema_version is a Literal; anything else takes the slow path for precise messages.
        return Run.model_validate_json(raw, context=byproducts)
    except (ValidationError, ValueError, RecursionError):
        if byproducts is not None:
            byproducts.start_over()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValidationFailed(f"not UTF-8 text (byte {e.start})") from None
    try:
        data: Any = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise ValidationFailed(f"invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except ValueError as e:
        raise ValidationFailed(f"invalid JSON: {e}") from None
    except RecursionError:
        raise ValidationFailed("invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ValidationFailed(f"(top level): must be a JSON object, got {type(data).__name__}")
    try:
        data = migrate(data)
        # JSON-mode validation: strict types, yet a JSON array is accepted where a tuple is declared.
        return Run.model_validate_json(json.dumps(data), context=byproducts)
    except ValidationError as e:
        lines = _pydantic_lines(e)
        raise ValidationFailed(lines[0], lines=lines) from None
    except UserError as e:
        raise ValidationFailed(str(e)) from None
    except RecursionError:
        raise ValidationFailed("(top level): nested too deeply") from None


def load_run(path: Path) -> Run:
    """Load one run file; errors are prefixed with the file's path."""
    return run_from_bytes(path, read_run_file(path))


def read_run_file(path: Path) -> bytes:
    """A run file's bytes (refused over the size limit); errors are prefixed with its path."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationFailed(
                f"{display(path)}: file is {path.stat().st_size} bytes, over the {MAX_FILE_BYTES} byte limit"
            )
        return path.read_bytes()
    except OSError as e:
        raise ValidationFailed(f"{display(path)}: cannot read: {e.strerror}") from None


def run_from_bytes(path: Path, raw: bytes, byproducts: Byproducts | None = None) -> Run:
    """The run in `raw`, read from `path` (whose name must be its run id)."""
    try:
        run = parse_run(raw, byproducts)
    except ValidationFailed as e:
        lines = [f"{display(path)}: {line}" for line in e.lines]
        raise ValidationFailed(lines[0], lines=lines) from None
    check_file_name(path, run.run_id)
    return run


def check_file_name(path: Path, run_id: str) -> None:
    """A run file is named after its run id."""
    if path.stem != run_id:
        msg = f"{display(path)}: run_id: {run_id!r} does not match the file name {path.name!r}"
        raise ValidationFailed(msg)


def run_paths(paths: Iterable[Path]) -> list[Path]:
    """Every run file named or found (recursively, *.json) under the given paths, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in path.rglob("*.json") if p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise UserError(f"{display(path)}: no such file or folder")
    return sorted(set(found))


def duplicate_run_ids(sources: Iterable[tuple[str, Path | str]]) -> list[str]:
    """One problem line for every (run id, file) whose run id an earlier file already uses."""
    seen: dict[str, Path | str] = {}
    problems = []
    for run_id, path in sources:
        if run_id in seen:
            first, again = display(Path(seen[run_id])), display(Path(path))
            problems.append(f"{again}: run_id: {run_id!r} is also used by {first}")
        else:
            seen[run_id] = path
    return problems


def load_runs(paths: Iterable[Path]) -> list[Run]:
    """Load and validate every run under `paths`; raise one ValidationFailed listing all problems."""
    runs: list[Run] = []
    sources: list[tuple[str, Path]] = []
    problems: list[str] = []
    for path in run_paths(paths):
        try:
            run = load_run(path)
        except ValidationFailed as e:
            problems.extend(e.lines)
            continue
        runs.append(run)
        sources.append((run.run_id, path))
    problems.extend(duplicate_run_ids(sources))
    if problems:
        raise ValidationFailed(problems[0], lines=problems)
    return runs


def dump_run(run: Run) -> str:
    """Canonical JSON text of a run: sorted keys, no nulls, a final newline."""
    data = run.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; run files are shared and committed
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_run(run: Run, out_dir: Path) -> Path:
    """Validate `run` again (it may have been built by hand) and write it as `<out_dir>/<run_id>.json`."""
    text = dump_run(run)
    Run.model_validate_json(text)
    path = out_dir / f"{run.run_id}.json"
    write_atomic(path, text)
    return path


def run_schema() -> dict[str, Any]:
    """The JSON Schema of a run file, of every schema version that validation reads."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "framebench run file",
        "description": f"A framebench run, at any schema version from 1 to {SCHEMA_VERSION}.",
        **every_version(Run.model_json_schema(mode="validation")),
    }
