"""The mart contract lives in dbt: publishing and Dagster read it from the manifest."""

from __future__ import annotations

import ast
from pathlib import Path

from dagster_project.transform.dbt_project import (
    APPROVED,
    APPROVED_SCHEMA_PREFIX,
    FIGURES,
    LATEST,
    MART_SCHEMA,
    RESTRICTED_SCHEMA,
    all_models,
    mart_models,
    mart_tables,
    models,
)

PUBLISH_DIR = Path(__file__).resolve().parents[1] / "dagster_project" / "publish"


def test_marts_come_from_the_manifest() -> None:
    marts = set(mart_tables())
    assert {
        "per_student_funding", "training_volume", "training_target_progress", "partnership_income",
        "award_spending", "award_entitlements", "county_funding_tilt", "schools",
    } <= marts  # fmt: skip
    assert {f"{t}_approved" for t in ("per_student_funding", "award_entitlements", "schools")} <= marts  # BI's names of the approved set
    for m in all_models():
        if m.schema in (MART_SCHEMA, APPROVED_SCHEMA_PREFIX + MART_SCHEMA, RESTRICTED_SCHEMA) and not m.name.startswith("stg_"):
            assert m.description and all(m.columns.values()), m.name  # every column described
            assert all(m.data_types.values()), m.name  # enforced contract: every column typed


def test_mart_build_waits_on_every_published_model() -> None:
    """Each build ends with its mart_build, which must depend on every mart it makes; publishing
    waits on the approved build's alone (built second), so that one must also depend on the
    restricted payout list: a model added to a published schema and not to mart_build fails here."""
    published_schemas = (MART_SCHEMA, APPROVED_SCHEMA_PREFIX + MART_SCHEMA, RESTRICTED_SCHEMA)
    for figures in FIGURES:
        built = models(figures=figures)
        published = {f"model.vocwh.{m.name}" for m in built if m.schema in published_schemas and not m.name.startswith("stg_")}
        (mart_build,) = (m for m in built if m.name == "mart_build")
        assert published and published <= set(mart_build.depends_on), (figures, sorted(published - set(mart_build.depends_on)))
    approved_published = {m.name for m in models(figures=APPROVED) if m.schema in published_schemas}
    assert {"award_payout", "approval_differences", "per_student_funding"} <= approved_published


def test_mart_assets_are_dbt_assets() -> None:
    from dagster_project.defs.dbt import TRANSLATORS, build_dbt_assets

    keys = {f: {k.to_user_string() for k in build_dbt_assets(f).keys} for f in FIGURES}
    for m in mart_models():
        key = f"{MART_SCHEMA}/{m.name}"
        assert (key in keys[LATEST]) if m.figures == LATEST else (key in keys[APPROVED] or f"{APPROVED}/{key}" in keys[APPROVED]), m
    assert {"restricted/award_payout", "marts/approval_differences", "approved/audit/mart_build"} <= keys[APPROVED]
    assert "audit/mart_build" in keys[LATEST]
    assert set(TRANSLATORS) == set(FIGURES)


def test_publish_modules_do_not_import_the_cli_or_read_ingest_tables() -> None:
    """Core publish logic reads dbt models only; the asset module imports core, not cli.py."""
    for path in PUBLISH_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        if path.name != "cli.py":
            assert "dagster_project.publish.cli" not in imported, path.name
        if path.name not in ("assets.py",):
            assert "dagster" not in imported and not any(
                isinstance(n, ast.Import) and any(a.name == "dagster" for a in n.names) for n in ast.walk(tree)
            ), path.name
        code = path.read_text(encoding="utf-8")
        assert "submissions." not in code.replace("audit.submissions", ""), path.name
        assert "audit.dbt_builds" not in code, path.name
