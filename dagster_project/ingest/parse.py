"""From a grid of cells to a recognised, typed sheet.

Recognition looks for the header row among the first rows (title rows come first in
real files) and picks the template whose columns it names best. Extraction skips the
clutter offices add (blank rows, 合计/总计 rows, repeated headers, 填表说明 notes) and
parses each cell with the shared value parsers, remembering what the clerk typed so a
reason can quote it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dagster_project.core.templates import TEMPLATES, T, Template
from dagster_project.core.values import cell_problem, cell_text, is_blank, nfkc, none_word, normalize_header, parse_value

HEADER_SEARCH_ROWS = 30
TOTAL_PREFIXES = ("合计", "总计", "小计", "累计")
NOTE_PREFIXES = (
    "填表说明",
    "说明",
    "注:",
    "注：",
    "注1",
    "备注",
    "填表人",
    "填报人",
    "审核人",
    "负责人",
    "单位负责人",
    "联系电话",
    "联系人",
    "制表",
)


@lru_cache(maxsize=1)
def header_lookup() -> dict[str, dict[str, str]]:
    """template -> {normalised header spelling -> column key}: Chinese header, English key, aliases."""
    out: dict[str, dict[str, str]] = {}
    for t in TEMPLATES.values():
        m: dict[str, str] = {}
        for c in t.columns:
            for spelling in (c.zh, c.key, *c.aliases):
                m[normalize_header(spelling)] = c.key
        out[t.key] = m
    return out


@dataclass
class Recognised:
    template: Template
    header_row: int  # 0-based index in the grid
    columns: dict[int, str]  # grid column index -> key
    duplicate_headers: list[str] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)


def _match(cells: list[str], lookup: dict[str, str]) -> tuple[dict[int, str], list[str]]:
    found: dict[int, str] = {}
    seen: set[str] = set()
    duplicates: list[str] = []
    for i, text in enumerate(cells):
        key = lookup.get(text)
        if key is None:
            continue
        if key in seen:
            duplicates.append(key)
            continue
        seen.add(key)
        found[i] = key
    return found, duplicates


def recognise(rows: list[list[Any]]) -> Recognised | None:
    """The best (template, header row), or None when no row names a template's columns.

    A row qualifies when it names at least three of a template's columns and most of its
    required ones; the template matching the most columns wins, then the one with the
    larger share of its own columns (so a header is never guessed from two shared columns).
    """
    best: tuple[tuple[int, float, int], Recognised] | None = None
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [normalize_header(c) for c in row]
        if sum(1 for c in cells if c) < 2:
            continue
        for t in TEMPLATES.values():
            found, duplicates = _match(cells, header_lookup()[t.key])
            keys = set(found.values())
            required_hit = sum(1 for k in t.required_keys if k in keys)
            if len(keys) < 3 or required_hit < 0.6 * len(t.required_keys):
                continue
            score = (len(keys), len(keys) / len(t.columns), -r)
            if best is None or score > best[0]:
                unknown = [cell_text(row[i]) for i, c in enumerate(cells) if c and i not in found and c not in duplicates]
                best = (score, Recognised(t, r, found, duplicates, unknown))
    return best[1] if best else None


@dataclass
class ParsedRow:
    row_number: int  # as the clerk sees it in Excel
    raw: dict[str, str]  # key -> text as typed
    typed: dict[str, Any]  # key -> parsed value (None if empty or unreadable)
    errors: dict[str, str]  # key -> parser hint, for cells that could not be read
    # key -> a word meaning none or pending (无, 待批 …) as typed: empty in an optional column,
    # kept in ``raw`` (and rejected by the suite) in a required one.
    words: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedSheet:
    recognised: Recognised
    rows: list[ParsedRow]
    year: int | None
    submitter_code: str | None
    content_hash: str

    @property
    def template(self) -> Template:
        return self.recognised.template

    @property
    def columns_present(self) -> set[str]:
        return set(self.recognised.columns.values())


def _first_text(row: list[Any]) -> str:
    for c in row:
        if not is_blank(c):
            return nfkc(cell_text(c)).replace(" ", "")
    return ""


def _is_note(row: list[Any]) -> bool:
    filled = sum(1 for c in row if not is_blank(c))
    return filled <= 2 and _first_text(row).startswith(NOTE_PREFIXES)


def _mode(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    counts = Counter(present)
    top = max(counts.values())
    return next(v for v in present if counts[v] == top)  # ties: the first row's value


def content_hash(template: Template, rows: list[ParsedRow]) -> str:
    """Hash of the sheet's data, independent of row order, column order, layout and clutter:
    a file saved again with the same figures is recognised as the same content."""
    lines = sorted("\x1f".join(str(r.typed[k]) if r.typed.get(k) is not None else r.raw.get(k, "") for k in template.keys) for r in rows)
    h = hashlib.sha256(template.key.encode())
    for line in lines:
        h.update(line.encode())
        h.update(b"\x1e")
    return h.hexdigest()


def extract(rows: list[list[Any]], recognised: Recognised) -> ParsedSheet:
    template = recognised.template
    columns = recognised.columns
    header_norm = [normalize_header(c) for c in rows[recognised.header_row]]
    parsed: list[ParsedRow] = []
    for i in range(recognised.header_row + 1, len(rows)):
        row = rows[i]
        cells = {key: row[idx] if idx < len(row) else None for idx, key in columns.items()}
        if all(is_blank(v) for v in cells.values()):
            if _is_note(row):
                break
            continue
        if _is_note(row):
            break
        if _first_text(row).startswith(TOTAL_PREFIXES):
            continue
        if [normalize_header(c) for c in row] == header_norm:
            continue  # a header repeated on every printed page
        raw: dict[str, str] = {}
        typed: dict[str, Any] = {}
        errors: dict[str, str] = {}
        words: dict[str, str] = {}
        for key, cell in cells.items():
            if is_blank(cell):
                continue
            column = template.column(key)
            word = none_word(column, cell)
            if word is not None:
                words[key] = word
                if column.required:
                    raw[key] = word
                continue
            raw[key] = cell_text(cell).replace("\x00", "")  # quoted in reasons: no invisible characters
            problem = cell_problem(cell)
            if problem:
                errors[key] = problem  # rejected, never stored: GX's type check reports the hint
                continue
            try:
                typed[key] = parse_value(column, cell)
            except ValueError as exc:
                errors[key] = str(exc)
        parsed.append(ParsedRow(i + 1, raw, typed, errors, words))
    year = _mode([r.typed.get("year") for r in parsed])
    if template.fixed_submitter:
        submitter = template.fixed_submitter
    else:
        submitter = _mode([r.typed.get(template.submitter_column) for r in parsed]) if template.submitter_column else None
    return ParsedSheet(recognised, parsed, year, submitter, content_hash(template, parsed))


def word_notes(sheet: ParsedSheet) -> list[str]:
    """What the receipt says of words read as empty, once per optional column: "人社局批准文号
    填写「无」的 3 行按未填写处理" (the words in the order first met)."""
    notes: list[str] = []
    for column in sheet.template.columns:
        if column.required:
            continue
        rows = [r.words[column.key] for r in sheet.rows if column.key in r.words]
        if rows:
            quoted = "".join(f"「{w}」" for w in dict.fromkeys(rows))
            notes.append(f"{column.zh} 填写{quoted}的 {len(rows)} 行按未填写处理")
    return notes


def typed_columns(template: Template) -> dict[str, T]:
    return {c.key: c.type for c in template.columns}
