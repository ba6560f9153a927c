"""The finance workbook: one sheet per policy check, for the bureau's finance office.

Every sheet is a dbt model of ``dbt/models/reports/finance`` (issue 17), built by the approved
build: finance pays against the figures the city approved and locked (issue 10). The models
hold every row, name, label, text and 合计 row the workbook shows; their yml ``meta`` holds
how it looks (sheet, title, headers, formats, widths, frozen columns). This module only lays
the models out, in one loop: it adds no figure and sums nothing.

Every text cell may come from a submission, so text is only ever written with
``write_string`` and text that a spreadsheet could take for a formula (``=``, ``+``,
``-``, ``@``, tab, carriage return) gets a quote-prefix style as well: Excel shows and
keeps it as text even when the cell is edited.  The workbook is written aside and
renamed into place, so a reader never opens half a file.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from dagster_project.core.files import replace_atomically, temp_path
from dagster_project.publish.common import Row, content_hash, fetch_rows, to_float
from dagster_project.publish.summary import write_summary_html
from dagster_project.transform.dbt_project import APPROVED, Model, models

__all__ = ["FORMULA_TRIGGERS", "REPORT_SCHEMA", "YUAN_FORMAT", "Sheet", "sheets", "write_finance_workbook", "write_summary_html"]

REPORT_SCHEMA = "reports"  # dbt_project.yml: models/reports/, built by the approved build
YUAN_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.00%"
# First characters that make Excel, LibreOffice or WPS read text as a formula (CSV/DDE injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
YES, NO = "是", "否"
TOTAL_LABEL = "合计"  # first cell of a model's is_total row
NUMBER_FORMATS = ("int", "num", "money", "share")
FORMATS = ("text", "wrap", *NUMBER_FORMATS, "flag")  # a column's meta format
HIGHLIGHTS = (None, "when_true", "when_false", "when_set")  # a column's meta highlight

# Printing (issue 21: fitted to A4, 生均拨款 printed at 4.9 pt). Each sheet prints one page
# wide, landscape, on A4 when that keeps the 11 pt body text at MIN_PRINT_PT or more, else on
# A3; a layout too wide even for A3 is refused, so a wider column in the yml fails the tests
# rather than a finance office's printer. A column of width w is 7.5w + 5 px at 96 dpi, 0.75
# pt a pixel: Excel rounds Calibri 11's digit to 7 px, LibreOffice (with Carlito, Calibri's
# metric twin) takes it unrounded, 7.44 px, and measured pages agree with 7.5 (issue 21).
BODY_PT = 11.0
MIN_PRINT_PT = 8.2  # 8 pt, and a margin for the renderers' rounding
MARGIN_IN = 0.4
PAPERS = ((9, "A4", 841.9), (8, "A3", 1190.55))  # xlsx paper code, name, landscape width in pt


@dataclass(frozen=True)
class Column:
    """A shown column of a report model, from its yml meta."""

    key: str
    header: str
    format: str  # text | wrap | int | num | money | share | flag
    width: float
    highlight: str | None  # when_true / when_false (flags) or when_set (text): bad news, marked red


@dataclass(frozen=True)
class Block:
    """One report model laid out as a table on a sheet."""

    model: Model
    title: str  # {year}: the workbook's year
    columns: tuple[Column, ...]
    up_to_year: bool  # the workbook shows the rows of every year up to its own
    freeze_columns: int


@dataclass(frozen=True)
class Sheet:
    """A workbook sheet: its report models in order (培训目标 has two), described by the first."""

    name: str
    blocks: tuple[Block, ...]

    @property
    def help(self) -> str:
        """What the sheet 说明 says about it: the first model's description."""
        return self.blocks[0].model.description


def _block(model: Model) -> Block:
    cols = tuple(
        Column(key, meta["header"], meta.get("format", "text"), float(meta.get("width", 14)), meta.get("highlight"))
        for key, meta in model.column_meta.items()
        if meta.get("header")
    )
    for col in cols:  # a typo in the yml would otherwise show a figure as plain text
        if col.format not in FORMATS or col.highlight not in HIGHLIGHTS:
            raise ValueError(f"{model.name}.{col.key}: meta format {col.format!r} / highlight {col.highlight!r} unknown")
    meta = model.meta
    return Block(model, str(meta.get("title", model.name)), cols, meta.get("rows") == "up_to_year", int(meta.get("freeze_columns", 0)))


def sheets() -> tuple[Sheet, ...]:
    """The workbook's sheets after 说明, in meta order: every report model with a meta ``sheet``."""
    found = sorted(
        (m for m in models(figures=APPROVED) if m.schema == REPORT_SCHEMA and m.meta.get("sheet")), key=lambda m: m.meta["order"]
    )
    out: dict[str, list[Block]] = {}
    for m in found:
        out.setdefault(str(m.meta["sheet"]), []).append(_block(m))
    return tuple(Sheet(name, tuple(blocks)) for name, blocks in out.items())


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        border = {"border": 1, "border_color": "#BFBFBF", "valign": "vcenter"}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.note_wrap = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.header = wb.add_format({**border, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center"})
        self.text = wb.add_format({**border})
        # "@" is Excel's Text number format; quote_prefix is the stored equivalent of a leading '.
        self.guarded = wb.add_format({**border, "quote_prefix": True, "num_format": "@"})
        self.wrap = wb.add_format({**border, "text_wrap": True, "valign": "top"})
        self.number = {
            "int": wb.add_format({**border, "num_format": "#,##0"}),
            "num": wb.add_format({**border, "num_format": "#,##0.00"}),
            "money": wb.add_format({**border, "num_format": YUAN_FORMAT}),
            "share": wb.add_format({**border, "num_format": SHARE_FORMAT}),
        }
        self.flag = wb.add_format({**border, "align": "center"})
        self.alert = wb.add_format({**border, "align": "center", "bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.alert_wrap = wb.add_format({**border, "text_wrap": True, "valign": "top", "bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.total_label = wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2"})
        self.total_money = wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2", "num_format": YUAN_FORMAT})
        self.total_int = wb.add_format({**border, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0"})
        self.total_blank = wb.add_format({**border, "bg_color": "#F2F2F2"})


def write_text(ws: Worksheet, row: int, col: int, value: object, fmts: _Formats, fmt: Format | None = None) -> None:
    """Write text as a string cell, never a formula; formula-like text also gets the quote prefix."""
    if value is None or str(value).strip() == "":
        ws.write_blank(row, col, None, fmt or fmts.text)
        return
    s = str(value)
    ws.write_string(row, col, s, fmts.guarded if s.startswith(FORMULA_TRIGGERS) else (fmt or fmts.text))


def _write_cell(ws: Worksheet, r: int, c: int, col: Column, v: object, fmts: _Formats) -> None:
    if col.format == "flag":
        if v is None:
            ws.write_blank(r, c, None, fmts.flag)
        else:
            bad = (v and col.highlight == "when_true") or (not v and col.highlight == "when_false")
            ws.write_string(r, c, YES if v else NO, fmts.alert if bad else fmts.flag)
    elif col.format in NUMBER_FORMATS:
        f = to_float(v)
        if f is None:
            ws.write_blank(r, c, None, fmts.number[col.format])
        else:
            ws.write_number(r, c, f, fmts.number[col.format])
    else:
        marked = col.highlight == "when_set" and bool(v)
        write_text(ws, r, c, v, fmts, fmts.alert_wrap if marked else (fmts.wrap if col.format == "wrap" else None))


def _write_total_cell(ws: Worksheet, r: int, c: int, col: Column, v: object, fmts: _Formats) -> None:
    f = to_float(v) if c > 0 and col.format in NUMBER_FORMATS else None
    if c == 0:
        ws.write_string(r, c, TOTAL_LABEL, fmts.total_label)
    elif f is not None:
        ws.write_number(r, c, f, fmts.total_money if col.format == "money" else fmts.total_int)
    else:
        ws.write_blank(r, c, None, fmts.total_blank)


def _write_table(ws: Worksheet, fmts: _Formats, top: int, cols: Sequence[Column], rows: Sequence[Row], filter_: bool) -> int:
    """Header at ``top``, the model's rows below (its 合计 row last); returns the next free row."""
    for c, col in enumerate(cols):
        ws.write_string(top, c, col.header, fmts.header)
    r = top + 1
    data = [row for row in rows if not row["is_total"]]
    for row in data:
        for c, col in enumerate(cols):
            _write_cell(ws, r, c, col, row.get(col.key), fmts)
        # As tall as its longest wrapped text: LibreOffice prints a row without a height at one line.
        lines = max((_lines(str(row[col.key]), col.width) for col in cols if col.format == "wrap" and row.get(col.key)), default=1)
        if lines > 1:
            ws.set_row(r, 15 * lines + 3)
        r += 1
    if not data:
        ws.write_string(r, 0, "（本年度无数据）", fmts.note)
        return r + 1
    if filter_:  # one filter per sheet (Excel allows no more): the first table's
        ws.autofilter(top, 0, r - 1, len(cols) - 1)
    for row in rows:
        if row["is_total"]:
            for c, col in enumerate(cols):
                _write_total_cell(ws, r, c, col, row.get(col.key), fmts)
            r += 1
    return r


def sheet_width_pt(widths: Sequence[float]) -> float:
    """The printed width of columns of these Excel widths, at 100 %."""
    return sum(7.5 * w + 5 for w in widths) * 0.75


def paper_for(widths: Sequence[float]) -> tuple[int, str, float]:
    """(xlsx paper code, name, body text size in pt) of the smallest paper that prints columns
    of these widths one page wide at MIN_PRINT_PT or more; ValueError when none does."""
    width = sheet_width_pt(widths)
    for code, name, paper_pt in PAPERS:
        size = BODY_PT * min(1.0, (paper_pt - 2 * 72 * MARGIN_IN) / width)
        if size >= MIN_PRINT_PT:
            return code, name, size
    raise ValueError(f"columns {width:.0f} pt wide print below {MIN_PRINT_PT} pt even on A3: narrow or split the sheet")


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` wide (a CJK character is two widths)."""
    units = sum(2.2 if ord(ch) > 0x2E7F else 1.0 for ch in text)
    return max(1, -int(-units // max(width - 1, 1)))


def _merged_note(ws: Worksheet, row: int, last_col: int, text: str, width: float, fmt: Format) -> None:
    """A sentence across the sheet's columns, wrapped and as tall as it needs: text that ran past
    the last column was cut off when printed."""
    ws.merge_range(row, 0, row, last_col, text, fmt)
    ws.set_row(row, 15 * _lines(text, width) + 3)


def _print_setup(ws: Worksheet, repeat_to: int, widths: Sequence[float]) -> None:
    """Print as finance offices print (to sign and stamp): landscape, all columns on one page
    width (as many pages down as needed) on the paper that keeps the text legible (paper_for),
    the title and header rows on every page, page numbers."""
    ws.set_landscape()
    ws.set_paper(paper_for(widths)[0])
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, repeat_to)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


def _write_sheet(
    wb: xlsxwriter.Workbook,
    fmts: _Formats,
    sheet: Sheet,
    year: int,
    data: dict[str, list[Row]],
    titles: dict[str, str],
    note: str | None,
) -> None:
    """Title in row 1, the year's approval note in row 2 (how many submissions are approved and
    waiting, why the sheet may be empty), the first table's header in row 3 (all three frozen
    and printed on every page), data from row 4; a later table (培训目标's per-type volume)
    below it under its own title, two rows apart."""
    ws = wb.add_worksheet(sheet.name)
    first = sheet.blocks[0]
    widths = [col.width for col in first.columns]
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.write_string(0, 0, titles.get(first.model.name) or first.title.format(year=year), fmts.title)
    if note:
        _merged_note(ws, 1, len(widths) - 1, note, sum(widths), fmts.note_wrap)
    ws.set_row(2, max(32, 15 * max(_lines(col.header, col.width) for col in first.columns) + 3))  # headers wrap
    r = _write_table(ws, fmts, 2, first.columns, data[first.model.name], filter_=True)
    for block in sheet.blocks[1:]:
        r += 2
        # a later table's first column holds its labels (training types): its width wins there
        ws.set_column(0, 0, block.columns[0].width)
        widths[0] = max(widths[0], block.columns[0].width)
        ws.write_string(r, 0, titles.get(block.model.name) or block.title.format(year=year), fmts.title)
        r = _write_table(ws, fmts, r + 1, block.columns, data[block.model.name], filter_=False)
    ws.freeze_panes(3, first.freeze_columns)
    _print_setup(ws, repeat_to=2, widths=widths)


def _readme_sheet(
    wb: xlsxwriter.Workbook, fmts: _Formats, year: int, book: Sequence[Sheet], data: dict[str, list[Row]], note: str | None
) -> None:
    """The sheet 说明: what the workbook shows (approved figures) and how many of the year's
    submissions are approved and waiting, then what each sheet holds (its model's description)
    and how many rows. Every long sentence is wrapped across the three columns, as printed."""
    ws = wb.add_worksheet("说明")
    widths = (16.0, 100.0, 10.0)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.write_string(0, 0, f"吉林市职业教育统计 {year}年度 经费检查工作簿", fmts.title)
    _merged_note(
        ws,
        1,
        2,
        f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；数据来源：职业教育统计数据仓库（各校、各县区报送数据）。金额单位：元。"
        "本工作簿所有数据均为市教育局审批锁定的版本（已审批数据），财政按此拨付；尚未审批的报送不计入。",
        sum(widths),
        fmts.note_wrap,
    )
    if note:
        _merged_note(ws, 2, 2, note, sum(widths), fmts.note_wrap)
    ws.write_string(3, 0, "工作表", fmts.header)
    ws.write_string(3, 1, "内容与检查口径", fmts.header)
    ws.write_string(3, 2, "行数", fmts.header)
    for i, sheet in enumerate(book, 4):
        ws.write_string(i, 0, sheet.name, fmts.text)
        ws.write_string(i, 1, sheet.help, fmts.wrap)
        ws.set_row(i, 15 * _lines(sheet.help, widths[1]) + 3)
        ws.write_number(i, 2, sum(1 for r in data[sheet.blocks[0].model.name] if not r["is_total"]), fmts.number["int"])
    _merged_note(
        ws,
        4 + len(book) + 1,
        2,
        "“是/否”列中标红的“是”为需要核实的问题。以“=、+、-、@”开头的文字按原样作为文本显示，不作公式计算。",
        sum(widths),
        fmts.note_wrap,
    )
    _merged_note(
        ws,
        4 + len(book) + 2,
        2,
        "“最新报送”列：该行的最新报送数据与已审批数据不同之处（已变更的列，或已撤回），标红；为空即与已审批数据一致。"
        "“审批后变更”表列出本年度所有不一致之处，包括尚未审批、因而不在各表中的报送。",
        sum(widths),
        fmts.note_wrap,
    )
    ws.freeze_panes(4, 0)
    _print_setup(ws, repeat_to=0, widths=widths)
    ws.activate()


def _read(con: duckdb.DuckDBPyConnection, book: Sequence[Sheet], year: int) -> tuple[dict[str, list[Row]], dict[str, str], str | None]:
    """Every block's rows of the year (or up to it), in the model's row order, the titles the
    year's data sets (rpt_finance__sheet_titles) and the year's approval note
    (rpt_finance__approval_counts; None for a year without submissions)."""
    data: dict[str, list[Row]] = {}
    try:
        for sheet in book:
            for block in sheet.blocks:
                years = "year <= ?" if block.up_to_year else "year = ?"
                data[block.model.name] = fetch_rows(
                    con, f"SELECT * FROM {block.model.relation} WHERE {years} ORDER BY year, row_order", [year]
                )
        titles = dict(
            con.execute(f"SELECT model_name, title FROM {REPORT_SCHEMA}.rpt_finance__sheet_titles WHERE year = ?", [year]).fetchall()
        )
        counted = con.execute(f"SELECT note FROM {REPORT_SCHEMA}.rpt_finance__approval_counts WHERE year = ?", [year]).fetchone()
    except duckdb.CatalogException as e:
        raise RuntimeError(f"the finance report models are not built (run the approved dbt build first): {e}") from e
    return data, titles, counted[0] if counted else None


def write_finance_workbook(
    con: duckdb.DuckDBPyConnection, year: int, out_path: Path, build_id: str | None = None, written: list[Path] | None = None
) -> Path:
    """Write the year's finance checks to ``out_path`` (.xlsx); returns the path.

    ``con`` is the working database (the payout list holds names, which the BI snapshot
    does not). The workbook records, as document properties, the build it was made
    from and a hash of what it shows; a workbook that already shows the same rows is
    not rewritten (its generation time stays true). A path written is added to ``written``.
    """
    book = sheets()
    data, titles, note = _read(con, book, year)  # query everything before writing anything
    layout = [(s.name, [(b.model.name, b.title, b.columns, b.up_to_year, b.freeze_columns) for b in s.blocks], s.help) for s in book]
    content = content_hash(year, layout, data, sorted(titles.items()), note)
    out_path = Path(out_path)
    if workbook_records(out_path).get("vocwh_content") == content:
        return out_path

    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(out_path, keep_suffix=True)
    try:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "nan_inf_to_errors": True},
        )
        wb.set_properties({"title": f"{year}年度职业教育经费检查", "company": "吉林市教育局", "comments": "vocwh"})
        wb.set_custom_property("vocwh_content", content)
        if build_id:
            wb.set_custom_property("vocwh_build", build_id)
        fmts = _Formats(wb)
        _readme_sheet(wb, fmts, year, book, data, note)
        for sheet in book:
            _write_sheet(wb, fmts, sheet, year, data, titles, note)
        wb.close()
        replace_atomically(tmp, out_path)
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
    if written is not None:
        written.append(out_path)
    return out_path


_CUSTOM_PROPERTY = re.compile(r'name="(vocwh_[a-z]+)"[^>]*>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>')


def workbook_records(path: Path) -> dict[str, str]:
    """The vocwh document properties of a workbook (build, content); empty if none, no file or unreadable."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("docProps/custom.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return {}
    return dict(_CUSTOM_PROPERTY.findall(xml))
