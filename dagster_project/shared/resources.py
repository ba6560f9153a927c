"""The one resource every domain uses to find the landing folder, warehouse and PII key."""

from __future__ import annotations

import os

import dagster as dg

from dagster_project.shared.settings import Settings


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
