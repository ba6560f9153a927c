"""/upload/: GET shows the form; POST (multipart, the file in field ``file``) checks the file at
once with ingestion's code and shows the result per sheet. A file that passes is written into
the landing folder for the next run; every attempt goes into the upload log.

Uploaded files are never served back (no view reads the landing folder), and their names
never reach a shell: they are only ever sanitised and joined to a path."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from dagster_project.core.settings import Limits
from dagster_project.ingest.reader import SUFFIXES
from dagster_project.portal.accounts.scope import scope_of
from dagster_project.portal.checking import (
    NOTHING_TO_SUBMIT,
    SENSOR_INTERVAL_SECONDS,
    FileCheck,
    check_file,
    mask_ids,
    registry_in_snapshot,
    write_to_landing,
)
from dagster_project.portal.snapshot import vocwh_settings
from dagster_project.portal.upload.models import UploadAttempt
from dagster_project.publish.receipts import NEXT_STEP, parse_reason

ACCEPT = ",".join(SUFFIXES)


def next_run_text(limits: Limits) -> str:
    """When the file will be read: the landing-folder sensor's interval and the quiet period."""
    quiet = f"文件放入后静置{limits.quiet_seconds:g}秒，" if limits.quiet_seconds > 0 else ""
    return (
        f"系统每{SENSOR_INTERVAL_SECONDS}秒检查一次报送文件夹：{quiet}将在下一次处理中读取本文件"
        f"（通常{max(1, round((SENSOR_INTERVAL_SECONDS + limits.quiet_seconds) / 60))}分钟内开始；若正在处理其他数据，则在其结束后）。"
        "处理完成后可在首页查看回执。"
    )


class SizeLimit(FileUploadHandler):
    """Counts a file's bytes as they arrive and, past the limit, passes none on: a 10 GB
    upload is measured, not stored (Django would otherwise spool all of it to a temp file
    before the view could look at its size). The view then refuses it with ingestion's
    reason and its exact size."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.seen = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        return raw_data if self.seen <= self.limit else None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.seen <= self.limit:
            return None  # the next handler (memory or temp file) completes it
        oversized = SimpleUploadedFile(self.file_name or "upload", b"")
        oversized.size = self.seen
        return oversized


def _sheet_rows(result: FileCheck) -> list[dict[str, Any]]:
    """Each sheet with its reasons split into (row, column, text) as the receipt shows them."""
    out = []
    for s in result.sheets:
        key = s.template.key if s.template else None
        out.append(
            {
                "check": s,
                "template": f"{s.template.zh}（{s.template.key}）" if s.template else "未识别",
                "reasons": [(n, *parse_reason(r, key), r) for n, r in enumerate(s.reasons, 1)],
                "next_step": "" if s.passed or s.status == "ignored" else NEXT_STEP.get(s.status, ""),
            }
        )
    return out


@csrf_exempt  # only until the size limit is in place: _upload checks the token (Django's documented pattern)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimit(request, vocwh_settings().limits.max_file_bytes))
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not scope.can_upload:
        raise PermissionDenied("该账号只能下载，不能上传报表。")
    vocwh = vocwh_settings()
    limits = vocwh.limits
    context: dict[str, Any] = {"accept": ACCEPT, "max_mb": limits.max_file_bytes / 1024 / 1024}
    if request.method == "GET":
        return render(request, "upload/upload.html", context)
    upload_file = request.FILES.get("file")
    if upload_file is None:
        context["error"] = "请选择要上传的文件（.xlsx、.xls 或 .csv）。"
        return render(request, "upload/upload.html", context, status=400)
    name = upload_file.name or "upload"
    # A file over the limit is never read into memory: ingestion's reason from its size alone.
    oversized = upload_file.size is not None and upload_file.size > limits.max_file_bytes
    data = b"" if oversized else upload_file.read()
    result = check_file(
        name, data, limits, registry_in_snapshot(vocwh.snapshot_path), scope.covers, size=upload_file.size if oversized else None
    )
    at = timezone.now()
    stored = None
    if result.accepted:
        stored = write_to_landing(vocwh.raw_dir, scope.code, result.name, data, timezone.localtime(at))
    UploadAttempt.objects.create(
        user=request.user,
        username=scope.username,
        uploader_code=scope.code,
        at=at,
        file_name=mask_ids(result.name),
        size=result.size,
        sha256=result.sha256,
        accepted=result.accepted,
        stored_as=str(stored.relative_to(vocwh.raw_dir)) if stored else "",
        reasons="\n".join(result.reasons()),
    )
    context.update(
        result=result,
        sheets=_sheet_rows(result),
        file_name=result.name,
        next_run=next_run_text(limits) if result.accepted else "",
        stored_as=stored.name if stored else "",
        nothing_to_submit=NOTHING_TO_SUBMIT,
    )
    # 422: the request was understood but the file is refused; a tool posting to /upload/ can tell.
    return render(request, "upload/upload.html", context, status=200 if result.accepted else 422)
