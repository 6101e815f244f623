"""The site's chart specs (generator/site/output/charts.py, written with Altair without validation):
every kind the site writes is valid Vega-Lite, carries its rows as given and describes its linked
points by their tooltip."""

from __future__ import annotations

import altair as alt
import pytest

from generator.site.output import charts

ROWS: list[charts.Record] = [
    {
        "machine": m, "framework": f, "series": f"{f} · float32", "size": s, "median": s * 1e-6,
        "ci_lo": s * 9e-7, "ci_hi": s * 1.1e-6, "params": f"n={s}", "time": "t", "ci": "c",
        "gflops_text": "1", "value": s * 1.0, "value_text": str(s), "run_id": f"run-{m}",
        "href": f"runs/{m}/",
        "architecture": "resnet50", "model": "resnet50", "protocol": "standard", "source": "ours",
        "top1": 70.0 + s / 1000, "top5": 90.0, "img_s": 10.0 + s, "front": s > 100, "on_front": "yes",
        "top1_text": "70", "figures": "ours", "img_s_text": "10", "batch": 1, "case": "matmul",
        "version": v, "rel": 1.0 + s / 1000, "lo": 0.9, "hi": 1.1, "pooled": "2", "step": "–",
    }
    for m in ("new box", "old box")
    for f in ("numpy", "torch")
    for s, v in ((64, "1.0"), (512, "2.0"))
]  # fmt: skip


def every_kind() -> dict[str, charts.Chart]:
    return {
        "scaling": charts.scaling_chart(ROWS, y="median", y_title="median time", title="Scale?",
                                        x_title="n", machines=["new box", "old box"]),
        "scaling, linear": charts.scaling_chart(ROWS, y="value", y_title="GFLOP/s", title="Fast?",
                                                x_title="n", machines=["new box"], log_y=False),
        "best": charts.best_chart(ROWS, x="value", x_title="GFLOP/s", title="Best?", seconds=False),
        "accuracy": charts.accuracy_chart(ROWS, title="Accurate?"),
        "accuracy and speed": charts.accuracy_speed_chart(ROWS, title="Worth it?", machines=["new box"],
                                                          batches=[1, 8]),
        "history": charts.history_chart(ROWS, title="Faster?", versions=["1.0", "2.0"], cases=["matmul"],
                                        case="matmul", x_title="numpy version"),
    }  # fmt: skip


@pytest.mark.parametrize("kind", sorted(every_kind()))
def test_every_chart_kind_is_valid_vega_lite(kind: str) -> None:
    spec = every_kind()[kind].spec
    alt.LayerChart.from_dict(spec, validate=True)  # raises on any departure from the schema
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    rows = spec["data"]["values"]
    assert rows == ROWS or kind == "history"  # the rows as given (history adds each version's rank)
    assert all(layer.get("data") != {"name": charts.ROWS} for layer in spec["layer"])


def test_an_invalid_spec_is_caught_by_the_validation() -> None:
    spec = every_kind()["best"].spec
    broken = {**spec, "layer": [{**spec["layer"][0], "mark": {"type": "no such mark"}}]}
    with pytest.raises(Exception, match="no such mark"):
        alt.LayerChart.from_dict(broken, validate=True)


def test_linked_points_are_described_by_their_tooltip() -> None:
    spec = every_kind()["accuracy"].spec
    (points,) = [layer for layer in spec["layer"] if "href" in layer["encoding"]]
    assert points["encoding"]["description"]["field"] == charts.TIP
    (calc,) = points["transform"]
    assert calc["as"] == charts.TIP and 'format(datum.top1, ".2f")' in calc["calculate"]
    assert "run (click to open): " in calc["calculate"]
