"""The timing protocol: warm-up, loop calibration, adaptive repeats within one process, and how many
independent processes time each case (generator/bench/timer.py follows it).

One *sample* is the mean time of `loops` back-to-back calls, with the loop count calibrated so a
sample lasts at least MIN_SAMPLE_S (the clock's resolution and per-sample overhead then cost well
under 0.1 %). Samples are taken until the interval of the median is within TARGET_REL_CI of the
median, or the process's time budget is spent; never fewer than MIN_ROUNDS. The stopping check uses
a 99 % interval, stricter than the 95 % one reported: stopping at the first narrow 95 % interval
would select lucky streaks and cover the median only 93-94 % of the time (tests/test_bench_timer.py
simulates it). On a GPU a `sync` callable (e.g. torch.cuda.synchronize) runs before the clock starts
and before it stops, so queued asynchronous work is inside the sample it belongs to.

The runner calls this in several independent worker processes per case (PROCESSES); the published
interval comes from the spread between them (generator/stats).
"""

from __future__ import annotations

WARMUP_S = 0.2  # warm-up time (at least one call: first calls pay for allocation, JIT, caches)
QUICK_WARMUP_S = 0.1
MIN_SAMPLE_S = 0.01  # calibrate loops so one sample lasts at least this long
TARGET_REL_CI = 0.02  # stop when (interval high - low) / median <= this
STOP_CONFIDENCE = 0.99  # the level of the interval the stopping rule checks
MIN_ROUNDS = 6  # never fewer samples per process (6 is the least that gives a 95 % interval)
MAX_ROUNDS = 200  # never more: the interval only narrows as 1/sqrt(n)
PROCESSES = 4  # independent worker processes per case in full mode
QUICK_PROCESSES = 3  # and in --quick mode
BUDGET_S = 0.8  # time budget per case and process in full mode (warm-up and calibration included)
QUICK_BUDGET_S = 0.3  # and in --quick mode
