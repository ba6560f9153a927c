"""``vocwh``: the command line for what is not a scheduled run.

The scheduled pipeline is ``dagster asset materialize -m dagster_project.definitions
--select '*'``; these commands serve engineers and auditors: ingest only, show the
submission log, regenerate the GX suites, generate data, publish for a chosen year.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dagster_project.core.exit import freeze_at_exit
from dagster_project.core.settings import Settings


def _cmd_ingest(args: argparse.Namespace) -> int:
    from dagster_project.core.runlock import RunInProgress, run_lock
    from dagster_project.store.load import run_ingest

    settings = Settings.from_env()
    try:
        with run_lock(settings.warehouse_dir, "vocwh ingest", on_wait=lambda msg: print(msg, file=sys.stderr)):
            report = run_ingest(settings)
    except RunInProgress as e:
        print(e, file=sys.stderr)
        return 2
    print(f"{report.files_seen} files, {report.files_skipped} unchanged, {len(report.outcomes)} sheets processed")
    for o in report.outcomes:
        print(f"{o.status:12} {o.file.rel} [{o.sheet or ''}]")
        for reason in o.reasons[: args.reasons]:
            print(f"             {reason}")
    return 0


def production_key_refusal() -> str | None:
    """The message that stops a production run without its PII key before anything starts
    (hashes made with the public development key can be reversed); None when all is well."""
    import os

    if os.environ.get("VOCWH_ENV", "").strip().lower() != "production" or not Settings.from_env().using_dev_key:
        return None
    return (
        "错误：VOCWH_ENV=production，但未设置 VOCWH_PII_KEY（身份证号哈希密钥），拒绝运行。请设置后重试。\n"
        "Error: VOCWH_ENV=production and VOCWH_PII_KEY is not set: refusing to run. Set it and run again."
    )


def _template_arg(args: argparse.Namespace) -> bool:
    """``--template`` by its key or its Chinese name, as its key; False (message printed) if unknown."""
    from dagster_project.core.templates import template_key

    if getattr(args, "template", None):
        try:
            args.template = template_key(args.template)
        except ValueError as e:
            print(f"错误 (error): {e}", file=sys.stderr)
            return False
    return True


def _template_name(key: str | None) -> str:
    """How status names a template: its Chinese name and its key, as the receipts do."""
    from dagster_project.core.templates import TEMPLATES

    return f"{TEMPLATES[key].zh}（{key}）" if key in TEMPLATES else (key or "")


def _cmd_status(args: argparse.Namespace) -> int:
    from dagster_project.store.warehouse import connect, outstanding_problems

    if not _template_arg(args):
        return 2
    settings = Settings.from_env()
    with connect(settings.warehouse_path, read_only=True) as con:
        if args.all:
            cur = con.execute(
                "SELECT status, source_file, sheet, template, submitter_code, year, reasons FROM audit.submissions ORDER BY receipt_seq"
            )
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        else:
            rows = outstanding_problems(con, settings.raw_dir)  # files deleted since are owed by nobody
    if args.template:
        rows = [r for r in rows if r["template"] == args.template]
    for r in rows:
        year = "" if r["year"] is None else r["year"]
        print(
            f"{r['status']:12} {r['source_file']} [{r['sheet'] or ''}] {_template_name(r['template'])} {r['submitter_code'] or ''} {year}"
        )
        for line in (r["reasons"] or "").splitlines()[: args.reasons]:
            print(f"             {line}")
    if not args.all:
        print(f"{len(rows)} outstanding (a round with an accepted version clears its rejections; --all lists every sheet ever received)")
    return 0


def _cmd_suites(args: argparse.Namespace) -> int:
    from dagster_project.validate.suites import write_suites

    for path in write_suites():
        print(path)
    return 0


def _cmd_review_action(args: argparse.Namespace) -> int:
    """review / approve / reopen (issue 10): exit 2 with the reason, and nothing written, on bad input."""
    from dagster_project.core.runlock import RunInProgress, run_lock
    from dagster_project.store.review import ReviewError, act

    if not _template_arg(args):
        return 2
    settings = Settings.from_env()
    every = getattr(args, "all", False)  # reopen has no --all
    try:
        with run_lock(settings.warehouse_dir, f"vocwh {args.command}", on_wait=lambda msg: print(msg, file=sys.stderr)):
            done = act(
                settings.warehouse_path,
                args.command,
                args.year,
                args.by,
                template=args.template,
                submitter=args.submitter,
                every=every,
                county=args.county,
                reason=args.reason,
            )
    except (ReviewError, RunInProgress) as e:
        print(f"错误 (error): {e}", file=sys.stderr)
        return 2
    what = {"review": "已审核 (reviewed)", "approve": "已审批并锁定 (approved, locked)", "reopen": "已重新开放 (reopened)"}
    for r in done:
        version = f" v{r.version}" if r.version else ""
        print(
            f"{what[r.action]}: {r.template} {r.submitter_code} {r.year}{version} by {r.by_name} ({r.os_user}) at {r.at:%Y-%m-%d %H:%M:%S} UTC"
        )
    if every:
        print(f"共 {len(done)} 项 ({len(done)} submissions)")
    print("下次运行时生效 (takes effect in the marts on the next run)")
    return 0


def _cmd_portal(args: argparse.Namespace) -> int:
    """Serve the portal (issue 20); its database is migrated first."""
    from dagster_project.portal.commands import CommandError, serve

    try:
        serve(args.host, args.port)
    except CommandError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


def _cmd_user(args: argparse.Namespace) -> int:
    """The portal's accounts: add, disable, reset a password, list. Exit 2 with the reason, nothing changed, on bad input."""
    from dagster_project.portal.commands import CommandError, user_add, user_disable, user_list, user_password

    try:
        if args.user_command == "add":
            print(user_add(args.username, args.role, args.code, args.name, args.password_file))
        elif args.user_command == "disable":
            print(user_disable(args.username))
        elif args.user_command == "password":
            print(user_password(args.username, args.password_file))
        else:
            print("\t".join(["用户名", "角色", "代码", "显示名", "状态", "最近登录"]))
            for line in user_list():
                print(line)
    except CommandError as e:
        print(f"错误 (error): {e}", file=sys.stderr)
        return 2
    return 0


def _add_portal_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("portal", help="serve the submission portal (docs/portal.md); migrates its database first")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=_cmd_portal)
    p = sub.add_parser("user", help="the portal's accounts: add, disable, password, list")
    users = p.add_subparsers(dest="user_command", required=True)
    a = users.add_parser("add", help="add a portal user; the password is asked for unless --password-file is given")
    a.add_argument("--username", required=True)
    a.add_argument("--role", required=True, choices=["school", "county", "city", "finance"])
    a.add_argument("--code", required=True, help="学校标识码, county code, or 220200 for the city")
    a.add_argument("--name", required=True, help="显示名, recorded with every review action")
    a.add_argument("--password-file", help="a file whose first line is the password")
    d = users.add_parser("disable", help="stop a user logging in (its sessions end too)")
    d.add_argument("username")
    pw = users.add_parser("password", help="set a new password (asked for unless --password-file), lift the login lock, enable the user")
    pw.add_argument("username")
    pw.add_argument("--password-file", help="a file whose first line is the password")
    users.add_parser("list", help="every user with role, code, name, state and last login")
    p.set_defaults(func=_cmd_user)


def main(argv: Sequence[str] | None = None) -> int:
    from dagster_project.publish.cli import add_publish_commands

    freeze_at_exit()  # `vocwh ingest` and `publish` load Great Expectations and pandas (core/exit.py)

    parser = argparse.ArgumentParser(prog="vocwh", description="吉林市职业教育统计数据仓库 / vocational-education statistics warehouse")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="ingest new or changed files under VOCWH_RAW_DIR (no dbt, no publishing)")
    p.add_argument("--reasons", type=int, default=5, help="reasons shown per sheet")
    p.set_defaults(func=_cmd_ingest)
    p = sub.add_parser(
        "status", help="what still needs a corrected file: outstanding rejected, unrecognised, unreadable sheets (--all: the whole log)"
    )
    p.add_argument("--all", action="store_true")
    p.add_argument("--template", help="only this template, by its Chinese name or key (在校生及学费收入 or enrollment)")
    p.add_argument("--reasons", type=int, default=20)
    p.set_defaults(func=_cmd_status)
    p = sub.add_parser("suites", help="regenerate expectations/*.json from the template definitions")
    p.set_defaults(func=_cmd_suites)
    for name, help_ in [
        ("review", "县区审核 the county reviews a submitter's current version"),
        ("approve", "市局审批并锁定 the city approves and locks it (a revision after the lock needs --reason)"),
        ("reopen", "市局重新开放 the city unlocks it (--reason required)"),
    ]:
        p = sub.add_parser(name, help=help_)
        p.add_argument(
            "--template", help="the template by its Chinese name or key, e.g. 在校生及学费收入 or enrollment (required, except with --all)"
        )
        p.add_argument("--submitter", help="school, county or funder code")
        p.add_argument("--year", required=True, type=int)
        p.add_argument("--by", help="经办人姓名 who does this (required)")
        p.add_argument("--reason", help="原因 why (required for reopen and for approving a revision)")
        if name != "reopen":
            p.add_argument(
                "--all",
                action="store_true",
                help="every submission of the year ready for it (review: received, not reviewed; approve: reviewed, not approved), "
                "one audit row each; narrow with --template and --county",
            )
            p.add_argument("--county", help="with --all: one county's submitters (the county and the schools on its 催报 list)")
        p.set_defaults(func=_cmd_review_action, county=None)
    add_publish_commands(sub)
    _add_portal_commands(sub)
    args = parser.parse_args(argv)
    if args.command == "ingest" and (refusal := production_key_refusal()) is not None:
        print(refusal, file=sys.stderr)
        return 1
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
