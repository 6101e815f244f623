"""Framework comparisons: the comparison table (machine pages, the frameworks page) and the
frameworks page, which summarises speed-ups per hardware and family and flags unlike conditions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.site.analysis.comparability import comparability
from generator.site.output.markup import link, ratio, ratio_interval
from generator.site.output.tables import Column, Table
from generator.site.pages.common import Page, case_page, machine_labels, machine_page, run_page
from generator.site.pages.summaries import hardware_classes, pair_summary, speedup_chart, speedup_table
from generator.site.tidy import Frames

HERE = "frameworks.md"


def _ratio_frame(ratios: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    r = ratios
    lo, hi = r["ratio_lo"].to_numpy(dtype=np.float64), r["ratio_hi"].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {
            "pair": r["pair"].astype(str).to_numpy(),
            "machine": [labels.get(m, m) for m in r["machine_id"]],
            "machine_page": [machine_page(m) for m in r["machine_id"]],
            "case": r["case"].astype(str).to_numpy(),
            "case_page": [case_page(c) for c in r["case"]],
            "params": r["params"].astype(str).to_numpy(),
            "dtype": r["dtype"].astype(str).to_numpy(),
            "variant": r["variant"].astype(str).to_numpy(),
            "device": r["device"].astype(str).to_numpy(),
            "ratio_text": [ratio(v) for v in r["ratio"].to_numpy(dtype=np.float64)],
            "ratio": r["ratio"].to_numpy(dtype=np.float64),
            "interval_text": [ratio_interval(a, b) for a, b in zip(lo, hi, strict=True)],
            "verdict": r["verdict"].astype(str).to_numpy(),
            "differs": [d or "–" for d in r["differs"]],
            "run_a": r["run_id_a"].astype(str).to_numpy(),
            "run_a_page": [run_page(x) for x in r["run_id_a"]],
            "run_b": r["run_id_b"].astype(str).to_numpy(),
            "run_b_page": [run_page(x) for x in r["run_id_b"]],
        }
    )


def ratio_table(name: str, ratios: pd.DataFrame, labels: dict[str, str], *, with_machine: bool) -> Table:
    columns = (
        Column("A vs B", "pair"),
        *((Column("machine", "machine", link="machine_page"),) if with_machine else ()),
        Column("case", "case", link="case_page"),
        Column("parameters", "params"),
        Column("dtype", "dtype"),
        Column("variant", "variant"),
        Column("device", "device"),
        Column("speed-up of A", "ratio_text", sort="ratio"),
        Column("interval", "interval_text"),
        Column("verdict", "verdict"),
        Column("conditions that differ", "differs"),
        Column("run A", "run_a", link="run_a_page"),
        Column("run B", "run_b", link="run_b_page"),
    )
    return Table(name, columns, _ratio_frame(ratios, labels))


def frameworks_page(frames: Frames, latest: pd.DataFrame, ratios: pd.DataFrame) -> Page:
    labels = machine_labels(frames.machines)
    by = ["hardware", "device", "family"]
    summary = pair_summary(latest, *hardware_classes(frames.fingerprints))
    targets = {c: "machines/index.md" for c in summary["hardware"]}
    warnings = []
    mixed = ratios[ratios["run_id_a"] != ratios["run_id_b"]]
    for mid, group in mixed.groupby("machine_id", sort=True):
        comp = comparability(
            frames.runs, set(group["run_id_a"]) | set(group["run_id_b"]), "runs on one machine"
        )
        if comp is not None:
            warnings.append((labels.get(str(mid), str(mid)), link(HERE, machine_page(str(mid))), comp))
    differing = int((ratios["differs"] != "").sum()) if len(ratios) else 0
    return Page(
        path=HERE,
        template="frameworks.md.j2",
        title="Framework comparison",
        charts=(
            speedup_chart(
                HERE,
                summary,
                by,
                targets,
                "Which framework is faster, per hardware, device and case family?",
            ),
        )
        if len(summary)
        else (),
        data={
            "summary": speedup_table("summary", summary, by, ("hardware", "device", "family"), targets),
            "ratios": ratio_table("comparisons", ratios, labels, with_machine=True),
            "warnings": warnings,
            "count": len(ratios),
            "differing": differing,
        },
    )
