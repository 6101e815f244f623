"""Find and replace personal data (home paths, user and host names, e-mail and private addresses) in
every free-text string of a run before it is published.

Identifiers and versions (`run_id`, `created`, `machine.frameworks`, driver versions, ...) are never
touched: a version such as 10.2.0.1 must not turn into an address placeholder. The machine block is
written by probes, not typed by people, so only the generic patterns run there: this machine's own
host name can be a word like `debian` that also appears in the OS tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.contrib.walk import map_strings
from generator.machine.privacy import scrub_text

# What a replaced piece reads as. The markup check accepts these placeholders as plain text.
PLACEHOLDERS = ("~", "<user>", "<host>", "<email>", "<ip>", "<user>@<host>")

_ID_FIELDS = frozenset(
    {"schema_version", "run_id", "created", "tool_version", "host_id", "commit", "url", "python"}
)
_VERSION_FIELDS = frozenset({"version", "driver", "compute_capability", "kernel"})

# (what it is, pattern, replacement); order matters: a home path wins over an e-mail inside it.
_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("home path", re.compile(r"[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s\"']+", re.IGNORECASE), "~"),
    ("home path", re.compile(r"/(?:home|Users)/[^/\s\"'<>]+"), "~"),
    (
        "e-mail address",
        re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
        "<email>",
    ),
    ("user@host", re.compile(r"\b[A-Za-z_][\w.-]*@[A-Za-z][\w-]*\b"), "<user>@<host>"),
    (
        "host name",
        re.compile(
            r"\b[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*"
            r"\.(?:local|lan|localdomain|internal|intranet|corp|home\.arpa)\b",
            re.IGNORECASE,
        ),
        "<host>",
    ),
    ("host name", re.compile(r"\bec2-\d{1,3}(?:-\d{1,3}){3}\.[\w.-]*amazonaws\.com\b"), "<host>"),
    ("host name", re.compile(r"\bip-\d{1,3}(?:-\d{1,3}){3}\b"), "<host>"),
    (
        "private IP address",
        re.compile(
            r"(?<![\w.])(?:10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}"
            r"|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3})(?![\w.])"
        ),
        "<ip>",
    ),
)


@dataclass(frozen=True)
class Replacement:
    field: str
    kind: str
    found: str
    replacement: str

    def describe(self) -> str:
        return f"{self.field}: replaced {self.kind} {self.found!r} with {self.replacement!r}"


def _skipped(path: str) -> bool:
    last = path.removesuffix(" (key)").rsplit(".", 1)[-1]
    if path.endswith(" (key)"):
        return False
    if last in _ID_FIELDS or last in _VERSION_FIELDS:
        return True
    # Framework versions (`machine.frameworks.torch`) and file hashes (`results.0.files.x`).
    return path.startswith("machine.frameworks.") or ".files." in path


def _changed_part(old: str, new: str) -> tuple[str, str]:
    """The differing middle of two strings (their common start and end cut off), for the report."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return old[start : len(old) - end], new[start : len(new) - end]


def scrub_data(data: Any, *, this_machine: bool = True) -> tuple[Any, list[Replacement]]:
    """A copy of a run's JSON data with personal data replaced, and what was replaced.

    this_machine: also replace this computer's own user and host names and home path (submit runs on
    the contributor's machine; CI leaves this off, since the runner's names say nothing).
    """
    found: list[Replacement] = []

    def change(path: str, text: str) -> str:
        if _skipped(path):
            return text
        if this_machine and not path.startswith("machine."):
            scrubbed = scrub_text(text)
            if scrubbed != text:
                before, after = _changed_part(text, scrubbed)
                found.append(Replacement(path, "this machine's home path, user or host name", before, after))
                text = scrubbed
        for kind, pattern, replacement in _RULES:
            pieces: list[str] = []
            end = 0
            for match in pattern.finditer(text):
                if match.group(0) in PLACEHOLDERS:
                    continue
                found.append(Replacement(path, kind, match.group(0), replacement))
                pieces += [text[end : match.start()], replacement]
                end = match.end()
            text = "".join(pieces) + text[end:]
        return text

    return map_strings(data, change), found
