"""Dagster's event log as deploy/dagster.yaml configures it (defs.instance): one SQLite
connection per database file, reused for every event, instead of a new one per event (issue 17).
What matters besides the count: another process sees every event at once, files stay few, and
a wipe really empties the log."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import event
from sqlalchemy.engine import Engine

from dagster_project.defs.instance import ReusingSqliteEventLogStorage, SerialisedSqliteStorage


def _entry(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
        step_key=None,
        job_name="vocwh_full",
        dagster_event=None,
    )


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """The database file of every SQLite connection opened while the test runs."""
    files: list[str] = []

    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        files.append(dbapi_connection.execute("PRAGMA database_list").fetchone()[2])

    event.listen(Engine, "connect", _on_connect)
    yield files
    event.remove(Engine, "connect", _on_connect)


def test_a_run_of_events_opens_its_database_once(tmp_path: Path, opened: list[str]) -> None:
    storage = ReusingSqliteEventLogStorage(str(tmp_path))
    opened.clear()  # the index database, created when the storage opens
    for i in range(200):
        storage.store_event(_entry("run-a", f"event {i}"))
    # Dagster's own storage opens a connection per event (200 here); this one, one per file.
    assert opened == [str(tmp_path / "run-a.db")]
    storage.dispose()


def test_another_process_sees_every_event_at_once(tmp_path: Path) -> None:
    writer = ReusingSqliteEventLogStorage(str(tmp_path))
    for i in range(5):
        writer.store_event(_entry("run-b", f"学校 {i} 已读取"))
    # a second storage on the same folder stands for the UI or the daemon: Dagster's own class
    reader = SqliteEventLogStorage(str(tmp_path))
    assert [e.user_message for e in reader.get_logs_for_run("run-b")] == [f"学校 {i} 已读取" for i in range(5)]
    writer.store_event(_entry("run-b", "last"))  # written while the reader's storage is open
    assert [e.user_message for e in reader.get_logs_for_run("run-b")][-1] == "last"
    writer.dispose()


def test_only_the_latest_files_stay_open(tmp_path: Path) -> None:
    storage = ReusingSqliteEventLogStorage(str(tmp_path))
    runs = [f"run-{i:02d}" for i in range(12)]
    for run_id in runs:
        storage.store_event(_entry(run_id, run_id))
    assert list(storage._engines) == runs[-ReusingSqliteEventLogStorage._KEEP :]
    # a run whose connection was closed is opened again when read
    assert [e.user_message for e in storage.get_logs_for_run("run-00")] == ["run-00"]
    storage.dispose()
    assert storage._engines == {}


def test_wipe_empties_the_log_and_it_takes_new_events(tmp_path: Path) -> None:
    storage = ReusingSqliteEventLogStorage(str(tmp_path))
    storage.store_event(_entry("run-c", "before"))
    storage.wipe()
    assert not (tmp_path / "run-c.db").exists()
    assert storage.get_logs_for_run("run-c") == []
    storage.store_event(_entry("run-c", "after"))
    assert [e.user_message for e in storage.get_logs_for_run("run-c")] == ["after"]
    storage.dispose()


def test_the_configured_storage_uses_it(tmp_path: Path) -> None:
    storage = SerialisedSqliteStorage.from_local(base_dir=str(tmp_path))
    assert type(storage.event_log_storage) is ReusingSqliteEventLogStorage
