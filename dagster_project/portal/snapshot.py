"""Reading the published BI snapshot (``marts.duckdb``) for the portal's pages.

The portal never opens the working database to show anything: the snapshot is what the
last run published, replaced whole by a rename, so a page reads one consistent build even
while a run is writing the next. Every figure and status shown comes from a dbt model in
it (``submission_status``), never recomputed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings

from dagster_project.core.settings import Settings

Row = dict[str, Any]

# What the 催报 list holds: the rounds nothing usable arrived for (as rpt_finance__outstanding).
OWED = ("missing", "rejected")


def vocwh_settings() -> Settings:
    """The warehouse the portal serves: ``settings.VOCWH`` (from the environment at start)."""
    return settings.VOCWH  # type: ignore[no-any-return]


class NoSnapshot(RuntimeError):
    """Nothing published yet: the first run has not finished."""


@contextmanager
def open_snapshot() -> Iterator[duckdb.DuckDBPyConnection]:
    path = vocwh_settings().snapshot_path
    if not path.exists():
        raise NoSnapshot("尚未发布数据：首次运行完成后这里会显示报送情况。")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Row]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_ino, st.st_mtime_ns


@lru_cache(maxsize=4)
def _chasers(stamp: tuple[str, int, int]) -> dict[str, dict[int, str]]:
    """submitter -> year -> chasing county, for one published file (cached by inode and mtime:
    a new publish is a new inode, so the cache never serves an old build's mapping)."""
    con = duckdb.connect(stamp[0], read_only=True)
    try:
        rows = con.execute("SELECT DISTINCT submitter_code, year, chased_by_code FROM submission_status").fetchall()
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    out: dict[str, dict[int, str]] = {}
    for code, year, chaser in rows:
        out.setdefault(str(code), {})[int(year)] = str(chaser)
    return out


def chased_by(submitter_code: str, year: int | None = None) -> set[str]:
    """The counties (or 220200) whose 催报 list holds this submitter: in ``year``, or in any
    year when none is given. Empty when nothing is published or the code is unknown."""
    path = vocwh_settings().snapshot_path
    try:
        by_year = _chasers(_stamp(path)).get(submitter_code, {})
    except FileNotFoundError:
        return set()
    if year is None:
        return set(by_year.values())
    return {by_year[year]} if year in by_year else set()


def years() -> list[int]:
    """The years of the published rounds, newest first."""
    with open_snapshot() as con:
        try:
            return [int(r[0]) for r in con.execute("SELECT DISTINCT year FROM submission_status ORDER BY year DESC").fetchall()]
        except duckdb.CatalogException:
            return []


def status_rows(year: int) -> list[Row]:
    """Every round of the year from ``submission_status`` (its ``status_zh`` is the status in words)."""
    with open_snapshot() as con:
        rows = _rows(
            con,
            "SELECT s.*, coalesce(k.school_name, c.county_name) AS submitter_name FROM submission_status s "
            "LEFT JOIN schools k ON k.school_code = s.submitter_code AND k.year = s.year "
            "LEFT JOIN (SELECT DISTINCT county_code, county_name FROM submission_status) c ON c.county_code = s.submitter_code "
            "WHERE s.year = ? ORDER BY s.chased_by_code, s.submitter_code, s.template",
            [year],
        )
    return rows


def snapshot_build_id() -> str | None:
    """Which build the page shows (the snapshot's ``vocwh_build`` row)."""
    with open_snapshot() as con:
        try:
            row = con.execute("SELECT build_id FROM vocwh_build").fetchone()
        except duckdb.CatalogException:
            return None
    return str(row[0]) if row and row[0] else None  # a build made outside Dagster has no id
