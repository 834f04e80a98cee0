"""The personal-data policy's rules: the village's edit-form exception, masked values sent back,
the deliberate ways to a full value (reveal, full export) and their access log; scenario 35. The
matrix that walks every surface for every role is tests/security/test_privacy_matrix.py."""

import datetime as dt
import logging

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from assistance.models import PaymentLine, PaymentRoll
from core import privacy
from core.choices import ReviewState
from core.logging import ScrubPersonalData
from core.models import AccessLog
from core.scoping import scoped
from households.models import Member
from households.workflow.models import ChangeItem, ChangeRequest
from reports.exporting import start_export
from tests.factories import MemberFactory, household_with_members, user_for, valid_id

pytestmark = pytest.mark.django_db

PHONE, NEW_PHONE, ACCOUNT = "13812342222", "13955556666", "6228480012345677776"


@pytest.fixture
def seeded(village_a, county_admin):
    """An approved household with every kind of identifying value, a roll line, a change request
    naming a new phone, and a field-history event that changed the phone."""
    household = household_with_members(2, village=village_a, review_state=ReviewState.VERIFIED)
    head, child = household.members.order_by("id")
    child.disability_card_no = child.id_no + "11"
    child.save()
    household.bank_account = ACCOUNT
    household.phone = "13800000000"
    household.save()
    household.phone = PHONE
    household.save()  # a pghistory update event: 联系电话 old → new on the record page
    roll = PaymentRoll.objects.create(
        county=village_a.parent.parent, month=dt.date(2019, 11, 1), program="dibao"
    )
    line = PaymentLine.objects.create(
        roll=roll,
        month=roll.month,
        program="dibao",
        case_id=1,
        household=household,
        payee_name=head.name,
        payee_id_no=head.id_no,
        bank_account=ACCOUNT,
    )
    change = ChangeRequest.objects.create(household=household, created_by=county_admin)
    ChangeItem.objects.create(
        change_request=change,
        target="household",
        target_id=household.pk,
        old_values={"phone": PHONE},
        new_values={"phone": NEW_PHONE},
    )
    full = {head.id_no, child.id_no, child.disability_card_no, PHONE, NEW_PHONE, ACCOUNT}
    return household, head, line, change, full


def _found(body: str, full: set[str]) -> list[str]:
    return sorted(value for value in full if value in body)


def test_the_village_edits_its_own_draft_in_full_and_nobody_else_sees_it(
    village_a, clerk_a, county_admin, client
):
    household = household_with_members(1, village=village_a, review_state=ReviewState.DRAFT)
    head = household.members.get()
    url = reverse("admin:households_household_change", args=[household.pk])
    client.force_login(clerk_a)
    assert head.id_no in client.get(url).content.decode()  # the edit-form exception
    api = APIClient()
    api.force_authenticate(clerk_a)
    assert api.get(f"/api/v1/households/{household.pk}/").json()["members"][0]["id_no"] == head.id_no
    assert head.id_no not in api.get("/api/v1/members/").content.decode()  # lists stay masked
    client.force_login(county_admin)
    assert head.id_no not in client.get(url).content.decode()


def test_a_masked_value_sent_back_keeps_the_stored_one(village_a, township_reviewer_a):
    household = household_with_members(1, village=village_a, review_state=ReviewState.PENDING_TOWNSHIP)
    household.phone, household.bank_account = PHONE, ACCOUNT
    household.save()
    head = household.members.get()
    api = APIClient()
    api.force_authenticate(township_reviewer_a)
    shown = api.get(f"/api/v1/households/{household.pk}/").json()
    assert shown["phone"] == "138****2222"
    shown["group_name"] = "一组"
    response = api.patch(
        f"/api/v1/households/{household.pk}/",
        {"phone": shown["phone"], "bank_account": shown["bank_account"], "group_name": "一组",
         "members": [{"id": head.pk, "id_no": shown["members"][0]["id_no"], "name": head.name}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    head.refresh_from_db()
    assert (household.phone, household.bank_account, household.group_name) == (PHONE, ACCOUNT, "一组")
    assert "*" not in Member.objects.get(pk=head.pk).id_no


def test_reveal_over_the_api_is_county_only_needs_a_reason_and_is_logged(
    seeded, as_user, city_supervisor, county_admin
):
    household, head, line, change, full = seeded
    url = f"/api/v1/members/{head.pk}/reveal/"
    assert as_user(city_supervisor).post(url, {"reason": "抽查"}, format="json").status_code == 403
    assert as_user(county_admin).post(url, {}, format="json").status_code == 400
    assert not AccessLog.objects.exists()
    response = as_user(county_admin).post(
        url, {"reason": "核对低保申请"}, format="json", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    assert response.json() == {"id_no": head.id_no}
    line_values = as_user(county_admin).post(
        f"/api/v1/payment-lines/{line.pk}/reveal/", {"reason": "代发"}, format="json"
    )
    assert line_values.json() == {"payee_id_no": head.id_no, "bank_account": ACCOUNT}
    first = AccessLog.objects.order_by("id").first()
    assert (first.user, first.channel, first.record_id, first.fields, first.reason, first.ip) == (
        county_admin,
        "api",
        head.pk,
        "身份证号",
        "核对低保申请",
        "10.1.2.3",
    )
    assert head.name in first.subject
    assert household.household_no in first.subject


def test_id_number_search_is_a_post_and_a_url_with_it_is_refused(seeded, as_user, county_admin, client):
    household, head, *_ = seeded
    api = as_user(county_admin)
    assert api.get("/api/v1/members/", {"id_no": head.id_no}).status_code == 400
    found = api.post("/api/v1/members/search/", {"id_no": head.id_no.lower()}, format="json").json()
    assert [m["id"] for m in found] == [head.pk]
    assert found[0]["id_no"] == privacy.mask_id(head.id_no)
    # The admin: a GET ?q=<ID> is moved to the session at once; the list opens by a token.
    client.force_login(county_admin)
    changelist = reverse("admin:households_member_changelist")
    response = client.get(changelist, {"q": head.id_no})
    assert response.status_code == 302
    assert head.id_no not in response["Location"]
    assert "_idq=" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert [m.pk for m in page.context["cl"].result_list] == [head.pk]
    assert head.id_no not in page.content.decode()
    posted = client.post(changelist + "id-search/", {"q": head.id_no})
    assert posted.status_code == 302
    assert head.id_no not in posted["Location"]
    # Opened by a bookmark or the back button, the search address leads back to the list.
    assert client.get(changelist + "id-search/")["Location"] == changelist


def test_log_lines_never_carry_an_id_number_or_account(settings):
    number = valid_id()
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET /admin/?q=%s&acct=%s&tel=%s HTTP/1.1" 302',
        (number, ACCOUNT, PHONE),
        None,
    )
    ScrubPersonalData().filter(record)
    line = record.getMessage()
    assert number not in line
    assert ACCOUNT not in line
    assert PHONE not in line
    assert "138****2222" in line
    assert privacy.mask_id(number) in line
    # wired into the console handler every logger writes through
    assert "scrub_personal_data" in settings.LOGGING["handlers"]["console"]["filters"]


def test_scenario_35_city_sees_masked_only_county_reveals_and_exports_both_logged(
    seeded, client, city_supervisor, county_admin, village_a
):
    household, head, line, change, full = seeded
    # The city reads the member over API, admin and export: masked only, and cannot reveal.
    api = APIClient()
    api.force_authenticate(city_supervisor)
    member = api.get(f"/api/v1/members/{head.pk}/").json()
    assert member["id_no"] == privacy.mask_id(head.id_no)
    assert (
        api.post(f"/api/v1/members/{head.pk}/reveal/", {"reason": "抽查"}, format="json").status_code == 403
    )
    client.force_login(city_supervisor)
    page = client.get(reverse("admin:households_member_change", args=[head.pk])).content.decode()
    assert privacy.mask_id(head.id_no) in page
    assert head.id_no not in page
    assert "查看完整信息" not in page
    assert (
        client.post(reverse("admin:households_member_reveal", args=[head.pk]), {"reason": "抽查"}).status_code
        == 403
    )
    summary = start_export(user=city_supervisor, key="village_summary")
    assert not _found(str(list(openpyxl.load_workbook(summary.path).worksheets[0].values)), full)
    with pytest.raises(PermissionDenied):
        start_export(user=city_supervisor, key="dibao_roll", full_identity=True, reason="抽查")
    assert not AccessLog.objects.exists()

    # The county reveals one member's ID number on the record page (POST with a reason).
    client.force_login(county_admin)
    record_page = client.get(reverse("admin:households_member_change", args=[head.pk])).content.decode()
    assert "查看完整信息" in record_page
    assert head.id_no not in record_page
    reveal_url = reverse("admin:households_member_reveal", args=[head.pk])
    asked = client.get(reveal_url).content.decode()
    assert "查看事由" in asked
    assert head.id_no not in asked
    shown = client.post(reveal_url, {"reason": "核对户籍"}, REMOTE_ADDR="10.0.0.7")
    assert head.id_no in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]

    # … and exports a bank roll with full values for the bank.
    roll = start_export(user=county_admin, key="dibao_roll", full_identity=True, reason="银行代发")
    cells = str(list(openpyxl.load_workbook(roll.path).worksheets[0].values))
    assert head.id_no in cells
    assert ACCOUNT in cells

    # Both acts are in the access log, which the county browses and exports.
    logs = list(AccessLog.objects.order_by("id"))
    assert [(log.channel, log.reason) for log in logs] == [("page", "核对户籍"), ("export", "银行代发")]
    assert logs[0].ip == "10.0.0.7"
    assert logs[0].record_id == head.pk
    listing = client.get(reverse("admin:core_accesslog_changelist")).content.decode()
    assert "核对户籍" in listing
    assert "银行代发" in listing
    exported = client.post(
        reverse("admin:core_accesslog_changelist"),
        {"action": "export_csv", "_selected_action": [log.pk for log in logs]},
    )
    text = exported.content.decode("utf-8-sig")
    assert "核对户籍" in text
    assert "银行代发" in text
    assert head.id_no not in text
    # A record page reads in Chinese: the record's kind and the role by name, no stored codes.
    page = client.get(reverse("admin:core_accesslog_change", args=[logs[0].pk])).content.decode()
    assert "县级管理员" in page
    assert logs[0].record_kind not in page
    assert logs[0].role not in page
    # The city cannot browse the log; the log is append-only.
    client.force_login(city_supervisor)
    assert client.get(reverse("admin:core_accesslog_changelist")).status_code == 403


def test_access_log_is_scoped_by_the_record_region(seeded, village_b, county_admin, client):
    household, head, *_ = seeded
    other = MemberFactory(household__village=village_b)
    for member in (head, other):
        privacy.reveal(user=county_admin, request=None, record=member, reason="核对", channel="page")
    township_b = user_for(village_b.parent)
    assert scoped(AccessLog.objects.all(), county_admin).count() == 2
    assert list(scoped(AccessLog.objects.all(), township_b).values_list("record_id", flat=True)) == [other.pk]
