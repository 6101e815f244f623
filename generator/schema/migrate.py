"""Bring an older run file up to the current schema version before validation, and describe every
version that validation reads in one JSON Schema.

Each entry of MIGRATIONS turns version N into N+1; the hook runs on every load, so files stay a
record of what was measured and are never rewritten. Each entry of OLDER_SCHEMAS says the same
change in JSON Schema: from the definitions of version N+1 it makes those of version N that differ.

Version history:

1. The first format.
2. A result's `stats` say what their interval covers (`interval`, `confidence`, `processes`),
   since results may come from several worker processes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from generator.errors import UserError
from generator.schema.models import SCHEMA_VERSION
from generator.stats.timing import median_ci_ranks

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def update_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 says what each interval covers. Every version-1 result came from one process, so its
    interval is the within-process one, at the true coverage of its number of samples."""
    results = data.get("results")
    for result in results if isinstance(results, list) else []:
        stats = result.get("stats") if isinstance(result, dict) else None
        if isinstance(stats, dict) and "interval" not in stats:
            rounds = stats.get("rounds")
            level = median_ci_ranks(rounds)[2] if type(rounds) is int and 0 < rounds <= 100000 else 0.0
            stats.update(interval="within-process", confidence=level, processes=1)
    return data


MIGRATIONS: dict[int, Migration] = {1: update_to_2}

Definitions = dict[str, dict[str, Any]]  # JSON Schema "$defs", by model name; "Run" is the file itself


def schema_of_1(defs: Definitions) -> Definitions:
    """Version 1 beside version 2: stats may lack what update_to_2 adds. Where `interval` is there,
    update_to_2 leaves the stats alone, so version 2's rules apply to them whole."""
    added = ("interval", "confidence", "processes")
    stats = copy.deepcopy(defs["Stats"])
    stats["required"] = [name for name in stats["required"] if name not in added]
    stats["dependentRequired"] = {"interval": list(added[1:])}
    return {"Stats": stats}


OLDER_SCHEMAS: dict[int, Callable[[Definitions], Definitions]] = {1: schema_of_1}


def every_version(current: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of every version validation reads (oneOf, told apart by schema_version), from
    the current version's (a model's schema: the run at the top level, its models in "$defs").
    Each older version's definitions that differ get its number ("Stats1"), with the definitions
    that refer to them, up to its "Run1"."""
    run = {k: v for k, v in current.items() if k != "$defs"}
    defs: Definitions = {**current.get("$defs", {}), "Run": run}
    out = dict(defs)
    newer = defs
    for version in range(SCHEMA_VERSION - 1, 0, -1):
        changed = OLDER_SCHEMAS[version](newer)
        older = {**newer, **changed}
        older["Run"] = copy.deepcopy(older["Run"])
        older["Run"]["properties"]["schema_version"] = {"const": version, "type": "integer"}
        differ = _referring(older, {*changed, "Run"})
        out |= {f"{name}{version}": _renamed(older[name], differ, version) for name in differ}
        newer = older
    refs = [{"$ref": f"#/$defs/Run{v if v < SCHEMA_VERSION else ''}"} for v in range(SCHEMA_VERSION, 0, -1)]
    return {"$defs": out, "oneOf": refs}


def _ref(name: str) -> str:
    return f"#/$defs/{name}"


def _mentions(value: object, refs: set[str]) -> bool:
    if isinstance(value, dict):
        return any(_mentions(v, refs) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, refs) for v in value)
    return value in refs


def _referring(defs: Definitions, names: set[str]) -> set[str]:
    """`names` and every definition that refers to one of them, directly or not."""
    found = set(names)
    while True:
        refs = {_ref(n) for n in found}
        more = {name for name, d in defs.items() if name not in found and _mentions(d, refs)}
        if not more:
            return found
        found |= more


def _renamed(value: Any, names: set[str], version: int) -> Any:
    """`value` with every reference to one of `names` pointing at its version-numbered twin."""
    if isinstance(value, dict):
        return {k: _renamed(v, names, version) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names, version) for v in value]
    if isinstance(value, str) and value.startswith("#/$defs/") and value.removeprefix("#/$defs/") in names:
        return f"{value}{version}"
    return value


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Return `data` at SCHEMA_VERSION; raise UserError for versions this tool cannot read."""
    version = data.get("schema_version")
    if type(version) is not int:
        raise UserError(f"schema_version: must be an integer, got {version!r:.40}")
    if version > SCHEMA_VERSION:
        raise UserError(
            f"schema_version: {version} is newer than this framebench knows ({SCHEMA_VERSION}); "
            "upgrade framebench to read it"
        )
    if version < 1:
        raise UserError(f"schema_version: {version} is not a valid version (the first is 1)")
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["schema_version"] = version
    return data
