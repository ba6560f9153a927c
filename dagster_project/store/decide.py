"""What ingestion does with each file and sheet, decided from plain values: no database, no
disk, no Dagster, so every rule here is tested on hand-written inputs (tests/test_store_decide.py).

Two moments decide a file: from its stat alone (unchanged, deferred for the quiet period, or
to be read), then, once read, from its bytes (changed while read, the same bytes touched, new,
changed, or looked at again for the registry). After validation, receipt order decides each
sheet's status among loaded / superseded / duplicate / rejected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from dagster_project.core.settings import Limits
from dagster_project.core.templates import Template
from dagster_project.ingest.parse import ParsedSheet
from dagster_project.ingest.reader import SUFFIXES
from dagster_project.store.scan import LandedFile

if TYPE_CHECKING:
    from dagster_project.validate.verdict import Verdict

# What to do with a file, from its stat (``before_reading``) ...
UNCHANGED = "unchanged"  # processed before in this size and mtime: not even read
DEFERRED = "deferred"  # still being copied: an audit row now, looked at again next run
READ = "read"  # read its bytes to parse them
HASH = "hash"  # not parsed (not a submission format, or too big): only hashed, for its audit row
# ... and, once read, from its bytes (``after_reading``; or DEFERRED).
TOUCHED = "touched"  # the same bytes as processed before, with a new mtime: remember it, skip
NEW = "new"  # a path never processed
CHANGED = "changed"  # new bytes at a known path
RECHECK = "recheck"  # the same bytes, rejected for a school then unknown: the registry changed since

UNSUPPORTED = "不是可识别的报送文件格式，请使用xlsx、xls或csv文件报送 (unsupported file type)"
DEFERRED_CHANGED = "文件在读取过程中发生了变化（可能仍在写入），将在下次运行时处理 (deferred: file changed while being read)"


def deferred_quiet(seconds: float) -> str:
    return f"文件在{seconds:g}秒内刚被修改，可能仍在复制中，将在下次运行时处理 (deferred: modified within the quiet period)"


def too_big_file(size: int, limit: int) -> str:
    return f"文件大小{size}字节，超出系统上限（{limit}字节），未读取。请拆分后重新报送 (file too large)"


class Seen(NamedTuple):
    """One content of one path as ``audit.files`` remembers it."""

    file_hash: str
    size: int
    mtime_ns: int
    awaits_reference: bool  # a sheet was rejected for a school missing from the registry
    refs_fingerprint: str  # the reference data it was checked against


def settled(awaits_reference: bool, refs_fingerprint: str, fingerprint: str) -> bool:
    """Nothing to look at again: not waiting for the registry, or the registry is as it was."""
    return not awaits_reference or refs_fingerprint == fingerprint


class Memory:
    """``audit.files`` as read in one query, rows as they came (path first, then ``Seen``'s
    fields): ``unchanged`` is one set lookup per file, and a path's contents are grouped only
    once some file is not unchanged. At national scale nearly every file is unchanged, and
    making 100,000 ``Seen`` to look each up once cost more than the stats."""

    def __init__(self, rows: list[tuple[str, str, int, int, bool, str]], fingerprint: str) -> None:
        self._rows = rows
        self._stats = {(r[0], r[2], r[3]) for r in rows if settled(r[4], r[5], fingerprint)}
        self._by_path: dict[str, list[Seen]] | None = None

    def unchanged(self, f: LandedFile) -> bool:
        """``before_reading``'s first rule, for every file at once."""
        return (f.rel, f.size, f.mtime_ns) in self._stats

    def of(self, rel: str) -> list[Seen]:
        if self._by_path is None:
            self._by_path = {}
            for r in self._rows:
                self._by_path.setdefault(r[0], []).append(Seen(*r[1:]))
        return self._by_path.get(rel, [])


def before_reading(f: LandedFile, seen: list[Seen], fingerprint: str, now_ns: int, limits: Limits) -> tuple[str, tuple[str, str] | None]:
    """(what to do, the (status, reason) of its one audit row when it is not to be parsed)
    from the file's stat and what ``audit.files`` remembers of its path."""
    if any(s.size == f.size and s.mtime_ns == f.mtime_ns and settled(s.awaits_reference, s.refs_fingerprint, fingerprint) for s in seen):
        return UNCHANGED, None
    if limits.quiet_seconds > 0 and now_ns - f.mtime_ns < limits.quiet_seconds * 1e9:
        return DEFERRED, ("deferred", deferred_quiet(limits.quiet_seconds))
    if f.path.suffix.lower() not in SUFFIXES:
        return HASH, ("unrecognised", UNSUPPORTED)
    if f.size > limits.max_file_bytes:
        return HASH, ("unreadable", too_big_file(f.size, limits.max_file_bytes))
    return READ, None


def after_reading(f: LandedFile, after: tuple[int, int] | None, seen: list[Seen], fingerprint: str) -> str:
    """What to do with a file just read (``f.file_hash`` set): ``after`` is its (size, mtime_ns)
    once read, None when it vanished; a file that changed meanwhile is deferred, since the
    bytes read are not the file."""
    if after is None or after != (f.size, f.mtime_ns):
        return DEFERRED
    same = [s for s in seen if s.file_hash == f.file_hash]
    if not same:
        return CHANGED if seen else NEW
    return TOUCHED if settled(same[0].awaits_reference, same[0].refs_fingerprint, fingerprint) else RECHECK


def fingerprint(params: dict[str, list[str]]) -> str:
    """Of the reference lists the suites checked against: a change re-checks waiting sheets."""
    h = hashlib.sha256()
    for name in sorted(params):
        h.update(name.encode())
        for v in params[name]:
            h.update(v.encode() + b"\n")
    return h.hexdigest()[:16]


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
        """Drop the rows and the per-expectation results once written (they are in the
        warehouse): a national run must not hold every sheet, nor some six million result
        rows, in memory. Status, reasons and template stay for the run's report."""
        if self.parsed is not None:
            self.parsed.rows = []
        if self.verdict is not None:
            self.verdict.results = []


def number(outcomes: list[SheetOutcome], last_seq: int, run_id: str) -> None:
    """Receipt numbers in reading order after ``last_seq``; a sheet's received number is that
    of the first reading of its bytes (kept by a sheet read again), which decides versions."""
    first_of_file: dict[str, int] = {}
    for i, o in enumerate(outcomes, start=last_seq + 1):
        o.receipt_seq = i
        o.received_seq = o.file.first_seq or first_of_file.setdefault(o.file.rel, i)
        key = f"{o.file.rel}\x1f{o.file.file_hash}\x1f{o.sheet}\x1f{run_id}\x1f{o.receipt_seq}"
        o.submission_id = hashlib.sha256(key.encode()).hexdigest()[:20]


Identity = tuple[str, str, int]  # (template, submitter, year)


@dataclass
class Held:
    """The current version of an identity: in the warehouse, or decided earlier in this run
    (then ``outcome`` is that sheet, which becomes superseded if a later one replaces it)."""

    submission_id: str
    content_hash: str
    version: int
    source_file: str
    received_seq: int
    outcome: SheetOutcome | None = None


@dataclass
class Holdings:
    """What deciding versions needs to know: the current version and the highest version
    number of every identity, and the stored versions replaced during this chunk."""

    current: dict[Identity, Held] = field(default_factory=dict)
    versions: dict[Identity, int] = field(default_factory=dict)
    superseded: list[tuple[str, str]] = field(default_factory=list)  # (old submission_id, the one replacing it)


def capped(reasons: list[str], limit: int) -> list[str]:
    """The first ``limit`` reasons and a count of the rest: 200,000 failing rows must not make
    a 10-million-character cell (audit.validation_results keeps every result)."""
    if limit <= 0 or len(reasons) <= limit:
        return reasons
    return [*reasons[:limit], f"…另有{len(reasons) - limit}条问题未列出，请先改正以上问题 ({len(reasons) - limit} more)"]


def decide_sheets(outcomes: list[SheetOutcome], holdings: Holdings, max_reasons: int) -> None:
    """Status of validated sheets, in order. Receipt order decides which version is current:
    a sheet received before the current version (it waited for the registry) is kept, but as
    superseded; the same content as the current version is a duplicate, not a version."""
    for o in outcomes:
        assert o.parsed is not None and o.verdict is not None
        if not o.verdict.passed:
            o.status, o.reasons = "rejected", capped(o.verdict.reasons, max_reasons)
            continue
        identity = (o.parsed.template.key, str(o.parsed.submitter_code), int(o.parsed.year or 0))
        held = holdings.current.get(identity)
        if held and held.content_hash == o.parsed.content_hash:
            o.status = "duplicate"
            o.reasons = [f"与已入库的版本 v{held.version}（{held.source_file}）内容相同，未重复入库 (same content as the current version)"]
            continue
        o.version = holdings.versions.get(identity, 0) + 1
        holdings.versions[identity] = o.version
        if held and held.received_seq > o.received_seq:
            o.status, o.superseded_by = "superseded", held.submission_id
            o.reasons = [
                f"收到时间早于当前版本 v{held.version}（{held.source_file}），作为历史版本保存 (received before the current version)"
            ]
            continue
        o.status = "loaded"
        if held:
            holdings.superseded.append((held.submission_id, o.submission_id))
            if held.outcome is not None:
                held.outcome.status, held.outcome.superseded_by = "superseded", o.submission_id
        holdings.current[identity] = Held(o.submission_id, o.parsed.content_hash, o.version, o.file.rel, o.received_seq, o)
