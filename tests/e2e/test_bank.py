"""The county pays through the bank in a real browser: 送银行 from the roll list (choose the layout,
give the reason, the file downloads), upload a 回盘 whose totals are wrong (refused whole, row
errors listed), then the right one (one line 销户); the 工作台 shows the failure by reason, the list
and the failure page; the village clerk corrects the account from its 工作台; once the change request
is approved the next roll carries the 补发 line. Screenshots go to test-results/bank/."""

import datetime as dt
from decimal import Decimal

import pytest

from assistance.choices import FailureStatus, LineKind, RollStatus
from assistance.models import BankBatch, PaymentFailure, PaymentLine
from assistance.services import rolls
from core.workflow import services as chain
from devdata.bank import bank_return
from tests.assistance.bank_helpers import confirmed_roll, county_layout, payee_household
from tests.e2e.conftest import login
from tests.e2e.pages import offending_text
from tests.factories import user_for

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-12345"  # tests.factories.UserFactory
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chinese_only(page) -> None:
    text = page.locator("#content").inner_text()
    assert not offending_text(text), offending_text(text)


def test_county_sends_uploads_and_follows_up_a_failed_payment(
    browser, live_server, artifacts, village_a, county_admin, clerk_a
):
    shots = artifacts / "bank"
    shots.mkdir(exist_ok=True)
    admin = f"{live_server.url}/admin"
    roll = confirmed_roll(households=[payee_household(village_a) for _ in range(4)], county_user=county_admin)
    layout = county_layout(roll.county)

    # 送银行 from the roll list.
    county = login(browser, live_server, county_admin.username, PASSWORD)
    county.goto(f"{admin}/assistance/paymentroll/")
    county.screenshot(path=str(shots / "1-roll-list.png"), full_page=True)
    county.click("a:text-is('送银行')")
    county.select_option("#id_layout", str(layout.pk))
    county.fill("#id_reason", "送西丰县惠民惠农一卡通平台发放2019年11月低保金")
    chinese_only(county)
    county.screenshot(path=str(shots / "2-send-form.png"), full_page=True)
    with county.expect_download() as download:
        county.click("input[type=submit]")
    batch = BankBatch.objects.get(roll=roll)
    assert download.value.suggested_filename == f"代发{batch.batch_no}.xlsx"
    roll.refresh_from_db()
    assert roll.status == RollStatus.SENT

    # The 回盘: first with wrong totals (refused whole), then the bank's real answer.
    county.goto(f"{admin}/assistance/bankbatch/{batch.pk}/change/")
    county.screenshot(path=str(shots / "3-batch-sent.png"), full_page=True)
    county.click("a:text-is('上传回盘')")
    wrong = bank_return(batch, total_amount=Decimal("1.00"))
    county.set_input_files("#id_file", files=[{"name": "回盘.xlsx", "mimeType": XLSX, "buffer": wrong}])
    with county.expect_navigation():
        county.click("input[type=submit]")
    county.get_by_text("回盘未导入（整批退回，未做任何更改）").wait_for()
    county.get_by_text("总金额 1.00 元与本批次送银行金额 1200.00 元不符").first.wait_for()
    chinese_only(county)
    county.screenshot(path=str(shots / "4-return-refused.png"), full_page=True)
    right = bank_return(batch, failed={2: "销户"})
    county.set_input_files("#id_file", files=[{"name": "回盘.xlsx", "mimeType": XLSX, "buffer": right}])
    with county.expect_navigation():
        county.click("input[type=submit]")
    county.get_by_text("该发放表已对账").wait_for()
    county.screenshot(path=str(shots / "5-return-applied.png"), full_page=True)
    roll.refresh_from_db()
    assert roll.status == RollStatus.RECONCILED

    # Follow-up: the county's 工作台 by reason → the list → the failure page.
    county.goto(f"{admin}/reports/workbench/")
    card = county.locator("[data-todo='bank.failures']")
    card.get_by_text("账户已销户 1 笔").wait_for()
    county.screenshot(path=str(shots / "6-county-workbench.png"), full_page=True)
    card.get_by_text("账户已销户 1 笔").click()
    county.wait_for_url("**/assistance/paymentfailure/**")
    chinese_only(county)
    county.screenshot(path=str(shots / "7-failure-list.png"), full_page=True)
    failure = PaymentFailure.objects.get()
    county.goto(f"{admin}/assistance/paymentfailure/{failure.pk}/change/")
    county.get_by_text("不予补发").wait_for()
    chinese_only(county)
    county.screenshot(path=str(shots / "8-failure-page-county.png"), full_page=True)

    # The village corrects the account from its 工作台.
    clerk = login(browser, live_server, clerk_a.username, PASSWORD)
    clerk.goto(f"{admin}/reports/workbench/")
    clerk.locator("[data-todo='bank.correct'] li a").first.click()
    clerk.click("a:text-is('纠正账户')")
    clerk.fill("#id_bank_name", "西丰农村商业银行")
    clerk.fill("#id_bank_account", "6217000012345678901")
    clerk.screenshot(path=str(shots / "9-clerk-correct-account.png"), full_page=True)
    with clerk.expect_navigation():
        clerk.click("input[type=submit]")
    clerk.get_by_text("已提交变更申请").wait_for()
    clerk.screenshot(path=str(shots / "10-clerk-submitted.png"), full_page=True)
    failure.refresh_from_db()
    assert failure.status == FailureStatus.CORRECTING

    # Township and county approve the change request; the next roll carries the 补发 line.
    chain.approve(record=failure.change_request, user=user_for(village_a.parent))
    chain.approve(record=failure.change_request, user=county_admin)
    next_roll = rolls.generate_roll(county=roll.county, month=dt.date(2019, 12, 1))
    reissue = PaymentLine.objects.get(roll=next_roll, kind=LineKind.REISSUE)
    assert reissue.bank_account == "6217000012345678901"
    county.goto(f"{admin}/assistance/paymentline/?kind__exact=reissue")
    county.get_by_text("补发2019年11月发放失败款").first.wait_for()
    county.screenshot(path=str(shots / "11-reissue-line.png"), full_page=True)
