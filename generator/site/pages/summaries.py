"""Summary tables and charts shared by the home, OS, machine and framework pages: frameworks ranked
per case family, and framework speed-ups with intervals (generator.site.analysis.summary)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from generator.catalog.names import DEVICES
from generator.machine.identity import hardware_class, hardware_label
from generator.schema.models import Machine
from generator.site.analysis.summary import framework_summary
from generator.site.output.charts import Chart, Record
from generator.site.output.markup import ratio, ratio_interval, url
from generator.site.output.svg import speedup_svg
from generator.site.output.tables import Cell, Table, rows_table
from generator.site.pages.common import rows_of
from generator.stats.verdicts import CANT_TELL


def ranking_table(name: str, ranked: pd.DataFrame, group: str) -> Table:
    """One row per family: its frameworks best first, each with its time relative to the fastest
    (geo-mean; 1.00× = the fastest on every configuration) and how often it was the fastest."""
    rows = []
    places = 0
    for key, frameworks in ranked.groupby(group, sort=True):
        cells = [
            Cell(
                f"{r.framework} {r.relative:.2f}× (fastest in {r.wins} of {r.configs})",
                sort=float(r.relative),
            )
            for r in rows_of(frameworks)
        ]
        places = max(places, len(cells))
        rows.append([str(key), *cells])
    titles = (group.replace("_", " "), "fastest", *("2nd", "3rd", "4th", "5th")[: max(places - 1, 0)])
    return rows_table(name, titles, [row + [""] * (len(titles) - len(row)) for row in rows])


def hardware_classes(
    fingerprints: Mapping[str, Machine],
) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """(machine, device) -> its hardware class (generator.machine.identity), and each class's
    readable name."""
    classes: dict[tuple[str, str], str] = {}
    names: dict[str, str] = {}
    for mid, machine in fingerprints.items():
        for device in DEVICES:
            key = hardware_class(machine, device)
            classes[(mid, device)] = key
            names.setdefault(key, hardware_label(machine, device))
    return classes, names


def pair_summary(
    latest: pd.DataFrame, classes: Mapping[tuple[str, str], str], names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Framework speed-ups per class, device and family (generator.site.analysis.summary), with a
    "pair" column and a "hardware" column naming the class; `classes` gives each (machine, device)
    its class, `names` the classes' readable names (default: the class itself)."""
    machines, devices = latest["machine_id"].astype(str), latest["device"].astype(str)
    results = pd.DataFrame(
        {
            "hardware_class": [classes.get((m, d), m) for m, d in zip(machines, devices, strict=True)],
            "machine": machines,
            "device": devices,
            **{name: latest[name].astype(str) for name in ("family", "case", "variant", "dtype", "params")},
            "framework": latest["framework"].astype(str),
            "median_s": latest["median"],
            "interval": latest["interval"].astype(str),
            "run_id": latest["run_id"].astype(str),
            "ci_lo": latest["ci_lo"],
            "ci_hi": latest["ci_hi"],
        }
    )
    out = framework_summary(results)
    hardware = [(names or {}).get(c, c) for c in out["hardware_class"]]
    return out.assign(pair=out["framework_a"] + " vs " + out["framework_b"], hardware=hardware)


def _too_few(r: Any) -> bool:
    """Over two cases (or two machines) Student's t has one degree of freedom: unless the two agree
    well enough for a verdict, the 95 % interval spans orders of magnitude and says only that there
    is too little to go on. Such an interval is not drawn."""
    return int(r.units) == 2 and str(r.verdict) == CANT_TELL


def _interval_text(r: Any) -> str:
    if _too_few(r):
        return f"too few {'cases' if int(r.cases) == 2 else 'machines'} for an interval"
    return ratio_interval(r.ci_lo, r.ci_hi)


def speedup_records(
    here: str, summary: pd.DataFrame, by: Sequence[str], targets: dict[str, str]
) -> list[Record]:
    records: list[Record] = []
    for r in rows_of(summary):
        few, interval = _too_few(r), _interval_text(r)
        records.append(
            {
                "label": " · ".join(str(getattr(r, name)) for name in by),
                "pair": str(r.pair),
                "value": float(r.ratio),
                "lo": None if few else float(r.ci_lo),
                "hi": None if few else float(r.ci_hi),
                "value_text": ratio(r.ratio),
                "ci": interval if few else f"95 % interval {interval}",
                "verdict": str(r.verdict),
                "counts": f"{r.cases} cases on {r.machines} machine(s), {r.runs} run(s)",
                "href": url(here, targets.get(str(getattr(r, by[0])), here)),
            }
        )
    return records


def speedup_chart(
    here: str, summary: pd.DataFrame, by: Sequence[str], targets: dict[str, str], title: str
) -> Chart:
    records = speedup_records(here, summary, by, targets)
    return Chart(title, {}, svg=speedup_svg(title, records, "speed-up of A over B (×, log scale)"))


def speedup_table(name: str, summary: pd.DataFrame, by: Sequence[str], titles: Sequence[str],
                  targets: dict[str, str]) -> Table:  # fmt: skip
    rows = []
    for r in rows_of(summary):
        first = str(getattr(r, by[0]))
        rows.append(
            (
                Cell(first, targets.get(first, "")),
                *(str(getattr(r, n)) for n in by[1:]),
                r.pair,
                Cell(ratio(r.ratio), sort=float(r.ratio)),
                _interval_text(r),
                r.verdict,
                Cell(r.cases, sort=float(r.cases)),
                Cell(r.machines, sort=float(r.machines)),
                Cell(r.runs, sort=float(r.runs)),
            )
        )
    columns = (*titles, "A vs B", "speed-up of A", "95 % interval", "verdict", "cases", "machines", "runs")
    return rows_table(name, columns, rows)
