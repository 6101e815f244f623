"""The newest result of every configuration on every machine (what the site shows and compares)."""

from __future__ import annotations

import pandas as pd

from generator.catalog.names import RESULT_KEY_FIELDS
from generator.site.tidy import plain

# A result is identified on one machine by these; the latest run's result wins.
RESULT_KEY = ["machine_id", *RESULT_KEY_FIELDS]


def latest_timings(timings: pd.DataFrame) -> pd.DataFrame:
    """Successful results, one per machine and result key: the newest run's (ties: larger run id)."""
    ok = timings[(timings["status"] == "ok") & (timings["median"] > 0)]
    ok = ok.sort_values(["created", "run_id"], kind="stable")
    latest = plain(ok.drop_duplicates(subset=RESULT_KEY, keep="last"))
    return latest.sort_values([*RESULT_KEY, "size"], kind="stable").reset_index(drop=True)


def latest_failures(timings: pd.DataFrame) -> pd.DataFrame:
    """The newest attempt of each configuration that did not produce a timing."""
    failed = timings[timings["status"] != "ok"].sort_values(["created", "run_id"], kind="stable")
    return plain(failed.drop_duplicates(subset=RESULT_KEY, keep="last")).reset_index(drop=True)
