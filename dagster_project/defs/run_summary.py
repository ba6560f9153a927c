"""The run's last step: the summary block (see ``run_summary``), logged where the run ends.

No ``from __future__ import annotations``: Dagster inspects the ``context`` hint at definition time.
"""

import dagster as dg

from dagster_project.defs.publish import AUDIT_ASSET_KEY, GROUP
from dagster_project.defs.resources import VocwhResource
from dagster_project.publish.common import open_readonly
from dagster_project.run_summary import postgres_outcome, summarise_run
from dagster_project.store.warehouse import current_build_id

POSTGRES_STEP = "postgres_marts"


def _postgres_line(context: dg.AssetExecutionContext, vocwh: VocwhResource) -> str:
    """What the PostgreSQL step did in this run, from the run's events (issue 19)."""
    ran, published, failure = False, None, None
    for entry in context.instance.all_logs(context.run.run_id):
        event = entry.dagster_event
        if event is None or event.step_key != POSTGRES_STEP:
            continue
        if event.is_step_success:
            ran = True
        elif event.is_step_materialization:
            build = event.step_materialization_data.materialization.metadata.get("build_id")
            published = str(build.value) if build is not None else "?"
        elif event.is_step_failure:
            data = event.step_failure_data
            user = data.user_failure_data
            failure = (user.description if user and user.description else None) or (data.error.message.strip() if data.error else "?")
    settings = vocwh.settings()
    with open_readonly(settings.warehouse_path) as con:
        current = current_build_id(con)
    return postgres_outcome(settings, ran, published, failure, current)


@dg.asset(
    # On ingestion alone, so a run whose marts needed no build (dbt yields nothing and Dagster
    # skips what depends on it) or whose build failed still ends with its summary. The lowest
    # priority makes the in-process executor run it only when no other step is ready: last.
    deps=[AUDIT_ASSET_KEY],
    group_name=GROUP,
    op_tags={"dagster/priority": "-1000"},
    description="本次运行小结 / the run's summary: files, sheets by status, marts rebuilt, where the outputs are",
)
def run_summary(context: dg.AssetExecutionContext, vocwh: VocwhResource) -> dg.MaterializeResult:
    ingested = context.instance.get_latest_materialization_event(AUDIT_ASSET_KEY)
    meta = (
        ingested.asset_materialization.metadata
        if ingested and ingested.run_id == context.run.run_id and ingested.asset_materialization
        else {}
    )
    seen, unchanged = meta.get("files_seen"), meta.get("files_unchanged_skipped")
    summary = summarise_run(
        vocwh.settings(),
        context.run.run_id,
        files_seen=seen.value if seen is not None else None,
        files_unchanged=unchanged.value if unchanged is not None else None,
        postgres=_postgres_line(context, vocwh),
    )
    # INFO: nothing is wrong when a run ends (issue 21); the console shows INFO (dagster.yaml).
    context.log.info("\n" + summary.text())
    return dg.MaterializeResult(metadata={"summary": dg.MetadataValue.md("```\n" + summary.text() + "\n```"), **summary.sheets})
