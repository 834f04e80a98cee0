"""医疗救助: a member's medical expense (one bill), entered by the village, reviewed by the township,
approved by the county, and paid once on the medical-assistance roll of the month after approval."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone

from assistance.choices import HospitalLevel, MedicalBillStatus, MedicalKind
from assistance.models.cases import _applied_by, _review_state

_money: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}

PAID_MORE_THAN_COST = "基本医保与大病保险报销合计不能超过总费用"
FUTURE_BILL = "结算日期不能晚于今天"
MEMBER_NOT_NORMAL = "患者须为本户在册成员"


@pghistory.track()
class MedicalBill(models.Model):
    household = models.ForeignKey(
        "households.Household", verbose_name="户", on_delete=models.PROTECT, related_name="medical_bills"
    )
    member = models.ForeignKey(
        "households.Member", verbose_name="患者", on_delete=models.PROTECT, related_name="medical_bills"
    )
    bill_date = models.DateField("结算日期")
    hospital = models.CharField("医院", max_length=100)
    hospital_level = models.CharField("医院级别", max_length=10, choices=HospitalLevel.choices)
    kind = models.CharField("类别", max_length=10, choices=MedicalKind.choices)
    total_cost = models.DecimalField("总费用", **_money)
    basic_insurance_paid = models.DecimalField("基本医保报销", **_money)
    critical_insurance_paid = models.DecimalField("大病保险报销", **_money)
    out_of_pocket = models.DecimalField("个人自付", **_money)
    assistance_amount = models.DecimalField("医疗救助金额", **_money)
    explanation = models.TextField("核算说明", blank=True)
    parameter_ids = models.JSONField("所用参数", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=MedicalBillStatus.choices, default=MedicalBillStatus.PENDING
    )
    pay_month = models.DateField("发放月份", null=True, blank=True, help_text="县级审核确认后的次月")
    review_state = _review_state()
    applied_by = _applied_by("录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "医疗救助"
        verbose_name_plural = "医疗救助"
        ordering = ["-bill_date", "-id"]
        indexes = [models.Index(fields=["member", "bill_date"], name="medical_bill_member_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    total_cost__gte=0, basic_insurance_paid__gte=0, critical_insurance_paid__gte=0
                ),
                name="medical_bill_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    out_of_pocket=F("total_cost") - F("basic_insurance_paid") - F("critical_insurance_paid"),
                    out_of_pocket__gte=0,
                ),
                name="medical_bill_out_of_pocket_is_the_rest",
                violation_error_message=PAID_MORE_THAN_COST,
            ),
        ]

    def __str__(self) -> str:
        return f"医疗救助#{self.pk}"

    def save(self, *args, **kwargs) -> None:
        # 个人自付 is what the two insurances left: derived, never typed in (the constraint checks it).
        self.out_of_pocket = self.total_cost - self.basic_insurance_paid - self.critical_insurance_paid
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        paid = (self.basic_insurance_paid or 0) + (self.critical_insurance_paid or 0)
        if self.total_cost is not None and paid > self.total_cost:
            errors["basic_insurance_paid"] = PAID_MORE_THAN_COST
        if self.bill_date and self.bill_date > timezone.localdate():
            errors["bill_date"] = FUTURE_BILL
        if self.member_id and self.member.member_status != "normal":
            errors["member"] = MEMBER_NOT_NORMAL
        if errors:
            raise ValidationError(errors)
