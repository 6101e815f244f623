"""Same runs in, same bytes out: twice through `framebench build` and `mkdocs build --strict`
(different hash seeds, different output folders, SOURCE_DATE_EPOCH fixed as `make site` fixes it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.site_helpers import SAMPLE_RUNS, build, mkdocs_build, tree


@pytest.mark.slow
def test_two_full_builds_give_byte_identical_sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    sites = []
    for attempt, seed in enumerate(("0", "12345")):
        docs, site = tmp_path / f"docs{attempt}", tmp_path / f"b{attempt}" / "site"
        site.parent.mkdir()
        done = build(SAMPLE_RUNS, docs, hash_seed=seed)
        assert done.returncode == 0, done.stderr
        done = mkdocs_build(docs, site)
        assert done.returncode == 0, done.stderr
        sites.append((tree(docs), tree(site)))
    (docs_a, site_a), (docs_b, site_b) = sites
    assert docs_a == docs_b
    assert site_a.keys() == site_b.keys()
    differing = sorted(name for name in site_a if site_a[name] != site_b[name])
    assert differing == [], differing
    assert os.environ["SOURCE_DATE_EPOCH"] == "1767225600"
