"""Page contexts of the accuracy side: leaderboard, the reproduced 34-model study, architectures."""

from __future__ import annotations

import math

import pandas as pd

from generator.site.output import charts
from generator.site.output.charts import Record
from generator.site.output.markup import link, slug
from generator.site.output.tables import Cell, rows_table
from generator.site.pages.common import Page, chart_href, fmt_float, rows_of, run_page, safe_title

LEADERBOARD = "accuracy/index.md"
REPRODUCED = "accuracy/reproduced.md"
ARCHITECTURES = "accuracy/architectures/index.md"
CHART_FROM = 6  # results an architecture needs before it gets a chart


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


def _num(value: float, digits: int) -> Cell:
    return Cell(fmt_float(value, digits), sort=None if math.isnan(value) else float(value))


def leaderboard_rows(ok: pd.DataFrame) -> list[tuple[object, ...]]:
    return [
        (
            Cell(rank, sort=float(rank)),
            Cell(r.model, architecture_page(r.architecture)),
            r.framework,
            r.protocol,
            _num(r.top1, 2),
            _num(r.top5, 2),
            _num(r.img_s, 1),
            _num(r.latency_ms, 1),
            r.device or "–",
            r.source or r.os_tag,
            Cell(r.run_id, run_page(r.run_id)),
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
                    accuracy_records(LEADERBOARD, measured),
                    title="Which model is most accurate, per framework?",
                ),
            )
            if len(measured)
            else (),
            data={
                "leaderboard": rows_table("leaderboard", LEADER_COLUMNS, leaderboard_rows(ok)),
                "failed": rows_table(
                    "failed",
                    ("model", "framework", "protocol", "status", "why", "run"),
                    [
                        (
                            r.model,
                            r.framework,
                            r.protocol,
                            r.status,
                            r.error,
                            Cell(r.run_id, run_page(r.run_id)),
                        )
                        for r in rows_of(failed)
                    ],
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
                r.model,
                r.framework,
                _num(r.top1, 2),
                _num(r.top5, 2),
                _num(r.top1_ours, 2) if have else "not measured yet",
                _num(r.top5_ours, 2) if have else "–",
                Cell(delta, sort=r.top1_ours - r.top1 if have else None),
                Cell(r.run_id, run_page(r.run_id)),
                Cell(r.run_id_ours, run_page(r.run_id_ours)) if have else "–",
            )
        )
    sources = imported.drop_duplicates("run_id")[["run_id", "source"]]
    return Page(
        path=here,
        template="reproduced.md.j2",
        title="The 34-model study, reproduced",
        data={
            "study": rows_table(
                "study",
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
            ),
            "sources": [(s.source, s.run_id, link(here, run_page(s.run_id))) for s in rows_of(sources)],
            "models": len(imported),
        },
    )


def architecture(arch: str, rows: pd.DataFrame) -> Page:
    """Keras and PyTorch side by side for one architecture: accuracy and speed, both protocols."""
    here = architecture_page(arch)
    newest = rows.sort_values(["created", "run_id"]).drop_duplicates(
        subset=["framework", "protocol", "kind"], keep="last"
    )
    side: list[tuple[object, ...]] = []
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
                    values.append(_num(getattr(r, metric), 2 if metric != "img_s" else 1) if r else "–")
                side.append((protocol, what, fmt, *values))
    ordered = rows.sort_values(["framework", "protocol", "run_id"])
    detail = [
        (
            r.model,
            r.framework,
            r.protocol,
            _num(r.top1, 2),
            _num(r.top5, 2),
            _num(r.img_s, 1),
            _num(r.latency_ms, 1),
            r.weights or "–",
            Cell(r.run_id, run_page(r.run_id)),
        )
        for r in rows_of(ordered)
    ]
    return Page(
        path=here,
        template="architecture.md.j2",
        title=safe_title(arch, "Architecture"),
        # A handful of points reads better as the table above than as a chart.
        charts=(
            charts.accuracy_chart(
                accuracy_records(here, ordered),
                title="Which implementation is more accurate: Keras or PyTorch?",
            ),
        )
        if len(ordered) >= CHART_FROM
        else (),
        data={
            "side": rows_table("side by side", ("protocol", "figures", "metric", "Keras", "PyTorch"), side),
            # Every result, when there are more than the newest ones shown side by side.
            "detail": None
            if len(ordered) == len(newest)
            else rows_table(
                "results",
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
            ),
            "leaderboard": link(here, LEADERBOARD),
            "arch": arch,
        },
    )
