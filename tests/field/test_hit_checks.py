"""入户核实 of a 疑点 on the phone (issue 26): a helper's check is stored once per client id as a visit
with photos and is evidence for the village; the clerk's check is the village's answer
(reports.crosscheck.services.answer_hit), refused whole when the answer's rule refuses it."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.choices import VisitPurpose
from households.models import Household, Visit
from reports.crosscheck.choices import Answer, HitStatus
from reports.crosscheck.models import HitCheck
from tests.factories import photo_bytes
from tests.field.conftest import make_hit

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _photo():
    return SimpleUploadedFile("a.jpg", photo_bytes(), content_type="image/jpeg")


def _body(**kw):
    return {
        "visited_on": TODAY.isoformat(),
        "result": "not_confirmed",
        "note": "户主身份证已核对，出生日期正确",
        **kw,
    }


def test_helper_checks_a_hit_of_their_household_once_per_client_id(client, helper, mine, media):
    hit = make_hit(mine)
    client.force_login(helper)
    card = client.get(reverse("field:household", args=[mine.pk])).content.decode()
    assert reverse("field:hit", args=[hit.pk]) in card
    assert reverse("field:hit", args=[hit.pk]) in client.get(reverse("field:todo")).content.decode()
    url = reverse("field:hit", args=[hit.pk])
    body = _body(client_id=str(uuid.uuid4()))
    first = client.post(url, {**body, "photos": [_photo()]}, HTTP_X_REQUESTED_WITH="fetch")
    again = client.post(url, {**body, "photos": [_photo()]}, HTTP_X_REQUESTED_WITH="fetch")
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    check = HitCheck.objects.get()
    assert check.checked_by == helper
    assert check.visit.purpose == VisitPurpose.CHECK
    assert check.visit.photos.count() == 1
    assert Visit.objects.filter(household=mine).count() == 1
    hit.refresh_from_db()
    assert hit.status == HitStatus.OPEN  # the village answers; the helper's check is its evidence
    page = client.get(url).content.decode()
    assert "疑点不属实（登记信息无误）" in page


def test_helper_cannot_check_a_hit_outside_their_households(client, helper, mine, neighbour, media):
    hit = make_hit(neighbour)
    client.force_login(helper)
    url = reverse("field:hit", args=[hit.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _body(), HTTP_X_REQUESTED_WITH="fetch").status_code == 404
    assert not HitCheck.objects.exists()
    assert not Visit.objects.exists()


def test_clerk_check_answers_the_hit_with_the_photo_as_proof(client, clerk_a, helper, mine, media):
    hit = make_hit(mine)
    client.force_login(helper)
    client.post(reverse("field:hit", args=[hit.pk]), _body(result="confirmed", note="出生日期登记错了一年"))
    client.force_login(clerk_a)
    url = reverse("field:hit", args=[hit.pk])
    page = client.get(url).content.decode()
    assert "疑点属实（需要纠正）" in page  # the helper's check, for the clerk to answer with
    assert "保存并答复疑点" in page
    response = client.post(url, _body(photos=[_photo()]))
    assert response.status_code == 302
    hit.refresh_from_db()
    assert (hit.status, hit.answer, hit.answered_by) == (HitStatus.ANSWERED, Answer.VERIFIED_OK, clerk_a)
    assert hit.answer_reason == "户主身份证已核对，出生日期正确"
    assert hit.attachment.name.endswith(".jpg")
    assert client.get(url).status_code == 200  # answered: shown, no form
    assert "待乡镇确认" in client.get(url).content.decode()


def test_clerk_answer_refused_by_its_rule_stores_nothing(client, clerk_a, mine, media):
    hit = make_hit(mine)
    client.force_login(clerk_a)
    url = reverse("field:hit", args=[hit.pk])
    no_proof = client.post(url, _body(), HTTP_X_REQUESTED_WITH="fetch")
    assert no_proof.status_code == 400
    assert "核实无误须上传佐证材料" in str(no_proof.json()["errors"])
    no_link = client.post(url, _body(result="confirmed", photos=[_photo()]), HTTP_X_REQUESTED_WITH="fetch")
    assert "已纠正须关联因此提出的变更申请或停保案件" in str(no_link.json()["errors"])
    assert not HitCheck.objects.exists()
    assert not Visit.objects.exists()
    hit.refresh_from_db()
    assert hit.status == HitStatus.OPEN


def test_clerk_corrects_a_hit_naming_the_change_request(client, clerk_a, mine, media):
    from households.workflow.services import open_change_request

    hit = make_hit(mine)
    Household.objects.filter(pk=mine.pk).update(review_state="verified")
    change = open_change_request(
        household=mine, user=clerk_a, changes={"household": {"phone": "13900001111"}}
    )
    client.force_login(clerk_a)
    response = client.post(
        reverse("field:hit", args=[hit.pk]), _body(result="confirmed", change_request=change.pk)
    )
    assert response.status_code == 302
    hit.refresh_from_db()
    assert (hit.answer, hit.change_request) == (Answer.CORRECTED, change)


def test_clerk_of_another_village_gets_404(client, clerk_b, mine):
    hit = make_hit(mine)
    client.force_login(clerk_b)
    assert client.get(reverse("field:hit", args=[hit.pk])).status_code == 404


def test_sync_keeps_the_hit_pages_of_the_users_households(client, helper, mine, neighbour):
    mine_hit, other_hit = make_hit(mine), make_hit(neighbour)
    client.force_login(helper)
    pages = client.get(reverse("field:sync")).json()["pages"]
    assert reverse("field:hit", args=[mine_hit.pk]) in pages
    assert reverse("field:hit", args=[other_hit.pk]) not in pages


def test_desktop_answer_form_shows_the_helpers_check(client, helper, clerk_a, mine, media):
    hit = make_hit(mine)
    client.force_login(helper)
    client.post(reverse("field:hit", args=[hit.pk]), _body(result="confirmed", note="出生日期登记错了一年"))
    clerk_a.is_staff = True
    clerk_a.save(update_fields=["is_staff"])
    client.force_login(clerk_a)
    page = client.get(f"/admin/reports/hit/{hit.pk}/change/").content.decode()
    assert "入户核实（手机）" in page
    assert "疑点属实（需要纠正）。出生日期登记错了一年" in page


def test_a_likely_duplicate_pair_is_checked_as_one_person_or_two(client, clerk_a, mine, neighbour, media):
    hit = make_hit(mine, rule="likely_duplicate")
    hit.other_household = neighbour
    hit.save(update_fields=["other_household"])
    client.force_login(clerk_a)
    url = reverse("field:hit", args=[hit.pk])
    page = client.get(url).content.decode()
    assert "不是同一人" in page
    assert "疑点不属实" not in page
    assert client.post(url, _body(note="两人出生地不同，是两个人")).status_code == 302
    hit.refresh_from_db()
    assert (hit.status, hit.answer) == (HitStatus.ANSWERED, Answer.NOT_SAME_PERSON)


def test_a_client_id_of_another_record_is_refused(client, helper, mine, media):
    hit = make_hit(mine)
    client.force_login(helper)
    used = str(uuid.uuid4())
    client.post(
        reverse("field:visit", args=[mine.pk]),
        {"visit_date": TODAY.isoformat(), "content": "走访", "client_id": used},
    )
    response = client.post(
        reverse("field:hit", args=[hit.pk]), _body(client_id=used), HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 400
    assert "该记录编号已被其他记录使用" in str(response.json()["errors"])
    assert not HitCheck.objects.exists()
