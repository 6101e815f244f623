"""`framebench check`: validate submitted run files and compare them with the existing runs.

Errors (invalid files, markup, misplaced files, impossible figures, duplicates) always fail;
warnings (outliers, a CPU peak that a figure exceeds, leftover personal data) fail only with
--strict. Submitted files are only ever parsed as JSON by the schema; nothing in them is run,
imported or rendered as markup.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from generator.contrib.duplicates import Duplicates
from generator.contrib.findings import Finding
from generator.contrib.layout import misplaced
from generator.contrib.markup import find_markup
from generator.contrib.personal import scrub_data
from generator.contrib.plausibility import Reference, figures, impossible, wrong_peaks
from generator.errors import UserError, ValidationFailed
from generator.schema.load import display, load_run, run_paths
from generator.schema.models import Run

SUMMARY_ROWS = 200  # GitHub caps a step summary at 1 MiB


@dataclass
class Report:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    def count(self, level: str) -> int:
        return sum(f.level == level for f in self.findings)


def _candidates(paths: list[Path], report: Report) -> list[tuple[Path, Run]]:
    loaded: list[tuple[Path, Run]] = []
    for given in paths:
        try:
            files = run_paths([given])
        except UserError:
            report.findings.append(Finding("error", display(given), "", "no such file or folder"))
            continue
        for path in files:
            report.checked += 1
            try:
                loaded.append((path, load_run(path)))
            except ValidationFailed as e:
                prefix = f"{display(path)}: "
                for line in e.lines:
                    report.findings.append(Finding("error", display(path), "", line.removeprefix(prefix)))
    return loaded


def _existing(runs_dir: Path, skip: set[Path], report: Report) -> Iterator[tuple[Path, Run]]:
    """The valid runs under `runs_dir`, one at a time (thousands of them need not sit in memory)."""
    if not runs_dir.is_dir():
        report.findings.append(
            Finding("warning", display(runs_dir), "", "no runs folder: nothing to compare with")
        )
        return
    invalid = 0
    for path in run_paths([runs_dir]):
        if path.resolve() in skip:
            continue
        try:
            run = load_run(path)
        except ValidationFailed:
            invalid += 1  # not the contributor's to fix; `framebench validate` reports them
            continue
        yield path, run
    if invalid:
        report.findings.append(
            Finding(
                "warning",
                display(runs_dir),
                "",
                f"{invalid} existing run file(s) are invalid and were not compared "
                f"(see framebench validate {display(runs_dir)})",
            )
        )


def analyse_runs(candidates: list[tuple[Path, Run]], *, runs_dir: Path, report: Report) -> Report:
    """Add every finding about the loaded `candidates`, compared with the valid runs under `runs_dir`."""
    reference = Reference(key for _, run in candidates for _, _, key, _ in figures(run))
    duplicates = Duplicates(hosts={run.machine.host_id for _, run in candidates if run.machine})
    for path, run in _existing(runs_dir, {p.resolve() for p, _ in candidates}, report):
        reference.add(run)
        duplicates.add(run, display(path))
    # Candidates count as comparable runs too, so checking a whole folder against itself finds outliers.
    for _, run in candidates:
        reference.add(run)
    for path, run in candidates:
        name = display(path)
        data = run.model_dump(mode="json", exclude_none=True)
        for markup in find_markup(data):
            report.findings.append(
                Finding("error", name, markup.field, f"HTML/JavaScript is not allowed: {markup.snippet!r}")
            )
        where = misplaced(path, run)
        if where:
            report.findings.append(Finding("error", name, "run_id", where))
        report.findings += [issue.at("error", name) for issue in impossible(run)]
        report.findings += [issue.at("warning", name) for issue in wrong_peaks(run)]
        report.findings += [issue.at("error", name) for issue in duplicates.find(run)]
        report.findings += [issue.at("warning", name) for issue in reference.outliers(run)]
        _, personal = scrub_data(data, this_machine=False)
        report.findings += [
            Finding(
                "warning",
                name,
                p.field,
                f"personal data? {p.kind} {p.found!r} (framebench submit replaces it)",
            )
            for p in personal
        ]
        duplicates.add(run, name)
    return report


def analyse(runfiles: list[Path], *, runs_dir: Path) -> Report:
    """Every finding about the files (or folders of files) `runfiles`."""
    report = Report()
    return analyse_runs(_candidates(runfiles, report), runs_dir=runs_dir, report=report)


def _cell(text: str) -> str:
    """Markdown table cell text that stays text: submitted data must not become markup in the summary."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;"), ("`", "&#96;")):
        text = text.replace(char, entity)
    for char in ("[", "]", "*", "_", "\\", "!"):
        text = text.replace(char, f"&#{ord(char)};")
    return " ".join(text.split())[:500]


def summary_markdown(report: Report, *, strict: bool) -> str:
    errors, warnings = report.count("error"), report.count("warning")
    failed = errors > 0 or (strict and warnings > 0)
    lines = [
        "## framebench check",
        "",
        f"{'❌ failed' if failed else '✅ passed'}: {report.checked} run file(s), "
        f"{errors} error(s), {warnings} warning(s){' (strict: warnings fail)' if strict else ''}",
        "",
    ]
    if report.findings:
        lines += ["| level | file | field | finding |", "| --- | --- | --- | --- |"]
        for f in report.findings[:SUMMARY_ROWS]:
            lines.append(f"| {f.level} | {_cell(f.file)} | {_cell(f.field)} | {_cell(f.message)} |")
        if len(report.findings) > SUMMARY_ROWS:
            lines.append(f"\n… and {len(report.findings) - SUMMARY_ROWS} more in the job log.")
    return "\n".join(lines) + "\n"


class Checked(NamedTuple):
    lines: list[str]  # one per finding, then the total
    failed: bool


def check_runs(runfiles: list[Path], *, runs_dir: Path, strict: bool) -> Checked:
    """One line per finding and a total, and whether the check failed; the summary also goes to
    GitHub's job summary when it runs there."""
    report = analyse(runfiles, runs_dir=runs_dir)
    errors, warnings = report.count("error"), report.count("warning")
    failed = errors > 0 or (strict and warnings > 0)
    total = (
        f"{'failed' if failed else 'ok'}: {report.checked} run file(s) checked against "
        f"{display(runs_dir)}: {errors} error(s), {warnings} warning(s)"
        + ("" if strict or not warnings else " (warnings fail only with --strict)")
    )
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(summary_markdown(report, strict=strict))
    return Checked([*(finding.line() for finding in report.findings), total], failed)
