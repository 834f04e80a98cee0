"""Fund payments of a project (R31): per fund source, paid = Σ payments and remaining = budget − paid,
never below zero. A payment that would overdraw its source is refused with the figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from core.money import to_yuan
from core.workflow import services as chain
from core.workflow.config import LEVELS, kind_of
from core.workflow.errors import TransitionError
from projects.choices import FundSource, Stage
from projects.models import FundPayment, Project

AMOUNT_NOT_POSITIVE = "支付金额须大于0"
VOUCHER_REQUIRED = "请填写凭证号"
NO_SUCH_SOURCE = "该项目没有「{source}」预算，不能从该来源支付"
OVER_BUDGET = (
    "「{source}」预算 {budget} 元，已支付 {paid} 元，剩余 {remaining} 元；"
    "本次支付 {amount} 元超出 {over} 元，不予登记"
)
NOT_PAYABLE = "项目当前阶段为「{stage}」：开工实施后才能登记支付"
PAYABLE_STAGES = (Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.PUBLICIZED)
PAY = "登记资金支付"


def record_payment(
    *,
    project: Project,
    user,
    source: str,
    amount: Decimal | int | str,
    voucher_no: str,
    paid_on: dt.date,
    note: str = "",
) -> FundPayment:
    """登记支付 by the county. The project row is locked, so two payments of one source at once cannot
    both pass the budget check."""
    amount = to_yuan(Decimal(str(amount)))
    if amount <= 0:
        raise ValidationError(AMOUNT_NOT_POSITIVE)
    if not (voucher_no or "").strip():
        raise ValidationError(VOUCHER_REQUIRED)
    label = FundSource(source).label
    with transaction.atomic(), pghistory.context(user=user.pk):
        locked = chain.lock_record(project)
        chain.check_role(user, LEVELS["county"], PAY)
        chain.check_scope(user, kind_of(locked), locked)
        if locked.stage not in PAYABLE_STAGES:
            raise TransitionError(NOT_PAYABLE.format(stage=locked.get_stage_display()))
        budget = locked.budgets.filter(source=source).values_list("amount", flat=True).first()
        if budget is None:
            raise ValidationError(NO_SUCH_SOURCE.format(source=label))
        paid = locked.payments.filter(source=source).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
        remaining = budget - paid
        if amount > remaining:
            raise ValidationError(
                OVER_BUDGET.format(
                    source=label,
                    budget=budget,
                    paid=paid,
                    remaining=remaining,
                    amount=amount,
                    over=amount - remaining,
                )
            )
        return FundPayment.objects.create(
            project=locked,
            source=source,
            amount=amount,
            voucher_no=voucher_no.strip(),
            paid_on=paid_on,
            note=note,
            created_by=user,
        )
