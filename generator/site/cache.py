"""A build cache of reduced runs, keyed by each run file's bytes and the generator's code.

Reading a run is most of a large build: parse and validate ~200 KB of JSON, recompute every result's
statistics, turn it into rows (about 20 ms a run, 10,000 runs on 2 cores: two minutes). A run file that
is byte for byte the one an earlier build read, read by the same generator code and libraries, reduces
to the same rows, so those rows are kept on disk and read back instead (about 1 ms). The key is the
SHA-256 of the file's bytes and of CODE (every source file of the generator package and the versions of
the libraries that validate and reduce), so nothing stale is ever read back: a changed run, a changed
validator or a new pydantic is a miss. Entries are this machine's own pickles, never anything from
the repository; an unreadable entry is a miss. Entries of other code versions are removed by prune().
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import platform
import shutil
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1]  # generator/
LIBRARIES = ("pydantic", "pydantic-core", "pandas", "numpy")
KEY_CHARS = 24


@functools.cache
def code_key() -> str:
    """SHA-256 of the generator's source and the libraries that validate and reduce runs."""
    digest = hashlib.sha256(platform.python_version().encode())
    for name in LIBRARIES:
        digest.update(f"\0{name}={metadata.version(name)}".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(b"\0" + str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _write(path: Path, data: bytes) -> None:
    """Written atomically (a temporary file of this process, renamed): a crash or a second build never
    leaves a half-written entry under its final name. Not fsynced (an entry lost in a crash is only a
    miss), and a cache that cannot be written is no error."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        try:
            tmp.write_bytes(data)
        except FileNotFoundError:  # the entry's folder's first entry
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _is_key(name: str) -> bool:
    return len(name) == KEY_CHARS and all(c in "0123456789abcdef" for c in name)


class RunCache:
    """Reduced runs under `folder`/<code key>/<file digest>.pickle."""

    def __init__(self, folder: Path) -> None:
        self.root = folder
        self.folder = folder / code_key()[:KEY_CHARS]

    def key(self, raw: bytes) -> str:
        return hashlib.sha256(raw).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Any | None:
        try:
            with open(self._path(key), "rb") as f:
                return pickle.load(f)
        except Exception:  # missing, truncated or foreign: read the run again
            return None

    def put(self, key: str, value: Any) -> None:
        _write(self._path(key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def kept(self, name: str, make: Callable[[], str]) -> str:
        """A text the build makes the same way every time (the Vega bundle), kept under this code
        version as `name`'s digest (outside the run entries, which prune() manages)."""
        path = self.folder / "texts" / f"{hashlib.sha256(name.encode()).hexdigest()}.txt"
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
        text = make()
        _write(path, text.encode("utf-8"))
        return text

    def prune(self, used: set[str]) -> None:
        """Remove entries of other code versions, and of this one that the build did not use."""
        if not self.root.is_dir():
            return
        for other in self.root.iterdir():
            # Only folders this cache made (a code key's first 24 hex digits): never anything else.
            if other.is_dir() and other != self.folder and _is_key(other.name):
                shutil.rmtree(other, ignore_errors=True)
        if not self.folder.is_dir():
            return
        for entry in self.folder.glob("*/*.pickle"):
            if entry.stem not in used:
                entry.unlink(missing_ok=True)
