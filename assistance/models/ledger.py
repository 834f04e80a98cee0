"""增减变动 ledger, county alerts and the holiday calendar."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from assistance.choices import AlertKind, LedgerKind, Program

_money: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}


class ChangeLedgerEntry(models.Model):
    """One row of the 低保增减变动表: append-only, written by the service that made the change."""

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="change_entries"
    )
    program = models.CharField("项目", max_length=12, choices=Program.choices, default=Program.DIBAO)
    case = models.ForeignKey(
        "assistance.DibaoCase",
        verbose_name="低保案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    phase_out = models.ForeignKey(
        "assistance.PhaseOut",
        verbose_name="渐退",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("变动类别", max_length=20, choices=LedgerKind.choices)
    month = models.DateField("变动月份")
    old_amount = models.DecimalField("原金额", **_money)
    new_amount = models.DecimalField("新金额", **_money)
    reason = models.CharField("原因", max_length=300)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "低保增减变动"
        verbose_name_plural = "低保增减变动"
        ordering = ["-month", "-id"]
        indexes = [models.Index(fields=["month", "program"], name="ledger_month_program_idx")]
        constraints = [
            # A start, a stop or one phase-out step happens once per case and month: re-running a
            # monthly job must not add a second row.
            models.UniqueConstraint(
                fields=["case", "month", "kind"],
                condition=models.Q(kind__in=["start", "stop", "phase_out_start", "phase_out_step"]),
                name="ledger_once_per_case_month_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m}"


class Alert(models.Model):
    """A reminder to county staff (渐退到期 30 days before, refusal notices due)."""

    kind = models.CharField("提醒类别", max_length=24, choices=AlertKind.choices)
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "assistance.DibaoCase",
        verbose_name="低保案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    phase_out = models.ForeignKey(
        "assistance.PhaseOut",
        verbose_name="渐退",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    stop_proposal = models.ForeignKey(
        "assistance.StopProposal",
        verbose_name="停保建议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    due_date = models.DateField("到期日")
    message = models.CharField("提醒内容", max_length=300)
    created_at = models.DateTimeField("提醒时间", auto_now_add=True)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "工作提醒"
        verbose_name_plural = "工作提醒"
        ordering = ["handled_at", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "case", "due_date"], name="alert_once_per_case_kind_due"),
        ]

    def __str__(self) -> str:
        return self.message


class HolidayCalendar(models.Model):
    """Days that differ from Monday–Friday: 法定节假日 (is_workday False) and 调休 weekend workdays."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", default=False, help_text="调休上班的周末勾选")
    name = models.CharField("名称", max_length=30, blank=True, help_text="如：国庆节、国庆调休")

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
