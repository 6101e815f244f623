"""`framebench submit`: validate, scrub personal data, copy into runs/<os tag>/, print the git steps."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.contrib.personal import scrub_data
from generator.contrib.submit import submit
from generator.errors import UserError, ValidationFailed
from generator.schema.load import dump_run, load_run, write_run
from generator.schema.models import Run
from tests.factories import make_accuracy, make_machine, make_run, make_timing

RUN_ID = "2026-11-24T12-00-00Z-debian-12-x86_64-abc123"


def measured(tmp_path: Path, run: Run | None = None) -> Path:
    """A run file as `framebench bench` leaves it, outside the repository."""
    return write_run(run or make_run(RUN_ID), tmp_path / "measured")


def test_copies_to_the_os_tag_folder_and_prints_the_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = measured(tmp_path)
    runs = tmp_path / "repo" / "runs"
    assert main(["submit", str(source), "--runs", str(runs)]) == 0
    out = capsys.readouterr().out.splitlines()
    dest = runs / "debian-12" / f"{RUN_ID}.json"
    assert out[-1] == str(dest)  # the path is the last line, for scripts
    assert dest.read_text() == dump_run(load_run(source))  # canonical JSON, same run
    assert f"  git add {dest}" in out
    assert f"  git switch -c run/{RUN_ID}" in out
    assert any(line.startswith("  gh pr create") for line in out)


def test_imports_go_to_runs_imported(tmp_path: Path) -> None:
    run = make_run(
        "2026-11-19T00-00-00Z-import-zoo-abc123",
        kind="import",
        machine=None,
        source={"repository": "example/zoo-study"},
        results=[make_accuracy()],
    )
    dest = submit(measured(tmp_path, run), runs_dir=tmp_path / "runs").path
    assert dest == tmp_path / "runs" / "imported" / f"{run.run_id}.json"


def test_personal_data_is_replaced_and_reported(tmp_path: Path) -> None:
    run = make_run(
        RUN_ID,
        command="framebench bench accuracy --data /home/alice/imagenet/val --out C:\\Users\\Bob\\runs",
        notes={
            "where": "gpu01.lab.internal and ip-10-0-3-17, ssh alice@gpu01",
            "contact": "alice.smith@example.org",
            "lan": "served from 192.168.1.20",
        },
        results=[make_timing(error=None, params={"data": "/Users/carol/val"})],
    )
    run = run.model_copy(
        update={
            "machine": make_machine().model_copy(
                update={"frameworks": {"numpy": "2.4.6", "cudnn": "10.2.0.1"}}
            )
        }
    )
    dest, report = submit(measured(tmp_path, run), runs_dir=tmp_path / "runs")
    published = load_run(dest)
    assert published.command == "framebench bench accuracy --data ~/imagenet/val --out ~\\runs"
    assert published.notes == {
        "where": "<host> and <host>, ssh <user>@<host>",
        "contact": "<email>",
        "lan": "served from <ip>",
    }
    assert published.results[0].params == {"data": "~/val"}  # type: ignore[union-attr]
    assert published.machine is not None and published.machine.frameworks["cudnn"] == "10.2.0.1"
    out = "\n".join(report)
    assert "privacy: command: replaced home path 'C:\\\\Users\\\\Bob' with '~'" in out
    assert "privacy: notes.contact: replaced e-mail address 'alice.smith@example.org' with '<email>'" in out
    text = dest.read_text()
    for secret in ("alice", "Bob", "carol", "gpu01", "192.168", "10-0-3-17"):
        assert secret not in text


def test_this_machines_names_are_replaced_outside_the_machine_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A host called "debian" must not break the OS tag "debian-12", which the probes wrote.
    monkeypatch.setattr(socket, "gethostname", lambda: "debian")
    run = make_run(RUN_ID, command="framebench bench ops  # on debian")
    dest = submit(measured(tmp_path, run), runs_dir=tmp_path / "runs").path
    published = load_run(dest)
    assert published.command == "framebench bench ops  # on <host>"
    assert published.machine is not None and published.machine.os.tag == "debian-12"
    assert dest.parent.name == "debian-12"


def test_scrubbing_leaves_identifiers_and_clean_text_alone() -> None:
    data: dict[str, Any] = json.loads(dump_run(make_run(RUN_ID)))
    data["notes"] = {"text": "torch 2.14.1+cu121 on 4 cores @ 2.10GHz, see https://pytorch.org"}
    scrubbed, replaced = scrub_data(data, this_machine=False)
    assert replaced == [] and scrubbed == data


def test_resubmitting_the_same_run_is_harmless(tmp_path: Path) -> None:
    source = measured(tmp_path)
    first = submit(source, runs_dir=tmp_path / "runs")
    again = submit(source, runs_dir=tmp_path / "runs")
    assert again.path == first.path
    assert "already in place with the same content" in "\n".join(again.report)


def test_never_overwrites_a_different_file(tmp_path: Path) -> None:
    dest = tmp_path / "runs" / "debian-12" / f"{RUN_ID}.json"
    dest.parent.mkdir(parents=True)
    dest.write_text("someone else's run\n")
    with pytest.raises(UserError, match="already exists with other content; not overwritten"):
        submit(measured(tmp_path), runs_dir=tmp_path / "runs")
    assert dest.read_text() == "someone else's run\n"


def test_refuses_a_run_id_already_elsewhere(tmp_path: Path) -> None:
    write_run(make_run(RUN_ID), tmp_path / "runs" / "ubuntu-24.04")
    with pytest.raises(UserError, match=r"is already in .*ubuntu-24\.04"):
        submit(measured(tmp_path), runs_dir=tmp_path / "runs")


@pytest.mark.parametrize(
    ("run", "message"),
    [
        (make_run(RUN_ID, notes={"x": "<script>alert(1)</script>"}), "HTML/JavaScript is not allowed"),
        (make_run(RUN_ID, results=[make_timing(1e-9)]), "above 1.5 × this CPU's estimated peak"),
    ],
    ids=["markup", "impossible"],
)
def test_refuses_what_ci_would_refuse(tmp_path: Path, run: Run, message: str) -> None:
    run = run.model_copy(update={"machine": make_machine(freq_mhz=2000.0)})
    with pytest.raises(UserError, match=message) as caught:
        submit(measured(tmp_path, run), runs_dir=tmp_path / "runs")
    assert caught.value.lines[-1].endswith("not copied")
    assert not (tmp_path / "runs").exists()


def test_refuses_a_duplicate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(make_run("2026-11-20T12-00-00Z-debian-12-x86_64-aaa111"), tmp_path / "runs" / "debian-12")
    assert main(["submit", str(measured(tmp_path)), "--runs", str(tmp_path / "runs")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: ") and "exact duplicate of" in err[0]
    assert err[-1] == f"error: {tmp_path / 'measured' / RUN_ID}.json: not copied"


def test_invalid_file_is_reported_field_by_field(tmp_path: Path) -> None:
    data = json.loads(dump_run(make_run(RUN_ID)))
    data["machine"]["memory_gb"] = -1
    source = tmp_path / f"{RUN_ID}.json"
    source.write_text(json.dumps(data))
    with pytest.raises(ValidationFailed) as caught:
        submit(source, runs_dir=tmp_path / "runs")
    assert caught.value.lines == [f"{source}: machine.memory_gb: Input should be greater than 0"]


def test_a_run_already_written_into_runs_is_scrubbed_in_place(tmp_path: Path) -> None:
    # `framebench bench` writes to runs/<os tag>/ by default: submitting that file rewrites it there.
    runs = tmp_path / "runs"
    written = write_run(
        make_run(RUN_ID, command="framebench bench ops --out /home/alice/runs"), runs / "debian-12"
    )
    assert submit(written, runs_dir=runs).path == written
    assert load_run(written).command == "framebench bench ops --out ~/runs"
