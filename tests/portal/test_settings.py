"""The portal's settings from the environment (issue 20: security): DEBUG, the secret key,
HTTPS cookies, the session lifetime, the database URL. Each case imports the settings in a
fresh interpreter, as gunicorn and ``vocwh portal`` would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.core.settings import PROJECT_ROOT

VOCWH = str(Path(sys.executable).parent / "vocwh")
_SHOW = (
    "import json, dagster_project.portal.settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ('DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'SESSION_COOKIE_AGE', 'SECURE_PROXY_SSL_HEADER', 'SECRET_KEY')} "
    "| {'DB': {k: str(v) for k, v in s.DATABASES['default'].items()}}))"
)
PORTAL_VARS = ("VOCWH_ENV", "VOCWH_PORTAL_SECRET_KEY", "VOCWH_PORTAL_HTTPS", "VOCWH_PORTAL_SESSION_SECONDS", "VOCWH_PORTAL_DATABASE_URL")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_VARS and k != "DJANGO_SETTINGS_MODULE"}
    return {**env, "VOCWH_WAREHOUSE_DIR": str(tmp_path / "wh"), **extra}


def _settings(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _SHOW], env=_env(tmp_path, **extra), capture_output=True, text=True, cwd=PROJECT_ROOT)


def _values(tmp_path: Path, **extra: str) -> dict:  # type: ignore[type-arg]
    r = _settings(tmp_path, **extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_defaults_debug_off_cookies_httponly_lax_eight_hour_sessions_sqlite_in_the_warehouse(tmp_path: Path) -> None:
    v = _values(tmp_path)
    assert v["DEBUG"] is False
    assert v["SESSION_COOKIE_HTTPONLY"] is True and v["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert v["SESSION_COOKIE_SECURE"] is False
    assert v["SESSION_COOKIE_AGE"] == 8 * 3600
    assert v["DB"]["ENGINE"] == "django.db.backends.sqlite3"
    assert v["DB"]["NAME"] == str((tmp_path / "wh" / "portal.sqlite3").resolve())


def test_debug_only_in_development(tmp_path: Path) -> None:
    assert _values(tmp_path, VOCWH_ENV="development")["DEBUG"] is True
    assert _values(tmp_path, VOCWH_ENV="production", VOCWH_PORTAL_SECRET_KEY="k" * 50)["DEBUG"] is False


def test_behind_https_the_cookies_are_secure_and_the_proxy_header_is_trusted(tmp_path: Path) -> None:
    v = _values(tmp_path, VOCWH_PORTAL_HTTPS="1", VOCWH_PORTAL_SESSION_SECONDS="1800")
    assert v["SESSION_COOKIE_SECURE"] is True and v["CSRF_COOKIE_SECURE"] is True
    assert v["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert v["SESSION_COOKIE_AGE"] == 1800


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    r = _settings(tmp_path, VOCWH_ENV="production")
    assert r.returncode != 0
    assert "未设置 VOCWH_PORTAL_SECRET_KEY" in r.stderr and "refusing to start the portal" in r.stderr
    served = subprocess.run(
        [VOCWH, "portal", "--port", "1"], env=_env(tmp_path, VOCWH_ENV="production"), capture_output=True, text=True, timeout=120
    )
    assert served.returncode == 1
    assert "未设置 VOCWH_PORTAL_SECRET_KEY" in served.stderr
    assert not (tmp_path / "wh" / "portal.sqlite3").exists()  # refused before anything was made


def test_production_with_a_secret_key_uses_it(tmp_path: Path) -> None:
    assert _values(tmp_path, VOCWH_ENV="production", VOCWH_PORTAL_SECRET_KEY="s3cr3t-" * 8)["SECRET_KEY"] == "s3cr3t-" * 8


def test_a_postgresql_url_is_parsed_with_its_escaped_password(tmp_path: Path) -> None:
    v = _values(tmp_path, VOCWH_PORTAL_DATABASE_URL="postgresql://portal:p%40ss%2Fword@db.example:5433/vocwh_portal?sslmode=require")
    assert v["DB"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "vocwh_portal",
        "USER": "portal",
        "PASSWORD": "p@ss/word",
        "HOST": "db.example",
        "PORT": "5433",
        "OPTIONS": "{'sslmode': 'require'}",
    }


@pytest.mark.parametrize("url", ["mysql://u:p@h/db", "postgresql://u:p@h:5432/"])
def test_a_database_url_that_is_not_postgresql_with_a_name_is_refused(tmp_path: Path, url: str) -> None:
    r = _settings(tmp_path, VOCWH_PORTAL_DATABASE_URL=url)
    assert r.returncode != 0 and "VOCWH_PORTAL_DATABASE_URL" in r.stderr


def test_djangos_deployment_check_finds_nothing_but_the_hsts_choices_left_to_the_site(tmp_path: Path) -> None:
    """HSTS for subdomains and the preload list are the domain owner's decision, not the portal's."""
    env = _env(
        tmp_path,
        VOCWH_ENV="production",
        VOCWH_PORTAL_SECRET_KEY="q7Lw-Zp2x_Rk9vTb4nYc1Hs8dJf0Gm6aEu3iOo5lWe7rQt2yUp",
        VOCWH_PORTAL_HTTPS="1",
        DJANGO_SETTINGS_MODULE="dagster_project.portal.settings",
    )
    r = subprocess.run(
        [str(Path(sys.executable).parent / "django-admin"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    found = set(re.findall(r"\(([a-z_.]+\.[WE]\d+)\)", r.stdout + r.stderr))
    assert found == {"security.W005", "security.W021"}, r.stdout + r.stderr
