"""The review chain's data: the append-only transition log (history) and 公示 with its objections.

Generic over the record: `record_kind` + `record_id` name it, `household_id` (when the record
belongs to a household) lets the household page list its steps, `region_code` scopes it."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from core.choices import Role
from core.workflow.choices import PublicityResult, PublicitySubject, WorkflowAction, state_label


class WorkflowEvent(models.Model):
    """One logged step of any workflow. Append-only: the database refuses UPDATE and DELETE."""

    record_kind = models.CharField("记录类型", max_length=40)
    record_id = models.BigIntegerField("记录编号")
    # The household the record belongs to (a plain id: the chain sits below the registry).
    household_id = models.BigIntegerField("户", null=True, blank=True, db_index=True)
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
        "core.Region",
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
        indexes = [
            # A record's history; with the state and the time, also when each record entered a
            # state (the 工作台's 待我审核 and 退回, oldest first) from the index alone.
            models.Index(
                fields=["record_kind", "record_id", "to_state", "created_at"], name="wfevent_record_state_idx"
            )
        ]
        triggers = [
            # The audit log can only grow: seed 001 四(三) audits need every step as it happened.
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.from_label}→{self.to_label}"

    # Admin pages show these stored slugs by their Chinese names (core.admin.scoping).
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


class Publicity(models.Model):
    """公示: a public notice with a minimum length, a place, objections and a result. Generic over
    the subject (identification, exit, 低保 …) through record_kind + record_id."""

    subject_kind = models.CharField("公示事项", max_length=16, choices=PublicitySubject.choices)
    record_kind = models.CharField("记录类型", max_length=40)
    record_id = models.BigIntegerField("记录编号")
    household_id = models.BigIntegerField("户", null=True, blank=True, db_index=True)
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
    from core.workflow.config import kind_label

    return kind_label(slug)
