"""Issue 19.1 on a real PostgreSQL 15 server: the read-only role cannot block publishing or
store anything, and every wait of a publish is bounded.

The warehouse is a copy of the shared real build (``published_city``); each publish gets a
build logged the way the pipeline logs one (``transform.build.record_build``). The test
cluster's publisher owns its database and may create roles, but is no superuser, like a
deployment's (tests/pg.py).
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from dagster_project.core.settings import PROJECT_ROOT, Settings
from dagster_project.publish.postgres import BI_ROLE, LARGE_OBJECT_WRITERS, PostgresPublishFailed, publish_postgres
from tests.conftest import PublishedCity
from tests.pg import PUBLISHER, PgServer

# One worker takes the whole module (pytest-xdist --dist loadgroup): its module fixture is made once.
pytestmark = pytest.mark.xdist_group("postgres_security")

BI_PASSWORD = "bi-只读-security"
OLD_ADVISORY_KEY = 0x766F6377685F7067  # the key publishing took with pg_advisory_lock before issue 19
# What docs/bi.md tells the server's superuser to run in the vocwh database.
DOCUMENTED_REVOKE = re.compile(r"REVOKE EXECUTE ON FUNCTION lo_from_bytea\(oid, bytea\)[^;]*FROM PUBLIC;")


@pytest.fixture(scope="module")
def warehouse(published_city: PublishedCity, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    src = published_city.settings
    s = replace(src, warehouse_dir=tmp_path_factory.mktemp("pg_security"))
    shutil.copy2(src.warehouse_path, s.warehouse_path)
    new_build(s)
    return s


def new_build(s: Settings) -> str:
    """Log a build as the pipeline's dbt step does (same marts, a new id): the server is behind."""
    from dagster_project.transform.build import new_build_id, record_build

    run_id = uuid.uuid4().hex
    build_id = new_build_id(run_id)
    record_build(s, None, run_id, build_id, selection="subset")
    return build_id


@pytest.fixture
def fresh_db(pg_server: PgServer) -> Iterator[str]:
    """An empty database owned by the publisher, dropped afterwards."""
    name = f"sec_{time.monotonic_ns()}"
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(PUBLISHER)))
    yield name
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def target(s: Settings, pg_server: PgServer, db: str) -> Settings:
    return replace(s, postgres_url=pg_server.url(dbname=db), postgres_bi_password=BI_PASSWORD)


def served(pg_server: PgServer, db: str) -> tuple[Any, ...]:
    """(the build in the bookkeeping, the build in marts.vocwh_build, rows of per_student_funding)."""
    with psycopg.connect(pg_server.url(dbname=db)) as c:
        row = c.execute(
            "SELECT (SELECT build_id FROM vocwh_publish.published_build), (SELECT build_id FROM marts.vocwh_build), "
            "(SELECT count(*) FROM marts.per_student_funding)"
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_bi_role_holding_the_old_advisory_lock_does_not_block_a_publish(warehouse: Settings, pg_server: PgServer, fresh_db: str) -> None:
    first = publish_postgres(target(warehouse, pg_server, fresh_db))
    with psycopg.connect(pg_server.url(BI_ROLE, BI_PASSWORD, fresh_db), autocommit=True) as bi:
        bi.execute("SELECT pg_advisory_lock(%s)", [OLD_ADVISORY_KEY])
        build = new_build(warehouse)
        started = time.monotonic()
        result = publish_postgres(target(warehouse, pg_server, fresh_db), lock_wait_seconds=5)
        took = time.monotonic() - started
        # still holding it: the publish never asked for it
        assert bi.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()").fetchone() == (1,)
    assert result.published and result.previous_build_id == first.build_id and result.build_id == build
    assert took < 5
    assert served(pg_server, fresh_db)[:2] == (build, build)


def test_bi_role_cannot_take_or_read_the_publish_lock(warehouse: Settings, pg_server: PgServer, fresh_db: str) -> None:
    publish_postgres(target(warehouse, pg_server, fresh_db))
    with psycopg.connect(pg_server.url(BI_ROLE, BI_PASSWORD, fresh_db)) as bi:
        for mode in ("EXCLUSIVE", "ACCESS SHARE", "ROW SHARE"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for schema vocwh_publish"):
                bi.execute(f"LOCK TABLE vocwh_publish.publish_lock IN {mode} MODE")
            bi.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bi.execute("SELECT * FROM vocwh_publish.publish_lock")
        bi.rollback()
    # the only rights on the lock table are its owner's
    acl = psycopg.connect(pg_server.superuser_url(fresh_db)).execute(
        "SELECT c.relacl, nspacl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'vocwh_publish' AND c.relname = 'publish_lock'"
    )
    relacl, nspacl = acl.fetchone()  # type: ignore[misc]
    assert relacl is None  # default: the owner only
    assert all(entry.startswith(f"{PUBLISHER}=") for entry in nspacl), nspacl


def test_a_second_publisher_holding_the_lock_fails_the_publish_in_time(warehouse: Settings, pg_server: PgServer, fresh_db: str) -> None:
    first = publish_postgres(target(warehouse, pg_server, fresh_db))
    before = served(pg_server, fresh_db)
    assert before[:2] == (first.build_id, first.build_id) and before[2] > 0
    newer = new_build(warehouse)
    with psycopg.connect(pg_server.url(dbname=fresh_db), application_name="another vocwh publish") as other:
        other.execute("LOCK TABLE vocwh_publish.publish_lock IN EXCLUSIVE MODE")
        pid = other.info.backend_pid
        started = time.monotonic()
        with pytest.raises(PostgresPublishFailed) as e:
            publish_postgres(target(warehouse, pg_server, fresh_db), lock_wait_seconds=2)
        took = time.monotonic() - started
        # the old build is still served, whole, while the other publisher holds on
        assert served(pg_server, fresh_db) == before
    msg = str(e.value)
    assert msg.startswith("publishing waited 2 s for vocwh_publish.publish_lock"), msg
    assert f"pid {pid} as {PUBLISHER} (another vocwh publish)" in msg and "the next run retries" in msg
    assert "still serves its previous build" in msg
    assert 1.9 <= took < 8
    # released: the next run publishes
    assert publish_postgres(target(warehouse, pg_server, fresh_db), lock_wait_seconds=2).build_id == newer
    assert served(pg_server, fresh_db)[:2] == (newer, newer)


def test_a_reader_holding_marts_fails_the_swap_in_time(warehouse: Settings, pg_server: PgServer, fresh_db: str) -> None:
    """A BI session left inside a transaction keeps its lock on a mart: the swap gives up
    after its deadline instead of waiting, and the old build stays served."""
    first = publish_postgres(target(warehouse, pg_server, fresh_db))
    before = served(pg_server, fresh_db)
    new_build(warehouse)
    with psycopg.connect(pg_server.url(BI_ROLE, BI_PASSWORD, fresh_db)) as bi:
        bi.execute("SELECT count(*) FROM marts.schools").fetchone()  # transaction left open
        started = time.monotonic()
        with pytest.raises(PostgresPublishFailed) as e:
            publish_postgres(target(warehouse, pg_server, fresh_db), swap_wait_seconds=1)
        took = time.monotonic() - started
        assert bi.execute("SELECT build_id FROM marts.vocwh_build").fetchone() == (first.build_id,)
    assert str(e.value).startswith("publishing waited 1 s for readers to release schema marts")
    assert "the next run retries" in str(e.value)
    assert took < 30
    assert served(pg_server, fresh_db) == before


def test_only_granted_roles_connect_and_nobody_makes_temp_tables(warehouse: Settings, pg_server: PgServer, fresh_db: str) -> None:
    publish_postgres(target(warehouse, pg_server, fresh_db))
    stranger = f"stranger_{fresh_db}"
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as su:
        su.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'stranger-pw'").format(sql.Identifier(stranger)))
    try:
        with pytest.raises(psycopg.OperationalError, match=f'permission denied for database "{fresh_db}"'):
            psycopg.connect(pg_server.url(stranger, "stranger-pw", fresh_db)).close()
        # the role can still connect where the server's defaults allow it: the docs ask the administrator
        psycopg.connect(pg_server.url(stranger, "stranger-pw", "postgres")).close()
    finally:
        with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as su:
            su.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(stranger)))
    with psycopg.connect(pg_server.url(BI_ROLE, BI_PASSWORD, fresh_db), autocommit=True) as bi:
        assert bi.execute("SELECT count(*) > 0 FROM marts.schools").fetchone() == (True,)
        for stmt in ("CREATE TEMP TABLE x (a int)", "CREATE TEMPORARY TABLE y AS SELECT 1 AS a", "CREATE TABLE pg_temp.z (a int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied to create temporary tables"):
                bi.execute(stmt)
    rights = psycopg.connect(pg_server.superuser_url(fresh_db)).execute(
        "SELECT has_database_privilege('public', current_database(), 'CONNECT'), has_database_privilege('public', current_database(), 'TEMP'), "
        "has_database_privilege(%s, current_database(), 'CONNECT'), has_database_privilege(%s, current_database(), 'TEMP')",
        [BI_ROLE, BI_ROLE],
    )
    assert rights.fetchone() == (False, False, True, False)
    # the publisher (the owner) keeps connecting: the next publish works
    new_build(warehouse)
    assert publish_postgres(target(warehouse, pg_server, fresh_db)).published


def test_large_objects_need_a_superuser_and_the_publisher_says_so(
    warehouse: Settings, pg_server: PgServer, fresh_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    """As the test publisher (no superuser): it cannot revoke EXECUTE on pg_catalog's
    functions, says which statement a superuser must run, and vocwh_bi can still create a
    large object. After the superuser ran the documented statement: refused, and no warning."""
    with caplog.at_level(logging.WARNING, logger="dagster_project.publish.postgres"):
        result = publish_postgres(target(warehouse, pg_server, fresh_db))
    # lo_import is no PUBLIC function by PostgreSQL's defaults: the four others are open
    statement = (
        "REVOKE EXECUTE ON FUNCTION lo_from_bytea(oid, bytea), lo_create(oid), lo_creat(integer), lo_put(oid, bigint, bytea) FROM PUBLIC"
    )
    assert result.needs_superuser == (statement,)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "A superuser should run, in this database: " + statement in warned[0]
    assert "lacks the right" in warned[0]
    bi_url = pg_server.url(BI_ROLE, BI_PASSWORD, fresh_db)
    with psycopg.connect(bi_url, autocommit=True) as bi:
        oid = bi.execute("SELECT lo_from_bytea(0, 'x')").fetchone()[0]  # type: ignore[index]
        bi.execute("SELECT lo_unlink(%s)", [oid])
    # an unchanged run says it again
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="dagster_project.publish.postgres"):
        again = publish_postgres(target(warehouse, pg_server, fresh_db))
    assert not again.published and again.needs_superuser == (statement,) and len(caplog.records) == 1

    # The superuser runs what docs/bi.md says, in the vocwh database.
    documented = DOCUMENTED_REVOKE.findall((PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8"))
    assert documented == [f"REVOKE EXECUTE ON FUNCTION {', '.join(LARGE_OBJECT_WRITERS)} FROM PUBLIC;"]
    with psycopg.connect(pg_server.superuser_url(fresh_db), autocommit=True) as su:
        su.execute(documented[0])
    caplog.clear()
    new_build(warehouse)
    with caplog.at_level(logging.WARNING, logger="dagster_project.publish.postgres"):
        after = publish_postgres(target(warehouse, pg_server, fresh_db))
    assert after.published and after.needs_superuser == () and caplog.records == []
    with psycopg.connect(bi_url, autocommit=True) as bi:
        for stmt in ("SELECT lo_from_bytea(0, 'x')", "SELECT lo_create(0)", "SELECT lo_creat(-1)", "SELECT lo_put(1, 0, 'x')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function"):
                bi.execute(stmt)
        assert bi.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone() == (0,)


def test_two_publishers_at_once_one_waits_then_finds_the_server_current(warehouse: Settings, pg_server: PgServer, fresh_db: str) -> None:
    """The lock table is made by whichever comes first; the other waits on it (bounded), then
    finds the build served and publishes nothing."""
    build = new_build(warehouse)
    results: list[Any] = []

    def publish() -> None:
        try:
            results.append(publish_postgres(target(warehouse, pg_server, fresh_db), lock_wait_seconds=120))
        except Exception as e:  # reported below
            results.append(e)

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert sorted(r.published for r in results) == [False, True], results
    assert {r.build_id for r in results} == {build}
    assert served(pg_server, fresh_db)[:2] == (build, build)


def test_docs_name_the_administrators_steps() -> None:
    text = (Path(PROJECT_ROOT) / "docs" / "bi.md").read_text(encoding="utf-8")
    assert "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;" in text
    assert "ATTACH '/srv/vocwh/warehouse/marts.duckdb' AS vocwh (READ_ONLY);" in text
    for tool in ("Superset", "Metabase", "DBeaver"):
        assert text.count(tool) >= 2, tool
