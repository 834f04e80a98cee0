"""Precomputed figures behind the 工作台 charts, so a 1,000,000-household county answers at once.

`RegisterSummary` holds, per village × review state × poverty status, the household and person counts
and the seed 003 gaps; it is refreshed per village when a household, member, measure or review step
of that village is saved (reports.refresh) and nightly for every county. `RollSummary` holds each
confirmed roll's totals per village; confirmed rolls are locked, so it is computed once."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class RegisterSummary(models.Model):
    village = models.ForeignKey("core.Region", verbose_name="村", on_delete=models.PROTECT, related_name="+")
    review_state = models.CharField("审核状态", max_length=24)
    poverty_status = models.CharField("脱贫状态", max_length=24)
    households = models.PositiveIntegerField("户数", default=0)
    persons = models.PositiveIntegerField("人数", default=0)
    gap_industry = models.PositiveIntegerField("缺产业项目户数", default=0)
    gap_employment = models.PositiveIntegerField("有劳动力无稳定就业户数", default=0)
    refreshed_at = models.DateTimeField("统计时间")

    class Meta:
        app_label = "reports"
        verbose_name = "登记户统计汇总"
        verbose_name_plural = "登记户统计汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["village", "review_state", "poverty_status"], name="register_summary_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["village"], name="register_summary_village_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.review_state} {self.poverty_status}"


class RollSummary(models.Model):
    roll = models.ForeignKey(
        "assistance.PaymentRoll", verbose_name="发放表", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("发放月份")
    program = models.CharField("项目", max_length=12)
    village = models.ForeignKey("core.Region", verbose_name="村", on_delete=models.PROTECT, related_name="+")
    households = models.PositiveIntegerField("户数", default=0)
    persons = models.PositiveIntegerField("人数", default=0)
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        app_label = "reports"
        verbose_name = "发放表统计汇总"
        verbose_name_plural = "发放表统计汇总"
        constraints = [models.UniqueConstraint(fields=["roll", "village"], name="roll_summary_unique")]
        indexes = [
            models.Index(
                fields=["village"], name="roll_summary_village_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.program} {self.village_id}"


class SummaryRefresh(models.Model):
    """When a county's register summary was last rebuilt in full (absent: never, build on first read)."""

    county = models.OneToOneField(
        "core.Region", verbose_name="县", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    refreshed_at = models.DateTimeField("统计时间")
    households = models.PositiveIntegerField("户数", default=0)
    seconds = models.FloatField("用时(秒)", default=0)

    class Meta:
        app_label = "reports"
        verbose_name = "统计刷新记录"
        verbose_name_plural = "统计刷新记录"

    def __str__(self) -> str:
        return f"{self.county_id} {self.refreshed_at:%Y-%m-%d %H:%M}"
