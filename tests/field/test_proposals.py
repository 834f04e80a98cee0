"""走访发现信息变化 (issue 26): a visit's proposal is never an overwrite; it waits on the village
clerk's 待办 and 工作台, who turns it into a change request (联系电话 at once; other kinds by linking the
change request made on the desktop) or dismisses it with a reason. Other villages and helpers: 404."""

import datetime as dt

import pytest
from django.urls import reverse

from households.choices import ProposalState
from households.models import Household, Visit
from households.workflow.models import ChangeRequest
from reports import todo

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _visit(client, household, **kw):
    body = {"visit_date": TODAY.isoformat(), "content": "了解近况", **kw}
    return client.post(reverse("field:visit", args=[household.pk]), body, HTTP_X_REQUESTED_WITH="fetch")


@pytest.fixture
def verified(mine):
    Household.objects.filter(pk=mine.pk).update(review_state="verified", phone="13800001111")
    mine.refresh_from_db()
    return mine


def test_phone_found_on_a_visit_becomes_a_change_request_not_an_overwrite(client, helper, clerk_a, verified):
    client.force_login(helper)
    assert _visit(client, verified, change_kind="phone", change_value="13912345678").status_code == 200
    visit = Visit.objects.get()
    assert (visit.proposed_changes, visit.proposal_state) == (
        {"kind": "phone", "value": "13912345678"},
        ProposalState.PENDING,
    )
    verified.refresh_from_db()
    assert verified.phone == "13800001111"  # the file is not touched
    card = client.get(reverse("field:household", args=[verified.pk])).content.decode()
    assert "联系电话：139****5678" in card
    assert "待村里处理" in card

    client.force_login(clerk_a)
    (item,) = [i for i in todo.items_for(clerk_a, TODAY) if i.key == "field.proposals"]
    assert (item.count, item.rows[0].url) == (1, reverse("field:proposal", args=[visit.pk]))
    assert "走访发现信息变化（1）" in client.get(reverse("field:todo")).content.decode()
    response = client.post(reverse("field:proposal", args=[visit.pk]), {"action": "open"})
    assert response.status_code == 302
    visit.refresh_from_db()
    change = ChangeRequest.objects.get(household=verified)
    assert (visit.proposal_state, visit.change_request, visit.proposal_handled_by) == (
        ProposalState.OPENED, change, clerk_a,
    )  # fmt: skip
    assert change.active_items().get().new_values == {"phone": "13912345678"}
    verified.refresh_from_db()
    assert verified.phone == "13800001111"  # changed only when the chain approves
    assert not [i for i in todo.items_for(clerk_a, TODAY) if i.key == "field.proposals"]


def test_other_kinds_link_the_change_request_made_on_the_desktop(client, helper, clerk_a, verified):
    from households.workflow.services import open_change_request

    client.force_login(helper)
    _visit(client, verified, change_kind="members", change_value="儿媳今年三月生了一个女孩")
    visit = Visit.objects.get()
    client.force_login(clerk_a)
    url = reverse("field:proposal", args=[visit.pk])
    page = client.post(url, {"action": "open"}).content.decode()
    assert "请先在电脑端该户页面提出变更申请" in page
    change = open_change_request(
        household=verified, user=clerk_a, changes={"household": {"group_name": "三组"}}
    )
    assert client.post(url, {"action": "open"}).status_code == 302
    visit.refresh_from_db()
    assert visit.change_request == change


def test_clerk_dismisses_with_a_reason(client, helper, clerk_a, verified):
    client.force_login(helper)
    _visit(client, verified, change_kind="housing", change_value="危房已改造")
    visit = Visit.objects.get()
    client.force_login(clerk_a)
    url = reverse("field:proposal", args=[visit.pk])
    assert "请填写不予采纳的理由" in client.post(url, {"action": "dismiss"}).content.decode()
    assert client.post(url, {"action": "dismiss", "reason": "档案已是改造后情况"}).status_code == 302
    visit.refresh_from_db()
    assert (visit.proposal_state, visit.proposal_reason) == (ProposalState.DISMISSED, "档案已是改造后情况")
    assert not ChangeRequest.objects.exists()
    client.force_login(helper)
    card = client.get(reverse("field:household", args=[verified.pk])).content.decode()
    assert "不予采纳" in card
    assert "档案已是改造后情况" in card


def test_proposal_input_is_checked_in_chinese(client, helper, mine):
    client.force_login(helper)
    response = _visit(client, mine, change_kind="phone", change_value="打不通")
    assert response.status_code == 400
    assert "联系电话应为7至20位数字" in str(response.json()["errors"])
    assert "请填写变化后的情况" in str(_visit(client, mine, change_kind="income").json()["errors"])
    assert not Visit.objects.exists()


def test_proposal_page_is_404_for_helpers_and_other_villages(client, helper, clerk_b, verified):
    client.force_login(helper)
    _visit(client, verified, change_kind="phone", change_value="13912345678")
    visit = Visit.objects.get()
    url = reverse("field:proposal", args=[visit.pk])
    assert client.get(url).status_code == 404  # the helper proposes; the village decides
    assert client.post(url, {"action": "open"}).status_code == 404
    client.force_login(clerk_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "dismiss", "reason": "无"}).status_code == 404
    assert not [i for i in todo.items_for(clerk_b, TODAY) if i.key == "field.proposals"]
    visit.refresh_from_db()
    assert visit.proposal_state == ProposalState.PENDING


def test_clerk_todo_takes_the_same_queries_for_3_and_30_proposals(client, clerk_a, village_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import household_with_members

    client.force_login(clerk_a)
    household = household_with_members(village=village_a)

    def queries_with(n):
        while Visit.objects.filter(proposal_state=ProposalState.PENDING).count() < n:
            _visit(client, household, change_kind="other", change_value="院墙倒了")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("field:todo")).status_code == 200
        assert len(todo.items_for(clerk_a, TODAY)) >= 1
        return len(ctx.captured_queries)

    assert queries_with(3) == queries_with(30)
