"""One problem found in a submitted run: an error (fails CI) or a warning (fails only with --strict)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]
# Line breaks and control characters from a submitted file could forge extra output lines, and a line
# starting with `::` is a command to the GitHub Actions runner; they are printed escaped.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    return _UNPRINTABLE.sub(lambda m: repr(m.group(0))[1:-1], text)


@dataclass(frozen=True)
class Finding:
    level: Level
    file: str
    field: str
    message: str

    def line(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return printable(f"{self.level}: {where}: {self.message}")


@dataclass(frozen=True)
class Issue:
    """A finding before it knows its file: what the pure checks return."""

    field: str
    message: str

    def at(self, level: Level, file: str) -> Finding:
        return Finding(level, file, self.field, self.message)
