"""Surviving a crash and two runs at once, through the README's real command.

A run of ``dagster asset materialize`` on part of the sample city is made once; each case
copies its warehouse, leaves it exactly as a run killed at a given moment leaves it
(the states the fault probe of issue 13 found), runs the command again and checks the
repair. Two runs are also started together, and one is killed with -9 for real (a class
of its own, which pytest-xdist runs beside the rest; the first run is made once for both).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from dagster_project.core import runlock
from dagster_project.core.settings import PROJECT_ROOT
from dagster_project.publish.common import page_records
from dagster_project.publish.finance import workbook_records
from tests.conftest import SharedBuildFailed, made_once

# One worker takes the whole module (pytest-xdist --dist loadgroup): its module fixture is made once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("crash_recovery")]

# Both years' registries and budgets, and two city schools with every template: enough for
# every mart in both years, small enough for a run in seconds.
PARTS = [
    "2023/市教育局",
    "2024/市教育局",
    "2023/市财政局",
    "2024/市财政局",
    "2023/市直/吉林电子信息职业技术学院",
    "2024/市直/吉林电子信息职业技术学院",
    "2023/市直/吉林市旅游职业学校",
    "2024/市直/吉林市旅游职业学校",
]
ENROLLMENT_2024 = "2024/市直/吉林电子信息职业技术学院/2024年在校生及学费收入统计表（终稿）.csv"


class City:
    """A landing folder, a warehouse and a DAGSTER_HOME holding the shipped dagster.yaml."""

    def __init__(self, root: Path, new: bool = True) -> None:
        self.root = root
        self.raw = root / "raw"
        self.wh = root / "wh"
        self.home = root / "dagster_home"
        if new:
            self.home.mkdir(parents=True, exist_ok=True)
            shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", self.home / "dagster.yaml")

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "VOCWH_RAW_DIR": str(self.raw),
            "VOCWH_WAREHOUSE_DIR": str(self.wh),
            "DAGSTER_HOME": str(self.home),
            **extra,
        }

    def command(self, select: str = "*") -> list[str]:
        dagster = Path(sys.executable).parent / "dagster"
        return [str(dagster), "asset", "materialize", "-m", "dagster_project.definitions", "--select", select]

    def run(self, select: str = "*", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(select), env=self.env(**extra), cwd=self.root, capture_output=True, text=True, timeout=900)

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(),
            env=self.env(),
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    # what a run left
    def current_build(self) -> str:
        con = duckdb.connect(str(self.wh / "warehouse.duckdb"), read_only=True)
        try:
            return con.execute("SELECT build_id FROM audit.dbt_builds ORDER BY built_at DESC LIMIT 1").fetchone()[0]  # type: ignore[index]
        finally:
            con.close()

    def snapshot_build(self) -> str | None:
        path = self.wh / "marts.duckdb.build.json"
        return json.loads(path.read_text(encoding="utf-8"))["build_id"] if path.exists() else None

    def outputs(self) -> dict[str, int]:
        """Every published file with its mtime in ns: what a rewrite would change."""
        files = [self.wh / "marts.duckdb", *(self.wh / "parquet").glob("*"), *(self.wh / "reports").rglob("*")]
        return {str(p.relative_to(self.wh)): p.stat().st_mtime_ns for p in files if p.is_file()}

    def temp_files(self) -> list[str]:
        return sorted(str(p.relative_to(self.wh)) for p in self.wh.rglob("*") if ".tmp-" in p.name)

    def snapshot_matches_marts(self, table: str) -> bool:
        con = duckdb.connect()
        try:
            con.execute(f"ATTACH '{self.wh / 'warehouse.duckdb'}' AS wh (READ_ONLY)")
            con.execute(f"ATTACH '{self.wh / 'marts.duckdb'}' AS snap (READ_ONLY)")
            a = f"SELECT * FROM wh.marts.{table}"
            b = f"SELECT * FROM snap.main.{table}"
            n = con.execute(f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b})) + (SELECT count(*) FROM ({b} EXCEPT ALL {a}))").fetchone()
            return n is not None and n[0] == 0
        finally:
            con.close()


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


def _dead_pid() -> int:
    """The pid of a process that has ended: what a killed publisher's temp files carry."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def _first_run(root: Path) -> None:
    city = City(root)
    for part in PARTS:
        shutil.copytree(PROJECT_ROOT / "raw" / part, city.raw / part)
    # run from a folder holding the checkout's project files, as a scheduler does from the
    # checkout (test_the_run_keeps_its_history_in_its_own_dagster_home)
    for name in ("pyproject.toml", "dagster.yaml"):
        shutil.copy(PROJECT_ROOT / name, city.root / name)
    proc = city.run()
    assert proc.returncode == 0, _output(proc)[-4000:]
    assert city.snapshot_build() == city.current_build()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> City:
    """Made once per session: under pytest-xdist the module's tests run on both workers
    (TestTwoRunsAndAKill), so the first worker to get here makes it while the other waits on
    the lock, and both copy the same run. A failed run is not tried again."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    try:
        root = made_once(shared, "crash_first_run", _first_run)
    except SharedBuildFailed as e:
        pytest.fail(str(e))
    return City(root, new=False)


@pytest.fixture
def city(first_run: City, tmp_path: Path) -> City:
    """A copy of the city after its first run, with a DAGSTER_HOME of its own."""
    copy = City(tmp_path)
    shutil.copytree(first_run.raw, copy.raw)
    shutil.copytree(first_run.wh, copy.wh)
    return copy


def _check_evaluations(home: Path, run_id: str, monkeypatch: pytest.MonkeyPatch) -> dict[dg.AssetCheckKey, Any]:
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # deploy/dagster.yaml names its storage by it
    with dg.DagsterInstance.get() as instance:
        return {
            e.dagster_event.event_specific_data.asset_check_key: e.dagster_event.event_specific_data  # type: ignore[union-attr]
            for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        }


def _run_ids(home: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        return [r.run_id for r in instance.get_runs()]  # newest first


def test_the_run_keeps_its_history_in_its_own_dagster_home(first_run: City, monkeypatch: pytest.MonkeyPatch) -> None:
    """Schedulers and the benchmark call ``dagster asset materialize`` with DAGSTER_HOME set:
    that instance is used, and the checkout's dagster.yaml (history in ``.dagster/``) is not."""
    assert (first_run.root / "dagster.yaml").is_file()
    assert not (first_run.root / ".dagster").exists()
    monkeypatch.setenv("DAGSTER_HOME", str(first_run.home))
    with dg.DagsterInstance.get() as instance:
        assert [r.status for r in instance.get_runs()] == [dg.DagsterRunStatus.SUCCESS]


def test_a_run_with_nothing_new_rewrites_nothing(city: City, first_run: City, monkeypatch: pytest.MonkeyPatch) -> None:
    # the first run's history too, so that its check results are there to carry over
    shutil.rmtree(city.home)
    shutil.copytree(first_run.home, city.home)
    before = city.outputs()
    assert any(k.startswith("reports/receipts/") for k in before)
    proc = city.run()
    assert proc.returncode == 0, _output(proc)[-4000:]
    out = _output(proc)
    assert "nothing to build" in out and "STEP_SKIPPED" not in out
    assert city.outputs() == before  # snapshot, Parquet, workbooks, summaries, receipts: untouched
    # Issue 21: the dbt tests were not re-run; each reports the first run's result, marked as
    # carried over from it, instead of showing "Skipped".
    latest, first = _run_ids(city.home, monkeypatch)[:2]
    earlier = _check_evaluations(city.home, first, monkeypatch)
    now = _check_evaluations(city.home, latest, monkeypatch)
    carried = {k: v for k, v in now.items() if "carried_over_from_run" in v.metadata}
    assert len(carried) > 100
    for key, evaluation in carried.items():
        assert evaluation.metadata["carried_over_from_run"].value == first
        assert evaluation.passed == earlier[key].passed
    assert set(earlier) <= set(now)  # every check the first run evaluated has a result in this one


def test_a_run_killed_in_the_snapshot_is_repaired(city: City) -> None:
    # Killed 0.1 s into the first snapshot: no marts.duckdb, parquet/ empty, the temp
    # database and its WAL of the dead process left behind.
    reports = {k: v for k, v in city.outputs().items() if k.startswith("reports/")}
    (city.wh / "marts.duckdb").unlink()
    (city.wh / "marts.duckdb.build.json").unlink()
    for p in (city.wh / "parquet").iterdir():
        p.unlink()
    pid = _dead_pid()
    (city.wh / f"marts.duckdb.tmp-{pid}").write_bytes(b"\0" * 4096)
    (city.wh / f"marts.duckdb.tmp-{pid}.wal").write_bytes(b"\0" * 100)
    (city.wh / "parquet" / f"award_spending.parquet.tmp-{pid}").write_bytes(b"PAR1")

    proc = city.run()
    assert proc.returncode == 0, _output(proc)[-4000:]
    assert city.temp_files() == []
    assert city.snapshot_build() == city.current_build()
    assert city.snapshot_matches_marts("per_student_funding")
    assert len(list((city.wh / "parquet").glob("*.parquet"))) >= 7
    # the reports were complete: left alone
    assert {k: v for k, v in city.outputs().items() if k.startswith("reports/")} == reports


def test_a_run_killed_in_the_reports_is_repaired(city: City) -> None:
    # Killed while writing the 2023 workbook: it never appeared, a 0-byte temp file stayed.
    before = city.outputs()
    (city.wh / "reports" / "finance_2023.xlsx").unlink()
    (city.wh / "reports" / f"finance_2023.tmp-{_dead_pid()}.xlsx").write_bytes(b"")

    proc = city.run()
    assert proc.returncode == 0, _output(proc)[-4000:]
    assert city.temp_files() == []
    workbook = city.wh / "reports" / "finance_2023.xlsx"
    assert workbook_records(workbook)["vocwh_build"] == city.current_build()
    after = city.outputs()
    assert after.pop("reports/finance_2023.xlsx") and before.pop("reports/finance_2023.xlsx")
    assert after == before  # nothing else rewritten


def test_a_run_killed_after_a_correction_publishes_the_corrected_marts(city: City) -> None:
    before = city.outputs()
    first_build = city.current_build()
    original = (city.raw / ENROLLMENT_2024).read_bytes()  # GBK, as the school sent it
    assert b"2024,4122020064,48,,1279," in original
    (city.raw / ENROLLMENT_2024).with_name("2024年在校生及学费收入统计表（更正）.csv").write_bytes(
        original.replace(b"2024,4122020064,48,,1279,", b"2024,4122020064,48,,1379,")
    )
    # The run got through ingest and dbt, and was killed before publishing anything.
    proc = city.run(select="not group:publish")
    assert proc.returncode == 0, _output(proc)[-4000:]
    assert city.current_build() != first_build and city.snapshot_build() == first_build
    assert not city.snapshot_matches_marts("per_student_funding")

    proc = city.run()
    assert proc.returncode == 0, _output(proc)[-4000:]
    assert "nothing to build" in _output(proc)
    assert city.snapshot_build() == city.current_build()
    assert city.snapshot_matches_marts("per_student_funding")
    after = city.outputs()
    # The summary shows the latest figures: rewritten from this build. The finance workbook is on
    # the approved figures (issue 10); nothing of the sample is approved, so the correction of an
    # unapproved submission leaves it as it was (审批后变更 still lists the school as 未审批).
    assert page_records(city.wh / "reports" / "summary_2024.html")["build"] == city.current_build()
    assert after["reports/summary_2024.html"] != before["reports/summary_2024.html"]
    assert after["reports/finance_2024.xlsx"] == before["reports/finance_2024.xlsx"]
    # 2023 does not change with a 2024 correction: its workbook and page stay as they were
    assert after["reports/finance_2023.xlsx"] == before["reports/finance_2023.xlsx"]
    assert after["reports/summary_2023.html"] == before["reports/summary_2023.html"]


def test_a_failing_publish_fails_the_run_and_the_next_run_repairs(city: City) -> None:
    shutil.rmtree(city.wh / "reports")
    (city.wh / "reports").write_text("a file where the reports folder should be", encoding="utf-8")

    proc = city.run()
    assert proc.returncode != 0
    assert "发布经费检查工作簿 (finance reports)失败" in _output(proc)

    (city.wh / "reports").unlink()
    proc = city.run()
    assert proc.returncode == 0, _output(proc)[-4000:]
    assert workbook_records(city.wh / "reports" / "finance_2024.xlsx")["vocwh_build"] == city.current_build()
    assert list((city.wh / "reports" / "receipts").rglob("*.html"))


def test_a_second_run_exits_at_once_when_told_not_to_wait(city: City) -> None:
    before = city.outputs()
    with runlock.run_lock(city.wh, "test"):
        started = time.monotonic()
        proc = city.run(VOCWH_RUN_LOCK_TIMEOUT="0")
        assert time.monotonic() - started < 120
    assert proc.returncode != 0
    assert "another run is in progress" in _output(proc)
    assert city.outputs() == before


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.xdist_group("two_runs")
class TestTwoRunsAndAKill:
    """A group of its own (``crash_recovery_two_runs``) so that pytest-xdist runs it beside the
    rest of the module, on the other worker: the module's runs of the pipeline share both cores."""

    def test_two_runs_started_together(self, tmp_path: Path) -> None:
        """A fresh DAGSTER_HOME and warehouse: one run waits for the other, neither corrupts
        anything (dbt's manifest, Dagster's storage), and the next run works."""
        city = City(tmp_path)
        for part in PARTS[:4]:
            shutil.copytree(PROJECT_ROOT / "raw" / part, city.raw / part)
        procs = [city.start() for _ in range(2)]
        outs = [p.communicate(timeout=900)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [o[-3000:] for o in outs]
        assert sum("another run is in progress" in o for o in outs) == 1
        json.loads((city.wh / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
        assert city.snapshot_build() == city.current_build()

        proc = city.run()
        assert proc.returncode == 0, _output(proc)[-4000:]
        assert "nothing to build" in _output(proc)

    def test_a_run_killed_with_minus_9_is_marked_failed_and_the_next_run_repairs(self, city: City, monkeypatch: pytest.MonkeyPatch) -> None:
        from dagster._daemon.monitoring.run_monitoring import monitor_started_run

        # a correction, so the killed run has real work in hand
        original = (city.raw / ENROLLMENT_2024).read_bytes()
        (city.raw / ENROLLMENT_2024).with_name("更正.csv").write_bytes(original.replace(b",1279,", b",1280,"))
        monkeypatch.setenv("DAGSTER_HOME", str(city.home))
        proc = city.start()
        instance = dg.DagsterInstance.get()

        def started() -> bool:
            return bool(instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])))

        _wait_for(lambda: started() or proc.poll() is not None, 300, "the run to start")
        assert proc.poll() is None, "the run ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)

        record = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))[0]
        monitor_started_run(instance, None, record, logging.getLogger("test"))  # type: ignore[arg-type]
        run = instance.get_run_by_id(record.dagster_run.run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.FAILURE

        proc2 = city.run()
        assert proc2.returncode == 0, _output(proc2)[-4000:]
        assert city.temp_files() == []
        assert city.snapshot_build() == city.current_build()
        assert city.snapshot_matches_marts("per_student_funding")
