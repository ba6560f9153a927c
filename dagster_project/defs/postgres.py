"""The PostgreSQL target as Dagster definitions: an asset after every build, and a sensor
that catches an empty or lagging server up when no build happens.

The asset waits on ``audit/mart_build`` like the snapshot, so it runs after each build of
the marts. A run in which no submission changed builds nothing, and Dagster then skips
every asset downstream of the marts: the sensor covers that case (a newly configured
server, or one that was down during the last build) by starting a run of the asset alone.

No ``from __future__ import annotations``: Dagster reads the ``context`` hint at definition time.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from dagster_project.defs.publish import GROUP, MART_BUILD_KEY
from dagster_project.defs.resources import VocwhResource
from dagster_project.publish.postgres import (
    PostgresPublishFailed,
    PostgresUnavailable,
    describe_server,
    postgres_is_behind,
    publish_postgres,
)

NOT_CONFIGURED = "VOCWH_POSTGRES_URL is not set: the marts are published as DuckDB/Parquet only, nothing goes to PostgreSQL"


@dg.asset(
    deps=[MART_BUILD_KEY],
    group_name=GROUP,
    kinds={"postgres"},
    output_required=False,
    description="PostgreSQL 上的数据集市（可选，VOCWH_POSTGRES_URL）/ the marts on a PostgreSQL server for BI tools, swapped in atomically",
)
def postgres_marts(context: dg.AssetExecutionContext, vocwh: VocwhResource) -> Iterator[Any]:
    """Publish the marts to PostgreSQL when the server is empty or behind; nothing without a URL."""
    settings = vocwh.settings()
    if not settings.postgres_url:
        context.log.info(NOT_CONFIGURED)
        return
    try:
        result = publish_postgres(settings)
    except (PostgresUnavailable, PostgresPublishFailed) as e:
        raise dg.Failure(description=str(e), metadata={"server": describe_server(settings.postgres_url)}) from None
    if not result.published:
        context.log.info(f"PostgreSQL at {result.server} already serves build {result.build_id}: nothing to publish")
        return
    yield dg.MaterializeResult(
        metadata={
            "server": result.server,
            "build_id": result.build_id,
            "previous_build_id": result.previous_build_id or "",
            "tables": dg.MetadataValue.json(result.tables),
            "swap_attempts": result.swap_attempts,
            "seconds": round(result.seconds, 2),
        }
    )


postgres_job = dg.define_asset_job(
    "vocwh_postgres_catch_up", selection=dg.AssetSelection.assets(postgres_marts), executor_def=dg.in_process_executor
)


def build_postgres_sensor(*watched_jobs: str) -> dg.SensorDefinition:
    """Every 5 minutes: if a PostgreSQL target is set and serves an older build (or none), and
    no run of ``watched_jobs`` is under way (that run publishes itself), start the catch-up job."""

    @dg.sensor(
        job=postgres_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING, name="postgres_catch_up_sensor"
    )
    def postgres_catch_up_sensor(context: dg.SensorEvaluationContext, vocwh: VocwhResource) -> dg.SensorResult | dg.SkipReason:
        settings = vocwh.settings()
        if not settings.postgres_url:
            return dg.SkipReason(NOT_CONFIGURED)
        busy = context.instance.get_runs(
            filters=dg.RunsFilter(
                job_name=None,
                statuses=[
                    dg.DagsterRunStatus.QUEUED,
                    dg.DagsterRunStatus.NOT_STARTED,
                    dg.DagsterRunStatus.STARTING,
                    dg.DagsterRunStatus.STARTED,
                ],
            ),
            limit=50,
        )
        if any(r.job_name in (*watched_jobs, postgres_job.name) for r in busy):
            return dg.SkipReason("a pipeline run is under way: it publishes to PostgreSQL itself")
        if not settings.warehouse_path.exists():
            return dg.SkipReason("no working database yet")
        try:
            behind, build, served = postgres_is_behind(settings, wait_seconds=0)
        except PostgresUnavailable as e:
            return dg.SkipReason(str(e))
        except Exception as e:  # the working database is locked by a writer: look again next tick
            return dg.SkipReason(f"cannot read the working database now ({type(e).__name__}): next tick")
        if not behind:
            return dg.SkipReason(f"PostgreSQL serves build {served or '-'}, the working build is {build or '-'}")
        return dg.SensorResult(run_requests=[dg.RunRequest(tags={"vocwh/build": build or ""})])

    return postgres_catch_up_sensor
