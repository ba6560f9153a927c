"""Two sets of figures (issue 10): every mart X has ``X_approved``, the same SQL over the versions
the city approved. The manifest shows the twins cannot drift (same contract, same tests, the
same dependencies one set over); the real build of the sample, everything approved and one
correction after the lock, shows they compute the same figures except where the lock holds."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import duckdb

from dagster_project.transform.dbt_project import MART_SCHEMA, ensure_manifest
from tests.conftest import LOCKED_SCHOOL, LOCKED_SCHOOL_APPROVED_STUDENTS, LOCKED_SCHOOL_LATEST_STUDENTS, PublishedCity

# Marts that are not figures of a template: the round's state, and the comparison of the two sets.
NOT_FIGURES = {"submission_status", "approval_differences"}
TWIN = "_approved"


def _manifest() -> dict[str, Any]:
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def _twin_dep(dep: str, twins: set[str]) -> str:
    """What a dependency of a latest-figures model must be in its twin."""
    kind, *_, name = dep.split(".")
    if kind == "model" and name in twins:
        return f"{dep}{TWIN}"
    if dep.startswith("source.vocwh.submissions."):
        return dep.replace(".submissions.", ".approved.")
    return dep  # seeds: the policy parameters and reference lists are shared


def _tests_on(manifest: dict[str, Any], unique_id: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for n in manifest["nodes"].values():
        if n["resource_type"] == "test" and n.get("attached_node") == unique_id:
            meta = n.get("test_metadata") or {}
            kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k != "model"}
            out[json.dumps([meta.get("name"), n.get("column_name"), kwargs], sort_keys=True, ensure_ascii=False)] += 1
    return out


def test_every_mart_has_an_approved_twin_that_cannot_drift() -> None:
    manifest = _manifest()
    models = _models(manifest)
    twins = {name.removesuffix(TWIN) for name in models if name.endswith(TWIN)}
    marts = {n for n, m in models.items() if m["schema"] == MART_SCHEMA and not n.endswith(TWIN)}
    assert marts - NOT_FIGURES == marts & twins, sorted(marts - NOT_FIGURES - twins)  # every figures mart has one
    assert {"per_student_funding", "award_entitlements", "policy_indicators", "schools"} <= twins
    for base in sorted(twins):
        latest, approved = models[base], models[base + TWIN]
        assert approved["schema"] == latest["schema"], base
        assert [(c, v.get("data_type"), v.get("description")) for c, v in approved["columns"].items()] == [
            (c, v.get("data_type"), v.get("description")) for c, v in latest["columns"].items()
        ], base
        assert approved["config"]["contract"]["enforced"] == latest["config"]["contract"]["enforced"], base
        assert _tests_on(manifest, approved["unique_id"]) == _tests_on(manifest, latest["unique_id"]), base
        assert sorted(approved["depends_on"]["nodes"]) == sorted(_twin_dep(d, twins) for d in latest["depends_on"]["nodes"]), base
        # one body: both instantiate the same macro, with their own set of figures
        assert f"{base}_sql('latest')" in latest["raw_code"] and f"{base}_sql('approved')" in approved["raw_code"], base
        assert "source.vocwh.submissions" not in " ".join(approved["depends_on"]["nodes"]), base
    # the payout list finance pays from is on the approved figures only
    payout = models["award_payout"]["depends_on"]["nodes"]
    assert "model.vocwh.award_entitlements_approved" in payout and "model.vocwh.award_entitlements" not in payout


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def test_approved_figures_equal_the_latest_except_the_correction_after_the_lock(published_city: PublishedCity) -> None:
    """In published_city the city approved everything, then LOCKED_SCHOOL corrected its 2024
    enrolment: every mart equals its twin row for row, except the rows that enrolment feeds."""
    manifest = _manifest()
    twins = sorted(n.removesuffix(TWIN) for n in _models(manifest) if n.endswith(TWIN))
    con = duckdb.connect(str(published_city.settings.warehouse_path), read_only=True)
    try:
        differing: dict[str, tuple[list[Any], list[Any]]] = {}
        for base in twins:
            schema = _models(manifest)[base]["schema"]
            only_latest = _rows(con, f"SELECT * FROM {schema}.{base} EXCEPT ALL SELECT * FROM {schema}.{base}{TWIN}")
            only_approved = _rows(con, f"SELECT * FROM {schema}.{base}{TWIN} EXCEPT ALL SELECT * FROM {schema}.{base}")
            if only_latest or only_approved:
                differing[base] = (only_latest, only_approved)
            assert _rows(con, f"SELECT count(*) FROM {schema}.{base}{TWIN}")[0][0] > 0, base  # not trivially empty
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
                f"'{LOCKED_SCHOOL}' UNION ALL SELECT 'approved', enrolled_students FROM marts.per_student_funding_approved "
                f"WHERE year = 2024 AND school_code = '{LOCKED_SCHOOL}'",
            )
        )
        assert enrolled == {"latest": LOCKED_SCHOOL_LATEST_STUDENTS, "approved": LOCKED_SCHOOL_APPROVED_STUDENTS}
        # per_student_funding: only the school's own rows differ (2024, and 2025 whose change is against 2024)
        cols = [c for c in _models(manifest)["per_student_funding"]["columns"]]
        schools = {dict(zip(cols, r, strict=True))["school_code"] for side in differing["per_student_funding"] for r in side}
        assert schools == {LOCKED_SCHOOL}
    finally:
        con.close()
