import pytest
from django.urls import reverse

from core import scoping
from households import selectors
from households.models import Household, Member
from tests.factories import HouseholdFactory, MemberFactory, UserFactory, household_with_members

pytestmark = pytest.mark.django_db

LAND_FIELDS = [
    "land_arable",
    "land_irrigated",
    "land_forest",
    "land_returned_forest",
    "land_orchard",
    "land_pasture",
    "land_water",
]


def test_prefix_per_level(clerk_a, township_reviewer_a, county_admin, city_supervisor):
    assert scoping.region_prefix_for(clerk_a) == "211223100001"
    assert scoping.region_prefix_for(township_reviewer_a) == "211223100"
    assert scoping.region_prefix_for(county_admin) == "211223"
    assert scoping.region_prefix_for(city_supervisor) == "2112"


def test_superuser_sees_everything_and_anonymous_nothing(village_a, village_b):
    household_with_members(village=village_a)
    household_with_members(village=village_b)
    admin = UserFactory(is_superuser=True, role="system_admin", region=None)
    assert selectors.households_for(admin).count() == 2

    from django.contrib.auth.models import AnonymousUser

    assert selectors.households_for(AnonymousUser()).count() == 0


def test_scoped_refuses_a_model_without_a_region_path(clerk_a):
    from django.contrib.auth.models import Group

    with pytest.raises(LookupError):
        scoping.scoped(Group.objects.all(), clerk_a)


def test_clerk_lists_only_own_village_households(client, clerk_a, village_a, village_b):
    own = household_with_members(village=village_a)
    other = household_with_members(village=village_b)
    client.force_login(clerk_a)
    response = client.get(reverse("admin:households_household_changelist"))
    assert response.status_code == 200
    assert own.household_no in response.content.decode()
    assert other.household_no not in response.content.decode()


def test_clerk_cannot_open_other_village_household_by_url(client, clerk_a, village_b):
    other = household_with_members(village=village_b)
    client.force_login(clerk_a)
    url = reverse("admin:households_household_change", args=[other.pk])
    response = client.get(url)
    # Django admin redirects to the index with "不存在" for objects outside the queryset.
    assert response.status_code == 302
    response = client.post(url, {"household_no": "HACK"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.household_no != "HACK"


def test_clerk_cannot_find_other_village_member(client, clerk_a, village_b):
    member = MemberFactory(household=HouseholdFactory(village=village_b))
    client.force_login(clerk_a)
    # The ID number moves from the URL into the session (a token in the URL), then the search runs.
    response = client.get(reverse("admin:households_member_changelist"), {"q": member.id_no}, follow=True)
    assert response.status_code == 200
    assert member.id_no not in response.redirect_chain[0][0]
    assert list(response.context["cl"].result_list) == []
    response = client.get(reverse("admin:households_member_change", args=[member.pk]))
    assert response.status_code == 302


def test_village_autocomplete_offers_only_own_scope(client, township_reviewer_a, village_a, village_b):
    client.force_login(township_reviewer_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "households", "model_name": "workteam", "field_name": "village", "term": "村"},
    )
    # The village autocomplete (work teams) must not leak another township's villages.
    ids = [r["id"] for r in response.json().get("results", [])] if response.status_code == 200 else []
    assert village_b.code not in ids


def test_clerk_autocomplete_lists_only_own_village(client, clerk_a, village_a, village_b):
    client.force_login(clerk_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "households", "model_name": "workteam", "field_name": "village", "term": ""},
    )
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()["results"]]
    assert ids == [village_a.code]


def test_household_form_village_choices_are_scoped(client, clerk_a, village_a, village_b):
    client.force_login(clerk_a)
    response = client.get(reverse("admin:households_household_add"))
    assert response.status_code == 200
    body = response.content.decode()
    assert village_b.code not in body


def _add_payload(village_code: str, ids: list[tuple[str, str, str]]) -> dict:
    data = {
        "household_no": "N0001",
        "village": village_code,
        "main_cause": "illness",
        "identify_standard": "national",
        "attribute": "general",
        "poverty_status": "not_exited",
        "road_type": "hardened",
        "house_structure": "brick_wood",
        "danger_level": "none",
        "distance_to_road_km": "0",
        "house_area": "80",
        **dict.fromkeys(LAND_FIELDS, "0"),
        "has_production_power": "on",
        "has_living_power": "on",
        "has_safe_water": "on",
    }
    for prefix, total in [("members", len(ids)), ("incomes", 0), ("helper_assignments", 0), ("visits", 0)]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(total),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    for i, (name, id_no, relation) in enumerate(ids):
        data.update(
            {
                f"members-{i}-name": name,
                f"members-{i}-id_no": id_no,
                f"members-{i}-relation": relation,
                f"members-{i}-sex": "male" if int(id_no[16]) % 2 else "female",
                f"members-{i}-ethnicity": "01",
                f"members-{i}-school_status": "not_in_school",
                f"members-{i}-health": "healthy",
                f"members-{i}-labor": "ordinary",
                f"members-{i}-work_status": "none",
                f"members-{i}-work_months": "0",
                f"members-{i}-in_medical_ins": "on",
                f"members-{i}-member_status": "normal",
            }
        )
    return data


def test_clerk_adds_household_with_three_members_in_chinese(client, clerk_a, village_a):
    from tests.factories import valid_id

    client.force_login(clerk_a)
    payload = _add_payload(
        village_a.code,
        [
            ("王大山", valid_id(male=True), "head"),
            ("李秀英", valid_id(male=False), "spouse"),
            ("王小明", valid_id(male=True), "son"),
        ],
    )
    response = client.post(reverse("admin:households_household_add"), payload)
    assert response.status_code == 302, response.content.decode()[:3000]
    household = Household.objects.get(created_by=clerk_a)
    assert household.household_no == f"{village_a.code}0001"  # assigned, not the typed N0001
    assert household.village_id == village_a.code
    assert household.created_by == clerk_a
    assert household.review_state == "draft"
    assert sorted(m.name for m in household.members.all()) == ["李秀英", "王大山", "王小明"]


def test_scenario_07_clerk_cannot_enter_household_in_another_township(client, clerk_a, village_b):
    from tests.factories import valid_id

    client.force_login(clerk_a)
    payload = _add_payload(village_b.code, [("王大山", valid_id(), "head")])
    response = client.post(reverse("admin:households_household_add"), payload)
    assert response.status_code == 200  # form redisplayed with the error
    assert not Household.objects.exists()


def test_add_without_head_shows_chinese_error(client, clerk_a, village_a):
    from tests.factories import valid_id

    client.force_login(clerk_a)
    payload = _add_payload(village_a.code, [("王大山", valid_id(), "son")])
    response = client.post(reverse("admin:households_household_add"), payload)
    assert response.status_code == 200
    assert "每户必须有且只有一名在册户主" in response.content.decode()
    assert Member.objects.count() == 0


def test_bad_id_in_form_shows_checksum_message(client, clerk_a, village_a):
    client.force_login(clerk_a)
    payload = _add_payload(village_a.code, [("王大山", "360426199101010072", "head")])
    response = client.post(reverse("admin:households_household_add"), payload)
    assert response.status_code == 200
    assert "校验码错误" in response.content.decode()
    assert not Household.objects.exists()


def test_city_supervisor_cannot_edit_households(client, city_supervisor, village_a):
    household = household_with_members(village=village_a)
    client.force_login(city_supervisor)
    url = reverse("admin:households_household_change", args=[household.pk])
    assert client.get(url).status_code == 200  # may look
    response = client.post(url, {"household_no": "CHANGED"})
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.household_no != "CHANGED"


def test_nobody_can_delete_a_household(client, village_a):
    household = household_with_members(village=village_a)
    admin = UserFactory(is_superuser=True, role="system_admin", region=None)
    client.force_login(admin)
    response = client.post(reverse("admin:households_household_delete", args=[household.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Household.objects.filter(pk=household.pk).exists()


def test_approved_households_are_the_stored_register_in_scope(village_a, village_b, county_admin, clerk_a):
    from django.utils import timezone

    stored = household_with_members(village=village_a, review_state="verified")
    household_with_members(village=village_a)  # 草稿
    household_with_members(village=village_a, review_state="pending_township")
    household_with_members(village=village_a, review_state="pending_county")
    household_with_members(village=village_a, review_state="verified", archived_at=timezone.now())
    other = household_with_members(village=village_b, review_state="verified")
    assert set(selectors.approved_households(county_admin)) == {stored, other}
    assert set(selectors.approved_households(clerk_a)) == {stored}
    members = selectors.approved(Member.objects.all(), clerk_a, "household__")
    assert set(members.values_list("household", flat=True)) == {stored.pk}
