"""Issue 18, item 5: a reopen keeps the approved figures (payments were made against them).

Through the real pipeline: files, ``run_ingest``, the ``vocwh`` command line and the real
``dbt build`` of both figure sets. The rule (marts.md, added 2026-12): the last approved version
stays the approved version until the city approves again; ``submission_status`` shows
``reopened``; a later approve replaces the approved version and needs ``--reason``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import main as vocwh
from dagster_project.core.settings import Settings
from dagster_project.publish.receipts import write_receipts
from dagster_project.store.load import run_ingest
from tests.conftest import SCHOOL_A, STATUS_AND_APPROVED_FUNDING, dbt_build_real, query, registry_rows, write_csv

pytestmark = pytest.mark.e2e

ENROLL_HEADER = ["年度", "学校标识码", "专业大类代码", "专业大类名称", "在校生数", "其中：职教高考班学生数", "学费收入（元）"]
COMMON = ["--template", "enrollment", "--year", "2024", "--submitter", SCHOOL_A, "--by", "市教育局 李强"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = Settings.from_env(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="test-key")
    settings.raw_dir.mkdir()
    monkeypatch.setenv("VOCWH_RAW_DIR", str(settings.raw_dir))
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(settings.warehouse_dir))
    monkeypatch.setenv("VOCWH_PII_KEY", "test-key")
    write_csv(settings.raw_dir / "名录.csv", registry_rows())
    _enrol(settings, "A/在校生.csv", 300)
    return settings


def _enrol(settings: Settings, name: str, students: int) -> None:
    write_csv(settings.raw_dir / name, [ENROLL_HEADER, [2024, SCHOOL_A, "46", "装备制造大类", students, 0, students * 3000]])
    run_ingest(settings)


def _state(settings: Settings) -> tuple[object, ...]:
    ((row),) = query(
        settings,
        "SELECT current_version, approved_version, locked, reopened FROM audit.review_state "
        "WHERE template = 'enrollment' AND submitter_code = ? AND year = 2024",
        [SCHOOL_A],
    )
    return row


def _approved_students(settings: Settings) -> list[tuple[object, ...]]:
    return query(settings, "SELECT version, sum(students) FROM approved.enrollment GROUP BY ALL")


def _marts(settings: Settings) -> tuple[object, object, object]:
    ((status, current, approved),) = query(
        settings,
        "SELECT status, current_version, approved_version FROM marts.submission_status "
        "WHERE template = 'enrollment' AND year = 2024 AND submitter_code = ?",
        [SCHOOL_A],
    )
    funded = query(settings, "SELECT enrolled_students FROM approved_marts.per_student_funding WHERE school_code = ?", [SCHOOL_A])
    return status, (current, approved), funded


def test_reopen_keeps_the_approved_figures_until_the_city_approves_again(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert vocwh(["approve", "--template", "school_registry", "--year", "2024", "--submitter", "220200", "--by", "市教育局 李强"]) == 0
    assert vocwh(["approve", *COMMON]) == 0
    assert _state(env) == (1, 1, True, False)

    assert vocwh(["reopen", *COMMON, "--reason", "复核学费收入"]) == 0
    # not locked any more, but version 1 is still what finance pays against
    assert _state(env) == (1, 1, False, True)
    assert _approved_students(env) == [(1, 300)]
    dbt_build_real(env, tmp_path / "dbt1", select=STATUS_AND_APPROVED_FUNDING)
    assert _marts(env) == ("reopened", (1, 1), [(300,)])

    # the school corrects: the latest figures move, the approved ones stay; still reopened
    _enrol(env, "A/在校生（更正）.csv", 310)
    assert _state(env) == (2, 1, False, True)
    assert _approved_students(env) == [(1, 300)]
    # and the school's receipt says which version still counts
    con = duckdb.connect(str(env.warehouse_path), read_only=True)
    try:
        (page,) = [p.read_text(encoding="utf-8") for p in write_receipts(con, tmp_path / "receipts") if p.name.startswith(SCHOOL_A)]
    finally:
        con.close()
    assert (
        "第 2 版，替代了此前报送的第 1 版（更正）；已重新开放，作为待审版本保存 (reopened: stored for approval)，市教育局审批前仍以已审批的第 1 版为准"
        in page
    )

    # approving again replaces the approved version, and needs a reason
    capsys.readouterr()
    assert vocwh(["approve", *COMMON]) == 2
    assert "--reason is required to approve a revision" in capsys.readouterr().err
    assert _state(env) == (2, 1, False, True)
    assert vocwh(["approve", *COMMON, "--reason", "学校更正在校生人数"]) == 0
    assert _state(env) == (2, 2, True, False)
    assert _approved_students(env) == [(2, 310)]
    dbt_build_real(env, tmp_path / "dbt2", select=STATUS_AND_APPROVED_FUNDING)
    assert _marts(env) == ("approved", (2, 2), [(310,)])


def test_approving_the_same_version_again_after_a_reopen_needs_a_reason(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert vocwh(["approve", *COMMON]) == 0
    assert vocwh(["reopen", *COMMON, "--reason", "复核"]) == 0
    assert vocwh(["reopen", *COMMON, "--reason", "复核"]) == 2  # already reopened: nothing locked to reopen
    assert "not locked: nothing to reopen" in capsys.readouterr().err
    assert vocwh(["approve", *COMMON]) == 2
    assert "--reason is required to approve a revision" in capsys.readouterr().err
    assert vocwh(["approve", *COMMON, "--reason", "复核无误"]) == 0
    assert _state(env) == (1, 1, True, False)
    assert _approved_students(env) == [(1, 300)]
