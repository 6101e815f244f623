"""The options a run is made with. A new run fills in defaults; a resumed run keeps the options it
was started with (its `settings`), since mixing e.g. --quick and full budgets in one file would make
its figures incomparable. An option given again with another value is refused, naming it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from generator.catalog import protocol
from generator.catalog.names import FRAMEWORKS, ZOO_FRAMEWORKS
from generator.errors import UserError
from generator.schema.models import Run

# `bench models --variants`: each variant is measured by its own zoo case.
MODEL_VARIANT_CASES = {
    "channels-last": "zoo_infer_layouts",
    "graph": "zoo_infer_layouts",
    "compiled": "zoo_infer_compiled",
}
MODELS_PROCESSES = 2  # model calls take seconds: 2, the fewest that give a between-process interval


@dataclass(frozen=True)
class OpsOptions:
    """What the user asked for; None means "the default" (or, with --resume, "as recorded")."""

    frameworks: tuple[str, ...] | None
    device: str | None
    quick: bool | None
    cases: tuple[str, ...] | None
    threads: int | None
    out: Path | None
    resume: Path | None
    command: str
    processes: int | None = None


def models_options(
    options: OpsOptions, *, zoos: tuple[str, ...] | None, all_models: bool, variants: tuple[str, ...] | None
) -> OpsOptions:
    """`bench models` is the ops runner on the zoo cases: zoo_infer, zoo_infer_more with --all-models,
    and the case of each variant asked for, run by the frameworks of the zoos asked for (named as
    `bench accuracy` names them: keras, pytorch). A resumed run keeps its recorded cases unless models
    or variants are asked for; a new one takes MODELS_PROCESSES worker processes unless told otherwise."""
    cases = ["zoo_infer", *(["zoo_infer_more"] if all_models else [])]
    cases += sorted({MODEL_VARIANT_CASES[v] for v in variants or ()})
    chosen = all_models or bool(variants)
    return replace(
        options,
        frameworks=tuple(ZOO_FRAMEWORKS[z] for z in zoos) if zoos else options.frameworks,
        cases=tuple(cases) if chosen or options.resume is None else None,
        processes=options.processes or (None if options.resume else MODELS_PROCESSES),
    )


@dataclass(frozen=True)
class Plan:
    """The options as the run uses them: defaults filled in, or the resumed run's recorded ones."""

    frameworks: tuple[str, ...]
    device: str
    quick: bool
    cases: tuple[str, ...] | None
    threads: int
    processes: int

    @property
    def budget_s(self) -> float:
        return protocol.QUICK_BUDGET_S if self.quick else protocol.BUDGET_S

    @property
    def warmup_s(self) -> float:
        return protocol.QUICK_WARMUP_S if self.quick else protocol.WARMUP_S


def _recorded(run: Run) -> dict[str, object]:
    s = run.settings
    cases = str(s.get("cases", "all"))
    return {
        "frameworks": tuple(str(s.get("frameworks", ",".join(FRAMEWORKS))).split(",")),
        "device": str(s.get("device", "auto")),
        "quick": bool(s.get("quick", False)),
        "cases": None if cases == "all" else tuple(cases.split(",")),
        "threads": s.get("threads"),
        # Schema-1 runs measured each case in one process.
        "processes": int(s.get("timer.processes", 1)),
    }


def _flag(name: str) -> str:
    return {"frameworks": "--framework"}.get(name, f"--{name}")


def resolve_options(options: OpsOptions, resumed: Run | None, default_threads: int) -> Plan:
    """The Plan for `options`: defaults for a new run, the recorded settings for a resumed one."""
    given: dict[str, object] = {
        "frameworks": options.frameworks,
        "device": options.device,
        "quick": options.quick,
        "cases": options.cases,
        "threads": options.threads,
        "processes": options.processes,
    }
    if resumed is None:
        quick = bool(options.quick)
        return Plan(
            frameworks=options.frameworks or FRAMEWORKS,
            device=options.device or "auto",
            quick=quick,
            cases=options.cases,
            threads=options.threads or default_threads,
            processes=options.processes or (protocol.QUICK_PROCESSES if quick else protocol.PROCESSES),
        )
    recorded = _recorded(resumed)
    for name, value in given.items():
        if value is None or (name == "quick" and value is False):
            continue  # not given: the recorded value holds
        if value != recorded[name]:
            was = recorded[name]
            shown = ",".join(map(str, was)) if isinstance(was, tuple) else "all" if was is None else was
            raise UserError(
                f"--resume: {_flag(name)} differs from the run being resumed (it was started with "
                f"{shown}); resume without {_flag(name)}, or start a new run"
            )
    threads = recorded["threads"]
    return Plan(
        frameworks=tuple(map(str, recorded["frameworks"])),  # type: ignore[call-overload]
        device=str(recorded["device"]),
        quick=bool(recorded["quick"]),
        cases=recorded["cases"],  # type: ignore[arg-type]
        threads=int(threads) if isinstance(threads, int) else default_threads,
        processes=int(recorded["processes"]),  # type: ignore[call-overload]
    )
