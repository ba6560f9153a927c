"""Turning planned sheets into the files offices actually send.

The generator decides *what* a file says (rows of canonical values) and *how* it is
dressed (a ``SheetStyle``); this module does the dressing — headers in Chinese or
English, title rows, totals, notes, dates in five spellings, CSV encodings — and
writes the bytes. Rendering is a pure function of the plan, so the same plan always
gives the same bytes, whichever process writes it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any

import xlsxwriter

from dagster_project.core.templates import TEMPLATES, Column, T
from tools.sample.vocab import CLERKS, NOTES

# Fixed document dates so a workbook's bytes depend on its content only.
DOC_CREATED = datetime(2025, 1, 1, 8, 0, 0)
EXCEL_EPOCH = date(1899, 12, 30)
# Above this many rows a sheet is streamed (xlsxwriter constant_memory); small
# workbooks are built in memory, which measured ~3x faster than constant_memory's temp files.
STREAM_ROWS = 5000

DATE_FORMATS = ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')
# Columns a clerk's totals row adds up.
_NO_SUM = {"hours_per_trainee", "standard_per_student_yuan", "year"}


class Lit(str):
    """Text written exactly as it is: an enum value outside the code list (区级), a prize like 特等奖."""

    __slots__ = ()


@dataclass(frozen=True)
class XDate:
    """A real Excel date cell (a serial with a date number format)."""

    value: date
    fmt: str


@dataclass
class SheetStyle:
    """How one sheet is dressed. Every field is a kind of clutter real offices produce."""

    header_mode: str = "zh"  # zh | half | spaces | nounit | en | mixed
    shuffle: bool = False
    title_rows: int = 0
    merge_title: bool = False
    submitter_line: bool = False
    blank_rows: bool = False
    totals: str | None = None  # 合计 / 总计
    notes: bool = False
    numbers: str = "plain"  # plain | text | thousands
    money_2dp: bool = False
    date_style: str = "iso"  # excel | serial | iso | slash | cn
    bool_style: str = "zh"  # zh | yn | tf
    enum_style: str = "zh"  # zh | en | alias
    codes_as_numbers: bool = False
    seed: int = 0

    def features(self, template: str | None) -> list[str]:
        """Names of the clutter this style puts in a sheet of ``template`` (for the report)."""
        t = TEMPLATES.get(template or "")
        if t is None:
            return []
        types = {c.type for c in t.columns}
        out = [f"header:{self.header_mode}"]
        if self.shuffle:
            out.append("columns_reordered")
        if self.title_rows:
            out.append(f"title_rows:{self.title_rows}")
        if self.merge_title and self.title_rows:
            out.append("merged_title")
        if self.submitter_line:
            out.append("submitter_line")
        if self.blank_rows:
            out.append("blank_rows")
        if self.totals:
            out.append(f"totals:{self.totals}")
        if self.notes:
            out.append("notes_below")
        if types & {T.INT, T.DECIMAL}:
            out.append(f"numbers:{self.numbers}")
        if T.DATE in types:
            out.append(f"dates:{self.date_style}")
        if T.BOOL in types:
            out.append(f"bools:{self.bool_style}")
        if T.ENUM in types:
            out.append(f"enums:{self.enum_style}")
        if self.codes_as_numbers and types & {T.SCHOOL_CODE, T.COUNTY_CODE}:
            out.append("codes_as_numbers")
        return out


@dataclass
class SheetJob:
    """One sheet: either template rows (canonical values by column key) or literal cells."""

    name: str
    template: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    style: SheetStyle = field(default_factory=SheetStyle)
    title: str = ""
    subtitle: str = ""
    submitter_name: str = ""
    fill_date: date | None = None
    cells: list[list[Any]] | None = None


@dataclass
class FileJob:
    """One file to write. ``special`` marks files whose bytes are not a rendered workbook."""

    path: str  # relative to the output folder, POSIX separators
    fmt: str  # xlsx | csv
    sheets: list[SheetJob]
    encoding: str = "utf-8"
    special: str | None = None  # truncate | binary | empty | copy
    copy_of: str | None = None


@dataclass
class Rendered:
    """A sheet as a grid of cells, with where the header and each data row landed (0-based)."""

    cells: list[list[Any]]
    header_row: int
    data_rows: list[int]
    columns: list[str]


# ------------------------------------------------------------------ headers and values

_HALF = str.maketrans({"（": "(", "）": ")", "：": ":"})


def header_text(col: Column, mode: str, rng: Random) -> str:
    """The header a clerk would type for ``col`` under ``mode``."""
    if mode == "mixed":
        opts = ["zh", "half", "spaces", "nounit", "en"] + (["alias"] if col.aliases else [])
        mode = rng.choice(opts)
    if mode == "en":
        return col.key
    if mode == "alias" and col.aliases:
        return col.aliases[0]
    zh = col.zh
    if mode == "half":
        return zh.translate(_HALF)
    if mode == "spaces":
        return rng.choice((" {} ", "{}  ", "  {}", "\u3000{}")).format(zh)
    if mode == "nounit":
        return re.sub(r"（[^（）]*）$", "", zh)
    return zh


def _choice_text(col: Column, value: Any, style: str) -> str:
    if isinstance(value, Lit):
        return str(value)
    for ch in col.choices:
        if ch.value == value:
            if style == "en":
                return ch.value
            if style == "alias" and ch.aliases and col.type == T.ENUM:
                return max(ch.aliases, key=len)
            return ch.zh
    raise ValueError(f"{col.key}: {value!r} is not a choice")


def _bool_text(value: bool, style: str) -> str:
    if style == "yn":
        return "Y" if value else "N"
    if style == "tf":
        return "true" if value else "false"
    return "是" if value else "否"


def _date_cell(d: date, style: str, fmt_pick: int, xlsx: bool) -> Any:
    if style == "excel" and xlsx:
        return XDate(d, DATE_FORMATS[fmt_pick % len(DATE_FORMATS)])
    if style == "serial":
        return (d - EXCEL_EPOCH).days if xlsx else str((d - EXCEL_EPOCH).days)
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def _number_text(v: int | Decimal, style: SheetStyle, money: bool) -> str:
    if isinstance(v, Decimal) and money and style.money_2dp:
        return f"{v:,.2f}" if style.numbers == "thousands" else f"{v:.2f}"
    if isinstance(v, Decimal):
        v = v.normalize() if v != v.to_integral_value() else v.to_integral_value()
        return f"{v:,f}" if style.numbers == "thousands" else f"{v:f}"
    return f"{v:,}" if style.numbers == "thousands" else str(v)


def value_cell(col: Column, value: Any, style: SheetStyle, xlsx: bool, fmt_pick: int) -> Any:
    """The cell a value becomes: a string, a number, an ``XDate`` or None."""
    if value is None:
        return None
    if isinstance(value, Lit):
        return str(value)
    t = col.type
    if t == T.ENUM:
        return _choice_text(col, value, style.enum_style)
    if t == T.BOOL:
        return _bool_text(bool(value), style.bool_style)
    if t == T.DATE:
        return _date_cell(value, style.date_style, fmt_pick, xlsx)
    if t in (T.INT, T.DECIMAL):
        if isinstance(value, str):
            return value
        if not xlsx or style.numbers != "plain":
            return _number_text(value, style, money=col.key.endswith("_yuan"))
        return float(value) if isinstance(value, Decimal) else value
    if t in (T.YEAR, T.PROGRAM_CATEGORY):
        return int(value) if xlsx and style.numbers == "plain" and str(value).isdigit() else str(value)
    if t in (T.SCHOOL_CODE, T.COUNTY_CODE) and xlsx and style.codes_as_numbers and str(value).isdigit():
        return int(value)
    return str(value)


# ------------------------------------------------------------------ layout


ADDED_LATER = {("training", "in_budget"), ("training", "certificate_name")}


def render(sheet: SheetJob, xlsx: bool) -> Rendered:
    """Lay a sheet out as a grid: title rows, filler lines, header, data, totals, notes."""
    if sheet.cells is not None or sheet.template is None:
        cells = [list(r) for r in (sheet.cells or [])]
        return Rendered(cells, 0, list(range(1, len(cells))), [])
    tpl = TEMPLATES[sheet.template]
    st = sheet.style
    rng = Random(st.seed)
    # A column added to a template later (training.in_budget, 2026-11) is in a file only when its
    # rows carry it: files made before then lack the column.
    cols = [c for c in tpl.columns if (sheet.template, c.key) not in ADDED_LATER or any(c.key in r for r in sheet.rows)]
    if st.shuffle:
        head, tail = cols[:2], cols[2:]
        rng.shuffle(tail)
        cols = tail[:2] + head + tail[2:] if rng.random() < 0.5 else head[::-1] + tail
    n = len(cols)
    grid: list[list[Any]] = []
    if st.title_rows:
        grid.append([sheet.title] + [None] * (n - 1))
        if st.title_rows > 1:
            grid.append([sheet.subtitle or "单位：元"] + [None] * (n - 1))
    if st.submitter_line:
        line: list[Any] = [None] * n
        line[0] = f"填报单位（盖章）：{sheet.submitter_name}"
        d = sheet.fill_date or date(2025, 1, 10)
        line[max(1, n - 3)] = f"填报日期：{d.year}年{d.month}月{d.day}日"
        grid.append(line)
    if st.blank_rows:
        grid.append([None] * n)
    header_row = len(grid)
    grid.append([header_text(c, st.header_mode, rng) for c in cols])
    fmt_pick = rng.randrange(len(DATE_FORMATS))
    blank_at = rng.randrange(1, len(sheet.rows)) if st.blank_rows and len(sheet.rows) >= 3 else -1
    data_rows: list[int] = []
    for i, row in enumerate(sheet.rows):
        if i == blank_at:
            grid.append([None] * n)
        data_rows.append(len(grid))
        grid.append([value_cell(c, row.get(c.key), st, xlsx, fmt_pick) for c in cols])
    if st.totals:
        tot: list[Any] = [None] * n
        for j, c in enumerate(cols):
            if c.type in (T.INT, T.DECIMAL) and c.key not in _NO_SUM:
                s = sum((r.get(c.key) or 0) for r in sheet.rows if not isinstance(r.get(c.key), str))
                tot[j] = value_cell(c, s, st, xlsx, fmt_pick)
        tot[0] = st.totals
        grid.append(tot)
    if st.notes:
        grid.append([None] * n)
        year = sheet.rows[0].get("year", 2024) if sheet.rows else 2024
        grid.append([NOTES[st.seed % len(NOTES)].format(year=year)] + [None] * (n - 1))
        a, b = CLERKS[st.seed % len(CLERKS)], CLERKS[(st.seed // 7 + 3) % len(CLERKS)]
        grid.append([f"填表人：{a}　审核人：{b}　联系电话：0432-6{st.seed % 10000000:07d}"] + [None] * (n - 1))
    return Rendered(grid, header_row, data_rows, [c.key for c in cols])


# ------------------------------------------------------------------ bytes


def xlsx_bytes(sheets: list[SheetJob]) -> bytes:
    """A workbook with one worksheet per sheet, with fixed document properties."""
    big = any(len(s.rows) > STREAM_ROWS for s in sheets)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True} if big else {"in_memory": True})
    wb.set_properties({"created": DOC_CREATED, "author": "", "company": ""})
    bold = wb.add_format({"bold": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    date_fmts = {f: wb.add_format({"num_format": f}) for f in DATE_FORMATS}
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        r = render(sheet, xlsx=True)
        ncols = max((len(row) for row in r.cells), default=0)
        if ncols:
            ws.set_column(0, ncols - 1, 14)
        for i, row in enumerate(r.cells):
            if sheet.template and i < r.header_row and sheet.style.merge_title and i < sheet.style.title_rows and not big and ncols > 1:
                ws.merge_range(i, 0, i, ncols - 1, row[0], title_fmt)
                continue
            fmt = bold if (sheet.template and i == r.header_row) else None
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, XDate):
                    ws.write_datetime(i, j, datetime(v.value.year, v.value.month, v.value.day), date_fmts[v.fmt])
                elif isinstance(v, bool):
                    ws.write_string(i, j, str(v))
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v, fmt)
                else:
                    ws.write_string(i, j, str(v), fmt)
    wb.close()
    return buf.getvalue()


def csv_bytes(sheet: SheetJob, encoding: str) -> bytes:
    """The sheet as Excel would save it: CRLF lines, every row padded to the table width."""
    r = render(sheet, xlsx=False)
    width = max((len(row) for row in r.cells), default=0)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for row in r.cells:
        w.writerow(["" if v is None else str(v) for v in row] + [""] * (width - len(row)))
    text = out.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def file_bytes(job: FileJob) -> bytes:
    """The bytes of a file job (except copies, which the caller resolves)."""
    if job.special == "empty":
        return b""
    if job.special == "binary":
        rng = Random(job.path)
        # Looks like what lands when a screenshot is saved under a .csv name.
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(3000)
    if job.fmt == "xlsx":
        data = xlsx_bytes(job.sheets)
        if job.special == "truncate":
            return data[: len(data) * 3 // 5]
        return data
    return csv_bytes(job.sheets[0], job.encoding)


def write_file(out_dir: Path, job: FileJob) -> int:
    """Write one job under ``out_dir``; returns the byte count."""
    data = file_bytes(job)
    p = out_dir / job.path
    p.write_bytes(data)
    return len(data)
