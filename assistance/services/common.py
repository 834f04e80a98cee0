from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied

from assistance.choices import LedgerKind, Program
from assistance.models import ChangeLedgerEntry, DibaoCase, HolidayCalendar
from assistance.rules import add_working_days
from households.choices import Role
from households.permissions import role_of
from households.selectors import is_in_scope

COUNTY_ONLY = "仅县级民政部门可以执行此操作"
OUT_OF_SCOPE = "该户不在您的管辖范围内"


def require_county(user, household) -> None:
    """Confirm 低保, start 渐退, home-visit sampling: county staff (domain.md (c) permissions)."""
    if user is None:  # scheduled jobs act for the system
        return
    if role_of(user) not in {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}:
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
