"""The runner: subprocess isolation, streaming checkpoint, --resume, unavailable frameworks and
CLI errors. Worker processes run for real (NumPy and PyTorch; small quick cases)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.bench import runner
from generator.bench.options import OpsOptions
from generator.bench.runner import pass_order, run_ops
from generator.catalog.names import result_key
from generator.cli import main
from generator.errors import UserError
from generator.schema.load import load_run, write_run
from generator.schema.models import Gpu, TimingResult
from tests.factories import make_machine, make_run, make_timing


def options(tmp_path: Path, **changes: object) -> OpsOptions:
    base: dict[str, object] = dict(
        frameworks=("numpy",),
        device="cpu",
        quick=True,
        cases=("add",),
        threads=1,
        out=tmp_path,
        resume=None,
        command="framebench bench ops (test)",
        processes=2,
    )
    base.update(changes)
    return OpsOptions(**base)  # type: ignore[arg-type]


def results(path: Path) -> list[TimingResult]:
    return [r for r in load_run(path).results if isinstance(r, TimingResult)]


@pytest.fixture
def fast_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the real fingerprint (slow probes); the workers still run for real."""
    monkeypatch.setattr("generator.machine.detect.fingerprint", lambda: make_machine(freq_mhz=2000.0))


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMEBENCH_TEST_FAULTS", "1")


@pytest.mark.slow
def test_a_segfaulting_case_fails_and_the_rest_still_runs(
    tmp_path: Path, fast_machine: None, faults: None
) -> None:
    path = run_ops(
        options(tmp_path, frameworks=("numpy", "torch"), cases=("fault_segfault", "add", "fault_wrong"))
    )
    by = {(r.framework, r.case): r for r in results(path)}
    assert len(by) == 6
    for fw in ("numpy", "torch"):
        crashed = by[(fw, "fault_segfault")]
        assert crashed.status == "failed" and "SIGSEGV" in (crashed.error or "")
        assert by[(fw, "add")].status == "ok"  # after the crash, a fresh worker ran the remaining case
        wrong = by[(fw, "fault_wrong")]
        assert wrong.status == "failed" and "result check failed" in (wrong.error or "")
    ok = by[("numpy", "add")]
    assert ok.stats is not None and ok.metrics["gflops"] > 0 and ok.threads == 1
    assert "pct_peak" not in ok.metrics  # readers derive it from the settings (catalog.peaks.result_peaks)


@pytest.mark.slow
def test_a_missing_framework_is_unavailable_and_others_run(
    tmp_path: Path, fast_machine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "fake"
    (fake / "tensorflow").mkdir(parents=True)
    (fake / "tensorflow" / "__init__.py").write_text("raise ImportError('simulated: not installed')\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", "")]))
    path = run_ops(options(tmp_path / "runs", frameworks=("tensorflow", "numpy"), cases=("add", "sum")))
    got = results(path)
    tf = [r for r in got if r.framework == "tensorflow"]
    assert len(tf) == 2 and all(r.status == "unavailable" and "simulated" in (r.error or "") for r in tf)
    assert [r.status for r in got if r.framework == "numpy"] == ["ok", "ok"]


@pytest.mark.slow
def test_every_case_is_measured_in_several_processes(tmp_path: Path, fast_machine: None) -> None:
    path = run_ops(options(tmp_path, cases=("add", "sum")))
    for r in results(path):
        assert r.status == "ok" and len(r.process_rounds) == 2 and sum(r.process_rounds) == len(r.samples)
        assert r.stats is not None and r.stats.interval == "between-processes" and r.stats.processes == 2
        assert "library" in r.conditions and "other_cores" in r.metrics
    assert load_run(path).settings["timer.processes"] == 2


def _keep_first_process(path: Path) -> None:
    """Rewrite a run as if it had been killed after its first pass."""
    from generator.bench.shares import first_share

    run = load_run(path)
    kept = []
    for r in run.results:
        assert isinstance(r, TimingResult) and r.stats is not None
        share = r.model_dump(mode="json") | {"loops": r.stats.loops, "warnings": []}
        share["samples"] = r.samples[: r.process_rounds[0]]
        kept.append(TimingResult.model_validate_json(json.dumps(first_share(share))))
    path.write_text(run.model_copy(update={"results": kept}).model_dump_json())


@pytest.mark.slow
def test_resume_finishes_the_missing_processes_and_keeps_measured_ones(
    tmp_path: Path, fast_machine: None
) -> None:
    first = run_ops(options(tmp_path, cases=("add",)))
    _keep_first_process(first)
    before = results(first)[0]
    assert before.process_rounds == [len(before.samples)]
    again = run_ops(OpsOptions(None, None, None, None, None, None, first, "resume"))  # options as recorded
    assert again == first
    (after,) = results(first)
    assert len(after.process_rounds) == 2 and after.samples[: len(before.samples)] == before.samples
    assert len(list(tmp_path.glob("*.json"))) == 1


@pytest.mark.parametrize(
    ("recorded", "flag"),
    [
        ({"cases": "add,sum"}, "--cases"),
        ({"quick": False}, "--quick"),
        ({"timer.processes": 3}, "--processes"),
    ],
)
def test_resume_refuses_options_that_differ_from_the_run(
    tmp_path: Path, fast_machine: None, recorded: dict[str, object], flag: str
) -> None:
    settings = {"quick": True, "cases": "add", "frameworks": "numpy", "device": "cpu", "threads": 1}
    run = make_run(settings={**settings, "timer.processes": 2, **recorded})
    path = write_run(run, tmp_path)
    with pytest.raises(UserError, match=f"--resume: {flag} differs from the run being resumed"):
        run_ops(options(tmp_path, resume=path))
    assert load_run(path) == run  # untouched


def test_passes_rotate_frameworks_and_shuffle_cases() -> None:
    from generator.catalog.cases import WorkItem

    items = [
        WorkItem("tensor", c, fw, "cpu", "float32", "default", ())
        for fw in ("numpy", "torch")
        for c in "abcdefgh"
    ]
    first, second = (pass_order(("numpy", "torch"), items, i, "run") for i in (0, 1))
    assert first[0].framework == "numpy" and second[0].framework == "torch"
    assert sorted(first, key=str) == sorted(items, key=str)
    assert [i.case for i in first if i.framework == "numpy"] != [
        i.case for i in second if i.framework == "numpy"
    ]
    assert pass_order(("numpy", "torch"), items, 1, "run") == second  # seeded


def test_a_zoo_models_batches_run_back_to_back() -> None:
    # A worker keeps one built model at a time: interleaving models would rebuild each per batch size.
    from generator.catalog.cases import WorkItem

    items = [
        WorkItem("models", "zoo_infer", "torch", "cpu", "float32", "eager", (("batch", b), ("model", m)))
        for m in ("alexnet", "resnet18", "vgg11", "densenet121", "resnet50")
        for b in (1, 32)
    ]
    orders = [[dict(i.params)["model"] for i in pass_order(("torch",), items, p, "run")] for p in range(4)]
    for order in orders:
        assert all(order[k] == order[k + 1] for k in range(0, len(order), 2))
    assert len({tuple(o) for o in orders}) > 1  # the models' order still changes from pass to pass


def test_resume_rejects_bad_files(tmp_path: Path, fast_machine: None) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(UserError, match=r"--resume: .*bad\.json: invalid JSON"):
        run_ops(options(tmp_path, resume=bad))
    accuracy = make_run(run_id="2026-11-24T12-00-00Z-test-aaaaaa", kind="accuracy", results=[])
    path = write_run(accuracy, tmp_path)
    with pytest.raises(UserError, match="not an ops run"):
        run_ops(options(tmp_path, resume=path))


def test_run_file_is_valid_after_every_result(tmp_path: Path) -> None:
    run = make_run(results=[])
    path = tmp_path / f"{run.run_id}.json"
    sink = runner.RunFile(run, path)
    assert load_run(path).results == []
    for n in (64, 128):
        sink.add(make_timing(params={"n": n}, status="failed", error="test", samples=[], stats=None))
        assert len(load_run(path).results) == n // 64
    assert all(
        sink.get(
            result_key(
                dict(
                    family="tensor",
                    case="matmul",
                    framework="numpy",
                    device="cpu",
                    dtype="float32",
                    params={"n": n},
                )
            )
        )
        for n in (64, 128)
    )


@pytest.mark.slow
def test_sigkill_mid_run_leaves_a_valid_file_with_finished_cases(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "bench",
            "ops",
            "--quick",
            "--framework",
            "numpy",
            "--device",
            "cpu",
            "--cases",
            "tensor",
            "--threads",
            "1",
            "--out",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        count = 0
        while time.monotonic() < deadline and count < 2:
            files = list(tmp_path.glob("*.json"))
            if files:
                count = len(json.loads(files[0].read_text())["results"])
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)  # no clean-up chance: only atomic writes keep the file whole
    finally:
        proc.wait()
    (path,) = tmp_path.glob("*.json")
    kept = results(path)
    assert 2 <= len(kept) < 13 and all(r.status == "ok" for r in kept)


def test_device_checks() -> None:
    cpu_only = make_machine()
    with pytest.raises(UserError, match="--device cuda: no NVIDIA GPU"):
        runner.check_device("cuda", cpu_only)
    runner.check_device("auto", cpu_only)
    gpu = cpu_only.model_copy(update={"gpus": [Gpu(vendor="nvidia", name="H100")]})
    runner.check_device("cuda", gpu)
    assert runner.expected_device("torch", "auto", gpu) == "cuda"
    assert runner.expected_device("numpy", "cuda", gpu) == "cpu"
    assert runner.expected_device("torch", "auto", cpu_only) == "cpu"


def test_cli_unknown_case_is_one_error_line(capsys: pytest.CaptureFixture[str], fast_machine: None) -> None:
    assert main(["bench", "ops", "--cases", "matmul,nope"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1
        and err[0].startswith("error: --cases: unknown case(s) nope; valid:")
        and "conv2d" in err[0]
    )


def test_cli_cuda_without_gpu_is_one_error_line(
    capsys: pytest.CaptureFixture[str], fast_machine: None, tmp_path: Path
) -> None:
    assert main(["bench", "ops", "--device", "cuda", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no NVIDIA GPU" in err[0]
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("argv", [["--device", "tpu"], ["--framework", "jax"]])
def test_cli_bad_names_exit_2_with_one_error_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "ops", *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[0].startswith("error:")  # the error, then the --help hint
    assert "valid" in err[0] or "choose from" in err[0]


@pytest.mark.parametrize(
    ("argv", "cases", "processes"),
    [
        (["bench", "ops", "--cases", "matmul"], ("matmul",), None),
        (["bench", "models"], ("zoo_infer",), 2),
        (["bench", "models", "--processes", "3"], ("zoo_infer",), 3),
        (["bench", "models", "--zoo", "keras"], ("zoo_infer",), 2),
        (
            ["bench", "models", "--all-models", "--variants", "compiled,graph,channels-last"],
            ("zoo_infer", "zoo_infer_more", "zoo_infer_compiled", "zoo_infer_layouts"),
            2,
        ),
        (["bench", "models", "--resume", "run.json"], None, None),  # as the run recorded
        (
            ["bench", "models", "--resume", "run.json", "--variants", "graph"],
            ("zoo_infer", "zoo_infer_layouts"),
            None,
        ),
    ],
)
def test_cli_bench_suites_give_the_runner_their_cases_and_processes(
    argv: list[str],
    cases: tuple[str, ...] | None,
    processes: int | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    given: list[OpsOptions] = []
    monkeypatch.setattr(runner, "run_ops", lambda options: given.append(options) or "run.json")
    assert main([*argv, "--threads", "2", "--device", "cpu"]) == 0
    (options,) = given
    assert (options.cases, options.processes) == (cases, processes)
    if "--zoo" in argv:  # the zoo's name, as bench accuracy takes it; the framework that runs it
        assert options.frameworks == ("tensorflow",)
    assert (options.threads, options.device, options.command) == (
        2,
        "cpu",
        "framebench " + " ".join(argv) + " --threads 2 --device cpu",
    )
