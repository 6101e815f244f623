"""The MkDocs hook that stamps run pages into one rendered shell (generator/site/output/stamp.py):
a stamped page is byte for byte the page MkDocs makes of the same file without the hook, it stays out
of the search index, the shell itself is never published, titles are escaped, and pages that do not
share their front matter stop the build."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from mkdocs.exceptions import PluginError

from benchmarks.fixtures.mkdocs_config import mkdocs_config_for
from benchmarks.fixtures.synthetic_runs import PAYLOADS, hostile_run
from generator.schema.load import write_run
from generator.site.output import stamp
from tests.site_helpers import ROOT, SAMPLE_RUNS, build, mkdocs_build

pytestmark = pytest.mark.slow


def _mkdocs_without_hook(docs: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of mkdocs.yml without its `hooks:` entry: every page the slow way."""
    text = mkdocs_config_for(docs, site.parent, ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"^hooks:[ \t]*\n(?:[ \t]+-.*\n?)+", "", text, flags=re.M)
    assert "output/stamp.py" not in text
    config = site.parent / "mkdocs-nohook.yml"
    config.write_text(text, encoding="utf-8")
    return mkdocs_build(docs, site, config)


def _both(runs: Path, work: Path) -> tuple[Path, Path, Path]:
    docs, fast, slow = work / "docs", work / "fast" / "site", work / "slow" / "site"
    assert build(runs, docs).returncode == 0
    fast.parent.mkdir()
    slow.parent.mkdir()
    done = mkdocs_build(docs, fast)
    assert done.returncode == 0, done.stderr
    done = _mkdocs_without_hook(docs, slow)
    assert done.returncode == 0, done.stderr
    return docs, fast, slow


SKIP = re.compile(r'<a href="#[^"]*" class="md-skip">\s*Skip to content\s*</a>')


def _run_pages(site: Path, skip_link: bool = True) -> dict[str, str]:
    """Run pages by path. Compared without their "skip to content" link, which MkDocs makes only
    from a Markdown heading (the hook points it at the page's first heading), and with runs of
    whitespace as one space (the shell's one-entry table of contents, hidden, spaces differently)."""
    pages = {}
    for path in sorted((site / "runs").glob("*/index.html")):
        if path.parent.name[:1].isdigit():
            text = path.read_text(encoding="utf-8")
            pages[str(path.relative_to(site))] = text if skip_link else " ".join(SKIP.sub("", text).split())
    return pages


def test_stamped_run_pages_are_the_pages_mkdocs_makes(tmp_path: Path) -> None:
    docs, fast, slow = _both(SAMPLE_RUNS, tmp_path)
    stamped = [p for p in (docs / "runs").glob("*.md") if stamp.is_stamped(str(p))]
    assert len(stamped) == len(list(SAMPLE_RUNS.rglob("*.json"))) > 3
    assert _run_pages(fast, skip_link=False) == _run_pages(slow, skip_link=False)
    assert len(_run_pages(fast)) == len(stamped)
    for text in _run_pages(fast).values():
        heading = BeautifulSoup(text, "html.parser").select_one("article h1[id]")
        assert heading is not None and f'<a href="#{heading["id"]}" class="md-skip">' in text
    assert not (fast / "runs" / stamp.SHELL.removesuffix(".md")).exists()
    # Every other page is MkDocs' own, and the same with or without the hook.
    others = [p.relative_to(slow) for p in slow.rglob("*.html") if not str(p).startswith(str(slow / "runs"))]
    assert others and all((fast / p).read_bytes() == (slow / p).read_bytes() for p in others)
    page = BeautifulSoup(next(iter(_run_pages(fast).values())), "html.parser")
    assert page.select(".md-tabs__link") and page.select("[data-md-component=palette]")
    assert page.title is not None and page.title.get_text().startswith("Run ")
    index = json.loads((fast / "search/search_index.json").read_text())
    assert index["docs"] and not [d for d in index["docs"] if d["location"].startswith("runs/2")]


def test_hostile_run_page_is_text_with_and_without_the_hook(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    run = hostile_run()
    write_run(run, runs / "debian-12")
    _, fast, slow = _both(runs, tmp_path)
    rel = f"runs/{run.run_id}/index.html"
    assert _run_pages(fast, skip_link=False) == _run_pages(slow, skip_link=False)
    soup = BeautifulSoup((fast / rel).read_text(), "html.parser")
    article = soup.select_one("article")
    assert article is not None
    assert not article.select("img, svg[onload], script, a[href^=javascript]")
    text = article.get_text(" ")
    for payload in PAYLOADS[:3]:  # CPU model, GPU name, numpy version: shown literally
        assert payload in text, payload


def test_title_is_escaped_into_every_place_of_the_shell() -> None:
    title, mark = stamp.TITLE, stamp.ANCHOR
    shell = (
        f'<title>{title} - x</title><a href="#{mark}" class="md-skip">Skip</a><h2>{title}</h2>'
        f'<h1 id="{mark}">{mark}<a class="headerlink" href="#{mark}">&para;</a></h1><p>tail {title}</p>'
    )
    head, tail = stamp.split_shell(shell)
    out = stamp.stamp(head, tail, "<b>&'", '<h1 id="run-1">Run 1</h1>')
    escaped = "&lt;b&gt;&amp;&#x27;"
    assert out == (
        f'<title>{escaped} - x</title><a href="#run-1" class="md-skip">Skip</a><h2>{escaped}</h2>'
        f'<h1 id="run-1">Run 1</h1><p>tail {escaped}</p>'
    )
    with pytest.raises(PluginError):
        stamp.split_shell(head + tail)


def test_stamped_pages_must_share_their_front_matter(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    assert build(SAMPLE_RUNS, docs).returncode == 0
    page = sorted(p for p in (docs / "runs").glob("*.md") if stamp.is_stamped(str(p)))[-1]
    page.write_text(page.read_text().replace("  - toc\n", ""), encoding="utf-8")
    done = mkdocs_build(docs, tmp_path / "site")
    assert done.returncode != 0
    assert "front matter differs" in done.stderr


def test_pages_without_the_stamp_line_are_left_to_mkdocs(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    assert build(SAMPLE_RUNS, docs).returncode == 0
    (docs / "runs/extra.md").write_text("# Extra\n\nA *Markdown* page.\n", encoding="utf-8")
    done = mkdocs_build(docs, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert "<em>Markdown</em>" in (tmp_path / "site/runs/extra/index.html").read_text()
