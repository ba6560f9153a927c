"""One parse of the dbt project serves every warehouse on the machine: dbt runs from inside
the warehouse (``vocwh-dbt``), so its connection is the same everywhere, and the parse of a
project version is kept in the machine's cache (``dbt_project.parse_cache_dir``)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.core.settings import DBT_PROJECT_DIR, Settings
from dagster_project.transform import dbt_main, dbt_project
from dagster_project.transform.dbt_project import APPROVED, FIGURES, LATEST, ensure_manifests, machine_parse, parse_cache_dir
from tests.conftest import run_dbt


def test_vocwh_dbt_enters_the_warehouse_and_keeps_the_project_it_was_started_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "copy_of_project"  # as dagster-dbt's temporary copy for a long selection
    project.mkdir()
    (project / "dbt_project.yml").write_text("name: x\n", encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", "../wh")  # relative to where dbt was started
    dbt_main.enter_warehouse()
    assert Path.cwd() == (tmp_path / "wh").resolve()
    assert os.environ["VOCWH_WAREHOUSE_DIR"] == "."
    assert os.environ["DBT_PROJECT_DIR"] == str(project.resolve())

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DBT_PROJECT_DIR", str(DBT_PROJECT_DIR))  # a project named is kept
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(tmp_path / "other"))
    dbt_main.enter_warehouse()
    assert Path.cwd() == (tmp_path / "other").resolve()
    assert os.environ["DBT_PROJECT_DIR"] == str(DBT_PROJECT_DIR)


def test_the_cache_key_follows_the_projects_files_and_the_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    before = parse_cache_dir(LATEST, project)
    assert before.parent == tmp_path / "cache" / "vocwh" / "dbt-parse"
    assert parse_cache_dir(APPROVED, project) != before
    assert parse_cache_dir(LATEST, DBT_PROJECT_DIR) != before  # a parse records where the project is
    model = project / "models" / "marts" / "per_student_funding.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    assert parse_cache_dir(LATEST, project) != before
    seed = next((project / "seeds").rglob("*.csv"))  # policy amounts are parsed into unit tests
    model.write_text(model.read_text(encoding="utf-8").removesuffix("\n-- changed\n"), encoding="utf-8")
    assert parse_cache_dir(LATEST, project) == before
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert parse_cache_dir(LATEST, project) != before


@pytest.mark.slow
def test_a_new_warehouse_copies_the_machines_parse_instead_of_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    latest = machine_parse(LATEST)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copytree(latest, parse_cache_dir(LATEST))  # a cache holding the latest set only
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(tmp_path / "wh1"))
    first = ensure_manifests()  # the approved set is parsed, and kept
    assert not (tmp_path / "wh1" / "warehouse.duckdb").exists()  # a parse opens no database
    assert (
        json.loads(first[APPROVED].read_text(encoding="utf-8"))["metadata"]["invocation_id"]
        != json.loads((latest / "manifest.json").read_text(encoding="utf-8"))["metadata"]["invocation_id"]
    )
    for f in FIGURES:
        cached = parse_cache_dir(f)
        assert first[f].read_bytes() == (cached / "manifest.json").read_bytes()
        assert (first[f].parent / "partial_parse.msgpack").read_bytes() == (cached / "partial_parse.msgpack").read_bytes()

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"dbt was started: {args}")

    with monkeypatch.context() as m:
        m.setattr(dbt_project.subprocess, "Popen", no_parse)
        m.setenv("VOCWH_WAREHOUSE_DIR", str(tmp_path / "wh2"))
        second = ensure_manifests()
    for f in FIGURES:
        assert second[f] == tmp_path / "wh2" / ("dbt_target" if f == LATEST else f"dbt_target_{f}") / "manifest.json"
        assert second[f].read_bytes() == first[f].read_bytes()

    # a cached parse pruned by another process while being copied: this one parses after all
    copy = dbt_project._copy_parse

    def pruned(source: Path, target: Path) -> None:
        if source.parent == parse_cache_dir(LATEST).parent:
            raise FileNotFoundError(source / "manifest.json")
        copy(source, target)

    monkeypatch.setattr(dbt_project, "_copy_parse", pruned)
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(tmp_path / "wh3"))
    third = dbt_project.ensure_manifest(figures=LATEST)
    assert third.read_bytes() != first[LATEST].read_bytes()  # a parse of its own (a new invocation id)
    assert json.loads(third.read_text(encoding="utf-8"))["metadata"]["project_name"] == "vocwh"


def test_a_process_waits_for_the_parse_another_is_making_then_copies_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs starting at once on a new project version: the second waits on the cache
    entry's lock while the first parses, then copies what the first kept, starting no dbt."""
    latest = machine_parse(LATEST)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(tmp_path / "wh"))
    entry = parse_cache_dir(LATEST)

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"dbt was started: {args}")

    monkeypatch.setattr(dbt_project.subprocess, "Popen", no_parse)
    held = dbt_project._lock_cache_entry(entry)  # the first process, parsing
    assert held is not None
    done: list[Path | BaseException] = []

    def second() -> None:
        try:
            done.append(dbt_project.ensure_manifest(figures=LATEST))
        except BaseException as e:
            done.append(e)

    waiter = threading.Thread(target=second)
    waiter.start()
    time.sleep(1.0)
    assert waiter.is_alive() and not done  # waiting on the lock, not parsing
    shutil.copytree(latest, entry)  # what the first process keeps
    held.close()
    waiter.join(timeout=30)
    assert done == [tmp_path / "wh" / "dbt_target" / "manifest.json"], done
    assert done[0].read_bytes() == (latest / "manifest.json").read_bytes()


@pytest.mark.slow
def test_dbt_in_a_new_warehouse_starts_from_the_parse_and_writes_only_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real dbt, through ``vocwh-dbt``, started elsewhere: it reuses the machine's parse
    although the parse was made in another folder, and the database it builds is the
    warehouse's."""
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")  # dbt says it skipped parsing at debug
    wh = tmp_path / "wh"
    result = run_dbt(["seed", "--select", "policy_parameters"], wh, tmp_path / "work")
    assert result.returncode == 0, result.stdout[-3000:]
    log = (tmp_path / "work" / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "Partial parsing enabled, no changes found, skipping parsing" in log
    assert not list((tmp_path / "work").glob("*.duckdb"))
    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM seeds.policy_parameters").fetchone()[0] > 0  # type: ignore[index]
    finally:
        con.close()


def test_the_pipelines_dbt_log_file_is_at_info_unless_asked_for_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env(warehouse_dir=tmp_path / "wh")
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    assert dbt_project.dbt_env(settings)["DBT_LOG_LEVEL_FILE"] == "info"
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    assert dbt_project.dbt_env(settings)["DBT_LOG_LEVEL_FILE"] == "debug"
