"""The admin pages of 防返贫监测 answer inside the user's scope only (404 outside): a lead's 入户核实 and
办结 forms, a visit photo, the poster of a village; the poster is the county's and township's."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from assistance.monitoring.models import MonitoringPhoto
from assistance.monitoring.services import leads, visits
from tests.assistance.monitoring.helpers import registered_household

pytestmark = pytest.mark.django_db


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def test_lead_forms_photo_and_poster_answer_in_scope_only(
    client, village_a, village_b, clerk_a, clerk_b, county_admin
):
    household = registered_household(village_a)
    lead = leads.create_lead(user=clerk_a, village=village_a, household=household, risk_types=["illness"])
    visits.record_verification(
        lead=lead, user=clerk_a, visited_on=timezone.localdate(), visitors="村文书", findings="住院",
        risk_found=True, percap_income=3000, photos=[photo()],
    )  # fmt: skip
    stored = MonitoringPhoto.objects.get()
    assert stored.image.name.endswith(".jpg")  # re-encoded by the photo policy, EXIF dropped
    base = "/admin/assistance/"
    client.force_login(clerk_a)
    assert client.get(f"{base}monitoringlead/{lead.pk}/change/").status_code == 200
    assert client.get(f"{base}monitoringrecord/photo/{stored.pk}/").status_code == 200
    assert client.get(f"{base}monitoringlead/poster/{village_a.code}/").status_code == 403
    client.force_login(clerk_b)
    for url in (
        f"{base}monitoringlead/{lead.pk}/verify/",
        f"{base}monitoringlead/{lead.pk}/close/",
        f"{base}monitoringrecord/photo/{stored.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(county_admin)
    poster = client.get(f"{base}monitoringlead/poster/{village_a.code}/")
    text = poster.content.decode()
    assert poster.status_code == 200
    assert "<svg" in text
    assert f"/report/{village_a.code}/" in text
    assert "12317" in text
    assert client.get(f"{base}monitoringlead/poster/999999999999/").status_code == 404
    assert "打开海报" in client.get(f"{base}monitoringlead/posters/").content.decode()


def test_the_poster_list_shows_a_page_of_villages_and_one_township(
    client, village_a, village_b, county_admin, monkeypatch
):
    """A county's villages a page at a time (a county's 2,000 on one page took 0.2–0.45 s,
    bench/every_page.py), the other parameters kept in the page links; one township's when chosen;
    a township outside the scope ignored, not shown."""
    from core import scoping
    from tests.factories import region_chain

    monkeypatch.setattr(scoping, "VILLAGES_PER_PAGE", 1)
    client.force_login(county_admin)
    url = "/admin/assistance/monitoringlead/posters/"
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "第 1 / 2 页" in first
    assert 'href="?page=2"' in first
    assert village_a.name in first
    assert village_b.name not in first
    assert village_b.name in second
    assert 'href="?page=1"' in second  # 上一页
    one = client.get(url, {"township": village_b.parent.code}).content.decode()
    assert "共 1 个村" in one
    assert village_b.name in one
    assert village_a.name not in one
    elsewhere = region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丙村")).parent
    ignored = client.get(url, {"township": elsewhere.code}).content.decode()
    assert "共 2 个村" in ignored
    assert "昌图镇" not in ignored
