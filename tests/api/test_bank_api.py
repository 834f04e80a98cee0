"""代发 and 回盘 over /api/v1/: send and download (recorded full-value exports), the 回盘 upload with
row errors, masked bank lines, the village's correction, a household's months, and query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from assistance.choices import RollStatus
from assistance.models import PaymentFailure
from assistance.services import bank
from core.models import AccessLog
from tests.assistance.bank_helpers import bank_return, confirmed_roll, county_layout, payee_household

pytestmark = pytest.mark.django_db


def client(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def roll(village_a, county_admin):
    return confirmed_roll(households=[payee_household(village_a) for _ in range(3)], county_user=county_admin)


def test_county_sends_a_roll_and_gets_the_file_with_its_batch_number(roll, county_admin):
    layout = county_layout(roll.county, "rcc_fixed")
    response = client(county_admin).post(
        f"/api/v1/payment-rolls/{roll.pk}/send/",
        {"layout": layout.pk, "reason": "送农信社代发"},
        format="json",
    )
    assert response.status_code == 200
    assert response["X-Batch-No"] == f"{roll.county_id[:6]}2019110101"
    assert response["Cache-Control"] == "no-store"
    assert response.content.count(b"\r\n") == 4  # totals row and three lines
    roll.refresh_from_db()
    assert roll.status == RollStatus.SENT
    assert AccessLog.objects.get().reason == "送农信社代发"


def test_a_layout_of_another_county_is_a_field_error(roll, county_admin, village_b):
    from tests.factories import region_chain

    other = region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丁村")).parent.parent
    layout = county_layout(other)
    response = client(county_admin).post(
        f"/api/v1/payment-rolls/{roll.pk}/send/", {"layout": layout.pk, "reason": "代发"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "layout",
        "message": "该代发文件格式不存在或不属于本县",
        "code": "invalid",
    }


def test_return_upload_applies_or_lists_row_errors(roll, county_admin):
    batch, _ = bank.send_roll(roll=roll, layout=county_layout(roll.county), user=county_admin, reason="代发")
    url = f"/api/v1/bank-batches/{batch.pk}/return/"
    bad = SimpleUploadedFile("回盘.xlsx", bank_return(batch, total_count=2))
    response = client(county_admin).post(url, {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "第5行（汇总行）：总笔数 2 与本批次送银行笔数 3 不符"
    good = SimpleUploadedFile("回盘.xlsx", bank_return(batch, failed={3: "户名不符"}))
    response = client(county_admin).post(url, {"file": good}, format="multipart")
    assert response.status_code == 200
    assert (response.json()["paid_count"], response.json()["failed_count"]) == (2, 1)


def test_bank_lines_and_failures_go_out_masked_and_hidden_from_the_city(
    roll, county_admin, clerk_a, city_supervisor
):
    batch, _ = bank.send_roll(roll=roll, layout=county_layout(roll.county), user=county_admin, reason="代发")
    line = batch.lines.get(line_no=1)
    shown = client(clerk_a).get(f"/api/v1/bank-lines/{line.pk}/").json()
    assert shown["bank_account"] == f"**** **** {line.bank_account[-4:]}"
    assert shown["payee_id_no"].count("*") == 8
    assert client(city_supervisor).get(f"/api/v1/bank-lines/{line.pk}/").json()["bank_account"] == ""


def test_village_proposes_a_payee_and_the_household_months_show_the_failure(
    roll, county_admin, clerk_a, household_out
):
    batch, _ = bank.send_roll(roll=roll, layout=county_layout(roll.county), user=county_admin, reason="代发")
    bank.upload_return(
        batch=batch, user=county_admin, data=bank_return(batch, failed={1: "销户"}), filename="r"
    )
    failure = PaymentFailure.objects.get()
    from tests.factories import valid_id

    payload = {"payee_name": "王小二", "payee_id_no": valid_id(), "bank_name": "邮储银行",
               "bank_account": "6210981234567890123", "reason": "户主卧床，由其子代领"}  # fmt: skip
    response = client(clerk_a).post(
        f"/api/v1/payment-failures/{failure.pk}/propose-payee/", payload, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["bank_account"]) == (
        "payee_proposed",
        "**** **** 0123",
    )
    months = client(clerk_a).get(f"/api/v1/household-payments/{failure.household_id}/").json()["months"]
    assert months[0] == {
        "month": "2019-11-01", "program": "dibao", "program_label": "农村低保", "due": "300.00",
        "sent": "300.00", "paid": "0.00", "failed": "300.00", "pending": "0.00", "notes": [],
    }  # fmt: skip
    assert client(clerk_a).get(f"/api/v1/household-payments/{household_out.pk}/").status_code == 404


def _failures(village, county_admin, n):
    roll = confirmed_roll(households=[payee_household(village) for _ in range(n)], county_user=county_admin)
    batch, _ = bank.send_roll(roll=roll, layout=county_layout(roll.county), user=county_admin, reason="代发")
    failed = dict.fromkeys(range(1, n + 1), "销户")
    bank.upload_return(batch=batch, user=county_admin, data=bank_return(batch, failed=failed), filename="r")


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize(
    ("url", "queries"),
    [("/api/v1/bank-lines/", 1), ("/api/v1/payment-failures/", 2), ("/api/v1/bank-batches/", 1)],
)
def test_bank_lists_use_a_fixed_number_of_queries(
    village_a, county_admin, django_assert_num_queries, n, url, queries
):
    _failures(village_a, county_admin, n)
    api = client(county_admin)
    with django_assert_num_queries(queries):
        response = api.get(url, {"page_size": 50})
    assert response.status_code == 200
