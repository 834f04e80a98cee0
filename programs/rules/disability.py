"""R10 两项补贴: 困难残疾人生活补贴 (低保 households, share of the standard) and 重度残疾人护理补贴
(by grade; S002: 一级 50, 二级 40 yuan/person/month)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.money import to_yuan
from programs.rules.facts import ZERO, Decision, HouseholdFacts
from programs.rules.params import ParameterSet

LIVING = "disability_living"
CARE = "disability_care"
TWELVE = Decimal(12)
GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

NO_CARD = "家庭成员中无持证残疾人"
NOT_DIBAO = "家庭不符合低保条件，困难残疾人生活补贴仅发给低保家庭中的持证残疾人"
LIVING_ITEM = "{name}（{grade}残疾）：生活补贴 = 低保标准 {std} 元 × {rate}% = {amount} 元/月"
CARE_ITEM = "{name}（{grade}残疾）：护理补贴 {amount} 元/月"
CARE_NONE = "{name}（{grade}残疾）：当地护理补贴标准为 0 元，不发放"
NO_SEVERE = "家庭成员中无一、二级（重度）残疾人"
# Decisions are immutable: the answers most households get are made once.
NO_CARD_DECISION = Decision(LIVING, False, reasons=(NO_CARD,))
NOT_DIBAO_DECISION = Decision(LIVING, False, reasons=(NOT_DIBAO,))
NO_SEVERE_DECISION = Decision(CARE, False, reasons=(NO_SEVERE,))


def decide_disability_living(
    facts: HouseholdFacts, as_of: dt.date, params: ParameterSet, *, dibao_eligible: bool
) -> Decision:
    holders = [m for m in facts.members if m.has_disability_card]
    if not holders:
        return NO_CARD_DECISION
    if not dibao_eligible:
        return NOT_DIBAO_DECISION
    used = {"subsidy.living_rate", "dibao.rural_standard_year"}
    rate, std_year = params.decimal("subsidy.living_rate"), params.decimal("dibao.rural_standard_year")
    each = living_subsidy_each(params)
    monthly = each * len(holders)
    reasons = tuple(
        LIVING_ITEM.format(
            name=m.label,
            grade=GRADE_NAMES.get(m.disability_grade or 0, ""),
            std=to_yuan(std_year / TWELVE),
            rate=f"{(rate * 100).normalize():f}",
            amount=each,
        )
        for m in holders
    )
    return Decision(
        LIVING,
        True,
        monthly_amount=monthly,
        persons=len(holders),
        reasons=reasons,
        parameter_ids=params.ids_for(used),
    )


def living_subsidy_each(params: ParameterSet) -> Decimal:
    """R10 生活补贴 of one card holder in a 低保 household: rate × annual standard ÷ 12, rounded once
    per person (each holder's subsidy is paid as an item of its own)."""
    return to_yuan(
        params.decimal("subsidy.living_rate") * params.decimal("dibao.rural_standard_year") / TWELVE
    )


def care_amount(grade: int | None, params: ParameterSet) -> Decimal:
    """Monthly 护理补贴 for a disability grade (0 when none): the case of a 低保 household, the
    stand-alone 护理补贴 record and the eligibility result all read it here."""
    if grade is None:
        return ZERO
    return to_yuan(Decimal(params.decimal(f"subsidy.care.grade_{grade}")))


def decide_disability_care(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    graded = [m for m in facts.members if m.disability_grade is not None]
    if not graded:
        return NO_SEVERE_DECISION
    used = {f"subsidy.care.grade_{m.disability_grade}" for m in graded}
    total, paid, reasons = ZERO, 0, []
    for m in graded:
        amount = care_amount(m.disability_grade, params)
        grade = GRADE_NAMES.get(m.disability_grade or 0, "")
        if amount > 0:
            total += amount
            paid += 1
            reasons.append(CARE_ITEM.format(name=m.label, grade=grade, amount=to_yuan(amount)))
        else:
            reasons.append(CARE_NONE.format(name=m.label, grade=grade))
    return Decision(
        CARE,
        paid > 0,
        monthly_amount=to_yuan(total),
        persons=paid,
        reasons=tuple(reasons),
        parameter_ids=params.ids_for(used),
    )
