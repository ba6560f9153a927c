"""The publishing assets and command line, on a copy of the real build (``published_city``)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from dagster_project.core.settings import Settings
from dagster_project.defs.publish import PUBLISH_ASSETS, bi_snapshot, finance_reports, receipts
from dagster_project.defs.resources import RunLockResource, VocwhResource
from dagster_project.publish.cli import main


def test_assets_materialise(city_copy: Settings) -> None:
    settings = city_copy
    vocwh = VocwhResource(warehouse_dir=str(settings.warehouse_dir))
    result = dg.materialize(PUBLISH_ASSETS, resources={"vocwh": vocwh, "run_lock": RunLockResource(vocwh=vocwh)})
    assert result.success
    snap = result.asset_materializations_for_node(bi_snapshot.op.name)[0].metadata
    assert Path(snap["path"].value) == settings.snapshot_path and settings.snapshot_path.exists()
    reports = result.asset_materializations_for_node(finance_reports.op.name)[0].metadata
    # the marts were not built in this run: every year is written
    assert reports["years"].value == [2023, 2024, 2025]
    assert Path(reports["workbook_2024"].value).name == "finance_2024.xlsx" and Path(reports["workbook_2024"].value).exists()
    assert Path(reports["summary_2024"].value).exists()
    rec = result.asset_materializations_for_node(receipts.op.name)[0].metadata
    # this Dagster run ingested nothing, so the latest batch gets its receipts: published_city's
    # second ingest, the one correction after the lock (LOCKED_SCHOOL), one receipt
    assert rec["batch"].value.startswith("manual-") and rec["receipts"].value == 1
    assert Path(rec["folder"].value) == settings.reports_dir / "receipts" / rec["batch"].value


def test_cli(city_copy: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = city_copy
    wh = ["--warehouse-dir", str(settings.warehouse_dir)]
    assert main(["reports", *wh, "--year", "2024", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "finance_2024.xlsx").exists() and (tmp_path / "out" / "summary_2024.html").exists()
    assert main(["receipts", *wh, "--run-id", "no-such-run"]) == 1
    assert main(["all", *wh]) == 0
    assert settings.snapshot_path.exists() and (settings.reports_dir / "finance_2023.xlsx").exists()
    assert "finance_2024.xlsx" in capsys.readouterr().out
