"""扶贫项目库 data (domain.md#entity-projects): a project through the review chain, its budget by fund
source, the households it benefits, its 公告/公示, its fund payments (R31), and the assets a finished
project leaves with their yearly income shared to households (R32)."""

from __future__ import annotations

from typing import Any

import pghistory
import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.choices import RegionLevel, ReviewState
from projects.choices import (
    AssetType,
    BenefitKind,
    DistributionRule,
    FundSource,
    NoticeKind,
    ProjectType,
    Stage,
)

_money: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
PROJECT_REGION_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)
REGION_LEVEL_WRONG = "项目实施地点须为县、乡镇或村"
PLANNED_DATES_ORDERED = "计划完工日期不能早于计划开工日期"


def _user(label: str, related_name: str = "+", **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        related_name=related_name,
        **kwargs,
    )


@pghistory.track()
class Project(models.Model):
    """A project of a year's 项目库: proposed by the level it belongs to (a village's through 村申报 →
    乡镇审核 → 县审批; a township's or the county's straight to 县审批), then 公告, 实施, 验收, 公示."""

    year = models.PositiveSmallIntegerField("项目库年度")
    name = models.CharField("项目名称", max_length=100)
    project_type = models.CharField("项目类型", max_length=24, choices=ProjectType.choices)
    region = models.ForeignKey(
        "core.Region",
        verbose_name="实施地点（村、乡镇或县）",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": PROJECT_REGION_LEVELS},
    )
    content = models.TextField("建设内容及规模")
    planned_start = models.DateField("计划开工日期")
    planned_end = models.DateField("计划完工日期")
    actual_start = models.DateField("实际开工日期", null=True, blank=True)
    actual_end = models.DateField("验收日期", null=True, blank=True)
    review_state = models.CharField(
        "审核状态", max_length=32, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    stage = models.CharField("项目阶段", max_length=16, choices=Stage.choices, default=Stage.PROPOSED)
    created_by = _user("申报人")
    created_at = models.DateTimeField("申报时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = "扶贫项目"
        verbose_name_plural = "扶贫项目库"
        ordering = ["-year", "region_id", "id"]
        indexes = [
            models.Index(
                fields=["region"], name="project_region_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["year", "stage"], name="project_year_stage_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")),
                name="project_planned_dates_ordered",
                violation_error_message=PLANNED_DATES_ORDERED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    def clean(self) -> None:
        if self.region_id and self.region.level not in PROJECT_REGION_LEVELS:
            raise ValidationError({"region": REGION_LEVEL_WRONG})
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": PLANNED_DATES_ORDERED})

    @property
    def level(self) -> int:
        """The level that proposes it: 村, 乡镇 or 县 (from the length of its region code)."""
        code = self.region_id or ""
        if code.endswith("000000"):
            return RegionLevel.COUNTY
        if code.endswith("000"):
            return RegionLevel.TOWNSHIP
        return RegionLevel.VILLAGE


@pghistory.track()
class ProjectBudget(models.Model):
    """One fund source's line of a project's budget (R31)."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="budgets"
    )
    source = models.CharField("资金来源", max_length=16, choices=FundSource.choices)
    amount = models.DecimalField("预算金额（元）", **_money)

    class Meta:
        verbose_name = "项目预算（按资金来源）"
        verbose_name_plural = "项目预算（按资金来源）"
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source"],
                name="project_budget_one_line_per_source",
                violation_error_message="同一资金来源只填一行",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="project_budget_positive",
                violation_error_message="预算金额须大于0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"


@pghistory.track()
class ProjectBeneficiary(models.Model):
    """A household the project benefits, and how."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="beneficiaries"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name="受益户", on_delete=models.PROTECT, related_name="+"
    )
    how = models.CharField("受益方式", max_length=16, choices=BenefitKind.choices)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "受益户"
        verbose_name_plural = "受益户"
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"],
                name="project_beneficiary_once",
                violation_error_message="该户已是本项目受益户",
            )
        ]
        indexes = [models.Index(fields=["household"], name="project_beneficiary_hh_idx")]

    def __str__(self) -> str:
        return f"{self.get_how_display()}"


class ProjectNotice(models.Model):
    """公告 before implementation, 公示 of results after 验收: printed on A4 and on the county's public
    page, with household counts, never names (R31)."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField("类别", max_length=16, choices=NoticeKind.choices)
    start = models.DateField("公告开始日期")
    end = models.DateField("公告结束日期")
    place = models.CharField("张贴地点", max_length=200)
    created_by = _user("发布人")
    created_at = models.DateTimeField("发布时间", default=timezone.now)

    class Meta:
        verbose_name = "项目公告公示"
        verbose_name_plural = "项目公告公示"
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="project_notice_once_per_kind"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="project_notice_ordered"
            ),
        ]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}至{self.end}"


class FundPayment(models.Model):
    """One payment of a project from one fund source, with its voucher (R31). Append-only: a wrong
    payment is corrected by the finance office's own reversal voucher, never by editing this row."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="payments"
    )
    source = models.CharField("资金来源", max_length=16, choices=FundSource.choices)
    amount = models.DecimalField("支付金额（元）", **_money)
    voucher_no = models.CharField("凭证号", max_length=40)
    paid_on = models.DateField("支付日期")
    note = models.CharField("摘要", max_length=200, blank=True)
    created_by = _user("登记人")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "资金支付"
        verbose_name_plural = "资金支付"
        ordering = ["project_id", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="fund_payment_positive",
                violation_error_message="支付金额须大于0",
            ),
        ]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.voucher_no} {self.get_source_display()} {self.amount}"


@pghistory.track()
class Asset(models.Model):
    """An asset a finished project leaves (a PV station, a greenhouse, a cold store …)."""

    project = models.ForeignKey(
        Project, verbose_name="形成资产的项目", on_delete=models.PROTECT, related_name="assets"
    )
    name = models.CharField("资产名称", max_length=100)
    asset_type = models.CharField("资产类型", max_length=16, choices=AssetType.choices)
    value = models.DecimalField("资产原值（元）", **_money)
    owner = models.CharField("所有权人", max_length=100, default="村集体经济组织")
    manager = models.CharField("经营管理主体", max_length=100)
    registered_on = models.DateField("登记日期")
    created_by = _user("登记人")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "扶贫资产"
        verbose_name_plural = "扶贫资产"
        ordering = ["project_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0),
                name="asset_value_not_negative",
                violation_error_message="资产原值不能为负",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_asset_type_display()}）"


class AssetIncome(models.Model):
    """One year's income of an asset and how it was shared (R32). Distributed once: the shares below
    are written in the same transaction, with the households' 资产收益分红 income lines."""

    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="incomes")
    year = models.PositiveSmallIntegerField("收益年度")
    amount = models.DecimalField("收益金额（元）", **_money)
    rule = models.CharField("分配方式", max_length=16, choices=DistributionRule.choices)
    distributed_on = models.DateField("分配日期")
    households = models.PositiveIntegerField("分配户数")
    created_by = _user("登记人")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "资产收益分配"
        verbose_name_plural = "资产收益分配"
        ordering = ["-year", "asset_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "year"],
                name="asset_income_once_a_year",
                violation_error_message="该资产本年度收益已分配",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="asset_income_positive",
                violation_error_message="收益金额须大于0",
            ),
        ]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.year}年 {self.amount}"


class IncomeShare(models.Model):
    """A household's share of an asset's income, and the income year it was added to as 资产收益分红
    (the line's source: this row; its date: distributed_on)."""

    income = models.ForeignKey(
        AssetIncome, verbose_name="收益分配", on_delete=models.PROTECT, related_name="shares"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    persons = models.PositiveSmallIntegerField("分配时人口")
    amount = models.DecimalField("分红金额（元）", **_money)
    income_year = models.ForeignKey(
        "households.IncomeYear", verbose_name="计入收入年度", on_delete=models.PROTECT, related_name="+"
    )
    income_year_created = models.BooleanField(
        "新建收入年度", default=False, help_text="该户原无此收入年度：新建，其他收入沿用上一年度"
    )

    class Meta:
        verbose_name = "分红明细"
        verbose_name_plural = "分红明细"
        ordering = ["income_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["income", "household"], name="income_share_once_per_household"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="income_share_not_negative"),
        ]
        indexes = [models.Index(fields=["household"], name="income_share_household_idx")]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.amount}"
