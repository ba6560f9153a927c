"""A one-page HTML summary of a year, with inline SVG charts.

The page is self-contained (no script, no external style sheet, font or image) so it
can be mailed or opened offline; its Content-Security-Policy forbids any fetch.  All
text, including school names from submissions, is HTML-escaped.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.publish.common import (
    GENERATED_AT,
    PAGE_META,
    Row,
    choice_order,
    choice_zh,
    esc,
    fetch_rows,
    school_names,
    to_float,
    write_page,
    yuan,
)

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:24px auto;max-width:1000px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
.kpi{display:flex;gap:16px;flex-wrap:wrap}.kpi div{border:1px solid #ddd;padding:8px 12px;border-radius:4px;min-width:160px}
.kpi b{display:block;font-size:18px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px}td.n{text-align:right}
svg text{font-size:12px;fill:#333}.bar{fill:#4472c4}.bad{fill:#c0504d}.none{fill:#a5a5a5}
.std{stroke:#222;stroke-width:2}.target{stroke:#c0504d;stroke-width:2;stroke-dasharray:6 4}.avg{fill:#ed7d31}
.legend rect{stroke:none}.note{color:#666;font-size:12px}
"""
_NUM = ' class="n"'
_COLORS = ("#4472c4", "#ed7d31", "#a5a5a5")


def _num(v: object) -> float:
    return to_float(v) or 0.0


def _funding_chart(rows: list[Row]) -> str:
    """Horizontal bars: per-student funding of each school, with a tick at its standard."""
    if not rows:
        return '<p class="note">本年度无生均拨款数据。</p>'
    label_w, bar_w, row_h = 260, 560, 24
    top = max(max(_num(r["per_student_yuan"]), _num(r["standard_per_student_yuan"])) for r in rows) or 1.0
    height = row_h * len(rows) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 120}" height="{height}" role="img" aria-label="生均拨款">']
    for i, r in enumerate(rows):
        y = 10 + i * row_h
        v, std = _num(r["per_student_yuan"]), to_float(r["standard_per_student_yuan"])
        cls = "none" if std is None else ("bad" if r.get("below_standard") else "bar")
        w = bar_w * v / top
        name = str(r.get("school_name") or r["school_code"])
        short = name if len(name) <= 20 else name[:19] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end"><title>{esc(name)}</title>{esc(short)}</text>')
        parts.append(
            f'<rect class="{cls}" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}"><title>{esc(yuan(v))} 元/生</title></rect>'
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{esc(yuan(v))}</text>')
        if std is not None:
            x = label_w + bar_w * std / top
            parts.append(
                f'<line class="std" x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + row_h - 2}"><title>标准 {esc(yuan(std))}</title></line>'
            )
    y = height - 14
    legend = ['<g class="legend">']
    for dx, cls, text in ((0, "bar", "达到标准"), (90, "bad", "低于标准"), (180, "none", "无标准")):
        legend.append(f'<rect class="{cls}" x="{label_w + dx}" y="{y - 10}" width="12" height="12"/>')
        legend.append(f'<text x="{label_w + dx + 16}" y="{y}">{esc(text)}</text>')
    x = label_w + 270
    legend.append(f'<line class="std" x1="{x}" x2="{x}" y1="{y - 11}" y2="{y + 2}"/><text x="{x + 6}" y="{y}">拨款标准</text></g>')
    parts.append("".join(legend))
    parts.append("</svg>")
    return "".join(parts)


def _award_chart(rows: list[Row]) -> str:
    """Grouped columns per competition level: entitled, claimed, paid."""
    if not rows:
        return '<p class="note">本年度无技能大赛奖励数据。</p>'
    series = (("entitled_yuan", "应得"), ("claimed_yuan", "申报"), ("paid_yuan", "已发放"))
    top = max(_num(r[k]) for r in rows for k, _ in series) or 1.0
    group_w, bar_w, plot_h, left = 150, 36, 220, 90
    width = left + group_w * len(rows) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{plot_h + 80}" role="img" aria-label="大赛奖励">']
    for j in range(5):
        v = top * j / 4
        y = 10 + plot_h - plot_h * j / 4
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(f"{v:,.0f}")}</text>')
    for i, r in enumerate(rows):
        x0 = left + i * group_w + 15
        for k, (key, label) in enumerate(series):
            v = _num(r[key])
            h = plot_h * v / top
            parts.append(
                f'<rect x="{x0 + k * (bar_w + 4)}" y="{10 + plot_h - h:.1f}" width="{bar_w}" height="{h:.1f}" fill="{_COLORS[k]}">'
                f"<title>{esc(label)} {esc(yuan(v))} 元</title></rect>"
            )
        level = esc(choice_zh("competition_level", r["competition_level"]))
        parts.append(f'<text x="{x0 + 60}" y="{plot_h + 28}" text-anchor="middle">{level}</text>')
    for k, (_, label) in enumerate(series):
        parts.append(f'<rect x="{left + k * 80}" y="{plot_h + 48}" width="12" height="12" fill="{_COLORS[k]}"/>')
        parts.append(f'<text x="{left + k * 80 + 16}" y="{plot_h + 58}">{esc(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _target_chart(rows: list[Row]) -> str:
    """Columns of labour-enlightenment trainees per year, dashed target line, dots for the average to date."""
    if not rows:
        return '<p class="note">无劳动教育和职业启蒙培训数据。</p>'
    top = max(max(_num(r["labor_enlightenment_trainees"]), _num(r["average_to_date"]), _num(r["target"])) for r in rows) * 1.15 or 1.0
    col_w, plot_h, left = 90, 220, 70
    width = left + col_w * len(rows) + 20

    def y(v: float) -> float:
        return 10 + plot_h - plot_h * v / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{plot_h + 70}" role="img" aria-label="培训目标">']
    for i, r in enumerate(rows):
        x0 = left + i * col_w + 20
        v = _num(r["labor_enlightenment_trainees"])
        cls = "bar" if r.get("year_met") else "bad"
        parts.append(
            f'<rect class="{cls}" x="{x0}" y="{y(v):.1f}" width="{col_w - 40}" height="{plot_h + 10 - y(v):.1f}">'
            f"<title>{esc(f'{v:,.0f}')} 人</title></rect>"
        )
        parts.append(f'<text x="{x0 + (col_w - 40) / 2}" y="{y(v) - 4:.1f}" text-anchor="middle">{esc(f"{v:,.0f}")}</text>')
        a = _num(r["average_to_date"])
        parts.append(
            f'<circle class="avg" cx="{x0 + (col_w - 40) / 2}" cy="{y(a):.1f}" r="5"><title>年均 {esc(f"{a:,.0f}")}</title></circle>'
        )
        parts.append(f'<text x="{x0 + (col_w - 40) / 2}" y="{plot_h + 28}" text-anchor="middle">{esc(r["year"])}</text>')
        t = _num(r["target"])
        parts.append(f'<line class="target" x1="{x0 - 20}" x2="{x0 + col_w - 20}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>')
    parts.append(
        f'<g class="legend"><line class="target" x1="{left}" x2="{left + 24}" y1="{plot_h + 52}" y2="{plot_h + 52}"/>'
        f'<text x="{left + 30}" y="{plot_h + 56}">年均目标</text><circle class="avg" cx="{left + 110}" cy="{plot_h + 52}" r="5"/>'
        f'<text x="{left + 120}" y="{plot_h + 56}">2021年以来年均</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[tuple[object, bool]]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td{_NUM if num else ''}>{esc(v)}</td>" for v, num in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def summary_html(con: duckdb.DuckDBPyConnection, year: int) -> str:
    """The page as text (the BI snapshot or the working database both have what it needs)."""
    return _page(con, year).replace(PAGE_META, "").replace(GENERATED_AT, esc(f"{datetime.now():%Y-%m-%d %H:%M}"))


def _page(con: duckdb.DuckDBPyConnection, year: int) -> str:
    """The page with its time and records left as placeholders, for ``write_page`` to compare."""
    schools = school_names(con, year)
    funding = fetch_rows(con, "SELECT * FROM marts.per_student_funding WHERE year = ? ORDER BY county_code, school_code", [year])
    for r in funding:
        r["school_name"] = r.get("school_name") or schools.get(r["school_code"])
    levels = fetch_rows(
        con,
        """
        SELECT competition_level, sum(entitled_yuan) AS entitled_yuan, sum(claimed_yuan) AS claimed_yuan, sum(paid_yuan) AS paid_yuan,
               sum(paid_without_approval_yuan) AS paid_without_approval_yuan, sum(overpaid_yuan) AS overpaid_yuan,
               sum(awardees) AS awardees
        FROM marts.award_spending WHERE year = ? GROUP BY competition_level
        """,
        [year],
    )
    order = choice_order("competition_level")
    levels.sort(key=lambda r: order.index(r["competition_level"]) if r["competition_level"] in order else 99)
    target = fetch_rows(con, "SELECT * FROM marts.training_target_progress WHERE year <= ? ORDER BY year", [year])

    below = [r for r in funding if r.get("below_standard")]
    shortfall = sum((r["shortfall_yuan"] or Decimal(0) for r in funding), Decimal(0))
    pwa = sum((r["paid_without_approval_yuan"] or Decimal(0) for r in levels), Decimal(0))
    this_year = next((r for r in target if r["year"] == year), None)
    kpis = [
        ("学校数", f"{len(funding)}"),
        ("生均拨款低于标准的学校", f"{len(below)}"),
        ("生均拨款缺口合计（元）", yuan(shortfall)),
        ("大赛奖励应得合计（元）", yuan(sum((r["entitled_yuan"] or Decimal(0) for r in levels), Decimal(0)))),
        ("未经人社局批准发放（元）", yuan(pwa)),
        (
            "劳动教育和职业启蒙培训人数",
            f"{_num(this_year['labor_enlightenment_trainees']):,.0f}" if this_year else "—",
        ),
    ]
    funding_table = _table(
        ["学校", "生均拨款（元/生）", "标准（元/生）", "缺口（元）"],
        [
            [
                (r.get("school_name") or r["school_code"], False),
                (yuan(r["per_student_yuan"]), True),
                (yuan(r["standard_per_student_yuan"]), True),
                (yuan(r["shortfall_yuan"]), True),
            ]
            for r in funding
        ],
    )
    award_table = _table(
        ["大赛级别", "获奖人数", "应得（元）", "申报（元）", "已发放（元）", "未经批准发放（元）", "多发（元）"],
        [
            [
                (choice_zh("competition_level", r["competition_level"]), False),
                (r["awardees"], True),
                (yuan(r["entitled_yuan"]), True),
                (yuan(r["claimed_yuan"]), True),
                (yuan(r["paid_yuan"]), True),
                (yuan(r["paid_without_approval_yuan"]), True),
                (yuan(r["overpaid_yuan"]), True),
            ]
            for r in levels
        ],
    )
    kpi_html = "".join(f"<div>{esc(k)}<b>{esc(v)}</b></div>" for k, v in kpis)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">{PAGE_META}
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(year)}年度吉林市职业教育经费与培训概况</title><style>{_CSS}</style></head>
<body>
<h1>{esc(year)}年度吉林市职业教育经费与培训概况</h1>
<p class="note">生成时间 {GENERATED_AT}；依据吉市政办发〔2022〕32号。明细见同年度经费检查工作簿。</p>
<div class="kpi">{kpi_html}</div>
<h2>各校生均拨款与标准</h2>
{_funding_chart(funding)}
{funding_table}
<h2>技能大赛奖励（按大赛级别）</h2>
{_award_chart(levels)}
{award_table}
<h2>劳动教育和职业启蒙培训目标进度</h2>
{_target_chart(target)}
</body></html>
"""


def write_summary_html(
    con: duckdb.DuckDBPyConnection, year: int, out_path: Path, build_id: str | None = None, written: list[Path] | None = None
) -> Path:
    """Write the year's one-page summary, unless the file already shows the same; returns the path.
    ``build_id`` is recorded in the page; a path actually written is appended to ``written``."""
    out_path = Path(out_path)
    if write_page(out_path, _page(con, year), build_id) and written is not None:
        written.append(out_path)
    return out_path
