"""The check of an uploaded file, by ingestion's own code, before anything is stored.

A school clerk who uploads a file must see what the warehouse will do with it, so nothing
here re-implements a rule: the file goes through ``store.load.read_file`` (reading, size and
shape limits, template recognition, parsing), ``store.load.validate_batch`` (the committed
GX suites, the ID rule, one submitter and one year per sheet), ``store.decide`` (the
unread-file verdicts and the capped reasons) and ``store.write.reference_lists`` (the
registry the suites check school codes against, a registry in the same file replacing its
year). The portal adds one rule of its own: every submitter in a sheet must be in the
uploader's scope. No Django here: the view, the tests and ``tools/upload_timing.py`` call it alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from dagster_project.core.files import replace_atomically
from dagster_project.core.pii import mask_id
from dagster_project.core.settings import Limits
from dagster_project.core.templates import LOAD_ORDER, Template
from dagster_project.ingest.reader import SUFFIXES
from dagster_project.publish.receipts import STATUS_ZH
from dagster_project.store import decide
from dagster_project.store.decide import Holdings, SheetOutcome, decide_sheets
from dagster_project.store.load import read_file, validate_batch
from dagster_project.store.scan import LandedFile
from dagster_project.store.write import reference_lists

PASSED = "通过"
# Sheets ingestion logs as nobody's problem (an empty Sheet2, a note-only sheet): shown, never blocking.
IGNORED = "无需报送，未作处理"
NOTHING_TO_SUBMIT = "文件中没有报表数据（只有空白或仅含说明文字的工作表），未保存 (nothing to submit)"
# How often the landing-folder sensor looks (defs/sensors.py ``minimum_interval_seconds``;
# tests/portal/test_upload_checking.py keeps the two equal): the page promises no more than this.
SENSOR_INTERVAL_SECONDS = 60
# The folder of the landing folder that portal uploads go to, one sub-folder per uploader's code.
PORTAL_FOLDER = "portal"
# A file name's length in characters (a Chinese character is 3 bytes; most file systems allow 255 bytes).
MAX_NAME_CHARS = 60
# Checks for a checksum-shaped ID number anywhere in a reason: the upload log keeps none unmasked.
_ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')
# One check at a time per process: the GX context and its cached suites are built lazily and
# were written for ingestion's single thread (two first uploads at once would both add them).
_VALIDATING = threading.Lock()


@dataclass(frozen=True)
class SheetCheck:
    """One sheet (or the whole file, when it could not be read) as the upload page shows it."""

    sheet: str | None
    template: Template | None
    rows: int | None
    submitter_code: str | None
    year: int | None
    status: str  # ingestion's status (loaded, rejected, unrecognised, unreadable), or "ignored"
    reasons: tuple[str, ...]

    @property
    def passed(self) -> bool:
        # superseded: a later sheet of the same file replaces it, as the run would decide
        return self.status in ("loaded", "superseded")

    @property
    def verdict(self) -> str:
        """ "通过", or the receipt's words for what happened to the sheet."""
        if self.passed:
            return PASSED
        if self.status == "ignored":
            return IGNORED
        return STATUS_ZH.get(self.status, self.status)


@dataclass(frozen=True)
class FileCheck:
    name: str  # sanitised
    size: int
    sha256: str
    sheets: tuple[SheetCheck, ...]
    seconds: float  # how long the check took

    @property
    def accepted(self) -> bool:
        """Every sheet that holds anything passes, and one does: a rejected or unrecognised sheet
        would become a problem on somebody's receipt, so the clerk fixes the file first."""
        return any(s.passed for s in self.sheets) and all(s.passed or s.status == "ignored" for s in self.sheets)

    @property
    def nothing_to_submit(self) -> bool:
        """Only empty or note-only sheets: nothing a run would load, so nothing is kept."""
        return all(s.status == "ignored" for s in self.sheets)

    def reasons(self) -> list[str]:
        """Every reason, each prefixed by its sheet, ID numbers masked: what the upload log keeps."""
        if self.nothing_to_submit:
            return [NOTHING_TO_SUBMIT]
        return [f"{s.sheet or '文件'}：{mask_ids(r)}" for s in self.sheets if s.status != "ignored" for r in s.reasons]


def mask_ids(text: str) -> str:
    """Mask anything shaped like an ID number. Validation already masks the ID column's values;
    this catches one typed into another column, so the log never holds a readable one."""
    return _ID_SHAPE.sub(lambda m: mask_id(m[0]), text)


def sanitised_name(name: str) -> str:
    """A file name safe to store: the last path part only (``../../x.csv`` -> ``x.csv``), no
    control or format characters (a right-to-left override can disguise ``exe.xlsx``), no
    characters Windows refuses, Chinese kept, at most ``MAX_NAME_CHARS`` with the suffix kept."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip("._ ")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix.lower()[:10]
    stem = stem.strip("._ ")[: MAX_NAME_CHARS - len(suffix) - 1] or "upload"
    return f"{stem}.{suffix}" if suffix else stem


def registry_in_snapshot(snapshot_path: Path) -> list[tuple[int, str]]:
    """(year, school code) of the registry the last run published: the list the suites check
    school codes against, read from the snapshot (replaced whole by a rename, so readable while
    a run holds the working database). Nothing published yet: an empty list, as a new warehouse."""
    if not snapshot_path.exists():
        return []
    con = duckdb.connect(str(snapshot_path), read_only=True)
    try:
        return [(int(y), str(c)) for y, c in con.execute("SELECT DISTINCT year, school_code FROM schools").fetchall()]
    except duckdb.CatalogException:
        return []
    finally:
        con.close()


def _submitters(o: SheetOutcome) -> list[str]:
    """Every submitter a sheet speaks for: the fixed one of a city template, else each distinct
    code in its submitter column (a sheet mixing two is rejected by the suite, and refused here
    for each code outside the scope)."""
    assert o.parsed is not None
    t = o.parsed.template
    if t.submitter_column is None:
        return [t.fixed_submitter] if t.fixed_submitter else []
    codes = {str(r.typed[t.submitter_column]) for r in o.parsed.rows if r.typed.get(t.submitter_column)}
    if o.parsed.submitter_code:
        codes.add(str(o.parsed.submitter_code))
    return sorted(codes)


def scope_reason(template: Template, code: str) -> str:
    label = template.column(template.submitter_column).zh if template.submitter_column else "报送单位代码"
    return f"表中{label} {code} 不属于您的账号，请只报送本单位（本账号负责范围）的数据 (submitter outside your account)"


def check_file(
    name: str,
    data: bytes,
    limits: Limits,
    registry: list[tuple[int, str]],
    covers: Callable[[str, int | None], bool],
    size: int | None = None,
) -> FileCheck:
    """Check one uploaded file. ``size`` is given (and ``data`` left empty) for a file over the
    limit, which is refused unread with ingestion's reason; ``covers(code, year)`` is the
    uploader's scope."""
    started = time.perf_counter()
    safe = sanitised_name(name)
    size = len(data) if size is None else size
    now_ns = time.time_ns()
    f = LandedFile(safe, safe, size, now_ns, data=data, file_hash=hashlib.sha256(data).hexdigest())
    # Ingestion's verdicts on a file it will not read (not xlsx/xls/csv, too big); no quiet
    # period: an upload is complete when it arrives.
    _, unread = decide.before_reading(f, [], "", now_ns, replace(limits, quiet_seconds=0))
    f.verdict_unread = unread
    outcomes = read_file(f, limits)
    # As a run does: the registry first, the rest checked against the registry as it then stands.
    holdings = Holdings()
    params = reference_lists(registry, [])
    with _VALIDATING:
        for key in LOAD_ORDER:
            batch = [o for o in outcomes if o.template is not None and o.template.key == key]
            if batch:
                validate_batch(key, batch, params)
                decide_sheets(batch, holdings, limits.max_reasons)
            if key == "school_registry":
                params = reference_lists(registry, batch)
    sheets = []
    for o in outcomes:
        status, reasons = ("ignored" if o.empty_sheet else o.status), list(o.reasons)
        if o.parsed is not None:
            outside = [c for c in _submitters(o) if not covers(c, o.parsed.year)]
            if outside:
                status = "rejected"
                reasons = [scope_reason(o.parsed.template, c) for c in outside] + (reasons if o.status == "rejected" else [])
        sheets.append(
            SheetCheck(
                sheet=o.sheet,
                template=o.template,
                rows=o.rows_read,
                submitter_code=o.parsed.submitter_code if o.parsed else None,
                year=o.parsed.year if o.parsed else None,
                status=status,
                reasons=tuple(reasons),
            )
        )
    return FileCheck(safe, size, f.file_hash, tuple(sheets), time.perf_counter() - started)


def warm_up() -> None:
    """Import Great Expectations before the first upload: about 5 s of the first check here
    (tools/upload_timing.py: cold 10 s, warm 5 s for 2,000 rows). For a serving process to
    call in a background thread at start; not at Django's setup, which ``vocwh user`` and the
    tests also go through."""
    import dagster_project.validate.runner  # noqa: F401


def landing_path(raw_dir: Path, uploader_code: str, name: str, at: dt.datetime) -> Path:
    """Where an accepted file goes: ``<landing>/portal/<code>/<YYYYmmdd-HHMMSS>_<name>``. The
    time first keeps the name from starting with ``.`` or ``~$`` (which the scan skips), and
    the resolved path is checked to stay inside the landing folder."""
    code = _UNSAFE.sub("_", uploader_code).strip("._") or "unknown"
    folder = raw_dir / PORTAL_FOLDER / code
    path = folder / f"{at:%Y%m%d-%H%M%S}_{sanitised_name(name)}"
    n = 1
    while path.exists():  # two uploads of one name in one second: neither overwrites the other
        n += 1
        path = folder / f"{at:%Y%m%d-%H%M%S}-{n}_{sanitised_name(name)}"
    root = raw_dir.resolve()
    if not path.resolve().is_relative_to(root) or path.resolve() == root:
        raise ValueError(f"refusing to write outside the landing folder: {path}")
    return path


def write_to_landing(raw_dir: Path, uploader_code: str, name: str, data: bytes, at: dt.datetime) -> Path:
    """Write an accepted file atomically: a hidden temp file beside it (the scan skips names
    starting with ``.``, so a run never reads half a file), then one rename. Returns its path."""
    path = landing_path(raw_dir, uploader_code, name, at)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("xb") as fh:
            fh.write(data)
        replace_atomically(tmp, path)
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
    return path


__all__ = [
    "IGNORED",
    "PASSED",
    "SENSOR_INTERVAL_SECONDS",
    "SUFFIXES",
    "FileCheck",
    "SheetCheck",
    "check_file",
    "landing_path",
    "mask_ids",
    "registry_in_snapshot",
    "sanitised_name",
    "warm_up",
    "write_to_landing",
]
