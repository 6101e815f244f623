"""Page contexts of the accuracy side: leaderboard, the reproduced 34-model study, architectures."""

from __future__ import annotations

import math

import pandas as pd

from generator.site import charts
from generator.site.charts import Record
from generator.site.context import (
    Cell,
    Page,
    cell,
    chart_href,
    fmt_float,
    rows_of,
    run_cell,
    safe_title,
    table,
)
from generator.site.markup import link, slug

LEADERBOARD = "accuracy/index.md"
REPRODUCED = "accuracy/reproduced.md"
ARCHITECTURES = "accuracy/architectures/index.md"


def architecture_of(model: str, framework: str) -> str:
    """The torchvision name of a model's architecture, so Keras and PyTorch models meet on one page."""
    if framework == "keras":
        from generator.accuracy.keras_zoo import KERAS_MODELS

        entry = KERAS_MODELS.get(model)
        if entry is not None and entry.architecture:
            return entry.architecture
    return model


def architecture_page(arch: str) -> str:
    return f"accuracy/architectures/{slug(arch)}.md"


def _with_architecture(accuracy: pd.DataFrame) -> pd.DataFrame:
    pairs = accuracy[["model", "framework"]].drop_duplicates()
    names = {(m, f): architecture_of(m, f) for m, f in zip(pairs["model"], pairs["framework"], strict=True)}
    arch = [names[(m, f)] for m, f in zip(accuracy["model"], accuracy["framework"], strict=True)]
    return accuracy.assign(architecture=arch)


def _speed(value: float) -> str:
    return fmt_float(value, 1) if not math.isnan(value) else "–"


def leaderboard_rows(here: str, ok: pd.DataFrame) -> list[tuple[Cell, ...]]:
    return [
        (
            cell(rank),
            Cell(r.model, link(here, architecture_page(r.architecture))),
            cell(r.framework),
            cell(r.protocol),
            cell(fmt_float(r.top1, 2)),
            cell(fmt_float(r.top5, 2)),
            cell(_speed(r.img_s)),
            cell(_speed(r.latency_ms)),
            cell(r.device or "–"),
            cell(r.source or r.os_tag),
            run_cell(here, r.run_id),
        )
        for rank, r in enumerate(rows_of(ok), start=1)
    ]


LEADER_COLUMNS = (
    "rank",
    "model",
    "framework",
    "protocol",
    "top-1 (%)",
    "top-5 (%)",
    "img/s",
    "batch latency (ms)",
    "device",
    "machine / source",
    "run",
)


def accuracy_records(here: str, ok: pd.DataFrame) -> list[Record]:
    return [
        {
            "model": r.model,
            "architecture": r.architecture,
            "framework": r.framework,
            "protocol": r.protocol,
            "source": "study" if r.kind == "import" else "measured",
            "top1": float(r.top1),
            "top5": float(r.top5),
            "run_id": r.run_id,
            "href": chart_href(here, r.run_id),
        }
        for r in rows_of(ok)
    ]


def accuracy_pages(accuracy: pd.DataFrame) -> list[Page]:
    acc = _with_architecture(accuracy)
    # Random-weight results (`--weights none`, pipeline tests) measure speed, not accuracy: they stay
    # on their run pages and never enter a leaderboard.
    acc = acc[~acc["weights"].astype(str).str.startswith("none")]
    ok = acc[acc["status"] == "ok"].sort_values(
        ["top1", "top5", "model", "framework", "protocol", "run_id"],
        ascending=[False, False, True, True, True, True],
    )
    failed = acc[acc["status"] != "ok"].sort_values(["model", "framework", "run_id"])
    measured = ok[ok["kind"] == "accuracy"]
    pages = [
        Page(
            path=LEADERBOARD,
            template="accuracy.md.j2",
            title="Accuracy leaderboard",
            charts=(
                charts.accuracy_chart(
                    accuracy_records(LEADERBOARD, measured), title="Top-1 accuracy by model"
                ),
            )
            if len(measured)
            else (),
            data={
                "leaderboard": table(LEADER_COLUMNS, leaderboard_rows(LEADERBOARD, ok), "leaderboard"),
                "failed": table(
                    ("model", "framework", "protocol", "status", "why", "run"),
                    [
                        (
                            cell(r.model),
                            cell(r.framework),
                            cell(r.protocol),
                            cell(r.status),
                            cell(r.error),
                            run_cell(LEADERBOARD, r.run_id),
                        )
                        for r in rows_of(failed)
                    ],
                    "failed",
                ),
                "architectures": link(LEADERBOARD, ARCHITECTURES),
                "reproduced": link(LEADERBOARD, REPRODUCED),
            },
        ),
        reproduced_page(ok),
    ]
    archs = sorted(set(ok["architecture"]))
    pages.append(
        Page(
            path=ARCHITECTURES,
            template="architectures.md.j2",
            title="Architectures",
            data={"links": [(a, link(ARCHITECTURES, architecture_page(a))) for a in archs]},
        )
    )
    for arch, rows in ok.groupby("architecture", sort=True):
        pages.append(architecture(str(arch), rows))
    return pages


def reproduced_page(ok: pd.DataFrame) -> Page:
    """The imported study's figures beside our newest measurement of the same model, framework, protocol."""
    here = REPRODUCED
    imported = ok[ok["kind"] == "import"].sort_values(["framework", "model", "run_id"])
    ours = ok[ok["kind"] == "accuracy"].sort_values(["created", "run_id"])
    newest = ours.drop_duplicates(subset=["model", "framework", "protocol"], keep="last")
    merged = imported.merge(newest, on=["model", "framework", "protocol"], how="left", suffixes=("", "_ours"))
    rows = []
    for r in rows_of(merged):
        have = isinstance(r.run_id_ours, str)
        delta = f"{r.top1_ours - r.top1:+.2f}" if have else "–"
        rows.append(
            (
                cell(r.model),
                cell(r.framework),
                cell(fmt_float(r.top1, 2)),
                cell(fmt_float(r.top5, 2)),
                cell(fmt_float(r.top1_ours, 2) if have else "not measured yet"),
                cell(fmt_float(r.top5_ours, 2) if have else "–"),
                cell(delta),
                run_cell(here, r.run_id),
                run_cell(here, r.run_id_ours) if have else cell("–"),
            )
        )
    sources = imported.drop_duplicates("run_id")[["run_id", "source"]]
    return Page(
        path=here,
        template="reproduced.md.j2",
        title="The 34-model study, reproduced",
        data={
            "table": table(
                (
                    "model",
                    "framework",
                    "study top-1 (%)",
                    "study top-5 (%)",
                    "our top-1 (%)",
                    "our top-5 (%)",
                    "Δ top-1",
                    "study run",
                    "our run",
                ),
                rows,
                "study",
            ),
            "sources": [(s.source, s.run_id, link(here, f"runs/{s.run_id}.md")) for s in rows_of(sources)],
            "models": len(imported),
        },
    )


def architecture(arch: str, rows: pd.DataFrame) -> Page:
    """Keras and PyTorch side by side for one architecture: accuracy and speed, both protocols."""
    here = architecture_page(arch)
    newest = rows.sort_values(["created", "run_id"]).drop_duplicates(
        subset=["framework", "protocol", "kind"], keep="last"
    )
    side: list[tuple[Cell, ...]] = []
    for protocol in sorted(set(newest["protocol"])):
        for kind in ("accuracy", "import"):
            sub = newest[(newest["protocol"] == protocol) & (newest["kind"] == kind)]
            if sub.empty:
                continue
            by_fw = {r.framework: r for r in rows_of(sub)}
            what = "measured" if kind == "accuracy" else "study"
            for metric, fmt in (("top1", "top-1 (%)"), ("top5", "top-5 (%)"), ("img_s", "img/s")):
                values = []
                for fw in ("keras", "pytorch"):
                    r = by_fw.get(fw)
                    values.append(
                        cell(fmt_float(getattr(r, metric), 2 if metric != "img_s" else 1) if r else "–")
                    )
                side.append((cell(protocol), cell(what), cell(fmt), *values))
    ordered = rows.sort_values(["framework", "protocol", "run_id"])
    detail = [
        (
            cell(r.model),
            cell(r.framework),
            cell(r.protocol),
            cell(fmt_float(r.top1, 2)),
            cell(fmt_float(r.top5, 2)),
            cell(_speed(r.img_s)),
            cell(_speed(r.latency_ms)),
            cell(r.weights or "–"),
            run_cell(here, r.run_id),
        )
        for r in rows_of(ordered)
    ]
    return Page(
        path=here,
        template="architecture.md.j2",
        title=safe_title(arch, "Architecture"),
        charts=(charts.accuracy_chart(accuracy_records(here, ordered), title=f"{arch}: top-1 by framework"),),
        data={
            "side": table(("protocol", "figures", "metric", "Keras", "PyTorch"), side, "side by side"),
            "detail": table(
                (
                    "model",
                    "framework",
                    "protocol",
                    "top-1 (%)",
                    "top-5 (%)",
                    "img/s",
                    "batch latency (ms)",
                    "weights",
                    "run",
                ),
                detail,
                "results",
            ),
            "leaderboard": link(here, LEADERBOARD),
            "arch": arch,
        },
    )
