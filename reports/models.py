"""Ledger export jobs: small exports are written at once, large ones run in Celery with progress."""

from django.conf import settings
from django.db import models

from reports.crosscheck.models import CheckRun, Hit, OutsideList, OutsideListRow

__all__ = ["CheckRun", "ExportJob", "Hit", "OutsideList", "OutsideListRow"]


class ExportJob(models.Model):
    """A ledger export. Small ones are written at once; large ones run in Celery with progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    ledger = models.CharField("台账", max_length=40)
    params = models.JSONField("参数", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name="导出人区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("预计行数", default=0)
    done_rows = models.PositiveIntegerField("已写行数", default=0)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "台账导出任务"
        verbose_name_plural = "台账导出任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.ledger}（{self.get_status_display()}）"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(self.done_rows * 100 / self.total_rows))


from reports.summary_models import RegisterSummary, RollSummary, SummaryRefresh  # noqa: E402

__all__ = ["ExportJob", "RegisterSummary", "RollSummary", "SummaryRefresh"]
