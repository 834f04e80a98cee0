"""Scenario 54: the 自主申报 page answers a registered ID and an unknown one the same way, refuses the
6th submission from one address within an hour, and shows progress only for the right receipt number
and ID digits; personal data is masked after submission and in the log."""

import datetime as dt
import logging
import re

import pytest
from django.core.cache import caches
from django.test import Client

from assistance.monitoring.choices import LeadSource
from assistance.monitoring.models import MonitoringLead
from tests.assistance.monitoring.helpers import registered_household
from tests.factories import valid_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


def form(id_no, name="李秀英", phone="13800001234"):
    return {
        "name": name, "id_no": id_no, "phone": phone, "risk_types": ["illness"], "description": "住院",
        "consent": "on", "captcha_0": "x", "captcha_1": "PASSED",
    }  # fmt: skip


def progress(receipt, digits):
    return {"receipt_no": receipt, "id_last4": digits, "captcha_0": "x", "captcha_1": "PASSED"}


def submit(client, village, data, address="10.1.1.1"):
    return client.post(f"/report/{village.code}/", data, REMOTE_ADDR=address)


def answer(response) -> str:
    """The page without the receipt number and the masked values (which differ by person)."""
    text = response.content.decode()
    text = re.sub(r'data-testid="receipt-no">\d+<', "", text)
    return re.sub(r"<dl>.*?</dl>", "", text, flags=re.S)


def test_scenario_54_public_page_answers_alike_limits_an_address_and_shows_progress_to_the_right_person(
    village_a, caplog
):
    client = Client()
    page = client.get(f"/report/{village_a.code}/")
    assert page.status_code == 200
    assert "承诺授权" in page.content.decode()
    assert 'name="captcha_1"' in page.content.decode()
    head = registered_household(village_a).members.get(relation="head")
    unknown = valid_id(dt.date(1966, 3, 3))
    with caplog.at_level(logging.INFO, logger="assistance.monitoring.services.leads"):
        registered = submit(client, village_a, form(head.id_no))
        stranger = submit(client, village_a, form(unknown))
    assert registered.status_code == stranger.status_code == 200
    assert answer(registered) == answer(stranger)  # nothing tells whether the person is registered
    body = registered.content.decode()
    assert head.id_no not in body
    assert "138****1234" in body
    assert head.id_no[-4:] in body
    assert head.id_no not in caplog.text
    assert unknown not in caplog.text
    assert MonitoringLead.objects.filter(source=LeadSource.SELF_REPORT).count() == 2
    lead = MonitoringLead.objects.get(id_no=head.id_no)
    assert lead.household_id == head.household_id
    assert lead.village_id == village_a.code
    # the 6th submission from one address within the hour is refused; another address is not
    for n in range(3):
        assert submit(client, village_a, form(valid_id())).status_code == 200, n
    refused = submit(client, village_a, form(valid_id()))
    assert refused.status_code == 429
    assert "次数过多" in refused.content.decode()
    assert MonitoringLead.objects.count() == 5
    assert submit(client, village_a, form(valid_id()), address="10.9.9.9").status_code == 200
    # progress: the right receipt number and ID digits only
    receipt = lead.receipt_no
    ok = client.post("/report/progress/", progress(receipt, head.id_no[-4:]), REMOTE_ADDR="10.2.2.2")
    assert "等待村干部入户核实" in ok.content.decode()
    for number, digits in ((receipt, unknown[-4:]), ("20260101000000", head.id_no[-4:])):
        wrong = client.post("/report/progress/", progress(number, digits), REMOTE_ADDR="10.2.2.2")
        assert "未查到该回执" in wrong.content.decode()
        assert "入户核实" not in wrong.content.decode()


def test_public_page_refuses_a_bad_captcha_and_a_missing_consent_without_writing(village_a, settings):
    settings.CAPTCHA_TEST_MODE = False
    client = Client()
    data = form(valid_id())
    data["captcha_1"] = "WRONG"
    del data["consent"]
    response = submit(client, village_a, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "验证码错误" in text
    assert "请勾选同意承诺授权" in text
    assert not MonitoringLead.objects.exists()


def test_public_page_of_an_unknown_village_is_not_found(client):
    assert client.get("/report/999999999999/").status_code == 404
