"""Receipts (回执): one page per submitter saying what arrived, what was loaded, what was not and why.

A school clerk reads these, so everything is in Chinese, every rejection reason is
listed with its row and column, and each item ends with what to do next.  Files that
could not be attributed to anyone (unreadable, unrecognised) go into one receipt for
the city education bureau, which runs the landing folder and can chase the sender.
Receipts are HTML with every value escaped: names and reasons quote submitted text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.core.templates import CITY_CODE, TEMPLATES
from dagster_project.publish.common import (
    GENERATED_AT,
    PAGE_META,
    Row,
    esc,
    fetch_rows,
    safe_filename,
    school_names,
    submitter_name,
    write_page,
)
from dagster_project.publish.rounds import owed_rows

UNIDENTIFIED = "unidentified"


def receipt_submitter(file_name: str) -> str | None:
    """The submitter a receipt file is addressed to, read back from the name ``write_receipts``
    gives it (``<code>_<name>.html``, ``<code>.html``); None for the unattributed files' receipt,
    which goes to the city. The portal reads receipts in place and scopes them by this."""
    code = Path(file_name).stem.split("_", 1)[0]
    return None if code == UNIDENTIFIED else code


STATUS_ZH: dict[str, str] = {
    "loaded": "已入库",
    "superseded": "已入库，已被更正版本替代",
    "duplicate": "内容重复，未再次入库",
    "rejected": "退回，未入库",
    "unrecognised": "无法识别模板，未入库",
    "unreadable": "文件无法读取，未入库",
    "deferred": "文件仍在变化，暂缓处理",
}

NEXT_STEP: dict[str, str] = {
    "loaded": "无需处理。如发现数据有误，请修改后重新报送整张表，新版本将替代本版本（旧版本留存备查）。",
    "superseded": "无需处理：同一学校（单位）、同一模板、同一年度已有更新的报送替代了这一版本。",
    "duplicate": "无需处理：内容与已入库的版本完全相同，数据以已入库版本为准。",
    "rejected": (
        "请按上列原因逐条修改（行号即 Excel 中看到的行号），修改后将整个文件重新放入报送文件夹。"
        "整张表未入库，不存在部分入库；重新报送后按新报送处理。"
    ),
    "unrecognised": (
        "请使用规定的填报模板：表头须包含模板的全部必填列（中文表头或英文名均可，顺序不限），不要改动表头文字；"
        "改好后重新报送。如该工作表不是报送数据（如说明、汇总页），可忽略本条。"
    ),
    "unreadable": "请用 Excel 或 WPS 打开确认文件完好、未加密，另存为 .xlsx（或 UTF-8 / GBK 编码的 .csv）后重新报送。",
    "deferred": "无需处理：文件复制完成后，下次运行时会自动处理。如文件一直在改动，请先关闭正在编辑它的程序。",
}

_ROW = re.compile(r"第\s*(\d+)\s*行")
_COLUMN = re.compile(r"([^\s:：,，;；、()（）]*(?:（[^）]*）)?)\(([A-Za-z][A-Za-z0-9_]*)\)")
_KNOWN_KEYS = {c.key: c.label for t in TEMPLATES.values() for c in t.columns}

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:24px auto;max-width:960px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:14px;margin:6px 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
th{background:#eef3fa;text-align:left}.st-loaded,.st-duplicate,.st-superseded{color:#2e7d32}.st-rejected,.st-unreadable,.st-unrecognised{color:#c62828}
.next{background:#fff8e1;padding:6px 10px;border-left:4px solid #f9a825}.note{color:#666;font-size:13px}
"""


def parse_reason(line: str, template: str | None = None) -> tuple[str, str]:
    """(row, column) named in one reason line, as text; empty where the reason names none."""
    m = _ROW.search(line)
    row = m.group(1) if m else ""
    cols: list[str] = []
    known = {c.key: c.label for c in TEMPLATES[template].columns} if template in TEMPLATES else _KNOWN_KEYS
    for cm in _COLUMN.finditer(line):
        key = cm.group(2)
        if key in known or key in _KNOWN_KEYS:
            label = known.get(key) or _KNOWN_KEYS[key]
            if label not in cols:
                cols.append(label)
    return row, "、".join(cols)


def select_batch(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> tuple[str | None, list[Row]]:
    """The audit rows of a run; without one, of the run (or else the processing time) of the latest row."""
    if run_id is None:
        latest = con.execute(
            "SELECT run_id, processed_at FROM audit.submissions ORDER BY processed_at DESC NULLS LAST, receipt_seq DESC NULLS LAST LIMIT 1"
        ).fetchone()
        if latest is None:
            return None, []
        run_id, processed_at = latest
        if run_id is None:
            rows = fetch_rows(
                con,
                "SELECT * FROM audit.submissions WHERE run_id IS NULL AND processed_at IS NOT DISTINCT FROM ? "
                "ORDER BY source_file, sheet NULLS FIRST, receipt_seq",
                [processed_at],
            )
            return None, rows
    rows = fetch_rows(
        con, "SELECT * FROM audit.submissions WHERE run_id = ? ORDER BY source_file, sheet NULLS FIRST, receipt_seq", [run_id]
    )
    return run_id, rows


def write_receipts(
    con: duckdb.DuckDBPyConnection, out_dir: Path, run_id: str | None = None, written: list[Path] | None = None
) -> list[Path]:
    """Write one receipt per submitter of the run into ``out_dir``; returns their paths.

    ``run_id`` None means the latest batch.  Rows without a submitter go into
    ``unidentified_未识别来源.html``, addressed to the city education bureau (220200).
    A receipt that already says the same is left alone (its time too); the ones actually
    written are appended to ``written``.
    """
    run_id, rows = select_batch(con, run_id)
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[r["submitter_code"] or UNIDENTIFIED].append(r)
    schools = school_names(con)
    versions = _version_notes(con, rows)
    owed = _still_owed(con)
    out_dir = Path(out_dir)
    paths: list[Path] = []
    for code in sorted(groups):
        if code == UNIDENTIFIED:
            path = out_dir / f"{UNIDENTIFIED}_未识别来源.html"
            page = _page(None, "未识别来源的文件（请市教育局核实报送单位）", groups[code], run_id, versions)
        else:
            name = submitter_name(code, schools)
            path = out_dir / (f"{code}_{safe_filename(name)}.html" if name else f"{code}.html")
            page = _page(code, name, groups[code], run_id, versions, owed.get(code))
        if write_page(path, page) and written is not None:
            written.append(path)
        paths.append(path)
    return paths


def _version_notes(con: duckdb.DuckDBPyConnection, rows: list[Row]) -> dict[str, str]:
    """submission_id -> a sentence on which version this is and what it replaced or repeated."""
    ids = [r["superseded_by"] for r in rows if r.get("superseded_by")]
    newer: dict[str, Row] = {}
    if ids:
        for r in fetch_rows(
            con, "SELECT submission_id, source_file, sheet, version FROM audit.submissions WHERE list_contains(?, submission_id)", [ids]
        ):
            newer[r["submission_id"]] = r
    locked = _locked_versions(con)
    out: dict[str, str] = {}
    for r in rows:
        v, status = r.get("version"), r["status"]
        if status == "loaded" and v:
            out[r["submission_id"]] = f"第 {v} 版" + (f"，替代了此前报送的第 {v - 1} 版（更正）" if v > 1 else "（首次报送）")
            approved, is_locked = locked.get((r.get("template"), r.get("submitter_code"), r.get("year")), (None, False))
            if approved is not None and approved != v:
                state = PENDING_REVISION if is_locked else REOPENED
                out[r["submission_id"]] += f"；{state}，市教育局审批前仍以已审批的第 {approved} 版为准"
        elif status == "superseded":
            n = newer.get(r.get("superseded_by") or "")
            by = (
                f"被 {n['source_file']}{' / ' + n['sheet'] if n and n.get('sheet') else ''} 第 {n['version']} 版替代"
                if n
                else "已被更新的版本替代"
            )
            out[r["submission_id"]] = (f"第 {v} 版，" if v else "") + by
        elif status == "duplicate":
            out[r["submission_id"]] = f"与已入库的第 {v} 版内容相同" if v else "与已入库的版本内容相同"
    return out


def _still_owed(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]]:
    """submitter -> the rounds it still owes, as of the last build (publish.rounds.owed_rows)."""
    out: dict[str, list[Row]] = defaultdict(list)
    for r in owed_rows(con):
        out[r["submitter_code"]].append(r)
    for owed in out.values():
        owed.sort(key=lambda r: (r["year"], r["template"]))
    return out


def _owed_html(owed: list[Row]) -> str:
    if not owed:
        return ""
    lines = "".join(
        f"<tr><td>{esc(r['year'])}</td><td>{esc(r['template_zh'] or r['template'])}</td>"
        f"<td>{esc(r['status_zh'])}</td><td>{esc(r['deadline'])}</td>"
        f"<td>{'已逾期' if r['is_late'] else ''}</td></tr>"
        for r in owed
    )
    return (
        "<h2>尚未完成的报送任务（截至上次汇总）</h2><table><tr><th>年度</th><th>报表</th><th>状态</th><th>截止日期</th><th></th></tr>"
        f"{lines}</table>\n"
    )


PENDING_REVISION = "已锁定，作为待审修订版本保存 (stored as a pending revision)"
REOPENED = "已重新开放，作为待审版本保存 (reopened: stored for approval)"


def _locked_versions(con: duckdb.DuckDBPyConnection) -> dict[tuple[Any, Any, Any], tuple[int, bool]]:
    """(template, submitter, year) -> (approved version, locked), for every identity with an
    approved version (issue 10), locked or reopened since (issue 18: it stays approved)."""
    try:
        rows = con.execute(
            "SELECT template, submitter_code, year, approved_version, locked FROM audit.review_state WHERE approved_version IS NOT NULL"
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse from before issue 10, opened read-only
        return {}
    return {(t, c, y): (int(v), bool(lk)) for t, c, y, v, lk in rows}


def _fmt_time(v: object) -> str:
    return f"{v:%Y-%m-%d %H:%M}" if isinstance(v, datetime) else ("" if v is None else str(v))


def _page(code: str | None, name: str, rows: list[Row], run_id: str | None, versions: dict[str, str], owed: list[Row] | None = None) -> str:
    who = f"{name}（{code}）" if code and name else (code or name)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["status"]] += 1
    summary = "，".join(f"{STATUS_ZH.get(s, s)} {n} 项" for s, n in counts.items())
    items = "".join(_item(i, r, versions) for i, r in enumerate(rows, 1))
    addressee = f"吉林市教育局（{CITY_CODE}）" if code is None else who
    footer = (
        "以上文件未能确定报送单位（无法读取或无法识别模板）。请根据文件名和报送时间联系报送单位，按每项的处理意见修改后重新报送。"
        if code is None
        else "如对本回执有疑问，请联系吉林市教育局职业教育统计工作人员。"
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">{PAGE_META}
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>数据报送回执 {esc(who)}</title><style>{_CSS}</style></head>
<body>
<h1>吉林市职业教育统计数据报送回执</h1>
<table>
<tr><th>致</th><td>{esc(addressee)}</td></tr>
<tr><th>报送单位</th><td>{esc(who)}</td></tr>
<tr><th>处理批次</th><td>{esc(run_id or "—")}</td></tr>
<tr><th>回执生成时间</th><td>{GENERATED_AT}</td></tr>
<tr><th>本次处理</th><td>共 {len(rows)} 项：{esc(summary)}</td></tr>
</table>
{items}
{_owed_html(owed or [])}
<p class="note">{esc(footer)}</p>
</body></html>
"""


def _item(i: int, r: Row, versions: dict[str, str]) -> str:
    status = r["status"]
    template = r.get("template")
    tpl = f"{TEMPLATES[template].zh}（{template}）" if template in TEMPLATES else (template or "未识别")
    facts: list[tuple[str, str]] = [
        ("文件", r["source_file"]),
        ("工作表", r.get("sheet") or "—"),
        ("模板", tpl),
        ("年度", str(r["year"]) if r.get("year") is not None else "未能确定"),
        ("接收时间", _fmt_time(r.get("received_at"))),
        ("回执编号", str(r["receipt_seq"]) if r.get("receipt_seq") is not None else "—"),
        ("处理结果", STATUS_ZH.get(status, status)),
        ("读取数据行数", str(r["rows"]) if r.get("rows") is not None else "—"),
    ]
    if status in ("loaded", "superseded", "duplicate"):
        facts.append(("版本", versions.get(r["submission_id"], "—")))
        if status == "loaded":
            facts.append(("入库行数", str(r["rows"]) if r.get("rows") is not None else "—"))
        # words read as empty (无, 待批 …), once per column: ingestion wrote them (parse.word_notes)
        notes = [ln.strip() for ln in (r.get("notes") or "").splitlines() if ln.strip()]
        if notes:
            facts.append(("说明", "；".join(notes)))
    rows_html = "".join(
        f"<tr><th>{esc(k)}</th><td{' class=st-' + esc(status) if k == '处理结果' else ''}>{esc(v)}</td></tr>" for k, v in facts
    )
    reasons = [ln.strip() for ln in (r.get("reasons") or "").splitlines() if ln.strip()]
    reason_html = ""
    if reasons:
        lines = []
        for n, ln in enumerate(reasons, 1):
            row, col = parse_reason(ln, template)
            lines.append(f"<tr><td>{n}</td><td>{esc(row or '—')}</td><td>{esc(col or '—')}</td><td>{esc(ln)}</td></tr>")
        reason_html = (
            f"<p>原因（共 {len(reasons)} 条）：</p><table><tr><th>序号</th><th>行</th><th>列</th><th>原因</th></tr>{''.join(lines)}</table>"
        )
    step = NEXT_STEP.get(status, "请联系市教育局。")
    title = esc(r["source_file"]) + (esc(" / " + r["sheet"]) if r.get("sheet") else "")
    return f'<h2>{i}. {title}</h2><table>{rows_html}</table>{reason_html}<p class="next">下一步：{esc(step)}</p>\n'
