"""Vega-Lite specs of the site's charts, written as plain JSON-ready dicts (no plotting library at
build time: a spec is cheap to make, so the build's fixed cost does not grow with the charts).

Each spec is written as a file beside its page; the page shows a static SVG preview of it drawn at
build time (output/preview.py: keep new specs within the subset it reads, or they are drawn live only)
and the browser draws the live chart when the reader reaches for it. Every chart's title is the question
it answers; axes have units and readable ticks (times as "10 ms", never "1e-2"); tooltips name the
run; clicking a legend entry highlights a series; every mark carries an `href` to the run page (or
the page) its figure comes from. Colours suit both site palettes; the site script adds the text and
grid colours of the palette in use. Same rows in, same JSON out (keys sorted when written).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Record = dict[str, str | float | int | None]
Spec = dict[str, Any]
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
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
CONFIG = {
    "legend": {"labelLimit": 480, "orient": "bottom", "direction": "vertical"},
    "title": {"anchor": "start", "fontSize": 14},
}
FADED = 0.12


@dataclass(frozen=True)
class Chart:
    title: str
    spec: Spec  # drawn by Vega in the browser, from a file beside the page
    svg: str = ""  # or, for small summary charts, static SVG written into the page (no Vega)

    def json(self) -> str:
        return json.dumps(self.spec, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _field(name: str, kind: str = "nominal", **more: Any) -> dict[str, Any]:
    return {"field": name, "type": kind, **more}


def _tooltip(*fields: tuple[str, str]) -> list[dict[str, Any]]:
    return [_field(name, title=title) for name, title in fields]


def _axis(seconds: bool) -> dict[str, Any]:
    """Readable ticks: times with their unit, other numbers plain ("140", never "1.4e+2")."""
    labels = {"labelExpr": TIME_LABELS} if seconds else {"format": "~g"}
    return {"tickCount": 6, "labelOverlap": "greedy", "labelSeparation": 6, **labels}


def _scale(log: bool) -> dict[str, Any]:
    return {"type": "log"} if log else {"zero": True}


def _colors(field: str, values: Sequence[str], palette: dict[str, str], title: str) -> dict[str, Any]:
    domain = sorted(set(values))
    return _field(
        field, title=title, scale={"domain": domain, "range": [palette.get(v, OTHER_COLOR) for v in domain]}
    )


def _pick(field: str) -> dict[str, Any]:
    """A point selection bound to the legend: clicking an entry highlights that series."""
    return {"name": "fb_pick", "select": {"type": "point", "fields": [field]}, "bind": "legend"}


OPACITY = {"condition": {"param": "fb_pick", "value": 1.0}, "value": FADED}


def _chart(
    title: str, description: str, rows: list[Record], layers: list[Spec], height: int, **top: Any
) -> Chart:
    spec: Spec = {
        "$schema": SCHEMA,
        "title": title,
        "description": description,
        "data": {"values": rows},
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": CONFIG,
        "layer": layers,
        **top,
    }
    return Chart(title, spec)


def _rows_height(rows: list[Record], field: str, step: int) -> int:
    """A fixed height for one row per distinct label (a step height would not fit a container width)."""
    return max(120, step * len({r[field] for r in rows}))


def _equal_rule() -> Spec:
    return {
        "data": {"values": [{"one": 1.0}]},
        "mark": {"type": "rule", "strokeDash": [4, 4], "color": EQUAL_RULE},
        "encoding": {"x": _field("one", "quantitative")},
    }


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
    y_enc = _field(y, "quantitative", title=y_title, scale=_scale(log_y), axis=_axis(seconds))
    base = {
        "x": _field(
            "size", "quantitative", title=x_title, scale={"type": "log", "nice": False}, axis=_axis(False)
        ),
        "y": y_enc,
        "color": _colors("framework", [str(r["framework"]) for r in rows], FRAMEWORK_COLORS, "framework"),
        "detail": _field("series"),
        "opacity": OPACITY,
    }
    tooltip = _tooltip(
        ("series", "framework · dtype"),
        ("params", "parameters"),
        ("time", "median time"),
        ("ci", "95 % CI"),
        ("gflops_text", "GFLOP/s"),
        ("run_id", "run (click to open)"),
    )
    layers: list[Spec] = [
        {
            "mark": {"type": "line", "strokeWidth": 1.8},
            "encoding": {**base, "strokeDash": _field("series", title="series")},
        },
        {
            "mark": {"type": "point", "filled": True, "size": 45},
            "encoding": {**base, "tooltip": tooltip, "href": _field("href")},
            "params": [_pick("framework")],
        },
    ]
    if seconds:
        interval = {**base, "y": {**y_enc, "field": "ci_lo"}, "y2": {"field": "ci_hi"}}
        layers.insert(0, {"mark": {"type": "rule"}, "encoding": interval})
    selector = {
        "name": "fb_machine",
        "value": machines[0],
        "bind": {"input": "select", "options": machines, "name": "machine "},
    }
    return _chart(
        title,
        f"{y_title} against {x_title} (log scale) on one machine, one line per framework",
        rows,
        layers,
        300,
        params=[selector],
        transform=[{"filter": "datum.machine == fb_machine"}],
    )


def best_chart(rows: list[Record], *, x: str, x_title: str, title: str, seconds: bool) -> Chart:
    """One row per machine, one point per framework: each framework's best figure on that machine."""
    layer: Spec = {
        "mark": {"type": "point", "filled": True, "size": 70},
        "encoding": {
            "x": _field(x, "quantitative", title=x_title, scale={"type": "log"}, axis=_axis(seconds)),
            "y": _field("machine", title=None, sort=None, axis={"labelLimit": 320}),
            "color": _colors("framework", [str(r["framework"]) for r in rows], FRAMEWORK_COLORS, "framework"),
            "opacity": OPACITY,
            "href": _field("href"),
            "tooltip": _tooltip(
                ("machine", "machine"),
                ("framework", "framework"),
                ("params", "parameters"),
                ("value_text", x_title),
                ("run_id", "run (click to open)"),
            ),
        },
        "params": [_pick("framework")],
    }
    return _chart(
        title,
        f"{x_title} per machine, one point per framework",
        rows,
        [layer],
        _rows_height(rows, "machine", 24),
    )


def accuracy_chart(rows: list[Record], *, title: str) -> Chart:
    """Top-1 accuracy per architecture, one point per framework and protocol (Keras and PyTorch
    implementations of one architecture share a row)."""
    top1 = [float(r["top1"] or 0) for r in rows]
    # A padded domain: two close points must not sit on the axis ends.
    lo, hi = (min(top1), max(top1)) if top1 else (0.0, 100.0)
    pad = max(2.0, (hi - lo) * 0.25)
    domain = [max(0.0, math.floor(lo - pad)), min(100.0, math.ceil(hi + pad))]
    layer: Spec = {
        "mark": {"type": "point", "filled": True, "size": 70},
        "encoding": {
            "x": _field(
                "top1",
                "quantitative",
                title="top-1 accuracy (%)",
                scale={"domain": domain},
                axis=_axis(False),
            ),
            "y": _field("architecture", title="architecture", sort="-x", axis={"labelLimit": 240}),
            "color": _colors("framework", [str(r["framework"]) for r in rows], FRAMEWORK_COLORS, "framework"),
            "shape": _field("protocol", title="protocol"),
            "opacity": OPACITY,
            "href": _field("href"),
            "tooltip": [
                *_tooltip(
                    ("model", "model"),
                    ("framework", "framework"),
                    ("protocol", "protocol"),
                    ("source", "figures"),
                ),
                _field("top1", "quantitative", title="top-1 (%)", format=".2f"),
                _field("top5", "quantitative", title="top-5 (%)", format=".2f"),
                _field("run_id", title="run (click to open)"),
            ],
        },
        "params": [_pick("framework")],
    }
    return _chart(
        title,
        "top-1 accuracy of each model by framework and protocol",
        rows,
        [layer],
        _rows_height(rows, "architecture", 20),
    )


def accuracy_speed_chart(rows: list[Record], *, title: str, machines: list[str], batches: list[int]) -> Chart:
    """Top-1 accuracy against img/s (log x) for one machine and batch size (two selectors; defaults:
    the first of each), one point per model and a line along each framework's Pareto front (rows
    with `front` true: no faster model of that framework is also more accurate). Points link to
    their architecture page."""
    top1 = [float(r["top1"] or 0) for r in rows]
    lo, hi = (min(top1), max(top1)) if top1 else (0.0, 100.0)
    domain = [max(0.0, math.floor(lo - 2.0)), min(100.0, math.ceil(hi + 2.0))]
    x = _field("img_s", "quantitative", title="images per second (log scale)", scale={"type": "log"},
               axis=_axis(False))  # fmt: skip
    y = _field(
        "top1", "quantitative", title="top-1 accuracy (%)", scale={"domain": domain}, axis=_axis(False)
    )
    color = _colors("framework", [str(r["framework"]) for r in rows], FRAMEWORK_COLORS, "framework")
    front: Spec = {
        "transform": [{"filter": "datum.front"}],
        "mark": {"type": "line", "strokeWidth": 1.8},
        "encoding": {"x": x, "y": y, "color": color, "order": _field("img_s", "quantitative"),
                     "opacity": OPACITY},
    }  # fmt: skip
    points: Spec = {
        "mark": {"type": "point", "filled": True, "size": 60},
        "encoding": {
            "x": x,
            "y": y,
            "color": color,
            "shape": _field("on_front", title="Pareto front"),
            "opacity": OPACITY,
            "href": _field("href"),
            "tooltip": _tooltip(
                ("model", "model"),
                ("framework", "framework"),
                ("top1_text", "top-1 (%, 95 % interval)"),
                ("figures", "accuracy from"),
                ("img_s_text", "img/s (95 % interval)"),
                ("machine", "machine"),
                ("run_id", "speed run"),
            ),
        },
        "params": [_pick("framework")],
    }
    selectors = [
        {"name": "fb_machine", "value": machines[0],
         "bind": {"input": "select", "options": machines, "name": "machine "}},
        {"name": "fb_batch", "value": batches[0],
         "bind": {"input": "radio", "options": batches, "name": "batch "}},
    ]  # fmt: skip
    return _chart(
        title,
        "top-1 accuracy against images per second on one machine and batch size, one point per model, "
        "a line along each framework's Pareto front",
        rows,
        [front, points],
        360,
        params=selectors,
        transform=[{"filter": "datum.machine == fb_machine && datum.batch == fb_batch"}],
    )


def history_chart(
    rows: list[Record], *, title: str, versions: list[str], cases: list[str], case: str, x_title: str
) -> Chart:
    """Each configuration of one case (a selector; default `case`) over a framework's versions (oldest
    first): its time relative to the oldest version measured (1× = as fast), with its 95 % interval,
    one line per configuration. A point pools the runs of its version and links to the newest one."""
    rank = {v: i for i, v in enumerate(versions)}
    rows = [{**r, "rank": rank[str(r["version"])]} for r in rows]
    y_title = "time relative to the oldest version (×)"
    x = _field("version", "ordinal", title=x_title, sort=versions, scale={"domain": versions},
               axis={"labelAngle": 0})  # fmt: skip
    y = _field("rel", "quantitative", title=y_title, scale={"zero": False}, axis=_axis(False))
    base = {"x": x, "y": y, "color": _field("series", title="configuration"), "opacity": OPACITY}
    chosen = [{"filter": "datum.case == fb_case"}]
    tooltip = _tooltip(
        ("series", "configuration"),
        ("version", x_title),
        ("time", "time (mean of the pooled processes)"),
        ("ci", "95 % interval"),
        ("pooled", "pooled"),
        ("step", "change from the version before"),
        ("run_id", "newest run (click to open)"),
    )
    layers: list[Spec] = [
        {
            "data": {"values": [{"one": 1.0}]},
            "mark": {"type": "rule", "strokeDash": [4, 4], "color": EQUAL_RULE},
            "encoding": {"y": {**y, "field": "one"}},  # the same scale, so 1x is always in view
        },
        {"transform": chosen, "mark": {"type": "rule"}, "encoding": {**base, "y": {**y, "field": "lo"},
                                                                     "y2": {"field": "hi"}}},
        {
            "transform": chosen,
            "mark": {"type": "line", "strokeWidth": 1.8},
            "encoding": {**base, "order": _field("rank", "quantitative")},
        },
        {
            "transform": chosen,
            "mark": {"type": "point", "filled": True, "size": 55},
            "encoding": {**base, "tooltip": tooltip, "href": _field("href")},
            "params": [_pick("series")],
        },
    ]  # fmt: skip
    bind = {"input": "select", "options": cases, "name": "case "}
    selector = {"name": "fb_case", "value": case, "bind": bind}
    return _chart(
        title,
        f"time of each configuration of the chosen case over {x_title}s, relative to the oldest version",
        rows,
        layers,
        300,
        params=[selector],
    )
