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

This module runs the stages and parses; the rest has one owner each: ``store.scan`` lists
the folder and reads files, ``store.decide`` decides (no database), ``store.write`` reads
what the warehouse holds and writes, ``store.schema`` owns the tables.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

import duckdb

from dagster_project.core.keys import text_key
from dagster_project.core.pii import check_key, mask_id, person_key
from dagster_project.core.settings import Limits, Settings
from dagster_project.core.templates import LOAD_ORDER, TEMPLATES, T, Template
from dagster_project.core.values import cell_text, is_blank
from dagster_project.ingest.parse import extract, recognise
from dagster_project.ingest.reader import Sheet, Unreadable, read_sheets
from dagster_project.store import decide, write
from dagster_project.store.decide import SheetOutcome, decide_sheets, fingerprint
from dagster_project.store.scan import LandedFile, hash_file, scan, take
from dagster_project.store.schema import LINEAGE_COLUMNS, ensure_schema, stored_columns
from dagster_project.store.warehouse import EMPTY_SHEET_REASON, connect, note_sheet_reason

if TYPE_CHECKING:
    import pandas as pd

# ``scan`` and ``hash_file`` are imported from here by the sensor and the tests.
__all__ = ["IngestReport", "LandedFile", "SheetOutcome", "hash_file", "run_ingest", "scan"]

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    run_id: str
    files_seen: int = 0
    files_skipped: int = 0
    outcomes: list[SheetOutcome] = field(default_factory=list)
    pii_warning: str | None = None

    def count(self, status: str, template: str | None = None) -> int:
        return sum(1 for o in self.outcomes if o.status == status and (template is None or (o.template and o.template.key == template)))


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


def _internal(stage: str, exc: BaseException) -> str:
    return f"{stage}时出现意外错误，已记录，请联系管理员 (internal error while {_STAGE_EN[stage]}: {type(exc).__name__}: {exc})"[:2000]


_STAGE_EN = {"读取": "reading", "校验": "validating", "入库": "storing"}


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
    import pandas as pd  # here, not at the top: a run that reads nothing never loads pandas

    return pd.DataFrame(data, columns=names)


def read_file(f: LandedFile, limits: Limits) -> list[SheetOutcome]:
    """A file's sheets read, recognised and parsed, not yet validated: what ingestion and the
    portal's check at upload (``portal.checking``) both start from."""
    if f.verdict_unread is not None:
        return [SheetOutcome(f, None, status=f.verdict_unread[0], reasons=[f.verdict_unread[1]])]
    try:
        return _read_sheets(f, limits)
    except Exception as exc:  # a bug must not stop the run: this file gets the reason, the log the traceback
        log.exception("reading %s failed", f.rel)
        return [SheetOutcome(f, None, status="unreadable", reasons=[_internal("读取", exc)])]


def _read_sheets(f: LandedFile, limits: Limits) -> list[SheetOutcome]:
    try:
        sheets = read_sheets(f.path, f.data, limits)
    except Unreadable as exc:
        return [SheetOutcome(f, None, status="unreadable", reasons=[str(exc)])]
    if not sheets:
        return [SheetOutcome(f, None, status="unreadable", reasons=["工作簿中没有工作表 (workbook has no sheets)"])]
    outcomes = []
    for sheet in sheets:
        o = SheetOutcome(f, sheet.name)
        filled = list(islice((c for row in sheet.rows for c in row if not is_blank(c)), 2))
        if not filled:  # nothing but a chart, or nothing at all
            o.status, o.empty_sheet = "unrecognised", True
            o.reasons = [EMPTY_SHEET_REASON]
        elif len(filled) == 1 and isinstance(filled[0], str):
            # One line of text (图表见附件) has no header to recognise: a note, not a submission.
            o.status, o.empty_sheet = "unrecognised", True
            o.reasons = [note_sheet_reason(cell_text(filled[0]))]
        else:
            recognised = recognise(sheet.rows)
            if recognised is None:
                o.status, o.reasons = "unrecognised", [_unrecognised_reason(sheet)]
            else:
                o.parsed = extract(sheet.rows, recognised)
                o.rows_read = len(o.parsed.rows)
        outcomes.append(o)
    return outcomes


def validate_batch(key: str, batch: list[SheetOutcome], params: dict[str, list[str]]) -> None:
    """Each parsed sheet of one template gets its verdict; ingestion and the portal's check both call this."""
    # Imported here: Great Expectations takes seconds to import, and a run that finds
    # nothing new (the common case for the sensor and the schedule) never needs it.
    from dagster_project.validate.runner import validate
    from dagster_project.validate.verdict import Verdict

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


class Ingestor:
    """Holds one run's state; ``run`` is the whole job."""

    # Files per transaction: bounds memory at national scale while keeping GX passes few.
    chunk_files = 5000

    def __init__(self, settings: Settings, run_id: str) -> None:
        self.settings = settings
        self.run_id = run_id
        self.report = IngestReport(run_id)
        self.holdings = decide.Holdings()

    # -- choosing the files --------------------------------------------------------
    def _to_process(
        self, con: duckdb.DuckDBPyConnection, files: list[LandedFile], fp: str, exclude: frozenset[str] = frozenset()
    ) -> list[LandedFile]:
        """Files not yet processed in their present content (``decide.before_reading`` and
        ``after_reading``): an unchanged file costs its one stat from the scan and a lookup.
        A deferred file is returned with its verdict: it gets an audit row but no
        ``audit.files`` entry, so the next run looks at it again."""
        memory = decide.Memory(write.remembered_files(con), fp)
        first_seq: dict[tuple[str, str], int] | None = None  # read once something is new
        limits = self.settings.limits
        now_ns = time.time_ns()
        todo = []
        for f in files:
            if f.rel in exclude or memory.unchanged(f):
                continue
            known = memory.of(f.rel)
            action, verdict = decide.before_reading(f, known, fp, now_ns, limits)
            if action == decide.UNCHANGED:
                continue
            if verdict is not None:
                f.verdict_unread = verdict
            if action == decide.DEFERRED:
                todo.append(f)
                continue
            action = decide.after_reading(f, take(f, whole=action == decide.READ), known, fp)
            if action == decide.DEFERRED:
                f.data, f.file_hash = b"", ""
                f.verdict_unread = ("deferred", decide.DEFERRED_CHANGED)
            elif action == decide.TOUCHED:
                write.remember_touched(con, f)
                continue
            else:
                if first_seq is None:
                    first_seq = write.first_receipts(con)
                f.first_seq = first_seq.get((f.rel, f.file_hash))
            todo.append(f)
        return todo

    # -- reading -------------------------------------------------------------------
    def _read(self, f: LandedFile) -> list[SheetOutcome]:
        return read_file(f, self.settings.limits)

    def _read_all(self, files: list[LandedFile], last_seq: int) -> list[SheetOutcome]:
        outcomes = [o for f in files for o in self._read(f)]
        decide.number(outcomes, last_seq, self.run_id)
        return outcomes

    # -- validating and deciding ---------------------------------------------------
    def _validate_and_decide(self, key: str, batch: list[SheetOutcome], params: dict[str, list[str]]) -> None:
        validate_batch(key, batch, params)
        decide_sheets(batch, self.holdings, self.settings.limits.max_reasons)

    # -- storing -------------------------------------------------------------------
    def _history_frame(self, template: Template, outcomes: list[SheetOutcome], loaded_at: dt.datetime) -> pd.DataFrame:
        return _history_frame(template, outcomes, self.settings.pii_key, loaded_at)

    def _write(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[LandedFile],
        outcomes: list[SheetOutcome],
        superseded: list[tuple[str, str]],
        fp: str,
    ) -> None:
        write.write_chunk(con, self.run_id, files, outcomes, superseded, fp, self._history_frame)

    def _process(self, con: duckdb.DuckDBPyConnection, files: list[LandedFile], seq: int) -> int:
        """Read, validate, decide and write one chunk of files in one transaction; returns the
        last receipt number used. The registry goes first: the rest is checked against it."""
        outcomes = self._read_all(files, seq)
        for f in files:
            f.data = b""
        registry_run = [o for o in outcomes if o.template is not None and o.template.key == "school_registry"]
        params = write.reference_parameters(con, [])
        for key in LOAD_ORDER:
            batch = [o for o in outcomes if o.template is not None and o.template.key == key]
            if batch:
                self._validate_and_decide(key, batch, params)
            if key == "school_registry":
                # The rest of the chunk is checked against the registry as it now stands.
                params = write.reference_parameters(con, registry_run)
        fp = fingerprint(params)
        try:
            self._write(con, files, outcomes, self.holdings.superseded, fp)
        except (duckdb.Error, ValueError, TypeError, OverflowError):
            # Something in one file could not be stored (the chunk was rolled back whole):
            # store file by file, and the one that fails keeps an audit row with the reason.
            log.exception("storing %d files together failed; storing file by file", len(files))
            self._write_one_by_one(con, files, outcomes, self.holdings.superseded, fp)
        self.holdings.superseded = []
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
        fp: str,
    ) -> None:
        for f in files:
            mine = [o for o in outcomes if o.file is f]
            ids = {o.submission_id for o in mine}
            replaced = [(old, new) for old, new in superseded if new in ids]
            try:
                self._write(con, [f], mine, replaced, fp)
            except (duckdb.Error, ValueError, TypeError, OverflowError) as exc:
                log.exception("storing %s failed", f.rel)
                for o in mine:
                    if o.status in ("loaded", "superseded", "duplicate"):
                        o.status, o.reasons = "rejected", [_internal("入库", exc)]
                        o.version, o.superseded_by = None, None
                self._write(con, [f], mine, [], fp)
        self.holdings = write.holdings(con)  # versions decided in memory for a file that failed did not happen

    def run(self) -> IngestReport:
        self.report.pii_warning = check_key(self.settings)
        raw_dir = self.settings.raw_dir
        if not raw_dir.is_dir():
            raise FileNotFoundError(f"landing folder {raw_dir} does not exist (set VOCWH_RAW_DIR)")
        with connect(self.settings.warehouse_path) as con:
            ensure_schema(con)
            files = scan(raw_dir)
            self.report.files_seen = len(files)
            fp_before = fingerprint(write.reference_parameters(con, []))
            todo = self._to_process(con, files, fp_before)
            seq = write.last_receipt(con)
            self.holdings = write.holdings(con)
            processed = {f.rel for f in todo}
            for start in range(0, len(todo), self.chunk_files):
                seq = self._process(con, todo[start : start + self.chunk_files], seq)
            fp_after = fingerprint(write.reference_parameters(con, []))
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
