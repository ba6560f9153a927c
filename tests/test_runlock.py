"""The pieces that make crashes and concurrent runs harmless: the run lock, temp-file
sweeping, write-only-what-changed, and Dagster's storage opened by many at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from dagster_project.core import runlock
from dagster_project.core.files import sweep_temp_files
from dagster_project.core.settings import PROJECT_ROOT
from dagster_project.publish.common import GENERATED_AT, PAGE_META, page_records, write_page

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from dagster_project.core import runlock
    runlock.acquire(Path(sys.argv[1]), "holder")
    Path(sys.argv[2]).touch()
    time.sleep(600)
    """
)


def _hold_in_subprocess(wh: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(wh), str(ready)], cwd=PROJECT_ROOT)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert time.monotonic() < deadline and proc.poll() is None, "holder did not take the lock"
        time.sleep(0.05)
    return proc


def test_a_second_run_is_told_another_run_is_in_progress(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    holder = _hold_in_subprocess(wh, tmp_path)
    try:
        with pytest.raises(runlock.RunInProgress) as e:
            runlock.acquire(wh, "second", timeout=0)
        assert "another run is in progress" in str(e.value)
        assert f"pid {holder.pid}" in str(e.value)  # who holds it
        assert "另一个运行正在使用该数据仓库" in str(e.value)
    finally:
        holder.kill()
        holder.wait()
    # kill -9 releases the lock with the process: no stale lock
    with runlock.run_lock(wh, "third", timeout=5):
        assert runlock.holds_run_lock(wh)
    assert not runlock.holds_run_lock(wh)


def test_a_waiting_run_starts_when_the_first_ends(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    holder = _hold_in_subprocess(wh, tmp_path)
    waited: list[str] = []
    try:
        started = time.monotonic()
        # SIGKILL, not SIGTERM: a child inherits ignored signals, and the first run ends however it ends
        threading.Timer(1.5, holder.kill).start()
        with runlock.run_lock(wh, "second", timeout=60, on_wait=waited.append):
            assert time.monotonic() - started >= 1.0
    finally:
        holder.kill()
        holder.wait()
    assert len(waited) == 1 and "another run is in progress" in waited[0]


def test_the_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    with runlock.run_lock(tmp_path, "outer", timeout=0):
        with runlock.run_lock(tmp_path, "inner", timeout=0):
            pass
        assert runlock.holds_run_lock(tmp_path)  # the inner block did not release the outer hold
    assert not runlock.holds_run_lock(tmp_path)


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_temp_files_of_dead_writers_are_swept(tmp_path: Path) -> None:
    dead, alive, mine = _dead_pid(), os.getppid(), os.getpid()
    names = [
        f"marts.duckdb.tmp-{dead}",
        f"marts.duckdb.tmp-{dead}.wal",
        f"finance_2023.tmp-{dead}.xlsx",
        f"a.html.tmp-{alive}",
        f"b.html.tmp-{mine}",
    ]
    for n in names:
        (tmp_path / n).write_bytes(b"")
    (tmp_path / "finance_2023.xlsx").write_bytes(b"kept")
    sweep_temp_files(tmp_path, "*.tmp-*")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"a.html.tmp-{alive}", f"b.html.tmp-{mine}", "finance_2023.xlsx"])
    # Holding the run lock, a live pid is not another vocwh writer (pids are reused): swept too.
    sweep_temp_files(tmp_path, "*.tmp-*", run_lock_held=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"b.html.tmp-{mine}", "finance_2023.xlsx"])


def test_a_page_is_written_only_when_its_content_changes(tmp_path: Path) -> None:
    path = tmp_path / "r.html"
    page = f"<html><head>{PAGE_META}</head><body><p>生成时间 {GENERATED_AT}</p><p>已入库 3 项</p></body></html>"
    assert write_page(path, page, "build-1")
    text = path.read_text(encoding="utf-8")
    assert GENERATED_AT not in text and PAGE_META not in text
    assert page_records(path)["build"] == "build-1"
    mtime = path.stat().st_mtime_ns
    time.sleep(0.01)
    # the same content at another time (and from a later build that did not change it): left alone
    assert not write_page(path, page, "build-2")
    assert path.stat().st_mtime_ns == mtime and path.read_text(encoding="utf-8") == text
    assert write_page(path, page.replace("3 项", "4 项"), "build-2")
    assert "4 项" in path.read_text(encoding="utf-8") and page_records(path)["build"] == "build-2"


OPEN_INSTANCE = textwrap.dedent(
    """
    import sys, time
    start = float(sys.argv[1])
    import dagster as dg
    time.sleep(max(0.0, start - time.time()))
    instance = dg.DagsterInstance.get()
    print(len(instance.get_runs()))
    """
)


def test_many_processes_open_a_fresh_dagster_home_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    start = time.time() + 8  # after every process has imported dagster
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_INSTANCE, str(start)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err[-2000:] for _, err in results]
    assert [out.strip() for out, _ in results] == ["0"] * 4


def test_the_shipped_instance_config_monitors_and_queues_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg

    from dagster_project.defs.instance import LocalRunLauncher

    shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = dg.DagsterInstance.get()
    assert instance.run_monitoring_enabled
    assert isinstance(instance.run_launcher, LocalRunLauncher) and instance.run_launcher.supports_check_run_worker_health
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1  # type: ignore[union-attr]
