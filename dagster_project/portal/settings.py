"""Django settings of the portal, all from the environment (docs/portal.md lists them).

- ``VOCWH_ENV``: ``development`` turns DEBUG on; ``production`` requires a secret key.
- ``VOCWH_PORTAL_SECRET_KEY``: signs sessions and CSRF tokens. Without it outside
  production a fixed development key is used (public, so sessions could be forged);
  in production the portal refuses to start, as ``VOCWH_PII_KEY`` refuses a run.
- ``VOCWH_PORTAL_HTTPS=1``: served behind an HTTPS reverse proxy: cookies are Secure, the
  proxy's ``X-Forwarded-Proto`` and ``X-Forwarded-For`` are trusted, HTTP is redirected
  and HSTS is sent.
- ``VOCWH_PORTAL_ALLOWED_HOSTS``: host names the portal answers (comma-separated).
- ``VOCWH_PORTAL_SESSION_SECONDS``: how long a login lasts (default 8 hours, a working day).
- ``VOCWH_PORTAL_DATABASE_URL``: ``postgresql://user:password@host:port/db``; without it
  SQLite ``portal.sqlite3`` in the warehouse folder.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from dagster_project.core.settings import Settings

DEV_SECRET_KEY = "vocwh-portal-development-key-not-for-production"
SECRET_KEY_ENV = "VOCWH_PORTAL_SECRET_KEY"

_ENV = os.environ.get("VOCWH_ENV", "").strip().lower()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def secret_key_refusal() -> str | None:
    """The message that stops the portal in production without its own secret key (a public
    key lets anyone forge a session cookie); None when all is well."""
    if _ENV == "production" and not os.environ.get(SECRET_KEY_ENV, "").strip():
        return (
            f"错误：VOCWH_ENV=production，但未设置 {SECRET_KEY_ENV}（门户会话签名密钥），拒绝启动。请设置后重试。\n"
            f"Error: VOCWH_ENV=production and {SECRET_KEY_ENV} is not set: refusing to start the portal."
        )
    return None


def database_from_url(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a ``postgresql://`` URL (psycopg 3); anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"VOCWH_PORTAL_DATABASE_URL 只支持 postgresql://（收到 {parts.scheme or '无协议'}://）")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("VOCWH_PORTAL_DATABASE_URL 须指明数据库名：postgresql://user:password@host:5432/portal")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


if (_refusal := secret_key_refusal()) is not None:
    raise ImproperlyConfigured(_refusal)

# The warehouse the portal serves (VOCWH_RAW_DIR, VOCWH_WAREHOUSE_DIR, limits); tests override it.
VOCWH = Settings.from_env()

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ.get(SECRET_KEY_ENV, "").strip() or DEV_SECRET_KEY
DEBUG = _ENV == "development"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("VOCWH_PORTAL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("VOCWH_PORTAL_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "axes",
    "dagster_project.portal.accounts",
    "dagster_project.portal.upload",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # every view needs a login unless marked login_not_required (only /login/ is)
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dagster_project.portal.urls"
# The pages carry their styles inline and serve no static files; Django's test servers still need a prefix.
STATIC_URL = "static/"
WSGI_APPLICATION = "dagster_project.portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dagster_project.portal.accounts.context.scope",
            ],
        },
    }
]

_DB_URL = os.environ.get("VOCWH_PORTAL_DATABASE_URL", "").strip()
DATABASES = {
    "default": database_from_url(_DB_URL)
    if _DB_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": VOCWH.warehouse_dir / "portal.sqlite3"}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username+address before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# django-axes: 5 failures of one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
# The address of the lock: behind the proxy, the one the proxy puts last in X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "dagster_project.portal.accounts.scope.client_address"

# Cookies: never readable by scripts, not sent on cross-site posts, only over HTTPS behind it.
HTTPS = _flag("VOCWH_PORTAL_HTTPS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_AGE = int(os.environ.get("VOCWH_PORTAL_SESSION_SECONDS", "").strip() or 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "dagster_project.portal.views.csrf_failure"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
