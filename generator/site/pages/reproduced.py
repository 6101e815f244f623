"""The reproduced page: per model of the 34-model study, three figures side by side: the study's
printed table (kept in generator/catalog/data with its citation), what framebench recomputes from
the study's top-5 files (the import run), and framebench's own measurement where one exists."""

from __future__ import annotations

import math

import pandas as pd

from generator.catalog import study
from generator.schema.models import AccuracyResult
from generator.site.output.markup import link
from generator.site.output.tables import Cell, rows_table
from generator.site.pages.architectures import REPRODUCED, ZOO_NAMES, architecture_page, num
from generator.site.pages.common import Page, rows_of, run_page


def _newest(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.assign(key=rows["model"].str.lower())
    return rows.sort_values(["created", "run_id"]).drop_duplicates(["framework", "key"], keep="last")


def _delta(value: float | None) -> Cell:
    if value is None or not math.isfinite(value):
        return Cell("–")
    return Cell(f"{value:+.2f}", sort=float(value))


def _measured_delta(measured: float, printed: float) -> float | None:
    """Measured (rounded as printed) minus printed, like study.reproduction's differences."""
    if not math.isfinite(measured):
        return None
    return round(round(measured, study.PRINTED_DECIMALS) - printed, study.PRINTED_DECIMALS) + 0.0


def reproduced_page(ok: pd.DataFrame) -> Page:
    """`ok`: the successful, pretrained accuracy rows (measured and imported)."""
    here = REPRODUCED
    original = ok[ok["protocol"] == "original"]
    imported = _newest(original[original["kind"] == "import"])
    measured = _newest(original[original["kind"] == "accuracy"])
    printed = {(p.framework, p.model): p for p in study.printed_table()}
    results = [
        AccuracyResult(suite="accuracy", model=r.key, framework=r.framework, protocol="original",
                       top1=r.top1, top5=r.top5, images=r.images)
        for r in rows_of(imported)
        if (r.framework, r.key) in printed  # only the study's own models: known, valid names
    ]  # fmt: skip
    runs = {(r.framework, r.key): r.run_id for r in rows_of(imported)}
    ours = {(r.framework, r.key): r for r in rows_of(measured)}
    rows, differences = [], []
    for rep in study.reproduction(results):
        key = (rep.framework, rep.model)
        mine = ours.get(key)
        run = runs.get(key, "")
        top1 = mine.top1 if mine is not None else math.nan
        rows.append(
            (
                Cell(printed[key].rank1, sort=float(printed[key].rank1)),
                Cell(rep.model, _architecture(ok, rep.framework, rep.model)),
                ZOO_NAMES.get(rep.framework, rep.framework),
                num(rep.printed_top1, 2),
                Cell(num(rep.recomputed_top1 or math.nan, 2).text, run_page(run) if run else "",
                     sort=rep.recomputed_top1),
                _delta(rep.diff_top1),
                Cell(num(top1, 2).text, run_page(mine.run_id), sort=top1)
                if mine is not None
                else "not measured",
                _delta(_measured_delta(top1, rep.printed_top1)),
                num(rep.printed_top5, 2),
                Cell(num(rep.recomputed_top5 or math.nan, 2).text, sort=rep.recomputed_top5),
                _delta(rep.diff_top5),
                "see What differs" if rep.note else "–",
            )
        )  # fmt: skip
        if rep.recomputed_top1 is not None and not rep.equal:
            differences.append(rep)
    sources = imported.drop_duplicates("run_id")[["run_id", "source"]]
    recomputed = sum(1 for rep in study.reproduction(results) if rep.recomputed_top1 is not None)
    return Page(
        path=here,
        template="reproduced.md.j2",
        title="The 34-model study, reproduced",
        data={
            "study": rows_table(
                "study",
                (
                    "rank (printed)",
                    "model",
                    "framework",
                    "top-1: printed (%)",
                    "top-1: recomputed (%)",
                    "Δ",
                    "top-1: measured (%)",
                    "Δ measured",
                    "top-5: printed (%)",
                    "top-5: recomputed (%)",
                    "Δ top-5",
                    "note",
                ),
                rows,
            ),
            "differences": [
                (
                    ZOO_NAMES.get(d.framework, d.framework),
                    d.model,
                    d.printed_top1,
                    d.printed_top5,
                    d.recomputed_top1,
                    d.recomputed_top5,
                    d.diff_top1,
                    d.diff_top5,
                    d.note,
                )
                for d in differences
            ],
            "printed": len(rows),
            "recomputed": recomputed,
            "measured": sum(1 for key in printed if key in ours),
            "citation": study.citation(),
            "sources": [(s.source, s.run_id, link(here, run_page(s.run_id))) for s in rows_of(sources)],
        },
    )


def _architecture(ok: pd.DataFrame, framework: str, model: str) -> str:
    """The architecture page a printed row links to ("" where no result of the model is on the site)."""
    found = ok[(ok["framework"] == framework) & (ok["model"].str.lower() == model)]
    return architecture_page(str(found["architecture"].iloc[0])) if len(found) else ""
