"""The dbt project as Dagster assets: models downstream of the ingested submissions,
dbt tests as asset checks.

dbt's sources ``submissions.<template>`` map to the ingestion assets' keys, so the UI
shows one graph from the landing folder to the marts. What to build is decided by
``transform.build`` (only what changed); this module runs it and reports the events.
"""

import importlib.metadata
import os
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from dagster_project.core.settings import DBT_PROJECT_DIR, Settings
from dagster_project.defs.resources import RunLockResource, VocwhResource
from dagster_project.transform.build import BUILD_ARGS, marts_build, new_build_id, plan_build, record_build
from dagster_project.transform.dbt_project import dbt_env, dbt_executable, dbt_target_dir, ensure_manifest

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=dbt_target_dir(Settings.from_env()))
# The dbt model that every mart feeds (models/marts/mart_build.sql): publishing waits on
# it, and it carries the build id as its Dagster data version.
MART_BUILD_KEY = dg.AssetKey(["audit", "mart_build"])


def _with_build_version(events: Iterator[Any], output_name: str, build_id: str) -> Iterator[Any]:
    """The mart_build output carries the build id as its data version: what each published
    output compares with the build it holds."""
    for event in events:
        if isinstance(event, dg.Output) and event.output_name == output_name:
            yield dg.Output(
                event.value,
                output_name=output_name,
                metadata={**event.metadata, "build_id": build_id},
                data_version=dg.DataVersion(build_id),
            )
        else:
            yield event


def _as_step_events(context: dg.AssetExecutionContext, events: Iterator[Any]) -> Iterator[Any]:
    """Events of a dbt run started without the Dagster context (so our ``--select`` is not
    widened to everything) turned into this step's outputs and check results."""
    for event in events:
        if isinstance(event, dg.AssetMaterialization):
            yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(event.asset_key), metadata=event.metadata)
        elif isinstance(event, dg.AssetCheckEvaluation):
            yield dg.AssetCheckResult(
                asset_key=event.asset_key,
                check_name=event.check_name,
                passed=event.passed,
                severity=event.severity,
                metadata=event.metadata,
            )
        else:
            yield event


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
    manifest = ensure_manifest(Path(DBT_PROJECT.project_dir), DBT_PROJECT.manifest_path)

    @dbt_assets(manifest=manifest, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR, name="vocwh_dbt")
    def vocwh_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, vocwh: VocwhResource, run_lock: RunLockResource) -> Iterator[Any]:
        """``dbt build`` of what changed: seeds, models and their tests, on the working database."""
        settings = vocwh.settings()
        os.environ.update(dbt_env(settings))
        build_output = context.assets_def.get_output_name_for_asset_key(MART_BUILD_KEY)
        build_id = new_build_id(context.run.run_id)
        if context.selected_asset_keys != context.assets_def.keys:
            # A hand-picked subset: build exactly what was asked for, and log it as a build
            # so that publishing sees the marts changed.
            yield from _with_build_version(dbt.cli(BUILD_ARGS, context=context).stream(), build_output, build_id)
            record_build(settings, None, context.run.run_id, build_id, selection="subset")
            return
        plan = plan_build(settings)
        if plan.nothing_to_do:
            current = marts_build(settings) or ""
            context.log.info(
                f"no submission changed and the dbt project is unchanged: marts are current (build {current}), nothing to build"
            )
            # Not rebuilt, but reported with its unchanged data version, so that publishing
            # still runs and can repair outputs a crashed run left behind the marts.
            yield dg.Output(
                None, output_name=build_output, metadata={"build_id": current, "rebuilt": False}, data_version=dg.DataVersion(current)
            )
            return
        if plan.full:
            context.log.info("full dbt build (first build, or the dbt project changed)")
            yield from _with_build_version(dbt.cli(BUILD_ARGS, context=context).stream(), build_output, build_id)
        else:
            context.log.info(f"incremental dbt build: --select {plan.select}")
            invocation = dbt.cli([*BUILD_ARGS, "--select", plan.select or ""], manifest=manifest, dagster_dbt_translator=TRANSLATOR)
            yield from _with_build_version(_as_step_events(context, invocation.stream()), build_output, build_id)
        record_build(settings, plan, context.run.run_id, build_id)

    return vocwh_dbt


class VocwhDbtCliResource(DbtCliResource):
    """dagster-dbt (0.29, pinned) spends about 4 s per invocation before dbt starts: it runs
    ``dbt --version`` in a subprocess and builds a dbt adapter in this process. The dbt it
    runs is the one installed beside dagster-dbt, so its version is dbt-core's; and the
    adapter serves only row-count and column-metadata fetching, which vocwh does not use."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def dbt_resource() -> DbtCliResource:
    return VocwhDbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
