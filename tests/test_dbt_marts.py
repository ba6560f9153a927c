"""End-to-end test of the dbt project (issue 3): a small hand-written warehouse, one
`dbt build` (seeds, models, unit tests and data tests), and hand-computed values
asserted in every mart.

The fixture imitates what the ingestion pipeline writes: rows in ``history.<template>``
with lineage, and ``audit.submissions`` with status ``loaded`` (plus one superseded
version that must not count). It does not use the ingestion code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.core.settings import DBT_PROJECT_DIR, DEV_PII_KEY
from dagster_project.core.templates import TEMPLATES
from dagster_project.store.warehouse import LINEAGE_COLUMNS, ensure_schema, stored_column_names
from tests.conftest import approve_all, hmac_key

D = Decimal
Row = dict[str, Any]

# ---------------------------------------------------------------------------------------
# Fixture data
# ---------------------------------------------------------------------------------------

S1 = "2202020001"  # 吉林市第一职业中等专业学校, 昌邑区, county-run secondary
S2 = "2202000002"  # 吉林职业技术学院, 市属高职 (no per-student standard yet)
S3 = "2202210003"  # 永吉县职业技术教育中心
S4 = "2202810004"  # 蛟河市职业技术教育中心
S5 = "2202830005"  # 舒兰市职业高级中学 (appropriation without enrollment)

SCHOOLS: list[tuple[str, str, str, str, str]] = [
    (S1, "吉林市第一职业中等专业学校", "220202", "secondary", "county"),
    (S2, "吉林职业技术学院", "220204", "higher", "city"),
    (S3, "永吉县职业技术教育中心", "220221", "secondary", "county"),
    (S4, "蛟河市职业技术教育中心", "220281", "secondary", "county"),
    (S5, "舒兰市职业高级中学", "220283", "secondary", "county"),
]


def person_key(id_number: str) -> str:
    return hmac_key(id_number, DEV_PII_KEY)


def mask(id_number: str) -> str:
    return id_number[:6] + "*" * 8 + id_number[-4:]


# name, ID number (fictitious, valid check digits are irrelevant to dbt)
PEOPLE: dict[str, tuple[str, str]] = {
    "A": ("张伟", "220202200501011234"),
    "B": ("李敏", "22020219800202234X"),
    "C": ("王芳", "220221200603033456"),
    "D": ("刘洋", "220221200604044567"),
    "E": ("陈静", "220202200605055678"),
    "F": ("赵磊", "220221198807076789"),
}
PK = {k: person_key(v[1]) for k, v in PEOPLE.items()}

ROBOT = "工业机器人技术应用"


def award(
    who: str,
    school: str,
    role: str,
    level: str,
    organizer: str,
    event: str,
    prize: str,
    claimed: str,
    paid: str | None,
    approval: str | None,
    competition: str,
    award_date: date,
) -> Row:
    name, id_number = PEOPLE[who]
    return {
        "year": 2024,
        "school_code": school,
        "person_name": name,
        "person_key": person_key(id_number),
        "id_masked": mask(id_number),
        "role": role,
        "competition_name": competition,
        "competition_level": level,
        "organizer_type": organizer,
        "event_name": event,
        "prize": prize,
        "award_date": award_date,
        "claimed_yuan": D(claimed),
        "hr_approval_no": approval,
        "paid_yuan": None if paid is None else D(paid),
    }


def training(school: str, year: int, name: str, ttype: str, trainees: int, hours: str, income: str, policy: bool = False) -> Row:
    return {
        "year": year,
        "school_code": school,
        "program_name": name,
        "training_type": ttype,
        "start_date": date(year, 4, 1),
        "end_date": date(year, 6, 30),
        "trainees": trainees,
        "hours_per_trainee": D(hours),
        "income_yuan": D(income),
        "is_policy_project": policy,
        "partner_name": None,
        "in_budget": None,  # files made before the column (2026-11): not declared
    }


def partnership(
    school: str,
    year: int,
    partner: str,
    credit: str,
    coop: str,
    category: str,
    contract: str,
    start: date,
    end: date,
    income: str,
    in_budget: bool,
    allowance: str | None = None,
) -> Row:
    return {
        "year": year,
        "school_code": school,
        "partner_name": partner,
        "partner_credit_code": credit,
        "cooperation_type": coop,
        "income_category": category,
        "contract_no": contract,
        "contract_start": start,
        "contract_end": end,
        "income_yuan": D(income),
        "in_budget": in_budget,
        "internship_allowance_yuan": None if allowance is None else D(allowance),
    }


def enrollment(school: str, year: int, categories: list[tuple[str, int, str]]) -> list[Row]:
    return [
        {
            "year": year,
            "school_code": school,
            "program_category": cat,
            "program_category_name": None,
            "students": students,
            "exam_class_students": None,
            "tuition_income_yuan": D(tuition),
        }
        for cat, students, tuition in categories
    ]


def appropriation(funder: str, school: str, year: int, standard: str | None, funded: int, amount: str) -> Row:
    return {
        "year": year,
        "funder_code": funder,
        "school_code": school,
        "standard_per_student_yuan": None if standard is None else D(standard),
        "funded_students": funded,
        "appropriated_yuan": D(amount),
        "paid_date": date(year, 9, 30),
    }


def budget(county: str, year: int, education: str, vocational: str) -> Row:
    return {"year": year, "county_code": county, "education_budget_yuan": D(education), "vocational_budget_yuan": D(vocational)}


# One submission = (template, submitter, year, rows[, status]).
Submission = tuple[str, str, int, list[Row], str]


# fmt: off
def submissions() -> list[Submission]:
    subs: list[Submission] = []

    def add(template: str, submitter: str, year: int, rows: list[Row], status: str = "loaded") -> None:
        subs.append((template, submitter, year, rows, status))

    for year in (2021, 2022, 2023, 2024):
        add(
            "school_registry",
            "220200",
            year,
            [
                {"year": year, "school_code": c, "school_name": n, "county_code": k, "school_level": lvl, "sponsor": sp, "has_comprehensive_hs": False}
                for c, n, k, lvl, sp in SCHOOLS
            ],
        )

    # --- enrollment and appropriation (per_student_funding) ---
    add("enrollment", S1, 2023, enrollment(S1, 2023, [("51", 280, "140000"), ("53", 200, "100000")]))
    add("enrollment", S1, 2024, enrollment(S1, 2024, [("51", 300, "150000"), ("53", 200, "100000")]))
    add("appropriation", "220202", 2023, [appropriation("220202", S1, 2023, "6000", 480, "2976000")])
    add("appropriation", "220202", 2024, [appropriation("220202", S1, 2024, "6000", 500, "3000000")])

    add("enrollment", S2, 2024, enrollment(S2, 2024, [("46", 1800, "5400000"), ("51", 1200, "3600000")]))
    add("appropriation", "220200", 2024, [appropriation("220200", S2, 2024, None, 3000, "15000000")])

    add("enrollment", S3, 2023, enrollment(S3, 2023, [("46", 380, "120000")]))
    add("appropriation", "220221", 2023, [appropriation("220221", S3, 2023, "6000", 380, "2100000")])
    add("enrollment", S3, 2024, enrollment(S3, 2024, [("46", 250, "125000"), ("51", 150, "75000")]))
    # a first version that was corrected (更正): must not count
    add("appropriation", "220221", 2024, [appropriation("220221", S3, 2024, "6000", 420, "2520000")], "superseded")
    add("appropriation", "220221", 2024, [appropriation("220221", S3, 2024, "6000", 420, "2200000")])

    add("enrollment", S4, 2024, enrollment(S4, 2024, [("46", 100, "30000")]))
    add("appropriation", "220281", 2024, [appropriation("220281", S4, 2024, "6000", 100, "599900")])

    add("appropriation", "220283", 2024, [appropriation("220283", S5, 2024, "6000", 150, "900000")])

    # --- training ---
    add(
        "training",
        S1,
        2021,
        [
            training(S1, 2021, "小学生职业体验日", "labor_enlightenment", 2500, "8", "0", True),
            training(S1, 2021, "中学生劳动教育实践周", "labor_enlightenment", 1700, "8", "0", True),
        ],
    )
    add("training", S1, 2022, [training(S1, 2022, "中小学生职业启蒙", "labor_enlightenment", 5100, "6", "0", True)])
    add("training", S1, 2023, [training(S1, 2023, "中小学生职业启蒙", "labor_enlightenment", 3500, "6", "0", True)])
    add("training", S3, 2023, [training(S3, 2023, "农村中小学劳动教育", "labor_enlightenment", 2500, "4", "0", True)])
    add(
        "training",
        S1,
        2024,
        [
            training(S1, 2024, "中小学生职业启蒙", "labor_enlightenment", 2800, "6", "0", True),
            training(S1, 2024, "化工企业在岗职工技能提升", "incumbent_upskilling", 80, "40", "64000"),
            training(S1, 2024, "电工在岗职工技能提升", "incumbent_upskilling", 40, "40", "32000"),
            training(S1, 2024, "1+X工业机器人证书培训", "one_plus_x", 60, "24.5", "30000"),
        ],
    )
    add("training", S3, 2024, [training(S3, 2024, "农村中小学劳动教育", "labor_enlightenment", 2000, "4", "0", True)])

    # --- partnership income ---
    add(
        "partnership_income",
        S1,
        2024,
        [
            partnership(S1, 2024, "吉林化纤集团有限责任公司", "91220201123456789A", "production_base", "production", "JZ-2024-01",
                        date(2024, 3, 1), date(2027, 3, 1), "200000", True, "12000"),
            partnership(S1, 2024, "吉林市精密机械制造有限公司", "91220201987654321B", "production_base", "production", "JZ-2023-07",
                        date(2023, 9, 1), date(2027, 8, 31), "150000", False, "8000"),
            partnership(S1, 2024, "吉林市精密机械制造有限公司", "91220201987654321B", "technical_service", "intellectual", "JF-2024-05",
                        date(2024, 5, 1), date(2024, 12, 31), "50000", True),
            partnership(S1, 2024, "吉林市慈善总会", "51220200MJ0000000C", "donation", "donation", "JZ-2024-09",
                        date(2024, 9, 1), date(2024, 9, 1), "100000", True),
        ],
    )
    add(
        "partnership_income",
        S3,
        2023,
        [
            partnership(S3, 2023, "永吉县农业技术推广中心", "12220221MB0000001D", "social_training", "training", "YJ-2023-02",
                        date(2023, 3, 1), date(2023, 11, 30), "60000", True),
        ],
    )

    # --- competition awards (2024) ---
    rob = "全国职业院校技能大赛"
    add(
        "competition_awards",
        S1,
        2024,
        [
            # the worked example of policy-rules.md §1, with the event written three ways
            award("A", S1, "student", "city", "official", ROBOT, "first", "3000", "3000", "吉市人社〔2024〕15号", "吉林市职业院校技能大赛", date(2024, 3, 20)),
            award("A", S1, "student", "provincial", "official", "工业机器人技术应用 ", "second", "8000", None, None, "吉林省职业院校技能大赛", date(2024, 5, 10)),
            award("A", S1, "student", "national", "official", "工业机器人\u3000技术应用", "third", "12000", "0", "吉市人社〔2024〕31号", rob, date(2024, 8, 15)),
            award("A", S1, "student", "national", "social", "数控车", "first", "10000", "10000", None, "全国机械行业职业技能竞赛", date(2024, 10, 12)),
            award("B", S1, "instructor", "national", "official", ROBOT, "third", "12000", "12500", "吉市人社〔2024〕31号", rob, date(2024, 8, 15)),
            award("E", S1, "student", "provincial", "social", "电子商务运营", "second", "3000", None, " ", "吉林省电子商务协会技能竞赛", date(2024, 6, 1)),
        ],
    )
    add(
        "competition_awards",
        S3,
        2024,
        [
            award("C", S3, "student", "international", "social", "Ｗｅｂ技术", "first", "10000", None, None, "世界技能大赛中国选拔赛", date(2024, 7, 1)),
            award("C", S3, "student", "provincial", "official", "Web 技术", "third", "5000", None, None, "吉林省职业院校技能大赛", date(2024, 5, 12)),
            award("D", S3, "student", "city", "official", "电子商务", "other", "500", None, None, "吉林市职业院校技能大赛", date(2024, 3, 22)),
            award("F", S3, "teacher", "city", "official", "ＰＬＣ控制⑴（Ⅱ级）", "third", "1000", None, None, "吉林市职业院校技能大赛", date(2024, 3, 22)),
        ],
    )

    # --- county education budgets ---
    add("county_education_budget", "220221", 2023, [budget("220221", 2023, "100000000", "10000000")])
    add("county_education_budget", "220221", 2024, [budget("220221", 2024, "110000000", "11500000")])
    add("county_education_budget", "220202", 2023, [budget("220202", 2023, "200000000", "30000000")])
    add("county_education_budget", "220202", 2024, [budget("220202", 2024, "220000000", "32000000")])
    add("county_education_budget", "220200", 2023, [budget("220200", 2023, "500000000", "50000000")])
    add("county_education_budget", "220200", 2024, [budget("220200", 2024, "480000000", "52000000")])
    add("county_education_budget", "220281", 2024, [budget("220281", 2024, "80000000", "9000000")])
    return subs
# fmt: on


def nfkc_key(text: str) -> str:
    """What policy-rules.md §1.4 compares events by (NFKC, no white space), with case folded as
    the project decided; ingestion stores it as event_key / contract_key, so the fixture does too."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()))


def build_fixture_warehouse(path: Path) -> None:
    """Create the working database as the pipeline would leave it, with the fixture rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
        versions: dict[tuple[str, str, int], int] = {}
        now = datetime(2025, 1, 15, 9, 0, 0)
        for template, submitter, year, rows, status in submissions():
            ident = (template, submitter, year)
            versions[ident] = versions.get(ident, 0) + 1
            version = versions[ident]
            sid = f"{template}-{submitter}-{year}-v{version}"
            source_file = f"{year}/{submitter}/{template}_v{version}.xlsx"
            con.execute(
                "INSERT INTO audit.submissions (submission_id, source_file, sheet, template, submitter_code, year, content_hash,"
                " status, rows, received_at, processed_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, source_file, "Sheet1", template, submitter, year, f"hash-{sid}", status, len(rows), now, now, version],
            )
            cols = stored_column_names(TEMPLATES[template]) + [c for c, _ in LINEAGE_COLUMNS]
            placeholders = ", ".join("?" for _ in cols)
            for i, row in enumerate(rows):
                lineage = {
                    "submission_id": sid,
                    "version": version,
                    "source_file": source_file,
                    "sheet": "Sheet1",
                    "row_number": i + 3,
                    "loaded_at": now,
                }
                keys = {c.key_column: nfkc_key(row[c.key]) for c in TEMPLATES[template].columns if c.key_column and row.get(c.key)}
                values = [row[c] if c in row else keys[c] if c in keys else lineage[c] for c in cols]
                con.execute(f"INSERT INTO history.{template} ({', '.join(cols)}) VALUES ({placeholders})", values)
        # issue 10: the city approved every current version, so the payout list (approved figures) has them all
        approve_all(con)
    finally:
        con.close()


# ---------------------------------------------------------------------------------------
# dbt build
# ---------------------------------------------------------------------------------------


def dbt_env(warehouse_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "VOCWH_WAREHOUSE_DIR": str(warehouse_dir),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    return env


def run_dbt(args: list[str], warehouse_dir: Path, work_dir: Path) -> subprocess.CompletedProcess[str]:
    dbt = Path(sys.executable).parent / "dbt"
    cmd = [
        str(dbt),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    return subprocess.run(cmd, env=dbt_env(warehouse_dir), capture_output=True, text=True, cwd=work_dir, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(warehouse dir, dbt work dir) after one successful `dbt build`."""
    root = tmp_path_factory.mktemp("dbt_marts")
    warehouse_dir = root / "warehouse"
    build_fixture_warehouse(warehouse_dir / "warehouse.duckdb")
    started = time.monotonic()
    result = run_dbt(["build"], warehouse_dir, root)
    elapsed = time.monotonic() - started
    print(f"dbt build took {elapsed:.1f}s")
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    yield warehouse_dir, root


@pytest.fixture(scope="module")
def con(built: tuple[Path, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse_dir, _ = built
    c = duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True)
    try:
        yield c
    finally:
        c.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
    result = rows(con, sql, params)
    assert len(result) == 1, result
    return result[0]


# ---------------------------------------------------------------------------------------
# The contract of marts.md
# ---------------------------------------------------------------------------------------

# The oracle: marts.md's table, written from the spec (not from the dbt yml). The dbt
# contract (the yml, read through the manifest) is checked against it; publishing and the
# other tests take the marts from the manifest, never from this list.
SPEC_COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    # mart: (grain, columns at least)
    "per_student_funding": (
        ["year", "school_code"],
        [
            "school_name",
            "county_code",
            "school_level",
            "enrolled_students",
            "funded_students",
            "standard_per_student_yuan",
            "expected_yuan",
            "appropriated_yuan",
            "per_student_yuan",
            "shortfall_yuan",
            "tuition_income_yuan",
            "service_income_yuan",
            "below_standard",
            "students_mismatch",
            "yoy_decrease",
            "offset_suspected",
            "no_standard",
            "no_enrollment",
        ],
    ),
    "training_volume": (["year", "school_code", "training_type"], ["county_code", "programs", "trainees", "trainee_hours", "income_yuan"]),
    "training_target_progress": (["year"], ["labor_enlightenment_trainees", "average_to_date", "target", "year_met", "average_met"]),
    "partnership_income": (
        ["year", "school_code", "cooperation_type", "income_category"],
        ["county_code", "partners", "contracts", "income_yuan", "off_budget_yuan", "contracts_over_3y", "internship_allowance_yuan"],
    ),
    "award_spending": (
        ["year", "school_code", "competition_level", "organizer_type", "role"],
        [
            "county_code",
            "awardees",
            "awards_counted",
            "awards_suppressed",
            "entitled_yuan",
            "claimed_yuan",
            "paid_yuan",
            "paid_without_approval_yuan",
            "overpaid_yuan",
        ],
    ),
    "award_entitlements": (
        ["year", "person_key", "event_key"],
        [
            "school_code",
            "role",
            "competition_level",
            "organizer_type",
            "prize",
            "entitled_yuan",
            "claimed_yuan",
            "paid_yuan",
            "approved",
            "suppressed_awards",
        ],
    ),
    "county_funding_tilt": (
        ["year", "county_code"],
        [
            "education_budget_yuan",
            "vocational_budget_yuan",
            "increment_total_yuan",
            "increment_vocational_yuan",
            "previous_vocational_share",
            "increment_vocational_share",
            "tilted",
        ],
    ),
}

FLAG_COLUMNS = {
    "below_standard", "students_mismatch", "yoy_decrease", "offset_suspected", "no_standard", "no_enrollment",
    "year_met", "average_met", "approved", "tilted",
}  # fmt: skip


def mart_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    result = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return {name: dtype for name, dtype in result}


def manifest_marts(work_dir: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"}


def test_marts_exist_with_the_contract_columns_and_types(con: duckdb.DuckDBPyConnection, built: tuple[Path, Path]) -> None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
    marts = manifest_marts(built[1])
    assert tables == set(marts) and set(SPEC_COLUMNS) <= tables  # more marts are welcome (schools)
    for table, (grain, columns) in SPEC_COLUMNS.items():
        assert set(grain + columns) <= set(marts[table]["columns"]), table  # the yml states the spec's columns
    for table, (grain, columns) in SPEC_COLUMNS.items():
        cols = mart_columns(con, table)
        missing = [c for c in grain + columns if c not in cols]
        assert not missing, (table, missing)
        for name, dtype in cols.items():
            if name.endswith("_yuan"):
                assert dtype == "DECIMAL(18,2)", (table, name, dtype)
            if name in FLAG_COLUMNS:
                assert dtype == "BOOLEAN", (table, name, dtype)
        grain_sql = ", ".join(grain)
        dupes = con.execute(f"SELECT {grain_sql}, count(*) FROM marts.{table} GROUP BY {grain_sql} HAVING count(*) > 1").fetchall()
        assert dupes == [], (table, dupes)


def test_every_mart_column_is_described_in_chinese_and_english(built: tuple[Path, Path]) -> None:
    _, work_dir = built
    cjk = re.compile(r"[\u4e00-\u9fff]")
    latin = re.compile(r"[A-Za-z]{3,}")
    marts = manifest_marts(work_dir)
    assert set(SPEC_COLUMNS) <= set(marts)
    for name, node in marts.items():
        assert node["config"]["materialized"] == "table"
        assert node["config"]["contract"]["enforced"] is True
        assert cjk.search(node["description"]) and latin.search(node["description"]), name
        for col, spec in node["columns"].items():
            desc = spec.get("description", "")
            assert cjk.search(desc) and latin.search(desc), (name, col, desc)


def test_no_names_or_id_numbers_in_the_marts(con: duckdb.DuckDBPyConnection, built: tuple[Path, Path]) -> None:
    forbidden = [v for name, id_number in PEOPLE.values() for v in (name, id_number, mask(id_number))]
    for table in manifest_marts(built[1]):
        cols = mart_columns(con, table)
        assert not {"person_name", "id_number", "id_masked"} & set(cols)
        text_cols = [c for c, t in cols.items() if t == "VARCHAR"]
        for col in text_cols:
            values = {r[0] for r in con.execute(f"SELECT DISTINCT {col} FROM marts.{table}").fetchall()}
            assert not values & set(forbidden), (table, col)
    # person_key is the HMAC of the ID number, as ingestion writes it
    keys = {r[0] for r in con.execute("SELECT DISTINCT person_key FROM marts.award_entitlements").fetchall()}
    assert keys == set(PK.values())


def test_schemas_staging_intermediate_marts(con: duckdb.DuckDBPyConnection) -> None:
    found = {
        (s, t)
        for s, t in con.execute(
            "SELECT table_schema, table_type FROM information_schema.tables"
            " WHERE table_schema IN ('staging', 'intermediate', 'marts', 'seeds', 'restricted')"
        ).fetchall()
    }
    assert found == {
        ("staging", "VIEW"), ("intermediate", "VIEW"), ("marts", "BASE TABLE"), ("seeds", "BASE TABLE"),
        ("restricted", "VIEW"), ("restricted", "BASE TABLE"),  # names for the payout audit: never in the snapshot
    }  # fmt: skip
    schemas = {r[0] for r in con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()}
    assert not any(s.startswith("main_") for s in schemas), schemas


# ---------------------------------------------------------------------------------------
# per_student_funding (policy-rules.md §2)
# ---------------------------------------------------------------------------------------


def funding(con: duckdb.DuckDBPyConnection, year: int, school: str) -> dict[str, Any]:
    return one(con, "SELECT * FROM marts.per_student_funding WHERE year = ? AND school_code = ?", [year, school])


def test_funding_grain_is_schools_with_enrollment_or_appropriation(con: duckdb.DuckDBPyConnection) -> None:
    got = {(r["year"], r["school_code"]) for r in rows(con, "SELECT year, school_code FROM marts.per_student_funding")}
    assert got == {(2023, S1), (2023, S3), (2024, S1), (2024, S2), (2024, S3), (2024, S4), (2024, S5)}


def test_funding_compliant_school_with_yoy_decrease(con: duckdb.DuckDBPyConnection) -> None:
    r = funding(con, 2024, S1)
    assert (r["school_name"], r["county_code"], r["school_level"]) == ("吉林市第一职业中等专业学校", "220202", "secondary")
    assert (r["enrolled_students"], r["funded_students"]) == (500, 500)
    assert r["standard_per_student_yuan"] == D("6000.00")
    assert r["expected_yuan"] == D("3000000.00")
    assert r["appropriated_yuan"] == D("3000000.00")
    assert r["per_student_yuan"] == D("6000.00")
    assert r["previous_per_student_yuan"] == D("6200.00")  # 2976000 / 480
    assert r["shortfall_yuan"] == D("0.00")
    assert r["tuition_income_yuan"] == D("250000.00")
    # training 64000 + 32000 + 30000; partnership 200000 + 150000 + 50000, donation 100000 excluded
    assert r["service_income_yuan"] == D("526000.00")
    assert r["yoy_decrease"] is True
    for flag in ("below_standard", "students_mismatch", "offset_suspected", "no_standard", "no_enrollment"):
        assert r[flag] is False, flag


def test_funding_below_standard_mismatch_and_offset_by_tuition(con: duckdb.DuckDBPyConnection) -> None:
    r = funding(con, 2024, S3)  # the superseded version (2520000) does not count
    assert (r["enrolled_students"], r["funded_students"]) == (400, 420)
    assert r["appropriated_yuan"] == D("2200000.00")
    assert r["per_student_yuan"] == D("5500.00")
    assert r["expected_yuan"] == D("2400000.00")
    assert r["shortfall_yuan"] == D("200000.00")
    assert r["tuition_income_yuan"] == D("200000.00")  # = shortfall: offset
    assert r["below_standard"] is True
    assert r["students_mismatch"] is True
    assert r["offset_suspected"] is True
    assert r["offset_basis"] == "tuition"
    assert r["yoy_decrease"] is True  # 5500.00 < 5526.32


def test_funding_offset_by_tuition_and_service_income_together(con: duckdb.DuckDBPyConnection) -> None:
    r = funding(con, 2023, S3)
    assert r["per_student_yuan"] == D("5526.32")  # 2100000 / 380, rounded to the fen
    assert r["shortfall_yuan"] == D("180000.00")
    assert (r["tuition_income_yuan"], r["service_income_yuan"]) == (D("120000.00"), D("60000.00"))
    assert r["offset_suspected"] is True
    assert r["offset_basis"] == "tuition_and_service"
    assert r["below_standard"] is True


def test_funding_below_standard_tolerance_boundary(con: duckdb.DuckDBPyConnection) -> None:
    r = funding(con, 2024, S4)
    assert r["per_student_yuan"] == D("5999.00")  # = standard − 1: not below
    assert r["shortfall_yuan"] == D("100.00")
    assert r["below_standard"] is False
    assert r["offset_suspected"] is False


def test_funding_no_standard(con: duckdb.DuckDBPyConnection) -> None:
    r = funding(con, 2024, S2)
    assert r["no_standard"] is True
    assert r["standard_per_student_yuan"] is None
    assert r["expected_yuan"] is None and r["shortfall_yuan"] is None
    assert r["per_student_yuan"] == D("5000.00")
    assert r["below_standard"] is False and r["offset_suspected"] is False


def test_funding_no_enrollment(con: duckdb.DuckDBPyConnection) -> None:
    r = funding(con, 2024, S5)
    assert r["no_enrollment"] is True
    assert r["enrolled_students"] == 0 and r["funded_students"] == 150
    assert r["per_student_yuan"] is None
    assert r["students_mismatch"] is True


# ---------------------------------------------------------------------------------------
# training (§3) and partnership income (§4)
# ---------------------------------------------------------------------------------------


def test_training_volume(con: duckdb.DuckDBPyConnection) -> None:
    r = one(
        con, "SELECT * FROM marts.training_volume WHERE year = 2024 AND school_code = ? AND training_type = 'incumbent_upskilling'", [S1]
    )
    assert (r["county_code"], r["programs"], r["trainees"]) == ("220202", 2, 120)
    assert r["trainee_hours"] == D("4800.00")
    assert r["income_yuan"] == D("96000.00")
    r = one(con, "SELECT * FROM marts.training_volume WHERE year = 2024 AND school_code = ? AND training_type = 'one_plus_x'", [S1])
    assert r["trainee_hours"] == D("1470.00")  # 60 × 24.5
    r = one(
        con, "SELECT * FROM marts.training_volume WHERE year = 2021 AND school_code = ? AND training_type = 'labor_enlightenment'", [S1]
    )
    assert (r["programs"], r["trainees"], r["trainee_hours"]) == (2, 4200, D("33600.00"))
    assert con.execute("SELECT count(*) FROM marts.training_volume").fetchone() == (8,)


def test_training_target_progress(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "SELECT * FROM marts.training_target_progress ORDER BY year")
    assert [
        (r["year"], r["labor_enlightenment_trainees"], r["average_to_date"], r["target"], r["year_met"], r["average_met"]) for r in got
    ] == [
        (2021, 4200, D("4200.00"), 5000, False, False),
        (2022, 5100, D("4650.00"), 5000, True, False),
        (2023, 6000, D("5100.00"), 5000, True, True),
        (2024, 4800, D("5025.00"), 5000, False, True),
    ]


def test_partnership_income(con: duckdb.DuckDBPyConnection) -> None:
    r = one(
        con,
        "SELECT * FROM marts.partnership_income WHERE year = 2024 AND school_code = ? AND cooperation_type = 'production_base' AND income_category = 'production'",
        [S1],
    )
    assert (r["county_code"], r["partners"], r["contracts"]) == ("220202", 2, 2)
    assert r["income_yuan"] == D("350000.00")
    assert r["off_budget_yuan"] == D("150000.00")
    assert r["contracts_over_3y"] == 1  # 2024-03-01..2027-03-01 is exactly 3 years: not over
    assert r["internship_allowance_yuan"] == D("20000.00")
    r = one(con, "SELECT * FROM marts.partnership_income WHERE year = 2024 AND school_code = ? AND cooperation_type = 'donation'", [S1])
    assert r["income_yuan"] == D("100000.00") and r["off_budget_yuan"] == D("0.00") and r["contracts_over_3y"] == 0
    assert con.execute("SELECT count(*) FROM marts.partnership_income").fetchone() == (4,)


# ---------------------------------------------------------------------------------------
# awards (§1)
# ---------------------------------------------------------------------------------------


def entitlement(con: duckdb.DuckDBPyConnection, who: str, event_key: str) -> dict[str, Any]:
    return one(con, "SELECT * FROM marts.award_entitlements WHERE person_key = ? AND event_key = ?", [PK[who], event_key])


def test_awards_worked_example(con: duckdb.DuckDBPyConnection) -> None:
    # the three spellings of 工业机器人技术应用 are one event
    robot = entitlement(con, "A", ROBOT)
    assert (robot["competition_level"], robot["organizer_type"], robot["prize"]) == ("national", "official", "third")
    assert robot["entitled_yuan"] == D("12000.00")
    assert robot["suppressed_awards"] == 2 and robot["awards"] == 3
    assert "duplicate award" in robot["suppressed_reasons"]
    assert robot["claimed_yuan"] == D("23000.00")  # 3000 + 8000 + 12000, suppressed claims included
    assert robot["over_claim"] is True
    assert robot["paid_yuan"] == D("3000.00")
    assert robot["approved"] is True
    assert robot["overpaid"] is False and robot["paid_without_approval"] is False
    cnc = entitlement(con, "A", "数控车")
    assert (cnc["competition_level"], cnc["organizer_type"], cnc["prize"]) == ("national", "social", "first")
    assert cnc["entitled_yuan"] == D("10000.00")
    total = con.execute("SELECT sum(entitled_yuan) FROM marts.award_entitlements WHERE person_key = ?", [PK["A"]]).fetchone()
    assert total == (D("22000.00"),)


def test_awards_payment_checks(con: duckdb.DuckDBPyConnection) -> None:
    cnc = entitlement(con, "A", "数控车")  # paid 10000 without an HR approval number
    assert cnc["approved"] is False
    assert cnc["paid_without_approval"] is True and cnc["paid_without_approval_yuan"] == D("10000.00")
    instructor = entitlement(con, "B", ROBOT)  # same standard for an instructor; paid 12500
    assert instructor["role"] == "instructor" and instructor["entitled_yuan"] == D("12000.00")
    assert instructor["overpaid"] is True and instructor["overpaid_yuan"] == D("500.00")
    social = entitlement(con, "E", "电子商务运营")  # provincial social second: 8000 / 2; claimed 3000
    assert social["entitled_yuan"] == D("4000.00")
    assert social["under_claim"] is True and social["over_claim"] is False
    assert social["approved"] is False  # approval number " " is empty


def test_awards_international_and_nfkc_event(con: duckdb.DuckDBPyConnection) -> None:
    web = entitlement(con, "C", "web技术")  # Ｗｅｂ技术 and "Web 技术" are the same event
    assert (web["competition_level"], web["organizer_type"]) == ("international", "social")
    assert web["entitled_yuan"] == D("10000.00")  # national first 20000, halved
    assert web["suppressed_awards"] == 1
    assert web["claimed_yuan"] == D("15000.00") and web["over_claim"] is True


def test_event_key_is_the_stored_key(con: duckdb.DuckDBPyConnection) -> None:
    got = con.execute("SELECT event_name, event_key FROM staging.stg_submissions__competition_awards").fetchall()
    assert len(got) == 10
    for name, key in got:
        assert key == nfkc_key(name), (name, key)
    teacher = entitlement(con, "F", "plc控制(1)(ii级)")
    assert teacher["entitled_yuan"] == D("1000.00") and teacher["role"] == "teacher"


def test_awards_prize_other_listed_for_review(con: duckdb.DuckDBPyConnection) -> None:
    other = entitlement(con, "D", "电子商务")
    assert other["prize"] == "other"
    assert other["entitled_yuan"] == D("0.00")
    assert other["needs_review"] is True
    assert other["over_claim"] is True
    assert con.execute("SELECT count(*) FROM marts.award_entitlements").fetchone() == (7,)


def test_award_spending(con: duckdb.DuckDBPyConnection) -> None:
    got = {
        (r["school_code"], r["competition_level"], r["organizer_type"], r["role"]): r
        for r in rows(con, "SELECT * FROM marts.award_spending WHERE year = 2024")
    }
    assert set(got) == {
        (S1, "national", "official", "student"),
        (S1, "national", "social", "student"),
        (S1, "national", "official", "instructor"),
        (S1, "provincial", "social", "student"),
        (S3, "international", "social", "student"),
        (S3, "city", "official", "student"),
        (S3, "city", "official", "teacher"),
    }
    # the worked example's robot event counts under its counted (national) award, with its two
    # suppressed city / provincial awards and their claims and payment
    r = got[(S1, "national", "official", "student")]
    assert (r["county_code"], r["awardees"], r["awards_counted"], r["awards_suppressed"]) == ("220202", 1, 1, 2)
    assert (r["entitled_yuan"], r["claimed_yuan"], r["paid_yuan"]) == (D("12000.00"), D("23000.00"), D("3000.00"))
    r = got[(S1, "national", "social", "student")]
    assert r["paid_without_approval_yuan"] == D("10000.00")
    r = got[(S1, "national", "official", "instructor")]
    assert r["overpaid_yuan"] == D("500.00")
    total = con.execute("SELECT sum(entitled_yuan), sum(claimed_yuan), sum(paid_yuan) FROM marts.award_spending").fetchone()
    assert total == (D("49000.00"), D("64500.00"), D("25500.00"))  # 12000+10000+12000+4000+10000+0+1000


def test_award_rows_for_the_payout_audit(con: duckdb.DuckDBPyConnection) -> None:
    """int_award_rows has no names but joins to them exactly, for the finance payout audit."""
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'int_award_rows'").fetchall()}
    assert not {"person_name", "id_masked"} & cols
    audit = rows(
        con,
        """
        SELECT a.person_name, r.competition_level, r.is_suppressed, r.suppression_reason, r.entitled_yuan
        FROM intermediate.int_award_rows r
        JOIN submissions.competition_awards a ON a.submission_id = r.submission_id AND a.row_number = r.source_row_number
        WHERE r.person_key = ? ORDER BY r.award_date
        """,
        [PK["A"]],
    )
    assert [(x["person_name"], x["competition_level"], x["is_suppressed"], x["entitled_yuan"]) for x in audit] == [
        ("张伟", "city", True, D("0.00")),
        ("张伟", "provincial", True, D("0.00")),
        ("张伟", "national", False, D("12000.00")),
        ("张伟", "national", False, D("10000.00")),
    ]
    assert all(x["suppression_reason"] for x in audit if x["is_suppressed"])


# ---------------------------------------------------------------------------------------
# county funding tilt (§5)
# ---------------------------------------------------------------------------------------


def test_county_funding_tilt(con: duckdb.DuckDBPyConnection) -> None:
    got = {r["county_code"]: r for r in rows(con, "SELECT * FROM marts.county_funding_tilt")}
    assert set(got) == {"220221", "220202", "220200"}  # 220281 has no previous year
    r = got["220221"]
    assert r["year"] == 2024 and r["county_name"] == "永吉县"
    assert (r["increment_total_yuan"], r["increment_vocational_yuan"]) == (D("10000000.00"), D("1500000.00"))
    assert (r["previous_vocational_share"], r["increment_vocational_share"]) == (D("0.100000"), D("0.150000"))
    assert r["tilted"] is True
    r = got["220202"]
    assert (r["previous_vocational_share"], r["increment_vocational_share"]) == (D("0.150000"), D("0.100000"))
    assert r["tilted"] is False
    r = got["220200"]
    assert r["increment_total_yuan"] == D("-20000000.00")
    assert r["tilted"] is False and r["no_new_funds"] is True


# ---------------------------------------------------------------------------------------
# policy parameters live in seeds, never as literals in SQL
# ---------------------------------------------------------------------------------------


def test_policy_values_are_not_literals_in_models() -> None:
    literals = re.compile(r"\b(20000|15000|12000|10000|8000|5000|3000|2000|1000|0\.5|0\.01)\b")
    for path in (DBT_PROJECT_DIR / "models").rglob("*.sql"):
        code = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        assert not literals.search(code), (path, literals.findall(code))


def test_seeded_policy_values(con: duckdb.DuckDBPyConnection) -> None:
    standards = {
        (r[0], r[1]): r[2] for r in con.execute("SELECT standard_level, prize, standard_yuan FROM seeds.policy_award_standards").fetchall()
    }
    assert standards == {
        ("national", "first"): D("20000.00"), ("national", "second"): D("15000.00"), ("national", "third"): D("12000.00"),
        ("provincial", "first"): D("10000.00"), ("provincial", "second"): D("8000.00"), ("provincial", "third"): D("5000.00"),
        ("city", "first"): D("3000.00"), ("city", "second"): D("2000.00"), ("city", "third"): D("1000.00"),
    }  # fmt: skip
    params = {
        r[0]: (r[1], r[2], r[3])
        for r in con.execute("SELECT parameter, value, valid_from_year, valid_to_year FROM seeds.policy_parameters").fetchall()
    }
    assert params["labor_enlightenment_annual_target"] == (D("5000.0000"), 2021, 2025)
    assert params["production_base_cycle_years"][0] == D("3.0000")
    assert params["offset_tolerance_ratio"][0] == D("0.0100")
    assert params["offset_tolerance_min_yuan"][0] == D("1000.0000")
    assert params["below_standard_tolerance_yuan"][0] == D("1.0000")


def test_award_payout_list_in_the_restricted_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The payout list (names for the finance audit) is a dbt model: amounts are the mart's,
    still-to-pay is computed in SQL, and it lives outside schema marts."""
    got = {r["event_key"]: r for r in rows(con, "SELECT * FROM restricted.award_payout WHERE person_key = ?", [PK["A"]])}
    assert set(got) == {ROBOT, "数控车"}
    robot = got[ROBOT]
    assert (robot["person_name"], robot["id_masked"]) == ("张伟", mask(PEOPLE["A"][1]))
    assert robot["school_name"] == "吉林市第一职业中等专业学校"
    assert (robot["entitled_yuan"], robot["paid_yuan"], robot["to_pay_yuan"]) == (D("12000.00"), D("3000.00"), D("9000.00"))
    assert robot["competition_name"] == "全国职业院校技能大赛"  # the counted award's
    cnc = got["数控车"]
    assert (cnc["to_pay_yuan"], cnc["paid_without_approval_yuan"]) == (D("0.00"), D("10000.00"))
    mart = con.execute("SELECT count(*), sum(entitled_yuan) FROM marts.award_entitlements").fetchone()
    assert con.execute("SELECT count(*), sum(entitled_yuan) FROM restricted.award_payout").fetchone() == mart
