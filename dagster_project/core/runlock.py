"""One run at a time per warehouse: a lock file held with ``flock`` for the whole run.

DuckDB's own writer lock is not enough: it is taken and dropped many times in a run
(ingest, dbt, publishing each open and close the file), so two runs would interleave
their steps and each would publish the other's half-built marts. A ``flock`` on
``<warehouse>/.vocwh-run.lock`` is held from the first step to the last. The kernel
drops it when the process ends, however it ends (kill -9 included), so a crash never
leaves a stale lock behind; the file's text only says who holds it, for the message.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

LOCK_NAME = ".vocwh-run.lock"
# How long a second run waits for the first before giving up; 0 = give up at once.
TIMEOUT_ENV = "VOCWH_RUN_LOCK_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 3600.0

_held: dict[Path, IO[str]] = {}


class RunInProgress(RuntimeError):
    """Another run holds the warehouse."""


def lock_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir).resolve() / LOCK_NAME


def holds_run_lock(warehouse_dir: Path) -> bool:
    """Whether this process holds the warehouse's run lock (then no other vocwh process writes there)."""
    return Path(warehouse_dir).resolve() in _held


def timeout_from_env() -> float:
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    return float(raw) if raw else DEFAULT_TIMEOUT_SECONDS


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"


def acquire(warehouse_dir: Path, label: str = "", timeout: float | None = None, on_wait: Callable[[str], None] | None = None) -> bool:
    """Take the run lock, waiting up to ``timeout`` seconds (default: ``VOCWH_RUN_LOCK_TIMEOUT``
    or an hour). Returns False if this process already held it (nothing to release then).
    Raises ``RunInProgress`` with a message for the clerk if the other run does not finish."""
    wh = Path(warehouse_dir).resolve()
    if wh in _held:
        return False
    wh.mkdir(parents=True, exist_ok=True)
    path = lock_path(wh)
    f = path.open("a+", encoding="utf-8")
    limit = timeout_from_env() if timeout is None else timeout
    deadline = time.monotonic() + limit
    told = False
    while True:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                f.close()
                raise RunInProgress(
                    f"另一个运行正在使用该数据仓库（{_holder(path)}），本次运行未开始，请等它结束后再运行 "
                    f"(another run is in progress on {wh})"
                ) from None
            if not told and on_wait is not None:
                on_wait(f"another run is in progress ({_holder(path)}): waiting up to {limit:.0f} s for it to finish")
                told = True
            time.sleep(0.5)
    f.seek(0)
    f.truncate()
    f.write(f"pid {os.getpid()}, since {dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}{', ' + label if label else ''}\n")
    f.flush()
    _held[wh] = f
    return True


def release(warehouse_dir: Path) -> None:
    f = _held.pop(Path(warehouse_dir).resolve(), None)
    if f is not None:
        f.seek(0)
        f.truncate()
        f.flush()
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        f.close()


@contextmanager
def run_lock(
    warehouse_dir: Path, label: str = "", timeout: float | None = None, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the run lock for the block; re-entrant within one process."""
    took = acquire(warehouse_dir, label, timeout, on_wait)
    try:
        yield
    finally:
        if took:
            release(warehouse_dir)
