"""Progress on stderr: a rich bar with the current case and ETA on a terminal, one line per
framework otherwise (logs stay readable). stdout is left to the run-file path."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class Progress:
    def __init__(self, total: int, enabled: bool | None = None, label: str = "bench ops") -> None:
        self.total = total
        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            try:
                from rich.console import Console
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    TextColumn,
                    TimeElapsedColumn,
                    TimeRemainingColumn,
                )
                from rich.progress import Progress as RichProgress
            except ImportError:
                self.enabled = False
                return self
            self._bar = RichProgress(
                TextColumn("{task.description}", justify="left"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("starting", total=self.total)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, value, tb)

    def framework(self, name: str, count: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=f"{name}: starting")
        else:
            print(f"{self.label}: {name}: {count} case(s)", file=sys.stderr, flush=True)

    def current(self, text: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=text[:60])

    def advance(self, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)
