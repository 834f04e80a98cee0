"""走访记录's 记录人 (issue 28 item 4; a product decision): the person who entered the visit, set by the
system — the signed-in user when the visit is created, on the household page as on the phone pages
and the API (households.visits.stamp_recorder) — and shown read-only by name, never a login name.
Stored visits keep theirs."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import ReviewState
from households.choices import Relation
from households.models import ChangeRequest, Visit
from households.visits import VisitInput, record_visit
from tests.factories import HouseholdFactory, MemberFactory, VisitFactory, user_for
from tests.households.workflow.admin_forms import admin_form_data, set_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_clerk(village_a):
    return user_for(village_a, username="liwen_login", first_name="李文")


@pytest.fixture
def named_reviewer(village_a):
    return user_for(village_a.parent, username="wangmin_login", first_name="王敏")


def _household(village, state=ReviewState.DRAFT):
    household = HouseholdFactory(village=village, review_state=state)
    MemberFactory(household=household, relation=Relation.HEAD)
    return household


def _page(client, user, household):
    client.force_login(user)
    url = reverse("admin:households_household_change", args=[household.pk])
    response = client.get(url)
    assert response.status_code == 200
    return url, response


def _visit_rows(body: str) -> str:
    """The 走访记录 inline's HTML."""
    start = body.index('id="visits-group"')
    return body[start : body.index("</fieldset>", start)]


@pytest.mark.parametrize("state", [ReviewState.DRAFT, ReviewState.VERIFIED])
def test_a_visit_added_on_the_household_page_is_recorded_by_whoever_entered_it(
    client, village_a, named_clerk, named_reviewer, state
):
    household = _household(village_a, state)
    url, page = _page(client, named_clerk, household)
    assert "recorded_by" not in page.context["inline_admin_formsets"][-1].formset.empty_form.fields
    data = admin_form_data(page)
    set_row(data, page, "visit", 0, {"visit_date": "2024-03-01", "visitor": "张三", "content": "了解收入"})
    data["visits-0-recorded_by"] = str(named_reviewer.pk)  # not a field: a crafted value is ignored
    assert client.post(url, data).status_code == 302
    assert household.visits.get().recorded_by == named_clerk


def test_a_stored_visit_is_read_only_on_the_page_and_a_new_one_can_be_added(
    client, village_a, named_clerk, named_reviewer
):
    """A visit is append-only (the model, the API): on the household page the clerk sees stored
    visits as text and adds a row; a value posted for a stored visit changes nothing."""
    household = _household(village_a)
    visit = VisitFactory(household=household, recorded_by=named_reviewer, content="了解收入")
    url, page = _page(client, named_clerk, household)
    rows = _visit_rows(page.content.decode())
    assert "了解收入" in rows
    assert 'name="visits-0-content"' not in rows
    data = admin_form_data(page)
    data["visits-0-content"] = "补记：了解务工收入"
    set_row(data, page, "visit", 1, {"visit_date": "2024-03-02", "visitor": "张三", "content": "再次走访"})
    assert client.post(url, data).status_code == 302
    visit.refresh_from_db()
    assert (visit.content, visit.recorded_by) == ("了解收入", named_reviewer)
    added = household.visits.exclude(pk=visit.pk).get()
    assert (added.content, added.recorded_by) == ("再次走访", named_clerk)


@pytest.mark.parametrize("viewer", ["named_clerk", "named_reviewer"])
def test_the_page_shows_the_recorder_by_name_not_login_name(client, village_a, named_clerk, viewer, request):
    """Stored rows are read-only for everyone: 记录人 is the name, and a user without a name shows
    as their role."""
    household = _household(village_a, ReviewState.VERIFIED)
    VisitFactory(household=household, recorded_by=named_clerk)
    VisitFactory(household=household, recorded_by=user_for(village_a, username="noname_login"))
    VisitFactory(household=household)  # entered before 记录人 was kept
    _, page = _page(client, request.getfixturevalue(viewer), household)
    rows = _visit_rows(page.content.decode())
    assert "记录人" in rows
    assert "李文" in rows
    assert "村级录入员" in rows
    assert not re.search(r"liwen_login|noname_login|/admin/core/user/", rows)
    assert "<select" not in re.sub(r"<select[^>]*(helper|purpose)[^>]*>", "", rows)  # no 记录人 select


def test_phone_and_api_visits_are_recorded_by_whoever_sent_them(village_a, named_clerk, named_reviewer):
    household = _household(village_a, ReviewState.VERIFIED)
    data = VisitInput(household_id=household.pk, visit_date=dt.date.today(), content="走访")
    visit, _ = record_visit(user=named_clerk, data=data)
    assert visit.recorded_by == named_clerk
    api = APIClient()
    api.force_authenticate(named_clerk)
    response = api.post(
        "/api/v1/visits/",
        {
            "household": household.pk,
            "visit_date": "2024-03-01",
            "content": "电话回访",
            "recorded_by": named_reviewer.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Visit.objects.get(pk=response.json()["id"]).recorded_by == named_clerk


def test_a_visit_added_to_a_stored_household_needs_no_change_request(client, village_a, named_clerk):
    """Before, the clerk's page said 未生成变更申请：没有任何字段发生变化 (an error) though the visit
    was saved: 走访记录 and 结对帮扶 rows are not registry data and need no change request."""
    household = _household(village_a, ReviewState.VERIFIED)
    url, page = _page(client, named_clerk, household)
    data = admin_form_data(page)
    set_row(data, page, "visit", 0, {"visit_date": "2024-03-01", "visitor": "张三", "content": "了解收入"})
    response = client.post(url, data, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "已保存结对帮扶和走访记录（户、成员和收入未修改，无需变更申请）"
    ]
    assert household.visits.count() == 1
    assert not ChangeRequest.objects.filter(household=household).exists()
