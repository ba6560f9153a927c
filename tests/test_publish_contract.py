"""The mart contract lives in dbt: publishing and Dagster read it from the manifest."""

from __future__ import annotations

import ast
from pathlib import Path

from dagster_project.transform.dbt_project import MART_SCHEMA, RESTRICTED_SCHEMA, mart_tables, models

PUBLISH_DIR = Path(__file__).resolve().parents[1] / "dagster_project" / "publish"


def test_marts_come_from_the_manifest() -> None:
    marts = set(mart_tables())
    assert {
        "per_student_funding", "training_volume", "training_target_progress", "partnership_income",
        "award_spending", "award_entitlements", "county_funding_tilt", "schools",
    } <= marts  # fmt: skip
    for m in models():
        if m.schema in (MART_SCHEMA, RESTRICTED_SCHEMA) and not m.name.startswith("stg_"):
            assert m.description and all(m.columns.values()), m.name  # every column described
            assert all(m.data_types.values()), m.name  # enforced contract: every column typed


def test_mart_build_waits_on_every_published_model() -> None:
    """Publishing waits on audit.mart_build alone, so it must depend on every mart and on the
    restricted payout list: a model added to either schema and not to mart_build fails here."""
    by_name = {m.name: m for m in models()}
    published = {m.name for m in models() if m.schema in (MART_SCHEMA, RESTRICTED_SCHEMA) and not m.name.startswith("stg_")}
    assert "award_payout" in published
    depends = {n.rsplit(".", 1)[-1] for n in by_name["mart_build"].depends_on}
    assert published <= depends, sorted(published - depends)


def test_mart_assets_are_dbt_assets() -> None:
    from dagster_project.defs.dbt import TRANSLATOR, build_dbt_assets

    keys = {k.to_user_string() for k in build_dbt_assets().keys}
    assert {f"{MART_SCHEMA}/{t}" for t in mart_tables()} <= keys
    assert "restricted/award_payout" in keys and "audit/mart_build" in keys
    assert TRANSLATOR is not None


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
