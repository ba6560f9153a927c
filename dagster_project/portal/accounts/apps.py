from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dagster_project.portal.accounts"
    label = "accounts"
    verbose_name = "账号"
    default_auto_field = "django.db.models.BigAutoField"
