"""`framebench compare`: pooling each side, refusals, output formats (tests/test_stats_change.py tests the
change test under it)."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from generator.bench.timer import summarize
from generator.cli import main
from generator.schema.load import write_run
from generator.schema.models import TimingResult
from tests.factories import make_machine, make_run, make_timing


def _result(
    level: float, rng: random.Random, processes: int = 3, n: int = 8, **fields: object
) -> TimingResult:
    samples, rounds = [], []
    for _ in range(processes):
        own = level * math.exp(rng.gauss(0, 0.02))
        samples += [own * math.exp(rng.gauss(0, 0.01)) for _ in range(n)]
        rounds.append(n)
    return make_timing(samples=samples, process_rounds=rounds, stats=summarize(samples, 1, rounds), **fields)


def _run(tmp: Path, name: str, results: list[TimingResult], **machine: object) -> Path:
    run = make_run(run_id=f"2026-11-24T12-00-0{name}Z-debian-12-x86_64-abc12{name}", results=results)
    if machine:
        cpu = make_machine().cpu.model_copy(update=machine)
        run = run.model_copy(update={"machine": make_machine().model_copy(update={"cpu": cpu})})
    folder = tmp / name
    folder.mkdir()
    return write_run(run, folder)


def test_cli_compare_table_json_markdown_and_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(2)
    base = _run(tmp_path, "1", [_result(1.0, rng), _result(1.0, rng, params={"n": 512})])
    new = _run(tmp_path, "2", [_result(1.3, rng), _result(1.0, rng, params={"n": 512})])
    assert main(["compare", str(base), str(new)]) == 0
    text = capsys.readouterr().out
    assert "2 cases: 1 can't tell, 1 slower; median detectable change ±" in text
    assert "Run-to-run noise " in text and "(from 2 repeated runs and the default)" in text  # same versions
    assert main(["compare", str(base), str(new), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    slow = next(r for r in rows if r["params"] == "n=256")
    assert (
        slow["verdict"] == "slower" and slow["low"] > 1.05 and slow["ratio"] == pytest.approx(1.3, rel=0.05)
    )
    same = next(r for r in rows if r["params"] == "n=512")
    # No change, but one run a side cannot tell 5 % from run-to-run noise: it says so, and how many would.
    assert same["verdict"] == "can't tell" and "runs a side would resolve ±5 %" in same["note"]
    assert 1.1 < same["detectable"] < 1.5
    assert main(["compare", str(base), str(new), "--markdown"]) == 0
    assert "| numpy matmul | n=256 |" in capsys.readouterr().out
    assert main(["compare", str(base), str(new), "--fail-on-regression"]) == 1
    assert "1 case(s) got significantly slower" in capsys.readouterr().err


def test_cli_refuses_different_hardware_naming_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(3)
    base = _run(tmp_path, "1", [_result(1.0, rng)])
    other = _run(tmp_path, "2", [_result(1.0, rng)], model="Other CPU")
    assert main(["compare", str(base), str(other)]) == 1
    err = capsys.readouterr().err
    assert "different hardware" in err and "CPU model: Test CPU vs Other CPU" in err and "--force" in err
    assert main(["compare", str(base), str(other), "--force"]) == 0


def test_cli_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(tmp_path / "nope"), str(tmp_path)]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["compare", "a", "b", "--min-effect", "lots"])


def test_two_quick_runs_of_the_same_versions_flag_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """The committed quick runs made back to back on one machine with the same versions: a placebo.
    Every case says it cannot tell (the noise of one run a side hides changes under about 40 %)."""
    runs = sorted((Path(__file__).resolve().parents[1] / "runs" / "debian-12").glob("2026-11-28T03-1*.json"))
    assert len(runs) == 2
    assert main(["compare", str(runs[0]), str(runs[1]), "--json", "--fail-on-regression"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    flagged = [r for r in rows if r["verdict"] not in ("can't tell", "same within ±5 %", "no verdict")]
    assert len(rows) > 80 and not flagged
