"""The four leaks of issue 22 (an outside audit): each surface showed full values the policy masks."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from core import privacy
from core.choices import ReviewState
from core.models import AccessLog
from households.excel.resurvey import plan_resurvey
from reports.crosscheck import services as crosscheck
from reports.crosscheck.choices import Rule, RunTrigger
from reports.crosscheck.models import Hit
from tests.factories import HouseholdFactory, MemberFactory, household_with_members, region_chain, valid_id

pytestmark = pytest.mark.django_db

PHONE, ACCOUNT = "13812342222", "6228480012345677776"
RESURVEY_URL = "admin:households_importbatch_resurvey"


@pytest.fixture
def approved(village_a):
    household = household_with_members(
        2, village=village_a, review_state=ReviewState.VERIFIED, phone=PHONE, bank_account=ACCOUNT
    )
    head, child = household.members.order_by("id")
    child.disability_card_no = child.id_no + "11"
    child.save()
    full = {head.id_no, child.id_no, child.disability_card_no, PHONE, ACCOUNT}
    return household, head, full


def _cells(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    )


def _download(client, **data):
    response = client.post(reverse(RESURVEY_URL), {"region": "", **data})
    assert response.status_code == 200
    return response


def test_resurvey_download_is_masked_for_the_township_and_logs_nothing(approved, client, township_reviewer_a):
    household, head, full = approved
    client.force_login(township_reviewer_a)
    text = _cells(b"".join(_download(client).streaming_content))
    assert [value for value in full if value in text] == []
    assert privacy.mask_id(head.id_no) in text
    assert "138****2222" in text
    assert "**** **** 7776" in text
    assert not AccessLog.objects.exists()
    # The township has no way to ask for full values.
    asked = client.post(reverse(RESURVEY_URL), {"region": "", "full_identity": "on", "reason": "入户核对"})
    assert asked.status_code == 200, asked.content.decode()[-3000:]
    body = b"".join(asked.streaming_content)
    assert body[:2] == b"PK", body[:300]
    assert [value for value in full if value in _cells(body)] == []
    assert not AccessLog.objects.exists()


def test_resurvey_download_in_full_needs_the_county_a_reason_and_is_logged(approved, client, county_admin):
    household, head, full = approved
    client.force_login(county_admin)
    masked = _cells(b"".join(_download(client).streaming_content))
    assert [value for value in full if value in masked] == []
    asked = client.post(reverse(RESURVEY_URL), {"region": "", "full_identity": "on", "reason": ""})
    assert "须填写事由" in asked.content.decode()
    assert not AccessLog.objects.exists()
    response = _download(client, full_identity="on", reason="入户核对", REMOTE_ADDR="10.0.0.9")
    assert (
        "含完整身份信息" in response["Content-Disposition"] or "%E5%90%AB" in response["Content-Disposition"]
    )
    text = _cells(b"".join(response.streaming_content))
    assert {value for value in full if value in text} == full - {
        head.household.members.last().disability_card_no
    }
    log = AccessLog.objects.get()
    assert (log.user, log.channel, log.reason, log.rows) == (county_admin, "export", "入户核对", 2)
    assert "身份证号" in log.fields
    assert "银行账号" in log.fields


def test_measure_gap_page_masks_phone_and_account_and_the_city_sees_no_account(
    approved, client, township_reviewer_a, county_admin, city_supervisor
):
    household, _, full = approved
    url = reverse("admin:assistance_measuregap_change", args=[household.pk])
    for user in (township_reviewer_a, county_admin, city_supervisor):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert PHONE not in body, user
        assert ACCOUNT not in body, user
        assert "138****2222" in body
        assert ("**** **** 7776" in body) is (user is not city_supervisor)


def _duplicate_hit(village_a):
    other_village = region_chain("211223100002", ("辽宁省", "铁岭市", "西丰县", "西丰镇", "丙村"))
    number = valid_id(dt.date(1975, 3, 8))
    MemberFactory(household=HouseholdFactory(village=village_a), id_no=number)
    MemberFactory(
        household=HouseholdFactory(village=other_village),
        id_no=number[:6] + number[8:17],
        birth_date=dt.date(1975, 3, 8),
    )
    crosscheck.run_checks(
        county=village_a.parent.parent, as_of=dt.date(2019, 12, 5), trigger=RunTrigger.NIGHTLY
    )
    return Hit.objects.get(rule=Rule.DUPLICATE_ID), number


def test_duplicate_id_hit_reason_keeps_no_full_number(village_a):
    hit, number = _duplicate_hit(village_a)
    old_form = number[:6] + number[8:17]
    assert number not in hit.reason
    assert old_form not in hit.reason
    assert privacy.mask_id(number) in hit.reason
    assert hit.id_no == number  # the evidence itself is kept (a declared personal field)
    assert privacy.fields_of(Hit) == ("id_no",)


def test_hit_admin_masks_the_id_number_for_every_role(
    village_a, client, clerk_a, township_reviewer_a, county_admin
):
    hit, number = _duplicate_hit(village_a)
    hit.village = village_a
    hit.save()
    for user in (clerk_a, township_reviewer_a, county_admin):
        client.force_login(user)
        for url in (
            reverse("admin:reports_hit_change", args=[hit.pk]),
            reverse("admin:reports_hit_changelist"),
        ):
            page = client.get(url)
            assert page.status_code == 200, (user, url)
            assert number not in page.content.decode(), (user, url)
        assert (
            privacy.mask_id(number)
            in client.get(reverse("admin:reports_hit_change", args=[hit.pk])).content.decode()
        )


def test_resurvey_preview_messages_never_echo_a_stored_full_id(approved, clerk_a, township_reviewer_a):
    household, head, full = approved
    from tests.excel.test_resurvey import download, header_index, save

    book = download(township_reviewer_a)
    sheet = book["户成员信息"]
    cols = header_index(sheet)
    for row in sheet.iter_rows(min_row=3):
        if row[cols["系统成员号"]].value == head.pk:
            row[cols["身份证号"]].value = valid_id()  # an approved member's ID cannot change here
    plan = plan_resurvey(data=save(book), filename="动态调整.xlsx", user=clerk_a)
    messages = " ".join(error.message for error in plan.errors)
    assert "身份证号不能在动态调整中修改" in messages
    assert head.id_no not in messages
    assert privacy.mask_id(head.id_no) in messages


def test_a_masked_resurvey_cell_means_unchanged_and_a_wrong_mask_is_refused(
    approved, clerk_a, township_reviewer_a
):
    household, head, full = approved
    from tests.excel.test_resurvey import download, header_index, save

    book = download(township_reviewer_a)
    sheet = book["户成员信息"]
    cols = header_index(sheet)
    plan = plan_resurvey(data=save(book), filename="动态调整.xlsx", user=clerk_a)
    assert (plan.errors, plan.changed) == ([], [])  # masked values sent back unchanged
    sheet.cell(row=3, column=cols["银行账号"] + 1).value = "**** **** 0000"
    plan = plan_resurvey(data=save(book), filename="动态调整.xlsx", user=clerk_a)
    assert [e.message.split("”")[0] for e in plan.errors] == ["遮蔽显示的“银行账号"]


def test_access_log_csv_neutralises_formulas(approved, client, county_admin):
    import csv

    household, head, _ = approved
    head.name = "=cmd|' /C calc'!A0"
    head.save()
    privacy.reveal(user=county_admin, request=None, record=head, reason="+1+1", channel="page")
    client.force_login(county_admin)
    exported = client.post(
        reverse("admin:core_accesslog_changelist"),
        {"action": "export_csv", "_selected_action": list(AccessLog.objects.values_list("pk", flat=True))},
    )
    header, row = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert row[header.index("所涉对象")].startswith("'=cmd")
    assert row[header.index("事由")] == "'+1+1"


def test_member_autocomplete_finds_by_masked_number_or_tail_never_needing_the_full_one(
    approved, client, clerk_a
):
    household, head, _ = approved
    client.force_login(clerk_a)

    def found(term):
        response = client.get(
            "/admin/autocomplete/",
            {"term": term, "app_label": "assistance", "model_name": "medicalbill", "field_name": "member"},
        )
        assert response.status_code == 200, response.content
        return [int(r["id"]) for r in response.json()["results"]]

    assert found(privacy.mask_id(head.id_no)) == [head.pk]
    assert found(head.id_no[-6:]) == [head.pk]
    assert found("*" + head.id_no[-4:]) == [head.pk]
    assert found("211223********0000") == []
    # Every page with an autocomplete masks a typed full number before the request leaves.
    page = client.get(reverse("admin:assistance_medicalbill_add")).content.decode()
    assert "core/id_autocomplete.js" in page
