"""The marts built from the committed sample city in ``raw/`` (Jilin City, 2023-2024).

Every expected value below was worked out by hand from the raw files themselves (never
from the warehouse or the marts); each comment names the file and the sheet rows (1-based,
as a spreadsheet shows them, header included) and shows the arithmetic.

They are asserted on the shared real build (``published_city`` in conftest): ``raw/`` as
committed, the corrected resubmission of ``2025-03-更正/`` included, ingested by the real
pipeline and built by the real ``dbt build``. Its additions do not touch these figures: the
hostile 2025 is another year, and the one correction after the lock (school 5122020095's
2024 enrolment) is no school asserted here. The rules themselves are tested once, by the dbt
unit tests (dbt/models/**/_*__models.yml); here the sample's own numbers show the wiring from
the files to the marts: a correction replacing the version it corrects, a duplicate file
counted once, rejected files left out of a year's total, one event written several ways.
"""

from __future__ import annotations

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
AGRI_TECH = "5122020106"  # 吉林市农业职业技术学校, county 220203 (row 12)
HEALTH = "5122020062"  # 吉林市卫生学校, county 220202 (row 6)


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
# training: a duplicate file counted once, and the target over every file of a year (§3)
# ---------------------------------------------------------------------------------------


def training(c: duckdb.DuckDBPyConnection, year: int, school: str, training_type: str) -> dict[str, Any]:
    return one(
        c, "SELECT * FROM marts.training_volume WHERE year = ? AND school_code = ? AND training_type = ?", [year, school, training_type]
    )


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
# award_entitlements: one event however written, on the sample's own awards (§1)
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
