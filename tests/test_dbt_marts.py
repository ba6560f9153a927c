"""The dbt project's contract and wiring, on the shared real build (``published_city``).

Every policy rule is tested once, by hand-computed dbt unit tests in the models' yml
(``unit_tests:`` in dbt/models/**/_*__models.yml); ``test_dbt_unit_tests_of_both_builds``
runs them: those of the models both builds make once, with the latest figures, and those of
the approved build's own models (the payout list, the finance sheets: they exist only with
``--vars '{figures: approved}'``) with the approved ones. The tests
below check what the unit tests cannot: that the real build makes the marts of the contract
with the declared types and descriptions, in the right schemas, without personal data, and
that the payout list joins back to the names it is made for.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.core.settings import DBT_PROJECT_DIR
from dagster_project.transform.dbt_project import APPROVED, FIGURES, LATEST, dbt_vars
from tests.conftest import FORMULA_NAME, HOSTILE, HOSTILE_SCHOOL, PEOPLE_2025, PublishedCity, hmac_key, run_dbt

D = Decimal


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
    result = rows(con, sql, params)
    assert len(result) == 1, result
    return result[0]


# ---------------------------------------------------------------------------------------
# The rules: dbt unit tests, both sets of figures
# ---------------------------------------------------------------------------------------


# The unit tests of each build. A model both builds make is the same SQL in both, and its unit
# tests give every input (refs and sources alike), so they run once, in the latest build; the
# approved build runs those of its own models.
UNIT_TESTS = {LATEST: "test_type:unit", APPROVED: "test_type:unit,config.meta.figures:approved"}


def test_dbt_unit_tests_of_both_builds(published_city: PublishedCity, tmp_path: Path) -> None:
    """``dbt test`` of the unit tests, once per set of figures (``UNIT_TESTS``). Unit tests
    read their inputs' column types from the database, so they run on a copy of the real
    build (dbt opens it for writing; the other tests hold the shared one open for reading)."""
    warehouse_dir = tmp_path / "wh"
    warehouse_dir.mkdir()
    shutil.copy2(published_city.settings.warehouse_path, warehouse_dir / "warehouse.duckdb")
    passed: dict[str, set[str]] = {}
    for figures in FIGURES:
        result = run_dbt(["test", "--select", UNIT_TESTS[figures], *dbt_vars(figures)], warehouse_dir, tmp_path / figures)
        assert result.returncode == 0, f"unit tests ({figures}):\n" + result.stdout[-8000:] + result.stderr[-2000:]
        passed[figures] = set(re.findall(r" PASS (\w+)::(\w+)", result.stdout))  # (model, unit test)
        assert not re.search(r"\b(FAIL|ERROR)\b \w+::", result.stdout), result.stdout[-8000:]
    models = {figures: {m for m, _ in got} for figures, got in passed.items()}
    # every rule's model has its cases, and the models of one build only run in theirs
    assert {"per_student_funding", "int_award_rows", "int_award_person_events", "award_spending", "county_funding_tilt",
            "training_target_progress", "partnership_income", "recruitment_hires", "policy_indicators"} <= models[LATEST]  # fmt: skip
    assert "submission_status" in models[LATEST] - models[APPROVED]
    assert "award_payout" in models[APPROVED] - models[LATEST]
    assert models[APPROVED] & models[LATEST] == set()  # a shared model's cases ran once

    # The model-level null test (tests/generic/not_null_columns.sql) names each column with
    # nulls and how many, and passes over the nulls a mart allows (per_student_yuan without pupils).
    con = duckdb.connect(str(warehouse_dir / "warehouse.duckdb"))
    try:
        con.execute(
            "UPDATE marts.per_student_funding SET school_code = NULL, below_standard = NULL, per_student_yuan = NULL"
            " WHERE (year, school_code) IN (SELECT (year, school_code) FROM marts.per_student_funding ORDER BY ALL LIMIT 2)"
        )
    finally:
        con.close()
    result = run_dbt(["test", "--select", "not_null_per_student_funding", "--store-failures"], warehouse_dir, tmp_path / "nulls")
    assert result.returncode != 0 and "Failure in test not_null_per_student_funding" in result.stdout, result.stdout[-4000:]
    con = duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True)
    try:
        failures = con.execute("SELECT column_name, null_rows FROM dbt_test__audit.not_null_per_student_funding ORDER BY 1").fetchall()
    finally:
        con.close()
    assert failures == [("below_standard", 2), ("school_code", 2)]


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
        # 特等奖 at its level's first-prize amount (policy-rules §1.3, updated 2026-12)
        ("national", "special"): D("20000.00"), ("provincial", "special"): D("10000.00"), ("city", "special"): D("3000.00"),
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
            "school_name", "county_code", "school_level", "enrolled_students", "funded_students", "standard_per_student_yuan",
            "expected_yuan", "appropriated_yuan", "per_student_yuan", "shortfall_yuan", "tuition_income_yuan",
            "service_income_yuan", "below_standard", "students_mismatch", "yoy_decrease", "offset_suspected", "no_standard",
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
            "county_code", "awardees", "awards_counted", "awards_suppressed", "entitled_yuan", "claimed_yuan", "paid_yuan",
            "paid_without_approval_yuan", "overpaid_yuan",
        ],
    ),
    "award_entitlements": (
        ["year", "person_key", "event_key"],
        [
            "school_code", "role", "competition_level", "organizer_type", "prize", "entitled_yuan", "claimed_yuan", "paid_yuan",
            "approved", "suppressed_awards",
        ],
    ),
    "county_funding_tilt": (
        ["year", "county_code"],
        [
            "education_budget_yuan", "vocational_budget_yuan", "increment_total_yuan", "increment_vocational_yuan",
            "previous_vocational_share", "increment_vocational_share", "tilted",
        ],
    ),
}  # fmt: skip

FLAG_COLUMNS = {
    "below_standard", "students_mismatch", "yoy_decrease", "offset_suspected", "no_standard", "no_enrollment",
    "year_met", "average_met", "approved", "tilted",
}  # fmt: skip

# Where each build writes its marts: the latest build to marts; the approved build its copies
# of the shared marts to approved_marts and its own (approval_differences) to marts.
MART_SCHEMAS = {LATEST: ("marts",), APPROVED: ("approved_marts", "marts")}


def mart_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    result = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return {name: dtype for name, dtype in result}


def manifest_marts(published_city: PublishedCity, figures: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(schema, name) -> manifest node of every mart the build of ``figures`` makes."""
    nodes = published_city.manifest(figures)["nodes"].values()
    return {(n["schema"], n["name"]): n for n in nodes if n["resource_type"] == "model" and n["schema"] in MART_SCHEMAS[figures]}


def test_marts_exist_with_the_contract_columns_and_types(con: duckdb.DuckDBPyConnection, published_city: PublishedCity) -> None:
    tables = {
        (s, t)
        for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE '%marts'"
        ).fetchall()
    }
    marts = {**manifest_marts(published_city, LATEST), **manifest_marts(published_city, APPROVED)}
    assert tables == set(marts)  # the two builds make exactly the marts their manifests name
    for schema in ("marts", "approved_marts"):
        for table, (grain, columns) in SPEC_COLUMNS.items():  # more marts are welcome (schools)
            assert set(grain + columns) <= set(marts[(schema, table)]["columns"]), (schema, table)  # the yml states the spec's columns
            cols = mart_columns(con, schema, table)
            missing = [c for c in grain + columns if c not in cols]
            assert not missing, (schema, table, missing)
            for name, dtype in cols.items():
                if name.endswith("_yuan"):
                    assert dtype == "DECIMAL(18,2)", (schema, table, name, dtype)
                if name in FLAG_COLUMNS:
                    assert dtype == "BOOLEAN", (schema, table, name, dtype)
            grain_sql = ", ".join(grain)
            dupes = con.execute(f"SELECT {grain_sql}, count(*) FROM {schema}.{table} GROUP BY {grain_sql} HAVING count(*) > 1").fetchall()
            assert dupes == [], (schema, table, dupes)
    # the approved copies have the latest marts' columns and types, in order
    for schema, table in marts:
        if schema == "approved_marts":
            assert mart_columns(con, schema, table) == mart_columns(con, "marts", table), table


def test_every_mart_column_is_described_in_chinese_and_english(published_city: PublishedCity) -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    latin = re.compile(r"[A-Za-z]{3,}")
    for figures in FIGURES:
        marts = manifest_marts(published_city, figures)
        assert {(MART_SCHEMAS[figures][0], t) for t in SPEC_COLUMNS} <= set(marts)
        for name, node in marts.items():
            assert node["config"]["materialized"] == "table"
            assert node["config"]["contract"]["enforced"] is True
            assert cjk.search(node["description"]) and latin.search(node["description"]), name
            for col, spec in node["columns"].items():
                desc = spec.get("description", "")
                assert cjk.search(desc) and latin.search(desc), (name, col, desc)


def test_descriptions_are_persisted_in_the_database(con: duckdb.DuckDBPyConnection, published_city: PublishedCity) -> None:
    """persist_docs: the yml descriptions reach DuckDB's comments, which the BI snapshot copies."""
    node = manifest_marts(published_city, LATEST)[("marts", "per_student_funding")]
    for schema in ("marts", "approved_marts"):
        (comment,) = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'per_student_funding'", [schema]
        ).fetchone()  # type: ignore[misc]
        assert " ".join(comment.split()) == " ".join(node["description"].split()), schema
        got = dict(
            con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = ? AND table_name = 'per_student_funding'", [schema]
            ).fetchall()
        )
        assert got["below_standard"] == node["columns"]["below_standard"]["description"], schema


def test_no_names_or_id_numbers_in_the_marts(con: duckdb.DuckDBPyConnection, published_city: PublishedCity) -> None:
    """Names and (masked) ID numbers of every award and hire received reach no mart of either
    build; person_key is the HMAC of the ID number, as ingestion writes it."""
    forbidden = {
        v
        for table in ("competition_awards", "teacher_recruitment")
        for r in con.execute(f"SELECT DISTINCT person_name, id_masked FROM history.{table}").fetchall()
        for v in r
        if v
    } - set(HOSTILE)  # the hostile 2025 names one person '@SUM(A1)', which is also an event there
    forbidden |= {id_number for _, id_number in PEOPLE_2025.values()}
    assert len(forbidden) > 100  # the sample's people and the hostile 2025's
    marts = {**manifest_marts(published_city, LATEST), **manifest_marts(published_city, APPROVED)}
    for schema, table in marts:
        cols = mart_columns(con, schema, table)
        assert not {"person_name", "id_number", "id_masked"} & set(cols), (schema, table)
        for col in (c for c, t in cols.items() if t == "VARCHAR"):
            values = {r[0] for r in con.execute(f'SELECT DISTINCT "{col}" FROM {schema}.{table}').fetchall()}
            assert not values & forbidden, (schema, table, col)
    keys = {r[0] for r in con.execute("SELECT DISTINCT person_key FROM marts.award_entitlements WHERE year = 2025").fetchall()}
    assert keys == {hmac_key(id_number, published_city.settings.pii_key) for _, id_number in PEOPLE_2025.values()}


def test_schemas_of_the_two_builds(con: duckdb.DuckDBPyConnection) -> None:
    found = {
        (s, t)
        for s, t in con.execute(
            "SELECT DISTINCT table_schema, table_type FROM information_schema.tables"
            " WHERE table_schema NOT IN ('audit', 'history', 'submissions', 'approved')"
        ).fetchall()
    }
    assert found == {
        ("staging", "VIEW"), ("intermediate", "VIEW"), ("marts", "BASE TABLE"), ("seeds", "BASE TABLE"),
        ("restricted", "BASE TABLE"),  # names for the payout audit: never in the snapshot
        ("approved_staging", "VIEW"), ("approved_intermediate", "VIEW"), ("approved_marts", "BASE TABLE"),
        ("approved_audit", "BASE TABLE"), ("reports", "BASE TABLE"),
    }  # fmt: skip
    schemas = {r[0] for r in con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()}
    assert not any(s.startswith("main_") for s in schemas), schemas
    # the seeds are built once, by the latest build, and read by both
    assert not any(s.startswith("approved_seeds") for s in schemas)


# ---------------------------------------------------------------------------------------
# The payout list: the names it is made for, on the approved figures
# ---------------------------------------------------------------------------------------


def test_award_rows_join_their_names_for_the_payout_audit(con: duckdb.DuckDBPyConnection) -> None:
    """int_award_rows has no names but joins to them exactly, row for row."""
    for schema in ("intermediate", "approved_intermediate"):
        cols = set(mart_columns(con, schema, "int_award_rows"))
        assert "person_key" in cols and not {"person_name", "id_masked"} & cols, schema
    (unmatched, total) = con.execute(
        """
        SELECT count(*) FILTER (WHERE a.submission_id IS NULL), count(*)
        FROM intermediate.int_award_rows r
        LEFT JOIN submissions.competition_awards a ON a.submission_id = r.submission_id AND a.row_number = r.source_row_number
        """
    ).fetchone()  # type: ignore[misc]
    assert unmatched == 0 and total > 100


def test_award_payout_list_in_the_restricted_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The payout list (names for the finance audit) is a dbt model on the approved figures:
    every amount is the approved mart's, still-to-pay is computed in SQL, the name is the
    counted row's, and it lives outside schema marts."""
    zhang_name, zhang_id = PEOPLE_2025["zhang"]
    got = one(con, "SELECT * FROM restricted.award_payout WHERE year = 2025 AND person_name = ?", [zhang_name])
    # the hostile 2025 (conftest): city first 3000 paid 3000 without approval, and the national
    # third of the same event (written with a space) 12000, approved, unpaid: the national counts
    assert (got["school_code"], got["school_name"]) == (HOSTILE_SCHOOL, FORMULA_NAME)
    assert got["id_masked"] == zhang_id[:6] + "*" * 8 + zhang_id[-4:]
    assert (got["competition_name"], got["competition_level"], got["prize"]) == ("全国职业院校技能大赛", "national", "third")
    assert (got["entitled_yuan"], got["paid_yuan"], got["to_pay_yuan"]) == (D("12000.00"), D("3000.00"), D("9000.00"))
    assert got["paid_without_approval_yuan"] == D("3000.00") and got["suppressed_awards"] == 1
    mart = con.execute("SELECT count(*), sum(entitled_yuan), sum(paid_yuan) FROM approved_marts.award_entitlements").fetchone()
    assert con.execute("SELECT count(*), sum(entitled_yuan), sum(paid_yuan) FROM restricted.award_payout").fetchone() == mart
    assert con.execute("SELECT count(*) FROM restricted.award_payout WHERE person_name IS NULL").fetchone() == (0,)
