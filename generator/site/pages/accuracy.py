"""Page contexts of the accuracy side: the leaderboard (accuracy with exact intervals and tied
ranks, img/s of one machine, accuracy against speed), the reproduced 34-model study, and one page
per architecture (generator.site.pages.architectures)."""

from __future__ import annotations

import pandas as pd

from generator.catalog import zoo_models
from generator.site.analysis.zoo import (
    PAIRED_COLUMNS,
    SPEED_COLUMNS,
    newest_speed_runs,
    pareto_front,
    tied_rank,
    with_intervals,
)
from generator.site.output import charts
from generator.site.output.charts import Chart, Record
from generator.site.output.markup import link, url
from generator.site.output.tables import Cell, rows_table
from generator.site.pages.architectures import (
    ARCHITECTURES,
    FIGURES,
    LEADERBOARD,
    REPRODUCED,
    architecture,
    architecture_page,
    architectures_index,
    num,
    rate,
    rate_span,
    span,
)
from generator.site.pages.common import Page, chart_href, rows_of, run_page
from generator.site.pages.reproduced import reproduced_page

SPEED_QUESTION = "Which model gives the most accuracy for its speed?"


def _with_architecture(accuracy: pd.DataFrame) -> pd.DataFrame:
    pairs = accuracy[["model", "framework"]].drop_duplicates()
    names = {
        (m, f): zoo_models.architecture(f, m) for m, f in zip(pairs["model"], pairs["framework"], strict=True)
    }
    arch = [names[(m, f)] for m, f in zip(accuracy["model"], accuracy["framework"], strict=True)]
    return accuracy.assign(architecture=arch)


def _speed_of(chosen: pd.DataFrame) -> dict[tuple[str, str, int], tuple[float, str]]:
    """(zoo, model in lower case, batch) -> (img/s, run id) of the chosen machine's newest run."""
    return {(r.zoo, r.model.lower(), int(r.batch)): (float(r.img_s), r.run_id) for r in rows_of(chosen)}


def _speed_cell(found: tuple[float, str] | None) -> Cell:
    if found is None:
        return Cell("–")
    cell = rate(found[0])
    return Cell(cell.text, run_page(found[1]), sort=cell.sort)


def leaderboard_rows(ok: pd.DataFrame, chosen: pd.DataFrame, batches: list[int]) -> list[tuple[object, ...]]:
    """`ok` sorted best first, with intervals (with_intervals); `chosen`: the speed rows shown."""
    ranks, shared = tied_rank(ok)
    speed = _speed_of(chosen)
    return [
        (
            Cell(f"={rank}" if tie else str(rank), sort=float(rank)),
            Cell(r.model, architecture_page(r.architecture)),
            r.framework,
            r.protocol,
            num(r.top1, 2),
            span(r.top1_lo, r.top1_hi),
            num(r.top5, 2),
            *(_speed_cell(speed.get((r.framework, r.model.lower(), b))) for b in batches),
            FIGURES.get(r.kind, r.kind),
            r.source or r.os_tag,
            Cell(r.run_id, run_page(r.run_id)),
        )
        for (rank, tie, r) in zip(ranks, shared, rows_of(ok), strict=True)
    ]


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


def _chart_accuracy(ok: pd.DataFrame) -> pd.DataFrame:
    """One top-1 per zoo and model for the speed chart: the study's figure (every study model has
    one, all in one protocol), else the newest measured one."""
    ranked = ok.assign(
        measured=(ok["kind"] != "import").astype(int), key=ok["model"].str.lower()
    ).sort_values(["measured", "created", "run_id"], ascending=[True, False, False], kind="stable")
    return ranked.drop_duplicates(["framework", "key"])


def speed_chart(here: str, ok: pd.DataFrame, newest: pd.DataFrame) -> Chart | None:
    """Accuracy against img/s for every machine's newest speed run (a selector) and batch size."""
    acc = _chart_accuracy(ok)[["framework", "key", "top1", "top1_lo", "top1_hi", "kind", "protocol"]]
    joined = newest.assign(key=newest["model"].str.lower()).merge(
        acc.rename(columns={"framework": "zoo"}), on=["zoo", "key"]
    )
    joined = joined[joined["img_s"].notna()]
    if joined.empty:
        return None
    front = pareto_front(joined, x="img_s", y="top1", by=["label", "batch", "zoo"])
    records: list[Record] = [
        {
            "model": r.model,
            "framework": r.zoo,
            "machine": r.label,
            "batch": int(r.batch),
            "img_s": float(r.img_s),
            "img_s_text": f"{rate(r.img_s).text} ({rate_span(r.img_s_lo, r.img_s_hi).text})",
            "top1": float(r.top1),
            "top1_text": f"{r.top1:.2f} ({r.top1_lo:.2f} – {r.top1_hi:.2f})",
            "figures": f"{FIGURES.get(r.kind, r.kind)}, {r.protocol} protocol",
            "front": bool(on),
            "on_front": "yes" if on else "no",
            "run_id": r.run_id,
            "href": url(here, architecture_page(r.architecture)),
        }
        for r, on in zip(rows_of(joined), front, strict=True)
    ]
    machines = list(dict.fromkeys(str(m) for m in newest["label"]))
    batches = sorted({int(b) for b in joined["batch"]})
    return charts.accuracy_speed_chart(records, title=SPEED_QUESTION, machines=machines, batches=batches)


def leaderboard_page(ok: pd.DataFrame, failed: pd.DataFrame, speed: pd.DataFrame) -> Page:
    here = LEADERBOARD
    newest = newest_speed_runs(speed)
    chosen = newest[newest["source_rank"] == 0] if len(newest) else newest
    batches = sorted({int(b) for b in chosen["batch"]})
    measured = ok[ok["kind"] == "accuracy"]
    chart = speed_chart(here, ok, newest) if len(newest) else None
    if chart is None and len(measured):
        chart = charts.accuracy_chart(
            accuracy_records(here, measured), title="Which model is most accurate, per framework?"
        )
    first = next(rows_of(chosen), None)
    return Page(
        path=here,
        template="accuracy.md.j2",
        title="Model zoo leaderboard: accuracy and speed",
        charts=(chart,) if chart is not None else (),
        data={
            "leaderboard": rows_table(
                "leaderboard",
                (
                    "rank",
                    "model",
                    "framework",
                    "protocol",
                    "top-1 (%)",
                    "95 % interval",
                    "top-5 (%)",
                    *(f"img/s, batch {b}" for b in batches),
                    "figures",
                    "machine / source",
                    "run",
                ),
                leaderboard_rows(ok, chosen, batches),
            ),
            "speed": None
            if first is None
            else {
                "label": first.label,
                "device": first.device,
                "run": first.run_id,
                "run_link": link(here, run_page(first.run_id)),
                "variant": first.variant,
                "others": len(set(newest["label"])) - 1,
            },
            "chart_speed": chart is not None and len(newest) > 0,
            "failed": rows_table(
                "failed",
                ("model", "framework", "protocol", "status", "why", "run"),
                [
                    (r.model, r.framework, r.protocol, r.status, r.error, Cell(r.run_id, run_page(r.run_id)))
                    for r in rows_of(failed)
                ],
            ),
            "architectures": link(here, ARCHITECTURES),
            "reproduced": link(here, REPRODUCED),
        },
    )


def accuracy_pages(
    accuracy: pd.DataFrame, speed: pd.DataFrame | None = None, paired: pd.DataFrame | None = None
) -> list[Page]:
    """`speed`: analysis.zoo.speed_frame of the newest timings; `paired`: analysis.zoo.paired_frame."""
    speed = speed if speed is not None else pd.DataFrame(columns=SPEED_COLUMNS)
    paired = paired if paired is not None else pd.DataFrame(columns=PAIRED_COLUMNS)
    acc = _with_architecture(accuracy)
    # Random-weight results (`--weights none`, pipeline tests) measure speed, not accuracy: they stay
    # on their run pages and never enter a leaderboard.
    acc = acc[~acc["weights"].astype(str).str.startswith("none")]
    ok = acc[acc["status"] == "ok"].sort_values(
        ["top1", "top5", "model", "framework", "protocol", "run_id"],
        ascending=[False, False, True, True, True, True],
    )
    ok = with_intervals(ok)
    failed = acc[acc["status"] != "ok"].sort_values(["model", "framework", "run_id"])
    pages = [leaderboard_page(ok, failed, speed), reproduced_page(ok), architectures_index(ok, speed, paired)]
    archs = sorted(set(ok["architecture"]) | set(speed["architecture"]))
    for arch in archs:
        pages.append(
            architecture(
                arch,
                ok[ok["architecture"] == arch],
                speed[speed["architecture"] == arch],
                paired[paired["architecture"] == arch],
            )
        )
    return pages
