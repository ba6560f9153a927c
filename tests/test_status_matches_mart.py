"""Issue 21, item 4, on the real pipeline (the sample ingested, approved, built by dbt):
``vocwh status`` and ``marts.submission_status`` tell the same story about every round, and
the sample's own README.md and its 图表 sheet are nobody's problem."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.store.warehouse import outstanding_problems
from tests.conftest import PublishedCity

OLD_JIAOHE = "2024/蛟河市/财政局/生均拨款统计表-旧.csv"


def _read(city: PublishedCity) -> tuple[list[dict[str, object]], dict[tuple[str, str, int], str], set[str]]:
    s = city.settings
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        outstanding = outstanding_problems(con, s.raw_dir)
        mart = {
            (t, c, y): st
            for t, c, y, st in con.execute("SELECT template, submitter_code, year, status FROM marts.submission_status").fetchall()
        }
        files = {r[0] for r in con.execute("SELECT DISTINCT source_file FROM audit.submissions").fetchall()}
    finally:
        con.close()
    return outstanding, mart, files


def test_status_and_submission_status_agree_on_every_round(published_city: PublishedCity) -> None:
    outstanding, mart, _ = _read(published_city)
    rejected = {(p["template"], p["submitter_code"], p["year"]) for p in outstanding if p["status"] == "rejected"}
    # Every round the mart calls rejected is listed by status, and every rejected sheet status
    # lists whose round the mart expects is a round the mart calls rejected.
    assert {k for k, st in mart.items() if st == "rejected"} <= rejected
    assert {k: mart[k] for k in rejected if k in mart} == {k: "rejected" for k in rejected if k in mart}
    # 蛟河市's old appropriation file: rejected, but the round has an accepted version.
    jiaohe = [(t, c, y) for (t, c, y), st in mart.items() if t == "appropriation" and c == "220281" and y == 2024]
    assert jiaohe and mart[jiaohe[0]] != "rejected"
    assert OLD_JIAOHE not in {p["source_file"] for p in outstanding}


def test_the_sample_readme_and_chart_sheet_are_not_outstanding(
    published_city: PublishedCity, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outstanding, _, files = _read(published_city)
    assert "README.md" not in files  # skipped: no audit row at all
    where = {(p["source_file"], p["sheet"]) for p in outstanding}
    assert not any(sheet in ("图表", "Sheet3") for _, sheet in where)
    # What remains are the deliberately bad files of raw/README.md that are not rejections
    # cleared by an accepted version (and the hostile city's extras): each a real problem.
    assert not any(f.endswith((".md", ".txt")) for f, _ in where)

    s = published_city.settings
    monkeypatch.setenv("VOCWH_RAW_DIR", str(s.raw_dir))
    monkeypatch.setenv("VOCWH_WAREHOUSE_DIR", str(s.warehouse_dir))
    monkeypatch.setenv("VOCWH_PII_KEY", s.pii_key or "x")
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert OLD_JIAOHE not in out and "图表" not in out and "README.md" not in out
    assert out.strip().splitlines()[-1].startswith(f"{len(outstanding)} outstanding")
