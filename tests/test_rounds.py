"""Collection rounds (issue 10): who owes what by when, county review, city approval and lock.

One small city through the real pipeline (real files, `run_ingest`, the `vocwh` command line,
the real `dbt build`): a 2024 enrolment round with a submitter in every status, a correction
after the lock that leaves the approved figures alone until the city approves it, the audit
trail, and every bad input refused with exit code 2 and nothing written."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from dagster_project.cli import main as vocwh
from dagster_project.core.settings import Settings
from dagster_project.publish.reports import produce_receipts, produce_reports
from tests.conftest import SCHOOL_A, SCHOOL_B, STATUS_AND_APPROVED_FUNDING, dbt_build_real, query, registry_rows, write_csv

# One worker takes the whole module (pytest-xdist --dist loadgroup): its module fixture is made once.
pytestmark = pytest.mark.xdist_group("rounds")

ENROLL_HEADER = ["年度", "学校标识码", "专业大类代码", "专业大类名称", "在校生数", "其中：职教高考班学生数", "学费收入（元）"]
SCHOOL_C = "4122210003"  # 永吉县, county-run: sends only a rejected sheet
SCHOOL_D = "4122810004"  # 蛟河市, county-run: sends nothing
SCHOOL_E = "4122830005"  # 舒兰市, county-run: on time, reviewed by its county
EXTRA_SCHOOLS = [
    [2024, SCHOOL_C, "永吉县职业技术教育中心", "220221", "中职", "县属", "否"],
    [2024, SCHOOL_D, "蛟河市职业技术教育中心", "220281", "中职", "县属", "否"],
    [2024, SCHOOL_E, "舒兰市职业技术教育中心", "220283", "中职", "县属", "否"],
]
# The default round for 2024 is due 2025-03-31 (dbt seed collection_rounds, README).
ON_TIME = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC).timestamp()


def _on_time(path: Path) -> Path:
    os.utime(path, (ON_TIME, ON_TIME))
    return path


def _enrol(path: Path, school: str, students: int, exam: int = 0) -> Path:
    return write_csv(path, [ENROLL_HEADER, [2024, school, "46", "装备制造大类", students, exam, f"{students * 3000}"]])


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = Settings.from_env(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="test-key")
    settings.raw_dir.mkdir()
    monkeypatch.setenv("VOCWH_RAW_DIR", str(settings.raw_dir))
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(settings.warehouse_dir))
    monkeypatch.setenv("VOCWH_PII_KEY", "test-key")
    return settings


def _ingest(settings: Settings) -> None:
    from dagster_project.store.load import run_ingest

    run_ingest(settings)


def _status(settings: Settings) -> dict[str, tuple]:
    rows = query(
        settings,
        "SELECT submitter_code, status, is_late, current_version, approved_version, deadline FROM marts.submission_status "
        "WHERE template = 'enrollment' AND year = 2024",
    )
    return {r[0]: r[1:] for r in rows}


def _actions(settings: Settings) -> list[tuple]:
    return query(settings, "SELECT action, submitter_code, version, by_name, os_user, reason FROM audit.review_actions ORDER BY action_id")


def _build(settings: Settings, work_dir: Path, select: dict[str, str] | None = None) -> None:
    work_dir.mkdir()
    dbt_build_real(settings, work_dir, select=select)


def _sheet_rows(ws: Any, key: str = "学校标识码", keep_all: bool = False) -> Any:
    """Data rows of a workbook sheet (a title, notes, then the header: the first row holding
    ``key``) as dicts by header; by ``key`` unless ``keep_all`` (a list). The totals row (no
    key) is left out."""
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if key in r)
    header = rows[at]
    data = [dict(zip(header, r, strict=False)) for r in rows[at + 1 :] if r[header.index(key)] not in (None, "")]
    return data if keep_all else {r[key]: r for r in data}


def _enrolled(settings: Settings, mart: str) -> dict[str, int]:
    """A mart by the name BI sees: ``<mart>_approved`` is the approved build's copy, in approved_marts."""
    table = f"approved_marts.{mart.removesuffix('_approved')}" if mart.endswith("_approved") else f"marts.{mart}"
    return dict(query(settings, f"SELECT school_code, enrolled_students FROM {table} WHERE year = 2024"))


def test_a_round_from_open_to_correction_after_the_lock(env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = env.raw_dir
    _on_time(write_csv(raw / "市教育局/名录.csv", registry_rows(extra=EXTRA_SCHOOLS)))
    _on_time(_enrol(raw / "A/在校生.csv", SCHOOL_A, 300))
    _enrol(raw / "B/在校生.csv", SCHOOL_B, 500)  # received today: after the deadline
    _on_time(_enrol(raw / "C/在校生.csv", SCHOOL_C, 30, exam=40))  # 40 exam-class pupils of 30: rejected
    _on_time(_enrol(raw / "E/在校生.csv", SCHOOL_E, 120))
    _ingest(env)

    # The city approves its own registry first: the approved figures take the schools' names,
    # county and level from the approved registry.
    registry = ["--template", "school_registry", "--year", "2024", "--submitter", "220200"]
    assert vocwh(["approve", *registry, "--by", "市教育局 李强"]) == 0
    common = ["--template", "enrollment", "--year", "2024"]
    assert vocwh(["review", *common, "--submitter", SCHOOL_A, "--by", "昌邑区教育局 王芳"]) == 0
    assert vocwh(["approve", *common, "--submitter", SCHOOL_A, "--by", "市教育局 李强"]) == 0
    assert vocwh(["review", *common, "--submitter", SCHOOL_E, "--by", "舒兰市教育局 赵敏"]) == 0
    capsys.readouterr()

    # The school corrects its figures after the lock: loaded as the latest, pending approval.
    _enrol(raw / "A/在校生-更正.csv", SCHOOL_A, 310)
    _ingest(env)
    _, receipts = produce_receipts(env)
    receipt_a = next(p for p in receipts if p.name.startswith(SCHOOL_A)).read_text(encoding="utf-8")
    assert "已锁定，作为待审修订版本保存 (stored as a pending revision)" in receipt_a
    assert "仍以已审批的第 1 版为准" in receipt_a

    _build(env, tmp_path / "dbt1")
    deadline = dt.date(2025, 3, 31)
    assert _status(env) == {
        SCHOOL_A: ("revision_pending", False, 2, 1, deadline),
        SCHOOL_B: ("received", True, 1, None, deadline),
        SCHOOL_C: ("rejected", True, None, None, deadline),
        SCHOOL_D: ("missing", True, None, None, deadline),
        SCHOOL_E: ("reviewed", False, 1, None, deadline),
    }
    # latest figures show the correction; the approved version's rows are still version 1
    assert _enrolled(env, "per_student_funding")[SCHOOL_A] == 310
    # the approved figures hold the locked version 1 of A only (B and E are not approved)
    assert _enrolled(env, "per_student_funding_approved") == {SCHOOL_A: 300}
    assert query(env, "SELECT version, sum(students) FROM approved.enrollment GROUP BY ALL") == [(1, 300)]
    # the county rounds: the nine counties and the city, none of which sent a budget
    budget = query(
        env,
        "SELECT count(*), count(*) FILTER (WHERE status = 'missing') FROM marts.submission_status "
        "WHERE template = 'county_education_budget' AND year = 2024",
    )
    assert budget == [(10, 10)]
    # appropriation is owed by the funding governments: 220200 for city-run B, each county for its schools
    funders = query(env, "SELECT submitter_code FROM marts.submission_status WHERE template = 'appropriation' ORDER BY 1")
    assert [f for (f,) in funders] == ["220200", "220202", "220221", "220281", "220283"]

    # The bureau's outputs: the finance workbook on the approved figures, marking where the
    # latest differ, with the 催报 list per county; the same list as a page.
    produce_reports(env, [2024])
    wb = openpyxl.load_workbook(env.reports_dir / "finance_2024.xlsx", read_only=True)
    funding = _sheet_rows(wb["生均拨款"])
    assert set(funding) == {SCHOOL_A, "合计"}  # B and E are not approved: nothing to pay against yet
    assert (funding[SCHOOL_A]["在校生数"], funding[SCHOOL_A]["最新报送"]) == (300, "已变更：在校生数、学费收入（元）")
    differences = [
        (r["数据表代码"], r["学校标识码"], r["差异"], r["变更的列"]) for r in _sheet_rows(wb["审批后变更"], key="数据表代码", keep_all=True)
    ]
    assert differences == [
        ("per_student_funding", SCHOOL_A, "已变更", "在校生数、学费收入（元）"),
        ("per_student_funding", SCHOOL_B, "未审批", None),
        ("per_student_funding", SCHOOL_E, "未审批", None),
    ]
    chase = [
        (r["催报单位"], r["报送单位代码"], r["状态"], r["已逾期"])
        for r in _sheet_rows(wb["催报清单"], key="报送单位代码", keep_all=True)
        if r["报表"] == "在校生及学费收入"
    ]
    assert chase == [("永吉县", SCHOOL_C, "已退回，待重新报送", "是"), ("蛟河市", SCHOOL_D, "未报送", "是")]
    page = (env.reports_dir / "outstanding_2024.html").read_text(encoding="utf-8")
    assert "蛟河市（220281）" in page and SCHOOL_D in page and "蛟河市职业技术教育中心" in page
    assert page.count("<td>在校生及学费收入</td>") == 2  # C and D; A, B and E sent theirs

    # Approving the revision needs a reason; with it, the approved figures move to version 2.
    assert vocwh(["approve", *common, "--submitter", SCHOOL_A, "--by", "市教育局 李强"]) == 2
    assert "--reason is required to approve a revision" in capsys.readouterr().err
    assert vocwh(["approve", *common, "--submitter", SCHOOL_A, "--by", "市教育局 李强", "--reason", "学校更正在校生人数"]) == 0
    assert query(env, "SELECT version, sum(students) FROM approved.enrollment GROUP BY ALL") == [(2, 310)]
    _build(env, tmp_path / "dbt2", select=STATUS_AND_APPROVED_FUNDING)  # what is read below
    assert _status(env)[SCHOOL_A] == ("approved", False, 2, 2, deadline)
    assert _enrolled(env, "per_student_funding_approved") == {SCHOOL_A: 310}

    # Reopened, A is no longer locked, but version 2 stays the approved figures until the city
    # approves again (issue 18: payments were made against it); tests/test_reopen_keeps_approved.py
    assert vocwh(["reopen", *common, "--submitter", SCHOOL_A, "--by", "市教育局 李强", "--reason", "复核学费收入"]) == 0
    assert query(env, "SELECT version, sum(students) FROM approved.enrollment GROUP BY ALL") == [(2, 310)]

    user = getpass.getuser()
    assert _actions(env) == [
        ("approve", "220200", 1, "市教育局 李强", user, None),
        ("review", SCHOOL_A, 1, "昌邑区教育局 王芳", user, None),
        ("approve", SCHOOL_A, 1, "市教育局 李强", user, None),
        ("review", SCHOOL_E, 1, "舒兰市教育局 赵敏", user, None),
        ("approve", SCHOOL_A, 2, "市教育局 李强", user, "学校更正在校生人数"),
        ("reopen", SCHOOL_A, None, "市教育局 李强", user, "复核学费收入"),
    ]
    # every version stays in history
    assert query(
        env, "SELECT version, sum(students) FROM history.enrollment WHERE school_code = ? GROUP BY ALL ORDER BY 1", [SCHOOL_A]
    ) == [(1, 300), (2, 310)]


DEFAULTS = {"--template": "enrollment", "--year": "2024", "--by": "市教育局 李强"}


@pytest.fixture(scope="module")
def a_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse of a round where A is approved, B received and C rejected (D sent
    nothing), ingested once for the module; each case takes a copy."""
    root = tmp_path_factory.mktemp("a_round")
    settings = Settings.from_env(raw_dir=root / "raw", warehouse_dir=root / "wh", pii_key="test-key")
    write_csv(settings.raw_dir / "名录.csv", registry_rows(extra=EXTRA_SCHOOLS))
    _enrol(settings.raw_dir / "A.csv", SCHOOL_A, 300)
    _enrol(settings.raw_dir / "B.csv", SCHOOL_B, 500)
    _enrol(settings.raw_dir / "C.csv", SCHOOL_C, 30, exam=40)
    _ingest(settings)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (("VOCWH_RAW_DIR", settings.raw_dir), ("VOCWH_WAREHOUSE_DIR", settings.warehouse_dir)):
            mp.setenv(name, str(value))
        mp.setenv("VOCWH_PII_KEY", "test-key")
        assert vocwh(["approve", "--template", "enrollment", "--year", "2024", "--submitter", SCHOOL_A, "--by", "李强"]) == 0
    return settings.warehouse_dir


@pytest.mark.parametrize(
    ("action", "given", "message"),
    [
        ("approve", {"--submitter": SCHOOL_D}, "nothing received to approve"),  # expected, never received
        ("approve", {"--submitter": SCHOOL_C}, "nothing received to approve"),  # only a rejected sheet
        ("review", {"--submitter": SCHOOL_D}, "nothing received to review"),
        ("approve", {"--submitter": SCHOOL_A}, "already approved; no revision pending"),
        ("review", {"--submitter": SCHOOL_B, "--by": None}, "--by is required"),
        ("approve", {"--submitter": SCHOOL_B, "--by": None}, "--by is required"),
        ("approve", {"--submitter": SCHOOL_B, "--by": "  "}, "--by is required"),
        ("reopen", {"--submitter": SCHOOL_A}, "--reason is required to reopen"),
        ("reopen", {"--submitter": SCHOOL_B, "--reason": "x"}, "not locked: nothing to reopen"),
        ("approve", {"--submitter": SCHOOL_B, "--template": "enrolment"}, "unknown template"),
        ("approve", {"--submitter": "4199990009"}, "unknown submitter"),
        ("approve", {"--submitter": SCHOOL_B, "--year": "2023"}, "unknown year"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    env: Settings, a_round: Path, action: str, given: dict[str, str | None], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(a_round, env.warehouse_dir)
    before = _actions(env)
    assert [a[:2] for a in before] == [("approve", SCHOOL_A)]
    capsys.readouterr()

    argv = [action]
    for k, v in {**DEFAULTS, **given}.items():
        if v is not None:
            argv += [k, v]
    assert vocwh(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "错误" in err
    assert _actions(env) == before


def test_the_dagster_job_records_the_same_action_and_fails_on_bad_input(env: Settings) -> None:
    import dagster as dg

    from dagster_project.defs.resources import RunLockResource, VocwhResource
    from dagster_project.defs.review import vocwh_review

    write_csv(env.raw_dir / "名录.csv", registry_rows(extra=EXTRA_SCHOOLS))
    _enrol(env.raw_dir / "A.csv", SCHOOL_A, 300)
    _ingest(env)
    vocwh_res = VocwhResource(raw_dir=str(env.raw_dir), warehouse_dir=str(env.warehouse_dir), pii_key="test-key")
    resources = {"vocwh": vocwh_res, "run_lock": RunLockResource(vocwh=vocwh_res)}

    def run(**cfg: object) -> dg.ExecuteInProcessResult:
        config = {"template": "enrollment", "submitter": SCHOOL_A, "year": 2024, **cfg}
        return vocwh_review.execute_in_process(
            run_config={"ops": {"review_action": {"config": config}}}, resources=resources, raise_on_error=False
        )

    assert run(action="approve", by="市教育局 李强").success
    failed = run(action="approve", by="")
    assert not failed.success
    assert "--by is required" in str(failed.failure_data_for_node("review_action").error)  # type: ignore[union-attr]
    assert [(a[0], a[1], a[3]) for a in _actions(env)] == [("approve", SCHOOL_A, "市教育局 李强")]
    # run config all=True is `--all`: here the city's own registry, the one thing left to review
    assert run(action="review", template="", submitter="", all=True, county="220200", by="市教育局 李强").success
    assert not run(action="review", all=True, by="市教育局 李强").success  # both a submitter and all
    assert [(a[0], a[1], a[3]) for a in _actions(env)] == [("approve", SCHOOL_A, "市教育局 李强"), ("review", "220200", "市教育局 李强")]


def test_all_acts_on_every_submission_ready_and_checks_first(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """`--all`: a county reviews what its schools sent, the city approves what was reviewed, one
    audit row each; a revision in the batch needs --reason, and a refusal writes nothing."""
    raw = env.raw_dir
    write_csv(raw / "名录.csv", registry_rows(extra=EXTRA_SCHOOLS))
    _enrol(raw / "A.csv", SCHOOL_A, 300)  # 昌邑区 (220202), county-run
    _enrol(raw / "B.csv", SCHOOL_B, 500)  # city-run: on the city's list
    _enrol(raw / "E.csv", SCHOOL_E, 120)  # 舒兰市 (220283)
    _ingest(env)
    year = ["--year", "2024"]

    def refused(argv: list[str], message: str) -> None:
        before = _actions(env)
        assert vocwh(argv) == 2
        assert message in capsys.readouterr().err
        assert _actions(env) == before

    refused(["approve", "--all", *year, "--by", "市教育局 李强"], "nothing to approve")  # nothing reviewed yet
    refused(["approve", "--all", "--submitter", SCHOOL_A, *year, "--by", "市教育局 李强"], "give either --submitter or --all")
    refused(["review", "--all", *year, "--county", "229999", "--by", "王芳"], "unknown county")
    refused(["review", "--all", *year], "--by is required")
    refused(
        ["review", "--county", "220202", "--submitter", SCHOOL_A, "--template", "enrollment", *year, "--by", "王芳"],
        "--county goes with --all",
    )

    assert vocwh(["review", "--all", *year, "--county", "220202", "--by", "昌邑区教育局 王芳"]) == 0
    assert vocwh(["review", "--all", *year, "--county", "220200", "--template", "enrollment", "--by", "市教育局 李强"]) == 0
    assert vocwh(["approve", "--all", *year, "--by", "市教育局 李强"]) == 0
    assert "共 2 项" in capsys.readouterr().out
    # A and B reviewed and approved; E (not reviewed) and the registry (not reviewed) left alone
    assert [(a[0], a[1], a[2]) for a in _actions(env)] == [
        ("review", SCHOOL_A, 1),
        ("review", SCHOOL_B, 1),
        ("approve", SCHOOL_A, 1),
        ("approve", SCHOOL_B, 1),
    ]

    _enrol(raw / "A-更正.csv", SCHOOL_A, 310)  # a correction after the lock
    _ingest(env)
    assert vocwh(["review", "--all", *year, "--county", "220202", "--by", "昌邑区教育局 王芳"]) == 0
    refused(["approve", "--all", *year, "--by", "市教育局 李强"], "--reason is required to approve a revision")
    assert vocwh(["approve", "--all", *year, "--by", "市教育局 李强", "--reason", "学校更正在校生人数"]) == 0
    assert _actions(env)[-2:] == [
        ("review", SCHOOL_A, 2, "昌邑区教育局 王芳", getpass.getuser(), None),
        ("approve", SCHOOL_A, 2, "市教育局 李强", getpass.getuser(), "学校更正在校生人数"),
    ]
