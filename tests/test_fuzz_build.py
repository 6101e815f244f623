"""`framebench build` never crashes on a run that validates, whatever its strings and figures.

Hypothesis draws valid runs with arbitrary text in every free-text field (model, CPU and GPU names,
case, variant, notes, command) and arbitrary in-range numbers, writes them as files, validates them
the way `make site` does, and builds the site.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fixtures.synthetic_runs import PAYLOADS, synthetic_runs
from generator.bench.timer import summarize
from generator.schema import dump_run, load_runs
from generator.schema.models import Gpu
from generator.site.render import build_site

text = st.one_of(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=60),
    st.sampled_from(PAYLOADS),
)
seconds = st.floats(min_value=1e-9, max_value=1e3, allow_nan=False)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cpu=text, gpu=text, case=text, variant=text, note=text, command=text, median=seconds,
       with_gpu=st.booleans())  # fmt: skip
def test_build_never_crashes_on_valid_runs(
    tmp_path_factory: object, cpu: str, gpu: str, case: str, variant: str, note: str, command: str,
    median: float, with_gpu: bool,
) -> None:  # fmt: skip
    import pytest

    assert isinstance(tmp_path_factory, pytest.TempPathFactory)
    work = tmp_path_factory.mktemp("fuzzbuild")
    base = next(synthetic_runs(1, machines=1))
    assert base.machine is not None
    machine = base.machine.model_copy(update={
        "cpu": base.machine.cpu.model_copy(update={"model": cpu.strip() or "x"}),
        "gpus": [Gpu(vendor="nvidia", name=gpu.strip() or "g")] if with_gpu else [],
    })  # fmt: skip
    first = base.results[0]
    samples = [median] * 6  # statistics must be those of the samples (validation recomputes them)
    results = [
        first.model_copy(
            update={
                "case": case,
                "variant": variant,
                "samples": samples,
                "process_rounds": [3, 3],
                "stats": summarize(samples, 1, [3, 3]),
            }
        ),
        *base.results[1:6],
    ]
    run = base.model_copy(
        update={"machine": machine, "results": results, "notes": {"comment": note}, "command": command}
    )
    runs_dir = work / "runs" / "debian-12"
    runs_dir.mkdir(parents=True)
    (runs_dir / f"{run.run_id}.json").write_text(dump_run(run))
    load_runs([work / "runs"])  # what `make site` checks first
    built = build_site(work / "runs", work / "docs")
    assert built.runs == 1 and built.pages and (work / "docs" / "index.md").is_file()
