"""A one-page HTML summary of a year, with charts drawn by Apache ECharts.

The page is self-contained (ECharts and the chart data inline; no external script, style
sheet, font or image) so it can be mailed or opened offline; its Content-Security-Policy
allows only inline scripts and forbids any fetch. All text, including school names from
submissions, is HTML-escaped, and the chart data sits in a JSON block that cannot end early.
A missing value (a school without enrolled students) is null in the chart data: a gap.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.publish.common import (
    GENERATED_AT,
    PAGE_META,
    Row,
    choice_order,
    choice_zh,
    county_names,
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
td.n,td.nowrap{white-space:nowrap}.wide{overflow-x:auto;max-width:100%}
.chart{width:100%;max-width:100%;overflow:hidden;margin:8px 0}.note{color:#666;font-size:12px}td.bad{color:#9c0006;background:#ffc7ce}
.figures{border-left:4px solid #ed7d31;background:#fdf3ec;padding:6px 10px}
@media (max-width:600px){body{margin:8px}.kpi div{min-width:0;flex:1 1 40%}h1{font-size:18px}}
"""
_NUM = ' class="n"'
_BLUE, _ORANGE, _GREY, _RED = "#4472c4", "#ed7d31", "#a5a5a5", "#c0504d"
_FONT = '"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif'

# Apache ECharts (vendored from npm, Apache-2.0; see vendor/README.md), inlined so the page
# draws its charts offline and fetches nothing.
_ECHARTS = resources.files("dagster_project.publish").joinpath("vendor/echarts.min.js")

# Draws every chart of the page: value axes get thousands separators, tooltips are drawn as
# chart text (renderMode richText), never as HTML built from submitted names.
_INIT_JS = """
(function () {
  var specs = JSON.parse(document.getElementById("vocwh-charts").textContent);
  var fmt = function (v) { return Number(v).toLocaleString("zh-CN"); };
  specs.forEach(function (spec) {
    var opt = spec.option;
    [].concat(opt.xAxis || [], opt.yAxis || []).forEach(function (ax) {
      if (ax.type === "value") { ax.axisLabel = Object.assign({formatter: fmt}, ax.axisLabel || {}); }
    });
    var el = document.getElementById(spec.id);
    if (el.clientWidth < 600) {  // a phone: school names take less of the width, the legend scrolls
      [].concat(opt.yAxis || []).forEach(function (ax) {
        if (ax.type === "category" && ax.axisLabel) { ax.axisLabel.width = 110; }
      });
      if (opt.legend) { opt.legend.type = "scroll"; }
    }
    var chart = echarts.init(el, null, {renderer: "svg"});
    chart.setOption(opt);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
"""


def _num(v: object) -> float | None:
    """A chart value: None stays None (ECharts leaves a gap, not a zero bar)."""
    return to_float(v)


def _marker(name: str, color: str) -> dict[str, Any]:
    """A legend entry for a colour some bars take (no data of its own): the legend explains every colour."""
    return {"name": name, "type": "scatter", "symbol": "rect", "data": [], "itemStyle": {"color": color}}


def _base(legend: list[str]) -> dict[str, Any]:
    return {
        "animation": False,
        "textStyle": {"fontFamily": _FONT},
        "legend": {"data": legend, "bottom": 0, "type": "plain"},
        "tooltip": {"trigger": "axis", "renderMode": "richText", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 48, "top": 36, "bottom": 64, "containLabel": True},
    }


def _funding_chart(rows: list[Row]) -> dict[str, Any] | None:
    """Horizontal bars: per-student funding of each school (red below standard, grey without
    one, a gap without enrolled students), with each school's standard as a marker."""
    if not rows:
        return None
    names = [str(r.get("school_name") or r["school_code"]) for r in rows]
    bars = []
    for r in rows:
        color = _GREY if r.get("standard_per_student_yuan") is None else (_RED if r.get("below_standard") else _BLUE)
        bars.append({"value": _num(r["per_student_yuan"]), "itemStyle": {"color": color}})
    opt = _base(["生均拨款", "低于标准", "无拨款标准（如市属高职）", "拨款标准"])
    opt.update(
        {
            "yAxis": {"type": "category", "data": names, "inverse": True, "axisLabel": {"width": 220, "overflow": "truncate"}},
            "xAxis": {"type": "value", "name": "元/生", "nameLocation": "end"},
            "series": [
                {"name": "生均拨款", "type": "bar", "data": bars, "itemStyle": {"color": _BLUE}, "barMaxWidth": 16},
                {
                    "name": "拨款标准",
                    "type": "scatter",
                    "symbol": "rect",
                    "symbolSize": [3, 18],
                    "itemStyle": {"color": "#222"},
                    "data": [_num(r["standard_per_student_yuan"]) for r in rows],
                },
                _marker("低于标准", _RED),
                _marker("无拨款标准（如市属高职）", _GREY),
            ],
        }
    )
    return {"option": opt, "height": 60 + 26 * len(rows)}


def _award_chart(rows: list[Row]) -> dict[str, Any] | None:
    """Grouped columns per competition level: entitled, claimed, paid."""
    if not rows:
        return None
    series = (("entitled_yuan", "应得", _BLUE), ("claimed_yuan", "申报", _ORANGE), ("paid_yuan", "已发放", _GREY))
    opt = _base([label for _, label, _ in series])
    opt.update(
        {
            "xAxis": {
                "type": "category",
                "data": [choice_zh("competition_level", r["competition_level"]) for r in rows],
                "name": "大赛级别",
                "nameLocation": "middle",
                "nameGap": 28,
            },
            "yAxis": {"type": "value", "name": "金额（元）"},
            "series": [
                {"name": label, "type": "bar", "itemStyle": {"color": color}, "data": [_num(r[key]) for r in rows]}
                for key, label, color in series
            ],
        }
    )
    return {"option": opt, "height": 340}


def _target_chart(rows: list[Row]) -> dict[str, Any] | None:
    """Columns of labour-enlightenment trainees per year, the average to date and the target."""
    if not rows:
        return None
    opt = _base(["培训人数", "当年未达目标", "2021年以来年均", "年均目标"])
    opt.update(
        {
            "xAxis": {"type": "category", "data": [str(r["year"]) for r in rows], "name": "年度", "nameLocation": "middle", "nameGap": 28},
            "yAxis": {"type": "value", "name": "人数"},
            "series": [
                {
                    "name": "培训人数",
                    "type": "bar",
                    "barMaxWidth": 48,
                    "itemStyle": {"color": _BLUE},
                    "data": [
                        {"value": _num(r["labor_enlightenment_trainees"]), "itemStyle": {"color": _BLUE if r.get("year_met") else _RED}}
                        for r in rows
                    ],
                },
                {
                    "name": "2021年以来年均",
                    "type": "line",
                    "itemStyle": {"color": _ORANGE},
                    "data": [_num(r["average_to_date"]) for r in rows],
                },
                {
                    "name": "年均目标",
                    "type": "line",
                    "step": "middle",
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": _RED},
                    "itemStyle": {"color": _RED},
                    "data": [_num(r["target"]) for r in rows],
                },
                _marker("当年未达目标", _RED),
            ],
        }
    )
    return {"option": opt, "height": 320}


def _indicator_chart(rows: list[Row]) -> dict[str, Any] | None:
    """Recruitment compliance by county this year (the rate the policy wants at 1)."""
    counties = [r for r in rows if r["indicator"] == "recruitment_compliance_rate"]
    if not counties:
        return None
    opt = _base(["招聘合规率", "未达100%"])
    opt.update(
        {
            "xAxis": {"type": "category", "data": [str(r["scope_name"]) for r in counties], "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": {"type": "value", "name": "合规率（%）", "min": 0, "max": 100},
            "series": [
                {
                    "name": "招聘合规率",
                    "type": "bar",
                    "barMaxWidth": 36,
                    "itemStyle": {"color": _BLUE},
                    "data": [
                        {"value": _percent(r["value"]), "itemStyle": {"color": _RED if r.get("direction_met") is False else _BLUE}}
                        for r in counties
                    ],
                },
                _marker("未达100%", _RED),
            ],
        }
    )
    return {"option": opt, "height": 320}


def _percent(v: object) -> float | None:
    """A rate 0..1 as a percentage, one decimal (0.857143 -> 85.7)."""
    f = to_float(v)
    return None if f is None else round(f * 100, 1)


def _script_json(value: object) -> str:
    """JSON for a <script type="application/json"> block: nothing in it can end the block."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


class _Charts:
    """The page's charts: a placeholder where each goes, their options in one JSON block."""

    def __init__(self) -> None:
        self.specs: list[dict[str, Any]] = []

    def place(self, name: str, chart: dict[str, Any] | None, empty: str) -> str:
        if chart is None:
            return f'<p class="note">{esc(empty)}</p>'
        cid = f"chart-{name}"
        self.specs.append({"id": cid, "option": chart["option"]})
        return f'<div class="chart" id="{cid}" style="height:{int(chart["height"])}px" role="img" aria-label="{esc(name)}"></div>'

    def scripts(self) -> str:
        if not self.specs:
            return ""
        return (
            f'<script type="application/json" id="vocwh-charts">{_script_json(self.specs)}</script>\n'
            f"<script>{_ECHARTS.read_text(encoding='utf-8')}</script>\n<script>{_INIT_JS}</script>"
        )


def _table(headers: list[str], rows: list[list[tuple[object, bool]]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td{_NUM if num else ''}>{esc(v)}</td>" for v, num in r) + "</tr>" for r in rows)
    return f'<div class="wide"><table><tr>{head}</tr>{body}</table></div>'


_SCOPE_LABELS = {"city": "全市", "county": "县（市）区", "school": "学校"}


def _indicator_rows(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    """City and county indicators of the year, as marts.policy_indicators holds them."""
    rows = fetch_rows(
        con,
        """
        SELECT * FROM marts.policy_indicators WHERE year = ? AND scope_type IN ('city', 'county')
        ORDER BY indicator, CASE scope_type WHEN 'city' THEN 0 ELSE 1 END, scope_code
        """,
        [year],
    )
    counties = county_names()
    for r in rows:
        r["scope_name"] = counties.get(r["scope_code"], r["scope_code"])
    return rows


def _plain(v: object) -> str:
    """A value as the table shows it: — for none, no trailing zeros (0.750000 -> 0.75)."""
    f = to_float(v)
    if f is None:
        return "—"
    return f"{f:,.6f}".rstrip("0").rstrip(".")


_YES_NO_MARK = "（1=是）"  # an indicator that is a yes/no, stored as 1/0 (seed policy_indicator_rules)


def _shown(indicator: str, name: str, v: object, change: bool = False) -> str:
    """An indicator's value as read: a rate as a percentage with one decimal (its change in
    percentage points), a yes/no indicator as 是/否 and 未报送 when unknown (unknown is not no),
    anything else as a plain number."""
    f = to_float(v)
    if indicator.endswith("_rate"):
        if f is None:
            return "—"
        return f"{f * 100:+.1f} 个百分点" if change else f"{f * 100:.1f}%"
    if _YES_NO_MARK in name:
        if change:
            return "—" if f is None or f == 0 else ("由否改为是" if f > 0 else "由是改为否")
        return "未报送" if f is None else ("是" if f else "否")
    return _plain(v)


def _indicator_table(rows: list[Row]) -> str:
    if not rows:
        return '<p class="note">本年度无政策指标数据。</p>'
    head = "".join(f"<th>{h}</th>" for h in ("指标", "范围", "本年值", "上年值", "变化", "符合政策方向", "依据条款"))
    body = []
    for r in rows:
        met = r.get("direction_met")
        key, name = str(r["indicator"]), str(r.get("indicator_zh") or r["indicator"])
        cells = [
            f"<td>{esc(name.replace(_YES_NO_MARK, ''))}</td>",
            f'<td class="nowrap">{esc(r["scope_name"])}</td>',
            f"<td{_NUM}>{esc(_shown(key, name, r['value']))}</td>",
            f"<td{_NUM}>{esc(_shown(key, name, r['previous_value']))}</td>",
            f"<td{_NUM}>{esc(_shown(key, name, r['change'], change=True))}</td>",
            '<td class="bad">否</td>' if met is False else f"<td>{'是' if met else ''}</td>",
            f"<td>{esc(r.get('rule') or '')}（{esc(r.get('source_clause') or '')}）</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="wide"><table><tr>{head}</tr>{"".join(body)}</table></div>'


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
    indicators = _indicator_rows(con, year)

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
    # A school without a bar says why: no enrolled students (no per-student figure), or nothing
    # appropriated (a bar of length 0), as the mart's flags say.
    legend_note = "灰色柱：无拨款标准（如市属高职），不计缺口；红色柱：低于标准；黑色短线：拨款标准。"
    why = []
    for r in funding:
        name = str(r.get("school_name") or r["school_code"])
        if r["per_student_yuan"] is None:
            why.append(f"{name}（无在校生报送，无法计算生均拨款）")
        elif not to_float(r["per_student_yuan"]):
            why.append(f"{name}（实际拨付为0{'，无拨款报送' if r.get('no_appropriation') else ''}）")
    no_bar_note = f'<p class="note">{esc(legend_note)}' + (f"无柱的 {len(why)} 所学校：{esc('；'.join(why))}。" if why else "") + "</p>"
    charts = _Charts()
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">{PAGE_META}
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(year)}年度吉林市职业教育经费与培训概况</title><style>{_CSS}</style></head>
<body>
<h1>{esc(year)}年度吉林市职业教育经费与培训概况</h1>
<p class="note">生成时间 {GENERATED_AT}；依据吉市政办发〔2022〕32号。明细见同年度经费检查工作簿。</p>
<p class="figures"><b>本页为最新报送数</b>：各校、各县区最新报送的数据，<b>包括尚未审批的报送</b>。经费检查工作簿 finance_{esc(year)}.xlsx 只含市教育局已审批的数据，财政按工作簿拨付；在审批前工作簿各表为空，两者不同之处见工作簿“审批后变更”表。
Latest figures as received, not yet approved; the finance workbook shows the approved figures.</p>
<div class="kpi">{kpi_html}</div>
<h2>各校生均拨款与标准</h2>
{charts.place("funding", _funding_chart(funding), "本年度无生均拨款数据。")}
{no_bar_note if funding else ""}
{funding_table}
<h2>技能大赛奖励（按大赛级别）</h2>
{charts.place("awards", _award_chart(levels), "本年度无技能大赛奖励数据。")}
{award_table}
<h2>劳动教育和职业启蒙培训目标进度</h2>
{charts.place("target", _target_chart(target), "无劳动教育和职业启蒙培训数据。")}
<h2>政策指标</h2>
<p class="note">全市及各县（市）区的指标；各校的指标见工作簿“政策指标”表。“否”为未达到政策方向，空白为仅供参考的指标或无上年数据。</p>
{_indicator_table(indicators)}
{charts.place("recruitment", _indicator_chart(indicators), "本年度无教师招聘数据。")}
{charts.scripts()}
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
