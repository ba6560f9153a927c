"""Ingestion as Dagster assets: one step for the whole landing folder.

At national scale the folder holds tens of thousands of sheets, so ingestion is one
batch step (one database connection, one validation pass per template), not one step
per file. It materialises the current submissions of every template (the dbt sources),
the audit log and the stored validation results.
"""

import dagster as dg

from dagster_project.core.memory import release_freed_memory
from dagster_project.core.templates import TEMPLATES
from dagster_project.defs.checks import check_results, check_specs
from dagster_project.defs.resources import RunLockResource, VocwhResource
from dagster_project.store.load import run_ingest
from dagster_project.store.warehouse import connect, outstanding_problems

GROUP = "ingest"

SUBMISSION_SPECS = [
    dg.AssetSpec(
        ["submissions", t.key],
        description=f"{t.zh}（{t.submitted_by}报送）：每份报送的当前版本 / current version of every {t.key} submission",
        group_name=GROUP,
        kinds={"python", "duckdb"},
    )
    for t in TEMPLATES.values()
]
AUDIT_SPECS = [
    dg.AssetSpec(
        ["audit", "submissions"],
        description="报送日志：每个工作表一行 / submission log, one row per sheet (audit.submissions)",
        group_name=GROUP,
        kinds={"duckdb"},
    ),
    dg.AssetSpec(
        ["audit", "validation_results"],
        description="每次校验的每条期望结果 / every Great Expectations result of every sheet",
        group_name="validation",
        kinds={"duckdb"},
    ),
]


@dg.multi_asset(specs=[*SUBMISSION_SPECS, *AUDIT_SPECS], check_specs=check_specs(), can_subset=False, name="ingest_submissions")
def ingest_submissions(context: dg.AssetExecutionContext, vocwh: VocwhResource, run_lock: RunLockResource):  # type: ignore[no-untyped-def]
    """Read new or changed files under the landing folder, validate, version and store them."""
    report = run_ingest(vocwh.settings(), run_id=context.run.run_id)
    if report.pii_warning:
        context.log.warning(report.pii_warning)
    for o in report.outcomes:
        if o.status in ("rejected", "unrecognised", "unreadable") and not o.empty_sheet:
            context.log.warning(f"{o.status}: {o.file.rel} [{o.sheet or ''}] — {o.reasons[0] if o.reasons else ''}")
    for t in TEMPLATES.values():
        yield dg.MaterializeResult(
            asset_key=["submissions", t.key],
            metadata={
                "loaded": report.count("loaded", t.key),
                "duplicate": report.count("duplicate", t.key),
                "rejected": report.count("rejected", t.key),
                "superseded_now": report.count("superseded", t.key),
            },
        )
    yield dg.MaterializeResult(
        asset_key=["audit", "submissions"],
        metadata={
            "files_seen": report.files_seen,
            "files_unchanged_skipped": report.files_skipped,
            "sheets_processed": len(report.outcomes),
            "unreadable": report.count("unreadable"),
            "unrecognised": report.count("unrecognised"),
            "deferred": report.count("deferred"),
            "dev_pii_key": bool(report.pii_warning),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["audit", "validation_results"],
        metadata={"sheets_validated": sum(1 for o in report.outcomes if o.verdict is not None)},
    )
    with connect(vocwh.settings().warehouse_path, read_only=True) as con:
        outstanding = outstanding_problems(con, vocwh.settings().raw_dir)
    yield from check_results(report, outstanding)
    # The dbt builds run next, beside this process: not at ingestion's size (core/memory.py).
    # A run that read nothing has nothing to give back, and a full collection of the run
    # process would cost it 0.2 s.
    read_something = bool(report.outcomes)
    del report
    if read_something:
        release_freed_memory()
