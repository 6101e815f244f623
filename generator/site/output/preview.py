"""A static SVG preview of a Vega-Lite chart, drawn at build time, so that a page shows its charts
without loading Vega (~900 KB of script to parse): the site script swaps in the live chart only when
the reader reaches for it (points at it, or changes its selector).

The preview reads the subset of Vega-Lite that `charts.py` writes: layers of point, line and rule
marks over inline data; quantitative (linear or log), temporal and nominal x and y; colour, dash,
shape and detail groups; `datum.field == param` filters on a select-bound parameter (drawn at its
default value); an href and a tooltip per mark. A spec outside that subset gives None, and the page
shows the live chart alone. Text and grid are in currentColor (both palettes), every point with an
href is a link with its tooltip as <title>; the same spec always gives the same bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.site.output.charts import Spec
from generator.site.output.markup import html
from generator.site.output.scales import Layer, Scale, Unsupported, formatted, number, text_of

WIDTH = 760
CHAR_W = 6.2  # mean width of one 11 px character
RIGHT = 16
TOP = 10
ROW = 18  # one legend line
LEGEND_CHARS = 80  # longer legend labels are cut (Vega: labelLimit)
CHANNELS = {"x", "y", "x2", "y2", "color", "strokeDash", "shape", "detail", "order", "href", "tooltip",
            "opacity"}  # fmt: skip
LAYER_KEYS = {"mark", "encoding", "params", "data", "transform"}
DERIVED = {"aggregate", "bin", "timeUnit", "stack", "impute"}
MARKS = {"point", "circle", "square", "line", "rule"}
TOP_KEYS = {"$schema", "title", "description", "data", "width", "height", "autosize", "config", "layer",
            "mark", "encoding", "params", "transform"}  # fmt: skip
CATEGORY = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#9d755d")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4")
SHAPES = ("circle", "square", "cross", "diamond", "triangle-up", "triangle-down")
FILTER = re.compile(r"^\s*datum\.(\w+)\s*===?\s*(\w+)\s*$")
TRUTHY = re.compile(r"^\s*(!?)\s*datum\.(\w+)\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


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
    marks: int  # SVG elements drawn for the data (the page's DOM budget counts them)
    bindings: tuple[Binding, ...]


def _layers(spec: Spec) -> list[Layer]:
    if set(spec) - TOP_KEYS or ("layer" in spec and "mark" in spec):
        raise Unsupported("spec shape")
    top_rows = (spec.get("data") or {}).get("values")
    raw = spec.get("layer") or [{"mark": spec.get("mark")}]
    layers = []
    for item in raw:
        if not isinstance(item, dict) or set(item) - LAYER_KEYS:
            raise Unsupported("layer shape")
        mark = item.get("mark")
        props = dict(mark) if isinstance(mark, dict) else {"type": mark}
        enc = {**(spec.get("encoding") or {}), **(item.get("encoding") or {})}
        rows = (item.get("data") or {}).get("values", top_rows if "data" not in item else None)
        if props.get("type") not in MARKS or set(enc) - CHANNELS or not isinstance(rows, list):
            raise Unsupported("mark, channel or data")
        if any(isinstance(c, dict) and set(c) & DERIVED for c in enc.values()):
            raise Unsupported("aggregate, bin or time unit")
        kept = [r for r in rows if isinstance(r, dict)]
        own = "data" in item
        layers.append(Layer(str(props["type"]), props, enc, kept, own, list(item.get("transform") or [])))
    return layers


def _bindings(spec: Spec) -> tuple[Binding, ...]:
    out = []
    for p in spec.get("params") or []:
        bind = p.get("bind")
        if isinstance(bind, dict) and bind.get("input") in ("select", "radio"):
            raw = list(bind.get("options", []))
            options = tuple(text_of(o) for o in raw)
            labels = tuple(str(x) for x in bind.get("labels", options))
            numeric = bool(raw) and all(isinstance(o, int | float) and not isinstance(o, bool) for o in raw)
            label = str(bind.get("name", p["name"])).strip()
            value = text_of(p.get("value", ""))
            out.append(Binding(str(p["name"]), label, options, labels, value, numeric))
        elif bind is not None and bind != "legend":
            raise Unsupported("bound input")
    return tuple(out)


def _truthy(value: object) -> bool:
    return value not in (None, False, 0, "") and value == value  # NaN is falsy, as in JavaScript


def _equals(name: str, wanted: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: text_of(r.get(name)) == wanted


def _holds(name: str, negated: bool) -> Callable[[dict[str, Any]], bool]:
    return lambda r: _truthy(r.get(name)) != negated


def _test(expression: str, values: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
    """`datum.a == param && datum.b` (the filters the specs use) as a row test."""
    tests: list[Callable[[dict[str, Any]], bool]] = []
    for part in expression.split("&&"):
        equal, truthy = FILTER.match(part), TRUTHY.match(part)
        if equal and equal.group(2) in values:
            tests.append(_equals(equal.group(1), values[equal.group(2)]))
        elif truthy:
            tests.append(_holds(truthy.group(2), bool(truthy.group(1))))
        else:
            raise Unsupported(f"filter {expression}")
    return lambda r: all(t(r) for t in tests)


def _filter(spec: Spec, layers: list[Layer], bindings: Sequence[Binding]) -> None:
    """Apply the filters at the parameters' default values: the spec's to the layers that use its
    data, then each layer's own."""
    values = {b.name: b.value for b in bindings}

    def tests(steps: list[Any]) -> list[Callable[[dict[str, Any]], bool]]:
        if not all(isinstance(s, dict) and set(s) == {"filter"} for s in steps):
            raise Unsupported("transform")
        return [_test(str(s["filter"]), values) for s in steps]

    shared = tests(list(spec.get("transform") or []))
    for layer in layers:
        mine = tests(layer.transform) + ([] if layer.own_data else shared)
        layer.rows = [r for r in layer.rows if all(t(r) for t in mine)]


class Styles:
    """Colour, dash and shape of a row, from the layers' encodings (one legend per field)."""

    def __init__(self, layers: list[Layer]) -> None:
        self.maps: dict[str, tuple[str, str | None, dict[str, str]]] = {}
        for channel, palette in (("color", CATEGORY), ("strokeDash", DASHES), ("shape", SHAPES)):
            for layer in layers:
                enc = layer.enc.get(channel)
                if not isinstance(enc, dict) or "field" not in enc or channel in self.maps:
                    continue
                field = enc["field"]
                scale = enc.get("scale") or {}
                domain = [text_of(v) for v in scale.get("domain", [])] or sorted(
                    {text_of(r[field]) for lay in layers for r in lay.rows if r.get(field) is not None}
                )
                given = [str(v) for v in scale.get("range", [])] if channel == "color" else []
                values = given or [palette[i % len(palette)] for i in range(len(domain))]
                title = enc.get("title", field)
                named = dict(zip(domain, values, strict=False))
                self.maps[channel] = (field, None if title is None else str(title), named)

    def of(self, channel: str, layer: Layer, row: dict[str, Any], default: str) -> str:
        enc = layer.enc.get(channel)
        if isinstance(enc, dict) and "value" in enc and "field" not in enc:
            return str(enc["value"])
        if isinstance(enc, dict) and channel in self.maps and enc.get("field") == self.maps[channel][0]:
            return self.maps[channel][2].get(text_of(row.get(enc["field"])), default)
        value = layer.props.get(channel, default)  # the mark's own colour, dash or shape
        return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _symbol(shape: str, x: float, y: float, r: float, paint: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {paint}/>'
    points = {
        "square": ((-r, -r), (r, -r), (r, r), (-r, r)),
        "diamond": ((0, -1.3 * r), (1.3 * r, 0), (0, 1.3 * r), (-1.3 * r, 0)),
        "triangle-up": ((0, -1.2 * r), (1.1 * r, r), (-1.1 * r, r)),
        "triangle-down": ((0, 1.2 * r), (1.1 * r, -r), (-1.1 * r, -r)),
    }.get(shape)
    if points is None:  # a cross
        w = r / 2.5
        points = ((-w, -r), (w, -r), (w, -w), (r, -w), (r, w), (w, w), (w, r), (-w, r), (-w, w), (-r, w),
                  (-r, -w), (-w, -w))  # fmt: skip
    path = "M" + "L".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in points) + "Z"
    return f'<path d="{path}" {paint}/>'


def _tooltip(enc: dict[str, Any], row: dict[str, Any]) -> str:
    spec = enc.get("tooltip")
    items = spec if isinstance(spec, list) else [spec] if isinstance(spec, dict) else []
    parts = []
    for item in items:
        if isinstance(item, dict) and "field" in item:
            value = formatted(row.get(item["field"]), item.get("format"))
            title = item.get("title", item["field"])
            parts.append(value if title is None else f"{title}: {value}")
    return "; ".join(parts)


def _href(enc: dict[str, Any], row: dict[str, Any]) -> str | None:
    field = (enc.get("href") or {}).get("field")
    value = row.get(field) if field else None
    # Only links inside the site: never a scheme (javascript:, data:), whatever a row holds.
    return str(value) if isinstance(value, str) and value and not SCHEME.match(value.strip()) else None


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    cls = f"fb-svg-text {extra}".strip()
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{html(text)}</text>'


def _line(xa: float, xb: float, ya: float, yb: float, paint: str) -> str:
    return f'<line x1="{xa:.1f}" x2="{xb:.1f}" y1="{ya:.1f}" y2="{yb:.1f}" {paint}/>'


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{html(dash)}"' if dash else ""


def _legend(styles: Styles, y0: float) -> tuple[list[str], float]:
    """One block per encoded field (colour, dash, shape): its title, then its entries, wrapped."""
    out, y = [], y0
    for channel, (_field, title, mapping) in styles.maps.items():
        x = 0.0
        if title:
            out.append(_text(0, y + 12, title, extra="fb-svg-title"))
            x = len(title) * CHAR_W + 14
        for full, style in mapping.items():
            name = full if len(full) <= LEGEND_CHARS else full[: LEGEND_CHARS - 1] + "…"
            width = 22 + len(name) * CHAR_W + 16
            if x > 0 and x + width > WIDTH:
                x, y = 0.0, y + ROW
            if channel == "color":
                out.append(f'<circle cx="{x + 6:.1f}" cy="{y + 8:.1f}" r="5" fill="{html(style)}"/>')
            elif channel == "strokeDash":
                out.append(_line(x, x + 16, y + 8, y + 8, 'class="fb-svg-line"' + _dash(style)))
            else:
                out.append(_symbol(style, x + 6, y + 8, 4.5, 'class="fb-svg-shape"'))
            out.append(_text(x + 22, y + 12, name))
            x += width
        y += ROW + 4
    return out, y


def preview(spec: Spec, max_marks: int) -> Preview | None:
    """The static SVG of `spec`, or None when it is outside the subset or has over `max_marks` marks."""
    try:
        return _draw(spec, max_marks)
    except Unsupported:
        return None


def _left(layers: list[Layer]) -> float:
    """Room left of the plot for the y labels and title."""
    probe = Scale("y", layers, 0, 1)
    room = 18.0 if probe.title else 0.0
    if probe.kind in ("nominal", "ordinal"):
        longest = max((len(c) for c in probe.categories), default=4) * CHAR_W
        return max(40.0, min(longest, probe.label_limit) + 12 + room)
    longest = max((len(probe.label(t)) for t in probe.ticks), default=4) * CHAR_W
    return max(40.0, longest + 14 + room)


def _axes(sx: Scale, sy: Scale, left: float, bottom: float) -> list[str]:
    out, right, grid = [], WIDTH - RIGHT, 'class="fb-svg-grid"'
    last = -math.inf  # x labels that would overlap the one before are left out (Vega's "greedy")
    for tick in sx.categories or sx.ticks:
        px = sx(tick)
        if px is None:
            continue
        label = str(tick) if sx.categories else sx.label(float(tick))
        if not sx.categories:
            out.append(_line(px, px, TOP, bottom, grid))
        if px - len(label) * CHAR_W / 2 > last + 6:
            out.append(_text(px, bottom + 15, label, "middle"))
            last = px + len(label) * CHAR_W / 2
    limit = int(sy.label_limit / CHAR_W)
    for tick in sy.categories or sy.ticks:
        py = sy(tick)
        if py is None:
            continue
        label = str(tick) if sy.categories else sy.label(float(tick))
        label = label if len(label) <= limit else label[: max(limit - 1, 1)] + "…"
        out.append(_line(left, right, py, py, grid))
        out.append(_text(left - 6, py + 4, label, "end"))
    out.append(_line(left, right, bottom, bottom, 'class="fb-svg-axis"'))
    if sx.title:
        out.append(_text((left + right) / 2, bottom + 34, sx.title, "middle", "fb-svg-title"))
    if sy.title:
        mid = (TOP + bottom) / 2
        out.append(
            f'<text transform="translate(12 {mid:.1f}) rotate(-90)" text-anchor="middle" '
            f'class="fb-svg-text fb-svg-title">{html(sy.title)}</text>'
        )
    return out


def _draw(spec: Spec, max_marks: int) -> Preview | None:
    layers = _layers(spec)
    bindings = _bindings(spec)
    _filter(spec, layers, bindings)
    marks = sum(len(layer.rows) for layer in layers if layer.mark != "line")
    if marks > max_marks:
        return None
    height = spec.get("height", 300)
    bottom = TOP + (float(height) if isinstance(height, int | float) else 300.0)
    left = _left(layers)
    sx = Scale("x", layers, left, WIDTH - RIGHT)
    sy = Scale("y", layers, bottom, TOP)
    if sy.kind in ("nominal", "ordinal"):  # the first category on top
        sy.range = (TOP, bottom)
    styles = Styles(layers)
    out = _axes(sx, sy, left, bottom)
    for layer in layers:
        out += _marks(layer, sx, sy, styles, (left, WIDTH - RIGHT, TOP, bottom))
    legend, end = _legend(styles, bottom + (46 if sx.title else 28))
    title = spec.get("title")
    name = (title.get("text") if isinstance(title, dict) else title) or spec.get("description", "chart")
    head = (
        f'<svg class="fb-svg" viewBox="0 0 {WIDTH} {end + 4:.0f}" width="100%" role="img" '
        f'aria-label="{html(name)}" xmlns="http://www.w3.org/2000/svg">'
    )
    return Preview(head + "".join(out + legend) + "</svg>", marks, bindings)


def _lines(layer: Layer, sx: Scale, sy: Scale, styles: Styles) -> list[str]:
    """One path per colour, dash and detail group, in x order or the `order` field's (as Vega-Lite)."""
    enc = layer.enc
    xf, yf = (enc[c]["field"] for c in ("x", "y"))
    detail, order = ((enc.get(c) or {}).get("field") for c in ("detail", "order"))
    groups: dict[tuple[str, str, str], list[tuple[float, float, float]]] = {}
    for r in layer.rows:
        px, py = sx(r.get(xf)), sy(r.get(yf))
        if px is not None and py is not None:
            color, dash = styles.of("color", layer, r, "currentColor"), styles.of("strokeDash", layer, r, "")
            rank = number(r.get(order)) if order else None
            key = (color, dash, str(r.get(detail, "")) if detail else "")
            groups.setdefault(key, []).append((px if rank is None else rank, px, py))
    width = float(layer.props.get("strokeWidth", 2))
    out = []
    for (color, dash, _), points in sorted(groups.items()):
        path = "M" + "L".join(f"{px:.1f},{py:.1f}" for _, px, py in sorted(points))
        paint = f'fill="none" stroke="{html(color)}" stroke-width="{width:g}"{_dash(dash)}'
        out.append(f'<path d="{path}" {paint}/>')
    return out


def _marks(
    layer: Layer, sx: Scale, sy: Scale, styles: Styles, box: tuple[float, float, float, float]
) -> list[str]:
    if layer.mark == "line":
        return _lines(layer, sx, sy, styles)
    x0, x1, y0, y1 = box
    enc, out = layer.enc, []
    xf, yf, x2f, y2f = ((enc.get(c) or {}).get("field") for c in ("x", "y", "x2", "y2"))
    for r in layer.rows:
        color = styles.of("color", layer, r, "currentColor")
        px, py = sx(r.get(xf)) if xf else None, sy(r.get(yf)) if yf else None
        if (xf and px is None) or (yf and py is None):
            continue
        if layer.mark == "rule":  # across the plot, or from (x, y) to (x2, y2)
            xa, ya = (x0 if px is None else px), (y0 if py is None else py)
            xb = x1 if px is None else (sx(r.get(x2f)) or px) if x2f else px
            yb = y1 if py is None else (sy(r.get(y2f)) or py) if y2f else py
            width = float(layer.props.get("strokeWidth", 1))
            dash = _dash(styles.of("strokeDash", layer, r, ""))
            paint = f'stroke="{html(color)}" stroke-width="{width:g}"{dash}'
            out.append(_line(xa, xb, ya, yb, paint))
            continue
        if px is None or py is None:
            continue
        filled = layer.props.get("filled", layer.mark != "point")
        hollow = f'fill="none" stroke="{html(color)}" stroke-width="1.5"'
        paint = f'fill="{html(color)}"' if filled else hollow
        shape = "square" if layer.mark == "square" else styles.of("shape", layer, r, "circle")
        symbol = _symbol(shape, px, py, math.sqrt(float(layer.props.get("size", 30)) / math.pi), paint)
        tip, href = _tooltip(enc, r), _href(enc, r)
        titled = f"<title>{html(tip)}</title>" if tip else ""
        if href:
            out.append(f'<a href="{html(href)}">{titled}{symbol}</a>')
        else:
            out.append(f"<g>{titled}{symbol}</g>" if tip else symbol)
    return out
