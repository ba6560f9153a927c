"""Which dbt build the next run needs, and the log of builds: no Dagster here.

Work grows with what changed: ingestion records which templates got a new current
version (``audit.pending_builds``), and review actions which changed what is approved; a
run then builds only ``source:submissions.<template>+`` for those (the approved figures
only for the latter), everything when the dbt project itself changed (or was never built),
and nothing when nothing changed. Each successful build gets an id that every published
output records, so a run can tell an output that is behind the marts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from dagster_project.core.settings import Settings
from dagster_project.store.schema import ensure_schema
from dagster_project.store.warehouse import connect, current_build_id
from dagster_project.transform.dbt_project import APPROVED, LATEST, dbt_vars, project_fingerprint

BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]
# The approved build reads the seeds the latest build made (schema seeds) and builds none.
# Of the data tests it runs those of its own models (approval_differences, the payout list,
# the finance reports) and the singular ones: the column and grain tests of the models both
# builds make (dbt_project.yml gives them meta figures: shared) run in the latest build, on
# the same SQL over a superset of the rows. dbt/README.md has the measurement.
APPROVED_EXCLUDE = ("resource_type:seed", "config.meta.figures:shared", "fqn:valid_periods_*")
# The approved build's last model: it exists once both builds are done (models/marts/mart_build.sql).
FINAL_BUILD_TABLE = ("approved_audit", "mart_build")


def build_args(figures: str, select: str | None = None) -> list[str]:
    """The ``dbt build`` of one set of figures: everything, or ``select``."""
    args = [*BUILD_ARGS, *dbt_vars(figures)]
    if select is not None:
        args += ["--select", select]
    # One argument: dagster-dbt takes the single value after --exclude out of the arguments
    # (dbt splits a selection on white space either way).
    return [*args, *(["--exclude", " ".join(APPROVED_EXCLUDE)] if figures == APPROVED else [])]


@dataclass(frozen=True)
class BuildPlan:
    """What the next build must do: everything (``select`` None), a selection, or nothing."""

    full: bool
    pending: tuple[str, ...]
    fingerprint: str
    # the pending templates whose approved figures changed (a review action): a new version
    # alone leaves ``approved.<template>`` as it was, which shows only approved versions
    pending_approved: tuple[str, ...] = ()

    def select(self, figures: str = LATEST) -> str | None:
        """What one build must rebuild: the models downstream of each pending template (the
        approved build's source ``submissions`` is schema ``approved``, which only a review
        action changes). The latest build also refreshes the round's status (source audit),
        the approved one what compares the two sets, which any change moves."""
        if self.full:
            return None
        if figures == LATEST:
            return " ".join([*(f"source:submissions.{t}+" for t in self.pending), "source:audit+"])
        return " ".join([*(f"source:submissions.{t}+" for t in self.pending_approved), "approval_differences+"])

    @property
    def nothing_to_do(self) -> bool:
        return not self.full and not self.pending


def plan_build(settings: Settings) -> BuildPlan:
    fingerprint = project_fingerprint()
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        rows = con.execute("SELECT template, approved FROM audit.pending_builds ORDER BY template").fetchall()
        built = con.execute("SELECT count(*) FROM audit.dbt_builds WHERE project_fingerprint = ?", [fingerprint]).fetchone()[0]
        marts_exist = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", list(FINAL_BUILD_TABLE)
        ).fetchone()[0]
    return BuildPlan(
        full=not (built and marts_exist),
        pending=tuple(t for t, _ in rows),
        fingerprint=fingerprint,
        pending_approved=tuple(t for t, approved in rows if approved is not False),
    )


def new_build_id(run_id: str) -> str:
    """A build's id: when, and which run (readable in a file's properties or a page's head)."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{run_id[:8]}"


def build_time(con: duckdb.DuckDBPyConnection, build_id: str, catalog: str | None = None) -> dt.datetime | None:
    """When the build ``build_id`` was logged as done (UTC), None if the log lacks it: what
    the ``vocwh_build`` table of every BI target shows beside the id."""
    table = f"{catalog}.audit.dbt_builds" if catalog else "audit.dbt_builds"
    try:
        row = con.execute(f"SELECT max(built_at) FROM {table} WHERE build_id = ?", [build_id]).fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):  # no log, or one from before build ids
        return None
    return row[0].replace(tzinfo=dt.UTC) if row and row[0] is not None else None


def record_build(settings: Settings, plan: BuildPlan | None, run_id: str, build_id: str, selection: str | None = None) -> None:
    """Log a successful build: the marts now hold ``build_id``. ``plan`` None is a build of
    a hand-picked subset: it clears nothing pending and counts as no full build."""
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        if plan is not None:
            con.execute("DELETE FROM audit.pending_builds WHERE list_contains(?, template)", [list(plan.pending)])
        con.execute(
            "INSERT INTO audit.dbt_builds (built_at, project_fingerprint, selection, run_id, build_id) VALUES (?, ?, ?, ?, ?)",
            [
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                plan.fingerprint if plan else None,
                plan.select() if plan else selection,
                run_id,
                build_id,
            ],
        )


def marts_build(settings: Settings) -> str | None:
    with connect(settings.warehouse_path, read_only=True) as con:
        return current_build_id(con)
