"""The award payout list: who gets how much for which event, with names and masked ID numbers.

This is the one place where names meet the award figures (policy-rules.md, Personal
data: names and masked IDs only in tables meant for the payout audit).  The list is the
dbt model ``restricted.award_payout``: names joined to ``marts.award_entitlements`` and
the amount still to pay computed there, in SQL.  Schema ``restricted`` is never copied
into the BI snapshot.
"""

from __future__ import annotations

import duckdb

from dagster_project.publish.common import RESTRICTED_SCHEMA, Row, fetch_rows

PAYOUT_MODEL = f"{RESTRICTED_SCHEMA}.award_payout"


def payout_list(con: duckdb.DuckDBPyConnection, year: int) -> list[Row]:
    """One row per person-event of the year, ordered by school and name."""
    return fetch_rows(
        con,
        f"SELECT * FROM {PAYOUT_MODEL} WHERE year = ? ORDER BY school_code, person_name, person_key, event_name, event_key",
        [year],
    )
