"""The personal-data access log: every reveal of a full value and every full-value export."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models


class AccessLog(models.Model):
    """Who saw whose full ID number / bank account / phone, which fields, when, from where, why.

    Append-only (a database trigger refuses updates and deletes). Scoped by the region of the
    record (a county browses the reveals of its own households, whoever made them)."""

    class Channel(models.TextChoices):
        PAGE = "page", "页面查看"
        API = "api", "接口查看"
        EXPORT = "export", "完整信息导出"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="查看人", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("查看人角色", max_length=32)
    channel = models.CharField("方式", max_length=16, choices=Channel.choices)
    region_code = models.CharField("所涉区划", max_length=12, db_index=True)
    record_kind = models.CharField("记录类型", max_length=40)
    record_id = models.BigIntegerField("记录编号", null=True, blank=True)
    subject = models.CharField("所涉对象", max_length=200, help_text="姓名、户编号或台账名称")
    fields = models.CharField("查看字段", max_length=200)
    rows = models.PositiveIntegerField("涉及条数", default=1)
    reason = models.CharField("事由", max_length=500)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-created_at", "-id"]
        triggers = [
            pgtrigger.Protect(name="access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.subject}"
