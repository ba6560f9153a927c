"""The publishing assets and command line against a scratch warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.publish.assets import MART_ASSET_KEYS, PUBLISH_ASSETS, bi_snapshot, finance_reports, receipts
from dagster_project.publish.cli import main
from dagster_project.publish.scratch import build_scratch_warehouse
from dagster_project.shared.resources import RunLockResource, VocwhResource
from dagster_project.transform.dbt import DBT_PROJECT


def test_assets_materialise(tmp_path: Path) -> None:
    settings = build_scratch_warehouse(tmp_path / "wh")
    vocwh = VocwhResource(warehouse_dir=str(settings.warehouse_dir))
    result = dg.materialize(PUBLISH_ASSETS, resources={"vocwh": vocwh, "run_lock": RunLockResource(vocwh=vocwh)})
    assert result.success
    snap = result.asset_materializations_for_node(bi_snapshot.op.name)[0].metadata
    assert Path(snap["path"].value) == settings.snapshot_path and settings.snapshot_path.exists()
    reports = result.asset_materializations_for_node(finance_reports.op.name)[0].metadata
    assert reports["years"].value == [2021, 2022, 2023, 2024]
    assert Path(reports["workbook_2024"].value).name == "finance_2024.xlsx" and Path(reports["workbook_2024"].value).exists()
    assert Path(reports["summary_2024"].value).exists()
    rec = result.asset_materializations_for_node(receipts.op.name)[0].metadata
    # this Dagster run ingested nothing, so the latest batch gets its receipts
    assert rec["batch"].value == "run-1" and rec["receipts"].value == 6
    assert Path(rec["folder"].value) == settings.reports_dir / "receipts" / "run-1"


def test_mart_asset_keys_match_the_dbt_project() -> None:
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists():
        pytest.skip("dbt manifest not built")
    from dagster_project.transform.dbt import TRANSLATOR

    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    keys = {TRANSLATOR.get_asset_key(n) for n in nodes if n["resource_type"] == "model"}
    assert set(MART_ASSET_KEYS) <= keys, sorted(set(MART_ASSET_KEYS) - keys)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = build_scratch_warehouse(tmp_path / "wh")
    wh = ["--warehouse-dir", str(settings.warehouse_dir)]
    assert main(["reports", *wh, "--year", "2024", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "finance_2024.xlsx").exists() and (tmp_path / "out" / "summary_2024.html").exists()
    assert main(["receipts", *wh, "--run-id", "run-0"]) == 0
    assert len(list((settings.reports_dir / "receipts" / "run-0").glob("*.html"))) == 1
    assert main(["all", *wh]) == 0
    assert settings.snapshot_path.exists() and (settings.reports_dir / "finance_2023.xlsx").exists()
    assert "finance_2024.xlsx" in capsys.readouterr().out
