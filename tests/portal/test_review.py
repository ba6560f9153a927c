"""Review, approval and reopening in the browser's place (issue 20): each action goes through
``store.review.act`` as the signed-in person, within scope, under the run lock.

On a private copy of the published sample city, where the city approved everything and then
吉林市旅游职业学校 (city-run) corrected its 2024 enrolment after the lock (conftest of tests/).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.test import Client

from dagster_project.core.settings import PROJECT_ROOT, Settings
from dagster_project.core.templates import TEMPLATES
from tests.conftest import LOCKED_SCHOOL
from tests.portal.conftest import CHANGYI, CHANGYI_SCHOOL, CHUANYING_SCHOOL, CITY_RUN_IN_CHANGYI
from tests.portal.pages import table_with

BUSY = "系统正在处理数据，请稍后再试"
NEXT_RUN = "下次运行后在汇总数据（含审批数据）中生效"


def _actions(settings: Settings) -> list[dict[str, Any]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cur = con.execute("SELECT * FROM audit.review_actions ORDER BY action_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _template_of(settings: Settings, submitter: str) -> str:
    """A template the submitter sent for 2024 (from the published snapshot)."""
    with duckdb.connect(str(settings.snapshot_path), read_only=True) as con:
        row = con.execute(
            "SELECT min(template) FROM submission_status WHERE year = 2024 AND submitter_code = ? AND current_version IS NOT NULL",
            [submitter],
        ).fetchone()
    assert row and row[0]
    return str(row[0])


def _post(client: Client, **data: str) -> tuple[int, str]:
    r = client.post("/review/", {"year": "2024", **data}, follow=True)
    return r.status_code, r.content.decode()


def test_the_city_approves_the_revision_with_a_reason_as_itself(portal_copy: Settings, clients: dict[str, Client]) -> None:
    before = _actions(portal_copy)
    code, page = _post(clients["city"], action="approve", template="enrollment", submitter=LOCKED_SCHOOL)
    assert code == 200
    assert "再次审批须在“原因”栏说明原因" in page
    assert _actions(portal_copy) == before  # refused: nothing written
    code, page = _post(
        clients["city"], action="approve", template="enrollment", submitter=LOCKED_SCHOOL, reason="学校更正招生人数，核实无误"
    )
    assert code == 200 and NEXT_RUN in page
    [new] = _actions(portal_copy)[len(before) :]
    assert (new["action"], new["template"], new["submitter_code"], new["year"], new["version"]) == (
        "approve",
        "enrollment",
        LOCKED_SCHOOL,
        2024,
        2,
    )
    assert new["by_name"] == "市教育局 陈静（jls_jyj）"
    assert new["os_user"] == "portal"
    assert new["reason"] == "学校更正招生人数，核实无误"
    assert f"已审批并锁定：在校生及学费收入 {LOCKED_SCHOOL} 2024 年度 第 2 版（市教育局 陈静（jls_jyj））" in page


def test_reopen_needs_a_reason_then_the_county_reviews_all_ready_and_the_city_approves_again(
    portal_copy: Settings, clients: dict[str, Client]
) -> None:
    template = _template_of(portal_copy, CHANGYI_SCHOOL)
    start = len(_actions(portal_copy))
    _, page = _post(clients["city"], action="reopen", template=template, submitter=CHANGYI_SCHOOL)
    assert "重新开放必须" in page and len(_actions(portal_copy)) == start
    _, page = _post(clients["city"], action="reopen", template=template, submitter=CHANGYI_SCHOOL, reason="学校申请更正")
    assert "已重新开放" in page
    # the county's "review all ready": exactly the reopened one, in its county
    _, page = _post(clients["county"], action="review", all="1")
    assert f"已审核：{TEMPLATES[template].zh} {CHANGYI_SCHOOL} 2024 年度" in page and NEXT_RUN in page
    _, page = _post(clients["city"], action="approve", template=template, submitter=CHANGYI_SCHOOL, reason="更正后重新审批")
    done = _actions(portal_copy)[start:]
    assert [(a["action"], a["template"], a["submitter_code"], a["by_name"], a["os_user"]) for a in done] == [
        ("reopen", template, CHANGYI_SCHOOL, "市教育局 陈静（jls_jyj）", "portal"),
        ("review", template, CHANGYI_SCHOOL, "昌邑区教育局 李强（changyi_jyj）", "portal"),
        ("approve", template, CHANGYI_SCHOOL, "市教育局 陈静（jls_jyj）", "portal"),
    ]


def test_review_all_with_nothing_ready_says_so_and_writes_nothing(portal_copy: Settings, clients: dict[str, Client]) -> None:
    before = _actions(portal_copy)
    _, page = _post(clients["county"], action="review", all="1")
    assert "2024 年度没有已收到未审核的报表" in page
    assert _actions(portal_copy) == before


@pytest.mark.parametrize("submitter", [CHUANYING_SCHOOL, CITY_RUN_IN_CHANGYI, "220204"])
def test_a_county_acting_outside_its_scope_gets_404_and_nothing_is_written(
    portal_copy: Settings, clients: dict[str, Client], submitter: str
) -> None:
    before = _actions(portal_copy)
    r = clients["county"].post("/review/", {"year": "2024", "action": "review", "template": "enrollment", "submitter": submitter})
    assert r.status_code == 404
    assert _actions(portal_copy) == before


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [("school", "review", 403), ("finance", "review", 403), ("county", "approve", 403), ("county", "reopen", 403), ("city", "review", 404)],
)
def test_a_role_doing_what_it_may_not_is_refused(  # the city reviews only its own list: a county's school is not on it
    portal_copy: Settings, clients: dict[str, Client], who: str, action: str, status: int
) -> None:
    before = _actions(portal_copy)
    r = clients[who].post(
        "/review/", {"year": "2024", "action": action, "template": "enrollment", "submitter": CHANGYI_SCHOOL, "reason": "x"}
    )
    assert r.status_code == status
    assert _actions(portal_copy) == before


@pytest.mark.parametrize("who", ["school", "finance"])
def test_the_review_page_is_not_for_schools_or_finance(portal: Settings, clients: dict[str, Client], who: str) -> None:
    assert clients[who].get("/review/").status_code == 403


def test_the_county_review_page_lists_its_scope_only(portal: Settings, clients: dict[str, Client]) -> None:
    page = clients["county"].get("/review/?year=2024").content.decode()
    codes = {r["单位代码"] for r in table_with(page, "操作")}
    assert codes and codes <= {CHANGYI, CHANGYI_SCHOOL, "5122020188"}
    assert NEXT_RUN in page


def test_while_a_run_holds_the_warehouse_the_action_waits_then_says_busy(
    portal_copy: Settings, clients: dict[str, Client], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VOCWH_PORTAL_LOCK_WAIT", "1")
    ready = tmp_path / "held"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from dagster_project.core.runlock import run_lock\n"
            "with run_lock(Path(sys.argv[1]), 'a test run'):\n    Path(sys.argv[2]).touch(); time.sleep(120)",
            str(portal_copy.warehouse_dir),
            str(ready),
        ],
        cwd=PROJECT_ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert time.monotonic() < deadline and holder.poll() is None
            time.sleep(0.1)
        before = _actions(portal_copy)
        started = time.monotonic()
        _, page = _post(clients["city"], action="approve", template="enrollment", submitter=LOCKED_SCHOOL, reason="核实无误")
        assert BUSY in page
        assert time.monotonic() - started >= 1.0  # it waited before giving up
    finally:
        holder.kill()
        holder.wait()
    assert _actions(portal_copy) == before


def test_the_city_sees_what_waits_for_it_first(portal: Settings, clients: dict[str, Client]) -> None:
    """The sample's one pending item: the enrolment corrected after the lock (tests/conftest.py)."""
    rows = table_with(clients["city"].get("/review/?year=2024").content.decode(), "操作")
    assert (rows[0]["单位代码"], rows[0]["报表"], rows[0]["当前版本"], rows[0]["审批版本"]) == (LOCKED_SCHOOL, "在校生及学费收入", "2", "1")
    assert all(r["状态"] == "市局已审批锁定" for r in rows[1:])


def test_the_city_reviews_its_own_schools_as_a_county_does(portal_copy: Settings, clients: dict[str, Client]) -> None:
    """City-run schools are on nobody's list but the city's: the city reviews them, one or all."""
    template = _template_of(portal_copy, CITY_RUN_IN_CHANGYI)
    start = len(_actions(portal_copy))
    _post(clients["city"], action="reopen", template=template, submitter=CITY_RUN_IN_CHANGYI, reason="学校申请更正")
    _, page = _post(clients["city"], action="review", all="1")
    assert f"已审核：{TEMPLATES[template].zh} {CITY_RUN_IN_CHANGYI} 2024 年度" in page
    # the county where it stands may not review it
    r = clients["county"].post("/review/", {"year": "2024", "action": "review", "template": template, "submitter": CITY_RUN_IN_CHANGYI})
    assert r.status_code == 404
    # review all: the reopened one, and the enrolment 吉林市旅游职业学校 (city-run too) corrected after the lock
    assert sorted((a["action"], a["submitter_code"], a["template"], a["by_name"]) for a in _actions(portal_copy)[start:]) == sorted(
        [
            ("reopen", CITY_RUN_IN_CHANGYI, template, "市教育局 陈静（jls_jyj）"),
            ("review", CITY_RUN_IN_CHANGYI, template, "市教育局 陈静（jls_jyj）"),
            ("review", LOCKED_SCHOOL, "enrollment", "市教育局 陈静（jls_jyj）"),
        ]
    )
