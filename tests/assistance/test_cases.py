import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.choices import AlertKind, CaseStatus, LedgerKind, VisitLevel
from assistance.models import Alert, ChangeLedgerEntry, HolidayCalendar
from assistance.services import cases
from core.choices import ReviewState
from core.workflow.errors import TransitionError
from core.workflow.models import Publicity, WorkflowEvent
from tests.assistance.factories import active_case, dibao_household
from tests.factories import user_for

pytestmark = pytest.mark.django_db


def _case_in_publicity(household, user, start=dt.date(2019, 10, 1), *, close=True, **kwargs):
    """A case the village applied for, the township investigated, reviewed and put on a 7-day 公示
    from `start` (closed without objection unless close=False); it waits for the county."""
    clerk = user_for(household.village)
    case = cases.apply_case(household=household, user=clerk, applied_on=dt.date(2019, 9, 1), **kwargs)
    township = user_for(household.village.parent)
    cases.start_investigation(case=case, user=township)
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
    # The review chain's steps (提交 → 镇审核 → 县审核确认) among the case's own status steps.
    assert list(events.values_list("action", "to_state")) == [
        ("submit", "pending_township"), ("approve", "investigating"), ("approve", "pending_county"),
        ("start_publicity", "in_publicity"), ("objection", "investigating"),
        ("start_publicity", "in_publicity"), ("close_publicity", "confirming"), ("approve", "verified"),
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


# --- the review chain: 村提交 → 镇审核 → 县审核确认, returns with a reason (households.workflow) ---


def _applied(household):
    """Applied by the village clerk and under investigation by the township: 待镇审核."""
    case = cases.apply_case(
        household=household, user=user_for(household.village), applied_on=dt.date(2019, 9, 1)
    )
    cases.start_investigation(case=case, user=user_for(household.village.parent))
    return case


def _events(case):
    rows = WorkflowEvent.objects.filter(record_kind="dibao_case", record_id=case.pk).order_by("id")
    return list(rows.values_list("action", "from_state", "to_state", "reason"))


def test_village_application_enters_the_chain_at_the_township(village_a):
    case = _applied(dibao_household(village=village_a))
    assert (case.status, case.review_state) == (CaseStatus.INVESTIGATING, ReviewState.PENDING_TOWNSHIP)
    assert _events(case)[0][:3] == ("submit", "draft", "pending_township")


def test_township_review_then_county_confirmation_are_chain_approvals(village_a, county_admin):
    household = dibao_household(village=village_a)
    case = _applied(household)
    township = user_for(village_a.parent)
    cases.review_case(case=case, user=township, note="调查属实")
    assert case.review_state == ReviewState.PENDING_COUNTY
    cases.start_publicity(case=case, user=township, start=dt.date(2019, 10, 1), place="村务公开栏")
    cases.close_publicity(case=case, user=township, on=dt.date(2019, 10, 8))
    confirmed = cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 9))
    assert (confirmed.status, confirmed.review_state) == (CaseStatus.ACTIVE, ReviewState.VERIFIED)
    approvals = [e for e in _events(case) if e[0] == "approve" and e[1].startswith("pending")]
    assert approvals == [
        ("approve", "pending_township", "pending_county", "调查属实"),
        ("approve", "pending_county", "verified", "2019-10-09 县审核确认"),
    ]
    actors = WorkflowEvent.objects.filter(record_kind="dibao_case", record_id=case.pk, action="approve")
    assert set(actors.values_list("actor_role", flat=True)) >= {"township_reviewer", "county_admin"}


def test_township_returns_to_village_with_reason_and_village_resubmits(village_a):
    household = dibao_household(village=village_a)
    case = _applied(household)
    township = user_for(village_a.parent)
    with pytest.raises(TransitionError, match="必须填写原因"):
        cases.return_case(case=case, user=township, reason=" ")
    cases.return_case(case=case, user=township, reason="缺少收入证明")
    case.refresh_from_db()
    assert case.review_state == ReviewState.RETURNED_TO_VILLAGE
    assert _events(case)[-1] == ("return", "pending_township", "returned_to_village", "缺少收入证明")
    # Sent back to the village, it cannot go on 公示.
    with pytest.raises(ValidationError, match="须经乡镇审核通过后方可公示"):
        cases.start_publicity(case=case, user=township, start=dt.date(2019, 10, 1), place="村务公开栏")
    assert not Publicity.objects.filter(record_kind="dibao_case", record_id=case.pk).exists()
    cases.submit_case(case=case, user=user_for(village_a))
    assert case.review_state == ReviewState.PENDING_TOWNSHIP


def test_county_returns_to_township_which_reviews_again_before_confirmation(village_a, county_admin):
    case = _case_in_publicity(dibao_household(village=village_a), county_admin)
    assert (case.status, case.review_state) == (CaseStatus.CONFIRMING, ReviewState.PENDING_COUNTY)
    cases.return_case(case=case, user=county_admin, reason="收入核对结果与申报不一致，请复核")
    case.refresh_from_db()
    assert case.review_state == ReviewState.RETURNED_TO_TOWNSHIP
    with pytest.raises(TransitionError, match="镇审核"):
        cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 9))
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMING  # the refused confirmation changed nothing
    cases.review_case(case=case, user=user_for(village_a.parent), note="已复核")
    assert (
        cases.confirm_case(case=case, user=county_admin, on=dt.date(2019, 10, 9)).status == CaseStatus.ACTIVE
    )


def test_wrong_role_cannot_review_return_or_skip_confirmation(village_a, county_admin, clerk_a):
    case = _applied(dibao_household(village=village_a))
    with pytest.raises(TransitionError, match="不能在「镇审核」环节"):
        cases.review_case(case=case, user=clerk_a)
    with pytest.raises(TransitionError, match="不能在「镇审核」环节"):
        cases.review_case(case=case, user=county_admin)
    with pytest.raises(TransitionError, match="不能在「镇审核」环节"):
        cases.return_case(case=case, user=county_admin, reason="越级退回")
    cases.review_case(case=case, user=user_for(village_a.parent))
    # At the county the approval is the confirmation, with its 公示 and amount checks.
    with pytest.raises(ValidationError, match="请使用“县级审核确认”"):
        cases.review_case(case=case, user=county_admin)
    case.refresh_from_db()
    assert case.review_state == ReviewState.PENDING_COUNTY


def test_out_of_scope_township_cannot_review_and_applicant_cannot_approve_own(village_a, village_b):
    case = _applied(dibao_household(village=village_a))
    with pytest.raises(TransitionError, match="不在您的管辖范围"):
        cases.review_case(case=case, user=user_for(village_b.parent))
    township = user_for(village_a.parent)
    own = cases.apply_case(
        household=dibao_household(village=village_a), user=township, applied_on=dt.date(2019, 9, 1)
    )
    cases.start_investigation(case=own, user=township)
    with pytest.raises(TransitionError, match="职责分离"):
        cases.review_case(case=own, user=township)
    cases.review_case(case=own, user=user_for(village_a.parent))  # a colleague may


def test_case_history_is_append_only(village_a):
    from django.db import DatabaseError, transaction

    case = _applied(dibao_household(village=village_a))
    event = WorkflowEvent.objects.filter(record_kind="dibao_case", record_id=case.pk).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        WorkflowEvent.objects.filter(pk=event.pk).update(reason="改写")
