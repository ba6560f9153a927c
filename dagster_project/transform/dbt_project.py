"""The dbt project seen from Python, without Dagster: where dbt runs, its parsed manifest,
and the mart contract read from that manifest.

The mart contract lives in dbt (the model yml with enforced contracts). Whatever
publishes or tests the marts asks this module for the tables and columns instead of
keeping its own list, so a model added or renamed in dbt reaches every output.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from dagster_project.core.files import replace_atomically, sweep_temp_files, temp_path
from dagster_project.core.settings import DBT_PROJECT_DIR, Settings

PROJECT_SUBDIRS = ("models", "seeds", "macros", "tests", "snapshots", "analyses")
# Schema of the BI marts (copied into the snapshot) and of the personal-data models for
# the finance payout audit (never copied), as dbt_project.yml configures them.
MART_SCHEMA = "marts"
RESTRICTED_SCHEMA = "restricted"
# The two sets of figures (issue 17): one dbt project built twice, first with the dbt var
# figures = latest (every current submission), then = approved (approved versions only).
# The approved build writes the models it shares with the latest one to approved_<schema>
# (macros/generate_schema_name.sql); BI sees them as <model>_approved.
LATEST = "latest"
APPROVED = "approved"
FIGURES = (LATEST, APPROVED)
APPROVED_SCHEMA_PREFIX = "approved_"
APPROVED_SUFFIX = "_approved"


def dbt_vars(figures: str) -> list[str]:
    """The dbt arguments that select a set of figures (none for the latest, dbt's default)."""
    if figures not in FIGURES:
        raise ValueError(f"unknown set of figures {figures!r}: one of {', '.join(FIGURES)}")
    return [] if figures == LATEST else ["--vars", f"{{figures: {figures}}}"]


def dbt_target_dir(settings: Settings, figures: str = LATEST) -> Path:
    """dbt's target folder, one per warehouse and set of figures: runs on different
    warehouses never share a manifest, a run on this one writes it only under the run lock
    (or atomically), and each set keeps its own partial parse (dbt re-parses everything
    when --vars change)."""
    return settings.warehouse_dir / ("dbt_target" if figures == LATEST else f"dbt_target_{figures}")


def dbt_env(settings: Settings, figures: str = LATEST) -> dict[str, str]:
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
        # dbt's own log file at info, not debug: the debug lines (every SQL statement) cost
        # a tenth of a build (latest build of the sample, paired: 11.2 -> 10.2 s). Set
        # DBT_LOG_LEVEL_FILE=debug to have them again.
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE") or "info",
        # dagster-dbt puts each invocation's artifacts in a fresh folder below this one and
        # copies the partial parse from it.
        "DBT_TARGET_PATH": str(dbt_target_dir(settings, figures)),
    }


def dbt_executable() -> str:
    """``vocwh-dbt`` (``transform/dbt_main.py``), installed beside this Python: dbt run from
    inside the warehouse, so that one parse serves every warehouse (``ensure_manifests``)."""
    local = Path(sys.executable).parent / "vocwh-dbt"
    return str(local) if local.exists() else (shutil.which("vocwh-dbt") or "vocwh-dbt")


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """Hash of the dbt project's own files: models, seeds (policy parameters), macros, tests."""
    h = hashlib.sha256()
    for p in project_files(project_dir):
        h.update(p.relative_to(project_dir).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def project_files(project_dir: Path) -> list[Path]:
    paths = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for sub in PROJECT_SUBDIRS:
        paths += sorted(p for p in (project_dir / sub).rglob("*") if p.is_file())
    return [p for p in paths if p.exists()]


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR, manifest: Path | None = None, figures: str = LATEST) -> Path:
    """The warehouse's manifest of one set of figures, current with the project's files
    (see ``ensure_manifests``)."""
    settings = Settings.from_env()
    manifest = manifest or dbt_target_dir(settings, figures) / "manifest.json"
    parse = _start_parse(project_dir, manifest, figures)
    if parse is not None:
        _finish_parse(parse)
    return manifest


def ensure_manifests(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, Path]:
    """Both builds' manifests, so that ``dagster asset materialize`` works on a fresh clone
    without a separate step. A missing or stale one is copied from the machine's parse of
    this project version (``parse_cache_dir``), made first if there is none: ``--vars``
    makes each set's a full parse of its own, and both are made side by side.

    This runs whenever the definitions load (a run, the UI, a sensor), outside any run lock,
    so two processes may parse at once: each parses into a folder of its own, and files
    reach the cache and the warehouse's target folder by rename, the manifest last. A reader
    sees an old manifest or a new one, never a file being written (dbt writes in place)."""
    settings = Settings.from_env()
    manifests = {f: dbt_target_dir(settings, f) / "manifest.json" for f in FIGURES}
    started = [p for f in FIGURES if (p := _start_parse(project_dir, manifests[f], f)) is not None]
    failure: BaseException | None = None
    for parse in started:  # wait for every parse, so none is left running behind an error
        try:
            _finish_parse(parse)
        except BaseException as e:
            failure = failure or e
    if failure is not None:
        raise failure
    return manifests


def machine_parse(figures: str = LATEST, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """The machine's parse of this project version for one set of figures (``parse_cache_dir``),
    made now if there is none yet: what a dbt run outside the pipeline starts from."""
    cached = parse_cache_dir(figures, project_dir)
    if not (cached / "manifest.json").exists():
        with tempfile.TemporaryDirectory() as tmp:
            ensure_manifest(project_dir, Path(tmp) / "manifest.json", figures)
    return cached


# What a parse leaves that a later run reads, the manifest last: its time marks a parse done.
PARSE_FILES = ("partial_parse.msgpack", "semantic_manifest.json", "manifest.json")
# Parses kept in the machine's cache: a few project versions (branches, the benchmark's baseline).
PARSE_CACHE_KEEP = 12


def parse_cache_dir(figures: str = LATEST, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Where this machine keeps the parse of this project version for one set of figures.

    The key holds all a parse depends on besides the connection (the same in every
    warehouse, ``dbt_main``): the project's files, where the project and dbt are (a parse
    records both paths), dbt's version, and the figures (``--vars``). A parse made for other
    values of the environment variables a model reads is still right: dbt records them and
    re-parses those models when they differ."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vocwh" / "dbt-parse"
    parts = (project_fingerprint(project_dir), str(project_dir.resolve()), sys.prefix, importlib.metadata.version("dbt-core"), figures)
    return root / hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


@dataclass
class _Parse:
    """A parse on its way: from the cache (``proc`` None) or from a ``dbt parse`` running."""

    project_dir: Path
    figures: str
    target: Path
    cached: Path
    work: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    cmd: list[str] = field(default_factory=list)
    lock: IO[str] | None = None


def _start_parse(project_dir: Path, manifest: Path, figures: str, from_cache: bool = True) -> _Parse | None:
    """None if ``manifest`` is current; else the cached parse to copy, or a ``dbt parse``
    started into a private folder when the cache has none (or ``from_cache`` is False)."""
    target = manifest.parent
    newest = max((p.stat().st_mtime for p in project_files(project_dir)), default=0.0)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return None
    target.mkdir(parents=True, exist_ok=True)
    sweep_temp_files(target, ".parse.tmp-*")
    cached = parse_cache_dir(figures, project_dir)
    if from_cache and (cached / "manifest.json").exists():
        return _Parse(project_dir, figures, target, cached)
    lock = _lock_cache_entry(cached) if from_cache else None
    if lock is not None and (cached / "manifest.json").exists():  # parsed by the process we waited for
        lock.close()
        return _Parse(project_dir, figures, target, cached)
    work = temp_path(target / ".parse")
    work.mkdir()
    cmd = [
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
        *dbt_vars(figures),
    ]
    # The parse opens no database: the folder it runs in stands for any warehouse.
    env = {**os.environ, **dbt_env(Settings.from_env(), figures), "DBT_TARGET_PATH": str(work), "VOCWH_WAREHOUSE_DIR": str(work)}
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=project_dir)
    except BaseException:
        if lock is not None:
            lock.close()
        raise
    return _Parse(project_dir, figures, target, cached, work, proc, cmd, lock)


def _lock_cache_entry(cached: Path) -> IO[str] | None:
    """Hold the lock of a cache entry while making it, so that the processes starting at once
    on a new project version (two runs, a test session's workers) parse it once: the others
    wait here, then copy. None when the cache cannot be written."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        lock = cached.with_name(cached.name + ".lock").open("a", encoding="utf-8")
    except OSError:
        return None
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when closed, or when the process dies
    return lock


def _finish_parse(parse: _Parse) -> None:
    try:
        if parse.proc is not None and parse.work is not None:
            if parse.proc.wait() != 0:
                raise subprocess.CalledProcessError(parse.proc.returncode, parse.cmd)
            _store_parse(parse.work, parse.cached)
            source = parse.work
        else:
            source = parse.cached
        try:
            _copy_parse(source, parse.target)
        except FileNotFoundError:
            if parse.proc is not None:
                raise
            # pruned by another process while being copied: parse after all
            again = _start_parse(parse.project_dir, parse.target / "manifest.json", parse.figures, from_cache=False)
            if again is not None:
                _finish_parse(again)
    finally:
        if parse.work is not None:
            shutil.rmtree(parse.work, ignore_errors=True)
        if parse.lock is not None:
            parse.lock.close()


def _copy_parse(source: Path, target: Path) -> None:
    for name in PARSE_FILES:
        if (source / name).exists():
            tmp = temp_path(target / name)
            shutil.copyfile(source / name, tmp)
            replace_atomically(tmp, target / name)


def _store_parse(work: Path, cached: Path) -> None:
    """Keep a fresh parse in the machine's cache, whole (a folder renamed into place) or not
    at all; a cache that cannot be written only means the next new warehouse parses again."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path(cached)
        tmp.mkdir()
        for name in PARSE_FILES:
            if (work / name).exists():
                shutil.copyfile(work / name, tmp / name)
        try:
            tmp.rename(cached)
        except OSError:  # another process stored the same parse first
            shutil.rmtree(tmp, ignore_errors=True)
        entries = sorted(
            (p for p in cached.parent.iterdir() if p.is_dir() and ".tmp-" not in p.name), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in entries[PARSE_CACHE_KEEP:]:
            shutil.rmtree(old, ignore_errors=True)
            old.with_name(old.name + ".lock").unlink(missing_ok=True)
    except OSError:
        return


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
    # Which build made it (dbt var figures), and the name BI sees it under: the model's own
    # name, or <name>_approved for the approved build's copy of a model both builds make.
    figures: str = LATEST
    published_as: str = ""
    # The yml meta of the model and of each column (the finance sheets' layout, issue 17).
    meta: dict[str, Any] = field(default_factory=dict)
    column_meta: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def relation(self) -> str:
        """The model's table in the working database."""
        return f"{self.schema}.{self.name}"


def _grains(manifest: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Model unique_id -> its grain, from the unique_combination_of_columns tests."""
    out: dict[str, tuple[str, ...]] = {}
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] == "test" and meta.get("name") == "unique_combination_of_columns" and node.get("attached_node"):
            out[node["attached_node"]] = tuple((meta.get("kwargs") or {}).get("combination_of_columns") or ())
    return out


def _models(manifest: dict[str, Any], figures: str) -> list[Model]:
    out = []
    grains = _grains(manifest)
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != "vocwh":
            continue
        cols = node.get("columns") or {}
        twin = node["schema"].startswith(APPROVED_SCHEMA_PREFIX)
        description = " ".join((node.get("description") or "").split())
        if twin:
            description = f"已审批数据（只含市教育局已审批的版本）approved figures only: {description}"
        out.append(
            Model(
                name=node["name"],
                schema=node["schema"],
                description=description,
                columns={c: " ".join((v.get("description") or "").split()) for c, v in cols.items()},
                data_types={c: v.get("data_type") or "" for c, v in cols.items()},
                depends_on=tuple(node.get("depends_on", {}).get("nodes", [])),
                grain=grains.get(node["unique_id"], ()),
                figures=figures,
                published_as=node["name"] + (APPROVED_SUFFIX if twin else ""),
                meta=dict((node.get("config") or {}).get("meta") or node.get("meta") or {}),
                column_meta={c: dict(((v.get("config") or {}).get("meta")) or v.get("meta") or {}) for c, v in cols.items()},
            )
        )
    return sorted(out, key=lambda m: m.name)


@lru_cache(maxsize=8)
def _load(path: str, mtime: float, figures: str) -> tuple[Model, ...]:
    with open(path, encoding="utf-8") as f:
        return tuple(_models(json.load(f), figures))


def models(manifest: Path | None = None, figures: str = LATEST) -> tuple[Model, ...]:
    """Every model of one build (set of figures), from its (freshly parsed if need be) manifest."""
    path = manifest or ensure_manifest(figures=figures)
    return _load(str(path), path.stat().st_mtime, figures)


def all_models() -> tuple[Model, ...]:
    """Every table both builds make, each once: the latest build's models, then the approved
    build's (its own models, and its copies of the shared ones)."""
    return (*models(), *models(figures=APPROVED))


def mart_models() -> tuple[Model, ...]:
    """The BI marts, under the names BI sees (``published_as``): every model of schema
    ``marts`` of either build, and the approved build's copies of them (``approved_marts``).
    The snapshot and PostgreSQL publish exactly these, in this order."""
    out = [m for m in all_models() if m.schema in (MART_SCHEMA, APPROVED_SCHEMA_PREFIX + MART_SCHEMA)]
    return tuple(sorted(out, key=lambda m: m.published_as))


def mart_tables() -> tuple[str, ...]:
    return tuple(m.published_as for m in mart_models())


def model_grain(name: str) -> tuple[str, ...]:
    """The grain of a mart (the columns that identify a row), as its yml states it."""
    for m in all_models():
        if m.published_as == name or m.name == name:
            if not m.grain:
                raise KeyError(f"dbt model {name!r} declares no grain (unique_combination_of_columns test)")
            return m.grain
    raise KeyError(f"no dbt model {name!r} in the manifest")
