import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from assistance.choices import LineKind, Program, RollStatus, SimpleStatus, SubsidyKind
from assistance.models import DisabilitySubsidy, PaymentLine, PaymentRoll, PhaseOut
from assistance.recalc import recalculate_now
from assistance.services import phase_out, rolls
from households.choices import Relation
from tests.assistance.factories import active_case, dibao_household, set_income
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db
MONTH = dt.date(2019, 11, 1)


def _cases(village, county_admin, n):
    return [
        active_case(
            household=dibao_household(village=village, income_per_person=2000), county_user=county_admin
        )
        for _ in range(n)
    ]


def _snapshot(roll):
    return sorted(
        PaymentLine.objects.filter(roll=roll).values_list(
            "case_id", "kind", "total_amount", "topup_amount", "bank_account"
        )
    )


def test_roll_has_one_line_per_case_with_breakdown_and_bank_account(village_a, county_admin):
    case = _cases(village_a, county_admin, 1)[0]
    roll = rolls.generate_roll(county=village_a.parent.parent, month=MONTH)
    line = PaymentLine.objects.get(roll=roll)
    assert (line.case_id, line.topup_amount, line.classified_amount, line.subsidy_amount) == (
        case.pk,
        Decimal("469.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert line.total_amount == Decimal("469.00")
    assert line.bank_account == "6228001"
    assert line.household_size == 3
    assert line.standard_month == Decimal("323.00")
    # The figures it was computed from stay on the line.
    assert line.rates["annual_percap_income"] == "2000.00"
    assert line.rates["standard_month"] == "323.00"
    assert line.rates["subsidies"] == []
    assert line.parameter_ids == case.standard_parameter_ids != []
    assert roll.line_count == 1
    assert roll.total_amount == Decimal("469.00")


def test_case_not_yet_started_is_not_in_roll(village_a, county_admin):
    _cases(village_a, county_admin, 1)
    roll = rolls.generate_roll(county=village_a.parent.parent, month=dt.date(2019, 10, 1))
    assert roll.line_count == 0


def test_generating_twice_gives_the_same_roll(village_a, county_admin):
    _cases(village_a, county_admin, 3)
    county = village_a.parent.parent
    first = rolls.generate_roll(county=county, month=MONTH)
    before = _snapshot(first)
    ids_before = set(PaymentLine.objects.filter(roll=first).values_list("id", flat=True))
    second = rolls.generate_roll(county=county, month=MONTH)
    assert second.pk == first.pk
    assert _snapshot(second) == before
    assert set(PaymentLine.objects.filter(roll=second).values_list("id", flat=True)) == ids_before


def test_confirmed_roll_is_locked_in_service_and_database(village_a, county_admin):
    _cases(village_a, county_admin, 1)
    county = village_a.parent.parent
    roll = rolls.confirm_roll(roll=rolls.generate_roll(county=county, month=MONTH), user=county_admin)
    assert roll.status == RollStatus.CONFIRMED
    with pytest.raises(ValidationError, match="发放表已确认"):
        rolls.generate_roll(county=county, month=MONTH)
    line = PaymentLine.objects.get(roll=roll)
    with pytest.raises(DatabaseError, match="发放表已确认"), transaction.atomic():
        PaymentLine.objects.filter(pk=line.pk).update(total_amount=1)
    with pytest.raises(DatabaseError, match="发放表已确认"), transaction.atomic():
        PaymentRoll.objects.filter(pk=roll.pk).update(status=RollStatus.DRAFT)
    with pytest.raises(DatabaseError, match="发放表已确认"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM assistance_paymentline WHERE id = %s", [line.pk])


def test_later_household_edit_never_changes_a_past_roll(village_a, county_admin):
    case = _cases(village_a, county_admin, 1)[0]
    county = village_a.parent.parent
    roll = rolls.confirm_roll(roll=rolls.generate_roll(county=county, month=MONTH), user=county_admin)
    before = _snapshot(roll)
    household = case.household
    household.bank_account = "999"
    household.save()
    household.incomes.update(wage=Decimal("3000"))
    assert _snapshot(roll) == before
    # The nightly recalculation moves the case's figures; the next roll pays them.
    recalculate_now(region=county, as_of=dt.date(2019, 11, 20))
    december = rolls.generate_roll(county=county, month=dt.date(2019, 12, 1))
    line = PaymentLine.objects.get(roll=december)
    assert line.bank_account == "999"
    assert line.total_amount == Decimal("719.00")


def test_correction_is_an_adjustment_line_in_a_later_roll(village_a, county_admin):
    _cases(village_a, county_admin, 1)
    county = village_a.parent.parent
    roll = rolls.confirm_roll(roll=rolls.generate_roll(county=county, month=MONTH), user=county_admin)
    line = PaymentLine.objects.get(roll=roll)
    with pytest.raises(ValidationError):
        rolls.add_adjustment(line=line, amount=Decimal("-20"), reason="多发", month=MONTH, user=county_admin)
    adj = rolls.add_adjustment(
        line=line,
        amount=Decimal("-20.00"),
        reason="10月多发扣回",
        month=dt.date(2019, 12, 1),
        user=county_admin,
    )
    assert adj.kind == LineKind.ADJUSTMENT
    assert adj.adjusts_line == line
    assert adj.roll.month == dt.date(2019, 12, 1)
    december = rolls.generate_roll(county=county, month=dt.date(2019, 12, 1))
    kinds = sorted(PaymentLine.objects.filter(roll=december).values_list("kind", flat=True))
    assert kinds == ["adjustment", "regular"]
    assert december.total_amount == Decimal("449.00")


def test_stopped_case_leaves_the_draft_roll(village_a, county_admin):
    from assistance.services.cases import stop_case

    a, b = _cases(village_a, county_admin, 2)
    county = village_a.parent.parent
    rolls.generate_roll(county=county, month=dt.date(2019, 12, 1))
    stop_case(case=b, user=county_admin, month=dt.date(2019, 12, 1), reason="户主死亡，家庭收入变化")
    roll = rolls.generate_roll(county=county, month=dt.date(2019, 12, 1))
    assert list(PaymentLine.objects.filter(roll=roll).values_list("case_id", flat=True)) == [a.pk]


@pytest.mark.parametrize("n", [3, 30])
def test_roll_generation_uses_a_fixed_number_of_queries(
    village_a, county_admin, n, django_assert_num_queries
):
    _cases(village_a, county_admin, n)
    county = village_a.parent.parent
    # 15 for the roll, 1 to turn JIT off for it, 1 for the 暂停发放 holds (assistance.services.holds),
    # 1 for the 补发 of corrected failed payments (assistance.services.bank_failures.add_reissues)
    with django_assert_num_queries(18):
        rolls.generate_roll(county=county, month=MONTH)


def test_tekun_roll_uses_urban_standard_times_multiplier(village_a, county_admin):
    from assistance.services.tekun import start_tekun
    from tests.factories import HouseholdFactory, MemberFactory

    member = MemberFactory(household=HouseholdFactory(village=village_a, bank_account="6228002"))
    case = start_tekun(
        member=member,
        user=county_admin,
        mode="dispersed",
        self_care="partial",
        start_month=dt.date(2019, 7, 1),
    )
    assert case.basic_standard == Decimal("741.00")  # scenario 14: 570 × 1.3
    roll = rolls.generate_roll(county=village_a.parent.parent, month=MONTH, program="tekun")
    line = PaymentLine.objects.get(roll=roll)
    assert (line.case_id, line.topup_amount, line.total_amount) == (
        case.pk,
        Decimal("741.00"),
        Decimal("741.00"),
    )
    assert line.payee_name == member.name
    assert line.bank_account == "6228002"


def test_confirmation_records_disability_subsidies_and_stop_ends_them(village_a, county_admin):
    from assistance.models import DisabilitySubsidy
    from assistance.services.cases import stop_case

    case = active_case(
        household=dibao_household(
            village=village_a, persons=2, income_per_person=3000, disability_grades=[2]
        ),
        county_user=county_admin,
    )
    rows = sorted(DisabilitySubsidy.objects.values_list("kind", "grade", "monthly_amount", "status"))
    assert rows == [("care", 2, Decimal("40.00"), "active"), ("living", 2, Decimal("64.60"), "active")]
    stop_case(case=case, user=county_admin, month=dt.date(2020, 1, 1), reason="家庭收入超过标准")
    assert set(DisabilitySubsidy.objects.values_list("status", flat=True)) == {"stopped"}


def _disabled_case(village, county_admin, grade=1):
    """2 persons at 3000 a year each, the head disabled: 生活补贴 64.60 + 护理补贴 (R10) on record."""
    household = dibao_household(village=village, persons=2, income_per_person=3000, disability_grades=[grade])
    return active_case(household=household, county_user=county_admin)


def test_member_with_active_subsidy_record_gets_it_on_the_dibao_line(village_a, county_admin):
    case = _disabled_case(village_a, county_admin)
    roll = rolls.generate_roll(county=village_a.parent.parent, month=MONTH)
    line = PaymentLine.objects.get(roll=roll)
    assert (line.topup_amount, line.classified_amount, line.subsidy_amount, line.total_amount) == (
        Decimal("146.00"), Decimal("64.60"), Decimal("114.60"), Decimal("325.20"),
    )  # fmt: skip
    records = DisabilitySubsidy.objects.filter(household=case.household).order_by("id")
    assert line.rates["subsidies"] == [
        {
            "id": r.pk,
            "member_id": r.member_id,
            "kind": r.kind,
            "grade": r.grade,
            "amount": str(r.monthly_amount),
        }
        for r in records
    ]


def test_subsidies_come_from_the_records_not_the_case_figures(village_a, county_admin):
    case = _disabled_case(village_a, county_admin)
    care = DisabilitySubsidy.objects.get(household=case.household, kind=SubsidyKind.CARE)
    # The 残联 stopped the 护理补贴 from November; the 生活补贴 continues.
    care.status, care.stop_month = SimpleStatus.STOPPED, MONTH
    care.save()
    # A second member's 护理补贴 granted from December is not paid in November.
    other = MemberFactory(
        household=case.household, relation=Relation.SON, disability_type="physical", disability_grade=2
    )
    DisabilitySubsidy.objects.create(
        household=case.household, member=other, kind=SubsidyKind.CARE, grade=2,
        monthly_amount=Decimal("40.00"), start_month=dt.date(2019, 12, 1),
    )  # fmt: skip
    county = village_a.parent.parent
    november = PaymentLine.objects.get(roll=rolls.generate_roll(county=county, month=MONTH))
    assert november.subsidy_amount == Decimal("64.60")
    assert [s["kind"] for s in november.rates["subsidies"]] == ["living"]
    december = PaymentLine.objects.get(roll=rolls.generate_roll(county=county, month=dt.date(2019, 12, 1)))
    assert december.subsidy_amount == Decimal("104.60")
    assert case.subsidy_amount == Decimal("114.60")  # the case's own computation is not what is paid


def test_regenerating_with_subsidies_gives_the_same_roll(village_a, county_admin):
    _disabled_case(village_a, county_admin)
    _cases(village_a, county_admin, 2)
    county = village_a.parent.parent
    first = rolls.generate_roll(county=county, month=MONTH)
    rows = sorted(
        PaymentLine.objects.filter(roll=first).values_list("id", "subsidy_amount", "total_amount", "rates")
    )
    second = rolls.generate_roll(county=county, month=MONTH)
    assert second.pk == first.pk
    again = sorted(
        PaymentLine.objects.filter(roll=second).values_list("id", "subsidy_amount", "total_amount", "rates")
    )
    assert again == rows
    assert (second.line_count, second.total_amount) == (3, Decimal("1263.20"))  # 325.20 + 2 × 469


def test_disability_roll_pays_records_of_households_without_dibao(village_a, county_admin):
    _disabled_case(village_a, county_admin)  # paid on its 低保 line, not twice
    household = HouseholdFactory(village=village_a, bank_account="6228009")
    member = MemberFactory(household=household, disability_type="physical", disability_grade=1)
    record = DisabilitySubsidy.objects.create(
        household=household, member=member, kind=SubsidyKind.CARE, grade=1,
        monthly_amount=Decimal("50.00"), start_month=dt.date(2019, 1, 1),
    )  # fmt: skip
    county = village_a.parent.parent
    roll = rolls.generate_roll(county=county, month=MONTH, program=Program.DISABILITY)
    line = PaymentLine.objects.get(roll=roll)
    assert (line.case_id, line.payee_name, line.bank_account, line.subsidy_amount, line.total_amount) == (
        record.pk, member.name, "6228009", Decimal("50.00"), Decimal("50.00"),
    )  # fmt: skip
    assert line.rates["grade"] == 1
    record.status, record.stop_month = SimpleStatus.STOPPED, MONTH
    record.save()
    roll = rolls.generate_roll(county=county, month=MONTH, program=Program.DISABILITY)
    assert roll.line_count == 0


def test_phase_out_line_pays_the_schedule_step_of_the_month_plus_subsidies(village_a, county_admin):
    from programs.models import Parameter

    case = _disabled_case(village_a, county_admin)
    set_income(case.household, 4200)
    county = village_a.parent.parent
    recalculate_now(region=county, as_of=dt.date(2020, 10, 20))
    Parameter.objects.filter(key="phase_out.schedule").update(value="linear")
    po = phase_out.approve_phase_out(
        phase_out=PhaseOut.objects.get(case=case), user=county_admin, months=4, on=dt.date(2020, 10, 20)
    )
    # 低保金 146.00 + 64.60 = 210.60 phases out linearly; 两项补贴 continue.
    assert po.schedule == ["210.60", "157.95", "105.30", "52.65"]
    line = PaymentLine.objects.get(roll=rolls.generate_roll(county=county, month=dt.date(2020, 12, 1)))
    assert (line.in_phase_out, line.topup_amount, line.classified_amount, line.subsidy_amount) == (
        True, Decimal("157.95"), Decimal("0.00"), Decimal("114.60"),
    )  # fmt: skip
    assert line.total_amount == Decimal("272.55")
    assert line.rates["phase_out"]["step"] == 2
