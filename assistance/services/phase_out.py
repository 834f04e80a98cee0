"""低保渐退 (R12): proposal, county approval, monthly steps, review, alert and expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance import integration
from assistance.amounts import apply_amount
from assistance.choices import (
    OPEN_PHASE_OUT_STATUSES,
    AlertKind,
    AmountBasis,
    CaseStatus,
    LedgerKind,
    PhaseOutStatus,
    PhaseOutTrigger,
)
from assistance.models import Alert, DibaoCase, PhaseOut
from assistance.rules import first_of_month, next_month
from assistance.services.cases import AMOUNT_MARK_FIELDS, _move, record_amount, stop_case
from assistance.services.common import ledger, require_county
from programs.rules.dibao import DibaoAmount
from programs.rules.phase_out import phase_out_amount, phase_out_end, phase_out_schedule

PHASE_OUT_TOO_LONG = "渐退期不得超过{max}个月（当前填写{months}个月）"
PHASE_OUT_MONTHS_POSITIVE = "渐退月数至少为1个月"
PHASE_OUT_NOT_REGISTERED = "非建档立卡户不适用低保渐退"
PHASE_OUT_WRONG_STATE = "渐退当前为“{state}”，不能{action}"
CASE_NOT_ACTIVE = "只有保障中的低保案件才能进入渐退"
PHASE_OUT_ALREADY_OPEN = "该案件已有未办结的渐退（{state}），不能重复提出"
PHASE_OUT_KEYS = [
    "phase_out.max_months",
    "phase_out.default_months",
    "phase_out.schedule",
    "phase_out.allow_non_registered",
    "phase_out.alert_days",
    "phase_out.upper_bound_ratio",
]


def phase_out_params(region_code: str, as_of: dt.date) -> integration.Params:
    return integration.params(region_code=region_code, as_of=as_of, keys=PHASE_OUT_KEYS)


@transaction.atomic
def propose_phase_out(
    *, case: DibaoCase, on: dt.date, income: Decimal, trigger: str = PhaseOutTrigger.OTHER
) -> PhaseOut:
    """Income rose above the standard: propose 渐退 (the recalculation does this in bulk)."""
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(CASE_NOT_ACTIVE)
    open_one = PhaseOut.objects.filter(case=case, status__in=OPEN_PHASE_OUT_STATUSES).first()
    if open_one is not None:  # else the one-open-per-case constraint fails as a server error
        raise ValidationError(PHASE_OUT_ALREADY_OPEN.format(state=open_one.get_status_display()))
    p = phase_out_params(case.household.village_id, on)
    if not case.is_registered_poor and not p.bool("phase_out.allow_non_registered"):
        raise ValidationError(PHASE_OUT_NOT_REGISTERED)
    return PhaseOut.objects.create(case=case, trigger=trigger, proposed_on=on, proposed_income=income)


@transaction.atomic
def approve_phase_out(
    *,
    phase_out: PhaseOut,
    user,
    months: int | None = None,
    start: dt.date | None = None,
    trigger: str | None = None,
    on: dt.date,
) -> PhaseOut:
    """County approval: m ≤ phase_out.max_months (24 by S000 二(三)1), amounts by the schedule."""
    phase_out = PhaseOut.objects.select_for_update().select_related("case__household").get(pk=phase_out.pk)
    case = phase_out.case
    require_county(user, case.household)
    if phase_out.status != PhaseOutStatus.PROPOSED:
        raise ValidationError(
            PHASE_OUT_WRONG_STATE.format(state=phase_out.get_status_display(), action="批准")
        )
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(CASE_NOT_ACTIVE)
    start = first_of_month(start or next_month(on))
    p = phase_out_params(case.household.village_id, start)
    if not case.is_registered_poor and not p.bool("phase_out.allow_non_registered"):
        raise ValidationError(PHASE_OUT_NOT_REGISTERED)
    months = p.int("phase_out.default_months") if months is None else int(months)
    max_months = p.int("phase_out.max_months")
    if months < 1:
        raise ValidationError({"months": PHASE_OUT_MONTHS_POSITIVE})
    if months > max_months:
        raise ValidationError({"months": PHASE_OUT_TOO_LONG.format(max=max_months, months=months)})
    kind = str(p.text("phase_out.schedule"))
    # Only the 低保金 (top-up + 分类施保) phases out; 两项补贴 keep coming from their own records
    # (rolls.py), so they are not part of the base.
    base = case.topup_amount + case.classified_amount
    schedule = phase_out_schedule(monthly_amount=base, months=months, schedule=kind)
    phase_out.trigger = trigger or phase_out.trigger
    phase_out.status = PhaseOutStatus.ACTIVE
    phase_out.start = start
    phase_out.months = months
    phase_out.end = phase_out_end(start, months)
    phase_out.schedule_kind = kind
    phase_out.base_amount = base
    phase_out.schedule = [str(a) for a in schedule]
    phase_out.parameter_ids = p.ids
    phase_out.approved_by = user
    phase_out.approved_on = on
    phase_out.save()
    old = base
    _move(case, user=user, to=CaseStatus.PHASING_OUT, allowed=(CaseStatus.ACTIVE,), action="进入渐退")
    case.monthly_amount = schedule[0]
    record_amount(case, valid_from=start, basis=AmountBasis.PHASE_OUT, note=f"渐退第1个月（共{months}个月）")
    case.save(update_fields=["status", "monthly_amount", *AMOUNT_MARK_FIELDS, "updated_at"])
    ledger(
        case=case,
        kind=LedgerKind.PHASE_OUT_START,
        month=start,
        old=old,
        new=schedule[0],
        reason=f"收入超过保障标准，进入渐退期{months}个月（{phase_out.get_schedule_kind_display()}）",
        phase_out=phase_out,
    )
    return phase_out


@transaction.atomic
def reject_phase_out(*, phase_out: PhaseOut, user, reason: str, on: dt.date) -> PhaseOut:
    require_county(user, phase_out.case.household)
    if phase_out.status != PhaseOutStatus.PROPOSED:
        raise ValidationError(
            PHASE_OUT_WRONG_STATE.format(state=phase_out.get_status_display(), action="驳回")
        )
    phase_out.status = PhaseOutStatus.REJECTED
    phase_out.closed_on = on
    phase_out.early_end_reason = reason
    phase_out.save(update_fields=["status", "closed_on", "early_end_reason"])
    return phase_out


@transaction.atomic
def return_to_normal(*, phase_out: PhaseOut, amount: DibaoAmount, on: dt.date, parameter_ids=()) -> DibaoCase:
    """Income back below the standard: normal 低保 again at the calculator's amount (R12 review)."""
    case = phase_out.case
    old = case.monthly_amount
    phase_out.status = PhaseOutStatus.RETURNED
    phase_out.closed_on = on
    phase_out.early_end_reason = "收入回落至保障标准以下，恢复正常低保"
    phase_out.save(update_fields=["status", "closed_on", "early_end_reason"])
    _move(case, user=None, to=CaseStatus.ACTIVE, allowed=(CaseStatus.PHASING_OUT,), action="恢复正常低保")
    apply_amount(case, amount, parameter_ids=parameter_ids)
    record_amount(case, valid_from=next_month(on), basis=AmountBasis.RETURN, note=phase_out.early_end_reason)
    case.save()
    ledger(
        case=case,
        kind=LedgerKind.PHASE_OUT_RETURN,
        month=next_month(on),
        old=old,
        new=case.monthly_amount,
        reason=phase_out.early_end_reason,
        phase_out=phase_out,
    )
    return case


@transaction.atomic
def end_phase_out(
    *, phase_out: PhaseOut, on: dt.date, stop_month: dt.date, reason: str, early: bool
) -> DibaoCase:
    phase_out.status = PhaseOutStatus.ENDED_EARLY if early else PhaseOutStatus.ENDED
    phase_out.closed_on = on
    if early:
        phase_out.early_end_reason = reason
    phase_out.save(update_fields=["status", "closed_on", "early_end_reason"])
    return stop_case(case=phase_out.case, user=None, month=stop_month, reason=reason, phase_out=phase_out)


def _open_phase_outs(prefix: str):
    return PhaseOut.objects.filter(
        status=PhaseOutStatus.ACTIVE, case__household__village__code__startswith=prefix
    ).select_related("case__household")


@transaction.atomic
def process_phase_outs(*, today: dt.date, prefix: str = "") -> dict[str, int]:
    """Daily job: alert the county before the end, stop expired phase-outs, step this month's amount.

    Safe to run any number of times a day: every effect checks whether it already happened.
    """
    counts = {"alerts": 0, "ended": 0, "stepped": 0}
    month = first_of_month(today)
    for po in _open_phase_outs(prefix).select_for_update(of=("self",)):
        case = po.case
        if po.end <= today:
            # At the end the case stops by itself (R12); the first unpaid month follows the end.
            end_phase_out(
                phase_out=po, on=today, stop_month=next_month(po.end), reason="渐退期满停保", early=False
            )
            counts["ended"] += 1
            continue
        days = phase_out_params(case.household.village_id, today).int("phase_out.alert_days")
        if po.alerted_on is None and po.end - dt.timedelta(days=days) <= today:
            Alert.objects.get_or_create(
                kind=AlertKind.PHASE_OUT_ENDING,
                case=case,
                due_date=po.end,
                defaults={
                    "household_id": case.household_id,
                    "phase_out": po,
                    "message": f"渐退期将于{po.end:%Y年%m月%d日}届满，届时自动停保",
                },
            )
            po.alerted_on = today
            po.save(update_fields=["alerted_on"])
            counts["alerts"] += 1
        amount = phase_out_amount(schedule=po.schedule, start=po.start, month=month)
        if amount is not None and amount != case.monthly_amount:
            old = case.monthly_amount
            case.monthly_amount = amount
            step = f"渐退第{(month.year - po.start.year) * 12 + month.month - po.start.month + 1}个月"
            record_amount(case, valid_from=month, basis=AmountBasis.PHASE_OUT, note=step)
            case.save(update_fields=["monthly_amount", *AMOUNT_MARK_FIELDS, "updated_at"])
            ledger(
                case=case,
                kind=LedgerKind.PHASE_OUT_STEP,
                month=month,
                old=old,
                new=amount,
                reason=step,
                phase_out=po,
            )
            counts["stepped"] += 1
    return counts


def handled(alert: Alert, user) -> None:
    alert.handled_at = timezone.now()
    alert.handled_by = user
    alert.save(update_fields=["handled_at", "handled_by"])
