from __future__ import annotations

from django.apps import AppConfig


class UploadConfig(AppConfig):
    name = "dagster_project.portal.upload"
    label = "upload"
    verbose_name = "上传报表"
    default_auto_field = "django.db.models.BigAutoField"
