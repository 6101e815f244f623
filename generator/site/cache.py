"""A build cache of reduced runs, keyed by each run file's bytes and the code that reduces it.

Reading a run is most of a large build: parse and validate ~200 KB of JSON, recompute every result's
statistics, turn it into rows (about 20 ms a run, 10,000 runs on 2 cores: two minutes). A run file that
is byte for byte the one an earlier build read, read by the same code and libraries, reduces to the
same rows, so those rows are kept on disk and read back instead (about 1 ms). The key is the SHA-256
of the file's bytes and of the code that reduces it (the source of every module that REDUCER imports,
directly or not, and the versions of the libraries that validate and reduce), so nothing stale is ever
read back: a changed run, a changed validator or a new pydantic is a miss, while editing a page, a
chart or the code that runs frameworks keeps every entry. Entries are this machine's own pickles,
never anything from the repository; an unreadable entry is a miss. Entries of other code versions
are removed by prune().
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import os
import pickle
import platform
import shutil
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1]  # generator/
REDUCER = "generator.site.load"  # validates a run file and reduces it to the rows the cache keeps
LIBRARIES = ("pydantic", "pydantic-core", "pandas", "numpy")
KEY_CHARS = 24


def package_modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name, not `.__init__`)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = (package.name, *path.relative_to(package).with_suffix("").parts)
        names[".".join(parts).removesuffix(".__init__")] = path
    return names


def module_imports(path: Path, modules: Iterable[str]) -> set[str]:
    """The package's modules that a file imports anywhere in its code (imports inside functions
    count too). `from P import m` imports the module P.m where there is one, else P. The package uses
    absolute imports only (ValueError otherwise)."""
    known = set(modules)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise ValueError(f"{path}: relative import")
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else str(node.module))
    return found & known


def import_closure(start: str, modules: dict[str, Path]) -> set[str]:
    """`start` and every module of `modules` it imports, directly or not (a module's packages count:
    importing a.b.c runs a/__init__ and a/b/__init__ first). Reads only the files it reaches."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        todo.extend(module_imports(modules[name], modules))
        todo.extend(name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1))
    return seen


@functools.cache
def code_key() -> str:
    """SHA-256 of the source of the code that reduces runs and of the libraries it uses."""
    digest = hashlib.sha256(platform.python_version().encode())
    for name in LIBRARIES:
        digest.update(f"\0{name}={metadata.version(name)}".encode())
    modules = package_modules()
    for name in sorted(import_closure(REDUCER, modules)):
        digest.update(b"\0" + name.encode() + b"\0" + modules[name].read_bytes())
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


class Previews:
    """The chart previews vl-convert drew, under `folder`/previews/<key[:2]>/<key>.svg, keyed by the
    digest of what was drawn (the spec, the drawing's settings, vl-convert's and Vega-Lite's versions:
    output/preview.py), so they outlive changes of the generator's code. The ones a build did not use
    are removed by prune()."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "previews"
        self.used: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.svg"

    def get(self, key: str) -> str | None:
        self.used.add(key)
        try:
            return self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, svg: str) -> None:
        self.used.add(key)
        _write(self._path(key), svg.encode("utf-8"))

    def prune(self) -> None:
        if self.folder.is_dir():
            for entry in self.folder.glob("*/*.svg"):
                if entry.stem not in self.used:
                    entry.unlink(missing_ok=True)
