"""R7 eligibility and the asset test, R8 top-up (补差) or bands, R9 分类施保, R10 两项补贴 of a 低保
household, 低保边缘 (P12): the one calculator of a 低保 amount.

`dibao_amount` is the only computation of a 低保 amount in the code base. The eligibility result and
the household's 政策测算 panel (decide_dibao explains it), the what-if simulation, the case's
confirmation, the nightly recalculation of cases, 渐退 (its base, its return to normal), the stop
proposals and the roll (which pays the case amount history these write) all take their figures from
it, for the same facts (programs.rules.facts, loaded by programs.selectors.household_facts).

Money (domain.md#money): the 低保金 is rounded once from its annual figure,
round((base_annual + classified_annual) ÷ 12); the top-up part is round(base_annual ÷ 12) and the
分类施保 part the rest, so the parts a case stores and a roll pays add up to the figure the result
shows. 两项补贴 are paid per person: each holder's 生活补贴 is round(rate × std_year ÷ 12), each 护理补贴
its grade's figure; the household's subsidies are the sum of these personal amounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict, cast

from core.money import to_yuan
from households.income import DibaoIncomePolicy, dibao_basis_annual
from programs.rules.disability import care_amount, living_subsidy_each
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
CARE_KEYS = tuple(f"subsidy.care.grade_{grade}" for grade in (1, 2, 3, 4))
# Every key the calculator may read: a case stores the versions of these behind its amount.
AMOUNT_KEYS = frozenset(
    {
        "dibao.rural_standard_year",
        *POLICY_KEYS,
        "dibao.asset_multiple",
        "dibao.payment_mode",
        "dibao.bands",
        "classified.elderly_age",
        "classified.minor_age",
        "classified.stack",
        *(key for key, _ in CLASSIFIED.values()),
        "subsidy.living_rate",
        *CARE_KEYS,
    }
)

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
ASSETS_WITHIN = "家庭人均金融资产 {assets} 元，未超过年低保标准的 {multiple} 倍（{limit} 元）"
CLASSIFIED_ITEM = "分类施保：{name}（{category}）按低保标准 {std} 元的 {rate}% 增发 {amount} 元/月"
EDGE = "家庭月人均收入低于低保标准的 {ratio} 倍（{edge} 元），属低保边缘家庭"


def dibao_policy(params: ParameterSet) -> DibaoIncomePolicy:
    """The local 低保口径 (domain.md#open-5) from parameters."""
    return DibaoIncomePolicy(
        exclude_basic_pension=params.boolean("dibao.exclude_basic_pension"),
        exclude_new_job_first_months=params.boolean("dibao.exclude_new_job_first_months"),
        deduct_rigid_spending=params.boolean("dibao.deduct_rigid_spending"),
        deduct_job_costs=params.boolean("dibao.deduct_job_costs"),
    )


def standard_month(params: ParameterSet) -> Decimal:
    """The monthly 低保 standard shown beside amounts: the annual standard ÷ 12, rounded once."""
    return to_yuan(params.decimal("dibao.rural_standard_year") / TWELVE)


def below_standard(annual: Decimal, persons: int, std_year: Decimal) -> bool:
    """R7 income test on household totals (no division before the single rounding)."""
    return annual < std_year * persons


def _pct(rate: Decimal) -> str:
    return f"{(Decimal(rate) * 100).normalize():f}"


class ClassifiedItem(TypedDict):
    """分类施保 of one member as a case stores it (jsonb): the rate and amount as text."""

    member_id: int
    categories: list[str]
    rate: str
    amount: str


# dibao.bands (JSON): [[income ceiling as a share of the standard, payment as a share, label], …]
BandRows = Sequence[Sequence[Decimal | int | str]]


@dataclass(frozen=True, init=False)
class DibaoAmount:
    """R7–R10 for one household, or for the covered members of a 单人保 case: the figures, unrounded
    where they are annual (yuan/year), and the components a case stores and a roll pays, each
    rounded once (properties). No sentences: decide_dibao explains these very figures."""

    persons: int  # active members: per-capita income and assets divide by these
    covered_persons: int  # the members paid for (all of them for 整户保)
    annual: Decimal  # 低保口径 household income (R2)
    std_year: Decimal
    income_below: bool
    assets_over: bool = False
    percap_assets: Decimal | None = None  # None: no financial assets recorded for the income year
    base_annual: Decimal = ZERO  # 补差, or the band payment, for the covered persons
    band: tuple[Decimal, Decimal, str] | None = None
    classified: tuple[tuple[MemberFacts, str, Decimal], ...] = ()  # (member, category, rate)
    classified_annual: Decimal = ZERO
    living_each: Decimal = ZERO  # 生活补贴 per card holder, yuan/month, rounded once
    living: tuple[MemberFacts, ...] = ()  # covered card holders paid the 生活补贴
    care: tuple[tuple[MemberFacts, Decimal], ...] = ()  # (covered member, 护理补贴 yuan/month)

    def __init__(
        self,
        persons: int,
        covered_persons: int,
        annual: Decimal,
        std_year: Decimal,
        *,
        income_below: bool,
        assets_over: bool = False,
        percap_assets: Decimal | None = None,
        base_annual: Decimal = ZERO,
        band: tuple[Decimal, Decimal, str] | None = None,
        classified: tuple[tuple[MemberFacts, str, Decimal], ...] = (),
        classified_annual: Decimal = ZERO,
        living_each: Decimal = ZERO,
        living: tuple[MemberFacts, ...] = (),
        care: tuple[tuple[MemberFacts, Decimal], ...] = (),
    ) -> None:
        # as Decision: one dict update instead of a frozen setattr per field (once per household)
        self.__dict__.update(  # type: ignore[misc]  # __dict__ is dict[str, Any]; the values are typed above
            persons=persons,
            covered_persons=covered_persons,
            annual=annual,
            std_year=std_year,
            income_below=income_below,
            assets_over=assets_over,
            percap_assets=percap_assets,
            base_annual=base_annual,
            band=band,
            classified=classified,
            classified_annual=classified_annual,
            living_each=living_each,
            living=living,
            care=care,
        )

    @property
    def eligible(self) -> bool:
        return self.income_below and not self.assets_over

    @property
    def monthly(self) -> Decimal:
        """低保金 (top-up + 分类施保), yuan/month, rounded once: what the eligibility result shows."""
        return to_yuan((self.base_annual + self.classified_annual) / TWELVE) if self.eligible else ZERO

    @property
    def topup(self) -> Decimal:
        """月补差 (or the band payment) of the covered persons, yuan/month."""
        return to_yuan(self.base_annual / TWELVE) if self.eligible else ZERO

    @property
    def classified_month(self) -> Decimal:
        """分类施保, yuan/month: the rest of the 低保金 after the top-up (the parts add up)."""
        return self.monthly - self.topup

    @property
    def living_month(self) -> Decimal:
        return self.living_each * len(self.living) if self.eligible else ZERO

    @property
    def care_month(self) -> Decimal:
        return sum((amount for _, amount in self.care), ZERO) if self.eligible else ZERO

    @property
    def subsidies(self) -> Decimal:
        """两项补贴 of the covered members, yuan/month."""
        return self.living_month + self.care_month

    @property
    def total(self) -> Decimal:
        """The case's monthly amount: 低保金 + 两项补贴."""
        return self.monthly + self.subsidies

    @property
    def annual_percap(self) -> Decimal:
        return to_yuan(self.annual / self.persons) if self.persons else ZERO

    @property
    def monthly_percap(self) -> Decimal:
        return to_yuan(self.annual / self.persons / TWELVE) if self.persons else ZERO

    @property
    def standard_month(self) -> Decimal:
        return to_yuan(self.std_year / TWELVE)

    def classified_items(self) -> list[ClassifiedItem]:
        """分类施保 per member as a case stores it: [{member_id, categories, rate, amount}]."""
        if not self.eligible:
            return []
        by_member: dict[int, tuple[list[str], Decimal]] = {}
        for member, category, rate in self.classified:
            categories, total = by_member.get(member.id, ([], ZERO))
            by_member[member.id] = ([*categories, category], total + rate)
        return [
            {
                "member_id": member_id,
                "categories": categories,
                "rate": str(rate),
                "amount": str(to_yuan(rate * self.std_year / TWELVE)),
            }
            for member_id, (categories, rate) in by_member.items()
        ]

    def subsidy_items(self) -> list[tuple[int, str, int, Decimal]]:
        """两项补贴 per member: (member id, kind, grade, yuan/month)."""
        if not self.eligible:
            return []
        living = [(m.id, "living", m.disability_grade or 0, self.living_each) for m in self.living]
        care = [(m.id, "care", m.disability_grade or 0, amount) for m, amount in self.care]
        return sorted(living + care)


def classified_categories(
    age: int, elderly_age: int, minor_age: int, severely_disabled: bool, seriously_ill: bool
) -> list[str]:
    """R9: the 分类施保 categories one member falls in. Plain tests, not a table of (category,
    applies) pairs: most members are in no category, and this runs for every member each night."""
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
    stack = params.boolean("classified.stack")
    elderly, minor = params.integer("classified.elderly_age"), params.integer("classified.minor_age")
    items: list[tuple[MemberFacts, str, Decimal]] = []
    for member, age in zip(members, ages, strict=True):
        cats = classified_categories(
            age, elderly, minor, member.severely_disabled, member.health == "serious"
        )
        if not cats:
            continue
        rated = [(member, c, params.decimal(CLASSIFIED[c][0])) for c in cats]
        chosen = rated if stack or len(rated) == 1 else [max(rated, key=_rate)]
        items.extend(item for item in chosen if item[2] > 0)
    return items


def _rate(item: tuple[MemberFacts, str, Decimal]) -> Decimal:
    return item[2]


def _band(
    annual: Decimal, persons: int, std_year: Decimal, bands: BandRows
) -> tuple[Decimal, Decimal, str] | None:
    for upper, pay, label in bands:
        if annual < Decimal(upper) * std_year * persons:
            return Decimal(upper), Decimal(pay), str(label)
    return None


def dibao_amount(
    facts: HouseholdFacts,
    as_of: dt.date,
    params: ParameterSet,
    *,
    covered: Collection[int] | None = None,
    assets_accepted: Decimal | None = None,
) -> DibaoAmount | None:
    """R7 (income and asset tests) + R8 + R9 + R10 for the household's active members; with
    `covered` (member ids of a 单人保 case) the top-up, 分类施保 and 两项补贴 are those of the covered
    members while income and assets stay per capita of the whole household. `assets_accepted`: the
    household's financial assets a county accepted by a 特殊情况 decision on the case (R7): the asset
    test passes while the assets stay at or below them. None when there is nothing to test (no
    active member, no income year)."""
    persons = facts.persons
    if persons == 0 or facts.income is None:
        return None
    std_year = params.decimal("dibao.rural_standard_year")
    annual = dibao_basis_annual(facts.income, params.derived(dibao_policy))
    members = facts.members
    ages = facts.ages(as_of)
    if covered is not None:
        pairs = [(m, a) for m, a in zip(members, ages, strict=True) if m.id in covered]
        members, ages = tuple(m for m, _ in pairs), tuple(a for _, a in pairs)
    paid = len(members)
    percap_assets = None
    assets_over = False
    if facts.financial_assets is not None:
        percap_assets = facts.financial_assets / persons
        assets_over = percap_assets > params.decimal("dibao.asset_multiple") * std_year and (
            assets_accepted is None or facts.financial_assets > assets_accepted
        )
    income_below = below_standard(annual, persons, std_year)
    if not income_below or assets_over:
        return DibaoAmount(
            persons, paid, annual, std_year, income_below=income_below, assets_over=assets_over,
            percap_assets=percap_assets,
        )  # fmt: skip
    band = None
    if params.text("dibao.payment_mode") == "bands":
        band = _band(annual, persons, std_year, cast(BandRows, params.json("dibao.bands"))) or (
            Decimal(1),
            ZERO,
            "—",
        )
        base_annual = band[1] * std_year * paid
    else:
        # (standard − income per person) × covered persons, kept as totals: no division before rounding
        base_annual = (std_year * persons - annual) * paid / persons
    items = tuple(classified_items(members, ages, params))
    holders = tuple(m for m in members if m.has_disability_card)
    care = tuple(
        (m, amount)
        for m in members
        if m.disability_grade and (amount := care_amount(m.disability_grade, params)) > 0
    )
    return DibaoAmount(
        persons,
        paid,
        annual,
        std_year,
        income_below=True,
        percap_assets=percap_assets,
        base_annual=base_annual,
        band=band,
        classified=items,
        classified_annual=sum((rate * std_year for _, _, rate in items), ZERO),
        living_each=living_subsidy_each(params) if holders else ZERO,
        living=holders,
        care=care,
    )


def decide_dibao(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    """R7 + R8 + R9 with the sentences that explain them and the parameter versions used (the
    amount is dibao_amount's, for the whole household)."""
    if facts.persons == 0:
        return Decision(PROGRAM, False, reasons=(NO_MEMBERS,))
    if facts.income is None:
        return Decision(PROGRAM, False, reasons=(NO_INCOME,))
    f = dibao_amount(facts, as_of, params)
    assert f is not None  # members and an income year: checked above
    used = {"dibao.rural_standard_year", *POLICY_KEYS}
    persons, std_year = f.persons, f.std_year
    std_m, percap_m = params.derived(standard_month), f.monthly_percap
    reasons: list[str] = []
    if f.percap_assets is not None:
        used.add("dibao.asset_multiple")
        multiple = params.decimal("dibao.asset_multiple")
        sentence = ASSETS_OVER if f.assets_over else ASSETS_WITHIN
        reasons.append(
            sentence.format(
                assets=to_yuan(f.percap_assets),
                std_year=to_yuan(std_year),
                multiple=multiple,
                limit=to_yuan(multiple * std_year),
            )
        )
    if not f.eligible:
        tags = []
        if not f.income_below:
            reasons.insert(0, NOT_BELOW.format(percap=percap_m, std=std_m))
        used.add("dibao.edge_ratio")
        edge_ratio = params.decimal("dibao.edge_ratio")
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
    reasons.insert(0, BELOW.format(percap=percap_m, std=std_m))
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
                amount=f.topup,
            )
        )
    else:
        reasons.append(TOPUP.format(std=std_m, percap=percap_m, persons=persons, amount=f.topup))
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
            "topup_month": f.topup,
            "classified_month": f.classified_month,
        },
    )
