"""The phone pages (/m/): a helper's households, the household card (masked, stored amounts), the visit
form (client id: sent twice, stored once), 入户核实 of a lead through the monitoring service, 我的待办
with overdue households; scenario 56 on the pages; the village clerk uses the same pages."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assistance.monitoring.choices import LeadStatus
from households.models import Visit
from tests.assistance.factories import active_case, dibao_household
from tests.factories import VisitFactory, assign, helper_user, household_with_members, photo_bytes

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def phone(client, helper):
    client.force_login(helper)
    return client


def _lead(household, **kw):
    from assistance.monitoring.services import leads

    return leads.create_lead(
        user=kw.pop("user"), village=household.village, household=household, source="cadre_visit",
        risk_types=["illness"], description="户主住院，自付费用高", detected_on=TODAY - dt.timedelta(days=3),
    )  # fmt: skip


def test_scenario_56_phone_pages_answer_404_outside_scope(phone, mine, neighbour, clerk_a):
    assert phone.get(reverse("field:household", args=[mine.pk])).status_code == 200
    assert phone.get(reverse("field:visit", args=[mine.pk])).status_code == 200
    for name in ("field:household", "field:visit"):
        assert phone.get(reverse(name, args=[neighbour.pk])).status_code == 404
    lead = _lead(neighbour, user=clerk_a)
    assert phone.get(reverse("field:lead", args=[lead.pk])).status_code == 404
    response = phone.post(
        reverse("field:visit", args=[neighbour.pk]), {"visit_date": TODAY.isoformat(), "content": "走访"}
    )
    assert response.status_code == 404
    assert not Visit.objects.filter(household=neighbour).exists()
    page = phone.get(reverse("field:home")).content.decode()
    assert reverse("field:household", args=[mine.pk]) in page
    assert reverse("field:household", args=[neighbour.pk]) not in page


def test_pages_need_a_login(client, mine):
    response = client.get(reverse("field:household", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("field:login"))
    assert client.get(reverse("field:login")).status_code == 200


def test_household_card_masks_personal_data_and_shows_stored_amounts(client, village_a, county_admin):
    household = dibao_household(village=village_a, income_per_person=1000, phone="13812345678")
    case = active_case(household=household, county_user=county_admin)
    assert case.monthly_amount > 0
    helper = helper_user(village_a.parent.parent)
    assign(helper, household, start=dt.date(2024, 1, 1))
    client.force_login(helper)
    head = household.members.get(relation="head")
    page = client.get(reverse("field:household", args=[household.pk])).content.decode()
    assert head.name in page
    assert head.id_no not in page
    assert head.id_no[:6] + "********" + head.id_no[-4:] in page
    assert "13812345678" not in page
    assert "138****5678" in page
    # the amount the one calculator stored on the case, not a second computation
    assert f"每月 <b>{case.monthly_amount}</b> 元" in page
    assert "低保保障中" in page


def test_visit_form_stores_once_per_client_id_with_photo_and_location(phone, helper, mine, media):
    client_id = str(uuid.uuid4())
    url = reverse("field:visit", args=[mine.pk])

    def send():
        return phone.post(
            url,
            {
                "visit_date": TODAY.isoformat(), "content": "了解秋收", "met": [mine.members.first().name],
                "client_id": client_id, "latitude": "42.500400", "longitude": "124.750000",
                "accuracy_m": "15",
                "photos": [SimpleUploadedFile("a.jpg", photo_bytes(), content_type="image/jpeg")],
            },
            HTTP_X_REQUESTED_WITH="fetch",
        )  # fmt: skip

    first, again = send(), send()
    assert first.status_code == 200
    assert first.json()["created"] is True
    assert again.json()["created"] is False
    visit = Visit.objects.get(household=mine)
    assert visit.client_id == uuid.UUID(client_id)
    assert visit.photos.count() == 1
    assert (visit.accuracy_m, visit.far_from_home) == (15, False)
    assert visit.met_persons == mine.members.first().name
    card = phone.get(reverse("field:household", args=[mine.pk])).content.decode()
    assert "了解秋收" in card


def test_visit_form_errors_are_chinese(phone, mine):
    response = phone.post(
        reverse("field:visit", args=[mine.pk]),
        {"visit_date": (TODAY + dt.timedelta(days=2)).isoformat(), "content": "x"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 400
    assert "走访日期不能晚于今天" in str(response.json()["errors"])


def test_helper_checks_a_lead_of_their_household(phone, helper, mine, clerk_a, media):
    lead = _lead(mine, user=clerk_a)
    todo = phone.get(reverse("field:todo")).content.decode()
    assert reverse("field:lead", args=[lead.pk]) in todo
    response = phone.post(
        reverse("field:lead", args=[lead.pk]),
        {
            "visited_on": TODAY.isoformat(), "visitors": "帮扶责任人", "findings": "收入正常，无风险",
            "risk_found": "0",
            "photos": [SimpleUploadedFile("a.jpg", photo_bytes(), content_type="image/jpeg")],
        },
    )  # fmt: skip
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLOSED
    assert lead.visits.get().photos.count() == 1


def test_check_sent_twice_with_its_client_id_is_stored_once(phone, mine, clerk_a, media):
    lead = _lead(mine, user=clerk_a)
    body = {
        "visited_on": TODAY.isoformat(), "visitors": "帮扶责任人", "findings": "家庭收入下降",
        "risk_found": "1", "risk_types": ["illness"], "client_id": str(uuid.uuid4()),
    }  # fmt: skip
    url = reverse("field:lead", args=[lead.pk])
    first = phone.post(url, body, HTTP_X_REQUESTED_WITH="fetch")
    again = phone.post(url, body, HTTP_X_REQUESTED_WITH="fetch")
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.IN_REVIEW
    assert lead.visits.count() == 1


def test_todo_lists_overdue_households_by_the_parameter(phone, helper, mine, village_a):
    recent = household_with_members(village=village_a)
    assign(helper, recent, start=dt.date(2024, 1, 1))
    VisitFactory(household=recent, visit_date=TODAY - dt.timedelta(days=5))
    VisitFactory(household=mine, visit_date=TODAY - dt.timedelta(days=200))
    todo = phone.get(reverse("field:todo")).content.decode()
    assert reverse("field:household", args=[mine.pk]) in todo
    assert reverse("field:household", args=[recent.pk]) not in todo


def test_village_clerk_uses_the_same_pages_for_her_village(client, clerk_a, mine, neighbour, village_b):
    other_village = household_with_members(village=village_b)
    client.force_login(clerk_a)
    page = client.get(reverse("field:home")).content.decode()
    assert reverse("field:household", args=[mine.pk]) in page
    assert reverse("field:household", args=[neighbour.pk]) in page
    assert client.get(reverse("field:household", args=[other_village.pk])).status_code == 404


def test_sync_lists_the_users_households_only(phone, mine, neighbour):
    data = phone.get(reverse("field:sync")).json()
    assert reverse("field:household", args=[mine.pk]) in data["pages"]
    assert reverse("field:household", args=[neighbour.pk]) not in data["pages"]
    assert data["csrf"]


def test_service_worker_is_served_for_the_phone_scope(client):
    response = client.get(reverse("field:sw"))
    assert response["Service-Worker-Allowed"] == "/m/"
    assert b"workbox-sw.js" in response.content
    assert b"storage.googleapis.com" not in response.content


def test_no_page_has_english_words_or_raw_values(phone, mine, helper, clerk_a, media):
    _lead(mine, user=clerk_a)
    VisitFactory(household=mine, visit_date=TODAY - dt.timedelta(days=1))
    import re

    from tests.field.conftest import make_hit

    hit = make_hit(mine)
    phone.post(reverse("field:visit", args=[mine.pk]), {"visit_date": TODAY.isoformat(), "content": "走访",
               "change_kind": "phone", "change_value": "13912345678"})  # fmt: skip
    found = Visit.objects.get(proposal_state="pending")
    urls = [reverse("field:home"), reverse("field:todo"), reverse("field:home") + "?q=" + "王"]
    urls += [reverse("field:household", args=[mine.pk]), reverse("field:visit", args=[mine.pk])]
    urls += [reverse("field:hit", args=[hit.pk])]
    clerk_urls = [reverse("field:todo"), reverse("field:hit", args=[hit.pk])]
    clerk_urls += [reverse("field:proposal", args=[found.pk])]
    for user, url in [(helper, u) for u in urls] + [(clerk_a, u) for u in clerk_urls]:
        phone.force_login(user)
        html = phone.get(url).content.decode()
        text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
        assert not re.search(r"\b(True|False|None|true|false)\b", text), url
        words = set(re.findall(r"[A-Za-z]{3,}", text))
        assert not words, (url, words)


@pytest.mark.parametrize("url_name", ["field:home", "field:todo"])
def test_phone_lists_take_the_same_queries_for_3_and_30_households(client, helper, village_a, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(helper)

    def queries_with(n):
        while helper.helper_person.helperassignment_set.count() < n:
            household = household_with_members(village=village_a)
            assign(helper, household, start=dt.date(2024, 1, 1))
            VisitFactory(household=household, visit_date=TODAY - dt.timedelta(days=200))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(url_name)).status_code == 200
        return len(ctx.captured_queries)

    assert queries_with(3) == queries_with(30)


def test_household_card_queries_do_not_grow_with_visits_and_members(client, helper, mine, media):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(helper)
    url = reverse("field:household", args=[mine.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    VisitFactory(household=mine, visit_date=TODAY)
    few = count()
    for _ in range(4):
        VisitFactory(household=mine, visit_date=TODAY)
    assert count() == few


def test_sync_lists_the_photos_of_the_users_household_cards_only(
    phone, helper, mine, neighbour, clerk_a, media
):
    from households.visits import VisitInput, record_visit

    def visit_with_photo(user, household, day):
        upload = SimpleUploadedFile("a.jpg", photo_bytes(), content_type="image/jpeg")
        data = VisitInput(household_id=household.pk, visit_date=day, content="看望", photos=[upload])
        return record_visit(user=user, data=data)[0].photos.get()

    old = visit_with_photo(helper, mine, TODAY - dt.timedelta(days=30))
    for days in range(5):  # five newer visits: the oldest photo is no longer on the card
        VisitFactory(household=mine, visit_date=TODAY - dt.timedelta(days=days))
    recent = visit_with_photo(helper, mine, TODAY)
    other = visit_with_photo(clerk_a, neighbour, TODAY)
    photos = phone.get(reverse("field:sync")).json()["photos"]
    assert reverse("households:visit-photo", args=[recent.pk]) in photos
    assert reverse("households:visit-photo", args=[old.pk]) not in photos
    assert reverse("households:visit-photo", args=[other.pk]) not in photos
    assert (
        phone.get(reverse("households:visit-photo", args=[recent.pk]))["Cache-Control"] == "private, no-cache"
    )


def test_search_box_finds_only_the_helpers_households_with_masked_ids(phone, mine, neighbour):
    head = mine.members.get(relation="head")
    other = neighbour.members.get(relation="head")
    page = phone.get(reverse("field:home"), {"q": head.name}).content.decode()
    assert reverse("field:household", args=[mine.pk]) in page
    assert "农户" in page
    by_id = phone.get(reverse("field:home"), {"q": head.id_no[-6:]}).content.decode()
    assert reverse("field:household", args=[mine.pk]) in by_id
    assert head.id_no not in by_id
    assert head.id_no[:6] + "********" + head.id_no[-4:] in by_id
    outside = phone.get(reverse("field:home"), {"q": other.name}).content.decode()
    assert reverse("field:household", args=[neighbour.pk]) not in outside
    full = phone.get(reverse("field:home"), {"q": head.id_no}).content.decode()
    assert "手机上请输入身份证号后4至6位查找" in full
    assert reverse("field:household", args=[mine.pk]) not in full
    assert "请至少输入" in phone.get(reverse("field:home"), {"q": "a"}).content.decode()


def test_reviewers_on_a_phone_get_the_search_box_not_the_county_as_a_field_list(
    client, mine, clerk_a, township_reviewer_a, county_admin, city_supervisor
):
    """The household list, 我的待办 and the offline set are field work (helper, village clerk). A
    township, county or city account on a phone searches and is sent to the desktop for the rest
    — the list used to sort every household of its scope (1–2 s a page at a county of 1,000,000)."""
    for user in (township_reviewer_a, county_admin, city_supervisor):
        client.force_login(user)
        home = client.get(reverse("field:home")).content.decode()
        assert "请在电脑端工作台办理" in home
        assert "查找农户" in home
        assert reverse("field:household", args=[mine.pk]) not in home
        assert "请在电脑端工作台办理" in client.get(reverse("field:todo")).content.decode()
        synced = client.get(reverse("field:sync")).json()
        assert not [p for p in synced["pages"] if p.startswith("/m/h")], synced["pages"]
        head = mine.members.get(relation="head").name
        found = client.get(reverse("field:home"), {"q": head}).content.decode()
        assert reverse("field:household", args=[mine.pk]) in found
    client.force_login(clerk_a)
    home = client.get(reverse("field:home")).content.decode()
    assert "本村农户" in home
    assert reverse("field:household", args=[mine.pk]) in home
