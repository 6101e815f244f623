"""The runs in runs/ are what the site publishes: they must validate and pass the PR checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main

RUNS = Path(__file__).resolve().parents[1] / "runs"


def test_committed_runs_validate_and_pass_the_plausibility_check(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(RUNS.rglob("*.json"))
    assert files, "runs/ holds no run file"
    assert main(["validate", str(RUNS)]) == 0
    assert main(["check", *map(str, files), "--runs", str(RUNS)]) == 0, capsys.readouterr().out
