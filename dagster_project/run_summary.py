"""The short block a run ends with: what happened to the files, which marts were rebuilt,
where the outputs are. A run's log is long; this is what a clerk or an operator reads.

Read from the working database (what ingestion and the dbt build recorded for the run), so
it says what was stored, not what a step meant to do.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from dagster_project.core.settings import Settings
from dagster_project.publish.common import open_readonly
from dagster_project.publish.snapshot import snapshot_build
from dagster_project.store.warehouse import current_build_id

# The statuses a clerk acts on, in the order they are listed.
SHEET_STATUSES = ("loaded", "duplicate", "superseded", "rejected", "unreadable", "unrecognised")


@dataclass(frozen=True)
class RunSummary:
    files_seen: int | None
    files_unchanged: int | None
    sheets: dict[str, int]
    build: str  # "full", "templates: a, b", or "none"
    outputs: dict[str, str]
    # What was published where (issue 19): the build the snapshot holds, PostgreSQL's outcome.
    snapshot_build: str | None = None
    postgres: str = ""

    def lines(self) -> list[str]:
        files = "files: not counted"
        if self.files_seen is not None:
            files = f"files: seen {self.files_seen}, unchanged {self.files_unchanged or 0}"
        sheet_counts = ", ".join(f"{status} {self.sheets.get(status, 0)}" for status in SHEET_STATUSES)
        others = {k: v for k, v in self.sheets.items() if k not in SHEET_STATUSES}
        if others:
            sheet_counts += ", " + ", ".join(f"{k} {v}" for k, v in sorted(others.items()))
        return [
            "vocwh run summary / 本次运行小结",
            f"  {files}",
            f"  sheets: {sheet_counts}",
            f"  marts rebuilt: {self.build}",
            *(f"  {name}: {path}" for name, path in self.outputs.items()),
            f"  BI snapshot holds build: {self.snapshot_build or 'none (not published yet)'}",
            *([f"  PostgreSQL: {self.postgres}"] if self.postgres else []),
            f"  reasons for rejected, unreadable and unrecognised files: run `{vocwh_command()} status`",
        ]

    def text(self) -> str:
        return "\n".join(self.lines())


def postgres_outcome(
    settings: Settings, ran: bool, published_build: str | None = None, failure: str | None = None, current_build: str | None = None
) -> str:
    """PostgreSQL's line of the summary, from what its step did in the run: published, unchanged,
    failed with the reason, or not configured."""
    if not settings.postgres_url:
        return "not configured (VOCWH_POSTGRES_URL is not set)"
    if failure:
        return "failed: " + " ".join(failure.split())  # one line, as the summary is read
    if published_build:
        return f"published build {published_build}"
    if ran:
        return f"unchanged: the server already serves build {current_build or '-'}"
    return "not published in this run (the marts were not built; the catch-up sensor publishes when the server is behind)"


def vocwh_command() -> str:
    """How to call ``vocwh`` from here, as the README does: the script beside this Python
    (``.venv/bin/vocwh`` from the checkout), so that it works without an activated venv."""
    script = Path(sys.executable).parent / "vocwh"
    if not script.exists():
        return "vocwh"
    cwd = Path.cwd()
    below = script.is_relative_to(cwd) and cwd != Path(cwd.anchor)  # from / the full path reads better
    return str(script.relative_to(cwd)) if below else str(script)


def summarise_run(
    settings: Settings,
    run_id: str,
    files_seen: int | None = None,
    files_unchanged: int | None = None,
    postgres: str | None = None,
) -> RunSummary:
    """The summary of run ``run_id``; file counts come from the ingestion step, which alone saw
    them, and PostgreSQL's outcome (``postgres_outcome``) from its step."""
    with open_readonly(settings.warehouse_path) as con:
        sheets = dict(con.execute("SELECT status, count(*) FROM audit.submissions WHERE run_id = ? GROUP BY status", [run_id]).fetchall())
        builds = con.execute("SELECT selection FROM audit.dbt_builds WHERE run_id = ? ORDER BY built_at", [run_id]).fetchall()
        current = current_build_id(con)
    if postgres is None:
        postgres = postgres_outcome(settings, ran=False, current_build=current)
    if not builds:
        build = "none (nothing changed, or the build failed: see the log above)"
    elif any(selection is None for (selection,) in builds):
        build = "full"
    else:
        templates = sorted(
            {
                part.removeprefix("source:submissions.").rstrip("+")
                for (sel,) in builds
                for part in sel.split()
                if part.startswith("source:submissions.")
            }
        )
        build = "for " + ", ".join(templates)
    outputs = {
        "BI snapshot": str(settings.snapshot_path),
        "Parquet": str(settings.parquet_dir),
        "workbooks and summaries": str(settings.reports_dir),
        "receipts": str(settings.reports_dir / "receipts"),
    }
    return RunSummary(files_seen, files_unchanged, sheets, build, outputs, snapshot_build(settings), postgres)
