"""The file formats framebench reads and writes: run files (models, migrations, loading with file:field
errors, JSON Schema export) and, in top5.py (which needs NumPy, so it is not imported here), the top-5
prediction files of the accuracy suite and the 34-model study."""

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
