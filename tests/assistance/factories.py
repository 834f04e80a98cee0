"""Builders for assistance tests: a household with fixed ages and income, and a case run to 保障中."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assistance.services import cases
from core.choices import ReviewState
from households.choices import Relation
from tests.factories import HouseholdFactory, IncomeYearFactory, MemberFactory, user_for, valid_id

CONFIRM_DAY = dt.date(2019, 10, 15)


def dibao_household(
    *,
    village,
    persons: int = 3,
    income_per_person: Decimal | int = 2000,
    registered: bool = True,
    disability_grades=(),
    **kwargs,
):
    """A household whose 低保口径 income is income_per_person × persons a year (wage only), 已入库 unless
    review_state says otherwise (the programs rules read approved households only)."""
    kwargs.setdefault("review_state", ReviewState.VERIFIED)
    household = HouseholdFactory(
        village=village,
        identify_year=2016 if registered else None,
        bank_name="农村信用社",
        bank_account="6228001",
        **kwargs,
    )
    grades = list(disability_grades) + [None] * persons
    for i in range(persons):
        grade = grades[i]
        MemberFactory(
            household=household,
            relation=Relation.HEAD if i == 0 else Relation.SON,
            sex="male",
            id_no=valid_id(dt.date(1980, 1, 1) + dt.timedelta(days=i)),
            disability_type="physical" if grade else "",
            disability_grade=grade,
        )
    IncomeYearFactory(household=household, wage=Decimal(income_per_person) * persons)
    return household


def active_case(*, household, county_user, near_relative: bool = False, confirm_on=CONFIRM_DAY, **kwargs):
    """申请 (village) → 调查, 镇审核 and 公示 (township, 7 days) → 县确认: paying from the next month."""
    case = confirming_case(household=household, near_relative=near_relative, confirm_on=confirm_on, **kwargs)
    return cases.confirm_case(case=case, user=county_user, on=confirm_on)


def confirming_case(*, household, near_relative: bool = False, confirm_on=CONFIRM_DAY, **kwargs):
    """申请 (village) → 调查, 镇审核 and 公示 (township, 7 days): waiting for the county on confirm_on."""
    case = cases.apply_case(
        household=household,
        user=user_for(household.village),  # the village enters and submits the application
        applied_on=confirm_on - dt.timedelta(days=30),
        near_relative_of_staff=near_relative,
        **kwargs,
    )
    township = user_for(household.village.parent)
    cases.start_investigation(case=case, user=township)
    # Starting the 公示 is the township's review (镇审核通过); the county confirms after it.
    start = confirm_on - dt.timedelta(days=10)
    cases.start_publicity(case=case, user=township, start=start, place="村务公开栏")
    cases.close_publicity(case=case, user=township, on=start + dt.timedelta(days=7))
    return case


def set_income(household, income_per_person, *, period_end=dt.date(2020, 9, 30)):
    """A newer income year (the latest one counts)."""
    persons = household.members.filter(member_status="normal").count()
    return IncomeYearFactory(
        household=household,
        period_start=period_end.replace(year=period_end.year - 1) + dt.timedelta(days=1),
        period_end=period_end,
        wage=Decimal(income_per_person) * persons,
    )


def tekun_case(*, member, **kwargs):
    """An active 特困 case stored directly (standards given, not computed): for API and list tests."""
    from assistance.models import TekunCase

    values = {
        "mode": "dispersed",
        "self_care": "full",
        "basic_standard": 600,
        "care_standard": 100,
        "start_month": dt.date(2019, 11, 1),
    }
    return TekunCase.objects.create(household=member.household, member=member, **{**values, **kwargs})


def disability_subsidy(*, member, **kwargs):
    """An active 两项补贴 row stored directly: for API and list tests."""
    from assistance.models import DisabilitySubsidy

    values = {"kind": "living", "grade": 1, "monthly_amount": 80, "start_month": dt.date(2019, 11, 1)}
    return DisabilitySubsidy.objects.create(household=member.household, member=member, **{**values, **kwargs})
