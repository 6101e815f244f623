"""The build cache of reduced runs (generator.site.cache) and the parallel build: neither may change
a single byte of the site, and nothing stale or invalid may come back from the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.fixtures.synthetic_runs import synthetic_runs
from generator.errors import ValidationFailed
from generator.schema.load import write_run
from generator.site import load, render
from generator.site.cache import KEY_CHARS, RunCache


def _write(folder: Path, count: int = 4) -> list[Path]:
    paths = []
    for run in synthetic_runs(count, machines=2):
        assert run.machine is not None
        paths.append(write_run(run, folder / run.machine.os.tag))
    return paths


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_build_writes_the_bytes_of_a_serial_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "runs", 5)
    render.build_site(tmp_path / "runs", tmp_path / "serial")
    # Worker processes read the runs, then make the run pages while this process makes the rest.
    monkeypatch.setattr(load, "PARALLEL_FROM", 2)
    monkeypatch.setattr(load, "CHUNK", 2)
    built = render.build_site(tmp_path / "runs", tmp_path / "parallel")
    assert _tree(tmp_path / "parallel") == _tree(tmp_path / "serial")
    assert sum(1 for p in built.pages if p.parent.name == "runs" and p.name != "index.md") == 5


def test_a_second_build_reads_unchanged_runs_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _write(tmp_path / "runs")
    cache = tmp_path / "cache"
    render.build_site(tmp_path / "runs", tmp_path / "first", cache=cache)
    assert len(list(cache.glob("*/*/*.pickle"))) == len(paths)

    read: list[Path] = []
    real = load.run_from_bytes
    monkeypatch.setattr(load, "run_from_bytes", lambda p, *rest: read.append(p) or real(p, *rest))
    render.build_site(tmp_path / "runs", tmp_path / "second", cache=cache)
    assert read == []  # every run came back from the cache
    assert _tree(tmp_path / "second") == _tree(tmp_path / "first")

    # A changed file is a miss: read and validated again, so a bad edit is caught.
    paths[0].write_text(paths[0].read_text().replace('"kind": "ops"', '"kind": "nonsense"'))
    with pytest.raises(ValidationFailed, match="kind"):
        render.build_site(tmp_path / "runs", tmp_path / "third", cache=cache)
    assert read == [paths[0]]


def test_a_cached_run_under_another_name_is_still_refused(tmp_path: Path) -> None:
    paths = _write(tmp_path / "runs", 2)
    cache = tmp_path / "cache"
    render.build_site(tmp_path / "runs", tmp_path / "first", cache=cache)
    paths[0].rename(paths[0].with_name("2026-01-01T00-00-00Z-renamed.json"))
    with pytest.raises(ValidationFailed, match="does not match the file name"):
        load.collect_files([tmp_path / "runs"], cache=cache)


def test_an_unreadable_entry_is_a_miss(tmp_path: Path) -> None:
    _write(tmp_path / "runs", 2)
    cache = tmp_path / "cache"
    first = load.collect_files([tmp_path / "runs"], cache=cache)
    for entry in cache.glob("*/*/*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = load.collect_files([tmp_path / "runs"], cache=cache)
    assert [h.run_id for h in again.headers] == [h.run_id for h in first.headers]
    assert len(again.frames.timings) == len(first.frames.timings)


def test_prune_keeps_this_code_version_and_never_touches_other_folders(tmp_path: Path) -> None:
    cache = RunCache(tmp_path)
    cache.put("ab" * 32, {"a": 1})
    cache.put("cd" * 32, {"b": 2})
    old = tmp_path / ("0" * KEY_CHARS)
    (old / "ab").mkdir(parents=True)
    (old / "ab" / "x.pickle").write_bytes(b"")
    mine = tmp_path / "notes"  # not a folder the cache made
    mine.mkdir()
    cache.prune({"ab" * 32})
    assert cache.get("ab" * 32) == {"a": 1}
    assert cache.get("cd" * 32) is None  # not used by the build
    assert not old.exists() and mine.is_dir()


def test_a_kept_text_is_made_once_per_code_version(tmp_path: Path) -> None:
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return "bundle text"

    cache = RunCache(tmp_path)
    assert cache.kept("vega 6", make) == cache.kept("vega 6", make) == "bundle text"
    assert made == ["x"]
    cache.prune(set())  # run entries only: the kept text stays
    assert cache.kept("vega 6", make) == "bundle text" and made == ["x"]
