"""One profile per portal user: which role, for which code, under which name.

Django's own user keeps the password hash, the active flag and the session; the profile
says what the user is (school, county, city, finance) and the code it acts for. The
display name is what the audit log records beside the username.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

ROLES = ("school", "county", "city", "finance")
ROLE_ZH = {"school": "学校", "county": "县（市）区教育局", "city": "市教育局", "finance": "财政（只读）"}


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField("角色", max_length=16, choices=[(r, ROLE_ZH[r]) for r in ROLES])
    code = models.CharField("单位代码", max_length=32, help_text="学校标识码、县区代码或 220200（市教育局）")
    display_name = models.CharField("显示名", max_length=100)

    class Meta:
        verbose_name = "账号资料"

    def __str__(self) -> str:
        return f"{self.display_name}（{self.role} {self.code}）"
