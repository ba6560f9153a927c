"""The upload log: every attempt, accepted or refused, with who, when, what and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class UploadAttempt(models.Model):
    """One upload. No ID number is kept: the reasons and the file name are stored with every
    ID-shaped number masked (``checking.mask_ids``), as receipts show them. The file itself is
    never kept here, only in the landing folder when it passed."""

    # SET_NULL and a copy of the name: disabling or deleting an account keeps its history.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="uploads")
    username = models.CharField("账号", max_length=150)
    uploader_code = models.CharField("账号单位代码", max_length=20)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    file_name = models.CharField("文件名", max_length=255)
    size = models.BigIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    accepted = models.BooleanField("通过")
    stored_as = models.CharField("报送文件夹中的路径", max_length=500, blank=True)
    reasons = models.TextField("原因", blank=True)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.file_name} {'通过' if self.accepted else '未通过'}"
