"""催报 who still owes what (issue 10): the list per county, for the finance workbook's sheet
催报清单, the page ``reports/outstanding_<year>.html`` and the receipts. The list is the dbt
report model ``reports.rpt_finance__outstanding`` (from the mart ``submission_status``: missing
or only rejected, with the names and the status in words), so the sheet and the pages show the
same rows. Nothing here decides a status: the mart does."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb

from dagster_project.publish.common import GENERATED_AT, PAGE_META, Row, esc, fetch_rows, write_page

OUTSTANDING_MODEL = "reports.rpt_finance__outstanding"


def owed_rows(con: duckdb.DuckDBPyConnection, year: int | None = None) -> list[Row]:
    """The rounds still owed (missing or only rejected) of one year, or of every year, by
    chasing county, template, submitter, each with ``status_zh`` and the names; empty when the
    warehouse has no report models yet (built before issue 17). The 催报 list and the receipts
    read this."""
    try:
        return fetch_rows(
            con,
            f"SELECT * FROM {OUTSTANDING_MODEL} WHERE {'year = ?' if year is not None else 'true'} "
            "ORDER BY chased_by_code, year, template, submitter_code",
            [year] if year is not None else [],
        )
    except duckdb.CatalogException:
        return []


def outstanding_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    """The year's 催报 list: what is owed, with the names of the chasing county and the submitter."""
    return owed_rows(con, year)


def _page(rows: list[Row], year: int) -> str:
    by_county: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_county[f"{r['chased_by_name']}（{r['chased_by_code']}）"].append(r)
    sections = []
    for county, items in by_county.items():
        lines = "".join(
            f"<tr><td>{esc(r['template_zh'] or r['template'])}</td><td>{esc(r['submitter_code'])}</td><td>{esc(r['submitter_name'])}</td>"
            f"<td>{esc(r['status_zh'])}</td><td>{esc(r['deadline'])}</td><td>{'已逾期' if r['is_late'] else ''}</td></tr>"
            for r in items
        )
        sections.append(
            f"<h2>{esc(county)}：{len(items)} 项</h2><table><tr><th>报表</th><th>单位代码</th><th>单位名称</th><th>状态</th>"
            f"<th>截止日期</th><th></th></tr>{lines}</table>"
        )
    body = "".join(sections) or "<p>本年度所有报送任务均已收到。</p>"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">{PAGE_META}
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{year}年度 催报清单</title><style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:4px 8px}}th{{background:#ddebf7}}</style></head>
<body><h1>{year}年度 职业教育统计 催报清单（未报送或被退回）</h1>
<p>生成时间：{GENERATED_AT}。按负责催报的县（市）区列出；市属学校由市教育局（220200）催报。</p>
{body}
</body></html>
"""


def write_outstanding_html(
    con: duckdb.DuckDBPyConnection, year: int, out_path: Path, build_id: str | None = None, written: list[Path] | None = None
) -> Path:
    """The 催报 page of a year; left alone when it already shows the same."""
    if write_page(out_path, _page(outstanding_rows(con, year), year), build_id) and written is not None:
        written.append(out_path)
    return out_path
