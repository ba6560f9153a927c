"""Receipts (回执): one per submitter, every reason with row and column, escaped.

On the real pipeline's audit log and the real dbt build (``published_city``: the sample city
with its deliberately bad files, a correction and a duplicate, plus a hostile 2025)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish.receipts import parse_reason, select_batch, write_receipts
from tests.conftest import HOSTILE_SCHOOL, HTML_SCHOOL, LOCKED_SCHOOL

# One worker takes the whole module (pytest-xdist --dist loadgroup): its module fixture is made once.
pytestmark = pytest.mark.xdist_group("publish_receipts")

HEALTH = "5122020062"  # 吉林市卫生学校
FIRST_VOC_HS = "5122020087"  # 吉林市第一职业高级中学, corrected its 2024 enrollment (raw/2025-03-更正)


@pytest.fixture(scope="module")
def receipts(con: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """File name -> page, for the sample's batch (published_city's first ingest; its second is
    the correction after the lock)."""
    paths = write_receipts(con, tmp_path_factory.mktemp("receipts"), _first_run(con))
    return {p.name: p.read_text(encoding="utf-8") for p in paths}


def _first_run(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT run_id FROM audit.submissions ORDER BY processed_at, receipt_seq LIMIT 1").fetchone()
    assert row and row[0]
    return str(row[0])


def text(html: str) -> str:
    """Visible text, cells separated by |, to assert on what a clerk reads."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<t[dh][^>]*>", "|", html)
    return re.sub(r"<[^>]+>", "", html)


def _page(receipts: dict[str, str], code: str) -> str:
    (name,) = [n for n in receipts if n.startswith(code + "_") or n == f"{code}.html"]
    return receipts[name]


def test_one_receipt_per_submitter(con: duckdb.DuckDBPyConnection, receipts: dict[str, str]) -> None:
    codes = {r[0] for r in con.execute("SELECT DISTINCT submitter_code FROM audit.submissions WHERE submitter_code IS NOT NULL").fetchall()}
    assert len(receipts) == len(codes) + 1  # + the unidentified files
    names = set(receipts)
    assert {
        "220200_吉林市本级.html",
        "220282_桦甸市.html",
        f"{HEALTH}_吉林市卫生学校.html",  # the name from marts.schools
        "5122029001.html",  # not in any registry: no name to give
        f"{HOSTILE_SCHOOL}_HYPERLINK(_http_x_,_y_).html",  # a hostile name makes a harmless file name
        f"{HTML_SCHOOL}_img_src=x_onerror=alert(1)_职业学校.html",
        "unidentified_未识别来源.html",
    } <= names


def test_rejected_file_lists_every_reason_with_row_and_column(receipts: dict[str, str]) -> None:
    t = text(_page(receipts, HEALTH))
    assert "2024/市直/吉林市卫生学校/培训台账2024_草稿.xlsx" in t and "培训开展情况（training）" in t and "退回，未入库" in t
    assert "原因（共 1 条）" in t
    assert (
        "|1|9|结束日期(end_date)、开始日期(start_date)|第9行 结束日期(end_date)：不能早于开始日期(start_date)（填写的是「2024年10月1日」）"
        in t
    )
    assert "请按上列原因逐条修改" in t
    # the loaded sheets of the same school are on the same receipt
    assert "技能大赛获奖情况（competition_awards）" in t and "第 1 版（首次报送）" in t


def test_corrections_and_duplicates_are_explained(con: duckdb.DuckDBPyConnection, receipts: dict[str, str]) -> None:
    t = text(_page(receipts, FIRST_VOC_HS))
    assert "第 2 版，替代了此前报送的第 1 版（更正）" in t
    assert "已入库，已被更正版本替代" in t
    assert "被 2025-03-更正/吉林市第一职业高级中学/2024年在校生及学费收入（更正）.csv 第 2 版替代" in t
    dup = con.execute("SELECT submitter_code, source_file, version FROM audit.submissions WHERE status = 'duplicate' LIMIT 1").fetchone()
    assert dup is not None
    t = text(_page(receipts, dup[0]))
    assert dup[1] in t and "内容重复，未再次入库" in t
    assert (f"与已入库的第 {dup[2]} 版内容相同" if dup[2] else "与已入库的版本内容相同") in t


def test_unidentified_files_go_to_the_city_bureau(receipts: dict[str, str]) -> None:
    t = text(receipts["unidentified_未识别来源.html"])
    assert "|致|吉林市教育局（220200）" in t
    assert "2023/磐石市/磐石市农业职业学校/新建 XLSX 工作表.xlsx" in t and "文件无法读取，未入库" in t and "文件为空 (empty file)" in t
    assert "2023/舒兰市/舒兰市职业高级中学/教职工名单.csv" in t and "无法识别模板，未入库" in t
    assert "另存为 .xlsx" in t


def test_submitted_text_is_escaped(receipts: dict[str, str]) -> None:
    page = _page(receipts, HTML_SCHOOL)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;职业学校" in page
    assert "default-src 'none'" in page


def test_latest_batch_by_default(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The latest batch is published_city's correction after the lock: one sheet, loaded as the
    newest version, and its receipt says the approved version still stands (issue 10)."""
    run_id, rows = select_batch(con)
    assert run_id and run_id != _first_run(con)
    assert [(r["submitter_code"], r["template"], r["year"], r["status"], r["version"]) for r in rows] == [
        (LOCKED_SCHOOL, "enrollment", 2024, "loaded", 2)
    ]
    (first,) = con.execute("SELECT count(*) FROM audit.submissions WHERE run_id = ?", [_first_run(con)]).fetchone()  # type: ignore[misc]
    (total,) = con.execute("SELECT count(*) FROM audit.submissions").fetchone()  # type: ignore[misc]
    assert first == total - 1  # the sample's whole ingest was one batch
    (page,) = [p.read_text(encoding="utf-8") for p in write_receipts(con, tmp_path / "latest")]
    assert "第 2 版，替代了此前报送的第 1 版（更正）；已锁定，作为待审修订版本保存 (stored as a pending revision)" in page
    assert "市教育局审批前仍以已审批的第 1 版为准" in page
    assert write_receipts(con, tmp_path / "none", "no-such-run") == []


def test_parse_reason() -> None:
    assert parse_reason("第12行 身份证号(id_number)：校验位错误 invalid_check_digit", "competition_awards") == ("12", "身份证号(id_number)")
    assert parse_reason("第3行 结束日期(end_date)：不能早于开始日期(start_date)", "training") == (
        "3",
        "结束日期(end_date)、开始日期(start_date)",
    )
    assert parse_reason("表头缺少必填列 年度(year) missing_column", None) == ("", "年度(year)")
    assert parse_reason("文件无法打开 unreadable_file") == ("", "")
