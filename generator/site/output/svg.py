"""Summary charts drawn here as static SVG: a dot per speed-up with its interval, rows of groups.

The summary charts that open the home, OS, machine and comparison pages are small, so they are
written into the page as SVG: no chart library has to load before the reader sees the answer, text
and grid take the page's colour (currentColor) in both palettes, and each point is a link with a
tooltip. Every string is escaped; the same records always give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from generator.site.output.charts import PAIR_COLORS, Record
from generator.site.output.markup import html


@dataclass(frozen=True)
class Layout:
    """Wide (group labels left of the plot) or, for phones, narrow (each group's label above its rows,
    so the plot keeps the whole width and text stays ~11 px on a 380 px screen). A page carries both
    layouts; the stylesheet shows the one that fits (framebench.css)."""

    name: str
    width: int
    label_w: int  # room for the group labels left of the plot (0: labels above the rows)
    label_h: int  # room for a group label above its rows
    right: int
    legend_rows: bool  # one legend entry per line


WIDE = Layout("wide", 760, 250, 0, 24, False)
NARROW = Layout("narrow", 380, 0, 16, 14, True)
LEFT = 10  # the narrow plot's left margin
LEGEND = 18  # one line of the legend
ROW = 14  # one pair inside a group
GAP = 12  # between groups
AXIS = 44  # tick labels and the axis title
REACH = 20.0  # the axis reaches this factor beyond the outermost estimates, no further


def log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks on a log axis between lo and hi (at least the powers of ten around them)."""
    ticks = []
    for exponent in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for step in (1, 2, 5):
            value = step * 10.0**exponent
            if lo <= value <= hi:
                ticks.append(value)
    if len(ticks) > 8:
        ticks = [t for t in ticks if f"{t:g}".lstrip("0.").startswith("1")]
    return ticks


def _num(value: float) -> str:
    return f"{value:.1f}"


def _arrow(x: float, y: float, side: int, color: str) -> str:
    """A small arrowhead at x pointing left (side -1) or right (+1)."""
    tip, back = x, x - 6 * side
    shape = f"M{_num(tip)} {_num(y)}L{_num(back)} {_num(y - 4)}L{_num(back)} {_num(y + 4)}Z"
    return f'<path d="{shape}" fill="{color}"/>'


def speedup_svg(title: str, rows: Sequence[Record], x_title: str) -> str:
    """The chart in both layouts, wide first."""
    return _speedup_svg(title, rows, x_title, WIDE) + _speedup_svg(title, rows, x_title, NARROW)


def _speedup_svg(title: str, rows: Sequence[Record], x_title: str, layout: Layout) -> str:
    groups: list[str] = []
    for r in rows:
        if str(r["label"]) not in groups:
            groups.append(str(r["label"]))
    pairs = sorted({str(r["pair"]) for r in rows})
    points = [float(r["value"]) for r in rows if r["value"] is not None]
    ends = [float(v) for r in rows for v in (r["lo"], r["hi"]) if v is not None and float(v) > 0]
    # The axis follows the estimates, with room for intervals up to REACH times beyond them: an
    # interval from two cases can span 1e-7 to 1e7 and would squash every other row to a dot.
    floor, ceiling = min([*points, 1.0]) / REACH, max([*points, 1.0]) * REACH
    lo = max(min([*points, *ends, 1.0]), floor) / 1.15
    hi = min(max([*points, *ends, 1.0]), ceiling) * 1.15
    span = math.log(hi) - math.log(lo)
    left = layout.label_w or LEFT
    plot_w = layout.width - left - layout.right

    def x(value: float) -> float:
        return left + plot_w * (math.log(min(max(value, lo), hi)) - math.log(lo)) / span

    members = {g: [r for r in rows if str(r["label"]) == g] for g in groups}
    head = LEGEND * (len(pairs) if layout.legend_rows else 1) + 16  # the legend, above the plot
    tops, y0 = [], 0.0
    for g in groups:
        tops.append(y0)
        y0 += layout.label_h + len(members[g]) * ROW + GAP
    plot_h = y0
    height = head + plot_h + AXIS
    out = [
        f'<svg class="fb-svg fb-svg-{layout.name}" viewBox="0 0 {layout.width} {height}" width="100%" '
        f'role="img" aria-label="{html(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{html(title)}</title>",
    ]
    legend_x, legend_y = left, 14
    for pair in pairs:
        color = PAIR_COLORS.get(pair, "#4c72b0")
        out.append(f'<circle cx="{legend_x + 5}" cy="{legend_y}" r="5" fill="{color}"/>')
        out.append(f'<text x="{legend_x + 14}" y="{legend_y + 4}" class="fb-svg-text">{html(pair)}</text>')
        if layout.legend_rows:
            legend_y += LEGEND
        else:
            legend_x += 16 + 7 * len(pair) + 20
    for tick in log_ticks(lo, hi):
        tx = _num(x(tick))
        out.append(f'<line x1="{tx}" x2="{tx}" y1="{head}" y2="{head + plot_h}" class="fb-svg-grid"/>')
        label = f"{tick:g}×"
        out.append(
            f'<text x="{tx}" y="{head + plot_h + 16}" text-anchor="middle" class="fb-svg-text">{label}</text>'
        )
    one = _num(x(1.0))
    out.append(f'<line x1="{one}" x2="{one}" y1="{head}" y2="{head + plot_h}" class="fb-svg-one"/>')
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{head + plot_h + 36}" text-anchor="middle" '
        f'class="fb-svg-text">{html(x_title)}</text>'
    )
    for group, offset in zip(groups, tops, strict=True):
        top = head + offset + GAP / 2
        mine = sorted(members[group], key=lambda r: str(r["pair"]))
        if layout.label_w:
            out.append(
                f'<text x="{layout.label_w - 8}" y="{top + len(mine) * ROW / 2 + 4:.1f}" text-anchor="end" '
                f'class="fb-svg-text">{html(group)}</text>'
            )
        else:
            out.append(f'<text x="{LEFT}" y="{top + 8:.1f}" class="fb-svg-text">{html(group)}</text>')
            top += layout.label_h
        for p, r in enumerate(mine):
            pair = str(r["pair"])
            y = _num(top + p * ROW + ROW / 2)
            color = PAIR_COLORS.get(pair, "#4c72b0")
            tip = f"{group} · {pair}: {r['value_text']} ({r['ci']}), {r['verdict']}"
            cx = _num(x(float(r["value"] or 0)))
            if r["lo"] is None or r["hi"] is None:  # no interval to draw: a hollow point says so
                mark = f'<circle cx="{cx}" cy="{y}" r="4" fill="none" stroke="{color}" stroke-width="2"/>'
            else:
                x1, x2 = _num(x(float(r["lo"]))), _num(x(float(r["hi"])))
                # An interval cut by the axis ends in an arrowhead, so it never reads as closed there.
                arrows = "".join(
                    _arrow(edge, float(y), side, color)
                    for end, edge, side in ((float(r["lo"]), x(lo), -1), (float(r["hi"]), x(hi), 1))
                    if (end < lo if side < 0 else end > hi)
                )
                mark = (
                    f'<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{color}" stroke-width="2"/>{arrows}'
                    f'<circle cx="{cx}" cy="{y}" r="4.5" fill="{color}"/>'
                )
            title = f"<title>{html(tip)}; {html(r['counts'])}</title>"
            out.append(f'<a href="{html(r["href"])}">{title}{mark}</a>')
    out.append("</svg>")
    return "".join(out)
