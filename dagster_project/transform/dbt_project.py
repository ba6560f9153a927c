"""The dbt project seen from Python, without Dagster: where dbt runs, its parsed manifest,
and the mart contract read from that manifest.

The mart contract lives in dbt (the model yml with enforced contracts). Whatever
publishes or tests the marts asks this module for the tables and columns instead of
keeping its own list, so a model added or renamed in dbt reaches every output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dagster_project.core.files import replace_atomically, sweep_temp_files, temp_path
from dagster_project.core.settings import DBT_PROJECT_DIR, Settings

PROJECT_SUBDIRS = ("models", "seeds", "macros", "tests", "snapshots", "analyses")
# Schema of the BI marts (copied into the snapshot) and of the personal-data models for
# the finance payout audit (never copied), as dbt_project.yml configures them.
MART_SCHEMA = "marts"
RESTRICTED_SCHEMA = "restricted"


def dbt_target_dir(settings: Settings) -> Path:
    """dbt's target folder, one per warehouse: runs on different warehouses never share a
    manifest, and a run on this one writes it only under the run lock (or atomically)."""
    return settings.warehouse_dir / "dbt_target"


def dbt_env(settings: Settings) -> dict[str, str]:
    """What every pipeline dbt invocation needs: the warehouse path, no usage tracking (no
    network), and partial parsing. The project turns partial parsing off because unit tests
    read seed rows at parse time; pipeline builds exclude unit tests, so they can reuse the
    parse that ``ensure_manifest`` leaves in ``target/`` and save seconds on every run."""
    return {
        "VOCWH_WAREHOUSE_DIR": str(settings.warehouse_dir),
        "DBT_PARTIAL_PARSE": "true",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        # dagster-dbt puts each invocation's artifacts in a fresh folder below this one and
        # copies the partial parse from it.
        "DBT_TARGET_PATH": str(dbt_target_dir(settings)),
    }


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def project_files(project_dir: Path) -> list[Path]:
    paths = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for sub in PROJECT_SUBDIRS:
        paths += sorted(p for p in (project_dir / sub).rglob("*") if p.is_file())
    return [p for p in paths if p.exists()]


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR, manifest: Path | None = None) -> Path:
    """Parse the dbt project when its manifest is missing or older than its files, so
    ``dagster asset materialize`` works on a fresh clone without a separate step.

    This runs whenever the definitions load (a run, the UI, a sensor), outside any run
    lock, so two processes may parse at once: each parses into its own folder and renames
    the partial parse, then the manifest, into the warehouse's target folder. A reader
    sees an old manifest or a new one, never a file being written (dbt writes in place)."""
    settings = Settings.from_env()
    manifest = manifest or dbt_target_dir(settings) / "manifest.json"
    target = manifest.parent
    newest = max((p.stat().st_mtime for p in project_files(project_dir)), default=0.0)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return manifest
    target.mkdir(parents=True, exist_ok=True)
    sweep_temp_files(target, ".parse.tmp-*")
    work = temp_path(target / ".parse")
    try:
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
                "--target-path",
                str(work),
                "--log-path",
                str(work),
            ],
            check=True,
            env={**os.environ, **dbt_env(settings), "DBT_TARGET_PATH": str(work)},
            cwd=project_dir,
        )
        for name in ("partial_parse.msgpack", "semantic_manifest.json", "manifest.json"):  # the manifest last: its time marks a parse done
            if (work / name).exists():
                replace_atomically(work / name, target / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


@dataclass(frozen=True)
class Model:
    """A dbt model as the contract states it: where it lives, its description, its columns."""

    name: str
    schema: str
    description: str
    columns: dict[str, str]  # name -> description, in yml order
    data_types: dict[str, str]  # name -> declared data_type (enforced contracts)
    depends_on: tuple[str, ...]
    # The columns that identify a row: the model's unique_combination_of_columns test
    # (combination_of_columns, in yml order); empty when it has none.
    grain: tuple[str, ...] = ()


def _grains(manifest: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Model unique_id -> its grain, from the unique_combination_of_columns tests."""
    out: dict[str, tuple[str, ...]] = {}
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] == "test" and meta.get("name") == "unique_combination_of_columns" and node.get("attached_node"):
            out[node["attached_node"]] = tuple((meta.get("kwargs") or {}).get("combination_of_columns") or ())
    return out


def _models(manifest: dict[str, Any]) -> list[Model]:
    out = []
    grains = _grains(manifest)
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != "vocwh":
            continue
        cols = node.get("columns") or {}
        out.append(
            Model(
                name=node["name"],
                schema=node["schema"],
                description=" ".join((node.get("description") or "").split()),
                columns={c: " ".join((v.get("description") or "").split()) for c, v in cols.items()},
                data_types={c: v.get("data_type") or "" for c, v in cols.items()},
                depends_on=tuple(node.get("depends_on", {}).get("nodes", [])),
                grain=grains.get(node["unique_id"], ()),
            )
        )
    return sorted(out, key=lambda m: m.name)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[Model, ...]:
    with open(path, encoding="utf-8") as f:
        return tuple(_models(json.load(f)))


def models(manifest: Path | None = None) -> tuple[Model, ...]:
    """Every model of the project, from the (freshly parsed if need be) manifest."""
    path = manifest or ensure_manifest()
    return _load(str(path), path.stat().st_mtime)


def mart_models(manifest: Path | None = None) -> tuple[Model, ...]:
    """The BI marts: every model in schema ``marts`` (the snapshot copies exactly these)."""
    return tuple(m for m in models(manifest) if m.schema == MART_SCHEMA)


def mart_tables(manifest: Path | None = None) -> tuple[str, ...]:
    return tuple(m.name for m in mart_models(manifest))


def model_grain(name: str, manifest: Path | None = None) -> tuple[str, ...]:
    """The grain of a model (the columns that identify a row), as its yml states it: reports
    match a row to ``approval_differences.row_key`` by these, never by a list kept in Python."""
    for m in models(manifest):
        if m.name == name:
            if not m.grain:
                raise KeyError(f"dbt model {name!r} declares no grain (unique_combination_of_columns test)")
            return m.grain
    raise KeyError(f"no dbt model {name!r} in the manifest")
