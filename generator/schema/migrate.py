"""Bring an older run file up to the current schema version before validation.

Each entry of MIGRATIONS turns version N into N+1; the hook runs on every load, so files stay a
record of what was measured and are never rewritten.
"""

from __future__ import annotations

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
