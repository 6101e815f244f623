"""Errors a user can cause. The CLI prints them as one `error: ...` line and exits 1."""

from __future__ import annotations


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
