"""`framebench bench ops`: plan the cases, run each framework in its own worker process, and stream
every finished result into the run file (atomically rewritten, valid at every moment), so a crash
or kill of anything keeps what was done and --resume can continue from it."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.bench import timer
from generator.bench.cases import Case, WorkItem, plan, result_key, select_cases
from generator.bench.peak import peak_gflops
from generator.bench.progress import Progress
from generator.errors import UserError
from generator.schema.load import display, dump_run, load_run, write_atomic
from generator.schema.models import Machine, Run, TimingResult

HELLO_TIMEOUT_S = 300.0  # importing TF on a busy 2-core box can take a while
CASE_TIMEOUT_S = {True: 420.0, False: 1200.0}  # per item, quick / full (torch.compile is the slowest)
MAX_RESTARTS = 5  # worker crashes per framework before the rest of its cases are marked failed


@dataclass(frozen=True)
class OpsOptions:
    frameworks: tuple[str, ...]
    device: str
    quick: bool
    cases: tuple[str, ...] | None
    threads: int | None
    out: Path | None
    resume: Path | None
    command: str


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
    """The run being written: the header plus every result so far, rewritten atomically on each add."""

    def __init__(self, run: Run, path: Path) -> None:
        self.run = run
        self.path = path
        self.results = list(run.results)
        self.save()

    def add(self, result: TimingResult) -> None:
        self.results.append(result)
        self.save()

    def save(self) -> None:
        self.run = self.run.model_copy(update={"results": list(self.results)})
        write_atomic(self.path, dump_run(self.run))

    def note(self, key: str, value: str | float) -> None:
        self.run = self.run.model_copy(update={"notes": {**self.run.notes, key: value}})
        self.save()

    def done_keys(self) -> set[str]:
        return {
            result_key(r.family, r.case, r.framework, r.device, r.dtype, r.variant, dict(r.params))
            for r in self.results
            if isinstance(r, TimingResult)
        }


def load_average() -> float | None:
    """The 1-minute load average (POSIX), recorded so a reader can tell a disturbed run."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def _settings(options: OpsOptions, threads: int, machine: Machine) -> tuple[dict[str, Any], dict[str, Any]]:
    budget = timer.QUICK_BUDGET_S if options.quick else timer.BUDGET_S
    settings: dict[str, Any] = {
        "quick": options.quick,
        "device": options.device,
        "threads": threads,
        "frameworks": ",".join(options.frameworks),
        "cases": ",".join(options.cases or ("all",)),
        "timer.warmup_s": timer.WARMUP_S,
        "timer.min_sample_s": timer.MIN_SAMPLE_S,
        "timer.target_rel_ci": timer.TARGET_REL_CI,
        "timer.confidence": timer.CONFIDENCE,
        "timer.min_rounds": timer.MIN_ROUNDS,
        "timer.max_rounds": timer.MAX_ROUNDS,
        "timer.budget_s": budget,
    }
    notes: dict[str, Any] = {
        "timer": "median of per-call means; 95 % CI of the median from order statistics (distribution-free)",
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
    for dtype in ("float32", "float64"):
        peak = peak_gflops(machine.cpu, dtype)
        if peak is not None:
            settings[f"peak_gflops.{dtype}"] = round(peak.gflops, 3)
            notes[f"peak_formula.{dtype}"] = peak.formula
    return settings, notes


def _open_run(options: OpsOptions, machine: Machine, threads: int) -> RunFile:
    if options.resume is not None:
        try:
            run = load_run(options.resume)
        except UserError as e:
            raise UserError(f"--resume: {e}", lines=[f"--resume: {line}" for line in e.lines]) from None
        if run.kind != "ops":
            raise UserError(f"--resume: {display(options.resume)}: kind: is {run.kind!r}, not an ops run")
        return RunFile(run, options.resume)
    from generator.machine import machine_slug
    from generator.runmeta import new_header

    header = new_header(options.command, slug=machine_slug(machine))
    settings, notes = _settings(options, threads, machine)
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


def _with_derived(data: dict[str, Any], machine: Machine) -> TimingResult:
    """Validate a worker's result and add % of the CPU's estimated peak."""
    result = TimingResult.model_validate_json(json.dumps(data))
    gflops = result.metrics.get("gflops")
    peak = peak_gflops(machine.cpu, result.dtype) if result.device == "cpu" else None
    if gflops is not None and peak is not None and peak.gflops > 0:
        metrics = {**result.metrics, "pct_peak": 100.0 * gflops / peak.gflops}
        result = result.model_copy(update={"metrics": metrics})
    return result


def _note_result(item: WorkItem, status: str, error: str, threads: int) -> TimingResult:
    """A result recorded by the runner itself (the worker could not report it)."""
    from generator.bench.worker import base_result

    data = {**base_result(item, threads), "status": status, "error": error[:4000]}
    return TimingResult.model_validate_json(json.dumps(data))


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
    requested: str,
    threads: int,
    quick: bool,
    done: set[str],
    sink: Callable[[TimingResult], None],
    progress: Progress,
    machine: Machine,
    log_dir: Path,
) -> None:
    """Run `items` (planned for `framework`) in worker processes, restarting after crashes."""
    budget = timer.QUICK_BUDGET_S if quick else timer.BUDGET_S
    pending = [i for i in items if i.key() not in done]
    progress.framework(framework, len(pending))
    restarts = 0
    while pending:
        worker = Worker(framework, requested, threads, log_dir / f"{framework}.log")
        current: WorkItem | None = None
        ending = ""
        try:
            hello = worker.next(HELLO_TIMEOUT_S)
            if hello is None or hello.get("type") not in ("hello", "unavailable"):
                raise EOFError
            if hello["type"] == "unavailable":
                worker.finish()
                for item in pending:
                    sink(
                        _note_result(
                            item, "unavailable", str(hello.get("reason") or "not available"), threads
                        )
                    )
                    progress.advance()
                return
            device = str(hello["device"])
            # The worker knows the device it got; re-key the plan with it (and skip finished ones).
            pending = [
                WorkItem(i.family, i.case, i.framework, device, i.dtype, i.variant, i.params) for i in pending
            ]
            pending = [i for i in pending if i.key() not in done]
            by_key = {i.key(): i for i in pending}
            worker.send({"budget_s": budget, "items": [i.to_json() for i in pending]})
            for message in _messages(worker, CASE_TIMEOUT_S[quick]):
                if message.get("type") == "start":
                    current = by_key.get(str(message.get("key")))
                    if current is not None:
                        progress.current(
                            f"{framework}: {current.case} {current.variant} "
                            f"{','.join(f'{k}={v}' for k, v in current.params)}"
                        )
                elif message.get("type") == "result" and current is not None:
                    sink(_with_derived(message["result"], machine))
                    done.add(current.key())
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
            sink(
                _note_result(
                    item,
                    "failed",
                    f"{reason} (while running this case)" if item is current else reason,
                    threads,
                )
            )
            done.add(item.key())
            pending.remove(item)
            progress.advance()


def run_ops(options: OpsOptions) -> Path:
    try:
        cases: tuple[Case, ...] = select_cases(options.cases)
    except ValueError as e:
        raise UserError(f"--cases: {e}") from None
    from generator.machine import fingerprint

    machine = fingerprint()
    check_device(options.device, machine)
    threads = options.threads or machine.cpu.cores_physical or machine.cpu.cores_logical
    run_file = _open_run(options, machine, threads)
    done = run_file.done_keys()
    plans = {
        fw: plan(cases, fw, expected_device(fw, options.device, machine), options.quick)
        for fw in options.frameworks
    }
    total = sum(1 for items in plans.values() for i in items if i.key() not in done)
    with tempfile.TemporaryDirectory(prefix="framebench-") as tmp, Progress(total) as progress:
        for framework, items in plans.items():
            run_framework(
                framework,
                items,
                requested=options.device,
                threads=threads,
                quick=options.quick,
                done=done,
                sink=run_file.add,
                progress=progress,
                machine=machine,
                log_dir=Path(tmp),
            )
    load = load_average()
    if load is not None:
        run_file.note("loadavg_1min.end", round(load, 2))
    return run_file.path
