"""A roll pays what was due in its month (scenario 29): case amounts are kept with their validity."""

import datetime as dt
from decimal import Decimal

import pytest

from assistance.amounts import cases_marked_out_of_step
from assistance.choices import AmountBasis, LedgerKind
from assistance.models import CaseAmount, ChangeLedgerEntry, PaymentLine, PhaseOut
from assistance.recalc import recalculate_now
from assistance.services import cases, phase_out, rolls
from programs.services import set_parameter
from tests.assistance.factories import active_case, dibao_household, set_income

pytestmark = pytest.mark.django_db
DECEMBER = dt.date(2020, 12, 1)
JANUARY = dt.date(2021, 1, 1)


def _lines(roll):
    return sorted(
        PaymentLine.objects.filter(roll=roll).values_list(
            "case_id", "kind", "household_size", "covered_persons", "percap_income", "standard_month",
            "topup_amount", "classified_amount", "subsidy_amount", "total_amount", "rates", "parameter_ids",
        )
    )  # fmt: skip


def _new_standard(county, value="4200"):
    return set_parameter(
        key="dibao.rural_standard_year", value=value, valid_from=JANUARY, region_prefix=county.code[:6],
        source="西政发〔2020〕30号 2021年起农村低保标准每人每年4200元",
    )  # fmt: skip


def test_scenario_29_december_roll_built_after_januarys_new_standard_pays_december(village_a, county_admin):
    county = village_a.parent.parent
    case = active_case(
        household=dibao_household(village=village_a, income_per_person=2000), county_user=county_admin
    )
    # 3 persons at 2000 a year under 3876: (3876 − 2000) × 3 ÷ 12 = 469.00 from November 2019
    assert case.monthly_amount == Decimal("469.00")
    draft = rolls.generate_roll(county=county, month=DECEMBER)
    before = _lines(draft)

    standard = _new_standard(county)
    run = recalculate_now(region=county, as_of=dt.date(2021, 1, 5))
    assert run.cases_changed == 1
    case.refresh_from_db()
    assert case.monthly_amount == Decimal("550.00")  # (4200 − 2000) × 3 ÷ 12

    # The December draft rebuilt after January's change: the same lines, December's amount.
    december = rolls.generate_roll(county=county, month=DECEMBER)
    assert december.pk == draft.pk
    assert _lines(december) == before
    line = PaymentLine.objects.get(roll=december)
    assert (line.total_amount, line.standard_month) == (Decimal("469.00"), Decimal("323.00"))
    assert line.rates["amount_valid_from"] == "2019-11-01"
    assert line.rates["amount_basis"] == AmountBasis.CONFIRMATION
    assert standard.pk not in line.parameter_ids

    # A December roll first built in January pays December's amount too.
    PaymentLine.objects.filter(roll=december).delete()
    assert _lines(rolls.generate_roll(county=county, month=DECEMBER)) == before

    january = rolls.generate_roll(county=county, month=JANUARY)
    line = PaymentLine.objects.get(roll=january)
    assert (line.total_amount, line.standard_month) == (Decimal("550.00"), Decimal("350.00"))
    assert line.rates["amount_basis"] == AmountBasis.RECALCULATION
    assert standard.pk in line.parameter_ids
    adjust = ChangeLedgerEntry.objects.get(case=case, kind=LedgerKind.ADJUST)
    assert (adjust.month, adjust.old_amount, adjust.new_amount) == (
        JANUARY,
        Decimal("469.00"),
        Decimal("550.00"),
    )


def test_amount_history_says_from_which_month_and_why(village_a, county_admin):
    county = village_a.parent.parent
    case = active_case(
        household=dibao_household(village=village_a, income_per_person=2000), county_user=county_admin
    )
    _new_standard(county)
    recalculate_now(region=county, as_of=dt.date(2021, 1, 5))
    rows = list(CaseAmount.objects.filter(case=case).order_by("valid_from"))
    assert [(r.valid_from, r.basis, r.monthly_amount, r.standard_month) for r in rows] == [
        (dt.date(2019, 11, 1), AmountBasis.CONFIRMATION, Decimal("469.00"), Decimal("323.00")),
        (JANUARY, AmountBasis.RECALCULATION, Decimal("550.00"), Decimal("350.00")),
    ]
    assert rows[1].parameter_ids == case.__class__.objects.get(pk=case.pk).standard_parameter_ids
    # The same run again changes nothing.
    assert recalculate_now(region=county, as_of=dt.date(2021, 1, 6)).cases_changed == 0
    assert CaseAmount.objects.filter(case=case).count() == 2


def test_recalculation_before_the_first_month_sets_the_first_months_amount(village_a, county_admin):
    """Confirmed 2019-10-15 (paid from November); income recomputed on 2019-10-20: November pays the
    recomputed amount, not the confirmation's, and October stays unpaid."""
    county = village_a.parent.parent
    household = dibao_household(village=village_a, income_per_person=2000)
    case = active_case(household=household, county_user=county_admin)
    set_income(household, 1000, period_end=dt.date(2019, 10, 1))
    recalculate_now(region=county, as_of=dt.date(2019, 10, 20))
    assert list(CaseAmount.objects.filter(case=case).values_list("valid_from", "monthly_amount")) == [
        (dt.date(2019, 11, 1), Decimal("719.00"))
    ]
    november = rolls.generate_roll(county=county, month=dt.date(2019, 11, 1))
    assert PaymentLine.objects.get(roll=november).total_amount == Decimal("719.00")


def test_phase_out_months_pay_the_schedule_and_return_pays_from_next_month(village_a, county_admin):
    county = village_a.parent.parent
    household = dibao_household(village=village_a, income_per_person=2000)
    case = active_case(household=household, county_user=county_admin)
    set_income(household, 4200)
    recalculate_now(region=county, as_of=dt.date(2020, 10, 20))
    po = phase_out.approve_phase_out(
        phase_out=PhaseOut.objects.get(case=case), user=county_admin, months=6, on=dt.date(2020, 10, 20)
    )
    set_income(household, 2500, period_end=dt.date(2020, 12, 31))
    recalculate_now(region=county, as_of=dt.date(2021, 1, 10))  # back under the standard: normal 低保
    po.refresh_from_db()
    assert po.status == "returned"
    october = PaymentLine.objects.get(roll=rolls.generate_roll(county=county, month=dt.date(2020, 10, 1)))
    december = PaymentLine.objects.get(roll=rolls.generate_roll(county=county, month=DECEMBER))
    february = PaymentLine.objects.get(roll=rolls.generate_roll(county=county, month=dt.date(2021, 2, 1)))
    assert (october.total_amount, october.in_phase_out) == (Decimal("469.00"), False)
    assert (december.total_amount, december.in_phase_out) == (Decimal("469.00"), True)  # flat schedule
    assert (february.total_amount, february.in_phase_out) == (
        Decimal("344.00"),
        False,
    )  # (3876 − 2500) × 3 ÷ 12
    assert february.rates["amount_basis"] == AmountBasis.RETURN


def _mark(case):
    case.refresh_from_db()
    assert cases_marked_out_of_step() == []  # the mark agrees with the amount history
    return case.amount_valid_from, case.amount_basis


def test_every_amount_writer_marks_the_case_with_its_current_amount(village_a, county_admin):
    """The case carries the month its current amount holds from (what lets a roll from that month
    on read the case instead of the history): confirmation, a recalculation that keeps the amount
    (mark cleared), 渐退, return to normal, stop."""
    county = village_a.parent.parent
    household = dibao_household(village=village_a, income_per_person=2000)
    case = active_case(household=household, county_user=county_admin)
    assert _mark(case) == (dt.date(2019, 11, 1), AmountBasis.CONFIRMATION)

    # Income above the standard: the recalculation updates the income, the amount is kept until the
    # county decides (渐退 proposed). The case's figures are no row's now: unmarked.
    set_income(household, 4200)
    recalculate_now(region=county, as_of=dt.date(2020, 10, 20))
    assert _mark(case) == (None, "")
    assert case.monthly_percap_income == Decimal("350.00")
    # November's roll pays the amount kept, with the figures of the row it holds from
    november = PaymentLine.objects.get(roll=rolls.generate_roll(county=county, month=dt.date(2020, 11, 1)))
    assert (november.total_amount, november.percap_income) == (Decimal("469.00"), Decimal("166.67"))
    assert november.rates["amount_basis"] == AmountBasis.CONFIRMATION

    po = phase_out.approve_phase_out(
        phase_out=PhaseOut.objects.get(case=case), user=county_admin, months=6, on=dt.date(2020, 10, 20)
    )
    assert _mark(case) == (po.start, AmountBasis.PHASE_OUT)

    set_income(household, 2500, period_end=dt.date(2020, 12, 31))
    recalculate_now(region=county, as_of=dt.date(2021, 1, 10))  # back under the standard
    assert _mark(case) == (dt.date(2021, 2, 1), AmountBasis.RETURN)
    march = rolls.generate_roll(county=county, month=dt.date(2021, 3, 1))
    march_lines = _lines(march)
    assert PaymentLine.objects.get(roll=march).total_amount == Decimal("344.00")

    cases.stop_case(case=case, user=county_admin, month=dt.date(2021, 6, 1), reason="家庭收入超过保障标准")
    assert _mark(case) == (dt.date(2021, 6, 1), AmountBasis.STOP)
    # March's draft rebuilt after the stop (a month before the stop's): March's amount again
    assert _lines(rolls.generate_roll(county=county, month=dt.date(2021, 3, 1))) == march_lines


def test_roll_built_late_pays_each_case_its_months_amount_beside_unchanged_cases(village_a, county_admin):
    """One county, two cases: one whose amount changed after December, one unchanged. December's roll
    regenerated in January pays the first its December amount from the history and the second its
    own (current) amount; January's roll pays both their current amounts."""
    county = village_a.parent.parent
    steady = active_case(
        household=dibao_household(village=village_a, income_per_person=2000), county_user=county_admin
    )
    changed_household = dibao_household(village=village_a, income_per_person=2500)
    changed = active_case(household=changed_household, county_user=county_admin)
    december = rolls.generate_roll(county=county, month=DECEMBER)
    before = _lines(december)

    set_income(changed_household, 1000, period_end=dt.date(2020, 12, 31))
    assert recalculate_now(region=county, as_of=dt.date(2021, 1, 5)).cases_changed == 1
    assert _mark(changed) == (JANUARY, AmountBasis.RECALCULATION)
    assert _mark(steady) == (dt.date(2019, 11, 1), AmountBasis.CONFIRMATION)

    assert _lines(rolls.generate_roll(county=county, month=DECEMBER)) == before
    paid = dict(PaymentLine.objects.filter(roll=december).values_list("case_id", "total_amount"))
    assert paid == {steady.pk: Decimal("469.00"), changed.pk: Decimal("344.00")}
    january = rolls.generate_roll(county=county, month=JANUARY)
    paid = dict(PaymentLine.objects.filter(roll=january).values_list("case_id", "total_amount"))
    assert paid == {steady.pk: Decimal("469.00"), changed.pk: Decimal("719.00")}  # (3876 − 1000) × 3 ÷ 12
