"""Where a run file lives in the repository: runs/<os tag>/<run_id>.json, imports in runs/imported/."""

from __future__ import annotations

from pathlib import Path, PurePath

from generator.schema.models import Run

IMPORTED = "imported"


def run_folder(run: Run) -> str:
    if run.kind == "import" or run.machine is None:
        return IMPORTED
    return run.machine.os.tag


def relative_path(run: Run) -> PurePath:
    """The run's path below runs/."""
    return PurePath(run_folder(run), f"{run.run_id}.json")


def misplaced(path: Path, run: Run) -> str | None:
    """Why a file inside a `runs` folder is in the wrong place, or None when it is right (or outside)."""
    parts = path.parts
    if "runs" not in parts[:-1]:
        return None
    last_runs = len(parts) - 1 - parts[::-1].index("runs")
    below = parts[last_runs + 1 :]
    wanted = relative_path(run)
    if PurePath(*below) != wanted:
        return f"belongs at runs/{wanted.as_posix()} (runs/<os tag>/<run_id>.json, imports in runs/imported/)"
    return None
