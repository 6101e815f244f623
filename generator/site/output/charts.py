"""The site's charts, authored with Altair as Vega-Lite specs.

Each spec is written as a file beside its page; the page shows a static SVG preview of it that
vl-convert draws at build time (output/preview.py), the renderer the live chart uses, and the browser
draws the live chart when the reader reaches for it. Every chart's title is the question it answers;
axes have units and readable ticks (times as "10 ms", never "1e-2"); tooltips name the run (and
describe each point, so the preview's links carry them as titles); clicking a legend entry highlights
a series; every mark carries an `href` to the run page (or the page) its figure comes from. Colours
suit both site palettes; the site script adds the text and grid colours of the palette in use.

Altair writes the chart, without its rows: the rows go into the spec as they are (`data.values`),
so Altair neither walks nor copies them, and the build validates nothing (to_dict(validate=False):
the tests validate every chart kind against the Vega-Lite schema). The same rows give the same JSON
(keys sorted when written).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

Record = dict[str, str | float | int | None]
Spec = dict[str, Any]
FRAMEWORK_COLORS = {
    "numpy": "#4c72b0",
    "tensorflow": "#dd8452",
    "torch": "#c44e52",
    "keras": "#dd8452",
    "pytorch": "#c44e52",
}
OTHER_COLOR = "#8172b3"
PAIR_COLORS = {
    "torch vs numpy": "#c44e52",
    "tensorflow vs numpy": "#dd8452",
    "torch vs tensorflow": "#8172b3",
}
EQUAL_RULE = "#888888"
# Ticks of a time axis in seconds: "250 µs", "10 ms", "2 s".
TIME_LABELS = (
    "datum.value >= 1 ? format(datum.value, '~g') + ' s' : datum.value >= 1e-3 ? "
    "format(datum.value * 1e3, '~g') + ' ms' : datum.value >= 1e-6 ? "
    "format(datum.value * 1e6, '~g') + ' µs' : format(datum.value * 1e9, '~g') + ' ns'"
)
FADED = 0.12
PICK = "fb_pick"  # the legend-bound selection of every chart
POINTS = "fb_points"  # the layer that holds it (a readable name in the spec's selection views)
ROWS = "fb_rows"  # the data's name while Altair writes the spec: the rows replace it
TIP = "fb_tip"  # a point's tooltip as one text: its description (the preview's link title)


@dataclass(frozen=True)
class Chart:
    title: str
    spec: Spec  # drawn by Vega in the browser, from a file beside the page
    svg: str = ""  # or, for small summary charts, static SVG written into the page (no Vega)

    def json(self) -> str:
        return json.dumps(self.spec, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _axis(seconds: bool) -> alt.Axis:
    """Readable ticks: times with their unit, other numbers plain ("140", never "1.4e+2")."""
    if seconds:
        return alt.Axis(tickCount=6, labelOverlap="greedy", labelSeparation=6, labelExpr=TIME_LABELS)
    return alt.Axis(tickCount=6, labelOverlap="greedy", labelSeparation=6, format="~g")


def _scale(log: bool) -> alt.Scale:
    return alt.Scale(type="log") if log else alt.Scale(zero=True)


def _framework_colors(rows: Sequence[Record]) -> alt.Color:
    domain = sorted({str(r["framework"]) for r in rows})
    scale = alt.Scale(domain=domain, range=[FRAMEWORK_COLORS.get(v, OTHER_COLOR) for v in domain])
    return alt.Color("framework:N", title="framework", scale=scale)


def _pick(field: str) -> Any:
    """A point selection bound to the legend: clicking an entry highlights that series."""
    return alt.selection_point(name=PICK, fields=[field], bind="legend")


def _opacity() -> Any:
    return alt.when(alt.param(PICK)).then(alt.value(1.0)).otherwise(alt.value(FADED))


Tip = tuple[str, str, str | None]  # a tooltip field, its title and its d3 format


def _tooltip(*fields: tuple[str, str], formats: dict[str, str] | None = None) -> list[Tip]:
    return [(name, title, (formats or {}).get(name)) for name, title in fields]


def _described(layer: alt.Chart, tips: Sequence[Tip]) -> alt.Chart:
    """The layer's tooltip, and the same as one text per point ("title: value; ..."), its
    description: what a screen reader reads and the preview's link title shows."""
    parts = []
    for name, title, fmt in tips:
        value = f"datum.{name}"
        text = f"format({value}, {json.dumps(fmt)})" if fmt else value
        parts.append(f"{json.dumps(title + ': ', ensure_ascii=False)} + (isValid({value}) ? {text} : '')")
    tooltip = [
        alt.Tooltip(name, type="quantitative", title=title, format=fmt)
        if fmt
        else alt.Tooltip(name, type="nominal", title=title)
        for name, title, fmt in tips
    ]
    return layer.transform_calculate(**{TIP: " + '; ' + ".join(parts)}).encode(
        tooltip=tooltip, description=alt.Description(TIP, type="nominal")
    )


def _chart(
    title: str,
    description: str,
    rows: list[Record],
    layers: Sequence[alt.Chart],
    height: int,
    *params: Any,
    filter: str | None = None,
) -> Chart:
    chart = alt.layer(*layers, data=alt.NamedData(name=ROWS)).properties(
        title=title,
        description=description,
        width="container",
        height=height,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )
    if params:
        chart = chart.add_params(*params)
    if filter:
        chart = chart.transform_filter(filter)
    chart = chart.configure_legend(labelLimit=480, orient="bottom", direction="vertical").configure_title(
        anchor="start", fontSize=14
    )
    spec: Spec = chart.to_dict(validate=False)
    assert spec["data"] == {"name": ROWS}
    spec["data"] = {"values": rows}
    return Chart(title, spec)


def _rows_height(rows: list[Record], field: str, step: int) -> int:
    """A fixed height for one row per distinct label (a step height would not fit a container width)."""
    return max(120, step * len({r[field] for r in rows}))


def _select(name: str, value: object, options: Sequence[object], label: str, radio: bool = False) -> Any:
    """A parameter the page draws as its own <select> beside the preview (page.py)."""
    bind = alt.binding_radio if radio else alt.binding_select
    return alt.param(name=name, value=value, bind=bind(options=list(options), name=label))


def _linked(base: alt.Chart, size: int, tips: Sequence[Tip], field: str) -> alt.Chart:
    """The layer of points: each links to its run, carries its tooltip and answers the legend."""
    points = base.mark_point(filled=True, size=size)
    return (
        _described(points, tips)
        .encode(href=alt.Href("href", type="nominal"))
        .add_params(_pick(field))
        .properties(name=POINTS)
    )


def scaling_chart(
    rows: list[Record],
    *,
    y: str,
    y_title: str,
    title: str,
    x_title: str,
    machines: list[str],
    log_y: bool = True,
) -> Chart:
    """Size → `y` (log x) on the machine picked in a selector (default: the first of `machines`, the
    newest), one line per framework (and device, dtype, variant when there are several)."""
    seconds = y == "median"

    def y_enc(field: str) -> alt.Y:
        return alt.Y(field, type="quantitative", title=y_title, scale=_scale(log_y), axis=_axis(seconds))

    x_scale = alt.Scale(type="log", nice=False)
    base = alt.Chart().encode(
        x=alt.X("size", type="quantitative", title=x_title, scale=x_scale, axis=_axis(False)),
        y=y_enc(y),
        color=_framework_colors(rows),
        detail=alt.Detail("series", type="nominal"),
        opacity=_opacity(),
    )
    tooltip = _tooltip(
        ("series", "framework · dtype"),
        ("params", "parameters"),
        ("time", "median time"),
        ("ci", "95 % CI"),
        ("gflops_text", "GFLOP/s"),
        ("run_id", "run (click to open)"),
    )
    layers = [
        base.mark_line(strokeWidth=1.8, aria=False).encode(
            strokeDash=alt.StrokeDash("series", type="nominal", title="series")
        ),
        _linked(base, 45, tooltip, "framework"),
    ]
    if seconds:
        layers.insert(0, base.mark_rule(aria=False).encode(y=y_enc("ci_lo"), y2=alt.Y2("ci_hi")))
    return _chart(
        title,
        f"{y_title} against {x_title} (log scale) on one machine, one line per framework",
        rows,
        layers,
        300,
        _select("fb_machine", machines[0], machines, "machine "),
        filter="datum.machine == fb_machine",
    )


def best_chart(rows: list[Record], *, x: str, x_title: str, title: str, seconds: bool) -> Chart:
    """One row per machine, one point per framework: each framework's best figure on that machine."""
    base = alt.Chart().encode(
        x=alt.X(x, type="quantitative", title=x_title, scale=alt.Scale(type="log"), axis=_axis(seconds)),
        y=alt.Y("machine", type="nominal", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
        color=_framework_colors(rows),
        opacity=_opacity(),
    )
    tooltip = _tooltip(
        ("machine", "machine"),
        ("framework", "framework"),
        ("params", "parameters"),
        ("value_text", x_title),
        ("run_id", "run (click to open)"),
    )
    return _chart(
        title,
        f"{x_title} per machine, one point per framework",
        rows,
        [_linked(base, 70, tooltip, "framework")],
        _rows_height(rows, "machine", 24),
    )


def _padded(values: Sequence[float], pad: float) -> list[float]:
    lo, hi = (min(values), max(values)) if values else (0.0, 100.0)
    return [max(0.0, math.floor(lo - pad)), min(100.0, math.ceil(hi + pad))]


def accuracy_chart(rows: list[Record], *, title: str) -> Chart:
    """Top-1 accuracy per architecture, one point per framework and protocol (Keras and PyTorch
    implementations of one architecture share a row)."""
    top1 = [float(r["top1"] or 0) for r in rows]
    # A padded domain: two close points must not sit on the axis ends.
    domain = _padded(top1, max(2.0, (max(top1) - min(top1)) * 0.25) if top1 else 2.0)
    tooltip = _tooltip(
        ("model", "model"),
        ("framework", "framework"),
        ("protocol", "protocol"),
        ("source", "figures"),
        ("top1", "top-1 (%)"),
        ("top5", "top-5 (%)"),
        ("run_id", "run (click to open)"),
        formats={"top1": ".2f", "top5": ".2f"},
    )
    x_scale = alt.Scale(domain=domain)
    base = alt.Chart().encode(
        x=alt.X("top1", type="quantitative", title="top-1 accuracy (%)", scale=x_scale, axis=_axis(False)),
        y=alt.Y(
            "architecture", type="nominal", title="architecture", sort="-x", axis=alt.Axis(labelLimit=240)
        ),
        color=_framework_colors(rows),
        shape=alt.Shape("protocol", type="nominal", title="protocol"),
        opacity=_opacity(),
    )
    return _chart(
        title,
        "top-1 accuracy of each model by framework and protocol",
        rows,
        [_linked(base, 70, tooltip, "framework")],
        _rows_height(rows, "architecture", 20),
    )


def accuracy_speed_chart(rows: list[Record], *, title: str, machines: list[str], batches: list[int]) -> Chart:
    """Top-1 accuracy against img/s (log x) for one machine and batch size (two selectors; defaults:
    the first of each), one point per model and a line along each framework's Pareto front (rows
    with `front` true: no faster model of that framework is also more accurate). Points link to
    their architecture page."""
    domain = _padded([float(r["top1"] or 0) for r in rows], 2.0)
    x = alt.X("img_s", type="quantitative", title="images per second (log scale)",
              scale=alt.Scale(type="log"), axis=_axis(False))  # fmt: skip
    y = alt.Y("top1", type="quantitative", title="top-1 accuracy (%)", scale=alt.Scale(domain=domain),
              axis=_axis(False))  # fmt: skip
    base = alt.Chart().encode(x=x, y=y, color=_framework_colors(rows), opacity=_opacity())
    front = (
        base.mark_line(strokeWidth=1.8, aria=False)
        .encode(order=alt.Order("img_s", type="quantitative"))
        .transform_filter("datum.front")
    )
    tooltip = _tooltip(
        ("model", "model"),
        ("framework", "framework"),
        ("top1_text", "top-1 (%, 95 % interval)"),
        ("figures", "accuracy from"),
        ("img_s_text", "img/s (95 % interval)"),
        ("machine", "machine"),
        ("run_id", "speed run"),
    )
    points = _linked(base.encode(shape=alt.Shape("on_front", type="nominal", title="Pareto front")), 60,
                     tooltip, "framework")  # fmt: skip
    return _chart(
        title,
        "top-1 accuracy against images per second on one machine and batch size, one point per model, "
        "a line along each framework's Pareto front",
        rows,
        [front, points],
        360,
        _select("fb_machine", machines[0], machines, "machine "),
        _select("fb_batch", batches[0], batches, "batch ", radio=True),
        filter="datum.machine == fb_machine && datum.batch == fb_batch",
    )


def history_chart(
    rows: list[Record], *, title: str, versions: list[str], cases: list[str], case: str, x_title: str
) -> Chart:
    """Each configuration of one case (a selector; default `case`) over a framework's versions (oldest
    first): its time relative to the oldest version measured (1× = as fast), with its 95 % interval,
    one line per configuration. A point pools the runs of its version and links to the newest one."""
    rank = {v: i for i, v in enumerate(versions)}
    rows = [{**r, "rank": rank[str(r["version"])]} for r in rows]
    x = alt.X("version", type="ordinal", title=x_title, sort=versions, scale=alt.Scale(domain=versions),
              axis=alt.Axis(labelAngle=0))  # fmt: skip

    def y(field: str) -> alt.Y:
        return alt.Y(field, type="quantitative", title="time relative to the oldest version (×)",
                     scale=alt.Scale(zero=False), axis=_axis(False))  # fmt: skip

    base = alt.Chart().encode(
        x=x, y=y("rel"), color=alt.Color("series", type="nominal", title="configuration"), opacity=_opacity()
    )
    chosen = base.transform_filter("datum.case == fb_case")
    tooltip = _tooltip(
        ("series", "configuration"),
        ("version", x_title),
        ("time", "time (mean of the pooled processes)"),
        ("ci", "95 % interval"),
        ("pooled", "pooled"),
        ("step", "change from the version before"),
        ("run_id", "newest run (click to open)"),
    )
    one = alt.Chart(alt.InlineData(values=[{"one": 1.0}])).mark_rule(strokeDash=[4, 4], color=EQUAL_RULE)
    layers = [
        one.encode(y=y("one")),  # the same scale, so 1x is always in view
        chosen.mark_rule(aria=False).encode(y=y("lo"), y2=alt.Y2("hi")),
        chosen.mark_line(strokeWidth=1.8, aria=False).encode(order=alt.Order("rank", type="quantitative")),
        _linked(chosen, 55, tooltip, "series"),
    ]
    return _chart(
        title,
        f"time of each configuration of the chosen case over {x_title}s, relative to the oldest version",
        rows,
        layers,
        300,
        _select("fb_case", case, cases, "case "),
    )
