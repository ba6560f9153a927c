"""A finished ingestion gives its memory back before the dbt builds start (core/memory.py).

Ingestion's frames hold their text in Arrow's memory pool; freed, the pool keeps the pages,
and the run process would stay at its ingestion size beside both dbt processes (the run's
peak, issue 17's benchmark). Each case is a fresh interpreter, so nothing else this test
session allocated is in the figures.
"""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import gc, sys
import pandas as pd, psutil
from dagster_project.core.memory import release_freed_memory

def rss(): return psutil.Process().memory_info().rss

before = rss()
# Sheets as ingestion holds them: Arrow-backed text and numbers, 400 frames of 2,000 rows.
frames = [
    pd.DataFrame({"name": pd.array([f"学校{i}-{j}" for j in range(2000)], dtype="string[pyarrow]"),
                  "n": pd.array(range(2000), dtype="int64[pyarrow]")})
    for i in range(400)
]
grown = rss() - before
del frames
gc.collect()
if sys.argv[1] == "release":
    release_freed_memory()
print(grown, rss() - before)
"""


def _after_freeing(how: str) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", PROGRAM, how], capture_output=True, text=True, check=True, timeout=120).stdout
    grown, kept = (int(x) for x in out.split())
    return grown, kept


def test_freed_frames_stay_in_the_process_until_released() -> None:
    grown, kept = _after_freeing("keep")
    assert grown > 20 * 2**20  # the frames took tens of MiB
    assert kept > grown * 0.8  # freed, but not given back: why the release exists
    grown, kept = _after_freeing("release")
    assert kept < grown * 0.5, (grown, kept)
