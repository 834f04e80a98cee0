"""A record of every backup run (households.backup), so that a failed or missing backup shows."""

from django.db import models


class BackupRun(models.Model):
    """One run of `manage.py backup`: started, then finished ok or failed with its error."""

    class Status(models.TextChoices):
        RUNNING = "running", "进行中"
        OK = "ok", "成功"
        FAILED = "failed", "失败"

    name = models.CharField("备份名", max_length=40)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    encrypted = models.BooleanField("已加密", default=False)
    # {"database.dump": bytes, "media.tar.gz": bytes, "manifest.json": bytes}
    files = models.JSONField("文件", default=dict, blank=True)
    database_bytes = models.BigIntegerField("数据库备份大小（字节）", default=0)
    media_bytes = models.BigIntegerField("文件备份大小（字节）", default=0)
    media_files = models.PositiveIntegerField("文件数", default=0)
    error = models.TextField("错误信息", blank=True)

    class Meta:
        verbose_name = "备份记录"
        verbose_name_plural = "备份记录"
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="running") | models.Q(finished_at__isnull=False),
                name="backuprun_finished_unless_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_status_display()}）"
