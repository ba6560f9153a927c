"""Ingestion's side of the database: what the warehouse already holds, read in bulk (once per
run or chunk, never per file), and the writes, one transaction per chunk of files.

The writer never sees the PII key: the caller hands it the history rows already keyed and
masked (``history_frame``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import duckdb

from dagster_project.core.codes import county_names
from dagster_project.core.templates import TEMPLATES, Template
from dagster_project.ingest.parse import word_notes
from dagster_project.store.decide import Held, Holdings, SheetOutcome
from dagster_project.store.scan import LandedFile
from dagster_project.store.schema import LINEAGE_COLUMNS, stored_columns

if TYPE_CHECKING:
    import pandas as pd

# (template, the sheets of it to store, loaded_at) -> the rows as stored in history.<template>
HistoryFrame = Callable[[Template, list[SheetOutcome], dt.datetime], "pd.DataFrame"]


# -- what the warehouse holds ----------------------------------------------------------
def remembered_files(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int, int, bool, str]]:
    """Every content of every path ``audit.files`` remembers (path, then ``decide.Seen``'s fields)."""
    return con.execute(
        "SELECT source_file, file_hash, size_bytes, mtime_ns, awaits_reference, refs_fingerprint FROM audit.files"
    ).fetchall()


def first_receipts(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """(path, file hash) -> receipt number of the first reading of those bytes."""
    return {
        (r[0], r[1]): r[2]
        for r in con.execute(
            "SELECT source_file, file_hash, min(received_seq) FROM audit.submissions WHERE received_seq IS NOT NULL GROUP BY ALL"
        ).fetchall()
    }


def last_receipt(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(receipt_seq), 0) FROM audit.submissions").fetchone()
    return int(row[0]) if row else 0


def holdings(con: duckdb.DuckDBPyConnection) -> Holdings:
    """The current version and the highest version number of every identity."""
    current = {
        (r[0], r[1], r[2]): Held(*r[3:])
        for r in con.execute(
            "SELECT template, submitter_code, year, submission_id, content_hash, version, source_file, received_seq "
            "FROM audit.submissions WHERE status = 'loaded'"
        ).fetchall()
    }
    versions = {
        (r[0], r[1], r[2]): r[3]
        for r in con.execute(
            "SELECT template, submitter_code, year, max(version) FROM audit.submissions WHERE version IS NOT NULL GROUP BY ALL"
        ).fetchall()
    }
    return Holdings(current, versions)


def reference_parameters(con: duckdb.DuckDBPyConnection, registry_run: list[SheetOutcome]) -> dict[str, list[str]]:
    """Reference lists the suites check against, from the registry the warehouse holds."""
    held = con.execute("SELECT DISTINCT year, school_code FROM submissions.school_registry").fetchall()
    return reference_lists(held, registry_run)


def reference_lists(held: list[tuple[int, str]], registry_run: list[SheetOutcome]) -> dict[str, list[str]]:
    """Known counties, and "year:school" pairs of the registry ``held`` (wherever it was read:
    the working database, or the portal's snapshot), where a registry loaded in this run
    replaces its year's old one."""
    loaded = [o for o in registry_run if o.status == "loaded" and o.parsed is not None]
    replaced_years = {o.parsed.year for o in loaded if o.parsed is not None}
    fresh = {f"{o.parsed.year}:{r.typed.get('school_code')}" for o in loaded if o.parsed is not None for r in o.parsed.rows}
    return {
        "known_counties": sorted(county_names()),
        "registered_school_years": sorted({f"{y}:{c}" for y, c in held if y not in replaced_years} | fresh),
    }


# -- writing -----------------------------------------------------------------------------
def remember_touched(con: duckdb.DuckDBPyConnection, f: LandedFile) -> None:
    """Same bytes, new timestamp (copied or touched): the next run finds it unchanged by stat."""
    con.execute(
        "UPDATE audit.files SET mtime_ns = ?, size_bytes = ? WHERE source_file = ? AND file_hash = ?",
        [f.mtime_ns, f.size, f.rel, f.file_hash],
    )


def audit_row(o: SheetOutcome, run_id: str, now: dt.datetime) -> dict[str, Any]:
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
        "notes": ("\n".join(word_notes(p)) or None) if p else None,
    }


def write_chunk(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    files: list[LandedFile],
    outcomes: list[SheetOutcome],
    superseded: list[tuple[str, str]],
    fingerprint: str,
    history_frame: HistoryFrame,
) -> None:
    """Everything a chunk of files produced, in one transaction: its audit rows, the versions
    it replaced, the stored rows, the validation results, the templates the marts must rebuild,
    and the files as processed (deferred files are not remembered: looked at again next run)."""
    import pandas as pd  # here, not at the top: a run that reads nothing never loads pandas

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        audit = pd.DataFrame([audit_row(o, run_id, now) for o in outcomes])
        if not audit.empty:
            con.register("audit_df", audit)
            con.execute("INSERT INTO audit.submissions BY NAME SELECT * FROM audit_df")
            con.unregister("audit_df")
        for old_id, new_id in superseded:
            con.execute("UPDATE audit.submissions SET status = 'superseded', superseded_by = ? WHERE submission_id = ?", [new_id, old_id])
        by_template: dict[str, list[SheetOutcome]] = defaultdict(list)
        for o in outcomes:
            if o.status in ("loaded", "superseded") and o.parsed is not None and o.version is not None:
                by_template[o.parsed.template.key].append(o)
        for key, stored in by_template.items():
            df = history_frame(TEMPLATES[key], stored, now)
            con.register("hist_df", df)
            casts = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t in [*stored_columns(TEMPLATES[key]), *LINEAGE_COLUMNS])
            con.execute(f"INSERT INTO history.{key} BY NAME SELECT {casts} FROM hist_df")
            con.unregister("hist_df")
        # One template at a time: a chunk's results are some 50 rows per sheet, and building
        # them all as dicts at once raised the ingestion's peak (province: 601 -> 565 MiB).
        validated: dict[str, list[tuple[str, list[dict[str, Any]]]]] = defaultdict(list)
        for o in outcomes:
            if o.verdict is not None and o.parsed is not None and o.verdict.results:
                validated[o.parsed.template.key].append((o.submission_id, o.verdict.results))
        for key, judged in validated.items():
            rows = [
                {**r, "submission_id": sid, "template": key, "validated_at": now, "run_id": run_id}
                for sid, results in judged
                for r in results
            ]
            vr = pd.DataFrame(rows).rename(columns={"check": "check_kind"})
            del rows
            con.register("vr_df", vr)
            con.execute("INSERT INTO audit.validation_results BY NAME SELECT * FROM vr_df")
            con.unregister("vr_df")
            del vr
        changed = sorted({o.parsed.template.key for o in outcomes if o.status in ("loaded", "superseded") and o.parsed is not None})
        if changed:
            # A new version changes the latest figures only: the approved ones change with a
            # review action (store/review.py), so a template already pending for one stays so.
            con.execute("INSERT OR IGNORE INTO audit.pending_builds (template, since, approved) SELECT unnest(?), ?, false", [changed, now])
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
                if not f.deferred
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
