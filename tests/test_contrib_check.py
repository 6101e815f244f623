"""`framebench check`: impossible figures, duplicates, outliers, crafted bad files; one line each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.peaks import Clock, clock_settings
from generator.cli import main
from generator.schema.load import MAX_FILE_BYTES, dump_run, write_run
from generator.schema.models import SCHEMA_VERSION, Run
from tests.factories import make_accuracy, make_machine, make_run, make_timing

SAMPLE_RUNS = Path(__file__).parent / "data" / "runs"


def run_id(n: int, tag: str = "debian-12-x86_64") -> str:
    return f"2026-11-{10 + n:02d}T12-00-00Z-{tag}-c{n:05d}"


def ops_run(n: int, median: float, host: str = "", **fields: Any) -> Run:
    """An ops run on 'Test CPU' (2 cores, AVX2+FMA, measured at 2 GHz: peaks 128 float32 GFLOP/s and
    512 int8 GOP/s)."""
    machine = make_machine(freq_mhz=2000.0).model_copy(update={"host_id": host or f"{n:016x}"})
    timing = fields.pop("timing", {})
    fields.setdefault("settings", clock_settings(Clock(2000.0, "measured: test")))
    return make_run(run_id(n), machine=machine, results=[make_timing(median, **timing)], **fields)


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """Four existing runs of the same case on four machines of one hardware class."""
    folder = tmp_path / "runs"
    for n, median in enumerate((0.0200, 0.0201, 0.0202, 0.0203), start=1):
        write_run(ops_run(n, median), folder / "debian-12")
    return folder


def new_file(folder: Path, run: Run) -> Path:
    return write_run(run, folder / "incoming")


def check(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[str]]:
    code = main(["check", *map(str, args)])
    return code, capsys.readouterr().out.splitlines()


def findings(lines: list[str], level: str = "error") -> list[str]:
    return [line for line in lines if line.startswith(f"{level}: ")]


def test_a_plausible_run_passes(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_file(runs.parent, ops_run(9, 0.02015))
    code, out = check(capsys, path, "--runs", runs)
    assert code == 0
    assert out == [f"ok: 1 run file(s) checked against {runs}: 0 error(s), 0 warning(s)"]


def test_the_sample_set_checks_clean_against_itself(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(capsys, SAMPLE_RUNS, "--runs", SAMPLE_RUNS)
    assert code == 0, out
    assert not findings(out)


def test_outlier_is_a_warning_and_fails_only_when_strict(
    runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = new_file(runs.parent, ops_run(9, 0.05))
    code, out = check(capsys, path, "--runs", runs)
    assert code == 0
    [warning] = findings(out, "warning")
    assert warning.startswith(
        f"warning: {path}: results.0.stats.median: matmul numpy cpu float32 n=256: 0.05 s"
    )
    assert "the range of 4 comparable runs" in warning
    assert out[-1].endswith("(warnings fail only with --strict)")
    assert check(capsys, path, "--runs", runs, "--strict")[0] == 1


def test_outliers_need_three_comparable_runs_of_the_same_class(
    runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = make_machine(freq_mhz=2000.0)
    other_model = machine.cpu.model_copy(update={"model": "Other CPU"})
    other_cpu = ops_run(9, 0.05).model_copy(
        update={"machine": machine.model_copy(update={"cpu": other_model, "host_id": "f" * 16})}
    )
    newer_numpy = ops_run(8, 0.06).model_copy(
        update={
            "machine": make_machine(freq_mhz=2000.0).model_copy(
                update={"frameworks": {"numpy": "2.5.0"}, "host_id": "e" * 16}
            )
        }
    )
    paths = [new_file(runs.parent, other_cpu), new_file(runs.parent, newer_numpy)]
    code, out = check(capsys, *paths, "--runs", runs, "--strict")
    assert code == 0, out


def test_impossible_gflops_fail_on_cpu_but_not_on_gpu(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 2·256³ FLOP in 1 µs is 33,554 GFLOP/s on a CPU whose estimated peak is 128.
    too_fast = new_file(runs.parent, ops_run(9, 1e-6))
    code, out = check(capsys, too_fast, "--runs", runs)
    assert code == 1
    [error] = findings(out)
    assert error.startswith(
        f"error: {too_fast}: results.0 (matmul numpy cpu float32 n=256): 3.355e+04 GFLOP/s"
    )
    assert "estimated peak (2 cores × 2 GHz × 32 float32 FLOP/cycle" in error

    gpu = ops_run(8, 1e-6, timing={"device": "cuda", "framework": "torch"})
    assert check(capsys, new_file(runs.parent, gpu), "--runs", runs)[0] == 0

    # int8 kernels (VNNI/AMX) are held against the int8 peak (512 GOP/s here), not the float one.
    int8 = ops_run(7, 1e-6, timing={"variant": "int8-dynamic"})
    [error] = findings(check(capsys, new_file(runs.parent, int8), "--runs", runs)[1])
    assert "estimated peak (2 cores × 2 GHz × 128 int8 op/cycle" in error
    int8_fast = ops_run(6, 2 * 256**3 / 300e9, timing={"variant": "int8-dynamic"})  # 300: above 128
    assert findings(check(capsys, new_file(runs.parent, int8_fast), "--runs", runs)[1]) == []


def test_a_figure_above_the_peak_flags_the_peak(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 153.6 GFLOP/s is 120 % of the 128 GFLOP/s peak: the peak (an upper bound) must be wrong.
    path = new_file(runs.parent, ops_run(9, 2 * 256**3 / 153.6e9))
    code, out = check(capsys, path, "--runs", runs)
    assert code == 0 and not findings(out)
    [warning] = [w for w in findings(out, "warning") if "CPU's peak" in w]
    assert warning.startswith(f"warning: {path}: results.0 (matmul numpy cpu float32 n=256): 153.6 GFLOP/s")
    assert "is 120 % of this CPU's peak, so the peak is wrong for this CPU" in warning
    assert "clock: measured: test" in warning
    assert check(capsys, path, "--runs", runs, "--strict")[0] == 1
    # At 99 % nothing is said about the peak.
    fine = new_file(runs.parent, ops_run(8, 2 * 256**3 / 126.7e9))
    assert not [w for w in findings(check(capsys, fine, "--runs", runs)[1], "warning") if "CPU's peak" in w]


def test_zero_time_is_impossible(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_file(runs.parent, ops_run(9, 0.0))
    code, out = check(capsys, path, "--runs", runs)
    assert code == 1
    assert findings(out) == [
        f"error: {path}: results.0 (matmul numpy cpu float32 n=256): a time of 0 s is impossible "
        "(every sample must be above zero)"
    ]


def test_exact_duplicate_under_a_new_id(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = ops_run(2, 0.0201)
    copy = original.model_copy(update={"run_id": run_id(9), "command": "framebench bench ops"})
    path = new_file(runs.parent, copy)
    code, out = check(capsys, path, "--runs", runs)
    assert code == 1
    assert findings(out) == [
        f"error: {path}: results: exact duplicate of {runs}/debian-12/{original.run_id}.json "
        "(same results, new run_id)"
    ]


def test_near_duplicate_needs_the_same_machine(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    same_host = new_file(runs.parent, ops_run(9, 0.02021, host=f"{3:016x}"))  # 0.05% from run 3's
    code, out = check(capsys, same_host, "--runs", runs)
    assert code == 1
    [error] = findings(out)
    assert "near duplicate of" in error and run_id(3) in error

    other_host = new_file(runs.parent, ops_run(8, 0.02021))
    assert check(capsys, other_host, "--runs", runs)[0] == 0


def test_duplicates_within_one_pull_request(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = ops_run(8, 0.0207)
    second = first.model_copy(update={"run_id": run_id(9)})
    code, out = check(capsys, new_file(runs.parent, first), new_file(runs.parent, second), "--runs", runs)
    assert code == 1
    [error] = findings(out)
    assert run_id(9) in error.split(":")[1] and "exact duplicate of" in error


def test_accuracy_tables_repeat_across_machines_without_being_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same weights give the same top-1 on every machine: not a copy unless the machine is the same.
    def accuracy_run(n: int, host: str) -> Run:
        machine = make_machine().model_copy(update={"host_id": host})
        return make_run(run_id(n), kind="accuracy", machine=machine, results=[make_accuracy()])

    runs = tmp_path / "runs"
    write_run(accuracy_run(1, "1" * 16), runs / "debian-12")
    other = new_file(tmp_path, accuracy_run(2, "2" * 16))
    assert check(capsys, other, "--runs", runs)[0] == 0
    same = new_file(tmp_path, accuracy_run(3, "1" * 16))
    code, out = check(capsys, same, "--runs", runs)
    assert code == 1 and "exact duplicate" in findings(out)[0]


def test_top1_above_top5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The schema refuses it in an ok result; a failed result carrying figures reaches the check.
    failed = make_accuracy(status="failed", error="crashed half-way", top1=80.0, top5=70.0)
    run = make_run(run_id(9), kind="accuracy", results=[failed])
    path = new_file(tmp_path, run)
    code, out = check(capsys, path, "--runs", tmp_path / "runs")
    assert code == 1
    assert findings(out) == [f"error: {path}: results.0.top1: top-1 80.0 is above top-5 70.0"]

    data = json.loads(dump_run(run))
    data["results"][0].update(status="ok", error=None)
    path.write_text(json.dumps(data))
    code, out = check(capsys, path, "--runs", tmp_path / "runs")
    assert findings(out) == [f"error: {path}: results.0: top5 cannot be below top1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"schema_version": 1, "run_id": ', "invalid JSON: Expecting value (line 1, column 33)"),
        (b"\xff\xfe not text", "not UTF-8 text (byte 0)"),
        (None, f"over the {MAX_FILE_BYTES} byte limit"),
        (
            {"schema_version": SCHEMA_VERSION + 1},
            f"schema_version: {SCHEMA_VERSION + 1} is newer than this framebench knows ({SCHEMA_VERSION})",
        ),
        ({"results": "none"}, "results: Input should be a valid array"),
    ],
    ids=["malformed", "binary", "oversized", "newer-schema", "wrong-type"],
)
def test_crafted_bad_files_fail_with_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | dict[str, Any] | None, message: str
) -> None:
    path = tmp_path / f"{run_id(9)}.json"
    if content is None:
        path.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    elif isinstance(content, dict):
        path.write_text(json.dumps({**json.loads(dump_run(make_run(run_id(9)))), **content}))
    else:
        path.write_bytes(content)
    code, out = check(capsys, path, "--runs", tmp_path / "runs")
    assert code == 1
    [error] = findings(out)
    assert error.startswith(f"error: {path}: ") and message in error


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("command", "framebench bench ops <script>alert(1)</script>"),
        ("notes", {"comment": '<img src=x onerror="alert(1)">'}),
        ("notes", {"<b>key</b>": "a tag in a key"}),
        ("notes", {"link": "javascript:alert(1)"}),
    ],
)
def test_html_and_javascript_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, text: Any
) -> None:
    path = new_file(tmp_path, make_run(run_id(9), **{where: text}))
    code, out = check(capsys, path, "--runs", tmp_path / "runs")
    assert code == 1
    [error] = findings(out)
    assert "HTML/JavaScript is not allowed" in error


def test_placeholders_and_comparisons_are_not_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(
        run_id(9), command="framebench bench ops --out ~/runs # on <host> as <user>", notes={"n": "a < b"}
    )
    code, out = check(capsys, new_file(tmp_path, run), "--runs", tmp_path / "runs")
    assert code == 0, out


def test_control_characters_cannot_forge_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The schema rejects control characters, so the hostile key is written into the JSON by hand.
    path = new_file(tmp_path, make_run(run_id(9), notes={"placeholder": "<i>"}))
    path.write_text(path.read_text().replace('"placeholder"', '"x\\n::error::forged"'))
    code, out = check(capsys, path, "--runs", tmp_path / "runs")
    assert code == 1
    assert not any(line.startswith("::") for line in out)
    assert "x\\n::error::forged" in findings(out)[0]


def test_misplaced_file_and_reused_run_id(runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong_folder = write_run(ops_run(9, 0.02015), runs / "ubuntu-24.04")
    code, out = check(capsys, wrong_folder, "--runs", runs)
    assert code == 1
    assert findings(out) == [
        f"error: {wrong_folder}: run_id: belongs at runs/debian-12/{run_id(9)}.json "
        "(runs/<os tag>/<run_id>.json, imports in runs/imported/)"
    ]
    wrong_folder.unlink()

    edited = new_file(runs.parent, ops_run(1, 0.0209))  # run 1's id with other figures
    code, out = check(capsys, edited, "--runs", runs)
    assert code == 1
    [error] = findings(out)
    assert "is already used by" in error and "runs are never edited" in error

    committed = runs / "debian-12" / f"{run_id(1)}.json"  # checking a committed file finds no copy of itself
    assert check(capsys, committed, "--runs", runs)[0] == 0


def test_personal_data_left_in_a_file_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(run_id(9), command="framebench bench ops --out /home/alice/runs")
    code, out = check(capsys, new_file(tmp_path, run), "--runs", tmp_path / "runs", "--strict")
    assert code == 1
    [warning] = findings(out, "warning")[-1:]
    assert "command: personal data? home path '/home/alice'" in warning


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(capsys, tmp_path / "nope.json", "--runs", tmp_path)
    assert code == 1
    assert findings(out) == [f"error: {tmp_path / 'nope.json'}: no such file or folder"]


def test_job_summary_is_escaped_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    path = new_file(tmp_path, make_run(run_id(9), notes={"x": "<script>alert('|')</script>"}))
    assert check(capsys, path, "--runs", tmp_path / "runs")[0] == 1
    text = summary.read_text()
    assert text.startswith("## framebench check\n\n❌ failed: 1 run file(s), 1 error(s)")
    [row] = [line for line in text.splitlines() if line.startswith("| error |")]
    assert "<script" not in text and "&lt;script&gt;" in row
    assert row.count("|") == 5  # the data's own "|" cannot add a column


def test_check_needs_no_scientific_packages(tmp_path: Path) -> None:
    """The pull-request job installs only pydantic: check must not import numpy, pandas, ..."""
    path = new_file(tmp_path, ops_run(9, 0.02015))
    blocked = ("numpy", "pandas", "scipy", "torch", "tensorflow", "keras", "yaml", "psutil", "cpuinfo")
    code = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "from generator.cli import main\n"
        f"sys.exit(main(['check', {str(path)!r}, '--runs', {str(tmp_path / 'runs')!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "ok: 1 run file(s)" in done.stdout


def test_accuracy_outlier_against_imported_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    source = {"repository": "example/zoo-study"}
    for n, top1 in enumerate((76.0, 76.1, 76.2), start=1):
        imported = make_run(
            run_id(n, "import-zoo"),
            kind="import",
            machine=None,
            source=source,
            results=[make_accuracy(top1=top1)],
        )
        write_run(imported, runs / "imported")
    low = make_run(run_id(9), kind="accuracy", results=[make_accuracy(top1=60.0)])
    code, out = check(capsys, new_file(tmp_path, low), "--runs", runs)
    assert code == 0
    [warning] = findings(out, "warning")
    assert "results.0.top1: resnet50: 60 % is outside" in warning and "3 comparable runs" in warning
