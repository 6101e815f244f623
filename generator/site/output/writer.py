"""Files into the MkDocs docs folder: only changed bytes are written, and what the previous build
wrote but this one did not is removed. A manifest of what was written guards against deleting
anything the generator did not create."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from generator.errors import UserError
from generator.schema.load import display

MANIFEST = ".framebench-manifest.json"


class Writer:
    """Writes files under `out` only when their bytes change and remembers what it wrote."""

    def __init__(self, out: Path, previous: set[str]) -> None:
        self.out = out
        self.previous = previous
        self.written: set[str] = set()
        self._folders: set[Path] = set()  # folders known to exist

    def text(self, rel: str, text: str) -> Path:
        return self.bytes(rel, text.encode("utf-8"))

    def bytes(self, rel: str, data: bytes) -> Path:
        path = self.out / rel
        self.written.add(rel)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            # A new file is written in place: a crash leaves at worst a partial file, which the next
            # build finds different and rewrites (half the file-system work of temp + rename, for
            # the 20,000 files of a first large build).
            self._folder(path.parent)
            path.write_bytes(data)
            return path
        if not (size == len(data) and path.read_bytes() == data):
            # temp + rename without fsync: never a half-written page where a whole one was; a site
            # page is rebuilt, not recovered, after a crash, and 20,000 fsyncs would dominate a build.
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return path

    def _folder(self, folder: Path) -> None:
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def copy(self, rel: str, source: Path) -> Path:
        """Like bytes(), for a whole file: a hard link to it where the file system allows (10,000 run
        files are 2 GB: copying them was most of a large build's writing), else a kernel copy."""
        path = self.out / rel
        self.written.add(rel)
        if path.is_file():
            if os.path.samefile(path, source):
                return path
            same_size = path.stat().st_size == source.stat().st_size
            if same_size and path.read_bytes() == source.read_bytes():
                return path
        self._folder(path.parent)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            os.link(source, tmp)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(source, tmp)
        os.replace(tmp, path)
        return path

    def keep(self, rel: str) -> bool:
        """True when an earlier build wrote `rel` and it is still there (files that cost to make)."""
        if rel in self.previous and (self.out / rel).is_file():
            self.written.add(rel)
            return True
        return False


def read_manifest(out: Path) -> dict[str, Any]:
    manifest = out / MANIFEST
    if manifest.is_file():
        data: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
        return data
    if out.exists() and any(out.iterdir()):
        raise UserError(
            f"{display(out)}: not empty and not made by `framebench build` (no {MANIFEST}); "
            "refusing to write into it. Pass an empty or new folder with --out."
        )
    return {}


def remove_stale(out: Path, previous: set[str], written: set[str]) -> None:
    for rel in sorted(previous - written):
        path = out / rel
        if path.is_file():
            path.unlink()
        parent = path.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    from generator.schema.load import write_atomic

    text = json.dumps(manifest, indent=1) + "\n"
    path = out / MANIFEST
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        write_atomic(path, text)
