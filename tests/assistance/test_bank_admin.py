"""The 代发/回盘 pages in the admin frame: the county sends and uploads, the village corrects, every
page in Chinese, nothing outside the user's scope (404), accounts masked."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import strip_tags

from assistance.choices import FailureStatus, RollStatus
from assistance.models import BankBatch, BankLayout, PaymentFailure
from assistance.services import bank
from households.workflow.models import ChangeRequest
from tests.assistance.bank_helpers import bank_return, confirmed_roll, county_layout, payee_household
from tests.e2e.pages import offending_text
from tests.factories import region_chain, user_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def roll(village_a, county_admin):
    return confirmed_roll(households=[payee_household(village_a) for _ in range(2)], county_user=county_admin)


@pytest.fixture
def failed(roll, county_admin):
    batch, _ = bank.send_roll(roll=roll, layout=county_layout(roll.county), user=county_admin, reason="代发")
    bank.upload_return(
        batch=batch, user=county_admin, data=bank_return(batch, failed={1: "销户"}), filename="r"
    )
    return PaymentFailure.objects.get()


def text_of(response) -> str:
    """The words of the page's content as a user reads them (tags, scripts and comments removed)."""
    body = response.content.decode()
    body = body[body.index(">", body.index('id="content"')) + 1 :]
    body = re.sub(r"<(script|style)\b.*?</\1>|<!--.*?-->", " ", body, flags=re.S)
    return html.unescape(strip_tags(body))


def test_county_sends_from_the_roll_page_and_gets_the_file(client, roll, county_admin):
    layout = county_layout(roll.county)
    client.force_login(county_admin)
    page = client.get(f"/admin/assistance/paymentroll/{roll.pk}/send/")
    assert "送银行并下载代发文件" in page.content.decode()
    assert not offending_text(text_of(page), allowed={"fupin"})
    response = client.post(
        f"/admin/assistance/paymentroll/{roll.pk}/send/", {"layout": layout.pk, "reason": ""}
    )
    assert response.context["form"].errors == {"reason": ["该字段是必填项。"]}
    response = client.post(
        f"/admin/assistance/paymentroll/{roll.pk}/send/", {"layout": layout.pk, "reason": "送一卡通平台"}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="bank.xlsx"')
    roll.refresh_from_db()
    assert roll.status == RollStatus.SENT


def test_upload_page_lists_row_errors_and_changes_nothing(client, roll, county_admin):
    batch, _ = bank.send_roll(roll=roll, layout=county_layout(roll.county), user=county_admin, reason="代发")
    client.force_login(county_admin)
    upload = SimpleUploadedFile("回盘.xlsx", bank_return(batch, batch_no="2112232019100101"))
    page = client.post(f"/admin/assistance/bankbatch/{batch.pk}/return/", {"file": upload})
    body = page.content.decode()
    assert body.count("回盘未导入（整批退回，未做任何更改）") == 1  # once, above the form
    assert "第2行：批次号“2112232019100101”不是本批次" in body
    assert set(batch.lines.values_list("result", flat=True)) == {"pending"}
    good = SimpleUploadedFile("回盘.xlsx", bank_return(batch))
    response = client.post(f"/admin/assistance/bankbatch/{batch.pk}/return/", {"file": good})
    assert response.status_code == 302
    assert BankBatch.objects.get(pk=batch.pk).reconciled_at is not None


def test_village_corrects_the_account_from_the_failure_page(client, failed, clerk_a):
    client.force_login(clerk_a)
    page = client.get(f"/admin/assistance/paymentfailure/{failed.pk}/change/")
    body = page.content.decode()
    assert "纠正账户" in body
    assert failed.bank_line.bank_account not in body  # masked: **** **** 1234
    assert not offending_text(text_of(page), allowed={"fupin"})
    response = client.post(
        f"/admin/assistance/paymentfailure/{failed.pk}/correct/",
        {"bank_name": "西丰农商银行", "bank_account": "6221000099998888777"},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == FailureStatus.CORRECTING
    assert ChangeRequest.objects.get(household=failed.household).state == "pending_township"


def test_pages_outside_the_scope_are_not_found(client, roll, failed, clerk_b, county_admin):
    other = region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丁村"))
    client.force_login(user_for(other.parent.parent))
    batch = failed.bank_line.batch
    for url in (
        f"/admin/assistance/paymentroll/{roll.pk}/send/",
        f"/admin/assistance/bankbatch/{batch.pk}/return/",
        f"/admin/assistance/bankbatch/{batch.pk}/download/",
        f"/admin/assistance/paymentfailure/{failed.pk}/waive/",
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(clerk_b)
    assert client.get(f"/admin/assistance/paymentfailure/{failed.pk}/correct/").status_code == 404


def test_county_creates_a_layout_from_a_preset_and_sees_what_is_missing(client, county_admin):
    client.force_login(county_admin)
    assert "按预置格式新建" in client.get("/admin/assistance/banklayout/").content.decode()
    response = client.post(
        "/admin/assistance/banklayout/preset/",
        {"preset": "rcc_fixed", "name": "西丰农信代发", "payer": "西丰农信"},
    )
    layout = BankLayout.objects.get(name="西丰农信代发")
    assert response["Location"] == f"/admin/assistance/banklayout/{layout.pk}/change/"
    assert layout.columns.filter(section="result").count() == 8
    page = client.get(f"/admin/assistance/banklayout/{layout.pk}/change/")
    assert not offending_text(text_of(page), allowed={"fupin"})
    listing = client.get("/admin/assistance/banklayout/").content.decode()
    assert "可以" in listing


def test_workbench_shows_the_county_and_the_village_their_items(client, failed, clerk_a, county_admin):
    client.force_login(clerk_a)
    body = client.get("/admin/reports/workbench/").content.decode()
    assert "发放失败待纠正账户" in body
    client.force_login(county_admin)
    body = client.get("/admin/reports/workbench/").content.decode()
    assert "发放失败未补发（按原因）" in body
    assert "账户已销户 1 笔" in body


def test_household_page_shows_the_months_due_sent_and_paid(client, failed, county_admin):
    client.force_login(county_admin)
    body = client.get(f"/admin/households/household/{failed.household_id}/change/").content.decode()
    assert "发放记录（应发、送银行、到账）" in body
    assert (
        "<td>2019年11月</td><td>农村低保</td><td>300.00</td><td>300.00</td><td>0.00</td><td>300.00</td>"
        in body
    )
