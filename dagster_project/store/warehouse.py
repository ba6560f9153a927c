"""The working database as the rest of the pipeline meets it: opening it (and waiting while
another process holds it), the build the marts hold now, and what still needs attention.

Its tables and views are made in ``store.schema``; ``ensure_schema`` and the stored-column
helpers are re-exported here for the modules that have always imported them from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

# Re-exported (``X as X``): transform.build and the tests import them from here.
from dagster_project.store.schema import LINEAGE_COLUMNS as LINEAGE_COLUMNS
from dagster_project.store.schema import ensure_schema as ensure_schema
from dagster_project.store.schema import stored_column_names as stored_column_names


def current_build_id(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str | None:
    """The build the marts hold now: the latest successful dbt build (None before the first).

    Builds logged before build ids existed get one from their time, so outputs published
    then are republished once and carry an id from then on."""
    table = f"{catalog}.audit.dbt_builds" if catalog else "audit.dbt_builds"
    legacy = "'legacy-' || strftime(built_at, '%Y%m%dT%H%M%S')"
    try:
        try:
            row = con.execute(f"SELECT coalesce(build_id, {legacy}) FROM {table} ORDER BY built_at DESC NULLS LAST LIMIT 1").fetchone()
        except duckdb.BinderException:  # no build_id column yet (opened read-only, not migrated)
            row = con.execute(f"SELECT {legacy} FROM {table} ORDER BY built_at DESC NULLS LAST LIMIT 1").fetchone()
    except duckdb.CatalogException:
        return None
    return str(row[0]) if row else None


R = TypeVar("R")


def wait_while_locked(open_: Callable[[], R], wait_seconds: float = 60.0) -> R:
    """Call ``open_`` until DuckDB stops refusing it for another process's writer lock.

    Outside the pipeline (a BI tool, ``vocwh status``, an auditor's notebook) something
    may hold the working database for a moment; waiting beats failing a run for it."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return open_()
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the working database and always close it: dbt must find the file free."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


# An empty sheet beside the data (a workbook's unused Sheet2) is logged but is nobody's problem.
EMPTY_SHEET_REASON = "空白工作表，未作处理 (empty sheet, nothing to load)"
# So is a sheet holding one note and nothing else (图表见附件): its reason starts with this.
NOTE_SHEET_PREFIX = "仅有一条说明文字的工作表，未作处理"


def note_sheet_reason(note: str) -> str:
    return f"{NOTE_SHEET_PREFIX}：“{note[:60]}” (note-only sheet, nothing to load)"


PROBLEM_STATUSES = ("rejected", "unrecognised", "unreadable")

# What still needs attention, whatever this run did: the latest reading of every file
# (``outstanding_problems`` then keeps those still in the landing folder) that ended as a
# problem (or was deferred: still being copied), unless it is a rejected sheet whose round
# (template, submitter, year) has an accepted version -- the rule of marts.submission_status,
# which calls such a round received, so ``vocwh status`` and the mart never disagree. A
# rejected correction of a round already loaded is in the audit log (``vocwh status --all``).
# Ordered as received.
OUTSTANDING_SQL = f"""
WITH latest_file AS (
    SELECT source_file, arg_max(file_hash, receipt_seq) AS file_hash
    FROM audit.submissions GROUP BY source_file
), latest_sheet AS (
    SELECT s.* FROM audit.submissions s JOIN latest_file USING (source_file, file_hash)
    QUALIFY row_number() OVER (PARTITION BY s.source_file, coalesce(s.sheet, '') ORDER BY s.receipt_seq DESC) = 1
)
SELECT status, source_file, sheet, template, submitter_code, year, reasons, receipt_seq
FROM latest_sheet p
WHERE status IN {(*PROBLEM_STATUSES, "deferred")}
  AND coalesce(reasons, '') <> '{EMPTY_SHEET_REASON}'
  AND NOT starts_with(coalesce(reasons, ''), '{NOTE_SHEET_PREFIX}')
  AND NOT (status = 'rejected' AND EXISTS (
      SELECT 1 FROM audit.submissions ok
      WHERE ok.template = p.template AND ok.submitter_code = p.submitter_code AND ok.year = p.year
        AND ok.status IN ('loaded', 'superseded', 'duplicate')))
ORDER BY receipt_seq
"""


def outstanding_problems(con: duckdb.DuckDBPyConnection, raw_dir: Path | None = None) -> list[dict[str, Any]]:
    """Rejected, unrecognised, unreadable and deferred sheets not yet put right (see OUTSTANDING_SQL).
    With ``raw_dir``, only files still in the landing folder: a file deleted from it is owed
    by nobody (the audit log keeps its rows)."""
    cur = con.execute(OUTSTANDING_SQL)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    if raw_dir is None:
        return rows
    present: dict[str, bool] = {}  # one stat per file, not per sheet
    return [r for r in rows if present.setdefault(r["source_file"], (raw_dir / r["source_file"]).is_file())]
