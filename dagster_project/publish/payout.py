"""The award payout list: who gets how much for which event, with names and masked ID numbers.

This is the one place where names meet the award figures (policy-rules.md, Personal
data: names and masked IDs only in tables meant for the payout audit).  It reads
``marts.award_entitlements`` (one row per person and event, no names) and takes names
and masked IDs from ``submissions.competition_awards`` by person_key and year; event
and competition names and approval numbers come from the mart when it has them, else
from the person-event's own rows.  Should the source of names change, only
``payout_list`` needs to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

import duckdb

from dagster_project.publish.common import Row, fetch_rows, relation_exists


def payout_list(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    """One row per person-event of the year, ordered by school and name.

    Keys: every column of ``marts.award_entitlements`` plus person_name, id_masked,
    event_name, competition_name and hr_approval_no (taken from the mart when it has
    them, else from the counted award's rows), to_pay_yuan (entitled not yet paid)
    and overpaid_yuan.
    """
    ents = fetch_rows(con, "SELECT * FROM marts.award_entitlements WHERE year = ?", [year])
    raw: list[Row] = []
    if relation_exists(con, "submissions", "competition_awards"):
        raw = fetch_rows(
            con,
            """
            SELECT person_key, person_name, id_masked, event_name, event_key, competition_name, competition_level, organizer_type, prize,
                   hr_approval_no, loaded_at, row_number
            FROM submissions.competition_awards WHERE year = ?
            ORDER BY loaded_at DESC NULLS LAST, row_number
            """,
            [year],
        )
    by_person: dict[str, list[Row]] = defaultdict(list)
    for r in raw:
        by_person[r["person_key"]].append(r)

    out: list[Row] = []
    for e in ents:
        rows = by_person.get(e["person_key"], [])
        events: dict[str, list[Row]] = defaultdict(list)
        for r in rows:
            events[r["event_key"]].append(r)
        # event_key is the key ingestion stored with each row (shared/keys.py); should dbt key
        # events otherwise, a person with a single event that year is still matched unambiguously.
        same = events.get(e.get("event_key")) or (next(iter(events.values())) if len(events) == 1 else [])
        # The counted award is the row with the person-event's level, organizer and prize.
        counted = [
            r
            for r in same
            if (r["competition_level"], r["organizer_type"], r["prize"])
            == (e.get("competition_level"), e.get("organizer_type"), e.get("prize"))
        ] or same
        entitled = e.get("entitled_yuan") or Decimal(0)
        paid = e.get("paid_yuan") or Decimal(0)
        out.append(
            {
                **e,
                "person_name": rows[0]["person_name"] if rows else None,
                "id_masked": rows[0]["id_masked"] if rows else None,
                "event_name": e.get("event_name") or (counted[0]["event_name"] if counted else e.get("event_key")),
                "competition_name": e.get("competition_name") or _distinct(r["competition_name"] for r in counted),
                "hr_approval_no": e.get("hr_approval_no") or _distinct(r["hr_approval_no"] for r in same),
                "to_pay_yuan": max(entitled - paid, Decimal(0)),
                "overpaid_yuan": max(paid - entitled, Decimal(0)),
            }
        )
    out.sort(key=lambda r: (r["school_code"] or "", r["person_name"] or "", r["person_key"] or "", r["event_name"] or ""))
    return out


def _distinct(values: Iterable[object]) -> str:
    seen: list[str] = []
    for v in values:
        if v not in (None, "") and str(v) not in seen:
            seen.append(str(v))
    return "；".join(seen)
