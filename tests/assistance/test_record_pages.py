"""低保 / 特困 / 两项补贴 record pages: banner and buttons for exactly the steps the user may take
now, the same services as the list actions (issue 17, item 2)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from assistance.choices import CaseStatus, SimpleStatus
from assistance.services import cases, tekun
from core.choices import ReviewState
from tests.assistance.factories import dibao_household
from tests.factories import user_for

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
