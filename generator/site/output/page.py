"""One page context → its Markdown file, plus its charts' spec files and its tables' data files.

Templates get the page's data, `table(t)` (the one table renderer, with the page's DOM budget),
`chart(i)` (a chart: static SVG written into the page, drawn at build time; a Vega-Lite chart
also writes its spec file, which the site script fetches to draw the live chart only when the reader
reaches for it, and is previewed as vl-convert draws it: output/preview.py) and `link(to)` (a
relative Markdown link that MkDocs checks).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from generator.site.analysis.comparability import Comparability
from generator.site.cache import Previews
from generator.site.output.charts import Chart
from generator.site.output.markup import code, html, link, md, url
from generator.site.output.preview import Binding, preview
from generator.site.output.tables import NOT_SEARCHED, TableWriter
from generator.site.output.writer import Writer

CHART_CHROME_PX = 130  # title, axis and legend around a chart's plot height
# Preview SVG elements per page, beside the tables' own budget: a linked point is three (link,
# title, shape) of ~400 bytes, axes, grid and legend ~150 a chart.
PAGE_ELEMENTS = 1500


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


@dataclass
class Budget:
    """Preview elements a page may still hold: past it, a chart is drawn live only (DOM and HTML limits)."""

    elements: int = PAGE_ELEMENTS


def _binding_html(binding: Binding) -> str:
    number = " data-number" if binding.numeric else ""
    options = "".join(
        f'<option value="{html(value)}"{" selected" if value == binding.value else ""}>{html(label)}</option>'
        for value, label in zip(binding.options, binding.labels, strict=False)
    )
    select = f'<select data-param="{html(binding.name)}"{number}>{options}</select>'
    return f"<label>{html(binding.label)} {select}</label>"


def chart_html(
    page: Page, index: int, writer: Writer, budget: Budget | None = None, previews: Previews | None = None
) -> Markup:
    """A static chart as it is; a Vega-Lite chart as its spec file plus, within the page's budget, a
    static preview (and its selectors) that the site script upgrades to the live chart on demand."""
    chart = page.charts[index]
    if chart.svg:
        caption = f"<figcaption>{html(chart.title)}</figcaption>"
        return Markup(f'<figure class="fb-chart fb-static" {NOT_SEARCHED}>{caption}{chart.svg}</figure>\n')
    rel = chart_file(page.path, index)
    writer.text(rel, chart.json() + "\n")
    src = html(url(page.path, rel))
    budget = budget or Budget()
    drawn = preview(chart.spec, chart.title, previews)
    if drawn is not None and drawn.elements <= budget.elements:
        budget.elements -= drawn.elements
        binds = "".join(_binding_html(b) for b in drawn.bindings)
        return Markup(
            f'<figure class="fb-chart fb-vl" {NOT_SEARCHED} data-src="{src}" '
            f'aria-label="{html(chart.title)}">'
            f"<figcaption>{html(chart.title)}</figcaption>"
            + (f'<div class="fb-binds">{binds}</div>' if binds else "")
            + f'<div class="fb-preview">{drawn.svg}</div></figure>\n'
        )
    height = int(chart.spec.get("height", 300)) + CHART_CHROME_PX
    return Markup(
        f'<figure class="fb-chart" {NOT_SEARCHED} data-src="{src}" aria-label="{html(chart.title)}" '
        f'style="min-height:{height}px"><noscript><p>This chart needs JavaScript: '
        f'<a href="{src}">its data and spec (JSON)</a>.</p></noscript></figure>\n'
    )


def render_page(page: Page, writer: Writer, previews: Previews | None = None) -> None:
    """Write the page, its tables' data and its charts' specs; `previews` keeps the charts' drawings."""
    tables = TableWriter(page.path)
    budget = Budget()
    text = (
        environment()
        .get_template(page.template)
        .render(
            page=page,
            chart=lambda i: chart_html(page, i, writer, budget, previews),
            table=tables.render,
            link=lambda to: link(page.path, to),
            **page.data,
        )
    )
    writer.text(page.path, text)
    for rel, data in tables.files.items():
        writer.text(rel, data)
