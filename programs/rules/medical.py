"""Health rules of the seeds: inpatient top-up to the target ratio (S002 ≥90%; the top-up mechanism
is a design assumption, scenario 23), chronic-disease out-of-pocket caps by hospital level (S002),
and the household-level 慢病/大病医疗扶助 decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.money import to_yuan
from programs.rules.facts import ZERO, Decision, HouseholdFacts
from programs.rules.params import ParameterSet

PROGRAM = "medical"
HOSPITAL_LEVELS = {"county": "县级及以下", "city": "市级", "province": "省级"}

TOP_UP = "住院费用 {total} 元，已报销 {reimbursed} 元（{ratio}%），补足至 {target}% 需再补助 {amount} 元"
NO_TOP_UP = "住院费用 {total} 元，已报销 {reimbursed} 元（{ratio}%），已达到 {target}%，无需补助"
CHRONIC = "慢病年度自付 {oop} 元，{level}医院自付上限 {cap} 元，扶助 {amount} 元"
MEMBER_ILL = "{name}（{health}），可享受慢病/大病医疗扶助，按实际费用结算"
MENTAL = "{name}（精神残疾），居家治疗每年免费发放精神类药品 {amount} 元"
NONE = "家庭成员中无慢性病、大病或精神残疾患者"
HEALTH_NAMES = {"chronic": "长期慢性病", "serious": "患有大病"}
NO_PATIENTS = Decision(PROGRAM, False, reasons=(NONE,))  # immutable: made once


def _pct(value: Decimal) -> str:
    return f"{to_yuan(value * 100)}"


def inpatient_top_up(*, total_cost: Decimal, reimbursed: Decimal, params: ParameterSet) -> Decision:
    """Top up what the existing schemes paid to target_ratio × total (never negative)."""
    target = params.decimal("medical.inpatient_target_ratio")
    amount = max(ZERO, target * total_cost - reimbursed)
    ratio = reimbursed / total_cost if total_cost else ZERO
    fmt = TOP_UP if amount > 0 else NO_TOP_UP
    reason = fmt.format(
        total=to_yuan(total_cost),
        reimbursed=to_yuan(reimbursed),
        ratio=_pct(ratio),
        target=_pct(target),
        amount=to_yuan(amount),
    )
    return Decision(
        PROGRAM,
        amount > 0,
        annual_amount=to_yuan(amount),
        reasons=(reason,),
        parameter_ids=params.ids_for(["medical.inpatient_target_ratio"]),
        amounts={"actual_ratio": to_yuan(((reimbursed + amount) / total_cost) * 100) if total_cost else ZERO},
    )


def chronic_assistance(*, out_of_pocket: Decimal, hospital_level: str, params: ParameterSet) -> Decision:
    """S002: 扶助 = max(0, 自付 − cap(level)) for the 36 chronic diseases."""
    key = f"medical.chronic_cap.{hospital_level}"
    cap = params.decimal(key)
    amount = max(ZERO, out_of_pocket - cap)
    reason = CHRONIC.format(
        oop=to_yuan(out_of_pocket),
        level=HOSPITAL_LEVELS[hospital_level],
        cap=to_yuan(cap),
        amount=to_yuan(amount),
    )
    return Decision(
        PROGRAM,
        amount > 0,
        annual_amount=to_yuan(amount),
        reasons=(reason,),
        parameter_ids=params.ids_for([key]),
    )


def decide_medical(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    reasons, persons, annual, used = [], 0, ZERO, set()
    for m in facts.members:
        if m.health in HEALTH_NAMES:
            persons += 1
            reasons.append(MEMBER_ILL.format(name=m.label, health=HEALTH_NAMES[m.health]))
        if m.disability_type == "mental":
            used.add("medical.mental_home_year")
            amount = params.decimal("medical.mental_home_year")
            persons += m.health not in HEALTH_NAMES
            annual += amount
            reasons.append(MENTAL.format(name=m.label, amount=to_yuan(amount)))
    if not reasons:
        return NO_PATIENTS
    return Decision(
        PROGRAM,
        True,
        annual_amount=to_yuan(annual),
        persons=persons,
        reasons=tuple(reasons),
        parameter_ids=params.ids_for(used),
    )


CHRONIC_YEAR = (
    "{year}年门诊慢病自付累计 {total} 元（本次 {oop} 元），{level}医院年度自付上限 {cap} 元；"
    "超出上限 {over} 元，此前已救助 {before} 元，本次救助 {amount} 元"
)


def chronic_year_assistance(
    *,
    year: int,
    out_of_pocket: Decimal,
    earlier_out_of_pocket: Decimal,
    earlier_assistance: Decimal,
    hospital_level: str,
    params: ParameterSet,
) -> Decision:
    """S002 chronic cap per calendar year, cumulative over the year's bills: after this bill the
    patient's self-pay for the year is brought down to cap(level) and no further —
    救助 = max(0, max(0, 累计自付 − cap) − 此前已救助)."""
    key = f"medical.chronic_cap.{hospital_level}"
    cap = params.decimal(key)
    total = earlier_out_of_pocket + out_of_pocket
    over = max(ZERO, total - cap)
    amount = max(ZERO, over - earlier_assistance)
    reason = CHRONIC_YEAR.format(
        year=year, total=to_yuan(total), oop=to_yuan(out_of_pocket), level=HOSPITAL_LEVELS[hospital_level],
        cap=to_yuan(cap), over=to_yuan(over), before=to_yuan(earlier_assistance), amount=to_yuan(amount),
    )  # fmt: skip
    return Decision(
        PROGRAM,
        amount > 0,
        annual_amount=to_yuan(amount),
        reasons=(reason,),
        parameter_ids=params.ids_for([key]),
    )
