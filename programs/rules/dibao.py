"""R7 eligibility, R8 top-up (补差) or bands, R9 分类施保, 低保边缘 (P12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from households.income import DibaoIncomePolicy, dibao_basis_annual
from households.money import to_yuan
from programs.rules.facts import ZERO, Decision, HouseholdFacts, MemberFacts
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


BASE_KEYS = frozenset({"dibao.rural_standard_year", *POLICY_KEYS})


def dibao_policy(params: ParameterSet) -> DibaoIncomePolicy:
    """The local 低保口径 (domain.md#open-5) from parameters."""
    return DibaoIncomePolicy(
        exclude_basic_pension=params["dibao.exclude_basic_pension"],
        exclude_new_job_first_months=params["dibao.exclude_new_job_first_months"],
        deduct_rigid_spending=params["dibao.deduct_rigid_spending"],
        deduct_job_costs=params["dibao.deduct_job_costs"],
    )


def _standard_month(params: ParameterSet) -> Decimal:
    return to_yuan(params["dibao.rural_standard_year"] / TWELVE)


def below_standard(annual: Decimal, persons: int, std_year: Decimal) -> bool:
    """R7 income test on household totals (no division before the single rounding)."""
    return annual < std_year * persons


def _pct(rate: Decimal) -> str:
    return f"{(Decimal(rate) * 100).normalize():f}"


@dataclass(frozen=True, init=False)
class DibaoFigures:
    """The numbers of R7–R9 for one household, unrounded (yuan/year); no sentences. The what-if
    simulation uses these directly; decide_dibao explains them."""

    persons: int
    annual: Decimal  # 低保口径 household income
    std_year: Decimal
    eligible: bool
    assets_over: bool = False
    base_annual: Decimal = ZERO  # 补差 (or band payment)
    band: tuple[Decimal, Decimal, str] | None = None
    classified: tuple[tuple[MemberFacts, str, Decimal], ...] = ()  # (member, category, rate)
    classified_annual: Decimal = ZERO

    def __init__(
        self,
        persons: int,
        annual: Decimal,
        std_year: Decimal,
        eligible: bool,
        assets_over: bool = False,
        base_annual: Decimal = ZERO,
        band: tuple[Decimal, Decimal, str] | None = None,
        classified: tuple = (),
        classified_annual: Decimal = ZERO,
    ) -> None:
        # as Decision: one dict update instead of a frozen setattr per field (once per household)
        self.__dict__.update(
            persons=persons,
            annual=annual,
            std_year=std_year,
            eligible=eligible,
            assets_over=assets_over,
            base_annual=base_annual,
            band=band,
            classified=classified,
            classified_annual=classified_annual,
        )

    @property
    def monthly(self) -> Decimal:
        return to_yuan((self.base_annual + self.classified_annual) / TWELVE) if self.eligible else ZERO


def classified_categories(
    age: int, elderly_age: int, minor_age: int, severely_disabled: bool, seriously_ill: bool
) -> list[str]:
    """R9: the 分类施保 categories one member falls in. The engine's decision and the case's amount
    (assistance.rules) both ask this one function. Plain tests, not a table of (category, applies)
    pairs: most members are in no category, and this runs for every member each night."""
    cats = []
    if age >= elderly_age:
        cats.append("elderly")
    if age < minor_age:
        cats.append("minor")
    if severely_disabled:
        cats.append("disabled")
    if seriously_ill:
        cats.append("serious_illness")
    return cats


def classified_items(
    members: tuple[MemberFacts, ...], ages: tuple[int, ...], params: ParameterSet
) -> list[tuple[MemberFacts, str, Decimal]]:
    """R9: (member, category, rate) paid; without stacking only the highest rate per member."""
    stack = params["classified.stack"]
    elderly, minor = params["classified.elderly_age"], params["classified.minor_age"]
    items = []
    for member, age in zip(members, ages, strict=True):
        cats = classified_categories(
            age, elderly, minor, member.severely_disabled, member.health == "serious"
        )
        if not cats:
            continue
        rated = [(member, c, params[CLASSIFIED[c][0]]) for c in cats]
        chosen = rated if stack or len(rated) == 1 else [max(rated, key=_rate)]
        items.extend(item for item in chosen if item[2] > 0)
    return items


def _rate(item: tuple[MemberFacts, str, Decimal]) -> Decimal:
    return item[2]


def _band(annual: Decimal, persons: int, std_year: Decimal, bands) -> tuple[Decimal, Decimal, str] | None:
    for upper, pay, label in bands:
        if annual < Decimal(upper) * std_year * persons:
            return Decimal(upper), Decimal(pay), str(label)
    return None


def dibao_figures(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> DibaoFigures | None:
    """R7 + R8 + R9 for the whole household (整户保); None when there is nothing to test."""
    persons = facts.persons
    if persons == 0 or facts.income is None:
        return None
    std_year = params["dibao.rural_standard_year"]
    annual = dibao_basis_annual(facts.income, params.derived(dibao_policy))
    assets_over = (
        facts.financial_assets is not None
        and facts.financial_assets > params["dibao.asset_multiple"] * std_year * persons
    )
    eligible = below_standard(annual, persons, std_year) and not assets_over
    if not eligible:
        return DibaoFigures(persons, annual, std_year, False, assets_over)
    band = None
    if params["dibao.payment_mode"] == "bands":
        band = _band(annual, persons, std_year, params["dibao.bands"]) or (Decimal(1), ZERO, "—")
        base_annual = band[1] * std_year * persons
    else:
        base_annual = std_year * persons - annual
    items = tuple(classified_items(facts.members, facts.ages(as_of), params))
    extra = sum((rate * std_year for _, _, rate in items), ZERO)
    return DibaoFigures(persons, annual, std_year, True, False, base_annual, band, items, extra)


def decide_dibao(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    """R7 + R8 + R9 with the sentences that explain them and the parameter versions used."""
    if facts.persons == 0:
        return Decision(PROGRAM, False, reasons=(NO_MEMBERS,))
    if facts.income is None:
        return Decision(PROGRAM, False, reasons=(NO_INCOME,))
    f = dibao_figures(facts, as_of, params)
    used = set(BASE_KEYS)
    persons, std_year = f.persons, f.std_year
    std_m, percap_m = params.derived(_standard_month), to_yuan(f.annual / persons / TWELVE)
    reasons: list[str] = []
    if facts.financial_assets is not None:
        used.add("dibao.asset_multiple")
    if f.assets_over:
        multiple = params["dibao.asset_multiple"]
        reasons.append(
            ASSETS_OVER.format(
                assets=to_yuan(facts.financial_assets / persons),
                std_year=to_yuan(std_year),
                multiple=multiple,
                limit=to_yuan(multiple * std_year),
            )
        )
    if not f.eligible:
        tags = []
        if not below_standard(f.annual, persons, std_year):
            reasons.insert(0, NOT_BELOW.format(percap=percap_m, std=std_m))
        used.add("dibao.edge_ratio")
        edge_ratio = params["dibao.edge_ratio"]
        if f.annual < edge_ratio * std_year * persons:
            tags.append("edge")
            reasons.append(EDGE.format(ratio=edge_ratio, edge=to_yuan(edge_ratio * std_year / TWELVE)))
        return Decision(
            PROGRAM,
            False,
            reasons=tuple(reasons),
            parameter_ids=params.ids_for(used),
            amounts={"percap_month": percap_m, "standard_month": std_m},
            tags=tuple(tags),
        )
    reasons.append(BELOW.format(percap=percap_m, std=std_m))
    used |= {"dibao.payment_mode", "classified.elderly_age", "classified.minor_age", "classified.stack"}
    if f.band is not None:
        used.add("dibao.bands")
        upper, pay, label = f.band
        reasons.append(
            BAND.format(
                upper=_pct(upper),
                label=label,
                per=to_yuan(pay * std_year / TWELVE),
                persons=persons,
                amount=to_yuan(f.base_annual / TWELVE),
            )
        )
    else:
        reasons.append(
            TOPUP.format(std=std_m, percap=percap_m, persons=persons, amount=to_yuan(f.base_annual / TWELVE))
        )
    for member, category, rate in f.classified:
        used.add(CLASSIFIED[category][0])
        reasons.append(
            CLASSIFIED_ITEM.format(
                name=member.label,
                category=CLASSIFIED[category][1],
                std=std_m,
                rate=_pct(rate),
                amount=to_yuan(rate * std_year / TWELVE),
            )
        )
    return Decision(
        PROGRAM,
        True,
        monthly_amount=f.monthly,
        persons=persons,
        reasons=tuple(reasons),
        parameter_ids=params.ids_for(used),
        amounts={
            "percap_month": percap_m,
            "standard_month": std_m,
            "topup_month": to_yuan(f.base_annual / TWELVE),
            "classified_month": to_yuan(f.classified_annual / TWELVE),
        },
    )
