from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied

from assistance.choices import LedgerKind, Program
from assistance.models import ChangeLedgerEntry, DibaoCase, HolidayCalendar
from assistance.rules import add_working_days
from core.choices import ReviewState, Role
from core.permissions import role_of
from core.scoping import is_in_scope
from core.workflow import services as chain
from core.workflow.choices import WorkflowAction
from core.workflow.config import chain_for, record_kind

COUNTY_ONLY = "仅县级民政部门可以执行此操作"
OUT_OF_SCOPE = "该户不在您的管辖范围内"
COUNTY_ROLES = {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}  # require_county


def require_county(user, household) -> None:
    """Confirm 低保, start 渐退, home-visit sampling: county staff (domain.md#permissions)."""
    if user is None:  # scheduled jobs act for the system
        return
    if role_of(user) not in COUNTY_ROLES:
        raise PermissionDenied(COUNTY_ONLY)
    if not is_in_scope(user, household.village_id):
        raise PermissionDenied(OUT_OF_SCOPE)


def require_scope(user, household) -> None:
    if user is not None and not is_in_scope(user, household.village_id):
        raise PermissionDenied(OUT_OF_SCOPE)


def working_day_after(start: dt.date, days: int) -> dt.date:
    """`days` working days after start, skipping holidays and counting 调休 weekends."""
    horizon = start + dt.timedelta(days=days * 3 + 30)
    overrides = dict(
        HolidayCalendar.objects.filter(date__gt=start, date__lte=horizon).values_list("date", "is_workday")
    )
    return add_working_days(start, days, overrides)


def ledger(
    *,
    case: DibaoCase,
    kind: LedgerKind,
    month: dt.date,
    old: Decimal,
    new: Decimal,
    reason: str,
    phase_out=None,
) -> ChangeLedgerEntry:
    return ChangeLedgerEntry.objects.create(
        household_id=case.household_id,
        program=Program.DIBAO,
        case=case,
        phase_out=phase_out,
        kind=kind,
        month=month,
        old_amount=old,
        new_amount=new,
        reason=reason,
    )


def submit_application(record, user, *, kind: str) -> None:
    """申请 enters the review chain at its first level (受理). A village clerk submits through the
    chain's submit(); an application taken at the township or county window is logged as submitted
    there (whoever took it may not approve it: segregation of duties)."""
    if role_of(user) == Role.VILLAGE_CLERK:
        chain.submit(record=record, user=user)
        return
    first = chain_for(kind)[0].pending
    record.review_state = first
    fields = ["review_state"] + (["updated_at"] if hasattr(record, "updated_at") else [])
    record.save(update_fields=fields)
    chain.log_event(
        kind=record_kind(kind), record=record, action=WorkflowAction.SUBMIT,
        from_state=ReviewState.DRAFT, to_state=first, user=user, reason="窗口受理申请",
    )  # fmt: skip


def record_decided_elsewhere(records, user, *, kind: str, reason: str) -> None:
    """Records created already approved by another record's chain step (e.g. 两项补贴 granted by a
    低保 case's 县审核确认, or a 特困 case the county entered itself): log that step for each."""
    for record in records:
        chain.log_event(
            kind=record_kind(kind), record=record, action=WorkflowAction.APPROVE,
            from_state=ReviewState.DRAFT, to_state=ReviewState.VERIFIED, user=user, reason=reason,
        )  # fmt: skip


# 特困 cases and stand-alone 两项补贴 records pass the chain as it is: 村提交 → 镇审核 → 县审核确认
# (the county's approval calls the record kind's on_verified hook, which starts payment).


def resubmit(record, user):
    """村修正后重新提交."""
    chain.submit(record=record, user=user)
    return record


def approve_step(record, user, note: str = ""):
    """镇审核通过, or 县审核确认 at the last level (the record is then reloaded: it is paying)."""
    chain.approve(record=record, user=user, note=note)
    record.refresh_from_db()
    return record


def return_step(record, user, reason: str):
    """退回 one level down with a reason (镇 → 村修正, 县 → 镇修正)."""
    chain.return_to_lower(record=record, user=user, reason=reason)
    return record
