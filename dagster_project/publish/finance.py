"""The finance workbook: one sheet per policy check, for the bureau's finance office.

Finance pays against the figures the city approved and locked (issue 10): every sheet reads
the approved twin ``marts.<mart>_approved``, and a column 最新报送 says, row by row, where the
latest received figures differ, as dbt's ``approval_differences`` states it; the sheet
审批后变更 lists every such difference of the year.

Every text cell may come from a submission, so text is only ever written with
``write_string`` and text that a spreadsheet could take for a formula (``=``, ``+``,
``-``, ``@``, tab, carriage return) gets a quote-prefix style as well: Excel shows and
keeps it as text even when the cell is edited.  The workbook is written aside and
renamed into place, so a reader never opens half a file.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from dagster_project.core.files import replace_atomically, temp_path
from dagster_project.publish.common import Row, choice_order, choice_zh, content_hash, county_names, fetch_rows, school_names, to_float
from dagster_project.publish.payout import payout_list
from dagster_project.publish.rounds import outstanding_rows
from dagster_project.publish.summary import write_summary_html
from dagster_project.transform.dbt_project import Model, model_grain, models

__all__ = ["FORMULA_TRIGGERS", "SHEETS", "YUAN_FORMAT", "write_finance_workbook", "write_summary_html"]

YUAN_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.00%"
# First characters that make Excel, LibreOffice or WPS read text as a formula (CSV/DDE injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

YES, NO = "是", "否"


@dataclass(frozen=True)
class Col:
    """A report column: source key, Chinese header, how to write it."""

    key: str
    zh: str
    kind: str = "text"  # text | wrap | int | num | money | flag | share | label (a code shown by its Chinese label)
    width: float = 14
    total: bool | None = None  # summed in the totals row; None: money columns are, others not
    alert: bool = False  # a flag that is bad news when true: highlighted
    alert_false: bool = False  # a flag that is bad news when false (a rule's "ok"): highlighted
    optional: bool = False  # not in the marts.md contract: shown only when the mart has it


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        border = {"border": 1, "border_color": "#BFBFBF", "valign": "vcenter"}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.header = wb.add_format({**border, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center"})
        self.text = wb.add_format({**border})
        # "@" is Excel's Text number format; quote_prefix is the stored equivalent of a leading '.
        self.guarded = wb.add_format({**border, "quote_prefix": True, "num_format": "@"})
        self.wrap = wb.add_format({**border, "text_wrap": True, "valign": "top"})
        self.int = wb.add_format({**border, "num_format": "#,##0"})
        self.num = wb.add_format({**border, "num_format": "#,##0.00"})
        self.money = wb.add_format({**border, "num_format": YUAN_FORMAT})
        self.share = wb.add_format({**border, "num_format": SHARE_FORMAT})
        self.flag = wb.add_format({**border, "align": "center"})
        self.alert = wb.add_format({**border, "align": "center", "bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.alert_wrap = wb.add_format({**border, "text_wrap": True, "valign": "top", "bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.total_label = wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2"})
        self.total_money = wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2", "num_format": YUAN_FORMAT})
        self.total_int = wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0"})
        self.total_blank = wb.add_format({**border, "bg_color": "#F2F2F2"})


def write_text(ws: Worksheet, row: int, col: int, value: object, fmts: _Formats, fmt: Format | None = None) -> None:
    """Write text as a string cell, never a formula; formula-like text also gets the quote prefix."""
    if value is None or str(value).strip() == "":
        ws.write_blank(row, col, None, fmt or fmts.text)
        return
    s = str(value)
    ws.write_string(row, col, s, fmts.guarded if s.startswith(FORMULA_TRIGGERS) else (fmt or fmts.text))


def _write_cell(ws: Worksheet, r: int, c: int, col: Col, row: Row, fmts: _Formats) -> None:
    v = row.get(col.key)
    if col.kind == "label":
        write_text(ws, r, c, choice_zh(col.key, v), fmts)
    elif col.kind == "flag":
        if v is None:
            ws.write_blank(r, c, None, fmts.flag)
        else:
            bad = (v and col.alert) or (not v and col.alert_false)
            ws.write_string(r, c, YES if v else NO, fmts.alert if bad else fmts.flag)
    elif col.kind in ("int", "num", "money", "share"):
        f = to_float(v)
        fmt = {"int": fmts.int, "num": fmts.num, "money": fmts.money, "share": fmts.share}[col.kind]
        if f is None:
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, f, fmt)
    elif col.kind == "wrap":
        write_text(ws, r, c, v, fmts, fmts.alert_wrap if col.alert and v else fmts.wrap)
    else:
        write_text(ws, r, c, v, fmts, fmts.alert_wrap if col.alert and v else None)


def _write_table(
    ws: Worksheet, fmts: _Formats, top: int, cols: Sequence[Col], rows: Sequence[Row], totals: bool = True, filter_: bool = True
) -> int:
    """Header at ``top``, data below, optional totals row; returns the next free row."""
    for c, col in enumerate(cols):
        ws.write_string(top, c, col.zh, fmts.header)
    r = top + 1
    for row in rows:
        for c, col in enumerate(cols):
            _write_cell(ws, r, c, col, row, fmts)
        r += 1
    if not rows:
        ws.write_string(r, 0, "（本年度无数据）", fmts.note)
        r += 1
    elif filter_:
        ws.autofilter(top, 0, r - 1, len(cols) - 1)
    if totals and rows:
        for c, col in enumerate(cols):
            if c == 0:
                ws.write_string(r, c, "合计", fmts.total_label)
            elif col.kind in ("int", "num", "money") and (col.total if col.total is not None else col.kind == "money"):
                s = sum((Decimal(str(x[col.key])) for x in rows if x.get(col.key) is not None), Decimal(0))
                ws.write_number(r, c, float(s), fmts.total_money if col.kind == "money" else fmts.total_int)
            else:
                ws.write_blank(r, c, None, fmts.total_blank)
        r += 1
    return r


def _sheet(
    wb: xlsxwriter.Workbook,
    fmts: _Formats,
    name: str,
    title: str,
    cols: Sequence[Col],
    rows: Sequence[Row],
    freeze_cols: int = 0,
    totals: bool = True,
) -> Worksheet:
    """Title in row 1, header in row 2 (both frozen), data from row 3."""
    cols = [c for c in cols if not c.optional or any(c.key in r for r in rows)]
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, title, fmts.title)
    ws.set_row(1, 32)
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
    _write_table(ws, fmts, 1, cols, rows, totals=totals)
    ws.freeze_panes(2, freeze_cols)
    _print_setup(ws, repeat_to=1)
    return ws


def _print_setup(ws: Worksheet, repeat_to: int) -> None:
    """Print as finance offices print (to sign and stamp): A4 landscape, all columns on one page
    width (as many pages down as needed), the title and header rows on every page, page numbers."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, repeat_to)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


# ---- the checks ---------------------------------------------------------------------------------

FUNDING_COLS = (
    Col("school_code", "学校标识码", width=13),
    Col("school_name", "学校名称", width=28),
    Col("county_name", "所在县区", width=10),
    Col("school_level", "办学层次", "label", 9),
    Col("enrolled_students", "在校生数", "int", 10, total=True),
    Col("funded_students", "核定学生数", "int", 10, total=True),
    Col("standard_per_student_yuan", "生均拨款标准（元/生）", "money", total=False),
    Col("expected_yuan", "应拨金额（元）", "money", 16),
    Col("appropriated_yuan", "实际拨付金额（元）", "money", 16),
    Col("per_student_yuan", "生均拨款（元/生）", "money", total=False),
    Col("shortfall_yuan", "缺口（元）", "money", 15),
    Col("tuition_income_yuan", "学费收入（元）", "money", 15),
    Col("service_income_yuan", "社会服务收入（元）", "money", 15),
    Col("below_standard", "低于标准", "flag", 8, alert=True),
    Col("students_mismatch", "学生数不一致", "flag", 8, alert=True),
    Col("yoy_decrease", "比上年下降", "flag", 8, alert=True),
    Col("offset_suspected", "疑似以收入冲抵", "flag", 9, alert=True),
    Col("no_standard", "无拨款标准", "flag", 8),
    Col("no_enrollment", "无在校生报送", "flag", 8, alert=True),
    Col("no_appropriation", "无拨款报送", "flag", 8, alert=True, optional=True),
    Col("standards_disagree", "各拨款单位标准不一致", "flag", 10, alert=True, optional=True),
    Col("offset_basis", "冲抵比对依据", width=16, optional=True),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

AWARD_COLS = (
    Col("school_code", "学校标识码", width=13),
    Col("school_name", "学校名称", width=26),
    Col("person_ref", "人员标识（加密）", width=18),
    Col("event_label", "赛项", width=22),
    Col("role", "人员类别", "label", 9),
    Col("competition_level", "大赛级别", "label", 8),
    Col("organizer_type", "主办方类型", "label", 14),
    Col("prize", "获奖等级", "label", 8),
    Col("entitled_yuan", "应得奖励（元）", "money"),
    Col("claimed_yuan", "申报金额（元）", "money"),
    Col("paid_yuan", "已发放金额（元）", "money"),
    Col("over_claim_yuan", "多报金额（元）", "money"),
    Col("under_claim_yuan", "少报金额（元）", "money"),
    Col("overpaid_yuan", "多发金额（元）", "money"),
    Col("approved", "人社局已批准", "flag", 9),
    Col("paid_without_approval_yuan", "未经批准发放（元）", "money"),
    Col("suppressed_awards", "重复获奖不计（项）", "int", 9, total=True),
    Col("findings", "检查结果", "wrap", 36),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

PAYOUT_COLS = (
    Col("seq", "序号", "int", 6),
    Col("school_code", "学校标识码", width=13),
    Col("school_name", "学校名称", width=26),
    Col("person_name", "姓名", width=10),
    Col("id_masked", "身份证号（脱敏）", width=21),
    Col("role", "人员类别", "label", 9),
    Col("competition_name", "大赛名称", width=26),
    Col("event_name", "赛项名称", width=22),
    Col("competition_level", "大赛级别", "label", 8),
    Col("organizer_type", "主办方类型", "label", 14),
    Col("prize", "获奖等级", "label", 8),
    Col("entitled_yuan", "应发金额（元）", "money"),
    Col("paid_yuan", "已发金额（元）", "money"),
    Col("to_pay_yuan", "待发金额（元）", "money"),
    Col("overpaid_yuan", "多发金额（元）", "money"),
    Col("paid_without_approval_yuan", "未经批准发放（元）", "money"),
    Col("hr_approval_no", "人社局批准文号", width=22),
    Col("remarks", "备注", "wrap", 30),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

PARTNERSHIP_COLS = (
    Col("school_code", "学校标识码", width=13),
    Col("school_name", "学校名称", width=26),
    Col("county_name", "所在县区", width=10),
    Col("cooperation_type", "合作类型", "label", 18),
    Col("income_category", "收入类别", "label", 10),
    Col("partners", "合作单位数", "int", 9, total=True),
    Col("contracts", "合同数", "int", 8, total=True),
    Col("income_yuan", "收入金额（元）", "money", 16),
    Col("off_budget_yuan", "未纳入单位预算收入（元）", "money", 16),
    Col("contracts_over_3y", "合作期超3年的生产型基地合同数", "int", 12, total=True),
    Col("internship_allowance_yuan", "实习津贴（元）", "money"),
    Col("findings", "检查结果", "wrap", 34),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

TARGET_COLS = (
    Col("year", "年度", "int", 8),
    Col("labor_enlightenment_trainees", "劳动教育和职业启蒙培训人数", "int", 16),
    Col("average_to_date", "2021年以来年均人数", "num", 16),
    Col("target", "年均目标", "int", 10),
    Col("year_met", "当年达到目标", "flag", 10, alert=False),
    Col("average_met", "年均达到目标", "flag", 10),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

VOLUME_COLS = (
    Col("training_type", "培训类型", "label", 22),
    Col("schools", "开展学校数", "int", 10),
    Col("programs", "培训项目数", "int", 10, total=True),
    Col("trainees", "培训人数", "int", 16, total=True),
    Col("trainee_hours", "培训人学时", "num", 16, total=True),
    Col("income_yuan", "培训收入（元）", "money", 16),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

TILT_COLS = (
    Col("county_code", "区划代码", width=10),
    Col("county_name", "县（市）区", width=12),
    Col("education_budget_yuan", "教育经费总额（元）", "money", 18),
    Col("vocational_budget_yuan", "其中：职业教育经费（元）", "money", 18),
    Col("increment_total_yuan", "教育经费比上年增加（元）", "money", 18),
    Col("increment_vocational_yuan", "职业教育经费比上年增加（元）", "money", 18),
    Col("previous_vocational_share", "上年职业教育经费占比", "share", 12),
    Col("increment_vocational_share", "新增经费中职业教育占比", "share", 12),
    Col("tilted", "新增经费向职业教育倾斜", "flag", 12),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

RECRUITMENT_COLS = (
    Col("school_code", "学校标识码", width=13),
    Col("school_name", "学校名称", width=26),
    Col("county_name", "所在县区", width=10),
    Col("person_ref", "人员标识（加密）", width=18),
    Col("hire_date", "聘用日期", width=11),
    Col("teacher_type", "教师类别", "label", 12),
    Col("recruitment_method", "招聘方式", "label", 10),
    Col("experience_ok", "企业经历和学历符合", "flag", 10, alert_false=True),
    Col("fresh_graduate_ok", "非应届毕业生", "flag", 9, alert_false=True),
    Col("direct_hire_ok", "直接考察符合", "flag", 9, alert_false=True),
    Col("plan_ok", "方案已核准备案", "flag", 9, alert_false=True),
    Col("panel_ok", "面试评委符合", "flag", 9, alert_false=True),
    Col("compliant", "合规", "flag", 7, alert_false=True),
    Col("findings", "检查结果", "wrap", 40),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

INDICATOR_COLS = (
    Col("indicator_zh", "指标", "wrap", 26),
    Col("scope_label", "范围", width=10),
    Col("scope_name", "单位", width=24),
    Col("value", "本年值", "num", 14, total=False),
    Col("previous_value", "上年值", "num", 14, total=False),
    Col("change", "变化", "num", 14, total=False),
    Col("direction_met", "符合政策方向", "flag", 10, alert_false=True),
    Col("rule", "依据条款", "wrap", 48),
    Col("latest", "最新报送", "wrap", 30, alert=True),
)

# Issue 10: the 催报 list (who still owes what), from the mart submission_status.
OUTSTANDING_COLS = (
    Col("chased_by_name", "催报单位", width=12),
    Col("template_zh", "报表", width=22),
    Col("submitter_code", "报送单位代码", width=13),
    Col("submitter_name", "报送单位名称", width=28),
    Col("status_zh", "状态", width=16),
    Col("deadline", "截止日期", width=12),
    Col("is_late", "已逾期", "flag", 8, alert=True),
)

# Issue 10: every difference between the approved and the latest figures of the year.
DIFFERENCE_COLS = (
    Col("mart_zh", "数据表", width=20),
    Col("mart", "数据表代码", width=22),
    Col("row_key", "行标识", "wrap", 30),
    Col("school_code", "学校标识码", width=13),
    Col("school_name", "学校名称", width=26),
    Col("county_name", "所在县区", width=10),
    Col("difference_zh", "差异", width=8, alert=True),
    Col("changed_zh", "变更的列", "wrap", 40),
)

# Sheet name -> what the 说明 sheet says about it.
SHEETS: dict[str, str] = {
    "生均拨款": (
        "各校在校生数、核定学生数、生均拨款标准、应拨与实拨金额、生均拨款额及缺口。标记：低于标准（生均拨款低于标准1元以上）；"
        "学生数不一致（核定学生数≠在校生数）；比上年下降（政策要求逐步提高）；疑似以收入冲抵（缺口与学费收入、社会服务收入或二者之和"
        "相差不超过其1%或1000元，学费及社会服务收入不得冲抵生均拨款）；无拨款标准（尚未制定标准，如市属高职，不计缺口）；"
        "无在校生报送（有拨款但学校未报在校生）。依据：吉市政办发〔2022〕32号 二(九)。"
    ),
    "大赛奖励": (
        "每人每赛项一行：同一人同一年度同一赛项只按最高一项奖励，其余列为重复获奖不计。列出应得奖励、申报金额、已发放金额及人社局批准情况，"
        "检查多报、少报、多发、未经人社局批准发放，以及“其他”奖项（无标准，需人工审核）。人员只以加密标识表示，不含姓名和身份证号。"
        "依据：二(七)。"
    ),
    "奖励发放名单": (
        "按学校、姓名列出每人每赛项的应发、已发、待发金额和人社局批准文号，供奖励发放审核。本表含姓名和脱敏身份证号，属个人信息"
        "（《个人信息保护法》），仅限经办和审核人员使用，不得转发或用于其他用途。"
    ),
    "校企合作收入": (
        "各校按合作类型、收入类别统计的合作单位数、合同数和收入。检查：未纳入单位预算的收入（实训基地、生产性收入应纳入学校预算作为"
        "事业收入）；合作期超过3年的生产型实习实训基地合同。依据：二(三)、二(四)、二(九)。"
    ),
    "培训目标": (
        "全市劳动教育和职业启蒙培训人数（普通中小学生到职业院校基地）逐年数及2021年以来年均数，对照“十四五”期间年均不少于目标人数；"
        "下方为本年度各类培训汇总。依据：二(一)。"
    ),
    "县区经费倾斜": (
        "各县（市）区及市本级教育经费、职业教育经费及比上年增加额；新增经费中职业教育所占比例不低于上年职业教育经费占比，"
        "即为向职业教育倾斜。依据：二(九)。"
    ),
    "教师招聘": (
        "每名新聘教师一行（只以加密标识表示，不含姓名和身份证号）：专业课教师须有3年以上企业工作经历和大专以上学历（持职业技能等级"
        "证书或“双师型”职业技术师范专业毕业生除外）、不招应届毕业生、直接考察仅限高层次高技能人才、招聘方案经核准并报人社部门备案、"
        "面试评委中相关专业教师不少于2/3；兼职教师不适用（合规栏为空）。规则不适用的栏为空。依据：二(六)。"
    ),
    "政策指标": (
        "政策各项要求的指标：全市、各县区或各校的本年值、上年值、变化及是否符合政策方向（仅供参考的指标不判断方向），"
        "每项附政策条款。依据：二(一)至二(四)、二(六)、二(九)。"
    ),
    "审批后变更": (
        "本年度已审批数据与最新报送数据不一致之处，来自数据表 approval_differences：每个数据表的每一行一条，差异为未审批"
        "（最新报送中有、尚未审批，不计入本工作簿）、已变更（两者都有，所列各列的值不同）或已撤回（已审批数据中有、最新报送中已没有）。"
        "市教育局审批修订版本后，下次运行即不再列出。"
    ),
    "催报清单": "按县（市）区列出本年度尚未报送或被退回的报表（市属学校由市教育局催报），截止日期已过的标为已逾期。",
}


def _funding_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    rows = fetch_rows(con, "SELECT * FROM marts.per_student_funding_approved WHERE year = ? ORDER BY county_code, school_code", [year])
    counties, schools = county_names(), school_names(con, year)
    for r in rows:
        r["county_name"] = counties.get(r.get("county_code") or "", r.get("county_code"))
        r["school_name"] = r.get("school_name") or schools.get(r["school_code"])
    return rows


def _award_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    """Every amount is the mart's own (over/under-claim, overpaid and paid without approval
    judged row by row in dbt): the sheet adds only names and the findings text."""
    rows = fetch_rows(
        con, "SELECT * FROM marts.award_entitlements_approved WHERE year = ? ORDER BY school_code, person_key, event_key", [year]
    )
    schools = school_names(con, year)
    for r in rows:
        r["school_name"] = schools.get(r["school_code"])
        r["person_ref"] = (r.get("person_key") or "")[:16]
        r["event_label"] = r.get("event_name") or r.get("event_key")
        r["findings"] = "；".join(_award_findings(r))
    return rows


def _award_findings(r: Row) -> list[str]:
    out = []
    if r.get("prize") == "other":
        out.append("其他奖项，无奖励标准，需人工审核")
    elif r.get("needs_review"):
        out.append("无奖励标准，需人工审核")
    if r.get("over_claim"):
        out.append(f"多报 {to_float(r['over_claim_yuan']):,.2f} 元")
    elif r.get("under_claim"):
        out.append(f"少报 {to_float(r['under_claim_yuan']):,.2f} 元")
    if r.get("overpaid"):
        out.append(f"多发 {to_float(r['overpaid_yuan']):,.2f} 元")
    if r.get("paid_without_approval"):
        out.append(f"未经人社局批准发放 {to_float(r['paid_without_approval_yuan']):,.2f} 元")
    if r.get("suppressed_awards"):
        out.append(f"另有 {r['suppressed_awards']} 项同赛项获奖不重复奖励")
    return out


def _payout_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    rows = payout_list(con, year)
    for i, r in enumerate(rows, 1):
        r["seq"] = i
        remarks = []
        if r.get("prize") == "other":
            remarks.append("其他奖项，需人工审核")
        if r.get("paid_without_approval_yuan"):
            remarks.append("未经人社局批准已发放")
        elif not r.get("approved") and r.get("to_pay_yuan"):
            remarks.append("待人社局批准后发放")
        if r.get("overpaid_yuan"):
            remarks.append("多发，应追回")
        if r.get("suppressed_awards"):
            remarks.append(f"同赛项另有 {r['suppressed_awards']} 项获奖不重复奖励")
        r["remarks"] = "；".join(remarks)
    return rows


def _partnership_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    rows = fetch_rows(
        con,
        "SELECT * FROM marts.partnership_income_approved WHERE year = ? ORDER BY school_code, cooperation_type, income_category",
        [year],
    )
    counties, schools = county_names(), school_names(con, year)
    coop, cat = choice_order("cooperation_type"), choice_order("income_category")
    for r in rows:
        r["school_name"] = schools.get(r["school_code"])
        r["county_name"] = counties.get(r.get("county_code") or "", r.get("county_code"))
        findings = []
        if (r.get("off_budget_yuan") or 0) > 0:
            findings.append(f"{to_float(r['off_budget_yuan']):,.2f} 元未纳入单位预算")
        if r.get("contracts_over_3y"):
            findings.append(f"{r['contracts_over_3y']} 份生产型基地合同合作期超过3年")
        r["findings"] = "；".join(findings)
    rows.sort(
        key=lambda r: (
            r["school_code"],
            coop.index(r["cooperation_type"]) if r["cooperation_type"] in coop else 99,
            cat.index(r["income_category"]) if r["income_category"] in cat else 99,
        )
    )
    return rows


def _target_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    return fetch_rows(con, "SELECT * FROM marts.training_target_progress_approved WHERE year <= ? ORDER BY year", [year])


def _volume_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    rows = fetch_rows(
        con,
        """
        SELECT training_type, count(DISTINCT school_code) AS schools, sum(programs) AS programs, sum(trainees) AS trainees,
               sum(trainee_hours) AS trainee_hours, sum(income_yuan) AS income_yuan
        FROM marts.training_volume_approved WHERE year = ? GROUP BY training_type
        """,
        [year],
    )
    order = choice_order("training_type")
    return sorted(rows, key=lambda r: order.index(r["training_type"]) if r["training_type"] in order else 99)


def _tilt_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    rows = fetch_rows(con, "SELECT * FROM marts.county_funding_tilt_approved WHERE year = ? ORDER BY county_code", [year])
    counties = county_names()
    for r in rows:
        r["county_name"] = r.get("county_name") or counties.get(r["county_code"], "")
    return rows


def _recruitment_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    """Hires as judged in dbt (marts.recruitment_hires): person_key only, never a name."""
    rows = fetch_rows(
        con, "SELECT * FROM marts.recruitment_hires_approved WHERE year = ? ORDER BY school_code, hire_date, person_key", [year]
    )
    counties, schools = county_names(), school_names(con, year)
    for r in rows:
        r["school_name"] = schools.get(r["school_code"])
        r["county_name"] = counties.get(r.get("county_code") or "", r.get("county_code"))
        r["person_ref"] = (r.get("person_key") or "")[:16]
    return rows


def _recruitment_clause(con: duckdb.DuckDBPyConnection, year: int) -> str:
    """The clause of 二(六) as the indicator seed states it (read from marts.policy_indicators).
    The latest figures, not the approved: the clause is policy text from a seed, not a figure,
    and it should show even before any hire is approved."""
    row = con.execute(
        "SELECT any_value(rule), any_value(source_clause) FROM marts.policy_indicators WHERE year = ? AND indicator = 'recruitment_compliance_rate'",
        [year],
    ).fetchone()
    return f"依据：{row[1]}：{row[0]}" if row and row[0] else "依据：吉市政办发〔2022〕32号 二(六)"


SCOPE_LABELS = {"city": "全市", "county": "县（市）区", "school": "学校"}


def _indicator_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    rows = fetch_rows(
        con,
        """
        SELECT * FROM marts.policy_indicators_approved WHERE year = ?
        ORDER BY indicator, CASE scope_type WHEN 'city' THEN 0 WHEN 'county' THEN 1 ELSE 2 END, scope_code
        """,
        [year],
    )
    counties, schools = county_names(), school_names(con, year)
    for r in rows:
        r["scope_label"] = SCOPE_LABELS.get(r["scope_type"], r["scope_type"])
        code = r["scope_code"]
        r["scope_name"] = schools.get(code) if r["scope_type"] == "school" else counties.get(code, code)
        r["rule"] = f"{r.get('rule') or ''}（{r.get('source_clause') or ''}）"
    return rows


# ---- approved against latest (issue 10) ---------------------------------------------------------

DIFFERENCE_ZH = {"not_approved": "未审批", "changed": "已变更", "withdrawn": "已撤回"}
ROW_KEY_SEPARATOR = " | "  # as approval_differences joins a row's grain values

# Sheet data -> the figure mart its rows are and the sheet's columns, for the 最新报送 column
# (the payout list's rows are award_entitlements' person-events).
LATEST_SOURCES: dict[str, tuple[str, tuple[Col, ...]]] = {
    "funding": ("per_student_funding", FUNDING_COLS),
    "awards": ("award_entitlements", AWARD_COLS),
    "payout": ("award_entitlements", PAYOUT_COLS),
    "partnership": ("partnership_income", PARTNERSHIP_COLS),
    "target": ("training_target_progress", TARGET_COLS),
    "volume": ("training_volume", VOLUME_COLS),
    "tilt": ("county_funding_tilt", TILT_COLS),
    "recruitment": ("recruitment_hires", RECRUITMENT_COLS),
    "indicators": ("policy_indicators", INDICATOR_COLS),
}

_LEADING_ZH = re.compile(r"^[\u3400-\u9fff（）()/、：]+")


def _differences(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    """approval_differences up to ``year`` (the target sheet shows the years before); empty when
    the warehouse was built before the model existed."""
    try:
        return fetch_rows(con, "SELECT * FROM marts.approval_differences WHERE year <= ? ORDER BY mart, year, row_key", [year])
    except duckdb.CatalogException:
        return []


Described = dict[str, Model]  # the project's models by name, read once per workbook


def _described() -> Described:
    return {m.name: m for m in models()}


def _column_zh(described: Described, mart: str, column: str) -> str:
    """A mart column as a clerk reads it: the workbook's header where a sheet shows that column,
    else the Chinese words its yml description starts with, else the column name."""
    for source, cols in LATEST_SOURCES.values():
        if source == mart:
            for col in cols:
                if col.key == column:
                    return col.zh
            break
    model = described.get(mart)
    found = _LEADING_ZH.match((model.columns.get(column) or "") if model else "")
    return found.group(0) if found else column


def _mart_zh(described: Described, mart: str) -> str:
    """A mart's Chinese name: the first words of its yml description (``生均拨款 per-student …``)."""
    model = described.get(mart)
    words = (model.description if model else "").split()
    return words[0] if words and _LEADING_ZH.match(words[0]) else mart


def _difference_text(described: Described, d: Row) -> str:
    """What 最新报送 says about one difference."""
    if d["difference"] == "changed":
        changed = [c for c in (d.get("changed_columns") or "").split(", ") if c]
        return "已变更：" + "、".join(_column_zh(described, d["mart"], c) for c in changed)
    if d["difference"] == "withdrawn":
        return "已撤回：最新报送中已无此行"
    return "有未审批的报送"


def _key_text(value: object) -> str:
    """A grain value as the model casts it to text (approval_differences.row_key)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _mark_latest(described: Described, rows: list[Row], mart: str, diffs: Sequence[Row], year: int | None = None) -> None:
    """Set each row's ``latest`` (the column 最新报送) from the mart's differences, matched on the
    grain columns the row has (the mart's grain from the manifest). A row of a sheet that sums
    the mart (training volume per type) collects the differences of every row it sums;
    ``year`` restricts the differences to one year for such a row, which has no year column."""
    grain = model_grain(mart)
    mine = [d for d in diffs if d["mart"] == mart and (year is None or d["year"] == year)]
    index: dict[tuple[str, ...], dict[tuple[str, ...], list[Row]]] = {}
    for r in rows:
        shown = tuple(g for g in grain if g in r)
        if shown not in index:
            index[shown] = {}
            for d in mine:
                parts = d["row_key"].split(ROW_KEY_SEPARATOR)
                if len(parts) == len(grain):
                    values = dict(zip(grain, parts, strict=True))
                    index[shown].setdefault(tuple(values[g] for g in shown), []).append(d)
        hits = index[shown].get(tuple(_key_text(r[g]) for g in shown), [])
        r["latest"] = "；".join(dict.fromkeys(_difference_text(described, d) for d in hits)) or None


def _difference_rows(con: duckdb.DuckDBPyConnection, described: Described, year: int, diffs: Sequence[Row]) -> list[Row]:
    """The sheet 审批后变更: the year's differences with names and Chinese labels."""
    counties, schools = county_names(), school_names(con, year)
    rows = []
    for d in diffs:
        if d["year"] != year:
            continue
        changed = [c for c in (d.get("changed_columns") or "").split(", ") if c]
        rows.append(
            {
                **d,
                "mart_zh": _mart_zh(described, d["mart"]),
                "school_name": schools.get(d.get("school_code") or ""),
                "county_name": counties.get(d.get("county_code") or "", d.get("county_code")),
                "difference_zh": DIFFERENCE_ZH.get(d["difference"], d["difference"]),
                "changed_zh": "、".join(_column_zh(described, d["mart"], c) for c in changed) or None,
            }
        )
    return rows


def write_finance_workbook(
    con: duckdb.DuckDBPyConnection, year: int, out_path: Path, build_id: str | None = None, written: list[Path] | None = None
) -> Path:
    """Write the year's finance checks to ``out_path`` (.xlsx); returns the path.

    ``con`` is the working database (the payout list needs names, which the BI snapshot
    does not hold). The workbook records, as document properties, the build it was made
    from and a hash of what it shows; a workbook that already shows the same rows is
    not rewritten (its generation time stays true). A path written is added to ``written``.
    """
    data: dict[str, Callable[[], Any]] = {
        "funding": lambda: _funding_rows(con, year),
        "awards": lambda: _award_rows(con, year),
        "payout": lambda: _payout_rows(con, year),
        "partnership": lambda: _partnership_rows(con, year),
        "target": lambda: _target_rows(con, year),
        "volume": lambda: _volume_rows(con, year),
        "tilt": lambda: _tilt_rows(con, year),
        "recruitment": lambda: _recruitment_rows(con, year),
        "recruitment_clause": lambda: _recruitment_clause(con, year),
        "indicators": lambda: _indicator_rows(con, year),
        "outstanding": lambda: outstanding_rows(con, year),
    }
    rows = {k: f() for k, f in data.items()}  # query everything before writing anything
    diffs, described = _differences(con, year), _described()
    for key, (mart, _) in LATEST_SOURCES.items():
        _mark_latest(described, rows[key], mart, diffs, year=year if key == "volume" else None)
    rows["differences"] = _difference_rows(con, described, year, diffs)
    content = content_hash(year, rows)
    if workbook_records(Path(out_path)).get("vocwh_content") == content:
        return Path(out_path)

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(out_path, keep_suffix=True)
    try:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "nan_inf_to_errors": True},
        )
        wb.set_properties({"title": f"{year}年度职业教育经费检查", "company": "吉林市教育局", "comments": "vocwh"})
        wb.set_custom_property("vocwh_content", content)
        if build_id:
            wb.set_custom_property("vocwh_build", build_id)
        fmts = _Formats(wb)
        _readme_sheet(wb, fmts, year, rows)
        _sheet(wb, fmts, "生均拨款", f"{year}年度 生均拨款检查", FUNDING_COLS, rows["funding"], freeze_cols=2)
        _sheet(wb, fmts, "大赛奖励", f"{year}年度 技能大赛奖励：应得、申报与发放", AWARD_COLS, rows["awards"], freeze_cols=2)
        _sheet(wb, fmts, "奖励发放名单", f"{year}年度 技能大赛奖励发放名单（含个人信息，仅限经办审核使用）", PAYOUT_COLS, rows["payout"], 4)
        _sheet(wb, fmts, "校企合作收入", f"{year}年度 校企合作及社会服务收入检查", PARTNERSHIP_COLS, rows["partnership"], 2)
        ws = _sheet(wb, fmts, "培训目标", f"劳动教育和职业启蒙培训目标进度（截至{year}年）", TARGET_COLS, rows["target"], totals=False)
        top = 2 + max(len(rows["target"]), 1) + 2
        ws.write_string(top, 0, f"{year}年度 各类培训汇总", fmts.title)
        _write_table(ws, fmts, top + 1, VOLUME_COLS, rows["volume"], filter_=False)
        ws.set_column(0, 0, 22)
        _sheet(wb, fmts, "县区经费倾斜", f"{year}年度 新增教育经费向职业教育倾斜情况", TILT_COLS, rows["tilt"], freeze_cols=2, totals=False)
        _sheet(
            wb,
            fmts,
            "教师招聘",
            f"{year}年度 教师招聘合规检查　{rows['recruitment_clause']}",
            RECRUITMENT_COLS,
            rows["recruitment"],
            freeze_cols=2,
            totals=False,
        )
        _sheet(wb, fmts, "政策指标", f"{year}年度 政策指标（各项附政策条款）", INDICATOR_COLS, rows["indicators"], totals=False)
        _sheet(
            wb,
            fmts,
            "审批后变更",
            f"{year}年度 审批后变更（已审批数据与最新报送不一致之处）",
            DIFFERENCE_COLS,
            rows["differences"],
            2,
            totals=False,
        )
        _sheet(wb, fmts, "催报清单", f"{year}年度 催报清单（未报送或被退回）", OUTSTANDING_COLS, rows["outstanding"], 2, totals=False)
        wb.close()
        replace_atomically(tmp, out_path)
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
    if written is not None:
        written.append(out_path)
    return out_path


_CUSTOM_PROPERTY = re.compile(r'name="(vocwh_[a-z]+)"[^>]*>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>')


def workbook_records(path: Path) -> dict[str, str]:
    """The vocwh document properties of a workbook (build, content); empty if none, no file or unreadable."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("docProps/custom.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return {}
    return dict(_CUSTOM_PROPERTY.findall(xml))


def _readme_sheet(wb: xlsxwriter.Workbook, fmts: _Formats, year: int, rows: dict[str, list[Row]]) -> None:
    ws = wb.add_worksheet("说明")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 100)
    ws.set_column(2, 2, 10)
    ws.write_string(0, 0, f"吉林市职业教育统计 {year}年度 经费检查工作簿", fmts.title)
    ws.write_string(
        1,
        0,
        f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；数据来源：职业教育统计数据仓库（各校、各县区报送数据）。金额单位：元。"
        "本工作簿所有数据均为市教育局审批锁定的版本（已审批数据），财政按此拨付；尚未审批的报送不计入。",
        fmts.note,
    )
    ws.write_string(3, 0, "工作表", fmts.header)
    ws.write_string(3, 1, "内容与检查口径", fmts.header)
    ws.write_string(3, 2, "行数", fmts.header)
    counts = {
        "生均拨款": len(rows["funding"]),
        "大赛奖励": len(rows["awards"]),
        "奖励发放名单": len(rows["payout"]),
        "校企合作收入": len(rows["partnership"]),
        "培训目标": len(rows["target"]),
        "县区经费倾斜": len(rows["tilt"]),
        "教师招聘": len(rows["recruitment"]),
        "政策指标": len(rows["indicators"]),
        "审批后变更": len(rows["differences"]),
        "催报清单": len(rows["outstanding"]),
    }
    for i, (name, text) in enumerate(SHEETS.items(), 4):
        ws.write_string(i, 0, name, fmts.text)
        ws.write_string(i, 1, text, fmts.wrap)
        ws.write_number(i, 2, counts[name], fmts.int)
    ws.write_string(
        4 + len(SHEETS) + 1,
        0,
        "“是/否”列中标红的“是”为需要核实的问题。以“=、+、-、@”开头的文字按原样作为文本显示，不作公式计算。",
        fmts.note,
    )
    ws.write_string(
        4 + len(SHEETS) + 2,
        0,
        "“最新报送”列：该行的最新报送数据与已审批数据不同之处（已变更的列，或已撤回），标红；为空即与已审批数据一致。"
        "“审批后变更”表列出本年度所有不一致之处，包括尚未审批、因而不在各表中的报送。",
        fmts.note,
    )
    ws.freeze_panes(4, 0)
    _print_setup(ws, repeat_to=0)
    ws.activate()
