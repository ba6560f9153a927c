"""The finance workbook and the HTML summary, read back as a user would see them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.publish.finance import SHEETS, YUAN_FORMAT, write_finance_workbook, write_summary_html
from dagster_project.publish.payout import payout_list
from dagster_project.publish.scratch import FORMULA_NAME, S1, S3, S4, build_scratch_warehouse
from dagster_project.shared.settings import Settings

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return build_scratch_warehouse(tmp_path / "wh")


@pytest.fixture
def con(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def workbook(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> openpyxl.Workbook:
    path = write_finance_workbook(con, 2024, tmp_path / "out" / "finance_2024.xlsx")
    assert [p.name for p in path.parent.iterdir()] == ["finance_2024.xlsx"]  # no temp file left
    return openpyxl.load_workbook(path)


def table(ws: Worksheet, header_row: int = 2) -> list[dict[str, Any]]:
    """Rows below the header as {header: cell}; stops at the totals row."""
    headers = [c.value for c in ws[header_row]]
    out = []
    for row in ws.iter_rows(min_row=header_row + 1):
        if row[0].value in (None, "合计"):
            break
        out.append({h: c for h, c in zip(headers, row, strict=False) if h})
    return out


def test_sheets_and_readme(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == ["说明", *SHEETS]
    readme = [c.value for c in workbook["说明"]["A"]]
    for name in SHEETS:
        assert name in readme


def test_funding_sheet(workbook: openpyxl.Workbook) -> None:
    ws = workbook["生均拨款"]
    assert ws.freeze_panes == "C3"  # title and header rows, code and name columns
    rows = {r["学校标识码"].value: r for r in table(ws)}
    s1 = rows[S1]
    assert s1["学校名称"].value == "吉林市第一职业高级中学"
    assert s1["所在县区"].value == "昌邑区"
    assert s1["缺口（元）"].value == 300000
    assert s1["缺口（元）"].number_format == YUAN_FORMAT == "#,##0.00"
    assert s1["实际拨付金额（元）"].value == 6900000
    assert s1["低于标准"].value == "是" and s1["疑似以收入冲抵"].value == "是" and s1["学生数不一致"].value == "否"
    assert s1["低于标准"].fill.fgColor.rgb.endswith("FFC7CE")  # bad news is highlighted
    s3 = rows[S3]  # 市属高职 without a standard: no expected amount, no shortfall
    assert s3["无拨款标准"].value == "是" and s3["缺口（元）"].value is None
    totals = [c.value for c in ws[ws.max_row]]
    assert totals[0] == "合计"
    headers = [c.value for c in ws[2]]
    assert totals[headers.index("缺口（元）")] == 600000
    assert totals[headers.index("生均拨款（元/生）")] is None  # per-student amounts are not summed


def test_award_and_payout_sheets(workbook: openpyxl.Workbook) -> None:
    awards = table(workbook["大赛奖励"])
    robot = next(r for r in awards if r["赛项"].value == "工业机器人技术应用")
    assert robot["应得奖励（元）"].value == 12000 and robot["申报金额（元）"].value == 23000
    assert "多报 11,000.00 元" in robot["检查结果"].value
    assert robot["人社局已批准"].value == "是"
    unapproved = next(r for r in awards if r["学校标识码"].value == S4)
    assert unapproved["未经批准发放（元）"].value == 8000
    assert "未经人社局批准发放" in unapproved["检查结果"].value

    ws = workbook["奖励发放名单"]
    assert ws.freeze_panes == "E3"
    payout = table(ws)
    assert len(payout) == 5
    li = next(r for r in payout if r["姓名"].value == "李四")
    assert li["身份证号（脱敏）"].value == "220204********5678"
    assert li["应发金额（元）"].value == 8000 and li["应发金额（元）"].number_format == YUAN_FORMAT
    assert "未经人社局批准已发放" in li["备注"].value
    zhang = [r for r in payout if r["姓名"].value == "张三"]
    robot_pay = next(r for r in zhang if r["赛项名称"].value == "工业机器人技术应用")
    assert robot_pay["大赛名称"].value == "全国职业院校技能大赛"  # the counted award, not the suppressed ones
    assert robot_pay["人社局批准文号"].value == "吉人社字〔2024〕18号"
    assert robot_pay["待发金额（元）"].value == 0
    lathe = next(r for r in zhang if r["赛项名称"].value == "数控车")
    assert lathe["待发金额（元）"].value == 10000 and "待人社局批准后发放" in lathe["备注"].value


def test_names_only_in_the_payout_sheet(workbook: openpyxl.Workbook) -> None:
    for ws in workbook:
        text = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        has_names = {"张三", "李四", "220204********5678"} & text
        assert bool(has_names) == (ws.title == "奖励发放名单"), ws.title


def test_formula_like_text_stays_text(workbook: openpyxl.Workbook) -> None:
    found: dict[str, int] = {}
    for ws in workbook:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value!r}"
                if isinstance(c.value, str) and c.value in HOSTILE:
                    assert c.data_type == "s"
                    assert c.quotePrefix, f"{ws.title}!{c.coordinate} lacks the quote prefix"
                    found[c.value] = found.get(c.value, 0) + 1
    assert set(found) == set(HOSTILE)  # school name, person name, event, competition, approval number
    funding = {r["学校标识码"].value: r for r in table(workbook["生均拨款"])}
    assert funding[S4]["学校名称"].value == FORMULA_NAME


def test_partnership_target_and_tilt_sheets(workbook: openpyxl.Workbook) -> None:
    partner = {r["学校标识码"].value: r for r in table(workbook["校企合作收入"])}
    assert partner[S1]["未纳入单位预算收入（元）"].value == 120000
    assert partner[S1]["合作类型"].value == "生产型实习实训基地"
    assert "合作期超过3年" in partner[S1]["检查结果"].value

    target = table(workbook["培训目标"])
    assert [r["年度"].value for r in target] == [2021, 2022, 2023, 2024]
    last = target[-1]
    assert last["劳动教育和职业启蒙培训人数"].value == 4800 and last["年均达到目标"].value == "否"

    ws = workbook["县区经费倾斜"]
    tilt = {r["区划代码"].value: r for r in table(ws)}
    assert tilt["220202"]["县（市）区"].value == "昌邑区"
    assert tilt["220202"]["新增经费中职业教育占比"].value == pytest.approx(0.15)
    assert tilt["220202"]["新增经费中职业教育占比"].number_format == "0.00%"
    assert tilt["220282"]["新增经费向职业教育倾斜"].value == "否"


def test_payout_uses_mart_event_columns_when_present(settings: Settings) -> None:
    """The real mart carries event_name, competition_name and hr_approval_no: they win."""
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        con.execute("ALTER TABLE marts.award_entitlements ADD COLUMN event_name VARCHAR")
        con.execute("ALTER TABLE marts.award_entitlements ADD COLUMN hr_approval_no VARCHAR")
        con.execute(
            "UPDATE marts.award_entitlements SET event_name = '数控车（决赛）', hr_approval_no = '吉人社字〔2024〕99号' WHERE event_key = '数控车'"
        )
        rows = payout_list(con, 2024)
    finally:
        con.close()
    lathe = next(r for r in rows if r["event_key"] == "数控车")
    assert lathe["event_name"] == "数控车（决赛）" and lathe["hr_approval_no"] == "吉人社字〔2024〕99号"
    assert lathe["person_name"] == "张三"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs |= {a for a, _ in attrs if a.startswith("on") or a in ("src", "href", "xlink:href", "srcset", "action")}


def test_summary_html_is_self_contained_and_escaped(settings: Settings, tmp_path: Path) -> None:
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        con.execute("UPDATE marts.per_student_funding SET school_name = '<img src=x onerror=alert(1)>' WHERE school_code = ?", [S1])
        path = write_summary_html(con, 2024, tmp_path / "summary_2024.html")
    finally:
        con.close()
    page = path.read_text(encoding="utf-8")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in page
    seen = _Tags()
    seen.feed(page)
    assert not seen.tags & {"script", "link", "iframe", "img", "object", "embed", "base"}, seen.tags
    assert not seen.attrs, seen.attrs
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        ET.fromstring(svg)  # well-formed
    assert "600,000.00" in page  # total shortfall
    assert "国家级" in page and "省级" in page
