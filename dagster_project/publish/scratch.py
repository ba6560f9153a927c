"""A small hand-made warehouse for developing and testing the publishing layer.

It creates the pipeline's schemas (``ensure_schema``), a few submissions with their
audit rows, and ``marts.*`` tables with the columns of ``marts.md`` filled by hand, so
the reports can be built and checked before (and independently of) the dbt models.
Some text is hostile on purpose: formula-like names and HTML in reasons.

    python -m dagster_project.publish.scratch /tmp/vocwh-scratch
"""

from __future__ import annotations

import hashlib
import sys
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.shared.keys import text_key
from dagster_project.shared.settings import DEV_PII_KEY, Settings
from dagster_project.shared.templates import TEMPLATES
from dagster_project.shared.warehouse import LINEAGE_COLUMNS, ensure_schema, stored_column_names

YEAR = 2024
S1, S2, S3, S4 = "3122020101", "3122028201", "4122000001", "3122020401"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
SCHOOLS = [
    (S1, "吉林市第一职业高级中学", "220202", "secondary", "county"),
    (S2, "桦甸市职业教育中心", "220282", "secondary", "county"),
    (S3, "吉林职业技术学院", "220200", "higher", "city"),
    (S4, FORMULA_NAME, "220204", "secondary", "city"),
]


def person_key(n: str) -> str:
    return hashlib.sha256(f"person-{n}".encode()).hexdigest()


P1, P2, P3, P4 = (person_key(n) for n in "1234")

MART_DDL = """
CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE TABLE marts.per_student_funding (
    year INTEGER, school_code VARCHAR, school_name VARCHAR, county_code VARCHAR, school_level VARCHAR,
    enrolled_students BIGINT, funded_students BIGINT, standard_per_student_yuan DECIMAL(18,2), expected_yuan DECIMAL(18,2),
    appropriated_yuan DECIMAL(18,2), per_student_yuan DECIMAL(18,2), shortfall_yuan DECIMAL(18,2), tuition_income_yuan DECIMAL(18,2),
    service_income_yuan DECIMAL(18,2), below_standard BOOLEAN, students_mismatch BOOLEAN, yoy_decrease BOOLEAN,
    offset_suspected BOOLEAN, no_standard BOOLEAN, no_enrollment BOOLEAN);
CREATE OR REPLACE TABLE marts.training_volume (
    year INTEGER, school_code VARCHAR, training_type VARCHAR, county_code VARCHAR, programs BIGINT, trainees BIGINT,
    trainee_hours DECIMAL(18,2), income_yuan DECIMAL(18,2));
CREATE OR REPLACE TABLE marts.training_target_progress (
    year INTEGER, labor_enlightenment_trainees BIGINT, average_to_date DECIMAL(18,2), target BIGINT, year_met BOOLEAN, average_met BOOLEAN);
CREATE OR REPLACE TABLE marts.partnership_income (
    year INTEGER, school_code VARCHAR, cooperation_type VARCHAR, income_category VARCHAR, county_code VARCHAR, partners BIGINT,
    contracts BIGINT, income_yuan DECIMAL(18,2), off_budget_yuan DECIMAL(18,2), contracts_over_3y BIGINT,
    internship_allowance_yuan DECIMAL(18,2));
CREATE OR REPLACE TABLE marts.award_spending (
    year INTEGER, school_code VARCHAR, competition_level VARCHAR, organizer_type VARCHAR, role VARCHAR, county_code VARCHAR,
    awardees BIGINT, awards_counted BIGINT, awards_suppressed BIGINT, entitled_yuan DECIMAL(18,2), claimed_yuan DECIMAL(18,2),
    paid_yuan DECIMAL(18,2), paid_without_approval_yuan DECIMAL(18,2), overpaid_yuan DECIMAL(18,2));
CREATE OR REPLACE TABLE marts.award_entitlements (
    year INTEGER, person_key VARCHAR, event_key VARCHAR, school_code VARCHAR, role VARCHAR, competition_level VARCHAR,
    organizer_type VARCHAR, prize VARCHAR, entitled_yuan DECIMAL(18,2), claimed_yuan DECIMAL(18,2), paid_yuan DECIMAL(18,2),
    approved BOOLEAN, suppressed_awards BIGINT);
CREATE OR REPLACE TABLE marts.county_funding_tilt (
    year INTEGER, county_code VARCHAR, education_budget_yuan DECIMAL(18,2), vocational_budget_yuan DECIMAL(18,2),
    increment_total_yuan DECIMAL(18,2), increment_vocational_yuan DECIMAL(18,2), previous_vocational_share DECIMAL(9,6),
    increment_vocational_share DECIMAL(9,6), tilted BOOLEAN);
"""

MARTS: dict[str, list[tuple[Any, ...]]] = {
    "per_student_funding": [
        # S1: shortfall 300,000 against tuition 299,500 -> below standard and offset suspected
        (
            YEAR,
            S1,
            SCHOOLS[0][1],
            "220202",
            "secondary",
            1200,
            1200,
            D("6000"),
            D("7200000"),
            D("6900000"),
            D("5750"),
            D("300000"),
            D("299500"),
            D("150000"),
            True,
            False,
            False,
            True,
            False,
            False,
        ),
        (
            YEAR,
            S2,
            SCHOOLS[1][1],
            "220282",
            "secondary",
            800,
            820,
            D("6000"),
            D("4800000"),
            D("4800000"),
            D("6000"),
            D("0"),
            D("400000"),
            D("80000"),
            False,
            True,
            False,
            False,
            False,
            False,
        ),
        (
            YEAR,
            S3,
            SCHOOLS[2][1],
            "220200",
            "higher",
            5000,
            5000,
            None,
            None,
            D("30000000"),
            D("6000"),
            None,
            D("25000000"),
            D("900000"),
            False,
            False,
            False,
            False,
            True,
            False,
        ),
        (
            YEAR,
            S4,
            FORMULA_NAME,
            "220204",
            "secondary",
            300,
            300,
            D("6000"),
            D("1800000"),
            D("1500000"),
            D("5000"),
            D("300000"),
            D("90000"),
            D("0"),
            True,
            False,
            True,
            False,
            False,
            False,
        ),
        (
            YEAR - 1,
            S4,
            FORMULA_NAME,
            "220204",
            "secondary",
            310,
            310,
            D("6000"),
            D("1860000"),
            D("1705000"),
            D("5500"),
            D("155000"),
            D("93000"),
            D("0"),
            True,
            False,
            False,
            False,
            False,
            False,
        ),
    ],
    "training_volume": [
        (YEAR, S1, "labor_enlightenment", "220202", 6, 2400, D("19200"), D("0")),
        (YEAR, S2, "labor_enlightenment", "220282", 4, 2400, D("14400"), D("0")),
        (YEAR, S1, "incumbent_upskilling", "220202", 3, 180, D("7200"), D("54000.50")),
        (YEAR, S3, "one_plus_x", "220200", 2, 600, D("24000"), D("120000")),
    ],
    "training_target_progress": [
        (2021, 4200, D("4200"), 5000, False, False),
        (2022, 5600, D("4900"), 5000, True, False),
        (2023, 5300, D("5033.33"), 5000, True, True),
        (YEAR, 4800, D("4975"), 5000, False, False),
    ],
    "partnership_income": [
        (YEAR, S1, "production_base", "production", "220202", 2, 3, D("500000"), D("120000"), 1, D("60000")),
        (YEAR, S2, "technical_service", "intellectual", "220282", 1, 1, D("80000"), D("0"), 0, D("0")),
        (YEAR, S3, "industry_college", "education", "220200", 3, 3, D("900000"), D("0"), 0, D("150000")),
    ],
    "award_spending": [
        (YEAR, S1, "national", "official", "student", "220202", 1, 1, 2, D("12000"), D("23000"), D("12000"), D("0"), D("0")),
        (YEAR, S1, "national", "social", "student", "220202", 1, 1, 0, D("10000"), D("10000"), D("0"), D("0"), D("0")),
        (YEAR, S2, "provincial", "official", "teacher", "220282", 1, 1, 0, D("5000"), D("5000"), D("5000"), D("0"), D("0")),
        (YEAR, S4, "provincial", "official", "instructor", "220204", 1, 1, 0, D("8000"), D("8000"), D("8000"), D("8000"), D("0")),
        (YEAR, S2, "city", "official", "student", "220282", 1, 0, 0, D("0"), D("500"), D("0"), D("0"), D("0")),
    ],
    "award_entitlements": [
        (YEAR, P1, "工业机器人技术应用", S1, "student", "national", "official", "third", D("12000"), D("23000"), D("12000"), True, 2),
        (YEAR, P1, "数控车", S1, "student", "national", "social", "first", D("10000"), D("10000"), D("0"), False, 0),
        (YEAR, P2, "+1", S2, "teacher", "provincial", "official", "third", D("5000"), D("5000"), D("5000"), True, 0),
        (YEAR, P3, "-2", S4, "instructor", "provincial", "official", "second", D("8000"), D("8000"), D("8000"), False, 0),
        (YEAR, P4, "@sum(a1)", S2, "student", "city", "official", "other", D("0"), D("500"), D("0"), False, 0),
    ],
    "county_funding_tilt": [
        (YEAR, "220202", D("500000000"), D("40000000"), D("20000000"), D("3000000"), D("0.080000"), D("0.150000"), True),
        (YEAR, "220282", D("300000000"), D("15000000"), D("10000000"), D("200000"), D("0.052000"), D("0.020000"), False),
    ],
}

# (person, name, masked id, event as written, competition, level, organizer, prize, claimed, approval no, paid)
AWARD_ROWS = [
    (
        P1,
        "张三",
        "220202********123X",
        "工业机器人技术应用",
        "吉林市职业院校技能大赛",
        "city",
        "official",
        "first",
        D("3000"),
        None,
        D("0"),
    ),
    (
        P1,
        "张三",
        "220202********123X",
        "工业机器人 技术应用",
        "吉林省职业院校技能大赛",
        "provincial",
        "official",
        "second",
        D("8000"),
        None,
        D("0"),
    ),
    (
        P1,
        "张三",
        "220202********123X",
        "工业机器人技术应用",
        "全国职业院校技能大赛",
        "national",
        "official",
        "third",
        D("12000"),
        "吉人社字〔2024〕18号",
        D("12000"),
    ),
    (P1, "张三", "220202********123X", "数控车", "全国数控技能大赛", "national", "social", "first", D("10000"), None, D("0")),
]
AWARD_ROWS_S2 = [
    (
        P2,
        "@SUM(A1)",
        "220282********0021",
        "+1",
        "-2",
        "provincial",
        "official",
        "third",
        D("5000"),
        '=HYPERLINK("http://x","y")',
        D("5000"),
    ),
    (P4, "王五", "220282********4567", "@SUM(A1)", "吉林市职业院校技能大赛", "city", "official", "other", D("500"), None, D("0")),
]
AWARD_ROWS_S4 = [
    (P3, "李四", "220204********5678", "-2", "吉林省职业院校技能大赛", "provincial", "official", "second", D("8000"), None, D("8000")),
]

T0 = datetime(2025, 3, 1, 9, 0)
T1 = datetime(2025, 3, 10, 9, 0)

# (submission_id, source_file, sheet, template, submitter, year, status, rows, reasons, run, version, superseded_by, processed_at)
AUDIT: list[tuple[Any, ...]] = [
    ("sub-reg", "市教育局/2024名录.xlsx", "名录", "school_registry", "220200", YEAR, "loaded", 4, None, "run-1", 1, None, T1),
    (
        "sub-aw1",
        "一职高/2024年技能大赛获奖统计（终稿）.xlsx",
        "获奖",
        "competition_awards",
        S1,
        YEAR,
        "loaded",
        4,
        None,
        "run-1",
        1,
        None,
        T1,
    ),
    (
        "sub-enr1",
        "一职高/在校生.xlsx",
        "Sheet1",
        "enrollment",
        S1,
        YEAR,
        "rejected",
        12,
        "第5行 在校生数(students)：应为整数，实际为“一千” not_an_integer\n"
        "第7行 学费收入（元）(tuition_income_yuan)：不能小于0 below_minimum\n"
        "第9行 学校标识码(school_code)：<script>alert(1)</script> 不在名录中 unregistered_school",
        "run-1",
        None,
        None,
        T1,
    ),
    ("sub-aw2", "桦甸职教中心/获奖.xlsx", "Sheet1", "competition_awards", S2, YEAR, "loaded", 2, None, "run-1", 1, None, T1),
    ("sub-tr1", "桦甸职教中心/培训.xlsx", "培训", "training", S2, YEAR, "superseded", 8, None, "run-0", 1, "sub-tr2", T0),
    ("sub-tr2", "桦甸职教中心/培训（更正）.xlsx", "培训", "training", S2, YEAR, "loaded", 9, None, "run-1", 2, None, T1),
    ("sub-tr3", "桦甸职教中心/培训（更正）副本.xlsx", "培训", "training", S2, YEAR, "duplicate", 9, None, "run-1", 2, None, T1),
    ("sub-aw4", "四校/获奖.csv", None, "competition_awards", S4, YEAR, "loaded", 1, None, "run-1", 1, None, T1),
    ("sub-app", "桦甸市财政/生均拨款.xlsx", "拨款", "appropriation", "220282", YEAR, "loaded", 1, None, "run-1", 1, None, T1),
    (
        "sub-unrec",
        "杂项/通讯录.xlsx",
        "Sheet1",
        None,
        None,
        None,
        "unrecognised",
        30,
        "表头与任何模板都不匹配 unrecognised_header",
        "run-1",
        None,
        None,
        T1,
    ),
    (
        "sub-bad",
        "损坏的文件.xlsx",
        None,
        None,
        None,
        None,
        "unreadable",
        None,
        "文件无法打开：不是有效的 xlsx 文件 unreadable_file",
        "run-1",
        None,
        None,
        T1,
    ),
]


def build_scratch_warehouse(warehouse_dir: Path) -> Settings:
    """Create ``warehouse.duckdb`` in ``warehouse_dir`` with schemas, submissions and marts; returns its Settings."""
    settings = Settings(raw_dir=warehouse_dir / "raw", warehouse_dir=warehouse_dir, pii_key=DEV_PII_KEY)
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        ensure_schema(con)
        for i, a in enumerate(AUDIT, 1):
            sid, src, sheet, tpl, who, yr, status, rows, reasons, run, version, sup, at = a
            con.execute(
                "INSERT INTO audit.submissions (submission_id, source_file, sheet, template, submitter_code, year, content_hash,"
                " status, rows, reasons, received_at, processed_at, version, file_hash, receipt_seq, run_id, superseded_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, src, sheet, tpl, who, yr, f"h{i}", status, rows, reasons, at, at, version, f"f{i}", i, run, sup],
            )
        _insert(
            con,
            "school_registry",
            "sub-reg",
            [
                {"year": YEAR, "school_code": c, "school_name": n, "county_code": k, "school_level": lv, "sponsor": sp}
                for c, n, k, lv, sp in SCHOOLS
            ],
        )
        for sid, school, rows in (("sub-aw1", S1, AWARD_ROWS), ("sub-aw2", S2, AWARD_ROWS_S2), ("sub-aw4", S4, AWARD_ROWS_S4)):
            _insert(con, "competition_awards", sid, [_award(school, r) for r in rows])
        write_marts(con)
    finally:
        con.close()
    return settings


def _award(school: str, r: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, masked, event, comp, level, org, prize, claimed, approval, paid = r
    role = {P1: "student", P2: "teacher", P3: "instructor", P4: "student"}[pk]
    return {
        "year": YEAR,
        "school_code": school,
        "person_name": name,
        "person_key": pk,
        "id_masked": masked,
        "role": role,
        "competition_name": comp,
        "competition_level": level,
        "organizer_type": org,
        "event_name": event,
        "event_key": text_key(event),
        "prize": prize,
        "award_date": date(YEAR, 6, 1),
        "claimed_yuan": claimed,
        "hr_approval_no": approval,
        "paid_yuan": paid,
    }


def _insert(con: duckdb.DuckDBPyConnection, template: str, submission_id: str, rows: list[dict[str, Any]]) -> None:
    cols = [*stored_column_names(TEMPLATES[template]), *(n for n, _ in LINEAGE_COLUMNS)]
    src = con.execute("SELECT source_file, sheet FROM audit.submissions WHERE submission_id = ?", [submission_id]).fetchone()
    assert src is not None
    for i, r in enumerate(rows, 2):
        lineage = {"submission_id": submission_id, "version": 1, "source_file": src[0], "sheet": src[1], "row_number": i, "loaded_at": T1}
        values = {**r, **lineage}
        con.execute(
            f"INSERT INTO history.{template} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", [values.get(c) for c in cols]
        )


def write_marts(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the hand-made marts."""
    con.execute(MART_DDL)
    for table, rows in MARTS.items():
        for r in rows:
            con.execute(f"INSERT INTO marts.{table} VALUES ({', '.join('?' * len(r))})", list(r))


if __name__ == "__main__":
    s = build_scratch_warehouse(Path(sys.argv[1] if len(sys.argv) > 1 else "warehouse-scratch").resolve())
    print(s.warehouse_path)
