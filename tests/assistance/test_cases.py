import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.choices import AlertKind, CaseStatus, LedgerKind, VisitLevel
from assistance.models import Alert, ChangeLedgerEntry, HolidayCalendar
from assistance.services import cases
from households.workflow.errors import TransitionError
from households.workflow.models import Publicity, WorkflowEvent
from tests.assistance.factories import active_case, dibao_household
from tests.factories import user_for

pytestmark = pytest.mark.django_db


def _case_in_publicity(household, user, start=dt.date(2019, 10, 1), *, close=True, **kwargs):
    """A case whose 7-day 公示 ran from `start` (closed without objection unless close=False)."""
    case = cases.apply_case(household=household, user=user, applied_on=dt.date(2019, 9, 1), **kwargs)
    cases.start_investigation(case=case, user=user)
    township = user_for(household.village.parent)
    cases.start_publicity(case=case, user=township, start=start, place="村务公开栏")
    if close:
        cases.close_publicity(case=case, user=township, on=start + dt.timedelta(days=7))
    case.refresh_from_db()
    return case


def test_confirmed_case_pays_topup_from_next_month_and_logs_start(village_a, county_admin):
    household = dibao_household(village=village_a, persons=3, income_per_person=2000)
    case = active_case(household=household, county_user=county_admin)
    # (3876 − 2000) × 3 / 12 = 469.00 (R8); no 分类施保, no subsidies.
    assert case.status == CaseStatus.ACTIVE
    assert case.topup_amount == Decimal("469.00")
    assert case.monthly_amount == Decimal("469.00")
    assert case.standard_month == Decimal("323.00")
    assert case.start_month == dt.date(2019, 11, 1)
    entry = ChangeLedgerEntry.objects.get(case=case)
    assert (entry.kind, entry.month, entry.new_amount) == (
        LedgerKind.START,
        dt.date(2019, 11, 1),
        Decimal("469.00"),
    )


def test_disabled_member_gets_classified_and_both_subsidies(village_a, county_admin):
    household = dibao_household(village=village_a, persons=2, income_per_person=3000, disability_grades=[1])
    case = active_case(household=household, county_user=county_admin)
    # 分类施保 20% × 323 = 64.60 (scenario 12); 生活补贴 20% × 323 = 64.60; 护理补贴 grade 1 = 50.
    assert case.classified_amount == Decimal("64.60")
    assert case.subsidy_amount == Decimal("114.60")
    assert case.topup_amount == Decimal("146.00")  # (3876 − 3000) × 2 / 12


def test_scenario_17_confirm_before_publicity_ends_is_blocked(village_a, county_admin):
    household = dibao_household(village=village_a)
    case = _case_in_publicity(household, county_admin, start=dt.date(2019, 10, 1), close=False)
    assert (case.status, case.publicity_end) == (CaseStatus.IN_PUBLICITY, dt.date(2019, 10, 7))
    with pytest.raises(ValidationError, match="公示期满后方可确认"):
        cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 7))
    township = user_for(village_a.parent)
    with pytest.raises(TransitionError):  # the 公示 cannot be closed before its last day is over
        cases.close_publicity(case=case, user=township, on=dt.date(2019, 10, 7))
    cases.record_objection(
        case=case, user=township, reason="群众反映有经营收入", received_on=dt.date(2019, 10, 3)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    assert case.publicity_start is None
    with pytest.raises(ValidationError, match="不能确认"):
        cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 20))
    # A new 公示 is required; once it passes the county confirms.
    cases.start_publicity(case=case, user=township, start=dt.date(2019, 10, 10), place="村务公开栏")
    cases.close_publicity(case=case, user=township, on=dt.date(2019, 10, 17))
    assert (
        cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 18)).status == CaseStatus.ACTIVE
    )
    results = Publicity.objects.filter(record_id=case.pk, record_kind="dibao_case").order_by("id")
    assert list(results.values_list("result", flat=True)) == ["objected", "passed"]
    events = WorkflowEvent.objects.filter(record_kind="dibao_case", record_id=case.pk).order_by("id")
    assert list(events.values_list("to_state", flat=True)) == [
        "applied", "investigating", "in_publicity", "investigating", "in_publicity", "confirming", "active",
    ]  # fmt: skip


def test_scenario_18_refusal_notice_due_in_three_working_days_skipping_holidays(village_a, county_admin):
    # 2019 National Day: 10-01..10-07 off; Sunday 09-29 and Saturday 10-12 are 调休 workdays.
    HolidayCalendar.objects.bulk_create(
        [HolidayCalendar(date=dt.date(2019, 10, d), is_workday=False, name="国庆节") for d in range(1, 8)]
        + [
            HolidayCalendar(date=dt.date(2019, 9, 29), is_workday=True, name="国庆调休"),
            HolidayCalendar(date=dt.date(2019, 10, 12), is_workday=True, name="国庆调休"),
        ]
    )
    household = dibao_household(village=village_a)
    case = _case_in_publicity(household, county_admin, start=dt.date(2019, 9, 10))
    refused = cases.refuse_case(
        case=case, user=county_admin, reason="家庭收入超过保障标准", on=dt.date(2019, 9, 30)
    )
    # Monday 09-30 + 3 working days: 10-01..07 are holidays → 10-08, 10-09, 10-10.
    assert refused.status == CaseStatus.REFUSED
    assert refused.refusal_notice_due == dt.date(2019, 10, 10)
    alert = Alert.objects.get(case=case)
    assert alert.kind == AlertKind.REFUSAL_NOTICE_DUE
    assert alert.due_date == dt.date(2019, 10, 10)

    other = _case_in_publicity(dibao_household(village=village_a), county_admin, start=dt.date(2019, 9, 10))
    # Friday 09-27: Saturday off, Sunday 09-29 is a 调休 workday (1), Monday 09-30 (2), then 10-08 (3).
    refused = cases.refuse_case(case=other, user=county_admin, reason="不符合条件", on=dt.date(2019, 9, 27))
    assert refused.refusal_notice_due == dt.date(2019, 10, 8)


def test_scenario_18_refusal_needs_reason_and_notice_closes_alert(village_a, county_admin):
    case = _case_in_publicity(dibao_household(village=village_a), county_admin)
    with pytest.raises(ValidationError):
        cases.refuse_case(case=case, user=county_admin, reason=" ", on=dt.date(2019, 10, 9))
    cases.refuse_case(case=case, user=county_admin, reason="不符合条件", on=dt.date(2019, 10, 9))
    cases.record_refusal_notice_sent(case=case, user=county_admin, on=dt.date(2019, 10, 10))
    assert Alert.objects.get(case=case).handled_at is not None


def test_scenario_19_staff_relative_needs_county_home_visit(village_a, county_admin, township_reviewer_a):
    household = dibao_household(village=village_a)
    case = _case_in_publicity(household, county_admin, near_relative_of_staff=True)
    assert case.status == CaseStatus.CONFIRMING
    cases.record_home_visit(
        case=case,
        user=township_reviewer_a,
        level=VisitLevel.TOWNSHIP,
        visit_date=dt.date(2019, 10, 2),
        visitors="镇民政办",
        findings="属实",
    )
    with pytest.raises(ValidationError, match="须有县级入户核查记录"):
        cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 9))
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMING
    with pytest.raises(PermissionDenied):  # only county staff record the county visit
        cases.record_home_visit(
            case=case,
            user=township_reviewer_a,
            level=VisitLevel.COUNTY,
            visit_date=dt.date(2019, 10, 3),
            visitors="镇民政办",
            findings="属实",
        )
    cases.record_home_visit(
        case=case,
        user=county_admin,
        level=VisitLevel.COUNTY,
        visit_date=dt.date(2019, 10, 3),
        visitors="县民政局 王某、李某",
        findings="家庭经济状况属实",
    )
    confirmed = cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 9))
    assert confirmed.status == CaseStatus.ACTIVE


def test_only_county_confirms(village_a, township_reviewer_a, county_admin):
    case = _case_in_publicity(dibao_household(village=village_a), county_admin)
    with pytest.raises(PermissionDenied):
        cases.confirm_case(case=case, user=township_reviewer_a, on=dt.date(2019, 10, 9))


def test_county_cannot_confirm_other_county(village_a, county_admin):
    from tests.factories import region_chain, user_for

    other_county = region_chain(
        "211224100001", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丙村")
    ).parent.parent
    case = _case_in_publicity(dibao_household(village=village_a), county_admin)
    with pytest.raises(PermissionDenied):
        cases.confirm_case(case=case, user=user_for(other_county), on=dt.date(2019, 10, 9))


def test_single_person_case_covers_only_chosen_member(village_a, county_admin):
    household = dibao_household(village=village_a, persons=3, income_per_person=2000)
    member = household.members.order_by("id").last()
    case = active_case(
        household=household, county_user=county_admin, case_type="single", covered_members=[member]
    )
    assert case.covered_persons == 1
    assert case.topup_amount == Decimal("156.33")  # (3876 − 2000) × 1 / 12 = 156.333…


def test_household_with_income_above_standard_is_not_confirmed(village_a, county_admin):
    case = _case_in_publicity(dibao_household(village=village_a, income_per_person=5000), county_admin)
    with pytest.raises(ValidationError, match="不符合低保条件"):
        cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 9))
