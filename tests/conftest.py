"""Shared test helpers: writing small submission files the way offices do."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
import xlsxwriter

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from dagster_project.ingest.pipeline import IngestReport, run_ingest
from dagster_project.shared.settings import Settings

Row = Sequence[Any]

SCHOOL_A = "4122020001"
SCHOOL_B = "4122040002"
REGISTRY_HEADER = ["年度", "学校标识码", "学校名称", "所在县区代码", "办学层次", "举办者", "是否附设综合高中"]


def registry_rows(year: int = 2024, extra: Sequence[Row] = ()) -> list[Row]:
    return [
        REGISTRY_HEADER,
        [year, SCHOOL_A, "吉林市昌邑区职业技术学校", "220202", "中职", "县属", "是"],
        [year, SCHOOL_B, "吉林工业职业技术学院", "220204", "高职", "市属", "否"],
        *extra,
    ]


def write_xlsx(path: Path, sheets: dict[str, Sequence[Row]]) -> Path:
    """Cells written with their Python types: dates as real Excel dates, numbers as numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    wb.close()
    return path


def write_csv(path: Path, rows: Sequence[Row], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def city(tmp_path: Path) -> Callable[..., IngestReport]:
    """A landing folder and warehouse in tmp; calling it runs one ingestion."""
    settings = Settings.from_env(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="test-key")
    settings.raw_dir.mkdir()

    def run() -> IngestReport:
        return run_ingest(settings)

    run.settings = settings  # type: ignore[attr-defined]
    run.raw = settings.raw_dir  # type: ignore[attr-defined]
    return run


def query(settings: Settings, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


# `pytest -m "not slow"` is the quick run while working (README "Developing"). Besides tests
# marked `slow` or `e2e` where they are defined, these are slow: everything on a module's
# real dbt build (`built` in test_dbt_marts, `build` in test_sample_marts: one build each),
# and a few tests that load the dbt manifest, generate a province or fork a pool.
SLOW_FIXTURES = {"built", "build"}
SLOW_TESTS = {"test_definitions_load_as_one_graph", "test_province_scale", "test_same_seed_same_bytes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if item.get_closest_marker("e2e") or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
