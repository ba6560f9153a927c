"""dbt run inside the calling process (dbt's ``dbtRunner``), as ``vocwh-dbt`` runs it in its own.

A dbt process spends 1.5-2.5 s starting (Python, then importing dbt and the DuckDB
adapter) before it reads the project, and a run that builds starts two: the latest
figures, then the approved ones. In a pipeline run dagster-dbt has already imported most
of dbt, so a build started here begins at once (the rest of dbt's imports, 0.3 s, once).

What ``vocwh-dbt`` does for one parse to serve every warehouse (``dbt_main``) is done here
for the call's length only: the working folder is the warehouse and the profile's path is
relative to it. The environment and the folder are the process's, so builds run one at a
time (a lock), and nothing else of the caller runs meanwhile: dbt's result events are
collected, in the shape of its JSON log lines, and handed back when it ends.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster_project.core.gc_tuning import keep_out_of_collections
from dagster_project.core.settings import DBT_PROJECT_DIR
from dagster_project.transform.dbt_main import enter_warehouse

# dbt's events that carry a node's result: what becomes a materialization or a check result.
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})

_one_at_a_time = threading.Lock()


@dataclass
class Invocation:
    """What one dbt command did: whether it succeeded, its result events (dicts as dbt's
    ``--log-format json`` lines), and the messages of its errors."""

    success: bool
    events: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exception: BaseException | None = None


@contextmanager
def _inside(warehouse_dir: Path, env: Mapping[str, str]) -> Iterator[None]:
    """The environment and working folder ``vocwh-dbt`` gives dbt, restored afterwards."""
    saved_env = {k: os.environ.get(k) for k in [*env, "VOCWH_WAREHOUSE_DIR", "DBT_PROJECT_DIR"]}
    saved_cwd = os.getcwd()
    try:
        os.environ.update(env)
        os.environ["DBT_PROJECT_DIR"] = str(DBT_PROJECT_DIR)
        os.environ["VOCWH_WAREHOUSE_DIR"] = str(warehouse_dir)
        enter_warehouse()  # vocwh-dbt's own step: into the folder, the profile's path relative
        yield
    finally:
        os.chdir(saved_cwd)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _close_duckdb() -> None:
    """dbt-duckdb keeps its database open in a class attribute after the command ends; the
    caller opens the same file next (publishing), which DuckDB refuses within one process
    under another configuration. Closed here, as dbt-duckdb itself closes one it replaces."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if env is not None:
        env.close()


_BEHAVIOR_FLAGS = "dbt_common.behavior_flags"
_dbt_flag_source: dict[str, Any] = {}  # "original": dbt_common's own, once replaced


def _flag_source() -> str:
    """dbt_common's ``BehaviorFlagRendered._default_source``, read from the frames' globals.

    For each behaviour flag without a ``source`` (dbt's two base flags), dbt names the
    module that declared it by walking ``inspect.stack()``: that reads the source line of
    every frame and matches each frame's file against every module in ``sys.modules``, which
    also executes the modules core/lazy_imports defers (SciPy's stats, 0.7 s). Under a
    Dagster step or pytest the stack is deep: about 1 s of a pipeline run's two builds
    (py-spy). The name only ever appears in dbt's notice that a flag is off; here it is the
    same name, the first frame's module that is not ``dbt_common.behavior_flags`` (frames of
    code without a module, which ``inspect.getmodule`` cannot place, are passed over as there).
    """
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__")
        if name != _BEHAVIOR_FLAGS and frame.f_code.co_filename == getattr(sys.modules.get(name or ""), "__file__", None):
            return str(name)
        frame = frame.f_back
    return "Unknown"


def install_flag_source() -> None:
    """Put ``_flag_source`` in dbt_common's place (tests/test_dbt_inprocess.py compares the two)."""
    from dbt_common.behavior_flags import BehaviorFlagRendered

    original = BehaviorFlagRendered.__dict__.get("_default_source")
    if original is None:
        return  # a dbt_common without it: nothing to replace (tests/test_dbt_inprocess.py fails)
    _dbt_flag_source.setdefault("original", original)
    BehaviorFlagRendered._default_source = staticmethod(_flag_source)  # type: ignore[method-assign]


def invoke(args: Sequence[str], warehouse_dir: Path, env: Mapping[str, str]) -> Invocation:
    """Run ``dbt <args>`` on ``warehouse_dir``'s database with ``env`` set."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.base_types import EventMsg
    from dbt_common.events.functions import msg_to_dict

    install_flag_source()

    out = Invocation(success=False)

    def collect(msg: EventMsg) -> None:
        if msg.info.name in RESULT_EVENTS:
            out.events.append(msg_to_dict(msg))
        elif msg.info.level == "error":
            out.errors.append(msg.info.msg)

    with _one_at_a_time, _inside(warehouse_dir.resolve(), env):
        # The caller's objects (a run's: some 450,000 of Dagster, Great Expectations, pandas)
        # are left out of the collections dbt's allocations set off: a build of the crash
        # tests' city took 5.2-5.5 s of CPU so, against 5.8-6.3 s (alternating, in one
        # process). They stay out afterwards (an unfreeze would also undo the freeze of
        # the loaded definitions, core/gc_tuning.py); garbage is collected first, so only
        # live objects are kept there, and only those in cycles ever wait for the exit.
        keep_out_of_collections(collect_first=True)
        try:
            # no colour codes in the run's log, nor in the errors it reports
            result = dbtRunner(callbacks=[collect]).invoke([*args, "--no-use-colors"])
        finally:
            _close_duckdb()
    out.success = bool(result.success)
    out.exception = result.exception
    return out
