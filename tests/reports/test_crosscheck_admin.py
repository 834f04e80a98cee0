"""The admin pages: a county uploads a list, a village answers its 疑点, lists stay above the village."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assistance.models import PaymentHold
from reports.crosscheck import services
from reports.crosscheck.choices import HitStatus, ListKind, RunTrigger
from reports.crosscheck.models import Hit, OutsideList
from tests.assistance.factories import dibao_household
from tests.reports.helpers import admin_login as login
from tests.reports.helpers import gbk_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_county_uploads_in_the_admin_and_the_village_never_sees_lists(
    client, village_a, county_admin, clerk_a, media, django_capture_on_commit_callbacks
):
    member = dibao_household(village=village_a, persons=1).members.get()
    login(client, county_admin)
    upload = SimpleUploadedFile("死亡名单.csv", gbk_csv([(member.name, member.id_no, "2019-11-20", "")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/reports/outsidelist/add/",
            {
                "kind": ListKind.DEATH,
                "cutoff_date": "2019-11-30",
                "source_agency": "县公安局",
                "file": upload,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OutsideList.objects.get().row_count == 1
    assert Hit.objects.filter(member=member).exists()

    bad = SimpleUploadedFile("坏.csv", "标题\r\n甲,乙\r\n".encode("gbk"))
    response = client.post(
        "/admin/reports/outsidelist/add/",
        {"kind": ListKind.DEATH, "cutoff_date": "2019-11-30", "source_agency": "县公安局", "file": bad},
    )
    assert response.status_code == 200
    assert "身份证号" in response.content.decode()

    login(client, clerk_a)
    assert client.get("/admin/reports/outsidelist/").status_code == 403
    assert client.get("/admin/reports/hit/").status_code == 200


def test_village_answers_a_hit_in_the_admin(client, village_a, county_admin, clerk_a, media):
    member = dibao_household(village=village_a, persons=1).members.get()
    batch = services.upload_list(
        user=county_admin, data=gbk_csv([(member.name, member.id_no, "", "")]), filename="车辆.csv",
        kind=ListKind.VEHICLE, cutoff_date=dt.date(2019, 11, 30), source_agency="车管所",
        today=dt.date(2019, 12, 5),
    )  # fmt: skip
    services.run_checks(
        county=village_a.parent.parent, as_of=dt.date(2019, 12, 5), batch=batch, trigger=RunTrigger.UPLOAD
    )
    hit = Hit.objects.get()
    login(client, clerk_a)
    url = f"/admin/reports/hit/{hit.pk}/change/"
    response = client.post(url, {"answer": "verified_ok", "answer_reason": "车辆已过户"})
    assert response.status_code == 200
    assert "佐证材料" in response.content.decode()
    proof = SimpleUploadedFile("过户证明.pdf", b"%PDF proof")
    response = client.post(url, {"answer": "verified_ok", "answer_reason": "车辆已过户", "attachment": proof})
    assert response.status_code == 302
    assert Hit.objects.get().status == HitStatus.ANSWERED


def test_scenario_66_county_holds_a_city_list_hit_from_the_admin_list(
    client, village_a, county_admin, city_supervisor, township_reviewer_a, media
):
    member = dibao_household(village=village_a, persons=1).members.get()
    batch = services.upload_list(
        user=city_supervisor, data=gbk_csv([(member.name, member.id_no, "2019-11-20", "")]),
        filename="死亡.csv", kind=ListKind.DEATH, cutoff_date=dt.date(2019, 11, 30), source_agency="市公安局",
        today=dt.date(2019, 12, 5),
    )  # fmt: skip
    services.run_checks(
        county=village_a.parent.parent, as_of=dt.date(2019, 12, 5), batch=batch, trigger=RunTrigger.UPLOAD
    )
    hit = Hit.objects.get()
    assert not PaymentHold.objects.exists()

    login(client, township_reviewer_a)
    assert "act_hold" not in client.get("/admin/reports/hit/").content.decode()
    login(client, county_admin)
    assert "act_hold" in client.get("/admin/reports/hit/").content.decode()
    chosen = {"action": "act_hold", "_selected_action": [hit.pk]}
    asked = client.post("/admin/reports/hit/", chosen)
    assert "县级决定暂停发放" in asked.content.decode()
    assert not PaymentHold.objects.exists()
    client.post("/admin/reports/hit/", {**chosen, "confirm": "1", "reason": "市公安局死亡名单"})
    assert PaymentHold.objects.get().placed_by == county_admin
