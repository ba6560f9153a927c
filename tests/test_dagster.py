"""The Dagster side: one graph, the landing-folder sensor, and the CLI run on the sample."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.core.settings import PROJECT_ROOT
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


@pytest.mark.e2e
def test_cli_materializes_the_sample_city(tmp_path: Path) -> None:
    """The README's main command, on the committed sample, from raw files to the snapshot."""
    env = {
        **os.environ,
        "VOCWH_RAW_DIR": str(PROJECT_ROOT / "raw"),
        "VOCWH_WAREHOUSE_DIR": str(tmp_path / "wh"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    (tmp_path / "dagster_home").mkdir()
    dagster = Path(sys.executable).parent / "dagster"
    cmd = [str(dagster), "asset", "materialize", "-m", "dagster_project.definitions", "--select", "*"]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    con = duckdb.connect(str(tmp_path / "wh" / "warehouse.duckdb"), read_only=True)
    try:
        statuses = dict(con.execute("SELECT status, count(*) FROM audit.submissions GROUP BY status").fetchall())
        assert statuses.get("loaded", 0) > 40
        assert {"rejected", "unreadable", "unrecognised", "duplicate", "superseded"} <= set(statuses)
        assert con.execute("SELECT count(*) FROM marts.per_student_funding").fetchone()[0] > 0
    finally:
        con.close()
    snap = duckdb.connect(str(tmp_path / "wh" / "marts.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in snap.execute("SHOW TABLES").fetchall()}  # the default schema, as BI tools see it
        assert "award_entitlements" in tables and "schools" in tables
        assert snap.execute("SELECT count(*) FROM marts.award_entitlements").fetchone()[0] > 0
    finally:
        snap.close()
    assert sorted(p.name for p in (tmp_path / "wh" / "reports").glob("finance_*.xlsx")) == ["finance_2023.xlsx", "finance_2024.xlsx"]
