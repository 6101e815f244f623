"""The static SVG preview of a chart: its spec as vl-convert draws it at build time (the Vega the
live chart runs), so that a page shows its charts without loading Vega (~900 KB of script to parse);
the site script swaps in the live chart only when the reader reaches for it.

The preview is the spec at its parameters' defaults, drawn 760 px wide without its title (the
figure's caption shows it), its text, axes and grid in currentColor (it takes the page's colour in
both palettes); the page draws the spec's select and radio inputs as its own <select>s. Links with a
scheme (javascript:, data:, https:) are taken out of the rows before drawing: a javascript: link,
which Vega's sanitizer refuses, fails that drawing in vl-convert 1.9, and the next one too. The SVG
vl-convert writes is then made fit for a page: a relative link loses the base URL Vega's loader put
before it, a point's description (charts.py: its tooltip as text) becomes its <title>, the markup
Vega writes for its own event handling (empty backgrounds, classes, pointer-events) goes, and
coordinates keep two decimals. Drawing takes ~40 ms a chart, so what vl-convert wrote is kept in the
build cache under the digest of what it drew (cache.Previews): a rebuild draws only the charts that
changed. A spec vl-convert cannot draw has no preview: the page shows the live chart alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from generator.site.cache import Previews
from generator.site.output.assets import VEGA_LITE
from generator.site.output.charts import Spec
from generator.site.output.markup import html

WIDTH = 760
# Text, axes, legend and grid in the page's colour (in SVG, not on the live chart's canvas).
INK = "currentColor"
CONFIG: dict[str, Any] = {
    "background": None,
    "axis": {"labelColor": INK, "titleColor": INK, "domainColor": INK, "tickColor": INK,
             "gridColor": INK, "gridOpacity": 0.15},
    "legend": {"labelColor": INK, "titleColor": INK},
    "view": {"stroke": INK, "strokeOpacity": 0.15},
}  # fmt: skip
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
BASE = "https://vega.github.io/vega-datasets/"  # vl-convert's loader base, put before relative hrefs
LINK = re.compile(r'<a xlink:href="([^"]*)"><(path|line|rect)([^>]*)/></a>')
LABEL = re.compile(r' aria-label="([^"]*)"')
UNLINKED = re.compile(r'<path aria-label="([^"]*)"([^>]*)/>')  # a described mark without a link
NOISE = re.compile(
    r'<path class="(?:background|foreground)" aria-hidden="true" d="(?:M0,0h0v0h0Z)?"[^>]*/>'
    r'| (?:class|pointer-events|aria-roledescription|role)="[^"]*"| opacity="1"'
)
EMPTY_TEXT = re.compile(r"<text [^>]*/>")
GEOMETRY = re.compile(r' (transform|d)="([^"]*)"')
LONG = re.compile(r"(\.\d\d)\d+")
GROUP = re.compile(r"<g(?=[ >])[^>]*>|</g>")
ROOT = re.compile(r"^<svg [^>]*viewBox=\"([^\"]*)\">")


@dataclass(frozen=True)
class Binding:
    """A parameter bound to a select (or radio) input: the page draws it as its own <select>."""

    name: str
    label: str
    options: tuple[str, ...]
    labels: tuple[str, ...]
    value: str
    numeric: bool = False  # the options are numbers (the live chart gets numbers back)


@dataclass(frozen=True)
class Preview:
    svg: str
    elements: int  # the SVG's elements (the page's DOM budget counts them)
    bindings: tuple[Binding, ...]


def text_of(value: object) -> str:
    """A value as JavaScript writes it (Vega's labels and comparisons): 8.0 → "8", True → "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return "null" if value is None else str(value)


def bindings(spec: Spec) -> tuple[Binding, ...]:
    out = []
    for p in spec.get("params") or []:
        bind = p.get("bind")
        if isinstance(bind, dict) and bind.get("input") in ("select", "radio"):
            raw = list(bind.get("options", []))
            options = tuple(text_of(o) for o in raw)
            labels = tuple(str(x) for x in bind.get("labels", options))
            numeric = bool(raw) and all(isinstance(o, int | float) and not isinstance(o, bool) for o in raw)
            label = str(bind.get("name", p["name"])).strip()
            out.append(Binding(str(p["name"]), label, options, labels, text_of(p.get("value", "")), numeric))
    return tuple(out)


def _inside(href: object) -> bool:
    return isinstance(href, str) and not SCHEME.match(href.strip())


def drawn_spec(spec: Spec) -> Spec:
    """What vl-convert draws: the spec at the preview's width, without its title, and without links
    that leave the site (a scheme: javascript:, data:, https:), whatever a row holds."""
    drawn = {**{k: v for k, v in spec.items() if k != "title"}, "width": WIDTH}
    fields = {
        enc["href"]["field"]
        for layer in [spec, *spec.get("layer", [])]
        if "field" in (enc := layer.get("encoding", {})).get("href", {})
    }
    rows = (spec.get("data") or {}).get("values")
    if fields and isinstance(rows, list):
        drawn["data"] = {"values": [
            {**r, **{f: "" for f in fields if f in r and not _inside(r[f])}} for r in rows
        ]}  # fmt: skip
    return drawn


def _key(spec: Spec) -> str:
    canonical = json.dumps([spec, CONFIG, VEGA_LITE, metadata.version("vl-convert-python")], sort_keys=True,
                           separators=(",", ":"), ensure_ascii=True, allow_nan=False)  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


def _draw(spec: Spec) -> str | None:
    """vl-convert's SVG of `spec`, or None where Vega fails to draw it."""
    import vl_convert

    try:
        return str(vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE, config=CONFIG))
    except ValueError:
        return None


def _link(m: re.Match[str]) -> str:
    """A linked mark: its link if it stays inside the site, its description as its <title>."""
    href, tag, attrs = m.groups()
    label = LABEL.search(attrs)
    title = f"<title>{label.group(1)}</title>" if label else ""
    mark = f"<{tag}{LABEL.sub('', attrs)}/>"
    if href.startswith(BASE):  # a relative link of the spec's: kept as it was written
        return f'<a href="{href.removeprefix(BASE)}">{title}{mark}</a>'
    return f"<g>{title}{mark}</g>"  # any other: none


def _geometry(m: re.Match[str]) -> str:
    value = LONG.sub(r"\1", m.group(2))
    return f' {m.group(1)}="{value}"'


def _unwrapped(svg: str) -> str:
    """The SVG without its bare groups (no attributes, no <title>): Vega nests one per scope, and
    they are a third of a preview's elements."""
    out: list[str] = []
    kept: list[bool] = []  # per open group: whether its tags stay
    at = 0
    for m in GROUP.finditer(svg):
        tag = m.group(0)
        out.append(svg[at : m.start()])
        at = m.end()
        if tag == "</g>":
            if kept.pop():
                out.append(tag)
        else:
            kept.append(tag != "<g>" or svg.startswith("<title>", at))
            if kept[-1]:
                out.append(tag)
    out.append(svg[at:])
    return "".join(out)


def page_svg(raw: str, label: str) -> str | None:
    """vl-convert's SVG made fit for a page (see the module's docstring), or None if it holds a link
    of a kind this does not read."""
    svg = " ".join(raw.split())  # one line: raw HTML in Markdown must have no blank line
    svg = UNLINKED.sub(r"<g><title>\1</title><path\2/></g>", LINK.sub(_link, svg))
    if "xlink:href" in svg:
        return None
    # Inside a role="img" every mark is presentational: an aria-label left on one (an axis, a rule)
    # is an ARIA attribute its element may not carry (Lighthouse: "prohibited ARIA attributes").
    svg = LABEL.sub("", _unwrapped(NOISE.sub("", EMPTY_TEXT.sub("", svg))))
    svg = GEOMETRY.sub(_geometry, svg)
    box = ROOT.match(svg)
    if box is None:
        return None
    head = (
        f'<svg class="fb-svg" viewBox="{box.group(1)}" width="100%" role="img" aria-label="{html(label)}" '
        'xmlns="http://www.w3.org/2000/svg">'
    )
    return head + svg[box.end() :]


def preview(spec: Spec, label: str, cache: Previews | None = None) -> Preview | None:
    """The static SVG of `spec` (drawn, or read back from `cache`), or None where Vega cannot draw it."""
    drawn = drawn_spec(spec)
    key = _key(drawn)
    raw = cache.get(key) if cache is not None else None
    if raw is None:
        raw = _draw(drawn)
        if raw is None:
            return None
        if cache is not None:
            cache.put(key, raw)
    svg = page_svg(raw, label)
    if svg is None:
        return None
    return Preview(svg, svg.count("<") - svg.count("</"), bindings(spec))
