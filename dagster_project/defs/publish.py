"""Publishing as Dagster assets: the BI snapshot, the finance reports, the receipts.

They run after the dbt marts (snapshot, reports) and after ingestion (receipts), and
record the paths they wrote in their metadata so the UI links straight to the files.

No ``from __future__ import annotations`` here: Dagster inspects the ``context`` type
hint at definition time and rejects it as a string.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import dagster as dg

from dagster_project.defs.dbt import MART_BUILD_KEY
from dagster_project.defs.resources import RunLockResource, VocwhResource
from dagster_project.publish.common import open_readonly
from dagster_project.publish.receipts import select_batch
from dagster_project.publish.reports import produce_receipts, produce_reports
from dagster_project.publish.snapshot import publish_snapshot, snapshot_build, sweep_snapshot_temps
from dagster_project.store.warehouse import current_build_id

GROUP = "publish"

# The ingestion multi-asset writes the submission log that receipts are made from.
AUDIT_ASSET_KEY = dg.AssetKey(["audit", "submissions"])

R = TypeVar("R")


def _or_fail(what: str, publish: Callable[[], R]) -> R:
    """A publish that fails fails the run (and the command exits non-zero), with a message
    the bureau's operator can act on; the previous outputs stay as they were."""
    try:
        return publish()
    except Exception as e:
        raise dg.Failure(
            description=f"发布{what}失败，原有文件保持不变，请排除原因后重新运行 (publishing the {what} failed): {type(e).__name__}: {e}",
            allow_retries=False,
        ) from e


def _marts_build(vocwh: VocwhResource) -> str | None:
    with open_readonly(vocwh.settings().warehouse_path) as con:
        return current_build_id(con)


# Each publishing asset yields a materialization only when it wrote something: a run
# with nothing new leaves the files, and the asset's last materialization, as they were.


@dg.asset(
    deps=[MART_BUILD_KEY],
    group_name=GROUP,
    kinds={"duckdb", "parquet"},
    output_required=False,
    description="BI 快照 marts.duckdb（DuckDB 1.1 可读）及 Parquet / read-only snapshot of the marts for BI tools, replaced atomically",
)
def bi_snapshot(context: dg.AssetExecutionContext, vocwh: VocwhResource, run_lock: RunLockResource) -> Iterator[dg.MaterializeResult]:
    """Copy the marts to ``marts.duckdb`` and ``parquet/`` unless they already hold the marts'
    build; refuses (fails) if the marts hold personal data."""
    settings = vocwh.settings()
    build = _marts_build(vocwh)
    swept = sweep_snapshot_temps(settings)
    if swept:
        context.log.info(f"removed temp files of a publish that did not finish: {[p.name for p in swept]}")
    held = snapshot_build(settings)
    if build is not None and held == build:
        context.log.info(f"snapshot already holds build {build}: not rewritten")
        return
    if held is not None:
        context.log.info(f"snapshot holds build {held}, the marts {build}: publishing")
    result = _or_fail("BI 快照 (BI snapshot)", lambda: publish_snapshot(settings, build))
    if result["missing_tables"]:
        context.log.warning(f"snapshot lacks contract marts: {', '.join(result['missing_tables'])}")
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(result["snapshot_path"]),
            "parquet_dir": dg.MetadataValue.path(str(settings.parquet_dir)),
            "tables": dg.MetadataValue.json(result["tables"]),
            "storage_version": result["storage_version"],
            "missing_tables": dg.MetadataValue.json(result["missing_tables"]),
            "build_id": build or "",
        },
        data_version=dg.DataVersion(build) if build else None,
    )


@dg.asset(
    deps=[MART_BUILD_KEY],
    group_name=GROUP,
    kinds={"excel", "html"},
    output_required=False,
    description="经费检查工作簿与年度概况（每个年度一份）/ finance workbook and HTML summary per year in the marts",
)
def finance_reports(context: dg.AssetExecutionContext, vocwh: VocwhResource, run_lock: RunLockResource) -> Iterator[dg.MaterializeResult]:
    """One workbook and one summary page per year present in the marts. Each is compared
    with what its file already shows and written only if different, so a run after a crash
    writes what is missing or behind, and a run with nothing new writes nothing."""
    settings = vocwh.settings()
    build = _marts_build(vocwh)
    written: list[Path] = []
    made = _or_fail("经费检查工作簿 (finance reports)", lambda: produce_reports(settings, written=written))
    if not made:
        context.log.warning("no year in the marts: no report written")
    if not written:
        context.log.info(f"every workbook and summary already shows build {build}: none rewritten")
        return
    metadata: dict[str, Any] = {"years": dg.MetadataValue.json(sorted(made)), "written": dg.MetadataValue.json([p.name for p in written])}
    for year, (xlsx, html) in made.items():
        metadata[f"workbook_{year}"] = dg.MetadataValue.path(str(xlsx))
        metadata[f"summary_{year}"] = dg.MetadataValue.path(str(html))
    metadata["build_id"] = build or ""
    yield dg.MaterializeResult(metadata=metadata, data_version=dg.DataVersion(build) if build else None)


# After the marts too: a receipt names its school from marts.schools, which a registry in the
# same run may have just changed, and ends with what its submitter still owes (the mart
# submission_status), as of this run (the dbt step reports mart_build even when nothing was built).
@dg.asset(
    deps=[AUDIT_ASSET_KEY, MART_BUILD_KEY],
    group_name=GROUP,
    kinds={"html"},
    output_required=False,
    description="报送回执：每个报送单位一份 / receipts (回执) for every submitter of the run's batch",
)
def receipts(context: dg.AssetExecutionContext, vocwh: VocwhResource, run_lock: RunLockResource) -> Iterator[dg.MaterializeResult]:
    """Receipts for this run's submissions; if this run ingested nothing, for the latest batch
    (written only where missing or different: a crashed run's receipts get completed)."""
    settings = vocwh.settings()
    run_id: str | None = context.run.run_id
    with open_readonly(settings.warehouse_path) as con:
        if not select_batch(con, run_id)[1]:
            run_id = None
    written: list[Path] = []
    batch, paths = _or_fail("报送回执 (receipts)", lambda: produce_receipts(settings, run_id, written=written))
    if not paths:
        context.log.info("no submission recorded yet: no receipt written")
    if not written:
        if paths:
            context.log.info(f"the {len(paths)} receipts of batch {batch} are written already: none rewritten")
        return
    yield dg.MaterializeResult(
        metadata={
            "batch": batch or "",
            "receipts": len(paths),
            "written": len(written),
            "folder": dg.MetadataValue.path(str(paths[0].parent)),
            "files": dg.MetadataValue.json([p.name for p in paths]),
        }
    )


# The review log's state and who owes each template: dbt reads them (submission_status, the
# workbook's approval note), the review commands and the ingestion write them. Declared here,
# after ingestion, so that the UI shows them with their lineage and a materialization per run
# rather than as external assets "never materialized" (issue 21).
REVIEW_STATE_KEY = dg.AssetKey(["audit", "review_state"])
TEMPLATE_SUBMITTERS_KEY = dg.AssetKey(["audit", "template_submitters"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            REVIEW_STATE_KEY,
            deps=[AUDIT_ASSET_KEY],
            group_name="ingest",
            kinds={"duckdb"},
            description="审核审批状态：每个（报表、报送单位、年度）的当前版本、已审批版本、是否锁定 / review and approval state (audit.review_state, from the review log: vocwh review/approve/reopen)",
        ),
        dg.AssetSpec(
            TEMPLATE_SUBMITTERS_KEY,
            deps=[AUDIT_ASSET_KEY],
            group_name="ingest",
            kinds={"duckdb"},
            description="每个报表由谁报送（学校、县区、拨款单位、市局）/ who owes each template (audit.template_submitters, from core/templates.py)",
        ),
    ],
    name="audit_state",
)
def audit_state(vocwh: VocwhResource) -> Iterator[dg.MaterializeResult]:
    """Both tables as the run leaves them: per year, the submissions received, approved and
    waiting for approval (what the finance workbook's note says), and the templates."""
    with open_readonly(vocwh.settings().warehouse_path) as con:
        years = con.execute(
            """
            SELECT year, count(*),
                   count(*) FILTER (WHERE approved_submission_id IS NOT NULL),
                   count(*) FILTER (WHERE approved_submission_id IS DISTINCT FROM current_submission_id)
            FROM audit.review_state WHERE current_submission_id IS NOT NULL GROUP BY year ORDER BY year
            """
        ).fetchall()
        templates = con.execute("SELECT count(*) FROM audit.template_submitters").fetchone()
    table = "\n".join(["| 年度 year | 报送 received | 已审批 approved | 待审批 waiting |", "|---|---|---|---|"])
    table += "".join(f"\n| {y} | {n} | {a} | {w} |" for y, n, a, w in years)
    yield dg.MaterializeResult(
        asset_key=REVIEW_STATE_KEY,
        metadata={"by_year": dg.MetadataValue.md(table), "waiting": sum(w for *_, w in years)},
    )
    yield dg.MaterializeResult(asset_key=TEMPLATE_SUBMITTERS_KEY, metadata={"templates": templates[0] if templates else 0})


PUBLISH_ASSETS = [bi_snapshot, finance_reports, receipts, audit_state]
