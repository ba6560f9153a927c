"""The warehouse's schema and its migrations (store.schema): an older warehouse is brought up
to date in one transaction, and a migration that fails leaves it as it was."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.store import schema
from dagster_project.store.schema import ensure_schema


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def test_a_warehouse_from_before_a_keyed_column_existed_gets_both_empty() -> None:
    """training.certificate_name and its key arrived together (issue 18): a warehouse from
    before has neither, and its rows hold no certificate to key."""
    con = duckdb.connect()
    ensure_schema(con)
    for v in ("submissions", "approved"):
        con.execute(f"DROP VIEW {v}.training")
    con.execute("ALTER TABLE history.training DROP COLUMN certificate_key")
    con.execute("ALTER TABLE history.training DROP COLUMN certificate_name")
    con.execute("ALTER TABLE audit.dbt_builds DROP COLUMN build_id")
    con.execute("INSERT INTO history.training (program_name, row_number) VALUES ('焊工', 3)")
    ensure_schema(con)
    assert {"certificate_name", "certificate_key"} <= set(_columns(con, "history.training"))
    assert con.execute("SELECT program_name, certificate_name, certificate_key FROM history.training").fetchall() == [("焊工", None, None)]
    assert "build_id" in _columns(con, "audit.dbt_builds")
    assert "certificate_key" in _columns(con, "submissions.training")  # the view was made again with it


def test_a_migration_that_fails_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("DROP VIEW submissions.enrollment")
    con.execute("ALTER TABLE audit.dbt_builds DROP COLUMN build_id")
    monkeypatch.setattr(schema, "approved_view_ddl", lambda t: "CREATE VIEW approved.x AS SELECT * FROM no_such_table")
    with pytest.raises(duckdb.CatalogException):
        ensure_schema(con)
    # the statements before the failing one were rolled back with it
    assert "build_id" not in _columns(con, "audit.dbt_builds")
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE schema_name = 'submissions' AND view_name = 'enrollment'").fetchone() == (
        0,
    )
    monkeypatch.undo()
    ensure_schema(con)
    assert "build_id" in _columns(con, "audit.dbt_builds")
    assert con.execute("SELECT count(*) FROM submissions.enrollment").fetchone() == (0,)
