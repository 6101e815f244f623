"""Is a run a copy of an existing one?

- exact: the same results under another run_id. Results that carry timings (samples, throughput)
  never repeat by chance; results without timings (an accuracy table) legitimately repeat on other
  machines, so they count only when the machine (or the import's source) is the same too;
- near: the same machine (generator.machine.identity.machine_key: host id and hardware fingerprint, since
  cloned images share a host id), the same cases, and every figure within 0.1%;
- a reused run_id with other content: runs are never edited, a new measurement gets a new id.

Only digests and, for the machines of the checked runs, figure vectors are kept, so checking against
thousands of existing runs needs little memory.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from generator.contrib.findings import Issue
from generator.contrib.plausibility import figures
from generator.machine.identity import machine_key
from generator.schema.models import Run, TimingResult

NEAR = 0.001  # relative difference of every figure


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _results_digest(run: Run) -> str:
    # pydantic's JSON dump is deterministic (declaration order) and much quicker than json.dumps.
    return _digest(*(r.model_dump_json() for r in run.results))


def _has_timings(run: Run) -> bool:
    return any(
        (isinstance(r, TimingResult) and r.samples) or getattr(r, "throughput_img_s", None) is not None
        for r in run.results
    )


def _origin(run: Run) -> str:
    """What makes results without timings the same measurement: the machine or the import's source."""
    return _digest(
        run.machine.model_dump_json() if run.machine else "",
        run.source.model_dump_json() if run.source else "",
    )


@dataclass(frozen=True)
class Vector:
    """A run's figures in order, and a digest of what they measure."""

    keys: str
    values: tuple[float, ...]

    @classmethod
    def of(cls, run: Run) -> Vector:
        found = list(figures(run))
        return cls(
            _digest(*(repr((i, field, key)) for i, field, key, _ in found)), tuple(v for *_, v in found)
        )

    def close_to(self, other: Vector) -> bool:
        if not self.values or self.keys != other.keys:
            return False
        return all(
            abs(a - b) <= NEAR * max(abs(a), abs(b)) for a, b in zip(self.values, other.values, strict=True)
        )


@dataclass(frozen=True)
class Known:
    where: str  # the file, as shown to the user
    origin: str


class Duplicates:
    """Existing runs indexed for duplicate look-ups; `add` each checked run so later ones see it.

    hosts: the host_ids whose runs can be near duplicates (those of the runs to check); None = all.
    A shared host id is only the cheap first filter: runs are near duplicates only on one machine key.
    """

    def __init__(self, hosts: Collection[str] | None = None) -> None:
        self._hosts = hosts
        self._by_id: dict[str, tuple[str, str]] = {}
        self._by_results: dict[str, list[Known]] = defaultdict(list)
        self._by_machine: dict[str, list[tuple[str, Vector]]] = defaultdict(list)

    def add(self, run: Run, where: str) -> None:
        self._by_id.setdefault(run.run_id, (_digest(run.model_dump_json()), where))
        self._by_results[_results_digest(run)].append(Known(where, _origin(run)))
        if run.machine is not None and (self._hosts is None or run.machine.host_id in self._hosts):
            self._by_machine[machine_key(run.machine)].append((where, Vector.of(run)))

    def find(self, run: Run) -> list[Issue]:
        same_id = self._by_id.get(run.run_id)
        if same_id is not None:
            if same_id[0] == _digest(run.model_dump_json()):
                return []  # the very same run, e.g. a file that is already committed
            return [
                Issue(
                    "run_id",
                    f"{run.run_id!r} is already used by {same_id[1]} with other content; runs are "
                    "never edited: a new measurement gets a new run_id",
                )
            ]
        timings, origin = _has_timings(run), _origin(run)
        for known in self._by_results.get(_results_digest(run), []):
            if timings or known.origin == origin:
                return [Issue("results", f"exact duplicate of {known.where} (same results, new run_id)")]
        if run.machine is None:
            return []
        vector = Vector.of(run)
        for where, other in self._by_machine.get(machine_key(run.machine), []):
            if vector.close_to(other):
                return [
                    Issue(
                        "results",
                        f"near duplicate of {where}: same machine and every figure within {NEAR:.1%}",
                    )
                ]
        return []
