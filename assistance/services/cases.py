"""The 低保 case life cycle: 申请 → 调查 → 公示 → 确认 → 保障中 (domain.md#workflow-dibao)."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assistance import integration
from assistance.amounts import CASE_FIGURES, CaseCalculation, apply_amount, case_amount
from assistance.choices import (
    CLOSED_STATUSES,
    PAYING_STATUSES,
    AlertKind,
    AmountBasis,
    CaseStatus,
    CaseType,
    LedgerKind,
    SimpleStatus,
    VisitLevel,
)
from assistance.models import Alert, CaseAmount, CaseHomeVisit, DibaoCase, DisabilitySubsidy
from assistance.rules import first_of_month, next_month
from assistance.services.common import (
    ledger,
    record_decided_elsewhere,
    require_county,
    require_scope,
    submit_application,
    working_day_after,
)
from core.choices import ReviewState, Role
from core.permissions import role_of
from core.workflow import services as chain
from core.workflow.choices import WorkflowAction
from core.workflow.config import chain_for
from core.workflow.models import Publicity
from households.models import Household

WRONG_STATE = "案件当前为“{state}”，不能{action}"
PUBLICITY_NOT_OVER = "公示期至{end}结束，公示期满后方可确认"
COUNTY_VISIT_REQUIRED = "经办人员近亲属申请低保，须有县级入户核查记录后方可确认"
SINGLE_NEEDS_MEMBERS = "单人保须选择保障对象"
MEMBER_NOT_IN_HOUSEHOLD = "保障对象必须是本户在册成员"
REASON_REQUIRED = "请填写理由"
NOT_ELIGIBLE = "经核算不符合低保条件：{reason}"
ASSETS_SPECIAL_HINT = "；如确属特殊情况，须由县级作出特殊情况确认并写明理由"
SPECIAL_ONLY_ASSETS = "特殊情况确认仅适用于家庭金融资产超过规定标准、收入低于保障标准的家庭：{reason}"
NO_SPECIAL_NEEDED = "经核算符合低保条件，无需特殊情况确认，请使用“县级审核确认”"
SPECIAL_NOTE = "{on:%Y-%m-%d} 县审核确认（特殊情况：{reason}）"
NO_OPEN_PUBLICITY = "该案件没有进行中的公示"
NOT_REVIEWED = "案件须经乡镇审核通过后方可公示（当前审核环节：{state}）"
INVESTIGATION_ROLE = "受理申请、开始调查由乡镇（或县级）经办人员办理"
USE_CONFIRM = "该案件待县级审核确认，请使用“县级审核确认”（须公示期满并核算保障金）"
INVESTIGATORS = {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}
REVIEW_MONTHS = 12  # [U] re-check yearly by default (domain.md#open-12); the county may shorten it


def _move(
    case: DibaoCase,
    *,
    user,
    to: str,
    reason: str = "",
    allowed: tuple,
    action: str,
    log: bool = True,
    event: str = "",
) -> str:
    if case.status not in allowed:
        raise ValidationError(WRONG_STATE.format(state=case.get_status_display(), action=action))
    old = case.status
    case.status = to
    if log:
        integration.record_transition(
            record=case, user=user, from_state=old, to_state=to, reason=reason, action=event
        )
    return old


# --------------------------------------------------------------------------------------------
# the review chain (households.workflow.services): 申请 = 提交 → 镇审核 → [公示] → 县审核确认,
# returns one level down with a reason. Every step is a WorkflowEvent written by that service.


def submit_case(*, case: DibaoCase, user) -> DibaoCase:
    """村修正后重新提交 (a case the township returned to the village)."""
    chain.submit(record=case, user=user)
    return case


def review_case(*, case: DibaoCase, user, note: str = "") -> DibaoCase:
    """镇审核通过: the case goes up to the county (after its 公示). The county's step is confirm_case,
    which checks the 公示 and the figures; approving there directly would skip them."""
    if case.review_state == _final_level().pending:
        raise ValidationError(USE_CONFIRM)
    chain.approve(record=case, user=user, note=note)
    return case


def return_case(*, case: DibaoCase, user, reason: str) -> DibaoCase:
    """退回: the township sends back to the village (村修正), the county to the township (镇修正)."""
    if case.status in (*CLOSED_STATUSES, *PAYING_STATUSES):
        raise ValidationError(WRONG_STATE.format(state=case.get_status_display(), action="退回"))
    chain.return_to_lower(record=case, user=user, reason=reason)
    return case


def _final_level():
    return chain_for(integration.WORKFLOW_KIND)[-1]


@transaction.atomic
def apply_case(
    *,
    household: Household,
    user,
    applied_on: dt.date,
    case_type: str = CaseType.WHOLE,
    covered_members=(),
    near_relative_of_staff: bool = False,
) -> DibaoCase:
    require_scope(user, household)
    covered_members = list(covered_members)
    if case_type == CaseType.SINGLE and not covered_members:
        raise ValidationError({"covered_members": SINGLE_NEEDS_MEMBERS})
    if any(m.household_id != household.pk or not m.is_active for m in covered_members):
        raise ValidationError({"covered_members": MEMBER_NOT_IN_HOUSEHOLD})
    case = DibaoCase(
        household=household,
        case_type=case_type,
        applied_on=applied_on,
        near_relative_of_staff=near_relative_of_staff,
        is_registered_poor=household.identify_year is not None,
        applied_by=user,
    )
    case.full_clean(exclude=["covered_members"])
    case.save()
    if covered_members:
        case.covered_members.set(covered_members)
    submit_application(case, user, kind=integration.WORKFLOW_KIND)
    return case


@transaction.atomic
def start_investigation(*, case: DibaoCase, user) -> DibaoCase:
    """受理 → 经济状况调查: the township (or the county at its own window) accepts the application."""
    if user is not None and role_of(user) not in INVESTIGATORS:
        raise PermissionDenied(INVESTIGATION_ROLE)
    require_scope(user, case.household)
    _move(
        case, user=user, to=CaseStatus.INVESTIGATING, allowed=(CaseStatus.APPLIED,), action="开始调查",
        reason="受理，开始经济状况调查",
    )  # fmt: skip
    case.save(update_fields=["status", "updated_at"])
    return case


@transaction.atomic
def record_home_visit(
    *, case: DibaoCase, user, level: str, visit_date: dt.date, visitors: str, findings: str
) -> CaseHomeVisit:
    if level == VisitLevel.COUNTY:
        require_county(user, case.household)
    else:
        require_scope(user, case.household)
    visit = CaseHomeVisit(
        case=case, level=level, visit_date=visit_date, visitors=visitors, findings=findings, recorded_by=user
    )
    visit.full_clean()
    visit.save()
    return visit


def start_publicity(*, case: DibaoCase, user, start: dt.date, place: str) -> Publicity:
    """公示 through the review chain (township starts it; publicity.min_days long, P9)."""
    days = integration.param("publicity.min_days", region_code=case.household.village_id, as_of=start)
    publicity = chain.start_publicity(
        subject=case,
        user=user,
        start=start,
        end=start + dt.timedelta(days=int(days) - 1),
        place=place,
        kind=integration.PUBLICITY_KIND,
    )
    case.refresh_from_db()
    return publicity


def open_publicity(case: DibaoCase) -> Publicity:
    publicity = (
        Publicity.objects.filter(record_kind=integration.WORKFLOW_KIND, record_id=case.pk, result="open")
        .order_by("-id")
        .first()
    )
    if publicity is None:
        raise ValidationError(NO_OPEN_PUBLICITY)
    return publicity


def record_objection(*, case: DibaoCase, user, reason: str, received_on: dt.date) -> DibaoCase:
    """An objection during 公示 sends the case back to investigation; a new 公示 is needed."""
    chain.record_objection(publicity=open_publicity(case), user=user, content=reason, received_on=received_on)
    case.refresh_from_db()
    return case


def close_publicity(*, case: DibaoCase, user, on: dt.date) -> DibaoCase:
    """公示期满无异议 (township, after the last day): the case waits for county confirmation."""
    chain.close_publicity(publicity=open_publicity(case), user=user, as_of=on)
    case.refresh_from_db()
    return case


# Hooks the review chain calls inside its transaction (registered in integration.register_workflow).


def on_publicity_started(*, record: DibaoCase, user) -> None:
    """镇审核 → 公示 → 县确认 (P9): a case still at the township is reviewed (approved) by the
    township that starts its 公示; a case not yet submitted or sent back to the village cannot be."""
    if record.status == CaseStatus.INVESTIGATING and record.review_state in _township_states():
        chain.approve(record=record, user=user, note="镇审核通过，开始公示")
    if record.review_state != _final_level().pending:
        raise ValidationError(NOT_REVIEWED.format(state=record.get_review_state_display()))
    publicity = open_publicity(record)
    _move(
        record, user=user, to=CaseStatus.IN_PUBLICITY, allowed=(CaseStatus.INVESTIGATING,), action="开始公示"
    )
    record.publicity_start, record.publicity_end = publicity.start, publicity.end
    record.publicity_place = publicity.place
    record.save(update_fields=["status", "publicity_start", "publicity_end", "publicity_place", "updated_at"])


def _township_states() -> set[str]:
    return {
        state
        for level in chain_for(integration.WORKFLOW_KIND)[:-1]
        for state in (level.pending, level.returned_here)
    }


def on_publicity_objected(*, record: DibaoCase, user, reason: str) -> None:
    _move(
        record, user=user, to=CaseStatus.INVESTIGATING, reason=reason, allowed=(CaseStatus.IN_PUBLICITY,),
        action="登记异议", event=WorkflowAction.OBJECTION,
    )  # fmt: skip
    record.publicity_start = record.publicity_end = None
    record.save(update_fields=["status", "publicity_start", "publicity_end", "updated_at"])


def on_publicity_passed(*, record: DibaoCase, user, as_of: dt.date) -> None:
    _move(record, user=user, to=CaseStatus.CONFIRMING, allowed=(CaseStatus.IN_PUBLICITY,), action="结束公示")
    record.save(update_fields=["status", "updated_at"])


# The case's amount figures copied into its amount history (the parameter ids go to parameter_ids).
AMOUNT_FIELDS = tuple(name for name in CASE_FIGURES if name != "standard_parameter_ids")


# The case's mark of its current amount row (DibaoCase.amount_valid_from), saved with the figures.
AMOUNT_MARK_FIELDS = ("amount_valid_from", "amount_basis")


def record_amount(case: DibaoCase, *, valid_from: dt.date, basis: str, note: str = "") -> CaseAmount:
    """The case's figures as they now stand hold from valid_from's month (case amount history, read
    by the rolls). Rows an earlier decision dated after that month no longer hold and are replaced;
    a confirmed roll keeps its own copy of what it paid. The row is now the case's latest, so the
    case is marked with its month and basis: the caller saves the case after this call (its
    figures with AMOUNT_MARK_FIELDS), so that the case's history event carries both at once."""
    valid_from = first_of_month(valid_from)
    case.amount_valid_from, case.amount_basis = valid_from, basis
    CaseAmount.objects.filter(case=case, valid_from__gt=valid_from).delete()
    row, _ = CaseAmount.objects.update_or_create(
        case=case,
        valid_from=valid_from,
        defaults={
            **{name: getattr(case, name) for name in AMOUNT_FIELDS},
            "basis": basis,
            "note": note[:300],
            "parameter_ids": list(case.standard_parameter_ids),
            "recorded_at": timezone.now(),
        },
    )
    return row


@transaction.atomic
def confirm_case(*, case: DibaoCase, user, on: dt.date, special_reason: str = "") -> DibaoCase:
    """县审核确认: after 公示 ends; pay from the next month (P9); start row in the change ledger.

    A household the rules reject is refused with the Chinese reason. One rejected on its assets
    alone (R7: income under the standard, per-capita financial assets above the limit) may be
    confirmed through an explicit 特殊情况 decision with its reason (special_reason): the reason
    and the assets accepted are kept on the case, the reason in the chain's log; should the
    assets rise above those accepted, the recalculation proposes the stop as usual."""
    case = DibaoCase.objects.select_for_update().select_related("household").get(pk=case.pk)
    require_county(user, case.household)
    if case.status == CaseStatus.IN_PUBLICITY and case.publicity_end and on <= case.publicity_end:
        raise ValidationError(PUBLICITY_NOT_OVER.format(end=case.publicity_end))
    if case.status != CaseStatus.CONFIRMING:
        raise ValidationError(WRONG_STATE.format(state=case.get_status_display(), action="确认"))
    chain.ensure_publicity_passed(record=case)
    if case.near_relative_of_staff and not case.visits.filter(level=VisitLevel.COUNTY).exists():
        raise ValidationError(COUNTY_VISIT_REQUIRED)
    case.special_reason, case.special_assets = "", None
    calc = case_amount(case, as_of=on)
    special_reason = special_reason.strip()
    if not calc.amount.eligible:
        reasons = "；".join(ineligible_reasons(calc, on))
        if not calc.amount.income_below:
            raise ValidationError(
                (SPECIAL_ONLY_ASSETS if special_reason else NOT_ELIGIBLE).format(reason=reasons)
            )
        if not special_reason:
            raise ValidationError(NOT_ELIGIBLE.format(reason=reasons) + ASSETS_SPECIAL_HINT)
        case.special_reason = special_reason[:300]
        case.special_assets = calc.facts.financial_assets
        calc = case_amount(case, as_of=on)
    elif special_reason:
        raise ValidationError(NO_SPECIAL_NEEDED)
    note = (
        SPECIAL_NOTE.format(on=on, reason=case.special_reason)
        if case.special_reason
        else f"{on:%Y-%m-%d} 县审核确认"
    )
    # 县审核确认 is the chain's last approval (role, scope, segregation of duties, WorkflowEvent).
    chain.approve(record=case, user=user, note=note)
    apply_amount(case, calc.amount, parameter_ids=calc.parameter_ids)
    _move(case, user=user, to=CaseStatus.ACTIVE, allowed=(CaseStatus.CONFIRMING,), action="确认", log=False)
    case.confirmed_on = on
    case.confirmed_by = user
    case.start_month = next_month(on)
    case.next_review_date = on + relativedelta(months=REVIEW_MONTHS)
    record_amount(
        case, valid_from=case.start_month, basis=AmountBasis.CONFIRMATION, note=f"{on:%Y-%m-%d} 县审核确认"
    )
    case.save()
    ledger(
        case=case,
        kind=LedgerKind.START,
        month=case.start_month,
        old=0,
        new=case.monthly_amount,
        reason="新增低保",
    )
    _grant_disability_subsidies(case, calc, user)
    return case


def ineligible_reasons(calc: CaseCalculation, as_of: dt.date) -> tuple[str, ...]:
    """Why the rules reject the household: the sentences of its eligibility result (decide_dibao
    explains the same calculator's figures)."""
    from programs.rules.dibao import decide_dibao

    return decide_dibao(calc.facts, as_of, calc.params).reasons


def _grant_disability_subsidies(case: DibaoCase, calc: CaseCalculation, user) -> None:
    """两项补贴 (R10) records for the case's disabled members, from its first month. They are part of
    the benefit the county just confirmed: approved by the case's chain (已入库, linked to the case,
    one WorkflowEvent each naming the case), not sent through a second review."""
    held = set(
        DisabilitySubsidy.objects.filter(
            household_id=case.household_id, status__in=(SimpleStatus.ACTIVE, SimpleStatus.PENDING)
        ).values_list("member_id", "kind")
    )
    granted = DisabilitySubsidy.objects.bulk_create(
        [
            DisabilitySubsidy(
                household_id=case.household_id,
                member_id=member_id,
                kind=kind,
                grade=grade,
                monthly_amount=amount,
                start_month=case.start_month,
                dibao_case=case,
                review_state=ReviewState.VERIFIED,
            )  # fmt: skip
            for member_id, kind, grade, amount in calc.amount.subsidy_items()
            if (member_id, kind) not in held
        ]
    )
    if user is not None:
        record_decided_elsewhere(
            granted, user, kind=integration.SUBSIDY_KIND, reason=f"随低保案件#{case.pk}县审核确认核定"
        )


@transaction.atomic
def refuse_case(*, case: DibaoCase, user, reason: str, on: dt.date) -> DibaoCase:
    """不予确认: a written notice is due within refusal_notice.working_days working days (P9)."""
    require_county(user, case.household)
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    allowed = (CaseStatus.INVESTIGATING, CaseStatus.IN_PUBLICITY, CaseStatus.CONFIRMING)
    _move(case, user=user, to=CaseStatus.REFUSED, reason=reason, allowed=allowed, action="不予确认")
    days = integration.param("refusal_notice.working_days", region_code=case.household.village_id, as_of=on)
    case.refused_on = on
    case.refusal_reason = reason
    case.refusal_notice_due = working_day_after(on, int(days))
    case.save()
    Alert.objects.create(
        kind=AlertKind.REFUSAL_NOTICE_DUE,
        household_id=case.household_id,
        case=case,
        due_date=case.refusal_notice_due,
        message=f"不予确认书面通知须于{case.refusal_notice_due:%Y年%m月%d日}前送达申请人",
    )
    return case


@transaction.atomic
def record_refusal_notice_sent(*, case: DibaoCase, user, on: dt.date) -> DibaoCase:
    require_scope(user, case.household)
    if case.status != CaseStatus.REFUSED:
        raise ValidationError(WRONG_STATE.format(state=case.get_status_display(), action="登记通知送达"))
    case.refusal_notice_sent_on = on
    case.save(update_fields=["refusal_notice_sent_on", "updated_at"])
    Alert.objects.filter(case=case, kind=AlertKind.REFUSAL_NOTICE_DUE, handled_at=None).update(
        handled_at=timezone.now(), handled_by=user
    )
    return case


@transaction.atomic
def stop_case(*, case: DibaoCase, user, month: dt.date, reason: str, phase_out=None) -> DibaoCase:
    """停保 from `month` on (the first month not paid); the ledger gets its stop row."""
    if user is not None:
        require_county(user, case.household)
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    old_amount = case.monthly_amount
    _move(
        case,
        user=user,
        to=CaseStatus.STOPPED,
        reason=reason,
        allowed=(CaseStatus.ACTIVE, CaseStatus.PHASING_OUT),
        action="停保",
    )
    case.stop_month = month.replace(day=1)
    case.stop_reason = reason
    case.monthly_amount = 0
    record_amount(case, valid_from=case.stop_month, basis=AmountBasis.STOP, note=reason)
    case.save()
    # 两项补贴 granted with a 低保 case follow it (P14: members of 低保 households); one applied for on
    # its own (护理补贴 outside 低保) is not the case's to stop.
    DisabilitySubsidy.objects.filter(
        household_id=case.household_id, status=SimpleStatus.ACTIVE, dibao_case__isnull=False
    ).update(status=SimpleStatus.STOPPED, stop_month=case.stop_month)
    ledger(
        case=case,
        kind=LedgerKind.STOP,
        month=case.stop_month,
        old=old_amount,
        new=0,
        reason=reason,
        phase_out=phase_out,
    )
    return case
