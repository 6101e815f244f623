"""Errors a user can cause. The CLI prints them as one `error: ...` line and exits 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class UserError(Exception):
    """A problem with the user's input (a file, an option, the environment), never a bug."""

    def __init__(self, message: str, *, lines: list[str] | None = None) -> None:
        super().__init__(message)
        # Extra `error:` lines when one failure has several causes (e.g. every invalid field).
        self.lines = lines or [message]


class ValidationFailed(UserError):
    """One or more run files are invalid; `lines` holds one message per problem."""


class MissingDependency(UserError):
    """An optional package (a framework, the site toolchain) is not installed."""


@contextmanager
def needs(extra: str) -> Iterator[None]:
    """Imports inside this block need the optional dependency group `extra`: a missing package ends
    as MissingDependency naming the extra to install, not as a traceback."""
    try:
        yield
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] == "generator":
            raise  # our own module missing is a bug, not a missing extra
        why = f"{e.name} is not installed; this command needs the {extra} extra"
        raise MissingDependency(f"{why}: pip install 'framebench[{extra}]'") from None
