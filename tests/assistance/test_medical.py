"""医疗救助 (scenario 27): bills entered by the village, reviewed by the township, approved by the
county, the amount from the dated parameters, paid once on the medical-assistance roll."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assistance.choices import MedicalBillStatus
from assistance.models import MedicalBill, PaymentLine
from assistance.rules import next_month
from assistance.services import medical, rolls
from core.choices import ReviewState
from tests.factories import household_with_members, user_for

pytestmark = pytest.mark.django_db


def _patient(village):
    member = household_with_members(n=2, village=village, review_state=ReviewState.VERIFIED).members.first()
    member.health = "chronic"
    member.save(update_fields=["health"])
    return member


def _bill(member, clerk, *, day, total, basic, critical=0, kind="chronic", level="county"):
    return medical.enter_bill(
        member=member, user=clerk, bill_date=day, hospital="正安县人民医院", hospital_level=level, kind=kind,
        total_cost=Decimal(total), basic_insurance_paid=Decimal(basic),
        critical_insurance_paid=Decimal(critical),
    )  # fmt: skip


def _through_chain(bill, village, county_admin):
    medical.STEPS["approve"](bill, user_for(village.parent))  # 镇审核
    medical.STEPS["approve"](bill, county_admin)  # 县审核确认
    bill.refresh_from_db()
    return bill


def test_scenario_27_chronic_bills_of_a_year_bring_self_pay_down_to_the_cap_and_no_further(
    village_a, clerk_a, county_admin
):
    member = _patient(village_a)
    # self-pay 400, 500, 300, 200 at a county hospital in 2020 (cap 1000 a year, S002)
    days_and_costs = [(dt.date(2020, 3, 2), 1000, 600), (dt.date(2020, 5, 9), 1200, 700),
                      (dt.date(2020, 8, 15), 800, 500), (dt.date(2020, 11, 20), 500, 300)]  # fmt: skip
    bills = [_bill(member, clerk_a, day=d, total=t, basic=b) for d, t, b in days_and_costs]
    assert [b.out_of_pocket for b in bills] == [Decimal(x) for x in ("400.00", "500.00", "300.00", "200.00")]
    assert [b.review_state for b in bills] == [ReviewState.PENDING_TOWNSHIP] * 4
    bills = [_through_chain(b, village_a, county_admin) for b in bills]
    assert [b.assistance_amount for b in bills] == [Decimal(x) for x in ("0.00", "0.00", "200.00", "200.00")]
    self_pay = sum(b.out_of_pocket for b in bills) - sum(b.assistance_amount for b in bills)
    assert self_pay == Decimal("1000.00")  # down to the cap, and no further
    assert bills[2].explanation == (
        "2020年门诊慢病自付累计 1200.00 元（本次 300.00 元），县级及以下医院年度自付上限 1000.00 元；"
        "超出上限 200.00 元，此前已救助 0.00 元，本次救助 200.00 元"
    )
    assert bills[2].parameter_ids  # medical.chronic_cap.county, 正府办通〔2018〕150号
    # A new calendar year starts from nothing.
    january = _through_chain(
        _bill(member, clerk_a, day=dt.date(2021, 1, 5), total=1500, basic=900), village_a, county_admin
    )
    assert january.assistance_amount == Decimal("0.00")

    # Approved bills are paid once, on the medical-assistance roll of the month after approval.
    pay_month = next_month(timezone.localdate())
    assert {b.status for b in bills} == {MedicalBillStatus.APPROVED}
    assert {b.pay_month for b in bills} == {pay_month}
    roll = rolls.generate_roll(county=village_a.parent.parent, month=pay_month, program="medical")
    lines = PaymentLine.objects.filter(roll=roll).order_by("case_id")
    assert [(line.case_id, line.total_amount) for line in lines] == [
        (bills[2].pk, Decimal("200.00")),
        (bills[3].pk, Decimal("200.00")),
    ]
    assert lines[0].payee_name == member.name
    assert lines[0].rates["explanation"] == bills[2].explanation
    assert roll.total_amount == Decimal("400.00")
    later = rolls.generate_roll(
        county=village_a.parent.parent, month=next_month(pay_month), program="medical"
    )
    assert later.line_count == 0


def test_pending_bill_is_not_paid_and_inpatient_top_up_reaches_the_target_ratio(
    village_a, clerk_a, county_admin
):
    member = _patient(village_a)
    bill = _bill(
        member, clerk_a, day=dt.date(2020, 6, 1), total=10000, basic=7000, critical=1500, kind="inpatient"
    )
    # scenario 23 through a bill: 10000 reimbursed 8500 → 500 to reach 90%
    assert (bill.out_of_pocket, bill.assistance_amount) == (Decimal("1500.00"), Decimal("500.00"))
    assert "补足至 90.00% 需再补助 500.00 元" in bill.explanation
    pay_month = next_month(timezone.localdate())
    assert (
        rolls.generate_roll(county=village_a.parent.parent, month=pay_month, program="medical").line_count
        == 0
    )
    _through_chain(bill, village_a, county_admin)
    assert (
        rolls.generate_roll(county=village_a.parent.parent, month=pay_month, program="medical").line_count
        == 1
    )


def test_bad_bill_gets_field_errors_in_chinese(village_a, clerk_a):
    member = _patient(village_a)
    with pytest.raises(ValidationError) as err:
        _bill(member, clerk_a, day=dt.date(2020, 6, 1), total=1000, basic=900, critical=200)
    assert err.value.message_dict == {"basic_insurance_paid": ["基本医保与大病保险报销合计不能超过总费用"]}
    with pytest.raises(ValidationError) as err:
        _bill(member, clerk_a, day=timezone.localdate() + dt.timedelta(days=1), total=100, basic=50)
    assert err.value.message_dict == {"bill_date": ["结算日期不能晚于今天"]}
    assert not MedicalBill.objects.exists()


def test_clerk_of_another_village_cannot_enter_or_see_the_bill(
    village_a, village_b, clerk_a, clerk_b, client
):
    member = _patient(village_a)
    with pytest.raises(PermissionDenied):
        _bill(member, clerk_b, day=dt.date(2020, 6, 1), total=1000, basic=600)
    bill = _bill(member, clerk_a, day=dt.date(2020, 6, 1), total=1000, basic=600)
    client.force_login(clerk_b)
    assert client.get(f"/admin/assistance/medicalbill/{bill.pk}/change/").status_code in (302, 404)
    assert f"medicalbill/{bill.pk}/" not in client.get("/admin/assistance/medicalbill/").content.decode()
    client.force_login(clerk_a)
    page = client.get(f"/admin/assistance/medicalbill/{bill.pk}/change/").content.decode()
    assert "县级及以下医院年度自付上限" in page


def test_village_enters_a_bill_in_the_admin_form(village_a, clerk_a, client):
    member = _patient(village_a)
    client.force_login(clerk_a)
    data = {
        "member": member.pk, "bill_date": "2020-06-01", "hospital": "正安县人民医院",
        "hospital_level": "county", "kind": "chronic", "total_cost": "2000", "basic_insurance_paid": "800",
        "critical_insurance_paid": "0",
    }  # fmt: skip
    too_much = client.post("/admin/assistance/medicalbill/add/", {**data, "basic_insurance_paid": "2500"})
    assert too_much.status_code == 200
    assert "基本医保与大病保险报销合计不能超过总费用" in too_much.content.decode()
    assert client.post("/admin/assistance/medicalbill/add/", data).status_code == 302
    bill = MedicalBill.objects.get()
    assert (bill.out_of_pocket, bill.assistance_amount) == (Decimal("1200.00"), Decimal("200.00"))
    assert bill.review_state == ReviewState.PENDING_TOWNSHIP


def test_health_ledger_fills_cost_self_pay_and_assistance_from_approved_bills(
    village_a, clerk_a, county_admin
):
    import openpyxl

    from programs.services import evaluate_household
    from reports.exporting import start_export

    member = _patient(village_a)
    first = _bill(member, clerk_a, day=dt.date(2020, 4, 1), total=3000, basic=1500, critical=300)
    first = _through_chain(first, village_a, county_admin)
    _bill(member, clerk_a, day=dt.date(2020, 9, 1), total=900, basic=400)  # not approved yet: not counted
    evaluate_household(household=member.household, as_of=dt.date(2020, 12, 31), approved_only=False)
    outcome = start_export(user=county_admin, key="health", year=2020)
    sheet = openpyxl.load_workbook(outcome.path)["健康扶贫台账"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3) if row[3].value == member.name]
    assert len(rows) == 1
    # 住院费用, 基本医保, 大病保险, 医疗救助, 其他报销, 自付 (after 医疗救助)
    assert rows[0][7:13] == [3000, 1500, 300, 200, None, 1000]
    assert first.assistance_amount == Decimal("200.00")


def test_scenario_38_a_returned_bill_does_not_count_toward_the_cap(village_a, clerk_a, county_admin):
    """A returned 800 bill and an approved 900 bill at a county hospital in one year: the 900 bill gets
    0 (self-pay 900 ≤ 1000); the returned one would have made it 700."""
    member = _patient(village_a)
    returned = _bill(member, clerk_a, day=dt.date(2020, 3, 2), total=800, basic=0)
    medical.STEPS["return"](returned, user_for(village_a.parent), "票据不清晰，请重新上传")
    returned.refresh_from_db()
    assert returned.review_state == ReviewState.RETURNED_TO_VILLAGE
    pending = _bill(member, clerk_a, day=dt.date(2020, 4, 2), total=300, basic=0)  # not yet approved
    approved = _through_chain(_bill(member, clerk_a, day=dt.date(2020, 5, 9), total=900, basic=0), village_a,
                              county_admin)  # fmt: skip
    assert approved.out_of_pocket == Decimal("900.00")
    assert approved.assistance_amount == Decimal("0.00")
    assert "累计 900.00 元" in approved.explanation
    assert pending.status == MedicalBillStatus.PENDING


def test_an_earlier_bill_approved_late_recomputes_the_later_ones_with_an_adjustment_if_paid(
    village_a, clerk_a, county_admin
):
    """March 800 (pending), May 900 (approved: 0) and June 600 (approved: 500 over the cap), both paid
    on a confirmed roll. March approved at last: 2300 in the year, 1300 over — March gets 0 (800 ≤
    1000), May 700 instead of 0, June 600 instead of 500: adjustment lines of 700 and 100 on the next
    draft roll (May's 0 was not on the confirmed roll: it is paid there in full)."""
    member = _patient(village_a)
    county = village_a.parent.parent
    march = _bill(member, clerk_a, day=dt.date(2020, 3, 2), total=800, basic=0)
    may = _through_chain(_bill(member, clerk_a, day=dt.date(2020, 5, 9), total=900, basic=0), village_a,
                         county_admin)  # fmt: skip
    june = _through_chain(_bill(member, clerk_a, day=dt.date(2020, 6, 9), total=600, basic=0), village_a,
                          county_admin)  # fmt: skip
    assert (may.assistance_amount, june.assistance_amount) == (Decimal("0.00"), Decimal("500.00"))
    pay_month = june.pay_month
    roll = rolls.generate_roll(county=county, month=pay_month, program="medical")
    rolls.confirm_roll(roll=roll, user=county_admin)

    march = _through_chain(march, village_a, county_admin)
    may.refresh_from_db()
    june.refresh_from_db()
    assert (march.assistance_amount, may.assistance_amount, june.assistance_amount) == (
        Decimal("0.00"), Decimal("700.00"), Decimal("600.00"),
    )  # fmt: skip
    adjustment = PaymentLine.objects.get(kind="adjustment")
    assert (adjustment.case_id, adjustment.total_amount) == (june.pk, Decimal("100.00"))
    assert adjustment.month == may.pay_month == next_month(pay_month)
    assert "重新核算" in adjustment.note
    later = rolls.generate_roll(county=county, month=next_month(pay_month), program="medical")
    assert later.total_amount == Decimal("800.00")
    # approving nothing new and building the roll again adds nothing
    assert rolls.generate_roll(
        county=county, month=next_month(pay_month), program="medical"
    ).total_amount == (Decimal("800.00"))
