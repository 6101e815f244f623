"""`framebench validate` / `schema` / bad arguments through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.schema import dump_run
from tests.factories import make_run

RUN_ID = "2026-11-24T12-00-00Z-debian-12-x86_64-abc123"


def _write(folder: Path, text: str, name: str = RUN_ID) -> Path:
    path = folder / f"{name}.json"
    path.write_text(text)
    return path


def test_valid_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, dump_run(make_run()))
    assert main(["validate", str(tmp_path)]) == 0
    assert "1 run file(s) valid" in capsys.readouterr().out


def test_every_problem_in_every_file_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(dump_run(make_run()))
    data["machine"]["cpu"]["cores_logical"] = 0
    bad = _write(tmp_path, json.dumps(data))
    other_id = "2026-11-24T12-00-01Z-debian-12-x86_64-abc124"
    _write(tmp_path, "{broken", other_id)
    before = bad.read_bytes()
    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"error: {bad}: machine.cpu.cores_logical: Input should be greater than 0" in err
    assert any(line.startswith(f"error: {tmp_path / other_id}.json: invalid JSON") for line in err)
    assert bad.read_bytes() == before  # validation never touches the files


def test_file_name_must_match_run_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, dump_run(make_run()), "renamed")
    assert main(["validate", str(tmp_path)]) == 1
    assert "does not match the file name 'renamed.json'" in capsys.readouterr().err


def test_duplicate_run_ids_across_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        _write(tmp_path / sub, dump_run(make_run()))
    assert main(["validate", str(tmp_path)]) == 1
    assert "is also used by" in capsys.readouterr().err


def test_missing_path_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().err.strip().endswith("no such file or folder")


def test_schema_command_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "framebench run file"


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["bench", "ops", "--device", "tpu"],
        ["bench", "ops", "--framework", "mxnet"],
        ["bench", "accuracy"],
        ["bench", "ops", "--threads", "0"],
    ],
)
def test_bad_arguments_give_one_error_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: framebench") and len(err) == 2


def test_unknown_framework_lists_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "ops", "--framework", "numpy,mxnet"])
    assert "valid: numpy, tensorflow, torch" in capsys.readouterr().err


def test_hostile_field_names_cannot_forge_output_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = dump_run(make_run()).replace('"command":', '"x\\n::error::forged": 1, "command":')
    _write(tmp_path, text)
    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "x\\n::error::forged: Extra inputs are not permitted" in err[0]
