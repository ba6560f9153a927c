"""Turning what offices type into typed values.

Each parser returns the typed value, or raises ``ValueError`` with a hint the clerk
can act on. Empty cells are ``None`` before any parser sees them. The same parsers
serve ingestion and the tests, so "what counts as a date" is decided once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from dagster_project.core.templates import Column, T

EXCEL_EPOCH = dt.date(1899, 12, 30)
_BRACKET_SUFFIX = re.compile(r"\([^()]*\)$")
_SPACES = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """Full-width to half-width (（元） -> (元), １２ -> 12), the way offices' text varies."""
    return unicodedata.normalize("NFKC", text)


def normalize_header(cell: Any) -> str:
    """A header cell reduced to what identifies the column.

    Drops white space anywhere, full-width forms, required-field stars, a trailing unit
    in brackets (收入金额（元）) and a leading 其中：, and lower-cases English keys.
    """
    if cell is None:
        return ""
    return _normalized_header(str(cell))


# Every sheet's header rows are read with it, and the same few hundred headers recur in
# thousands of files (2.3 s of a province full run, measured).
@lru_cache(maxsize=8192)
def _normalized_header(cell: str) -> str:
    text = _SPACES.sub("", nfkc(cell)).strip("*").lower()
    while _BRACKET_SUFFIX.search(text):
        text = _BRACKET_SUFFIX.sub("", text)
    if text.startswith("其中:"):
        text = text[3:]
    return text


FORMULA_ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!")


class CellError(str):
    """A cell whose cached value is a formula error (#DIV/0!): not blank, not a value."""

    __slots__ = ()

    @property
    def hint(self) -> str:
        return f"单元格是公式错误（{self}），请改为数值 (formula error)"


def cell_problem(cell: Any) -> str | None:
    """What makes a cell unusable whatever its column: a formula error, or a NUL character
    (invisible, and cut short by many programs that read the value later)."""
    if isinstance(cell, CellError):
        return cell.hint
    if isinstance(cell, str):
        if "\x00" in cell:
            return "单元格中含有不可见的空字符(NUL)，请删除后重新填写 (NUL character in cell)"
        if cell.strip() in FORMULA_ERRORS:
            return CellError(cell.strip()).hint
    return None


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip()) or (isinstance(cell, float) and cell != cell)


# Words clerks write where a cell is empty (submission-templates.md, "Words that mean none").
# The one list: ingestion, the suites (required columns reject them) and the receipts read it.
NONE_WORDS: tuple[str, ...] = (
    "无", "暂无", "没有", "空", "不适用", "未填", "无此项",
    "/", "／", "\\", "-", "－", "—", "——", "–",
    "N/A", "NA", "none", "null", "nil",
)  # fmt: skip
PENDING_WORDS: tuple[str, ...] = ("待批", "待审批", "审批中", "申请中", "未批", "未批准", "尚未审批", "待定")
# "0" means none only where a number cannot be meant: in a text column (an enumeration is text).
TEXT_ONLY_NONE_WORDS: tuple[str, ...] = ("0",)
TEXT_TYPES: frozenset[T] = frozenset({T.TEXT, T.ENUM})


def word_key(text: str) -> str:
    """A cell's text as the word lists are compared: trimmed, NFKC, case folded."""
    return nfkc(text.strip()).strip().casefold()


def clerk_words(column: Column) -> frozenset[str]:
    """The compared forms (``word_key``) of every word that means none or pending in this column."""
    return _clerk_words(column.type in TEXT_TYPES)


@lru_cache(maxsize=2)
def _clerk_words(text_column: bool) -> frozenset[str]:
    words = NONE_WORDS + PENDING_WORDS + (TEXT_ONLY_NONE_WORDS if text_column else ())
    return frozenset(word_key(w) for w in words)


def none_word(column: Column, cell: Any) -> str | None:
    """The word as typed (trimmed) when the whole cell is one that means none or pending
    (无, 待批, /, N/A …), else None. A word inside a longer text (无锡培训中心) is not one."""
    if cell is None or isinstance(cell, bool):
        return None
    if not isinstance(cell, str) and (column.type not in TEXT_TYPES or not isinstance(cell, int | float) or cell != 0):
        return None  # a number cell is a number, except a 0 in a text column
    text = cell_text(cell)
    if len(text) > _LONGEST_WORD:
        return None  # most cells: no normalising needed to tell they are not a word
    return text if word_key(text) in clerk_words(column) else None


# Twice the longest word (尚未审批, none: 4), so that no text NFKC shortens to a word is missed.
_LONGEST_WORD = 2 * max(len(w) for w in NONE_WORDS + PENDING_WORDS)


def cell_text(cell: Any) -> str:
    """How a cell reads to a person; floats that are whole numbers lose their ``.0``."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))  # beyond 15 digits Excel shows 1E+20, and so do we
    if isinstance(cell, dt.datetime) and cell.time() == dt.time(0):
        return cell.date().isoformat()
    return str(cell).strip()


def _number_text(cell: Any) -> str:
    text = _SPACES.sub("", nfkc(cell_text(cell)))
    text = text.replace(",", "").replace("¥", "").replace("￥", "")
    if text.endswith("元"):
        text = text[:-1]
    return text


CENT = Decimal("0.01")
# What storage can hold: DECIMAL(18,2) below 10^16, BIGINT/INTEGER; far beyond the plausible
# bounds the suites check (templates.MAX_YUAN, MAX_COUNT), so a value past them is a
# rejection naming the cell, never an overflow in the database.
DECIMAL_DIGITS = 15  # |value| < 10^15; compared by exponent, never by arithmetic that could overflow
INT_LIMIT = 2**31 - 1
TOO_BIG = "数值过大，超出合理范围，请核对 (number out of range)"


def parse_decimal(cell: Any) -> Decimal:
    """Always two decimals, as stored (DECIMAL(18,2)): 12000 and "12,000.00" are one value."""
    if isinstance(cell, bool):
        raise ValueError("应为数字")
    if isinstance(cell, int | float):
        # Excel stores 1234.5 as a binary float; round to cents as the clerk typed it.
        value = Decimal(cell) if isinstance(cell, int) else Decimal(repr(cell))
        if value.is_infinite():
            raise ValueError(TOO_BIG)  # a number cell beyond a double (1e309)
        if not value.is_finite():
            raise ValueError("应为数字")
        if value.adjusted() >= DECIMAL_DIGITS:
            raise ValueError(TOO_BIG)
        return value.quantize(CENT)
    try:
        value = Decimal(_number_text(cell))
    except InvalidOperation:
        raise ValueError("应为数字") from None
    if not value.is_finite():
        raise ValueError("应为数字")
    if value.adjusted() >= DECIMAL_DIGITS:
        raise ValueError(TOO_BIG)
    if value != value.quantize(CENT):
        raise ValueError("最多保留两位小数")
    return value.quantize(CENT)


def parse_int(cell: Any) -> int:
    value = parse_decimal(cell)
    if value != value.to_integral_value():
        raise ValueError("应为整数")
    if abs(value) > INT_LIMIT:
        raise ValueError(TOO_BIG)
    return int(value)


def parse_year(cell: Any) -> int:
    text = _number_text(cell).removesuffix("年")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("应为四位年度") from None
    # Checked before int(): int(Decimal("1e999999999")) would build a billion-digit number.
    if not value.is_finite() or value.adjusted() > 4 or not 1 <= value <= 9999:
        raise ValueError("应为四位年度")
    return int(value)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(cell: Any) -> dt.date:
    """A date, within years any statistic here can concern: a year 0001 or 9999 is a typing
    error, and beyond 2262 it cannot even be validated (pandas' timestamp range)."""
    value = _parse_date(cell)
    if not 1900 <= value.year <= 2199:
        raise ValueError("不是有效日期")
    return value


def _parse_date(cell: Any) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        # Excel serial day numbers: 1 = 1900-01-01 (with Excel's 1900 leap-year quirk folded
        # into the epoch). Accept the range that covers 1982..2119.
        if 30000 <= cell < 80000 and float(cell).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(cell))
        raise ValueError("应为日期")
    text = _SPACES.sub("", nfkc(str(cell)))
    text = re.sub(r"(\d)T?\d{1,2}:\d{2}(:\d{2})?$", r"\1", text)  # a time of 00:00:00 after the date
    if re.fullmatch(r"\d{5}(\.0)?", text):
        return _parse_date(float(text))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValueError("不是有效日期") from None
    raise ValueError("应为日期")


def _code(cell: Any, digits: int) -> str:
    text = _number_text(cell)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if not re.fullmatch(rf"\d{{{digits}}}", text):
        raise ValueError(f"应为{digits}位数字代码")
    return text


def _unit_code(cell: Any) -> str:
    """A submitter that may be a school (10-digit code) or a county (6-digit code)."""
    try:
        return _code(cell, 10)
    except ValueError:
        pass
    try:
        return _code(cell, 6)
    except ValueError:
        raise ValueError("应为10位学校标识码或6位区划代码") from None


def parse_text(cell: Any) -> str:
    return cell_text(cell)


def parse_id_text(cell: Any) -> str:
    """ID numbers and credit codes: upper case, no spaces; check digits are GX's job."""
    return _SPACES.sub("", nfkc(cell_text(cell))).upper()


# Excel keeps 15 significant digits of a number: an 18-digit ID typed into a number cell
# has already lost its last digits, whatever the check digit of what is left says.
EXCEL_DIGITS = 15


def _code_typed_as_text(cell: Any) -> Any:
    """An ID number or credit code must come from a text cell once it has more digits than
    Excel keeps; ``ValueError`` tells the clerk how to fix the column."""
    if isinstance(cell, int | float) and not isinstance(cell, bool) and abs(cell) >= 10**EXCEL_DIGITS:
        raise ValueError("数字格式的号码已被Excel改变（只保留15位有效数字），请将该列设置为文本格式后重新填写 (format the column as text)")
    return cell


@lru_cache(maxsize=64)
def _choice_lookup(column: Column) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for choice in column.choices:
        for spelling in (choice.value, choice.zh, *choice.aliases):
            lookup[normalize_header(spelling)] = choice.value
    return lookup


def parse_choice(column: Column, cell: Any) -> str:
    """Chinese or English spelling -> canonical value; unknown text passes through unchanged
    (or becomes the fallback) so the expectation suite can name it in the rejection."""
    if isinstance(cell, bool):
        key = "true" if cell else "false"
    else:
        key = normalize_header(cell_text(cell))
    value = _choice_lookup(column).get(key)
    if value is not None:
        return value
    return column.fallback if column.fallback else cell_text(cell)


def parse_bool(column: Column, cell: Any) -> bool:
    value = parse_choice(column, cell)
    if value not in ("true", "false"):
        raise ValueError("应填 是 或 否")
    return value == "true"


def parse_value(column: Column, cell: Any) -> Any:
    """Typed value of one non-blank cell for this column; ``ValueError`` with a hint if it cannot be read."""
    match column.type:
        case T.YEAR:
            return parse_year(cell)
        case T.INT:
            return parse_int(cell)
        case T.DECIMAL:
            return parse_decimal(cell)
        case T.DATE:
            return parse_date(cell)
        case T.BOOL:
            return parse_bool(column, cell)
        case T.ENUM:
            return parse_choice(column, cell)
        case T.SCHOOL_CODE:
            return _code(cell, 10)
        case T.COUNTY_CODE:
            return _code(cell, 6)
        case T.PROGRAM_CATEGORY:
            return _code(cell, 2)
        case T.UNIT_CODE:
            return _unit_code(cell)
        case T.CREDIT_CODE | T.ID_NUMBER:
            return parse_id_text(_code_typed_as_text(cell))
        case _:
            return parse_text(cell)
