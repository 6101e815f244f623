"""Altair chart specs (Vega-Lite JSON) for the site (their static SVG fallbacks: generator.site.svg).

Every chart has a title, axis titles with units and tooltips; series can be toggled by clicking the
legend (a point selection bound to the legend); size sweeps use log axes. Data is inlined as plain
records and selections are named, so the same rows always give the same JSON. Every mark carries an
`href` to the run page its figure comes from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import altair as alt

Record = dict[str, str | float | int | None]
FRAMEWORK_COLORS = {
    "numpy": "#4c72b0",
    "tensorflow": "#dd8452",
    "torch": "#c44e52",
    "keras": "#dd8452",
    "pytorch": "#c44e52",
}
VERDICT_COLORS = {"faster": "#2e7d32", "slower": "#c62828", "no clear difference": "#757575"}


@dataclass(frozen=True)
class Chart:
    title: str
    spec: dict[str, Any]

    def json(self) -> str:
        return json.dumps(self.spec, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _data(values: list[Record]) -> alt.Data:
    # Altair deep-copies inline rows while building the spec (most of its cost on big charts), so
    # the chart is built on named data and the rows are put in afterwards (see _finish).
    _ROWS[id(values)] = values
    return alt.Data(name=f"fb-rows-{id(values)}")  # type: ignore[no-untyped-call]  # untyped in altair


_ROWS: dict[int, list[Record]] = {}


def _inline(spec: Any) -> None:
    """Replace every named-data placeholder in `spec` by its rows."""
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and str(data.get("name", "")).startswith("fb-rows-"):
            spec["data"] = {"values": _ROWS[int(data["name"].removeprefix("fb-rows-"))]}
        for value in spec.values():
            _inline(value)
    elif isinstance(spec, list):
        for value in spec:
            _inline(value)


_VIEW_NAME = re.compile(r'"(view_[0-9a-f]+_[0-9]+)"')


def _stable_view_names(spec: dict[str, Any]) -> dict[str, Any]:
    """Altair names layer views after a hash of the Python objects; number them in order instead."""
    text = json.dumps(spec)
    names: dict[str, str] = {}
    for name in _VIEW_NAME.findall(text):
        names.setdefault(name, f"fb_view_{len(names)}")
    result: dict[str, Any] = json.loads(_VIEW_NAME.sub(lambda m: f'"{names[m.group(1)]}"', text))
    return result


def _color(field: str, values: list[str], title: str) -> alt.Color:
    domain = sorted(set(values))
    palette = [FRAMEWORK_COLORS.get(v, "#8172b3") for v in domain]
    return alt.Color(f"{field}:N", title=title, scale=alt.Scale(domain=domain, range=palette))


def _finish(chart: alt.TopLevelMixin, title: str, description: str) -> Chart:
    spec = chart.properties(title=title, description=description, width="container", height=320).to_dict(
        validate=False  # validated by the tests; with inline data it would cost ~10x the build
    )
    _inline(spec)
    _ROWS.clear()
    spec = _stable_view_names(spec)
    # Legends below the plot leave its full width to the data; fit-x fills the page column.
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec.setdefault("config", {}).update(
        {"legend": {"labelLimit": 480, "orient": "bottom", "direction": "vertical"}}
    )
    return Chart(title=title, spec=spec)


def _rows_height(rows: list[Record], field: str, step: int) -> int:
    """A fixed height for one row per distinct label (a step height would not fit a container width)."""
    return max(120, step * len({r[field] for r in rows}))


def scaling_chart(
    rows: list[Record], *, y: str, y_title: str, title: str, x_title: str, log_y: bool = True
) -> Chart:
    """Size → `y` (log x), one line per framework and series (machine, device, dtype, variant)."""
    legend = alt.selection_point(name="fb_pick", fields=["framework"], bind="legend")
    frameworks = [str(r["framework"]) for r in rows]
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("size:Q", title=x_title, scale=alt.Scale(type="log", nice=False), axis=alt.Axis(tickCount=6)),
        y=alt.Y(
            f"{y}:Q",
            title=y_title,
            scale=alt.Scale(type="log") if log_y else alt.Scale(zero=True),
            axis=alt.Axis(tickCount=6, format="~g"),
        ),
        color=_color("framework", frameworks, "framework"),
        detail="series:N",
        opacity=alt.condition(legend, alt.value(1.0), alt.value(0.12)),
    )
    tooltip = [
        alt.Tooltip("framework:N"),
        alt.Tooltip("series:N", title="machine · device · dtype · variant"),
        alt.Tooltip("params:N", title="parameters"),
        alt.Tooltip("time:N", title="median time"),
        alt.Tooltip("ci:N", title="95 % CI"),
        alt.Tooltip("gflops_text:N", title="GFLOP/s"),
        alt.Tooltip("run_id:N", title="run (click to open)"),
    ]
    lines = base.mark_line(strokeWidth=1.5).encode(strokeDash=alt.StrokeDash("series:N", title="series"))
    points = base.mark_point(filled=True, size=45).encode(tooltip=tooltip, href="href:N")
    layers: list[alt.Chart] = [lines, points]
    if y == "median":
        bars = base.mark_rule().encode(y="ci_lo:Q", y2="ci_hi:Q")
        layers.insert(0, bars)
    chart = alt.layer(*layers).add_params(legend)
    what = f"{y_title} against {x_title} (log scale), one line per framework and machine"
    return _finish(chart, title, what)


def ratio_chart(rows: list[Record], *, title: str) -> Chart:
    """Speed-up ratios with their intervals on a log axis, coloured by verdict; 1 = same speed."""
    legend = alt.selection_point(name="fb_pick", fields=["verdict"], bind="legend")
    verdicts = sorted({str(r["verdict"]) for r in rows})
    color = alt.Color(
        "verdict:N",
        title="verdict (95 % CI vs 1)",
        scale=alt.Scale(domain=verdicts, range=[VERDICT_COLORS[v] for v in verdicts]),
    )
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=360)),
        color=color,
        opacity=alt.condition(legend, alt.value(1.0), alt.value(0.12)),
    )
    x_title = "speed-up (time of B / time of A, ×, log scale)"
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ratio_lo:Q", title=x_title, scale=alt.Scale(type="log")), x2="ratio_hi:Q"
    )
    point = base.mark_point(filled=True, size=60).encode(
        x="ratio:Q",
        href="href:N",
        tooltip=[
            alt.Tooltip("label:N", title="comparison"),
            alt.Tooltip("ratio_text:N", title="speed-up"),
            alt.Tooltip("ci:N", title="interval"),
            alt.Tooltip("verdict:N"),
            alt.Tooltip("run_id:N", title="run (click to open)"),
        ],
    )
    one = alt.Chart(_data([{"one": 1.0}])).mark_rule(strokeDash=[4, 4], color="#444").encode(x="one:Q")
    chart = alt.layer(interval, point, one).add_params(legend)
    spec = _finish(chart, title, "speed-up ratios with intervals; the dashed line marks equal speed")
    spec.spec["height"] = _rows_height(rows, "label", 18)
    return spec


def summary_chart(rows: list[Record], *, title: str) -> Chart:
    """Geometric-mean speed-ups per group (no interval: a summary of many comparisons)."""
    legend = alt.selection_point(name="fb_pick", fields=["pair"], bind="legend")
    x_title = "geometric-mean speed-up of A over B (×, log scale)"
    chart = (
        alt.Chart(_data(rows))
        .mark_point(filled=True, size=70)
        .encode(
            x=alt.X("geomean:Q", title=x_title, scale=alt.Scale(type="log")),
            y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=360)),
            color=alt.Color("pair:N", title="A vs B"),
            opacity=alt.condition(legend, alt.value(1.0), alt.value(0.12)),
            href="href:N",
            tooltip=[
                alt.Tooltip("label:N", title="group"),
                alt.Tooltip("pair:N", title="A vs B"),
                alt.Tooltip("geomean_text:N", title="geometric mean"),
                alt.Tooltip("counts:N", title="faster / slower / unclear"),
            ],
        )
        .add_params(legend)
    )
    one = alt.Chart(_data([{"one": 1.0}])).mark_rule(strokeDash=[4, 4], color="#444").encode(x="one:Q")
    spec = _finish(
        alt.layer(chart, one), title, "geometric-mean speed-ups per group; dashed line: equal speed"
    )
    spec.spec["height"] = _rows_height(rows, "label", 22)
    return spec


def accuracy_chart(rows: list[Record], *, title: str) -> Chart:
    """Top-1 accuracy per architecture, one point per framework and protocol (Keras and PyTorch
    implementations of one architecture share a row)."""
    legend = alt.selection_point(name="fb_pick", fields=["framework"], bind="legend")
    frameworks = [str(r["framework"]) for r in rows]
    chart = (
        alt.Chart(_data(rows))
        .mark_point(filled=True, size=70)
        .encode(
            x=alt.X("top1:Q", title="top-1 accuracy (%)", scale=alt.Scale(zero=False)),
            y=alt.Y("architecture:N", title="architecture", sort="-x", axis=alt.Axis(labelLimit=240)),
            color=_color("framework", frameworks, "framework"),
            shape=alt.Shape("protocol:N", title="protocol"),
            opacity=alt.condition(legend, alt.value(1.0), alt.value(0.12)),
            href="href:N",
            tooltip=[
                alt.Tooltip("model:N"),
                alt.Tooltip("framework:N"),
                alt.Tooltip("protocol:N"),
                alt.Tooltip("source:N", title="figures"),
                alt.Tooltip("top1:Q", title="top-1 (%)", format=".2f"),
                alt.Tooltip("top5:Q", title="top-5 (%)", format=".2f"),
                alt.Tooltip("run_id:N", title="run (click to open)"),
            ],
        )
        .add_params(legend)
    )
    spec = _finish(chart, title, "top-1 accuracy of each model by framework and protocol")
    spec.spec["height"] = _rows_height(rows, "architecture", 20)
    return spec


def bar_time_chart(rows: list[Record], *, title: str) -> Chart:
    """Median time per case configuration, frameworks side by side, with 95 % CI whiskers."""
    legend = alt.selection_point(name="fb_pick", fields=["framework"], bind="legend")
    frameworks = [str(r["framework"]) for r in rows]
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=360)),
        yOffset=alt.YOffset("framework:N"),
        color=_color("framework", frameworks, "framework"),
        opacity=alt.condition(legend, alt.value(1.0), alt.value(0.12)),
    )
    point = base.mark_point(filled=True, size=50).encode(
        x=alt.X("median:Q", title="median time per call (s, log scale)", scale=alt.Scale(type="log")),
        href="href:N",
        tooltip=[
            alt.Tooltip("label:N", title="case"),
            alt.Tooltip("framework:N"),
            alt.Tooltip("device:N"),
            alt.Tooltip("time:N", title="median time"),
            alt.Tooltip("ci:N", title="95 % CI"),
            alt.Tooltip("run_id:N", title="run (click to open)"),
        ],
    )
    whisker = base.mark_rule().encode(x="ci_lo:Q", x2="ci_hi:Q")
    chart = alt.layer(whisker, point).add_params(legend)
    spec = _finish(chart, title, "median time per call for each case, frameworks side by side")
    spec.spec["height"] = _rows_height(rows, "label", 30)
    return spec
