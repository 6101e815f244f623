"""What else happened on the machine while one case was timed: other processes' CPU use, hypervisor
steal and clock changes. Read from /proc on Linux around each case; elsewhere nothing is recorded.

The load average counts the run's own threads and is read only at the start and end of a run, so it
cannot tell a disturbed case. Here the worker's own CPU time is subtracted from the machine's busy
time over exactly the case's wall time.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC_STAT = Path("/proc/stat")
CPUINFO = Path("/proc/cpuinfo")
OTHER_CORES_WARN = 0.25  # other processes using a quarter of a core or more disturb a 2-core box
STEAL_WARN = 0.02  # 2 % of the machine's time taken by the hypervisor
CLOCK_CHANGE_WARN = 0.05  # the mean reported core clock moved by 5 %


@dataclass(frozen=True)
class Snapshot:
    wall: float
    own_cpu: float  # this process (all its threads), seconds
    busy: float  # the machine's non-idle, non-steal time, seconds summed over CPUs
    steal: float
    total: float
    mhz: float | None


def _jiffies() -> tuple[float, float, float] | None:
    try:
        first = PROC_STAT.read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if not first or first[0] != "cpu":
        return None
    values = [float(v) for v in first[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already inside user)
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)
    steal = values[7] if len(values) > 7 else 0.0
    total = sum(values[:8])
    tick = float(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100.0
    return (total - idle - steal) / tick, steal / tick, total / tick


def mean_mhz() -> float | None:
    """The mean current clock the kernel reports over all CPUs (static in most VMs)."""
    try:
        lines = CPUINFO.read_text().splitlines()
    except OSError:
        return None
    values = [float(line.split(":")[1]) for line in lines if line.startswith("cpu MHz")]
    return sum(values) / len(values) if values else None


def snapshot() -> Snapshot | None:
    jiffies = _jiffies()
    if jiffies is None:
        return None
    times = os.times()
    busy, steal, total = jiffies
    return Snapshot(time.perf_counter(), times.user + times.system, busy, steal, total, mean_mhz())


def measure_between(before: Snapshot | None, after: Snapshot | None) -> tuple[dict[str, float], list[str]]:
    """Metrics (other_cores, steal_fraction, clock_change) and warnings for the span between two snapshots."""
    if before is None or after is None:
        return {}, []
    wall = after.wall - before.wall
    total = after.total - before.total
    if wall <= 0 or total <= 0:
        return {}, []
    other = max(0.0, (after.busy - before.busy) - (after.own_cpu - before.own_cpu)) / wall
    steal = (after.steal - before.steal) / total
    metrics = {"other_cores": round(other, 3), "steal_fraction": round(steal, 4)}
    warnings = []
    if other >= OTHER_CORES_WARN:
        warnings.append(f"other processes used {other:.2f} cores while this case ran")
    if steal >= STEAL_WARN:
        warnings.append(f"the hypervisor took {100 * steal:.1f} % of CPU time (steal) while this case ran")
    if before.mhz and after.mhz:
        change = after.mhz / before.mhz - 1
        metrics["clock_change"] = round(change, 4)
        if abs(change) >= CLOCK_CHANGE_WARN:
            warnings.append(f"the reported core clock changed by {100 * change:+.0f} % during this case")
    return metrics, warnings
