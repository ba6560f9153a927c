"""One ingestion run: landing folder -> validated, versioned rows in the working database.

The run reads only what is new or changed, validates sheets template by template (the
school registry first, since the others are checked against it), decides each sheet's
status (loaded / superseded / duplicate / rejected / unrecognised / unreadable /
deferred) and writes everything in a single transaction: a run that dies leaves the
warehouse as it was, and no sheet is ever half-loaded. Raw files are only ever read.

Whatever one file holds, it ends as audit rows and the run goes on: each stage (reading,
parsing, validating, storing) is isolated per file or sheet, an unexpected error becomes
that sheet's reason (and is logged with its traceback), and a file still being copied is
deferred, not read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from dagster_project.core.codes import county_names
from dagster_project.core.keys import text_key
from dagster_project.core.pii import check_key, mask_id, person_key
from dagster_project.core.settings import Settings
from dagster_project.core.templates import LOAD_ORDER, TEMPLATES, T, Template
from dagster_project.core.values import cell_text, is_blank
from dagster_project.ingest.parse import ParsedSheet, extract, recognise
from dagster_project.ingest.reader import SUFFIXES, Sheet, Unreadable, read_sheets
from dagster_project.store.schema import LINEAGE_COLUMNS, ensure_schema, stored_columns
from dagster_project.store.warehouse import EMPTY_SHEET_REASON, connect

if TYPE_CHECKING:
    from dagster_project.validate.runner import Verdict

log = logging.getLogger(__name__)

TERMINAL_PROBLEMS = ("rejected", "unrecognised", "unreadable")


@dataclass
class LandedFile:
    path: Path
    rel: str
    size: int
    mtime_ns: int
    data: bytes = b""
    file_hash: str = ""
    # Receipt number of the first time these bytes were read: a sheet looked at again (it
    # waited for the registry) keeps its place in receipt order.
    first_seq: int | None = None
    # Set when the file is not read this run: (status, reason) of its one audit row.
    verdict_unread: tuple[str, str] | None = None

    @property
    def deferred(self) -> bool:
        return self.verdict_unread is not None and self.verdict_unread[0] == "deferred"

    @property
    def received_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.mtime_ns / 1e9, tz=dt.UTC).replace(tzinfo=None)


@dataclass
class SheetOutcome:
    """A sheet (or unreadable file) and what became of it: one row of audit.submissions."""

    file: LandedFile
    sheet: str | None
    status: str = ""
    parsed: ParsedSheet | None = None
    reasons: list[str] = field(default_factory=list)
    verdict: Verdict | None = None
    submission_id: str = ""
    version: int | None = None
    receipt_seq: int = 0
    received_seq: int = 0
    empty_sheet: bool = False
    rows_read: int | None = None
    superseded_by: str | None = None

    @property
    def template(self) -> Template | None:
        return self.parsed.template if self.parsed else None

    @property
    def awaits_reference(self) -> bool:
        """Rejected (also) because a school was not in that year's registry: worth another
        look once the registry changes."""
        return (
            self.status == "rejected"
            and self.verdict is not None
            and any(r["check"] == "reference" and not r["success"] for r in self.verdict.results)
        )

    def release(self) -> None:
        """Drop the rows once written: a national run must not hold every sheet in memory."""
        if self.parsed is not None:
            self.parsed.rows = []


@dataclass
class IngestReport:
    run_id: str
    files_seen: int = 0
    files_skipped: int = 0
    outcomes: list[SheetOutcome] = field(default_factory=list)
    pii_warning: str | None = None

    def audit_rows(self) -> list[dict[str, Any]]:
        return [_audit_row(o, self.run_id, dt.datetime.now(dt.UTC).replace(tzinfo=None)) for o in self.outcomes]

    def count(self, status: str, template: str | None = None) -> int:
        return sum(1 for o in self.outcomes if o.status == status and (template is None or (o.template and o.template.key == template)))


# Files the system or an open editor leaves beside submissions: nobody sent them.
_SYSTEM_NAMES = {"thumbs.db", "desktop.ini"}


def _system_file(rel: Path) -> bool:
    """Hidden files and folders (.DS_Store, .git), Office's lock files (~$报表.xlsx)."""
    return any(part.startswith(".") for part in rel.parts) or rel.name.startswith("~$") or rel.name.lower() in _SYSTEM_NAMES


def scan(raw_dir: Path) -> list[LandedFile]:
    """Every file under the landing folder, in receipt order (mtime, then path): a file that
    is not a submission format still gets a status, so nothing sent goes unanswered."""
    files = []
    for path in raw_dir.rglob("*"):
        if path.is_file() and not _system_file(path.relative_to(raw_dir)):
            try:
                st = path.stat()
            except OSError:
                continue  # removed since it was listed
            files.append(LandedFile(path, path.relative_to(raw_dir).as_posix(), st.st_size, st.st_mtime_ns))
    files.sort(key=lambda f: (f.mtime_ns, f.rel))
    return files


def _first_rows_text(rows: list[list[Any]]) -> str:
    """What the clerk sent, enough to see why it is not a template: rows down to the first
    that looks like a header (two or more cells). Data rows are not quoted, since an unknown
    sheet may be a staff list, and long digit runs (phone, ID numbers) are masked."""
    shown = []
    for i, row in enumerate(rows):
        cells = [re.sub(r"\d{7,}", lambda m: m[0][:3] + "*" * (len(m[0]) - 3), cell_text(c)) for c in row if not is_blank(c)]
        if cells:
            shown.append(f"第{i + 1}行：" + " | ".join(cells[:12]))
        if len(cells) >= 2 or len(shown) >= 3:
            break
    return "；".join(shown)


def _unrecognised_reason(sheet: Sheet) -> str:
    return (
        # the list follows the template definitions, so a new template is named here too
        f"未能识别填报模板：前30行中没有与任何模板（{'、'.join(t.zh for t in TEMPLATES.values())}）"
        "相符的表头行，请使用规定模板的表头 (unrecognised header)。"
        f"表中内容：{_first_rows_text(sheet.rows)}"
    )


def _reference_parameters(con: duckdb.DuckDBPyConnection, registry_run: list[SheetOutcome]) -> dict[str, list[str]]:
    """Reference lists the suites check against: known counties, and "year:school" pairs of
    the current registry, where a registry loaded in this run replaces its year's old one."""
    loaded = [o for o in registry_run if o.status == "loaded" and o.parsed is not None]
    replaced_years = [o.parsed.year for o in loaded if o.parsed is not None]
    held = con.execute(
        "SELECT DISTINCT CAST(year AS VARCHAR) || ':' || school_code FROM submissions.school_registry WHERE NOT list_contains(?, year)",
        [replaced_years],
    ).fetchall()
    fresh = {f"{o.parsed.year}:{r.typed.get('school_code')}" for o in loaded if o.parsed is not None for r in o.parsed.rows}
    return {
        "known_counties": sorted(county_names()),
        "registered_school_years": sorted({r[0] for r in held} | fresh),
    }


def _fingerprint(params: dict[str, list[str]]) -> str:
    h = hashlib.sha256()
    for name in sorted(params):
        h.update(name.encode())
        for v in params[name]:
            h.update(v.encode() + b"\n")
    return h.hexdigest()[:16]


UNSUPPORTED = "不是可识别的报送文件格式，请使用xlsx、xls或csv文件报送 (unsupported file type)"


def _deferred_quiet(seconds: float) -> str:
    return f"文件在{seconds:g}秒内刚被修改，可能仍在复制中，将在下次运行时处理 (deferred: modified within the quiet period)"


DEFERRED_CHANGED = "文件在读取过程中发生了变化（可能仍在写入），将在下次运行时处理 (deferred: file changed while being read)"


def _too_big_file(size: int, limit: int) -> str:
    return f"文件大小{size}字节，超出系统上限（{limit}字节），未读取。请拆分后重新报送 (file too large)"


def hash_file(path: Path) -> str:
    """SHA-256 of a file read in pieces: a file we do not load is never held in memory."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _capped(reasons: list[str], limit: int) -> list[str]:
    """The first ``limit`` reasons and a count of the rest: 200,000 failing rows must not make
    a 10-million-character cell (audit.validation_results keeps every result)."""
    if limit <= 0 or len(reasons) <= limit:
        return reasons
    return [*reasons[:limit], f"…另有{len(reasons) - limit}条问题未列出，请先改正以上问题 ({len(reasons) - limit} more)"]


def _internal(stage: str, exc: BaseException) -> str:
    return f"{stage}时出现意外错误，已记录，请联系管理员 (internal error while {_STAGE_EN[stage]}: {type(exc).__name__}: {exc})"[:2000]


_STAGE_EN = {"读取": "reading", "校验": "validating", "入库": "storing"}


def _submission_id(o: SheetOutcome, run_id: str) -> str:
    key = f"{o.file.rel}\x1f{o.file.file_hash}\x1f{o.sheet}\x1f{run_id}\x1f{o.receipt_seq}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _audit_row(o: SheetOutcome, run_id: str, now: dt.datetime) -> dict[str, Any]:
    p = o.parsed
    return {
        "submission_id": o.submission_id,
        "source_file": o.file.rel,
        "sheet": o.sheet,
        "template": p.template.key if p else None,
        "submitter_code": p.submitter_code if p else None,
        "year": p.year if p else None,
        "content_hash": p.content_hash if p else None,
        "status": o.status,
        "rows": o.rows_read,
        "reasons": "\n".join(o.reasons) if o.reasons else None,
        "received_at": o.file.received_at,
        "processed_at": now,
        "version": o.version,
        "file_hash": o.file.file_hash,
        "receipt_seq": o.receipt_seq,
        "received_seq": o.received_seq,
        "run_id": run_id,
        "superseded_by": o.superseded_by,
    }


def _history_frame(template: Template, outcomes: list[SheetOutcome], pii_key: str, loaded_at: dt.datetime) -> pd.DataFrame:
    """All stored rows of one template's sheets: typed values, ID numbers replaced by key and
    mask, lineage. Built column-wise: one frame per template and chunk, not per sheet."""
    names = [n for n, _ in stored_columns(template)] + [n for n, _ in LINEAGE_COLUMNS]
    data: dict[str, list[Any]] = {n: [] for n in names}
    for o in outcomes:
        assert o.parsed is not None
        for row in o.parsed.rows:
            for c in template.columns:
                v = row.typed.get(c.key)
                if c.type is T.ID_NUMBER:
                    data["person_key"].append(person_key(v, pii_key) if v else None)
                    data["id_masked"].append(mask_id(v) if v else None)
                elif c.type is T.DECIMAL:
                    data[c.key].append(None if v is None else str(v))
                else:
                    data[c.key].append(v)
                if c.key_column:
                    data[c.key_column].append(text_key(v) if v is not None else None)
            data["row_number"].append(row.row_number)
        n = len(o.parsed.rows)
        data["submission_id"] += [o.submission_id] * n
        data["version"] += [o.version] * n
        data["source_file"] += [o.file.rel] * n
        data["sheet"] += [o.sheet] * n
        data["loaded_at"] += [loaded_at] * n
    return pd.DataFrame(data, columns=names)


class Ingestor:
    """Holds one run's state; ``run`` is the whole job."""

    # Files per transaction: bounds memory at national scale while keeping GX passes few.
    chunk_files = 5000

    def __init__(self, settings: Settings, run_id: str) -> None:
        self.settings = settings
        self.run_id = run_id
        self.report = IngestReport(run_id)
        # Current version and highest version number per identity (template, submitter, year).
        self.current: dict[tuple[str, str, int], dict[str, Any]] = {}
        self.versions: dict[tuple[str, str, int], int] = {}
        self.superseded: list[tuple[str, str]] = []  # (old submission_id, the one replacing it)

    # -- reading -----------------------------------------------------------------
    def _to_process(
        self, con: duckdb.DuckDBPyConnection, files: list[LandedFile], fingerprint: str, exclude: frozenset[str] = frozenset()
    ) -> list[LandedFile]:
        """Files not yet processed in their present content. A file with a sheet rejected for
        an unknown school is looked at again when the reference data (registry, county list)
        has changed since. A file modified within the quiet period, or changing while it is
        read, is returned deferred: it gets an audit row but no ``audit.files`` entry, so the
        next run looks at it again."""
        known: dict[tuple[str, str], tuple[int, int, bool, str]] = {
            (r[0], r[1]): (r[2], r[3], r[4], r[5])
            for r in con.execute(
                "SELECT source_file, file_hash, size_bytes, mtime_ns, awaits_reference, refs_fingerprint FROM audit.files"
            ).fetchall()
        }
        first_seq: dict[tuple[str, str], int] = {
            (r[0], r[1]): r[2]
            for r in con.execute(
                "SELECT source_file, file_hash, min(received_seq) FROM audit.submissions WHERE received_seq IS NOT NULL GROUP BY ALL"
            ).fetchall()
        }
        by_path: dict[str, list[tuple[str, int, int, bool, str]]] = defaultdict(list)
        for (rel, h), (size, mtime, rej, fp) in known.items():
            by_path[rel].append((h, size, mtime, rej, fp))

        def settled(rejected: bool, fp: str) -> bool:
            return not rejected or fp == fingerprint

        limits = self.settings.limits
        now_ns = time.time_ns()
        todo = []
        for f in files:
            if f.rel in exclude:
                continue
            if any(size == f.size and mtime == f.mtime_ns and settled(rej, fp) for _, size, mtime, rej, fp in by_path.get(f.rel, [])):
                continue  # unchanged since last run: not even read
            if limits.quiet_seconds > 0 and now_ns - f.mtime_ns < limits.quiet_seconds * 1e9:
                f.verdict_unread = ("deferred", _deferred_quiet(limits.quiet_seconds))
                todo.append(f)
                continue
            try:
                if f.path.suffix.lower() not in SUFFIXES:
                    f.verdict_unread = ("unrecognised", UNSUPPORTED)
                    f.file_hash = hash_file(f.path)
                elif f.size > limits.max_file_bytes:
                    f.verdict_unread = ("unreadable", _too_big_file(f.size, limits.max_file_bytes))
                    f.file_hash = hash_file(f.path)
                else:
                    f.data = f.path.read_bytes()
                    f.file_hash = hashlib.sha256(f.data).hexdigest()
                st = f.path.stat()
            except OSError:
                st = None  # gone or locked while being read: as good as changing
            if st is None or (st.st_size, st.st_mtime_ns) != (f.size, f.mtime_ns):
                # Changed while read (still being written): these bytes are not the file.
                f.data, f.file_hash = b"", ""
                f.verdict_unread = ("deferred", DEFERRED_CHANGED)
                todo.append(f)
                continue
            seen = known.get((f.rel, f.file_hash))
            if seen and settled(seen[2], seen[3]):
                # Same bytes, new timestamp (copied or touched): remember the new mtime, skip.
                con.execute(
                    "UPDATE audit.files SET mtime_ns = ?, size_bytes = ? WHERE source_file = ? AND file_hash = ?",
                    [f.mtime_ns, f.size, f.rel, f.file_hash],
                )
                continue
            f.first_seq = first_seq.get((f.rel, f.file_hash))
            todo.append(f)
        return todo

    def _read(self, f: LandedFile) -> list[SheetOutcome]:
        if f.verdict_unread is not None:
            return [SheetOutcome(f, None, status=f.verdict_unread[0], reasons=[f.verdict_unread[1]])]
        try:
            return self._read_sheets(f)
        except Exception as exc:  # a bug must not stop the run: this file gets the reason, the log the traceback
            log.exception("reading %s failed", f.rel)
            return [SheetOutcome(f, None, status="unreadable", reasons=[_internal("读取", exc)])]

    def _read_sheets(self, f: LandedFile) -> list[SheetOutcome]:
        try:
            sheets = read_sheets(f.path, f.data, self.settings.limits)
        except Unreadable as exc:
            return [SheetOutcome(f, None, status="unreadable", reasons=[str(exc)])]
        if not sheets:
            return [SheetOutcome(f, None, status="unreadable", reasons=["工作簿中没有工作表 (workbook has no sheets)"])]
        outcomes = []
        for sheet in sheets:
            o = SheetOutcome(f, sheet.name)
            if not any(not is_blank(c) for row in sheet.rows for c in row):
                o.status, o.empty_sheet = "unrecognised", True
                o.reasons = [EMPTY_SHEET_REASON]
            else:
                recognised = recognise(sheet.rows)
                if recognised is None:
                    o.status, o.reasons = "unrecognised", [_unrecognised_reason(sheet)]
                else:
                    o.parsed = extract(sheet.rows, recognised)
                    o.rows_read = len(o.parsed.rows)
            outcomes.append(o)
        return outcomes

    # -- deciding ----------------------------------------------------------------
    def _decide(self, outcomes: list[SheetOutcome]) -> None:
        """Status of validated sheets. Receipt order decides which version is current: a
        sheet received before the current version (it waited for the registry) is kept,
        but as superseded."""
        for o in outcomes:
            assert o.parsed is not None and o.verdict is not None
            if not o.verdict.passed:
                o.status, o.reasons = "rejected", _capped(o.verdict.reasons, self.settings.limits.max_reasons)
                continue
            identity = (o.parsed.template.key, str(o.parsed.submitter_code), int(o.parsed.year or 0))
            held = self.current.get(identity)
            if held and held["content_hash"] == o.parsed.content_hash:
                o.status = "duplicate"
                o.reasons = [
                    f"与已入库的版本 v{held['version']}（{held['source_file']}）内容相同，未重复入库 (same content as the current version)"
                ]
                continue
            o.version = self.versions.get(identity, 0) + 1
            self.versions[identity] = o.version
            if held and held["received_seq"] > o.received_seq:
                o.status, o.superseded_by = "superseded", held["submission_id"]
                o.reasons = [
                    f"收到时间早于当前版本 v{held['version']}（{held['source_file']}），作为历史版本保存 (received before the current version)"
                ]
                continue
            o.status = "loaded"
            if held:
                self.superseded.append((held["submission_id"], o.submission_id))
                held_outcome = held.get("outcome")
                if held_outcome is not None:
                    held_outcome.status, held_outcome.superseded_by = "superseded", o.submission_id
            self.current[identity] = {
                "submission_id": o.submission_id,
                "content_hash": o.parsed.content_hash,
                "version": o.version,
                "source_file": o.file.rel,
                "received_seq": o.received_seq,
                "outcome": o,
            }

    def _read_all(self, files: list[LandedFile], start_seq: int) -> list[SheetOutcome]:
        outcomes = [o for f in files for o in self._read(f)]
        first_of_file: dict[str, int] = {}
        for i, o in enumerate(outcomes, start=start_seq + 1):
            o.receipt_seq = i
            o.received_seq = o.file.first_seq or first_of_file.setdefault(o.file.rel, i)
            o.submission_id = _submission_id(o, self.run_id)
        return outcomes

    def _validate_and_decide(self, key: str, batch: list[SheetOutcome], params: dict[str, list[str]]) -> None:
        # Imported here: Great Expectations takes seconds to import, and a run that finds
        # nothing new (the common case for the sensor and the schedule) never needs it.
        from dagster_project.validate.runner import Verdict, validate

        template = TEMPLATES[key]
        try:
            verdicts = validate(template, [o.parsed for o in batch if o.parsed], params)
        except Exception:
            # One sheet must not fail the others: validate them one by one to find it.
            log.exception("validating %d %s sheets together failed; validating one by one", len(batch), key)
            verdicts = []
            for o in batch:
                try:
                    verdicts += validate(template, [o.parsed] if o.parsed else [], params)
                except Exception as exc:
                    log.exception("validating %s / %s failed", o.file.rel, o.sheet)
                    verdicts.append(Verdict(reasons=[_internal("校验", exc)]))
        for o, v in zip(batch, verdicts, strict=True):
            o.verdict = v
        self._decide(batch)

    def _process(self, con: duckdb.DuckDBPyConnection, files: list[LandedFile], seq: int) -> int:
        """Read, validate, decide and write one chunk of files in one transaction; returns the
        last receipt number used. The registry goes first: the rest is checked against it."""
        outcomes = self._read_all(files, seq)
        for f in files:
            f.data = b""
        registry_run = [o for o in outcomes if o.template is not None and o.template.key == "school_registry"]
        params = _reference_parameters(con, [])
        for key in LOAD_ORDER:
            batch = [o for o in outcomes if o.template is not None and o.template.key == key]
            if batch:
                self._validate_and_decide(key, batch, params)
            if key == "school_registry":
                # The rest of the chunk is checked against the registry as it now stands.
                params = _reference_parameters(con, registry_run)
        fingerprint = _fingerprint(params)
        try:
            self._write(con, files, outcomes, self.superseded, fingerprint)
        except (duckdb.Error, ValueError, TypeError, OverflowError):
            # Something in one file could not be stored (the chunk was rolled back whole):
            # store file by file, and the one that fails keeps an audit row with the reason.
            log.exception("storing %d files together failed; storing file by file", len(files))
            self._write_one_by_one(con, files, outcomes, self.superseded, fingerprint)
        self.superseded = []
        for o in outcomes:
            o.release()
        self.report.outcomes += outcomes
        return seq + len(outcomes)

    def _write_one_by_one(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[LandedFile],
        outcomes: list[SheetOutcome],
        superseded: list[tuple[str, str]],
        fingerprint: str,
    ) -> None:
        for f in files:
            mine = [o for o in outcomes if o.file is f]
            ids = {o.submission_id for o in mine}
            replaced = [(old, new) for old, new in superseded if new in ids]
            try:
                self._write(con, [f], mine, replaced, fingerprint)
            except (duckdb.Error, ValueError, TypeError, OverflowError) as exc:
                log.exception("storing %s failed", f.rel)
                for o in mine:
                    if o.status in ("loaded", "superseded", "duplicate"):
                        o.status, o.reasons = "rejected", [_internal("入库", exc)]
                        o.version, o.superseded_by = None, None
                self._write(con, [f], mine, [], fingerprint)
        self._load_state(con)  # versions decided in memory for a file that failed did not happen

    def _load_state(self, con: duckdb.DuckDBPyConnection) -> None:
        self.current = {
            (r[0], r[1], r[2]): {
                "submission_id": r[3],
                "content_hash": r[4],
                "version": r[5],
                "source_file": r[6],
                "received_seq": r[7],
            }
            for r in con.execute(
                "SELECT template, submitter_code, year, submission_id, content_hash, version, source_file, received_seq "
                "FROM audit.submissions WHERE status = 'loaded'"
            ).fetchall()
        }
        self.versions = {
            (r[0], r[1], r[2]): r[3]
            for r in con.execute(
                "SELECT template, submitter_code, year, max(version) FROM audit.submissions WHERE version IS NOT NULL GROUP BY ALL"
            ).fetchall()
        }

    def run(self) -> IngestReport:
        self.report.pii_warning = check_key(self.settings)
        raw_dir = self.settings.raw_dir
        if not raw_dir.is_dir():
            raise FileNotFoundError(f"landing folder {raw_dir} does not exist (set VOCWH_RAW_DIR)")
        with connect(self.settings.warehouse_path) as con:
            ensure_schema(con)
            files = scan(raw_dir)
            self.report.files_seen = len(files)
            fp_before = _fingerprint(_reference_parameters(con, []))
            todo = self._to_process(con, files, fp_before)
            seq = con.execute("SELECT coalesce(max(receipt_seq), 0) FROM audit.submissions").fetchone()[0]
            self._load_state(con)
            processed = {f.rel for f in todo}
            for start in range(0, len(todo), self.chunk_files):
                seq = self._process(con, todo[start : start + self.chunk_files], seq)
            fp_after = _fingerprint(_reference_parameters(con, []))
            if fp_after != fp_before:
                # The registry changed during this run: sheets rejected for an unknown school
                # (here or in earlier runs) may pass now, so they are read once more.
                deferred = frozenset(f.rel for f in todo if f.deferred)  # answered once per run
                again = self._to_process(con, files, fp_after, exclude=deferred)
                processed |= {f.rel for f in again}
                for start in range(0, len(again), self.chunk_files):
                    seq = self._process(con, again[start : start + self.chunk_files], seq)
        self.report.files_skipped = len(files) - len(processed)
        return self.report

    # -- writing -----------------------------------------------------------------
    def _write(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[LandedFile],
        outcomes: list[SheetOutcome],
        superseded: list[tuple[str, str]],
        fingerprint: str,
    ) -> None:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        con.execute("BEGIN TRANSACTION")
        try:
            audit = pd.DataFrame([_audit_row(o, self.run_id, now) for o in outcomes])
            if not audit.empty:
                con.register("audit_df", audit)
                con.execute("INSERT INTO audit.submissions BY NAME SELECT * FROM audit_df")
                con.unregister("audit_df")
            for old_id, new_id in superseded:
                con.execute(
                    "UPDATE audit.submissions SET status = 'superseded', superseded_by = ? WHERE submission_id = ?", [new_id, old_id]
                )
            by_template: dict[str, list[SheetOutcome]] = defaultdict(list)
            for o in outcomes:
                if o.status in ("loaded", "superseded") and o.parsed is not None and o.version is not None:
                    by_template[o.parsed.template.key].append(o)
            for key, stored in by_template.items():
                df = _history_frame(TEMPLATES[key], stored, self.settings.pii_key, now)
                con.register("hist_df", df)
                casts = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t in [*stored_columns(TEMPLATES[key]), *LINEAGE_COLUMNS])
                con.execute(f"INSERT INTO history.{key} BY NAME SELECT {casts} FROM hist_df")
                con.unregister("hist_df")
            results = [
                {**r, "submission_id": o.submission_id, "template": o.parsed.template.key, "validated_at": now, "run_id": self.run_id}
                for o in outcomes
                if o.verdict is not None and o.parsed is not None
                for r in o.verdict.results
            ]
            if results:
                vr = pd.DataFrame(results).rename(columns={"check": "check_kind"})
                con.register("vr_df", vr)
                con.execute("INSERT INTO audit.validation_results BY NAME SELECT * FROM vr_df")
                con.unregister("vr_df")
            changed = sorted({o.parsed.template.key for o in outcomes if o.status in ("loaded", "superseded") and o.parsed is not None})
            if changed:
                con.execute("INSERT OR IGNORE INTO audit.pending_builds SELECT unnest(?), ?", [changed, now])
            waiting = {o.file.rel for o in outcomes if o.awaits_reference}
            files_df = pd.DataFrame(
                [
                    {
                        "source_file": f.rel,
                        "file_hash": f.file_hash,
                        "size_bytes": f.size,
                        "mtime_ns": f.mtime_ns,
                        "received_at": f.received_at,
                        "processed_at": now,
                        "awaits_reference": f.rel in waiting,
                        "refs_fingerprint": fingerprint,
                    }
                    for f in files
                    if not f.deferred  # not remembered: looked at again next run
                ]
            )
            if not files_df.empty:
                con.register("files_df", files_df)
                con.execute("INSERT OR REPLACE INTO audit.files BY NAME SELECT * FROM files_df")
                con.unregister("files_df")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def run_ingest(settings: Settings, run_id: str | None = None, chunk_files: int | None = None) -> IngestReport:
    """Ingest everything new or changed under ``settings.raw_dir``."""
    run_id = run_id or dt.datetime.now(dt.UTC).strftime("manual-%Y%m%dT%H%M%S%f")
    ingestor = Ingestor(settings, run_id)
    if chunk_files:
        ingestor.chunk_files = chunk_files
    report = ingestor.run()
    log.info(
        "ingest %s: %d files seen, %d unchanged, %d sheets processed", run_id, report.files_seen, report.files_skipped, len(report.outcomes)
    )
    return report


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    r = run_ingest(Settings.from_env())
    for o in r.outcomes:
        print(o.status, o.file.rel, o.sheet, *(o.reasons[:3]), sep=" | ")
