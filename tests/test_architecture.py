"""The package's shape: stages import only earlier stages, and only the Dagster glue imports
Dagster ([tool.importlinter] in pyproject.toml, checked by import-linter)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from dagster_project.core.settings import PROJECT_ROOT


def test_import_contracts_hold() -> None:
    """Every contract of pyproject.toml is checked and kept (the store's layers among them)."""
    contracts = [
        c["name"] for c in tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    ]
    assert "store: load runs scan, decide and write; schema owns the tables" in contracts
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), "--no-cache"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in proc.stdout
    for name in contracts:
        assert f"{name} KEPT" in proc.stdout, name


def test_tools_are_not_part_of_the_installed_package() -> None:
    """The generator and the benchmark are development tools: the package holds what production runs."""
    package = PROJECT_ROOT / "dagster_project"
    assert not (package / "sample").exists()
    assert not list(package.rglob("benchmark*.py"))
    assert not list(package.rglob("scratch*.py"))
