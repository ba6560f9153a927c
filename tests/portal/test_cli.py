"""``vocwh user add|disable|list`` and ``vocwh portal`` (issue 20), run as a clerk runs them:
the installed command in a fresh process, on a warehouse folder of its own."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.pg import PgServer
from tests.portal.test_settings import PORTAL_VARS

# Each test starts the installed command (Django and the package imported afresh): CLI runs,
# so outside the quick run (`pytest -m "not slow"`).
pytestmark = pytest.mark.slow

VOCWH = str(Path(sys.executable).parent / "vocwh")


def _env(wh: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_VARS and k != "DJANGO_SETTINGS_MODULE"}
    return {**env, "VOCWH_WAREHOUSE_DIR": str(wh), **extra}


def vocwh(wh: Path, *args: str, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VOCWH, *args], env=_env(wh, **extra), capture_output=True, text=True, timeout=180, input=stdin)


def _users(wh: Path) -> list[tuple[str, str, int, str, str, str]]:
    with sqlite3.connect(wh / "portal.sqlite3") as db:
        return db.execute(
            "SELECT u.username, u.password, u.is_active, p.role, p.code, p.display_name FROM auth_user u "
            "JOIN accounts_profile p ON p.user_id = u.id ORDER BY u.username"
        ).fetchall()


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    return tmp_path / "wh"


def test_add_list_and_disable_a_user(wh: Path, tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("Song-hua-jiang-77\n", encoding="utf-8")
    r = vocwh(
        wh,
        "user",
        "add",
        "--username",
        "changyi_jyj",
        "--role",
        "county",
        "--code",
        "220202",
        "--name",
        "昌邑区教育局 李强",
        "--password-file",
        str(pw),
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "已添加用户 changyi_jyj：昌邑区教育局 李强（county 220202）"
    [(username, hashed, active, role, code, name)] = _users(wh)
    assert (username, active, role, code, name) == ("changyi_jyj", 1, "county", "220202", "昌邑区教育局 李强")
    assert hashed.startswith("pbkdf2_sha256$") and "Song-hua-jiang-77" not in hashed

    listed = vocwh(wh, "user", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1] == "changyi_jyj\tcounty\t220202\t昌邑区教育局 李强\t启用\t从未登录"

    off = vocwh(wh, "user", "disable", "changyi_jyj")
    assert off.returncode == 0 and off.stdout.strip() == "已停用用户 changyi_jyj"
    assert _users(wh)[0][2] == 0
    assert "已停用" in vocwh(wh, "user", "list").stdout


def test_the_password_is_asked_for_when_no_file_is_given(wh: Path) -> None:
    """getpass reads the terminal; without one it falls back to stdin, which stands in for it here."""
    r = vocwh(
        wh,
        "user",
        "add",
        "--username",
        "city1",
        "--role",
        "city",
        "--code",
        "220200",
        "--name",
        "市教育局 陈静",
        stdin="Bei-shan-park-2024\nBei-shan-park-2024\n",
    )
    assert r.returncode == 0, r.stderr
    assert _users(wh)[0][:1] == ("city1",)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "county", "--code", "229999"], "未知县区代码 229999"),
        (["--role", "city", "--code", "220202"], "市教育局账号的代码必须是 220200"),
        (["--role", "school", "--code", "51 22; rm"], "单位代码 '51 22; rm' 无效"),
    ],
)
def test_a_bad_code_is_refused_and_nothing_is_added(wh: Path, tmp_path: Path, args: list[str], message: str) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("Song-hua-jiang-77\n", encoding="utf-8")
    r = vocwh(wh, "user", "add", "--username", "u1", "--name", "某人", "--password-file", str(pw), *args)
    assert r.returncode == 2
    assert message in r.stderr
    assert _users(wh) == []


def test_a_weak_password_and_a_taken_username_are_refused(wh: Path, tmp_path: Path) -> None:
    weak, good = tmp_path / "weak.txt", tmp_path / "good.txt"
    weak.write_text("12345678\n", encoding="utf-8")
    good.write_text("Song-hua-jiang-77\n", encoding="utf-8")
    base = ["user", "add", "--username", "s1", "--role", "school", "--code", "5122020113", "--name", "昌邑区职业高级中学 王丽"]
    r = vocwh(wh, *base, "--password-file", str(weak))
    assert r.returncode == 2 and "密码不符合要求" in r.stderr
    assert _users(wh) == []
    assert vocwh(wh, *base, "--password-file", str(good)).returncode == 0
    again = vocwh(wh, *base, "--password-file", str(good))
    assert again.returncode == 2 and "用户名 s1 已存在" in again.stderr
    assert len(_users(wh)) == 1


def test_disabling_an_unknown_user_says_so(wh: Path) -> None:
    r = vocwh(wh, "user", "disable", "ghost")
    assert r.returncode == 2 and "没有用户 ghost" in r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_vocwh_portal_migrates_then_serves_the_login_page(wh: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([VOCWH, "portal", "--port", str(port)], env=_env(wh), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, page = time.monotonic() + 120, None
        while time.monotonic() < deadline and page is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).read().decode()
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.communicate()[1]
                time.sleep(0.5)
        assert page is not None and 'name="username"' in page
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as e:
            opener.open(f"http://127.0.0.1:{port}/review/", timeout=5)
        assert e.value.code == 302 and e.value.headers["Location"] == "/login/?next=/review/"
        assert (wh / "portal.sqlite3").exists()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_the_portal_database_on_postgresql(pg_server: PgServer, wh: Path, tmp_path: Path) -> None:
    """VOCWH_PORTAL_DATABASE_URL: migrations, accounts and the list on a real PostgreSQL 15."""
    with psycopg.connect(pg_server.superuser_url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE vocwh_portal OWNER vocwh_publisher")
    url = pg_server.url(dbname="vocwh_portal")
    pw = tmp_path / "pw.txt"
    pw.write_text("Song-hua-jiang-77\n", encoding="utf-8")
    r = vocwh(wh, "user", "add", "--username", "jls_czj", "--role", "finance", "--code", "220200CZ", "--name", "市财政局 周涛",
              "--password-file", str(pw), VOCWH_PORTAL_DATABASE_URL=url)  # fmt: skip
    assert r.returncode == 0, r.stderr
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT u.username, p.role, p.code, p.display_name FROM auth_user u JOIN accounts_profile p ON p.user_id = u.id"
        ).fetchall()
    assert rows == [("jls_czj", "finance", "220200CZ", "市财政局 周涛")]
    assert "jls_czj\tfinance" in vocwh(wh, "user", "list", VOCWH_PORTAL_DATABASE_URL=url).stdout
    assert not (wh / "portal.sqlite3").exists()


def test_a_password_reset_lifts_the_lock_and_enables_the_user(wh: Path, tmp_path: Path) -> None:
    pw, new = tmp_path / "pw.txt", tmp_path / "new.txt"
    pw.write_text("Song-hua-jiang-77\n", encoding="utf-8")
    new.write_text("Xiao-bai-shan-88\n", encoding="utf-8")
    assert (
        vocwh(
            wh, "user", "add", "--username", "s1", "--role", "school", "--code", "5122020113", "--name", "王丽", "--password-file", str(pw)
        ).returncode
        == 0
    )
    assert vocwh(wh, "user", "disable", "s1").returncode == 0
    with sqlite3.connect(wh / "portal.sqlite3") as db:  # the state five wrong passwords leave (django-axes' table)
        db.execute(
            "INSERT INTO axes_accessattempt (user_agent, ip_address, username, http_accept, path_info, attempt_time, get_data, post_data, failures_since_start) "
            "VALUES ('x', '10.1.2.3', 's1', '', '/login/', '2026-01-01 00:00:00', '', '', 5)"
        )
    before = _users(wh)[0][1]
    r = vocwh(wh, "user", "password", "s1", "--password-file", str(new))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "已重设用户 s1 的密码，并解除登录锁定"
    [(_, hashed, active, *_)] = _users(wh)
    assert active == 1 and hashed != before and hashed.startswith("pbkdf2_sha256$")
    with sqlite3.connect(wh / "portal.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM axes_accessattempt WHERE username = 's1'").fetchone() == (0,)
    assert vocwh(wh, "user", "password", "ghost", "--password-file", str(new)).returncode == 2
