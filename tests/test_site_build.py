"""`framebench build` on the shared sample set: golden pages and chart specs, determinism,
incremental and clean rebuilds, escaping of hostile run files, and `mkdocs build --strict` on the
result checked as parsed HTML."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from benchmarks.fixtures.synthetic_runs import PAYLOADS, hostile_run
from generator.machine.identity import machine_key
from generator.schema.load import load_run, write_run
from tests.site_helpers import SAMPLE_RUNS, build, mkdocs_build, tree

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_PAGES = {
    "home.md": "index.md",
    "os-debian-12.md": "machines/debian-12/index.md",
    "case-matmul.md": "operations/matmul.md",
    "accuracy.md": "accuracy/index.md",
    "run-s00002.md": "runs/2026-11-20T10-00-00Z-debian-12-x86_64-s00002.md",
}


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "docs"
    result = build(SAMPLE_RUNS, out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("wrote ")
    return out


# A preview is what vl-convert draws, and it lays text out with the fonts it finds on the machine
# (a font installed shifts a legend by a pixel): golden pages hold the page around it, and the
# previews are checked by what they show (tests/test_site_preview.py and the browser tests).
PREVIEW = re.compile(r'(<div class="fb-preview">)<svg .*?</svg>(</div>)')


def _check_golden(name: str, actual: str) -> None:
    actual = PREVIEW.sub(r"\1<svg>…</svg>\2", actual)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path} missing: run with UPDATE_GOLDEN=1 once and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("golden", sorted(GOLDEN_PAGES))
def test_pages_match_golden_markdown(docs: Path, golden: str) -> None:
    _check_golden(golden, (docs / GOLDEN_PAGES[golden]).read_text())


def test_chart_specs_match_golden_json(docs: Path) -> None:
    files = sorted((docs / "operations").glob("matmul.chart-*.json"))
    specs = {f.name: json.loads(f.read_text()) for f in files}
    # Time, GFLOP/s and % of the CPU peak against n on one machine, then the best GFLOP/s per machine.
    assert len(specs) == 4
    peak = specs["matmul.chart-2.json"]["data"]["values"]
    assert peak and all(0 < row["pct_peak"] <= 100 for row in peak)
    actual = json.dumps(specs, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    _check_golden("case-matmul.charts.json", actual)
    time_chart = specs["matmul.chart-0.json"]
    assert time_chart["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    layers = time_chart["layer"]
    assert all(layer["encoding"]["x"]["scale"]["type"] == "log" for layer in layers)
    assert "labelExpr" in layers[0]["encoding"]["y"]["axis"]  # "10 ms", never "1e-2"
    (selector,) = [p for p in time_chart["params"] if p["name"] == "fb_machine"]
    assert selector["bind"]["input"] == "select"  # the machine selector
    machines = selector["bind"]["options"]
    assert selector["value"] == machines[0] and len(machines) == 3
    assert all("href" in row and row["run_id"] in row["href"] for row in time_chart["data"]["values"])
    # The newest machine comes first: it is the one the chart opens on.
    rows = time_chart["data"]["values"]
    newest = max(rows, key=lambda r: r["run_id"][:20])
    assert machines[0] == newest["machine"]


def test_every_page_type_and_download_is_written(docs: Path) -> None:
    for rel in [
        "index.md", "machines/index.md", "machines/macos-14/index.md", "machines/ubuntu-24.04/index.md",
        _machine_page("debian-12"), "operations/index.md",
        "operations/mlp_infer.md",
        "frameworks.md", "accuracy/index.md", "accuracy/reproduced.md", "accuracy/architectures/index.md",
        "accuracy/architectures/resnet50.md", "runs/index.md", "methodology.md", "downloads.md",
        "contribute.md",
        "downloads/timings.csv", "downloads/ratios.json", "downloads/accuracy.csv",
        "downloads/run.schema.json",
        "assets/vendor/vega-bundle.js", "assets/framebench.js", "assets/framebench.css",
    ]:  # fmt: skip
        assert (docs / rel).is_file(), rel
    for run in SAMPLE_RUNS.rglob("*.json"):
        assert (docs / "downloads/runs" / run.name).read_bytes() == run.read_bytes()
        assert (docs / "runs" / f"{run.stem}.md").is_file()
    schema = json.loads((docs / "downloads/run.schema.json").read_text())
    assert schema["title"] == "framebench run file"


def _machine_page(os_tag: str) -> str:
    run = load_run(next((SAMPLE_RUNS / os_tag).glob("*.json")))
    assert run.machine is not None
    return f"machines/{os_tag}/{machine_key(run.machine)}.md"


def test_methodology_quotes_the_code(docs: Path) -> None:
    """Every number of the timing table is the protocol's constant (the page once said 95 % for the
    stopping check, which uses STOP_CONFIDENCE, 99 %)."""
    from generator.catalog import flops, protocol
    from generator.stats import timing as stats

    text = (docs / "methodology.md").read_text()
    quoted = [
        f"<td>{protocol.WARMUP_S:g} s</td>",
        f"<td>{protocol.MIN_SAMPLE_S:g} s</td>",
        f"stop when the {100 * protocol.STOP_CONFIDENCE:g} % CI of the median is within</td>"
        f"<td>{100 * protocol.TARGET_REL_CI:g} % of the median</td>",
        f"<td>{protocol.MIN_ROUNDS} / {protocol.MAX_ROUNDS}</td>",
        f"<td>{protocol.BUDGET_S:g} s / {protocol.QUICK_BUDGET_S:g} s</td>",
        f"<td>{100 * stats.CONFIDENCE:g} %</td>",
        f"{stats.OUTLIER_IQR_FACTOR:g} × IQR</td>",
    ]
    assert [q for q in quoted if q not in text] == []
    assert "2·n³" in flops.FLOP_FORMULAS["matmul"] and "2·n³" in text


def test_build_is_deterministic_incremental_and_clean(docs: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert build(SAMPLE_RUNS, again, hash_seed="12345").returncode == 0  # set order must not matter
    assert tree(again) == tree(docs)
    # A rebuild into the same folder rewrites nothing.
    mtimes = {p: p.stat().st_mtime_ns for p in again.rglob("*") if p.is_file()}
    assert build(SAMPLE_RUNS, again).returncode == 0
    assert {p: p.stat().st_mtime_ns for p in again.rglob("*") if p.is_file()} == mtimes
    # Removing a run removes its pages and downloads.
    fewer = tmp_path / "runs"
    shutil.copytree(SAMPLE_RUNS, fewer)
    gone = next((fewer / "macos-14").glob("*.json"))
    gone.unlink()
    assert build(fewer, again).returncode == 0
    assert not (again / "runs" / f"{gone.stem}.md").exists()
    assert not (again / "machines" / "macos-14").exists()


def test_refuses_to_write_into_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = build(SAMPLE_RUNS, tmp_path)
    assert result.returncode == 1 and "error:" in result.stderr and "refusing" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_run_files_can_be_linked_in_the_repository_instead_of_copied(tmp_path: Path) -> None:
    base = "https://github.com/o/r/raw/0123abc/runs"
    done = build(SAMPLE_RUNS, tmp_path / "docs", options=("--no-cache", "--runs-url", base + "/"))
    assert done.returncode == 0, done.stderr
    run_id = "2026-11-20T10-00-00Z-debian-12-x86_64-s00002"
    page = (tmp_path / f"docs/runs/{run_id}.md").read_text()
    assert f'href="{base}/debian-12/{run_id}.json"' in page
    assert not (tmp_path / "docs/downloads/runs").exists()  # no copy: 10,000 runs are 2.2 GB
    bad = build(SAMPLE_RUNS, tmp_path / "x", options=("--runs-url", "javascript:alert(1)"))
    assert (
        bad.returncode == 1 and bad.stderr.startswith("error: --runs-url:") and "Traceback" not in bad.stderr
    )


def test_invalid_run_stops_the_build_before_writing(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(SAMPLE_RUNS, runs)
    bad = next((runs / "debian-12").glob("*.json"))
    bad.write_text(bad.read_text().replace('"memory_gb": 32.0', '"memory_gb": -1'))
    result = build(runs, tmp_path / "docs")
    assert result.returncode == 1
    assert "error:" in result.stderr and "memory_gb" in result.stderr
    assert not (tmp_path / "docs").exists()


def test_hostile_strings_render_as_text(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write_run(hostile_run(), runs / "debian-12")
    docs, site = tmp_path / "docs", tmp_path / "site"
    result = build(runs, docs)
    assert result.returncode == 0, result.stderr
    page = (docs / "runs/2026-01-01T00-00-00Z-debian-12-hostile-000001.md").read_text()
    for raw in ("<script>", "<img", "<svg", '<a href="javascript'):
        assert raw not in page
    # The run page is raw HTML (stamped by the MkDocs hook), where a Markdown link is plain text; the
    # built pages below hold no javascript: link (tests/test_site_stamp.py also builds it without the hook).
    built = mkdocs_build(docs, site)
    assert built.returncode == 0, built.stderr
    for html_file in site.rglob("*.html"):
        soup = BeautifulSoup(html_file.read_text(), "html.parser")
        assert not soup.select("main img[onerror], main svg[onload]"), html_file
        assert not [a for a in soup.select("a[href]") if a["href"].lower().startswith("javascript:")], (
            html_file
        )
        scripts = [
            s
            for s in soup.select("script")
            if "__pwned" in s.get_text() and s.get("type") != "application/json"
        ]
        assert not scripts, html_file
    run_html = (site / "runs/2026-01-01T00-00-00Z-debian-12-hostile-000001/index.html").read_text()
    text = BeautifulSoup(run_html, "html.parser").get_text(" ")
    assert PAYLOADS[0] in text  # the CPU model shows literally
    assert "{{ 7*7 }}" in text and "49" not in text.replace("2026", "")


@pytest.mark.slow
def test_mkdocs_strict_build_of_the_sample_site(docs: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = mkdocs_build(docs, site)
    assert result.returncode == 0, result.stderr
    os_page = BeautifulSoup((site / "machines/debian-12/index.html").read_text(), "html.parser")
    summary = os_page.select_one("figure.fb-static svg")  # the summary chart is static SVG
    assert summary is not None and summary["aria-label"].endswith("?")  # titled by its question
    assert summary.select("a[href] circle")
    assert os_page.select("div.fb-table table thead th")
    case = BeautifulSoup((site / "operations/matmul/index.html").read_text(), "html.parser")
    boxes = case.select("figure.fb-chart[data-src]")
    assert len(boxes) == 4 and all(box["aria-label"].endswith("?") for box in boxes)
    for box in boxes:
        spec = json.loads((site / "operations/matmul" / box["data-src"]).read_text())
        assert spec["$schema"].endswith(".json")
    # Search finds pages by their prose and headings; chart tick labels and table cells stay out of
    # the index every page loads (they were 80 % of it).
    index = json.loads((site / "search/search_index.json").read_text())
    texts = " ".join(doc["text"] for doc in index["docs"])
    assert "Framework comparisons" in " ".join(doc["title"] for doc in index["docs"])
    assert "machine(s), 1 run(s)" not in texts  # the tooltips of summary chart points
    home = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    tabs = [a.get_text(strip=True) for a in home.select(".md-tabs__link")]
    assert tabs[:4] == ["Home", "Machines", "Operations", "Frameworks"] and "Accuracy" in tabs
    scripts = [s["src"] for s in home.select("script[src]")]
    assert all(not s.startswith(("http:", "https:", "//")) for s in scripts), scripts
    # Vega is never a page's own script: framebench.js (deferred) loads it when a chart is in view.
    assert not any("vega" in s for s in scripts)
    ours = home.find("script", src=re.compile(r"assets/framebench\.js$"))
    assert ours is not None and ours.has_attr("defer")
    # Material's own script is written inert on every page, stamped run pages too: framebench.js
    # loads it on the reader's first interaction (generator/site/theme/main.html).
    for page in (site / "index.html", site / "runs/2026-11-20T10-00-00Z-debian-12-x86_64-s00002/index.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        bundles = soup.find_all("script", src=re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js$"))
        assert [b.get("type") for b in bundles] == ["framebench/on-demand"], page
    run = BeautifulSoup(
        (site / "runs/2026-11-20T10-00-00Z-debian-12-x86_64-s00002/index.html").read_text(), "html.parser"
    )
    assert run.find(
        "a", href=re.compile(r"downloads/runs/2026-11-20T10-00-00Z-debian-12-x86_64-s00002\.json$")
    )
    # Static files are hard-linked from the docs folder, not copied (generator/site/output/links.py).
    run_file = "downloads/runs/2026-11-20T10-00-00Z-debian-12-x86_64-s00002.json"
    assert os.path.samefile(site / run_file, docs / run_file)
    assert not os.path.samefile(site / "index.html", docs / "index.md")
    leaderboard = BeautifulSoup((site / "accuracy/index.html").read_text(), "html.parser")
    rows = leaderboard.select("div.fb-table[data-name=leaderboard] table tbody tr")
    assert len(rows) == 2 * 4 * 2 + 11  # 4 architectures × 2 frameworks × 2 protocols + the study's 11


def test_every_chart_spec_is_valid_vega_lite(docs: Path) -> None:
    # The build writes specs without validating them (charts.py); every spec of the sample site is
    # validated here.
    import altair as alt

    count = 0
    for path in docs.rglob("*.chart-*.json"):
        spec = json.loads(path.read_text())
        (alt.LayerChart if "layer" in spec else alt.Chart).from_dict(spec, validate=True)
        count += 1
    assert count >= 15


def test_every_link_of_the_built_site_resolves(docs: Path, tmp_path: Path) -> None:
    """Raw HTML tables and charts link with browser URLs MkDocs does not check: check them all here."""
    site = tmp_path / "site"
    assert mkdocs_build(docs, site).returncode == 0
    targets: list[tuple[Path, str]] = []
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        targets += [(page, a["href"]) for a in soup.select("main a[href]")]
        targets += [(page, box["data-src"]) for box in soup.select("[data-src]")]
    for path in site.rglob("*.json"):
        if ".chart-" in path.name:
            targets += [
                (path, row["href"]) for row in json.loads(path.read_text())["data"]["values"] if "href" in row
            ]
    local = [
        (p, h.split("#")[0]) for p, h in targets if h and not h.startswith(("http", "#", "mailto:", "/"))
    ]
    assert len(local) > 500
    for page, href in local:
        base = page.parent
        # A chart's links are relative to the page that shows it: x.chart-0.json belongs to x/ (or, for
        # an index page, to its own folder).
        stem = page.name.split(".chart-")[0]
        if page.suffix == ".json" and stem != "index":
            base = page.parent / stem
        target = (base / href).resolve()
        assert target.is_file() or (target / "index.html").is_file(), f"{page}: {href}"
