"""Producing the reports: finance workbook and summary per year, receipts per batch.

Core logic (no Dagster): the command line (``publish.cli``) and the Dagster assets
(``publish.assets``) both call these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from dagster_project.core.files import sweep_temp_files
from dagster_project.core.runlock import holds_run_lock
from dagster_project.core.settings import Settings
from dagster_project.publish.common import current_outputs, mart_years, open_readonly, record_outputs, safe_filename
from dagster_project.publish.finance import write_finance_workbook
from dagster_project.publish.receipts import select_batch, write_receipts
from dagster_project.publish.rounds import write_outstanding_html
from dagster_project.publish.summary import write_summary_html
from dagster_project.store.warehouse import current_build_id


def finance_paths(settings: Settings, year: int, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Where a year's workbook and summary go: ``reports/finance_<year>.xlsx``, ``reports/summary_<year>.html``."""
    d = out_dir or settings.reports_dir
    return d / f"finance_{year}.xlsx", d / f"summary_{year}.html"


def rendered_records(settings: Settings) -> Path:
    """Where the records of what each output folder was rendered from live (publish.common)."""
    return settings.warehouse_dir / ".rendered"


def sweep_report_temps(settings: Settings) -> list[Path]:
    """Half-written workbooks, pages and receipts of a publisher that died (kill -9)."""
    return sweep_temp_files(settings.reports_dir, "*.tmp-*", recursive=True, run_lock_held=holds_run_lock(settings.warehouse_dir))


def produce_reports(
    settings: Settings, years: Sequence[int] | None = None, out_dir: Path | None = None, written: list[Path] | None = None
) -> dict[int, tuple[Path, Path]]:
    """Workbook and summary for each requested year (default: every year in the marts).

    Each records the build it was made from; one that already shows the same is left
    alone. The paths actually written are appended to ``written``."""
    sweep_report_temps(settings)
    out: dict[int, tuple[Path, Path]] = {}
    with open_readonly(settings.warehouse_path) as con:
        build = current_build_id(con)
        for year in years or mart_years(con):
            xlsx, html = finance_paths(settings, year, out_dir)
            outstanding = xlsx.parent / f"outstanding_{year}.html"
            group = f"reports-{year}"
            if current_outputs(xlsx.parent, group, build, rendered_records(settings)) is None:
                out[year] = (write_finance_workbook(con, year, xlsx, build, written), write_summary_html(con, year, html, build, written))
                # 催报 page (issue 10) beside them: who still owes what, per county
                write_outstanding_html(con, year, outstanding, build, written)
                record_outputs(xlsx.parent, group, build, [xlsx, html, outstanding], rendered_records(settings))
            else:
                out[year] = (xlsx, html)
    return out


def produce_receipts(
    settings: Settings, run_id: str | None = None, out_dir: Path | None = None, written: list[Path] | None = None
) -> tuple[str | None, list[Path]]:
    """Receipts of one batch (default the latest) in ``reports/receipts/<batch>/``; returns (batch, paths).
    Receipts that already say the same are left alone; those written are appended to ``written``."""
    sweep_report_temps(settings)
    with open_readonly(settings.warehouse_path) as con:
        batch, rows = select_batch(con, run_id)
        if not rows:
            return batch, []
        if out_dir is None:
            label = batch or _batch_label(rows[0].get("processed_at"))
            out_dir = settings.reports_dir / "receipts" / safe_filename(label, 80)
        build = current_build_id(con)
        paths = current_outputs(out_dir, "receipts", build, rendered_records(settings))
        if paths is None:
            paths = write_receipts(con, out_dir, batch, written)
            record_outputs(out_dir, "receipts", build, paths, rendered_records(settings))
        return batch, paths


def _batch_label(processed_at: object) -> str:
    return f"batch-{processed_at:%Y%m%dT%H%M%S}" if isinstance(processed_at, datetime) else "batch-unknown"
