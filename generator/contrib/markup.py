"""Find HTML and JavaScript in a run's strings.

Run files are data: the site escapes every string and nothing reads them as code. Markup in a run
is still refused, because it has no business there and is the usual first step of an injection
attempt against whichever page, summary or tool shows the text next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.contrib.personal import PLACEHOLDERS
from generator.contrib.walk import strings

_TAG = re.compile(
    r"<\s*/?\s*[A-Za-z!?][^<>]{0,200}>|<\s*(?:script|iframe|img|svg|object|embed|style)\b", re.I
)
_SCRIPT_URL = re.compile(r"\b(?:javascript|vbscript)\s*:|\bdata\s*:\s*text/html", re.I)
_HANDLER = re.compile(r"\bon[a-z]{3,20}\s*=\s*[\"'`]", re.I)
_PLACEHOLDER_TAGS = frozenset(p for p in PLACEHOLDERS if p.startswith("<"))


@dataclass(frozen=True)
class Markup:
    field: str
    snippet: str


def _without_placeholders(text: str) -> str:
    for placeholder in _PLACEHOLDER_TAGS:
        text = text.replace(placeholder, " ")
    return text


def find_markup(data: Any) -> list[Markup]:
    """Every string (value or key) of a run's JSON data that holds a tag, a script URL or a handler."""
    found = []
    for path, text in strings(data):
        plain = _without_placeholders(text)
        for pattern in (_TAG, _SCRIPT_URL, _HANDLER):
            match = pattern.search(plain)
            if match:
                found.append(Markup(path, match.group(0)[:60]))
                break
    return found
