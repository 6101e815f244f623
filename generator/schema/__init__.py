"""The run-file format: models, migrations, loading with file:field errors, JSON Schema export."""

from generator.schema.load import dump_run, load_run, load_runs, run_schema
from generator.schema.models import (
    SCHEMA_VERSION,
    AccuracyResult,
    Machine,
    Run,
    Stats,
    TimingResult,
)

__all__ = [
    "SCHEMA_VERSION",
    "AccuracyResult",
    "Machine",
    "Run",
    "Stats",
    "TimingResult",
    "dump_run",
    "load_run",
    "load_runs",
    "run_schema",
]
