"""The header every new run file starts with: id, time, tool version, command, machine."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal, TypedDict

from generator import __version__


class HeaderFields(TypedDict):
    schema_version: Literal[2]
    run_id: str
    created: str
    tool_version: str
    command: str


@dataclass(frozen=True)
class RunHeader:
    run_id: str
    created: str
    tool_version: str
    command: str

    def fields(self) -> HeaderFields:
        """The header as keyword arguments of `Run`: Run(**header.fields(), kind=..., ...)."""
        return {
            "schema_version": 2,  # generator.schema.models.SCHEMA_VERSION
            "run_id": self.run_id,
            "created": self.created,
            "tool_version": self.tool_version,
            "command": self.command,
        }


def new_header(command: str, *, slug: str, now: datetime | None = None) -> RunHeader:
    """A unique run id `<UTC time>-<slug>-<6 hex>`; `slug` is e.g. 'debian-12-x86_64'."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    clean = "".join(c if c.isalnum() or c in "._-" else "-" for c in slug.lower()).strip("-.") or "run"
    run_id = f"{now:%Y-%m-%dT%H-%M-%S}Z-{clean[:80]}-{secrets.token_hex(3)}"
    return RunHeader(
        run_id=run_id, created=f"{now:%Y-%m-%dT%H:%M:%S}Z", tool_version=__version__, command=command
    )


def load_average() -> float | None:
    """The 1-minute load average (POSIX), recorded so a reader can tell a disturbed run (benchmark
    runs and the site benchmarks' figures alike)."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
