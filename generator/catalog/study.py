"""The 34-model study's printed results table, kept as data (data/study_table.csv, with its citation),
and its comparison with what framebench recomputes from the study's own top-5 files.

The table is the README's "Benchmark Results on ImageNet" as printed (two decimals). A row's `note`
explains a known difference: upstream replaced the PyTorch resnet152 files after printing the table,
so today's files give 77.61 / 93.82 where the table says 77.62 / 93.81.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from generator.schema.models import AccuracyResult

TABLE_FILE = "study_table.csv"
PLATFORMS = {"Keras 2.2.4": "keras", "PyTorch 1.0": "pytorch"}
PRINTED_DECIMALS = 2


@dataclass(frozen=True)
class PrintedRow:
    framework: str  # keras | pytorch
    model: str  # our registry's name (lower case: the study's "mobilenetV2" is "mobilenetv2")
    platform: str  # as printed, e.g. "Keras 2.2.4"
    top1: float
    top5: float
    rank1: int
    rank5: int
    note: str


@dataclass(frozen=True)
class Reproduction:
    """One model: the printed figure, framebench's figure from the same files, and the difference."""

    framework: str
    model: str
    printed_top1: float
    printed_top5: float
    recomputed_top1: float | None  # None: no recomputed result for this model
    recomputed_top5: float | None
    diff_top1: float | None  # recomputed rounded to two decimals, minus printed
    diff_top5: float | None
    note: str

    @property
    def equal(self) -> bool:
        return self.diff_top1 == 0.0 and self.diff_top5 == 0.0


def _table_lines() -> list[str]:
    return resources.files("generator.catalog").joinpath("data", TABLE_FILE).read_text("utf-8").splitlines()


def citation() -> str:
    """The printed table's citation: the comment lines heading its data file."""
    return " ".join(line.removeprefix("#").strip() for line in _table_lines() if line.startswith("#"))


@cache
def printed_table() -> tuple[PrintedRow, ...]:
    """The 34 rows in the printed order (rank 1 first)."""
    lines = [line for line in _table_lines() if not line.startswith("#")]
    return tuple(
        PrintedRow(
            framework=PLATFORMS[row["platform"]],
            model=row["model"].lower(),
            platform=row["platform"],
            top1=float(row["acc1"]),
            top5=float(row["acc5"]),
            rank1=int(row["rank1"]),
            rank5=int(row["rank5"]),
            note=row["note"],
        )
        for row in csv.DictReader(io.StringIO("\n".join(lines)))
    )


def _diff(recomputed: float | None, printed: float) -> float | None:
    if recomputed is None:
        return None
    return round(round(recomputed, PRINTED_DECIMALS) - printed, PRINTED_DECIMALS) + 0.0  # no -0.0


def reproduction(results: Iterable[AccuracyResult]) -> list[Reproduction]:
    """Every printed row beside the recomputed result of the same framework and model (ok ones only)."""
    ours: dict[tuple[str, str], AccuracyResult] = {
        (r.framework, r.model): r for r in results if r.status == "ok"
    }
    out = []
    for row in printed_table():
        r = ours.get((row.framework, row.model))
        top1, top5 = (r.top1, r.top5) if r is not None else (None, None)
        out.append(
            Reproduction(
                framework=row.framework,
                model=row.model,
                printed_top1=row.top1,
                printed_top5=row.top5,
                recomputed_top1=top1,
                recomputed_top5=top5,
                diff_top1=_diff(top1, row.top1),
                diff_top5=_diff(top5, row.top5),
                note=row.note,
            )
        )
    return out
