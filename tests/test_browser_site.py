"""The built sample site in Debian chromium (Playwright): every page type loads without console
errors, every chart shows (a static preview at once, the live chart on demand), no request leaves
127.0.0.1, Vega never loads while a page opens, tables sort by the raw number, filter and page, and
the case page's machine selector changes the lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.machine.identity import machine_key
from generator.schema.load import load_run
from tests.site_helpers import CHROMIUM_ARGS, SAMPLE_RUNS, build, chromium, go_live, mkdocs_build, serve

pytestmark = pytest.mark.browser
CUDA_RUN = SAMPLE_RUNS / "ubuntu-24.04/2026-11-21T08-30-00Z-ubuntu-24.04-x86_64-s00003.json"


def _machine_url(run_file: Path) -> str:
    machine = load_run(run_file).machine
    assert machine is not None
    return f"machines/{machine.os.tag}/{machine_key(machine)}/"


PAGES = [
    "",
    "machines/",
    "machines/debian-12/",
    _machine_url(CUDA_RUN),
    "operations/",
    "operations/matmul/",
    "operations/mlp_infer/",
    "frameworks/",
    "accuracy/",
    "accuracy/reproduced/",
    "accuracy/architectures/resnet50/",
    "runs/",
    "runs/2026-11-21T08-30-00Z-ubuntu-24.04-x86_64-s00003/",
    "methodology/",
    "downloads/",
    "contribute/",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chromium()
    work = tmp_path_factory.mktemp("browser")
    assert build(SAMPLE_RUNS, work / "docs").returncode == 0
    built = mkdocs_build(work / "docs", work / "site")
    assert built.returncode == 0, built.stderr
    with serve(work / "site") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(chromium()), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_charts_preview_statically_and_load_vega_only_on_demand(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    bundles: list[str] = []
    page.on("request", lambda r: bundles.append(r.url) if r.url.endswith("vega-bundle.js") else None)
    page.goto(server + "operations/matmul/")
    boxes = page.locator("figure.fb-chart[data-src]")
    assert boxes.count() == 4
    for i in range(boxes.count()):  # scrolling past every chart draws nothing live
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        assert box.locator(".fb-preview svg").is_visible() and box.locator("figcaption").inner_text()
        # Every point of the preview links to its run, with its tooltip.
        marks = box.locator(".fb-preview svg a")
        assert marks.count() > 0
        hrefs = marks.evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert all("runs/" in (h or "") for h in hrefs)
        assert "run (click to open)" in marks.first.locator("title").text_content()
    page.mouse.move(0, 0)
    page.wait_for_load_state("networkidle")
    assert not bundles and not page.locator(".fb-live").count()
    box = boxes.first
    box.hover()  # the reader reaches for the chart: now Vega loads and replaces the preview
    box.locator(".fb-live canvas").wait_for(state="attached", timeout=15000)
    assert len(bundles) == 1 and not box.locator(".fb-preview").is_visible()
    assert box.locator("select").count() == 1  # the page's own selector drives the live chart


def test_every_page_type_renders_offline_without_errors(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    problems: list[str] = []
    foreign: list[str] = []
    bundles: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.endswith("vega-bundle.js"):
            bundles.append(page.url)
        if url.startswith(server) or url.startswith("data:"):
            r.continue_()  # type: ignore[attr-defined]
        else:
            foreign.append(url)
            r.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    live = static = previews = 0
    for path in PAGES:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, path
        boxes = page.locator("figure.fb-chart[data-src]")
        for i in range(boxes.count()):
            box = boxes.nth(i)
            if box.locator(".fb-preview").count():
                previews += 1
                assert box.locator(".fb-preview svg").is_visible(), path
            go_live(box)
            assert box.get_attribute("data-live") == "yes", path
            assert not box.locator(".fb-preview").is_visible(), path  # replaced by the live chart
            live += 1
        static += page.locator("figure.fb-static svg a").count()
        for table in page.locator("div.fb-table[data-src]").all():
            table.scroll_into_view_if_needed()  # tables are drawn when they come near the viewport
            table.locator("tbody tr").first.wait_for(state="attached", timeout=10000)
        assert page.title(), path
    assert live >= 8 and static >= 20 and previews >= 8
    # Vega loads only on pages that have a live chart.
    assert bundles and all("operations/" in u or "accuracy/" in u for u in bundles), bundles
    assert not problems, problems
    assert not foreign, foreign


def test_inline_table_sorts_by_number_and_filters(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "accuracy/")
    box = page.locator("div.fb-table[data-name=leaderboard]")
    box.scroll_into_view_if_needed()
    header = box.locator("thead th", has_text="top-1")
    column = [h.inner_text().strip() for h in box.locator("thead th").all()].index(
        header.inner_text().strip()
    )

    def top1() -> list[float]:
        cells = box.locator(f"tbody tr:not([hidden]) td:nth-child({column + 1})").all_inner_texts()
        return [float(c) for c in cells]

    header.locator("button").click()
    assert top1() == sorted(top1()) and header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert top1() == sorted(top1(), reverse=True) and header.get_attribute("aria-sort") == "descending"
    box.locator("input.fb-filter").fill("resnet50 keras")
    rows = box.locator("tbody tr:not([hidden])").all_inner_texts()
    assert rows and all("resnet50" in r and "keras" in r for r in rows)


def test_data_table_pages_sorts_by_raw_number_and_filters(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 900})  # type: ignore[attr-defined]
    page.goto(server + "frameworks/")
    box = page.locator("div.fb-table[data-name=comparisons]")
    box.scroll_into_view_if_needed()
    box.locator("tbody tr").first.wait_for(state="attached")
    data = json.loads(page.evaluate("(src) => fetch(src).then(r => r.text())", box.get_attribute("data-src")))
    total = len(data["rows"])
    assert total > 50 and box.locator("tbody tr").count() == 25  # one page of rows in the DOM
    assert box.locator(".fb-pager span").inner_text() == f"rows 1–25 of {total}"
    titles = [c["title"] for c in data["columns"]]
    col = titles.index("speed-up of A")
    raw = sorted(row[col][1] for row in data["rows"])

    header = box.locator("thead th").nth(col)
    header.locator("button").click()
    shown = box.locator(f"tbody td:nth-child({col + 1})").all_inner_texts()
    # Sorted by the raw ratio: the shown texts are those of the 25 smallest raw values, in order.
    by_raw = sorted(data["rows"], key=lambda row: row[col][1])
    assert shown == [row[col][0] for row in by_raw[:25]] and raw[0] == by_raw[0][col][1]
    box.locator(".fb-pager button", has_text="next").click()
    assert box.locator(".fb-pager span").inner_text() == f"rows 26–50 of {total}"
    assert box.locator(f"tbody td:nth-child({col + 1})").all_inner_texts() == [
        row[col][0] for row in by_raw[25:50]
    ]

    box.locator("input.fb-filter").fill("tensorflow vs numpy")
    texts = box.locator("tbody tr").all_inner_texts()
    expected = sum(1 for row in data["rows"] if row[0] == "tensorflow vs numpy")
    assert texts and all("tensorflow vs numpy" in t for t in texts)
    assert box.locator(".fb-pager span").inner_text().endswith(f"of {expected}")
    # Every row links to its runs.
    assert box.locator("tbody tr").first.locator("a[href*='runs/']").count() == 2


def test_case_page_machine_selector_changes_the_lines(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(server + "operations/matmul/")
    chart = page.locator("figure.fb-chart[data-src]").first
    select = chart.locator(".fb-binds select")  # drawn with the static preview, before any Vega
    options = select.locator("option").all_inner_texts()
    assert len(options) == 3 and select.input_value() == options[0]

    def shown() -> list[str]:
        script = "(box) => box._fbView.data('data_0').map(r => r.machine + ' | ' + r.framework)"
        return sorted(set(page.evaluate(script, chart.element_handle())))

    # Picking a machine on the preview loads the live chart on that machine...
    select.select_option(options[2])
    chart.locator(".fb-live canvas").wait_for(state="attached", timeout=15000)
    first = shown()
    assert first and all(s.startswith(options[2]) for s in first)
    assert chart.locator("select").count() == 1  # Vega draws no second selector
    # ...and picking another one changes its lines.
    select.select_option(options[1])
    page.wait_for_timeout(300)
    after = shown()
    assert after and all(s.startswith(options[1]) for s in after) and after != first


def test_material_loads_on_the_first_interaction_and_loses_no_click(server: str, browser: object) -> None:
    page = browser.new_page(color_scheme="dark", viewport={"width": 412, "height": 823})  # type: ignore[attr-defined]
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url) if "/javascripts/bundle." in r.url else None)
    page.goto(server + "operations/matmul/")
    page.wait_for_load_state("networkidle")
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    # Before any interaction: no Material script, yet the system's palette, its toggle and search show.
    assert not loaded and page.evaluate(scheme) == "slate"
    toggle = page.locator("label.md-header__button[for^='__palette']:not([hidden])")
    assert toggle.count() == 1 and page.locator("label.md-header__button[for='__search']").is_visible()
    toggle.click()  # the first click loads Material and is then handed to it
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'default'")
    assert len(loaded) == 1 and page.evaluate("() => document.documentElement.classList.contains('js')")
    page.goto(server)  # the reader's choice is kept, before Material loads
    assert page.evaluate(scheme) == "default" and not page.evaluate("() => !!window.document$")
    page.keyboard.press("/")  # Material's shortcut, replayed once it has started
    page.locator(".md-search__input:focus").wait_for(timeout=10000)
    page.keyboard.type("matmul")
    page.locator(".md-search-result__item").first.wait_for(timeout=10000)


def test_charts_follow_the_dark_palette(server: str, browser: object) -> None:
    page = browser.new_page(color_scheme="dark")  # type: ignore[attr-defined]
    page.goto(server + "operations/matmul/")
    chart = page.locator("figure.fb-chart[data-src]").first
    # The preview's text and grid take the page's colour; the live chart its palette.
    text_fill = chart.locator(".fb-preview text").first.evaluate("e => getComputedStyle(e).fill")
    assert text_fill == chart.evaluate("e => getComputedStyle(e).color")
    go_live(chart)
    used = page.evaluate("(box) => box._fbConfig.axis.labelColor", chart.element_handle())
    fg = page.evaluate("() => getComputedStyle(document.body).getPropertyValue('--md-default-fg-color')")
    assert used == fg.strip() and used != "#222"  # the dark palette's light text, not the default
    # Switching the palette redraws the chart in the other one.
    page.locator("label.md-header__button[for^='__palette']:not([hidden])").first.click()
    page.wait_for_timeout(500)
    again = page.evaluate("(box) => box._fbConfig.axis.labelColor", chart.element_handle())
    assert again != used


def test_summary_chart_has_a_phone_layout_and_a_capped_desktop_width(server: str, browser: object) -> None:
    for width, shown, hidden in ((412, "narrow", "wide"), (1440, "wide", "narrow")):
        page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
        page.goto(server)
        chart = page.locator("figure.fb-static").first
        assert chart.locator(f"svg.fb-svg-{shown}").is_visible()
        assert not chart.locator(f"svg.fb-svg-{hidden}").is_visible()
        drawn = chart.locator(f"svg.fb-svg-{shown}").bounding_box()
        assert drawn is not None and drawn["width"] <= min(width, 900)
        page.close()
