"""Field work counted on the 工作台: visits this month per village, and households past their visit
interval per 帮扶责任人 (scenario 58) — the same rule as the phone's 待办 (households.visit_due)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from households.choices import MonitoringState
from reports import todo
from tests.factories import VisitFactory, assign, household_with_members

pytestmark = pytest.mark.django_db
WORKBENCH = reverse("reports:workbench")


def _item(user, key):
    return next((i for i in todo.items_for(user, timezone.localdate()) if i.key == key), None)


def test_scenario_58_not_visited_monitored_household_is_overdue_on_the_village_workbench(
    client, clerk_a, helper, mine, village_a
):
    mine.monitoring_state = MonitoringState.AT_RISK
    mine.save(update_fields=["monitoring_state"])
    VisitFactory(household=mine, visit_date=timezone.localdate() - dt.timedelta(days=31))  # interval 30
    fresh = household_with_members(village=village_a, monitoring_state=MonitoringState.AT_RISK)
    assign(helper, fresh, start=dt.date(2024, 1, 1))
    VisitFactory(household=fresh, visit_date=timezone.localdate() - dt.timedelta(days=29))
    item = _item(clerk_a, "field.overdue")
    assert item.count == 1
    assert item.tone == "orange"
    assert helper.helper_person.name in item.rows[0].text
    assert mine.household_no in item.rows[0].detail
    client.force_login(clerk_a)
    page = client.get(WORKBENCH).content.decode()
    assert 'data-todo="field.overdue"' in page
    assert mine.household_no in page
    # the helper's phone 待办 says the same
    client.force_login(helper)
    todo_page = client.get(reverse("field:todo")).content.decode()
    assert reverse("field:household", args=[mine.pk]) in todo_page
    assert reverse("field:household", args=[fresh.pk]) not in todo_page


def test_visits_this_month_per_village_on_every_level(clerk_a, county_admin, clerk_b, mine, village_b):
    today = timezone.localdate()
    VisitFactory(household=mine, visit_date=today)
    VisitFactory(household=mine, visit_date=today)
    VisitFactory(household=mine, visit_date=today.replace(day=1) - dt.timedelta(days=1))  # last month
    other = household_with_members(village=village_b)
    VisitFactory(household=other, visit_date=today)
    village = _item(clerk_a, "field.visits_month")
    assert village.count == 2
    assert village.rows[0].detail == "本月走访 2 户次（1 户）"
    county = _item(county_admin, "field.visits_month")
    assert county.count == 3
    assert len(county.rows) == 2
    assert _item(clerk_b, "field.visits_month").count == 1


def test_county_workbench_has_no_household_list_of_overdue_visits(county_admin, helper, mine):
    assert _item(county_admin, "field.overdue") is None
