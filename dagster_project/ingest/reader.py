"""Reading submission files into grids of cells, one per sheet.

Row ``i`` of a grid is the row the clerk sees as number ``i + 1`` in Excel (or line
``i + 1`` of a CSV), so every reason can point at the cell to fix.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import python_calamine
from charset_normalizer import from_bytes

SUFFIXES = (".xlsx", ".csv")

# Encodings offices produce; GBK files are read as GB18030, its superset.
_GB_FAMILY = {"gbk", "gb2312", "gb18030", "hz", "cp936"}


class Unreadable(Exception):
    """The file is not a table we can read: the reason is shown to the clerk as is."""


@dataclass
class Sheet:
    name: str | None  # None for CSV
    rows: list[list[Any]]


def decode_csv(data: bytes) -> str:
    """Detect the encoding: UTF-8 (with or without BOM) first, then what charset-normalizer finds."""
    if not data.strip():
        raise Unreadable("文件为空 (empty file)")
    if b"\x00" in data[:4096]:
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


def read_csv(data: bytes) -> list[Sheet]:
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return [Sheet(None, rows)]


def read_xlsx(data: bytes) -> list[Sheet]:
    if not data:
        raise Unreadable("文件为空 (empty file)")
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [Sheet(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in wb.sheet_names]
    except Exception as exc:  # calamine raises several unrelated types for corrupt files
        raise Unreadable(f"Excel文件已损坏或不是xlsx格式，请重新导出 (corrupt or not an xlsx workbook: {exc})") from None


def read_sheets(path: Path, data: bytes | None = None) -> list[Sheet]:
    """All sheets of a submission file; ``Unreadable`` if it is not a table."""
    if data is None:
        data = path.read_bytes()
    if path.suffix.lower() == ".csv":
        return read_csv(data)
    return read_xlsx(data)
