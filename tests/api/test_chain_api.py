"""Review-chain actions over HTTP call the workflow services (scenarios 8, 9, 10)."""

import pytest

from core.choices import ReviewState
from core.workflow.models import WorkflowEvent
from tests.factories import household_with_members

pytestmark = pytest.mark.django_db


def url(household, action):
    return f"/api/v1/households/{household.pk}/{action}/"


def test_scenario_08_township_approval_of_a_draft_is_an_invalid_transition(
    as_user, township_reviewer_a, village_a
):
    household = household_with_members(village=village_a)
    response = as_user(township_reviewer_a).post(url(household, "approve"), {}, format="json")
    assert response.status_code == 400
    assert "当前状态为「草稿」，不能执行「审核通过」" in response.json()["detail"]


def test_scenario_09_county_return_needs_a_reason(as_user, county_admin, village_a):
    household = household_with_members(village=village_a, review_state=ReviewState.PENDING_COUNTY)
    api = as_user(county_admin)
    response = api.post(url(household, "return"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"
    response = api.post(url(household, "return"), {"reason": "收入核算有误"}, format="json")
    assert response.status_code == 200
    assert response.json()["review_state"] == "returned_to_township"
    event = WorkflowEvent.objects.get(record_id=household.pk, action="return")
    assert event.reason == "收入核算有误"
    assert event.actor == county_admin


def test_scenario_10_city_edit_is_403_and_objection_reopens_at_county(as_user, city_supervisor, village_a):
    household = household_with_members(village=village_a, review_state=ReviewState.VERIFIED)
    api = as_user(city_supervisor)
    assert api.patch(f"/api/v1/households/{household.pk}/", {"phone": "1"}, format="json").status_code == 403
    response = api.post(url(household, "city-objection"), {"reason": "抽查发现收入漏报"}, format="json")
    assert response.status_code == 200
    assert response.json()["review_state"] == "pending_county"


def test_clerk_cannot_approve_and_city_cannot_submit(as_user, clerk_a, city_supervisor, village_a):
    household = household_with_members(village=village_a, review_state=ReviewState.PENDING_TOWNSHIP)
    assert as_user(clerk_a).post(url(household, "approve"), {}, format="json").status_code == 403
    assert as_user(city_supervisor).post(url(household, "submit"), {}, format="json").status_code == 403


def test_chain_action_on_out_of_scope_household_is_404(as_user, clerk_a, village_b):
    household = household_with_members(village=village_b)
    assert as_user(clerk_a).post(url(household, "submit"), {}, format="json").status_code == 404


def test_expected_state_guards_against_double_approval(as_user, township_reviewer_a, village_a):
    household = household_with_members(village=village_a, review_state=ReviewState.PENDING_TOWNSHIP)
    api = as_user(township_reviewer_a)
    body = {"expected_state": "pending_township"}
    assert api.post(url(household, "approve"), body, format="json").status_code == 200
    response = api.post(url(household, "approve"), body, format="json")
    assert response.status_code == 400
    assert "已被他人处理" in response.json()["detail"]


def test_township_correction_is_logged_and_blocks_own_approval(as_user, township_reviewer_a, village_a):
    household = household_with_members(village=village_a, review_state=ReviewState.PENDING_TOWNSHIP)
    api = as_user(township_reviewer_a)
    assert (
        api.patch(f"/api/v1/households/{household.pk}/", {"phone": "139"}, format="json").status_code == 200
    )
    assert WorkflowEvent.objects.filter(record_id=household.pk, action="correct").exists()
    response = api.post(url(household, "approve"), {}, format="json")
    assert response.status_code == 400
    assert "职责分离" in response.json()["detail"]
