"""The Dagster instance classes named by ``deploy/dagster.yaml``: what a crash or two
processes starting at once need from Dagster's own bookkeeping, on one machine.

- ``SerialisedSqliteStorage``: Dagster's SQLite storage creates its tables when the
  first process opens a fresh ``DAGSTER_HOME``. Two processes doing that at the same
  moment both create them, and one fails (``table secondary_indexes already exists``).
  This subclass holds an ``flock`` on ``<base_dir>/.init.lock`` while it opens, so the
  second process finds the tables made.
  It also turns off SQLite's fsync on commit (``PRAGMA synchronous=OFF``) for Dagster's
  bookkeeping: Dagster opens, writes and closes a database for every event, and a run
  logs one "planned" event per asset and asset check before its first step. On this
  project's disks each fsync took about 13 ms, and the unchanged run spent most of its
  time there (issue 17). A killed process loses nothing; only an operating-system crash
  or power cut can damage the run history, which is then rebuilt by deleting the storage
  folder. The warehouse itself is DuckDB and keeps its own guarantees.
  Its event log keeps one open connection per database file (``ReusingSqliteEventLogStorage``):
  Dagster's own makes a new engine and connection for every event, and a run stores about
  1,000 events (one planned event and one result per asset and check); the unchanged
  province run spent 6 of its 25 s opening and closing them (issue 17).
- ``LocalRunLauncher``: Dagster's default launcher cannot tell run monitoring whether a
  run's process is alive, so a run killed with -9 stays STARTED forever. Every run's
  RUN_START event records the pid of the process executing it (the CLI for ``dagster
  asset materialize``, the run worker for a launched run); this launcher answers the
  monitoring daemon from that pid. One machine only: a pid means nothing elsewhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any, Self

from dagster import DagsterEventType, DagsterRun
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus
from dagster._core.launcher.default_run_launcher import DefaultRunLauncher
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from dagster_project.core.files import pid_alive


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


class ReusingSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log, keeping the last few database files open.

    Every use goes through ``_connect`` under the storage's own lock, so one connection per
    file serves all threads (``StaticPool``, ``check_same_thread=False``); each use is still its
    own transaction, committed at once, so other processes (the UI, the daemon) see every
    event as before. A forked child opens its own; a wipe closes them before deleting files."""

    _KEEP = 8  # the index, this run's shard and a few runs the UI or the daemon reads

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():  # forked: the parent's connections are not ours
            self._engines, self._engines_pid = OrderedDict(), os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            self._engines[shard] = engine
            while len(self._engines) > self._KEEP:
                self._engines.popitem(last=False)[1].dispose()
        self._engines.move_to_end(shard)
        return engine

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # asked for every check event; a table once there stays (a wipe empties, not drops)
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _close_all(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_all()
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()


class SerialisedSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage, opened by one process at a time, without fsync on commit,
    its event log reusing connections (see the module docstring)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(base_dir, inst_data)
        self._event_log_storage = ReusingSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]) -> Self:  # type: ignore[override]
        if not event.contains(Engine, "connect", _no_fsync):
            event.listen(Engine, "connect", _no_fsync)
        base_dir = str(config_value["base_dir"])
        os.makedirs(base_dir, exist_ok=True)
        with open(os.path.join(base_dir, ".init.lock"), "a", encoding="utf-8") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                return cls.from_local(base_dir=base_dir, inst_data=inst_data)
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def run_process_id(instance: Any, run_id: str) -> int | None:
    """The pid that executes a run, from its RUN_START event (None before it started)."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_START, limit=1).records
    if not records or records[0].event_log_entry.dagster_event is None:
        return None
    return records[0].event_log_entry.dagster_event.pid


class LocalRunLauncher(DefaultRunLauncher):
    """The default launcher, plus a worker health check for run monitoring (see the module docstring)."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        pid = run_process_id(self._instance, run.run_id)
        if pid is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "run has not logged its start yet")
        if pid_alive(pid):
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"process {pid} is running", run_worker_id=str(pid))
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"运行进程 {pid} 已不存在（被终止或崩溃），本次运行记为失败，下次运行会补做 (the run's process {pid} is gone: killed or crashed)",
            run_worker_id=str(pid),
        )
