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

from dagster_project.shared.settings import DBT_PROJECT_DIR, Settings

PROJECT_SUBDIRS = ("models", "seeds", "macros", "tests", "snapshots", "analyses")
# Schema of the BI marts (copied into the snapshot) and of the personal-data models for
# the finance payout audit (never copied), as dbt_project.yml configures them.
MART_SCHEMA = "marts"
RESTRICTED_SCHEMA = "restricted"


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

    dbt throws a partial parse away when the profile changed, and the profile holds the
    warehouse path: so the parse is also redone when ``VOCWH_WAREHOUSE_DIR`` differs from
    the one it was made for (recorded beside it), and every run after that reuses it."""
    manifest = manifest or project_dir / "target" / "manifest.json"
    settings = Settings.from_env()
    marker = manifest.parent / "vocwh_parsed_for.txt"
    newest = max((p.stat().st_mtime for p in project_files(project_dir)), default=0.0)
    fresh = manifest.exists() and manifest.stat().st_mtime >= newest
    if fresh and marker.exists() and marker.read_text(encoding="utf-8") == str(settings.warehouse_dir):
        return manifest
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        check=True,
        env={**os.environ, **dbt_env(settings)},
        cwd=project_dir,
    )
    marker.write_text(str(settings.warehouse_dir), encoding="utf-8")
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


def _models(manifest: dict[str, Any]) -> list[Model]:
    out = []
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
