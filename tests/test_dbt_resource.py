"""``VocwhDbtCliResource`` overrides two private members of dagster-dbt's ``DbtCliResource``.

dagster-dbt has no public switch for what they cost (a ``dbt --version`` subprocess and a
dbt adapter built in-process, about 4 s per dbt invocation), so the override stays. These
tests make a dagster-dbt release that changes those members, or the one method that calls
them, fail loudly instead of silently changing behaviour.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import re
import subprocess
from functools import cached_property
from pathlib import Path

import pytest
from dagster_dbt import DbtCliResource
from packaging import version

from dagster_project.defs.dbt import VocwhDbtCliResource, dbt_executable, dbt_resource

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# sha256 (first 16 hex digits) of the source of the dagster-dbt members the override relies
# on, as read and checked in dagster-dbt 0.29.27. When a release changes one of them, read
# the new source, check the assumptions listed in `_assumptions`, then update the hash.
CHECKED_VERSION = "0.29.27"
CHECKED_SOURCES = {
    "_cli_version": "b06b86a642ba8bcd",
    "_initialize_dbt_core_adapter": "f033303d9d777bff",
    "cli": "a9ca99daf92597e3",
}


def _member_source(name: str) -> str:
    member = DbtCliResource.__dict__[name]
    if isinstance(member, cached_property):
        member = member.func
    return inspect.getsource(member)


def _assumptions() -> str:
    return (
        f"VocwhDbtCliResource (dagster_project/defs/dbt.py) overrides DbtCliResource._cli_version and "
        f"_initialize_dbt_core_adapter, checked against dagster-dbt {CHECKED_VERSION}; the installed dagster-dbt is "
        f"{importlib.metadata.version('dagster-dbt')}. Assumed: _cli_version is a cached_property returning the "
        "dbt version (only its major version is used, to tell dbt-core from fusion); _initialize_dbt_core_adapter(args) "
        "is called only from cli(), inside a try/except, and its result goes only to DbtCliInvocation's `adapter`, "
        "which serves only fetch_row_counts/fetch_column_metadata (vocwh uses neither). Re-check these and update "
        "CHECKED_SOURCES in tests/test_dbt_resource.py."
    )


def test_overridden_dagster_dbt_members_are_unchanged() -> None:
    """Fails, naming the installed dagster-dbt, when any member the override relies on changed."""
    changed = [name for name, digest in CHECKED_SOURCES.items() if hashlib.sha256(_member_source(name).encode()).hexdigest()[:16] != digest]
    assert not changed, f"dagster-dbt changed {', '.join(changed)}. {_assumptions()}"


def test_the_override_matches_what_dagster_dbt_expects() -> None:
    """The structural assumptions, checked on the installed source (readable when a hash differs)."""
    assert isinstance(DbtCliResource.__dict__["_cli_version"], cached_property), _assumptions()
    assert isinstance(VocwhDbtCliResource.__dict__["_cli_version"], cached_property), _assumptions()
    assert list(inspect.signature(DbtCliResource._initialize_dbt_core_adapter).parameters) == ["self", "args"], _assumptions()
    assert list(inspect.signature(VocwhDbtCliResource._initialize_dbt_core_adapter).parameters) == ["self", "args"]

    cli = _member_source("cli")
    assert "self._cli_version.major < 2" in cli, _assumptions()
    call = cli.index("adapter = self._initialize_dbt_core_adapter(args)")
    assert "try:" in cli[call - 80 : call], _assumptions()
    assert "adapter=adapter" in cli and "cli_version=self._cli_version" in cli, _assumptions()
    # Nothing else in dagster-dbt's resource reaches the private members.
    resource_src = inspect.getsource(inspect.getmodule(DbtCliResource))
    assert resource_src.count("_initialize_dbt_core_adapter(") == 2, _assumptions()  # definition + the call in cli()

    # vocwh never asks for what the adapter serves.
    own = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "dagster_project").rglob("*.py"))
    assert not re.search(r"fetch_row_counts|fetch_column_metadata", own)


@pytest.mark.slow
def test_the_version_shortcut_gives_what_dbt_reports() -> None:
    """The shortcut reads dbt-core's package version; the real ``dbt --version`` must agree."""
    resource = dbt_resource()
    assert isinstance(resource, VocwhDbtCliResource)
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+\.\d+\.\d+)", printed)
    assert match, printed
    assert resource._cli_version == version.parse(match.group(1))
    assert resource._initialize_dbt_core_adapter(["build"]) is None
