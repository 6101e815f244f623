"""`framebench compare BASE NEW`: every case timed on both sides, the ratio NEW/BASE with its 95 %
interval, the smallest change the comparison could have detected, and a verdict in the words of
generator/stats/verdicts.py. BASE and NEW are run files or folders of runs.

How (generator/stats/noise.py): within each run, a case's estimate is the mean of the log medians of
its worker processes, with a variance moderated over the cases of its framework and device in that
run. A side pooling several runs averages them. Runs differ as wholes, so each side adds the
machine's run-to-run noise (estimated from the runs of the same versions among BASE and NEW, pooled
with a stated default) divided by its number of runs. p-values are corrected for the number of cases
compared (Benjamini-Hochberg). Where the interval cannot tell, the note says how many runs a side
would. Runs of different hardware classes are refused unless asked for, naming what differs.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

from generator.errors import UserError
from generator.machine.identity import hardware_class, hardware_label, machine_key
from generator.schema.load import display, load_runs
from generator.schema.models import Run, TimingResult
from generator.stats import noise, verdicts
from generator.stats.history import SeriesKey
from generator.stats.summary import benjamini_hochberg
from generator.stats.timing import process_medians
from generator.stats.verdicts import CANT_TELL, FASTER, FDR, MARGIN, NO_VERDICT, SLOWER


@dataclass(frozen=True)
class Row:
    key: SeriesKey  # with no hardware class: a side pools its runs over classes
    base_s: float  # geometric mean of the side's process medians
    new_s: float
    ratio: float
    low: float
    high: float
    p_value: float
    detectable: float  # the smallest slowdown (a ratio) found 80 % of the time at p < 0.05
    verdict: str
    note: str


@dataclass(frozen=True)
class Comparison:
    base: str  # what BASE was: its runs and hardware
    new: str
    rows: list[Row]
    run_noise: noise.RunNoise

    @property
    def regressions(self) -> list[Row]:
        return [r for r in self.rows if r.verdict == SLOWER]


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


def _key(r: TimingResult) -> SeriesKey:
    params = ",".join(f"{k}={v}" for k, v in sorted(r.params.items()))
    return SeriesKey("", r.framework, r.case, r.variant, r.dtype, r.device, params)


class _Case(NamedTuple):
    """One case of one run: its log estimate, that estimate's moderated variance and its degrees
    of freedom; variance NaN where it ran in one process (no between-process noise measured)."""

    log_mean: float
    variance: float
    df: float
    result: TimingResult


def _run_cases(run: Run) -> dict[SeriesKey, _Case]:
    """Every ok case of a run, its variance moderated over the cases of its framework and device."""
    found = []
    for r in run.results:
        if isinstance(r, TimingResult) and r.status == "ok" and r.samples:
            logs = [math.log(m) for m in process_medians(r.samples, r.process_rounds) if m > 0]
            if logs:
                found.append((r, logs))
    moderated = noise.moderate_pools(
        [(r.framework, r.device) for r, _ in found],
        [statistics.variance(logs) if len(logs) > 1 else math.nan for _, logs in found],
        [len(logs) - 1 for _, logs in found],
    )
    cases = {}
    for (r, logs), pooled in zip(found, moderated, strict=True):
        mean = math.fsum(logs) / len(logs)
        variance, df = pooled if pooled is not None else (math.nan, 0.0)
        cases[_key(r)] = _Case(mean, variance / len(logs), df, r)
    return cases


def _machine_noise(runs: list[Run], cases: dict[str, dict[SeriesKey, _Case]]) -> noise.RunNoise:
    """Run-to-run noise from the runs (of either side) that share a machine and its versions."""
    groups: dict[tuple[str, tuple[tuple[str, str], ...]], list[noise.RunCases]] = defaultdict(list)
    for run in runs:
        assert run.machine is not None
        same = (machine_key(run.machine), tuple(sorted(run.machine.frameworks.items())))
        measured = {str(k): (c.log_mean, c.variance) for k, c in cases[run.run_id].items() if c.df > 0}
        groups[same].append(measured)
    return noise.run_noise(list(groups.values()))


def _pooled(cases: list[_Case]) -> tuple[float, float, float]:
    """A side's runs of one case averaged: log estimate, its variance, degrees of freedom."""
    runs = len(cases)
    parts = [c.variance / runs**2 for c in cases]
    total = math.fsum(parts)
    denominator = math.fsum(v * v / c.df for v, c in zip(parts, cases, strict=True) if v > 0)
    return (
        math.fsum(c.log_mean for c in cases) / runs,
        total,
        total * total / denominator if denominator else math.inf,
    )


def _note(base: list[_Case], new: list[_Case], verdict: str, detectable: float, margin: float) -> str:
    if any(math.isnan(c.variance) for c in (*base, *new)):
        return "one process on a side: no estimate of the noise between processes"
    b, n = base[0].result, new[0].result
    changed = sorted(k for k in {*b.conditions, *n.conditions} if b.conditions.get(k) != n.conditions.get(k))
    notes = [f"conditions differ: {', '.join(changed)}"] if changed else []
    if verdict == CANT_TELL and detectable > 1 + margin:
        runs = max(len(base), len(new))
        needed = math.ceil(runs * (math.log(detectable) / math.log1p(margin)) ** 2)
        notes.append(f"about {needed} runs a side would resolve ±{verdicts.percent(margin)}")
    return "; ".join(notes)


def compare_runs(
    base_paths: Sequence[Path],
    new_paths: Sequence[Path],
    *,
    min_effect: float = MARGIN,
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
    cases = {run.run_id: _run_cases(run) for run in (*base, *new)}
    tau = _machine_noise([*base, *new], cases)
    a: dict[SeriesKey, list[_Case]] = defaultdict(list)
    b: dict[SeriesKey, list[_Case]] = defaultdict(list)
    for side, runs in ((a, base), (b, new)):
        for run in runs:
            for key, case in cases[run.run_id].items():
                side[key].append(case)
    measured: list[tuple[SeriesKey, float, float, noise.Difference | None]] = []
    for key in sorted(a.keys() & b.keys()):
        (log_a, var_a, df_a), (log_b, var_b, df_b) = _pooled(a[key]), _pooled(b[key])
        if any(math.isnan(c.variance) for c in (*a[key], *b[key])):
            measured.append((key, log_a, log_b, None))
            continue
        sides = [(var_a, df_a, len(a[key])), (var_b, df_b, len(b[key]))]
        measured.append((key, log_a, log_b, noise.run_difference(sides, tau)))
    if not measured:
        raise UserError("BASE and NEW have no ok case in common (same framework, case, dtype, device, sizes)")
    p_values = [d.p_value(log_b - log_a) if d else 1.0 for _, log_a, log_b, d in measured]
    q_values = benjamini_hochberg(p_values)
    rows = []
    for (key, log_a, log_b, difference), p, q in zip(measured, p_values, q_values, strict=True):
        base_s, new_s, log_ratio = math.exp(log_a), math.exp(log_b), log_b - log_a
        if difference is None:
            low = high = detectable = math.nan
            verdict = NO_VERDICT
        else:
            low, high = difference.interval(log_ratio)
            detectable = difference.detectable()
            verdict = verdicts.verdict(low, high, q <= FDR, above=SLOWER, below=FASTER, margin=min_effect)
        rows.append(
            Row(
                key=key,
                base_s=base_s,
                new_s=new_s,
                ratio=new_s / base_s,
                low=low,
                high=high,
                p_value=p,
                detectable=detectable,
                verdict=verdict,
                note=_note(a[key], b[key], verdict, detectable, min_effect),
            )
        )
    return Comparison(_describe(base, base_classes), _describe(new, new_classes), rows, tau)


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


def _detectable(r: Row) -> str:
    return "–" if math.isnan(r.detectable) else f"±{100 * (r.detectable - 1):.0f} %"


def _cells(r: Row) -> list[str]:
    k = r.key
    what = f"{k.framework} {k.case}" + (f" {k.variant}" if k.variant != "default" else "")
    cells = [what, k.params, k.dtype, _time(r.base_s), _time(r.new_s), _fmt_ratio(r), _detectable(r)]
    return [*cells, r.verdict, r.note]


HEADERS = ["case", "size", "dtype", "BASE", "NEW", "NEW/BASE [95 % CI]", "detectable", "verdict", "note"]


def _summary(c: Comparison) -> str:
    counts: dict[str, int] = defaultdict(int)
    for r in c.rows:
        counts[r.verdict] += 1
    found = ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda vn: (-vn[1], vn[0])))
    sizes = sorted(r.detectable for r in c.rows if not math.isnan(r.detectable))
    typical = f"; median detectable change ±{100 * (sizes[len(sizes) // 2] - 1):.0f} %" if sizes else ""
    tau = c.run_noise
    source = f"from {tau.runs} repeated runs and the default" if tau.runs else "the default: no repeated runs"
    return f"{len(c.rows)} cases: {found}{typical}. Run-to-run noise {100 * tau.sd:.1f} % ({source})"


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
    colour = {SLOWER: "red", FASTER: "green"}
    for r in c.rows:
        cells = _cells(r)
        style = colour.get(r.verdict)
        table.add_row(*cells[:-2], f"[{style}]{r.verdict}[/]" if style else r.verdict, cells[-1])
    Console().print(table, markup=True, highlight=False)
    return True
