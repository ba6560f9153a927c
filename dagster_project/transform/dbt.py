"""The dbt project as Dagster assets: models downstream of the ingested submissions,
dbt tests as asset checks.

dbt's sources ``submissions.<template>`` map to the ingestion assets' keys, so the UI
shows one graph from the landing folder to the marts.
"""


import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from dagster_project.shared.resources import VocwhResource
from dagster_project.shared.settings import DBT_PROJECT_DIR, Settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_env(settings: Settings) -> dict[str, str]:
    """What every dbt invocation needs: the warehouse path, and no usage tracking (no network)."""
    return {
        "VOCWH_WAREHOUSE_DIR": str(settings.warehouse_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def _newest_source_mtime(project_dir: Path) -> float:
    paths = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for sub in ("models", "seeds", "macros", "tests", "snapshots", "analyses"):
        paths += [p for p in (project_dir / sub).rglob("*") if p.is_file()]
    return max((p.stat().st_mtime for p in paths if p.exists()), default=0.0)


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Parse the dbt project when its manifest is missing or older than its files, so
    ``dagster asset materialize`` works on a fresh clone without a separate step."""
    manifest = project.manifest_path
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime(Path(project.project_dir)):
        return manifest
    env = {**os.environ, **dbt_env(Settings.from_env())}
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(project.project_dir), "--profiles-dir", str(project.project_dir)],
        check=True,
        env=env,
        cwd=project.project_dir,
    )
    return manifest


class VocwhDbtTranslator(DagsterDbtTranslator):
    """Groups by dbt folder, so the UI reads ingest -> staging -> intermediate -> marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "policy_parameters"
        fqn = dbt_resource_props.get("fqn") or []
        for layer in ("staging", "intermediate", "marts"):
            if layer in fqn:
                return layer
        return "transform"


TRANSLATOR = VocwhDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def build_dbt_assets() -> dg.AssetsDefinition:
    manifest = ensure_manifest()

    @dbt_assets(manifest=manifest, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR, name="vocwh_dbt")
    def vocwh_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, vocwh: VocwhResource) -> Iterator[Any]:
        """``dbt build``: seeds, models and their tests, against the working database."""
        os.environ.update(dbt_env(vocwh.settings()))
        yield from dbt.cli(["build"], context=context).stream()

    return vocwh_dbt


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
