"""What the next build must rebuild, in each set of figures (``transform.build.plan_build``).

A new version changes the latest figures; the approved figures (``approved.<template>``
shows approved versions only) change with a review action. So a correction nobody has
approved yet rebuilds, in the approved set, only what compares the two sets.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.core.settings import Settings
from dagster_project.store.load import run_ingest
from dagster_project.store.schema import ensure_schema
from dagster_project.store.warehouse import connect
from dagster_project.transform.build import BuildPlan, plan_build
from dagster_project.transform.dbt_project import APPROVED, LATEST
from tests.conftest import approve_all, registry_rows, write_xlsx


def test_a_new_version_is_pending_for_the_latest_figures_and_an_approval_for_both(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    settings = Settings.from_env(raw_dir=raw, warehouse_dir=tmp_path / "wh")
    write_xlsx(raw / "名录.xlsx", {"s": registry_rows()})
    run_ingest(settings)
    plan = plan_build(settings)
    assert (plan.pending, plan.pending_approved) == (("school_registry",), ())

    with connect(settings.warehouse_path) as con:
        assert approve_all(con) == 1
    plan = plan_build(settings)
    assert (plan.pending, plan.pending_approved) == (("school_registry",), ("school_registry",))

    # a correction of an approved registry, before the next build: still pending for both
    write_xlsx(raw / "名录（更正）.xlsx", {"s": registry_rows(extra=[[2024, "4122020099", "新学校", "220202", "中职", "县属", "否"]])})
    assert run_ingest(settings).outcomes
    assert plan_build(settings).pending_approved == ("school_registry",)


def test_the_approved_build_rebuilds_a_template_only_when_its_approved_figures_changed() -> None:
    plan = BuildPlan(full=False, pending=("enrollment", "school_registry"), fingerprint="f", pending_approved=("school_registry",))
    assert plan.select(LATEST) == "source:submissions.enrollment+ source:submissions.school_registry+ source:audit+"
    assert plan.select(APPROVED) == "source:submissions.school_registry+ approval_differences+"
    # nothing approved changed: the approved build still refreshes the comparison of the two sets
    assert BuildPlan(False, ("enrollment",), "f").select(APPROVED) == "approval_differences+"
    assert BuildPlan(True, ("enrollment",), "f").select(APPROVED) is None  # a full build


def test_a_warehouse_from_before_keeps_its_pending_templates_pending_for_both(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA audit")
    con.execute("CREATE TABLE audit.pending_builds (template VARCHAR PRIMARY KEY, since TIMESTAMP)")
    con.execute("INSERT INTO audit.pending_builds VALUES ('enrollment', now())")
    ensure_schema(con)
    assert con.execute("SELECT template, approved FROM audit.pending_builds").fetchall() == [("enrollment", True)]
    con.close()
