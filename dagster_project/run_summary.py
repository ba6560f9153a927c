"""The short block a run ends with: what happened to the files, which marts were rebuilt,
where the outputs are. A run's log is long; this is what a clerk or an operator reads.

Read from the working database (what ingestion and the dbt build recorded for the run), so
it says what was stored, not what a step meant to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.core.settings import Settings
from dagster_project.publish.common import open_readonly

# The statuses a clerk acts on, in the order they are listed.
SHEET_STATUSES = ("loaded", "duplicate", "superseded", "rejected", "unreadable", "unrecognised")


@dataclass(frozen=True)
class RunSummary:
    files_seen: int | None
    files_unchanged: int | None
    sheets: dict[str, int]
    build: str  # "full", "templates: a, b", or "none"
    outputs: dict[str, str]

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
            "  reasons for rejected, unreadable and unrecognised files: run `vocwh status`",
        ]

    def text(self) -> str:
        return "\n".join(self.lines())


def summarise_run(settings: Settings, run_id: str, files_seen: int | None = None, files_unchanged: int | None = None) -> RunSummary:
    """The summary of run ``run_id``; file counts come from the ingestion step, which alone saw them."""
    with open_readonly(settings.warehouse_path) as con:
        sheets = dict(con.execute("SELECT status, count(*) FROM audit.submissions WHERE run_id = ? GROUP BY status", [run_id]).fetchall())
        builds = con.execute("SELECT selection FROM audit.dbt_builds WHERE run_id = ? ORDER BY built_at", [run_id]).fetchall()
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
    return RunSummary(files_seen, files_unchanged, sheets, build, outputs)
