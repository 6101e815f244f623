"""Hostile run-file strings in a real browser: a run whose every free-text field holds an XSS, Markdown
or Jinja payload is built into the site (framebench build + mkdocs build --strict) beside a normal run,
and every page that shows its strings is opened in Chromium. No payload may run (window.__pwned stays
undefined, no dialog opens), no link may point at `javascript:`, and each payload must show as text."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import pytest

from benchmarks.fixtures.synthetic_runs import PAYLOADS, hostile_run, synthetic_runs
from generator.machine.identity import machine_key
from generator.schema.load import write_run
from generator.site.output.markup import page_url, slug
from tests.site_helpers import CHROMIUM_ARGS, build, chromium, go_live, mkdocs_build, serve

pytestmark = pytest.mark.browser


def _text(payload: str) -> str:
    """How a payload reads on a page: run-file text is shown on one line (whitespace collapsed)."""
    return " ".join(payload.split())


def _pages() -> dict[str, set[str]]:
    """Page URL -> the payloads it must show literally."""
    run = hostile_run()
    assert run.machine is not None
    cpu, gpu = run.machine.cpu.model, run.machine.gpus[0].name
    machine = f"machines/{run.machine.os.tag}/{machine_key(run.machine)}/"
    pages = {
        "": {cpu},  # latest runs, machine label
        "runs/": {cpu},
        f"runs/{run.run_id}/": set(PAYLOADS),
        machine: set(PAYLOADS),  # fingerprint, results (cases, variants), ratios
        f"machines/{run.machine.os.tag}/": {cpu, gpu},
    }
    for result in run.results:
        case = getattr(result, "case", None)
        if case is not None:
            pages[page_url(f"operations/{slug(case)}.md")] = {case, getattr(result, "variant", ""), cpu}
    return pages


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chromium()
    work = tmp_path_factory.mktemp("hostile")
    normal = next(islice(synthetic_runs(2, machines=2), 1, None))
    for run in (hostile_run(), normal):
        assert run.machine is not None
        write_run(run, work / "runs" / run.machine.os.tag)
    built = build(work / "runs", work / "docs")
    assert built.returncode == 0, built.stderr
    site = mkdocs_build(work / "docs", work / "site")
    assert site.returncode == 0, site.stderr
    with serve(work / "site") as url:
        yield url


def test_hostile_strings_show_as_text_and_never_run(server: str) -> None:
    from playwright.sync_api import sync_playwright

    pages = _pages()
    dialogs: list[str] = []
    problems: list[str] = []
    checks = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium()), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def on_dialog(dialog: object) -> None:
            dialogs.append(f"{page.url}: {dialog.message}")  # type: ignore[attr-defined]
            dialog.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", on_dialog)
        for path, expected in sorted(pages.items()):
            response = page.goto(server + path)
            assert response is not None and response.status == 200, path
            boxes = page.locator("figure.fb-chart[data-src]")
            for i in range(boxes.count()):  # the previews show the payloads; the live charts too
                go_live(boxes.nth(i))
            for table in page.locator("div.fb-table[data-src]").all():  # and every data table its rows
                table.scroll_into_view_if_needed()
                table.locator("tbody tr").first.wait_for(state="attached", timeout=10000)
            if page.evaluate("typeof window.__pwned") != "undefined":
                problems.append(f"{path}: a payload ran (window.__pwned is set)")
            hrefs = page.eval_on_selector_all(
                "a",
                "els => els.map(e => (e.getAttribute('href') || e.getAttribute('xlink:href') || ''))",
            )
            bad = [h for h in hrefs if h.strip().lower().replace("\t", "").startswith("javascript:")]
            if bad:
                problems.append(f"{path}: javascript: links {bad}")
            text = " ".join(page.inner_text("body").split())
            for payload in PAYLOADS:
                checks += 1
                if payload in expected and _text(payload) not in text:
                    problems.append(f"{path}: {payload!r} is not shown literally")
        browser.close()
    print(f"hostile strings: {len(PAYLOADS)} payloads x {len(pages)} pages = {checks} checks")
    assert not dialogs, dialogs
    assert not problems, problems
    assert len(pages) >= 8 and checks == len(PAYLOADS) * len(pages)
