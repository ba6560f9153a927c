"""dbt run inside the pipeline's process (``transform.dbt_inprocess``), with the real dbt: what
a build step reports comes from the events it collects, and the process must get back its
working folder, its environment and the database file."""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.core.settings import DBT_PROJECT_DIR, Settings
from dagster_project.transform.dbt_inprocess import install_flag_source, invoke
from dagster_project.transform.dbt_project import LATEST, dbt_env, machine_parse

pytestmark = pytest.mark.slow


def _target(tmp_path: Path) -> list[str]:
    target = tmp_path / "target"
    target.mkdir()
    shutil.copyfile(machine_parse(LATEST) / "partial_parse.msgpack", target / "partial_parse.msgpack")
    return ["--target-path", str(target), "--log-path", str(tmp_path / "logs")]


def test_a_build_in_this_process_reports_each_node_and_lets_go_of_the_database(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    cwd, environ = os.getcwd(), dict(os.environ)
    done = invoke(
        ["seed", "--select", "policy_parameters policy_award_standards", *_target(tmp_path)],
        wh,
        dbt_env(Settings.from_env(warehouse_dir=wh)),
    )
    assert done.success and done.errors == []
    results = sorted((e["info"]["name"], e["data"]["node_info"]["unique_id"], e["data"]["status"]) for e in done.events)
    assert results == [
        ("LogSeedResult", "seed.vocwh.policy_award_standards", "success"),
        ("LogSeedResult", "seed.vocwh.policy_parameters", "success"),
    ]
    assert (os.getcwd(), dict(os.environ)) == (cwd, environ)
    # the same process opens the file next, read-only: dbt-duckdb's connection is closed
    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    try:
        for seed in ("policy_award_standards", "policy_parameters"):
            with (DBT_PROJECT_DIR / "seeds" / f"{seed}.csv").open(encoding="utf-8", newline="") as f:
                rows = sum(1 for _ in csv.reader(f)) - 1  # the header
            assert con.execute(f"SELECT count(*) FROM seeds.{seed}").fetchone() == (rows,)
    finally:
        con.close()


def test_a_failing_build_in_this_process_says_why(tmp_path: Path) -> None:
    wh = tmp_path / "wh"  # nothing ingested: the staging model's source is missing
    done = invoke(["run", "--select", "stg_submissions__enrollments", *_target(tmp_path)], wh, dbt_env(Settings.from_env(warehouse_dir=wh)))
    assert not done.success
    assert any("submissions" in e and "enrollment" in e for e in done.errors), done.errors
    assert [e["data"]["status"] for e in done.events] == ["error"]


def test_dbt_names_a_behaviour_flags_module_as_before_without_loading_deferred_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt's two base behaviour flags name the module that declared them. The pipeline's
    replacement for dbt_common's ``_default_source`` gives the same name, and leaves a module
    deferred by core/lazy_imports unloaded, which dbt_common's walk of ``inspect.stack()`` loads."""
    from dbt.adapters.base.impl import DEFAULT_BASE_BEHAVIOR_FLAGS
    from dbt_common.behavior_flags import Behavior, BehaviorFlagRendered

    from dagster_project.core.lazy_imports import defer
    from dagster_project.transform import dbt_inprocess

    def sources() -> list[str]:
        return [f._behavior_change_event.flag_source for f in Behavior([dict(f) for f in DEFAULT_BASE_BEHAVIOR_FLAGS], {})._flags]

    def deferred(name: str) -> bool:
        return type(sys.modules[name]) is importlib.util._LazyModule  # type: ignore[attr-defined]  # type() does not load it

    (tmp_path / "vocwh_deferred_probe.py").write_text("LOADED = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "vocwh_deferred_probe", raising=False)
    defer("vocwh_deferred_probe")
    importlib.import_module("vocwh_deferred_probe")
    assert deferred("vocwh_deferred_probe")

    install_flag_source()
    ours = sources()
    assert deferred("vocwh_deferred_probe")
    monkeypatch.setattr(BehaviorFlagRendered, "_default_source", dbt_inprocess._dbt_flag_source["original"])
    theirs = sources()
    assert ours == theirs == [__name__, __name__]
    assert not deferred("vocwh_deferred_probe")  # dbt_common's walk loaded it
