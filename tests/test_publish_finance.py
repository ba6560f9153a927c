"""The finance workbook and the HTML summary, read back as a user would see them.

Built from the real pipeline and dbt build (``published_city``: the sample city plus a
hostile 2025, all approved, then one school's 2024 enrolment corrected after the lock). Every
figure in the workbook must be the marts' own (issue 8), of the approved figures (issue 10).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.core.pii import mask_id
from dagster_project.publish.finance import YUAN_FORMAT, Column, sheets, write_finance_workbook, write_summary_html
from tests.conftest import (
    FORMULA_NAME,
    HOSTILE,
    HOSTILE_SCHOOL,
    HTML_NAME,
    LOCKED_SCHOOL,
    LOCKED_SCHOOL_APPROVED_STUDENTS,
    LOCKED_SCHOOL_LATEST_STUDENTS,
    PEOPLE_2025,
)

# One worker takes the whole module (pytest-xdist --dist loadgroup): its module fixture is made once.
pytestmark = pytest.mark.xdist_group("publish_finance")

YEARS = (2023, 2024, 2025)


@pytest.fixture(scope="module")
def workbooks(con: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory) -> dict[int, openpyxl.Workbook]:
    out = tmp_path_factory.mktemp("finance")
    books = {}
    for year in YEARS:
        path = write_finance_workbook(con, year, out / f"finance_{year}.xlsx")
        books[year] = openpyxl.load_workbook(path)
    assert sorted(p.name for p in out.iterdir()) == [f"finance_{y}.xlsx" for y in YEARS]  # no temp file left
    return books


def table(ws: Worksheet, header_row: int = 3) -> list[dict[str, Any]]:
    """Rows below the header as {header: cell}; stops at the totals row."""
    headers = [c.value for c in ws[header_row]]
    out = []
    for row in ws.iter_rows(min_row=header_row + 1):
        if row[0].value in (None, "合计", "（本年度无数据）"):
            break
        out.append({h: c for h, c in zip(headers, row, strict=False) if h})
    return out


def _header_row(ws: Worksheet, first: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == first and r > 1)


def _columns(report_model: str) -> tuple[Column, ...]:
    """The columns a report model shows, as its yml meta states them (issue 17)."""
    return next(b.columns for s in sheets() for b in s.blocks if b.model.name == report_model)


# sheet -> (dbt model, columns, first header) : what each sheet shows. Finance pays against the
# approved figures (issue 10): every sheet is the approved twin (the payout list is on them).
# The sheets' columns are those of the report models (dbt/models/reports/finance).
SHEET_REPORTS = (
    ("生均拨款", "approved_marts.per_student_funding", "rpt_finance__per_student_funding"),
    ("大赛奖励", "approved_marts.award_entitlements", "rpt_finance__award_entitlements"),
    ("奖励发放名单", "restricted.award_payout", "rpt_finance__award_payout"),
    ("校企合作收入", "approved_marts.partnership_income", "rpt_finance__partnership_income"),
    ("培训目标", "approved_marts.training_volume", "rpt_finance__training_volume"),
    ("县区经费倾斜", "approved_marts.county_funding_tilt", "rpt_finance__county_funding_tilt"),
)


def sheet_models() -> dict[str, tuple[str, tuple[Column, ...], str]]:
    return {sheet: (model, _columns(report), _columns(report)[0].header) for sheet, model, report in SHEET_REPORTS}


# money columns the 合计 row leaves blank: per-student amounts are not summed
NOT_SUMMED = {"standard_per_student_yuan", "per_student_yuan"}


@pytest.mark.parametrize("year", YEARS)
def test_every_money_column_sums_to_the_mart(workbooks: dict[int, openpyxl.Workbook], con: duckdb.DuckDBPyConnection, year: int) -> None:
    """Issue 8: the workbook shows the marts' numbers. Each money column's cells, and its totals
    row, add up to sum(column) of the dbt model for that year: the approved twin (issue 10),
    which published_city fills (everything is approved there)."""
    checked = 0
    for sheet, (model, cols, first) in sheet_models().items():
        ws = workbooks[year][sheet]
        top = _header_row(ws, first)
        rows = table(ws, top)
        n = con.execute(f"SELECT count(*) FROM {model} WHERE year = ?", [year]).fetchone()
        # the sample's years fill every sheet: the comparison below is not one of empty tables
        assert n and (n[0] > 0 or year == 2025), (year, model)
        if sheet != "培训目标":  # the training block sums schools per type
            assert n == (len(rows),), (year, sheet)
        headers = [c.value for c in ws[top]]
        for col in cols:
            if col.format != "money":
                continue
            (want,) = con.execute(f"SELECT coalesce(sum({col.key}), 0) FROM {model} WHERE year = ?", [year]).fetchone()  # type: ignore[misc]
            got = sum((Decimal(str(r[col.header].value)) for r in rows if r[col.header].value is not None), Decimal(0))
            assert got == want, (year, sheet, col.header)
            has_totals = ws.cell(top + len(rows) + 1, 1).value == "合计"
            if has_totals and col.key not in NOT_SUMMED:
                totals = ws.cell(top + len(rows) + 1, headers.index(col.header) + 1)
                assert totals.value is not None and Decimal(str(totals.value)) == want, (year, sheet, col.header, "合计", totals.value)
            checked += 1
    assert checked == 27  # every money column of the six sheets


def test_sheets_and_readme(workbooks: dict[int, openpyxl.Workbook]) -> None:
    wb = workbooks[2024]
    names = [s.name for s in sheets()]
    assert wb.sheetnames == ["说明", *names]
    readme = [c.value for c in wb["说明"]["A"]]
    for name in names:
        assert name in readme


def test_funding_sheet(workbooks: dict[int, openpyxl.Workbook], con: duckdb.DuckDBPyConnection) -> None:
    ws = workbooks[2024]["生均拨款"]
    assert ws.freeze_panes == "C4"  # title, approval note and header rows, code and name columns
    rows = {r["学校标识码"].value: r for r in table(ws)}
    mart = {r[0]: r[1:] for r in con.execute(
        "SELECT school_code, school_name, shortfall_yuan, below_standard, no_standard FROM approved_marts.per_student_funding "
        "WHERE year = 2024"
    ).fetchall()}  # fmt: skip
    assert set(rows) == set(mart)
    for code, (name, shortfall, below, no_standard) in mart.items():
        r = rows[code]
        assert r["学校名称"].value == name
        assert r["缺口（元）"].value == (None if shortfall is None else float(shortfall))
        assert r["低于标准"].value == ("是" if below else "否") and r["无拨款标准"].value == ("是" if no_standard else "否")
    below = next(r for r in rows.values() if r["低于标准"].value == "是")
    assert below["低于标准"].fill.fgColor.rgb.endswith("FFC7CE")  # bad news is highlighted
    assert below["缺口（元）"].number_format == YUAN_FORMAT == "#,##0.00"
    health = rows["5122020062"]  # 吉林市卫生学校, 市直 (220202)
    assert health["学校名称"].value == "吉林市卫生学校" and health["所在县区"].value == "昌邑区"
    headers = [c.value for c in ws[3]]
    totals = [c.value for c in ws[ws.max_row]]
    assert totals[0] == "合计" and totals[headers.index("生均拨款（元/生）")] is None  # per-student amounts are not summed


def test_award_sheet_shows_payment_without_approval_row_by_row(workbooks: dict[int, openpyxl.Workbook]) -> None:
    """Issue 8: a suppressed duplicate (city first, 3000) was paid without approval while the
    counted national third is approved: the sheet shows 3000 paid without approval, as the mart."""
    awards = table(workbooks[2025]["大赛奖励"])
    assert len(awards) == 3
    robot = next(r for r in awards if r["赛项"].value == "工业机器人 技术应用")  # as written on the counted award
    assert (robot["应得奖励（元）"].value, robot["申报金额（元）"].value, robot["已发放金额（元）"].value) == (12000, 15000, 3000)
    assert robot["多报金额（元）"].value == 3000 and robot["少报金额（元）"].value == 0
    assert robot["人社局已批准"].value == "是"
    assert robot["未经批准发放（元）"].value == 3000
    assert robot["重复获奖不计（项）"].value == 1
    assert "未经人社局批准发放 3,000.00 元" in robot["检查结果"].value and "多报 3,000.00 元" in robot["检查结果"].value
    overpaid = next(r for r in awards if r["赛项"].value == "@SUM(A1)")  # provincial second 8000, paid 8500 unapproved
    assert overpaid["多发金额（元）"].value == 500 and overpaid["未经批准发放（元）"].value == 8500


def test_payout_sheet(workbooks: dict[int, openpyxl.Workbook]) -> None:
    ws = workbooks[2025]["奖励发放名单"]
    assert ws.freeze_panes == "E4"
    payout = {r["姓名"].value: r for r in table(ws)}
    assert set(payout) == {"张三", "@SUM(A1)", "李四"}
    zhang = payout["张三"]
    assert zhang["身份证号（脱敏）"].value == mask_id(PEOPLE_2025["zhang"][1])
    assert zhang["学校名称"].value == FORMULA_NAME
    assert zhang["大赛名称"].value == "全国职业院校技能大赛"  # the counted award, not the suppressed one
    assert zhang["人社局批准文号"].value == "吉人社字〔2025〕18号"
    assert (zhang["应发金额（元）"].value, zhang["已发金额（元）"].value, zhang["待发金额（元）"].value) == (12000, 3000, 9000)
    assert zhang["未经批准发放（元）"].value == 3000 and "未经人社局批准已发放" in zhang["备注"].value
    assert zhang["应发金额（元）"].number_format == YUAN_FORMAT
    li = payout["李四"]
    assert li["待发金额（元）"].value == 0 and li["多发金额（元）"].value == 500 and "多发，应追回" in li["备注"].value


def test_names_only_in_the_payout_sheet(workbooks: dict[int, openpyxl.Workbook]) -> None:
    masked = {mask_id(p[1]) for p in PEOPLE_2025.values()}
    for ws in workbooks[2025]:
        text = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        has_names = ({"张三", "李四"} | masked) & text
        assert bool(has_names) == (ws.title == "奖励发放名单"), ws.title


def test_formula_like_text_stays_text(workbooks: dict[int, openpyxl.Workbook]) -> None:
    found: dict[str, int] = {}
    for ws in workbooks[2025]:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value!r}"
                if isinstance(c.value, str) and c.value in HOSTILE:
                    assert c.data_type == "s"
                    assert c.quotePrefix, f"{ws.title}!{c.coordinate} lacks the quote prefix"
                    found[c.value] = found.get(c.value, 0) + 1
    assert set(found) == set(HOSTILE)  # school name, person name, event, competition, approval number
    funding = {r["学校标识码"].value: r for r in table(workbooks[2025]["生均拨款"])}
    assert funding[HOSTILE_SCHOOL]["学校名称"].value == FORMULA_NAME


def test_partnership_target_and_tilt_sheets(workbooks: dict[int, openpyxl.Workbook], con: duckdb.DuckDBPyConnection) -> None:
    wb = workbooks[2024]
    partner = table(wb["校企合作收入"])
    off_budget = [r for r in partner if r["未纳入单位预算收入（元）"].value]
    assert off_budget and all("未纳入单位预算" in r["检查结果"].value for r in off_budget)
    assert {r["合作类型"].value for r in partner} <= {
        "产业学院", "生产型实习实训基地", "混合所有制二级学院", "工艺创新研发中心", "技术服务", "社会培训", "自办企业", "社会捐赠",
    }  # fmt: skip

    target = table(wb["培训目标"])
    mart = con.execute(
        "SELECT year, labor_enlightenment_trainees, average_met FROM approved_marts.training_target_progress WHERE year <= 2024 ORDER BY year"
    ).fetchall()
    assert [(r["年度"].value, r["劳动教育和职业启蒙培训人数"].value, r["年均达到目标"].value) for r in target] == [
        (y, n, "是" if met else "否") for y, n, met in mart
    ]

    tilt = {r["区划代码"].value: r for r in table(wb["县区经费倾斜"])}
    shares = dict(
        con.execute("SELECT county_code, increment_vocational_share FROM approved_marts.county_funding_tilt WHERE year = 2024").fetchall()
    )
    assert set(tilt) == set(shares)
    code = next(c for c, v in shares.items() if v is not None)
    assert tilt[code]["新增经费中职业教育占比"].value == pytest.approx(float(shares[code]))
    assert tilt[code]["新增经费中职业教育占比"].number_format == "0.00%"
    assert tilt["220202"]["县（市）区"].value == "昌邑区"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs |= {a for a, _ in attrs if a.startswith("on") or a in ("src", "href", "xlink:href", "srcset", "action")}


ECHARTS_JS = (Path(__file__).resolve().parents[1] / "dagster_project/publish/vendor/echarts.min.js").read_text(encoding="utf-8")


def _chart_specs(page: str) -> dict[str, dict[str, Any]]:
    block = re.search(r'<script type="application/json" id="vocwh-charts">(.*?)</script>', page, flags=re.S)
    assert block
    return {spec["id"]: spec["option"] for spec in json.loads(block.group(1))}


def test_summary_html_is_self_contained_and_escaped(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_summary_html(con, 2025, tmp_path / "summary_2025.html")
    page = path.read_text(encoding="utf-8")
    # the charting library is inlined once, unchanged; everything else is ours
    assert page.count(ECHARTS_JS) == 1
    ours = page.replace(ECHARTS_JS, "")
    assert "<img" not in ours and "&lt;img src=x onerror=alert(1)&gt;" in ours  # HTML_NAME, a school of 2025
    assert HTML_NAME.startswith("<img")
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in ours
    seen = _Tags()
    seen.feed(page)
    assert not seen.tags & {"link", "iframe", "img", "object", "embed", "base"}, seen.tags
    assert not seen.attrs, seen.attrs  # no src= on any script: nothing from a CDN, works offline
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, flags=re.I)
    assert "url(" not in ours and "@import" not in ours
    assert "default-src 'none'" in page and "script-src 'unsafe-inline'" in page
    # the school names in the chart data are JSON text that cannot close the script block
    specs = _chart_specs(page)
    assert set(specs) == {"chart-funding", "chart-awards", "chart-target"}
    assert HTML_NAME in specs["chart-funding"]["yAxis"]["data"]
    # figures are the marts': paid without approval, summed over award_spending of 2025
    (pwa,) = con.execute("SELECT sum(paid_without_approval_yuan) FROM marts.award_spending WHERE year = 2025").fetchone()  # type: ignore[misc]
    assert pwa == Decimal("11500.00") and "11,500.00" in page  # 3000 (suppressed, unapproved) + 8500
    assert "国家级" in page and "省级" in page


def test_summary_chart_missing_value_is_a_gap_and_indicators_are_shown(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Issue 12: a school without enrolled students has no per-student figure: null in the chart
    data (a gap), not 0; axes are named; the indicators table shows the mart's rows with clauses."""
    page = write_summary_html(con, 2024, tmp_path / "summary_2024.html").read_text(encoding="utf-8")
    specs = _chart_specs(page)
    funding = specs["chart-funding"]
    rows = con.execute(
        "SELECT school_code, per_student_yuan FROM marts.per_student_funding WHERE year = 2024 ORDER BY county_code, school_code"
    ).fetchall()
    values = [bar["value"] for bar in funding["series"][0]["data"]]
    assert len(values) == len(rows)
    missing = [i for i, (_, v) in enumerate(rows) if v is None]
    assert missing, "the sample city has a school without enrolment in 2024"
    assert all(values[i] is None for i in missing)
    assert all(values[i] == float(v) for i, (_, v) in enumerate(rows) if v is not None)
    assert funding["xAxis"]["name"] == "元/生" and specs["chart-awards"]["yAxis"]["name"] == "金额（元）"
    assert specs["chart-target"]["legend"]["data"] == ["培训人数", "当年未达目标", "2021年以来年均", "年均目标"]
    (n,) = con.execute("SELECT count(*) FROM marts.policy_indicators WHERE year = 2024 AND scope_type IN ('city', 'county')").fetchone()  # type: ignore[misc]
    assert page.count("吉市政办发〔2022〕32号 二(") >= n
    (rate,) = con.execute(
        "SELECT value FROM marts.policy_indicators WHERE year = 2024 AND indicator = 'recruitment_compliance_rate' AND scope_type = 'city'"
    ).fetchone()  # type: ignore[misc]
    assert "chart-recruitment" in specs and "教师招聘合规率" in page and rate is not None


def test_workbook_prints_landscape_fitted_to_width(workbooks: dict[int, openpyxl.Workbook]) -> None:
    """Issue 12: every sheet prints landscape, one page wide, title and header rows on every
    page, page numbers in the footer; issue 21: the wide sheets on A3, so that the text stays
    legible (tests/test_finance_print.py measures it)."""
    a3 = {"生均拨款", "大赛奖励", "奖励发放名单", "校企合作收入", "教师招聘"}
    for ws in workbooks[2024].worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == (8 if ws.title in a3 else 9), ws.title  # A3 / A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows == ("$1:$1" if ws.title == "说明" else "$1:$3"), ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, ws.title


def test_recruitment_and_indicator_sheets(workbooks: dict[int, openpyxl.Workbook], con: duckdb.DuckDBPyConnection) -> None:
    wb = workbooks[2024]
    ws = wb["教师招聘"]
    assert "二(六)" in ws["A1"].value
    rows = table(ws)
    (n, bad) = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE compliant = false) FROM approved_marts.recruitment_hires WHERE year = 2024"
    ).fetchone()  # type: ignore[misc]
    assert len(rows) == n and n > 0
    assert sum(1 for r in rows if r["合规"].value == "否") == bad
    keys = {k for (k,) in con.execute("SELECT left(person_key, 16) FROM approved_marts.recruitment_hires WHERE year = 2024").fetchall()}
    assert {r["人员标识（加密）"].value for r in rows} == keys
    assert "姓名" not in [c.value for c in ws[3]] and "身份证号" not in str([c.value for c in ws[3]])
    ws = wb["政策指标"]
    rows = table(ws)
    (n,) = con.execute("SELECT count(*) FROM approved_marts.policy_indicators WHERE year = 2024").fetchone()  # type: ignore[misc]
    assert len(rows) == n
    assert all("吉市政办发〔2022〕32号" in r["依据条款"].value for r in rows)


# ---- approved against latest (issue 10) -------------------------------------------------------
# published_city: everything received is approved, then LOCKED_SCHOOL sends a 2024 enrolment with
# 80 instead of 60 pupils in category 42. Its appropriation (7200 yuan per pupil, 3,024,000 yuan
# for 420 funded pupils) is unchanged, so by policy-rules.md §2 the latest figures become:
LOCKED_STANDARD, LOCKED_APPROPRIATED, LOCKED_COUNTY = Decimal(7200), Decimal(3_024_000), "220211"
# and 6872.73 per pupil is below its 2023 figure of 7000.00: a year-on-year decrease as well.
LOCKED_CHANGED = "enrolled_students, expected_yuan, per_student_yuan, shortfall_yuan, below_standard, students_mismatch, yoy_decrease"
LOCKED_CHANGED_ZH = "在校生数、应拨金额（元）、生均拨款（元/生）、缺口（元）、低于标准、学生数不一致、比上年下降"


def test_approval_differences_are_exactly_the_locked_schools_correction(con: duckdb.DuckDBPyConnection) -> None:
    """Every mart is compared with its approved twin: only LOCKED_SCHOOL's 2024 per-student
    funding differs, as changed, in the columns its enrolment reaches; nothing else, in any year
    or mart (policy indicators and the rest do not read the enrolled count of one school)."""
    rows = con.execute(
        "SELECT year, mart, row_key, school_code, county_code, difference, changed_columns FROM marts.approval_differences ORDER BY ALL"
    ).fetchall()
    assert rows == [(2024, "per_student_funding", f"2024 | {LOCKED_SCHOOL}", LOCKED_SCHOOL, LOCKED_COUNTY, "changed", LOCKED_CHANGED)]
    pick = (
        "SELECT enrolled_students, funded_students, expected_yuan, per_student_yuan, shortfall_yuan, below_standard, "
        "students_mismatch, yoy_decrease "
    )
    where = "WHERE year = 2024 AND school_code = ?"
    approved = con.execute(f"{pick} FROM approved_marts.per_student_funding {where}", [LOCKED_SCHOOL]).fetchone()
    latest = con.execute(f"{pick} FROM marts.per_student_funding {where}", [LOCKED_SCHOOL]).fetchone()
    n_approved, n_latest = LOCKED_SCHOOL_APPROVED_STUDENTS, LOCKED_SCHOOL_LATEST_STUDENTS
    assert approved == (n_approved, n_approved, LOCKED_STANDARD * n_approved, LOCKED_STANDARD, Decimal(0), False, False, False)
    per_student = (LOCKED_APPROPRIATED / n_latest).quantize(Decimal("0.01"))  # 6872.73: more than 1 yuan below the standard
    shortfall = LOCKED_STANDARD * n_latest - LOCKED_APPROPRIATED
    assert latest == (n_latest, n_approved, LOCKED_STANDARD * n_latest, per_student, shortfall, True, True, True)


def test_funding_sheet_shows_the_approved_enrolment_and_marks_the_latest(workbooks: dict[int, openpyxl.Workbook]) -> None:
    """The workbook pays against the approved 420 pupils; 最新报送 names what the correction
    changes, highlighted; every other row of every sheet and year has nothing there."""
    ws = workbooks[2024]["生均拨款"]
    rows = {r["学校标识码"].value: r for r in table(ws)}
    locked = rows[LOCKED_SCHOOL]
    assert locked["在校生数"].value == LOCKED_SCHOOL_APPROVED_STUDENTS
    assert locked["应拨金额（元）"].value == float(LOCKED_STANDARD * LOCKED_SCHOOL_APPROVED_STUDENTS)
    assert locked["最新报送"].value == f"已变更：{LOCKED_CHANGED_ZH}"
    assert locked["最新报送"].fill.fgColor.rgb.endswith("FFC7CE")
    for year, wb in workbooks.items():
        for ws in wb.worksheets:
            headers = [c.value for c in ws[3]]
            if "最新报送" not in headers:
                continue
            marked = [
                (row[0].value, row[headers.index("最新报送")].value)
                for row in ws.iter_rows(min_row=4)
                if len(row) > headers.index("最新报送")
                and row[headers.index("最新报送")].value not in (None, "最新报送")  # 培训目标 has 2 tables
            ]
            expected = [(LOCKED_SCHOOL, f"已变更：{LOCKED_CHANGED_ZH}")] if (year, ws.title) == (2024, "生均拨款") else []
            assert marked == expected, (year, ws.title)


def test_differences_sheet_lists_the_years_differences(workbooks: dict[int, openpyxl.Workbook]) -> None:
    ws = workbooks[2024]["审批后变更"]
    rows = [{k: c.value for k, c in r.items()} for r in table(ws)]
    assert rows == [
        {
            "数据表": "生均拨款",
            "数据表代码": "per_student_funding",
            "行标识": f"2024年度，学校：吉林市旅游职业学校（{LOCKED_SCHOOL}）",
            "学校标识码": LOCKED_SCHOOL,
            "学校名称": "吉林市旅游职业学校",
            "所在县区": "丰满区",
            "差异": "已变更",
            "变更的列": LOCKED_CHANGED_ZH,
        }
    ]
    assert ws["G4"].fill.fgColor.rgb.endswith("FFC7CE")
    for year in (2023, 2025):
        assert table(workbooks[year]["审批后变更"]) == [] and workbooks[year]["审批后变更"]["A4"].value == "（本年度无数据）"
    readme = [c.value for c in workbooks[2024]["说明"]["A"] if c.value]
    assert any("审批锁定的版本" in v for v in readme) and any("“最新报送”列" in v for v in readme)


def test_every_sheet_says_how_many_submissions_are_approved(workbooks: dict[int, openpyxl.Workbook]) -> None:
    """Issue 21: the workbook shows approved figures only, so before approval its figure sheets
    are empty; 说明 and every figure sheet say, under the title, how many of the year's
    submissions are approved and how many wait, and where the latest figures are. 2024 of
    published_city: the sample's 143 submissions, all approved, one corrected after the lock."""
    note = (
        "2024年度报送 143 份：已审批 143 份，待审批 1 份。"
        "本表只含已审批数据：在审批前本表为空，最新报送数见 审批后变更 / summary_2024.html。"
    )
    wb = workbooks[2024]
    assert wb["说明"]["A3"].value == note
    for ws in wb.worksheets[1:]:
        assert ws["A2"].value == note, ws.title
        assert any(str(r).startswith("A2:") for r in ws.merged_cells.ranges), ws.title  # wrapped across the sheet
    assert workbooks[2025]["生均拨款"]["A2"].value.startswith("2025年度报送 4 份：已审批 4 份，待审批 0 份。")


def test_summary_page_explains_itself(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Issue 21: the page says it shows the latest figures, not the approved ones; rates read as
    percentages with one decimal; a yes/no indicator reads 是/否 (未报送 when unknown); every
    colour of a bar is in its chart's legend; a school without a bar is named with the reason;
    the 范围 cells do not wrap and the tables scroll on a phone rather than squeeze."""
    page = write_summary_html(con, 2024, tmp_path / "summary_2024.html").read_text(encoding="utf-8")
    assert "<b>本页为最新报送数</b>" in page and "<b>包括尚未审批的报送</b>" in page and "finance_2024.xlsx" in page
    # recruitment compliance of the city, 2024 and 2023 of the sample: 6/7 and 19/21
    row = re.search(r'<tr><td>教师招聘合规率</td><td class="nowrap">吉林市</td>(.*?)</tr>', page)
    assert row and re.findall(r'<td class="n">([^<]*)</td>', row.group(1)) == ["85.7%", "90.5%", "-4.8 个百分点"]
    assert "0.857143" not in page and "0.047619" not in page
    flag = re.search(r"<tr><td>市属高职生均拨款标准已制定</td>(.*?)</tr>", page)
    assert flag and "（1=是）" not in page.split("<h2>政策指标")[1].split("<script")[0]
    assert all(v in ("是", "否", "未报送", "—") for v in re.findall(r'<td class="n">([^<]*)</td>', flag.group(1)))
    (n,) = con.execute("SELECT count(*) FROM marts.policy_indicators WHERE year = 2024 AND scope_type IN ('city', 'county')").fetchone()  # type: ignore[misc]
    assert page.count('<td class="nowrap">') == n  # every 范围 cell
    specs = _chart_specs(page)
    assert specs["chart-funding"]["legend"]["data"] == ["生均拨款", "低于标准", "无拨款标准（如市属高职）", "拨款标准"]
    assert specs["chart-recruitment"]["legend"]["data"] == ["招聘合规率", "未达100%"]
    assert specs["chart-recruitment"]["yAxis"]["max"] == 100
    blank = con.execute(
        "SELECT count(*) FROM marts.per_student_funding WHERE year = 2024 AND coalesce(per_student_yuan, 0) = 0"
    ).fetchone()[0]  # type: ignore[index]
    assert blank == 4 and f"无柱的 {blank} 所学校：" in page and "吉林市艺术学校（无在校生报送，无法计算生均拨款）" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert page.count("<table>") == page.count('<div class="wide"><table>') > 0
    assert "@media (max-width:600px)" in page
    # Seen in Chromium at 390 px (issue 21): the funding chart ran off the screen, its legend cut;
    # on a narrow screen the school names take less of the width and the legend scrolls.
    assert "if (el.clientWidth < 600)" in page and "ax.axisLabel.width = 110" in page and 'opt.legend.type = "scroll"' in page
