"""The registry's workflow records: change requests to stored households, and the review queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from households.models.household import Household
from households.workflow.choices import ChangeState, ChangeTarget


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
