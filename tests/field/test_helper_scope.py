"""Scenario 56: a 帮扶责任人 sees only the households assigned to them — every other household of the
same village answers 404 on pages, API and photo URLs; reassignment takes a household away."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.scoping import region_prefix_for, scoped
from households.models import Household, Member, Visit
from households.selectors import households_for
from households.visits import VisitInput, record_visit
from tests.factories import VisitFactory, assign, helper_user, photo_bytes

pytestmark = pytest.mark.django_db


def _visit_with_photo(user, household):
    upload = SimpleUploadedFile("a.jpg", photo_bytes(), content_type="image/jpeg")
    visit, _ = record_visit(
        user=user,
        data=VisitInput(
            household_id=household.pk, visit_date=dt.date.today(), content="了解收入", photos=[upload]
        ),
    )
    return visit


def test_scenario_56_helper_sees_only_assigned_households_api(helper, mine, neighbour, api_as, media):
    api = api_as(helper)
    listed = api.get("/api/v1/households/").json()["results"]
    assert [h["id"] for h in listed] == [mine.pk]
    assert api.get(f"/api/v1/households/{mine.pk}/").status_code == 200
    assert api.get(f"/api/v1/households/{neighbour.pk}/").status_code == 404
    other_member = neighbour.members.first()
    assert api.get(f"/api/v1/members/{other_member.pk}/").status_code == 404
    other_visit = VisitFactory(household=neighbour)
    assert api.get(f"/api/v1/visits/{other_visit.pk}/").status_code == 404
    # a visit for the neighbour is refused as a household outside scope
    response = api.post(
        "/api/v1/visits/",
        {"household": neighbour.pk, "visit_date": "2026-01-02", "content": "走访"},
        format="json",
    )
    assert response.status_code == 400
    assert not Visit.objects.filter(household=neighbour, content="走访").exists()


def test_scenario_56_photo_urls_outside_scope_are_404(helper, mine, neighbour, clerk_a, client, media):
    photo_of_mine = _visit_with_photo(helper, mine).photos.get()
    photo_of_neighbour = _visit_with_photo(clerk_a, neighbour).photos.get()
    client.force_login(helper)
    assert client.get(reverse("households:visit-photo", args=[photo_of_mine.pk])).status_code == 200
    assert client.get(reverse("households:visit-photo", args=[photo_of_neighbour.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("households:visit-photo", args=[photo_of_mine.pk])).status_code == 404
    # the village clerk sees both photos of the village
    client.force_login(clerk_a)
    assert client.get(reverse("households:visit-photo", args=[photo_of_mine.pk])).status_code == 200


def test_helper_scope_covers_every_household_model_and_nothing_else(helper, mine, neighbour):
    assert list(households_for(helper)) == [mine]
    assert set(scoped(Member.objects.all(), helper)) == set(mine.members.all())
    assert region_prefix_for(helper) is None  # never widened to the county by a prefix
    from core.models import Region
    from households.models import WorkTeam

    assert list(scoped(Region.objects.all(), helper).values_list("code", flat=True)) == [mine.village_id]
    assert not scoped(WorkTeam.objects.all(), helper).exists()


def test_reassigned_household_leaves_the_old_helper(helper, mine, village_a):
    other = helper_user(village_a.parent.parent)
    assignment = mine.helper_assignments.get()
    assignment.end = dt.date.today() - dt.timedelta(days=1)
    assignment.save()
    assign(other, mine, start=dt.date.today())
    assert not households_for(helper).exists()
    assert list(households_for(other)) == [mine]


def test_helper_without_person_or_inactive_sees_nothing(helper, mine):
    helper.is_active = False
    helper.save()
    assert not scoped(Household.objects.all(), helper).exists()


def test_helper_visit_repeated_client_id_is_stored_once(helper, mine, api_as, media):
    api = api_as(helper)
    body = {
        "household": mine.pk,
        "visit_date": dt.date.today().isoformat(),
        "content": "了解务工情况",
        "client_id": str(uuid.uuid4()),
        "photo_files": [SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg")],
    }
    first = api.post("/api/v1/visits/", body, format="multipart")
    assert first.status_code == 201, first.json()
    body["photo_files"] = [SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg")]
    again = api.post("/api/v1/visits/", body, format="multipart")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.filter(household=mine).count() == 1
    assert len(first.json()["photos"]) == 1
