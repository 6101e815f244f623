"""One page per architecture (Keras and PyTorch side by side: accuracy with exact intervals, the
paired test on the same images, size and work per image, speed on every machine), their index, and
the number formats the accuracy pages share."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from generator.site.analysis.zoo import with_intervals
from generator.site.output.markup import fixed, link, seconds, slug
from generator.site.output.tables import Cell, Table, rows_table
from generator.site.pages.common import Page, ci_text, machine_page, rows_of, run_page, safe_title

LEADERBOARD = "accuracy/index.md"
REPRODUCED = "accuracy/reproduced.md"
ARCHITECTURES = "accuracy/architectures/index.md"
ZOO_NAMES = {"keras": "Keras", "pytorch": "PyTorch"}
FIGURES = {"import": "study", "accuracy": "measured"}


def architecture_page(arch: str) -> str:
    return f"accuracy/architectures/{slug(arch)}.md"


def num(value: float, digits: int) -> Cell:
    return Cell(fixed(value, digits), sort=None if math.isnan(value) else float(value))


def rate(value: float) -> Cell:
    """Three significant digits, never an exponent: 0.512, 12.3, 845."""
    if not math.isfinite(value):
        return Cell("–")
    digits = 0 if value >= 100 else 1 if value >= 10 else 2 if value >= 1 else 3
    return Cell(f"{value:.{digits}f}", sort=float(value))


def span(lo: float, hi: float, digits: int = 2) -> Cell:
    """An interval as "71.69 – 72.49", sorting by its low end."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return Cell("–")
    return Cell(f"{lo:.{digits}f} – {hi:.{digits}f}", sort=float(lo))


def rate_span(lo: float, hi: float) -> Cell:
    """An img/s interval; a time interval that reaches down to 0 s leaves the rate unbounded above."""
    if not math.isfinite(lo):
        return Cell("–")
    if not math.isfinite(hi):
        return Cell(f"≥ {rate(lo).text}", sort=float(lo))
    return Cell(f"{rate(lo).text} – {rate(hi).text}", sort=float(lo))


def time_span(lo: float, hi: float) -> str:
    return f"≤ {seconds(hi)}" if lo <= 0 else ci_text(lo, hi)


def p_text(p: float) -> str:
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"


def count(value: float) -> Cell:
    """A parameter count in millions: "25.6 M"."""
    if not math.isfinite(value):
        return Cell("–")
    return Cell(f"{value / 1e6:.1f} M", sort=float(value))


def verdict(row: Any) -> str:
    """What the paired test says, in words: which zoo is more accurate, or a tie."""
    if not row.significant:
        return "a tie: no significant difference"
    better = "PyTorch" if row.difference > 0 else "Keras"
    return f"{better} more accurate (significant)"


def accuracy_table(rows: pd.DataFrame) -> Table:
    """The newest figure per framework, protocol and source, with exact 95 % intervals."""
    newest = rows.sort_values(["created", "run_id"]).drop_duplicates(
        ["framework", "protocol", "kind"], keep="last"
    )
    newest = with_intervals(newest.sort_values(["protocol", "kind", "framework"], kind="stable"))
    return rows_table(
        "accuracy",
        ("implementation", "protocol", "figures", "top-1 (%)", "95 % interval", "top-5 (%)", "95 % interval",
         "images", "run"),
        [
            (
                f"{ZOO_NAMES.get(r.framework, r.framework)} {r.model}",
                r.protocol,
                FIGURES.get(r.kind, r.kind),
                num(r.top1, 2),
                span(r.top1_lo, r.top1_hi),
                num(r.top5, 2),
                span(r.top5_lo, r.top5_hi),
                Cell(f"{r.images:,}", sort=float(r.images)),
                Cell(r.run_id, run_page(r.run_id)),
            )
            for r in rows_of(newest)
        ],
    )  # fmt: skip


def paired_table(paired: pd.DataFrame) -> Table:
    return rows_table(
        "keras vs pytorch",
        ("accuracy", "Keras (%)", "PyTorch (%)", "PyTorch − Keras (points)", "only Keras right",
         "only PyTorch right", "p-value (McNemar)", "verdict", "study run"),
        [
            (
                "top-1" if r.k == "top1" else "top-5",
                num(r.keras_percent, 2),
                num(r.pytorch_percent, 2),
                Cell(f"{r.difference:+.2f}", sort=float(r.difference)),
                Cell(f"{r.keras_only:,}", sort=float(r.keras_only)),
                Cell(f"{r.pytorch_only:,}", sort=float(r.pytorch_only)),
                Cell(p_text(r.p_value), sort=float(r.p_value)),
                verdict(r),
                Cell(r.run_id, run_page(r.run_id)),
            )
            for r in rows_of(paired)
        ],
    )  # fmt: skip


def size_table(speed: pd.DataFrame) -> Table | None:
    """Parameters and FLOPs per image of each implementation, as its speed runs counted them."""
    if speed.empty:
        return None
    first = speed.drop_duplicates(["zoo", "model"]).sort_values(["zoo", "model"])
    return rows_table(
        "size",
        ("implementation", "input (pixels)", "parameters", "GFLOPs per image"),
        [
            (
                f"{ZOO_NAMES.get(r.zoo, r.zoo)} {r.model}",
                Cell(f"{r.input_size}×{r.input_size}", sort=float(r.input_size)),
                count(r.model_params),
                num(r.gflops_per_image, 2),
            )
            for r in rows_of(first)
        ],
    )


def speed_table(speed: pd.DataFrame) -> Table | None:
    """Every machine's newest figure per framework, variant and batch size."""
    if speed.empty:
        return None
    return rows_table(
        "speed",
        ("machine", "device", "framework", "variant", "batch", "img/s", "95 % interval", "time per batch",
         "95 % interval", "GFLOP/s", "run"),
        [
            (
                Cell(r.label, machine_page(r.machine_id)),
                r.device,
                r.framework,
                r.variant,
                Cell(r.batch, sort=float(r.batch)),
                rate(r.img_s),
                rate_span(r.img_s_lo, r.img_s_hi),
                Cell(seconds(r.median), sort=float(r.median)),
                time_span(r.ci_lo, r.ci_hi),
                num(r.gflops, 1),
                Cell(r.run_id, run_page(r.run_id)),
            )
            for r in rows_of(speed)
        ],
    )  # fmt: skip


def detail_table(rows: pd.DataFrame) -> Table:
    ordered = rows.sort_values(["framework", "protocol", "run_id"])
    return rows_table(
        "results",
        ("model", "framework", "protocol", "top-1 (%)", "top-5 (%)", "img/s (accuracy run)", "weights",
         "run"),
        [
            (r.model, r.framework, r.protocol, num(r.top1, 2), num(r.top5, 2), rate(r.img_s),
             r.weights or "–", Cell(r.run_id, run_page(r.run_id)))
            for r in rows_of(ordered)
        ],
    )  # fmt: skip


def architecture(arch: str, rows: pd.DataFrame, speed: pd.DataFrame, paired: pd.DataFrame) -> Page:
    """Keras and PyTorch side by side for one architecture: accuracy, the paired test, size, speed."""
    here = architecture_page(arch)
    top1 = paired[paired["k"] == "top1"]
    zoos = sorted(set(rows["framework"]) | set(speed["zoo"]))
    newest = rows.drop_duplicates(["framework", "protocol", "kind"])
    name = safe_title(arch, "Architecture")
    return Page(
        path=here,
        template="architecture.md.j2",
        title=f"{name}: accuracy and speed" + (" in Keras and PyTorch" if len(zoos) > 1 else ""),
        data={
            "arch": arch,
            "name": name,
            "zoos": [ZOO_NAMES.get(z, z) for z in zoos],
            "accuracy": accuracy_table(rows),
            "paired": paired_table(paired) if len(paired) else None,
            "agreement": float(top1["agreement"].iloc[0]) if len(top1) else None,
            "paired_images": f"{int(top1['images'].iloc[0]):,}" if len(top1) else "",
            "paired_method": str(top1["method"].iloc[0]) if len(top1) else "",
            "size": size_table(speed),
            "speed": speed_table(speed),
            # Every result, when there are more than the newest ones shown above.
            "detail": None if len(rows) == len(newest) else detail_table(rows),
            "leaderboard": link(here, LEADERBOARD),
            "architectures": link(here, ARCHITECTURES),
        },
    )


def architectures_index(ok: pd.DataFrame, speed: pd.DataFrame, paired: pd.DataFrame) -> Page:
    """Every architecture with the zoos that have it, the best top-1 and the paired verdict."""
    top1 = {r.architecture: r for r in rows_of(paired[paired["k"] == "top1"])}
    archs = sorted(set(ok["architecture"]) | set(speed["architecture"]))
    rows = []
    for arch in archs:
        mine = ok[ok["architecture"] == arch]
        zoos = sorted(set(mine["framework"]) | set(speed.loc[speed["architecture"] == arch, "zoo"]))
        best = float(mine["top1"].max()) if len(mine) else math.nan
        pair = top1.get(arch)
        rows.append(
            (
                Cell(arch, architecture_page(arch)),
                ", ".join(ZOO_NAMES.get(z, z) for z in zoos),
                num(best, 2),
                verdict(pair) if pair is not None else "–",
            )
        )
    return Page(
        path=ARCHITECTURES,
        template="architectures.md.j2",
        title="Architectures in Keras and PyTorch",
        data={
            "architectures": rows_table(
                "architectures", ("architecture", "zoos", "best top-1 (%)", "Keras vs PyTorch (top-1)"), rows
            ),
            "leaderboard": link(ARCHITECTURES, LEADERBOARD),
        },
    )
