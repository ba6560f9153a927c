"""Producing the reports: finance workbook and summary per year, receipts per batch.

Core logic (no Dagster): the command line (``publish.cli``) and the Dagster assets
(``publish.assets``) both call these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.publish.common import mart_years, open_readonly, relation_exists, safe_filename
from dagster_project.publish.finance import write_finance_workbook
from dagster_project.publish.receipts import select_batch, write_receipts
from dagster_project.publish.summary import write_summary_html
from dagster_project.shared.settings import Settings


def finance_paths(settings: Settings, year: int, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Where a year's workbook and summary go: ``reports/finance_<year>.xlsx``, ``reports/summary_<year>.html``."""
    d = out_dir or settings.reports_dir
    return d / f"finance_{year}.xlsx", d / f"summary_{year}.html"


def produce_reports(settings: Settings, years: Sequence[int] | None = None, out_dir: Path | None = None) -> dict[int, tuple[Path, Path]]:
    """Workbook and summary for each requested year (default: every year in the marts)."""
    out: dict[int, tuple[Path, Path]] = {}
    with open_readonly(settings.warehouse_path) as con:
        for year in years or mart_years(con):
            xlsx, html = finance_paths(settings, year, out_dir)
            out[year] = (write_finance_workbook(con, year, xlsx), write_summary_html(con, year, html))
    return out


def produce_receipts(settings: Settings, run_id: str | None = None, out_dir: Path | None = None) -> tuple[str | None, list[Path]]:
    """Receipts of one batch (default the latest) in ``reports/receipts/<batch>/``; returns (batch, paths)."""
    with open_readonly(settings.warehouse_path) as con:
        batch, rows = select_batch(con, run_id)
        if not rows:
            return batch, []
        if out_dir is None:
            label = batch or _batch_label(rows[0].get("processed_at"))
            out_dir = settings.reports_dir / "receipts" / safe_filename(label, 80)
        return batch, write_receipts(con, out_dir, batch)


def _batch_label(processed_at: object) -> str:
    return f"batch-{processed_at:%Y%m%dT%H%M%S}" if isinstance(processed_at, datetime) else "batch-unknown"


def affected_years(con: duckdb.DuckDBPyConnection, run_id: str) -> list[int] | None:
    """Years whose figures this run's dbt build may have changed, or None for all of them.

    Call it only when the marts were built in this run. A full build (first, or after the
    dbt project changed; ``audit.mart_build.selection`` is null) may change every year. An
    incremental one changes the years of the submissions this run loaded and every later
    year: yoy_decrease, the target's average to date and the funding tilt look back."""
    if not relation_exists(con, "audit", "mart_build"):
        return None
    build = con.execute("SELECT max(selection) FROM audit.mart_build").fetchone()
    if build is None or build[0] is None:
        return None
    first = con.execute(
        "SELECT min(year) FROM audit.submissions WHERE run_id = ? AND status IN ('loaded', 'superseded')", [run_id]
    ).fetchone()
    if first is None or first[0] is None:
        return None
    return [y for y in mart_years(con) if y >= first[0]]
