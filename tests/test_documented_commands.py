"""The documented commands, run for real as written.

- The README's first command, ``dg launch --assets '*'``, from a checkout without
  DAGSTER_HOME: it keeps its run history where ``dg dev`` looks (the checkout's ``dagster.yaml``
  points Dagster's storage at ``.dagster/``), prints little besides warnings, and ends with the
  run summary, whose counts are those of the files given. (``dagster asset materialize`` with
  DAGSTER_HOME set, as schedulers call it, is run by tests/test_crash_recovery.py.)
- The clerk's year of docs/operations.md (issue 21): every command of its ``sh`` blocks, word
  for word, on the committed sample, in order. The commands are read from the document, so
  the test follows the docs wherever they are edited.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.instance.ref import InstanceRef

from tests.conftest import PUBLISH_PII_KEY, PublishedCity
from tests.test_docs import sh_lines

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT_ROOT / "raw"
VENV_BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def as_run(line: str) -> list[str]:
    """A documented command line as argv: `.venv/bin/X` is this interpreter's venv."""
    argv = shlex.split(line)
    assert argv[0].startswith(".venv/bin/"), line
    return [str(VENV_BIN / argv[0].removeprefix(".venv/bin/")), *argv[1:]]


# The README's first command ends with the run itself, after the install.
FIRST_COMMAND = sh_lines((PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))[0]
LAUNCH = FIRST_COMMAND.split("&&")[-1].strip()

# From the committed sample (raw/README.md says what each one is).
LANDING = {
    "市教育局/全市职业院校名录（2024年）.xlsx": "2024/市教育局/全市职业院校名录（2024年）.xlsx",  # loaded: the registry
    "卫生学校/在校生.xlsx": "2024/市直/吉林市卫生学校/2024年在校生及学费收入统计表.xlsx",  # loaded
    "卫生学校/在校生 - 副本.xlsx": "2024/市直/吉林市卫生学校/2024年在校生及学费收入统计表.xlsx",  # duplicate of the one above
    "卫生学校/培训台账2024_草稿.xlsx": "2024/市直/吉林市卫生学校/培训台账2024_草稿.xlsx",  # rejected: end before start
    "磐石/新建 XLSX 工作表.xlsx": "2023/磐石市/磐石市农业职业学校/新建 XLSX 工作表.xlsx",  # unreadable: empty
}


def _checkout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder with the checkout's project files (what dg and Dagster read from the working folder)."""
    root = tmp_path / "checkout"
    root.mkdir()
    for name in ("pyproject.toml", "dagster.yaml"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    for dest, src in LANDING.items():
        (root / "landing" / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / src, root / "landing" / dest)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(VOCWH_RAW_DIR=str(root / "landing"), VOCWH_WAREHOUSE_DIR=str(root / "wh"), VOCWH_PII_KEY="test-key")
    return root, env


def _instance(root: Path) -> dg.DagsterInstance:
    """The instance ``dg dev`` would open from ``root``: no DAGSTER_HOME, the folder's dagster.yaml."""
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(root / ".dagster_ui_tmp"), config_dir=str(root)))


def test_dg_launch_keeps_history_and_ends_with_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, env = _checkout(tmp_path)
    proc = subprocess.run(as_run(LAUNCH), cwd=root, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]

    # Dagster's DEBUG event lines are gone; the warnings and the summary stay, the summary last.
    assert " - DEBUG - " not in out
    assert "rejected: 卫生学校/培训台账2024_草稿.xlsx" in out
    assert "vocwh run summary / 本次运行小结" in out, out[-6000:]  # what the run printed instead
    summary = out[out.index("vocwh run summary / 本次运行小结") :]
    assert "files: seen 5, unchanged 0" in summary
    assert "sheets: loaded 2, duplicate 1, superseded 0, rejected 1, unreadable 1, unrecognised 0" in summary
    assert "marts rebuilt: full" in summary
    assert f"BI snapshot: {root / 'wh' / 'marts.duckdb'}" in summary
    assert f"receipts: {root / 'wh' / 'reports' / 'receipts'}" in summary
    assert f"run `{VENV_BIN / 'vocwh'} status`" in summary  # callable as printed, no venv activated
    assert not re.search(r"STEP_START|Finished execution of step", summary)
    # Issue 21: no beta notices, the development-key warning not printed twice, the summary at INFO.
    assert "BetaWarning" not in out
    assert re.search(r" - INFO - .* - run_summary - \n?vocwh run summary", out)

    # The run and its materializations are where the UI looks.
    monkeypatch.chdir(root)  # dagster.yaml's storage paths are relative to the working folder
    assert (root / ".dagster" / "storage").is_dir()
    with _instance(root) as instance:
        runs = instance.get_runs()
        assert len(runs) == 1 and runs[0].status == dg.DagsterRunStatus.SUCCESS
        for key in (["audit", "submissions"], ["marts", "per_student_funding"], ["bi_snapshot"], ["run_summary"]):
            event = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert event is not None and event.run_id == runs[0].run_id, key

    # A second run with nothing new: still a summary, nothing rebuilt, two runs in the history.
    again = subprocess.run(as_run(LAUNCH), cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-4000:]
    summary = (again.stdout + again.stderr).split("vocwh run summary / 本次运行小结")[1]
    assert "files: seen 5, unchanged 5" in summary
    assert "sheets: loaded 0, duplicate 0, superseded 0, rejected 0, unreadable 0, unrecognised 0" in summary
    assert "marts rebuilt: none" in summary
    # Issue 21: the checks not run are one short line per dbt step, not Dagster's list of them all.
    log = again.stdout + again.stderr
    assert "did not yield" not in log and re.search(r"op 'vocwh_dbt': \d+ checks not run", log)
    assert max(len(line) for line in log.splitlines()) < 1000
    with _instance(root) as instance:
        assert len(instance.get_runs()) == 2


def clerks_year() -> list[str]:
    """The command lines of docs/operations.md's section "A bureau clerk's year", in order."""
    text = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    start = text.index("\n## A bureau clerk's year\n")
    end = text.find("\n## ", start + 1)
    return sh_lines(text[start : None if end < 0 else end])


def test_the_clerks_year_works_as_written(published_city: PublishedCity, tmp_path: Path) -> None:
    """After the first command has ingested the sample, the clerk's commands succeed word for
    word with the sample's own codes (issue 21: an invented school code was 未知报送单位).
    Review and approval read only the working database, so a copy of the shared build's
    warehouse as its first ingest left it (the sample received, nothing approved; its extra
    files are of 2025) stands in for the full run here; the run itself is the test above."""
    lines = clerks_year()
    vocwh = [line for line in lines if line.startswith(".venv/bin/vocwh ")]
    assert [line for line in lines if line not in vocwh] == [LAUNCH]  # the run that builds the approved figures
    assert len(vocwh) == 7

    (tmp_path / "wh").mkdir()
    shutil.copy2(published_city.received_warehouse, tmp_path / "wh" / "warehouse.duckdb")
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(VOCWH_RAW_DIR=str(published_city.settings.raw_dir), VOCWH_WAREHOUSE_DIR=str(tmp_path / "wh"), VOCWH_PII_KEY=PUBLISH_PII_KEY)

    outputs = []
    for line in vocwh:
        proc = subprocess.run(as_run(line), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{line}\n{proc.stdout}{proc.stderr[-4000:]}"
        outputs.append(proc.stdout)
    done = {"review": "已审核 (reviewed)", "approve": "已审批并锁定 (approved, locked)"}
    for line, out in zip(vocwh, outputs, strict=True):
        assert done[shlex.split(line)[1]] in out, (line, out)
    # 昌邑区 (220202): besides the enrolment reviewed alone, 10 submissions of the county and
    # its two county-run and private schools; then the city's 131 of the rest of the year.
    assert [re.findall(r"共 (\d+) 项", out) for out in outputs] == [[], [], ["10"], [], ["10"], ["131"], ["131"]]

    con = duckdb.connect(str(tmp_path / "wh" / "warehouse.duckdb"), read_only=True)
    try:
        locked, received = con.execute(
            "SELECT count(*) FILTER (WHERE locked), count(*) FROM audit.review_state WHERE year = 2024 AND current_submission_id IS NOT NULL"
        ).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    assert (locked, received) == (143, 143)  # the registry, one enrolment, 10 and 131: the whole year approved
