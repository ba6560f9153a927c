"""The vocwh code location: ingestion, validation, dbt marts and publishing in one graph."""

import dagster as dg

from dagster_project.defs.dbt import build_dbt_assets, dbt_resource
from dagster_project.defs.ingest import ingest_submissions
from dagster_project.defs.postgres import build_postgres_sensor, postgres_job, postgres_marts
from dagster_project.defs.publish import PUBLISH_ASSETS
from dagster_project.defs.resources import run_lock_resource, vocwh_resource
from dagster_project.defs.review import vocwh_review
from dagster_project.defs.run_summary import run_summary
from dagster_project.defs.sensors import build_schedule, build_sensor
from dagster_project.transform.dbt_project import APPROVED, LATEST

# One job over everything: the working DuckDB file takes one writer at a time, so the
# steps run in one process, one after another.
vocwh_job = dg.define_asset_job("vocwh_full", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor)

defs = dg.Definitions(
    assets=[ingest_submissions, build_dbt_assets(LATEST), build_dbt_assets(APPROVED), *PUBLISH_ASSETS, postgres_marts, run_summary],
    jobs=[vocwh_job, postgres_job, vocwh_review],
    sensors=[build_sensor(vocwh_job), build_postgres_sensor(vocwh_job.name)],
    schedules=[build_schedule(vocwh_job)],
    # run_lock: held by every run from its first step to its last (one run per warehouse).
    resources={"vocwh": vocwh_resource(), "run_lock": run_lock_resource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)
