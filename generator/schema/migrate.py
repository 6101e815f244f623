"""Bring an older run file up to the current schema version before validation.

Each entry of MIGRATIONS turns version N into N+1. Version 1 is the first, so the table is empty,
but the hook runs on every load so the next schema change only adds an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.errors import UserError
from generator.schema.models import SCHEMA_VERSION

Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}


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
