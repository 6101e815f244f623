"""Framework speed-up summaries that agree with each other: A/B × B/C = A/C, on one case set.

Input: one row per successful timing result (CPU or GPU), with the columns in
summary_select.INPUT_COLUMNS (and optionally OPTIONAL_COLUMNS). Output: one PairSummary row per hardware
class, device, family, interval kind and pair of frameworks (framework_summary), or one FrameworkScore
row per framework (framework_scores). How a figure is made:

1. Like for like (generator.site.analysis.summary_select): default variants only (no int8, quantized
   or pruned), one interval kind per group, the newest result per machine and configuration.
2. Hardware classes, not OS tags: runs of different machines of one class (generator.machine.identity) pool.
3. One common case set per hardware class, device and family: a sweep point (dtype, variant,
   parameters) counts only where every framework of the group measured it on that machine, and a case
   counts when it has such a point. So every framework is scored on exactly the same work.
4. One point per case: the geometric mean over its sweep points, so a case with eight sizes weighs as
   much as a case with one. Machines of one class pool: a case's figure is the mean over the machines
   that measured it.
5. A framework's score is the mean log time over the common cases; a speed-up is exp(score_B - score_A),
   so ratios are transitive exactly.
6. The 95 % interval comes from a bootstrap that resamples cases and machines independently (the
   "pigeonhole" bootstrap for crossed designs) and, inside each, redraws the measurement: from the
   spread of the per-process medians where a result has several (the median of n processes varies as
   π/2·σ²/n on the log scale), else from its stored 95 % interval. The bootstrap gives the standard
   error of the log ratio; the interval and p-value use Student's t over the smaller resampled
   dimension (stats.summary says why). A family of one case is that case (only measurement noise
   remains); over two cases (one degree of freedom) the interval is very wide by nature, so `cases`
   belongs beside every figure. Seeded per group, so figures are deterministic and adding a group
   leaves the others' resamples alone.
7. Verdicts (stats.summary.verdict) use an equivalence margin and the Benjamini-Hochberg false-discovery-rate
   correction over every verdict of one call: a summary tallies ~200 verdicts, and BH keeps the share of
   false "faster/slower" among them at 5 %, where Holm (no false one at all) would call almost nothing.
   (The p-values come from the bootstrap standard error, not from counting resamples, whose floor of
   1/resamples is too coarse for the correction.)
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from generator.catalog.names import COMPARISON_ORDER
from generator.site.analysis.summary_select import GROUP, comparable_results
from generator.stats.summary import (
    benjamini_hochberg,
    interval,
    p_value,
    verdict,
)
from generator.stats.verdicts import FDR, MARGIN

RESAMPLES = 2000
SEED = 0
MAX_WEIGHTS = 4_000_000  # resamples × machines drawn at once, to bound memory with thousands of machines


class PairSummary(NamedTuple):
    hardware_class: str
    device: str
    family: str
    interval: str  # the interval kind of every result behind the figure
    framework_a: str
    framework_b: str
    ratio: float  # speed-up of A over B: geo-mean time of B / geo-mean time of A (above 1: A faster)
    ci_lo: float  # 95 % bootstrap interval of the ratio
    ci_hi: float
    p_value: float  # two-sided, for "no speed-up"
    q_value: float  # Benjamini-Hochberg adjusted over every row of one call
    verdict: str
    cases: int  # cases in the common set
    points: int  # (machine, case, sweep point) combinations behind each framework's score
    machines: int  # machines pooled
    runs: int  # runs pooled
    units: int  # resampled units behind the interval (Student's t with units - 1 degrees of freedom)


class FrameworkScore(NamedTuple):
    hardware_class: str
    device: str
    family: str
    interval: str
    framework: str
    relative_time: float  # geo-mean time over the common set / that of the group's fastest framework
    cases: int
    points: int
    machines: int
    runs: int


class _Group(NamedTuple):
    key: tuple[str, str, str, str]
    frameworks: list[str]
    log_time: np.ndarray  # machines × cases × frameworks: mean log time over the cell's points
    log_var: np.ndarray  # its measurement variance
    present: np.ndarray  # machines × cases: the machine measured the case
    points: int
    runs: int


def framework_summary(
    results: pd.DataFrame,
    *,
    margin: float = MARGIN,
    fdr: float = FDR,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    each_kind: bool = False,
) -> pd.DataFrame:
    """Pairwise framework speed-ups per hardware class, device and family (columns: PairSummary)."""
    rows: list[PairSummary] = []
    for group in _groups(comparable_results(results, each_kind=each_kind)):
        rng = np.random.default_rng([seed, zlib.crc32("\0".join(group.key).encode())])
        rows += _pairs(group, _bootstrap_scores(group, rng, resamples))
    rows = _judged(rows, margin, fdr)
    return pd.DataFrame(rows, columns=list(PairSummary._fields))


def framework_scores(results: pd.DataFrame, *, each_kind: bool = False) -> pd.DataFrame:
    """Each framework's geo-mean time relative to the fastest of its group, over the same common case
    set as framework_summary (columns: FrameworkScore); 1.0 is the fastest, 2.0 takes twice as long."""
    rows = []
    for group in _groups(comparable_results(results, each_kind=each_kind)):
        score = _scores(group.log_time, group.present)
        cases, points, machines, runs = _counts(group)
        rows += [
            FrameworkScore(*group.key, name, math.exp(value - score.min()), cases, points, machines, runs)
            for name, value in zip(group.frameworks, score, strict=True)
        ]
    return pd.DataFrame(rows, columns=list(FrameworkScore._fields))


# --- per group arrays ----------------------------------------------------------------------------


def _framework_order(names: Sequence[str]) -> list[str]:
    rank = {name: i for i, name in enumerate(COMPARISON_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def _groups(work: pd.DataFrame) -> list[_Group]:
    if work.empty:
        return []
    out = []
    for key, rows in work.groupby(GROUP, sort=True):
        group = _group(tuple(str(k) for k in key), rows)  # type: ignore[arg-type]
        if group is not None:
            out.append(group)
    return out


def _group(key: tuple[str, str, str, str], rows: pd.DataFrame) -> _Group | None:
    frameworks = _framework_order(list(rows["framework"].unique()))
    if len(frameworks) < 2:
        return None
    cell = ["machine", "case", "dtype", "variant", "params"]
    complete = rows.groupby(cell, sort=False)["framework"].transform("nunique") == len(frameworks)
    rows = rows[complete]
    if rows.empty:
        return None
    machine, machines = pd.factorize(rows["machine"], sort=True)
    case, cases = pd.factorize(rows["case"], sort=True)
    framework = pd.Index(frameworks).get_indexer(pd.Index(rows["framework"]))
    n_m, n_c, n_f = len(machines), len(cases), len(frameworks)
    flat = (machine * n_c + case) * n_f + framework
    size = n_m * n_c * n_f
    count = np.bincount(flat, minlength=size).astype(np.float64)
    log_time = np.bincount(flat, rows["log_t"].to_numpy(), size) / np.maximum(count, 1)
    log_var = np.bincount(flat, rows["log_var"].to_numpy(), size) / np.maximum(count, 1) ** 2
    shape = (n_m, n_c, n_f)
    present = count.reshape(shape)[:, :, 0] > 0
    return _Group(
        key=key,
        frameworks=frameworks,
        log_time=log_time.reshape(shape),
        log_var=log_var.reshape(shape),
        present=present,
        points=len(rows) // n_f,
        runs=rows["run_id"].nunique(),
    )


# --- scores and their bootstrap --------------------------------------------------------------------


def _scores(log_time: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each framework's mean log time: machines averaged within a case, then cases averaged."""
    weight = present.astype(np.float64)
    per_case = np.einsum("mc,mcf->cf", weight, log_time) / weight.sum(axis=0)[:, None]
    return np.asarray(per_case.mean(axis=0))


def _draw_weights(rng: np.random.Generator, n: int, resamples: int) -> np.ndarray:
    """How often each of n units is drawn in each resample (all ones when there is one unit)."""
    if n == 1:
        return np.ones((resamples, 1))
    return rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(np.float64)


def _bootstrap_scores(group: _Group, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """resamples × frameworks scores: machines and cases resampled, measurements redrawn."""
    n_m, n_c, n_f = group.log_time.shape
    present = group.present.astype(np.float64)
    sums = (present[:, :, None] * group.log_time).reshape(n_m, n_c * n_f)
    variances = (present[:, :, None] * group.log_var).reshape(n_m, n_c * n_f)
    case_weights = _draw_weights(rng, n_c, resamples)
    chunk = max(1, MAX_WEIGHTS // max(n_m, 1))
    out = np.empty((resamples, n_f))
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        machine_weights = _draw_weights(rng, n_m, stop - start)
        covered = machine_weights @ present  # resamples × cases
        safe = np.where(covered > 0, covered, 1.0)[:, :, None]
        mean = (machine_weights @ sums).reshape(-1, n_c, n_f) / safe
        spread = np.sqrt((machine_weights**2 @ variances).reshape(-1, n_c, n_f)) / safe
        per_case = mean + spread * rng.standard_normal(mean.shape)
        weight = case_weights[start:stop] * (covered > 0)
        total = weight.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start:stop] = np.einsum("rc,rcf->rf", weight, per_case) / total
    return out


def _pairs(group: _Group, boot: np.ndarray) -> list[PairSummary]:
    """Every pair of the group's frameworks; q-values and verdicts come once all groups are done."""
    score = _scores(group.log_time, group.present)
    boot = boot[np.all(np.isfinite(boot), axis=1)]
    cases, points, machines, runs = _counts(group)
    # The smaller of the resampled dimensions limits what the bootstrap knows about the spread.
    units = min((n for n in (cases, machines) if n > 1), default=1)
    rows = []
    for i, j in itertools.combinations(range(len(group.frameworks)), 2):
        log_ratio = float(score[j] - score[i])
        draws = boot[:, j] - boot[:, i]
        spread = float(np.std(draws, ddof=1)) if len(draws) > 1 else 0.0
        ci_lo, ci_hi = interval(log_ratio, spread, units)
        rows.append(
            PairSummary(
                *group.key,
                framework_a=group.frameworks[i],
                framework_b=group.frameworks[j],
                ratio=math.exp(log_ratio),
                ci_lo=ci_lo,
                ci_hi=ci_hi,
                p_value=p_value(log_ratio, spread, units),
                q_value=1.0,
                verdict="",
                cases=cases,
                points=points,
                machines=machines,
                runs=runs,
                units=units,
            )
        )
    return rows


def _counts(group: _Group) -> tuple[int, int, int, int]:
    """Cases, points, machines and runs behind a group's figures."""
    cases = int(group.present.any(axis=0).sum())
    return cases, group.points, int(group.present.any(axis=1).sum()), group.runs


def _judged(rows: list[PairSummary], margin: float, fdr: float) -> list[PairSummary]:
    q_values = benjamini_hochberg([r.p_value for r in rows])
    return [
        r._replace(q_value=float(q), verdict=verdict(r.ci_lo, r.ci_hi, float(q), margin=margin, fdr=fdr))
        for r, q in zip(rows, q_values, strict=True)
    ]
