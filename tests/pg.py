"""A throwaway PostgreSQL 15 cluster for the tests, from the binaries on the machine.

initdb and pg_ctl in a temporary folder, on a free port of 127.0.0.1, with the unix
socket inside the folder; as the ``postgres`` OS user when the tests run as root (the
server refuses to run as root). Missing binaries fail the tests with a clear message:
CI has them, and a silent skip would hide the PostgreSQL target from CI.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin",)
SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "vocwh-test-superuser"
PUBLISHER = "vocwh_publisher"
PUBLISHER_PASSWORD = "vocwh-test-publisher"
DATABASE = "vocwh"


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    folder: Path

    def url(self, user: str = PUBLISHER, password: str = PUBLISHER_PASSWORD, dbname: str = DATABASE) -> str:
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{dbname}"

    def superuser_url(self, dbname: str = DATABASE) -> str:
        return self.url(SUPERUSER, SUPERUSER_PASSWORD, dbname)


def pg_bindir() -> Path:
    env = os.environ.get("VOCWH_PG_BINDIR")
    for d in ([env] if env else []) + list(PG_BIN_CANDIDATES):
        if d and (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    pytest.fail(
        "PostgreSQL 15 server binaries not found (initdb, pg_ctl in /usr/lib/postgresql/15/bin, or set VOCWH_PG_BINDIR): "
        "the PostgreSQL publishing tests need a real server",
        pytrace=False,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser") is None:
        pytest.fail("running as root: the PostgreSQL test server needs runuser to start as the postgres OS user", pytrace=False)
    return ["runuser", "-u", "postgres", "--", *cmd]


def start_cluster() -> Iterator[PgServer]:
    """Yield a running server with a publisher role owning database ``vocwh``; stop it afterwards."""
    bindir = pg_bindir()
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(
                "running as root, but no postgres OS user to run the PostgreSQL test server as (initdb refuses root)", pytrace=False
            )
    folder = Path(tempfile.mkdtemp(prefix="vocwh-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, sock, pwfile, logfile = folder / "data", folder / "sock", folder / "pw", folder / "server.log"
    port = free_port()
    started = False
    try:
        sock.mkdir()
        pwfile.write_text(SUPERUSER_PASSWORD + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            for p in (sock, pwfile):
                shutil.chown(p, "postgres", "postgres")
        run = lambda cmd: subprocess.run(_as_server_user(cmd), capture_output=True, text=True, timeout=120)  # noqa: E731
        init = run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ]
        )
        assert init.returncode == 0, f"initdb failed:\n{init.stdout}\n{init.stderr}"
        opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sock} -c fsync=off -c full_page_writes=off"
        start = run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(logfile), "-o", opts, "-w", "-t", "60", "start"])
        log_text = logfile.read_text(encoding="utf-8", errors="replace") if logfile.exists() else ""
        assert start.returncode == 0, f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{log_text}"
        started = True
        server = PgServer("127.0.0.1", port, folder)
        # A publisher like a deployment's: owns its database, may create roles, is no superuser.
        with psycopg.connect(server.superuser_url("postgres"), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(sql.Identifier(PUBLISHER), sql.Literal(PUBLISHER_PASSWORD))
            )
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(DATABASE), sql.Identifier(PUBLISHER)))
        yield server
    finally:
        if started:
            subprocess.run(
                _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True, timeout=120
            )
        shutil.rmtree(folder, ignore_errors=True)
