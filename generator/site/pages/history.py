"""The history section: did a framework get faster or slower between its versions?

- history/index.md: every hardware class with its frameworks' versions, runs and configurations.
- history/<class>.md: per framework measured there with two versions or more, a chart of each case's
  time over the versions (a case selector), and every step between consecutive versions tested.
- history/changes.md: every step found, on every class, with how many were tested and not found.

Steps are found by generator.stats.history.detect (the test of generator.stats.change, Holm within a
series); this module only shows them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence

import pandas as pd

from generator.site.analysis.history import ClassRuns, history
from generator.site.output import charts
from generator.site.output.charts import Chart, Record
from generator.site.output.markup import ratio, ratio_interval, seconds, slug
from generator.site.output.tables import Cell, Table, rows_table
from generator.site.pages.common import Page, case_page, chart_href, ci_text, run_page
from generator.site.pages.summaries import hardware_classes
from generator.site.tidy import Frames
from generator.stats.change import MIN_EFFECT
from generator.stats.distributions import t975
from generator.stats.history import Point, SeriesKey, Step, by_version, detect, version_estimate

INDEX = "history/index.md"
CHANGES = "history/changes.md"


def class_page(hardware_class: str) -> str:
    return f"history/{slug(hardware_class)}.md"  # a class key ("cpu-" and hex digits) is its own slug


def configuration(key: SeriesKey) -> str:
    """What distinguishes series of one case: "n=1048576 · float32", "batch=32 · float32 · int8"."""
    parts = [key.params, key.dtype]
    if key.variant != "default":
        parts.append(key.variant)
    return " · ".join(p for p in parts if p)


def verdict_text(step: Step) -> str:
    if step.reported:
        return step.change.verdict
    if step.change.verdict == "no verdict":
        return "no verdict (one process on a side)"
    if step.change.verdict in ("faster", "slower"):
        return "not significant after Holm"
    return "no significant change"


def run_cell(run_id: str) -> Cell:
    """A run as its start time ("2026-11-28 03:21", what its id begins with), linked to its page."""
    when = f"{run_id[:10]} {run_id[11:13]}:{run_id[14:16]}" if run_id[10:11] == "T" else run_id
    return Cell(when, run_page(run_id))


def _newest(points: Sequence[Point]) -> str:
    return max(points, key=lambda p: (p.created, p.run_id)).run_id


def _sides(steps: list[Step], series: dict[tuple[str, ...], list[Point]]) -> dict[int, tuple[str, str]]:
    """Each step's newest run before and after it (index into `steps`)."""
    newest: dict[tuple[tuple[str, ...], str], str] = {}
    for key, points in series.items():
        for version, pts in by_version(points):
            newest[(key, version)] = _newest(pts)
    return {i: (newest[(s.series, s.before)], newest[(s.series, s.after)]) for i, s in enumerate(steps)}


STEP_TITLES = ("framework", "versions", "case", "configuration", "time after / before", "95 % interval",
               "verdict", "runs before / after", "newest run before", "newest run after")  # fmt: skip


def steps_table(
    name: str,
    steps: list[Step],
    series: dict[tuple[str, ...], list[Point]],
    labels: dict[str, str] | None = None,
) -> Table:
    """One row per step; with `labels` (hardware class -> name), a first column names the class."""
    sides = _sides(steps, series)
    rows: list[list[Cell | str]] = []
    for i, step in enumerate(steps):
        key = SeriesKey(*step.series)
        before, after = sides[i]
        change = step.change
        interval = ratio_interval(change.low, change.high)
        row: list[Cell | str] = [
            key.framework,
            f"{step.before} → {step.after}",
            Cell(key.case, case_page(key.case)),
            configuration(key),
            Cell(ratio(change.ratio), sort=change.ratio),
            interval,
            verdict_text(step),
            f"{step.runs_before} / {step.runs_after}",
            run_cell(before),
            run_cell(after),
        ]
        if labels is not None:
            cls = key.hardware_class
            row.insert(0, Cell(labels.get(cls, cls), class_page(cls)))
        rows.append(row)
    titles = STEP_TITLES if labels is None else ("hardware", *STEP_TITLES)
    return rows_table(name, titles, rows)


def _point_interval(mean: float, se: float, df: int) -> tuple[float, float]:
    if df < 1 or not math.isfinite(se):
        return mean, mean
    half = t975(df) * se
    return max(mean - half, 0.0), mean + half


def _step_text(step: Step) -> str:
    return f"{ratio(step.change.ratio)} the time of {step.before}: {verdict_text(step)}"


def _records(
    here: str,
    framework_series: dict[tuple[str, ...], list[Point]],
    steps: dict[tuple[tuple[str, ...], str], Step],
) -> list[Record]:
    """One record per series and version: the version's pooled time relative to the series' oldest."""
    records: list[Record] = []
    for key, points in framework_series.items():
        versions = by_version(points)
        base = version_estimate(versions[0][1]).mean
        for version, pts in versions:
            est = version_estimate(pts)
            lo, hi = _point_interval(est.mean, est.se, est.df)
            step = steps.get((key, version))
            newest = _newest(pts)
            records.append(
                {
                    "case": SeriesKey(*key).case,
                    "series": configuration(SeriesKey(*key)),
                    "version": version,
                    "rel": est.mean / base,
                    "lo": lo / base,
                    "hi": hi / base,
                    "time": seconds(est.mean),
                    "ci": ci_text(lo, hi) if hi > lo else "no interval (one process)",
                    "pooled": f"{len(pts)} run(s), {est.df + 1} process(es)",
                    "step": _step_text(step) if step else "–",
                    "run_id": newest,
                    "href": chart_href(here, newest),
                }
            )
    return records


def class_charts(
    here: str, label: str, found: ClassRuns, series: dict[tuple[str, ...], list[Point]], steps: list[Step]
) -> list[Chart]:
    """Per framework with two versions or more: each case's time over its versions (a case selector)."""
    after = {(s.series, s.after): s for s in steps}
    out: list[Chart] = []
    for framework, versions in found.versions.items():
        mine = {k: v for k, v in series.items() if SeriesKey(*k).framework == framework}
        if len(versions) < 2 or not mine:
            continue
        cases = sorted({SeriesKey(*k).case for k in mine})
        reported = [s for s in steps if s.reported and SeriesKey(*s.series).framework == framework]
        biggest = max(reported, key=lambda s: abs(math.log(s.change.ratio)), default=None)
        out.append(
            charts.history_chart(
                _records(here, mine, after),
                title=f"Did {framework} get faster on {label}?",
                versions=versions,
                cases=cases,
                case=SeriesKey(*biggest.series).case if biggest else cases[0],
                x_title=f"{framework} version",
            )
        )
    return out


def _versions_text(found: ClassRuns) -> str:
    return "; ".join(f"{fw} {', '.join(v)}" for fw, v in found.versions.items()) or "–"


def _version_counts(found: ClassRuns) -> str:
    """How many versions of each framework: counts, not the versions' own (run-file) text, which the
    class page shows escaped."""
    return ", ".join(f"{fw}: {len(v)}" for fw, v in found.versions.items()) or "–"


def _counts(steps: list[Step], series: int) -> dict[str, int]:
    return {
        "series": series,
        "steps": len(steps),
        "reported": sum(s.reported for s in steps),
        "slower": sum(s.reported and s.change.verdict == "slower" for s in steps),
        "faster": sum(s.reported and s.change.verdict == "faster" for s in steps),
        "no_verdict": sum(s.change.verdict == "no verdict" for s in steps),
    }


def history_pages(frames: Frames, latest: pd.DataFrame) -> Iterator[Page]:
    classes, names = hardware_classes(frames.fingerprints)
    found = history(frames.timings, frames.runs, latest, classes)
    steps = detect(found.series)
    by_class: dict[str, list[Step]] = defaultdict(list)
    for step in steps:
        by_class[SeriesKey(*step.series).hardware_class].append(step)
    series_of: dict[str, dict[tuple[str, ...], list[Point]]] = defaultdict(dict)
    for key, points in found.series.items():
        series_of[SeriesKey(*key).hardware_class][key] = points
    labels = {c.hardware_class: names.get(c.hardware_class, c.hardware_class) for c in found.classes}
    index_rows = []
    # Classes with a history first, then by name.
    for c in sorted(
        found.classes, key=lambda c: (c.hardware_class not in series_of, labels[c.hardware_class])
    ):
        mine = series_of.get(c.hardware_class, {})
        found_steps = sum(s.reported for s in by_class.get(c.hardware_class, []))
        index_rows.append(
            (
                Cell(labels[c.hardware_class], class_page(c.hardware_class) if mine else ""),
                c.device,
                _version_counts(c),
                Cell(c.runs, sort=float(c.runs)),
                Cell(c.machines, sort=float(c.machines)),
                Cell(c.series, sort=float(c.series)),
                Cell(len(mine), sort=float(len(mine))),
                Cell(found_steps, sort=float(found_steps)),
            )
        )
    titles = ("hardware", "device", "versions measured", "runs", "machines", "configurations",
              "with two versions or more", "steps found")  # fmt: skip
    yield Page(
        path=INDEX,
        template="history_index.md.j2",
        title="History",
        data={
            "classes": rows_table("hardware classes", titles, index_rows),
            "counts": _counts(steps, len(found.series)),
            "with_history": len(series_of),
        },
    )
    for c in found.classes:
        mine = series_of.get(c.hardware_class, {})
        if not mine:
            continue
        here = class_page(c.hardware_class)
        tested = by_class.get(c.hardware_class, [])
        shown = sorted(tested, key=lambda s: (not s.reported, -abs(math.log(s.change.ratio))))  # found first
        yield Page(
            path=here,
            template="history.md.j2",
            title=f"History of hardware class {c.hardware_class}",  # no run-file text in titles
            charts=tuple(class_charts(here, labels[c.hardware_class], c, mine, tested)),
            data={
                "label": labels[c.hardware_class],
                "versions": _versions_text(c),
                "runs": c.runs,
                "machines": c.machines,
                "counts": _counts(tested, len(mine)),
                "min_effect": f"{100 * MIN_EFFECT:g} %",
                "steps": steps_table("steps", shown, mine),
            },
        )
    reported = [s for s in steps if s.reported]
    yield Page(
        path=CHANGES,
        template="changes.md.j2",
        title="Changes between versions",
        data={
            "counts": _counts(steps, len(found.series)),
            "classes": len(series_of),
            "changes": steps_table("changes", reported, found.series, labels),
            "min_effect": f"{100 * MIN_EFFECT:g} %",
        },
    )
