"""What ``vocwh portal`` and ``vocwh user …`` do (the command line imports only this module
of the portal, lazily, so ``vocwh ingest`` never loads Django).

``vocwh portal`` serves with gunicorn in-process (one worker, a few threads): the same WSGI
server as production, without Django's development server. Production runs gunicorn
itself behind an HTTPS reverse proxy (docs/portal.md).
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from pathlib import Path
from typing import Any

SETTINGS_MODULE = "dagster_project.portal.settings"


class CommandError(ValueError):
    """Bad input to a portal command; the message is for the person at the terminal."""


def setup(migrate: bool = True) -> None:
    """Load the portal's settings and bring its database up to date (quietly)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from dagster_project.portal.settings import secret_key_refusal

    if (refusal := secret_key_refusal()) is not None:
        raise CommandError(refusal)
    import django
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def serve(host: str, port: int, threads: int = 4) -> None:
    """Serve the portal until interrupted, after migrating its database."""
    setup()
    from gunicorn.app.base import BaseApplication

    class _Portal(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": 1,
                "worker_class": "gthread",
                "threads": threads,
                "accesslog": "-",
                "timeout": 120,
                # gunicorn's control socket lives in the home folder, one per user: two portals
                # (two warehouses) on one machine would fight over it, and nothing here uses it.
                "control_socket_disable": True,
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            # Imported in the worker, after gunicorn's fork: the module starts a warm-up thread
            # importing Great Expectations, and a fork in the middle of an import would leave the
            # worker a module lock held by a thread it does not have.
            from dagster_project.portal.wsgi import application

            return application

    print(f"门户已启动 portal serving on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    _Portal().run()


_CODE = re.compile(r"^[0-9A-Za-z]{1,32}$")


def _check_code(role: str, code: str) -> str:
    from dagster_project.core.codes import county_names
    from dagster_project.core.templates import CITY_CODE

    code = code.strip()
    if not _CODE.match(code):
        raise CommandError(f"单位代码 {code!r} 无效：只能是字母和数字 (invalid code)")
    if role == "county" and (code not in county_names() or code == CITY_CODE):
        raise CommandError(f"未知县区代码 {code}（见 dbt/seeds/ref_counties.csv 或 VOCWH_COUNTIES_FILE）(unknown county)")
    if role == "city" and code != CITY_CODE:
        raise CommandError(f"市教育局账号的代码必须是 {CITY_CODE} (city accounts use {CITY_CODE})")
    return code


def _read_password(password_file: str | None) -> str:
    if password_file:
        try:
            text = Path(password_file).read_text(encoding="utf-8")
        except OSError as e:
            raise CommandError(f"无法读取密码文件 {password_file}：{e.strerror} (cannot read the password file)") from None
        lines = text.splitlines()
        password = lines[0] if lines else ""
    else:
        password = getpass.getpass("密码 password: ")
        if getpass.getpass("再输一次 again: ") != password:
            raise CommandError("两次输入的密码不一致 (the passwords differ)")
    if not password:
        raise CommandError("密码不能为空 (empty password)")
    return password


def user_add(username: str, role: str, code: str, name: str, password_file: str | None = None) -> str:
    """Create a portal user; returns what was done. Nothing is created when anything is wrong."""
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from dagster_project.portal.accounts.models import ROLES, Profile

    username, name = username.strip(), name.strip()
    if role not in ROLES:
        raise CommandError(f"未知角色 {role}，可用：{', '.join(ROLES)} (unknown role)")
    if not username or not name:
        raise CommandError("用户名和显示名都不能为空 (username and name are required)")
    code = _check_code(role, code)
    users = get_user_model()
    if users.objects.filter(username=username).exists():
        raise CommandError(f"用户名 {username} 已存在 (the username exists)")
    password = _read_password(password_file)
    candidate = users(username=username, first_name=name[:150])
    try:
        validate_password(password, candidate)
    except ValidationError as e:
        raise CommandError("密码不符合要求：" + "；".join(e.messages)) from None
    with transaction.atomic():
        user = users.objects.create_user(username=username, password=password, first_name=name[:150])
        Profile.objects.create(user=user, role=role, code=code, display_name=name)
    return f"已添加用户 {username}：{name}（{role} {code}）"


def user_disable(username: str) -> str:
    """Disable a user: it can no longer log in, and its open sessions stop working."""
    setup()
    from django.contrib.auth import get_user_model

    users = get_user_model()
    n = users.objects.filter(username=username).update(is_active=False)
    if not n:
        raise CommandError(f"没有用户 {username} (no such user)")
    return f"已停用用户 {username}"


def user_password(username: str, password_file: str | None = None) -> str:
    """Set a new password (a forgotten one: the city resets it) and lift the user's login
    lock, so the person can sign in at once; a disabled user is enabled again."""
    setup()
    from axes.utils import reset as axes_reset
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有用户 {username} (no such user)")
    password = _read_password(password_file)
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise CommandError("密码不符合要求：" + "；".join(e.messages)) from None
    with transaction.atomic():
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        axes_reset(username=username)
    return f"已重设用户 {username} 的密码，并解除登录锁定"


def user_list() -> list[str]:
    """One line per user: username, role, code, display name, active, last login."""
    setup()
    from django.contrib.auth import get_user_model

    lines = []
    for u in get_user_model().objects.select_related("profile").order_by("username"):
        p = getattr(u, "profile", None)
        last = f"{u.last_login:%Y-%m-%d %H:%M}" if u.last_login else "从未登录"
        lines.append(
            "\t".join(
                [
                    u.username,
                    p.role if p else "-",
                    p.code if p else "-",
                    p.display_name if p else "-",
                    "启用" if u.is_active else "已停用",
                    last,
                ]
            )
        )
    return lines
