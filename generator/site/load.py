"""Run files → the site's tidy frames, in one pass that never holds every run's results at once.

Each run is reduced right after it is validated to what the site needs: a header (the run without its
results, for its permalink page), its RunRow, and its results as columns of TimingRow/AccuracyRow
fields. Chunks of files are validated and reduced in worker processes (pydantic dominates a large
build); the main process only joins the chunks. String columns travel as (distinct values, codes) and
end as sorted categoricals, so 10,000 runs of ~200 results take a few hundred MB, not several GB.
A run's reduced part is kept in the build cache (generator.site.cache), so a later build reads back
every run file whose bytes it has seen instead of validating it again.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator.errors import ValidationFailed
from generator.schema import stats_batch
from generator.schema.load import (
    check_file_name,
    duplicate_run_ids,
    read_run_file,
    run_from_bytes,
    run_paths,
)
from generator.schema.models import AccuracyResult, Byproducts, Machine, Run, TimingResult
from generator.site.cache import RunCache
from generator.site.tidy import (
    TIMING_FLOATS,
    TIMING_INTS,
    TIMING_STRINGS,
    AccuracyRow,
    Frames,
    MachineRow,
    RunRow,
    TimingRow,
    accuracy_row,
    machine_id,
    machine_row,
    run_row,
    timing_columns,
)

CHUNK = 64  # run files per worker task
PARALLEL_FROM = 2 * CHUNK  # fewer files are read in this process (worker start-up costs ~1 s)
# Validating a run makes ~2,000 short-lived objects (models, dicts, lists). At Python's default
# threshold (700) the young-generation collector runs every few results, which cost about a third of
# validating a run; they form no cycles worth finding, so a build collects a hundred times less often.
BUILD_GC_THRESHOLD = 70_000


@dataclass
class Part:
    """What a chunk of runs reduces to; plain data, so it crosses process boundaries cheaply."""

    headers: list[Run] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # source file per header ("" for in-memory runs)
    runs: list[RunRow] = field(default_factory=list)
    accuracy: list[AccuracyRow] = field(default_factory=list)
    strings: dict[str, tuple[list[str], np.ndarray]] = field(default_factory=dict)
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _codes(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(distinct values in order of appearance, each value's index among them)."""
    index = {v: i for i, v in enumerate(dict.fromkeys(values))}
    return list(index), np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))


def reduce_run(path: str, run: Run, keep_results: bool = False, byproducts: Byproducts | None = None) -> Part:
    """One run's part: its header, its rows, and its timing rows as columns (`byproducts`: what
    validating the run computed, when it was validated here)."""
    part = Part(
        headers=[run if keep_results else run.model_copy(update={"results": []})],
        paths=[path],
        runs=[run_row(run)],
    )
    mid = machine_id(run)
    part.accuracy = [accuracy_row(run, mid, r) for r in run.results if isinstance(r, AccuracyResult)]
    timings = [r for r in run.results if isinstance(r, TimingResult)]
    columns: dict[str, list[Any]] = {}
    if timings and run.kind == "ops" and run.machine is not None:
        known = byproducts or Byproducts()  # an empty one recomputes process_sd
        columns = timing_columns(run, mid, timings, [known.process_sd(r) for r in timings])
    for name in TIMING_STRINGS:
        part.strings[name] = _codes(columns.get(name, ()))
    for name in TIMING_FLOATS:
        part.numbers[name] = np.asarray(columns.get(name, ()), dtype=np.float64)
    for name in TIMING_INTS:
        part.numbers[name] = np.asarray(columns.get(name, ()), dtype=np.int64)
    return part


def merge(parts: Sequence[Part]) -> Part:
    """Parts as one, in order (a string column's distinct values may repeat: join() maps them)."""
    out = Part()
    for part in parts:
        out.headers += part.headers
        out.paths += part.paths
        out.runs += part.runs
        out.accuracy += part.accuracy
        out.problems += part.problems
    for name in TIMING_STRINGS:
        uniques: list[str] = []
        codes = []
        for part in parts:
            values, part_codes = part.strings[name]
            codes.append(part_codes + len(uniques))
            uniques += values
        out.strings[name] = (uniques, np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32))
    for name in (*TIMING_FLOATS, *TIMING_INTS):
        arrays = [part.numbers[name] for part in parts]
        out.numbers[name] = np.concatenate(arrays) if arrays else np.zeros(0)
    return out


def reduce_runs(runs: Iterable[tuple[str, Run]], keep_results: bool = False) -> Part:
    return merge([reduce_run(path, run, keep_results) for path, run in runs])


def _read_reduced(path: Path, cache: RunCache | None, used: set[str]) -> Part:
    """A run file's part: from the cache when an earlier build read these bytes, else read and
    validated here (and kept in the cache). A file name must still match its run id."""
    raw = read_run_file(path)
    key = cache.key(raw) if cache is not None else ""
    cached = cache.get(key) if cache is not None else None
    if isinstance(cached, Part) and len(cached.headers) == 1:
        check_file_name(path, cached.headers[0].run_id)
        cached.paths = [str(path)]
        used.add(key)
        return cached
    byproducts = Byproducts(batch=stats_batch.check)
    part = reduce_run(str(path), run_from_bytes(path, raw, byproducts), byproducts=byproducts)
    if cache is not None:
        cache.put(key, part)
        used.add(key)
    return part


def _load_chunk(paths: list[str], cache_folder: str | None = None) -> tuple[Part, set[str]]:
    """Validate and reduce run files (in a worker process); also the cache keys it used."""
    cache = RunCache(Path(cache_folder)) if cache_folder else None
    parts: list[Part] = []
    problems: list[str] = []
    used: set[str] = set()
    for path in paths:
        try:
            parts.append(_read_reduced(Path(path), cache, used))
        except ValidationFailed as e:
            problems.extend(e.lines)
    part = merge(parts)
    part.problems = problems
    return part, used


def _categorical(chunks: Sequence[tuple[list[str], np.ndarray]]) -> pd.Categorical:
    ordered = sorted({u for uniques, _ in chunks for u in uniques})
    code_of = {u: i for i, u in enumerate(ordered)}
    mapped = [
        np.fromiter(map(code_of.__getitem__, uniques), dtype=np.int32, count=len(uniques))[codes]
        for uniques, codes in chunks
    ]
    all_codes = np.concatenate(mapped) if mapped else np.zeros(0, dtype=np.int32)
    return pd.Categorical.from_codes(all_codes, categories=pd.Index(ordered, dtype=object))


def _timings(parts: Sequence[Part]) -> pd.DataFrame:
    """The TimingRow frame in run-id order (stable: a run's results keep their order)."""
    data: dict[str, object] = {n: _categorical([p.strings[n] for p in parts]) for n in TIMING_STRINGS}
    for name in (*TIMING_FLOATS, *TIMING_INTS):
        data[name] = np.concatenate([p.numbers[name] for p in parts]) if parts else np.zeros(0)
    frame = pd.DataFrame(data)[list(TimingRow._fields)]
    codes = frame["run_id"].cat.codes.to_numpy()
    if len(codes) and bool(np.any(codes[1:] < codes[:-1])):  # read_files reads in run-id order
        frame = frame.take(np.argsort(codes, kind="stable")).reset_index(drop=True)
    return frame


def _machines(
    headers: Sequence[Run], machine_ids: Mapping[str, str]
) -> tuple[pd.DataFrame, dict[str, Machine]]:
    """One MachineRow per machine with its newest fingerprint (results are not needed);
    `machine_ids` holds each run's machine_id, which its RunRow already has."""
    newest: dict[str, Run] = {}
    counts: dict[str, int] = {}
    for run in headers:
        key = machine_ids[run.run_id]
        if not key:
            continue
        counts[key] = counts.get(key, 0) + 1
        if key not in newest or run.run_id > newest[key].run_id:
            newest[key] = run
    rows = [machine_row(key, run, counts[key]) for key, run in sorted(newest.items())]
    fingerprints = {key: run.machine for key, run in newest.items() if run.machine is not None}
    frame = pd.DataFrame(rows, columns=list(MachineRow._fields))
    return frame.astype({"memory_gb": "float64", "runs": "int64"}), fingerprints


@dataclass(frozen=True)
class Collection:
    frames: Frames
    headers: list[Run]  # sorted by run id; results dropped unless collected from memory
    sources: dict[str, Path]  # run id -> its file, when it came from one


def join(parts: Sequence[Part]) -> Collection:
    problems = [p for part in parts for p in part.problems]
    problems += duplicate_run_ids(
        (h.run_id, path) for part in parts for h, path in zip(part.headers, part.paths, strict=True)
    )
    if problems:
        raise ValidationFailed(problems[0], lines=problems)
    headers = sorted((h for p in parts for h in p.headers), key=lambda h: h.run_id)
    runs = pd.DataFrame([r for p in parts for r in p.runs], columns=list(RunRow._fields))
    accuracy = pd.DataFrame([r for p in parts for r in p.accuracy], columns=list(AccuracyRow._fields))
    accuracy = accuracy.astype({n: "float64" for n in ("top1", "top5", "img_s", "latency_ms")})
    machines, fingerprints = _machines(headers, {r.run_id: r.machine_id for p in parts for r in p.runs})
    frames = Frames(
        runs=runs.sort_values("run_id", kind="stable").reset_index(drop=True),
        machines=machines,
        timings=_timings(parts),
        accuracy=accuracy.sort_values("run_id", kind="stable").reset_index(drop=True),
        fingerprints=fingerprints,
    )
    pairs = (pair for p in parts for pair in zip(p.headers, p.paths, strict=True))
    sources = {h.run_id: Path(path) for h, path in pairs if path}
    return Collection(frames, headers, sources)


def collect_runs(runs: Iterable[Run]) -> Collection:
    """Runs already in memory (tests, tools): one part, results kept for the downloads."""
    return join([reduce_runs((("", run) for run in runs), keep_results=True)])


def cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextmanager
def rare_collections() -> Iterator[None]:
    """The build's garbage-collection threshold (BUILD_GC_THRESHOLD) while it runs, then the old one."""
    old = gc.get_threshold()
    _collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _collect_rarely() -> None:
    """BUILD_GC_THRESHOLD for the youngest generation (a worker process's initializer, too)."""
    gc.set_threshold(BUILD_GC_THRESHOLD, *gc.get_threshold()[1:])


@contextmanager
def worker_pool(files: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for a build of `files` run files, or None where one process is quicker."""
    workers = min(cpu_count(), 8)
    if files < PARALLEL_FROM or workers < 2:
        yield None
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_collect_rarely) as pool:
        yield pool


def collect_files(
    paths: Iterable[Path], pool: ProcessPoolExecutor | None = None, cache: Path | None = None
) -> Collection:
    """Validate every run file under `paths` and reduce it; one ValidationFailed lists all problems.
    Chunks of files go to `pool` when one is given (else to one made here, for a large set). With a
    `cache` folder, runs an earlier build read are read back from it (generator.site.cache), and
    entries this build did not use are removed."""
    return read_files([str(p) for p in run_paths(paths)], pool, cache)


def read_files(files: Sequence[str], pool: ProcessPoolExecutor | None, cache: Path | None) -> Collection:
    """collect_files for run files already listed (run_paths)."""
    # In run-id order (a run file is named by its run id), so the results join without a sort.
    files = sorted(files, key=lambda f: (os.path.basename(f), f))
    chunks = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
    load = functools.partial(_load_chunk, cache_folder=str(cache) if cache is not None else None)
    if pool is not None:
        loaded = list(pool.map(load, chunks))
    else:
        with worker_pool(len(files)) as own:
            loaded = list(own.map(load, chunks)) if own is not None else [load(c) for c in chunks]
    collection = join([part for part, _ in loaded])
    if cache is not None:
        RunCache(cache).prune(set().union(*(used for _, used in loaded)))
    return collection
