"""Receipts (回执): one per submitter, every reason with row and column, escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish.receipts import parse_reason, select_batch, write_receipts
from dagster_project.publish.scratch import S1, S2, build_scratch_warehouse


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    settings = build_scratch_warehouse(tmp_path / "wh")
    c = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        yield c
    finally:
        c.close()


def text(html: str) -> str:
    """Visible text, cells separated by |, to assert on what a clerk reads."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<t[dh][^>]*>", "|", html)
    return re.sub(r"<[^>]+>", "", html)


def test_one_receipt_per_submitter(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    paths = write_receipts(con, tmp_path / "r", "run-1")
    assert sorted(p.name for p in paths) == sorted(
        [
            "220200_吉林市本级.html",
            "220282_桦甸市.html",
            f"{S1}_吉林市第一职业高级中学.html",
            f"{S2}_桦甸市职业教育中心.html",
            "3122020401_HYPERLINK(_http_x_,_y_).html",  # a hostile name makes a harmless file name
            "unidentified_未识别来源.html",
        ]
    )
    assert all(p.parent == tmp_path / "r" for p in paths)


def test_rejected_file_lists_every_reason_with_row_and_column(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    paths = write_receipts(con, tmp_path, "run-1")
    page = next(p for p in paths if p.name.startswith(S1)).read_text(encoding="utf-8")
    t = text(page)
    assert "一职高/在校生.xlsx" in t and "在校生及学费收入（enrollment）" in t and "退回，未入库" in t
    assert "原因（共 3 条）" in t
    assert "|1|5|在校生数(students)|第5行 在校生数(students)：应为整数，实际为“一千” not_an_integer" in t
    assert "|2|7|学费收入（元）(tuition_income_yuan)|第7行" in t
    assert "|3|9|学校标识码(school_code)|" in t
    assert "请按上列原因逐条修改" in t
    # the loaded sheet of the same school is on the same receipt
    assert "技能大赛获奖情况（competition_awards）" in t and "第 1 版（首次报送）" in t
    # reasons quote submitted text: escaped, never markup
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src 'none'" in page


def test_corrections_and_duplicates_are_explained(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    paths = write_receipts(con, tmp_path / "now", "run-1")
    t = text(next(p for p in paths if p.name.startswith(S2)).read_text(encoding="utf-8"))
    assert "第 2 版，替代了此前报送的第 1 版（更正）" in t
    assert "内容重复，未再次入库" in t and "与已入库的第 2 版内容相同" in t
    old = write_receipts(con, tmp_path / "before", "run-0")
    assert [p.name for p in old] == [f"{S2}_桦甸市职业教育中心.html"]
    t = text(old[0].read_text(encoding="utf-8"))
    assert "已入库，已被更正版本替代" in t and "被 桦甸职教中心/培训（更正）.xlsx / 培训 第 2 版替代" in t


def test_unidentified_files_go_to_the_city_bureau(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    paths = write_receipts(con, tmp_path, "run-1")
    t = text(next(p for p in paths if p.name.startswith("unidentified")).read_text(encoding="utf-8"))
    assert "|致|吉林市教育局（220200）" in t
    assert "损坏的文件.xlsx" in t and "文件无法读取，未入库" in t and "unreadable_file" in t
    assert "杂项/通讯录.xlsx" in t and "无法识别模板，未入库" in t
    assert "另存为 .xlsx" in t


def test_latest_batch_by_default(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    run_id, rows = select_batch(con)
    assert run_id == "run-1" and len(rows) == 10
    assert len(write_receipts(con, tmp_path)) == 6
    assert write_receipts(con, tmp_path / "none", "no-such-run") == []


def test_parse_reason() -> None:
    assert parse_reason("第12行 身份证号(id_number)：校验位错误 invalid_check_digit", "competition_awards") == ("12", "身份证号(id_number)")
    assert parse_reason("第3行 结束日期(end_date)：不能早于开始日期(start_date)", "training") == (
        "3",
        "结束日期(end_date)、开始日期(start_date)",
    )
    assert parse_reason("表头缺少必填列 年度(year) missing_column", None) == ("", "年度(year)")
    assert parse_reason("文件无法打开 unreadable_file") == ("", "")
