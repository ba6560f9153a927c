"""approval_differences (issue 10) is generated from the graph: a mart whose grain is not
declared must stop the build with a clear message, not compare rows by guesswork.

Its values on real data are asserted in test_publish_finance (published_city) and
test_rounds (a correction after the lock, submissions never approved)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.core.settings import DBT_PROJECT_DIR
from tests.test_dbt_marts import dbt_env

SCHOOLS_GRAIN = """    data_tests: &schools__tests
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [year, school_code]
"""


@pytest.mark.slow
def test_a_mart_without_a_declared_grain_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    yml = project / "models" / "marts" / "_marts__models.yml"
    text = yml.read_text(encoding="utf-8")
    assert text.count(SCHOOLS_GRAIN) == 1
    yml.write_text(text.replace(SCHOOLS_GRAIN, "    data_tests: &schools__tests []\n"), encoding="utf-8")
    (tmp_path / "wh").mkdir()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--select", "approval_differences",
         "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=dbt_env(tmp_path / "wh"), capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert result.returncode != 0
    assert "approval_differences: mart 'schools' has no unique_combination_of_columns test" in result.stdout, result.stdout[-3000:]
