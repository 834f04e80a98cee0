"""低保 / 特困 / 两项补贴 record pages: banner and buttons for exactly the steps the user may take
now, the same services as the list actions (issue 17, item 2)."""

import datetime as dt
import re
from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.choices import CaseStatus, SimpleStatus
from assistance.services import cases, tekun
from core.choices import ReviewState, Role
from core.workflow import actions as ra
from tests.assistance.factories import confirming_case, dibao_household
from tests.factories import UserFactory, user_for

pytestmark = pytest.mark.django_db


def buttons(client, user, name, record) -> list[str]:
    client.force_login(user)
    response = client.get(reverse(f"admin:assistance_{name}_change", args=[record.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    return re.findall(r'<button type="[a-z]+" class="record-action[^"]*"[^>]*data-action="([a-z_]+)"', body)


def post(client, user, name, record, slug, **data):
    client.force_login(user)
    url = reverse(f"admin:assistance_{name}_act", args=[record.pk, slug])
    return client.post(url, {f"{slug}-{k}": v for k, v in data.items()}, follow=True)


def _applied_case(village):
    household = dibao_household(village=village)
    clerk = user_for(village)
    case = cases.apply_case(household=household, user=clerk, applied_on=dt.date(2019, 9, 1))
    return case, clerk


def test_dibao_case_buttons_follow_the_services_for_each_role(
    client, village_a, county_admin, city_supervisor
):
    case, clerk = _applied_case(village_a)
    township = user_for(village_a.parent)
    assert buttons(client, township, "dibaocase", case) == ["investigate", "review", "return"]
    assert buttons(client, city_supervisor, "dibaocase", case) == []

    post(client, township, "dibaocase", case, "investigate")
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    # 镇审核通过 happens by starting the 公示 (P9); the county may refuse at this stage.
    assert buttons(client, township, "dibaocase", case) == ["review", "start_publicity", "return"]
    assert buttons(client, county_admin, "dibaocase", case) == ["refuse"]

    post(client, township, "dibaocase", case, "return", reason="缺少收入证明")
    case.refresh_from_db()
    assert case.review_state == ReviewState.RETURNED_TO_VILLAGE
    client.force_login(clerk)
    body = client.get(reverse("admin:assistance_dibaocase_change", args=[case.pk])).content.decode()
    assert "缺少收入证明" in body
    assert "业务状态" in body
    assert buttons(client, clerk, "dibaocase", case) == ["submit"]


def test_dibao_case_refused_post_changes_nothing(client, village_a, city_supervisor):
    case, clerk = _applied_case(village_a)
    response = post(client, clerk, "dibaocase", case, "confirm")
    assert [str(m) for m in response.context["messages"]][0].startswith("未执行「县级审核确认」")
    response = post(client, city_supervisor, "dibaocase", case, "refuse", reason="不符合")
    case.refresh_from_db()
    assert (case.status, case.review_state) == (CaseStatus.APPLIED, ReviewState.PENDING_TOWNSHIP)


def test_dibao_case_page_is_404_out_of_scope(client, village_a, clerk_b):
    case, _ = _applied_case(village_a)
    client.force_login(clerk_b)
    url = reverse("admin:assistance_dibaocase_act", args=[case.pk, "investigate"])
    assert client.post(url).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.APPLIED


def test_tekun_case_approve_from_its_page(client, village_a, county_admin):
    member = dibao_household(village=village_a, persons=1).members.get()
    case = tekun.apply_tekun(member=member, user=user_for(village_a), mode="dispersed", self_care="partial")
    township = user_for(village_a.parent)
    assert buttons(client, township, "tekuncase", case) == ["approve", "return"]
    assert buttons(client, county_admin, "tekuncase", case) == []
    post(client, township, "tekuncase", case, "approve")
    assert buttons(client, county_admin, "tekuncase", case) == ["approve", "return"]
    post(client, county_admin, "tekuncase", case, "approve")
    case.refresh_from_db()
    assert (case.status, case.review_state) == (SimpleStatus.ACTIVE, ReviewState.VERIFIED)
    assert buttons(client, county_admin, "tekuncase", case) == []


def _case_in(state: str, village):
    """A 低保 case taken by the services to `state` (its 业务状态 and 审核环节)."""
    today = timezone.localdate()
    township, county = user_for(village.parent), user_for(village.parent.parent)
    if state in ("confirming", "returned_to_township", "active", "refused"):
        case = confirming_case(household=dibao_household(village=village), confirm_on=today)
        if state == "returned_to_township":
            cases.return_case(case=case, user=county, reason="补充材料")
        elif state == "active":
            cases.confirm_case(case=case, user=county, on=today)
        elif state == "refused":
            cases.refuse_case(case=case, user=county, reason="不符合", on=today)
        return case
    case, _ = _applied_case(village)
    if state == "returned_to_village":
        cases.return_case(case=case, user=township, reason="缺少收入证明")
    if state in ("investigating", "in_publicity", "publicity_over", "objected"):
        cases.start_investigation(case=case, user=township)
    if state in ("in_publicity", "publicity_over", "objected"):
        start = today - dt.timedelta(days=20 if state == "publicity_over" else 3)
        cases.start_publicity(case=case, user=township, start=start, place="村务公开栏")
    if state == "objected":
        cases.record_objection(case=case, user=township, reason="收入不实", received_on=today)
    return case


def _fresh(case):
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(
    "state",
    [
        "applied",
        "returned_to_village",
        "investigating",
        "in_publicity",
        "publicity_over",
        "objected",
        "confirming",
        "returned_to_township",
        "active",
        "refused",
    ],
)
def test_case_steps_a_role_may_not_take_are_not_tried_and_the_buttons_stay(
    village_a, clerk_a, township_reviewer_a, county_admin, city_supervisor, state, monkeypatch
):
    """A 低保 case's step names the roles its service takes it from (RecordAction.roles); the page
    tries it for no one else. In each state of a case's life, for every role, the buttons are those
    the services accept when every step is tried."""
    case = _fresh(_case_in(state, village_a))
    steps = ra.actions_of(case)
    assert all(step.roles is not None for step in steps)
    system_admin = UserFactory(role=Role.SYSTEM_ADMIN, region=None)
    for user in (clerk_a, township_reviewer_a, county_admin, city_supervisor, system_admin):
        offered = [a.slug for a in ra.available_actions(case, user)]
        monkeypatch.setitem(ra._ACTIONS, "assistance.DibaoCase", [replace(s, roles=None) for s in steps])
        assert offered == [a.slug for a in ra.available_actions(case, user)], (state, user.role)
        monkeypatch.setitem(ra._ACTIONS, "assistance.DibaoCase", steps)
