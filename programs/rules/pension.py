"""R13 城乡居民养老保险: members aged ≥ pension.age on the reference date draw the basic pension
(S000); the government pays the premium for 重度残疾 members (S000) and, at least at the minimum
band, for members of households not yet out of poverty (S001). Insured persons are residents aged
≥ 16 who are not in school (国发〔2014〕8号 第五条), so no premium is paid for a pupil or student."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.money import to_yuan
from programs.rules.facts import ZERO, Decision, HouseholdFacts, age_on
from programs.rules.params import ParameterSet

PROGRAM = "pension"

RECEIVES = "{name} {age} 周岁（满 {limit} 周岁），领取城乡居民基础养老金"
PAID_DISABLED = "{name} 为重度残疾人，由政府代缴养老保险费 {amount} 元/年"
PAID_POOR = "{name} 所在户尚未脱贫，由政府代缴最低档次养老保险费 {amount} 元/年"
NONE = "家庭成员中无满 {limit} 周岁的老年人，也无政府代缴养老保险费的对象"


def pension_flag(birth_date: dt.date, as_of: dt.date, *, age: int) -> bool:
    """Scenario 5: born 1959-06-30 → True on 2019-06-30, False on 2019-06-29."""
    return age_on(birth_date, as_of) >= age


def _premium_and_ids(params: ParameterSet) -> tuple[Decimal, Decimal, tuple[int, ...]]:
    premium = params.decimal("pension.min_premium_year")
    used = {"pension.age", "pension.min_contribution_age", "pension.min_premium_year"}
    return premium, to_yuan(premium), params.ids_for(used)


def decide_pension(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    limit, min_age = params.integer("pension.age"), params.integer("pension.min_contribution_age")
    premium, premium_yuan, ids = params.derived(_premium_and_ids)
    reasons: list[str] = []
    receiving = paid = 0
    for m, age in zip(facts.members, facts.ages(as_of), strict=True):
        if age >= limit:
            receiving += 1
            reasons.append(RECEIVES.format(name=m.label, age=age, limit=limit))
        elif m.in_school:
            continue  # students are not insured persons: no 代缴
        elif age >= min_age and m.severely_disabled:
            paid += 1
            reasons.append(PAID_DISABLED.format(name=m.label, amount=premium_yuan))
        elif age >= min_age and not facts.is_exited:
            paid += 1
            reasons.append(PAID_POOR.format(name=m.label, amount=premium_yuan))
    if not reasons:
        return Decision(PROGRAM, False, reasons=(NONE.format(limit=limit),), parameter_ids=ids)
    return Decision(
        PROGRAM,
        True,
        annual_amount=to_yuan(premium * paid) if paid else ZERO,
        persons=receiving + paid,
        reasons=tuple(reasons),
        parameter_ids=ids,
        amounts={"receiving": receiving, "premium_paid": paid},
    )
