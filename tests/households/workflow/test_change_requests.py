import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.choices import ReviewState
from core.models import WorkflowEvent
from core.workflow import services as chain
from core.workflow.errors import TransitionError
from households.models import ChangeRequest, Household, IncomeYear, Member
from households.workflow import services
from households.workflow.changes import diff_rows
from households.workflow.choices import ChangeState
from tests.factories import valid_id

pytestmark = pytest.mark.django_db


def _changes(household, *, phone="13911112222", wage="9000.00", new_member=True):
    member = household.members.order_by("id").first()
    income = household.incomes.get()
    changes = {
        "household": {"phone": phone, "danger_level": "C"},
        "members": [{"id": member.pk, "health": "serious"}],
        "incomes": [{"id": income.pk, "wage": Decimal(wage)}],
    }
    if new_member:
        changes["members"].append(
            {
                "id": None,
                "name": "新生儿",
                "id_no": valid_id(dt.date(2019, 3, 1)),
                "sex": "male",
                "relation": "grandchild",
            }
        )
    return changes


def test_change_to_a_stored_household_leaves_live_rows_until_final_approval(
    verified, clerk_a, township_reviewer_a, county_admin
):
    before_phone = verified.phone
    member = verified.members.order_by("id").first()
    change = services.open_change_request(
        household=verified, user=clerk_a, changes=_changes(verified), note="新增成员"
    )
    assert change.state == ChangeState.PENDING_TOWNSHIP

    def live():
        household = Household.objects.get(pk=verified.pk)
        return (
            household.phone,
            household.danger_level,
            Member.objects.get(pk=member.pk).health,
            IncomeYear.objects.get(household=verified).wage,
            household.members.count(),
            household.review_state,
        )

    approved = (before_phone, "none", "healthy", Decimal("6000.00"), 2, ReviewState.VERIFIED)
    assert live() == approved
    chain.approve(record=change, user=township_reviewer_a)
    assert live() == approved
    chain.approve(record=change, user=county_admin)
    change.refresh_from_db()
    assert change.state == ChangeState.VERIFIED
    assert change.decided_at
    assert live() == ("13911112222", "C", "serious", Decimal("9000.00"), 3, ReviewState.VERIFIED)
    applied = WorkflowEvent.objects.filter(
        record_kind="household", record_id=verified.pk, action="apply_change"
    )
    assert applied.count() == 1


def test_reviewer_sees_a_field_by_field_diff_in_chinese(verified, clerk_a):
    change = services.open_change_request(household=verified, user=clerk_a, changes=_changes(verified))
    rows = {
        (r.row.split("：")[0].split("（")[0], r.field): (r.old, r.new)
        for r in diff_rows(change.active_items())
    }
    assert rows[("户信息", "危房等级")] == ("无", "C级（局部危房）")
    assert rows[("年度收入", "工资性收入")] == ("6000.00", "9000.00")
    assert rows[("家庭成员", "健康状况")] == ("健康", "患有大病")
    assert rows[("家庭成员", "姓名")] == ("—", "新生儿")
    assert ("户信息", "联系电话") in rows


def test_withdrawing_a_change_restores_nothing_because_nothing_was_overwritten(verified, clerk_a):
    change = services.open_change_request(household=verified, user=clerk_a, changes=_changes(verified))
    snapshot = Household.objects.filter(pk=verified.pk).values().get()
    chain.withdraw(record=change, user=clerk_a)
    change.refresh_from_db()
    assert change.state == ChangeState.WITHDRAWN
    assert Household.objects.filter(pk=verified.pk).values().get() == snapshot
    # …and a new change may be opened afterwards.
    services.open_change_request(
        household=verified, user=clerk_a, changes=_changes(verified, new_member=False)
    )


def test_a_returned_change_is_amended_and_resubmitted(verified, clerk_a, township_reviewer_a, county_admin):
    change = services.open_change_request(household=verified, user=clerk_a, changes=_changes(verified))
    chain.return_to_lower(record=change, user=township_reviewer_a, reason="新生儿无出生证明")
    assert change.state == ChangeState.RETURNED_TO_VILLAGE
    services.amend_change_request(
        change_request=change, user=clerk_a, changes=_changes(verified, phone="13700000000", new_member=False)
    )
    assert change.state == ChangeState.PENDING_TOWNSHIP
    chain.approve(record=change, user=township_reviewer_a)
    chain.approve(record=change, user=county_admin)
    verified.refresh_from_db()
    assert verified.phone == "13700000000"
    assert verified.members.count() == 2  # the superseded new member was not applied


def test_only_one_open_change_per_household(verified, clerk_a):
    services.open_change_request(household=verified, user=clerk_a, changes=_changes(verified))
    with pytest.raises(TransitionError, match="未办结的变更申请"):
        services.open_change_request(household=verified, user=clerk_a, changes=_changes(verified))


def test_change_without_differences_is_refused(verified, clerk_a):
    with pytest.raises(TransitionError, match="没有任何字段发生变化"):
        services.open_change_request(
            household=verified, user=clerk_a, changes={"household": {"phone": verified.phone}}
        )


def test_change_requests_only_for_stored_households(draft, clerk_a):
    with pytest.raises(TransitionError, match="已入库"):
        services.open_change_request(household=draft, user=clerk_a, changes={"household": {"phone": "1"}})


def test_workflow_fields_cannot_be_changed_by_a_change_request(verified, clerk_a):
    with pytest.raises(TransitionError, match="不能通过变更申请修改"):
        services.open_change_request(
            household=verified, user=clerk_a, changes={"household": {"poverty_status": "exited_no_policy"}}
        )


def test_invalid_proposed_values_are_refused_at_the_field(verified, clerk_a):
    member = verified.members.first()
    with pytest.raises(ValidationError) as exc:
        services.open_change_request(
            household=verified,
            user=clerk_a,
            changes={"members": [{"id": member.pk, "id_no": "360426199101010072"}]},
        )
    assert "id_no" in exc.value.message_dict
    assert not ChangeRequest.objects.exists()


def test_clerk_who_requested_a_change_cannot_be_the_approver(verified, clerk_a, township_reviewer_a):
    change = services.open_change_request(household=verified, user=clerk_a, changes=_changes(verified))
    change.created_by = township_reviewer_a
    change.save()
    with pytest.raises(TransitionError, match="职责分离"):
        chain.approve(record=change, user=township_reviewer_a)


def test_stale_change_is_refused_rather_than_overwriting(
    verified, clerk_a, township_reviewer_a, county_admin
):
    change = services.open_change_request(household=verified, user=clerk_a, changes=_changes(verified))
    chain.approve(record=change, user=township_reviewer_a)
    Household.objects.filter(pk=verified.pk).update(phone="0000")  # e.g. a data repair
    with pytest.raises(TransitionError, match="联系电话"):
        chain.approve(record=change, user=county_admin)
    change.refresh_from_db()
    assert change.state == ChangeState.PENDING_COUNTY
    assert verified.members.count() == 2


def test_row_of_another_household_is_refused(verified, clerk_a, village_a):
    from tests.factories import household_with_members

    other = household_with_members(1, village=village_a)
    with pytest.raises(TransitionError, match="不属于该户"):
        services.open_change_request(
            household=verified,
            user=clerk_a,
            changes={"members": [{"id": other.members.get().pk, "name": "x"}]},
        )
