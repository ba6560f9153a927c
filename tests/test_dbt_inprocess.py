"""dbt run inside the pipeline's process (``transform.dbt_inprocess``), with the real dbt: what
a build step reports comes from the events it collects, and the process must get back its
working folder, its environment and the database file."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.core.settings import DBT_PROJECT_DIR, Settings
from dagster_project.transform.dbt_inprocess import invoke
from dagster_project.transform.dbt_project import LATEST, dbt_env, machine_parse

pytestmark = pytest.mark.slow


def _target(tmp_path: Path) -> list[str]:
    target = tmp_path / "target"
    target.mkdir()
    shutil.copyfile(machine_parse(LATEST) / "partial_parse.msgpack", target / "partial_parse.msgpack")
    return ["--target-path", str(target), "--log-path", str(tmp_path / "logs")]


def test_a_build_in_this_process_reports_each_node_and_lets_go_of_the_database(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    cwd, environ = os.getcwd(), dict(os.environ)
    done = invoke(
        ["seed", "--select", "policy_parameters policy_award_standards", *_target(tmp_path)],
        wh,
        dbt_env(Settings.from_env(warehouse_dir=wh)),
    )
    assert done.success and done.errors == []
    results = sorted((e["info"]["name"], e["data"]["node_info"]["unique_id"], e["data"]["status"]) for e in done.events)
    assert results == [
        ("LogSeedResult", "seed.vocwh.policy_award_standards", "success"),
        ("LogSeedResult", "seed.vocwh.policy_parameters", "success"),
    ]
    assert (os.getcwd(), dict(os.environ)) == (cwd, environ)
    # the same process opens the file next, read-only: dbt-duckdb's connection is closed
    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    try:
        for seed in ("policy_award_standards", "policy_parameters"):
            with (DBT_PROJECT_DIR / "seeds" / f"{seed}.csv").open(encoding="utf-8", newline="") as f:
                rows = sum(1 for _ in csv.reader(f)) - 1  # the header
            assert con.execute(f"SELECT count(*) FROM seeds.{seed}").fetchone() == (rows,)
    finally:
        con.close()


def test_a_failing_build_in_this_process_says_why(tmp_path: Path) -> None:
    wh = tmp_path / "wh"  # nothing ingested: the staging model's source is missing
    done = invoke(["run", "--select", "stg_submissions__enrollments", *_target(tmp_path)], wh, dbt_env(Settings.from_env(warehouse_dir=wh)))
    assert not done.success
    assert any("submissions" in e and "enrollment" in e for e in done.errors), done.errors
    assert [e["data"]["status"] for e in done.events] == ["error"]
