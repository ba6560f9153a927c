"""Issue 19.2: one build id, the dbt build's, in every output, and a run summary that says
what was published where.

On a copy of the shared real build (``published_city``), with a build logged the way the
pipeline's dbt step logs one (``transform.build.new_build_id`` and ``record_build``), and
on the test suite's real PostgreSQL 15 server (tests/pg.py).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import dagster as dg
import duckdb
import psycopg
import pyarrow.parquet as pq
import pytest
from psycopg import sql

from dagster_project.core.settings import Settings
from dagster_project.publish import postgres
from dagster_project.publish.finance import workbook_records
from dagster_project.publish.postgres import publish_postgres
from dagster_project.publish.reports import produce_reports
from dagster_project.publish.snapshot import BUILD_COLUMN_DOCS, BUILD_TABLE, BUILD_TABLE_DOC, build_record_path, publish_snapshot
from dagster_project.store.warehouse import current_build_id
from dagster_project.transform.build import new_build_id, record_build
from tests.pg import PUBLISHER, PgServer, free_port

BUILD_ID = r"^\d{8}T\d{6}Z-[0-9a-f]{8}$"


def log_build(s: Settings) -> tuple[str, datetime]:
    """A build as the pipeline logs it; returns its id and the time the log holds (UTC)."""
    run_id = uuid.uuid4().hex
    build = new_build_id(run_id)
    record_build(s, None, run_id, build, selection="subset")
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        (built_at,) = con.execute("SELECT built_at FROM audit.dbt_builds WHERE build_id = ?", [build]).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    return build, built_at.replace(tzinfo=UTC)


@pytest.fixture
def fresh_db(pg_server: PgServer) -> Iterator[str]:
    name = f"bid_{time.monotonic_ns()}"
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(PUBLISHER)))
    yield name
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_one_build_id_in_every_output(city_copy: Settings, pg_server: PgServer, fresh_db: str) -> None:
    s = replace(city_copy, postgres_url=pg_server.url(dbname=fresh_db), postgres_bi_password="bi-pw")
    build, built_at = log_build(s)
    assert re.match(BUILD_ID, build), build
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        # PostgreSQL's notion of the current build is the store's: no second id any more
        assert postgres.current_build_id(con) == current_build_id(con) == build
    finally:
        con.close()

    # DuckDB: the sidecar, the table inside the file, each Parquet file
    result = publish_snapshot(s)
    record = json.loads(build_record_path(s).read_text(encoding="utf-8"))
    assert result["build_id"] == record["build_id"] == build
    snap = duckdb.connect(str(s.snapshot_path), read_only=True)
    try:
        rows = snap.execute(f"SELECT build_id, built_at, published_at FROM {BUILD_TABLE}").fetchall()
        assert rows == [(build, built_at, datetime.fromisoformat(record["published_at"]))]
        # described like every table, in both languages
        assert snap.execute("SELECT comment FROM duckdb_tables() WHERE table_name = ?", [BUILD_TABLE]).fetchone() == (BUILD_TABLE_DOC,)
        docs = dict(snap.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ?", [BUILD_TABLE]).fetchall())
        assert docs == BUILD_COLUMN_DOCS and all(d.split()[0] in ("构建编号", "构建时间", "发布时间") for d in docs.values())
    finally:
        snap.close()
    for t in result["tables"]:
        assert pq.read_schema(s.parquet_dir / f"{t}.parquet").metadata[b"vocwh_build_id"].decode() == build, t

    # the finance workbooks
    made = produce_reports(s, [2024])
    assert workbook_records(made[2024][0])["vocwh_build"] == build

    # PostgreSQL: the bookkeeping, the schema's comment, marts.vocwh_build with its descriptions
    before = datetime.now(UTC)
    pub = publish_postgres(s)
    assert pub.published and pub.build_id == build
    url = s.postgres_url
    with psycopg.connect(url) as c:
        assert c.execute("SELECT build_id FROM vocwh_publish.published_build").fetchall() == [(build,)]
        (comment,) = c.execute("SELECT obj_description('marts'::regnamespace, 'pg_namespace')").fetchone()  # type: ignore[misc]
        assert f"build {build};" in comment
        ((b, at, published),) = c.execute("SELECT build_id, built_at, published_at FROM marts.vocwh_build").fetchall()
        assert (b, at) == (build, built_at) and before <= published <= datetime.now(UTC)
        types = c.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = %s ORDER BY ordinal_position",
            [BUILD_TABLE],
        ).fetchall()
        assert types == [("build_id", "text"), ("built_at", "timestamp with time zone"), ("published_at", "timestamp with time zone")]
        assert c.execute("SELECT obj_description('marts.vocwh_build'::regclass, 'pg_class')").fetchone() == (BUILD_TABLE_DOC,)
        col_docs = c.execute(
            "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
            "WHERE a.attrelid = 'marts.vocwh_build'::regclass AND a.attnum > 0 ORDER BY a.attnum"
        ).fetchall()
        assert dict(col_docs) == BUILD_COLUMN_DOCS
    # the BI role reads it like any mart
    with psycopg.connect(pg_server.url("vocwh_bi", "bi-pw", fresh_db)) as bi:
        assert bi.execute("SELECT build_id FROM marts.vocwh_build").fetchall() == [(build,)]

    # a new build: every target follows, none keeps the old id
    newer, _ = log_build(s)
    assert publish_snapshot(s)["build_id"] == newer
    assert publish_postgres(s).previous_build_id == build
    with psycopg.connect(url) as c:
        assert c.execute("SELECT build_id FROM marts.vocwh_build").fetchall() == [(newer,)]


def test_run_summary_says_what_was_published_where(city_copy: Settings, pg_server: PgServer, fresh_db: str) -> None:
    """The real assets (snapshot, PostgreSQL, summary) in one Dagster run each time: the summary
    names the snapshot's build and PostgreSQL's outcome, whatever it was."""
    from dagster_project.defs.postgres import postgres_marts
    from dagster_project.defs.publish import bi_snapshot
    from dagster_project.defs.resources import RunLockResource, VocwhResource
    from dagster_project.defs.run_summary import run_summary

    build, _ = log_build(city_copy)

    def summary(url: str) -> str:
        res = VocwhResource(warehouse_dir=str(city_copy.warehouse_dir), raw_dir=str(city_copy.raw_dir), postgres_url=url)
        result = dg.materialize(
            [bi_snapshot, postgres_marts, run_summary],
            resources={"vocwh": res, "run_lock": RunLockResource(vocwh=res)},
            raise_on_error=False,
        )
        events = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey("run_summary")]
        assert len(events) == 1
        text = events[0].step_materialization_data.materialization.metadata["summary"].value
        return str(text)

    off = summary("")
    assert f"BI snapshot holds build: {build}" in off
    assert "PostgreSQL: not configured (VOCWH_POSTGRES_URL is not set)" in off
    url = pg_server.url(dbname=fresh_db)
    assert f"PostgreSQL: published build {build}" in summary(url)
    assert f"PostgreSQL: unchanged: the server already serves build {build}" in summary(url)
    port = free_port()
    down = summary(f"postgresql://vocwh_publisher:hunter2-pw@127.0.0.1:{port}/{fresh_db}")
    line = next(x for x in down.splitlines() if "PostgreSQL:" in x)
    assert line.startswith(f"  PostgreSQL: failed: cannot connect to PostgreSQL at 127.0.0.1:{port}/{fresh_db}"), line
    assert "the next run retries" in line and "hunter2-pw" not in down
    assert f"BI snapshot holds build: {build}" in down
