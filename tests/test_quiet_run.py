"""Issue 21, items 5 and 6: a run says what matters, and only that; `dg dev` does not start a
run as it opens. (The documented run itself, with its summary at INFO and its one-line report
of the checks not run, is tests/test_documented_commands.py.)"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.cli import main, production_key_refusal
from dagster_project.core.settings import Settings
from dagster_project.definitions import ChecksNotRunFilter
from dagster_project.defs.resources import VocwhResource
from dagster_project.defs.sensors import build_sensor
from dagster_project.run_summary import vocwh_command
from dagster_project.store.load import run_ingest
from tests.conftest import registry_rows, write_xlsx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFUSAL = (
    "错误：VOCWH_ENV=production，但未设置 VOCWH_PII_KEY（身份证号哈希密钥），拒绝运行。请设置后重试。\n"
    "Error: VOCWH_ENV=production and VOCWH_PII_KEY is not set: refusing to run. Set it and run again.\n"
)


def test_the_list_of_checks_not_run_is_said_in_one_line() -> None:
    checks = ", ".join(f"'marts__check_{i}'" for i in range(447))
    record = logging.LogRecord(
        "dagster",
        logging.INFO,
        "",
        0,
        f"__ASSET_JOB - r1 - vocwh_dbt - op 'vocwh_dbt' did not yield or return expected outputs {{{checks}}}.",
        None,
        None,
    )
    assert ChecksNotRunFilter().filter(record)
    assert record.getMessage() == (
        "__ASSET_JOB - r1 - vocwh_dbt - op 'vocwh_dbt': 447 checks not run (their models were not rebuilt; their last results stand)"
    )
    other = logging.LogRecord("dagster", logging.INFO, "", 0, "vocwh_dbt - latest figures: full dbt build", None, None)
    assert ChecksNotRunFilter().filter(other) and other.getMessage() == "vocwh_dbt - latest figures: full dbt build"
    # Dagster makes its console logger itself, of Python's logger class: ours carries the filter.
    assert any(isinstance(f, ChecksNotRunFilter) for f in logging.getLoggerClass()("dagster").filters)


def test_production_without_a_key_stops_before_dagster_with_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "VOCWH_PII_KEY")}
    env.update(VOCWH_ENV="production", VOCWH_RAW_DIR=str(tmp_path / "raw"), VOCWH_WAREHOUSE_DIR=str(tmp_path / "wh"))
    cmd = [str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m", "dagster_project.definitions", "--select", "*"]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.endswith(REFUSAL) and "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "wh").exists()  # nothing started

    monkeypatch.setenv("VOCWH_ENV", "production")
    monkeypatch.delenv("VOCWH_PII_KEY", raising=False)
    assert production_key_refusal() == REFUSAL.rstrip("\n")
    assert main(["ingest"]) == 1
    monkeypatch.setenv("VOCWH_PII_KEY", "a-real-key")
    assert production_key_refusal() is None
    monkeypatch.setenv("VOCWH_ENV", "development")
    monkeypatch.delenv("VOCWH_PII_KEY")
    assert production_key_refusal() is None  # the development key, with its warning


def test_the_summary_names_vocwh_as_it_can_be_called(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the checkout, the summary says `.venv/bin/vocwh status`, as the README does."""
    script = Path(sys.executable).parent / "vocwh"
    monkeypatch.chdir(script.parent.parent.parent)
    assert vocwh_command() == str(script.relative_to(script.parent.parent.parent))
    monkeypatch.chdir("/")
    assert vocwh_command() == str(script)


def test_the_sensor_does_not_start_a_run_for_files_already_read(tmp_path: Path) -> None:
    """The first tick (`dg dev` opening after `dg launch`) starts a run only for a file never read."""
    raw = tmp_path / "raw"
    write_xlsx(raw / "名录.xlsx", {"s": registry_rows()})
    settings = Settings.from_env(raw_dir=raw, warehouse_dir=tmp_path / "wh", pii_key="k")
    resources = {"vocwh": VocwhResource(raw_dir=str(raw), warehouse_dir=str(tmp_path / "wh"))}
    sensor = build_sensor(dg.define_asset_job("j", selection="*"))

    assert len(sensor(dg.build_sensor_context(resources=resources)).run_requests) == 1  # nothing read yet
    run_ingest(settings)
    first = sensor(dg.build_sensor_context(resources=resources))
    assert first.run_requests == [] and "read by an earlier run" in first.skip_reason.skip_message  # type: ignore[union-attr]
    write_xlsx(raw / "名录2023.xlsx", {"s": registry_rows(2023)})
    assert len(sensor(dg.build_sensor_context(resources=resources)).run_requests) == 1  # a new file
    assert len(sensor(dg.build_sensor_context(resources=resources, cursor=first.cursor)).run_requests) == 1


def test_postgres_is_declared_only_when_configured() -> None:
    """Without VOCWH_POSTGRES_URL the UI shows no PostgreSQL asset that is never materialized."""
    code = (
        "from dagster_project.definitions import defs; import dagster as dg;"
        "keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()};"
        "print('postgres_marts' in keys, [s.name for s in defs.sensors])"
    )
    env = {k: v for k, v in os.environ.items() if k != "VOCWH_POSTGRES_URL"}
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "False ['landing_folder_sensor']", out.stderr[-2000:]
    env["VOCWH_POSTGRES_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "True ['landing_folder_sensor', 'postgres_catch_up_sensor']", out.stderr[-2000:]


def test_the_audit_tables_dbt_reads_are_assets_with_lineage(tmp_path: Path) -> None:
    """audit/review_state and audit/template_submitters were external assets "never materialized"
    in the UI: now they follow ingestion and report, per year, received, approved and waiting."""
    from dagster_project.defs.publish import REVIEW_STATE_KEY, TEMPLATE_SUBMITTERS_KEY, audit_state
    from dagster_project.defs.resources import RunLockResource

    raw = tmp_path / "raw"
    write_xlsx(raw / "名录.xlsx", {"s": registry_rows()})
    run_ingest(Settings.from_env(raw_dir=raw, warehouse_dir=tmp_path / "wh", pii_key="k"))
    vocwh = VocwhResource(raw_dir=str(raw), warehouse_dir=str(tmp_path / "wh"))
    result = dg.materialize([audit_state], resources={"vocwh": vocwh, "run_lock": RunLockResource(vocwh=vocwh)})
    events = {e.asset_key: e.metadata for e in result.asset_materializations_for_node("audit_state")}
    assert "| 2024 | 1 | 0 | 1 |" in events[REVIEW_STATE_KEY]["by_year"].value  # the registry, received, not approved
    assert events[REVIEW_STATE_KEY]["waiting"].value == 1
    assert events[TEMPLATE_SUBMITTERS_KEY]["templates"].value >= 8
    assert audit_state.asset_deps[REVIEW_STATE_KEY] == {dg.AssetKey(["audit", "submissions"])}
