"""The Dagster side: one graph and the landing-folder sensor (the CLI run on the sample is in
test_postgres.py, on a PostgreSQL-backed instance)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from dagster_project.defs.resources import VocwhResource
from dagster_project.defs.sensors import build_sensor
from tests.conftest import registry_rows, write_xlsx


def test_definitions_load_as_one_graph() -> None:
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"submissions/enrollment", "audit/submissions", "marts/per_student_funding", "marts/award_entitlements"} <= keys
    # dbt's staging model reads the ingestion asset: the UI shows one graph.
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey(["staging", "stg_submissions__enrollments"])).parent_keys}
    assert parents == {"submissions/enrollment"}
    checks = {c.name for c in graph.asset_check_keys}
    assert "great_expectations_suite" in checks
    assert any(name.startswith(("unique", "not_null", "grain")) for name in checks)  # dbt tests as checks


def test_sensor_runs_once_per_folder_content(tmp_path: Path) -> None:
    job = dg.define_asset_job("j", selection="*")
    sensor = build_sensor(job)
    raw = tmp_path / "raw"
    path = write_xlsx(raw / "名录.xlsx", {"s": registry_rows()})
    resources = {"vocwh": VocwhResource(raw_dir=str(raw), warehouse_dir=str(tmp_path / "wh"))}

    first = sensor(dg.build_sensor_context(resources=resources))
    assert len(first.run_requests) == 1
    key = first.run_requests[0].run_key
    # Nothing new: no run. Touched with the same bytes: still no run.
    os.utime(path, ns=(1_800_000_000_000_000_000,) * 2)
    again = sensor(dg.build_sensor_context(resources=resources, cursor=first.cursor))
    assert again.run_requests == []
    # New content: a run with a new key.
    write_xlsx(raw / "名录2023.xlsx", {"s": registry_rows(2023)})
    third = sensor(dg.build_sensor_context(resources=resources, cursor=again.cursor))
    assert len(third.run_requests) == 1 and third.run_requests[0].run_key != key


# The CLI run on the committed sample (the README's main command, from raw files to the snapshot
# and the finance workbooks) is test_postgres.py's test_the_job_on_a_postgres_backed_dagster_instance:
# one run of the whole pipeline serves both.
