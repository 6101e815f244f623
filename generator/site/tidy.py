"""Tidy rows: one typed row per run, machine, timing result and accuracy result.

Each row model is a NamedTuple whose field names are the column names of its frame, so a frame is
`pd.DataFrame(rows)` and nothing lines up by position. The functions here turn one run or result into
its row (a run's timing results, the most numerous, straight into columns named by TimingRow's
fields); generator.site.load applies them while the run files are read (in parallel) and builds the
frames column by column. Everything downstream (analysis, pages, downloads) reads these frames.
"""

from __future__ import annotations

import functools
import math
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from generator.catalog.flops import flops as case_flops
from generator.catalog.peaks import PeakEstimate, peak_dtype, peak_for
from generator.machine.identity import gpu_label, hardware_label, machine_key
from generator.schema.models import AccuracyResult, Machine, ParamValue, Run, TimingResult
from generator.stats.noise import moderated_intervals

IMPORTED_TAG = "imported"
# The parameter that says "how big" a case is, in order of preference, for size-sweep charts.
SIZE_PARAMS = ("n", "batch", "side")
VERSION_FIELDS = ("numpy", "tensorflow", "torch", "keras", "torchvision")


class RunRow(NamedTuple):
    run_id: str
    kind: str
    created: str
    date: str
    os_tag: str
    machine_id: str
    cpu: str
    arch: str
    gpu: str
    device: str
    threads: str
    blas: str
    python: str
    numpy: str
    tensorflow: str
    torch: str
    keras: str
    torchvision: str
    results: int
    ok: int
    command: str
    source: str


class MachineRow(NamedTuple):
    machine_id: str
    os_tag: str
    host_id: str
    os: str
    cpu: str
    arch: str
    cores: str
    memory_gb: float
    gpu: str
    blas: str
    runs: int
    latest_run: str
    newest: str  # creation time of the newest run, to pick the newest machines
    hardware: str  # its readable name: the GPUs (if any), then the CPU and its cores


class TimingRow(NamedTuple):
    run_id: str
    created: str
    machine_id: str
    os_tag: str
    family: str
    case: str
    framework: str
    device: str
    dtype: str
    variant: str
    params: str
    size_name: str
    status: str
    error: str
    interval: str  # what the 95 % interval covers: "within-process" or "between-processes"
    conditions: str  # what really ran (library, threads, mode, ...), as "key: value; ..."
    quantized: str  # which layers ran in int8, when the run says
    warnings: str  # why the figure may be disturbed, "; "-joined
    peak_source: str  # where the clock of the CPU peak behind pct_peak came from (generator.catalog.peaks)
    size: float
    median: float
    ci_lo: float
    ci_hi: float
    iqr: float
    flops: float
    gflops: float
    pct_peak: float
    items_per_s: float
    agreement: float
    transfer_h2d_s: float
    model_params: float  # parameters of a model-zoo case (metric "params"), for its size and efficiency
    rounds: int
    threads: int
    # With `median` (the mean of the per-process medians), what change detection across versions needs
    # (generator.stats.history): the processes and the standard deviation of their medians (NaN for one).
    processes: int
    process_sd: float


class AccuracyRow(NamedTuple):
    run_id: str
    kind: str
    created: str
    machine_id: str
    os_tag: str
    source: str
    model: str
    framework: str
    protocol: str
    status: str
    error: str
    top1: float
    top5: float
    images: int
    weights: str
    device: str
    img_s: float
    latency_ms: float


def columns_of(row: type[tuple[object, ...]], kind: type) -> tuple[str, ...]:
    """The fields of a row model annotated with `kind` (str, float or int)."""
    return tuple(name for name, hint in typing.get_type_hints(row).items() if hint is kind)


TIMING_STRINGS = columns_of(TimingRow, str)
TIMING_FLOATS = columns_of(TimingRow, float)
TIMING_INTS = columns_of(TimingRow, int)


@dataclass(frozen=True)
class Frames:
    runs: pd.DataFrame  # RunRow per run
    machines: pd.DataFrame  # MachineRow per machine, its newest fingerprint
    timings: pd.DataFrame  # TimingRow per timing result of every ops run (strings as categoricals)
    accuracy: pd.DataFrame  # AccuracyRow per accuracy result (measured and imported)
    fingerprints: dict[str, Machine]  # machine_id -> newest fingerprint, for the machine pages


def params_text(params: dict[str, ParamValue]) -> str:
    """Canonical, sorted text of a parameter set: `batch=32, n=1024`."""
    return ", ".join(f"{k}={_fmt_param(v)}" for k, v in sorted(params.items()))


def _fmt_param(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def size_of(params: dict[str, ParamValue]) -> tuple[str, float]:
    for name in SIZE_PARAMS:
        value = params.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return name, float(value)
    return "", math.nan


def machine_id(run: Run) -> str:
    """The machine a run belongs to (OS tag / identity.machine_key): "" for imported runs."""
    if run.machine is None:
        return ""
    return f"{run.machine.os.tag}/{machine_key(run.machine)}"


def blas_text(machine: Machine | None) -> str:
    if machine is None:
        return ""
    parts = {
        " ".join(
            p for p in (b.internal_api, b.version, f"({b.threading_layer})" if b.threading_layer else "") if p
        )
        for b in machine.blas
    }
    return "; ".join(sorted(parts))


def gpu_text(machine: Machine | None) -> str:
    return "; ".join(g.name for g in machine.gpus) if machine else ""


def run_row(run: Run) -> RunRow:
    m = run.machine
    threads = run.settings.get("threads")

    def version(name: str) -> str:
        return m.frameworks.get(name, "") if m else ""

    return RunRow(
        run.run_id,
        run.kind,
        run.created,
        run.created[:10],
        m.os.tag if m else IMPORTED_TAG,
        machine_id(run),
        m.cpu.model if m else "",
        m.cpu.arch if m else "",
        gpu_text(m),
        ",".join(sorted({r.device for r in run.results if r.device})),
        str(threads) if threads is not None else "",
        blas_text(m),
        m.python if m else "",
        version("numpy"),
        version("tensorflow"),
        version("torch"),
        version("keras"),
        version("torchvision"),
        len(run.results),
        sum(1 for r in run.results if r.status == "ok"),
        run.command,
        run.source.repository if run.source else "",
    )


def machine_row(key: str, run: Run, runs: int) -> MachineRow:
    m = run.machine
    assert m is not None
    return MachineRow(
        key,
        m.os.tag,
        m.host_id,
        m.os.pretty or f"{m.os.distro} {m.os.version}",
        m.cpu.model,
        m.cpu.arch,
        f"{m.cpu.cores_physical or '?'} / {m.cpu.cores_logical}",
        m.memory_gb,
        gpu_text(m),
        blas_text(m),
        runs,
        run.run_id,
        run.created,
        hardware_text(m),
    )


def hardware_text(machine: Machine) -> str:
    gpus = sorted({gpu_label(g, machine) for g in machine.gpus})
    return " · ".join([*gpus, hardware_label(machine, "cpu")])


class Described(NamedTuple):
    """What a case and its parameters show: params_text, size_of, and today's FLOP count."""

    params: str
    size_name: str
    size: float
    flops: float | None  # None for a case (or parameters) the count does not know


_DESCRIBED: dict[tuple[str, tuple[tuple[str, ParamValue], ...]], Described] = {}


def _described(case: str, params: dict[str, ParamValue]) -> Described:
    """A case's Described, remembered (runs repeat the same few cases and parameter sets)."""
    key = (case, tuple(params.items()))
    found = _DESCRIBED.get(key)
    if found is None:
        found = Described(params_text(params), *size_of(params), _counted_flops(case, params))
        if len(_DESCRIBED) < 1 << 16:
            _DESCRIBED[key] = found
    return found


def conditions_text(conditions: dict[str, str]) -> str:
    """What ran, without the int8 layer list (shown in its own column)."""
    return _conditions_text(tuple(conditions.items()))


@functools.lru_cache(maxsize=4096)  # a run repeats a few sets of conditions over its results
def _conditions_text(items: tuple[tuple[str, str], ...]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in sorted(items) if k != "quantized_layers")


class Peaks:
    """A run's CPU peaks by the dtype they hold results against (generator.catalog.peaks), made once."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.found: dict[tuple[str, str, str], PeakEstimate | None] = {}

    def percent(self, device: str, dtype: str, variant: str, gflops: float) -> tuple[float, str]:
        """(% of peak, the peak's source) of a CPU result, or (nan, "") when there is no peak."""
        key = (device, dtype, variant)
        if key not in self.found:
            machine, found = self.run.machine, None
            if device == "cpu" and machine is not None:
                found = peak_for(machine, self.run.settings, peak_dtype(dtype, variant))
            self.found[key] = found
        peak = self.found[key]
        if peak is None or peak.gflops <= 0 or not math.isfinite(gflops):
            return math.nan, ""
        return 100.0 * gflops / peak.gflops, peak.source


def _counted_flops(case: str, params: dict[str, ParamValue]) -> float | None:
    """Today's FLOP count of a case, or None for a case (or parameters) it does not know."""
    try:
        return case_flops(case, params)
    except (KeyError, ValueError, TypeError):
        return None


# What a result without statistics (failed, unsupported) shows in the statistics columns.
_NO_STATS: dict[str, Any] = {
    "median": math.nan,
    "ci95": (math.nan, math.nan),
    "iqr": math.nan,
    "interval": "",
    "rounds": 0,
    "processes": 0,
}


def timing_columns(
    run: Run, mid: str, results: Sequence[TimingResult], process_sds: Sequence[float]
) -> dict[str, list[Any]]:
    """The TimingRow columns of an ops run's timing results, in their order ({field: values}).
    `mid` is machine_id(run), made once per run (it hashes the machine), and `process_sds` the
    results' process_sd, which validation computed (models.Byproducts).

    Column by column from each model's field values, which pydantic keeps in its __dict__: an
    attribute of a model costs several lookups, and a 10,000-run build reads two million results.
    """
    assert run.machine is not None
    nan, count = math.nan, len(results)
    fields = [r.__dict__ for r in results]
    stats = [_NO_STATS if f["stats"] is None else f["stats"].__dict__ for f in fields]
    described = [_described(f["case"], f["params"]) for f in fields]
    metrics: list[dict[str, float]] = _of(fields, "metrics")
    conditions: list[dict[str, str]] = _of(fields, "conditions")
    medians, processes = _of(stats, "median"), [s["processes"] or 0 for s in stats]
    # Results of several processes get intervals moderated over their framework and device in this run
    # (stats.noise, the noise model); the others keep their stored interval.
    pools = [(f["framework"], f["device"]) if s["interval"] == "between-processes" else None
             for f, s in zip(fields, stats, strict=True)]  # fmt: skip
    ci95 = moderated_intervals(pools, medians, process_sds, processes, _of(stats, "ci95"))
    gflops, pct, source = _throughput(run, fields, medians, [d.flops for d in described])
    columns = {
        "run_id": [run.run_id] * count,
        "created": [run.created] * count,
        "machine_id": [mid] * count,
        "os_tag": [run.machine.os.tag] * count,
        **{name: _of(fields, name) for name in ("family", "case", "framework", "device", "dtype", "variant")},
        "params": [d.params for d in described],
        "size_name": [d.size_name for d in described],
        "status": _of(fields, "status"),
        "error": [e or "" for e in _of(fields, "error")],
        "interval": _of(stats, "interval"),
        "conditions": [conditions_text(c) for c in conditions],
        "quantized": [c.get("quantized_layers", "") for c in conditions],
        "warnings": ["; ".join(w) for w in _of(fields, "warnings")],
        "peak_source": source,
        "size": [d.size for d in described],
        "median": medians,
        "ci_lo": [c[0] for c in ci95],
        "ci_hi": [c[1] for c in ci95],
        "iqr": _of(stats, "iqr"),
        "flops": [nan if f is None else f for f in _of(fields, "flops")],
        "gflops": gflops,
        "pct_peak": pct,
        **{column: [m.get(name, nan) for m in metrics] for column, name in _METRIC_COLUMNS},
        "rounds": _of(stats, "rounds"),
        "threads": [t or 0 for t in _of(fields, "threads")],
        "processes": processes,
        "process_sd": list(process_sds),
    }
    return {name: columns[name] for name in TimingRow._fields}


# TimingRow columns read from a result's metrics, and the metric each reads.
_METRIC_COLUMNS = (
    ("items_per_s", "items_per_s"),
    ("agreement", "agreement_vs_fp32"),
    ("transfer_h2d_s", "transfer_h2d_s"),
    ("model_params", "params"),
)


def _of(rows: list[dict[str, Any]], name: str) -> list[Any]:
    return [row[name] for row in rows]


def _throughput(
    run: Run, fields: list[dict[str, Any]], medians: list[float], counted: list[float | None]
) -> tuple[list[float], list[float], list[str]]:
    """The gflops, pct_peak and peak_source columns. The work per call is today's count (`counted`;
    runs made before a count was corrected keep their times, which are the record; their stored
    GFLOP/s would repeat the old count)."""
    peaks = Peaks(run)
    gflops, pct, source = [], [], []
    for f, median, work in zip(fields, medians, counted, strict=True):
        work = work or f["flops"]
        rate = work / median / 1e9 if work and median > 0 else f["metrics"].get("gflops", math.nan)
        share, origin = peaks.percent(f["device"], f["dtype"], f["variant"], rate)
        gflops.append(rate)
        pct.append(share)
        source.append(origin)
    return gflops, pct, source


def accuracy_row(run: Run, mid: str, r: AccuracyResult) -> AccuracyRow:
    return AccuracyRow(
        run.run_id,
        run.kind,
        run.created,
        mid,
        run.machine.os.tag if run.machine else IMPORTED_TAG,
        run.source.repository if run.source else "",
        r.model,
        r.framework,
        r.protocol,
        r.status,
        r.error or "",
        r.top1 if r.top1 is not None else math.nan,
        r.top5 if r.top5 is not None else math.nan,
        r.images,
        r.weights or "",
        r.device or "",
        r.throughput_img_s if r.throughput_img_s is not None else math.nan,
        r.latency_ms if r.latency_ms is not None else math.nan,
    )


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its categorical columns as plain strings (for small frames shown on pages)."""
    kinds = {n: object for n, t in frame.dtypes.items() if isinstance(t, pd.CategoricalDtype)}
    return frame.astype(kinds) if kinds else frame
