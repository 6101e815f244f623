"""The accuracy run being written: valid on disk after every finished model (as RunFile in
generator/bench/runner.py), so a killed run keeps what it finished and `--resume FILE` continues it.

A resumed run keeps the options it was started with (its `settings`): figures of one run must come
from one protocol, batch size, device and image list.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UserError
from generator.schema.load import display, dump_run, load_run, write_atomic
from generator.schema.models import AccuracyResult, Run

# Options a resumed run takes from its settings, and the CLI flag that sets each.
RESUMED_OPTIONS = {
    "protocol": "--protocol",
    "batch_size": "--batch-size",
    "device": "--device",
    "weights": "--weights",
    "frameworks": "--framework",
    "models": "--models",
}


class AccuracyRunFile:
    """The run file and its top-5 folder (`<run_id>.top5/` beside it)."""

    def __init__(self, run: Run, path: Path, *, fresh: bool) -> None:
        self.run = run
        self.path = path
        self.fresh = fresh  # created by this invocation (removed again if nothing finished)
        self.save()

    @property
    def top5_dir(self) -> Path:
        return self.path.with_suffix(".top5")

    def done(self) -> set[tuple[str, str]]:
        """(framework, model) of every model already scored."""
        return {(r.framework, r.model) for r in self.run.results if isinstance(r, AccuracyResult)}

    def add(self, result: AccuracyResult) -> None:
        kept = [
            r
            for r in self.run.results
            if not (
                isinstance(r, AccuracyResult) and (r.framework, r.model) == (result.framework, result.model)
            )
        ]
        self.run = self.run.model_copy(update={"results": [*kept, result]})
        self.save()

    def note(self, key: str, value: str | float) -> None:
        self.run = self.run.model_copy(update={"notes": {**self.run.notes, key: value}})
        self.save()

    def save(self) -> None:
        write_atomic(self.path, dump_run(self.run))

    def discard_if_empty(self) -> bool:
        """Remove a fresh run that finished no model (and its top-5 folder); True if removed."""
        if not self.fresh or self.run.results:
            return False
        self.path.unlink(missing_ok=True)
        shutil.rmtree(self.top5_dir, ignore_errors=True)
        return True


@dataclass(frozen=True)
class Resumed:
    run: Run
    path: Path


def load_resumed(path: Path) -> Resumed:
    try:
        run = load_run(path)
    except UserError as e:
        raise UserError(f"--resume: {e}", lines=[f"--resume: {line}" for line in e.lines]) from None
    if run.kind != "accuracy":
        raise UserError(f"--resume: {display(path)}: kind: is {run.kind!r}, not an accuracy run")
    return Resumed(run, path)


def recorded(run: Run, name: str) -> object:
    """The option `name` as the resumed run recorded it (tuples for frameworks and models)."""
    value = run.settings.get(name)
    if name in ("frameworks", "models") and isinstance(value, str):
        return tuple(v for v in value.split(",") if v)
    return value


def check_same(run: Run, given: dict[str, object]) -> None:
    """Refuse an option given again with another value than the resumed run recorded."""
    for name, value in given.items():
        was = recorded(run, name)
        if value is not None and was is not None and value != was:
            shown = ",".join(map(str, was)) if isinstance(was, tuple) else was
            raise UserError(
                f"--resume: {RESUMED_OPTIONS[name]} differs from the run being resumed (it was started "
                f"with {shown}); resume without {RESUMED_OPTIONS[name]}, or start a new run"
            )
