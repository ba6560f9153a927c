"""The dbt project as Dagster assets: models downstream of the ingested submissions,
dbt tests as asset checks.

The project is built twice (issue 17): the latest figures, then the approved ones (dbt var
``figures: approved``), as two ``@dbt_assets`` from the one project, the second keyed
``approved/...``, in the manner of one project run for two regions.

dbt's sources ``submissions.<template>`` map to the ingestion assets' keys, so the UI
shows one graph from the landing folder to the marts. What to build is decided by
``transform.build`` (only what changed); this module runs it, in the run's process
(``transform.dbt_inprocess``), and reports the events.
"""

import importlib.metadata
import os
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.storage.asset_check_execution_record import COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from packaging import version

from dagster_project.core.settings import DBT_PROJECT_DIR, Settings
from dagster_project.defs.resources import RunLockResource, VocwhResource
from dagster_project.transform import dbt_inprocess
from dagster_project.transform.build import APPROVED_EXCLUDE, BUILD_ARGS, build_args, marts_build, new_build_id, plan_build, record_build
from dagster_project.transform.dbt_project import (
    APPROVED,
    APPROVED_SCHEMA_PREFIX,
    LATEST,
    dbt_env,
    dbt_executable,
    dbt_target_dir,
    dbt_vars,
    ensure_manifests,
)

# The pipeline's builds write no manifest.json or run_results.json (about 1.5 s per build under
# load, measured): the events come from dbt's log stream and the manifest from the parse.
# (The tests' own builds keep them: they read the manifest of the build.)
NO_ARTIFACTS = ["--no-write-json"]


def _project(figures: str) -> DbtProject:
    # One project folder; each set of figures parses into its own target folder (--vars
    # changes the parse), so neither invalidates the other's partial parse.
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=dbt_target_dir(Settings.from_env(), figures))


# The dbt model that ends each build (models/marts/mart_build.sql). The approved build runs
# second and depends on the latest one's mart_build alone; publishing waits on the approved
# one, which carries the build id as its Dagster data version.
LATEST_BUILD_KEY = dg.AssetKey(["audit", "mart_build"])
MART_BUILD_KEY = LATEST_BUILD_KEY.with_prefix(APPROVED)


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


def _carried_over(context: dg.AssetExecutionContext, op_name: str, evaluated: set[dg.AssetCheckKey]) -> Iterator[dg.AssetCheckResult]:
    """The selected checks dbt did not run this time (their models were not rebuilt), each
    with its last result again, marked as carried over: the UI then shows what is true of the
    data, not "Skipped" (issue 21). A check never evaluated stays without a result."""
    wanted = set(context.selected_asset_check_keys) - evaluated
    if not wanted:
        return
    # Each check's last completed evaluation (never this run's planned one): one indexed
    # lookup per check, where reading the recent evaluation events of every check and
    # decoding them took 1.4 s of an unchanged run of the sample.
    storage = context.instance.event_log_storage
    last: dict[dg.AssetCheckKey, tuple[Any, str]] = {}
    for key in wanted:
        for record in storage.get_asset_check_execution_history(key, limit=1, status=COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES):
            event = record.event.dagster_event if record.event is not None else None
            if record.run_id != context.run_id and event is not None:
                last[key] = (event.event_specific_data, record.run_id)
    context.log.info(
        f"op '{op_name}': {len(wanted)} checks not run (their models were not rebuilt); "
        f"their last results are reported again, marked carried_over_from_run ({len(last)} had one)"
    )
    for key, (evaluation, run_id) in sorted(last.items(), key=lambda kv: kv[0].to_user_string()):
        yield dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=evaluation.passed,
            severity=evaluation.severity,
            metadata={"carried_over_from_run": run_id, "reason": "未重新运行：其模型本次未重建 (not re-run: its model was not rebuilt)"},
        )


def _evaluated(events: Iterator[Any], seen: set[dg.AssetCheckKey]) -> Iterator[Any]:
    for event in events:
        if isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation):
            seen.add(dg.AssetCheckKey(event.asset_key, event.check_name))
        yield event


class VocwhDbtTranslator(DagsterDbtTranslator):
    """Groups by dbt folder, so the UI reads ingest -> staging -> intermediate -> marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "policy_parameters"
        fqn = dbt_resource_props.get("fqn") or []
        for layer in ("staging", "intermediate", "marts", "reports"):
            if layer in fqn:
                return layer
        return "transform"


class ApprovedDbtTranslator(VocwhDbtTranslator):
    """The approved build (issue 17): the models it shares with the latest build are keyed
    ``approved/<schema>/<model>``, as their schemas are approved_<schema>; its own models
    (the payout list, approval_differences, the finance reports) keep their plain keys.

    It reads the seeds the latest build made. In Dagster it depends on the latest build's
    mart_build instead, which that step always reports: an incremental latest build
    rebuilds no seed, and a step whose upstream output was not yielded would be skipped."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        key = super().get_asset_key(dbt_resource_props)
        return key.with_prefix(APPROVED) if str(dbt_resource_props.get("schema", "")).startswith(APPROVED_SCHEMA_PREFIX) else key

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        group = super().get_group_name(dbt_resource_props)
        return f"{APPROVED}_{group}" if str(dbt_resource_props.get("schema", "")).startswith(APPROVED_SCHEMA_PREFIX) else group

    def _seed_keys(self, manifest: Mapping[str, Any]) -> frozenset[dg.AssetKey]:
        # once per manifest, not once per node: this runs on every definitions load
        cached = getattr(self, "_seeds_cache", None)
        if cached is None or cached[0] is not manifest:
            keys = frozenset(self.get_asset_key(n) for n in manifest["nodes"].values() if n["resource_type"] == "seed")
            cached = self._seeds_cache = (manifest, keys)
        return cached[1]

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        # by key, not by the node's parents: dagster-dbt passes an ephemeral model's seeds on
        seeds = self._seed_keys(manifest)
        if not any(d.asset_key in seeds for d in spec.deps):
            return spec
        deps = [d for d in spec.deps if d.asset_key not in seeds]
        if all(d.asset_key != LATEST_BUILD_KEY for d in deps):
            deps.append(dg.AssetDep(LATEST_BUILD_KEY))
        return spec.replace_attributes(deps=deps)


_SETTINGS = DagsterDbtTranslatorSettings(enable_asset_checks=True)
TRANSLATORS: dict[str, DagsterDbtTranslator] = {
    LATEST: VocwhDbtTranslator(settings=_SETTINGS),
    APPROVED: ApprovedDbtTranslator(settings=_SETTINGS),
}


def build_dbt_assets(figures: str = LATEST) -> dg.AssetsDefinition:
    """The dbt build of one set of figures, as one multi-asset: ``vocwh_dbt`` (latest) or
    ``vocwh_dbt_approved``."""
    project = _project(figures)
    manifest = ensure_manifests(Path(project.project_dir))[figures]
    translator = TRANSLATORS[figures]
    build_key = LATEST_BUILD_KEY if figures == LATEST else MART_BUILD_KEY
    name = "vocwh_dbt" if figures == LATEST else f"vocwh_dbt_{figures}"

    @dbt_assets(
        manifest=manifest,
        project=project,
        dagster_dbt_translator=translator,
        name=name,
        exclude=" ".join(APPROVED_EXCLUDE) if figures == APPROVED else None,
    )
    def _dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, vocwh: VocwhResource, run_lock: RunLockResource) -> Iterator[Any]:
        settings = vocwh.settings()
        os.environ.update(dbt_env(settings, figures))
        build_output = context.assets_def.get_output_name_for_asset_key(build_key)
        build_id = new_build_id(context.run.run_id)
        if context.selected_asset_keys != context.assets_def.keys:
            # A hand-picked subset: build exactly what was asked for, and log it as a build
            # so that publishing sees the marts changed.
            yield from _with_build_version(
                dbt.cli([*BUILD_ARGS, *dbt_vars(figures), *NO_ARTIFACTS], context=context).stream(), build_output, build_id
            )
            record_build(settings, None, context.run.run_id, build_id, selection="subset")
            return
        plan = plan_build(settings)
        if plan.nothing_to_do:
            current = marts_build(settings) or ""
            context.log.info(
                f"{figures} figures: no submission changed and the dbt project is unchanged: marts are current (build {current}), nothing to build"
            )
            # Not rebuilt, but reported with its unchanged data version, so that publishing
            # (and the approved build, after the latest) still runs and can repair outputs a
            # crashed run left behind the marts.
            yield dg.Output(
                None, output_name=build_output, metadata={"build_id": current, "rebuilt": False}, data_version=dg.DataVersion(current)
            )
            yield from _carried_over(context, name, set())
            return
        if plan.full:
            select = None
            context.log.info(f"{figures} figures: full dbt build (first build, or the dbt project changed)")
        else:
            select = plan.select(figures)
            context.log.info(f"{figures} figures: incremental dbt build: --select {select}")
        # In this process (transform/dbt_inprocess.py): a dbt process would first spend
        # 1.5-2.5 s starting. Its events are reported when it ends.
        target = str(dbt_target_dir(settings, figures))
        args = [*build_args(figures, select), *NO_ARTIFACTS, "--target-path", target, "--log-path", target]
        done = dbt_inprocess.invoke(args, settings.warehouse_dir, dbt_env(settings, figures))
        events = (
            event
            for raw in done.events
            for event in DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={}).to_default_asset_events(
                manifest=manifest, dagster_dbt_translator=translator
            )
        )
        evaluated: set[dg.AssetCheckKey] = set()
        yield from _with_build_version(_evaluated(_as_step_events(context, events), evaluated), build_output, build_id)
        if not done.success:
            raise dg.Failure(
                description=f"dbt build ({figures} figures) failed: " + ("; ".join(done.errors) or repr(done.exception)),
                metadata={"dbt_args": " ".join(args)},
            )
        if select is not None:
            yield from _carried_over(context, name, evaluated)
        if figures == APPROVED:
            # The approved build runs second: only now are both sets current.
            record_build(settings, plan, context.run.run_id, build_id)

    _dbt.__doc__ = f"``dbt build`` of what changed, {figures} figures: models and their tests, on the working database."
    return _dbt


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
    return VocwhDbtCliResource(project_dir=_project(LATEST), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
