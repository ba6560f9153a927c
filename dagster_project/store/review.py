"""Review, approval and lock of submissions (issue 10): the county reviews, the city approves.

Every action is one row appended to ``audit.review_actions`` (never updated, never deleted):
who (the ``--by`` name and the OS user), when, on which stored version, and why. The state
of an identity (template, submitter, year) is derived from that log, in one view,
``audit.review_state``, which the command line, the receipts and dbt all read:

- approved: the version the last ``approve`` names, whose rows ``approved.<template>`` shows
  (the second dbt source); a ``reopen`` keeps it (issue 18: payments were made against it)
  until the city approves again, which replaces it and needs a reason;
- locked: there is an ``approve`` not followed by a ``reopen``; reopened: the opposite;
- reviewed: a ``review`` of the current version after the last ``reopen``.

Ingestion does not change: a later file for a locked identity is loaded as the newest
version (the latest figures show it) while the approved figures stay on the approved
version until the city approves the revision, with a reason.

The log, the view and the ``approved`` views are made in ``store.schema``, with every
other table: this module only appends to the log and reads the state.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.core.codes import county_names
from dagster_project.core.templates import CITY_CODE, TEMPLATES, template_key
from dagster_project.store.schema import ensure_schema
from dagster_project.store.warehouse import connect

ACTIONS = ("review", "approve", "reopen")


class ReviewError(ValueError):
    """A review action refused; the message is for the clerk (Chinese, with the English key)."""


@dataclass(frozen=True)
class ReviewResult:
    action: str
    template: str
    submitter_code: str
    year: int
    submission_id: str | None
    version: int | None
    by_name: str
    os_user: str
    at: dt.datetime
    reason: str | None


def _state(con: duckdb.DuckDBPyConnection, template: str, submitter: str, year: int) -> dict[str, Any] | None:
    cur = con.execute(
        "SELECT * FROM audit.review_state WHERE template = ? AND submitter_code = ? AND year = ?", [template, submitter, year]
    )
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def _known_submitter(con: duckdb.DuckDBPyConnection, submitter: str, year: int) -> bool:
    if submitter == CITY_CODE or submitter in county_names():
        return True
    in_registry = con.execute(
        "SELECT count(*) FROM history.school_registry WHERE school_code = ? AND year = ?", [submitter, year]
    ).fetchone()
    sent = con.execute("SELECT count(*) FROM audit.submissions WHERE submitter_code = ?", [submitter]).fetchone()
    return bool((in_registry and in_registry[0]) or (sent and sent[0]))


def record_action(
    con: duckdb.DuckDBPyConnection,
    action: str,
    template: str,
    submitter: str,
    year: int,
    by: str | None,
    reason: str | None = None,
    os_user: str | None = None,
) -> ReviewResult:
    """Validate and append one action; raises ReviewError (nothing written) for bad input.

    The rules: ``--by`` always; a reason for a reopen and for any approve that replaces an
    approved version (a revision of a locked identity, or a reopened one); only a received (loaded) version can be reviewed or approved; what is
    approved is not approved again unless a newer version is pending."""
    by = _check_by(by)
    reason = (reason or "").strip() or None
    if action not in ACTIONS:
        raise ReviewError(f"未知操作 {action} (unknown action)")
    _check_template(template)
    years = {r[0] for r in con.execute("SELECT DISTINCT year FROM audit.submissions WHERE year IS NOT NULL").fetchall()}
    if year not in years:
        raise ReviewError(f"{year} 年度没有任何报送记录 (unknown year)")
    if not _known_submitter(con, submitter, year):
        raise ReviewError(f"未知报送单位 {submitter}：不在 {year} 年度名录或县区代码中 (unknown submitter)")
    state = _state(con, template, submitter, year)
    ident = f"{TEMPLATES[template].zh}（{template}）{submitter} {year} 年度"
    current_id = state["current_submission_id"] if state else None
    locked = bool(state and state["locked"])
    if action == "reopen":
        if not reason:
            raise ReviewError("重新开放必须用 --reason 说明原因 (--reason is required to reopen)")
        if not locked:
            raise ReviewError(f"{ident} 未锁定，无需重新开放 (not locked: nothing to reopen)")
    elif current_id is None:
        raise ReviewError(f"{ident} 尚未收到可入库的报表，无法{'审核' if action == 'review' else '审批'} (nothing received to {action})")
    elif action == "review" and state and state["reviewed"]:
        raise ReviewError(f"{ident} 第 {state['current_version']} 版已审核 (already reviewed)")
    elif action == "approve" and state and state["approved_submission_id"] is not None:
        if locked and state["approved_submission_id"] == current_id:
            raise ReviewError(f"{ident} 第 {state['approved_version']} 版已审批锁定 (already approved; no revision pending)")
        if not reason:
            was = "已锁定" if locked else f"已重新开放（仍以已审批的第 {state['approved_version']} 版为准）"
            raise ReviewError(f"{ident} {was}，再次审批须用 --reason 说明原因 (--reason is required to approve a revision)")
    version = None if action == "reopen" else (state or {}).get("current_version")
    submission_id = None if action == "reopen" else current_id
    user = os_user or _os_user()
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        next_id = con.execute("SELECT coalesce(max(action_id), 0) + 1 FROM audit.review_actions").fetchone()
        con.execute(
            "INSERT INTO audit.review_actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [next_id[0] if next_id else 1, action, template, submitter, year, submission_id, version, by, user, at, reason],
        )
        # the marts read the approved figures: the next run rebuilds what depends on them, in both sets
        con.execute(
            "INSERT INTO audit.pending_builds (template, since, approved) VALUES (?, ?, true) "
            "ON CONFLICT (template) DO UPDATE SET since = excluded.since, approved = true",
            [template, at],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return ReviewResult(action, template, submitter, year, submission_id, version, by, user, at, reason)


def _check_by(by: str | None) -> str:
    by = (by or "").strip()
    if not by:
        raise ReviewError("必须用 --by 注明经办人姓名 (--by is required: who does this)")
    return by


def _template_key(name: str) -> str:
    try:
        return template_key(name)
    except ValueError as e:  # a ReviewError, which the job and the CLI report as the clerk's mistake
        raise ReviewError(str(e)) from None


def _check_template(template: str | None) -> None:
    if template not in TEMPLATES:
        raise ReviewError(f"未知模板 {template}，可用：{', '.join(TEMPLATES)} (unknown template)")


@contextmanager
def _working_database(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not warehouse_path.exists():
        raise ReviewError("仓库尚未建立，请先运行一次入库 (no warehouse yet: run an ingestion first)")
    with connect(warehouse_path) as con:
        ensure_schema(con)
        yield con


def act(
    warehouse_path: Path,
    action: str,
    year: int,
    by: str | None,
    *,
    template: str | None = None,
    submitter: str | None = None,
    every: bool = False,
    county: str | None = None,
    reason: str | None = None,
    os_user: str | None = None,
) -> list[ReviewResult]:
    """What ``vocwh review|approve|reopen``, the Dagster job ``vocwh_review`` and the portal all
    call (the caller holds the run lock): one submitter's current version, or with ``every``
    (``--all``) every submission of the year ready for the action. ``os_user`` is recorded
    instead of the process's OS user (the portal records "portal": its process user is nobody's)."""
    template = _template_key(template) if template else template  # 在校生及学费收入 too, as the CLI takes it
    if every == bool(submitter):
        raise ReviewError("请给出 --submitter 或 --all 之一 (give either --submitter or --all)")
    if county and not every:
        raise ReviewError("--county 只与 --all 一起使用 (--county goes with --all)")
    if every:
        return apply_to_all(warehouse_path, action, year, by, template or None, county or None, reason, os_user)
    if not template:
        raise ReviewError("必须用 --template 指明报表 (--template is required)")
    assert submitter is not None
    with _working_database(warehouse_path) as con:
        return [record_action(con, action, template, submitter, year, by, reason, os_user)]


# What `--all` acts on, per action: review every current version not yet reviewed or approved;
# approve every current version the county reviewed and the city has not approved (a revision
# after the lock included, which then needs --reason like a single one).
_READY = {
    "review": "NOT reviewed AND (NOT locked OR approved_submission_id IS DISTINCT FROM current_submission_id)",
    "approve": "reviewed AND (NOT locked OR approved_submission_id IS DISTINCT FROM current_submission_id)",
}


def ready(
    con: duckdb.DuckDBPyConnection, action: str, year: int, template: str | None = None, county: str | None = None
) -> list[tuple[str, str, bool]]:
    """(template, submitter, has an approved version) of the year that ``--all`` would act on
    (approving it again needs a reason, reopened or locked), optionally one
    template and one county's submitters: the county itself, and the schools it chases (the
    registry's county; a city-run school is the city's, as on the 催报 list)."""
    sql = (
        "SELECT template, submitter_code, approved_submission_id IS NOT NULL FROM audit.review_state r "
        f"WHERE year = ? AND current_submission_id IS NOT NULL AND {_READY[action]}"
    )
    params: list[Any] = [year]
    if template:
        sql += " AND template = ?"
        params.append(template)
    if county:
        sql += (
            " AND (submitter_code = ? OR submitter_code IN (SELECT school_code FROM submissions.school_registry s"
            f" WHERE s.year = r.year AND (CASE WHEN s.sponsor = 'city' THEN '{CITY_CODE}' ELSE s.county_code END) = ?))"
        )
        params += [county, county]
    return [(t, s, bool(locked)) for t, s, locked in con.execute(sql + " ORDER BY template, submitter_code", params).fetchall()]


def apply_to_all(
    warehouse_path: Path,
    action: str,
    year: int,
    by: str | None,
    template: str | None = None,
    county: str | None = None,
    reason: str | None = None,
    os_user: str | None = None,
) -> list[ReviewResult]:
    """``vocwh review|approve --all``: the same action on every submission ready for it, one
    audit row each. Everything is checked before the first row is written, so a refusal
    changes nothing."""
    if action not in _READY:
        raise ReviewError(f"--all 只用于审核和审批 (--all is for review and approve only, not {action})")
    _check_by(by)
    if template is not None:
        _check_template(template)
    if county is not None and county != CITY_CODE and county not in county_names():
        raise ReviewError(f"未知县区代码 {county} (unknown county)")
    with _working_database(warehouse_path) as con:
        if not con.execute("SELECT count(*) FROM audit.submissions WHERE year = ?", [year]).fetchone()[0]:  # type: ignore[index]
            raise ReviewError(f"{year} 年度没有任何报送记录 (unknown year)")
        todo = ready(con, action, year, template, county)
        if not todo:
            what = "已收到未审核" if action == "review" else "县区已审核未审批"
            raise ReviewError(f"{year} 年度没有{what}的报表 (nothing to {action})")
        revisions = [f"{t} {s}" for t, s, approved in todo if approved]
        if action == "approve" and revisions and not (reason or "").strip():
            raise ReviewError(
                f"其中 {len(revisions)} 项为锁定后的修订版本（{'、'.join(revisions[:5])}…），须用 --reason 说明原因 (--reason is required to approve a revision)"
            )
        return [record_action(con, action, t, s, year, by, reason, os_user) for t, s, _ in todo]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container): still record something
        return "unknown"


def review_actions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute("SELECT * FROM audit.review_actions ORDER BY action_id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
