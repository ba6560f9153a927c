"""Issue 21, item 4: what is plainly not a submission is skipped, not reported as
unrecognised (notes, lock files, a chart or a one-line note on its own sheet); a file deleted
from the landing folder is owed by nobody; the review job takes a template's Chinese name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter

from dagster_project.cli import main
from dagster_project.store.load import IngestReport
from dagster_project.store.review import ReviewError, act
from dagster_project.store.scan import not_a_submission, scan
from dagster_project.store.warehouse import connect, outstanding_problems
from tests.conftest import REGISTRY_HEADER, SCHOOL_A, query, registry_rows, write_csv, write_xlsx
from tests.test_ingest import ENROLL_HEADER


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        ("README.md", True),
        ("readme", True),
        ("README.csv", True),  # README* whatever its suffix
        ("说明.txt", True),
        ("NOTES.MD", True),
        ("~$在校生.xlsx", True),
        (".DS_Store", True),
        ("Thumbs.db", True),
        ("在校生.csv", False),
        ("培训.xlsx", False),
        ("报送说明.docx", False),  # not a submission format, but someone sent it: unrecognised
        ("txt汇总.csv", False),
    ],
)
def test_not_a_submission(name: str, skipped: bool) -> None:
    assert not_a_submission(name) is skipped


def _statuses(city: Callable[..., IngestReport]) -> list[tuple[str, str | None, str]]:
    rows = query(city.settings, "SELECT source_file, sheet, status FROM audit.submissions ORDER BY source_file, sheet")  # type: ignore[attr-defined]
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _outstanding(city: Callable[..., IngestReport]) -> list[tuple[str, str | None, str]]:
    s = city.settings  # type: ignore[attr-defined]
    with connect(s.warehouse_path, read_only=True) as con:
        return [(p["source_file"], p["sheet"], p["status"]) for p in outstanding_problems(con, s.raw_dir)]


def _chart_workbook(path: Path) -> None:
    """培训-like data on 数据, and a sheet 图表 holding a chart of it and not one cell; a third
    sheet holding one line of text (图表见附件), as the sample's 永吉县 workbook does."""
    wb = xlsxwriter.Workbook(str(path))
    data = wb.add_worksheet("数据")
    for i, row in enumerate([["甲", 1], ["乙", 2]]):
        data.write_row(i, 0, row)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=数据!$A$1:$A$2", "values": "=数据!$B$1:$B$2"})
    wb.add_worksheet("图表").insert_chart("B2", chart)
    wb.add_worksheet("说明").write(0, 0, "图表见附件（统计图已另行报送）")
    wb.close()


def test_notes_lock_files_and_chart_sheets_are_not_outstanding(city: Callable[..., IngestReport]) -> None:
    raw = city.raw  # type: ignore[attr-defined]
    write_xlsx(raw / "名录.xlsx", {"Sheet1": registry_rows()})
    (raw / "README.md").write_text("# 样例\n本目录为报送文件。\n", encoding="utf-8")
    (raw / "说明.txt").write_text("请于3月底前报送", encoding="utf-8")
    (raw / "~$名录.xlsx").write_bytes(b"\x00lock")
    (raw / "Thumbs.db").write_bytes(b"\x00")
    (raw / "报送说明.docx").write_bytes(b"PK\x03\x04 not a template")
    _chart_workbook(raw / "统计图.xlsx")
    # Two cells without a recognisable header: a sheet someone filled, so still unrecognised.
    write_csv(raw / "名单.csv", [["姓名", "电话"]])
    city()

    files = {r[0] for r in _statuses(city)}
    assert files == {"名录.xlsx", "报送说明.docx", "统计图.xlsx", "名单.csv"}  # no row for the notes and lock files
    assert sorted(_outstanding(city)) == [
        ("名单.csv", None, "unrecognised"),
        ("报送说明.docx", None, "unrecognised"),
        ("统计图.xlsx", "数据", "unrecognised"),  # cells, no header: the clerk should hear of it
    ]
    reasons = dict(
        query(city.settings, "SELECT sheet, reasons FROM audit.submissions WHERE source_file = '统计图.xlsx'")  # type: ignore[attr-defined]
    )
    assert reasons["图表"] == "空白工作表，未作处理 (empty sheet, nothing to load)"
    assert reasons["说明"] == "仅有一条说明文字的工作表，未作处理：“图表见附件（统计图已另行报送）” (note-only sheet, nothing to load)"
    assert {f.rel for f in scan(raw)} == files


def test_a_deleted_file_is_no_longer_outstanding(
    city: Callable[..., IngestReport], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = city.raw  # type: ignore[attr-defined]
    write_xlsx(raw / "名录.xlsx", {"Sheet1": registry_rows()})
    (raw / "报送说明.docx").write_bytes(b"PK\x03\x04 not a template")
    write_csv(raw / "在校生.csv", [ENROLL_HEADER, [2024, SCHOOL_A, "46", "装备制造大类", 30, 40, "90,000"]])  # 40 of 30: rejected
    city()
    assert sorted(_outstanding(city)) == [("在校生.csv", None, "rejected"), ("报送说明.docx", None, "unrecognised")]

    (raw / "报送说明.docx").unlink()
    (raw / "在校生.csv").unlink()
    city()
    assert _outstanding(city) == []
    # The audit log keeps them: deleting a file does not rewrite history.
    assert {r[0] for r in _statuses(city)} == {"名录.xlsx", "报送说明.docx", "在校生.csv"}

    s = city.settings  # type: ignore[attr-defined]
    monkeypatch.setenv("VOCWH_RAW_DIR", str(s.raw_dir))
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(s.warehouse_dir))
    monkeypatch.setenv("VOCWH_PII_KEY", "test-key")
    assert main(["status"]) == 0
    assert capsys.readouterr().out.startswith("0 outstanding")


def test_review_job_takes_the_chinese_template_name(city: Callable[..., IngestReport]) -> None:
    """``act`` is what the Dagster job vocwh_review calls: the names work there as in the CLI."""
    write_xlsx(city.raw / "名录.xlsx", {"名录": [REGISTRY_HEADER, *registry_rows(2024)]})  # type: ignore[attr-defined]
    city()
    path = city.settings.warehouse_path  # type: ignore[attr-defined]
    done = act(path, "review", 2024, "张三", template="职业院校名录", submitter="220200")
    assert [(r.action, r.template, r.submitter_code, r.year, r.version) for r in done] == [("review", "school_registry", "220200", 2024, 1)]
    with pytest.raises(ReviewError, match=r"未知报表 学费.*在校生及学费收入（enrollment）"):
        act(path, "approve", 2024, "张三", template="学费", submitter="220200")
