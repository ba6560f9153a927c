"""approval_differences (issues 10 and 17) compares the two builds' marts row by row on each
mart's grain, kept as typed columns: a mart whose grain is not declared must stop the build
with a clear message, not compare rows by guesswork.

Its values on real data are asserted in test_publish_finance (published_city) and
test_rounds (a correction after the lock, submissions never approved)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.core.settings import DBT_PROJECT_DIR
from dagster_project.transform.dbt_project import APPROVED, dbt_vars
from tests.conftest import LOCKED_SCHOOL, PublishedCity, dbt_test_env

SCHOOLS_GRAIN = """      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [year, school_code]
"""


@pytest.mark.slow
def test_a_mart_without_a_declared_grain_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    yml = project / "models" / "marts" / "_marts__models.yml"
    text = yml.read_text(encoding="utf-8")
    at = text.index("\n  - name: schools\n")
    assert text.index(SCHOOLS_GRAIN, at) < text.index("\n  - name: ", at + 1)  # the grain of schools itself
    yml.write_text(text[:at] + text[at:].replace(SCHOOLS_GRAIN, "", 1), encoding="utf-8")
    (tmp_path / "wh").mkdir()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--select", "approval_differences", *dbt_vars(APPROVED),
         "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=dbt_test_env(tmp_path / "wh"), capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert result.returncode != 0
    assert "approval_differences: mart 'schools' has no unique_combination_of_columns test" in result.stdout, result.stdout[-3000:]


def test_grain_columns_are_typed_as_in_the_marts(published_city: PublishedCity) -> None:
    """Each grain column of approval_differences has the type the marts give it (a date stays
    a date), so a difference joins its mart on the grain itself, never through text."""
    con = duckdb.connect(str(published_city.settings.warehouse_path), read_only=True)
    try:
        types = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts'"
        ).fetchall()
        diff_types = {c: t for table, c, t in types if table == "approval_differences"}
        grain = [c for c in diff_types if c not in ("mart", "row_key", "difference", "changed_columns")]
        assert {"year", "school_code", "person_key", "event_key", "hire_date", "indicator", "scope_code"} <= set(grain)
        assert diff_types["hire_date"] == "DATE" and diff_types["year"] == "INTEGER"
        for table, column, dtype in types:
            if table != "approval_differences" and column in grain:
                assert dtype == diff_types[column], (table, column, dtype, diff_types[column])
        joined = con.execute(
            "SELECT d.difference, a.enrolled_students, l.enrolled_students FROM marts.approval_differences d"
            " JOIN approved_marts.per_student_funding a USING (year, school_code)"
            " JOIN marts.per_student_funding l USING (year, school_code)"
            " WHERE d.mart = 'per_student_funding'"
        ).fetchall()
        assert [(d, a < b) for d, a, b in joined] == [("changed", True)]  # the correction after the lock: 60 -> 80 pupils
        assert con.execute("SELECT DISTINCT school_code FROM marts.approval_differences").fetchall() == [(LOCKED_SCHOOL,)]
    finally:
        con.close()
