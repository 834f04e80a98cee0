import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.choices import AlertKind, CaseStatus, LedgerKind, PhaseOutStatus
from assistance.models import Alert, ChangeLedgerEntry, PhaseOut
from assistance.recalc import recalculate_now
from assistance.services import phase_out as po_services
from programs.rules.phase_out import phase_out_end, phase_out_schedule
from tests.assistance.factories import active_case, dibao_household, set_income

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2020, 10, 20)


def _county(village):
    return village.parent.parent


def _proposed(village, county_admin, *, income=4200, registered=True):
    household = dibao_household(village=village, persons=3, income_per_person=2000, registered=registered)
    case = active_case(household=household, county_user=county_admin)
    set_income(household, income)  # the 扶贫 project raised income to `income` per person
    run = recalculate_now(region=_county(village), as_of=AS_OF)
    return case, run


def test_scenario_15_income_above_standard_proposes_phase_out_max_24_months(village_a, county_admin):
    case, run = _proposed(village_a, county_admin, income=4200)
    assert run.phase_outs_proposed == 1
    po = PhaseOut.objects.get(case=case)
    assert po.status == PhaseOutStatus.PROPOSED
    assert po.proposed_income == Decimal("4200.00")

    with pytest.raises(ValidationError) as err:
        po_services.approve_phase_out(phase_out=po, user=county_admin, months=25, on=AS_OF)
    assert "渐退期不得超过24个月" in str(err.value)
    po.refresh_from_db()
    assert po.status == PhaseOutStatus.PROPOSED

    po = po_services.approve_phase_out(
        phase_out=po, user=county_admin, months=24, on=AS_OF, trigger="development"
    )
    assert po.start == dt.date(2020, 11, 1)
    assert po.end == dt.date(2022, 10, 31)  # start + 24 months − 1 day
    assert po.end <= dt.date(2022, 11, 1)
    case.refresh_from_db()
    assert case.status == CaseStatus.PHASING_OUT
    entry = ChangeLedgerEntry.objects.get(case=case, kind=LedgerKind.PHASE_OUT_START)
    assert entry.month == dt.date(2020, 11, 1)


def test_non_registered_household_gets_no_phase_out_by_default(village_a, county_admin):
    case, run = _proposed(village_a, county_admin, registered=False)
    assert run.phase_outs_proposed == 0
    assert not PhaseOut.objects.filter(case=case).exists()


def test_recalculation_twice_proposes_once(village_a, county_admin):
    case, _ = _proposed(village_a, county_admin)
    run = recalculate_now(region=_county(village_a), as_of=AS_OF)
    assert run.phase_outs_proposed == 0
    assert run.cases_changed == 0
    assert PhaseOut.objects.filter(case=case).count() == 1


def test_a_rejected_proposal_is_not_proposed_again_until_the_income_changes(village_a, county_admin):
    case, _ = _proposed(village_a, county_admin, income=4200)
    rejected = po_services.reject_phase_out(
        phase_out=PhaseOut.objects.get(case=case), user=county_admin, reason="收入为一次性务工所得", on=AS_OF
    )
    county = _county(village_a)
    for day in (21, 22):  # the nights after: the same income, nothing proposed
        assert recalculate_now(region=county, as_of=AS_OF.replace(day=day)).phase_outs_proposed == 0
    assert list(PhaseOut.objects.filter(case=case)) == [rejected]
    set_income(case.household, 4500, period_end=dt.date(2020, 10, 31))
    assert recalculate_now(region=county, as_of=dt.date(2020, 11, 5)).phase_outs_proposed == 1
    assert PhaseOut.objects.get(case=case, status=PhaseOutStatus.PROPOSED).proposed_income == Decimal(
        "4500.00"
    )


def test_scenario_16_phase_out_expiry_alerts_then_stops_with_ledger_row(village_a, county_admin):
    case, _ = _proposed(village_a, county_admin)
    po = po_services.approve_phase_out(
        phase_out=PhaseOut.objects.get(case=case), user=county_admin, months=6, on=AS_OF
    )
    assert po.end == dt.date(2021, 4, 30)
    # 31 days before the end: no alert yet.
    assert po_services.process_phase_outs(today=dt.date(2021, 3, 30))["alerts"] == 0
    assert po_services.process_phase_outs(today=dt.date(2021, 3, 31))["alerts"] == 1
    assert po_services.process_phase_outs(today=dt.date(2021, 4, 1))["alerts"] == 0  # once
    alert = Alert.objects.get(case=case, kind=AlertKind.PHASE_OUT_ENDING)
    assert alert.due_date == po.end
    case.refresh_from_db()
    assert case.status == CaseStatus.PHASING_OUT

    po_services.process_phase_outs(today=po.end)
    po_services.process_phase_outs(today=po.end)  # re-run of the daily job: no second row
    case.refresh_from_db()
    po.refresh_from_db()
    assert case.status == CaseStatus.STOPPED
    assert case.stop_month == dt.date(2021, 5, 1)
    assert po.status == PhaseOutStatus.ENDED
    stop = ChangeLedgerEntry.objects.get(case=case, kind=LedgerKind.STOP)
    assert stop.month == dt.date(2021, 5, 1)
    assert stop.new_amount == 0
    assert "渐退期满" in stop.reason


def test_linear_schedule_steps_each_month_into_ledger(village_a, county_admin):
    from programs.models import Parameter

    case, _ = _proposed(village_a, county_admin)
    base = case.monthly_amount
    Parameter.objects.filter(key="phase_out.schedule").update(value="linear")
    po = po_services.approve_phase_out(
        phase_out=PhaseOut.objects.get(case=case), user=county_admin, months=4, on=AS_OF
    )
    assert [Decimal(a) for a in po.schedule] == phase_out_schedule(
        monthly_amount=base, months=4, schedule="linear"
    )
    po_services.process_phase_outs(today=dt.date(2020, 12, 1))
    case.refresh_from_db()
    assert case.monthly_amount == Decimal(po.schedule[1])
    step = ChangeLedgerEntry.objects.get(case=case, kind=LedgerKind.PHASE_OUT_STEP)
    assert step.month == dt.date(2020, 12, 1)
    assert step.new_amount == Decimal(po.schedule[1])


def test_income_back_below_standard_returns_case_to_normal(village_a, county_admin):
    case, _ = _proposed(village_a, county_admin)
    po_services.approve_phase_out(
        phase_out=PhaseOut.objects.get(case=case), user=county_admin, months=6, on=AS_OF
    )
    set_income(case.household, 2500, period_end=dt.date(2021, 3, 31))
    recalculate_now(region=_county(village_a), as_of=dt.date(2021, 4, 10))
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert case.monthly_amount == Decimal("344.00")  # (3876 − 2500) × 3 / 12
    assert ChangeLedgerEntry.objects.filter(case=case, kind=LedgerKind.PHASE_OUT_RETURN).exists()


def test_income_above_upper_bound_ends_phase_out_early(village_a, county_admin):
    case, _ = _proposed(village_a, county_admin)
    po_services.approve_phase_out(
        phase_out=PhaseOut.objects.get(case=case), user=county_admin, months=12, on=AS_OF
    )
    set_income(case.household, 6000, period_end=dt.date(2021, 3, 31))  # > 1.5 × 3876
    recalculate_now(region=_county(village_a), as_of=dt.date(2021, 4, 10))
    case.refresh_from_db()
    assert case.status == CaseStatus.STOPPED
    assert case.stop_month == dt.date(2021, 5, 1)
    assert PhaseOut.objects.get(case=case).status == PhaseOutStatus.ENDED_EARLY


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("flat", ["100.00"] * 4),
        ("linear", ["100.00", "75.00", "50.00", "25.00"]),
        ("halving", ["100.00", "100.00", "50.00", "50.00"]),
    ],
)
def test_schedule_shapes(kind, expected):
    assert phase_out_schedule(monthly_amount=Decimal("100"), months=4, schedule=kind) == [
        Decimal(x) for x in expected
    ]


def test_end_is_start_plus_months_minus_one_day():
    assert phase_out_end(dt.date(2020, 11, 1), 24) == dt.date(2022, 10, 31)


def test_max_months_is_the_parameter_of_the_region_and_start_month(village_a, county_admin):
    from programs.services import set_parameter

    case, _ = _proposed(village_a, county_admin)
    po = PhaseOut.objects.get(case=case)
    # This county shortens 渐退 to 12 months from December 2020; other counties keep 24 (S000).
    set_parameter(
        key="phase_out.max_months", value="12", valid_from=dt.date(2020, 12, 1),
        region_prefix=village_a.code[:6], source="县民政局文件",
    )  # fmt: skip
    with pytest.raises(ValidationError) as err:
        po_services.approve_phase_out(
            phase_out=po, user=county_admin, months=13, start=dt.date(2020, 12, 1), on=AS_OF
        )
    assert err.value.message_dict == {"months": ["渐退期不得超过12个月（当前填写13个月）"]}
    po = po_services.approve_phase_out(
        phase_out=po, user=county_admin, months=13, start=dt.date(2020, 11, 1), on=AS_OF
    )
    assert (po.months, po.end) == (13, dt.date(2021, 11, 30))


def test_county_picks_months_in_admin_form_with_error_at_the_field(client, village_a, county_admin):
    case, _ = _proposed(village_a, county_admin)
    po = PhaseOut.objects.get(case=case)
    url = f"/admin/assistance/phaseout/{po.pk}/approve/"
    client.force_login(county_admin)
    page = client.get(url)
    assert page.status_code == 200
    assert "渐退期最长 24 个月" in page.content.decode()
    assert page.context["form"].initial["months"] == 6  # phase_out.default_months (P21)

    too_long = client.post(url, {"months": 25})
    assert too_long.status_code == 200
    assert too_long.context["form"].errors["months"] == ["渐退期不得超过24个月（当前填写25个月）"]
    po.refresh_from_db()
    assert po.status == PhaseOutStatus.PROPOSED

    done = client.post(url, {"months": 18, "trigger": "development"})
    assert done.status_code == 302
    po.refresh_from_db()
    assert (po.status, po.months, po.trigger, po.schedule_kind) == (
        PhaseOutStatus.ACTIVE, 18, "development", "flat",
    )  # fmt: skip
    assert len(po.schedule) == 18


def test_only_county_opens_the_phase_out_approval_form(client, village_a, county_admin, township_reviewer_a):
    case, _ = _proposed(village_a, county_admin)
    po = PhaseOut.objects.get(case=case)
    client.force_login(township_reviewer_a)
    response = client.post(f"/admin/assistance/phaseout/{po.pk}/approve/", {"months": 6})
    assert response.status_code == 403
    po.refresh_from_db()
    assert po.status == PhaseOutStatus.PROPOSED
