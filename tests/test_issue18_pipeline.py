"""Issue 18 through the real pipeline: files as schools, counties and the city send them, the
real ingestion (``run_ingest``) and the real ``dbt build`` (the latest figures), one small city
built once for the module.

Every expected figure is read off ``shared/spec`` by hand (submission-templates.md "Words that
mean none", policy-rules.md §1.3, §6 and §7 as updated 2026-12), written next to the rows it
comes from; none is computed with the code under test. person_key is the HMAC of the spec,
computed here; ID numbers carry GB 11643 check characters.

The city: S1 (昌邑区 220202, 中职, 综合高中), S2 (船营区 220204, 中职, 综合高中) and S3 (the
city's own 市属高职, registered under 220200), in 2024, 2025 (registry without the column
是否附设综合高中) and 2026 (S2's 是否附设综合高中 left empty).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.core.settings import Settings
from dagster_project.publish.receipts import write_receipts
from dagster_project.store.load import run_ingest
from dagster_project.transform.dbt_project import LATEST
from tests.conftest import dbt_build_real, gb11643, hmac_key, write_csv, write_xlsx

# One worker takes the whole module (pytest-xdist --dist loadgroup): its module fixture is made once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("issue18_pipeline")]

PII_KEY = "test-key"
S1, S2, S3 = "4122020001", "4122040002", "4122000003"
CITY, CHANGYI, CHUANYING = "220200", "220202", "220204"

REGISTRY = ["年度", "学校标识码", "学校名称", "所在县区代码", "办学层次", "举办者", "是否附设综合高中"]
AWARDS = [
    "年度", "学校标识码", "姓名", "身份证号", "人员类别", "大赛名称", "大赛级别", "主办方类型", "赛项名称", "获奖等级",
    "获奖日期", "申报奖励金额（元）", "人社局批准文号", "已发放金额（元）",
]  # fmt: skip
HIRES = [
    "年度", "学校标识码", "姓名", "身份证号", "教师类别", "招聘方式", "最高学历", "企业工作年限", "是否应届毕业生",
    '是否"双师型"职业技术师范专业毕业生', "职业技能等级证书", "高层次高技能人才类别", "招聘方案核准文号", "人社部门备案文号",
    "面试评委人数", "其中：相关专业教师人数", "聘用日期",
]  # fmt: skip
TRAINING = [
    "年度", "学校标识码", "培训项目名称", "培训类型", "开始日期", "结束日期", "培训人数", "人均学时", "培训收入（元）",
    "是否政策性培训项目", "合作机构", "是否纳入单位预算", "1+X证书名称",
]  # fmt: skip
TRAINING_BEFORE_2026_11 = TRAINING[:11]  # files made before in_budget and certificate_name existed
APPROPRIATION = ["年度", "拨款单位代码", "学校标识码", "生均拨款标准（元/生）", "核定学生数", "实际拨付金额（元）", "拨付日期"]
PUBLICITY = ["年度", "填报单位代码", "活动名称", "活动类型", "开始日期", "结束日期", "参与人数", "面向对象"]

PLAN, FILING = "吉市教人核〔2024〕7号", "吉市人社备〔2024〕10号"
D = dt.date


def _id(n: int) -> str:
    return gb11643(f"22020219{50 + n % 40:02d}0512{n:03d}")


# person, role, competition, level, organizer, event, prize, claimed, approval, paid
AWARD_ROWS: list[tuple[Any, ...]] = [
    ("甲", "学生", "吉林市职业院校技能大赛", "市级", "职业院校技能大赛", "数控车", "一等奖", 3000, "无", 3000),
    ("乙", "学生", "吉林市职业院校技能大赛", "市级", "职业院校技能大赛", "焊接", "一等奖", 3000, "待批", 3000),
    ("丙", "学生", "吉林市职业院校技能大赛", "市级", "职业院校技能大赛", "电工", "一等奖", 3000, "吉市人社〔2024〕1号", 3000),
    ("丁", "学生", "吉林省职业院校技能大赛", "省级", "职业院校技能大赛", "工业机器人技术应用", "特等奖", 10000, "吉人社〔2024〕9号", "/"),
    ("戊", "指导教师", "全国行业职业技能竞赛", "国家级", "社会团体", "无人机驾驶", "特等奖", 10000, "人社〔2024〕3号", 0),
]  # fmt: skip

# name, type, method, education, years, fresh, 双师型, certificate, talent, plan, filing, panel, related
HIRE_ROWS: list[tuple[Any, ...]] = [
    ("一", "专业课教师", "公开招聘", "本科", 0, "否", None, "无", None, PLAN, FILING, 3, 2),
    ("二", "专业课教师", "公开招聘", "本科", 5, "否", None, None, None, "无", FILING, 3, 2),
    ("三", "专业课教师", "直接考察", "本科", 0, "否", None, None, "急需专业博士", PLAN, FILING, None, None),
    ("四", "专业课教师", "直接考察", "博士", 0, "是", None, None, "急需专业博士", PLAN, FILING, None, None),
    ("五", "专业课教师", "直接考察", "大专", 10, "否", None, "/", "技师", PLAN, FILING, None, None),
    ("六", "专业课教师", "直接考察", "大专", 10, "否", None, "高级技师职业资格证书", "高级技师", PLAN, FILING, None, None),
    ("七", "公共基础课教师", "直接考察", "硕士", 0, "否", None, None, "高水平专家", PLAN, FILING, None, None),
    ("八", "公共基础课教师", "直接考察", "本科", 0, "否", None, None, "无", PLAN, FILING, None, None),
    ("九", "专业课教师", "公开招聘", "硕士", 4, "是", None, None, None, PLAN, FILING, 3, 2),
    ("十", "公共基础课教师", "公开招聘", "本科", 0, "否", None, None, None, PLAN, "申请中", 3, 2),
]  # fmt: skip


def _registry(year: int, comprehensive: tuple[Any, Any, Any] | None) -> list[list[Any]]:
    schools = [
        [year, S1, "吉林市昌邑区职业技术学校", CHANGYI, "中职", "县属"],
        [year, S2, "吉林市船营区职业中专", CHUANYING, "中职", "县属"],
        [year, S3, "吉林市职业技术学院", CITY, "高职", "市属"],
    ]
    if comprehensive is None:
        return [REGISTRY[:6], *schools]
    return [REGISTRY, *[[*row, flag] for row, flag in zip(schools, comprehensive, strict=True)]]


def _land(raw: Path) -> None:
    write_xlsx(raw / "2024/市教育局/职业院校名录.xlsx", {"名录": _registry(2024, ("是", "是", "否"))})
    write_xlsx(raw / "2025/市教育局/职业院校名录.xlsx", {"名录": _registry(2025, None)})
    write_xlsx(raw / "2026/市教育局/职业院校名录.xlsx", {"名录": _registry(2026, ("是", None, "否"))})

    award_rows = [
        [2024, S1, person, _id(i), role, comp, level, org, event, prize, D(2024, 5, 10), claimed, approval, paid]
        for i, (person, role, comp, level, org, event, prize, claimed, approval, paid) in enumerate(AWARD_ROWS)
    ]
    write_xlsx(raw / "2024/昌邑区/技能大赛获奖.xlsx", {"Sheet1": [AWARDS, *award_rows]})
    # required columns written with words meaning none: rejected, naming row and column
    write_xlsx(
        raw / "2024/船营区/技能大赛获奖.xlsx",
        {
            "Sheet1": [
                AWARDS,
                [2024, S2, "己", _id(20), "学生", "吉林市职业院校技能大赛", "市级", "职业院校技能大赛", "钳工", "无", D(2024, 5, 10), 1000, None, None],
                [2024, S2, "庚", _id(21), "学生", "吉林市职业院校技能大赛", "市级", "职业院校技能大赛", "——", "三等奖", D(2024, 5, 10), 1000, None, None],
            ]
        },
    )  # fmt: skip

    hires = [[2024, S1, h[0], _id(40 + i), *h[1:], D(2024, 8, 20)] for i, h in enumerate(HIRE_ROWS)]
    write_xlsx(raw / "2024/昌邑区/教师招聘.xlsx", {"Sheet1": [HIRES, *hires]})

    write_xlsx(
        raw / "2024/昌邑区/培训.xlsx",
        {
            "Sheet1": [
                TRAINING,
                [2024, S1, "Web前端开发1+X培训", "1+X证书培训", D(2024, 3, 1), D(2024, 3, 20), 30, 40, 0, "否", None, "是", "Web前端开发"],
                [2024, S1, "Web前端开发1+X培训（二期）", "1+X证书培训", D(2024, 4, 1), D(2024, 4, 20), 20, 40, 0, "否", None, "是", "web 前端开发"],
                [2024, S1, "工业机器人1+X培训", "1+X证书培训", D(2024, 5, 1), D(2024, 5, 20), 10, 40, 0, "否", None, "是", "工业机器人操作与运维"],
                [2024, S1, "职业启蒙", "劳动教育和职业启蒙", D(2024, 6, 1), D(2024, 6, 2), 100, 8, 0, "否", "无锡培训中心", "是", "无"],
            ]
        },
    )  # fmt: skip
    write_xlsx(
        raw / "2024/市属/培训.xlsx",
        {"Sheet1": [TRAINING, [2024, S3, "职教高考技能培训", "职教高考培训", D(2024, 3, 1), D(2024, 6, 1), 40, 60, 0, "否", None, "是", None]]},
    )  # fmt: skip
    write_xlsx(
        raw / "2025/昌邑区/培训.xlsx",
        {"Sheet1": [TRAINING_BEFORE_2026_11, [2025, S1, "1+X培训", "1+X证书培训", D(2025, 3, 1), D(2025, 3, 20), 70, 40, 5000, "否", None]]},
    )  # fmt: skip
    write_xlsx(
        raw / "2025/市属/培训.xlsx",
        {"Sheet1": [TRAINING_BEFORE_2026_11, [2025, S3, "职业启蒙", "劳动教育和职业启蒙", D(2025, 6, 1), D(2025, 6, 2), 100, 8, 0, "否", None]]},
    )  # fmt: skip

    write_csv(raw / "2024/市财政/生均拨款.csv", [APPROPRIATION, [2024, CITY, S3, 12000, 100, 1200000, "2024-06-30"]])
    write_csv(raw / "2025/昌邑区/生均拨款.csv", [APPROPRIATION, [2025, CHANGYI, S1, 5000, 200, 1000000, "2025-06-30"]])

    write_xlsx(
        raw / "2024/昌邑区/活动周.xlsx",
        {
            "Sheet1": [
                PUBLICITY,
                [2024, S1, "2024年职业教育活动周", "职业教育活动周", D(2024, 5, 12), D(2024, 5, 18), 300, "中小学生、家长"],
                [2024, S1, "技能开放日", "技能开放日", D(2024, 10, 15), D(2024, 10, 15), 200, None],
            ]
        },
    )  # fmt: skip
    write_csv(
        raw / "2024/船营区/活动周.csv",
        [PUBLICITY, [2024, CHUANYING, "船营区职教活动周", "职业教育活动周", "2024-05-12", "2024-05-18", 1000, "无"]],
    )
    write_csv(
        raw / "2024/市教育局/活动周.csv",
        [PUBLICITY, [2024, CITY, "全市职业教育活动周启动仪式", "职业教育活动周", "2024-05-12", "2024-05-12", 500, None]],
    )
    write_csv(
        raw / "2025/船营区/技能开放日.csv", [PUBLICITY, [2025, S2, "技能开放日", "技能开放日", "2025-10-20", "2025-10-20", 150, None]]
    )
    write_csv(raw / "2024/未知/活动周.csv", [PUBLICITY, [2024, "4199999999", "开放日", "技能开放日", "2024-10-20", "2024-10-20", 10, None]])


class Built:
    def __init__(self, settings: Settings, receipts: dict[str, str]) -> None:
        self.settings = settings
        self.receipts = receipts  # submitter code -> receipt HTML

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.settings.warehouse_path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def indicator(self, indicator: str, year: int, scope: str) -> tuple[Any, ...]:
        found = self.rows(
            "SELECT value, previous_value, change, direction_met FROM marts.policy_indicators WHERE indicator = ? AND year = ? AND scope_code = ?",
            [indicator, year, scope],
        )
        assert len(found) == 1, (indicator, year, scope, found)
        return found[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("issue18")
    settings = Settings.from_env(raw_dir=root / "raw", warehouse_dir=root / "wh", pii_key=PII_KEY)
    _land(settings.raw_dir)
    run_ingest(settings)
    # the latest figures of the marts read below
    marts = "resource_type:seed +award_entitlements +recruitment_hires +policy_indicators +submission_status"
    dbt_build_real(settings, root / "dbt", figures=(LATEST,), select={LATEST: marts})
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        paths = write_receipts(con, root / "receipts")
    finally:
        con.close()
    return Built(settings, {p.name.split("_")[0].removesuffix(".html"): p.read_text(encoding="utf-8") for p in paths})


def _money(v: int | str) -> Decimal:
    return Decimal(v).quantize(Decimal("0.01"))


def _dec(v: int | str | None) -> Decimal | None:
    return None if v is None else Decimal(v).quantize(Decimal("0.000001"))


# ---- 1. words that mean none -----------------------------------------------------------------


def test_an_award_approved_with_none_or_pending_is_not_approved_and_its_payment_is_flagged(built: Built) -> None:
    rows = built.rows(
        "SELECT person_key, approved, hr_approval_no, paid_yuan, paid_without_approval_yuan, paid_without_approval "
        "FROM marts.award_entitlements WHERE school_code = ? AND prize = 'first' ORDER BY event_name",
        [S1],
    )
    by_person = {r[0]: r[1:] for r in rows}
    # 「无」 and 「待批」 are no approval: paid 3000 without approval, flagged; a real number approves
    assert by_person[hmac_key(_id(0), PII_KEY)] == (False, None, _money(3000), _money(3000), True)
    assert by_person[hmac_key(_id(1), PII_KEY)] == (False, None, _money(3000), _money(3000), True)
    assert by_person[hmac_key(_id(2), PII_KEY)] == (True, "吉市人社〔2024〕1号", _money(3000), _money(0), False)


def test_the_receipt_notes_each_optional_column_once(built: Built) -> None:
    page = built.receipts[S1]
    assert "人社局批准文号 填写「无」「待批」的 2 行按未填写处理" in page
    assert "已发放金额（元） 填写「/」的 1 行按未填写处理" in page
    assert "职业技能等级证书 填写「无」「/」的 2 行按未填写处理" in page
    assert "高层次高技能人才类别 填写「无」的 1 行按未填写处理" in page
    assert "招聘方案核准文号 填写「无」的 1 行按未填写处理" in page
    assert "人社部门备案文号 填写「申请中」的 1 行按未填写处理" in page
    assert "1+X证书名称 填写「无」的 1 行按未填写处理" in page
    assert "面向对象 填写「无」的 1 行按未填写处理" in built.receipts[CHUANYING]


def test_a_word_inside_a_name_is_a_name(built: Built) -> None:
    assert built.rows("SELECT partner_name FROM submissions.training WHERE partner_name IS NOT NULL") == [("无锡培训中心",)]
    # the 「无」 in 1+X证书名称 of that row, by contrast, is empty
    assert built.rows("SELECT certificate_name FROM submissions.training WHERE program_name = '职业启蒙' AND year = 2024") == [(None,)]


def test_a_word_meaning_none_in_a_required_column_rejects_the_sheet_naming_row_and_column(built: Built) -> None:
    ((status, reasons),) = built.rows("SELECT status, reasons FROM audit.submissions WHERE source_file = '2024/船营区/技能大赛获奖.xlsx'")
    assert status == "rejected"
    lines = reasons.splitlines()
    assert any(ln.startswith("第2行 获奖等级(prize)：必填项不能填写") and "「无」" in ln for ln in lines), lines
    assert any(ln.startswith("第3行 赛项名称(event_name)：必填项不能填写") and "「——」" in ln for ln in lines), lines
    assert built.rows("SELECT count(*) FROM history.competition_awards WHERE school_code = ?", [S2]) == [(0,)]


# ---- 1 and 2. teacher recruitment --------------------------------------------------------------

# (experience_ok, fresh_graduate_ok, direct_hire_ok, plan_ok, panel_ok, compliant), from policy-rules §6
EXPECTED_HIRES: list[tuple[bool | None, ...]] = [
    (False, True, None, True, True, False),  # 一: 证书「无」, 0 years, 本科: no certificate, so 3 years needed
    (True, True, None, False, True, False),  # 二: 招聘方案核准文号「无」: the plan is not approved
    (None, None, False, True, None, False),  # 三: urgent_doctor with 本科
    (None, None, True, True, None, True),  # 四: a fresh PhD hired directly as urgent_doctor: compliant
    (None, None, False, True, None, False),  # 五: technician, certificate「/」: none on file
    (None, None, True, True, None, True),  # 六: senior_technician with a certificate
    (None, None, True, True, None, True),  # 七: expert: nothing more
    (None, None, False, True, None, False),  # 八: talent category「无」: no category
    (True, False, None, True, True, False),  # 九: a fresh graduate by open recruitment: still banned
    (None, None, None, False, True, False),  # 十: 人社部门备案文号「申请中」: not filed
]


def test_recruitment_rules_per_hire(built: Built) -> None:
    got = {
        r[0]: r[1:]
        for r in built.rows(
            "SELECT person_key, experience_ok, fresh_graduate_ok, direct_hire_ok, plan_ok, panel_ok, compliant "
            "FROM marts.recruitment_hires WHERE year = 2024"
        )
    }
    assert len(got) == len(EXPECTED_HIRES)
    for i, expected in enumerate(EXPECTED_HIRES):
        assert got[hmac_key(_id(40 + i), PII_KEY)] == expected, HIRE_ROWS[i][0]


def test_recruitment_compliance_rate(built: Built) -> None:
    # 3 compliant (四, 六, 七) of 10 hires a rule applies to: 0.3; the rate must be 1
    assert built.indicator("recruitment_compliance_rate", 2024, CITY) == (_dec("0.3"), None, None, False)
    assert built.indicator("recruitment_compliance_rate", 2024, CHANGYI) == (_dec("0.3"), None, None, False)


# ---- 3. unknown is not "no" --------------------------------------------------------------------


def test_comprehensive_high_schools_unknown_when_the_column_is_missing_or_empty(built: Built) -> None:
    assert built.indicator("comprehensive_high_schools", 2024, CITY) == (_dec(2), None, None, None)
    assert built.indicator("comprehensive_high_schools", 2024, CHANGYI) == (_dec(1), None, None, None)
    assert built.indicator("comprehensive_high_schools", 2024, CHUANYING) == (_dec(1), None, None, None)
    # 2025: the registry lacks the column: unknown everywhere, not 0 with a change of -2
    assert built.indicator("comprehensive_high_schools", 2025, CITY) == (None, _dec(2), None, None)
    assert built.indicator("comprehensive_high_schools", 2025, CHANGYI) == (None, _dec(1), None, None)
    # 2026: only S2 (船营区) left it empty: its county and the city are unknown, 昌邑区 is known
    assert built.indicator("comprehensive_high_schools", 2026, CITY) == (None, None, None, None)
    assert built.indicator("comprehensive_high_schools", 2026, CHUANYING) == (None, None, None, None)
    assert built.indicator("comprehensive_high_schools", 2026, CHANGYI) == (_dec(1), None, None, None)


def test_city_standard_unknown_without_the_city_appropriation_file(built: Built) -> None:
    # 2024: 220200's file gives S3 (市属高职) a standard; 2025: only 昌邑区's file
    assert built.indicator("city_higher_vocational_standard_set", 2024, CITY) == (_dec(1), None, None, True)
    assert built.indicator("city_higher_vocational_standard_set", 2025, CITY) == (None, _dec(1), None, None)


def test_training_indicators_unknown_where_nobody_sent_training(built: Built) -> None:
    # 1+X trainees: 30 + 20 + 10 in 2024, 70 in 2025; 船营区's school sent no training: null
    assert built.indicator("one_plus_x_trainees", 2024, CITY) == (_dec(60), None, None, None)
    assert built.indicator("one_plus_x_trainees", 2024, CHANGYI) == (_dec(60), None, None, None)
    assert built.indicator("one_plus_x_trainees", 2024, CHUANYING) == (None, None, None, None)
    assert built.indicator("one_plus_x_trainees", 2025, CITY) == (_dec(70), _dec(60), _dec(10), True)
    # 职教高考 at the 市属高职: 40 in 2024; in 2025 it trained, but not for the exam: a known 0
    assert built.indicator("exam_prep_trainees", 2024, CITY) == (_dec(40), None, None, True)
    assert built.indicator("exam_prep_trainees", 2025, CITY) == (_dec(0), _dec(40), _dec(-40), False)
    # off-budget income: all declared in the budget in 2024 (0, met); 2025's file lacks the
    # column, so 5000 of income is undeclared and 0 off-budget would be a guess: null
    assert built.indicator("training_income_off_budget_yuan", 2024, S1) == (_dec(0), None, None, True)
    assert built.indicator("training_income_off_budget_yuan", 2025, S1) == (None, _dec(0), None, None)
    assert built.indicator("training_income_undeclared_yuan", 2025, S1) == (_dec(5000), _dec(0), _dec(5000), None)


# ---- 4. 特等奖 ----------------------------------------------------------------------------------


def test_special_prize_is_entitled_at_the_first_prize_amount_with_the_finding(built: Built) -> None:
    rows = built.rows(
        "SELECT person_key, prize, standard_yuan, entitled_yuan, over_claim, over_claim_yuan, needs_review, review_reason "
        "FROM marts.award_entitlements WHERE prize = 'special'"
    )
    got = {r[0]: r[1:] for r in rows}
    finding = "特等奖按一等奖标准计发（政策未单列）"
    # provincial official 特等奖 = provincial first 10000; claimed 10000: no over-claim
    assert got[hmac_key(_id(3), PII_KEY)] == ("special", _money(10000), _money(10000), False, _money(0), False, finding)
    # national social (association) 特等奖 = national first 20000, halved = 10000, an instructor too
    assert got[hmac_key(_id(4), PII_KEY)] == ("special", _money(20000), _money(10000), False, _money(0), False, finding)
    # its 已发放金额「/」 is empty: 0 paid
    assert built.rows("SELECT paid_yuan FROM marts.award_entitlements WHERE person_key = ?", [hmac_key(_id(3), PII_KEY)]) == [(_money(0),)]


# ---- 6. 1+X certificate types ---------------------------------------------------------------------


def test_one_plus_x_certificate_types(built: Built) -> None:
    # 2024: 「Web前端开发」 and 「web 前端开发」 are one certificate (NFKC, case and white space
    # aside), plus 工业机器人操作与运维: 2; the 「无」 is on a non-1+X row
    assert built.indicator("one_plus_x_certificate_types", 2024, CITY) == (_dec(2), None, None, None)
    assert built.indicator("one_plus_x_certificate_types", 2024, CHANGYI) == (_dec(2), None, None, None)
    assert built.indicator("one_plus_x_certificate_types", 2024, CHUANYING) == (None, None, None, None)
    # 2025: the file (made before the column) still loads; the count is unknown, not 0
    assert built.rows("SELECT status FROM audit.submissions WHERE source_file = '2025/昌邑区/培训.xlsx'") == [("loaded",)]
    assert built.indicator("one_plus_x_certificate_types", 2025, CITY) == (None, _dec(2), None, None)
    assert built.indicator("one_plus_x_certificate_types", 2025, CHANGYI) == (None, _dec(2), None, None)


# ---- 7. publicity events ---------------------------------------------------------------------------


def test_publicity_events_per_county_and_year(built: Built) -> None:
    # 2024: S1's two events (300 + 200) in 昌邑区; 船营区's own (1000); the city's own (500)
    assert built.indicator("publicity_events", 2024, CITY) == (_dec(4), None, None, True)
    assert built.indicator("publicity_participants", 2024, CITY) == (_dec(2000), None, None, None)
    assert built.indicator("publicity_events", 2024, CHANGYI) == (_dec(2), None, None, True)
    assert built.indicator("publicity_participants", 2024, CHANGYI) == (_dec(500), None, None, None)
    assert built.indicator("publicity_events", 2024, CHUANYING) == (_dec(1), None, None, True)
    assert built.indicator("publicity_participants", 2024, CHUANYING) == (_dec(1000), None, None, None)
    # 2025: only S2 (船营区) sent one, 150 people; 昌邑区 sent nothing: unknown
    assert built.indicator("publicity_events", 2025, CITY) == (_dec(1), _dec(4), _dec(-3), True)
    assert built.indicator("publicity_participants", 2025, CITY) == (_dec(150), _dec(2000), _dec(-1850), None)
    assert built.indicator("publicity_events", 2025, CHUANYING) == (_dec(1), _dec(1), _dec(0), True)
    assert built.indicator("publicity_events", 2025, CHANGYI) == (None, _dec(2), None, None)


def test_publicity_events_from_an_unknown_submitter_are_rejected(built: Built) -> None:
    ((status, reasons),) = built.rows("SELECT status, reasons FROM audit.submissions WHERE source_file = '2024/未知/活动周.csv'")
    assert status == "rejected"
    assert "第2行 填报单位代码(submitter_code)" in reasons
    loaded = built.rows("SELECT submitter_code, count(*) FROM submissions.publicity_events GROUP BY ALL ORDER BY 1")
    assert loaded == [(CITY, 1), (CHUANYING, 1), (S1, 2), (S2, 1)]
    # nobody owes the template: no collection round lists it
    assert built.rows("SELECT count(*) FROM marts.submission_status WHERE template = 'publicity_events'") == [(0,)]
