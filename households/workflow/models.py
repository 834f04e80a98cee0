"""Workflow data: the append-only transition log, change requests and 公示."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from households.choices import Role
from households.models.household import Household
from households.workflow.choices import (
    ChangeState,
    ChangeTarget,
    PublicityResult,
    PublicitySubject,
    WorkflowAction,
    state_label,
)


class WorkflowEvent(models.Model):
    """One logged step of any workflow. Append-only: the database refuses UPDATE and DELETE."""

    record_kind = models.CharField("记录类型", max_length=40)
    record_id = models.BigIntegerField("记录编号")
    household = models.ForeignKey(
        "households.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workflow_events",
    )
    region_code = models.CharField("记录所在区划", max_length=12, db_index=True)
    action = models.CharField("操作", max_length=24, choices=WorkflowAction.choices)
    from_state = models.CharField("原状态", max_length=32, blank=True)
    to_state = models.CharField("新状态", max_length=32, blank=True)
    reason = models.TextField("原因/说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField("操作人角色", max_length=32, choices=Role.choices)
    actor_region = models.ForeignKey(
        "households.Region",
        verbose_name="操作人区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["record_kind", "record_id"], name="wfevent_record_idx")]
        triggers = [
            # The audit log can only grow: seed 001 四(三) audits need every step as it happened.
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.from_label}→{self.to_label}"

    # Admin pages show these stored slugs by their Chinese names (households.admin_scoping).
    READONLY_LABELS = {"record_kind": "record_kind_label", "from_state": "from_label", "to_state": "to_label"}

    @property
    def from_label(self) -> str:
        return state_label(self.from_state)

    from_label.fget.short_description = "原状态"

    @property
    def to_label(self) -> str:
        return state_label(self.to_state)

    to_label.fget.short_description = "新状态"

    @property
    def record_kind_label(self) -> str:
        return _kind_label(self.record_kind)

    record_kind_label.fget.short_description = "记录类型"


class HouseholdReview(Household):
    """The review queue (待我审核) of household records: a proxy, so it gets its own admin page."""

    class Meta:
        proxy = True
        verbose_name = "待我审核（建档立卡户）"
        verbose_name_plural = "待我审核（建档立卡户）"


class ChangeRequest(models.Model):
    """A proposed change to a stored (已入库) household. Live rows stay untouched until the last
    level approves; then every item is applied in one transaction."""

    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="change_requests"
    )
    state = models.CharField(
        "审核状态", max_length=24, choices=ChangeState.choices, default=ChangeState.DRAFT, db_index=True
    )
    note = models.CharField("变更说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "变更申请"
        verbose_name_plural = "变更申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=~models.Q(state__in=["verified", "withdrawn"]),
                name="one_open_change_per_household",
                violation_error_message="该户已有一条未办结的变更申请",
            ),
        ]

    def __str__(self) -> str:
        return f"变更申请#{self.pk}（{self.household.household_no}）"

    def active_items(self):
        return self.items.filter(superseded_at__isnull=True)


class ChangeItem(models.Model):
    """One changed row: the proposed values of the fields that differ, and the values they replace.

    `target_id` is null for a row to be created (a new member or income year)."""

    change_request = models.ForeignKey(
        ChangeRequest, verbose_name="变更申请", on_delete=models.PROTECT, related_name="items"
    )
    target = models.CharField("变更对象", max_length=16, choices=ChangeTarget.choices)
    target_id = models.BigIntegerField("对象编号", null=True, blank=True)
    old_values = models.JSONField("原值", default=dict)
    new_values = models.JSONField("新值", default=dict)
    applied_id = models.BigIntegerField("生效后编号", null=True, blank=True)
    superseded_at = models.DateTimeField("被修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "变更明细"
        verbose_name_plural = "变更明细"
        ordering = ["change_request_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_target_display()} {self.target_id or '新增'}"


class Publicity(models.Model):
    """公示: a public notice with a minimum length, a place, objections and a result. Generic over
    the subject (identification, exit, 低保 …) through record_kind + record_id."""

    subject_kind = models.CharField("公示事项", max_length=16, choices=PublicitySubject.choices)
    record_kind = models.CharField("记录类型", max_length=40)
    record_id = models.BigIntegerField("记录编号")
    household = models.ForeignKey(
        "households.Household",
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publicities",
    )
    region_code = models.CharField("所在区划", max_length=12, db_index=True)
    start = models.DateField("公示开始日期")
    end = models.DateField("公示结束日期")
    min_days = models.PositiveSmallIntegerField("最短公示天数")
    place = models.CharField("公示地点", max_length=200)
    result = models.CharField(
        "公示结果", max_length=16, choices=PublicityResult.choices, default=PublicityResult.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结束人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["record_kind", "record_id"], name="publicity_record_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="publicity_ordered"),
            models.UniqueConstraint(
                fields=["record_kind", "record_id"],
                condition=models.Q(result="open"),
                name="one_open_publicity_per_record",
                violation_error_message="该事项已有正在进行的公示",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()}公示 {self.start}至{self.end}"

    READONLY_LABELS = {"record_kind": "record_kind_label"}

    @property
    def record_kind_label(self) -> str:
        return _kind_label(self.record_kind)

    record_kind_label.fget.short_description = "记录类型"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class PublicityObjection(models.Model):
    publicity = models.ForeignKey(
        Publicity, verbose_name="公示", on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField("收到日期")
    objector = models.CharField("异议人", max_length=50, blank=True, help_text="可匿名")
    content = models.TextField("异议内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["received_on", "id"]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.received_on} {self.objector or '匿名'}"


def _kind_label(slug: str) -> str:
    from households.workflow.config import kind_label

    names = {"household": "建档立卡户", "household_change": "变更申请"}
    return names.get(slug) or kind_label(slug)
