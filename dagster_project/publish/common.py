"""Helpers shared by the snapshot, the finance reports and the receipts.

Code labels come from the template definitions and county names from the dbt seed,
so a label changes in one place and every report follows.  Every figure and name a
report shows is read from a dbt model (schema ``marts``, or ``restricted`` for the payout
list); the tables are those of the dbt manifest, never a list kept here.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.core.codes import county_names
from dagster_project.core.files import atomic_write_bytes
from dagster_project.core.templates import CITY_CODE, TEMPLATES, T
from dagster_project.store.warehouse import wait_while_locked
from dagster_project.transform.dbt_project import MART_SCHEMA, RESTRICTED_SCHEMA, mart_models, mart_tables

__all__ = ["MART_SCHEMA", "RESTRICTED_SCHEMA", "mart_tables"]  # re-exported for the report modules

Row = dict[str, Any]


def fetch_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> list[Row]:
    """Rows as dicts: reports pick columns by name, so extra mart columns never shift anything."""
    cur = con.execute(sql, list(params) if params is not None else None)
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Tables and views alike: dbt may materialise a model either way."""
    n = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ? AND table_catalog = current_database()",
        [schema, name],
    ).fetchone()
    return bool(n and n[0])


def mart_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Every year present in any mart that has a year column: one finance report per year."""
    years: set[int] = set()
    for m in mart_models():
        if "year" in m.columns and relation_exists(con, m.schema, m.name):
            years.update(int(r[0]) for r in con.execute(f"SELECT DISTINCT year FROM {m.relation} WHERE year IS NOT NULL").fetchall())
    return sorted(years)


@contextmanager
def open_readonly(path: Path, wait_seconds: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the working database read-only, waiting out a writer's lock rather than failing at once."""
    if not path.exists():
        raise FileNotFoundError(f"working database not found: {path}")
    con = wait_while_locked(lambda: duckdb.connect(str(path), read_only=True), wait_seconds)
    try:
        yield con
    finally:
        con.close()


# ---- labels -------------------------------------------------------------------------------------

_CHOICE_COLUMNS: dict[str, tuple[str, str]] = {
    # mart column -> (template, template column) whose choices give the Chinese label
    "school_level": ("school_registry", "school_level"),
    "training_type": ("training", "training_type"),
    "cooperation_type": ("partnership_income", "cooperation_type"),
    "income_category": ("partnership_income", "income_category"),
    "competition_level": ("competition_awards", "competition_level"),
    "organizer_type": ("competition_awards", "organizer_type"),
    "role": ("competition_awards", "role"),
    "prize": ("competition_awards", "prize"),
}


def _choice_spec(column: str) -> tuple[str, str] | None:
    """Where a column's labels come from: the table above, else the one template column of that
    key with choices (so a new template's enumerations get their labels from its definition)."""
    if column in _CHOICE_COLUMNS:
        return _CHOICE_COLUMNS[column]
    found = [(t.key, c.key) for t in TEMPLATES.values() for c in t.columns if c.key == column and c.choices and c.type is not T.BOOL]
    return found[0] if len(found) == 1 else None


def choice_zh(column: str, value: object) -> str:
    """Chinese label of a canonical code value (``national`` -> 国家级); unknown values pass through."""
    if value is None:
        return ""
    spec = _choice_spec(column)
    if spec:
        for c in TEMPLATES[spec[0]].column(spec[1]).choices:
            if c.value == value:
                return c.zh
    return str(value)


def choice_order(column: str) -> list[str]:
    """Canonical values in template order: charts and tables list levels national first, not alphabetically."""
    spec = _CHOICE_COLUMNS[column]
    return [c.value for c in TEMPLATES[spec[0]].column(spec[1]).choices]


def school_names(con: duckdb.DuckDBPyConnection, year: int | None = None) -> dict[str, str]:
    """School code -> name from the dbt model ``marts.schools``, preferring the given year and
    else the latest one; empty before the first dbt build."""
    if not relation_exists(con, MART_SCHEMA, "schools"):
        return {}
    rows = con.execute(
        f"""
        SELECT school_code, school_name FROM {MART_SCHEMA}.schools
        ORDER BY (year = ?) DESC NULLS LAST, year DESC
        """,
        [year],
    ).fetchall()
    out: dict[str, str] = {}
    for code, name in rows:
        out.setdefault(str(code), str(name))
    return out


def submitter_name(code: str | None, schools: dict[str, str]) -> str:
    """A submitter is a school (10 digits) or a county / the city (6 digits)."""
    if not code:
        return ""
    if code == CITY_CODE:
        return "吉林市本级"
    return schools.get(code) or county_names().get(code, "")


# ---- values -------------------------------------------------------------------------------------


def to_float(v: object) -> float | None:
    """Excel and SVG want floats; the warehouse keeps DECIMAL, converted only at the edge."""
    if v is None:
        return None
    if isinstance(v, Decimal | int | float):
        return float(v)
    return float(str(v))


def yuan(v: object) -> str:
    """Amount as text for HTML: 12,345.00."""
    f = to_float(v)
    return "—" if f is None else f"{f:,.2f}"


def esc(v: object) -> str:
    """HTML-escape anything, quotes included: every value may come from a submission."""
    return html.escape("" if v is None else str(v), quote=True)


_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')


def safe_filename(text: str, limit: int = 60) -> str:
    """File-name-safe text: names come from submissions and may hold slashes or worse."""
    cleaned = _UNSAFE_FILENAME.sub("_", text).strip("._").lstrip("=+-@")
    return cleaned[:limit] or "unnamed"


# ---- writing only what changed -----------------------------------------------------------------

# Where a page says when it was made. The time changes on every run, the content may
# not: pages are compared without it, and it is filled in only when a page is written.
GENERATED_AT = "@@vocwh-generated-at@@"
# Where a page's <head> records the build and the content it holds.
PAGE_META = "<!--vocwh-meta-->"
_META = re.compile(r'<meta name="vocwh-(build|content)" content="([^"]*)">')


@cache
def renderer_fingerprint() -> str:
    """Hash of the publishing code: a new layout must rewrite outputs whose data did not change."""
    h = hashlib.sha256()
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def content_hash(*parts: object) -> str:
    """Stable hash of what an output shows (rows, year, page text) and of the code that lays it out."""
    h = hashlib.sha256(renderer_fingerprint().encode())
    for part in parts:
        h.update(b"\0" + (part if isinstance(part, bytes) else repr(part).encode()))
    return h.hexdigest()[:24]


def page_records(path: Path) -> dict[str, str]:
    """The build and content recorded in a page written by ``write_page``; empty if none or no file."""
    try:
        with path.open("rb") as f:
            head = f.read(4096).decode("utf-8", "replace")
    except OSError:
        return {}
    return dict(_META.findall(head))


def write_page(path: Path, page: str, build_id: str | None = None) -> bool:
    """Write an HTML page unless the file already shows the same content; True if written.

    ``page`` carries ``PAGE_META`` in its head and may carry ``GENERATED_AT`` where it
    shows its time: the content is compared without the time, so a run with nothing new
    leaves every page, and its time, as it was."""
    content = content_hash(page)
    if page_records(path).get("content") == content:
        return False
    meta = f'<meta name="vocwh-content" content="{content}">' + (f'<meta name="vocwh-build" content="{esc(build_id)}">' if build_id else "")
    final = page.replace(PAGE_META, meta, 1).replace(GENERATED_AT, esc(f"{datetime.now():%Y-%m-%d %H:%M}"))
    atomic_write_bytes(path, final.encode("utf-8"))
    return True


# ---- rendering nothing that is current ---------------------------------------------------------


# A record of what each output folder holds: for each group of outputs (a year's reports, a
# batch's receipts), the build and publishing code they were rendered from, and each file's
# size and modification time. A run whose build is the recorded one renders nothing:
# comparing content is for when the build differs (issue 17: 35 s of workbooks and 30 s of
# receipts on a national run with nothing new). The records live in the warehouse folder's
# `.rendered/`, not among the outputs they describe.
def _record_path(records: Path, folder: Path) -> Path:
    return records / (hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16] + ".json")


def _render_key(build_id: str | None) -> str:
    return f"{build_id or ''}/{renderer_fingerprint()}"


def _record(records: Path, folder: Path) -> dict[str, Any]:
    try:
        return json.loads(_record_path(records, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def current_outputs(folder: Path, group: str, build_id: str | None, records: Path) -> list[Path] | None:
    """The outputs of ``group`` if the record says they were rendered from ``build_id`` by this
    code and every file is still as it was written (one stat each); else None: render them."""
    if not build_id:
        return None
    entry = _record(records, folder).get(group) or {}
    if entry.get("key") != _render_key(build_id) or not entry.get("files"):
        return None
    paths = []
    for name, (size, mtime_ns) in entry["files"].items():
        try:
            st = (folder / name).stat()
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
            return None
        paths.append(folder / name)
    return paths


def record_outputs(folder: Path, group: str, build_id: str | None, paths: Sequence[Path], records: Path) -> None:
    """Note that ``paths`` (files of ``folder``) now show ``build_id``, for ``current_outputs``."""
    if not build_id:
        return
    record = _record(records, folder)
    files = {}
    for p in paths:
        st = p.stat()
        files[p.relative_to(folder).as_posix()] = [st.st_size, st.st_mtime_ns]
    record[group] = {"key": _render_key(build_id), "files": files}
    records.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(_record_path(records, folder), json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
