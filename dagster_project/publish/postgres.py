"""Publish the marts to a PostgreSQL server for BI tools on other machines.

Optional: only when ``VOCWH_POSTGRES_URL`` (a libpq URL) is set.  The tables are exactly
the BI snapshot's, read from the working DuckDB, checked by the snapshot's own
personal-data guard, and copied with psycopg 3 ``COPY`` into a fresh schema
``marts_new_<token>``.  The fresh schema is then swapped in for ``marts`` in one short
transaction, so a reader sees the whole old build or the whole new one:

- PostgreSQL resolves a query's table names and takes its ACCESS SHARE locks during
  parse/analysis, and takes the snapshot it reads with only after that.  The swap holds
  ACCESS EXCLUSIVE on every old ``marts`` table while it renames the schemas, so a query
  that arrives meanwhile waits, then re-resolves ``marts.x`` to the new table and reads it
  with a snapshot in which the new rows (committed before the swap) are visible.
- A prepared statement (JDBC drivers and psycopg prepare repeated queries) re-locks the
  tables of its cached plan, notices they were renamed, and plans again: same outcome.
- The swap takes its locks with ``NOWAIT`` and retries briefly.  It never waits while
  holding a lock, so it cannot deadlock with a reader that joins several marts (a waiting
  swap would also queue every new reader behind a long-running one).
- The old schema is dropped after the swap has committed, with the same NOWAIT retries.

A reader inside an explicit REPEATABLE READ transaction opened before a swap would find
the new tables empty (its snapshot predates them); BI tools query in autocommit mode.

The build the server holds is recorded in ``vocwh_publish.published_build`` in the same
transaction as the swap: a run compares it with the working database's build and
publishes whenever the server is empty or behind, even if no submission changed.  The id
is the dbt build's (``transform.build.new_build_id``), as in marts.duckdb and every other output, and
``marts.vocwh_build`` shows it to BI readers.

Nothing a BI reader can hold makes a publish wait without end (issue 19).  One publisher at
a time is ensured by ``LOCK TABLE vocwh_publish.publish_lock IN EXCLUSIVE MODE``, held by a
connection of its own for the whole publish: ``vocwh_bi`` has no right in that schema, so
it cannot take that lock (an advisory lock, used before, is open to every role).  Every
wait is bounded (``lock_timeout``, or NOWAIT and a deadline); a publish that runs out of
time fails with what it waited for, and the server keeps serving its previous build.

The publisher also takes away what PUBLIC may do in its database: CONNECT, TEMPORARY,
CREATE on schema public, and EXECUTE on the functions that create large objects (a way to
store data without any table privilege).  Revoking EXECUTE on a ``pg_catalog`` function
takes its owner, a superuser: a publisher that is none says which statements a superuser
must run (``PgPublishResult.needs_superuser``, and a warning in the log).

No dagster import here: the asset in ``publish/postgres_assets.py`` is a thin wrapper.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from dagster_project.core.settings import Settings
from dagster_project.publish.common import MART_SCHEMA, open_readonly
from dagster_project.publish.snapshot import (
    BUILD_COLUMN_DOCS,
    BUILD_COLUMNS,
    BUILD_TABLE,
    BUILD_TABLE_DOC,
    PublishRefused,
    check_no_personal_data,
    descriptions,
    published_relations,
)
from dagster_project.store.warehouse import current_build_id as warehouse_build_id
from dagster_project.transform.build import build_time
from dagster_project.transform.dbt_project import Model

log = logging.getLogger(__name__)

BI_ROLE = "vocwh_bi"
META_SCHEMA = "vocwh_publish"
META_TABLE = "published_build"
NEW_PREFIX = "marts_new_"
OLD_PREFIX = "marts_old_"
# One publisher at a time per database: an EXCLUSIVE lock on this table (no rows), which only
# the publisher may take (vocwh_bi has no right in schema vocwh_publish).
LOCK_TABLE = "publish_lock"
# How long a publish waits for another one to finish (a province's publish takes minutes).
LOCK_WAIT_SECONDS = 600.0
COPY_BATCH_ROWS = 10_000
# Functions that create a large object, open to PUBLIC by default: with them a role that may
# write no table still stores data in the database (pg_largeobject).
LARGE_OBJECT_WRITERS = (
    "lo_from_bytea(oid, bytea)",
    "lo_create(oid)",
    "lo_creat(integer)",
    "lo_import(text)",
    "lo_import(text, oid)",
    "lo_put(oid, bigint, bytea)",
)


class PostgresUnavailable(RuntimeError):
    """The server cannot be reached or refuses the login: nothing was published; the next run retries."""


class PostgresPublishFailed(RuntimeError):
    """The server was reached but the publish did not complete: the previous build stays served."""


@dataclass(frozen=True)
class PgPublishResult:
    published: bool  # False: the server already held this build
    build_id: str
    server: str  # host:port/dbname, never the password
    tables: dict[str, int] = field(default_factory=dict)
    previous_build_id: str | None = None
    swap_attempts: int = 0
    seconds: float = 0.0
    # Statements that only a superuser (or the database's owner) can run and that are still
    # needed in this database, so that vocwh_bi can read the marts and nothing more.
    needs_superuser: tuple[str, ...] = ()


# ---- what is published ------------------------------------------------------------------------


def current_build_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The working database's current build of the marts (None: never built by the pipeline):
    the dbt build's id, the one marts.duckdb, Parquet and the workbooks carry."""
    return warehouse_build_id(con)


def published_tables(con: duckdb.DuckDBPyConnection) -> dict[str, Model]:
    """The tables the BI snapshot publishes: the same function, so both targets always agree."""
    return published_relations(con, _catalog(con))


def _catalog(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT current_database()").fetchone()[0])  # type: ignore[index]


_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
_SIMPLE_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)",
    "HUGEINT": "numeric(38,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def pg_type(duckdb_type: str) -> str:
    """PostgreSQL type for a DuckDB column type: money stays numeric(18,2), flags boolean.

    A type without a faithful counterpart refuses the publish rather than degrading to text.
    """
    t = duckdb_type.strip().upper()
    m = _DECIMAL.match(t)
    if m:
        return f"numeric({int(m.group(1))},{int(m.group(2))})"
    if t in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[t]
    raise PublishRefused(f"DuckDB type {duckdb_type} has no PostgreSQL mapping in vocwh's publisher")


@dataclass(frozen=True)
class TableSpec:
    name: str  # as BI sees it
    columns: list[tuple[str, str]]  # (column, PostgreSQL type)
    comment: str | None
    column_comments: dict[str, str]
    source: tuple[str, str] = (MART_SCHEMA, "")  # (schema, table) in the working database


def table_specs(con: duckdb.DuckDBPyConnection, tables: Mapping[str, Model]) -> list[TableSpec]:
    """Columns with PostgreSQL types, and the snapshot's own descriptions (``snapshot.descriptions``),
    so BI tools show the same text on the server as in marts.duckdb."""
    catalog = _catalog(con)
    specs = []
    for t, model in tables.items():
        cols = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
            "AND table_name = ? ORDER BY column_index",
            [catalog, model.schema, model.name],
        ).fetchall()
        table_doc, column_docs = descriptions(con, t, model, catalog)
        specs.append(
            TableSpec(
                source=(model.schema, model.name),
                name=t,
                columns=[(c, pg_type(typ)) for c, typ in cols],
                comment=table_doc or None,
                column_comments=column_docs,
            )
        )
    return specs


# ---- connecting ---------------------------------------------------------------------------------


def describe_server(url: str) -> str:
    """host:port/dbname as user, for messages: never the password."""
    try:
        p = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(unparsable VOCWH_POSTGRES_URL)"
    host = p.get("host") or p.get("hostaddr") or "localhost"
    return f"{host}:{p.get('port') or 5432}/{p.get('dbname') or '?'} as {p.get('user') or '?'}"


def _scrub(text: str, url: str) -> str:
    try:
        pw = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        pw = None
    return text.replace(str(pw), "***") if pw else text


def connect(url: str, connect_timeout: int = 10) -> psycopg.Connection[Any]:
    """Connect, turning every connection failure into ``PostgresUnavailable`` with a clear message."""
    try:
        return psycopg.connect(url, connect_timeout=connect_timeout, application_name="vocwh publish")
    except psycopg.ProgrammingError as e:
        raise PostgresUnavailable(f"VOCWH_POSTGRES_URL is not a valid libpq URL: {_scrub(str(e), url)}") from None
    except psycopg.OperationalError as e:
        reason = _scrub(str(e).strip(), url)
        raise PostgresUnavailable(
            f"cannot connect to PostgreSQL at {describe_server(url)}: {reason}. "
            "Nothing was published to PostgreSQL; the DuckDB outputs are unaffected; the next run retries."
        ) from None


def server_build_id(conn: psycopg.Connection[Any]) -> str | None:
    """The build the server serves in schema ``marts`` (None: empty, or never published)."""
    with conn.cursor() as cur:
        cur.execute(
            # Catalog queries rather than to_regclass(): older PostgreSQL-derived engines lack it.
            "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s) "
            "AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)",
            [META_SCHEMA, META_TABLE, MART_SCHEMA],
        )
        ready = cur.fetchone()
        if not ready or not ready[0]:
            conn.rollback()
            return None
        cur.execute(sql.SQL("SELECT build_id FROM {}.{}").format(sql.Identifier(META_SCHEMA), sql.Identifier(META_TABLE)))
        row = cur.fetchone()
    conn.rollback()
    return str(row[0]) if row else None


def postgres_is_behind(settings: Settings, wait_seconds: float = 60.0) -> tuple[bool, str | None, str | None]:
    """(behind, working build, server build); for a sensor or a caller deciding whether to publish."""
    with open_readonly(settings.warehouse_path, wait_seconds=wait_seconds) as con:
        build = current_build_id(con)
    with connect(settings.postgres_url) as conn:
        served = server_build_id(conn)
    return (build is not None and build != served), build, served


# ---- publishing ---------------------------------------------------------------------------------


def publish_postgres(
    settings: Settings,
    *,
    force: bool = False,
    swap_wait_seconds: float = 300.0,
    lock_wait_seconds: float = LOCK_WAIT_SECONDS,
) -> PgPublishResult:
    """Publish the working database's marts to ``settings.postgres_url`` if the server is behind.

    Raises ``PostgresUnavailable`` (server unreachable or login refused), ``PublishRefused``
    (personal data, nothing built) or ``PostgresPublishFailed`` (among others: another
    publish held the lock for ``lock_wait_seconds``, readers held ``marts`` for
    ``swap_wait_seconds``); in every case the server keeps serving its previous build
    whole, and the next run tries again.
    """
    url = settings.postgres_url
    if not url:
        raise ValueError("VOCWH_POSTGRES_URL is not set")
    started = time.monotonic()
    server = describe_server(url)
    with connect(url) as lock_conn:
        try:
            _take_publish_lock(lock_conn, lock_wait_seconds)
            with connect(url) as conn:
                return _publish_locked(settings, conn, server, started, force, swap_wait_seconds, lock_wait_seconds)
        except psycopg.Error as e:
            raise PostgresPublishFailed(
                f"publishing to PostgreSQL at {server} failed: {_scrub(str(e).strip(), url)}. "
                "The server still serves its previous build; the next run retries."
            ) from None
        finally:
            # Ends the lock's transaction; a broken connection releases it with the session anyway.
            with suppress(psycopg.Error):
                lock_conn.rollback()


def _publish_locked(
    settings: Settings,
    conn: psycopg.Connection[Any],
    server: str,
    started: float,
    force: bool,
    swap_wait_seconds: float,
    lock_wait_seconds: float,
) -> PgPublishResult:
    """The publish proper, under the publish lock, on a connection whose every lock wait is bounded."""
    _bound_waits(conn, lock_wait_seconds)
    try:
        previous = server_build_id(conn)
        with open_readonly(settings.warehouse_path) as con:
            build = current_build_id(con)
            if build is None:
                raise PublishRefused(
                    f"{settings.warehouse_path} holds no build of the marts yet (the pipeline logs a build id after each dbt build): nothing to publish"
                )
            if previous == build and not force:
                gaps = _security_gaps(conn)
                _warn_gaps(gaps, server)
                return PgPublishResult(
                    False, build, server, previous_build_id=previous, seconds=time.monotonic() - started, needs_superuser=gaps
                )
            tables = published_tables(con)
            if not tables:
                raise PublishRefused(f"schema {MART_SCHEMA} of {settings.warehouse_path} holds no table: nothing to publish")
            check_no_personal_data(con, _catalog(con), {t: (m.schema, m.name) for t, m in tables.items()})
            specs = table_specs(con, tables)
            gaps = _prepare_server(conn, settings.postgres_bi_password)
            new_schema = NEW_PREFIX + secrets.token_hex(6)
            counts = _load(conn, con, specs, new_schema, build, build_time(con, build))
        attempts = _swap(conn, new_schema, build, counts, swap_wait_seconds)
        _drop_stale_schemas(conn)
    except psycopg.errors.LockNotAvailable:
        conn.rollback()
        raise PostgresPublishFailed(
            f"publishing waited {lock_wait_seconds:.0f} s for a lock on the PostgreSQL server at {server} (lock_timeout); "
            "the next run retries. The server still serves its previous build."
        ) from None
    except BaseException:
        with suppress(psycopg.Error):
            conn.rollback()
        raise
    _warn_gaps(gaps, server)
    return PgPublishResult(True, build, server, counts, previous, attempts, time.monotonic() - started, gaps)


def _bound_waits(conn: psycopg.Connection[Any], seconds: float) -> None:
    """No statement of this session waits longer than ``seconds`` for a lock (0 would mean
    for ever in PostgreSQL); an idle transaction of the publisher's is never cut short."""
    with conn.cursor() as cur:
        cur.execute("SELECT set_config('lock_timeout', %s, false)", [f"{max(1, round(seconds * 1000))}ms"])
        cur.execute("SELECT set_config('idle_in_transaction_session_timeout', '0', false)")
    conn.commit()


def _ensure_bookkeeping(conn: psycopg.Connection[Any]) -> None:
    """Schema ``vocwh_publish`` with the lock table and the record of the served build; no
    right in it for anyone else. Two publishers creating it at once: one wins, the other retries."""
    ident = sql.Identifier
    for attempt in range(3):
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident(META_SCHEMA)))
                cur.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(ident(META_SCHEMA)))
                cur.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ()").format(ident(META_SCHEMA), ident(LOCK_TABLE)))
                cur.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {}.{} (build_id text NOT NULL, published_at timestamptz NOT NULL, row_counts text NOT NULL)"
                    ).format(ident(META_SCHEMA), ident(META_TABLE))
                )
            conn.commit()
            return
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject):
            conn.rollback()
            if attempt == 2:
                raise


def _take_publish_lock(lock_conn: psycopg.Connection[Any], wait_seconds: float) -> None:
    """Hold ``vocwh_publish.publish_lock`` in EXCLUSIVE mode until ``lock_conn``'s transaction
    ends, waiting at most ``wait_seconds`` for another publisher."""
    _bound_waits(lock_conn, wait_seconds)
    _ensure_bookkeeping(lock_conn)
    target = sql.SQL("{}.{}").format(sql.Identifier(META_SCHEMA), sql.Identifier(LOCK_TABLE))
    waited = time.monotonic()
    try:
        with lock_conn.cursor() as cur:
            cur.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(target))
    except psycopg.errors.LockNotAvailable:
        lock_conn.rollback()
        raise PostgresPublishFailed(
            f"publishing waited {time.monotonic() - waited:.0f} s for {META_SCHEMA}.{LOCK_TABLE}, held by another publish "
            f"({_lock_holders(lock_conn)}); the next run retries. The server still serves its previous build."
        ) from None


def _lock_holders(conn: psycopg.Connection[Any]) -> str:
    """Who holds the publish lock, for the message: pid, role and application of each session."""
    with suppress(psycopg.Error), conn.cursor() as cur:
        cur.execute(
            "SELECT l.pid, coalesce(a.usename, '?'), coalesce(a.application_name, '') FROM pg_locks l "
            "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.granted AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.relation = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s) "
            "ORDER BY l.pid",
            [META_SCHEMA, LOCK_TABLE],
        )
        rows = cur.fetchall()
        conn.rollback()
        if rows:
            return ", ".join(f"pid {pid} as {user}" + (f" ({app})" if app else "") for pid, user, app in rows)
    return "the holder is not visible to this role"


def _prepare_server(conn: psycopg.Connection[Any], bi_password: str) -> tuple[str, ...]:
    """The read-only role, and PUBLIC's default rights taken away; returns what is left that
    only a superuser can do (``_security_gaps``).

    ``vocwh_bi`` gets CONNECT, then USAGE and SELECT on ``marts`` at each swap, and nothing
    else: PUBLIC loses CONNECT and TEMPORARY on the database, CREATE on schema public and
    EXECUTE on the large-object writers. The owner (the publisher) keeps CONNECT; another
    role that needs this database must be granted CONNECT by name.
    """
    ident = sql.Identifier
    with conn.cursor() as cur:
        cur.execute("SELECT current_database()")
        dbname = cur.fetchone()[0]  # type: ignore[index]
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [BI_ROLE])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(ident(BI_ROLE)))
        if bi_password:
            # Utility statements take no bind parameters: psycopg quotes the literal itself.
            cur.execute(sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(ident(BI_ROLE), sql.Literal(bi_password)))
        cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        cur.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(ident(dbname)))
        cur.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident(dbname), ident(BI_ROLE)))
        for fn in LARGE_OBJECT_WRITERS:
            # Only the function's owner may revoke PUBLIC's grant: without the right PostgreSQL
            # refuses or merely warns; _security_gaps tells which.
            try:
                with conn.transaction():
                    cur.execute(sql.SQL("REVOKE EXECUTE ON FUNCTION pg_catalog.{} FROM PUBLIC").format(sql.SQL(fn)))
            except psycopg.errors.InsufficientPrivilege:
                pass
    conn.commit()
    return _security_gaps(conn)


def _security_gaps(conn: psycopg.Connection[Any]) -> tuple[str, ...]:
    """The statements still needed so that PUBLIC (and so ``vocwh_bi``) cannot connect, make
    temporary tables or create large objects in this database: empty when all is done."""
    with conn.cursor() as cur:
        cur.execute("SELECT current_database()")
        dbname = cur.fetchone()[0]  # type: ignore[index]
        cur.execute(
            "SELECT has_database_privilege('public', current_database(), 'CONNECT'), "
            "has_database_privilege('public', current_database(), 'TEMPORARY')"
        )
        can_connect, can_temp = cur.fetchone()  # type: ignore[misc]
        open_fns = []
        for fn in LARGE_OBJECT_WRITERS:
            cur.execute("SELECT has_function_privilege('public', %s, 'EXECUTE')", [f"pg_catalog.{fn}"])
            if cur.fetchone()[0]:  # type: ignore[index]
                open_fns.append(fn)
    conn.rollback()
    db = sql.Identifier(dbname).as_string(conn)
    gaps = []
    if can_connect or can_temp:
        privileges = ", ".join(p for p, on in (("CONNECT", can_connect), ("TEMPORARY", can_temp)) if on)
        gaps.append(f"REVOKE {privileges} ON DATABASE {db} FROM PUBLIC")
    if open_fns:
        gaps.append(f"REVOKE EXECUTE ON FUNCTION {', '.join(open_fns)} FROM PUBLIC")
    return tuple(gaps)


def _warn_gaps(gaps: tuple[str, ...], server: str) -> None:
    if gaps:
        log.warning(
            "PostgreSQL at %s: the publisher lacks the right to finish making vocwh_bi read-only "
            "(it can still create large objects or connect beyond its grant). A superuser should run, "
            "in this database: %s",
            server,
            "; ".join(gaps),
        )


def _load(
    conn: psycopg.Connection[Any],
    con: duckdb.DuckDBPyConnection,
    specs: list[TableSpec],
    schema: str,
    build: str,
    built_at: datetime | None,
) -> dict[str, int]:
    """Create and fill the fresh schema in one transaction, grants and comments included;
    ``vocwh_build`` gets its ``published_at`` at the swap. Returns the marts' row counts."""
    ident = sql.Identifier
    catalog = _catalog(con)
    counts: dict[str, int] = {}
    _drop_stale_schemas(conn)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE SCHEMA {}").format(ident(schema)))
        for spec in specs:
            target = sql.SQL("{}.{}").format(ident(schema), ident(spec.name))
            cols = sql.SQL(", ").join(sql.SQL("{} {}").format(ident(c), sql.SQL(typ)) for c, typ in spec.columns)
            cur.execute(sql.SQL("CREATE TABLE {} ({})").format(target, cols))
            names = sql.SQL(", ").join(ident(c) for c, _ in spec.columns)
            src = con.execute(
                f"SELECT * FROM {_dq(catalog)}.{_dq(spec.source[0])}.{_dq(spec.source[1])}"  # identifiers from the catalog, quoted
            )
            n = 0
            with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, names)) as copy:
                while batch := src.fetchmany(COPY_BATCH_ROWS):
                    for row in batch:
                        copy.write_row(row)
                    n += len(batch)
            counts[spec.name] = n
            if spec.comment:
                cur.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(target, sql.Literal(spec.comment)))
            for c, text in spec.column_comments.items():
                cur.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(target, ident(c), sql.Literal(text)))
            cur.execute(sql.SQL("ANALYZE {}").format(target))
        for spec in specs:
            cur.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(ident(schema), ident(spec.name)))
            got = cur.fetchone()[0]  # type: ignore[index]
            if got != counts[spec.name]:
                raise PostgresPublishFailed(f"{schema}.{spec.name} holds {got} rows after COPY, expected {counts[spec.name]}")
        target = sql.SQL("{}.{}").format(ident(schema), ident(BUILD_TABLE))
        cols = sql.SQL(", ").join(sql.SQL("{} {}").format(ident(c), sql.SQL(pg_type(typ))) for c, typ in BUILD_COLUMNS)
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(target, cols))
        cur.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, now())").format(target), [build, built_at])
        cur.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(target, sql.Literal(BUILD_TABLE_DOC)))
        for c, text in BUILD_COLUMN_DOCS.items():
            cur.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(target, ident(c), sql.Literal(text)))
        cur.execute(
            sql.SQL("COMMENT ON SCHEMA {} IS {}").format(
                ident(schema), sql.Literal(f"vocwh 数据集市 / marts, build {build}; replaced whole by each publish")
            )
        )
        # Grants travel with the schema and its tables through the rename.
        cur.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(ident(schema)))
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident(schema), ident(BI_ROLE)))
        cur.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(ident(schema), ident(BI_ROLE)))
    conn.commit()
    return counts


def _dq(ident: str) -> str:
    """DuckDB identifier quoting (DuckDB is read through its own driver, not psycopg)."""
    return '"' + ident.replace('"', '""') + '"'


def _lock_schema_nowait(cur: psycopg.Cursor[Any], schema: str) -> list[str]:
    """Lock every relation of a schema for a swap or a drop, or fail at once (LockNotAvailable)
    rather than queue behind a reader while holding other locks (a deadlock with a reader
    that joins several marts). Returns the relations' names."""
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname",
        [schema],
    )
    rels = [r[0] for r in cur.fetchall()]
    if rels:
        targets = sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(t)) for t in rels)
        cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE NOWAIT").format(targets))
    return rels


def _swap(conn: psycopg.Connection[Any], new_schema: str, build: str, counts: dict[str, int], wait_seconds: float) -> int:
    """Rename ``marts`` aside and the new schema onto it, in one transaction; returns the attempts.

    Takes every old table's lock with NOWAIT: when a reader still holds one, roll back (so
    nobody waits on us), pause a moment, and try again until ``wait_seconds`` have passed.
    """
    ident = sql.Identifier
    old_schema = OLD_PREFIX + new_schema.removeprefix(NEW_PREFIX)
    deadline = time.monotonic() + wait_seconds
    attempt = 0
    pause = 0.02
    while True:
        attempt += 1
        try:
            with conn.cursor() as cur:
                _lock_schema_nowait(cur, MART_SCHEMA)
                cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [MART_SCHEMA])
                if cur.fetchone() is not None:
                    cur.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(ident(MART_SCHEMA), ident(old_schema)))
                cur.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(ident(new_schema), ident(MART_SCHEMA)))
                now = datetime.now(UTC)
                cur.execute(sql.SQL("UPDATE {}.{} SET published_at = %s").format(ident(MART_SCHEMA), ident(BUILD_TABLE)), [now])
                cur.execute(sql.SQL("DELETE FROM {}.{}").format(ident(META_SCHEMA), ident(META_TABLE)))
                cur.execute(
                    sql.SQL("INSERT INTO {}.{} VALUES (%s, %s, %s)").format(ident(META_SCHEMA), ident(META_TABLE)),
                    [build, now, json.dumps(counts)],
                )
            conn.commit()
            return attempt
        except psycopg.errors.LockNotAvailable:
            conn.rollback()
            if time.monotonic() >= deadline:
                raise PostgresPublishFailed(
                    f"publishing waited {wait_seconds:.0f} s for readers to release schema {MART_SCHEMA} ({attempt} attempts); "
                    "the next run retries. The new build was not swapped in: the server still serves its previous build."
                ) from None
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)


def _drop_stale_schemas(conn: psycopg.Connection[Any], wait_seconds: float = 30.0) -> list[str]:
    """Drop the old build after a swap, and any schema a killed publish left behind; returns
    what is still there.

    Runs under the publish lock (``vocwh_publish.publish_lock``), so no other publish owns these schemas.  A
    reader may still touch an old table: a prepared statement (JDBC and psycopg prepare
    repeated queries) re-locks the tables of its cached plan before it notices they were
    renamed.  So the tables are locked with NOWAIT and retried, like the swap, and never
    waited on: a DROP waiting while holding some of the locks could deadlock with such a
    reader.  A schema still busy after ``wait_seconds`` is left for the next publish.
    """
    ident = sql.Identifier
    with conn.cursor() as cur:
        cur.execute(
            "SELECT nspname FROM pg_namespace WHERE left(nspname, %s) = %s OR left(nspname, %s) = %s ORDER BY nspname",
            [len(NEW_PREFIX), NEW_PREFIX, len(OLD_PREFIX), OLD_PREFIX],
        )
        names = [r[0] for r in cur.fetchall()]
    conn.commit()
    left = []
    for name in names:
        deadline = time.monotonic() + wait_seconds
        pause = 0.02
        while True:
            try:
                with conn.cursor() as cur:
                    _lock_schema_nowait(cur, name)
                    cur.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(ident(name)))
                conn.commit()
                break
            except psycopg.errors.LockNotAvailable:
                conn.rollback()
                if time.monotonic() >= deadline:
                    log.warning("schema %s is still read: the next publish drops it", name)
                    left.append(name)
                    break
                time.sleep(pause)
                pause = min(pause * 1.5, 0.5)
    return left
