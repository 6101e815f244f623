"""The project's benchmarks of itself live in benchmarks/, outside the package: each script's --help
renders, and the package neither parses a second command line nor imports a benchmark."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem != "__init__")


def test_every_make_bench_target_runs_a_benchmarks_script() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    called = {line.split("python -m benchmarks.")[1].split()[0] for line in makefile.splitlines()
              if "python -m benchmarks." in line}  # fmt: skip
    assert called == set(SCRIPTS)
    assert "python -m generator." not in makefile


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_renders(script: str, capsys: pytest.CaptureFixture[str]) -> None:
    module = importlib.import_module(f"benchmarks.{script}")
    with pytest.raises(SystemExit) as done:
        module.main(["--help"])
    assert done.value.code == 0
    assert f"usage: python -m benchmarks.{script}" in capsys.readouterr().out


def _imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_package_has_one_command_line_and_no_benchmark_of_itself() -> None:
    imports = {p.relative_to(ROOT).as_posix(): _imported(p) for p in (ROOT / "generator").rglob("*.py")}
    assert [p for p, names in imports.items() if "argparse" in names] == ["generator/cli.py"]
    assert [p for p, names in imports.items() if "benchmarks" in names] == []
