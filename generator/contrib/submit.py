"""`framebench submit RUNFILE`: make a run ready for a pull request.

Validates it, replaces personal data, refuses what CI would refuse (markup, impossible figures,
duplicates), copies it to runs/<os tag>/<run_id>.json (imports: runs/imported/) and says what it
changed and the git steps (the CLI prints them). The destination is never overwritten with other
content: published runs are never edited.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from generator.contrib.check import Report, analyse_runs
from generator.contrib.layout import relative_path
from generator.contrib.personal import scrub_data
from generator.errors import UserError
from generator.schema.load import display, dump_run, load_run, write_atomic
from generator.schema.models import Run


class Submitted(NamedTuple):
    path: Path  # where the run now is
    report: list[str]  # what was replaced, noted and copied, then the git steps


def _scrubbed(run: Run, source: Path, report: list[str]) -> Run:
    data, replaced = scrub_data(run.model_dump(mode="json", exclude_none=True))
    report += [f"privacy: {replacement.describe()}" for replacement in replaced]
    if not replaced:
        report.append("privacy: no home paths, user or host names, e-mail or private addresses found")
    try:
        return Run.model_validate_json(json.dumps(data))
    except ValidationError as e:  # a replacement broke a constrained field: say which, change nothing
        first = e.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        raise UserError(
            f"{display(source)}: {field}: invalid after removing personal data; edit it by hand"
        ) from None


def _in_git_clone(path: Path) -> bool:
    return any((parent / ".git").exists() for parent in [path.resolve(), *path.resolve().parents])


def next_steps(dest: Path, run: Run) -> list[str]:
    """The exact commands that turn the copied file into a pull request."""
    branch = f"run/{run.run_id}"
    file = shlex.quote(display(dest))
    steps = [
        "Next: open a pull request with this one file (CI validates and checks it):",
        f"  git switch -c {branch}",
        f"  git add {file}",
        f"  git commit -m {shlex.quote(f'Add run {run.run_id}')}",
        f"  git push -u origin {branch}      # origin = your fork on GitHub",
        "  gh pr create --fill                # or open the link that git push prints",
    ]
    if not _in_git_clone(dest.parent):
        steps.insert(
            1,
            "  (this runs folder is not in a git clone: clone your fork, submit there; see CONTRIBUTING.md)",
        )
    return steps


def submit(runfile: Path, *, runs_dir: Path) -> Submitted:
    """Copy a checked, scrubbed run into `runs_dir`: its path, and what changed and the git steps."""
    report: list[str] = []
    run = _scrubbed(load_run(runfile), runfile, report)
    dest = runs_dir / relative_path(run)
    text = dump_run(run)

    elsewhere = (
        [p for p in runs_dir.rglob(dest.name) if p.resolve() != dest.resolve()] if runs_dir.is_dir() else []
    )
    if elsewhere:
        raise UserError(
            f"{display(dest)}: run_id {run.run_id!r} is already in {display(elsewhere[0])}; not copied"
        )
    in_place = dest.exists() and dest.resolve() == runfile.resolve()  # bench wrote it into runs/ already
    if dest.exists() and not in_place and dest.read_text(encoding="utf-8") != text:
        raise UserError(
            f"{display(dest)}: already exists with other content; not overwritten (published runs are "
            "never edited: measure again for a new run)"
        )

    findings = analyse_runs([(dest, run)], runs_dir=runs_dir, report=Report(checked=1))
    errors = [f.line().removeprefix("error: ") for f in findings.findings if f.level == "error"]
    if errors:
        raise UserError(f"{errors[0]} (not copied)", lines=[*errors, f"{display(runfile)}: not copied"])
    report += [f"note: {finding.line()}" for finding in findings.findings]

    if dest.exists() and dest.read_text(encoding="utf-8") == text:
        report.append(f"{display(dest)} is already in place with the same content")
    else:
        write_atomic(dest, text)
        report.append(
            f"rewrote {display(dest)}" if in_place else f"copied {display(runfile)} to {display(dest)}"
        )
    return Submitted(dest, report + next_steps(dest, run))
