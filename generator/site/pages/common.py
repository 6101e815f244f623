"""What every page module shares: the Page context, where pages live, labels and number formats.

A context holds data, never markup: text is escaped by the output stage, link targets are
docs-relative paths built here from slugs and run ids (never from free text).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from generator.site.output.markup import seconds, slug, url
from generator.site.output.page import Page

__all__ = ["Page"]  # page modules take the Page context from here, with the paths


def run_page(run_id: str) -> str:
    return f"runs/{run_id}.md"


def run_download(run_id: str) -> str:
    return f"downloads/runs/{run_id}.json"


def os_page(os_tag: str) -> str:
    return f"machines/{os_tag}/index.md"


def machine_page(machine_id: str) -> str:
    os_tag, key = machine_id.split("/", 1)
    return f"machines/{os_tag}/{slug(key)}.md"


def case_page(case: str) -> str:
    return f"operations/{slug(case)}.md"


def machine_labels(machines: pd.DataFrame) -> dict[str, str]:
    """What a person would call each machine: "H100 80GB · Xeon (8 cores) · ubuntu-24.04", unique on
    the site (two machines of one make keep apart by the start of their key)."""
    labels = {m.machine_id: f"{m.hardware} · {m.os_tag}" for m in rows_of(machines)}
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    return {
        mid: label if counts[label] == 1 else f"{label} · {mid.split('/', 1)[1][:6]}"
        for mid, label in labels.items()
    }


def ci_text(lo: float, hi: float) -> str:
    return f"{seconds(lo)} – {seconds(hi)}"


def chart_href(here: str, run_id: str) -> str:
    return url(here, run_page(run_id))


def safe_title(name: str, kind: str) -> str:
    """A page title without run-file text where the name is not a plain slug: MkDocs and Material put
    titles into <title> and navigation unescaped, so free text is shown only in the page body."""
    return name if slug(name) == name else f"{kind} {slug(name)}"


def newest_date(runs: pd.DataFrame) -> str:
    return str(runs["date"].max()) if len(runs) else "no runs yet"


def rows_of(frame: pd.DataFrame) -> Iterator[Any]:
    """A frame's rows as named tuples. Typed Any: pandas-stubs types every field as a union of all
    scalar types, while our frames' columns each hold one known type."""
    return iter(frame.itertuples(index=False))
