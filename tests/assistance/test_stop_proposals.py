"""停保建议 (scenario 28): a case above the standard whose household may not phase out is never paid
on silently — the recalculation proposes the stop and alerts the county, or stops it by itself
where the county's dated parameter says so."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.choices import (
    AlertKind,
    CaseStatus,
    LedgerKind,
    PhaseOutStatus,
    StopGround,
    StopProposalStatus,
)
from assistance.models import Alert, ChangeLedgerEntry, PaymentLine, PhaseOut, StopProposal
from assistance.recalc import recalculate_now
from assistance.services import rolls, stops
from programs.services import set_parameter
from tests.assistance.factories import active_case, dibao_household, set_income

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2020, 10, 20)


def _county(village):
    return village.parent.parent


def _above_standard(village, county_admin, *, registered=False, income=4200):
    household = dibao_household(village=village, persons=3, income_per_person=2000, registered=registered)
    case = active_case(household=household, county_user=county_admin)
    set_income(household, income)
    return case


def test_scenario_28_stop_proposed_with_county_alert_and_confirmed_stop_from_next_month(
    village_a, county_admin
):
    case = _above_standard(village_a, county_admin)
    paid = case.monthly_amount
    run = recalculate_now(region=_county(village_a), as_of=AS_OF)

    assert (run.stops_proposed, run.phase_outs_proposed) == (1, 0)
    proposal = StopProposal.objects.get(case=case)
    assert proposal.status == StopProposalStatus.PROPOSED
    assert proposal.ground == StopGround.NOT_REGISTERED
    assert proposal.reason == "月人均收入350.00元超过保障标准323.00元，非建档立卡户不适用渐退，应予停保"
    assert proposal.amount == paid
    alert = Alert.objects.get(kind=AlertKind.STOP_PROPOSED)
    assert (alert.case, alert.stop_proposal, alert.handled_at) == (case, proposal, None)
    assert alert.due_date == dt.date(2020, 11, 1)
    # Nothing stops before the county decides, and a second run proposes nothing new.
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert recalculate_now(region=_county(village_a), as_of=AS_OF).stops_proposed == 0
    assert StopProposal.objects.filter(case=case).count() == 1

    proposal = stops.confirm_stop(proposal=proposal, user=county_admin, on=dt.date(2020, 10, 25))
    case.refresh_from_db()
    assert (case.status, case.stop_month) == (CaseStatus.STOPPED, dt.date(2020, 11, 1))
    entry = ChangeLedgerEntry.objects.get(case=case, kind=LedgerKind.STOP)
    assert (entry.month, entry.old_amount, entry.new_amount) == (dt.date(2020, 11, 1), paid, 0)
    assert entry.reason == proposal.reason
    assert "自2020年11月起停发你户最低生活保障金" in proposal.notice_text
    assert "非建档立卡户不适用渐退" in proposal.notice_text
    alert.refresh_from_db()
    assert alert.handled_by == county_admin
    # October is paid, November is not.
    county = _county(village_a)
    october = rolls.generate_roll(county=county, month=dt.date(2020, 10, 1))
    november = rolls.generate_roll(county=county, month=dt.date(2020, 11, 1))
    assert PaymentLine.objects.filter(roll=october, case_id=case.pk).exists()
    assert not PaymentLine.objects.filter(roll=november, case_id=case.pk).exists()


def test_scenario_28_rejected_stop_keeps_reason_and_is_not_proposed_again_for_the_same_income(
    village_a, county_admin
):
    case = _above_standard(village_a, county_admin)
    recalculate_now(region=_county(village_a), as_of=AS_OF)
    proposal = StopProposal.objects.get(case=case)
    with pytest.raises(ValidationError, match="请填写不予停保的理由"):
        stops.reject_stop(proposal=proposal, user=county_admin, reason=" ", on=AS_OF)
    stops.reject_stop(proposal=proposal, user=county_admin, reason="务工收入不稳定，下季度复核", on=AS_OF)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason) == (
        StopProposalStatus.REJECTED,
        "务工收入不稳定，下季度复核",
    )
    with pytest.raises(ValidationError, match="不能确认停保"):
        stops.confirm_stop(proposal=proposal, user=county_admin, on=AS_OF)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE

    assert recalculate_now(region=_county(village_a), as_of=AS_OF).stops_proposed == 0
    set_income(case.household, 5000, period_end=dt.date(2020, 10, 1))  # a new, higher income
    assert recalculate_now(region=_county(village_a), as_of=AS_OF).stops_proposed == 1


def test_scenario_28_automatic_county_stops_from_next_month_with_ledger_row(village_a, county_admin):
    county = _county(village_a)
    set_parameter(
        key="dibao.stop_without_phase_out", value="automatic", valid_from=dt.date(2020, 1, 1),
        region_prefix=county.code[:6], source="西民发〔2020〕1号",
    )  # fmt: skip
    case = _above_standard(village_a, county_admin)
    run = recalculate_now(region=county, as_of=AS_OF)
    assert (run.stops_automatic, run.stops_proposed) == (1, 0)
    case.refresh_from_db()
    assert (case.status, case.stop_month) == (CaseStatus.STOPPED, dt.date(2020, 11, 1))
    assert ChangeLedgerEntry.objects.filter(
        case=case, kind=LedgerKind.STOP, month=dt.date(2020, 11, 1)
    ).exists()
    proposal = StopProposal.objects.get(case=case)
    assert proposal.status == StopProposalStatus.AUTOMATIC
    assert "自2020年11月起停发" in proposal.notice_text
    assert Alert.objects.get(kind=AlertKind.STOPPED_AUTOMATICALLY).stop_proposal == proposal


def test_automatic_applies_only_from_its_valid_from(village_a, county_admin):
    county = _county(village_a)
    set_parameter(
        key="dibao.stop_without_phase_out", value="automatic", valid_from=dt.date(2021, 1, 1),
        region_prefix=county.code[:6], source="西民发〔2020〕1号",
    )  # fmt: skip
    _above_standard(village_a, county_admin)
    run = recalculate_now(region=county, as_of=AS_OF)
    assert (run.stops_automatic, run.stops_proposed) == (0, 1)


def _earlier_phase_out(case, *, start: dt.date, closed_on: dt.date) -> PhaseOut:
    """A 24-month 渐退 of the case that returned to normal 低保 on closed_on."""
    end = start.replace(year=start.year + 2) - dt.timedelta(days=1)
    return PhaseOut.objects.create(
        case=case, trigger="other", status=PhaseOutStatus.RETURNED, proposed_on=start - dt.timedelta(days=31),
        proposed_income=4000, start=start, months=24, end=end, closed_on=closed_on,
    )  # fmt: skip


def test_phase_out_used_up_gives_stop_proposal_not_a_second_phase_out(village_a, county_admin):
    case = _above_standard(village_a, county_admin, registered=True)
    _earlier_phase_out(case, start=dt.date(2017, 11, 1), closed_on=dt.date(2019, 12, 5))  # all 24 months
    run = recalculate_now(region=_county(village_a), as_of=AS_OF)
    assert (run.stops_proposed, run.phase_outs_proposed) == (1, 0)
    assert StopProposal.objects.get(case=case).ground == StopGround.PHASE_OUT_USED_UP


def test_phase_out_partly_used_still_proposes_phase_out_with_its_alert(village_a, county_admin):
    case = _above_standard(village_a, county_admin, registered=True)
    _earlier_phase_out(case, start=dt.date(2018, 11, 1), closed_on=dt.date(2019, 2, 10))  # 4 months
    run = recalculate_now(region=_county(village_a), as_of=AS_OF)
    assert (run.stops_proposed, run.phase_outs_proposed) == (0, 1)
    alert = Alert.objects.get(kind=AlertKind.PHASE_OUT_PROPOSED)
    assert alert.case == case
    assert alert.phase_out == PhaseOut.objects.get(case=case, status=PhaseOutStatus.PROPOSED)


def test_income_back_under_standard_withdraws_the_proposal(village_a, county_admin):
    case = _above_standard(village_a, county_admin)
    county = _county(village_a)
    recalculate_now(region=county, as_of=AS_OF)
    set_income(case.household, 2500, period_end=dt.date(2020, 10, 1))
    recalculate_now(region=county, as_of=AS_OF)
    proposal = StopProposal.objects.get(case=case)
    assert proposal.status == StopProposalStatus.WITHDRAWN
    assert Alert.objects.get(stop_proposal=proposal).handled_at is not None


def test_only_county_in_scope_decides(village_a, county_admin, township_reviewer_a):
    from tests.factories import region_chain, user_for

    case = _above_standard(village_a, county_admin)
    recalculate_now(region=_county(village_a), as_of=AS_OF)
    proposal = StopProposal.objects.get(case=case)
    other_county = user_for(
        region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丙村")).parent.parent
    )
    for user in (township_reviewer_a, other_county):
        with pytest.raises(PermissionDenied):
            stops.confirm_stop(proposal=proposal, user=user, on=AS_OF)
    assert StopProposal.objects.get(pk=proposal.pk).status == StopProposalStatus.PROPOSED
    assert Decimal(case.monthly_amount) > 0


def test_scenario_28_county_decides_in_admin_and_reject_needs_reason(
    client, village_a, county_admin, township_reviewer_a
):
    case = _above_standard(village_a, county_admin)
    recalculate_now(region=_county(village_a), as_of=AS_OF)
    proposal = StopProposal.objects.get(case=case)
    url = f"/admin/assistance/stopproposal/{proposal.pk}/decide/"

    client.force_login(township_reviewer_a)
    assert client.post(url, {"confirm": "1"}).status_code == 403

    client.force_login(county_admin)
    listing = client.get("/admin/assistance/stopproposal/").content.decode()
    assert "县级决定" in listing
    assert "非建档立卡户不适用渐退" in listing
    page = client.get(url)
    assert page.status_code == 200
    assert "月人均收入350.00元超过保障标准323.00元" in page.content.decode()
    no_reason = client.post(url, {"reject": "1", "reason": ""})
    assert no_reason.status_code == 200
    assert "请填写不予停保的理由" in no_reason.content.decode()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.STOPPED


def test_stop_proposal_admin_and_api_are_scoped(client, village_a, county_admin):
    from rest_framework.test import APIClient

    from tests.factories import region_chain, user_for

    case = _above_standard(village_a, county_admin)
    recalculate_now(region=_county(village_a), as_of=AS_OF)
    proposal = StopProposal.objects.get(case=case)
    outsider = user_for(
        region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丙村")).parent.parent
    )
    client.force_login(outsider)
    assert client.get(f"/admin/assistance/stopproposal/{proposal.pk}/decide/").status_code == 404
    listing = client.get("/admin/assistance/stopproposal/").content.decode()
    assert f"stopproposal/{proposal.pk}/" not in listing
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get("/api/v1/stop-proposals/").json()["results"] == []
    assert api.post(f"/api/v1/stop-proposals/{proposal.pk}/confirm/", {}, format="json").status_code == 404
