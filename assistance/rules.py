"""Pure rules of the assistance app (R7–R12): no ORM, no clock; every figure is an argument.

Money follows households.money: computed from annual figures, rounded once at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from households.income import DibaoIncomePolicy
from households.money import to_yuan
from programs.rules.dibao import classified_categories

ZERO = Decimal("0")
TWELVE = Decimal("12")


@dataclass(slots=True)
class MemberFacts:
    """What the benefit rules need to know about one member living in the household."""

    member_id: int
    age: int
    disability_grade: int = 0  # 0 = none
    has_disability_card: bool = False
    seriously_ill: bool = False
    covered: bool = True  # inside the case (always true for 整户保)


@dataclass(frozen=True)
class BenefitPolicy:
    """The parameter values one computation uses (read once per region and month)."""

    standard_year: Decimal
    rates: Mapping[str, Decimal]  # classified.rate.<category>
    stack: bool
    elderly_age: int
    minor_age: int
    living_rate: Decimal
    care_by_grade: Mapping[int, Decimal]
    income_policy: DibaoIncomePolicy = DibaoIncomePolicy()  # the local 低保口径 (R2)
    parameter_ids: tuple[int, ...] = ()

    @property
    def standard_month(self) -> Decimal:
        return to_yuan(self.standard_year / TWELVE)


@dataclass(frozen=True)
class Benefit:
    eligible: bool
    household_size: int
    covered_persons: int
    annual_percap_income: Decimal
    monthly_percap_income: Decimal
    standard_month: Decimal
    topup: Decimal
    classified: Decimal
    living_subsidy: Decimal
    care_subsidy: Decimal
    items: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    subsidy_items: list[tuple[int, str, int, Decimal]] = field(
        default_factory=list
    )  # member, kind, grade, amount

    @property
    def subsidies(self) -> Decimal:
        return self.living_subsidy + self.care_subsidy

    @property
    def total(self) -> Decimal:
        return self.topup + self.classified + self.subsidies


INCOME_BELOW_STANDARD = "月人均收入{income}元低于保障标准{standard}元"
INCOME_ABOVE_STANDARD = "月人均收入{income}元不低于保障标准{standard}元"
NO_MEMBERS = "家庭无在册成员"


def dibao_benefit(
    *,
    annual_income: Decimal,
    members: Sequence[MemberFacts],
    policy: BenefitPolicy,
    single_person: bool = False,
    has_case: bool = False,
) -> Benefit:
    """R7 eligibility, R8 top-up, R9 分类施保, R10 两项补贴 for one household (or 单人保 case).

    annual_income is the household's 低保口径 income (R2, yuan/year). Top-up per month =
    (standard_year − income per person) × covered persons ÷ 12, rounded once.
    """
    size = len(members)
    std_month = policy.standard_month
    if size == 0:
        return Benefit(False, 0, 0, ZERO, ZERO, std_month, ZERO, ZERO, ZERO, ZERO, reasons=[NO_MEMBERS])
    covered = [m for m in members if m.covered] if single_person else list(members)
    percap_year_raw = annual_income / size
    percap_year = to_yuan(percap_year_raw)
    percap_month = to_yuan(percap_year_raw / TWELVE)
    eligible = percap_year_raw < policy.standard_year
    reasons = [
        (INCOME_BELOW_STANDARD if eligible else INCOME_ABOVE_STANDARD).format(
            income=percap_month, standard=std_month
        )
    ]
    paying = eligible or has_case
    topup = ZERO
    if eligible:
        topup = to_yuan((policy.standard_year - percap_year_raw) * len(covered) / TWELVE)
    classified_raw = ZERO
    living_count = 0
    care_raw = ZERO
    items: list[dict] = []
    subsidy_items: list[tuple[int, str, int, Decimal]] = []
    living_each = to_yuan(policy.living_rate * policy.standard_year / TWELVE)
    if paying:
        for m in covered:
            cats = classified_categories(
                m.age, policy.elderly_age, policy.minor_age, m.disability_grade in (1, 2), m.seriously_ill
            )
            if cats:
                rates = [policy.rates.get(c, ZERO) for c in cats]
                rate = sum(rates, ZERO) if policy.stack else max(rates)
                if rate > 0:
                    amount_raw = rate * policy.standard_year / TWELVE
                    classified_raw += amount_raw
                    items.append(
                        {
                            "member_id": m.member_id,
                            "categories": cats,
                            "rate": str(rate),
                            "amount": str(to_yuan(amount_raw)),
                        }
                    )
            if m.has_disability_card:
                living_count += 1
                subsidy_items.append((m.member_id, "living", m.disability_grade, living_each))
            care = policy.care_by_grade.get(m.disability_grade, ZERO) if m.disability_grade else ZERO
            if care > 0:
                care_raw += care
                subsidy_items.append((m.member_id, "care", m.disability_grade, to_yuan(care)))
    return Benefit(
        eligible=eligible,
        household_size=size,
        covered_persons=len(covered),
        annual_percap_income=percap_year,
        monthly_percap_income=percap_month,
        standard_month=std_month,
        topup=topup,
        classified=to_yuan(classified_raw),
        living_subsidy=to_yuan(policy.living_rate * policy.standard_year / TWELVE * living_count),
        care_subsidy=to_yuan(care_raw),
        items=items,
        reasons=reasons,
        subsidy_items=subsidy_items,
    )


def tekun_basic_standard(*, urban_standard_month: Decimal, multiplier: Decimal) -> Decimal:
    """R11: 特困 basic standard = urban 低保 standard × multiplier (S002: 570 × 1.3 = 741.00)."""
    return to_yuan(urban_standard_month * multiplier)


# ---- R12 phase-out -------------------------------------------------------------------------


def phase_out_end(start: dt.date, months: int) -> dt.date:
    """end = start + m months − 1 day (R12)."""
    return start + relativedelta(months=months) - dt.timedelta(days=1)


def phase_out_schedule(*, base: Decimal, months: int, kind: str) -> list[Decimal]:
    """Monthly amounts of a phase-out.

    flat: the original amount every month; linear: down to zero, month i pays base × (m − i) / m;
    halving: the full amount in the first half (rounded up), half of it in the second half.
    """
    if kind == "flat":
        return [to_yuan(base)] * months
    if kind == "linear":
        return [to_yuan(base * (months - i) / months) for i in range(months)]
    if kind == "halving":
        first = (months + 1) // 2
        return [to_yuan(base)] * first + [to_yuan(base / 2)] * (months - first)
    raise ValueError(kind)


def months_between(start: dt.date, month: dt.date) -> int:
    return (month.year - start.year) * 12 + (month.month - start.month)


def phase_out_amount(*, schedule: Sequence, start: dt.date, month: dt.date) -> Decimal | None:
    """The amount due in a month, or None outside the period."""
    idx = months_between(start, month)
    if idx < 0 or idx >= len(schedule):
        return None
    return Decimal(str(schedule[idx]))


# ---- working days ---------------------------------------------------------------------------


def is_working_day(day: dt.date, overrides: Mapping[dt.date, bool]) -> bool:
    """Monday–Friday, unless the holiday calendar says otherwise (节假日 / 调休)."""
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int, overrides: Mapping[dt.date, bool]) -> dt.date:
    """The date `days` working days after `start` (start itself does not count)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, overrides):
            left -= 1
    return day


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return first_of_month(day) + relativedelta(months=1)
