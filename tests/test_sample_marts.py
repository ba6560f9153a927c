"""The marts built from the committed sample city in ``raw/`` (Jilin City, 2023-2024).

Every expected value below was worked out by hand from the raw files themselves (never
from the warehouse or the marts); each comment names the file and the sheet rows (1-based,
as a spreadsheet shows them, header included) and shows the arithmetic.

They are asserted on the shared real build (``published_city`` in conftest): ``raw/`` as
committed, the corrected resubmission of ``2025-03-更正/`` included, ingested by the real
pipeline and built by the real ``dbt build``. Its additions do not touch these figures: the
hostile 2025 is another year, and the one correction after the lock (school 5122020095's
2024 enrolment) is no school asserted here. The rules themselves are tested by the dbt unit
tests; here the sample's own numbers show the whole path from the files to the marts.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from tests.conftest import PublishedCity, hmac_key
from tests.test_dbt_marts import one

D = Decimal

ORIGINAL_FILE = "2024/市直/吉林市第一职业高级中学/附件1 在校生及学费收入.csv"
CORRECTED_FILE = "2025-03-更正/吉林市第一职业高级中学/2024年在校生及学费收入（更正）.csv"

# schools of the 2024 registry (raw/2024/市教育局/全市职业院校名录（2024年）.xlsx)
FIRST_VOC_HS = "5122020087"  # 吉林市第一职业高级中学, county 220202 (row 10)
PANSHI_AGRI = "5122020184"  # 磐石市农业职业学校, county 220284 (row 24)
PANSHI_CENTRE = "5122020173"  # 磐石市职业技术教育中心, county 220284 (row 23)
LONGTAN = "5122020119"  # 吉林市龙潭区职业技术学校, county 220203 (row 14)
AGRI_TECH = "5122020106"  # 吉林市农业职业技术学校, county 220203 (row 12)
HEALTH = "5122020062"  # 吉林市卫生学校, county 220202 (row 6)
INDUSTRIAL = "4122020057"  # 吉林工业职业技术学院, county 220211 (row 3)


@pytest.fixture(scope="module")
def con(published_city: PublishedCity) -> Iterator[duckdb.DuckDBPyConnection]:
    """The shared build's latest figures (the sample as committed, correction included)."""
    c = duckdb.connect(str(published_city.settings.warehouse_path), read_only=True)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def person_key(published_city: PublishedCity) -> Any:
    return lambda id_number: hmac_key(id_number, published_city.settings.pii_key)


def funding(c: duckdb.DuckDBPyConnection, year: int, school: str) -> dict[str, Any]:
    return one(c, "SELECT * FROM marts.per_student_funding WHERE year = ? AND school_code = ?", [year, school])


# ---------------------------------------------------------------------------------------
# The corrected resubmission (raw/README.md "Versions")
# ---------------------------------------------------------------------------------------


def audit_status(c: duckdb.DuckDBPyConnection) -> dict[str, str]:
    got = c.execute(
        "SELECT source_file, status FROM audit.submissions WHERE source_file IN (?, ?)", [ORIGINAL_FILE, CORRECTED_FILE]
    ).fetchall()
    return {r[0]: r[1] for r in got}


def test_the_original_enrollment_is_kept_as_sent_and_superseded(con: duckdb.DuckDBPyConnection) -> None:
    """The correction replaces the original in the figures; the original stays in the history
    as it was sent, typo included (its figures before the correction are the rules' work,
    which the dbt unit tests cover)."""
    assert audit_status(con) == {ORIGINAL_FILE: "superseded", CORRECTED_FILE: "loaded"}
    got = con.execute(
        "SELECT sum(h.students), sum(h.tuition_income_yuan) FROM history.enrollment h"
        " JOIN audit.submissions s USING (submission_id) WHERE s.source_file = ?",
        [ORIGINAL_FILE],
    ).fetchone()
    # raw/2024/市直/吉林市第一职业高级中学/附件1 在校生及学费收入.csv rows 3-7 (the typo is row 6: 4328 for 432):
    # 397 + 308 + 252 + 4328 + 131 = 5,416; tuition 476,400 + 0 + 302,400 + 345,600 + 262,000 = 1,386,400
    assert got == (5416, D("1386400.00"))
    (superseded_by,) = con.execute("SELECT superseded_by FROM audit.submissions WHERE source_file = ?", [ORIGINAL_FILE]).fetchone()  # type: ignore[misc]
    assert con.execute("SELECT source_file FROM audit.submissions WHERE submission_id = ?", [superseded_by]).fetchone() == (CORRECTED_FILE,)


def test_corrected_enrollment_feeds_the_marts_after_the_correction(con: duckdb.DuckDBPyConnection) -> None:
    assert audit_status(con) == {ORIGINAL_FILE: "superseded", CORRECTED_FILE: "loaded"}
    r = funding(con, 2024, FIRST_VOC_HS)
    assert (r["school_name"], r["county_code"], r["school_level"]) == ("吉林市第一职业高级中学", "220202", "secondary")
    # raw/2025-03-更正/吉林市第一职业高级中学/2024年在校生及学费收入（更正）.csv rows 3-7:
    # 397 + 308 + 252 + 432 + 131 = 1,520
    assert r["enrolled_students"] == 1520
    assert r["funded_students"] == 1520
    assert r["students_mismatch"] is False
    assert r["appropriated_yuan"] == D("10944000.00")
    assert r["expected_yuan"] == D("10944000.00")  # 7,200 × 1,520
    assert r["per_student_yuan"] == D("7200.00")  # 10,944,000 / 1,520
    assert r["shortfall_yuan"] == D("0.00")
    assert r["below_standard"] is False
    assert r["yoy_decrease"] is False  # 7,200.00 > 7,000.00 (2023)
    assert r["offset_suspected"] is False
    assert r["tuition_income_yuan"] == D("1386400.00")  # the correction changes no tuition figure
    # training: raw/2024/市直/吉林市第一职业高级中学/2024年培训开展情况（最终版）.xlsx rows 2-7:
    #   0 + 157,662 + 56,787 + 4,680 + 101,376 + 66,129 = 386,634
    # partnership: raw/2024/市直/吉林市第一职业高级中学/校企合作收入2024（最终版）.csv rows 4-5: 81,400 + 53,625 = 135,025
    assert r["service_income_yuan"] == D("521659.00")  # 386,634 + 135,025
    for flag in ("no_standard", "no_enrollment"):
        assert r[flag] is False, flag


# ---------------------------------------------------------------------------------------
# per_student_funding (policy-rules.md §2)
# ---------------------------------------------------------------------------------------


def test_funding_shortfall_offset_by_tuition_and_service_income(con: duckdb.DuckDBPyConnection) -> None:
    """raw/README.md: offset_suspected_sum 2024/5122020184."""
    r = funding(con, 2024, PANSHI_AGRI)
    assert (r["school_name"], r["county_code"]) == ("磐石市农业职业学校", "220284")
    # raw/2024/磐石市/磐石市农业职业学校/附件1 在校生及学费收入（终稿）.xlsx rows 3-8:
    # students 449 + 204 + 111 + 465 + 58 + 176 = 1,463
    # tuition 0 + 326,400 + 177,600 + 0 + 46,400 + 275,968 = 826,368
    assert r["enrolled_students"] == 1463
    assert r["tuition_income_yuan"] == D("826368.00")
    # raw/2024/磐石市/财政局/2024年生均拨款拨付明细.xlsx row 3: 220284, standard 7,000, funded 1,463, 9,016,441.19
    assert r["funded_students"] == 1463
    assert r["students_mismatch"] is False
    assert r["standard_per_student_yuan"] == D("7000.00")
    assert r["appropriated_yuan"] == D("9016441.19")
    assert r["expected_yuan"] == D("10241000.00")  # 7,000 × 1,463
    assert r["per_student_yuan"] == D("6162.98")  # 9,016,441.19 / 1,463 = 6,162.980…
    assert r["shortfall_yuan"] == D("1224558.81")  # 10,241,000 − 9,016,441.19
    assert r["below_standard"] is True  # 6,162.98 < 6,999
    # training: raw/2024/磐石市/磐石市农业职业学校/2024年培训开展情况.csv rows 2-7:
    #   16,568 + 0 + 130,900 + 40,749 + 0 + 6,448 = 194,665
    # partnership: raw/2024/磐石市/磐石市农业职业学校/校企合作收入2024v2.xlsx rows 3-4: 88,125.31 + 115,400.50 = 203,525.81
    assert r["service_income_yuan"] == D("398190.81")  # 194,665 + 203,525.81
    # tuition + service = 826,368 + 398,190.81 = 1,224,558.81 = shortfall exactly (tuition alone or
    # service alone are 398,190.81 and 826,368 away): the gap was filled with the school's own income
    assert r["offset_suspected"] is True
    assert r["offset_basis"] == "tuition_and_service"
    # 2023: raw/2023/磐石市/财政局/磐石市2023年职业学校生均经费.csv row 5: 10,129,000 for
    # raw/2023/磐石市/磐石市农业职业学校/磐石市农业2023学生数及学费(盖章版).csv rows 3-8: 449+187+119+465+59+168 = 1,447
    assert r["previous_per_student_yuan"] == D("7000.00")  # 10,129,000 / 1,447
    assert r["yoy_decrease"] is True
    assert r["no_standard"] is False and r["no_enrollment"] is False


def test_funding_shortfall_offset_by_tuition(con: duckdb.DuckDBPyConnection) -> None:
    """raw/README.md: offset_suspected_tuition 2024/5122020173."""
    r = funding(con, 2024, PANSHI_CENTRE)
    # raw/2024/磐石市/磐石市职业技术教育中心/在校生情况.csv rows 3-5: students 91 + 465 + 345 = 901,
    # tuition 172,900 + 911,400 + 276,000 = 1,360,300
    assert (r["enrolled_students"], r["funded_students"]) == (901, 901)
    assert r["tuition_income_yuan"] == D("1360300.00")
    # raw/2024/磐石市/财政局/2024年生均拨款拨付明细.xlsx row 2: standard 7,000, funded 901, 4,950,012.23
    assert r["appropriated_yuan"] == D("4950012.23")
    assert r["expected_yuan"] == D("6307000.00")  # 7,000 × 901
    assert r["shortfall_yuan"] == D("1356987.77")  # 6,307,000 − 4,950,012.23
    assert r["per_student_yuan"] == D("5493.91")  # 4,950,012.23 / 901 = 5,493.909…
    # service: training rows 3-8 of raw/2024/磐石市/磐石市职业技术教育中心/2024年培训开展情况(盖章版).xlsx
    #   22,724 + 45,410 + 111,864 + 56,169 + 25,454 + 32,760 = 294,381; partnership rows 5-6 of
    #   校企合作收入2024（最终版）.xlsx 203,490 + 244,375 = 447,865 (row 4, a donation of 23,760.28, does not count)
    assert r["service_income_yuan"] == D("742246.00")
    # |1,356,987.77 − 1,360,300| = 3,312.23 ≤ max(1% × 1,360,300 = 13,603, 1,000)
    assert r["offset_suspected"] is True
    assert r["offset_basis"] == "tuition"
    assert r["below_standard"] is True
    # 2023: raw/2023/磐石市/财政局/磐石市2023年职业学校生均经费.csv row 4: 5,768,000 / 824 = 7,000.00
    assert r["yoy_decrease"] is True


def test_funding_yoy_decrease_while_meeting_the_standard(con: duckdb.DuckDBPyConnection) -> None:
    """raw/README.md: yoy_decrease 2024/5122020119."""
    r = funding(con, 2024, LONGTAN)
    assert (r["school_name"], r["county_code"]) == ("吉林市龙潭区职业技术学校", "220203")
    # raw/2024/龙潭区/吉林市龙潭区职业技术学校/在校生情况.xlsx rows 2-6: 141 + 393 + 473 + 433 + 340 = 1,780
    assert (r["enrolled_students"], r["funded_students"]) == (1780, 1780)
    # raw/2024/龙潭区/财政局/2024年生均拨款拨付明细.csv row 4: standard 7,700, funded 1,780, 13,706,000
    assert r["standard_per_student_yuan"] == D("7700.00")
    assert r["appropriated_yuan"] == D("13706000.00")
    assert r["expected_yuan"] == D("13706000.00")  # 7,700 × 1,780
    assert r["per_student_yuan"] == D("7700.00")
    assert r["shortfall_yuan"] == D("0.00")
    # 2023: raw/2023/龙潭区/财政局/生均拨款统计表.xlsx row 3: 14,666,100 for 1,767 students
    # (raw/2023/龙潭区/吉林市龙潭区职业技术学校/附件1 在校生及学费收入.xlsx rows 5-9: 153+391+462+442+319) = 8,300.00
    assert r["previous_per_student_yuan"] == D("8300.00")
    assert r["yoy_decrease"] is True  # 7,700 < 8,300
    for flag in ("below_standard", "students_mismatch", "offset_suspected", "no_standard", "no_enrollment"):
        assert r[flag] is False, flag


# ---------------------------------------------------------------------------------------
# training_volume and training_target_progress (§3)
# ---------------------------------------------------------------------------------------


def training(c: duckdb.DuckDBPyConnection, year: int, school: str, training_type: str) -> dict[str, Any]:
    return one(
        c, "SELECT * FROM marts.training_volume WHERE year = ? AND school_code = ? AND training_type = ?", [year, school, training_type]
    )


def test_training_volume_with_fractional_hours(con: duckdb.DuckDBPyConnection) -> None:
    # raw/2024/市直/吉林市第一职业高级中学/2024年培训开展情况（最终版）.xlsx (English enum values, reordered columns),
    # apprenticeship rows 3 (57 trainees × 716 h, 157,662) and 6 (36 × 767.5 h, 101,376)
    r = training(con, 2024, FIRST_VOC_HS, "apprenticeship")
    assert r["county_code"] == "220202"
    assert (r["programs"], r["trainees"]) == (2, 93)  # 57 + 36
    assert r["trainee_hours"] == D("68442.00")  # 57 × 716 + 36 × 767.5 = 40,812 + 27,630
    assert r["income_yuan"] == D("259038.00")  # 157,662 + 101,376


def test_training_volume_counts_an_exact_duplicate_file_once(con: duckdb.DuckDBPyConnection) -> None:
    # raw/2024/市直/吉林市农业职业技术学校/培训台账2024.xlsx rows 4 (39 × 247 h, 86,346) and 8 (42 × 545 h, 163,716);
    # "培训台账2024 - 副本.xlsx" is the same file again (status duplicate) and must not double them
    r = training(con, 2024, AGRI_TECH, "apprenticeship")
    assert r["county_code"] == "220203"
    assert (r["programs"], r["trainees"]) == (2, 81)  # 39 + 42
    assert r["trainee_hours"] == D("32523.00")  # 9,633 + 22,890
    assert r["income_yuan"] == D("250062.00")  # 86,346 + 163,716
    r = training(con, 2024, AGRI_TECH, "labor_enlightenment")  # rows 3 and 5: 236 + 302
    assert (r["programs"], r["trainees"]) == (2, 538)


def test_training_target_progress(con: duckdb.DuckDBPyConnection) -> None:
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT year, labor_enlightenment_trainees, average_to_date, target, year_met, average_met"
        " FROM marts.training_target_progress WHERE year IN (2023, 2024)"
    ).fetchall()}  # fmt: skip
    # labor_enlightenment rows of every loaded training sheet, by (school) file and row:
    # 2023: 丰满区职技 188 (附件2：培训开展情况v2.xlsx r5), 农业职技 158 + 250 (r4, r7), 卫生 395 (r6),
    #   商业 360 (统计报表 sheet 培训 r3), 职业技术学校 302 (r4), 艺术 258 + 167 (r5, r7), 昌邑职高 177 (r5),
    #   桦甸 205 + 201 (r7, r10), 永吉二职 202 (r9), 永吉职教 387 (r7), 磐石农业 183 (r7), 磐石职教 250 (r8),
    #   舒兰职高 326 (r4), 华美 291 (r2)  = 4,300
    # 2024: 丰满区职技 371 (r4), 农业职技 236 + 302 (培训台账2024.xlsx r3, r5; the 副本 is a duplicate),
    #   卫生 259 + 166 (培训台账2024.xlsx r8, r11; the _草稿 is rejected), 商业 293 + 302 (社会培训统计 r2, r3;
    #   2023-2024年培训情况汇总.xlsx is rejected, mixed years), 第一职高 277 (r2), 艺术 229 + 181 (r6, r10),
    #   昌邑职高 151 + 263 (r3, r8), 江城 283 (r4), 桦甸 296 + 363 (r7, r8), 永吉职教 340 (r6),
    #   磐石农业 252 + 290 (r3, r6), 船营职高 314 (r2), 蛟河 332 (r4)  = 5,500
    # plan 2021-2025, years with data 2023..: 2023 average 4,300; 2024 average (4,300 + 5,500) / 2 = 4,900
    assert got == {
        2023: (4300, D("4300.00"), 5000, False, False),
        2024: (5500, D("4900.00"), 5000, True, False),
    }


# ---------------------------------------------------------------------------------------
# partnership_income (§4)
# ---------------------------------------------------------------------------------------


def test_partnership_income_production_base_cycle_and_off_budget(con: duckdb.DuckDBPyConnection) -> None:
    """raw/README.md: contract_exactly_3y, contract_over_3y and off_budget_income 2024/4122020057."""
    # raw/2024/市直/吉林工业职业技术学院/2024年校企合作及社会服务收入明细v2.xlsx, production_base / production:
    #   row 2 9122021163144429XN  2022-09-01..2025-09-01 (exactly 3 years: not over)  131,625     in budget
    #   row 3 91220211861130827X  2021-03-01..2026-02-28 (over: > 2024-03-01)         145,600.25  in budget, allowance 149,000
    #   row 7 91220211MAR1DA0G62  2022-07-01..2025-06-30 (not over: < 2025-07-01)     453,200     NOT in budget
    r = one(
        con,
        "SELECT * FROM marts.partnership_income WHERE year = 2024 AND school_code = ?"
        " AND cooperation_type = 'production_base' AND income_category = 'production'",
        [INDUSTRIAL],
    )
    assert r["county_code"] == "220211"
    assert (r["partners"], r["contracts"]) == (3, 3)
    assert r["income_yuan"] == D("730425.25")  # 131,625 + 145,600.25 + 453,200
    assert r["off_budget_yuan"] == D("453200.00")  # row 7
    assert r["contracts_over_3y"] == 1  # row 3 only
    assert r["internship_allowance_yuan"] == D("149000.00")  # row 3
    # row 4: social_training / training, 14,000, not in budget
    r = one(
        con,
        "SELECT * FROM marts.partnership_income WHERE year = 2024 AND school_code = ?"
        " AND cooperation_type = 'social_training' AND income_category = 'training'",
        [INDUSTRIAL],
    )
    assert (r["partners"], r["contracts"], r["contracts_over_3y"]) == (1, 1, 0)
    assert r["income_yuan"] == D("14000.00")
    assert r["off_budget_yuan"] == D("14000.00")


# ---------------------------------------------------------------------------------------
# award_entitlements and award_spending (§1)
# ---------------------------------------------------------------------------------------

# raw/2024/市直/吉林市卫生学校/大赛获奖情况2024.xlsx: student 叶真茗 (rows 2, 6, 7, 11, 12, 14)
YE_ID = "220202200812107411"
ROBOT = "工业机器人技术应用"


def entitlement(c: duckdb.DuckDBPyConnection, key: str, event_key: str) -> dict[str, Any]:
    sql = "SELECT * FROM marts.award_entitlements WHERE year = 2024 AND person_key = ? AND event_key = ?"
    return one(c, sql, [key, event_key])


def test_award_entitlements_the_policy_worked_example(con: duckdb.DuckDBPyConnection, person_key: Any) -> None:
    """raw/README.md: award_same_event_several_levels 2024/5122020062 (policy-rules.md §1 worked example)."""
    # 工业机器人技术应用, written "工业机器人技术应用" (rows 6, 7), "工业机器 人技术应用" (row 11), "工业 机器人技术应用\u3000" (row 14):
    #   row 6  city first         standard 3,000   claimed 3,000   paid 0      no approval
    #   row 7  provincial second  standard 8,000   claimed 8,000   paid 8,000  no approval
    #   row 11 provincial second  standard 8,000   claimed 8,000   paid 8,000  吉市人社发〔2024〕37号
    #   row 14 national third     standard 12,000  claimed 12,000  paid —      no approval
    # → the national third counts (12,000), the other three are suppressed duplicates
    robot = entitlement(con, person_key(YE_ID), ROBOT)
    assert robot["school_code"] == HEALTH
    assert (robot["role"], robot["prize"]) == ("student", "third")
    assert (robot["competition_level"], robot["organizer_type"]) == ("national", "official")
    assert robot["entitled_yuan"] == D("12000.00")
    assert robot["suppressed_awards"] == 3
    assert robot["claimed_yuan"] == D("31000.00")  # 3,000 + 8,000 + 8,000 + 12,000, suppressed claims included
    assert robot["paid_yuan"] == D("16000.00")  # 0 + 8,000 + 8,000 + 0
    assert robot["approved"] is False  # the counted award (row 14) has no 人社局批准文号
    assert robot["paid_without_approval_yuan"] == D("8000.00")  # row 7 (row 11 was approved)
    assert robot["overpaid_yuan"] == D("4000.00")  # 16,000 − 12,000
    assert robot["over_claim"] is True  # 31,000 > 12,000
    # row 12: 全国机械行业职业院校技能大赛, national, 社会团体 (social), 数控车, first: 20,000 / 2; claimed 10,000, unpaid
    cnc = entitlement(con, person_key(YE_ID), "数控车")
    assert (cnc["competition_level"], cnc["organizer_type"], cnc["prize"]) == ("national", "social", "first")
    assert cnc["entitled_yuan"] == D("10000.00")
    assert cnc["claimed_yuan"] == D("10000.00")
    assert cnc["suppressed_awards"] == 0
    assert cnc["approved"] is False
    # row 2: 物联网技术应用, city second: 2,000
    iot = entitlement(con, person_key(YE_ID), "物联网技术应用")
    assert iot["entitled_yuan"] == D("2000.00")
    # the worked example's 12,000 + 10,000 = 22,000, plus 2,000 for the third event
    total = con.execute("SELECT sum(entitled_yuan) FROM marts.award_entitlements WHERE year = 2024 AND person_key = ?", [person_key(YE_ID)])
    assert total.fetchone() == (D("24000.00"),)


def test_award_spending_counts_suppressed_awards_under_the_counted_one(con: duckdb.DuckDBPyConnection) -> None:
    # raw/2024/市直/吉林市卫生学校/大赛获奖情况2024.xlsx, national / official / student:
    #   叶真茗 工业机器人技术应用: counted national third (row 14) + 3 suppressed (rows 6, 7, 11), as above
    #   王华俊 艺术设计 (row 15): national second 15,000, claimed 15,000, unpaid, no approval
    r = one(
        con,
        "SELECT * FROM marts.award_spending WHERE year = 2024 AND school_code = ?"
        " AND competition_level = 'national' AND organizer_type = 'official' AND role = 'student'",
        [HEALTH],
    )
    assert r["county_code"] == "220202"
    assert (r["awardees"], r["awards_counted"], r["awards_suppressed"]) == (2, 2, 3)
    assert r["entitled_yuan"] == D("27000.00")  # 12,000 + 15,000
    assert r["claimed_yuan"] == D("46000.00")  # 31,000 + 15,000
    assert r["paid_yuan"] == D("16000.00")  # 16,000 + 0
    assert r["paid_without_approval_yuan"] == D("8000.00")  # row 7
    assert r["overpaid_yuan"] == D("4000.00")  # 叶真茗's robot event
    # provincial / official / instructor: 朱婵融 (row 10) provincial second 8,000, paid 8,000 without approval
    r = one(
        con,
        "SELECT * FROM marts.award_spending WHERE year = 2024 AND school_code = ?"
        " AND competition_level = 'provincial' AND organizer_type = 'official' AND role = 'instructor'",
        [HEALTH],
    )
    assert (r["awardees"], r["awards_counted"], r["awards_suppressed"]) == (1, 1, 0)
    assert (r["entitled_yuan"], r["claimed_yuan"], r["paid_yuan"]) == (D("8000.00"), D("8000.00"), D("8000.00"))
    assert r["paid_without_approval_yuan"] == D("8000.00")
    assert r["overpaid_yuan"] == D("0.00")


# ---------------------------------------------------------------------------------------
# county_funding_tilt (§5)
# ---------------------------------------------------------------------------------------


def test_county_funding_tilt(con: duckdb.DuckDBPyConnection) -> None:
    # 龙潭区 220203:
    #   2022: raw/2023/龙潭区/教育局/龙潭区教育经费情况(盖章版)（2022-2023）.xlsx sheet 2022年 row 2: 507,407,700 / 24,107,800
    #   2023: same workbook, sheet 2023年 row 4:                                      546,647,000 / 24,398,400
    #   2024: raw/2024/龙潭区/2024年教育经费统计.csv row 5:                              563,464,800 / 25,493,400
    r = one(con, "SELECT * FROM marts.county_funding_tilt WHERE year = 2024 AND county_code = '220203'")
    assert (r["education_budget_yuan"], r["vocational_budget_yuan"]) == (D("563464800.00"), D("25493400.00"))
    assert r["increment_total_yuan"] == D("16817800.00")  # 563,464,800 − 546,647,000
    assert r["increment_vocational_yuan"] == D("1095000.00")  # 25,493,400 − 24,398,400
    assert round(r["previous_vocational_share"], 6) == D("0.044633")  # 24,398,400 / 546,647,000 = 0.0446328…
    assert round(r["increment_vocational_share"], 6) == D("0.065110")  # 1,095,000 / 16,817,800 = 0.0651096…
    assert r["tilted"] is True
    # 2023 (raw/README.md budget_not_tilted 2023/220203)
    r = one(con, "SELECT * FROM marts.county_funding_tilt WHERE year = 2023 AND county_code = '220203'")
    assert r["increment_total_yuan"] == D("39239300.00")  # 546,647,000 − 507,407,700
    assert r["increment_vocational_yuan"] == D("290600.00")  # 24,398,400 − 24,107,800
    assert round(r["previous_vocational_share"], 6) == D("0.047512")  # 24,107,800 / 507,407,700 = 0.0475116…
    assert round(r["increment_vocational_share"], 6) == D("0.007406")  # 290,600 / 39,239,300 = 0.0074058…
    assert r["tilted"] is False


def test_sample_recruitment_has_every_violation_and_clean_hires(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 12: the sample city's recruitment files (raw/, from the generator) break each rule of
    二(六) somewhere and hold clean hires and part-time teachers too, so every flag is exercised."""
    (hires, rule_hires, compliant, *violations) = con.execute(
        "SELECT sum(hires), sum(rule_hires), sum(compliant_hires), sum(experience_violations), sum(fresh_graduate_violations), "
        "sum(direct_hire_violations), sum(plan_violations), sum(panel_violations) FROM marts.recruitment_compliance"
    ).fetchone()  # type: ignore[misc]
    assert all(v > 0 for v in violations), violations
    assert 0 < compliant < rule_hires < hires  # clean hires, violations, and part-time teachers (no rule)
    (part_time,) = con.execute("SELECT count(*) FROM marts.recruitment_hires WHERE compliant IS NULL").fetchone()  # type: ignore[misc]
    assert part_time == hires - rule_hires
