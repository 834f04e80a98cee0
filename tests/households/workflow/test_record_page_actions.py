"""The record page: status banner and buttons for exactly the steps this user may take now (issue 17,
item 2). Each button posts to a view that calls the same service as the list action."""

import re
from dataclasses import replace

import pytest
from django.urls import reverse

from core.choices import ReviewState
from core.models import WorkflowEvent
from core.workflow import actions as ra
from core.workflow import services as chain
from households.models import ChangeRequest, Household
from households.workflow import services
from tests.factories import household_with_members, valid_id
from tests.households.workflow.admin_forms import admin_form_data, set_row

pytestmark = pytest.mark.django_db


def page(client, user, household):
    client.force_login(user)
    response = client.get(reverse("admin:households_household_change", args=[household.pk]))
    assert response.status_code == 200
    return response.content.decode()


def buttons(body: str) -> list[str]:
    return re.findall(r'<button type="[a-z]+" class="record-action[^"]*"[^>]*data-action="([a-z_]+)"', body)


def act(client, user, household, slug, **data):
    client.force_login(user)
    url = reverse("admin:households_household_act", args=[household.pk, slug])
    return client.post(url, {f"{slug}-{k}": v for k, v in data.items()}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_draft_banner_offers_submit_to_its_clerk_only(
    client, draft, clerk_a, township_reviewer_a, county_admin, city_supervisor
):
    body = page(client, clerk_a, draft)
    assert buttons(body) == ["submit"]
    assert "当前状态" in body
    assert "草稿" in body
    assert "现由村（" in body
    assert f"（{draft.village.name}）办理" in body
    for user in (township_reviewer_a, county_admin, city_supervisor):
        assert buttons(page(client, user, draft)) == []


def test_pending_banner_offers_approve_and_return_to_the_township_only(
    client, draft, clerk_a, township_reviewer_a, county_admin, city_supervisor
):
    chain.submit(record=draft, user=clerk_a)
    body = page(client, township_reviewer_a, draft)
    assert buttons(body) == ["approve", "return"]
    assert "现由乡镇（" in body
    assert 'id="record-dialog-return"' in body
    assert 'name="return-reason"' in body
    assert buttons(page(client, clerk_a, draft)) == ["withdraw"]
    assert buttons(page(client, county_admin, draft)) == []
    assert buttons(page(client, city_supervisor, draft)) == []


def test_the_author_gets_no_approve_button_segregation_of_duties(client, draft, clerk_a, township_reviewer_a):
    chain.submit(record=draft, user=clerk_a)
    Household.objects.filter(pk=draft.pk).update(created_by=township_reviewer_a)
    assert buttons(page(client, township_reviewer_a, draft)) == ["return"]


def test_verified_banner_offers_city_objection_to_the_city_only(
    client, verified, clerk_a, township_reviewer_a, county_admin, city_supervisor
):
    assert buttons(page(client, city_supervisor, verified)) == ["city_objection"]
    for user in (clerk_a, township_reviewer_a, county_admin):
        body = page(client, user, verified)
        assert buttons(body) == []
        assert "审核流程已办结" in body


def test_submit_from_the_page_calls_the_service_and_says_what_comes_next(client, draft, clerk_a):
    response = act(client, clerk_a, draft, "submit")
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.PENDING_TOWNSHIP
    (msg,) = messages_of(response)
    assert msg.startswith("提交审核：已提交。当前状态「待镇审核」，现由乡镇（")
    assert WorkflowEvent.objects.filter(record_id=draft.pk, action="submit", actor=clerk_a).exists()


def test_return_from_the_page_needs_a_reason_and_the_banner_shows_it_in_full(
    client, draft, clerk_a, township_reviewer_a
):
    chain.submit(record=draft, user=clerk_a)
    response = act(client, township_reviewer_a, draft, "return", reason="  ")
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.PENDING_TOWNSHIP
    assert messages_of(response) == ["未执行「退回」：请填写原因"]

    reason = "家庭成员张三的身份证号与户口簿不一致，请核对后修改；另缺2020年度务工收入证明。"
    act(client, township_reviewer_a, draft, "return", reason=reason)
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.RETURNED_TO_VILLAGE
    body = page(client, clerk_a, draft)
    assert "最近一次退回" in body
    assert reason in body
    assert buttons(body) == ["submit"]


def test_post_by_a_user_who_may_not_take_the_step_is_refused(
    client, draft, clerk_a, township_reviewer_a, county_admin, city_supervisor
):
    chain.submit(record=draft, user=clerk_a)
    for user, slug in [(clerk_a, "approve"), (county_admin, "approve"), (city_supervisor, "return")]:
        response = act(client, user, draft, slug, reason="不行")
        assert messages_of(response)[0].startswith("未执行")
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.PENDING_TOWNSHIP
    assert not WorkflowEvent.objects.filter(record_id=draft.pk, action__in=["approve", "return"]).exists()


def test_record_page_and_its_actions_are_404_out_of_scope(client, clerk_b, village_a, clerk_a):
    household = household_with_members(2, village=village_a, created_by=clerk_a)
    client.force_login(clerk_b)
    assert client.get(reverse("admin:households_household_change", args=[household.pk])).status_code in (
        302,
        404,
    )
    url = reverse("admin:households_household_act", args=[household.pk, "submit"])
    assert client.post(url).status_code == 404
    household.refresh_from_db()
    assert household.review_state == ReviewState.DRAFT


def test_action_view_refuses_get(client, draft, clerk_a):
    client.force_login(clerk_a)
    assert client.get(reverse("admin:households_household_act", args=[draft.pk, "submit"])).status_code == 405


def test_change_request_page_has_the_chain_buttons(client, verified, clerk_a, township_reviewer_a):
    change = services.open_change_request(
        household=verified, user=clerk_a, changes={"household": {"phone": "13900000000"}}
    )
    client.force_login(township_reviewer_a)
    url = reverse("admin:households_changerequest_change", args=[change.pk])
    assert buttons(client.get(url).content.decode()) == ["approve", "return"]
    client.force_login(clerk_a)
    assert buttons(client.get(url).content.decode()) == ["withdraw"]
    response = client.post(
        reverse("admin:households_changerequest_act", args=[change.pk, "approve"]), follow=True
    )
    change.refresh_from_db()
    assert change.state == ChangeRequest.objects.get(pk=change.pk).state == "pending_township"
    assert messages_of(response)[0].startswith("未执行「审核通过」")


def test_after_saving_a_new_household_the_message_says_it_is_not_submitted_yet(client, clerk_a):
    client.force_login(clerk_a)
    add_url = reverse("admin:households_household_add")
    form = client.get(add_url)
    data = admin_form_data(form)
    data.update(main_cause="illness")
    set_row(
        data, form, "member", 0, {"name": "张大山", "id_no": valid_id(), "sex": "male", "relation": "head"}
    )
    response = client.post(add_url, data, follow=True)
    household = Household.objects.get(created_by=clerk_a)
    assert response.redirect_chain[-1][0] == reverse("admin:households_household_change", args=[household.pk])
    assert "已保存为草稿，尚未提交审核：请在页面顶部点击“提交审核”" in messages_of(response)
    assert buttons(response.content.decode()) == ["submit"]


@pytest.mark.parametrize(
    "state",
    [
        ReviewState.DRAFT,
        ReviewState.PENDING_TOWNSHIP,
        ReviewState.PENDING_COUNTY,
        ReviewState.RETURNED_TO_VILLAGE,
        ReviewState.RETURNED_TO_TOWNSHIP,
        ReviewState.VERIFIED,
    ],
)
def test_steps_a_role_may_not_take_are_not_tried_and_the_buttons_stay(
    draft, clerk_a, township_reviewer_a, county_admin, city_supervisor, state, monkeypatch
):
    """A step names the roles its service takes it from (core.workflow.actions: `roles`); the page
    tries it for no one else. In every state, for every role, the buttons are those the services
    accept when every step is tried."""
    Household.objects.filter(pk=draft.pk).update(review_state=state)
    draft.refresh_from_db()
    steps = ra.actions_of(draft)
    assert all(step.roles is not None for step in steps)
    for user in (clerk_a, township_reviewer_a, county_admin, city_supervisor):
        offered = [a.slug for a in ra.available_actions(draft, user)]
        monkeypatch.setitem(ra._ACTIONS, "households.Household", [replace(s, roles=None) for s in steps])
        assert offered == [a.slug for a in ra.available_actions(draft, user)], (state, user.role)
        monkeypatch.setitem(ra._ACTIONS, "households.Household", steps)
