"""One page context → its Markdown file, plus its charts' spec files and its tables' data files.

Templates get the page's data, `table(t)` (the one table renderer, with the page's DOM budget),
`chart(i)` (a lazy chart: a sized placeholder whose spec file the site script fetches when it scrolls
into view) and `link(to)` (a relative Markdown link that MkDocs checks).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from generator.site.analysis.comparability import Comparability
from generator.site.output.charts import Chart
from generator.site.output.markup import code, html, link, md, url
from generator.site.output.tables import TableWriter
from generator.site.output.writer import Writer

CHART_CHROME_PX = 130  # title, axis and legend around a chart's plot height


@dataclass(frozen=True)
class Page:
    """What one page shows: made by a page module (generator.site.pages), rendered here."""

    path: str  # docs-relative Markdown file
    template: str  # under generator/site/templates
    title: str  # plain text without run-file strings: MkDocs writes titles unescaped
    charts: tuple[Chart, ...] = ()
    data: dict[str, object] = field(default_factory=dict)


def comparability_markdown(comp: Comparability | None) -> Markup:
    if comp is None:
        return Markup("")
    if comp.warn:
        head = '!!! warning "Not directly comparable"'
        why = (
            f"These figures come from {comp.scope} whose software or settings differ, so a gap may "
            "come from those differences rather than from the hardware or the framework:"
        )
    else:
        head = '!!! info "What differs"'
        why = f"These figures come from {comp.scope} that differ in:"
    items = [
        f"    - **{md(name)}**: " + ", ".join(str(code(v)) for v in values)
        for name, values in comp.differences
    ]
    return Markup("\n".join([head, "", f"    {why}", "", *items, ""]) + "\n")


def paragraphs(text: str) -> Markup:
    """Docstring text as escaped Markdown paragraphs (blank lines separate them)."""
    return Markup("\n\n".join(str(md(p)) for p in text.split("\n\n") if p.strip()))


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("generator.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md, code=code, paragraphs=paragraphs, comparability=comparability_markdown)
    return env


def chart_file(page: str, index: int) -> str:
    return f"{page.removesuffix('.md')}.chart-{index}.json"


def chart_html(page: Page, index: int, writer: Writer) -> Markup:
    chart = page.charts[index]
    if chart.svg:
        caption = f"<figcaption>{html(chart.title)}</figcaption>"
        return Markup(f'<figure class="fb-chart fb-static">{caption}{chart.svg}</figure>\n')
    rel = chart_file(page.path, index)
    writer.text(rel, chart.json() + "\n")
    height = int(chart.spec.get("height", 300)) + CHART_CHROME_PX
    return Markup(
        f'<figure class="fb-chart" data-src="{html(url(page.path, rel))}" aria-label="{html(chart.title)}" '
        f'style="min-height:{height}px"><noscript><p>This chart needs JavaScript: '
        f'<a href="{html(url(page.path, rel))}">its data and spec (JSON)</a>.</p></noscript></figure>\n'
    )


def render_page(page: Page, writer: Writer) -> None:
    tables = TableWriter(page.path)
    text = (
        environment()
        .get_template(page.template)
        .render(
            page=page,
            chart=lambda i: chart_html(page, i, writer),
            table=tables.render,
            link=lambda to: link(page.path, to),
            **page.data,
        )
    )
    writer.text(page.path, text)
    for rel, data in tables.files.items():
        writer.text(rel, data)
