"""Command line for publishing: the BI snapshot, finance reports and receipts.

``add_publish_commands(subparsers)`` adds one ``publish`` command (with sub-commands
``snapshot``, ``reports``, ``receipts`` and ``all``) to the project's argparse CLI;
``main(argv)`` runs it standalone::

    python -m dagster_project.publish.cli reports --year 2024
    python -m dagster_project.publish.cli receipts --run-id <dagster run id>
    python -m dagster_project.publish.cli all

The command line and the Dagster assets call the same core functions
(``publish.reports``, ``publish.snapshot``), so both produce identical files in
identical places.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dagster_project.core.runlock import RunInProgress, run_lock
from dagster_project.core.settings import Settings
from dagster_project.publish.common import open_readonly
from dagster_project.publish.reports import produce_receipts, produce_reports
from dagster_project.publish.snapshot import publish_snapshot
from dagster_project.store.warehouse import current_build_id

# ---- argparse -----------------------------------------------------------------------------------


def add_publish_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``publish {snapshot,reports,receipts,all}``; each sets ``func(args) -> int``."""
    p = subparsers.add_parser("publish", help="发布：BI 快照、经费检查工作簿与概况、报送回执 / publish snapshot, reports, receipts")
    sub = p.add_subparsers(dest="publish_command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--warehouse-dir", type=Path, help="warehouse folder (default: VOCWH_WAREHOUSE_DIR or ./warehouse)")

    sp = sub.add_parser("snapshot", help="copy the marts to marts.duckdb and parquet/ (atomic)")
    common(sp)
    sp.set_defaults(func=_locked(_cmd_snapshot))

    sp = sub.add_parser("reports", help="finance workbook (.xlsx) and summary (.html) per year")
    common(sp)
    sp.add_argument("--year", type=int, action="append", help="statistical year; repeatable (default: every year in the marts)")
    sp.add_argument("--out", type=Path, help="output folder (default: <warehouse>/reports)")
    sp.set_defaults(func=_locked(_cmd_reports))

    sp = sub.add_parser("receipts", help="receipts (回执) for every submitter of a batch")
    common(sp)
    sp.add_argument("--run-id", help="the batch's run id (default: the latest batch)")
    sp.add_argument("--out", type=Path, help="output folder (default: <warehouse>/reports/receipts/<run id>)")
    sp.set_defaults(func=_locked(_cmd_receipts))

    sp = sub.add_parser("all", help="snapshot, then reports, then receipts of the latest batch")
    common(sp)
    sp.add_argument("--year", type=int, action="append", help="statistical year; repeatable (default: every year)")
    sp.set_defaults(func=_locked(_cmd_all))
    return p


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(warehouse_dir=args.warehouse_dir)


def _locked(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Publish under the warehouse's run lock: never beside a pipeline run that is rebuilding the marts."""

    def run(args: argparse.Namespace) -> int:
        settings = _settings(args)
        try:
            with run_lock(settings.warehouse_dir, "vocwh publish", on_wait=lambda msg: print(msg, file=sys.stderr)):
                return command(args)
        except RunInProgress as e:
            print(e, file=sys.stderr)
            return 2

    return run


def _cmd_snapshot(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with open_readonly(settings.warehouse_path) as con:
        build = current_build_id(con)
    result = publish_snapshot(settings, build)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _cmd_reports(args: argparse.Namespace) -> int:
    made = produce_reports(_settings(args), args.year, args.out)
    if not made:
        print("no year found in the marts: nothing written", file=sys.stderr)
        return 1
    for year, (xlsx, html) in made.items():
        print(f"{year}: {xlsx}\n{year}: {html}")
    return 0


def _cmd_receipts(args: argparse.Namespace) -> int:
    batch, paths = produce_receipts(_settings(args), args.run_id, args.out)
    if not paths:
        print(f"no submission in batch {batch or '(latest)'}: nothing written", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    return 0


def _cmd_all(args: argparse.Namespace) -> int:
    _cmd_snapshot(args)
    args.out = None
    rc = _cmd_reports(args)
    args.run_id = None
    _cmd_receipts(args)
    return rc


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point: ``main(["reports", "--year", "2024"])``."""
    parser = argparse.ArgumentParser(prog="vocwh-publish", description="vocwh publishing")
    sub = parser.add_subparsers(dest="command", required=True)
    add_publish_commands(sub)
    args = parser.parse_args(["publish", *(argv if argv is not None else sys.argv[1:])])
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
