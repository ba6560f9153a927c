"""Two sets of figures (issues 10 and 17): the one dbt project built twice, the latest figures
and, with the dbt var ``figures: approved``, the approved ones. Being one project, the two
cannot drift; what is tested here is their behaviour: the approved build reads only what the
city approved, finance's payout list is on it alone, and on the real build of the sample
(everything approved, then one correction after the lock) both sets compute the same figures
except where the lock holds."""

from __future__ import annotations

from typing import Any

import duckdb

from dagster_project.transform.dbt_project import APPROVED, APPROVED_SCHEMA_PREFIX, LATEST
from tests.conftest import LOCKED_SCHOOL, LOCKED_SCHOOL_APPROVED_STUDENTS, LOCKED_SCHOOL_LATEST_STUDENTS, PublishedCity


def _models(published_city: PublishedCity, figures: str) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in published_city.manifest(figures)["nodes"].values() if n["resource_type"] == "model"}


def test_the_approved_build_reads_the_approved_versions_only(published_city: PublishedCity) -> None:
    """Every model of the approved build that reads submissions reads schema ``approved`` (the
    approved versions), and what it shares with the latest build it writes beside it."""
    latest, approved = _models(published_city, LATEST), _models(published_city, APPROVED)
    sources = {n["unique_id"]: n for n in published_city.manifest(APPROVED)["sources"].values()}
    read = {d for m in approved.values() for d in m["depends_on"]["nodes"] if d.startswith("source.vocwh.submissions.")}
    assert read and {sources[d]["schema"] for d in read} == {"approved"}
    shared = set(latest) & set(approved)
    assert {"per_student_funding", "award_entitlements", "policy_indicators", "schools", "stg_submissions__enrollments"} <= shared
    for name in shared:
        assert approved[name]["schema"] == APPROVED_SCHEMA_PREFIX + latest[name]["schema"], name
    # the round's status reads the review log, not figures: the latest build only
    assert "submission_status" in set(latest) - set(approved)


def test_the_payout_list_is_on_the_approved_figures_only(published_city: PublishedCity) -> None:
    approved = _models(published_city, APPROVED)
    assert "award_payout" not in _models(published_city, LATEST)
    by_id = {n["unique_id"]: n for n in approved.values()}
    read = {by_id[d]["schema"] + "." + by_id[d]["name"] for d in approved["award_payout"]["depends_on"]["nodes"] if d in by_id}
    assert "approved_marts.award_entitlements" in read and "marts.award_entitlements" not in read


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


# publicity_events (issue 18) is owed by nobody and not in the sample city (tests/test_issue18_pipeline.py)
NOT_IN_SAMPLE = {"stg_submissions__publicity_events"}


def test_approved_figures_equal_the_latest_except_the_correction_after_the_lock(published_city: PublishedCity) -> None:
    """In published_city the city approved everything, then LOCKED_SCHOOL corrected its 2024
    enrolment: every model both builds make has the same rows in both, except the rows that
    enrolment feeds."""
    approved = _models(published_city, APPROVED)
    shared = sorted(
        (m["schema"].removeprefix(APPROVED_SCHEMA_PREFIX), name)
        for name, m in approved.items()
        if m["schema"].startswith(APPROVED_SCHEMA_PREFIX) and name != "mart_build"  # a log of each build, not figures
    )
    con = duckdb.connect(str(published_city.settings.warehouse_path), read_only=True)
    try:
        differing: dict[str, tuple[list[Any], list[Any]]] = {}
        for schema, name in shared:
            latest_t, approved_t = f"{schema}.{name}", f"{APPROVED_SCHEMA_PREFIX}{schema}.{name}"
            only_latest = _rows(con, f"SELECT * FROM {latest_t} EXCEPT ALL SELECT * FROM {approved_t}")
            only_approved = _rows(con, f"SELECT * FROM {approved_t} EXCEPT ALL SELECT * FROM {latest_t}")
            if only_latest or only_approved:
                differing[name] = (only_latest, only_approved)
            if name not in NOT_IN_SAMPLE:
                assert _rows(con, f"SELECT count(*) FROM {approved_t}")[0][0] > 0, name  # not trivially empty
        # The correction is one enrolment sheet of three categories (its rows carry a new version and
        # submission id); it changes the school's 2024 enrolment and so its per-student funding. No
        # policy indicator moves: the one on enrolment (production-base income per pupil) has no row
        # for this school, which has no production-base income.
        assert {k: (len(a), len(b)) for k, (a, b) in differing.items()} == {
            "stg_submissions__enrollments": (3, 3),
            "int_enrollments_by_school_year": (1, 1),
            "per_student_funding": (1, 1),
        }
        enrolled = dict(
            _rows(
                con,
                "SELECT 'latest', enrolled_students FROM marts.per_student_funding WHERE year = 2024 AND school_code = "
                f"'{LOCKED_SCHOOL}' UNION ALL SELECT 'approved', enrolled_students FROM approved_marts.per_student_funding "
                f"WHERE year = 2024 AND school_code = '{LOCKED_SCHOOL}'",
            )
        )
        assert enrolled == {"latest": LOCKED_SCHOOL_LATEST_STUDENTS, "approved": LOCKED_SCHOOL_APPROVED_STUDENTS}
        # per_student_funding: only the school's own rows differ (2024, and 2025 whose change is against 2024)
        cols = list(approved["per_student_funding"]["columns"])
        schools = {dict(zip(cols, r, strict=True))["school_code"] for side in differing["per_student_funding"] for r in side}
        assert schools == {LOCKED_SCHOOL}
    finally:
        con.close()
