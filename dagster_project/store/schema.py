"""The working warehouse's tables and views, and their migrations: the one place DDL lives.

Schemas in ``warehouse.duckdb``, derived from the template definitions:

- ``history.<template>``: every row of every stored version of every submission,
  with lineage (submission_id, version, source_file, sheet, row_number, loaded_at).
  ID numbers never appear: ``competition_awards`` keeps ``person_key`` (HMAC-SHA256)
  and ``id_masked`` instead. Text compared as a key (a column with ``key_column``) is
  stored with its comparison key next to it (``event_key``, ``contract_key``).
- ``submissions.<template>``: a view of ``history`` restricted to the current version of
  each submission (status ``loaded``); this is what dbt reads as its sources.
- ``approved.<template>``: a view of the rows of the approved version of each locked
  identity (issue 10); the approved figures' source.
- ``audit.submissions``: one row per sheet (or unreadable file), as in the spec.
- ``audit.files``: which file contents were already processed, so unchanged files are
  not parsed again.
- ``audit.validation_results``: every Great Expectations result of every sheet.
- ``audit.pending_builds`` / ``audit.dbt_builds``: which templates changed since the marts
  were last built, and the log of builds, so dbt rebuilds only what a change affects.
- ``audit.review_actions`` / ``audit.review_state``: the review and approval log and the
  state derived from it (``store.review`` appends to the log); ``audit.template_submitters``:
  who owes each template in a round.

Every other store module imports from here and this module imports none of them
(import-linter's ``store`` contract), so the schema has one owner.
"""

from __future__ import annotations

import duckdb

from dagster_project.core.keys import text_key
from dagster_project.core.templates import TEMPLATES, T, Template

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
    T.UNIT_CODE: "VARCHAR",
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
    superseded_by VARCHAR,
    notes VARCHAR  -- what the receipt notes of a read sheet: words read as empty (无, 待批), one line per column
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
    since TIMESTAMP,
    approved BOOLEAN DEFAULT true  -- a review action changed its approved figures too (else only the latest)
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
    """A warehouse made before a comparison-key column existed gets it, filled from its text
    (``_add_new_columns`` adds the text column itself, empty, when it is new as well)."""
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
        if c.key not in have:
            continue  # the text column is new too (training.certificate_name): nothing to key, both stay empty
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


REVIEW_DDL = """
CREATE SCHEMA IF NOT EXISTS approved;
CREATE TABLE IF NOT EXISTS audit.review_actions (
    action_id BIGINT PRIMARY KEY,
    action VARCHAR NOT NULL,  -- review (county) / approve (city, locks) / reopen (city, unlocks)
    template VARCHAR NOT NULL,
    submitter_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    submission_id VARCHAR,  -- the stored version acted on (null for a reopen)
    version INTEGER,
    by_name VARCHAR NOT NULL,
    os_user VARCHAR,
    acted_at TIMESTAMP NOT NULL,
    reason VARCHAR
);
CREATE TABLE IF NOT EXISTS audit.template_submitters (
    template VARCHAR PRIMARY KEY,
    template_zh VARCHAR,
    submitter_kind VARCHAR  -- school / county / funder / city: who is expected in a round
);
"""

# One row per identity that has anything: a sheet received (any status) or an action.
# The approved version is the last one approved, reopened or not (issue 18: a reopen keeps the
# approved figures, on which payments were made, until the city approves again); locked means
# no reopen since that approval, reopened the opposite.
REVIEW_STATE_SQL = """
CREATE OR REPLACE VIEW audit.review_state AS
WITH acts AS (
    SELECT *, max(CASE WHEN action = 'reopen' THEN action_id END)
        OVER (PARTITION BY template, submitter_code, year) AS last_reopen
    FROM audit.review_actions
), decided AS (
    SELECT template, submitter_code, year,
        arg_max(submission_id, action_id) FILTER (WHERE action = 'approve') AS approved_submission_id,
        max(action_id) FILTER (WHERE action = 'approve') AS last_approve,
        max(last_reopen) AS reopen_id,
        arg_max(submission_id, action_id) FILTER (WHERE action = 'review' AND action_id > coalesce(last_reopen, -1))
            AS reviewed_submission_id
    FROM acts GROUP BY ALL
), received AS (
    SELECT template, submitter_code, year,
        arg_max(submission_id, version) FILTER (WHERE status = 'loaded') AS current_submission_id,  -- one loaded version per identity
        max(version) FILTER (WHERE status = 'loaded') AS current_version,
        count(*) FILTER (WHERE status IN ('loaded', 'superseded', 'duplicate')) AS accepted_sheets,
        count(*) FILTER (WHERE status = 'rejected') AS rejected_sheets,
        min(received_at) FILTER (WHERE status IN ('loaded', 'superseded', 'duplicate')) AS first_accepted_at,
        max(received_at) AS last_received_at
    FROM audit.submissions
    WHERE template IS NOT NULL AND submitter_code IS NOT NULL AND year IS NOT NULL
    GROUP BY ALL
)
SELECT
    coalesce(r.template, d.template) AS template,
    coalesce(r.submitter_code, d.submitter_code) AS submitter_code,
    coalesce(r.year, d.year) AS year,
    r.current_submission_id,
    r.current_version,
    d.approved_submission_id,
    a.version AS approved_version,
    (d.approved_submission_id IS NOT NULL AND coalesce(d.reopen_id, -1) < d.last_approve) AS locked,
    coalesce(d.reopen_id > d.last_approve, false) AS reopened,
    (d.reviewed_submission_id IS NOT NULL AND d.reviewed_submission_id = r.current_submission_id) AS reviewed,
    coalesce(r.accepted_sheets, 0) AS accepted_sheets,
    coalesce(r.rejected_sheets, 0) AS rejected_sheets,
    r.first_accepted_at,
    r.last_received_at
FROM received r
FULL JOIN decided d USING (template, submitter_code, year)
LEFT JOIN audit.submissions a ON a.submission_id = d.approved_submission_id
"""


def approved_view_ddl(template: Template) -> str:
    """``approved.<template>``: the rows of the approved version of each identity ever approved,
    locked or reopened since (a submission id names one sheet of one identity, so it alone
    selects the rows)."""
    return (
        f"CREATE OR REPLACE VIEW approved.{template.key} AS\n"
        f"SELECT h.* FROM history.{template.key} h\n"
        f"WHERE h.submission_id IN (SELECT approved_submission_id FROM audit.review_state WHERE approved_submission_id IS NOT NULL);"
    )


def submitter_kind(template: Template) -> str:
    """Who owes this template in a round, from its definition (so a new template needs nothing)."""
    if template.submitter_column is None:
        return "city"
    # submitter_code (publicity_events): a school or a county, sent when it held events; owed by nobody
    kinds = {"school_code": "school", "county_code": "county", "funder_code": "funder", "submitter_code": "voluntary"}
    return kinds.get(template.submitter_column, "school")


def ensure_review_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The action log, its derived state, the approved views and the templates' submitter kinds."""
    con.execute(REVIEW_DDL)
    con.execute(REVIEW_STATE_SQL)
    for t in TEMPLATES.values():
        con.execute(approved_view_ddl(t))
    con.execute("DELETE FROM audit.template_submitters")
    con.executemany(
        "INSERT INTO audit.template_submitters VALUES (?, ?, ?)", [(t.key, t.zh, submitter_kind(t)) for t in TEMPLATES.values()]
    )


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view the pipeline writes, and migrate an older warehouse; safe
    to call on every run (each run calls it several times).

    One transaction: the few dozen statements are committed once, not one commit (and log
    sync) each, which made this the larger part of an unchanged ingest; and a migration that
    fails leaves the warehouse as it was."""
    con.execute("BEGIN TRANSACTION")
    try:
        _create_and_migrate(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _create_and_migrate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(AUDIT_DDL)
    # warehouses made before build ids existed
    con.execute("ALTER TABLE audit.dbt_builds ADD COLUMN IF NOT EXISTS build_id VARCHAR")
    # warehouses made before the receipts noted words read as empty (issue 18)
    con.execute("ALTER TABLE audit.submissions ADD COLUMN IF NOT EXISTS notes VARCHAR")
    # warehouses made before a new version and a review action were told apart (what was
    # pending then rebuilds both sets, as it would have)
    con.execute("ALTER TABLE audit.pending_builds ADD COLUMN IF NOT EXISTS approved BOOLEAN DEFAULT true")
    for t in TEMPLATES.values():
        con.execute(history_ddl(t))
        _add_key_columns(con, t)
        _add_new_columns(con, t)
        con.execute(current_view_ddl(t))
    # issue 10: review/approval log, lock state and the approved.<template> views
    ensure_review_schema(con)
