"""The portal in a real browser, from a school's upload to the approved figures (issue 20).

Debian's chromium, driven by Playwright's sync API, against the portal served by Django's live
server on a free port. The warehouse is a private copy of the published sample city
(``portal_city``), and a "run" is the pipeline's own steps without Dagster: ingestion
(``run_ingest``), the dbt builds of both sets of figures as the run plans them
(``plan_build``: incremental, what changed), and publishing (snapshot and receipts). So the
walk costs two incremental runs, not a build from scratch.

1. a school logs in, uploads a bad file and sees its reasons;
2. uploads a good file (its award list with one more award) and sees it accepted;
3. a run takes the file in: version 2, a revision of an approved list;
4. the county logs in and reviews it;
5. the city approves it, with the reason a revision needs;
6. after the next run, ``award_entitlements_approved`` holds the new award.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.core.settings import PROJECT_ROOT, Limits, Settings
from dagster_project.store.load import run_ingest
from dagster_project.transform.build import build_args, new_build_id, plan_build, record_build
from dagster_project.transform.dbt_project import FIGURES
from tests.conftest import gb11643, query, run_dbt
from tests.portal.conftest import ACCOUNTS, CHANGYI_SCHOOL, _publish, make_user

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"),
]

AWARDS = PROJECT_ROOT / "raw/2024/昌邑区/吉林市昌邑区职业高级中学/获奖名单v2.csv"
PASSWORD = "Walk-through-2026!"
NEW_PUPIL_ID = gb11643("22020220080520041")
NEW_EVENT = "数字孪生应用技术"


def award_list(extra_row: str | None = None, bad_id: bool = False) -> bytes:
    """The school's real award list (GBK, as Excel saved it), with one more award after its
    nine, or with the ID number on Excel row 2 given a wrong check digit."""
    lines = AWARDS.read_text(encoding="gb18030").splitlines()
    assert lines[9].startswith("2024,5122020113,") and lines[10].startswith("总计")
    if extra_row:
        lines.insert(10, extra_row)
    if bad_id:
        lines[1] = lines[1].replace("220202200812115075", "220202200812115076", 1)
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def one_run(settings: Settings, work_dir: Path, n: int) -> None:
    """What a run of the job does, without Dagster: ingest, build what changed in both sets of
    figures (as defs/dbt.py plans it), log the build, publish."""
    run_id = f"browser-walk-{n}"
    run_ingest(settings, run_id=run_id)
    plan = plan_build(settings)
    if not plan.nothing_to_do:
        for figures in FIGURES:
            result = run_dbt(build_args(figures, plan.select(figures)), settings.warehouse_dir, work_dir / f"run{n}-{figures}")
            assert result.returncode == 0, result.stdout[-6000:]
        record_build(settings, plan, run_id, new_build_id(run_id))
    _publish(settings)


@pytest.fixture
def walk_city(portal_city: Settings, settings: Any, tmp_path: Path) -> Settings:
    """A private copy of the published city: its landing folder (file times kept, so a run
    finds every sample file unchanged) and its warehouse folder (working database, snapshot,
    receipts). The shared build was a full build of this dbt project: logged as such, so the
    runs here build only what changes."""
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    shutil.copytree(portal_city.raw_dir, raw)
    shutil.copytree(portal_city.warehouse_dir, wh)
    # No quiet period, as everywhere in the tests: the run right after the upload reads the file.
    city = replace(portal_city, raw_dir=raw, warehouse_dir=wh, limits=Limits(quiet_seconds=0))
    record_build(city, plan_build(city), "published-city", new_build_id("published-city"))
    settings.VOCWH = city
    return city


@pytest.fixture
def portal_url(transactional_db: None) -> Iterator[str]:
    """The portal served on a free port of 127.0.0.1 by Django's live-server thread, sharing
    the test database. (pytest-django's ``live_server`` wraps the app in the static-files
    handler, which needs a STATIC_URL the portal does not have: it serves no static files.)"""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for c in shared.values():
        c.inc_thread_sharing()
    thread = LiveServerThread("127.0.0.1", lambda app: app, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for c in shared.values():
            c.dec_thread_sharing()


def approved_awards(settings: Settings) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.snapshot_path), read_only=True)
    try:
        return con.execute(
            "SELECT event_name, prize, entitled_yuan FROM award_entitlements_approved WHERE school_code = ? AND year = 2024 AND event_name = ?",
            [CHANGYI_SCHOOL, NEW_EVENT],
        ).fetchall()
    finally:
        con.close()


def test_a_school_uploads_the_county_reviews_the_city_approves(
    walk_city: Settings, portal_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
    # thread with one unless told (the live server answers from its own thread either way).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    for who in ("school", "county", "city"):
        make_user(ACCOUNTS[who], PASSWORD)
    new_award = f'2024,{CHANGYI_SCHOOL},林晓,{NEW_PUPIL_ID},学生,吉林市职业院校技能大赛,市级,职业院校技能大赛,{NEW_EVENT},三等奖,2024/5/20,"1,000.00",,'
    bad, good = tmp_path / "获奖名单v3.csv", tmp_path / "获奖名单v4.csv"
    bad.write_bytes(award_list(bad_id=True))
    good.write_bytes(award_list(extra_row=new_award))
    assert approved_awards(walk_city) == []

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.set_default_timeout(120_000)  # the first check imports Great Expectations on a busy machine

        def login(who: str) -> None:
            page.goto(f"{portal_url}/login/")
            page.fill("input[name=username]", ACCOUNTS[who].username)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit], form input[type=submit]")
            expect(page.locator("header .who")).to_contain_text(ACCOUNTS[who].name)

        def logout() -> None:
            page.click("header form button")
            expect(page).to_have_url(re.compile(r"/login/"))

        # 1. a bad file: its reasons, worded as the receipt words them, and nothing kept
        login("school")
        page.click("header nav >> text=上传报表")
        page.set_input_files("input[name=file]", str(bad))
        page.click("text=上传并检查")
        expect(page.locator("#upload-verdict")).to_have_text("文件未通过检查，未保存。请按下列原因修改后重新上传。")
        expect(page.locator("td.reason")).to_have_text(
            ["第2行 身份证号(id_number)：校验位（最后一位）与前17位不符，请核对 (check_digit)（填写的是「220202********5076」）"]
        )
        assert not (walk_city.raw_dir / "portal").exists()

        # 2. the good file: accepted, and in the landing folder
        page.set_input_files("input[name=file]", str(good))
        page.click("text=上传并检查")
        expect(page.locator("#upload-verdict")).to_contain_text("文件已通过检查并已放入报送文件夹")
        expect(page.locator("td.verdict")).to_have_text(["通过"])
        expect(page.locator("td.rows")).to_have_text(["10"])
        [landed] = (walk_city.raw_dir / "portal" / CHANGYI_SCHOOL).iterdir()
        assert landed.name.endswith("_获奖名单v4.csv") and landed.read_bytes() == good.read_bytes()
        logout()

        # 3. a run takes it in: the second version of the school's 2024 award list
        one_run(walk_city, tmp_path / "dbt", 1)
        rel = landed.relative_to(walk_city.raw_dir).as_posix()
        assert query(walk_city, "SELECT status, version, rows FROM audit.submissions WHERE source_file = ?", [rel]) == [("loaded", 2, 10)]
        assert approved_awards(walk_city) == []  # approved figures keep version 1 until the city approves

        # 4. the county reviews it
        login("county")
        page.goto(f"{portal_url}/review/?year=2024")
        row = page.locator("tr", has_text="技能大赛获奖情况").filter(has_text=CHANGYI_SCHOOL)
        row.get_by_role("button", name="审核").click()
        expect(page.locator(".messages")).to_contain_text(
            f"已审核：技能大赛获奖情况 {CHANGYI_SCHOOL} 2024 年度 第 2 版（{ACCOUNTS['county'].name}（{ACCOUNTS['county'].username}））"
        )
        logout()

        # 5. the city approves it: a revision of an approved list needs a reason
        login("city")
        page.goto(f"{portal_url}/review/?year=2024")
        row = page.locator("tr", has_text="技能大赛获奖情况").filter(has_text=CHANGYI_SCHOOL)
        row.locator("input[name=reason]").fill("补报一项市级三等奖")
        row.get_by_role("button", name="审批").click()
        expect(page.locator(".messages")).to_contain_text(
            f"已审批并锁定：技能大赛获奖情况 {CHANGYI_SCHOOL} 2024 年度 第 2 版（{ACCOUNTS['city'].name}（{ACCOUNTS['city'].username}））"
        )
        logout()
        browser.close()

    actions = query(
        walk_city,
        "SELECT action, version, by_name, os_user, reason FROM audit.review_actions "
        "WHERE template = 'competition_awards' AND submitter_code = ? AND year = 2024 ORDER BY action_id DESC LIMIT 2",
        [CHANGYI_SCHOOL],
    )
    assert actions == [
        ("approve", 2, f"{ACCOUNTS['city'].name}（{ACCOUNTS['city'].username}）", "portal", "补报一项市级三等奖"),
        ("review", 2, f"{ACCOUNTS['county'].name}（{ACCOUNTS['county'].username}）", "portal", None),
    ]

    # 6. the next run: the approved figures hold the new award (市级三等奖, 1000 yuan)
    one_run(walk_city, tmp_path / "dbt", 2)
    assert approved_awards(walk_city) == [(NEW_EVENT, "third", 1000)]
