"""`framebench compare BASE NEW`: every case timed on both sides, the ratio NEW/BASE with its 95 %
interval and a verdict (generator/stats/change.py says how). BASE and NEW are run files or folders; the
runs of one side are pooled, each worker process of each run counting as one independent
measurement. Runs of different hardware classes are refused unless asked for, naming what differs.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import get_args

from generator.errors import UserError
from generator.machine.identity import hardware_class, hardware_label
from generator.schema.load import display, load_runs
from generator.schema.models import Run, TimingResult
from generator.stats.change import MIN_EFFECT, Change, Estimate, Verdict, compare
from generator.stats.history import SeriesKey
from generator.stats.timing import process_medians


@dataclass(frozen=True)
class Row:
    key: SeriesKey  # with no hardware class: a side pools its runs over classes
    base_s: float
    new_s: float
    ratio: float
    low: float
    high: float
    p_value: float
    verdict: str
    note: str


@dataclass(frozen=True)
class Comparison:
    base: str  # what BASE was: its runs and hardware
    new: str
    rows: list[Row]

    @property
    def regressions(self) -> list[Row]:
        return [r for r in self.rows if r.verdict == "slower"]


def _side(paths: Sequence[Path], name: str) -> list[Run]:
    runs = [r for r in load_runs(paths) if r.kind == "ops"]
    if not runs:
        raise UserError(f"{name}: no ops run in {', '.join(display(p) for p in paths)}")
    return runs


def _classes(runs: list[Run]) -> dict[str, str]:
    found = {}
    for run in runs:
        assert run.machine is not None
        for device in sorted({r.device for r in run.results if isinstance(r, TimingResult)}):
            found[hardware_class(run.machine, device)] = hardware_label(run.machine, device)
    return found


def _differences(base: list[Run], new: list[Run]) -> list[str]:
    """Readable lines naming the hardware fields in which the two sides differ."""
    a, b = base[0].machine, new[0].machine
    assert a is not None and b is not None
    fields = {
        "CPU model": (a.cpu.model, b.cpu.model),
        "CPU cores": (
            a.cpu.cores_physical or a.cpu.cores_logical,
            b.cpu.cores_physical or b.cpu.cores_logical,
        ),
        "GPUs": (", ".join(g.name for g in a.gpus) or "none", ", ".join(g.name for g in b.gpus) or "none"),
    }
    return [f"{name}: {x} vs {y}" for name, (x, y) in fields.items() if x != y]


def _grouped(runs: list[Run]) -> dict[SeriesKey, list[TimingResult]]:
    groups: dict[SeriesKey, list[TimingResult]] = defaultdict(list)
    for run in runs:
        for r in run.results:
            if isinstance(r, TimingResult) and r.status == "ok" and r.samples:
                params = ",".join(f"{k}={v}" for k, v in sorted(r.params.items()))
                groups[SeriesKey("", r.framework, r.case, r.variant, r.dtype, r.device, params)].append(r)
    return groups


def _note(base: list[TimingResult], new: list[TimingResult]) -> str:
    if any(r.stats and r.stats.interval == "within-process" for r in (*base, *new)) and (
        len(base) < 2 or len(new) < 2
    ):
        return "one process on a side: no estimate of run-to-run noise"
    changed = sorted(
        k
        for k in {*base[0].conditions, *new[0].conditions}
        if base[0].conditions.get(k) != new[0].conditions.get(k)
    )
    return f"conditions differ: {', '.join(changed)}" if changed else ""


def _estimate(results: list[TimingResult]) -> Estimate:
    medians = [m for r in results for m in process_medians(r.samples, r.process_rounds)]
    return Estimate.from_medians(medians)


def compare_runs(
    base_paths: Sequence[Path],
    new_paths: Sequence[Path],
    *,
    min_effect: float = MIN_EFFECT,
    force: bool = False,
) -> Comparison:
    base, new = _side(base_paths, "BASE"), _side(new_paths, "NEW")
    base_classes, new_classes = _classes(base), _classes(new)
    if not force and not base_classes.keys() & new_classes.keys():
        lines = _differences(base, new) or ["hardware classes differ"]
        raise UserError(
            "BASE and NEW ran on different hardware ("
            + "; ".join(lines)
            + "): ratios would compare machines, not versions; pass --force to compare anyway"
        )
    a, b = _grouped(base), _grouped(new)
    rows = []
    for key in sorted(a.keys() & b.keys()):
        before, after = _estimate(a[key]), _estimate(b[key])
        change: Change = compare(before, after, min_effect)
        rows.append(
            Row(
                key=key,
                base_s=before.mean,
                new_s=after.mean,
                ratio=change.ratio,
                low=change.low,
                high=change.high,
                p_value=change.p_value,
                verdict=change.verdict,
                note=_note(a[key], b[key]),
            )
        )
    if not rows:
        raise UserError("BASE and NEW have no ok case in common (same framework, case, dtype, device, sizes)")
    return Comparison(_describe(base, base_classes), _describe(new, new_classes), rows)


def _describe(runs: list[Run], classes: dict[str, str]) -> str:
    versions = sorted({f"{k} {v}" for run in runs if run.machine for k, v in run.machine.frameworks.items()})
    return f"{len(runs)} run(s) on {', '.join(sorted(set(classes.values())))} ({', '.join(versions)})"


def _fmt_ratio(r: Row) -> str:
    if math.isnan(r.low):
        return f"{r.ratio:.3f}"
    return f"{r.ratio:.3f} [{r.low:.3f}, {r.high:.3f}]"


def _time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _cells(r: Row) -> list[str]:
    k = r.key
    what = f"{k.framework} {k.case}" + (f" {k.variant}" if k.variant != "default" else "")
    return [what, k.params, k.dtype, _time(r.base_s), _time(r.new_s), _fmt_ratio(r), r.verdict, r.note]


HEADERS = ["case", "size", "dtype", "BASE", "NEW", "NEW/BASE [95 % CI]", "verdict", "note"]


def _summary(c: Comparison) -> str:
    counts = {v: sum(1 for r in c.rows if r.verdict == v) for v in get_args(Verdict)}
    return (
        f"{len(c.rows)} cases: {counts['slower']} slower, {counts['faster']} faster, "
        f"{counts['no significant change']} no significant change, {counts['no verdict']} without verdict"
    )


def _escape(text: str) -> str:
    """Markdown table cells: a pipe would end the cell, markup from run files must stay text."""
    return "".join("\\" + ch if ch in "|\\`*_[]<>#" else ch for ch in text)


def as_markdown(c: Comparison) -> str:
    lines = [f"**BASE**: {_escape(c.base)}  ", f"**NEW**: {_escape(c.new)}", "", _summary(c), ""]
    lines += ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(_escape(x) for x in _cells(r)) + " |" for r in c.rows]
    return "\n".join(lines) + "\n"


def _figures(r: Row) -> dict[str, object]:
    """A row's figures for JSON: NaN (no interval) becomes null."""
    figures = {k: v for k, v in asdict(r).items() if k != "key"}
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in figures.items()}


def _case(key: SeriesKey) -> dict[str, str]:
    """A row's case configuration for JSON (its hardware class is empty: see Row)."""
    return {k: v for k, v in key._asdict().items() if k != "hardware_class"}


def as_json(c: Comparison) -> str:
    rows = [{**_case(r.key), **_figures(r)} for r in c.rows]
    return json.dumps({"base": c.base, "new": c.new, "summary": _summary(c), "rows": rows}, indent=2) + "\n"


def as_text(c: Comparison) -> str:
    """An aligned plain-text table, readable in a terminal and in a CI log."""
    table = [HEADERS, *(_cells(r) for r in c.rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    lines = [f"BASE: {c.base}", f"NEW:  {c.new}", ""]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table]
    return "\n".join([*lines, "", _summary(c)]) + "\n"


def print_rich(c: Comparison) -> bool:
    """Print the table with rich (colours for verdicts) when it is installed; False when it is not."""
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        return False
    table = Table(title=f"BASE: {c.base}\nNEW: {c.new}", caption=_summary(c))
    for header in HEADERS:
        table.add_column(header, justify="right" if header in ("BASE", "NEW") else "left")
    colour = {"slower": "red", "faster": "green"}
    for r in c.rows:
        cells = _cells(r)
        style = colour.get(r.verdict)
        table.add_row(*cells[:-2], f"[{style}]{r.verdict}[/]" if style else r.verdict, cells[-1])
    Console().print(table, markup=True, highlight=False)
    return True
