"""Publish the marts as ``marts.duckdb`` and Parquet files for BI tools.

The snapshot is built aside and renamed onto ``marts.duckdb`` in one step.  On Linux a
rename never disturbs a reader: a BI tool holding the old file keeps reading the old
inode, and the next open sees the new build whole.  Nothing is renamed until the new
build is complete and verified, so any failure leaves the previous snapshot as it was.

BI drivers ship older DuckDB builds than the pipeline, so the file is written with
storage version v1.1.0 (DuckDB's on-disk format number 64, which DuckDB 1.1 reads).

In the working database the marts live in schema ``marts``; in ``marts.duckdb`` they live
in the default schema ``main`` (marts.md). A file named ``marts.duckdb`` opens as catalog
``marts``, so on a direct connection both ``per_student_funding`` and
``marts.per_student_funding`` resolve to the table and ``SHOW TABLES`` lists it.  The
tables published are the models of schema ``marts`` in the dbt manifest, with the dbt
descriptions as comments and as Parquet key-value metadata, plus one table ``vocwh_build``
saying which build the file holds (a copied or renamed file loses its sidecar record).
"""

from __future__ import annotations

import json
import logging
import struct
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.core.files import atomic_write_bytes, replace_atomically, sweep_temp_files, temp_path
from dagster_project.core.pii import is_pii_column, pii_value_patterns
from dagster_project.core.runlock import holds_run_lock
from dagster_project.core.settings import Settings
from dagster_project.store.warehouse import current_build_id, wait_while_locked
from dagster_project.transform.build import build_time
from dagster_project.transform.dbt_project import MART_SCHEMA, Model, mart_models

log = logging.getLogger(__name__)

# What the snapshot is written as, and the on-disk format number that DuckDB 1.1 can read.
STORAGE_VERSION = "v1.1.0"
READABLE_BY_DUCKDB_11 = 64

# Schema of the tables inside marts.duckdb: the file's default one.
SNAPSHOT_SCHEMA = "main"

# Beside the marts, in marts.duckdb and in PostgreSQL's schema marts: which build a reader
# is looking at, with the same id as marts.duckdb.build.json, the Parquet metadata and the
# workbooks' properties (the dbt build's, ``transform.build.new_build_id``). One row.
BUILD_TABLE = "vocwh_build"
BUILD_COLUMNS = (("build_id", "VARCHAR"), ("built_at", "TIMESTAMP WITH TIME ZONE"), ("published_at", "TIMESTAMP WITH TIME ZONE"))
BUILD_TABLE_DOC = (
    "本库所含构建 which build of the marts this database holds: one row, with the build id that "
    "marts.duckdb.build.json, the Parquet files, the finance workbooks and the PostgreSQL copy also carry"
)
BUILD_COLUMN_DOCS = {
    "build_id": "构建编号 build id: when dbt built the marts (UTC) and the first 8 characters of the Dagster run",
    "built_at": "构建时间 when that dbt build was logged as done",
    "published_at": "发布时间 when this copy was published",
}


class PublishRefused(RuntimeError):
    """The marts are not fit to publish (personal data, nothing to publish, wrong format)."""


def storage_version_number(path: Path) -> int:
    """The on-disk format number in a DuckDB file's header (bytes 12-20 after the ``DUCK`` magic)."""
    with path.open("rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[8:12] != b"DUCK":
        raise ValueError(f"not a DuckDB database file: {path}")
    return int(struct.unpack("<Q", head[12:20])[0])


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _remove(*paths: Path) -> None:
    for p in paths:
        with suppress(FileNotFoundError):
            p.unlink()


def build_record_path(settings: Settings) -> Path:
    """Beside the snapshot: which build it holds. Written only after the snapshot and every
    Parquet file are in place, so it never claims a build the files do not hold (a crash
    in between leaves the older id, and the next run publishes again)."""
    return settings.snapshot_path.with_name(settings.snapshot_path.name + ".build.json")


def snapshot_build(settings: Settings) -> str | None:
    """The build the published snapshot holds, or None if there is none or it is incomplete."""
    try:
        record = json.loads(build_record_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = [settings.snapshot_path, *(settings.parquet_dir / f"{t}.parquet" for t in record.get("tables", {}))]
    if not all(p.exists() for p in files):
        return None
    build = record.get("build_id")
    return str(build) if build else None


def sweep_snapshot_temps(settings: Settings) -> list[Path]:
    """Temp files of a publisher that died (kill -9): half a snapshot, its WAL, half Parquet files."""
    held = holds_run_lock(settings.warehouse_dir)
    return [
        *sweep_temp_files(settings.snapshot_path.parent, f"{settings.snapshot_path.name}.tmp-*", run_lock_held=held),
        *sweep_temp_files(settings.parquet_dir, "*.parquet.tmp-*", run_lock_held=held),
    ]


def list_mart_tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str = SNAPSHOT_SCHEMA) -> list[str]:
    """Tables and views of a schema of an attached database (the snapshot's), in the order of the marts."""
    order = [m.published_as for m in mart_models()]
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = ? ORDER BY table_name",
            [catalog, schema],
        ).fetchall()
    ]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def published_relations(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, Model]:
    """What every BI target publishes, by the name BI sees: the marts of both builds that are
    present in the working database (attached as ``catalog``), each with its dbt model,
    which says where it lives (``marts.x``, or ``approved_marts.x`` for ``x_approved``). A
    leftover table of a renamed model is not published."""
    present = set(
        con.execute("SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = ?", [catalog]).fetchall()
    )
    return {m.published_as: m for m in mart_models() if (m.schema, m.name) in present}


def published_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return list(published_relations(con, catalog))


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    return [
        (r[0], r[1])
        for r in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [catalog, schema, table],
        ).fetchall()
    ]


def check_no_personal_data(con: duckdb.DuckDBPyConnection, catalog: str, tables: dict[str, tuple[str, str]]) -> None:
    """Refuse names and ID numbers: by column name, and by value for text columns (a mask or an ID).
    ``tables``: published name -> (schema, table) in ``catalog``.

    The patterns are the project's one definition (``shared.pii``, from dbt_project.yml)."""
    problems: list[str] = []
    patterns = pii_value_patterns()
    for t, (schema, table) in tables.items():
        cols = _columns(con, catalog, schema, table)
        problems += [f"{t}.{c}: column name looks like personal data" for c, _ in cols if is_pii_column(c)]
        for c, typ in cols:
            if typ.upper().startswith("VARCHAR"):
                ref = f"{_q(catalog)}.{_q(schema)}.{_q(table)}"
                cond = " OR ".join(f"regexp_matches({_q(c)}, ?)" for _ in patterns)
                n = con.execute(f"SELECT count(*) FROM {ref} WHERE {cond}", patterns).fetchone()
                if n and n[0]:
                    problems.append(f"{t}.{c}: {n[0]} value(s) look like an ID number or a masked one")
    if problems:
        raise PublishRefused("personal data must not be published in the BI snapshot:\n" + "\n".join(problems))


def publish_snapshot(settings: Settings, build_id: str | None = None) -> dict[str, Any]:
    """Copy the dbt marts of the working database to ``marts.duckdb`` and Parquet, atomically,
    as build ``build_id`` (default: the working database's current build).

    Returns what was published: paths, tables with their row counts, the storage version.
    Raises ``PublishRefused`` (and publishes nothing) if the marts hold personal data or
    there is no mart at all; any other failure likewise leaves the previous snapshot intact.
    """
    src = settings.warehouse_path
    dest = settings.snapshot_path
    pq_dir = settings.parquet_dir
    if not src.exists():
        raise FileNotFoundError(f"working database not found: {src}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    pq_dir.mkdir(parents=True, exist_ok=True)
    sweep_snapshot_temps(settings)

    tmp = temp_path(dest)
    tmp_wal = tmp.with_name(tmp.name + ".wal")
    pq_tmps: dict[str, Path] = {}
    _remove(tmp, tmp_wal)
    con = duckdb.connect(":memory:")
    try:
        _attach_source(con, src)
        contract = {m.published_as: m for m in mart_models()}
        relations = published_relations(con, "wh")
        tables = list(relations)
        if not tables:
            raise PublishRefused(f"schema {MART_SCHEMA} of {src} holds no mart of the dbt project: nothing to publish")
        check_no_personal_data(con, "wh", {t: (m.schema, m.name) for t, m in relations.items()})

        # The caller's build id (read before it decided to publish), else the marts' current one.
        build_id = build_id or current_build_id(con, "wh")
        published = datetime.now(UTC).replace(microsecond=0)
        build_row = (build_id, build_time(con, build_id, "wh") if build_id else None, published)
        counts = _build_snapshot(con, tables, tmp, contract, build_row)
        _write_parquet(con, tables, pq_dir, pq_tmps, contract, build_id)
        _verify(con, tmp, counts)
        con.close()

        version = storage_version_number(tmp)
        if version != READABLE_BY_DUCKDB_11:
            raise PublishRefused(f"snapshot written with storage format {version}, DuckDB 1.1 reads only {READABLE_BY_DUCKDB_11}")
        if tmp_wal.exists():
            raise RuntimeError(f"snapshot left a write-ahead log behind: {tmp_wal}")

        # Every build step is done: only renames from here on.  A stale WAL next to the
        # snapshot would be replayed against the new file, so it goes first.
        _remove(dest.with_name(dest.name + ".wal"))
        replace_atomically(tmp, dest)
        parquet: dict[str, str] = {}
        for t, p in pq_tmps.items():
            final = pq_dir / f"{t}.parquet"
            replace_atomically(p, final)
            parquet[t] = str(final)
        removed = _remove_stale_parquet(pq_dir, set(tables))
    except BaseException:
        with suppress(Exception):
            con.close()
        _remove(tmp, tmp_wal, *pq_tmps.values())
        raise

    published_at = published.isoformat(timespec="seconds")
    record = {"build_id": build_id, "published_at": published_at, "tables": counts}
    atomic_write_bytes(build_record_path(settings), json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    missing = [t for t in contract if t not in counts]
    if missing:
        log.warning("published snapshot lacks contract mart(s): %s", ", ".join(missing))
    return {
        "snapshot_path": str(dest),
        "parquet": parquet,
        "tables": counts,
        "missing_tables": missing,
        "removed_parquet": removed,
        "storage_version": STORAGE_VERSION,
        "storage_version_number": READABLE_BY_DUCKDB_11,
        "published_at": published_at,
        "build_id": build_id,
    }


def _attach_source(con: duckdb.DuckDBPyConnection, src: Path, wait_seconds: float = 60.0) -> None:
    """Attach the working database read-only, waiting out a writer (dbt, ingest) that still holds it."""
    wait_while_locked(lambda: con.execute(f"ATTACH {_lit(str(src))} AS wh (READ_ONLY)"), wait_seconds)


def _build_snapshot(
    con: duckdb.DuckDBPyConnection,
    tables: list[str],
    tmp: Path,
    contract: dict[str, Model],
    build_row: tuple[str | None, datetime | None, datetime],
) -> dict[str, int]:
    """Write the tables into the new file's default schema, v1.1 format, and ``vocwh_build``;
    one transaction, then checkpoint. Returns the marts' row counts."""
    con.execute(f"ATTACH {_lit(str(tmp))} AS snap (STORAGE_VERSION {_lit(STORAGE_VERSION)})")
    con.execute("BEGIN TRANSACTION")
    for t in tables:
        m = contract[t]
        con.execute(f"CREATE TABLE snap.{SNAPSHOT_SCHEMA}.{_q(t)} AS SELECT * FROM wh.{_q(m.schema)}.{_q(m.name)}")
        table_doc, column_docs = descriptions(con, t, contract.get(t))
        target = f"snap.{SNAPSHOT_SCHEMA}.{_q(t)}"
        if table_doc:
            con.execute(f"COMMENT ON TABLE {target} IS {_lit(table_doc)}")
        for col, doc in column_docs.items():
            con.execute(f"COMMENT ON COLUMN {target}.{_q(col)} IS {_lit(doc)}")
    target = f"snap.{SNAPSHOT_SCHEMA}.{BUILD_TABLE}"
    con.execute(f"CREATE TABLE {target} ({', '.join(f'{c} {t}' for c, t in BUILD_COLUMNS)})")
    con.execute(f"INSERT INTO {target} VALUES (?, ?, ?)", list(build_row))
    con.execute(f"COMMENT ON TABLE {target} IS {_lit(BUILD_TABLE_DOC)}")
    for col, doc in BUILD_COLUMN_DOCS.items():
        con.execute(f"COMMENT ON COLUMN {target}.{col} IS {_lit(doc)}")
    con.execute("COMMIT")
    counts = {t: int(con.execute(f"SELECT count(*) FROM snap.{SNAPSHOT_SCHEMA}.{_q(t)}").fetchone()[0]) for t in tables}  # type: ignore[index]
    con.execute("CHECKPOINT snap")
    return counts


def descriptions(con: duckdb.DuckDBPyConnection, table: str, model: Model | None, catalog: str = "wh") -> tuple[str, dict[str, str]]:
    """A mart's table and column descriptions: the comments dbt persisted in the working
    database (attached as ``catalog``), else the manifest's (the same yml text), for the
    columns the table has. Every BI target (snapshot, Parquet, PostgreSQL) shows these.
    An approved mart's table description is the manifest's, which says so."""
    schema, table = (model.schema, model.name) if model else (MART_SCHEMA, table)
    if model and model.published_as != model.name:
        row = None
    else:
        row = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? AND table_name = ? "
            "UNION ALL SELECT comment FROM duckdb_views() WHERE database_name = ? AND schema_name = ? AND view_name = ?",
            [catalog, schema, table, catalog, schema, table],
        ).fetchone()
    table_doc = ((row[0] if row else None) or (model.description if model else "")).strip()
    columns: dict[str, str] = {}
    for col, comment in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? AND table_name = ? "
        "ORDER BY column_index",
        [catalog, schema, table],
    ).fetchall():
        doc = (comment or (model.columns.get(col) if model else None) or "").strip()
        if doc:
            columns[col] = doc
    return table_doc, columns


def _write_parquet(
    con: duckdb.DuckDBPyConnection,
    tables: list[str],
    pq_dir: Path,
    out: dict[str, Path],
    contract: dict[str, Model],
    build_id: str | None = None,
) -> None:
    """Parquet from the new snapshot itself, so files and database hold the same build;
    each file names that build in its key-value metadata (``vocwh_build_id``).

    The descriptions go into the file's key-value metadata: ``description`` (the table's)
    and ``column_descriptions`` (JSON, column -> description), readable with pyarrow
    (``schema.metadata``) or DuckDB (``parquet_kv_metadata``).
    Each temp path is recorded in ``out`` before it is written, so a failure midway
    still knows every file to clean up.
    """
    for t in tables:
        p = temp_path(pq_dir / f"{t}.parquet")
        out[t] = p
        table_doc, column_docs = descriptions(con, t, contract.get(t))
        kv = {
            "vocwh_build_id": build_id or "",
            "table": t,
            "description": table_doc,
            "column_descriptions": json.dumps(column_docs, ensure_ascii=False),
        }
        kv_sql = "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in kv.items()) + "}"
        con.execute(f"COPY snap.{SNAPSHOT_SCHEMA}.{_q(t)} TO {_lit(str(p))} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {kv_sql})")


def _verify(con: duckdb.DuckDBPyConnection, tmp: Path, counts: dict[str, int]) -> None:
    """Reopen the closed file read-only and check it holds exactly what was meant, before it goes live."""
    con.execute("DETACH snap")
    con.execute(f"ATTACH {_lit(str(tmp))} AS chk (READ_ONLY)")
    try:
        tables = list_mart_tables(con, "chk", SNAPSHOT_SCHEMA)
        if set(tables) != {*counts, BUILD_TABLE}:
            raise RuntimeError(f"snapshot tables {tables} differ from the built ones {sorted(counts)} and {BUILD_TABLE}")
        for t, n in counts.items():
            got = con.execute(f"SELECT count(*) FROM chk.{SNAPSHOT_SCHEMA}.{_q(t)}").fetchone()
            if not got or got[0] != n:
                raise RuntimeError(f"snapshot table {t} has {got} rows, expected {n}")
        others = con.execute(
            "SELECT DISTINCT schema_name FROM duckdb_schemas() WHERE database_name = 'chk' AND schema_name <> ?",
            [SNAPSHOT_SCHEMA],
        ).fetchall()
        if others:
            raise RuntimeError(f"snapshot holds unexpected schemas {others}")
        check_no_personal_data(con, "chk", {t: (SNAPSHOT_SCHEMA, t) for t in tables})
    finally:
        con.execute("DETACH chk")


def _remove_stale_parquet(pq_dir: Path, tables: set[str]) -> list[str]:
    """The Parquet folder mirrors the snapshot: a mart that no longer exists loses its file."""
    removed = []
    for p in pq_dir.glob("*.parquet"):
        if p.stem not in tables:
            _remove(p)
            removed.append(str(p))
    return removed
