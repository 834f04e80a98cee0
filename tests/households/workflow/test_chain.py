import pytest
from django.db import DatabaseError, transaction

from core.choices import ReviewState
from core.models import WorkflowEvent
from core.workflow import services as chain
from core.workflow.errors import TransitionError
from households.models import Household
from tests.factories import household_with_members

pytestmark = pytest.mark.django_db


def events(record, kind="household"):
    return list(
        WorkflowEvent.objects.filter(record_kind=kind, record_id=record.pk)
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )


def test_scenario_08_township_approval_of_a_draft_is_an_invalid_transition(draft, township_reviewer_a):
    with pytest.raises(TransitionError) as exc:
        chain.approve(record=draft, user=township_reviewer_a)
    assert exc.value.messages == ["当前状态为「草稿」，不能执行「审核通过」"]
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.DRAFT
    assert events(draft) == []


def test_scenario_09_county_return_needs_a_reason_and_is_logged(
    draft, clerk_a, township_reviewer_a, county_admin
):
    chain.submit(record=draft, user=clerk_a)
    chain.approve(record=draft, user=township_reviewer_a)
    for blank in ("", "   "):
        with pytest.raises(TransitionError) as exc:
            chain.return_to_lower(record=draft, user=county_admin, reason=blank)
        assert "必须填写原因" in exc.value.messages[0]
    assert Household.objects.get(pk=draft.pk).review_state == ReviewState.PENDING_COUNTY

    chain.return_to_lower(record=draft, user=county_admin, reason="收入测算有误")
    draft.refresh_from_db()
    assert draft.review_state == ReviewState.RETURNED_TO_TOWNSHIP
    last = WorkflowEvent.objects.filter(record_id=draft.pk).latest("id")
    assert (last.action, last.from_state, last.to_state, last.reason) == (
        "return",
        "pending_county",
        "returned_to_township",
        "收入测算有误",
    )
    assert (last.actor, last.actor_role, last.actor_region) == (
        county_admin,
        "county_admin",
        county_admin.region,
    )
    assert str(last) == "退回 待县核查→镇修正"


def test_whole_chain_with_returns_at_both_levels(
    draft, clerk_a, township_reviewer_a, township_reviewer_a2, county_admin
):
    chain.submit(record=draft, user=clerk_a)
    chain.return_to_lower(record=draft, user=township_reviewer_a, reason="缺少户主电话")
    assert draft.review_state == ReviewState.RETURNED_TO_VILLAGE
    chain.submit(record=draft, user=clerk_a)
    chain.approve(record=draft, user=township_reviewer_a)
    chain.return_to_lower(record=draft, user=county_admin, reason="耕地面积需核实")
    assert draft.review_state == ReviewState.RETURNED_TO_TOWNSHIP
    # The township corrects it itself (recorded as a correction) — and so may not approve it.
    chain.record_correction(record=draft, user=township_reviewer_a, summary="耕地面积")
    with pytest.raises(TransitionError, match="职责分离"):
        chain.approve(record=draft, user=township_reviewer_a)
    chain.approve(record=draft, user=township_reviewer_a2)
    chain.approve(record=draft, user=county_admin)
    assert draft.review_state == ReviewState.VERIFIED
    assert events(draft) == [
        ("submit", "draft", "pending_township"),
        ("return", "pending_township", "returned_to_village"),
        ("submit", "returned_to_village", "pending_township"),
        ("approve", "pending_township", "pending_county"),
        ("return", "pending_county", "returned_to_township"),
        ("correct", "returned_to_township", "returned_to_township"),
        ("approve", "returned_to_township", "pending_county"),
        ("approve", "pending_county", "verified"),
    ]


def test_township_can_send_a_county_return_further_down_to_the_village(
    draft, clerk_a, township_reviewer_a, county_admin
):
    chain.submit(record=draft, user=clerk_a)
    chain.approve(record=draft, user=township_reviewer_a)
    chain.return_to_lower(record=draft, user=county_admin, reason="缺材料")
    chain.return_to_lower(record=draft, user=township_reviewer_a, reason="请村里补充材料")
    assert draft.review_state == ReviewState.RETURNED_TO_VILLAGE


def test_scenario_10_city_spot_check_reopens_a_stored_record_at_the_county(
    verified, city_supervisor, county_admin
):
    with pytest.raises(TransitionError):
        chain.city_objection(record=verified, user=city_supervisor, reason="")
    chain.city_objection(record=verified, user=city_supervisor, reason="抽查发现住房面积不符")
    assert verified.review_state == ReviewState.PENDING_COUNTY
    assert events(verified)[-1] == ("city_objection", "verified", "pending_county")
    chain.approve(record=verified, user=county_admin)
    assert verified.review_state == ReviewState.VERIFIED


def test_only_the_city_raises_spot_check_objections(verified, county_admin, draft):
    with pytest.raises(TransitionError, match="市级监督员|不能"):
        chain.city_objection(record=verified, user=county_admin, reason="x")


def test_city_cannot_object_to_a_record_that_is_not_stored(draft, city_supervisor):
    with pytest.raises(TransitionError, match="草稿"):
        chain.city_objection(record=draft, user=city_supervisor, reason="x")


def test_wrong_role_at_a_level_is_refused(draft, clerk_a, township_reviewer_a, county_admin):
    with pytest.raises(TransitionError, match="乡镇审核员"):
        chain.submit(record=draft, user=township_reviewer_a)
    chain.submit(record=draft, user=clerk_a)
    with pytest.raises(TransitionError, match="县级管理员"):
        chain.approve(record=draft, user=county_admin)
    with pytest.raises(TransitionError, match="村级录入员"):
        chain.approve(record=draft, user=clerk_a)


def test_reviewer_of_another_township_is_out_of_scope(draft, clerk_a, village_b):
    from tests.factories import user_for

    other_reviewer = user_for(village_b.parent)
    chain.submit(record=draft, user=clerk_a)
    with pytest.raises(TransitionError, match="管辖范围"):
        chain.approve(record=draft, user=other_reviewer)


def test_clerk_of_another_village_cannot_submit(draft, clerk_b):
    with pytest.raises(TransitionError, match="管辖范围"):
        chain.submit(record=draft, user=clerk_b)


def test_nobody_approves_what_they_entered_whatever_their_role(
    draft, clerk_a, township_reviewer_a, village_a
):
    # A township reviewer who entered the record (e.g. during a data drive) may not approve it.
    draft.created_by = township_reviewer_a
    draft.save()
    chain.submit(record=draft, user=clerk_a)
    with pytest.raises(TransitionError) as exc:
        chain.approve(record=draft, user=township_reviewer_a)
    assert exc.value.messages == ["不能审核自己录入或修正过的记录（职责分离）"]


def test_withdraw_only_before_the_township_acts(draft, clerk_a, township_reviewer_a):
    chain.submit(record=draft, user=clerk_a)
    chain.withdraw(record=draft, user=clerk_a)
    assert draft.review_state == ReviewState.DRAFT
    chain.submit(record=draft, user=clerk_a)
    chain.approve(record=draft, user=township_reviewer_a)
    with pytest.raises(TransitionError, match="待县核查"):
        chain.withdraw(record=draft, user=clerk_a)


def test_submit_needs_exactly_one_head(village_a, clerk_a):
    household = household_with_members(1, village=village_a)
    household.members.update(relation="son")
    with pytest.raises(Exception, match="户主"):
        chain.submit(record=household, user=clerk_a)


def test_expected_state_mismatch_is_reported_in_chinese(draft, clerk_a, township_reviewer_a):
    chain.submit(record=draft, user=clerk_a)
    with pytest.raises(TransitionError) as exc:
        chain.approve(record=draft, user=township_reviewer_a, expected_state="pending_county")
    assert "已被他人处理" in exc.value.messages[0]


def test_transition_log_is_append_only_in_the_database(draft, clerk_a):
    chain.submit(record=draft, user=clerk_a)
    event = WorkflowEvent.objects.get(record_id=draft.pk)
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        WorkflowEvent.objects.filter(pk=event.pk).update(reason="改写")
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        WorkflowEvent.objects.filter(pk=event.pk).delete()
    assert WorkflowEvent.objects.get(pk=event.pk).reason == ""


def test_field_history_is_append_only_in_the_database(draft):
    from django.apps import apps
    from pghistory.models import Events

    draft.phone = "13800000000"
    draft.save()
    assert Events.objects.tracks(draft).exists()
    HouseholdEvent = apps.get_model("households", "HouseholdEvent")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        HouseholdEvent.objects.filter(pgh_obj_id=draft.pk).update(phone="x")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        HouseholdEvent.objects.filter(pgh_obj_id=draft.pk).delete()
