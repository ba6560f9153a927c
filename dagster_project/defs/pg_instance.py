"""Dagster's PostgreSQL storage, named by ``deploy/dagster-postgres.yaml``, keeping its connections.

dagster-postgres opens a new connection for every statement outside ``dagster-webserver``
(SQLAlchemy's ``NullPool``), so that many short-lived instances do not pile up idle
connections. A run is one long-lived instance that stores about 1,000 events, and each new
connection costs a server process and a password exchange (SCRAM-SHA-256, PostgreSQL 15's
default): the sample's run spent 13 of its 38 s opening them, 8 s after dbt's latest build
had ended.

Here the run and event-log stores do what the webserver makes them do
(``optimize_for_webserver``): one kept connection each, a few more only while it is busy,
replaced after an hour, without a statement timeout (a run's statements must not be cut
off). Closing the instance closes them, so the code server's short-lived instances (one per
sensor tick) still leave nothing open. The schedule store, used a few times per tick,
keeps dagster-postgres's behaviour: the instance never closes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.run_storage import PostgresRunStorage
from dagster_postgres.schedule_storage import PostgresScheduleStorage
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config

POOL_RECYCLE_SECONDS = 3600  # as dagster-webserver's default
POOL_MAX_OVERFLOW = 4  # a run uses one connection at a time; the daemon's threads a few


class _KeepsConnections:
    """For a dagster-postgres store: a pool of one kept connection, closed with the store."""

    _engine: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.optimize_for_webserver(statement_timeout=0, pool_recycle=POOL_RECYCLE_SECONDS, max_overflow=POOL_MAX_OVERFLOW)

    def optimize_for_webserver(self, statement_timeout: int, pool_recycle: int, max_overflow: int) -> None:
        replaced = self._engine  # the webserver sets its own pool: the kept connection goes
        super().optimize_for_webserver(statement_timeout, pool_recycle, max_overflow)  # type: ignore[misc]
        replaced.dispose()

    def dispose(self) -> None:
        super().dispose()  # type: ignore[misc]
        self._engine.dispose()


class KeptPostgresRunStorage(_KeepsConnections, PostgresRunStorage):
    pass


class KeptPostgresEventLogStorage(_KeepsConnections, PostgresEventLogStorage):
    pass


class PooledPostgresStorage(DagsterPostgresStorage):
    """``DagsterPostgresStorage`` with the run and event-log stores above (see the module
    docstring). Its own ``__init__``, because the parent's names its store classes."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: Any = None,
    ) -> None:
        self.postgres_url = postgres_url
        self.should_autocreate_tables = should_autocreate_tables
        self._inst_data = inst_data
        self._run_storage = KeptPostgresRunStorage(postgres_url, should_autocreate_tables, token_provider=token_provider)
        self._event_log_storage = KeptPostgresEventLogStorage(postgres_url, should_autocreate_tables, token_provider=token_provider)
        self._schedule_storage = PostgresScheduleStorage(postgres_url, should_autocreate_tables, token_provider=token_provider)
        super(DagsterPostgresStorage, self).__init__()  # past the parent's, which would make its own

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]) -> PooledPostgresStorage:  # type: ignore[override]
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
