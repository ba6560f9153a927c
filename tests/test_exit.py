"""The processes that load the whole stack (a run, dbt, the vocwh commands) end without the
interpreter's last garbage-collection walk over their objects (core/exit.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.core.settings import PROJECT_ROOT

# Registered first, so it runs last of the exit handlers: after a freeze registered later.
PROBE = "import atexit, gc; atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"


def _exit_state(code: str, tmp_path: Path) -> str:
    env = {**os.environ, "VOCWH_WAREHOUSE_DIR": str(tmp_path / "wh"), "VOCWH_RAW_DIR": str(tmp_path / "raw")}
    proc = subprocess.run([sys.executable, "-c", PROBE + code], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]


def test_a_plain_interpreter_does_not_freeze(tmp_path: Path) -> None:
    assert _exit_state("pass", tmp_path) == "frozen at exit: False"


def test_vocwh_dbt_and_the_vocwh_command_freeze_at_exit(tmp_path: Path) -> None:
    dbt = "import sys; sys.argv = ['vocwh-dbt', '--version']; from dagster_project.transform.dbt_main import main; main()"
    assert _exit_state(dbt, tmp_path) == "frozen at exit: True"
    vocwh = "import sys; from dagster_project.cli import main; main(['--help'])"
    assert _exit_state(vocwh, tmp_path) == "frozen at exit: True"


@pytest.mark.slow
def test_loading_the_definitions_freezes_what_it_loaded_and_what_came_after_at_exit(tmp_path: Path) -> None:
    """The objects of the loaded stack are frozen once loaded (core/gc_tuning.py), and those
    a run made after it at exit (core/exit.py)."""
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('collectable at exit:', len(gc.get_objects())))\n"
        "import dagster_project.definitions\n"
        "print('frozen at load:', gc.get_freeze_count())\n"
        "assert gc.isenabled(), 'collections paused for the load resume after it'\n"
        "made_by_the_run = [[i] for i in range(1000)]\n"
        "print('collectable after the run:', len(gc.get_objects()))\n"
    )
    env = {**os.environ, "VOCWH_WAREHOUSE_DIR": str(tmp_path / "wh"), "VOCWH_RAW_DIR": str(tmp_path / "raw")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    at_load, after_run, at_exit = (int(line.rsplit(" ", 1)[1]) for line in proc.stdout.strip().splitlines()[-3:])
    assert at_load > 100_000  # Dagster, dagster-dbt and dbt, pandas: some 450,000
    assert after_run >= 1_000  # the run's lists: made after the load, not frozen yet
    assert at_exit == 0  # frozen at exit too
