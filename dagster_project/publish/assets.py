"""Publishing as Dagster assets: the BI snapshot, the finance reports, the receipts.

They run after the dbt marts (snapshot, reports) and after ingestion (receipts), and
record the paths they wrote in their metadata so the UI links straight to the files.

No ``from __future__ import annotations`` here: Dagster inspects the ``context`` type
hint at definition time and rejects it as a string.
"""

from typing import Any

import dagster as dg

from dagster_project.publish.common import open_readonly
from dagster_project.publish.receipts import select_batch
from dagster_project.publish.reports import affected_years, produce_receipts, produce_reports
from dagster_project.publish.snapshot import publish_snapshot
from dagster_project.shared.resources import VocwhResource

GROUP = "publish"

# The dbt model that every published model (marts and the restricted payout list) feeds: a build that rebuilds only the marts a new
# submission affects still rebuilds it, so publishing waits on it alone (Dagster skips
# an asset when any of its upstream assets was skipped in the run).
MART_BUILD_KEY = dg.AssetKey(["audit", "mart_build"])
# The ingestion multi-asset writes the submission log that receipts are made from.
AUDIT_ASSET_KEY = dg.AssetKey(["audit", "submissions"])


@dg.asset(
    deps=[MART_BUILD_KEY],
    group_name=GROUP,
    kinds={"duckdb", "parquet"},
    description="BI 快照 marts.duckdb（DuckDB 1.1 可读）及 Parquet / read-only snapshot of the marts for BI tools, replaced atomically",
)
def bi_snapshot(context: dg.AssetExecutionContext, vocwh: VocwhResource) -> dg.MaterializeResult:
    """Copy the marts to ``marts.duckdb`` and ``parquet/``; refuses (fails) if they hold personal data."""
    result = publish_snapshot(vocwh.settings())
    if result["missing_tables"]:
        context.log.warning(f"snapshot lacks contract marts: {', '.join(result['missing_tables'])}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(result["snapshot_path"]),
            "parquet_dir": dg.MetadataValue.path(str(vocwh.settings().parquet_dir)),
            "tables": dg.MetadataValue.json(result["tables"]),
            "storage_version": result["storage_version"],
            "missing_tables": dg.MetadataValue.json(result["missing_tables"]),
        }
    )


@dg.asset(
    deps=[MART_BUILD_KEY],
    group_name=GROUP,
    kinds={"excel", "html"},
    description="经费检查工作簿与年度概况（每个年度一份）/ finance workbook and HTML summary per year in the marts",
)
def finance_reports(context: dg.AssetExecutionContext, vocwh: VocwhResource) -> dg.MaterializeResult:
    """One workbook and one summary page per year present in the marts; after an incremental
    build, only the years it can have changed."""
    settings = vocwh.settings()
    years: list[int] | None = None
    if _built_in_this_run(context, MART_BUILD_KEY):
        with open_readonly(settings.warehouse_path) as con:
            years = affected_years(con, context.run.run_id)
    if years is not None:
        context.log.info(f"incremental build: rewriting reports for {years or 'no year'}")
    made = produce_reports(settings, years) if years != [] else {}
    if not made:
        context.log.warning("no year in the marts: no report written")
    metadata: dict[str, Any] = {"years": dg.MetadataValue.json(sorted(made))}
    for year, (xlsx, html) in made.items():
        metadata[f"workbook_{year}"] = dg.MetadataValue.path(str(xlsx))
        metadata[f"summary_{year}"] = dg.MetadataValue.path(str(html))
    return dg.MaterializeResult(metadata=metadata)


def _built_in_this_run(context: dg.AssetExecutionContext, key: dg.AssetKey) -> bool:
    """Whether the dbt build of this run materialised ``key``: otherwise (reports asked for
    alone, say) every year is rewritten."""
    event = context.instance.get_latest_materialization_event(key)
    return event is not None and event.run_id == context.run.run_id


@dg.asset(
    deps=[AUDIT_ASSET_KEY],
    group_name=GROUP,
    kinds={"html"},
    description="报送回执：每个报送单位一份 / receipts (回执) for every submitter of the run's batch",
)
def receipts(context: dg.AssetExecutionContext, vocwh: VocwhResource) -> dg.MaterializeResult:
    """Receipts for this run's submissions; if this run ingested nothing, for the latest batch."""
    settings = vocwh.settings()
    run_id: str | None = context.run.run_id
    with open_readonly(settings.warehouse_path) as con:
        if not select_batch(con, run_id)[1]:
            run_id = None
    batch, paths = produce_receipts(settings, run_id)
    if not paths:
        context.log.info("no submission recorded yet: no receipt written")
    return dg.MaterializeResult(
        metadata={
            "batch": batch or "",
            "receipts": len(paths),
            "folder": dg.MetadataValue.path(str(paths[0].parent)) if paths else "",
            "files": dg.MetadataValue.json([p.name for p in paths]),
        }
    )


PUBLISH_ASSETS = [bi_snapshot, finance_reports, receipts]
