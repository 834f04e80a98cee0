"""防返贫监测 data: leads (线索), monitoring records through the review chain, visits (入户核实 and
跟踪回访) with their photos. Registered as models of the assistance app (assistance.models)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import FileExtensionValidator
from django.db import models

from assistance.models.cases import _applied_by, _review_state
from assistance.monitoring.choices import (
    Category,
    Decision,
    LeadOutcome,
    LeadSource,
    LeadStatus,
    Purpose,
    RiskType,
    Severity,
    VisitKind,
)
from core.privacy import Kind

CLOSED_NEEDS_OUTCOME = "线索办结须有办理结果和说明"
OTHER_RISK_NEEDS_TEXT = "风险类型含“其他”时请填写具体情况"


def risk_types_field(label: str = "风险类型") -> ArrayField:
    return ArrayField(
        models.CharField(max_length=16, choices=RiskType.choices),
        verbose_name=label,
        default=list,
        blank=True,
    )


# Changes are history; the insert is the row itself (agency lists insert tens of thousands at once).
@pghistory.track(pghistory.UpdateEvent())
class MonitoringLead(models.Model):
    """线索: a possible risk, from a household's own report, a cadre's visit, an agency's list or the
    R16 rule. It belongs to a village (the county's own code while an agency lead of a person outside
    the register waits for its village) and closes only with an outcome and a reason."""

    # The person who reported or was reported (public page, agency lists).
    PERSONAL_FIELDS = {"id_no": Kind.ID_NO, "phone": Kind.PHONE}

    source = models.CharField("线索来源", max_length=16, choices=LeadSource.choices)
    source_kind = models.CharField(
        "预警类别",
        max_length=20,
        blank=True,
        help_text="部门筛查预警的名单类别（医保、残联、教育、人社、应急）",
    )
    source_key = models.CharField("来源标识", max_length=80, help_text="同一来源的同一条线索只记录一次")
    village = models.ForeignKey(
        "core.Region", verbose_name="所在村", on_delete=models.PROTECT, db_index=False, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="monitoring_leads",
    )
    member = models.ForeignKey(
        "households.Member",
        verbose_name="成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=50, blank=True)
    id_no = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    risk_types = risk_types_field()
    description = models.CharField("情况说明", max_length=500, blank=True)
    severity = models.CharField("风险等级", max_length=8, choices=Severity.choices, blank=True)
    detected_on = models.DateField("发现日期")
    verify_deadline = models.DateField("入户核实期限")
    identify_deadline = models.DateField("认定期限")
    status = models.CharField("办理状态", max_length=12, choices=LeadStatus.choices, default=LeadStatus.OPEN)
    outcome = models.CharField("办理结果", max_length=16, choices=LeadOutcome.choices, blank=True)
    outcome_reason = models.CharField("办理说明", max_length=400, blank=True)
    record = models.ForeignKey(
        "assistance.MonitoringRecord",
        verbose_name="监测认定",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="leads",
    )
    receipt_no = models.CharField("回执编号", max_length=20, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    verified_on = models.DateField("入户核实日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="+",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "监测线索"
        verbose_name_plural = "监测线索"
        ordering = ["-detected_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_key"], name="monitoring_lead_once"),
            models.CheckConstraint(
                condition=~models.Q(status=LeadStatus.CLOSED)
                | (~models.Q(outcome="") & ~models.Q(outcome_reason="")),
                name="monitoring_lead_closed_has_outcome",
                violation_error_message=CLOSED_NEEDS_OUTCOME,
            ),
        ]
        # Agency lists insert tens of thousands of leads at once: few indexes, each one used by a list
        # or a statistic (village prefix + status; the household's open leads).
        indexes = [
            models.Index(
                fields=["village", "status"],
                name="monitoring_lead_village_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["household"],
                name="monitoring_lead_household_idx",
                condition=~models.Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}线索#{self.pk}"


@pghistory.track()
class MonitoringRecord(models.Model):
    """监测对象认定 or 风险消除 of one household, through the review chain: 入户核实 → 村民主评议 and
    公示 → 乡镇审核 → 县级审定. An identification record decided 纳入监测 is one monitoring episode
    (a row of the 防返贫监测对象台账); a 风险消除 record points to the episode it ends."""

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="monitoring_records"
    )
    purpose = models.CharField("事项", max_length=12, choices=Purpose.choices, default=Purpose.IDENTIFY)
    episode = models.ForeignKey(
        "self",
        verbose_name="所消除的监测认定",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="eliminations",
    )
    source = models.CharField("识别方式", max_length=16, choices=LeadSource.choices)
    category = models.CharField("监测类别", max_length=20, choices=Category.choices, blank=True)
    risk_types = risk_types_field()
    risk_other = models.CharField("其他风险情况", max_length=200, blank=True)
    lead_date = models.DateField("线索发现日期")
    identify_deadline = models.DateField("认定期限", null=True, blank=True)
    democratic_review_date = models.DateField("村民主评议日期", null=True, blank=True)
    review_state = _review_state()
    decision = models.CharField("审定结论", max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.CharField("审定说明", max_length=400, blank=True)
    decided_on = models.DateField("审定日期", null=True, blank=True)
    days_to_identify = models.PositiveIntegerField("认定用时（天）", null=True, blank=True)
    first_measure_deadline = models.DateField("首次帮扶期限", null=True, blank=True)
    eliminated_on = models.DateField("风险消除日期", null=True, blank=True)
    elimination_reasons = models.JSONField("风险消除测算", default=list, blank=True)
    applied_by = _applied_by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "防返贫监测"
        verbose_name_plural = "防返贫监测"
        ordering = ["-created_at", "-id"]
        constraints = [
            # One identification and one 风险消除 in progress per household at a time.
            models.UniqueConstraint(
                fields=["household", "purpose"],
                condition=models.Q(decision="pending"),
                name="monitoring_record_one_open_per_purpose",
                violation_error_message="该户已有一条正在办理的同类监测记录",
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose="eliminate") | models.Q(episode__isnull=False),
                name="monitoring_elimination_has_episode",
            ),
        ]
        indexes = [models.Index(fields=["decision", "purpose"], name="monitoring_record_decision_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}#{self.pk}"

    @property
    def is_episode_open(self) -> bool:
        """An identification decided 纳入监测 whose risk is not eliminated yet."""
        return (
            self.purpose == Purpose.IDENTIFY
            and self.decision == Decision.INCLUDED
            and self.eliminated_on is None
        )


class MonitoringVisit(models.Model):
    """入户核实 (village clerk with the household's 帮扶责任人) or 跟踪回访: findings, an income check
    (annual per-capita net income as found) and photos."""

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="monitoring_visits"
    )
    record = models.ForeignKey(
        MonitoringRecord, verbose_name="监测记录", null=True, blank=True, on_delete=models.PROTECT,
        related_name="visits",
    )  # fmt: skip
    lead = models.ForeignKey(
        MonitoringLead,
        verbose_name="线索",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    kind = models.CharField(
        "走访类别", max_length=16, choices=VisitKind.choices, default=VisitKind.VERIFICATION
    )
    visited_on = models.DateField("走访日期")
    visitors = models.CharField("走访人员", max_length=200)
    helper = models.ForeignKey(
        "households.HelperPerson", verbose_name="帮扶责任人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    findings = models.TextField("核实情况")
    percap_income = models.DecimalField(
        "核查年人均纯收入(元)", max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="按当前情况测算的家庭年人均纯收入",
    )  # fmt: skip
    risk_found = models.BooleanField("存在返贫致贫风险", default=True)
    # The id a phone gave a 入户核实 it kept while offline (field pages): a repeated send returns it.
    client_id = models.UUIDField("客户端编号", null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "入户核实与回访"
        verbose_name_plural = "入户核实与回访"
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percap_income__isnull=True) | models.Q(percap_income__gte=0),
                name="monitoring_visit_income_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on:%Y-%m-%d}"


class MonitoringPhoto(models.Model):
    visit = models.ForeignKey(
        MonitoringVisit, verbose_name="走访", on_delete=models.PROTECT, related_name="photos"
    )
    image = models.FileField(
        "照片",
        upload_to="monitoring/photos/%Y/%m/",
        validators=[
            FileExtensionValidator(["jpg", "jpeg", "png", "webp"], message="照片须为 jpg、png 或 webp 格式")
        ],
    )
    note = models.CharField("说明", max_length=100, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"
        ordering = ["visit_id", "id"]

    def __str__(self) -> str:
        return self.note or f"照片#{self.pk}"
