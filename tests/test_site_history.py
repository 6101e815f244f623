"""The history pages on synthetic runs: a planted step between two torch versions is on the Changes
page and on its hardware class's page; pure noise puts nothing there, and the pages say why."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest

from generator.bench.timer import summarize
from generator.schema.models import Run, TimingResult
from generator.site.analysis.history import history, result_estimate
from generator.site.analysis.latest import latest_timings
from generator.site.load import collect_runs
from generator.site.output.page import render_page
from generator.site.output.writer import Writer
from generator.site.pages.history import CHANGES, INDEX, history_pages
from generator.site.pages.summaries import hardware_classes
from generator.stats.change import Estimate
from generator.stats.history import Point, pooled, steps_of
from generator.stats.timing import process_medians
from tests.factories import make_machine, make_run, make_timing

SIZES = (1024, 4096, 16384)
PROCESSES = (3, 3, 3)  # samples per worker process, as `bench ops --quick` takes them
NOISE = 0.02  # process-to-process spread (the noise that matters between runs): 5 % is 4 se of a step


def _timing(rng: random.Random, case: str, framework: str, n: int, level: float) -> TimingResult:
    samples = []
    for rounds in PROCESSES:
        process = level * math.exp(rng.gauss(0, NOISE))
        samples += [process * (1 + rng.uniform(-0.005, 0.005)) for _ in range(rounds)]
    return TimingResult(
        suite="ops", family="tensor", case=case, framework=framework, device="cpu",  # type: ignore[arg-type]
        dtype="float32", params={"n": n}, status="ok", samples=samples, process_rounds=list(PROCESSES),
        stats=summarize(samples, 1, list(PROCESSES)),
    )  # fmt: skip


def _runs(seed: int, *, step: float = 1.0, versions: tuple[str, ...] = ("2.13.0+cpu", "2.14.1")) -> list[Run]:
    """Two runs per torch version on two machines of one hardware class (same CPU, other hosts);
    torch's add at n=4096 is `step` times slower in the newer version, numpy stays on one version."""
    rng = random.Random(seed)
    runs = []
    for v, version in enumerate(versions):
        for r in range(2):
            machine = make_machine().model_copy(
                update={"host_id": f"{r:016x}", "frameworks": {"numpy": "2.4.6", "torch": version}}
            )
            results: list[TimingResult] = []
            for n in SIZES:
                planted = step if (v > 0 and n == 4096) else 1.0
                results.append(_timing(rng, "add", "torch", n, 1e-6 * n * planted))
                results.append(_timing(rng, "mul", "torch", n, 1.1e-6 * n))
                results.append(_timing(rng, "add", "numpy", n, 0.9e-6 * n))
            day = 10 + 2 * v + r
            runs.append(
                make_run(
                    f"2026-11-{day}T12-00-00Z-debian-12-x86_64-h{v}{r}",
                    created=f"2026-11-{day}T12:00:00Z",
                    machine=machine,
                    results=results,
                )
            )
    return runs


def _site(runs: list[Run], out: Path) -> dict[str, str]:
    """The history pages of `runs`, rendered into `out`: docs-relative path -> Markdown."""
    frames = collect_runs(runs).frames
    writer = Writer(out, set())
    pages = list(history_pages(frames, latest_timings(frames.timings)))
    for page in pages:
        render_page(page, writer)
    return {p.path: (out / p.path).read_text(encoding="utf-8") for p in pages}


def _changes_rows(text: str) -> list[str]:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in text else ""
    return re.findall(r"<tr>.*?</tr>", body)


def test_pooling_summaries_is_pooling_the_medians() -> None:
    rng = random.Random(1)
    groups = [[rng.lognormvariate(0, 0.1) for _ in range(k)] for k in (1, 3, 4, 2, 1)]
    whole = Estimate.from_medians([m for g in groups for m in g])
    parts = pooled([Estimate.from_medians(g) for g in groups])
    assert parts.df == whole.df == 10
    assert parts.mean == pytest.approx(whole.mean, rel=1e-12)
    assert parts.se == pytest.approx(whole.se, rel=1e-9)
    # Points made from medians and from their summaries find the same steps.
    points = [Point("1.0", "a", tuple(g), f"r{i}") for i, g in enumerate(groups[:2])]
    points += [Point("2.0", "b", tuple(1.3 * m for m in g), f"s{i}") for i, g in enumerate(groups[2:])]
    summarised = [Point(p.version, p.created, (), p.run_id, Estimate.from_medians(p.medians)) for p in points]
    a, b = steps_of(("s",), points), steps_of(("s",), summarised)
    assert [s.reported for s in a] == [s.reported for s in b] == [True]
    assert a[0].change.ratio == pytest.approx(b[0].change.ratio, rel=1e-12)


def test_frames_keep_what_the_test_needs() -> None:
    runs = _runs(3)
    frames = collect_runs(runs).frames
    result = runs[0].results[0]
    assert isinstance(result, TimingResult) and result.stats is not None
    row = frames.timings.iloc[0]
    assert int(row["processes"]) == 3
    expected = Estimate.from_medians(process_medians(result.samples, result.process_rounds))
    got = result_estimate(float(row["median"]), int(row["processes"]), float(row["process_sd"]))
    assert got.df == expected.df and got.mean == pytest.approx(expected.mean, rel=1e-12)
    assert got.se == pytest.approx(expected.se, rel=1e-9)


def test_process_sd_gives_the_estimate_of_the_process_medians_exactly() -> None:
    rng = random.Random(2)
    for rounds in ([2, 3], [4, 1, 2], [5, 6, 3, 3], [1]):
        samples = [rng.lognormvariate(0, 0.1) for _ in range(sum(rounds))]
        result = make_timing(samples=samples, process_rounds=rounds, stats=summarize(samples, 1, rounds))
        assert result.stats is not None
        got = result_estimate(result.stats.median, result.stats.processes, result.process_sd)
        want = Estimate.from_medians(process_medians(samples, rounds))
        assert got == want or (len(rounds) == 1 and got.df == want.df == 0 and got.mean == want.mean)


def test_series_are_kept_only_with_two_versions_of_their_framework() -> None:
    frames = collect_runs(_runs(4)).frames
    classes, _ = hardware_classes(frames.fingerprints)
    found = history(frames.timings, frames.runs, latest_timings(frames.timings), classes)
    assert len(found.classes) == 1
    only = found.classes[0]
    assert only.runs == 4 and only.machines == 2 and only.series == 9
    assert only.versions == {"numpy": ["2.4.6"], "torch": ["2.13.0+cpu", "2.14.1"]}
    assert len(found.series) == 6  # torch's add and mul at three sizes; numpy has one version
    assert all(len(points) == 4 for points in found.series.values())


def test_a_planted_20_percent_step_is_on_the_changes_page(tmp_path: Path) -> None:
    pages = _site(_runs(5, step=1.2), tmp_path)
    rows = _changes_rows(pages[CHANGES])
    assert len(rows) == 1, rows
    assert "n=4096" in rows[0] and "slower" in rows[0] and "2.13.0+cpu → 2.14.1" in rows[0]
    assert "add" in rows[0] and "h11" in rows[0] and "h01" in rows[0]  # newest run on each side
    assert "**steps found: 1** (1 slower, 0 faster)" in pages[CHANGES]
    assert "steps between consecutive versions tested: 6" in pages[CHANGES]
    # The class page charts torch's cases, opening on the one with the step.
    (page,) = (p for p in pages if p not in (CHANGES, INDEX))
    assert re.fullmatch(r"history/cpu-[0-9a-f]{12}\.md", page) and "slower" in pages[page]
    spec = json.loads((tmp_path / page.replace(".md", ".chart-0.json")).read_text())
    assert not (tmp_path / page.replace(".md", ".chart-1.json")).exists()  # numpy: one version, no chart
    assert spec["title"].startswith("Did torch get faster on ")
    (case,) = [p for p in spec["params"] if p["name"] == "fb_case"]
    assert case["value"] == "add" and case["bind"]["options"] == ["add", "mul"]
    stepped = [r for r in spec["data"]["values"] if r["case"] == "add" and r["series"] == "n=4096 · float32"]
    assert [r["version"] for r in stepped] == ["2.13.0+cpu", "2.14.1"]
    assert stepped[0]["rel"] == 1.0 and 1.1 < stepped[1]["rel"] < 1.3
    assert all(r["lo"] <= r["rel"] <= r["hi"] and r["run_id"] in r["href"] for r in spec["data"]["values"])


@pytest.mark.parametrize("seed", range(6))
def test_pure_noise_puts_nothing_on_the_changes_page(tmp_path: Path, seed: int) -> None:
    pages = _site(_runs(100 + seed), tmp_path)
    assert _changes_rows(pages[CHANGES]) == []
    assert "**steps found: 0**" in pages[CHANGES] and "tested: 6" in pages[CHANGES]
    assert "*None yet.*" in pages[CHANGES]


def test_without_two_versions_the_pages_say_why(tmp_path: Path) -> None:
    pages = _site(_runs(7, versions=("2.14.1",)), tmp_path)
    assert sorted(pages) == [CHANGES, INDEX]
    assert "No configuration has been measured with two versions" in pages[CHANGES]
    assert "No hardware class has been measured with two versions" in pages[INDEX]
