"""Position scales and tick labels of the static chart previews (`preview.py`), drawn as Vega-Lite
would draw them: a scale shared by every layer, 1-2-5 ticks on log axes, nice linear ticks, times
with their unit ("10 ms"), plain numbers ("140", never "1.4e+2"), category rows in the spec's order."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from generator.site.output.charts import TIME_LABELS
from generator.site.output.svg import log_ticks

DAY_MS = 86_400_000.0


class Unsupported(Exception):
    """The spec uses Vega-Lite beyond what the preview draws."""


@dataclass
class Layer:
    mark: str
    props: dict[str, Any]
    enc: dict[str, Any]
    rows: list[dict[str, Any]]
    own_data: bool = False  # a layer with its own data is not filtered by the top-level transforms
    transform: list[Any] = field(default_factory=list)


def g(value: float) -> str:
    """d3's "~g": six significant digits, trailing zeros trimmed."""
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent):+d}"
    return text


def seconds_label(value: float) -> str:
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if value >= scale:
            return f"{g(value / scale)} {unit}"
    return f"{g(value / 1e-9)} ns"


def date_label(value: float) -> str:
    return datetime.fromtimestamp(value / 1000.0, timezone.utc).strftime("%Y-%m-%d")


def number(value: object) -> float | None:
    """A finite number, or an ISO date as milliseconds (Vega's time unit); anything else is None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
        return stamp.timestamp() * 1000.0
    out = float(value)
    return out if math.isfinite(out) else None


def formatted(value: object, fmt: str | None) -> str:
    """A tooltip value: d3 formats ".2f" and "~g" (the ones the specs use), else the value as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if fmt and re.fullmatch(r"\.\d+f", fmt):
            return f"{value:{fmt}}"
        return g(float(value)) if isinstance(value, float) else str(value)
    return "" if value is None else text_of(value)


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count - 1, 1)
    step = 10.0 ** math.floor(math.log10(raw))
    err = raw / step
    return step * (10 if err >= 7.5 else 5 if err >= 3.5 else 2 if err >= 1.5 else 1)


class Scale:
    """One position scale (x or y) over every layer's field on that channel."""

    def __init__(self, channel: str, layers: list[Layer], lo: float, hi: float) -> None:
        defs = [lay.enc[channel] for lay in layers if "field" in (lay.enc.get(channel) or {})]
        if not defs:
            raise Unsupported(f"no field on {channel}")
        first = defs[0]
        self.kind = str(first.get("type", "quantitative"))
        scale: dict[str, Any] = {}  # Vega-Lite merges the layers' scale settings; the first one wins
        for d in reversed(defs):
            scale.update(d.get("scale") or {})
        axis = first.get("axis") or {}
        title = first["title"] if "title" in first else axis.get("title", first["field"])
        self.title = None if title is None else str(title)
        self.range = (lo, hi)
        self.label: Callable[[float], str] = seconds_label if axis.get("labelExpr") == TIME_LABELS else g
        self.label_limit = float(axis.get("labelLimit", 180))
        self.categories: list[str] = []
        self.ticks: list[float] = []
        self.log = scale.get("type") == "log"
        self.lo, self.hi = 0.0, 1.0
        if self.kind in ("nominal", "ordinal"):
            domain = scale.get("domain")
            if isinstance(domain, list):  # a given domain: every entry has its place, data or not
                self.categories = [text_of(v) for v in domain]
            else:
                self.categories = categories(channel, layers, first.get("sort", "ascending"))
            self.index = {name: i for i, name in enumerate(self.categories)}
            return
        if self.kind not in ("quantitative", "temporal") or scale.get("type") not in (
            None, "log", "linear", "time", "utc"):  # fmt: skip
            raise Unsupported(f"{self.kind} scale {scale.get('type')}")
        self._domain(channel, layers, scale)
        if self.log and self.lo <= 0:
            raise Unsupported("log scale over zero")
        self.ticks = self._ticks(int(axis.get("tickCount", 6)))
        if self.kind == "temporal":
            self.label = date_label

    def _domain(self, channel: str, layers: list[Layer], scale: dict[str, Any]) -> None:
        values = [
            v
            for lay in layers
            for ch in (channel, channel + "2")
            if "field" in (lay.enc.get(ch) or {})
            for v in (number(r.get(lay.enc[ch]["field"])) for r in lay.rows)
            if v is not None and (v > 0 or not self.log)
        ]
        given = scale.get("domain")
        self.nice = True
        if isinstance(given, list) and len(given) == 2 and all(number(v) is not None for v in given):
            self.nice = False  # a given domain is kept as it is
            self.lo, self.hi = (float(number(v) or 0.0) for v in given)
        elif not values:
            self.lo, self.hi = (1.0, 10.0) if self.log else (0.0, 1.0)
        elif self.log:
            self.lo, self.hi = min(values) / 1.1, max(values) * 1.1
        else:
            lo, hi = min(values), max(values)
            if self.kind == "quantitative" and scale.get("zero", True):
                lo, hi = min(lo, 0.0), max(hi, 0.0)
            self.lo, self.hi = (lo - 1, hi + 1) if hi == lo else (lo, hi)

    def _ticks(self, count: int) -> list[float]:
        if self.hi <= self.lo:
            raise Unsupported("empty domain")
        if self.log:
            ticks = log_ticks(self.lo, self.hi)
            while len(ticks) > max(count, 2) + 2:
                ticks = ticks[::2]
            if len(ticks) >= 2:
                return ticks
            self.nice = False  # within a decade: plain steps, placed on the log scale
        if self.kind == "temporal":  # whole days
            step = max(1.0, _nice_step((self.hi - self.lo) / DAY_MS, count)) * DAY_MS
        else:
            step = _nice_step(self.hi - self.lo, count)
        if self.nice and not self.log and self.kind == "quantitative":  # the domain ends on ticks
            self.lo, self.hi = math.floor(self.lo / step) * step, math.ceil(self.hi / step) * step
        first, last = math.ceil(self.lo / step - 1e-9), math.floor(self.hi / step + 1e-9)
        return [round(i * step, 12) for i in range(first, last + 1)]

    def __call__(self, value: object) -> float | None:
        a, b = self.range
        if self.kind in ("nominal", "ordinal"):
            i = self.index.get(text_of(value)) if value is not None else None
            return None if i is None else a + (b - a) * (i + 0.5) / len(self.categories)
        v = number(value)
        if v is None or (self.log and v <= 0):
            return None
        if self.log:
            t = (math.log(v) - math.log(self.lo)) / (math.log(self.hi) - math.log(self.lo))
        else:
            t = (v - self.lo) / ((self.hi - self.lo) or 1.0)
        return a + (b - a) * min(max(t, -0.02), 1.02)


def categories(channel: str, layers: list[Layer], sort: object) -> list[str]:
    """The rows (or columns) of a nominal axis: in data order (sort None), by the other axis's value
    ("-x": largest first), in a given order, or alphabetical (Vega-Lite's default)."""
    seen: dict[str, float] = {}
    other = "y" if channel == "x" else "x"
    for lay in layers:
        on = (lay.enc.get(channel) or {}).get("field")
        by = (lay.enc.get(other) or {}).get("field")
        for r in lay.rows:
            if on and r.get(on) is not None:
                value = number(r.get(by)) if by else None
                key = text_of(r[on])
                seen[key] = max(seen.get(key, -math.inf), -math.inf if value is None else value)
    names = list(seen)
    if isinstance(sort, list):
        given = [text_of(s) for s in sort]
        names = [n for n in given if n in seen] + [n for n in names if n not in given]
    elif sort in ("-x", "-y", "x", "y"):
        names.sort(key=lambda n: seen[n], reverse=str(sort).startswith("-"))
    elif sort in ("ascending", "descending"):
        names.sort(reverse=sort == "descending")
    elif sort is not None:
        raise Unsupported(f"sort {sort}")
    return names


def text_of(value: object) -> str:
    """A value as JavaScript writes it (Vega's labels and comparisons): 8.0 → "8", True → "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)
