"""Where things live, from the environment, with local defaults.

Every path the pipeline, the tests and the command-line tools use is derived here,
so a deployment changes three environment variables and nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

# A fixed, public development key: fine for demos, useless for protecting anyone.
DEV_PII_KEY = "vocwh-development-key-not-for-production"


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path
    pii_key: str
    # Optional PostgreSQL target for BI tools (a libpq URL); "" = DuckDB snapshot only.
    postgres_url: str = ""
    # Password given to the read-only role vocwh_bi; "" = the role cannot log in itself.
    postgres_bi_password: str = ""

    @property
    def warehouse_path(self) -> Path:
        """The working database: the pipeline's alone, one writer at a time."""
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def snapshot_path(self) -> Path:
        """The read-only snapshot published for BI tools."""
        return self.warehouse_dir / "marts.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse_dir / "parquet"

    @property
    def reports_dir(self) -> Path:
        """Finance workbooks, HTML summaries and receipts."""
        return self.warehouse_dir / "reports"

    @property
    def using_dev_key(self) -> bool:
        return self.pii_key == DEV_PII_KEY

    @classmethod
    def from_env(cls, **overrides: str | Path | None) -> Settings:
        raw = overrides.get("raw_dir") or os.environ.get("VOCWH_RAW_DIR") or PROJECT_ROOT / "raw"
        wh = overrides.get("warehouse_dir") or os.environ.get("VOCWH_WAREHOUSE_DIR") or PROJECT_ROOT / "warehouse"
        key = overrides.get("pii_key") or os.environ.get("VOCWH_PII_KEY") or DEV_PII_KEY
        pg_url = overrides.get("postgres_url") or os.environ.get("VOCWH_POSTGRES_URL") or ""
        bi_pw = overrides.get("postgres_bi_password") or os.environ.get("VOCWH_POSTGRES_BI_PASSWORD") or ""
        return cls(
            raw_dir=Path(raw).resolve(),
            warehouse_dir=Path(wh).resolve(),
            pii_key=str(key),
            postgres_url=str(pg_url),
            postgres_bi_password=str(bi_pw),
        )
