"""Excel import batches and re-survey filters (households.excel)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from households.choices import PovertyAttribute, PovertyStatus


class ImportBatch(models.Model):
    """An uploaded village workbook: one that passed validation waits for (or received) confirmation;
    one with problems is kept as 校验未通过 only so its error report can be downloaded — it can never
    be confirmed. Files that cannot be read at all are not stored."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "待确认"
        IMPORTED = "imported", "已导入"
        FAILED = "failed", "导入失败"
        REJECTED = "rejected", "校验未通过"

    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", "建档立卡户导入"
        RESURVEY = "resurvey", "年度动态调整回传"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.HOUSEHOLDS)
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name="导入人区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    row_count = models.PositiveIntegerField("数据行数", default=0)
    household_count = models.PositiveIntegerField("户数", default=0)
    member_count = models.PositiveIntegerField("人数", default=0)
    summary = models.JSONField("结果摘要", default=dict, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "Excel导入批次"
        verbose_name_plural = "Excel导入批次"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"


class ResurveyFilter(models.Model):
    """A named selection of households for the annual re-survey workbook (年度动态调整).

    Seen by its owner and by users whose scope contains the owner's region (a county sees its
    townships' filters); applying one is always intersected with the applying user's scope, so a
    saved filter never widens what a user can download."""

    name = models.CharField("名称", max_length=60)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    owner_region = models.ForeignKey(
        "core.Region",
        verbose_name="创建人区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name="区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="乡镇或村；留空为创建人管辖范围内的全部",
    )
    statuses = ArrayField(
        models.CharField(max_length=24, choices=PovertyStatus.choices),
        verbose_name="脱贫状态",
        default=list,
        blank=True,
        help_text="不选为全部",
    )
    attributes = ArrayField(
        models.CharField(max_length=20, choices=PovertyAttribute.choices),
        verbose_name="贫困户属性",
        default=list,
        blank=True,
        help_text="不选为全部",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "动态调整筛选条件"
        verbose_name_plural = "动态调整筛选条件"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="resurvey_filter_name_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name
