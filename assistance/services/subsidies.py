"""残疾人两项补贴 (R10, P14) outside 低保.

A record granted by a 低保 case's 县审核确认 is approved by that case's chain (see
cases._grant_disability_subsidies). P14 limits 生活补贴 to members of 低保 households, so only a
护理补贴 (grade 1–2, or the grades the county's parameters pay) is applied for on its own, for a
household not on 低保. It runs through the review chain (kind "disability_subsidy"):
村申请 → 镇审核 → 县审核确认, returns one level down with a reason, every step a WorkflowEvent.
The county's approval fixes the amount from the parameters and pays from the next month."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance import integration
from assistance.choices import PAYING_STATUSES, SimpleStatus, SubsidyKind
from assistance.models import DibaoCase, DisabilitySubsidy
from assistance.rules import next_month
from assistance.services.common import approve_step, require_scope, resubmit, return_step, submit_application
from households.models import Member
from programs.rules.disability import care_amount
from programs.selectors import parameters_for

LIVING_NEEDS_DIBAO = "生活补贴限低保家庭的残疾人，随低保案件核定（P14），不能单独申请"
ON_DIBAO = "该户正在享受低保，两项补贴随低保案件核定"
NOT_DISABLED = "申请人须为持证残疾人（残疾等级必填）"
GRADE_NOT_COVERED = "{grade}级残疾不在护理补贴范围内"
ALREADY_OPEN = "该成员已有审核中或发放中的{kind}"
MEMBER_NOT_ACTIVE = "补贴对象必须是在册成员"


def _care_amount(member: Member, grade: int, as_of):
    """护理补贴 of a grade where the member lives (R10, the amount a 低保 case pays too)."""
    key = f"subsidy.care.grade_{grade}"
    return care_amount(
        grade, parameters_for(region_code=member.household.village_id, as_of=as_of, keys=[key])
    )


@transaction.atomic
def apply_subsidy(*, member: Member, user, kind: str = SubsidyKind.CARE) -> DisabilitySubsidy:
    """申请 a stand-alone 护理补贴 (village, or a township/county window)."""
    household = member.household
    require_scope(user, household)
    if kind != SubsidyKind.CARE:
        raise ValidationError({"kind": LIVING_NEEDS_DIBAO})
    if not member.is_active:
        raise ValidationError({"member": MEMBER_NOT_ACTIVE})
    if DibaoCase.objects.filter(household=household, status__in=PAYING_STATUSES).exists():
        raise ValidationError(ON_DIBAO)
    grade = member.disability_grade
    if not grade:
        raise ValidationError({"member": NOT_DISABLED})
    if _care_amount(member, grade, timezone.localdate()) <= 0:
        raise ValidationError({"member": GRADE_NOT_COVERED.format(grade=grade)})
    held = DisabilitySubsidy.objects.filter(
        member=member, kind=kind, status__in=(SimpleStatus.PENDING, SimpleStatus.ACTIVE)
    )
    if held.exists():
        raise ValidationError(ALREADY_OPEN.format(kind=SubsidyKind(kind).label))
    record = DisabilitySubsidy(
        household=household, member=member, kind=kind, grade=grade, status=SimpleStatus.PENDING,
        applied_by=user,
    )  # fmt: skip
    record.full_clean()
    record.save()
    submit_application(record, user, kind=integration.SUBSIDY_KIND)
    return record


def submit_subsidy(*, record: DisabilitySubsidy, user) -> DisabilitySubsidy:
    return resubmit(record, user)


def approve_subsidy(*, record: DisabilitySubsidy, user, note: str = "") -> DisabilitySubsidy:
    """镇审核通过 (to the county), or 县审核确认 (the record starts paying: on_approved)."""
    return approve_step(record, user, note)


def return_subsidy(*, record: DisabilitySubsidy, user, reason: str) -> DisabilitySubsidy:
    return return_step(record, user, reason)


# The chain steps with one signature (record, user, …) for the admin's and the API's actions.
STEPS = {
    "submit": lambda record, user: submit_subsidy(record=record, user=user),
    "approve": lambda record, user, note="": approve_subsidy(record=record, user=user, note=note),
    "return": lambda record, user, reason: return_subsidy(record=record, user=user, reason=reason),
}


def on_approved(*, record: DisabilitySubsidy, user) -> None:
    """The chain's last approval (inside its transaction): the amount of the first paid month."""
    start = next_month(timezone.localdate())
    record.monthly_amount = _care_amount(record.member, record.grade, start)
    record.start_month = start
    record.status = SimpleStatus.ACTIVE
    record.save(update_fields=["monthly_amount", "start_month", "status"])
