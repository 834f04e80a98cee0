"""Scenarios 31–33 (信息比对) end to end through the services, the roll and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from assistance.models import PaymentHold
from assistance.recalc import recalculate_now
from assistance.services import rolls
from core.scoping import scoped
from core.workflow import services as chain
from households.models import Member
from households.workflow import services as wf
from reports.crosscheck import services
from reports.crosscheck.choices import Answer, HitStatus, ListKind, Rule, RunTrigger, Severity
from reports.crosscheck.models import CheckRun, Hit
from tests.assistance.factories import active_case, dibao_household
from tests.factories import HouseholdFactory, MemberFactory, region_chain, user_for, valid_id
from tests.reports.helpers import gbk_csv

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 12, 5)


def upload(user, people, *, kind=ListKind.DEATH, data=None, django_capture_on_commit_callbacks=None):
    return services.upload_list(
        user=user,
        data=data or gbk_csv(people),
        filename="死亡名单.csv",
        kind=kind,
        cutoff_date=dt.date(2019, 11, 30),
        source_agency="县公安局",
        today=TODAY,
    )


def correct_death(hit, dead, died_on, clerk, township, county_user):
    """The village answers 已纠正 with a change request (member 死亡), approved up the chain."""
    death = {"id": dead.pk, "member_status": "deceased", "status_date": died_on}
    change = wf.open_change_request(
        household=dead.household, user=clerk, note="成员死亡", changes={"members": [death]}
    )
    services.answer_hit(
        hit=hit, user=clerk, answer=Answer.CORRECTED, reason="经核实已死亡，已申请变更", change_request=change
    )
    chain.approve(record=change, user=township)
    chain.approve(record=change, user=county_user)


def test_scenario_31_death_list_holds_the_roll_line_until_the_case_pays_one_person_fewer(
    village_a, clerk_a, township_reviewer_a, county_admin, django_capture_on_commit_callbacks
):
    household = dibao_household(village=village_a, persons=3, income_per_person=2000)
    case = active_case(household=household, county_user=county_admin)
    county = village_a.parent.parent
    november = rolls.generate_roll(county=county, month=dt.date(2019, 11, 1))
    paid_before = november.lines.get()
    assert paid_before.covered_persons == 3
    assert paid_before.total_amount > 0

    dead = household.members.order_by("id")[1]
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(county_admin, [(dead.name, dead.id_no, "2019-11-20", "")])
    assert batch.status == "accepted"
    assert batch.row_count == 1

    hit = Hit.objects.get()
    assert (hit.rule, hit.severity, hit.village_id, hit.member_id) == (
        Rule.LIST_MATCH, Severity.HIGH, village_a.code, dead.pk,
    )  # fmt: skip
    assert hit.on_payee
    assert "死亡名单" in hit.reason
    assert hit.status == HitStatus.OPEN
    assert scoped(Hit.objects.all(), clerk_a).get() == hit

    december = rolls.generate_roll(county=county, month=dt.date(2019, 12, 1))
    held = december.lines.get()
    assert held.held
    assert held.total_amount == 0
    assert "暂停发放" in held.note
    assert december.total_amount == 0

    # The village corrects through a change request (member 死亡), approved up the chain.
    correct_death(hit, dead, dt.date(2019, 11, 20), clerk_a, township_reviewer_a, county_admin)
    assert Member.objects.get(pk=dead.pk).member_status == "deceased"
    services.confirm_hit(hit=hit, user=township_reviewer_a)
    hit.refresh_from_db()
    assert hit.status == HitStatus.CLOSED

    recalculate_now(region=county, as_of=dt.date(2019, 12, 20))
    case.refresh_from_db()
    assert case.covered_persons == 2
    january = rolls.generate_roll(county=county, month=dt.date(2020, 1, 1))
    line = january.lines.get()
    assert not line.held
    assert line.covered_persons == 2
    assert line.total_amount == case.monthly_amount > 0
    assert line.total_amount != paid_before.total_amount


def test_scenario_31_township_cannot_confirm_before_the_change_is_approved(
    village_a, clerk_a, township_reviewer_a, county_admin
):
    household = dibao_household(village=village_a, persons=2)
    active_case(household=household, county_user=county_admin)
    dead = household.members.order_by("id")[1]
    batch = upload(county_admin, [(dead.name, dead.id_no, "2019-11-20", "")])
    run = services.run_checks(
        county=village_a.parent.parent, as_of=TODAY, batch=batch, trigger=RunTrigger.UPLOAD
    )
    assert run.holds_placed == 1
    hit = Hit.objects.get()
    change = wf.open_change_request(
        household=household,
        user=clerk_a,
        changes={
            "members": [{"id": dead.pk, "member_status": "deceased", "status_date": dt.date(2019, 11, 20)}]
        },
    )
    services.answer_hit(
        hit=hit, user=clerk_a, answer=Answer.CORRECTED, reason="已申请变更", change_request=change
    )
    with pytest.raises(Exception, match="尚未审核通过"):
        services.confirm_hit(hit=hit, user=township_reviewer_a)


def _fifteen(id18: str) -> str:
    return id18[:6] + id18[8:17]


def test_scenario_32_same_id_in_two_households_one_as_15_digits_is_one_hit_for_the_pair(
    village_a, county_admin
):
    village_a2 = region_chain("211223100002", ("辽宁省", "铁岭市", "西丰县", "西丰镇", "丙村"))
    first = HouseholdFactory(village=village_a)
    second = HouseholdFactory(village=village_a2)
    number = valid_id(dt.date(1975, 3, 8))
    MemberFactory(household=first, id_no=number)
    old = MemberFactory(household=second, id_no=_fifteen(number), birth_date=dt.date(1975, 3, 8))
    assert len(old.id_no) == 15

    county = village_a.parent.parent
    services.run_checks(county=county, as_of=TODAY, trigger=RunTrigger.NIGHTLY)
    services.run_checks(county=county, as_of=TODAY, trigger=RunTrigger.NIGHTLY)  # again: nothing new

    hit = Hit.objects.get(rule=Rule.DUPLICATE_ID)
    assert {hit.household_id, hit.other_household_id} == {first.pk, second.pk}
    assert hit.id_no == number
    assert hit.village_id == village_a2.code
    township = user_for(village_a.parent)
    assert list(scoped(Hit.objects.filter(rule=Rule.DUPLICATE_ID), township)) == [hit]
    assert not scoped(Hit.objects.all(), user_for(region_chain("211223101009"))).exists()


def test_scenario_33_clerk_sees_own_village_hits_only_and_never_the_list_city_sees_counts(
    village_a, village_b, clerk_a, county_admin, city_supervisor
):
    mine = dibao_household(village=village_a, persons=1)
    theirs = dibao_household(village=village_b, persons=1)
    people = [(m.name, m.id_no, "", "某局") for m in (mine.members.get(), theirs.members.get())]
    batch = upload(county_admin, people, kind=ListKind.PUBLIC_PAYROLL)
    services.run_checks(county=village_a.parent.parent, as_of=TODAY, batch=batch, trigger=RunTrigger.UPLOAD)
    assert Hit.objects.count() == 2

    api = APIClient()
    api.force_authenticate(clerk_a)
    listed = api.get("/api/v1/cross-checks/hits/").json()["results"]
    assert [h["household"] for h in listed] == [mine.pk]
    other = Hit.objects.get(household=theirs)
    assert api.get(f"/api/v1/cross-checks/hits/{other.pk}/").status_code == 404
    assert api.get("/api/v1/cross-checks/batches/").status_code == 403
    assert api.get(f"/api/v1/cross-checks/batches/{batch.pk}/").status_code == 403
    assert api.get("/api/v1/cross-checks/counts/").status_code == 200

    api.force_authenticate(city_supervisor)
    assert api.get("/api/v1/cross-checks/hits/").status_code == 403
    counts = api.get("/api/v1/cross-checks/counts/").json()
    assert [(c["region"], c["open"], c["total"]) for c in counts] == [(village_a.parent.parent.code, 2, 2)]


def test_verified_ok_answer_needs_reason_and_attachment(village_a, clerk_a, county_admin):
    household = dibao_household(village=village_a, persons=1)
    member = household.members.get()
    batch = upload(county_admin, [(member.name, member.id_no, "", "")], kind=ListKind.VEHICLE)
    services.run_checks(county=village_a.parent.parent, as_of=TODAY, batch=batch)
    hit = Hit.objects.get()
    with pytest.raises(Exception, match="佐证材料"):
        services.answer_hit(hit=hit, user=clerk_a, answer=Answer.VERIFIED_OK, reason="车辆已报废")
    proof = SimpleUploadedFile("报废证明.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    services.answer_hit(
        hit=hit, user=clerk_a, answer=Answer.VERIFIED_OK, reason="车辆已报废", attachment=proof
    )
    assert Hit.objects.get().status == HitStatus.ANSWERED


def test_scenario_39_death_on_20_december_holds_january_not_december(
    village_a, clerk_a, township_reviewer_a, county_admin
):
    """A hold covers the months from the month after the death: December (due) is paid on every build
    of its roll, early or late; January's line is held until the township confirms the correction."""
    household = dibao_household(village=village_a, persons=3, income_per_person=2000)
    case = active_case(household=household, county_user=county_admin)
    county = village_a.parent.parent
    december_month, january_month = dt.date(2019, 12, 1), dt.date(2020, 1, 1)
    december = rolls.generate_roll(county=county, month=december_month)
    due = december.lines.get().total_amount
    assert due == case.monthly_amount > 0

    dead = household.members.order_by("id")[1]
    batch = services.upload_list(
        user=county_admin, data=gbk_csv([(dead.name, dead.id_no, "2019-12-20", "")]), filename="死亡名单.csv",
        kind=ListKind.DEATH, cutoff_date=dt.date(2019, 12, 31), source_agency="县公安局",
        today=dt.date(2020, 1, 5),
    )  # fmt: skip
    run = services.run_checks(
        county=county, as_of=dt.date(2020, 1, 5), batch=batch, trigger=RunTrigger.UPLOAD
    )
    assert run.holds_placed == 1
    hold = PaymentHold.objects.get(household=household)
    assert hold.from_month == january_month

    # December, rebuilt after the hold, and December first built after it: paid as due.
    for _ in range(2):
        line = rolls.generate_roll(county=county, month=december_month).lines.get()
        assert (line.held, line.total_amount) == (False, due)
        december.lines.all().delete()
    january = rolls.generate_roll(county=county, month=january_month)
    held = january.lines.get()
    assert (held.held, held.total_amount) == (True, 0)
    assert "暂停发放" in held.note

    # The village corrects (member 死亡 from 20 December), the chain approves, the township confirms.
    hit = Hit.objects.get()
    correct_death(hit, dead, dt.date(2019, 12, 20), clerk_a, township_reviewer_a, county_admin)
    rolls.generate_roll(county=county, month=january_month)
    assert january.lines.get().held  # still held: the township has not confirmed
    services.confirm_hit(hit=hit, user=township_reviewer_a)
    hold.refresh_from_db()
    assert hold.cleared_at is not None
    line = rolls.generate_roll(county=county, month=january_month).lines.get()
    assert not line.held
    assert line.total_amount > 0
    recalculate_now(region=county, as_of=dt.date(2020, 1, 6))
    february = rolls.generate_roll(county=county, month=dt.date(2020, 2, 1)).lines.get()
    assert (february.held, february.covered_persons) == (False, 2)


def test_scenario_66_city_death_list_gives_county_hits_and_holds_nothing_until_the_county_decides(
    village_a, clerk_a, township_reviewer_a, county_admin, city_supervisor, django_capture_on_commit_callbacks
):
    household = dibao_household(village=village_a, persons=3, income_per_person=2000)
    active_case(household=household, county_user=county_admin)
    county = village_a.parent.parent
    dead = household.members.order_by("id")[1]
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(city_supervisor, [(dead.name, dead.id_no, "2019-11-20", "")])
    assert batch.region_id == county.parent_id

    hit = Hit.objects.get()
    assert (hit.severity, hit.on_payee, hit.status) == (Severity.HIGH, True, HitStatus.OPEN)
    assert scoped(Hit.objects.all(), county_admin).get() == hit
    assert not PaymentHold.objects.exists()
    assert CheckRun.objects.get(batch=batch).holds_placed == 0
    december = rolls.generate_roll(county=county, month=dt.date(2019, 12, 1))
    assert not december.lines.get().held
    assert december.total_amount > 0

    # Only the county decides: not the city that sent the list, not the township or the village.
    api = APIClient()
    for user in (city_supervisor, township_reviewer_a, clerk_a):
        api.force_authenticate(user)
        answer = api.post(f"/api/v1/cross-checks/hits/{hit.pk}/hold/", {"reason": "死亡"}, format="json")
        assert answer.status_code == 403, user
        with pytest.raises(PermissionDenied):
            services.hold_payment(hit=hit, user=user, reason="死亡")
    assert not PaymentHold.objects.exists()

    api.force_authenticate(county_admin)
    assert api.post(f"/api/v1/cross-checks/hits/{hit.pk}/hold/", {}, format="json").status_code == 400
    answer = api.post(f"/api/v1/cross-checks/hits/{hit.pk}/hold/", {"reason": "公安死亡名单"}, format="json")
    assert answer.status_code == 200, answer.json()
    hold = PaymentHold.objects.get()
    assert (hold.household_id, hold.placed_by_id, hold.cleared_at) == (household.pk, county_admin.pk, None)
    assert "公安死亡名单" in hold.reason
    again = api.post(f"/api/v1/cross-checks/hits/{hit.pk}/hold/", {"reason": "再次"}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"][0]["message"] == services.ALREADY_HELD

    january = rolls.generate_roll(county=county, month=dt.date(2020, 1, 1))
    assert january.lines.get().held
    assert january.total_amount == 0


def test_scenario_66_county_list_still_holds_at_once(
    village_a, county_admin, django_capture_on_commit_callbacks
):
    household = dibao_household(village=village_a, persons=2)
    active_case(household=household, county_user=county_admin)
    dead = household.members.order_by("id")[1]
    with django_capture_on_commit_callbacks(execute=True):
        upload(county_admin, [(dead.name, dead.id_no, "2019-11-20", "")])
    assert PaymentHold.objects.get().placed_by is None
