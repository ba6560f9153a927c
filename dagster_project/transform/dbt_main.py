"""``vocwh-dbt``: dbt, run from inside the warehouse folder it builds.

dbt keeps a parse of the project (``partial_parse.msgpack``) only for the connection it was
made with, and the profile's database path is part of that connection. With an absolute
path every new warehouse (a city's first run, each test's, the benchmark's) parsed the
project again, twice (once per set of figures), about 7 s of CPU each. Run from inside the
warehouse with the profile's path relative (``./warehouse.duckdb``), every warehouse has the
same connection, so one parse of a project version serves all of them
(``dbt_project.ensure_manifests`` keeps it in the machine's cache).

Everything else is dbt's: the arguments pass through unchanged. Paths in them must be
absolute (the pipeline's are), since the working folder changes before dbt starts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_project.core.exit import freeze_at_exit


def enter_warehouse() -> None:
    """Move into ``VOCWH_WAREHOUSE_DIR`` (made if missing) and point the profile at it
    relatively; the project stays the one dbt would have found from the folder we left."""
    warehouse = os.environ.get("VOCWH_WAREHOUSE_DIR")
    if not warehouse:
        return  # the profile's default, relative to where dbt was started
    if "DBT_PROJECT_DIR" not in os.environ:
        from dbt.cli.resolvers import default_project_dir

        # dagster-dbt starts dbt in the project folder (or in a temporary copy of it, for a
        # long selection) and names no --project-dir: keep that folder as the project.
        os.environ["DBT_PROJECT_DIR"] = str(default_project_dir())
    path = Path(warehouse).resolve()
    path.mkdir(parents=True, exist_ok=True)
    os.chdir(path)
    os.environ["VOCWH_WAREHOUSE_DIR"] = "."


def main() -> None:
    freeze_at_exit()  # dbt's own exit walks its 190,000 objects once more: 0.7 s (core/exit.py)
    enter_warehouse()
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    sys.exit(cli())


if __name__ == "__main__":
    main()
