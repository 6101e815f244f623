"""The model zoos beside each other: speed results of the `models` family as img/s per model and
machine, accuracy with exact intervals and tied ranks, the paired Keras vs PyTorch tests an import
run carries in its notes, and the Pareto front of accuracy against speed.

Pure functions of frames (and, for the paired tests, of run headers): the pages format what these
return. Names: an accuracy result's framework is its zoo ("keras", "pytorch"); a speed result's is
the framework that runs the zoo ("tensorflow", "torch"); both meet on `zoo` and `model`, and on
`architecture` (the torchvision name) across zoos.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from generator.catalog.names import ZOO_FRAMEWORKS
from generator.catalog.zoo_cases import DEFAULT_VARIANT, FAMILY
from generator.catalog.zoo_models import architecture
from generator.machine.identity import hardware_label
from generator.schema.models import Machine, Run
from generator.stats.accuracy import (
    NOTE_PREFIX,
    Interval,
    PairedResult,
    interval_of_percent,
    paired_from_notes,
    tied_ranks,
)

ZOO_OF = {framework: zoo for zoo, framework in ZOO_FRAMEWORKS.items()}  # tensorflow -> keras
SPEED_COLUMNS = [
    "machine_id", "label", "device", "framework", "zoo", "model", "architecture", "case", "variant",
    "batch", "input_size", "run_id", "created", "interval", "median", "ci_lo", "ci_hi", "img_s",
    "img_s_lo", "img_s_hi", "gflops", "gflops_per_image", "model_params",
]  # fmt: skip
PAIRED_COLUMNS = [
    "architecture", "k", "run_id", "images", "both_right", "keras_only", "pytorch_only", "same_top1",
    "keras_percent", "pytorch_percent", "difference", "agreement", "p_value", "method", "significant",
]  # fmt: skip


@functools.lru_cache(maxsize=1 << 12)
def _model_params(text: str) -> tuple[str, int, int]:
    """(model, batch, input size) of a params text "batch=32, input_size=224, model=densenet121"."""
    values = dict(part.partition("=")[::2] for part in text.split(", "))
    batch, side = values.get("batch", ""), values.get("input_size", "")
    return values.get("model", ""), int(batch) if batch.isdigit() else 0, int(side) if side.isdigit() else 0


def _per_second(items: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = items / seconds
    return np.where(np.isfinite(rate) & (seconds > 0), rate, np.nan)


def speed_frame(latest: pd.DataFrame, fingerprints: Mapping[str, Machine]) -> pd.DataFrame:
    """The model-zoo speed results among `latest` (analysis.latest), one row per machine, device,
    framework, variant, model and batch, with img/s and its interval (images per batch over the
    time's interval: the slow end of the time is the low end of the rate) and a machine label that
    says the hardware the device used ("EPYC (2 cores)", "H100 80GB")."""
    rows = latest[(latest["family"] == FAMILY) & (latest["status"] == "ok")]
    if rows.empty:
        return pd.DataFrame(columns=SPEED_COLUMNS)
    parsed = [_model_params(str(p)) for p in rows["params"]]
    batch = np.array([b for _, b, _ in parsed], dtype=np.float64)
    zoo = [ZOO_OF.get(str(f), str(f)) for f in rows["framework"]]
    model = [m for m, _, _ in parsed]
    median = rows["median"].to_numpy(dtype=np.float64)
    flops = rows["flops"].to_numpy(dtype=np.float64)
    frame = rows.assign(
        zoo=zoo,
        model=model,
        architecture=[architecture(z, m) for m, z in zip(model, zoo, strict=True)],
        batch=batch.astype(np.int64),
        input_size=[s for _, _, s in parsed],
        img_s=_per_second(batch, median),
        img_s_lo=_per_second(batch, rows["ci_hi"].to_numpy(dtype=np.float64)),
        img_s_hi=_per_second(batch, rows["ci_lo"].to_numpy(dtype=np.float64)),
        gflops_per_image=np.where(batch > 0, flops / np.maximum(batch, 1) / 1e9, np.nan),
    )
    frame = frame.assign(label=_labels(frame, fingerprints))
    frame = frame[frame["batch"] > 0]
    order = ["architecture", "label", "device", "zoo", "model", "variant", "batch"]
    return frame.sort_values(order, kind="stable")[SPEED_COLUMNS].reset_index(drop=True)


def _labels(frame: pd.DataFrame, fingerprints: Mapping[str, Machine]) -> list[str]:
    """hardware_label per (machine, device); machines that would share a label keep apart by the
    start of their key."""
    pairs = sorted(set(zip(frame["machine_id"].astype(str), frame["device"].astype(str), strict=True)))
    named = {
        (mid, dev): hardware_label(fingerprints[mid], dev) if mid in fingerprints else mid
        for mid, dev in pairs
    }
    counts: dict[str, int] = {}
    for label in named.values():
        counts[label] = counts.get(label, 0) + 1
    unique = {
        key: label if counts[label] == 1 else f"{label} · {key[0].split('/', 1)[-1][:6]}"
        for key, label in named.items()
    }
    return [
        unique[(m, d)]
        for m, d in zip(frame["machine_id"].astype(str), frame["device"].astype(str), strict=True)
    ]


def newest_speed_runs(speed: pd.DataFrame) -> pd.DataFrame:
    """Per machine and device, the default-variant rows of its newest run that timed the model zoo:
    what a leaderboard column or the accuracy-vs-speed chart shows for that machine. Ordered with
    the preferred default first: runs that timed both zoos, then the newest."""
    eager = speed[speed["variant"] == DEFAULT_VARIANT]
    if eager.empty:
        return eager.assign(zoos=0, source_rank=0)
    runs = eager.groupby(["machine_id", "device", "run_id"], sort=True, observed=True).agg(
        created=("created", "max"), zoos=("zoo", "nunique")
    )
    runs = runs.reset_index().sort_values(["created", "run_id"], kind="stable")
    newest = runs.drop_duplicates(["machine_id", "device"], keep="last")
    newest = newest.sort_values(["zoos", "created", "run_id"], ascending=False, kind="stable")
    picked = eager.merge(
        newest[["machine_id", "device", "run_id", "zoos"]], on=["machine_id", "device", "run_id"]
    )
    rank = {(m, d): i for i, (m, d) in enumerate(zip(newest["machine_id"], newest["device"], strict=True))}
    keys = zip(picked["machine_id"], picked["device"], strict=True)
    picked = picked.assign(source_rank=[rank[k] for k in keys])
    return picked.sort_values(["source_rank", "zoo", "model", "batch"], kind="stable").reset_index(drop=True)


def pareto_front(frame: pd.DataFrame, *, x: str, y: str, by: Iterable[str]) -> pd.Series:
    """True for the rows no other row of their group beats on both `x` and `y` (at least as good on
    both, better on one): the models worth choosing for some balance of speed and accuracy."""
    front = pd.Series(False, index=frame.index)
    keys = list(by)
    groups = frame.groupby(keys, sort=False, observed=True) if keys else [((), frame)]
    for _, group in groups:
        best = -math.inf
        ordered = group.sort_values([x, y], ascending=[False, False], kind="stable")
        for index, value in zip(ordered.index, ordered[y].to_numpy(dtype=np.float64), strict=True):
            if value > best:  # faster ones came first: only a higher accuracy earns a place
                front[index] = True
                best = value
    return front


@functools.lru_cache(maxsize=1 << 14)
def _interval(percent: float, images: int) -> Interval:
    return interval_of_percent(percent, images)


def with_intervals(accuracy: pd.DataFrame) -> pd.DataFrame:
    """Accuracy rows with exact (Clopper-Pearson) 95 % intervals of top-1 and top-5 (nan where the
    count of images is unknown)."""
    out = {}
    for k in ("top1", "top5"):
        found = [
            _interval(float(p), int(n)) if n > 0 and math.isfinite(p) else None
            for p, n in zip(accuracy[k], accuracy["images"], strict=True)
        ]
        out[f"{k}_lo"] = [i.low if i else math.nan for i in found]
        out[f"{k}_hi"] = [i.high if i else math.nan for i in found]
    return accuracy.assign(**out)


def tied_rank(frame: pd.DataFrame) -> tuple[list[int], list[bool]]:
    """Ranks by top-1 that tie where intervals overlap (stats.accuracy.tied_ranks), and whether each
    rank is shared. `frame` comes from with_intervals."""
    intervals = [Interval(lo, hi) for lo, hi in zip(frame["top1_lo"], frame["top1_hi"], strict=True)]
    ranks = tied_ranks(intervals)
    counts: dict[int, int] = {}
    for r in ranks:
        counts[r] = counts.get(r, 0) + 1
    return ranks, [counts[r] > 1 for r in ranks]


def paired_frame(headers: Iterable[Run]) -> pd.DataFrame:
    """Keras vs PyTorch on the same images, per architecture and top-k, from the notes of import
    runs (stats.accuracy.paired_from_notes); the newest run wins."""
    found: dict[tuple[str, str], tuple[str, PairedResult]] = {}
    for run in sorted(headers, key=lambda h: h.run_id):
        if run.kind == "import" and any(k.startswith(NOTE_PREFIX) for k in run.notes):
            for key, result in paired_from_notes(run.notes).items():
                found[key] = (run.run_id, result)
    rows = []
    for (arch, k), (run_id, result) in sorted(found.items()):
        r, c = result, result.counts
        rows.append(
            (arch, k, run_id, c.images, c.both_right, c.keras_only, c.pytorch_only, c.same_top1,
             r.keras_percent, r.pytorch_percent, r.difference, r.agreement_percent,
             r.test.p_value, r.test.method, r.significant)
        )  # fmt: skip
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)
