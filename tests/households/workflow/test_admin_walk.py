"""One household through the whole chain by the admin's own HTTP views, as four different users."""

import pytest
from django.urls import reverse

from core.choices import ReviewState
from core.models import WorkflowEvent
from households.models import ChangeRequest, Household
from households.workflow.choices import ChangeState
from tests.factories import valid_id

from .admin_forms import admin_form_data, set_row

pytestmark = pytest.mark.django_db

HOUSEHOLDS = reverse("admin:households_household_changelist")
QUEUE = reverse("admin:households_householdreview_changelist")
CHANGES = reverse("admin:households_changerequest_changelist")


def act(client, url, action, ids, **extra):
    data = {"action": action, "_selected_action": [str(i) for i in ids], "index": "0", **extra}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response, [str(m) for m in response.context["messages"]]


def ledger(household_no):
    """What calculations, ledgers and payments read: the live rows."""
    household = Household.objects.get(household_no=household_no)
    members = sorted((m.name, m.health) for m in household.members.all())
    return household.review_state, household.phone, members


def test_household_walks_the_chain_through_the_admin(
    client, clerk_a, township_reviewer_a, county_admin, city_supervisor, village_a
):
    # 1. The clerk enters a household with two members (village preset to the clerk's own).
    client.force_login(clerk_a)
    add_url = reverse("admin:households_household_add")
    page = client.get(add_url)
    data = admin_form_data(page)
    assert data["village"] == village_a.pk
    data.update(main_cause="illness", phone="13000000001")
    set_row(
        data, page, "member", 0, {"name": "张大山", "id_no": valid_id(), "sex": "male", "relation": "head"}
    )
    set_row(
        data,
        page,
        "member",
        1,
        {"name": "李秀英", "id_no": valid_id(male=False), "sex": "female", "relation": "spouse"},
    )
    response = client.post(add_url, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    household = Household.objects.get(created_by=clerk_a)
    no = household.household_no  # assigned: the village code + a 4-digit sequence
    assert no == f"{village_a.code}0001"
    assert ledger(no) == ("draft", "13000000001", [("张大山", "healthy"), ("李秀英", "healthy")])

    # 2. The clerk submits it from the list.
    _, msgs = act(client, HOUSEHOLDS, "submit_selected", [household.pk])
    assert msgs == [f"{no} 张大山：已提交，转为「待镇审核」"]

    # The record being reviewed is not editable by the village any more.
    change_url = reverse("admin:households_household_change", args=[household.pk])
    assert client.post(change_url, data).status_code == 403

    # 3. The township reviewer sees it in 待我审核 and returns it with a reason.
    client.force_login(township_reviewer_a)
    queue = client.get(QUEUE)
    assert "待我审核（建档立卡户）：共 1 条" in queue.content.decode()
    response, msgs = act(client, QUEUE, "return_selected", [household.pk])
    assert "原因（必填）" in response.content.decode()  # asks for the reason first
    _, msgs = act(client, QUEUE, "return_selected", [household.pk], confirm="1", reason="户主电话有误")
    assert msgs == [f"{no} 张大山：已退回，转为「村修正」"]
    assert ledger(no)[0] == "returned_to_village"

    # 4. The clerk corrects the phone and resubmits.
    client.force_login(clerk_a)
    page = client.get(change_url)
    data = admin_form_data(page)
    data["phone"] = "13000000002"
    assert client.post(change_url, data, follow=True).redirect_chain
    assert ledger(no)[:2] == ("returned_to_village", "13000000002")
    act(client, HOUSEHOLDS, "submit_selected", [household.pk])

    # 5. Township approves, 6. county approves: 已入库.
    client.force_login(township_reviewer_a)
    _, msgs = act(client, QUEUE, "approve_selected", [household.pk])
    assert msgs == [f"{no} 张大山：审核通过，转为「待县核查」"]
    client.force_login(county_admin)
    assert "共 1 条" in client.get(QUEUE).content.decode()
    _, msgs = act(client, QUEUE, "approve_selected", [household.pk])
    assert msgs == [f"{no} 张大山：审核通过，转为「已入库」"]
    approved = ("verified", "13000000002", [("张大山", "healthy"), ("李秀英", "healthy")])
    assert ledger(no) == approved

    # 7. The clerk edits the stored household: a change request, live rows untouched.
    client.force_login(clerk_a)
    page = client.get(change_url)
    data = admin_form_data(page)
    data["phone"] = "13999999999"
    members_prefix = "members"
    index = next(
        k.split("-")[1]
        for k, v in data.items()
        if k.startswith(members_prefix) and k.endswith("-name") and v == "李秀英"
    )
    data[f"{members_prefix}-{index}-health"] = "serious"
    response = client.post(change_url, data, follow=True)
    msgs = [str(m) for m in response.context["messages"]]
    assert any("已生成变更申请" in m for m in msgs), msgs
    change = ChangeRequest.objects.get(household=household)
    assert change.state == ChangeState.PENDING_TOWNSHIP
    assert ledger(no) == approved
    # While it is under review the village cannot edit again.
    assert client.post(change_url, data).status_code == 403

    # 8. The township reviewer sees the field-by-field diff and approves; still the approved data.
    client.force_login(township_reviewer_a)
    detail = client.get(reverse("admin:households_changerequest_change", args=[change.pk])).content.decode()
    assert "联系电话" in detail
    # identifying values are masked on review pages too
    assert "130****0002" in detail
    assert "139****9999" in detail
    assert "13000000002" not in detail
    assert "13999999999" not in detail
    assert "健康状况" in detail
    assert "患有大病" in detail
    listing = client.get(CHANGES).content.decode()
    assert "待我审核（变更申请）：共 1 条" in listing
    _, msgs = act(client, CHANGES, "approve_selected", [change.pk])
    assert msgs == [f"变更申请#{change.pk}（{no}）：审核通过，转为「待县核查」"]
    assert ledger(no) == approved

    # 9. County approves: the change is applied at once.
    client.force_login(county_admin)
    act(client, CHANGES, "approve_selected", [change.pk])
    assert ledger(no) == ("verified", "13999999999", [("张大山", "healthy"), ("李秀英", "serious")])

    # 10. The city cannot edit (403) but raises a spot-check objection: back to the county.
    client.force_login(city_supervisor)
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, data).status_code == 403
    _, msgs = act(
        client,
        HOUSEHOLDS,
        "city_objection_selected",
        [household.pk],
        confirm="1",
        reason="抽查：住房面积不符",
    )
    assert msgs == [f"{no} 张大山：已提出抽查异议，转为「待县核查」"]
    assert ledger(no)[0] == ReviewState.PENDING_COUNTY
    client.force_login(county_admin)
    act(client, QUEUE, "approve_selected", [household.pk])
    assert ledger(no)[0] == ReviewState.VERIFIED

    # The household page shows the transition log and the field history with who changed what.
    page = client.get(change_url).content.decode()
    assert "流转记录" in page
    assert "市抽查异议" in page
    assert "户主电话有误" in page
    assert "联系电话：130****0002 → 139****9999" in page
    assert "13999999999" not in page
    assert WorkflowEvent.objects.filter(household_id=household.pk).count() == 12


def test_scenario_10_city_edit_is_forbidden(client, city_supervisor, village_a):
    from tests.factories import household_with_members

    household = household_with_members(2, village=village_a)
    client.force_login(city_supervisor)
    url = reverse("admin:households_household_change", args=[household.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"phone": "1"})
    assert response.status_code == 403
