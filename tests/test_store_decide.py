"""Deciding, on hand-written inputs: what ingestion does with each file (from its stat, then
from its bytes) and each validated sheet. No database, no disk, no Dagster: milliseconds."""

from __future__ import annotations

from dagster_project.core.settings import Limits
from dagster_project.core.templates import TEMPLATES
from dagster_project.ingest.parse import ParsedSheet, Recognised
from dagster_project.store.decide import (
    CHANGED,
    DEFERRED,
    HASH,
    NEW,
    READ,
    RECHECK,
    TOUCHED,
    UNCHANGED,
    Held,
    Holdings,
    Memory,
    Seen,
    SheetOutcome,
    after_reading,
    before_reading,
    decide_sheets,
    fingerprint,
    number,
)
from dagster_project.store.scan import LandedFile
from dagster_project.validate.verdict import Verdict

S = 1_000_000_000  # nanoseconds in a second
NOW = 1_700_000_000 * S
LIMITS = Limits(quiet_seconds=10, max_file_bytes=1000)
FP = "fp-registry-1"


def landed(rel: str = "县区/学校/培训.csv", size: int = 500, mtime_ns: int = NOW - 3600 * S, file_hash: str = "") -> LandedFile:
    return LandedFile(f"/raw/{rel}", rel, size, mtime_ns, file_hash=file_hash)


def seen(file_hash: str = "h1", size: int = 500, mtime_ns: int = NOW - 3600 * S, waits: bool = False, fp: str = FP) -> Seen:
    return Seen(file_hash, size, mtime_ns, waits, fp)


# -- from the stat ------------------------------------------------------------------------
def test_a_file_never_seen_is_read() -> None:
    assert before_reading(landed(), [], FP, NOW, LIMITS) == (READ, None)


def test_the_same_size_and_mtime_is_unchanged_and_not_read() -> None:
    assert before_reading(landed(), [seen()], FP, NOW, LIMITS) == (UNCHANGED, None)
    # any remembered content of the path may match: a file put back as it was
    assert before_reading(landed(), [seen("h0", size=80), seen()], FP, NOW, LIMITS) == (UNCHANGED, None)


def test_a_new_mtime_or_size_is_read() -> None:
    assert before_reading(landed(mtime_ns=NOW - 60 * S), [seen()], FP, NOW, LIMITS) == (READ, None)
    assert before_reading(landed(size=501), [seen()], FP, NOW, LIMITS) == (READ, None)


def test_a_file_waiting_for_the_registry_is_read_again_only_when_the_registry_changed() -> None:
    waiting = seen(waits=True, fp=FP)
    assert before_reading(landed(), [waiting], FP, NOW, LIMITS) == (UNCHANGED, None)
    assert before_reading(landed(), [waiting], "fp-registry-2", NOW, LIMITS) == (READ, None)
    # a file that was not waiting does not care that the registry changed
    assert before_reading(landed(), [seen()], "fp-registry-2", NOW, LIMITS) == (UNCHANGED, None)


def test_a_file_modified_within_the_quiet_period_is_deferred() -> None:
    reason = "文件在10秒内刚被修改，可能仍在复制中，将在下次运行时处理 (deferred: modified within the quiet period)"
    assert before_reading(landed(mtime_ns=NOW - 9 * S), [], FP, NOW, LIMITS) == (DEFERRED, ("deferred", reason))
    # exactly the quiet period ago is settled
    assert before_reading(landed(mtime_ns=NOW - 10 * S), [], FP, NOW, LIMITS) == (READ, None)
    # a fractional period is written as given
    half = Limits(quiet_seconds=2.5)
    assert before_reading(landed(mtime_ns=NOW - S), [], FP, NOW, half)[1] == (
        "deferred",
        "文件在2.5秒内刚被修改，可能仍在复制中，将在下次运行时处理 (deferred: modified within the quiet period)",
    )


def test_no_quiet_period_defers_nothing_and_an_unchanged_file_is_never_deferred() -> None:
    assert before_reading(landed(mtime_ns=NOW), [], FP, NOW, Limits(quiet_seconds=0)) == (READ, None)
    just_recorded = landed(mtime_ns=NOW - S)
    assert before_reading(just_recorded, [seen(mtime_ns=NOW - S)], FP, NOW, LIMITS) == (UNCHANGED, None)


def test_what_is_not_a_submission_format_is_only_hashed() -> None:
    unsupported = ("unrecognised", "不是可识别的报送文件格式，请使用xlsx、xls或csv文件报送 (unsupported file type)")
    assert before_reading(landed("说明.pdf"), [], FP, NOW, LIMITS) == (HASH, unsupported)
    assert before_reading(landed("说明"), [], FP, NOW, LIMITS) == (HASH, unsupported)
    assert before_reading(landed("报表.csv.bak"), [], FP, NOW, LIMITS) == (HASH, unsupported)
    for name in ("报表.XLSX", "报表.xls", "a.b.csv"):
        assert before_reading(landed(name), [], FP, NOW, LIMITS) == (READ, None), name


def test_a_file_over_the_size_limit_is_only_hashed() -> None:
    assert before_reading(landed(size=1001), [], FP, NOW, LIMITS) == (
        HASH,
        ("unreadable", "文件大小1001字节，超出系统上限（1000字节），未读取。请拆分后重新报送 (file too large)"),
    )
    assert before_reading(landed(size=1000), [], FP, NOW, LIMITS) == (READ, None)


def test_memory_answers_unchanged_in_bulk_as_before_reading_does() -> None:
    rows = [
        ("a.csv", "h1", 500, 10, False, "fp-registry-0"),
        ("a.csv", "h0", 80, 5, None, None),  # written before awaits_reference existed: settled
        ("b.csv", "h2", 70, 20, True, FP),
        ("c.csv", "h3", 90, 30, True, "fp-registry-0"),  # waits for a registry that changed since
    ]
    memory = Memory(rows, FP)
    cases = [landed("a.csv", 500, 10), landed("a.csv", 80, 5), landed("a.csv", 500, 11), landed("b.csv", 70, 20), landed("c.csv", 90, 30)]
    assert [memory.unchanged(f) for f in cases] == [True, True, False, True, False]
    for f in cases:  # the same answer as the rule applied to the path's contents one by one
        assert memory.unchanged(f) == (before_reading(f, memory.of(f.rel), FP, NOW, LIMITS)[0] == UNCHANGED)
    assert memory.of("a.csv") == [Seen("h1", 500, 10, False, "fp-registry-0"), Seen("h0", 80, 5, None, None)]  # type: ignore[arg-type]
    assert memory.of("z.csv") == []


# -- from the bytes ---------------------------------------------------------------------
def test_a_file_that_changed_or_vanished_while_read_is_deferred() -> None:
    f = landed(file_hash="h2")
    assert after_reading(f, None, [], FP) == DEFERRED
    assert after_reading(f, (500, NOW - 3599 * S), [], FP) == DEFERRED  # written to since the scan
    assert after_reading(f, (640, NOW - 3600 * S), [seen()], FP) == DEFERRED


def test_new_changed_touched_or_looked_at_again() -> None:
    f = landed(file_hash="h2", mtime_ns=NOW - 60 * S)
    still = (500, NOW - 60 * S)
    assert after_reading(f, still, [], FP) == NEW
    assert after_reading(f, still, [seen("h1")], FP) == CHANGED
    assert after_reading(f, still, [seen("h1"), seen("h2")], FP) == TOUCHED  # same bytes, copied again
    assert after_reading(f, still, [seen("h2", waits=True, fp="fp-registry-0")], FP) == RECHECK
    assert after_reading(f, still, [seen("h2", waits=True, fp=FP)], FP) == TOUCHED


def test_the_fingerprint_follows_the_lists_not_their_order_of_names() -> None:
    a = fingerprint({"known_counties": ["220202"], "registered_school_years": ["2026:S1", "2026:S2"]})
    b = fingerprint({"registered_school_years": ["2026:S1", "2026:S2"], "known_counties": ["220202"]})
    c = fingerprint({"known_counties": ["220202"], "registered_school_years": ["2026:S1", "2026:S3"]})
    assert a == b != c
    assert len(a) == 16 and int(a, 16) >= 0


# -- sheets -------------------------------------------------------------------------------
def sheet(
    rel: str, content: str, received_seq: int, submitter: str = "S1", reasons: list[str] | None = None, sid: str | None = None
) -> SheetOutcome:
    parsed = ParsedSheet(Recognised(TEMPLATES["training"], 0, {}), [], 2026, submitter, content)
    o = SheetOutcome(landed(rel), "Sheet1", parsed=parsed, verdict=Verdict(reasons or []))
    o.received_seq, o.submission_id = received_seq, sid or f"id-{rel}"
    return o


ID = ("training", "S1", 2026)


def test_a_first_sheet_is_loaded_as_version_1() -> None:
    h = Holdings()
    o = sheet("a.csv", "c1", 5)
    decide_sheets([o], h, max_reasons=50)
    assert (o.status, o.version, o.reasons, o.superseded_by) == ("loaded", 1, [], None)
    assert h.current[ID] == Held("id-a.csv", "c1", 1, "a.csv", 5, o)
    assert h.versions == {ID: 1} and h.superseded == []


def test_a_failed_sheet_is_rejected_with_its_reasons_capped() -> None:
    h = Holdings()
    o = sheet("a.csv", "c1", 5, reasons=["第2行：年度为空", "第3行：年度为空", "第4行：年度为空"])
    decide_sheets([o], h, max_reasons=2)
    assert o.status == "rejected" and o.version is None
    assert o.reasons == ["第2行：年度为空", "第3行：年度为空", "…另有1条问题未列出，请先改正以上问题 (1 more)"]
    assert h == Holdings()


def test_the_same_content_as_the_current_version_is_a_duplicate() -> None:
    h = Holdings({ID: Held("old", "c1", 2, "旧.csv", 3)}, {ID: 2})
    o = sheet("b.csv", "c1", 9)
    decide_sheets([o], h, max_reasons=50)
    assert (o.status, o.version) == ("duplicate", None)
    assert o.reasons == ["与已入库的版本 v2（旧.csv）内容相同，未重复入库 (same content as the current version)"]
    assert h.versions == {ID: 2} and h.superseded == []


def test_new_content_received_later_replaces_the_current_version() -> None:
    # version 3 exists (superseded) though version 2 is current: the next is 4
    h = Holdings({ID: Held("old", "c1", 2, "旧.csv", 3)}, {ID: 3})
    o = sheet("b.csv", "c2", 9)
    decide_sheets([o], h, max_reasons=50)
    assert (o.status, o.version) == ("loaded", 4)
    assert h.superseded == [("old", "id-b.csv")]
    assert h.current[ID].submission_id == "id-b.csv"


def test_content_received_before_the_current_version_is_kept_as_superseded() -> None:
    h = Holdings({ID: Held("old", "c1", 2, "旧.csv", 7)}, {ID: 2})
    o = sheet("b.csv", "c2", 4)  # it waited for the registry: received before the current one
    decide_sheets([o], h, max_reasons=50)
    assert (o.status, o.version, o.superseded_by) == ("superseded", 3, "old")
    assert o.reasons == ["收到时间早于当前版本 v2（旧.csv），作为历史版本保存 (received before the current version)"]
    assert h.current[ID].submission_id == "old" and h.superseded == []


def test_two_versions_in_one_chunk_the_later_wins_and_the_earlier_is_superseded() -> None:
    h = Holdings()
    first, second, other = sheet("a.csv", "c1", 5), sheet("b.csv", "c2", 6), sheet("c.csv", "c9", 7, submitter="S2")
    decide_sheets([first, second, other], h, max_reasons=50)
    assert (first.status, first.version, first.superseded_by) == ("superseded", 1, "id-b.csv")
    assert (second.status, second.version) == ("loaded", 2)
    assert (other.status, other.version) == ("loaded", 1)
    assert h.superseded == [("id-a.csv", "id-b.csv")]
    assert h.versions == {ID: 2, ("training", "S2", 2026): 1}


def test_receipts_are_numbered_in_reading_order_and_bytes_read_before_keep_their_number() -> None:
    a, b = landed("a.xlsx", file_hash="ha"), landed("b.csv", file_hash="hb")
    b.first_seq = 4  # read before (it waited for the registry)
    outcomes = [SheetOutcome(a, "一"), SheetOutcome(a, "二"), SheetOutcome(b, None)]
    number(outcomes, 10, "run-1")
    assert [(o.receipt_seq, o.received_seq) for o in outcomes] == [(11, 11), (12, 11), (13, 4)]
    ids = [o.submission_id for o in outcomes]
    assert len(set(ids)) == 3 and all(len(i) == 20 and int(i, 16) >= 0 for i in ids)
    again = [SheetOutcome(a, "一"), SheetOutcome(a, "二"), SheetOutcome(b, None)]
    number(again, 10, "run-2")  # the id names the run that read it
    assert not {o.submission_id for o in again} & set(ids)
