"""Payment-roll ledgers from the assistance app: rows match the database, scope and masking hold."""

import datetime as dt
import io

import openpyxl
import pytest

from assistance.models import ChangeLedgerEntry, DisabilitySubsidy, PaymentLine, PhaseOut, TekunCase
from assistance.services import rolls
from reports.exporting import start_export
from tests.assistance.factories import active_case, dibao_household
from tests.reports.test_ledgers import data_rows, totals_row

pytestmark = pytest.mark.django_db
MONTH = dt.date(2019, 11, 1)


@pytest.fixture
def paid(village_a, village_b, county_admin):
    for village, grades in ((village_a, (1,)), (village_a, ()), (village_b, ())):
        active_case(
            household=dibao_household(village=village, disability_grades=grades), county_user=county_admin
        )
    return rolls.generate_roll(county=village_a.parent.parent, month=MONTH)


def export(user, key="county_workbook"):
    outcome = start_export(user=user, key=key)
    with open(outcome.path, "rb") as handle:
        return openpyxl.load_workbook(io.BytesIO(handle.read()))


def test_scenario_26_payment_ledgers_match_the_database(paid, county_admin):
    book = export(county_admin)
    roll = data_rows(book["低保月发放表"])
    assert len(roll) == PaymentLine.objects.filter(month=MONTH, program="dibao").count() == 3
    assert "2019年11月" in book["低保月发放表"]["A1"].value
    assert len(data_rows(book["低保增减变动表"])) == ChangeLedgerEntry.objects.filter(program="dibao").count()
    assert len(data_rows(book["渐退台账"])) == PhaseOut.objects.exclude(status="rejected").count()
    assert len(data_rows(book["特困供养台账"])) == TekunCase.objects.filter(status="active").count()
    subsidised = DisabilitySubsidy.objects.filter(status="active").values("member").distinct().count()
    assert len(data_rows(book["残疾人两项补贴台账"])) == subsidised
    totals = totals_row(book["低保月发放表"])
    assert totals[0] == "合计"
    assert totals[11] == float(sum(line.total_amount for line in PaymentLine.objects.filter(month=MONTH)))


def test_township_roll_holds_only_its_township_and_masks_accounts(paid, township_reviewer_a, village_a):
    rows = data_rows(export(township_reviewer_a, "dibao_roll")["低保月发放表"])
    assert len(rows) == PaymentLine.objects.filter(household__village=village_a).count() == 2
    assert {r[1] for r in rows} == {"西丰镇"}
    assert all(r[13].startswith("**** **** ") for r in rows)  # the policy's account mask
    assert all("********" in r[4] for r in rows)


def test_phase_out_ledger_lists_running_phase_outs_then_proposals_apart(village_a, county_admin):
    """Issue 23: 类别 渐退 first, then 拟渐退（待审批） with no 原金额 (out of the total) until approved."""
    from assistance.recalc import recalculate_now
    from assistance.services import phase_out
    from tests.assistance.factories import set_income

    county = village_a.parent.parent
    running, proposed = (
        active_case(household=dibao_household(village=village_a), county_user=county_admin) for _ in range(2)
    )
    for case in (proposed, running):
        set_income(case.household, 4200)
    recalculate_now(region=county, as_of=dt.date(2020, 10, 20))
    phase_out.approve_phase_out(
        phase_out=PhaseOut.objects.get(case=running), user=county_admin, months=6, on=dt.date(2020, 10, 20)
    )
    sheet = export(county_admin, "phase_out")["渐退台账"]
    rows = data_rows(sheet)
    assert [(r[1], r[4]) for r in rows] == [
        ("渐退", running.household.head_name), ("拟渐退（待审批）", proposed.household.head_name),
    ]  # fmt: skip
    assert rows[0][7] == 469.0
    assert rows[1][7] is None
    assert rows[1][14] == "现月保障金 469.00 元；县级批准后方确定渐退金额"
    assert totals_row(sheet)[7] == 469.0
