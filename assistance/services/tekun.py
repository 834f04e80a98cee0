"""特困供养 (R11): the basic standard follows the urban 低保 standard; care follows self-care ability.

A case is applied for at the village (or a township/county window) and runs through the review chain
(households.workflow, kind "tekun_case"): 申请 → 镇审核 → 县审核确认, returns one level down with a
reason, every step a WorkflowEvent. domain.md#workflow-tekun-subsidy gives 特困 no 公示 of its own, so
there is none.
The county's approval fixes the standards and pays from the next month (as 低保, P9 [U] for 特困).
A case the county enters itself (纳入, the API's create) is recorded as decided by the county."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance import integration
from assistance.choices import SelfCare, SimpleStatus
from assistance.models import TekunCase
from assistance.rules import first_of_month, next_month, tekun_basic_standard
from assistance.services.common import (
    approve_step,
    record_decided_elsewhere,
    require_county,
    require_scope,
    resubmit,
    return_step,
    submit_application,
)
from core.choices import ReviewState
from households.models import Member

TEKUN_KEYS = [
    "tekun.mode",
    "tekun.urban_multiplier",
    "tekun.fixed_month",
    "dibao.urban_standard_month",
    "tekun.care.full_care",
    "tekun.care.semi",
    "tekun.care.self",
]
CARE_KEY = {
    SelfCare.NONE: "tekun.care.full_care",
    SelfCare.PARTIAL: "tekun.care.semi",
    SelfCare.FULL: "tekun.care.self",
}
MEMBER_NOT_ACTIVE = "供养对象必须是在册成员"
ALREADY_OPEN = "该成员已有审核中或发放中的特困供养"
COUNTY_ENTERED = "县级直接认定纳入（未经村、镇申报）"


def standards(p: integration.Params, self_care: str) -> tuple[Decimal, Decimal]:
    """(basic, care) per month from the parameters of a region and month."""
    if str(p.text("tekun.mode")) == "fixed":
        basic = p.dec("tekun.fixed_month")
    else:
        basic = tekun_basic_standard(
            urban_standard_month=p.dec("dibao.urban_standard_month"),
            multiplier=p.dec("tekun.urban_multiplier"),
        )
    return basic, p.dec(CARE_KEY[SelfCare(self_care)])


def _set_standards(case: TekunCase, start_month: dt.date) -> None:
    p = integration.params(region_code=case.household.village_id, as_of=start_month, keys=TEKUN_KEYS)
    case.basic_standard, case.care_standard = standards(p, case.self_care)
    case.start_month = start_month


def _check_member(member: Member) -> None:
    if not member.is_active:
        raise ValidationError({"member": MEMBER_NOT_ACTIVE})
    open_cases = TekunCase.objects.filter(
        member=member, status__in=(SimpleStatus.PENDING, SimpleStatus.ACTIVE)
    )
    if open_cases.exists():
        raise ValidationError({"member": ALREADY_OPEN})


@transaction.atomic
def start_tekun(
    *,
    member: Member,
    user,
    mode: str,
    self_care: str,
    start_month: dt.date,
    assessed_on: dt.date | None = None,
) -> TekunCase:
    """县级纳入: the county enters and decides the case itself; the chain records that decision."""
    household = member.household
    require_county(user, household)
    _check_member(member)
    case = TekunCase(
        household=household, member=member, mode=mode, self_care=self_care, assessed_on=assessed_on,
        status=SimpleStatus.ACTIVE, review_state=ReviewState.VERIFIED, applied_by=user,
    )  # fmt: skip
    _set_standards(case, first_of_month(start_month))
    case.full_clean()
    case.save()
    record_decided_elsewhere([case], user, kind=integration.TEKUN_KIND, reason=COUNTY_ENTERED)
    return case


@transaction.atomic
def apply_tekun(
    *, member: Member, user, mode: str, self_care: str, assessed_on: dt.date | None = None
) -> TekunCase:
    """申请: entered at the village (submitted into the chain) or at a township/county window."""
    household = member.household
    require_scope(user, household)
    _check_member(member)
    case = TekunCase(
        household=household, member=member, mode=mode, self_care=self_care, assessed_on=assessed_on,
        status=SimpleStatus.PENDING, applied_by=user,
    )  # fmt: skip
    case.full_clean()
    case.save()
    submit_application(case, user, kind=integration.TEKUN_KIND)
    return case


def submit_tekun(*, case: TekunCase, user) -> TekunCase:
    return resubmit(case, user)


def approve_tekun(*, case: TekunCase, user, note: str = "") -> TekunCase:
    """镇审核通过 (to the county), or 县审核确认 (the case starts paying: on_confirmed)."""
    return approve_step(case, user, note)


def return_tekun(*, case: TekunCase, user, reason: str) -> TekunCase:
    return return_step(case, user, reason)


# The chain steps with one signature (record, user, …) for the admin's and the API's actions.
STEPS = {
    "submit": lambda record, user: submit_tekun(case=record, user=user),
    "approve": lambda record, user, note="": approve_tekun(case=record, user=user, note=note),
    "return": lambda record, user, reason: return_tekun(case=record, user=user, reason=reason),
}


def on_confirmed(*, record: TekunCase, user) -> None:
    """The chain's last approval (inside its transaction): standards of the first paid month."""
    _set_standards(record, next_month(timezone.localdate()))
    record.status = SimpleStatus.ACTIVE
    record.save(update_fields=["basic_standard", "care_standard", "start_month", "status"])
