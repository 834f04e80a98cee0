"""R11 特困供养: basic standard = urban 低保标准 × multiplier (S002: 570 × 1.3 = 741), or a fixed amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.money import to_yuan
from households.income import dibao_basis_annual
from programs.rules.dibao import POLICY_KEYS, dibao_policy
from programs.rules.facts import NO_LABOR, Decision, HouseholdFacts
from programs.rules.params import ParameterSet

PROGRAM = "tekun"
TWELVE = Decimal(12)

STANDARD_MULTIPLIER = "特困供养基本生活标准 = 城市低保标准 {urban} 元 × {multiplier} = {basic} 元/人/月"
STANDARD_FIXED = "特困供养基本生活标准 {basic} 元/人/月（固定标准）"
ABLE_MEMBER = "{name} 有劳动能力，家庭不符合特困供养“无劳动能力”条件"
NO_MEMBERS = "家庭无在册成员"
INCOME_SOURCE = "家庭月人均收入 {percap} 元，不低于农村低保标准 {std} 元，不属于“无生活来源”"
ELIGIBLE = (
    "全部 {persons} 名成员均无劳动能力（或为未满 {minor} 周岁的未成年人）"
    "且无生活来源，符合特困供养条件，每月 {amount} 元"
)


def basic_standard_month(params: ParameterSet) -> tuple[Decimal, str, set[str]]:
    """R11 basic standard (yuan/person/month, rounded once), the sentence that explains it, keys used."""
    if params.text("tekun.mode") == "fixed":
        basic = to_yuan(params.decimal("tekun.fixed_month"))
        return basic, STANDARD_FIXED.format(basic=basic), {"tekun.mode", "tekun.fixed_month"}
    urban, multiplier = params.decimal("dibao.urban_standard_month"), params.decimal("tekun.urban_multiplier")
    basic = to_yuan(urban * multiplier)
    sentence = STANDARD_MULTIPLIER.format(urban=to_yuan(urban), multiplier=multiplier, basic=basic)
    return basic, sentence, {"tekun.mode", "dibao.urban_standard_month", "tekun.urban_multiplier"}


def _standard_and_ids(params: ParameterSet) -> tuple[Decimal, str, tuple[int, ...]]:
    basic, sentence, used = basic_standard_month(params)
    used |= {"tekun.minor_age", "dibao.rural_standard_year", *POLICY_KEYS}
    return basic, sentence, params.ids_for(used)


def decide_tekun(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    basic, sentence, ids = params.derived(_standard_and_ids)
    amounts: dict[str, Decimal | int] = {"basic_standard_month": basic}
    if not facts.members:
        return Decision(PROGRAM, False, reasons=(NO_MEMBERS, sentence), parameter_ids=ids, amounts=amounts)
    minor_age = params.integer("tekun.minor_age")
    able = [
        m
        for m, age in zip(facts.members, facts.ages(as_of), strict=True)
        if m.labor not in NO_LABOR and age >= minor_age
    ]
    if able:
        reasons = (*[ABLE_MEMBER.format(name=m.label) for m in able], sentence)
        return Decision(PROGRAM, False, reasons=reasons, parameter_ids=ids, amounts=amounts)
    std_year = params.decimal("dibao.rural_standard_year")
    policy = params.derived(dibao_policy)
    annual = dibao_basis_annual(facts.income, policy) if facts.income is not None else Decimal(0)
    percap_year = annual / facts.persons
    if percap_year >= std_year:
        reason = INCOME_SOURCE.format(percap=to_yuan(percap_year / TWELVE), std=to_yuan(std_year / TWELVE))
        return Decision(PROGRAM, False, reasons=(reason, sentence), parameter_ids=ids, amounts=amounts)
    monthly = to_yuan(basic * facts.persons)
    reasons = (ELIGIBLE.format(persons=facts.persons, minor=minor_age, amount=monthly), sentence)
    return Decision(
        PROGRAM,
        True,
        monthly_amount=monthly,
        persons=facts.persons,
        reasons=reasons,
        parameter_ids=ids,
        amounts=amounts,
    )
