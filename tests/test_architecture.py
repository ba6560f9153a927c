"""The package's shape: stages import only earlier stages, and only the Dagster glue imports
Dagster ([tool.importlinter] in pyproject.toml, checked by import-linter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_project.core.settings import PROJECT_ROOT


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), "--no-cache"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in proc.stdout


def test_tools_are_not_part_of_the_installed_package() -> None:
    """The generator and the benchmark are development tools: the package holds what production runs."""
    package = PROJECT_ROOT / "dagster_project"
    assert not (package / "sample").exists()
    assert not list(package.rglob("benchmark*.py"))
    assert not list(package.rglob("scratch*.py"))
