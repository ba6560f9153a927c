"""Reading submission files into grids of cells, one per sheet.

Row ``i`` of a grid is the row the clerk sees as number ``i + 1`` in Excel (or line
``i + 1`` of a CSV), so every reason can point at the cell to fix.

Nothing here trusts a file's size: an xlsx is a zip whose sheets are measured from the zip
directory and a streaming pass over their XML *before* calamine builds a grid (calamine
allocates the whole used area, so two cells at A1 and XFD1048576 ask for half a terabyte),
and a CSV's bytes and cells are bounded before they are split into rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import python_calamine
from charset_normalizer import from_bytes

from dagster_project.core.settings import Limits
from dagster_project.core.values import CellError

SUFFIXES = (".xlsx", ".xls", ".csv")

# Encodings offices produce; GBK files are read as GB18030, its superset.
_GB_FAMILY = {"gbk", "gb2312", "gb18030", "hz", "cp936"}

# Excel's own limit on one cell: a CSV cell longer than this did not come from a spreadsheet.
MAX_CELL_CHARS = 32_767

TRUNCATED = "文件不完整，可能未复制完或被截断，请重新导出后再报送 (truncated)"


class Unreadable(Exception):
    """The file is not a table we can read: the reason is shown to the clerk as is."""


@dataclass
class Sheet:
    name: str | None  # None for CSV
    rows: list[list[Any]]


# -- CSV -------------------------------------------------------------------------------


def _looks_utf16(head: bytes) -> str | None:
    """BOM-less UTF-16 ("Unicode text" from some exports): one byte of each pair mostly NUL."""
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if head[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if head[i] == 0)
    if odd > 0.3 * pairs and even < 0.05 * pairs:
        return "utf-16-le"
    if even > 0.3 * pairs and odd < 0.05 * pairs:
        return "utf-16-be"
    return None


def _text_but_for_nul(head: bytes) -> bool:
    """A text file with a stray NUL in a cell (the cell is rejected later, naming it), as
    opposed to a binary file renamed .csv."""
    try:
        head.replace(b"\x00", b"").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4  # only a character cut at the end of the sample
    return True


def decode_csv(data: bytes) -> str:
    """Detect the encoding: UTF-16 (BOM or NUL pattern), UTF-8 (with or without BOM), then what
    charset-normalizer finds."""
    if not data.strip():
        raise Unreadable("文件为空 (empty file)")
    utf16 = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else _looks_utf16(data[:4096])
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            if len(data) % 2:
                raise Unreadable(TRUNCATED) from None  # a UTF-16 file cut in the middle of a character
            raise Unreadable("无法按UTF-16编码读取 (cannot decode as UTF-16)") from None
    if b"\x00" in data[:4096] and not _text_but_for_nul(data[:4096]):
        raise Unreadable("不是文本格式的CSV文件，可能是其他格式的文件改了扩展名 (binary content, not a CSV text file)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise Unreadable("无法识别文件编码，请另存为UTF-8或GBK编码的CSV (unknown text encoding)")
    encoding = best.encoding.lower().replace("_", "")
    if encoding in _GB_FAMILY or encoding.startswith("gb"):
        encoding = "gb18030"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise Unreadable(f"无法按{encoding}编码读取 (cannot decode as {encoding})") from None


def _cut_short(text: str, rows: list[list[str]]) -> bool:
    """The last line ends without a newline and has fewer fields than the header-like rows
    above it: the file was cut (or is still being written)."""
    if not rows or text.endswith(("\n", "\r")) or len(rows[-1]) < 2:
        return False  # a one-cell last line is a note (填表人：…), not a cut data row
    widths = [len(r) for r in rows[:-1] if sum(1 for c in r if c.strip()) >= 2]
    return bool(widths) and len(rows[-1]) < max(widths[:30])


def _csv_rows(text: str, dialect: Any, strict: bool, limits: Limits) -> list[list[str]]:
    # The text is already in memory (its size bounded by max_file_bytes): the csv module may
    # hold any cell of it, so the check below can name the row and column of one too long.
    csv.field_size_limit(max(len(text) + 1, 131_072))
    reader = csv.reader(io.StringIO(text), dialect, strict=strict)
    rows: list[list[str]] = []
    try:
        for row in reader:
            for c, cell in enumerate(row):
                if len(cell) > MAX_CELL_CHARS:
                    raise Unreadable(
                        f"第{reader.line_num}行第{c + 1}列：单元格超过{MAX_CELL_CHARS}个字符，不是正常的表格内容 (cell too long)"
                    )
            rows.append(row)
            if len(rows) > limits.max_sheet_rows or len(row) > limits.max_sheet_columns:
                raise Unreadable(_too_big(None, len(rows), len(row), limits))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise Unreadable(f"第{reader.line_num}行：单元格超过{MAX_CELL_CHARS}个字符，不是正常的表格内容 (cell too long)") from None
        if "unexpected end of data" in str(exc):
            raise Unreadable(TRUNCATED) from None  # the file ends inside a quoted field
        raise
    return rows


def read_csv(data: bytes, limits: Limits | None = None) -> list[Sheet]:
    limits = limits or Limits()
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        # Strict parsing is what notices a file ending inside a quoted field ("6,038,800.0).
        rows = _csv_rows(text, dialect, True, limits)
    except csv.Error:
        # A stray quote in a hand-made CSV (产品"A"): read it leniently, as a spreadsheet would.
        try:
            rows = _csv_rows(text, dialect, False, limits)
        except csv.Error as exc:
            raise Unreadable(f"CSV格式错误 (malformed CSV: {exc})") from None
    if _cut_short(text, rows):
        raise Unreadable(TRUNCATED)
    return [Sheet(None, rows)]


# -- xlsx: measured before it is read --------------------------------------------------

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _col_index(letters: str | bytes) -> int:
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n


def _too_big(sheet: str | None, rows: int, cols: int, limits: Limits) -> str:
    where = f"工作表「{sheet}」" if sheet else "表格"
    return (
        f"{where}的范围过大（{rows}行×{cols}列），超出系统上限（{limits.max_sheet_rows}行、{limits.max_sheet_columns}列、"
        f"{limits.max_sheet_cells}个单元格），未读取。请删除多余的空行空列或拆分后重新报送 (sheet too large)"
    )


@dataclass
class _SheetPart:
    name: str
    member: str
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based -> #DIV/0!


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> list[_SheetPart]:
    """Sheet names and their XML members, from workbook.xml and its relationships."""
    names = set(zf.namelist())
    members = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml") and n.count("/") == 2)
    try:
        targets: dict[str, str] = {}
        for rel in ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels")):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[rel.get("Id", "")] = target
        parts = []
        for el in ElementTree.fromstring(zf.read("xl/workbook.xml")).iter():
            if _local(el.tag) == "sheet":
                member = targets.get(el.get(f"{_NS_REL}id", ""), "")
                if member in names:
                    parts.append(_SheetPart(el.get("name", member), member))
        listed = {p.member for p in parts}
        return parts + [_SheetPart(m, m) for m in members if m not in listed]
    except (KeyError, ElementTree.ParseError):
        return [_SheetPart(m, m) for m in members]


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([^\"]*)\"")
_CELL_WITH_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"\$?([A-Z]{1,3})\$?(\d{1,9})\"")
_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*[^/>]|)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?v>([^<]*)</", re.S)
_CHUNK = 1 << 20


def _check_area(part: _SheetPart, rows: int, cols: int, limits: Limits) -> None:
    if rows > limits.max_sheet_rows or cols > limits.max_sheet_columns or rows * cols > limits.max_sheet_cells:
        raise Unreadable(_too_big(part.name, rows, cols, limits))


def _measure_sheet(stream: IO[bytes], part: _SheetPart, limits: Limits) -> bool:
    """One pass over a sheet's XML, in pieces: refuse it on its declared ``<dimension>`` or on
    the area its cells really span (the dimension may lie or be missing), and note the cells
    holding formula errors, which calamine returns as empty strings. Regular expressions over
    bytes, not an XML parser: a 100 MB sheet is measured in about a second. Returns False when
    some cell has no ``r`` reference, so its place must be counted by ``_measure_sheet_slowly``."""
    max_row = max_col = 0
    first = True
    carry = b""
    while True:
        chunk = stream.read(_CHUNK)
        buf = carry + chunk
        if not chunk:
            cut = len(buf)
        else:
            cut = buf.rfind(b"</", 0, len(buf))  # end pieces at a closing tag: no cell is split
            cut = cut if cut > 0 else len(buf)
        piece, carry = buf[:cut], buf[cut:]
        if first:
            first = False
            dim = _DIMENSION.search(piece[:8192])
            if dim:
                m = _CELL_REF.match(dim[1].decode("ascii", "replace").split(":")[-1].replace("$", ""))
                if m:
                    _check_area(part, int(m[2]), _col_index(m[1]), limits)
        refs = _CELL_WITH_REF.findall(piece)
        if len(refs) != len(_ANY_CELL.findall(piece)):
            return False
        if refs:
            max_row = max(max_row, max(map(int, (r for _, r in refs))))
            max_col = max(max_col, max(map(_col_index, {c for c, _ in refs})))
            _check_area(part, max_row, max_col, limits)
        if b't="e"' in piece:
            for attrs, value in _ERROR_CELL.findall(piece):
                if b't="e"' in attrs:
                    ref = _CELL_WITH_REF.match(b"<c " + attrs)
                    if ref:
                        part.errors[(int(ref[2]) - 1, _col_index(ref[1].decode()) - 1)] = value.decode("utf-8", "replace") or "#VALUE!"
        if not chunk:
            return True


def _measure_sheet_slowly(stream: IO[bytes], part: _SheetPart, limits: Limits) -> None:
    """The same measure with an XML parser, for sheets whose cells carry no ``r`` (their
    place is the count of cells before them): rare, and bounded by the byte limit."""
    row_idx = col_idx = max_row = max_col = 0
    for event, el in ElementTree.iterparse(stream, events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "row":
                r = el.get("r")
                row_idx = int(r) if r and r.isdigit() else row_idx + 1
                col_idx = 0
            continue
        if tag == "c":
            ref = _CELL_REF.match((el.get("r") or "").replace("$", ""))
            col_idx, row = (_col_index(ref[1]), int(ref[2])) if ref else (col_idx + 1, row_idx)
            max_row, max_col = max(max_row, row), max(max_col, col_idx)
            if el.get("t") == "e":
                v = el.find(f"{_NS_MAIN}v")
                part.errors[(row - 1, col_idx - 1)] = (v.text if v is not None else None) or "#VALUE!"
            el.clear()
        elif tag == "row":
            _check_area(part, max_row, max_col, limits)
            el.clear()
    _check_area(part, max_row, max_col, limits)


def _measure_xlsx(data: bytes, limits: Limits) -> list[_SheetPart]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return []  # calamine gives the clerk the "corrupt" reason
    with zf:
        total = sum(i.file_size for i in zf.infolist())
        if total > limits.max_sheet_xml_bytes * 4:
            raise Unreadable(
                f"Excel文件解压后达{total}字节，超出系统上限，未读取。请删除多余内容或拆分后重新报送 (workbook too large when unpacked)"
            )
        parts = _sheet_parts(zf)
        for part in parts:
            size = zf.getinfo(part.member).file_size
            if size > limits.max_sheet_xml_bytes:
                raise Unreadable(
                    f"工作表「{part.name}」解压后达{size}字节，超出系统上限（{limits.max_sheet_xml_bytes}字节），未读取。"
                    "请删除多余的空行空列或拆分后重新报送 (sheet too large)"
                )
            try:
                with zf.open(part.member) as stream:
                    measured = _measure_sheet(stream, part, limits)
                if not measured:
                    part.errors.clear()
                    with zf.open(part.member) as stream:
                        _measure_sheet_slowly(stream, part, limits)
            except ElementTree.ParseError as exc:
                raise Unreadable(f"Excel文件已损坏或不是xlsx格式，请重新导出 (corrupt sheet XML in {part.member}: {exc})") from None
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise Unreadable(f"Excel文件已损坏或不是xlsx格式，请重新导出 (corrupt or not an xlsx workbook: {exc})") from None
        return parts


def _grids(wb: Any, limits: Limits) -> Iterator[tuple[str, list[list[Any]]]]:
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        # .xls has no zip to measure first: its used area is checked before the grid is built.
        rows, cols = sheet.total_height, sheet.total_width
        if rows > limits.max_sheet_rows or cols > limits.max_sheet_columns or rows * cols > limits.max_sheet_cells:
            raise Unreadable(_too_big(name, rows, cols, limits))
        yield name, sheet.to_python(skip_empty_area=False)


def read_workbook(data: bytes, limits: Limits | None = None, xls: bool = False) -> list[Sheet]:
    limits = limits or Limits()
    if not data:
        raise Unreadable("文件为空 (empty file)")
    parts = {} if xls else {p.name: p for p in _measure_xlsx(data, limits)}
    kind = "xls" if xls else "xlsx"
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = list(_grids(wb, limits))
    except Unreadable:
        raise
    except Exception as exc:  # calamine raises several unrelated types for corrupt files
        raise Unreadable(f"Excel文件已损坏或不是{kind}格式，请重新导出 (corrupt or not an {kind} workbook: {exc})") from None
    sheets = []
    for name, grid in grids:
        part = parts.get(name)
        for (r, c), text in part.errors.items() if part else ():
            if r < len(grid) and c < len(grid[r]) and grid[r][c] in ("", None):
                grid[r][c] = CellError(text)
        sheets.append(Sheet(name, grid))
    return sheets


def read_xlsx(data: bytes, limits: Limits | None = None) -> list[Sheet]:
    return read_workbook(data, limits)


def read_sheets(path: Path, data: bytes | None = None, limits: Limits | None = None) -> list[Sheet]:
    """All sheets of a submission file; ``Unreadable`` if it is not a table."""
    if data is None:
        data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(data, limits)
    return read_workbook(data, limits, xls=suffix == ".xls")
