"""R7 eligibility, R8 top-up (补差) or bands, R9 分类施保, 低保边缘 (P12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from programs.rules.facts import ZERO, Decision, HouseholdFacts, MemberFacts
from programs.rules.income import DibaoIncomePolicy, dibao_basis_annual
from programs.rules.money import to_yuan
from programs.rules.params import ParameterSet

PROGRAM = "dibao"
TWELVE = Decimal(12)

POLICY_KEYS = (
    "dibao.exclude_basic_pension",
    "dibao.exclude_new_job_first_months",
    "dibao.deduct_rigid_spending",
    "dibao.deduct_job_costs",
)
CLASSIFIED = {
    "elderly": ("classified.rate.elderly", "老年人"),
    "minor": ("classified.rate.minor", "未成年人"),
    "disabled": ("classified.rate.disabled", "重度残疾人"),
    "serious_illness": ("classified.rate.serious_illness", "重病患者"),
}

NO_MEMBERS = "家庭无在册成员，不能测算低保"
NO_INCOME = "尚无已审核的年度收入，不能测算低保"
BELOW = "家庭月人均收入（低保口径）{percap} 元，低于当地低保标准 {std} 元"
NOT_BELOW = "家庭月人均收入（低保口径）{percap} 元，不低于当地低保标准 {std} 元，不符合低保条件"
TOPUP = "月补差 =（{std} − {percap}）× {persons} 人 = {amount} 元"
BAND = (
    "按分档发放：月人均收入低于标准的 {upper}%，属 {label} 档，每人每月 {per} 元，{persons} 人共 {amount} 元"
)
ASSETS_OVER = (
    "家庭人均金融资产 {assets} 元，超过年低保标准 {std_year} 元的 {multiple} 倍（{limit} 元），不符合低保条件"
)
CLASSIFIED_ITEM = "分类施保：{name}（{category}）按低保标准 {std} 元的 {rate}% 增发 {amount} 元/月"
EDGE = "家庭月人均收入低于低保标准的 {ratio} 倍（{edge} 元），属低保边缘家庭"


def dibao_policy(params: ParameterSet) -> DibaoIncomePolicy:
    """The local 低保口径 (open question f.5) from parameters."""
    return DibaoIncomePolicy(
        exclude_basic_pension=params["dibao.exclude_basic_pension"],
        exclude_new_job_first_months=params["dibao.exclude_new_job_first_months"],
        deduct_rigid_spending=params["dibao.deduct_rigid_spending"],
        deduct_job_costs=params["dibao.deduct_job_costs"],
    )


def below_standard(annual: Decimal, persons: int, std_year: Decimal) -> bool:
    """R7 income test on household totals (no division before the single rounding)."""
    return annual < std_year * persons


def _pct(rate: Decimal) -> str:
    return f"{(Decimal(rate) * 100).normalize():f}"


def classified_categories(member: MemberFacts, as_of: dt.date, params: ParameterSet) -> list[str]:
    """R9 categories a member qualifies for (S001 重点救助对象)."""
    age = member.age(as_of)
    found = []
    if age >= params["classified.elderly_age"]:
        found.append("elderly")
    if age < params["classified.minor_age"]:
        found.append("minor")
    if member.severely_disabled:
        found.append("disabled")
    if member.health == "serious":
        found.append("serious_illness")
    return found


def classified_annual(
    members: tuple[MemberFacts, ...], as_of: dt.date, params: ParameterSet, std_year: Decimal
) -> tuple[Decimal, list[str], set[str]]:
    """Σ rate × standard for qualifying members, yuan/year, unrounded; with reasons and keys used."""
    total, reasons, used = ZERO, [], {"classified.elderly_age", "classified.minor_age", "classified.stack"}
    stack = params["classified.stack"]
    for member in members:
        cats = classified_categories(member, as_of, params)
        if not cats:
            continue
        rated = [(params[CLASSIFIED[c][0]], c) for c in cats]
        used.update(CLASSIFIED[c][0] for c in cats)
        chosen = rated if stack else [max(rated, key=lambda pair: pair[0])]
        for rate, cat in chosen:
            if rate <= 0:
                continue
            annual = rate * std_year
            total += annual
            reasons.append(
                CLASSIFIED_ITEM.format(
                    name=member.label,
                    category=CLASSIFIED[cat][1],
                    std=to_yuan(std_year / TWELVE),
                    rate=_pct(rate),
                    amount=to_yuan(annual / TWELVE),
                )
            )
    return total, reasons, used


def _band(annual: Decimal, persons: int, std_year: Decimal, bands) -> tuple[Decimal, Decimal, str] | None:
    for upper, pay, label in bands:
        if annual < Decimal(upper) * std_year * persons:
            return Decimal(upper), Decimal(pay), str(label)
    return None


def decide_dibao(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    """R7 + R8 + R9 for the whole household (整户保)."""
    used = {"dibao.rural_standard_year", *POLICY_KEYS}
    persons = facts.persons
    if persons == 0:
        return Decision(PROGRAM, False, reasons=(NO_MEMBERS,))
    if facts.income is None:
        return Decision(PROGRAM, False, reasons=(NO_INCOME,))
    std_year = params["dibao.rural_standard_year"]
    annual = dibao_basis_annual(facts.income, dibao_policy(params))
    percap_year = annual / persons
    std_m, percap_m = to_yuan(std_year / TWELVE), to_yuan(percap_year / TWELVE)
    reasons: list[str] = []
    tags: list[str] = []
    eligible = below_standard(annual, persons, std_year)
    if facts.financial_assets is not None:
        used.add("dibao.asset_multiple")
        multiple = params["dibao.asset_multiple"]
        limit = multiple * std_year
        if facts.financial_assets > limit * persons:
            eligible = False
            reasons.append(
                ASSETS_OVER.format(
                    assets=to_yuan(facts.financial_assets / persons),
                    std_year=to_yuan(std_year),
                    multiple=multiple,
                    limit=to_yuan(limit),
                )
            )
    if not eligible:
        if annual >= std_year * persons:
            reasons.insert(0, NOT_BELOW.format(percap=percap_m, std=std_m))
        used.add("dibao.edge_ratio")
        edge_ratio = params["dibao.edge_ratio"]
        if annual < edge_ratio * std_year * persons:
            tags.append("edge")
            reasons.append(EDGE.format(ratio=edge_ratio, edge=to_yuan(edge_ratio * std_year / TWELVE)))
        return Decision(
            PROGRAM,
            False,
            reasons=tuple(reasons),
            parameter_ids=tuple(params.ids_for(used)),
            amounts={"percap_month": percap_m, "standard_month": std_m},
            tags=tuple(tags),
        )

    reasons.append(BELOW.format(percap=percap_m, std=std_m))
    used.add("dibao.payment_mode")
    if params["dibao.payment_mode"] == "bands":
        used.add("dibao.bands")
        upper, pay, label = _band(annual, persons, std_year, params["dibao.bands"]) or (Decimal(1), ZERO, "—")
        base_annual = pay * std_year * persons
        reasons.append(
            BAND.format(
                upper=_pct(upper),
                label=label,
                per=to_yuan(pay * std_year / TWELVE),
                persons=persons,
                amount=to_yuan(base_annual / TWELVE),
            )
        )
    else:
        base_annual = std_year * persons - annual
        reasons.append(
            TOPUP.format(std=std_m, percap=percap_m, persons=persons, amount=to_yuan(base_annual / TWELVE))
        )
    extra_annual, extra_reasons, extra_keys = classified_annual(facts.members, as_of, params, std_year)
    used |= extra_keys
    reasons.extend(extra_reasons)
    return Decision(
        PROGRAM,
        True,
        monthly_amount=to_yuan((base_annual + extra_annual) / TWELVE),
        persons=persons,
        reasons=tuple(reasons),
        parameter_ids=tuple(params.ids_for(used)),
        amounts={
            "percap_month": percap_m,
            "standard_month": std_m,
            "topup_month": to_yuan(base_annual / TWELVE),
            "classified_month": to_yuan(extra_annual / TWELVE),
        },
    )
