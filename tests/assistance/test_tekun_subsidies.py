"""特困供养 and 两项补贴 through the review chain: 申请 → 镇审核 → 县审核确认, returns with a reason,
every step a WorkflowEvent; 两项补贴 granted by a 低保 case are approved by that case's chain."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assistance.choices import SimpleStatus
from assistance.models import DisabilitySubsidy
from assistance.rules import next_month
from assistance.services import cases, subsidies, tekun
from core.choices import ReviewState
from core.workflow.errors import TransitionError
from core.workflow.models import WorkflowEvent
from tests.assistance.factories import active_case, dibao_household
from tests.factories import user_for

pytestmark = pytest.mark.django_db


def _events(kind, record):
    rows = WorkflowEvent.objects.filter(record_kind=kind, record_id=record.pk).order_by("id")
    return list(rows.values_list("action", "from_state", "to_state", "reason"))


def _member(village, **kwargs):
    return dibao_household(village=village, persons=1, **kwargs).members.get()


def _tekun_applied(village):
    member = _member(village)
    return tekun.apply_tekun(member=member, user=user_for(village), mode="dispersed", self_care="partial")


# ------------------------------------------------------------------------------- 特困供养


def test_tekun_application_township_review_and_county_confirmation(village_a, county_admin):
    case = _tekun_applied(village_a)
    assert (case.status, case.review_state) == (SimpleStatus.PENDING, ReviewState.PENDING_TOWNSHIP)
    assert case.start_month is None  # nothing is paid while it is in the chain
    tekun.approve_tekun(case=case, user=user_for(village_a.parent), note="入户核实，符合条件")
    assert (case.status, case.review_state) == (SimpleStatus.PENDING, ReviewState.PENDING_COUNTY)
    confirmed = tekun.approve_tekun(case=case, user=county_admin, note="县审核确认")
    assert (confirmed.status, confirmed.review_state) == (SimpleStatus.ACTIVE, ReviewState.VERIFIED)
    assert confirmed.start_month == next_month(timezone.localdate())
    assert confirmed.basic_standard > 0
    assert _events("tekun_case", case) == [
        ("submit", "draft", "pending_township", ""),
        ("approve", "pending_township", "pending_county", "入户核实，符合条件"),
        ("approve", "pending_county", "verified", "县审核确认"),
    ]


def test_tekun_returns_need_a_reason_and_go_one_level_down(village_a, county_admin):
    case = _tekun_applied(village_a)
    township = user_for(village_a.parent)
    with pytest.raises(TransitionError, match="必须填写原因"):
        tekun.return_tekun(case=case, user=township, reason="  ")
    tekun.return_tekun(case=case, user=township, reason="缺少能力评估表")
    case.refresh_from_db()
    assert case.review_state == ReviewState.RETURNED_TO_VILLAGE
    tekun.submit_tekun(case=case, user=user_for(village_a))
    tekun.approve_tekun(case=case, user=township)
    tekun.return_tekun(case=case, user=county_admin, reason="供养方式与实际不符")
    case.refresh_from_db()
    assert (case.status, case.review_state) == (SimpleStatus.PENDING, ReviewState.RETURNED_TO_TOWNSHIP)
    assert _events("tekun_case", case)[-1] == (
        "return",
        "pending_county",
        "returned_to_township",
        "供养方式与实际不符",
    )
    tekun.approve_tekun(case=case, user=township, note="已复核")
    assert tekun.approve_tekun(case=case, user=county_admin).status == SimpleStatus.ACTIVE


def test_tekun_wrong_role_out_of_scope_and_own_application(village_a, village_b, county_admin, clerk_a):
    case = _tekun_applied(village_a)
    for user in (clerk_a, county_admin):
        with pytest.raises(TransitionError, match="不能在「镇审核」环节"):
            tekun.approve_tekun(case=case, user=user)
    with pytest.raises(TransitionError, match="不在您的管辖范围"):
        tekun.approve_tekun(case=case, user=user_for(village_b.parent))
    with pytest.raises(TransitionError, match="不在您的管辖范围"):
        tekun.return_tekun(case=case, user=user_for(village_b.parent), reason="越权退回")
    with pytest.raises(PermissionDenied):
        tekun.apply_tekun(
            member=_member(village_a), user=user_for(village_b), mode="dispersed", self_care="full"
        )
    township = user_for(village_a.parent)
    tekun.approve_tekun(case=case, user=township)
    with pytest.raises(TransitionError, match="不能在「县核查」环节"):
        tekun.approve_tekun(case=case, user=township)
    # taken at the township window: that reviewer may not approve it, a colleague may
    own = tekun.apply_tekun(member=_member(village_a), user=township, mode="centralized", self_care="full")
    with pytest.raises(TransitionError, match="职责分离"):
        tekun.approve_tekun(case=own, user=township)
    tekun.approve_tekun(case=own, user=user_for(village_a.parent))
    case.refresh_from_db()
    assert case.status == SimpleStatus.PENDING


def test_tekun_second_application_for_the_same_member_is_refused(village_a):
    case = _tekun_applied(village_a)
    with pytest.raises(ValidationError, match="已有审核中或发放中的特困供养"):
        tekun.apply_tekun(member=case.member, user=user_for(village_a), mode="dispersed", self_care="full")


def test_county_entered_tekun_is_recorded_as_decided_by_the_county(village_a, county_admin):
    case = tekun.start_tekun(
        member=_member(village_a), user=county_admin, mode="dispersed", self_care="full",
        start_month=dt.date(2019, 7, 15),
    )  # fmt: skip
    assert (case.status, case.review_state, case.applied_by) == ("active", "verified", county_admin)
    assert _events("tekun_case", case) == [("approve", "draft", "verified", tekun.COUNTY_ENTERED)]


# ------------------------------------------------------------------------------- 两项补贴


def test_subsidies_granted_by_a_confirmed_dibao_case_are_approved_by_its_chain(village_a, county_admin):
    household = dibao_household(village=village_a, disability_grades=(1,))
    case = active_case(household=household, county_user=county_admin)
    granted = DisabilitySubsidy.objects.filter(household=household).order_by("kind")
    assert sorted(granted.values_list("kind", flat=True)) == ["care", "living"]
    for record in granted:
        assert (record.status, record.review_state, record.dibao_case_id) == ("active", "verified", case.pk)
        assert _events("disability_subsidy", record) == [
            ("approve", "draft", "verified", f"随低保案件#{case.pk}县审核确认核定")
        ]
    # no second approval is possible (or needed)
    with pytest.raises(TransitionError, match="不能执行"):
        subsidies.approve_subsidy(record=granted[0], user=county_admin)


def _care_applied(village):
    member = _member(village, income_per_person=9000, disability_grades=(1,))
    return subsidies.apply_subsidy(member=member, user=user_for(village))


def test_stand_alone_care_subsidy_village_township_county(village_a, village_b, county_admin):
    record = _care_applied(village_a)
    assert (record.status, record.review_state, record.dibao_case) == ("pending", "pending_township", None)
    township = user_for(village_a.parent)
    with pytest.raises(TransitionError, match="必须填写原因"):
        subsidies.return_subsidy(record=record, user=township, reason="")
    subsidies.return_subsidy(record=record, user=township, reason="残疾证复印件不清")
    subsidies.submit_subsidy(record=record, user=user_for(village_a))
    with pytest.raises(TransitionError, match="不在您的管辖范围"):
        subsidies.approve_subsidy(record=record, user=user_for(village_b.parent))
    with pytest.raises(TransitionError, match="不能在「镇审核」环节"):
        subsidies.approve_subsidy(record=record, user=county_admin)
    subsidies.approve_subsidy(record=record, user=township)
    with pytest.raises(TransitionError, match="不能在「县核查」环节"):
        subsidies.approve_subsidy(record=record, user=township)
    approved = subsidies.approve_subsidy(record=record, user=county_admin)
    assert (approved.status, approved.review_state) == ("active", "verified")
    assert approved.monthly_amount == Decimal("50.00")  # grade 1 (S002)
    assert approved.start_month == next_month(timezone.localdate())
    assert [e[:3] for e in _events("disability_subsidy", record)] == [
        ("submit", "draft", "pending_township"),
        ("return", "pending_township", "returned_to_village"),
        ("submit", "returned_to_village", "pending_township"),
        ("approve", "pending_township", "pending_county"),
        ("approve", "pending_county", "verified"),
    ]


def test_stand_alone_application_rules(village_a, village_b, county_admin):
    member = _member(village_a, income_per_person=9000, disability_grades=(1,))
    with pytest.raises(ValidationError, match="生活补贴限低保家庭"):
        subsidies.apply_subsidy(member=member, user=user_for(village_a), kind="living")
    with pytest.raises(PermissionDenied):
        subsidies.apply_subsidy(member=member, user=user_for(village_b))
    on_dibao = dibao_household(village=village_a, disability_grades=(2,))
    active_case(household=on_dibao, county_user=county_admin)
    with pytest.raises(ValidationError, match="随低保案件核定"):
        subsidies.apply_subsidy(member=on_dibao.members.first(), user=user_for(village_a))
    with pytest.raises(ValidationError, match="残疾等级必填"):
        subsidies.apply_subsidy(member=_member(village_a, income_per_person=9000), user=user_for(village_a))
    with pytest.raises(ValidationError, match="3级残疾不在护理补贴范围"):
        subsidies.apply_subsidy(
            member=_member(village_a, income_per_person=9000, disability_grades=(3,)),
            user=user_for(village_a),
        )
    subsidies.apply_subsidy(member=member, user=user_for(village_a))
    with pytest.raises(ValidationError, match="已有审核中或发放中的护理补贴"):
        subsidies.apply_subsidy(member=member, user=user_for(village_a))


def test_stopping_dibao_leaves_a_stand_alone_care_subsidy_paying(village_a, county_admin):
    record = _care_applied(village_a)
    subsidies.approve_subsidy(record=record, user=user_for(village_a.parent))
    subsidies.approve_subsidy(record=record, user=county_admin)
    household = record.household
    household.incomes.update(wage=Decimal(100))  # income falls: the household gets 低保
    case = active_case(household=household, county_user=county_admin)
    living = DisabilitySubsidy.objects.get(household=household, kind="living")
    assert living.dibao_case_id == case.pk
    assert not DisabilitySubsidy.objects.filter(household=household, kind="care", dibao_case=case).exists()
    cases.stop_case(case=case, user=county_admin, month=dt.date(2020, 1, 1), reason="家庭收入超过标准")
    living.refresh_from_db()
    record.refresh_from_db()
    assert (living.status, record.status) == ("stopped", "active")


def test_admin_actions_run_the_chain(client, village_a, county_admin):
    case = _tekun_applied(village_a)
    tekun.approve_tekun(case=case, user=user_for(village_a.parent))
    record = _care_applied(village_a)
    client.force_login(user_for(village_a.parent))
    post = {"action": "act_approve", "_selected_action": [record.pk]}
    assert client.post("/admin/assistance/disabilitysubsidy/", post).status_code == 302
    record.refresh_from_db()
    assert record.review_state == ReviewState.PENDING_COUNTY
    client.force_login(county_admin)
    post = {"action": "act_approve", "_selected_action": [case.pk]}
    assert client.post("/admin/assistance/tekuncase/", post).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.review_state) == (SimpleStatus.ACTIVE, ReviewState.VERIFIED)
    assert client.get("/admin/assistance/disabilitysubsidy/").status_code == 200


def test_records_in_the_chain_are_not_paid_until_the_county_approves(village_a, county_admin):
    from assistance.models import PaymentLine
    from assistance.services import rolls

    county, month = village_a.parent.parent, next_month(timezone.localdate())
    case, record = _tekun_applied(village_a), _care_applied(village_a)
    township = user_for(village_a.parent)

    def paid():
        found = set()
        for program in ("tekun", "disability"):
            roll = rolls.generate_roll(county=county, month=month, program=program)
            found |= {
                (program, i) for i in PaymentLine.objects.filter(roll=roll).values_list("case_id", flat=True)
            }
        return found

    assert paid() == set()
    for approve, obj in (
        (tekun.approve_tekun, {"case": case}),
        (subsidies.approve_subsidy, {"record": record}),
    ):
        approve(**obj, user=township)
        approve(**obj, user=county_admin)
    assert paid() == {("tekun", case.pk), ("disability", record.pk)}


def test_admin_returns_an_application_with_a_reason_asked_on_a_second_page(client, village_a):
    case = _tekun_applied(village_a)
    record = _care_applied(village_a)
    client.force_login(user_for(village_a.parent))
    url = "/admin/assistance/tekuncase/"
    asked = client.post(url, {"action": "act_return", "_selected_action": [case.pk]})
    assert asked.status_code == 200
    assert "退回所选记录" in asked.content.decode()
    no_reason = {"action": "act_return", "_selected_action": [case.pk], "confirm": "1", "reason": " "}
    assert "请填写退回或异议原因" in client.post(url, no_reason).content.decode()
    case.refresh_from_db()
    assert case.review_state == ReviewState.PENDING_TOWNSHIP  # nothing happened without a reason
    done = client.post(url, {**no_reason, "reason": "缺少能力评估表"}, follow=True)
    shown = [str(m) for m in done.context["messages"]]
    assert any("已退回" in m for m in shown), shown
    case.refresh_from_db()
    assert case.review_state == ReviewState.RETURNED_TO_VILLAGE
    assert _events("tekun_case", case)[-1] == (
        "return",
        "pending_township",
        "returned_to_village",
        "缺少能力评估表",
    )
    subsidy = {"action": "act_return", "_selected_action": [record.pk], "confirm": "1", "reason": "等级不符"}
    client.post("/admin/assistance/disabilitysubsidy/", subsidy)
    record.refresh_from_db()
    assert record.review_state == ReviewState.RETURNED_TO_VILLAGE
