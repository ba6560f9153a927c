"""The working warehouse's layout, derived from the template definitions.

Schemas in ``warehouse.duckdb``:

- ``history.<template>``: every row of every stored version of every submission,
  with lineage (submission_id, version, source_file, sheet, row_number, loaded_at).
  ID numbers never appear: ``competition_awards`` keeps ``person_key`` (HMAC-SHA256)
  and ``id_masked`` instead. Text compared as a key (a column with ``key_column``) is
  stored with its comparison key next to it (``event_key``, ``contract_key``).
- ``submissions.<template>``: a view of ``history`` restricted to the current version of
  each submission (status ``loaded``); this is what dbt reads as its sources.
- ``audit.submissions``: one row per sheet (or unreadable file), as in the spec.
- ``audit.files``: which file contents were already processed, so unchanged files are
  not parsed again.
- ``audit.validation_results``: every Great Expectations result of every sheet.
- ``audit.pending_builds`` / ``audit.dbt_builds``: which templates changed since the marts
  were last built, and the log of builds, so dbt rebuilds only what a change affects.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from dagster_project.core.keys import text_key
from dagster_project.core.templates import TEMPLATES, Column, T, Template

SQL_TYPES: dict[T, str] = {
    T.YEAR: "INTEGER",
    T.INT: "BIGINT",
    T.DECIMAL: "DECIMAL(18,2)",
    T.DATE: "DATE",
    T.BOOL: "BOOLEAN",
    T.TEXT: "VARCHAR",
    T.ENUM: "VARCHAR",
    T.SCHOOL_CODE: "VARCHAR",
    T.COUNTY_CODE: "VARCHAR",
    T.PROGRAM_CATEGORY: "VARCHAR",
    T.CREDIT_CODE: "VARCHAR",
    T.ID_NUMBER: "VARCHAR",
}

LINEAGE_COLUMNS: list[tuple[str, str]] = [
    ("submission_id", "VARCHAR"),
    ("version", "INTEGER"),
    ("source_file", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("row_number", "INTEGER"),
    ("loaded_at", "TIMESTAMP"),
]


def stored_columns(template: Template) -> list[tuple[str, str]]:
    """(name, SQL type) of the data columns as stored: an ID number becomes its key and mask;
    a text compared as a key is followed by its comparison key."""
    out: list[tuple[str, str]] = []
    for c in template.columns:
        if c.type is T.ID_NUMBER:
            out += [("person_key", "VARCHAR"), ("id_masked", "VARCHAR")]
        else:
            out.append((c.key, SQL_TYPES[c.type]))
        if c.key_column:
            out.append((c.key_column, "VARCHAR"))
    return out


def stored_column_names(template: Template) -> list[str]:
    return [name for name, _ in stored_columns(template)]


def money_columns(template: Template) -> list[Column]:
    return [c for c in template.columns if c.type is T.DECIMAL]


AUDIT_DDL = """
CREATE SCHEMA IF NOT EXISTS audit;
CREATE SCHEMA IF NOT EXISTS history;
CREATE SCHEMA IF NOT EXISTS submissions;
CREATE TABLE IF NOT EXISTS audit.submissions (
    submission_id VARCHAR PRIMARY KEY,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    template VARCHAR,
    submitter_code VARCHAR,
    year INTEGER,
    content_hash VARCHAR,
    status VARCHAR NOT NULL,
    rows INTEGER,
    reasons VARCHAR,
    received_at TIMESTAMP,
    processed_at TIMESTAMP,
    version INTEGER,
    file_hash VARCHAR,
    receipt_seq BIGINT,
    received_seq BIGINT,  -- receipt_seq of the first reading of these bytes: decides versions
    run_id VARCHAR,
    superseded_by VARCHAR
);
CREATE TABLE IF NOT EXISTS audit.files (
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    size_bytes BIGINT,
    mtime_ns BIGINT,
    received_at TIMESTAMP,
    processed_at TIMESTAMP,
    awaits_reference BOOLEAN,  -- a sheet was rejected for a school missing from the registry
    refs_fingerprint VARCHAR,
    PRIMARY KEY (source_file, file_hash)
);
CREATE TABLE IF NOT EXISTS audit.pending_builds (
    template VARCHAR PRIMARY KEY,  -- has a new current version the marts do not reflect yet
    since TIMESTAMP
);
CREATE TABLE IF NOT EXISTS audit.dbt_builds (
    built_at TIMESTAMP,
    project_fingerprint VARCHAR,
    selection VARCHAR,  -- null for a full build
    run_id VARCHAR,
    build_id VARCHAR  -- what every published output records, to tell whether it is behind
);
CREATE TABLE IF NOT EXISTS audit.validation_results (
    submission_id VARCHAR NOT NULL,
    template VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    check_kind VARCHAR,
    column_key VARCHAR,
    success BOOLEAN NOT NULL,
    unexpected_count BIGINT,
    unexpected_rows VARCHAR,
    validated_at TIMESTAMP,
    run_id VARCHAR
);
"""


def history_ddl(template: Template) -> str:
    cols = ",\n    ".join(f"{n} {t}" for n, t in [*stored_columns(template), *LINEAGE_COLUMNS])
    return f"CREATE TABLE IF NOT EXISTS history.{template.key} (\n    {cols}\n);"


def current_view_ddl(template: Template) -> str:
    return (
        f"CREATE OR REPLACE VIEW submissions.{template.key} AS\n"
        f"SELECT h.* FROM history.{template.key} h\n"
        f"JOIN audit.submissions s ON s.submission_id = h.submission_id\n"
        f"WHERE s.status = 'loaded';"
    )


def _add_key_columns(con: duckdb.DuckDBPyConnection, template: Template) -> None:
    """A warehouse made before a comparison-key column existed gets it, filled from its text."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'history' AND table_name = ?", [template.key]
        ).fetchall()
    }
    for c in template.columns:
        if not c.key_column or c.key_column in have:
            continue
        con.execute(f"ALTER TABLE history.{template.key} ADD COLUMN {c.key_column} VARCHAR")
        texts = [r[0] for r in con.execute(f"SELECT DISTINCT {c.key} FROM history.{template.key} WHERE {c.key} IS NOT NULL").fetchall()]
        if texts:
            con.execute(
                f"UPDATE history.{template.key} AS h SET {c.key_column} = m.k "
                f"FROM (SELECT unnest(?) AS t, unnest(?) AS k) AS m WHERE h.{c.key} = m.t",
                [texts, [text_key(t) for t in texts]],
            )


def _add_new_columns(con: duckdb.DuckDBPyConnection, template: Template) -> None:
    """A warehouse made before an optional column was added (training.in_budget, 2026-11) gets
    it empty: versions loaded before then did not declare it, which is what null means."""
    for name, sql_type in stored_columns(template):
        con.execute(f"ALTER TABLE history.{template.key} ADD COLUMN IF NOT EXISTS {name} {sql_type}")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view the pipeline writes; safe to call on every run."""
    con.execute(AUDIT_DDL)
    # warehouses made before build ids existed
    con.execute("ALTER TABLE audit.dbt_builds ADD COLUMN IF NOT EXISTS build_id VARCHAR")
    for t in TEMPLATES.values():
        con.execute(history_ddl(t))
        _add_key_columns(con, t)
        _add_new_columns(con, t)
        con.execute(current_view_ddl(t))
    # issue 10: review/approval log, lock state and the approved.<template> views
    from dagster_project.store.review import ensure_review_schema

    ensure_review_schema(con)


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

PROBLEM_STATUSES = ("rejected", "unrecognised", "unreadable")

# What still needs attention, whatever this run did: the latest reading of every file in the
# landing folder that ended as a problem (or was deferred: still being copied), unless it is a rejected sheet
# whose (template, submitter, year) was received again later and loaded (the clerk resent it
# fixed, under another file name). Ordered as received.
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
  AND NOT (status = 'rejected' AND EXISTS (
      SELECT 1 FROM audit.submissions ok
      WHERE ok.template = p.template AND ok.submitter_code = p.submitter_code AND ok.year = p.year
        AND ok.status IN ('loaded', 'superseded', 'duplicate') AND ok.received_seq > p.received_seq))
ORDER BY receipt_seq
"""


def outstanding_problems(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rejected, unrecognised, unreadable and deferred sheets not yet put right (see OUTSTANDING_SQL)."""
    cur = con.execute(OUTSTANDING_SQL)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
