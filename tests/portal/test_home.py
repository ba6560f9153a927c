"""The home page (issue 20): the user's rounds for the chosen year, the 催报 list of a county
or the city, and the receipts, each within scope; on the published sample city.

Which school a county chases is written here from the sample registry, read by eye
(conftest), not from the portal's query; the rounds are checked against the published
snapshot file opened directly.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest
from django.test import Client

from dagster_project.core.settings import Settings
from tests.conftest import HOSTILE_SCHOOL, HTML_SCHOOL
from tests.portal.conftest import (
    CHANGYI,
    CHANGYI_PRIVATE,
    CHANGYI_SCHOOL,
    CHUANYING,
    CHUANYING_SCHOOL,
    CITY,
    CITY_RUN_IN_CHANGYI,
)
from tests.portal.pages import table_with, tables_with


def _published(settings: Settings, sql: str, params: list[object]) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.snapshot_path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _rounds(client: Client, year: int = 2024) -> list[dict[str, str]]:
    r = client.get(f"/?year={year}")
    assert r.status_code == 200
    return table_with(r.content.decode(), "截止日期")


def test_a_school_sees_its_own_rounds_only_with_status_and_deadline(portal: Settings, clients: dict[str, Client]) -> None:
    rows = _rounds(clients["school"])
    assert {r["单位代码"] for r in rows} == {CHANGYI_SCHOOL}
    published = _published(
        portal, "SELECT template_zh, deadline, is_late FROM submission_status WHERE year = 2024 AND submitter_code = ?", [CHANGYI_SCHOOL]
    )
    assert sorted((r["报表"], r["截止日期"], r["逾期"]) for r in rows) == sorted(
        (t, f"{d:%Y-%m-%d}", "已逾期" if late else "") for t, d, late in published
    )
    assert all(r["单位名称"] == "吉林市昌邑区职业高级中学" for r in rows)


def test_a_county_sees_the_schools_it_chases_and_itself_not_a_city_run_school_in_its_district(
    portal: Settings, clients: dict[str, Client]
) -> None:
    codes = {r["单位代码"] for r in _rounds(clients["county"])}
    assert codes == {CHANGYI, CHANGYI_SCHOOL, CHANGYI_PRIVATE}
    assert CITY_RUN_IN_CHANGYI not in codes and CHUANYING_SCHOOL not in codes


def test_the_city_and_finance_see_every_round(portal: Settings, clients: dict[str, Client]) -> None:
    [(n,)] = _published(portal, "SELECT count(*) FROM submission_status WHERE year = 2024", [])
    for who in ("city", "finance"):
        rows = _rounds(clients[who])
        assert len(rows) == n, who
        assert {CITY_RUN_IN_CHANGYI, CHUANYING_SCHOOL, CITY} <= {r["单位代码"] for r in rows}


def test_the_outstanding_list_is_the_countys_own_and_the_citys_whole(portal: Settings, clients: dict[str, Client]) -> None:
    owed = _published(
        portal,
        "SELECT chased_by_code, submitter_code, template_zh FROM submission_status WHERE year = 2023 AND status IN ('missing', 'rejected')",
        [],
    )
    assert owed, "the sample's 2023 has rounds still owed"
    county_page = clients["county"].get("/?year=2023").content.decode()
    county_lists = tables_with(county_page, "单位代码")[1:]  # the first table is the rounds
    got = sorted((r["单位代码"], r["报表"]) for t in county_lists for r in t)
    assert got == sorted((s, t) for c, s, t in owed if c == CHANGYI)
    assert f"催报单位 {CHUANYING}" not in county_page
    city_page = clients["city"].get("/?year=2023").content.decode()
    city_got = sorted((r["单位代码"], r["报表"]) for t in tables_with(city_page, "单位代码")[1:] for r in t)
    assert city_got == sorted((s, t) for _, s, t in owed)
    assert "催报清单" not in clients["school"].get("/?year=2023").content.decode()


def test_the_year_is_chosen_and_a_bad_year_falls_back_to_the_latest(portal: Settings, clients: dict[str, Client]) -> None:
    [(latest,)] = _published(portal, "SELECT max(year) FROM submission_status", [])
    assert f"{latest} 年度报送情况" in clients["school"].get("/?year=nonsense").content.decode()
    assert "2023 年度报送情况" in clients["school"].get("/?year=2023").content.decode()


def test_before_the_first_publish_the_page_says_so(clients: dict[str, Client], settings: object, tmp_path: Path) -> None:
    settings.VOCWH = Settings(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="k")  # type: ignore[attr-defined]
    r = clients["county"].get("/")
    assert r.status_code == 200
    assert "尚未发布数据" in r.content.decode()


# ---- receipts -------------------------------------------------------------------------------


def _receipt_files(portal: Settings) -> list[Path]:
    return sorted((portal.reports_dir / "receipts").glob("*/*.html"))


def _links(client: Client) -> list[str]:
    page = client.get("/").content.decode()
    return sorted(unquote(line.split('href="', 1)[1].split('"', 1)[0]) for line in page.splitlines() if 'href="/receipts/' in line)


def _url(path: Path) -> str:
    return f"/receipts/{path.parent.name}/{path.name}"


def test_a_school_sees_and_opens_its_own_receipts(portal: Settings, clients: dict[str, Client]) -> None:
    own = [p for p in _receipt_files(portal) if p.name.startswith(CHANGYI_SCHOOL + "_")]
    assert own, "the sample school has a receipt"
    assert _links(clients["school"]) == sorted(_url(p) for p in own)
    r = clients["school"].get(_url(own[0]))
    assert r.status_code == 200
    body = b"".join(r.streaming_content).decode()  # type: ignore[attr-defined]
    assert "吉林市职业教育统计数据报送回执" in body and f"吉林市昌邑区职业高级中学（{CHANGYI_SCHOOL}）" in body
    assert r["Content-Security-Policy"].startswith("default-src 'none'")


def test_another_scopes_receipt_is_404_for_each_role(portal: Settings, clients: dict[str, Client]) -> None:
    files = _receipt_files(portal)

    def of(code: str) -> str:
        return _url(next(p for p in files if p.name.startswith(code + "_")))

    unidentified = [p for p in files if p.name.startswith("unidentified_")]
    other_school, city_run, own = of(CHUANYING_SCHOOL), of(CITY_RUN_IN_CHANGYI), of(CHANGYI_SCHOOL)
    assert clients["school"].get(other_school).status_code == 404
    assert clients["school"].get(city_run).status_code == 404
    assert clients["other_school"].get(own).status_code == 404
    assert clients["county"].get(own).status_code == 200
    assert clients["county"].get(other_school).status_code == 404
    assert clients["county"].get(city_run).status_code == 404
    assert clients["other_county"].get(own).status_code == 404
    assert clients["other_county"].get(other_school).status_code == 200
    assert clients["finance"].get(own).status_code == 404
    assert clients["city"].get(city_run).status_code == 200
    if unidentified:
        assert clients["city"].get(_url(unidentified[0])).status_code == 200
        assert clients["county"].get(_url(unidentified[0])).status_code == 404


def test_a_county_lists_its_schools_receipts_and_not_the_city_run_ones(portal: Settings, clients: dict[str, Client]) -> None:
    # its schools by the registries: 2024's by eye, and the two 2025 schools the hostile city
    # (tests/conftest.py) registers in 昌邑区
    mine = {CHANGYI, CHANGYI_SCHOOL, CHANGYI_PRIVATE, HOSTILE_SCHOOL, HTML_SCHOOL}
    expected = sorted(_url(p) for p in _receipt_files(portal) if p.name.split("_", 1)[0] in mine)
    assert len(expected) >= 3
    assert _links(clients["county"]) == expected


def test_a_path_out_of_the_receipts_folder_is_404(portal_copy: Settings, clients: dict[str, Client]) -> None:
    secret = portal_copy.warehouse_dir / f"{CHANGYI_SCHOOL}_secret.html"
    secret.write_text("secret", encoding="utf-8")
    batch = next((portal_copy.reports_dir / "receipts").iterdir())
    (batch / f"{CHANGYI_SCHOOL}_link.html").symlink_to(secret)
    for url in (
        f"/receipts/..%2F..%2F/{CHANGYI_SCHOOL}_secret.html",
        f"/receipts/%2E%2E/{CHANGYI_SCHOOL}_secret.html",
        f"/receipts/{batch.name}/{CHANGYI_SCHOOL}_link.html",
        f"/receipts/{batch.name}/..%2F..%2F{CHANGYI_SCHOOL}_secret.html",
    ):
        assert clients["school"].get(url).status_code == 404, url


# ---- downloads ------------------------------------------------------------------------------


def test_finance_and_the_city_download_the_years_workbook_as_published(portal: Settings, clients: dict[str, Client]) -> None:
    page = clients["finance"].get("/?year=2024").content.decode()
    assert 'href="/downloads/finance_2024.xlsx"' in page and 'href="/downloads/outstanding_2024.html"' in page
    for who in ("finance", "city"):
        r = clients[who].get("/downloads/finance_2024.xlsx")
        assert r.status_code == 200
        assert r["Content-Disposition"] == 'attachment; filename="finance_2024.xlsx"'
        assert b"".join(r.streaming_content) == (portal.reports_dir / "finance_2024.xlsx").read_bytes()  # type: ignore[attr-defined]


@pytest.mark.parametrize("who", ["school", "county"])
def test_schools_and_counties_may_not_download_the_finance_workbook(portal: Settings, clients: dict[str, Client], who: str) -> None:
    assert clients[who].get("/downloads/finance_2024.xlsx").status_code == 403
    assert 'href="/downloads/' not in clients[who].get("/?year=2024").content.decode()


@pytest.mark.parametrize("name", ["warehouse.duckdb", "..%2Fwarehouse.duckdb", "finance_2031.xlsx", "receipts", "finance_2024.xlsx.tmp-1"])
def test_nothing_else_of_the_warehouse_is_downloadable(portal: Settings, clients: dict[str, Client], name: str) -> None:
    assert clients["finance"].get(f"/downloads/{name}").status_code == 404


def test_a_missing_page_says_so_in_chinese_without_telling_which(clients: dict[str, Client]) -> None:
    r = clients["school"].get("/receipts/nowhere/5122020121_x.html")
    assert r.status_code == 404
    assert "不存在，或不在您的账号范围内" in r.content.decode()
