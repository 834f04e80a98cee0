"""Reads of the ground floor that are not household data (the backup state on the 工作台)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.models import BackupRun


@dataclass(frozen=True)
class BackupStatus:
    """The state of the backups for the county's 工作台: the last successful set, its age, and a
    failure newer than it. `alert` when there is none, it is too old, or the last run failed."""

    last_ok: BackupRun | None
    last_failed: BackupRun | None
    age: dt.timedelta | None
    alert: bool
    message: str


def _age_text(age: dt.timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        return "不到 1 小时前"
    if hours < 48:
        return f"{hours} 小时前"
    return f"{hours // 24} 天前"


def latest_backup(now: dt.datetime | None = None) -> BackupStatus:
    """「最近一次备份：…」 with its age (not household data: the same for everyone who may see it)."""
    from django.conf import settings
    from django.utils import timezone

    now = now or timezone.now()
    last_ok = BackupRun.objects.filter(status=BackupRun.Status.OK).order_by("-started_at").first()
    failed = BackupRun.objects.filter(status=BackupRun.Status.FAILED)
    if last_ok is not None:
        failed = failed.filter(started_at__gt=last_ok.started_at)
    last_failed = failed.order_by("-started_at").first()
    if last_ok is None:
        age = None
        message = "最近一次备份：从未成功备份"
    else:
        age = now - last_ok.finished_at
        when = timezone.localtime(last_ok.finished_at).strftime("%Y-%m-%d %H:%M")
        message = f"最近一次备份：{when}（{_age_text(age)}）"
    too_old = age is None or age > dt.timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
    if too_old and last_ok is not None:
        message += f"，已超过 {settings.BACKUP_MAX_AGE_HOURS} 小时"
    if last_failed is not None:
        when = timezone.localtime(last_failed.started_at).strftime("%Y-%m-%d %H:%M")
        message += f"；{when} 的备份失败，请查看备份服务日志"
    return BackupStatus(last_ok, last_failed, age, too_old or last_failed is not None, message)
