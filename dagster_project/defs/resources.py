"""The one resource every domain uses to find the landing folder, warehouse and PII key."""

from __future__ import annotations

import os

import dagster as dg
from pydantic import PrivateAttr

from dagster_project.core import runlock
from dagster_project.core.settings import Settings


class VocwhResource(dg.ConfigurableResource):
    """Paths and the PII key; empty strings mean the local defaults of ``Settings.from_env``."""

    raw_dir: str = ""
    warehouse_dir: str = ""
    pii_key: str = ""
    postgres_url: str = ""
    postgres_bi_password: str = ""

    def settings(self) -> Settings:
        return Settings.from_env(
            raw_dir=self.raw_dir or None,
            warehouse_dir=self.warehouse_dir or None,
            pii_key=self.pii_key or None,
            postgres_url=self.postgres_url or None,
            postgres_bi_password=self.postgres_bi_password or None,
        )


def env_or_default(name: str) -> dg.EnvVar | str:
    """``dg.EnvVar`` when the variable is set (so secrets stay out of the UI), else "" = default."""
    return dg.EnvVar(name) if os.environ.get(name) else ""


def vocwh_resource() -> VocwhResource:
    return VocwhResource(
        raw_dir=env_or_default("VOCWH_RAW_DIR"),
        warehouse_dir=env_or_default("VOCWH_WAREHOUSE_DIR"),
        pii_key=env_or_default("VOCWH_PII_KEY"),
        postgres_url=env_or_default("VOCWH_POSTGRES_URL"),
        postgres_bi_password=env_or_default("VOCWH_POSTGRES_BI_PASSWORD"),
    )


class RunLockResource(dg.ConfigurableResource):
    """Holds the warehouse's run lock from the first step of a run to its end.

    Every vocwh asset requires it, and the job runs in one process, so Dagster sets it
    up once before the first step and tears it down after the last: a second run on the
    same warehouse waits for the first (``VOCWH_RUN_LOCK_TIMEOUT`` seconds, default an
    hour; 0 = give up at once) and then fails with "another run is in progress". Sensors
    and the UI never take it: only runs do."""

    vocwh: VocwhResource
    _took: bool = PrivateAttr(default=False)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run_id = context.dagster_run.run_id if context.dagster_run else ""
        log = context.log.info if context.log else None
        try:
            self._took = runlock.acquire(self.vocwh.settings().warehouse_dir, f"Dagster run {run_id}", on_wait=log)
        except runlock.RunInProgress as e:
            raise dg.Failure(description=str(e)) from None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._took:  # not if this process held it before the run (a caller's own lock)
            runlock.release(self.vocwh.settings().warehouse_dir)


def run_lock_resource() -> RunLockResource:
    return RunLockResource(vocwh=vocwh_resource())
