"""The dbt project as Dagster assets: models downstream of the ingested submissions,
dbt tests as asset checks.

dbt's sources ``submissions.<template>`` map to the ingestion assets' keys, so the UI
shows one graph from the landing folder to the marts.

Work grows with what changed: ingestion records which templates got a new current
version (``audit.pending_builds``); a full run of the graph then builds only
``source:submissions.<template>+`` for those, builds everything when the dbt project
itself changed (or was never built), and builds nothing when nothing changed. dbt unit
tests run in CI, not on every pipeline run.
"""

import datetime as dt
import hashlib
import importlib.metadata
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from dagster_project.shared.dbt_project import dbt_env, dbt_executable, dbt_target_dir, ensure_manifest, project_files
from dagster_project.shared.resources import RunLockResource, VocwhResource
from dagster_project.shared.settings import DBT_PROJECT_DIR, Settings
from dagster_project.shared.warehouse import connect, current_build_id, ensure_schema

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=dbt_target_dir(Settings.from_env()))
# The dbt model that every mart feeds (models/marts/mart_build.sql): publishing waits on
# it, and it carries the build id as its Dagster data version.
MART_BUILD_KEY = dg.AssetKey(["audit", "mart_build"])
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """Hash of the dbt project's own files: models, seeds (policy parameters), macros, tests."""
    h = hashlib.sha256()
    for p in project_files(project_dir):
        h.update(p.relative_to(project_dir).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class BuildPlan:
    """What the next build must do: everything (``select`` None), a selection, or nothing."""

    full: bool
    pending: tuple[str, ...]
    fingerprint: str

    @property
    def select(self) -> str | None:
        return None if self.full else " ".join(f"source:submissions.{t}+" for t in self.pending)

    @property
    def nothing_to_do(self) -> bool:
        return not self.full and not self.pending


def plan_build(settings: Settings) -> BuildPlan:
    fingerprint = project_fingerprint()
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        pending = tuple(r[0] for r in con.execute("SELECT template FROM audit.pending_builds ORDER BY template").fetchall())
        built = con.execute("SELECT count(*) FROM audit.dbt_builds WHERE project_fingerprint = ?", [fingerprint]).fetchone()[0]
        marts_exist = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'audit' AND table_name = 'mart_build'"
        ).fetchone()[0]
    return BuildPlan(full=not (built and marts_exist), pending=pending, fingerprint=fingerprint)


def new_build_id(run_id: str) -> str:
    """A build's id: when, and which run (readable in a file's properties or a page's head)."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{run_id[:8]}"


def record_build(settings: Settings, plan: BuildPlan | None, run_id: str, build_id: str, selection: str | None = None) -> None:
    """Log a successful build: the marts now hold ``build_id``. ``plan`` None is a build of
    a hand-picked subset: it clears nothing pending and counts as no full build."""
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        if plan is not None:
            con.execute("DELETE FROM audit.pending_builds WHERE list_contains(?, template)", [list(plan.pending)])
        con.execute(
            "INSERT INTO audit.dbt_builds (built_at, project_fingerprint, selection, run_id, build_id) VALUES (?, ?, ?, ?, ?)",
            [
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                plan.fingerprint if plan else None,
                plan.select if plan else selection,
                run_id,
                build_id,
            ],
        )


def marts_build(settings: Settings) -> str | None:
    with connect(settings.warehouse_path, read_only=True) as con:
        return current_build_id(con)


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
