"""The vocwh code location: ingestion, validation, dbt marts and publishing in one graph.

Loading it also sets up what a run prints (issue 21: a run says what matters, and only that):
a production run without its PII key stops here, before Dagster starts anything; Dagster's
beta notices and the core modules' own Python logging (which the assets relay to the run's
log) stay off the console; the console logger says in one short line which dbt checks were
not run, where Dagster lists every one of them.
"""

import logging
import re
import sys
import warnings

import dagster as dg

from dagster_project.core.gc_tuning import keep_out_of_collections, pause_collections

# What follows imports dagster-dbt with dbt, and builds the assets: no collections meanwhile,
# and all of it frozen at the end (core/gc_tuning.py).
pause_collections()

from dagster_project.cli import production_key_refusal  # noqa: E402
from dagster_project.core.exit import freeze_at_exit  # noqa: E402
from dagster_project.core.settings import Settings  # noqa: E402

# VOCWH_ENV=production without VOCWH_PII_KEY: one message and exit 1, not two tracebacks after
# a minute of work (the ingestion step would refuse too, deep inside the run).
if (_refusal := production_key_refusal()) is not None:
    print(_refusal, file=sys.stderr)
    raise SystemExit(1)

# A run's process exits without walking its objects once more (core/exit.py: 1.3-1.9 s).
freeze_at_exit()

# `dg launch --assets '*'` selects with include_sources, a beta parameter: a notice per process.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
# The core modules log with Python's logging, which without any handler prints to stderr
# (logging.lastResort); in a run the assets log the same through Dagster (the development-key
# warning, a snapshot problem), so that second copy is dropped. A handler configured on the
# root logger (pytest's, a deployment's) still receives them; the `vocwh` commands keep theirs.
logging.getLogger("dagster_project").addHandler(logging.NullHandler())

from dagster_project.defs.dbt import build_dbt_assets, dbt_resource  # noqa: E402
from dagster_project.defs.ingest import ingest_submissions  # noqa: E402
from dagster_project.defs.postgres import build_postgres_sensor, postgres_job, postgres_marts  # noqa: E402
from dagster_project.defs.publish import PUBLISH_ASSETS  # noqa: E402
from dagster_project.defs.resources import run_lock_resource, vocwh_resource  # noqa: E402
from dagster_project.defs.review import vocwh_review  # noqa: E402
from dagster_project.defs.run_summary import run_summary  # noqa: E402
from dagster_project.defs.sensors import build_schedule, build_sensor  # noqa: E402
from dagster_project.transform.dbt_project import APPROVED, LATEST  # noqa: E402

_NOT_YIELDED = re.compile(r"(\S+ '[^']+') did not yield or return expected outputs \{(.*)\}\.", re.S)


class ChecksNotRunFilter(logging.Filter):
    """Dagster lists, in one INFO line, every planned output a step did not yield: on a run with
    nothing new, all of the dbt tests (44,601 characters on the sample). They were not run
    because their models were not rebuilt; their last results stand. Said in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        found = _NOT_YIELDED.search(message)
        if found:
            count = found.group(2).count("'") // 2
            short = f"{found.group(1)}: {count} checks not run (their models were not rebuilt; their last results stand)"
            record.msg, record.args = message[: found.start()] + short + message[found.end() :], None
        return True


class _DagsterConsoleLogger(logging.getLoggerClass()):  # type: ignore[misc]
    """The class Dagster's console logger is made of (``create_console_logger`` takes Python's
    logger class): the same, with the filter above. Dagster makes that logger itself for every
    run whose config names no logger (``dg launch`` and the UI's runs), so its class is the one
    place to add a filter; only the logger named ``dagster`` gets it."""

    def __init__(self, name: str, level: int | str = logging.NOTSET) -> None:
        super().__init__(name, level)
        if name == "dagster":
            self.addFilter(ChecksNotRunFilter())


logging.setLoggerClass(_DagsterConsoleLogger)

# One job over everything: the working DuckDB file takes one writer at a time, so the
# steps run in one process, one after another.
vocwh_job = dg.define_asset_job("vocwh_full", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor)

# PostgreSQL is optional (VOCWH_POSTGRES_URL): without it the UI shows no PostgreSQL asset,
# job or sensor, rather than an asset that is never materialized (issue 21).
_POSTGRES = bool(Settings.from_env().postgres_url)

defs = dg.Definitions(
    assets=[
        ingest_submissions,
        build_dbt_assets(LATEST),
        build_dbt_assets(APPROVED),
        *PUBLISH_ASSETS,
        *([postgres_marts] if _POSTGRES else []),
        run_summary,
    ],
    jobs=[vocwh_job, *([postgres_job] if _POSTGRES else []), vocwh_review],
    sensors=[build_sensor(vocwh_job), *([build_postgres_sensor(vocwh_job.name)] if _POSTGRES else [])],
    schedules=[build_schedule(vocwh_job)],
    # run_lock: held by every run from its first step to its last (one run per warehouse).
    resources={"vocwh": vocwh_resource(), "run_lock": run_lock_resource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)

# What the definitions loaded lives as long as the process (a run, the code server): out of
# the collector's full passes from now on (core/gc_tuning.py).
keep_out_of_collections()
