"""The GitHub workflows: their security-relevant structure, and the run-validation job's shell steps
executed for real on a scratch repository with hostile file names."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from generator.schema.load import dump_run
from tests.factories import make_machine, make_run, make_timing

WORKFLOWS = Path(__file__).parent.parent / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(name: str) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


ALL = ["validate-runs.yml", "tests.yml", "pages.yml"]


@pytest.mark.parametrize("name", ALL)
def test_common_hardening(name: str) -> None:
    text = "\n".join(
        line for line in (WORKFLOWS / name).read_text().splitlines() if not line.lstrip().startswith("#")
    )
    workflow = load(name)
    assert not {"pull_request_target", "workflow_run"} & set(workflow["on"])
    assert "pull_request_target" not in text
    assert "secrets." not in text
    assert "permissions" in workflow, "set the token's permissions explicitly"
    for job in workflow["jobs"].values():
        assert "timeout-minutes" in job
    for step in steps(workflow):
        if "uses" in step:
            assert PINNED.match(step["uses"]), f"{step['uses']}: pin actions to a commit"
            if step["uses"].startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
        if "run" in step:
            # Expressions in scripts are injection points (branch names, titles, file names).
            assert "${{" not in step["run"], f"{name}: {step.get('name')}: use env or files, not ${{{{ }}}}"


def test_validate_runs_is_read_only_and_installs_only_the_validator() -> None:
    workflow = load("validate-runs.yml")
    assert list(workflow["on"]) == ["pull_request"]
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    installs = [s["run"] for s in steps(workflow) if "pip install" in s.get("run", "")]
    assert installs == [
        "python -m pip install --disable-pip-version-check --quiet -c tool/constraints.txt ./tool"
    ]
    scripts = "\n".join(s.get("run", "") for s in steps(workflow))
    assert "framebench validate" in scripts and "framebench check" in scripts
    assert "git diff -z" in scripts  # NUL-separated names survive spaces, quotes and newlines


def test_tests_matrix() -> None:
    workflow = load("tests.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert workflow["permissions"] == {"contents": "read"}
    [job] = workflow["jobs"].values()
    assert job["strategy"]["matrix"] == {"os": ["ubuntu-latest", "macos-latest"], "python": ["3.11", "3.12"]}
    assert job["strategy"]["fail-fast"] is False
    assert steps(workflow)[-1]["run"] == "make test PYTHON=python"
    browser_steps = [s for s in steps(workflow) if "FRAMEBENCH_CHROMIUM" in s.get("run", "")]
    assert [s["if"] for s in browser_steps] == ["runner.os == 'Linux'", "runner.os == 'macOS'"]


def test_pages_deploys_with_the_official_actions() -> None:
    workflow = load("pages.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [s.get("uses", s.get("run", "")).split("@")[0].split(" RUNS_URL=")[0] for s in build["steps"]]
    assert uses == [
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "make site PYTHON=python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
    ]
    # The build cache is restored from this workflow's own earlier deploys only (a key per commit).
    [cache] = [s for s in build["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == ".cache/build" and cache["with"]["restore-keys"] == "site-build-"
    assert build["steps"][-1]["with"] == {"path": "site"}
    # Run pages link their file in the repository at the deployed commit (GitHub Pages holds 1 GB).
    [site] = [s for s in build["steps"] if s.get("run", "").startswith("make site")]
    assert site["run"].endswith('RUNS_URL="$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/raw/$GITHUB_SHA/runs"')
    assert "write" not in build["permissions"].values()
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


# --- the validation job's shell steps, run for real ---------------------------------------------


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def _step(workflow: dict[str, Any], name_start: str) -> dict[str, Any]:
    [step] = [s for s in steps(workflow) if s.get("name", "").startswith(name_start)]
    return step


def _run_step(step: dict[str, Any], root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cwd = root / step.get("working-directory", ".")
    # The shell GitHub uses for `run:` on Linux.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash")
def test_validation_job_steps_on_a_scratch_pull_request(tmp_path: Path) -> None:
    workflow = load("validate-runs.yml")
    pr = tmp_path / "pr"
    machine = make_machine()

    def run_file(n: int, median: float, host: str) -> tuple[str, str]:
        run = make_run(
            f"2026-11-2{n}T12-00-00Z-debian-12-x86_64-aaa00{n}",
            machine=machine.model_copy(update={"host_id": host * 16}),
            results=[make_timing(median)],
        )
        return f"runs/debian-12/{run.run_id}.json", dump_run(run)

    base = dict(run_file(n, 0.02 + n / 1e4, str(n)) for n in range(1, 4))
    (pr / "runs" / "debian-12").mkdir(parents=True)
    _git(pr, "init", "-q")
    for path, text in base.items():
        (pr / path).write_text(text)
    # Code in the checked-out pull request is never imported by the checker, even from its folder.
    (pr / "generator").mkdir()
    (pr / "generator" / "__init__.py").write_text("raise SystemExit('pull request code was imported')\n")
    _git(pr, "add", "-A")
    _git(pr, "commit", "-q", "-m", "base")

    good_path, good = run_file(5, 0.02025, "5")
    (pr / good_path).write_text(good)
    # A copy: run 1's results under a new id.
    first_path = next(iter(base))
    copy_path = first_path.replace("21T12", "26T12").replace("aaa001", "aaa006")
    (pr / copy_path).write_text(base[first_path].replace("21T12", "26T12").replace("aaa001", "aaa006"))
    hostile = "runs/$(touch PWNED)\n::error::forged.txt"
    (pr / hostile).write_text("not a run")
    _git(pr, "add", "-A")
    _git(pr, "commit", "-q", "-m", "pull request")

    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {
        **os.environ,
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(temp / "output"),
        "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    worktree = _run_step(_step(workflow, "Check out the base branch"), tmp_path, env)
    assert worktree.returncode == 0, worktree.stderr
    assert (tmp_path / "tool" / first_path).exists() and not (tmp_path / "tool" / good_path).exists()

    listed = _run_step(_step(workflow, "List the run files"), tmp_path, env)
    assert listed.returncode == 1  # the stray file fails the job ...
    assert "error: $'runs/$(touch PWNED)\\n::error::forged.txt': only run files" in listed.stdout
    assert not any(line.startswith("::") for line in listed.stdout.splitlines())
    assert not list(tmp_path.rglob("PWNED"))  # ... and its name was never run
    assert (temp / "output").read_text() == "count=2\n"
    assert sorted((temp / "runfiles").read_text().split("\0")) == sorted(["", copy_path, good_path])

    validated = _run_step(_step(workflow, "Validate against the schema"), tmp_path, env)
    assert validated.returncode == 0, validated.stderr
    assert "ok: 2 run file(s) valid" in validated.stdout

    checked = _run_step(_step(workflow, "Check plausibility"), tmp_path, env)
    assert checked.returncode == 123, checked.stdout  # xargs: the command failed
    errors = [line for line in checked.stdout.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {copy_path}: results: exact duplicate of ../tool/{first_path} (same results, new run_id)"
    ]
    assert "❌ failed: 2 run file(s), 1 error(s)" in (temp / "summary.md").read_text()
