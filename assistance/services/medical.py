"""医疗救助: a member's bills through the chain (村录入提交 → 镇审核 → 县审核确认) and their amount.

The amount follows the dated parameters valid on the bill's date in the household's village (S002):
门诊慢病 — the calendar year's self-pay of the member's chronic bills is brought down to the cap of
the hospital level (medical.chronic_cap.<level>), cumulatively over the year's bills the county
approved, in date order, and no further (a returned or pending bill counts for nothing,
scenario 38); 住院 and 大病 — the reimbursement is topped up to
medical.inpatient_target_ratio of the total. Computed when entered, again at the county's approval
(an earlier bill of the year may have been approved meanwhile), and paid once on the
medical-assistance roll of the month after approval (assistance.services.rolls). When an earlier
chronic bill is approved after later ones, the later bills of that year are computed again; one
already paid on a confirmed roll gets an adjustment line (补发/扣减) for the difference.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from assistance import integration
from assistance.choices import LOCKED_ROLL_STATUSES, LineKind, MedicalBillStatus, MedicalKind
from assistance.models import MedicalBill, PaymentLine, PaymentRoll
from assistance.rules import next_month
from assistance.services import rolls
from assistance.services.common import approve_step, require_scope, resubmit, return_step, submit_application
from households.models import Member
from programs.rules.medical import chronic_year_assistance, inpatient_top_up
from programs.rules.params import ParameterSet
from programs.selectors import parameters_for

MEDICAL_KEYS = [
    "medical.inpatient_target_ratio",
    "medical.chronic_cap.county",
    "medical.chronic_cap.city",
    "medical.chronic_cap.province",
]
ZERO = Decimal("0")


def _params(bill: MedicalBill) -> ParameterSet:
    return parameters_for(region_code=bill.household.village_id, as_of=bill.bill_date, keys=MEDICAL_KEYS)


def _same_year_chronic(bill: MedicalBill):
    year_start = bill.bill_date.replace(month=1, day=1)
    return MedicalBill.objects.filter(
        member_id=bill.member_id,
        kind=MedicalKind.CHRONIC,
        bill_date__gte=year_start,
        bill_date__lt=year_start.replace(year=year_start.year + 1),
    )


def _earlier_chronic(bill: MedicalBill) -> tuple[Decimal, Decimal]:
    """Self-pay and assistance of the member's chronic bills of the same calendar year before this
    one (by date, then entry order) that the county approved: a returned or pending bill counts for
    nothing toward the cap (scenario 38)."""
    earlier = _same_year_chronic(bill).filter(
        Q(bill_date__lt=bill.bill_date) | Q(bill_date=bill.bill_date, pk__lt=bill.pk or 0),
        status=MedicalBillStatus.APPROVED,
    )
    sums = earlier.aggregate(oop=Sum("out_of_pocket"), aid=Sum("assistance_amount"))
    return sums["oop"] or ZERO, sums["aid"] or ZERO


def compute(bill: MedicalBill) -> None:
    """The bill's 医疗救助 amount, its explanation in Chinese and the parameter versions used."""
    params = _params(bill)
    if bill.kind == MedicalKind.CHRONIC:
        oop, aid = _earlier_chronic(bill)
        decision = chronic_year_assistance(
            year=bill.bill_date.year, out_of_pocket=bill.out_of_pocket, earlier_out_of_pocket=oop,
            earlier_assistance=aid, hospital_level=bill.hospital_level, params=params,
        )  # fmt: skip
    else:
        decision = inpatient_top_up(
            total_cost=bill.total_cost,
            reimbursed=bill.basic_insurance_paid + bill.critical_insurance_paid,
            params=params,
        )
    bill.assistance_amount = decision.annual_amount
    bill.explanation = "；".join(decision.reasons)
    bill.parameter_ids = list(decision.parameter_ids)


@transaction.atomic
def enter_bill(
    *,
    member: Member,
    user,
    bill_date: dt.date,
    hospital: str,
    hospital_level: str,
    kind: str,
    total_cost: Decimal,
    basic_insurance_paid: Decimal = ZERO,
    critical_insurance_paid: Decimal = ZERO,
) -> MedicalBill:
    """村录入: the bill with its computed amount, submitted into the chain (a clerk's entry goes to the
    township; one taken at a township or county window is logged as submitted there)."""
    household = member.household
    require_scope(user, household)
    bill = MedicalBill(
        household=household, member=member, bill_date=bill_date, hospital=hospital,
        hospital_level=hospital_level, kind=kind, total_cost=total_cost,
        basic_insurance_paid=basic_insurance_paid, critical_insurance_paid=critical_insurance_paid,
        applied_by=user,
    )  # fmt: skip
    bill.full_clean(exclude=["out_of_pocket"])
    bill.out_of_pocket = total_cost - basic_insurance_paid - critical_insurance_paid
    compute(bill)
    bill.save()
    submit_application(bill, user, kind=integration.MEDICAL_KIND)
    return bill


# The chain steps with one signature (record, user, …) for the admin's and the API's actions.
STEPS = {
    "submit": lambda record, user: resubmit(record, user),
    "approve": lambda record, user, note="": approve_step(record, user, note),
    "return": lambda record, user, reason: return_step(record, user, reason),
}


def on_approved(*, record: MedicalBill, user) -> None:
    """县审核确认 (inside the chain's transaction): the amount once more, paid next month; a chronic
    bill approved after later bills of its year computes those again."""
    compute(record)
    record.status = MedicalBillStatus.APPROVED
    record.pay_month = open_pay_month(record)
    record.save(update_fields=["assistance_amount", "explanation", "parameter_ids", "status", "pay_month"])
    if record.kind == MedicalKind.CHRONIC:
        _recompute_later(record, user)


LATER_APPROVED = "{year}年较早的门诊慢病票据（{day}）核准后重新核算：应救助 {new} 元，已发放 {paid} 元"


def _recompute_later(bill: MedicalBill, user) -> None:
    """The member's later chronic bills of the year, in date order, computed again now that `bill`
    counts. An approved bill already paid on a confirmed roll gets an adjustment line for the
    difference on the first draft roll after its line (the amount a draft line pays is rewritten
    when the roll is built again)."""
    later = (
        _same_year_chronic(bill)
        .filter(Q(bill_date__gt=bill.bill_date) | Q(bill_date=bill.bill_date, pk__gt=bill.pk))
        .select_related("household")
        .order_by("bill_date", "pk")
    )
    for other in later:
        before = other.assistance_amount
        compute(other)
        if other.assistance_amount == before:
            continue
        fields = ["assistance_amount", "explanation", "parameter_ids"]
        if other.status == MedicalBillStatus.APPROVED and not _adjust_paid(other, bill, user):
            other.pay_month = open_pay_month(other)  # unpaid, its month's roll may be locked by now
            fields.append("pay_month")
        other.save(update_fields=fields)


def open_pay_month(bill: MedicalBill) -> dt.date:
    """The month a bill approved today is paid in: the next month, or the first later one whose
    medical roll for the county is not confirmed yet (a locked roll never takes a line)."""
    county_id = bill.household.village_id[:6] + "000000"
    month = next_month(timezone.localdate())
    locked = set(
        PaymentRoll.objects.filter(
            county_id=county_id, program="medical", month__gte=month, status__in=LOCKED_ROLL_STATUSES
        ).values_list("month", flat=True)
    )
    while month in locked:
        month = next_month(month)
    return month


def _adjust_paid(bill: MedicalBill, earlier: MedicalBill, user) -> bool:
    """An adjustment line for a bill paid on a locked roll (False when it was not paid)."""
    lines = PaymentLine.objects.filter(program="medical", case_id=bill.pk)
    paid_line = (
        lines.filter(kind=LineKind.REGULAR, roll__status__in=LOCKED_ROLL_STATUSES).order_by("-month").first()
    )
    if paid_line is None:
        return False  # not paid: a draft roll of its pay month pays the new amount when built again
    paid = lines.filter(Q(roll__status__in=LOCKED_ROLL_STATUSES) | Q(kind=LineKind.ADJUSTMENT))
    paid_total = paid.aggregate(total=Sum("total_amount"))["total"] or ZERO
    delta = bill.assistance_amount - paid_total
    if delta == 0:
        return True
    rolls.add_adjustment(
        line=paid_line,
        amount=delta,
        reason=LATER_APPROVED.format(
            year=bill.bill_date.year, day=earlier.bill_date, new=bill.assistance_amount, paid=paid_total
        ),
        month=max(open_pay_month(bill), next_month(paid_line.month)),
        user=user,
    )
    return True
