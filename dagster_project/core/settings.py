"""Where things live, from the environment, with local defaults.

Every path the pipeline, the tests and the command-line tools use is derived here,
so a deployment changes three environment variables and nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

# A fixed, public development key: fine for demos, useless for protecting anyone.
DEV_PII_KEY = "vocwh-development-key-not-for-production"


# Limits on what one file may make the pipeline hold (defaults far above any real
# submission: the national-scale sample's largest sheet has a few thousand rows). Each can
# be overridden by the environment variable named in ``_LIMIT_ENV``.
DEFAULT_QUIET_SECONDS = 10.0
DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024  # a submission file on disk
DEFAULT_MAX_SHEET_XML_BYTES = 200 * 1024 * 1024  # one xlsx member, uncompressed
DEFAULT_MAX_SHEET_ROWS = 200_000
DEFAULT_MAX_SHEET_COLUMNS = 500
DEFAULT_MAX_SHEET_CELLS = 4_000_000  # rows x columns of a sheet's used area
DEFAULT_MAX_REASONS = 50  # per sheet in audit.submissions.reasons and receipts

_LIMIT_ENV = {
    "quiet_seconds": "VOCWH_QUIET_SECONDS",
    "max_file_bytes": "VOCWH_MAX_FILE_BYTES",
    "max_sheet_xml_bytes": "VOCWH_MAX_SHEET_XML_BYTES",
    "max_sheet_rows": "VOCWH_MAX_SHEET_ROWS",
    "max_sheet_columns": "VOCWH_MAX_SHEET_COLUMNS",
    "max_sheet_cells": "VOCWH_MAX_SHEET_CELLS",
    "max_reasons": "VOCWH_MAX_REASONS",
}


@dataclass(frozen=True)
class Limits:
    """How big a file or sheet may be before it is refused unread, and how long a file must
    have been left alone before it is read (a file still being copied is not data yet)."""

    quiet_seconds: float = DEFAULT_QUIET_SECONDS
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_sheet_xml_bytes: int = DEFAULT_MAX_SHEET_XML_BYTES
    max_sheet_rows: int = DEFAULT_MAX_SHEET_ROWS
    max_sheet_columns: int = DEFAULT_MAX_SHEET_COLUMNS
    max_sheet_cells: int = DEFAULT_MAX_SHEET_CELLS
    max_reasons: int = DEFAULT_MAX_REASONS

    @classmethod
    def from_env(cls, **overrides: float | int | None) -> Limits:
        values: dict[str, float | int] = {}
        for name, var in _LIMIT_ENV.items():
            given = overrides.get(name)
            if given is None and os.environ.get(var, "").strip():
                given = float(os.environ[var]) if name == "quiet_seconds" else int(os.environ[var])
            if given is not None:
                values[name] = given
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path
    pii_key: str
    # Optional PostgreSQL target for BI tools (a libpq URL); "" = DuckDB snapshot only.
    postgres_url: str = ""
    # Password given to the read-only role vocwh_bi; "" = the role cannot log in itself.
    postgres_bi_password: str = ""
    limits: Limits = field(default_factory=Limits)

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
    def from_env(cls, limits: Limits | None = None, **overrides: str | Path | None) -> Settings:
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
            limits=limits or Limits.from_env(),
        )
