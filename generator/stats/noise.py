"""The noise model of timing results: how much a case's figure varies between the worker processes of
one run, and how much whole runs of the same versions differ.

On the log scale, the median time of a case in worker process p of run r is μ + run_r + proc_rp:
processes of one run differ by σ (the case's between-process noise, about 11 % on a 2-core VM), and
a run shifts every case together by run_r, of standard deviation τ (runs of the same versions on one
machine differ as wholes by several per cent). Two to four processes leave σ of one case nearly
unknown (1-3 degrees of freedom), which made intervals span ±30 % and more. The cases of one framework
on one device in one run share most of their noise, so:

1. **Moderated variances** (Smyth's empirical Bayes, as limma does for few replicates,
   `fit_prior` and `moderate`): a case's sample variance s² of its log process medians, with d
   degrees of freedom, is shrunk toward the pool's prior s0² (worth d0 degrees of freedom, fitted by
   the moments of log s² over the pool) as s̃² = (d0·s0² + d·s²) / (d0 + d), with d0 + d degrees of
   freedom. A case noisier than its pool keeps much of its own variance when the pool's variances
   differ widely (small d0), and little when they agree (large d0). Where d0 would reach the pool's own
   degrees of freedom, the prior is the classical pooled variance with those degrees of freedom, so
   pooling never claims more evidence than the pool holds.
2. **Run-to-run noise** (`run_noise`): from a machine's runs of the same framework versions, the
   spread of each run's mean shift over the cases they share, combined with a stated default
   (DEFAULT_RUN_SD, worth DEFAULT_RUN_DF degrees of freedom) that stands alone where the machine has
   one such run.
3. **Comparisons across runs** (`run_difference`) add τ²/R for each side pooling R runs to the
   variance of every log ratio, with Welch-Satterthwaite degrees of freedom over the parts, and state
   the smallest change they could have detected (`detectable`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.stats.distributions import digamma, t_quantile, t_two_sided_p, trigamma, trigamma_inverse

MIN_POOL = 3  # cases with a variance needed to fit a prior; fewer pool nothing
DEFAULT_RUN_SD = 0.05  # τ on the log scale where a machine has no repeated runs: two runs differ by ~7 %
DEFAULT_RUN_DF = 4.0  # the default counts as much as five runs of the same versions would
POWER = 0.8  # `detectable`: the change found this often


@dataclass(frozen=True)
class Prior:
    """The pool's variance s0² of log process medians and the degrees of freedom d0 it is worth."""

    variance: float
    df: float  # at most the pool's own degrees of freedom


@functools.cache
def _log_bias(df: float) -> float:
    """E[log s²] - log σ² for a sample variance with `df` degrees of freedom."""
    return digamma(df / 2) - math.log(df / 2)


@functools.cache
def _log_variance(df: float) -> float:
    """Var[log s²] for a sample variance with `df` degrees of freedom."""
    return trigamma(df / 2)


def fit_prior(variances: Sequence[float], dfs: Sequence[int]) -> Prior | None:
    """The prior of a pool of cases from their sample variances and degrees of freedom (limma's
    moment estimator: log s² has mean log s0² + ψ(d/2) - log(d/2) and variance ψ'(d/2) + ψ'(d0/2));
    None for a pool of fewer than MIN_POOL cases with a positive variance."""
    pairs = [(v, d) for v, d in zip(variances, dfs, strict=True) if v > 0 and d > 0]
    if len(pairs) < MIN_POOL:
        return None
    e = [math.log(v) - _log_bias(d) for v, d in pairs]
    mean = sum(e) / len(e)
    spread = sum((x - mean) ** 2 for x in e) / (len(e) - 1) - sum(_log_variance(d) for _, d in pairs) / len(e)
    total_df = float(sum(d for _, d in pairs))
    d0 = 2 * trigamma_inverse(spread) if spread > 0 else math.inf
    if math.isinf(d0) or d0 >= total_df:  # the classical pooled variance, with the pool's evidence
        return Prior(sum(v * d for v, d in pairs) / total_df, total_df)
    return Prior(math.exp(mean + digamma(d0 / 2) - math.log(d0 / 2)), d0)


def moderate(variance: float, df: int, prior: Prior | None) -> tuple[float, float]:
    """A case's moderated variance and its degrees of freedom (its own where there is no prior)."""
    if prior is None:
        return variance, float(df)
    return (prior.df * prior.variance + df * variance) / (prior.df + df), prior.df + df


@dataclass(frozen=True)
class RunNoise:
    """τ, the standard deviation of a run's shift on the log scale, and its degrees of freedom."""

    sd: float
    df: float
    runs: int  # runs in groups of the same versions it was estimated from (0: the default alone)


RunCases = Mapping[str, tuple[float, float]]  # case key -> (log estimate, its variance), of one run


def run_noise(groups: Sequence[Sequence[RunCases]]) -> RunNoise:
    """τ from a machine's groups of runs of the same versions (each run: its cases' log estimates and
    their variances). In a group of R runs, each run's shift is its mean deviation from the cases'
    means over the cases every run of the group has; the shifts' spread, less what measurement noise
    alone gives it, estimates τ² with R - 1 degrees of freedom. The groups' estimates pool, and pool
    with the default."""
    df, sum_squares, runs = 0.0, 0.0, 0
    for group in groups:
        if len(group) < 2:
            continue
        keys = sorted(set.intersection(*(set(run) for run in group)))
        if not keys:
            continue
        means = {k: sum(run[k][0] for run in group) / len(group) for k in keys}
        shifts = [sum(run[k][0] - means[k] for k in keys) / len(keys) for run in group]
        noise = sum(run[k][1] for run in group for k in keys) / (len(group) * len(keys) ** 2)
        spread = sum(x * x for x in shifts) / (len(group) - 1)
        sum_squares += (len(group) - 1) * max(0.0, spread - noise)
        df += len(group) - 1
        runs += len(group)
    total_df = DEFAULT_RUN_DF + df
    return RunNoise(math.sqrt((DEFAULT_RUN_DF * DEFAULT_RUN_SD**2 + sum_squares) / total_df), total_df, runs)


@dataclass(frozen=True)
class Difference:
    """A log ratio's standard error and degrees of freedom."""

    se: float
    df: float

    def interval(self, log_ratio: float, confidence: float = 0.95) -> tuple[float, float]:
        """The ratio's (not its log's) interval."""
        if not self.se > 0:
            return math.exp(log_ratio), math.exp(log_ratio)
        half = t_quantile(1 - (1 - confidence) / 2, self.df) * self.se
        return math.exp(log_ratio - half), math.exp(log_ratio + half)

    def p_value(self, log_ratio: float) -> float:
        """Two-sided p-value of "no change"."""
        if not self.se > 0:
            return float(log_ratio == 0)
        return t_two_sided_p(log_ratio / self.se, self.df)

    def detectable(self, alpha: float = 0.05, power: float = POWER) -> float:
        """The smallest change (a ratio above 1) a two-sided test at `alpha` finds with `power`."""
        return math.exp((t_quantile(1 - alpha / 2, self.df) + t_quantile(power, self.df)) * self.se)


def run_difference(sides: Sequence[tuple[float, float, int]], tau: RunNoise) -> Difference:
    """The difference of two runs' (or pooled runs') log estimates: each side is (variance of its
    estimate, its degrees of freedom, runs it pools). Run noise adds τ²/R per side; the degrees of
    freedom are Welch-Satterthwaite's over every part."""
    parts = [(v, df) for v, df, _ in sides] + [(tau.sd**2 / max(runs, 1), tau.df) for _, _, runs in sides]
    total = sum(v for v, _ in parts)
    if total <= 0:
        return Difference(0.0, math.inf)
    denominator = sum(v * v / df for v, df in parts if v > 0 and df > 0)
    return Difference(math.sqrt(total), total * total / denominator if denominator > 0 else math.inf)


DF_STEPS = 20  # moderated degrees of freedom are rounded down to 1/20 for the interval (the wider side)


@functools.lru_cache(maxsize=4096)
def _t975(df: float) -> float:
    return t_quantile(0.975, df)


def moderate_pools(
    pools: Sequence[object | None], variances: Sequence[float], dfs: Sequence[int]
) -> list[tuple[float, float] | None]:
    """Each case's moderated variance and degrees of freedom, its prior fitted over the cases of its
    pool (e.g. one framework and device of one run); None for a case without a pool or without
    degrees of freedom (one process)."""
    members: dict[object, list[int]] = {}
    for i, pool in enumerate(pools):
        if pool is not None and dfs[i] >= 1 and not math.isnan(variances[i]):
            members.setdefault(pool, []).append(i)
    moderated: list[tuple[float, float] | None] = [None] * len(pools)
    for indices in members.values():
        prior = fit_prior([variances[i] for i in indices], [dfs[i] for i in indices])
        for i in indices:
            moderated[i] = moderate(variances[i], dfs[i], prior)
    return moderated


def moderated_intervals(
    pools: Sequence[object | None],
    estimates: Sequence[float],
    sds: Sequence[float],
    processes: Sequence[int],
    stored: Sequence[tuple[float, float]],
) -> list[tuple[float, float]]:
    """95 % intervals of estimates from several processes, their variances moderated within each pool
    (`moderate_pools`): per result its pool (None: keep its stored interval), its estimate (seconds,
    the mean of its process medians), the standard deviation of its process medians (divided by the
    estimate, the log-scale one to first order) and its number of processes. A result with fewer
    than two processes keeps its stored interval."""
    usable = [p if e > 0 else None for p, e in zip(pools, estimates, strict=True)]
    variances = [(sd / e) ** 2 if e > 0 else math.nan for sd, e in zip(sds, estimates, strict=True)]
    intervals = list(stored)
    moderated = moderate_pools(usable, variances, [k - 1 for k in processes])
    for i, found in enumerate(moderated):
        if found is not None:
            s2, total_df = found
            half = _t975(math.floor(total_df * DF_STEPS) / DF_STEPS) * math.sqrt(s2 / processes[i])
            intervals[i] = (estimates[i] * math.exp(-half), estimates[i] * math.exp(half))
    return intervals
