"""帮扶措施 recorded per household, and recalculation runs."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from assistance.choices import MeasureKind, RunStatus
from assistance.monitoring.choices import RiskType
from households.models import Household


class AssistanceMeasure(models.Model):
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="measures"
    )
    member = models.ForeignKey(
        "households.Member",
        verbose_name="受益成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    kind = models.CharField("措施类别", max_length=12, choices=MeasureKind.choices)
    content = models.CharField("措施内容", max_length=300)
    amount = models.DecimalField("金额(元)", max_digits=12, decimal_places=2, default=Decimal("0.00"))
    date = models.DateField("实施日期")
    responsible_unit = models.CharField("责任单位", max_length=100)
    is_stable_employment = models.BooleanField(
        "稳定就业", default=False, help_text="就业措施使成员实现稳定就业时勾选"
    )
    cancelled_at = models.DateTimeField("作废时间", null=True, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    # 防返贫监测: a measure answering a monitored household's risk (assistance.monitoring).
    monitoring_record = models.ForeignKey(
        "assistance.MonitoringRecord",
        verbose_name="防返贫监测",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    risk_type = models.CharField("针对风险", max_length=16, choices=RiskType.choices, blank=True)

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["household", "kind"], name="measure_household_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.content}"


class RecalculationRun(models.Model):
    """One recalculation of a region; chunks report here (a counter, not a chord)."""

    region = models.ForeignKey("core.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("核算基准日")
    full = models.BooleanField(
        "全部重算",
        default=False,
        help_text="不比对输入指纹，所有户重新运行全部规则（规则或数据口径调整后使用）",
    )
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    chunks_total = models.PositiveIntegerField("分块总数", default=0)
    chunks_done = models.PositiveIntegerField("已完成分块", default=0)
    households_total = models.PositiveIntegerField("户数", default=0)
    households_done = models.PositiveIntegerField("已核算户数", default=0)
    households_evaluated = models.PositiveIntegerField(
        "规则重算户数", default=0, help_text="输入有变化（或全部重算）而重新运行规则的户数"
    )
    results_changed = models.PositiveIntegerField("结果变化数", default=0)
    cases_changed = models.PositiveIntegerField("案件金额变化数", default=0)
    phase_outs_proposed = models.PositiveIntegerField("新提出渐退数", default=0)
    stops_proposed = models.PositiveIntegerField("新提出停保数", default=0, db_default=0)
    stops_automatic = models.PositiveIntegerField("自动停保数", default=0, db_default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)

    class Meta:
        verbose_name = "重新核算任务"
        verbose_name_plural = "重新核算任务"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.region}核算#{self.pk}"

    @property
    def progress_percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.status == RunStatus.DONE else 0
        return int(self.chunks_done * 100 / self.chunks_total)


class RecalculationChunk(models.Model):
    """A primary-key range of households; done_at makes a redelivered chunk a no-op."""

    run = models.ForeignKey(
        RecalculationRun, verbose_name="任务", on_delete=models.PROTECT, related_name="chunks"
    )
    lo = models.BigIntegerField("起始户ID")
    hi = models.BigIntegerField("结束户ID")
    households = models.PositiveIntegerField("户数", default=0)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)

    class Meta:
        verbose_name = "核算分块"
        verbose_name_plural = "核算分块"
        constraints = [models.UniqueConstraint(fields=["run", "lo"], name="chunk_unique_lo_per_run")]

    def __str__(self) -> str:
        return f"{self.lo}–{self.hi}"


class MeasureGap(Household):
    """Households seen through seed 003's goals (admin list of 帮扶缺口); no table of its own."""

    class Meta:
        proxy = True
        verbose_name = "帮扶缺口"
        verbose_name_plural = "帮扶缺口"

    def __str__(self) -> str:
        return self.household_no
