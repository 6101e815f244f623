"""Pydantic v2 models of a run file (schema version 2; generator/schema/migrate.py reads version 1).

Strict on purpose: run files arrive from strangers by pull request, so unknown fields are rejected,
every number must be finite and in range, and every string has a length bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from generator.catalog.names import Device, Framework, Zoo
from generator.stats import timing as statistics

SCHEMA_VERSION = 2

# Bounded string types. Limits are generous for real data and small enough to stop abuse.
# No control characters: none belongs in a name, and NUL even crashes vl-convert's chart renderer.
# Text keeps tab and newline. Patterns, not Python validators: pydantic-core checks them without a
# call into Python for each of a run's ~2,000 strings (10 % of validating a run).
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
NO_CONTROL_IN_TEXT = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"
# What a failed pattern means, in the words of an error line (generator.schema.load).
PATTERN_MESSAGES = {
    NO_CONTROL: "must not contain control characters",
    NO_CONTROL_IN_TEXT: "must not contain control characters other than tab and newline",
}

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROL)]
Text = Annotated[str, StringConstraints(max_length=4000, pattern=NO_CONTROL_IN_TEXT)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.\-]{0,63}$")]
Version = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
RunId = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z-[a-z0-9][a-z0-9._\-]{0,99}$"
    ),
]
Timestamp = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
]
Seconds = Annotated[float, Field(ge=0, le=1e6)]
Percent = Annotated[float, Field(ge=0, le=100)]
ParamValue = int | float | bool | Name
# A setting may be a list (e.g. the models a run was asked for, which --resume must get back whole).
SettingValue = (
    int | float | bool | Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=NO_CONTROL)]
)
Metrics = Annotated[dict[Name, Annotated[float, Field(ge=-1e18, le=1e18)]], Field(max_length=64)]

Status = Literal["ok", "unsupported", "failed", "unavailable"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class OperatingSystem(Strict):
    family: Literal["linux", "macos", "windows", "other"]
    distro: Name = Field(description="debian, ubuntu, macos, windows, ...")
    version: Version
    tag: Tag = Field(description="distro-version, e.g. debian-12, ubuntu-24.04, macos-14")
    pretty: Name | None = None
    kernel: Version | None = None


class Cpu(Strict):
    model: Name
    arch: Name
    cores_physical: Annotated[int, Field(gt=0, le=4096)] | None
    cores_logical: Annotated[int, Field(gt=0, le=8192)]
    flags: Annotated[
        list[Annotated[str, StringConstraints(max_length=40, pattern=NO_CONTROL)]],
        Field(max_length=1024),
    ] = []
    freq_mhz: Annotated[float, Field(gt=0, le=20000)] | None = None


class Gpu(Strict):
    vendor: Literal["nvidia", "apple", "amd", "intel", "other"]
    name: Name
    memory_gb: Annotated[float, Field(ge=0, le=100000)] | None = None
    driver: Version | None = None
    compute_capability: Version | None = None


class BlasLibrary(Strict):
    user_api: Name
    internal_api: Name
    version: Version | None = None
    threading_layer: Name | None = None
    architecture: Name | None = None
    num_threads: Annotated[int, Field(ge=0, le=8192)] | None = None
    owner: Name | None = Field(default=None, description="the package that loaded it: numpy, torch, ...")


class Machine(Strict):
    os: OperatingSystem
    cpu: Cpu
    memory_gb: Annotated[float, Field(gt=0, le=1_000_000)]
    gpus: Annotated[list[Gpu], Field(max_length=64)] = []
    python: Version
    blas: Annotated[list[BlasLibrary], Field(max_length=64)] = []
    frameworks: Annotated[dict[Name, Version], Field(max_length=64)] = {}
    host_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class Stats(Strict):
    """Summary of timing samples (generator/stats/timing.py computes it; validation recomputes it).

    Every sample is the mean time of `loops` calls, so `iqr` is the spread of loop means, not of
    single calls. `median` is the point estimate: the samples' median for a within-process interval,
    the mean of the per-process medians for a between-processes one.
    """

    median: Seconds
    mean: Seconds
    min: Seconds
    max: Seconds
    iqr: Seconds
    ci95: tuple[Seconds, Seconds]
    outliers: Annotated[int, Field(ge=0)]
    loops: Annotated[int, Field(gt=0, le=10**9)]
    rounds: Annotated[int, Field(gt=0, le=100000)]
    interval: statistics.IntervalKind = Field(
        description="what ci95 covers: noise within one process, or between independent processes"
    )
    confidence: Annotated[float, Field(ge=0, le=1)] = Field(
        description="the interval's true coverage (under 0.95 when there are 5 or fewer samples)"
    )
    processes: Annotated[int, Field(gt=0, le=1000)]
    # Ordered (min <= median <= max, ci95 low <= median <= high): TimingResult checks that, with its
    # other checks, since one call into Python per model is a cost in a large build.


def _check_order(stats: Stats) -> None:
    lo, hi = stats.ci95
    if not (stats.min <= stats.median <= stats.max and lo <= stats.median <= hi):
        raise ValueError("stats: need min <= median <= max and ci95 low <= median <= high")


class WorkerId(Strict):
    """What tells one worker process from the others of its run."""

    pid: Annotated[int, Field(gt=0, le=2**31)]
    started: Timestamp


class TimingResult(Strict):
    suite: Literal["ops"]
    family: Literal["tensor", "gradients", "training", "inference", "models"]
    case: Name
    framework: Framework
    device: Device
    dtype: Name
    variant: Name = Field(default="default", description="eager/compiled, fp32/int8/pruned, ...")
    params: Annotated[dict[Name, ParamValue], Field(max_length=32)] = {}
    unit: Literal["s"] = "s"
    status: Status
    error: Text | None = None
    samples: Annotated[list[Seconds], Field(max_length=10000)] = []
    process_rounds: Annotated[list[Annotated[int, Field(gt=0, le=10000)]], Field(max_length=1000)] = Field(
        default=[], description="samples taken by each independent worker process, in order (empty: one)"
    )
    workers: Annotated[list[WorkerId], Field(max_length=1000)] = Field(
        default=[],
        description="the worker process behind each process_rounds entry (runs since it was recorded)",
    )
    stats: Stats | None = None
    flops: Annotated[float, Field(ge=0, le=1e21)] | None = Field(default=None, description="per call")
    items: Annotated[int, Field(ge=0)] | None = Field(default=None, description="samples/images per call")
    threads: Annotated[int, Field(gt=0, le=8192)] | None = None
    # Free-form, so no schema version marks what a writer adds or drops: runs written before the runner
    # stopped storing it hold `pct_peak` (% of the CPU peak), which nothing reads (readers derive it
    # from the run's settings, generator.catalog.peaks.result_peaks); they stay valid as they are.
    metrics: Metrics = Field(default={}, description="extra figures, e.g. transfer_s, agreement, max_abs_err")
    conditions: Annotated[dict[Name, Name], Field(max_length=32)] = Field(
        default={}, description="what really ran: math library, threads used, execution mode, int8 layers"
    )
    warnings: Annotated[list[Text], Field(max_length=32)] = Field(
        default=[], description="why this figure may be disturbed: spread between processes, load, steal"
    )

    @property
    def process_sd(self) -> float:
        """The standard deviation of the per-process medians (NaN for one process, or no samples)."""
        if self.stats is None or not self.samples:  # then validation did not check process_rounds
            return math.nan
        return statistics.process_sd(self.samples, self.process_rounds)

    @model_validator(mode="after")
    def _status_consistent(self, info: ValidationInfo) -> TimingResult:
        stats, samples = self.stats, self.samples
        if self.status == "ok":
            if stats is None or not samples:
                raise ValueError("an ok result needs samples and stats")
        elif not self.error:
            raise ValueError(f"a {self.status} result needs an error text saying why")
        if self.workers:
            _check_workers(self.workers, len(self.process_rounds) or 1)
        if stats is None:
            return self
        known = info.context if isinstance(info.context, Byproducts) else None
        if samples and known is not None and known.batch is not None:
            known.deferred.append(self)  # checked with the run's others, in Run._kind_consistent
            return self
        _check_order(stats)
        if samples:
            fresh = _check_stats(stats, samples, self.process_rounds)
            if known is not None:
                known.process_sds[id(self)] = fresh.process_sd
        return self


# Checks the stored statistics of many timing results at once: each result's process_sd when every
# one passes _check_order and _check_stats, else None (generator.schema.stats_batch.check, which needs NumPy).
BatchCheck = Callable[[Sequence[TimingResult]], list[float] | None]


class Byproducts:
    """What validation computes anyway and a reader of the run needs too; pass one as the context of
    a Run's validation. Change detection needs each timing result's process_sd, and computing it
    twice was 6 % of a large build.

    With a `batch` check, results leave their statistics to the run's validator, which checks them
    all in one call: per result in Python, that check was a third of validating a run. The batch only
    answers "all agree" or "not all"; the one-by-one check stays the judge of a run it rejects
    (parse_run then validates again after start_over(), so that each error names its field).
    """

    def __init__(self, batch: BatchCheck | None = None) -> None:
        self.process_sds: dict[int, float] = {}  # id() of a TimingResult of the validated run
        self.batch = batch
        self.deferred: list[TimingResult] = []  # results whose statistics the batch is to check

    def process_sd(self, result: TimingResult) -> float:
        found = self.process_sds.get(id(result))
        return result.process_sd if found is None else found

    def start_over(self) -> None:
        """Before validating again after a failure: forget the failed attempt's results (their ids
        may be reused) and check each result on its own, for precise messages."""
        self.process_sds.clear()
        self.deferred.clear()
        self.batch = None

    def check_deferred(self) -> None:
        deferred, self.deferred = self.deferred, []
        if not deferred or self.batch is None:
            return
        sds = self.batch(deferred)
        if sds is None:
            raise ValueError("the stored statistics of a result disagree with its samples")
        self.process_sds.update(zip(map(id, deferred), sds, strict=True))


# How close a stored figure must be to the one its samples give (stored figures are rounded by JSON).
REL_TOL, ABS_TOL = 1e-6, 1e-12


def _check_workers(workers: list[WorkerId], processes: int) -> None:
    """Samples labelled as several processes must come from as many distinct worker processes."""
    if len(workers) != processes:
        raise ValueError(f"workers: {len(workers)} recorded for {processes} process(es)")
    if len({(w.pid, w.started) for w in workers}) < len(workers):
        raise ValueError("workers: the same worker process is recorded twice: its samples are one process's")


def _check_stats(
    stored: Stats, samples: list[float], process_rounds: list[int]
) -> statistics.IntervalEstimate:
    """Stored statistics must be those of the samples (to rounding): the site reads the stored ones."""
    try:
        # The estimate and interval only: the descriptive figures (mean, iqr, outliers) are not checked.
        fresh = statistics.estimate(samples, process_rounds)
    except ValueError as e:
        raise ValueError(f"process_rounds: {e}") from None
    rounds = len(fresh.ordered)
    if stored.rounds != rounds or stored.processes != fresh.processes:
        raise ValueError(
            f"stats: rounds {stored.rounds} / processes {stored.processes} disagree with the samples "
            f"({rounds} samples from {fresh.processes} processes)"
        )
    if stored.interval != fresh.interval:
        raise ValueError(f"stats.interval: {stored.interval!r} is not what {fresh.processes} processes give")
    pairs = (
        ("median", stored.median, fresh.median),
        ("min", stored.min, fresh.ordered[0]),
        ("max", stored.max, fresh.ordered[-1]),
        ("ci95 low", stored.ci95[0], fresh.ci95[0]),
        ("ci95 high", stored.ci95[1], fresh.ci95[1]),
    )
    for name, have, want in pairs:
        if not math.isclose(have, want, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            raise ValueError(f"stats.{name}: {have:.6g} disagrees with the samples, which give {want:.6g}")
    if not math.isclose(stored.confidence, round(fresh.coverage, 6), rel_tol=0, abs_tol=1e-6):
        raise ValueError(
            f"stats.confidence: {stored.confidence:g} is not the coverage of this interval "
            f"({fresh.coverage:.4g} for {rounds} samples from {fresh.processes} process(es))"
        )
    return fresh


class AccuracyResult(Strict):
    suite: Literal["accuracy"]
    model: Name
    framework: Zoo
    protocol: Literal["original", "standard", "unknown"]
    status: Status = "ok"
    error: Text | None = None
    top1: Percent | None = None
    top5: Percent | None = None
    images: Annotated[int, Field(ge=0, le=10**8)] = 0
    weights: Name | None = None
    device: Device | None = None
    batch_size: Annotated[int, Field(gt=0, le=100000)] | None = None
    input_size: Annotated[int, Field(gt=0, le=10000)] | None = None
    throughput_img_s: Annotated[float, Field(ge=0, le=1e9)] | None = None
    latency_ms: Annotated[float, Field(ge=0, le=1e9)] | None = None
    files: Annotated[dict[Name, Sha256], Field(max_length=16)] = Field(
        default={}, description="top-5 files written or read, with their SHA-256"
    )

    @model_validator(mode="after")
    def _figures(self) -> AccuracyResult:
        if self.status == "ok":
            if self.top1 is None or self.top5 is None or self.images <= 0:
                raise ValueError("an ok accuracy result needs top1, top5 and images > 0")
            if self.top5 + 1e-9 < self.top1:
                raise ValueError("top5 cannot be below top1")
        elif not self.error:
            raise ValueError(f"a {self.status} result needs an error text saying why")
        return self


class Source(Strict):
    """Where imported figures come from."""

    repository: Name
    commit: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{7,40}$")] | None = None
    # ECMA-262 compatible (JSON Schema validators use it): no escaped quote inside the class.
    url: Annotated[str, StringConstraints(pattern="^https://[^\\s<>\"']{1,300}$")] | None = None
    license: Name | None = None
    citation: Text | None = None


class Run(Strict):
    schema_version: Literal[2]
    run_id: RunId
    kind: Literal["ops", "accuracy", "import"]
    created: Timestamp
    tool_version: Version
    command: Text
    machine: Machine | None = None
    source: Source | None = None
    settings: Annotated[dict[Name, SettingValue], Field(max_length=64)] = Field(
        default={}, description="how the run was made: timer target, threads, protocol, ..."
    )
    notes: Annotated[dict[Name, Text | float], Field(max_length=64)] = {}
    results: Annotated[
        list[Annotated[TimingResult | AccuracyResult, Field(discriminator="suite")]], Field(max_length=100000)
    ]

    @model_validator(mode="after")
    def _kind_consistent(self, info: ValidationInfo) -> Run:
        if isinstance(info.context, Byproducts):
            info.context.check_deferred()
        if self.kind != "import" and self.machine is None:
            raise ValueError(f"a {self.kind} run needs its machine")
        if self.kind == "import" and self.source is None:
            raise ValueError("an import run needs its source")
        wanted = "ops" if self.kind == "ops" else "accuracy"
        for i, result in enumerate(self.results):
            if result.suite != wanted:
                raise ValueError(f"results.{i}: a {self.kind} run holds only {wanted} results")
        return self
