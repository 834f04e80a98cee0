"""Payment holds (暂停发放): a household's lines stay on the roll with nothing paid while a hold is open.

Holds are assistance's own data; whoever finds a reason to hold (the 信息比对 cross-checks in
reports: the county's own lists, or the county's decision on a 疑点, scenario 66) creates and clears
them through assistance.services.holds. Never deleted: clearing sets cleared_at, so the roll history
can say why a month was not paid.

A hold covers the months from its first month (from_month) until it is cleared (issue 23,
scenario 39): a roll for an earlier month pays as due, whenever it is built or rebuilt."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PaymentHold(models.Model):
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="payment_holds"
    )
    reason = models.CharField("暂停原因", max_length=300)
    source = models.CharField("来源", max_length=40, help_text="如 crosscheck（信息比对疑点）")
    source_ref = models.CharField("来源编号", max_length=40, blank=True)
    from_month = models.DateField(
        "暂停起始月份",
        help_text="自该月（每月1日）起的发放表暂停发放，直至解除；此前月份照常发放",
    )
    created_at = models.DateTimeField("暂停时间", auto_now_add=True)
    # Who decided (a county admin on a 疑点); empty when a check of the county's own list placed it.
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="解除人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cleared_reason = models.CharField("解除原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "暂停发放"
        verbose_name_plural = "暂停发放"
        ordering = ["-created_at"]
        constraints = [
            # One open hold per source record: placing it twice (a re-run check) changes nothing.
            models.UniqueConstraint(
                fields=["source", "source_ref", "household"],
                condition=models.Q(cleared_at__isnull=True),
                name="payment_hold_open_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["household"],
                condition=models.Q(cleared_at__isnull=True),
                name="payment_hold_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"暂停发放：{self.reason}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None
