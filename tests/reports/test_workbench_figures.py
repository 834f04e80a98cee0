"""The 工作台's figures keep their meaning and their scope when they are read set-based (issue 28
item 4: the page at 1,000,000 households): the 疑点 card's first rows and count, the households past
their visit interval, the 低保 cases due for review — each counted for the user's own region only."""

import datetime as dt

import pytest
from django.utils import timezone

from assistance.choices import CaseStatus
from assistance.models import DibaoCase
from households.choices import MonitoringState
from reports import todo
from tests.assistance.factories import active_case, dibao_household
from tests.factories import HelperPersonFactory, VisitFactory, assign, household_with_members, user_for

pytestmark = pytest.mark.django_db


def _item(user, key, today=None):
    return next((i for i in todo.items_for(user, today or timezone.localdate()) if i.key == key), None)


def _hit(household, *, n: int, deadline: dt.date, severity: str = "medium"):
    from reports.crosscheck.choices import RunTrigger
    from reports.crosscheck.models import CheckRun, Hit

    member = household.members.order_by("pk").first()
    run = CheckRun.objects.create(
        county=household.village.parent.parent, trigger=RunTrigger.MANUAL, as_of=dt.date.today()
    )
    return Hit.objects.create(
        rule="id_mismatch", key=f"id_mismatch:{member.pk}:{n}", severity=severity, village=household.village,
        household=household, member=member, reason=f"疑点{n}", run=run, deadline=deadline,
    )  # fmt: skip


def test_hit_card_shows_the_earliest_deadlines_of_the_own_village_and_counts_only_its_hits(
    village_a, village_b, clerk_a, clerk_b, county_admin
):
    today = timezone.localdate()
    household = household_with_members(1, village=village_a)
    other = household_with_members(1, village=village_b)
    mine = [_hit(household, n=n, deadline=today + dt.timedelta(days=8 - n)) for n in range(7)]
    late = _hit(other, n=99, deadline=today - dt.timedelta(days=1), severity="high")  # overdue, 高

    item = _item(clerk_a, "crosscheck")
    assert item.count == 7
    assert [r.detail for r in item.rows] == [h.reason for h in sorted(mine, key=lambda h: h.deadline)][:5]
    assert not item.alert  # the other township's overdue 高 疑点 does not colour this card
    assert "疑点99" not in {r.detail for r in item.rows}

    assert _item(clerk_b, "crosscheck").count == 1
    assert _item(clerk_b, "crosscheck").alert

    county = _item(county_admin, "crosscheck")
    assert county.count == 8
    assert county.rows[0].detail == late.reason  # the earliest deadline of the county comes first
    assert len(county.rows) == 5
    assert county.alert


def test_hit_card_is_an_alert_for_an_overdue_or_high_hit_of_the_own_scope(village_a, clerk_a):
    today = timezone.localdate()
    household = household_with_members(1, village=village_a)
    _hit(household, n=1, deadline=today + dt.timedelta(days=3))
    assert not _item(clerk_a, "crosscheck").alert
    _hit(household, n=2, deadline=today + dt.timedelta(days=3), severity="high")
    assert _item(clerk_a, "crosscheck").alert


def test_overdue_visits_count_monitored_and_assigned_households_of_the_own_township_only(
    village_a, village_b, township_reviewer_a, clerk_b
):
    today = timezone.localdate()
    helper = HelperPersonFactory(county=village_a.parent.parent)
    long_ago = today - dt.timedelta(days=400)
    monitored = household_with_members(1, village=village_a, monitoring_state=MonitoringState.AT_RISK)
    assigned = household_with_members(1, village=village_a)
    assign(helper, assigned, start=dt.date(2024, 1, 1))
    VisitFactory(household=assigned, visit_date=long_ago)
    visited = household_with_members(1, village=village_a)
    assign(helper, visited, start=dt.date(2024, 1, 1))
    VisitFactory(household=visited, visit_date=today)
    ended = household_with_members(1, village=village_a)  # the assignment ended: nobody's to visit
    assign(helper, ended, start=dt.date(2024, 1, 1), end=today - dt.timedelta(days=1))
    later = household_with_members(1, village=village_a)  # assigned from tomorrow
    assign(helper, later, start=today + dt.timedelta(days=1))
    household_with_members(1, village=village_a)  # neither monitored nor assigned
    elsewhere = household_with_members(1, village=village_b, monitoring_state=MonitoringState.AT_RISK)
    far = household_with_members(1, village=village_b)
    assign(helper, far, start=dt.date(2024, 1, 1))

    item = _item(township_reviewer_a, "field.overdue")
    assert item.count == 2
    listed = " ".join(r.detail for r in item.rows)
    assert monitored.household_no in listed
    assert assigned.household_no in listed
    for household in (visited, ended, later, elsewhere, far):
        assert household.household_no not in listed
    assert _item(clerk_b, "field.overdue").count == 2  # the other township's two, not these


def test_cases_due_for_review_are_the_live_ones_of_the_next_30_days_in_scope(
    village_a, village_b, clerk_a, township_reviewer_a, county_admin
):
    today = timezone.localdate()
    for village, status, days in (
        (village_a, CaseStatus.ACTIVE, 10),
        (village_a, CaseStatus.PHASING_OUT, 30),
        (village_a, CaseStatus.ACTIVE, -5),
        (village_a, CaseStatus.ACTIVE, 31),
        (village_a, CaseStatus.STOPPED, 3),
        (village_b, CaseStatus.ACTIVE, 1),
    ):
        case = active_case(household=dibao_household(village=village, persons=1), county_user=county_admin)
        DibaoCase.objects.filter(pk=case.pk).update(
            status=status, next_review_date=today + dt.timedelta(days=days)
        )

    assert _item(township_reviewer_a, "cases.review_due").count == 3
    assert _item(clerk_a, "cases.review_due").count == 3
    assert _item(county_admin, "cases.review_due").count == 4
    assert _item(user_for(village_b.parent), "cases.review_due").count == 1


def test_count_each_is_each_querysets_count_in_one_statement(
    village_a, village_b, clerk_a, county_admin, django_assert_num_queries
):
    from core.scoping import scoped
    from households.models import Household
    from reports.todo import count_each

    for village, n in ((village_a, 3), (village_b, 2)):
        for _ in range(n):
            household_with_members(1, village=village)
    nobody = user_for(village_a)
    nobody.region = None
    querysets = [
        scoped(Household.objects.all(), clerk_a),
        scoped(Household.objects.all(), county_admin),
        scoped(Household.objects.all(), nobody),  # no scope: none()
        scoped(DibaoCase.objects.all(), county_admin),
        Household.objects.filter(village=village_b, members__isnull=False),  # a join: one row a member
    ]
    expected = [qs.count() for qs in querysets]
    assert expected == [3, 5, 0, 0, 2]
    with django_assert_num_queries(1):
        assert count_each(querysets) == expected


@pytest.mark.parametrize(("n", "queries"), [(3, 1), (5, 2), (7, 2)])
def test_first_rows_counts_only_a_full_card(village_a, n, queries, django_assert_num_queries):
    from households.models import Household
    from reports.todo import first_rows

    for _ in range(n):
        household_with_members(1, village=village_a)
    with django_assert_num_queries(queries):
        rows, count = first_rows(Household.objects.order_by("pk"))
    assert (len(rows), count) == (min(n, 5), n)


def test_review_card_lists_the_five_that_waited_longest_and_counts_them_all(
    village_a, village_b, clerk_a, clerk_b, township_reviewer_a
):
    from django.urls import reverse

    from core.workflow import services as chain

    made = [household_with_members(1, village=village_a, created_by=clerk_a) for _ in range(7)]
    for household in reversed(made):  # the newest household waits longest
        chain.submit(record=household, user=clerk_a)
    chain.submit(record=household_with_members(1, village=village_b, created_by=clerk_b), user=clerk_b)
    item = _item(township_reviewer_a, "review.household")
    assert item.count == 7
    assert [r.url for r in item.rows] == [
        reverse("admin:households_household_change", args=[h.pk]) for h in list(reversed(made))[:5]
    ]
    for household in list(reversed(made))[:3]:
        chain.return_to_lower(record=household, user=township_reviewer_a, reason=f"请核对{household.pk}")
    returned = _item(clerk_a, "returned.household")
    assert returned.count == 3
    assert [r.detail for r in returned.rows] == [f"请核对{h.pk}" for h in list(reversed(made))[:3]]
    assert _item(clerk_b, "returned.household") is None
