"""Text that goes into pages: escaping of run-file strings and fixed number formatting.

Run files come from strangers, so every string from one is data, never markup: `md()` makes it
literal text in Markdown (and in the HTML that Markdown passes through), `script_json()` makes a
JSON document safe inside a <script> element. Numbers are formatted with fixed rules so the same
runs always give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import posixpath
import re
from typing import Any

from markupsafe import Markup

# Characters Python-Markdown (with tables, attr_list, md_in_html) gives an inline meaning to. Run
# strings never start a line in our templates, so block markers (`-`, `1.`, `>`) need no escape;
# `<`, `>`, `&` and quotes become entities, which Markdown leaves alone.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#!|])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_ENTITY_RE = re.compile("[&<>\"']")
_CODE_ESCAPE = re.compile(r"[&<>\"'\\`*_{}\[\]#!|]")
_SLUG_UNSAFE = re.compile(r"[^a-z0-9_]+")


@functools.lru_cache(maxsize=1 << 16)  # run pages repeat the same few names millions of times
def md(value: object) -> Markup:
    """`value` as literal text inside Markdown: inline, on one line, no links, no HTML, no emphasis."""
    text = " ".join(str(value).split())  # newlines would end a table row or a paragraph
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return Markup(_ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], text))


def code(value: object) -> Markup:
    """`value` shown as inline code, still escaped: HTML's characters become entities, and so do the
    ones Markdown still reads inside inline HTML (emphasis, links, escapes, backticks)."""
    text = " ".join(str(value).split())
    return Markup(f"<code>{_CODE_ESCAPE.sub(_code_entity, text)}</code>")


def _code_entity(m: re.Match[str]) -> str:
    return _ENTITIES.get(m.group(0)) or f"&#{ord(m.group(0))};"


def script_json(data: Any) -> Markup:
    """Canonical JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def slug(name: str) -> str:
    """A file-name-safe slug; a short hash keeps names that differ only in unsafe characters apart."""
    base = _SLUG_UNSAFE.sub("-", name.lower()).strip("-")[:60] or "x"
    if base == name:
        return base
    return f"{base}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"


def link(from_page: str, to_path: str) -> str:
    """Relative Markdown link target from one docs-relative .md file to another docs-relative file."""
    return _relpath(to_path, posixpath.dirname(from_page) or ".")


@functools.lru_cache(maxsize=1 << 17)  # pages link to the same run and case pages from few folders
def _relpath(path: str, start: str) -> str:
    return posixpath.relpath(path, start)


def page_url(page: str) -> str:
    """The directory URL MkDocs gives a page (use_directory_urls): a/b.md -> a/b/, a/index.md -> a/."""
    stem = page.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
        return stem
    return stem + "/"


@functools.lru_cache(maxsize=1 << 17)  # tables link to the same run and case pages many times
def url(from_page: str, to_page: str) -> str:
    """Relative browser URL from one page to another page or file (for raw HTML and chart links,
    which MkDocs does not rewrite)."""
    here = page_url(from_page)
    there = page_url(to_page) if to_page.endswith(".md") else to_page
    rel = posixpath.relpath(there or ".", here.rstrip("/") or ".")
    return rel + "/" if to_page.endswith(".md") and not rel.endswith("/") else rel


def seconds(value: float) -> str:
    """Three significant digits with a unit from ns to s: `1.23 ms`."""
    # Unrolled (no loop over units): a large build formats millions of these.
    if not math.isfinite(value):
        return "–"
    if value >= 1.0:
        return f"{_sig3(value)} s"
    if value >= 1e-3:
        return f"{_sig3(value / 1e-3)} ms"
    if value >= 1e-6:
        return f"{_sig3(value / 1e-6)} µs"
    return f"{_sig3(value / 1e-9)} ns"


def _sig3(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def html(value: object) -> Markup:
    """`value` as literal text inside raw HTML (an element or a double-quoted attribute)."""
    text = " ".join(str(value).split())
    return Markup(_ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], text))


def fixed(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else "–"


def ratio(value: float) -> str:
    return f"{_sig3(value)}×" if math.isfinite(value) else "–"


RATIO_SHOWN = 1000.0  # interval ends past 1000× either way say only that: the digits mean nothing


def ratio_interval(lo: float, hi: float) -> str:
    """A ratio's interval; an end beyond 1/1000 or 1000 (two cases or machines give such) reads
    "< 0.001×" or "> 1000×" instead of a long number that looks precise."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "–"
    low = f"< {1 / RATIO_SHOWN:g}×" if lo < 1 / RATIO_SHOWN else ratio(lo)
    high = f"> {RATIO_SHOWN:g}×" if hi > RATIO_SHOWN else ratio(hi)
    return f"{low} – {high}"
