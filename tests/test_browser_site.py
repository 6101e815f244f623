"""The built sample site in Debian chromium (Playwright): every page type loads without console
errors, every chart becomes a live SVG, no request leaves 127.0.0.1, and tables sort on click."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.site_helpers import CHROMIUM_ARGS, SAMPLE_RUNS, build, chromium, mkdocs_build, serve

pytestmark = pytest.mark.browser
PAGES = [
    "",
    "machines/",
    "machines/debian-12/",
    "machines/ubuntu-24.04/0f1e2d3c4b5a6978/",
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


def test_every_page_type_renders_offline_without_errors(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    problems: list[str] = []
    foreign: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith(server) or url.startswith("data:"):
            r.continue_()  # type: ignore[attr-defined]
        else:
            foreign.append(url)
            r.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    charts = 0
    for path in PAGES:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, path
        boxes = page.locator("div.fb-chart")
        for i in range(boxes.count()):
            box = boxes.nth(i)
            box.locator(".fb-live svg, .fb-live canvas").first.wait_for(state="attached", timeout=15000)
            assert box.get_attribute("data-live") in ("yes", "pending"), path
            charts += 1
        assert page.title(), path
    assert charts >= 10
    assert not problems, problems
    assert not foreign, foreign


def test_table_sorts_and_filters(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "accuracy/")
    box = page.locator("div.fb-table[data-name=leaderboard]")
    header = box.locator("thead th", has_text="top-1")
    column = [h.inner_text().strip() for h in box.locator("thead th").all()].index(
        header.inner_text().strip()
    )

    def top1() -> list[float]:
        cells = box.locator(f"tbody tr:not([hidden]) td:nth-child({column + 1})").all_inner_texts()
        return [float(c) for c in cells]

    header.click()
    assert top1() == sorted(top1()) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert top1() == sorted(top1(), reverse=True) and header.get_attribute("aria-sort") == "descending"
    box.locator("input.fb-filter").fill("resnet50 keras")
    rows = box.locator("tbody tr:not([hidden])").all_inner_texts()
    assert rows and all("resnet50" in r and "keras" in r for r in rows)


def test_fallback_svg_without_javascript(server: str, browser: object) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server + "operations/matmul/")
    images = page.locator("div.fb-chart img.fb-fallback")
    assert images.count() == 3
    assert all(page.evaluate("(img) => img.complete && img.naturalWidth > 0", img.element_handle())
               for img in images.all())  # fmt: skip
    context.close()
