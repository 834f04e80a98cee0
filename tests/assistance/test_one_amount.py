"""One amount (issue 23): what the rules explain is what the case pays.

For random households and parameter sets (top-up or bands, 分类施保 stacked or not), the amount of
the household's 政策测算 panel, the stored eligibility result, the confirmed case, the recalculated
case and the roll line are one figure (scenario 36 is the band-B example).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistance.amounts import cases_marked_out_of_step
from assistance.models import PaymentLine
from assistance.recalc import recalculate_now
from assistance.services import rolls
from households.choices import Relation
from households.models import Household
from programs import admin_panels
from programs.models import EligibilityResult, Program
from programs.services import evaluate_household, set_parameter
from tests.assistance.factories import CONFIRM_DAY, active_case, set_income
from tests.factories import HouseholdFactory, IncomeYearFactory, MemberFactory, valid_id

pytestmark = pytest.mark.django_db
STD_YEAR = Decimal("3876")  # S002's standard in 2019–2020
RECALC_DAY = dt.date(2020, 10, 20)
ROLL_MONTH = dt.date(2020, 11, 1)
BANDS_SOURCE = "西民发〔2019〕12号 农村低保分档发放（测试）"

member_st = st.fixed_dictionaries(
    {
        "age": st.integers(min_value=0, max_value=90),
        "grade": st.sampled_from([None, None, 1, 2, 3, 4]),
        "seriously_ill": st.booleans(),
    }
)
# Per-capita income as a share of the standard: below it (eligible), bands A/B/C all reachable.
share_st = st.decimals(min_value=0, max_value=Decimal("0.99"), places=2)


def _params(county, *, mode: str, stack: bool) -> None:
    prefix = county.code[:6]
    for key, value in (("dibao.payment_mode", mode), ("classified.stack", str(stack).lower())):
        set_parameter(key=key, value=value, valid_from=dt.date(2019, 1, 1), region_prefix=prefix,
                      source=BANDS_SOURCE)  # fmt: skip


def _household(village, members: list[dict], share: Decimal) -> Household:
    household = HouseholdFactory(
        village=village, identify_year=2016, bank_name="农村信用社", bank_account="6228001",
        review_state="verified",
    )  # fmt: skip
    for i, m in enumerate(members):
        born = dt.date(2019 - m["age"], 3, 1) + dt.timedelta(days=i)
        MemberFactory(
            household=household,
            relation=Relation.HEAD if i == 0 else Relation.SON,
            sex="male",
            id_no=valid_id(born),
            health="serious" if m["seriously_ill"] else "healthy",
            disability_type="physical" if m["grade"] else "",
            disability_grade=m["grade"],
        )
    IncomeYearFactory(household=household, wage=(STD_YEAR * share * len(members)).quantize(Decimal("0.01")))
    return household


def _dibao_result(household) -> EligibilityResult:
    return EligibilityResult.objects.get(household=household, program__code="dibao")


def _panel_shows(household, amount: Decimal, as_of: dt.date, monkeypatch) -> bool:
    monkeypatch.setattr(admin_panels.timezone, "localdate", lambda: as_of)
    html = admin_panels.eligibility_panel(Household.objects.get(pk=household.pk))
    name = Program.objects.get(code="dibao").name
    rows = [row for row in html.split("<tr>") if row.startswith(f"<td>{name}</td>")]
    return len(rows) == 1 and rows[0].startswith(f"<td>{name}</td><td>符合</td><td>{amount}</td>")


def _assert_one_amount(household, case, as_of: dt.date, month: dt.date, monkeypatch, *, store=False) -> None:
    """The panel's figure (evaluated afresh), the stored result (stored now when `store`, else as the
    recalculation stored it), the case and the month's roll line."""
    decision = next(
        d for d in evaluate_household(household=household, as_of=as_of, save=store) if d.program == "dibao"
    )
    result = _dibao_result(household)
    case.refresh_from_db()
    line = PaymentLine.objects.get(roll=rolls.generate_roll(county=household.village.parent.parent,
                                                            month=month), case_id=case.pk)  # fmt: skip
    dibao_money = case.topup_amount + case.classified_amount
    assert decision.eligible
    assert result.eligible
    assert decision.monthly_amount == result.monthly_amount == dibao_money
    assert _panel_shows(household, result.monthly_amount, as_of, monkeypatch)
    assert (line.topup_amount, line.classified_amount) == (case.topup_amount, case.classified_amount)
    assert line.subsidy_amount == case.subsidy_amount
    assert line.total_amount == case.monthly_amount == dibao_money + case.subsidy_amount
    # the line was read off the case (its current amount holds from the month or before), and the
    # case's mark agrees with its amount history
    assert case.amount_valid_from is not None
    assert case.amount_valid_from <= month
    assert cases_marked_out_of_step() == []


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    members=st.lists(member_st, min_size=1, max_size=5),
    share=share_st,
    later_share=share_st,
    mode=st.sampled_from(["topup", "bands"]),
    stack=st.booleans(),
)
def test_panel_result_case_recalculation_and_roll_pay_one_amount(
    village_a, county_admin, monkeypatch, django_db_blocker, members, share, later_share, mode, stack
):
    from django.db import transaction

    county = village_a.parent.parent
    with transaction.atomic():
        _params(county, mode=mode, stack=stack)
        household = _household(village_a, members, share)
        case = active_case(household=household, county_user=county_admin)
        # confirmed: the panel, the stored result, the case and November's line
        _assert_one_amount(household, case, CONFIRM_DAY, dt.date(2019, 11, 1), monkeypatch, store=True)
        # recalculated after a new income year: the same four again, the chunked path this time
        set_income(household, (STD_YEAR * later_share).quantize(Decimal("0.01")))
        recalculate_now(region=county, as_of=RECALC_DAY)
        _assert_one_amount(household, case, RECALC_DAY, ROLL_MONTH, monkeypatch)
        transaction.set_rollback(True)


def test_scenario_36_bands_one_amount_shown_stored_confirmed_recalculated_and_paid(
    village_a, county_admin, monkeypatch
):
    """Band B (per-capita income under 60% of the standard, paid 70% of it): 3 persons at 2000 a year
    each (under 0.6 × 3876 = 2325.60) get 0.7 × 3876 × 3 ÷ 12 = 678.30 on every surface."""
    county = village_a.parent.parent
    _params(county, mode="bands", stack=False)
    household = _household(village_a, [{"age": 40, "grade": None, "seriously_ill": False}] * 3,
                           Decimal(2000) / STD_YEAR)  # fmt: skip
    IncomeYearFactory._meta.model.objects.filter(household=household).update(wage=Decimal(6000))
    case = active_case(household=household, county_user=county_admin)
    assert case.monthly_amount == Decimal("678.30")
    _assert_one_amount(household, case, CONFIRM_DAY, dt.date(2019, 11, 1), monkeypatch, store=True)
    assert "属 B 档" in " ".join(_dibao_result(household).reasons)
    # band C after a raise to 3000 each (under the standard, over 60%): 0.4 × 3876 × 3 ÷ 12 = 387.60
    set_income(household, 3000)
    run = recalculate_now(region=county, as_of=RECALC_DAY)
    assert run.cases_changed == 1
    _assert_one_amount(household, case, RECALC_DAY, ROLL_MONTH, monkeypatch)
    case.refresh_from_db()
    assert case.monthly_amount == Decimal("387.60")
