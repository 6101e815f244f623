"""`framebench bench ops`: plan the cases, time each one in several independent worker processes,
and stream every finished share into the run file (atomically rewritten, valid at every moment), so
a crash or kill of anything keeps what was done and --resume can continue from it.

Order matters on a noisy machine: pass p starts one worker per framework, the frameworks in an order
rotated by p, each running its cases in an order shuffled per pass. Drift in the machine's state
(heat, a neighbour VM, a background job) then spreads over every framework and case instead of
hitting the last ones, and the spread between passes is what the published interval measures.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from generator.bench.options import OpsOptions, Plan, resolve_options
from generator.bench.probe import machine_clock
from generator.bench.shares import merge, processes_done
from generator.catalog import protocol
from generator.catalog.cases import Case, WorkItem, plan, select_cases
from generator.catalog.names import result_key
from generator.catalog.peaks import PEAK_DTYPES, clock_settings, peak_for
from generator.catalog.zoo_cases import FAMILY as ZOO_FAMILY
from generator.errors import UserError
from generator.progress import Progress
from generator.runmeta import load_average
from generator.schema.load import display, dump_run, load_run, write_atomic
from generator.schema.models import Machine, Run, TimingResult
from generator.stats import timing as statistics

HELLO_TIMEOUT_S = 300.0  # importing TF on a busy 2-core box can take a while
CASE_TIMEOUT_S = {True: 420.0, False: 1200.0}  # per item, quick / full (torch.compile is the slowest)
MAX_RESTARTS = 5  # worker crashes per framework and pass before the rest of its cases are marked failed


def gpu_kind(machine: Machine) -> str | None:
    vendors = {g.vendor for g in machine.gpus}
    return "cuda" if "nvidia" in vendors else "mps" if "apple" in vendors else None


def check_device(requested: str, machine: Machine) -> None:
    seen = gpu_kind(machine)
    if requested in ("cuda", "mps") and seen != requested:
        raise UserError(
            f"--device {requested}: no {'NVIDIA' if requested == 'cuda' else 'Apple'} GPU is visible "
            f"on this machine (GPUs seen: {', '.join(g.name for g in machine.gpus) or 'none'}); "
            "valid: auto, cpu" + (f", {seen}" if seen else "")
        )


def expected_device(framework: str, requested: str, machine: Machine) -> str:
    """The device a framework will most likely use, for results recorded without its worker."""
    if framework == "numpy":
        return "cpu"
    if requested == "auto":
        return gpu_kind(machine) or "cpu"
    return requested


class RunFile:
    """The run being written: the header plus every result so far, rewritten atomically on each change."""

    def __init__(self, run: Run, path: Path) -> None:
        self.run = run
        self.path = path
        self.results = list(run.results)
        self._index = {self._key(r): i for i, r in enumerate(self.results) if isinstance(r, TimingResult)}
        self.save()

    @staticmethod
    def _key(r: TimingResult) -> str:
        return result_key(r.__dict__)

    def add(self, result: TimingResult) -> None:
        """Put `result` in place of the one with its key, or after the others."""
        key = self._key(result)
        if key in self._index:
            self.results[self._index[key]] = result
        else:
            self._index[key] = len(self.results)
            self.results.append(result)
        self.save()

    def add_share(self, share: dict[str, Any]) -> None:
        """Merge one process's share of a case into that case's result."""
        merged = merge(self.get(result_key(share)), share)
        # The file holds measurements only: % of the CPU peak is derived by its readers from the run's
        # settings (generator.catalog.peaks.result_peaks, the site), so it is not stored beside them.
        self.add(TimingResult.model_validate_json(json.dumps(merged)))

    def get(self, key: str) -> TimingResult | None:
        i = self._index.get(key)
        result = self.results[i] if i is not None else None
        return result if isinstance(result, TimingResult) else None

    def save(self) -> None:
        self.run = self.run.model_copy(update={"results": list(self.results)})
        write_atomic(self.path, dump_run(self.run))

    def note(self, key: str, value: str | float) -> None:
        self.run = self.run.model_copy(update={"notes": {**self.run.notes, key: value}})
        self.save()

    def processes_done(self, item: WorkItem) -> int:
        return processes_done(self.get(item.key()))


def _settings(options: Plan, threads: int, machine: Machine) -> tuple[dict[str, Any], dict[str, Any]]:
    settings: dict[str, Any] = {
        "quick": options.quick,
        "device": options.device,
        "threads": threads,
        "frameworks": ",".join(options.frameworks),
        "cases": ",".join(options.cases or ("all",)),
        "timer.processes": options.processes,
        "timer.warmup_s": options.warmup_s,
        "timer.min_sample_s": protocol.MIN_SAMPLE_S,
        "timer.target_rel_ci": protocol.TARGET_REL_CI,
        "timer.stop_confidence": protocol.STOP_CONFIDENCE,
        "timer.confidence": statistics.CONFIDENCE,
        "timer.min_rounds": protocol.MIN_ROUNDS,
        "timer.max_rounds": protocol.MAX_ROUNDS,
        "timer.budget_s": options.budget_s,
    }
    notes: dict[str, Any] = {
        "timer": "each case timed in timer.processes independent worker processes (frameworks rotated and "
        "cases shuffled per pass); estimate = mean of the per-process medians; 95 % interval = Student-t "
        "over the per-process medians, widened to the order-statistic interval of all samples; each "
        "sample is the mean of `loops` calls",
        "float32": "IEEE float32 on every device: TF32 tensor-core math is switched off in torch and TF",
        "threads": "intra-op threads set in each framework (torch.set_num_threads, tf.config.threading, "
        "threadpoolctl for NumPy's BLAS) and OMP/MKL/OPENBLAS_NUM_THREADS",
    }
    load = load_average()
    if load is not None:
        notes["loadavg_1min.start"] = round(load, 2)
        if load > 0.5:
            print(
                f"warning: load average {load:.2f} on {machine.cpu.cores_logical} cores before the run: "
                "other processes will disturb the timings",
                file=sys.stderr,
            )
    # The clock the cores really reach (reported by the OS or measured), so no result beats the peak.
    settings.update(clock_settings(machine_clock(machine.cpu.freq_mhz)))
    for dtype in PEAK_DTYPES:
        peak = peak_for(machine, settings, dtype)
        if peak is not None:
            settings[f"peak_gflops.{dtype}"] = round(peak.gflops, 3)
            settings[f"peak_source.{dtype}"] = peak.source[:200]
            notes[f"peak_formula.{dtype}"] = peak.formula
    return settings, notes


def _resumed(options: OpsOptions, machine: Machine) -> tuple[Run | None, Plan]:
    """The run to continue (if any) and the options this run is made with."""
    default_threads = machine.cpu.cores_physical or machine.cpu.cores_logical
    if options.resume is None:
        return None, resolve_options(options, None, default_threads)
    try:
        run = load_run(options.resume)
    except UserError as e:
        raise UserError(f"--resume: {e}", lines=[f"--resume: {line}" for line in e.lines]) from None
    if run.kind != "ops":
        raise UserError(f"--resume: {display(options.resume)}: kind: is {run.kind!r}, not an ops run")
    return run, resolve_options(options, run, default_threads)


def _open_run(options: OpsOptions, chosen: Plan, resumed: Run | None, machine: Machine) -> RunFile:
    if options.resume is not None and resumed is not None:
        return RunFile(resumed, options.resume)
    from generator.machine.detect import machine_slug
    from generator.runmeta import new_header

    header = new_header(options.command, slug=machine_slug(machine))
    settings, notes = _settings(chosen, chosen.threads, machine)
    run = Run(
        **header.fields(),
        kind="ops",
        machine=machine,
        settings=settings,
        notes=notes,
        results=[],
    )
    out_dir = options.out if options.out is not None else Path("runs") / machine.os.tag
    return RunFile(run, out_dir / f"{header.run_id}.json")


def _note_result(item: WorkItem, status: str, error: str, threads: int) -> dict[str, Any]:
    """A share recorded by the runner itself (the worker could not report it)."""
    from generator.bench.worker import base_result

    return {**base_result(item, threads), "status": status, "error": error[:4000]}


class Worker:
    """A running worker process and a thread turning its stdout into messages."""

    def __init__(self, framework: str, device: str, threads: int, log: Path) -> None:
        env = dict(os.environ)
        env.update(
            {
                "OMP_NUM_THREADS": str(threads),
                "MKL_NUM_THREADS": str(threads),
                "OPENBLAS_NUM_THREADS": str(threads),
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.log = log
        self._log_file = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator.bench.worker", framework, device, str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            env=env,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.messages.put(json.loads(line))
            except json.JSONDecodeError:
                continue  # not ours; the protocol lines are all JSON
        self.messages.put(None)

    def next(self, timeout: float) -> dict[str, Any] | None:
        """The next message; None at the end of output; raises TimeoutError when nothing came."""
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None

    def send(self, job: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def finish(self, kill: bool = False) -> str:
        """Wait for (or kill) the process; a text saying how it ended when it did not end well."""
        if kill:
            self.proc.kill()
        code = self.proc.wait()
        self._reader.join(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                with contextlib.suppress(BrokenPipeError):
                    stream.close()
        self._log_file.close()
        if kill:
            return "killed after no progress for too long"
        if code == -signal.SIGKILL:
            # Nobody here sends SIGKILL but the kernel's out-of-memory killer (seen with Keras
            # NASNetLarge at batch 32, a worker of 24 GB on a 24 GB machine).
            return "worker killed by SIGKILL: most likely out of memory (the kernel's OOM killer)"
        if code < 0:
            return f"worker killed by signal {signal.Signals(-code).name}"
        return f"worker exited with status {code}" if code else ""

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(line.strip() for line in text[-lines:])[:800]


def _messages(worker: Worker, timeout: float) -> Iterator[dict[str, Any]]:
    while True:
        message = worker.next(timeout)
        if message is None:
            return
        yield message


def run_framework(
    framework: str,
    items: list[WorkItem],
    *,
    chosen: Plan,
    wanted: Callable[[WorkItem], bool],
    sink: Callable[[dict[str, Any]], None],
    progress: Progress,
    log_dir: Path,
) -> None:
    """Run the `wanted` ones of `items` (planned for `framework`) in worker processes, one after the
    other, restarting after crashes; every outcome goes to `sink` as one share."""
    pending = [i for i in items if wanted(i)]
    progress.framework(framework, len(pending))
    restarts = 0
    while pending:
        worker = Worker(framework, chosen.device, chosen.threads, log_dir / f"{framework}.log")
        current: WorkItem | None = None
        ending = ""
        try:
            hello = worker.next(HELLO_TIMEOUT_S)
            if hello is None or hello.get("type") not in ("hello", "unavailable"):
                raise EOFError
            if hello["type"] == "unavailable":
                worker.finish()
                reason = str(hello.get("reason") or "not available")
                for item in pending:
                    sink(_note_result(item, "unavailable", reason, chosen.threads))
                    progress.advance()
                return
            device = str(hello["device"])
            worker_id = {"pid": int(hello["pid"]), "started": str(hello["started"])}
            # The worker knows the device it got; re-key the plan with it (and skip finished ones).
            pending = [
                WorkItem(i.family, i.case, i.framework, device, i.dtype, i.variant, i.params) for i in pending
            ]
            pending = [i for i in pending if wanted(i)]
            by_key = {i.key(): i for i in pending}
            job = {"budget_s": chosen.budget_s, "warmup_s": chosen.warmup_s}
            worker.send({**job, "items": [i.to_json() for i in pending]})
            for message in _messages(worker, CASE_TIMEOUT_S[chosen.quick]):
                if message.get("type") == "start":
                    current = by_key.get(str(message.get("key")))
                    if current is not None:
                        progress.current(
                            f"{framework}: {current.case} {current.variant} "
                            f"{','.join(f'{k}={v}' for k, v in current.params)}"
                        )
                elif message.get("type") == "result" and current is not None:
                    sink({**message["result"], "worker": worker_id})
                    pending.remove(current)
                    current = None
                    progress.advance()
            ending = worker.finish()
        except TimeoutError:
            ending = worker.finish(kill=True)
        except EOFError:
            ending = worker.finish() or "worker stopped before saying hello"
        if not pending:
            return
        restarts += 1
        reason = f"{ending or 'worker stopped early'}; log: {worker.log_tail()}"
        victims = [current] if current is not None else []
        if restarts > MAX_RESTARTS or current is None:
            victims = list(pending)  # nothing to blame (or too many crashes): the rest cannot run
        for item in victims:
            why = f"{reason} (while running this case)" if item is current else reason
            sink(_note_result(item, "failed", why, chosen.threads))
            pending.remove(item)
            progress.advance()


def _built_together(item: WorkItem) -> str:
    """Cases that reuse one built model (a zoo model at each batch size) stay back to back: a worker
    keeps one model at a time, and building a large one costs more than timing it."""
    model = dict(item.params).get("model") if item.family == ZOO_FAMILY else None
    return f"{item.framework}/{model}" if model is not None else item.key()


def pass_order(frameworks: tuple[str, ...], items: list[WorkItem], index: int, seed: str) -> list[WorkItem]:
    """Pass `index`'s order: frameworks rotated by the pass, cases shuffled per pass (seeded), the
    cases of one built model kept together."""
    shift = index % len(frameworks) if frameworks else 0
    order = {fw: i for i, fw in enumerate(frameworks[shift:] + frameworks[:shift])}
    shuffled = list(items)
    rng = random.Random(f"{seed}/{index}")
    rng.shuffle(shuffled)
    groups = list(dict.fromkeys(_built_together(item) for item in shuffled))
    rng.shuffle(groups)
    rank = {group: i for i, group in enumerate(groups)}
    return sorted(shuffled, key=lambda item: (order[item.framework], rank[_built_together(item)]))


def run_ops(options: OpsOptions) -> Path:
    from generator.machine.detect import fingerprint

    machine = fingerprint()
    resumed, chosen = _resumed(options, machine)
    try:
        cases: tuple[Case, ...] = select_cases(chosen.cases)
    except ValueError as e:
        raise UserError(f"--cases: {e}") from None
    check_device(chosen.device, machine)
    run_file = _open_run(options, chosen, resumed, machine)
    items = [
        item
        for fw in chosen.frameworks
        for item in plan(cases, fw, expected_device(fw, chosen.device, machine), chosen.quick)
    ]
    total = sum(max(0, chosen.processes - run_file.processes_done(i)) for i in items)
    with tempfile.TemporaryDirectory(prefix="framebench-") as tmp, Progress(total) as progress:
        for index in range(chosen.processes):
            ordered = pass_order(chosen.frameworks, items, index, run_file.run.run_id)
            for framework in dict.fromkeys(i.framework for i in ordered):
                run_framework(
                    framework,
                    [i for i in ordered if i.framework == framework],
                    chosen=chosen,
                    wanted=lambda item, index=index: run_file.processes_done(item) == index,  # type: ignore[misc]
                    sink=run_file.add_share,
                    progress=progress,
                    log_dir=Path(tmp),
                )
    load = load_average()
    if load is not None:
        run_file.note("loadavg_1min.end", round(load, 2))
    return run_file.path
