"""The marts on a real PostgreSQL 15 server (tests/pg.py starts a throwaway cluster).

The warehouse is the shared real build (``published_city`` in conftest): the committed sample
city ingested and built by dbt, everything approved, then one correction after the lock.
Expected figures come from the raw files, as worked out in test_sample_marts.py, and from
that correction (conftest).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import psycopg
import pytest
from dagster_postgres.run_storage import PostgresRunStorage
from psycopg import sql

from dagster_project.core.settings import PROJECT_ROOT, Settings
from dagster_project.publish.postgres import BI_ROLE, PostgresUnavailable, publish_postgres
from dagster_project.publish.snapshot import BUILD_TABLE, PublishRefused, publish_snapshot
from tests.conftest import LOCKED_SCHOOL, LOCKED_SCHOOL_APPROVED_STUDENTS, LOCKED_SCHOOL_LATEST_STUDENTS, PublishedCity
from tests.pg import PUBLISHER, PUBLISHER_PASSWORD, PgServer, free_port
from tests.test_batching import PARTS as SAMPLE_PART
from tests.test_sample_marts import FIRST_VOC_HS

# One worker takes the whole module (pytest-xdist --dist loadgroup): its module fixture is made once.
pytestmark = pytest.mark.xdist_group("postgres")

BI_PASSWORD = "bi-只读-password"
MONEY_COLUMNS = ("appropriated_yuan", "shortfall_yuan")


def copy_database(src: Path, dst: Path) -> None:
    shutil.copy2(src, dst)
    wal = src.with_name(src.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, dst.with_name(dst.name + ".wal"))


BEFORE_BUILD, AFTER_BUILD = "20261206T000000Z-before00", "20261207T000000Z-after000"


def log_build(s: Settings, build_id: str) -> None:
    """What ``transform.build.record_build`` writes after a build, with the id's own time."""
    con = duckdb.connect(str(s.warehouse_path))
    try:
        built_at = datetime.strptime(build_id[:16], "%Y%m%dT%H%M%SZ")
        con.execute("INSERT INTO audit.dbt_builds (built_at, run_id, build_id) VALUES (?, ?, ?)", [built_at, build_id[17:], build_id])
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouses(published_city: PublishedCity, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Settings, Path]:
    """(before the correction after the lock, after it, dbt's manifest), as two working databases.

    After is a copy of the shared build. Before is the same build as it was before that
    correction: everything had been approved, so its latest marts were what the approved
    marts still are; they are copied over the latest ones, nothing differs yet, and its
    build is a day older. Each gets its build logged as the pipeline's dbt step logs one
    (``audit.dbt_builds``: the one build id of every output, issue 19)."""
    root = tmp_path_factory.mktemp("pg_warehouses")
    before, after = (replace(published_city.settings, warehouse_dir=root / name) for name in ("before", "after"))
    for s in (before, after):
        s.warehouse_dir.mkdir()
        copy_database(published_city.settings.warehouse_path, s.warehouse_path)
    con = duckdb.connect(str(before.warehouse_path))
    try:
        shared = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'approved_marts'").fetchall()
        for (table,) in shared:
            con.execute(f"DELETE FROM marts.{table}")
            con.execute(f"INSERT INTO marts.{table} SELECT * FROM approved_marts.{table}")
        con.execute("DELETE FROM marts.approval_differences")
    finally:
        con.close()
    log_build(before, BEFORE_BUILD)
    log_build(after, AFTER_BUILD)
    return before, after, published_city.work_dir / "latest" / "target" / "manifest.json"


@pytest.fixture
def fresh_db(pg_server: PgServer) -> Iterator[str]:
    """An empty database owned by the publisher, dropped afterwards: tests do not share server state."""
    name = f"t_{time.monotonic_ns()}"
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {} OWNER vocwh_publisher").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def target(s: Settings, pg_server: PgServer, db: str) -> Settings:
    return replace(s, postgres_url=pg_server.url(dbname=db), postgres_bi_password=BI_PASSWORD)


def pg_rows(url: str, q: sql.Composable | str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as c:
        return c.execute(q, params).fetchall()


def duck_tables(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()
        ]
    finally:
        con.close()


def test_publish_the_snapshot_tables_with_types_and_comments(
    warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str
) -> None:
    _, after, manifest = warehouses
    s = target(after, pg_server, fresh_db)
    result = publish_postgres(s)
    assert result.published and result.previous_build_id is None
    print(f"publish to PostgreSQL: {sum(result.tables.values())} rows in {len(result.tables)} tables, {result.seconds:.2f}s")
    snap = publish_snapshot(after)
    # the same tables as marts.duckdb, the same row counts
    assert result.tables == snap["tables"]
    url = s.postgres_url
    assert sorted(
        r[0] for r in pg_rows(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'")
    ) == duck_tables(after.snapshot_path)
    types = dict(
        pg_rows(
            url,
            "SELECT column_name, format_type(atttypid, atttypmod) FROM information_schema.columns c "
            "JOIN pg_attribute a ON a.attrelid = 'marts.per_student_funding'::regclass AND a.attname = c.column_name "
            "WHERE c.table_schema = 'marts' AND c.table_name = 'per_student_funding'",
        )
    )
    assert types["appropriated_yuan"] == "numeric(18,2)" and types["shortfall_yuan"] == "numeric(18,2)"
    assert types["below_standard"] == "boolean" and types["students_mismatch"] == "boolean"
    assert types["school_name"] == "text" and types["year"] == "integer"
    # descriptions from dbt's yml (models/marts/_marts__models.yml) as COMMENTs
    node = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]["model.vocwh.per_student_funding"]
    got = pg_rows(
        url,
        "SELECT obj_description('marts.per_student_funding'::regclass, 'pg_class'), "
        "col_description('marts.per_student_funding'::regclass, (SELECT attnum FROM pg_attribute "
        "WHERE attrelid = 'marts.per_student_funding'::regclass AND attname = 'school_code'))",
    )[0]
    assert got == (node["description"].strip(), "学校标识码 school code (MoE, 10 digits)")
    # figures from raw/ (test_sample_marts.py): the corrected 2024 enrollment of 吉林市第一职业高级中学
    row = pg_rows(
        url,
        "SELECT enrolled_students, per_student_yuan, shortfall_yuan, below_standard FROM marts.per_student_funding "
        "WHERE year = 2024 AND school_code = %s",
        [FIRST_VOC_HS],
    )
    assert row == [(1520, Decimal("7200.00"), Decimal("0.00"), False)]
    # nothing else was created in the database by the publish but its bookkeeping
    schemas = {
        r[0] for r in pg_rows(url, "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'")
    }
    assert schemas == {"public", "marts", "vocwh_publish"}
    # the server is current: the next run publishes nothing
    again = publish_postgres(s)
    assert not again.published and again.build_id == result.build_id


def assert_same_rows(snapshot: Path, pg_url: str) -> list[str]:
    """Every table of marts.duckdb equals its PostgreSQL copy, all rows in order, column for column."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        tables = duck_tables(snapshot)
        pg_tables = [
            r[0] for r in pg_rows(pg_url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1")
        ]
        assert pg_tables == tables
        with psycopg.connect(pg_url) as pg:
            for t in tables:
                cols = [
                    r[0]
                    for r in con.execute(
                        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index", [t]
                    ).fetchall()
                ]
                order = ", ".join(f'"{c}"' for c in cols)
                if t == BUILD_TABLE:  # each target's own published_at
                    cols = [c for c in cols if c != "published_at"]
                    order = ", ".join(f'"{c}"' for c in cols)
                duck = con.execute(f'SELECT {order} FROM marts.main."{t}" ORDER BY {order}').fetchall()
                cur = pg.execute(
                    sql.SQL("SELECT {cols} FROM marts.{t} ORDER BY {cols}").format(
                        cols=sql.SQL(", ").join(map(sql.Identifier, cols)), t=sql.Identifier(t)
                    )
                )
                assert [d.name for d in cur.description or []] == cols, t
                rows = cur.fetchall()
                assert len(rows) == len(duck), t
                assert rows == duck, t
        return tables
    finally:
        con.close()


def test_figures_equal_the_duckdb_snapshot(warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str) -> None:
    _, after, _manifest = warehouses
    s = target(after, pg_server, fresh_db)
    publish_postgres(s)
    publish_snapshot(after)
    assert len(assert_same_rows(after.snapshot_path, s.postgres_url)) >= 7


def test_republish_after_a_correction(warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str) -> None:
    before, after, _manifest = warehouses
    first = publish_postgres(target(before, pg_server, fresh_db))
    url = pg_server.url(dbname=fresh_db)
    q = "SELECT enrolled_students, students_mismatch FROM marts.per_student_funding WHERE year = 2024 AND school_code = %s"
    # the locked school's enrolment as approved: 60 + 176 + 184 = 420, as funded
    assert pg_rows(url, q, [LOCKED_SCHOOL]) == [(LOCKED_SCHOOL_APPROVED_STUDENTS, False)]
    second = publish_postgres(target(after, pg_server, fresh_db))
    assert second.published and second.previous_build_id == first.build_id != second.build_id
    # its correction after the lock: 80 + 176 + 184 = 440, 20 more than funded
    assert pg_rows(url, q, [LOCKED_SCHOOL]) == [(LOCKED_SCHOOL_LATEST_STUDENTS, True)]
    assert pg_rows(url, "SELECT build_id FROM vocwh_publish.published_build") == [(second.build_id,)]
    leftovers = pg_rows(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'marts\\_%'")
    assert leftovers == []


def _fingerprint_sql(tables: list[str]) -> sql.Composed:
    """One statement: every table's row count, plus two figures the correction changes."""
    parts = [sql.SQL("(SELECT count(*) FROM marts.{})").format(sql.Identifier(t)) for t in tables]
    parts.append(sql.SQL("(SELECT sum(enrolled_students) FROM marts.per_student_funding)"))
    parts.append(sql.SQL("(SELECT sum(expected_yuan) FROM marts.per_student_funding)"))
    return sql.SQL("SELECT ") + sql.SQL(", ").join(parts)


def test_readers_see_one_whole_build_throughout_republishes(
    warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str
) -> None:
    """Readers query all the time while the build flips six times: no error, no empty table,
    and every answer is wholly one build's (the owner's reader also reads which build)."""
    before, after, _manifest = warehouses
    publish_postgres(target(before, pg_server, fresh_db))
    url = pg_server.url(dbname=fresh_db)
    bi_url = pg_server.url(BI_ROLE, BI_PASSWORD, fresh_db)
    tables = [r[0] for r in pg_rows(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1")]
    fp = _fingerprint_sql(tables)
    expected = {}
    for s in (before, after):
        publish_postgres(target(s, pg_server, fresh_db))
        row = pg_rows(url, sql.SQL("SELECT (SELECT build_id FROM vocwh_publish.published_build), q.* FROM (") + fp + sql.SQL(") q"))
        expected[row[0][0]] = row[0][1:]
    assert len(expected) == 2 and len(set(expected.values())) == 2
    # every mart is filled in both builds but approval_differences, empty before the correction
    filled = [i for i, t in enumerate([*tables, "", ""]) if t != "approval_differences"]
    assert all(all(fpv[i] for i in filled) for fpv in expected.values()), "a table is empty in one of the builds"

    stop = threading.Event()
    errors: list[str] = []
    seen: dict[str, list[Any]] = {"owner": [], "bi": []}

    def owner_reader() -> None:
        # The build id and the figures in one statement: they must belong together.
        q = sql.SQL("SELECT (SELECT build_id FROM vocwh_publish.published_build), q.* FROM (") + fp + sql.SQL(") q")
        try:
            with psycopg.connect(url, autocommit=True) as c:
                while not stop.is_set():
                    r = c.execute(q).fetchone()
                    assert r is not None
                    if expected.get(r[0]) != tuple(r[1:]):
                        errors.append(f"owner: build {r[0]} with figures {r[1:]}")
                    seen["owner"].append(r[0])
        except Exception as e:
            errors.append(f"owner: {type(e).__name__}: {e}")

    def bi_reader() -> None:
        # What a dashboard does: several marts in one query, as the read-only role.
        try:
            with psycopg.connect(bi_url, autocommit=True) as c:
                while not stop.is_set():
                    r = c.execute(fp).fetchone()
                    assert r is not None
                    if tuple(r) not in expected.values():
                        errors.append(f"bi: figures {tuple(r)} belong to no build")
                    seen["bi"].append(tuple(r))
        except Exception as e:
            errors.append(f"bi: {type(e).__name__}: {e}")

    readers = [threading.Thread(target=owner_reader), threading.Thread(target=bi_reader)]
    for t in readers:
        t.start()
    try:
        attempts = []
        for i in range(6):
            s = (before, after)[i % 2]
            res = publish_postgres(target(s, pg_server, fresh_db))
            assert res.published
            attempts.append(res.swap_attempts)
            time.sleep(0.2)
    finally:
        stop.set()
        for t in readers:
            t.join(60)
    assert errors == []
    assert len(set(seen["owner"])) == 2, "the owner's reader never saw both builds"
    assert len(set(seen["bi"])) == 2, "the BI reader never saw both builds"
    print(f"readers: {len(seen['owner'])} + {len(seen['bi'])} queries during 6 republishes; swap attempts {attempts}")


def test_bi_role_reads_marts_only(warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str) -> None:
    _, after, _manifest = warehouses
    publish_postgres(target(after, pg_server, fresh_db))
    # Other data in the same database: a table in public and one in a schema audit.
    with psycopg.connect(pg_server.superuser_url(fresh_db), autocommit=True) as c:
        c.execute("CREATE TABLE public.secrets AS SELECT 1 AS x")
        c.execute("CREATE SCHEMA audit")
        c.execute("CREATE TABLE audit.submissions AS SELECT 1 AS x")
    bi_url = pg_server.url(BI_ROLE, BI_PASSWORD, fresh_db)
    with psycopg.connect(bi_url, autocommit=True) as c:
        assert c.execute("SELECT count(*) FROM marts.per_student_funding").fetchone()[0] > 0  # type: ignore[index]
        denied = [
            "INSERT INTO marts.per_student_funding (year) VALUES (2030)",
            "UPDATE marts.per_student_funding SET year = 2030",
            "DELETE FROM marts.award_entitlements",
            "TRUNCATE marts.award_entitlements",
            "DROP TABLE marts.award_entitlements",
            "CREATE TABLE marts.x (a int)",
            "CREATE TABLE public.x (a int)",
            "CREATE TEMP TABLE x (a int)",
            "CREATE SCHEMA mine",
            "SELECT * FROM public.secrets",
            "SELECT * FROM audit.submissions",
            "SELECT * FROM vocwh_publish.published_build",
            "COMMENT ON TABLE marts.award_entitlements IS 'x'",
        ]
        for stmt in denied:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(stmt)
    grants = pg_rows(
        pg_server.superuser_url(fresh_db),
        "SELECT DISTINCT table_schema, privilege_type FROM information_schema.role_table_grants WHERE grantee = %s",
        [BI_ROLE],
    )
    assert grants == [("marts", "SELECT")]
    role = pg_rows(
        pg_server.superuser_url(fresh_db),
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = %s",
        [BI_ROLE],
    )
    assert role == [(False, False, False, True)]


def test_unreachable_server_or_refused_login_fails_clearly_then_the_next_run_publishes(
    warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str
) -> None:
    _, after, _manifest = warehouses
    nobody = replace(after, postgres_url=f"postgresql://vocwh_publisher:s3cret-pw@127.0.0.1:{free_port()}/{fresh_db}")
    with pytest.raises(PostgresUnavailable) as e:
        publish_postgres(nobody)
    msg = str(e.value)
    assert "127.0.0.1" in msg and "the next run retries" in msg and "s3cret-pw" not in msg
    wrong = replace(after, postgres_url=pg_server.url(password="wrong-pw-123", dbname=fresh_db))
    with pytest.raises(PostgresUnavailable) as e:
        publish_postgres(wrong)
    assert "password authentication failed" in str(e.value) and "wrong-pw-123" not in str(e.value)
    # the server is empty; the next run with a good URL gets it the current build
    assert publish_postgres(target(after, pg_server, fresh_db)).published


def gb11643(first17: str) -> str:
    """The ID number with its check digit (GB 11643-1999: ISO 7064 MOD 11-2)."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def test_personal_data_never_reaches_the_server(
    warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str, tmp_path: Path
) -> None:
    _, after, _manifest = warehouses
    good = publish_postgres(target(after, pg_server, fresh_db))
    leaky = replace(after, warehouse_dir=tmp_path / "leaky")
    leaky.warehouse_dir.mkdir()
    copy_database(after.warehouse_path, leaky.warehouse_path)
    con = duckdb.connect(str(leaky.warehouse_path))
    # A citizen ID number as GB 11643 builds it: a 吉林市昌邑区 address code, a birth date, a sequence, the check digit.
    # (into a mart of the contract: a table outside the dbt manifest is never published at all)
    con.execute("ALTER TABLE marts.schools ADD COLUMN payee_ref VARCHAR")
    con.execute("UPDATE marts.schools SET payee_ref = ?", [gb11643("22020219900307002")])
    con.close()
    log_build(leaky, "20261207T010000Z-leaky000")
    with pytest.raises(PublishRefused, match=r"schools\.payee_ref"):
        publish_postgres(target(leaky, pg_server, fresh_db))
    url = pg_server.url(dbname=fresh_db)
    assert pg_rows(url, "SELECT build_id FROM vocwh_publish.published_build") == [(good.build_id,)]
    assert pg_rows(url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'payee_ref'") == [(0,)]


def test_asset_without_url_does_nothing_and_unreachable_fails_with_a_clear_message(
    warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str, tmp_path: Path
) -> None:
    from dagster_project.defs.postgres import postgres_marts
    from dagster_project.defs.publish import bi_snapshot
    from dagster_project.defs.resources import RunLockResource, VocwhResource

    _, after, _ = warehouses
    wh = tmp_path / "wh"
    wh.mkdir()
    copy_database(after.warehouse_path, wh / "warehouse.duckdb")

    def run(url: str, *assets: dg.AssetsDefinition) -> dg.ExecuteInProcessResult:
        res = VocwhResource(warehouse_dir=str(wh), raw_dir=str(after.raw_dir), postgres_url=url)
        return dg.materialize(
            [postgres_marts, *assets], resources={"vocwh": res, "run_lock": RunLockResource(vocwh=res)}, raise_on_error=False
        )

    off = run("")
    assert off.success and off.get_asset_materialization_events() == []
    # The server is down: the PostgreSQL step fails with a clear message, the snapshot is still written.
    down = run(f"postgresql://vocwh_publisher:hunter2-pw@127.0.0.1:{free_port()}/{fresh_db}", bi_snapshot)
    assert not down.success
    assert [e.asset_key for e in down.get_asset_materialization_events()] == [dg.AssetKey("bi_snapshot")]
    assert (wh / "marts.duckdb").exists()
    failure = down.get_step_failure_events()[0].step_failure_data.error
    assert failure is not None
    text = failure.to_string()
    assert "127.0.0.1" in text and "the next run retries" in text and "hunter2-pw" not in text
    ok = run(pg_server.url(dbname=fresh_db))
    assert ok.success and len(ok.get_asset_materialization_events()) == 1
    assert run(pg_server.url(dbname=fresh_db)).get_asset_materialization_events() == []  # already current


def test_sensor_catches_an_empty_or_lagging_server_up(
    warehouses: tuple[Settings, Settings, Path], pg_server: PgServer, fresh_db: str
) -> None:
    """A run that builds nothing skips the asset: the sensor starts a run when the server is behind."""
    from dagster_project.defs.postgres import build_postgres_sensor
    from dagster_project.defs.resources import VocwhResource

    before, after, _manifest = warehouses
    sensor = build_postgres_sensor("vocwh_full")

    def tick(s: Settings, url: str) -> dg.SensorResult | dg.SkipReason:
        res = VocwhResource(warehouse_dir=str(s.warehouse_dir), raw_dir=str(s.raw_dir), postgres_url=url)
        with dg.DagsterInstance.ephemeral() as instance:
            return sensor(dg.build_sensor_context(instance=instance, resources={"vocwh": res}))

    url = pg_server.url(dbname=fresh_db)
    assert isinstance(tick(after, ""), dg.SkipReason)
    down = tick(after, f"postgresql://u:p@127.0.0.1:{free_port()}/x")
    assert isinstance(down, dg.SkipReason) and "cannot connect" in (down.skip_message or "")
    empty = tick(after, url)
    assert isinstance(empty, dg.SensorResult) and len(empty.run_requests or []) == 1
    publish_postgres(target(before, pg_server, fresh_db))
    behind = tick(after, url)
    assert isinstance(behind, dg.SensorResult) and len(behind.run_requests or []) == 1
    publish_postgres(target(after, pg_server, fresh_db))
    current = tick(after, url)
    assert isinstance(current, dg.SkipReason) and "serves build" in (current.skip_message or "")


@pytest.fixture
def pg_dagster_home(pg_server: PgServer, fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """DAGSTER_HOME holding deploy/dagster-postgres.yaml, its database on the test server (set
    in the environment, as the file expects): (the folder, the database's name)."""
    dagster_db = f"{fresh_db}_dagster"
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {} OWNER vocwh_publisher").format(sql.Identifier(dagster_db)))
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "dagster-postgres.yaml", home / "dagster.yaml")
    for k, v in {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": pg_server.host,
        "DAGSTER_PG_PORT": str(pg_server.port),
        "DAGSTER_PG_DB": dagster_db,
        "DAGSTER_PG_USERNAME": PUBLISHER,
        "DAGSTER_PG_PASSWORD": PUBLISHER_PASSWORD,
    }.items():
        monkeypatch.setenv(k, v)
    return home, dagster_db


def _backends(pg_server: PgServer, dbname: str) -> set[tuple[int, datetime]]:
    """The server processes connected to ``dbname``, each with the moment it connected."""
    return set(pg_rows(pg_server.superuser_url("postgres"), f"SELECT pid, backend_start FROM pg_stat_activity WHERE datname = '{dbname}'"))


def test_the_postgres_backed_instance_keeps_its_connections(pg_server: PgServer, pg_dagster_home: tuple[Path, str]) -> None:
    """deploy/dagster-postgres.yaml's storage answers many calls over the same connections,
    where dagster-postgres alone connects (a server process, a password exchange) for each."""
    _home, dagster_db = pg_dagster_home
    try:
        with dg.DagsterInstance.get() as instance:
            for _ in range(5):  # the run, event-log and schedule stores, each used
                instance.get_runs(limit=1)
                instance.get_latest_materialization_event(dg.AssetKey("nothing"))
                instance.all_instigator_state()
            kept = _backends(pg_server, dagster_db)
            assert len(kept) == 2  # the run and event-log stores' (the schedule store's is closed after use)
            for _ in range(30):
                instance.get_runs(limit=1)
                instance.get_latest_materialization_event(dg.AssetKey("nothing"))
                instance.all_instigator_state()
            assert _backends(pg_server, dagster_db) == kept  # the same processes, nothing new
        assert _backends(pg_server, dagster_db) == set()  # closed with the instance
    finally:
        with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dagster_db)))


@pytest.mark.e2e
def test_the_job_on_a_postgres_backed_dagster_instance(
    pg_server: PgServer, fresh_db: str, pg_dagster_home: tuple[Path, str], tmp_path: Path
) -> None:
    """deploy/dagster-postgres.yaml as DAGSTER_HOME's dagster.yaml, the real job on the sample
    city through the CLI with VOCWH_POSTGRES_URL set: the run is recorded in PostgreSQL and
    the marts on the server equal the snapshot the same run wrote. It is also the test of the
    README's main command on the committed sample, from raw files to the snapshot and the
    finance workbooks (one run of the whole pipeline serves both), on the part of the sample
    with every template and every outcome of a file (test_batching.PARTS, 84 of its files:
    the rest adds volume, which the benchmark measures, not cases)."""
    home, dagster_db = pg_dagster_home
    sample, landing = PROJECT_ROOT / "raw", tmp_path / "raw"
    for src in sample.rglob("*"):
        if src.is_file() and set(SAMPLE_PART) & set(src.relative_to(sample).parts):
            (landing / src.relative_to(sample)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, landing / src.relative_to(sample))
    env = {
        **os.environ,
        "VOCWH_RAW_DIR": str(landing),
        "VOCWH_WAREHOUSE_DIR": str(tmp_path / "wh"),
        "VOCWH_POSTGRES_URL": pg_server.url(dbname=fresh_db),
        "VOCWH_POSTGRES_BI_PASSWORD": BI_PASSWORD,
    }
    dagster = Path(sys.executable).parent / "dagster"
    cmd = [str(dagster), "asset", "materialize", "-m", "dagster_project.definitions", "--select", "*"]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    try:
        with dg.DagsterInstance.get() as instance:
            assert isinstance(instance.run_storage, PostgresRunStorage)
            runs = instance.get_runs()
            assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS]
            event = instance.get_latest_materialization_event(dg.AssetKey("postgres_marts"))
            assert event is not None and event.run_id == runs[0].run_id
        # the run's rows are in PostgreSQL, not in a local SQLite file
        assert pg_rows(pg_server.url(dbname=dagster_db), "SELECT count(*) FROM runs") == [(1,)]
        assert not list(home.rglob("*.db"))
    finally:
        # the instance's connection pool must not keep the database from being dropped
        with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dagster_db)))
    assert len(assert_same_rows(tmp_path / "wh" / "marts.duckdb", pg_server.url(dbname=fresh_db))) >= 7
    # the whole pipeline on the sample: every kind of file outcome, figures, the snapshot, the workbooks
    con = duckdb.connect(str(tmp_path / "wh" / "warehouse.duckdb"), read_only=True)
    try:
        statuses = dict(con.execute("SELECT status, count(*) FROM audit.submissions GROUP BY status").fetchall())
        assert statuses.get("loaded", 0) > 40
        assert {"rejected", "unreadable", "unrecognised", "duplicate", "superseded"} <= set(statuses)
        assert con.execute("SELECT count(*) FROM marts.per_student_funding").fetchone()[0] > 0  # type: ignore[index]
    finally:
        con.close()
    snap = duckdb.connect(str(tmp_path / "wh" / "marts.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in snap.execute("SHOW TABLES").fetchall()}  # the default schema, as BI tools see it
        assert "award_entitlements" in tables and "schools" in tables
        assert snap.execute("SELECT count(*) FROM marts.award_entitlements").fetchone()[0] > 0  # type: ignore[index]
    finally:
        snap.close()
    assert sorted(p.name for p in (tmp_path / "wh" / "reports").glob("finance_*.xlsx")) == ["finance_2023.xlsx", "finance_2024.xlsx"]
