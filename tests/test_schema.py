"""The run-file schema: strict, bounded, finite, migrations and the JSON Schema export."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.errors import ValidationFailed
from generator.schema import SCHEMA_VERSION, dump_run, run_schema
from generator.schema.load import parse_run
from generator.schema.migrate import migrate
from tests.factories import make_accuracy, make_run, make_timing


def _raw(run_dict: dict[str, Any]) -> bytes:
    return json.dumps(run_dict).encode()


def _dict(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(dump_run(make_run()))
    data.update(changes)
    return data


def test_roundtrip_is_canonical() -> None:
    run = make_run()
    text = dump_run(run)
    assert parse_run(text.encode()) == run
    assert dump_run(parse_run(text.encode())) == text


def _errors(data: dict[str, Any] | bytes) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        parse_run(data if isinstance(data, bytes) else _raw(data))
    return info.value.lines


def test_unknown_field_is_rejected() -> None:
    assert any("surprise" in line and "Extra inputs" in line for line in _errors(_dict(surprise=1)))


def test_nested_field_path_in_message() -> None:
    data = _dict()
    data["machine"]["cpu"]["cores_logical"] = 0
    assert _errors(data) == ["machine.cpu.cores_logical: Input should be greater than 0"]


def test_all_problems_reported_at_once() -> None:
    data = _dict()
    data["machine"]["cpu"]["cores_logical"] = 0
    data["machine"]["memory_gb"] = -1
    data["results"][0]["framework"] = "mxnet"
    lines = _errors(data)
    assert len(lines) == 3
    assert any(line.startswith("results.0.framework:") for line in lines)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_rejected(literal: str) -> None:
    text = dump_run(make_run()).replace('"memory_gb": 16.0', f'"memory_gb": {literal}')
    (line,) = _errors(text.encode())
    assert literal in line and "finite" in line


def test_wrong_types_are_not_coerced() -> None:
    data = _dict()
    data["machine"]["cpu"]["cores_logical"] = "2"
    assert _errors(data) == ["machine.cpu.cores_logical: Input should be a valid integer"]


def test_strings_are_bounded() -> None:
    data = _dict()
    data["machine"]["cpu"]["model"] = "x" * 10_000
    (line,) = _errors(data)
    assert line.startswith("machine.cpu.model: String should have at most 200 characters")
    assert "xxxx" not in line  # never echo the oversized input


def test_newer_schema_version_is_a_clear_error() -> None:
    (line,) = _errors(_dict(schema_version=SCHEMA_VERSION + 1))
    assert "newer than this framebench knows" in line


def test_invalid_json_and_utf8() -> None:
    assert _errors(b"{nope")[0].startswith("invalid JSON")
    assert _errors(b"\xff\xfe")[0].startswith("not UTF-8")
    assert _errors(b"[1, 2]")[0].startswith("(top level): must be a JSON object")
    assert "nested too deeply" in _errors(b"[" * 100_000 + b"]" * 100_000)[0]


def test_ok_result_needs_stats_and_failed_needs_error() -> None:
    with pytest.raises(ValueError, match="needs samples and stats"):
        make_timing(stats=None)
    with pytest.raises(ValueError, match="needs an error text"):
        make_timing(status="failed", samples=[], stats=None)
    make_timing(status="unsupported", samples=[], stats=None, error="not available in TF")


def test_accuracy_top5_not_below_top1() -> None:
    with pytest.raises(ValueError, match="top5 cannot be below top1"):
        make_accuracy(top1=80.0, top5=70.0)


def test_run_kind_and_result_suite_must_agree() -> None:
    with pytest.raises(ValueError, match="holds only ops results"):
        make_run(results=[make_accuracy()])


def test_import_run_needs_source_not_machine() -> None:
    with pytest.raises(ValueError, match="needs its source"):
        make_run(kind="import", machine=None, results=[make_accuracy()])


def test_migration_hook_passes_current_version_through() -> None:
    assert migrate({"schema_version": SCHEMA_VERSION})["schema_version"] == SCHEMA_VERSION
    with pytest.raises(Exception, match="integer"):
        migrate({"schema_version": "1"})


def test_json_schema_export_is_strict_at_every_version() -> None:
    schema = run_schema()
    assert schema["title"] == "framebench run file"
    runs = [schema["$defs"][ref["$ref"].removeprefix("#/$defs/")] for ref in schema["oneOf"]]
    assert [run["properties"]["schema_version"]["const"] for run in runs] == list(
        range(SCHEMA_VERSION, 0, -1)
    )
    objects = [d for d in schema["$defs"].values() if d.get("type") == "object"]
    assert len(objects) == len(schema["$defs"]) and all(d["additionalProperties"] is False for d in objects)
    assert all("schema_version" in run["required"] for run in runs)
    json.dumps(schema)


def test_control_characters_are_rejected_but_text_keeps_newlines() -> None:
    data = _dict()
    data["machine"]["cpu"]["model"] = "Xeon\x00"
    data["command"] = "framebench bench ops\x1b[2J"
    lines = _errors(data)
    assert "machine.cpu.model: must not contain control characters" in lines
    assert any(line.startswith("command: must not contain control characters") for line in lines)
    assert parse_run(_raw(_dict(command="line one\nline\ttwo"))).command == "line one\nline\ttwo"


def test_a_false_confidence_is_rejected_by_both_checks() -> None:
    """Three samples of one process: [min, max] covers the median 75 % of the time, so a file claiming
    0.95 for it is refused, by the one-by-one check and by the site build's batch filter alike."""
    from generator.bench.timer import summarize
    from generator.schema import stats_batch
    from generator.schema.models import TimingResult

    samples = [1.0, 1.1, 1.2]
    honest = make_timing(samples=samples, stats=summarize(samples, 1))
    assert honest.stats is not None and honest.stats.confidence == 0.75
    data = _dict(results=[json.loads(honest.model_dump_json(exclude_none=True))])
    data["results"][0]["stats"]["confidence"] = 0.95
    assert _errors(data) == [
        "results.0: stats.confidence: 0.95 is not the coverage of this interval "
        "(0.75 for 3 samples from 1 process(es))"
    ]
    claimed = honest.model_copy(update={"stats": honest.stats.model_copy(update={"confidence": 0.95})})
    assert isinstance(claimed, TimingResult)
    assert stats_batch.check([honest]) is not None and stats_batch.check([claimed]) is None


def test_samples_labelled_as_several_processes_need_distinct_workers() -> None:
    """Splitting one process's samples into three would earn the between-processes label; a run that
    records its workers shows it, and validation refuses it."""
    from generator.bench.timer import summarize

    samples = [1.0, 1.1, 1.2, 1.0, 1.1, 1.2]
    one = {"pid": 41, "started": "2026-12-04T10:00:00Z"}
    other = {"pid": 42, "started": "2026-12-04T10:00:05Z"}
    stats = summarize(samples, 1, [3, 3])
    honest = make_timing(samples=samples, process_rounds=[3, 3], stats=stats, workers=[one, other])
    assert len(honest.workers) == 2
    for workers, message in (
        (
            [one, dict(one)],
            "workers: the same worker process is recorded twice: its samples are one process's",
        ),
        ([one], "workers: 1 recorded for 2 process(es)"),
    ):
        data = _dict(results=[json.loads(honest.model_dump_json(exclude_none=True))])
        data["results"][0]["workers"] = workers
        assert _errors(data) == [f"results.0: {message}"]


def test_merged_shares_keep_each_workers_identity() -> None:
    from generator.bench.shares import merge
    from generator.schema.models import TimingResult

    def share(pid: int, level: float) -> dict[str, Any]:
        base = json.loads(make_timing().model_dump_json(exclude_none=True))
        base.pop("stats")
        return {
            **base,
            "samples": [level] * 6,
            "loops": 1,
            "worker": {"pid": pid, "started": "2026-12-04T10:00:00Z"},
        }

    def result(data: dict[str, Any]) -> TimingResult:  # as the runner makes it
        return TimingResult.model_validate_json(json.dumps(data))

    first = result(merge(None, share(7, 1.0)))
    both = result(merge(first, share(8, 1.1)))
    assert [w.pid for w in both.workers] == [7, 8] and both.process_rounds == [6, 6]
    old = first.model_copy(update={"workers": []})  # a result recorded before workers were
    assert result(merge(old, share(8, 1.1))).workers == []
