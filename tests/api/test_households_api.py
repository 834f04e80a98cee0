import datetime as dt

import pytest

from core.choices import ReviewState
from households.models import Household, Member
from tests.factories import HouseholdFactory, MemberFactory, household_with_members, valid_id

pytestmark = pytest.mark.django_db

URL = "/api/v1/households/"


def member(relation="head", **kwargs):
    data = {"name": "张三", "id_no": valid_id(male=True), "relation": relation}
    data.update(kwargs)
    return data


def new_household(village, **kwargs):
    data = {
        "household_no": "X0001",
        "village": village.code,
        "main_cause": "illness",
        "other_causes": ["lack_skills"],
        "members": [member(), member("daughter", name="张小花", id_no=valid_id(male=False))],
    }
    data.update(kwargs)
    return data


def test_clerk_creates_household_with_members(as_user, clerk_a, village_a):
    response = as_user(clerk_a).post(URL, new_household(village_a), format="json")
    assert response.status_code == 201, response.json()
    household = Household.objects.get(pk=response.json()["id"])
    assert household.created_by == clerk_a
    assert household.review_state == ReviewState.DRAFT
    assert household.members.count() == 2
    daughter = household.members.get(relation="daughter")
    assert daughter.sex == "female"  # taken from the ID when left out
    assert response.json()["members"][0]["birth_date"]


def test_nested_member_errors_have_field_paths_in_chinese(as_user, clerk_a, village_a):
    bad = valid_id(male=True)
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    payload = new_household(village_a, members=[member(), member("son", id_no=bad)])
    response = as_user(clerk_a).post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert "校验码错误" in fields["members[1].id_no"]
    assert not Household.objects.exists()  # nothing half-written


def test_household_needs_exactly_one_head(as_user, clerk_a, village_a):
    payload = new_household(village_a, members=[member(), member(name="李四", id_no=valid_id())])
    response = as_user(clerk_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "members", "message": "每户必须有且只有一名在册户主（当前 2 名）", "code": "invalid"}
    ]


def test_scenario_06_main_cause_count_over_api(as_user, clerk_a, village_a):
    payload = new_household(village_a, other_causes=["lack_skills", "lack_labor", "lack_capital"])
    response = as_user(clerk_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "other_causes"
    assert "最多选择两项" in response.json()["errors"][0]["message"]


def test_scenario_04_sex_against_id_over_api(as_user, clerk_a, village_a):
    payload = new_household(village_a, members=[member(sex="male", id_no=valid_id(male=False))])
    response = as_user(clerk_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "members[0].sex"


def test_scenario_07_clerk_cannot_enter_household_in_other_village(as_user, clerk_a, village_b):
    response = as_user(clerk_a).post(URL, new_household(village_b), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "village"
    assert "不在您的管辖范围" in response.json()["errors"][0]["message"]


def test_id_already_active_elsewhere_is_rejected(as_user, clerk_a, village_a):
    other = MemberFactory(household=HouseholdFactory(village=village_a))
    payload = new_household(village_a, members=[member(id_no=other.id_no)])
    response = as_user(clerk_a).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "members[0]"
    assert "已是其他户的在册成员" in response.json()["errors"][0]["message"]


def test_update_members_by_id_and_swap_head(as_user, clerk_a, village_a):
    household = household_with_members(n=2, village=village_a)
    head = household.members.get(relation="head")
    child = household.members.exclude(pk=head.pk).get()
    payload = {
        "members": [
            {"id": head.pk, "relation": "parent", "member_status": "deceased", "status_date": "2019-01-01"},
            {"id": child.pk, "relation": "head"},
        ]
    }
    response = as_user(clerk_a).patch(f"{URL}{household.pk}/", payload, format="json")
    assert response.status_code == 200, response.json()
    child.refresh_from_db()
    head.refresh_from_db()
    assert child.relation == "head"
    assert head.member_status == "deceased"
    assert {m["relation"] for m in response.json()["members"]} == {"head", "parent"}


def test_member_of_other_household_cannot_be_updated_through_this_one(as_user, clerk_a, village_a):
    household = household_with_members(n=1, village=village_a)
    stranger = MemberFactory(household=HouseholdFactory(village=village_a))
    response = as_user(clerk_a).patch(
        f"{URL}{household.pk}/", {"members": [{"id": stranger.pk, "name": "改名"}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "members[0].id"
    stranger.refresh_from_db()
    assert stranger.name != "改名"


def test_clerk_cannot_edit_submitted_household(as_user, clerk_a, village_a):
    household = household_with_members(village=village_a, review_state=ReviewState.PENDING_TOWNSHIP)
    response = as_user(clerk_a).patch(f"{URL}{household.pk}/", {"phone": "1"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色无权执行此操作"


def test_township_reviewer_corrects_pending_household(as_user, township_reviewer_a, village_a):
    household = household_with_members(village=village_a, review_state=ReviewState.PENDING_TOWNSHIP)
    response = as_user(township_reviewer_a).patch(
        f"{URL}{household.pk}/", {"phone": "13800000000"}, format="json"
    )
    assert response.status_code == 200
    household.refresh_from_db()
    assert household.phone == "13800000000"


def test_scenario_10_city_user_edit_is_forbidden(as_user, city_supervisor, household_a):
    response = as_user(city_supervisor).patch(f"{URL}{household_a.pk}/", {"phone": "1"}, format="json")
    assert response.status_code == 403


def test_out_of_scope_household_is_404_for_read_and_write(as_user, clerk_a, village_b):
    other = household_with_members(village=village_b)
    api = as_user(clerk_a)
    assert api.get(f"{URL}{other.pk}/").status_code == 404
    response = api.patch(f"{URL}{other.pk}/", {"phone": "1"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "code": "not_found", "errors": []}


def test_anonymous_gets_401(api, household_a):
    response = api.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_list_filters(as_user, county_admin, village_a, village_b):
    a = household_with_members(village=village_a, main_cause="illness", poverty_status="not_exited")
    b = household_with_members(village=village_b, main_cause="disability", other_causes=["illness"])
    c = household_with_members(village=village_b, main_cause="disaster", attribute="dibao")
    api = as_user(county_admin)

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {a.pk, b.pk, c.pk}
    assert ids(region=village_b.code[:9]) == {b.pk, c.pk}
    assert ids(cause="illness") == {a.pk, b.pk}
    assert ids(attribute="dibao") == {c.pk}
    assert ids(status="not_exited", region=village_a.code) == {a.pk}
    head = a.members.get(relation="head")
    # A full ID number never goes into a URL: POST …/search/ finds it, ?id_no= is refused.
    assert api.get(URL, {"id_no": head.id_no}).status_code == 400
    found = api.post(f"{URL}search/", {"id_no": head.id_no}, format="json")
    assert {row["id"] for row in found.json()} == {a.pk}


def test_region_filter_outside_scope_is_400(as_user, township_reviewer_a, village_b):
    response = as_user(township_reviewer_a).get(URL, {"region": village_b.code[:9]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "region"


def test_list_row_has_head_and_member_count(as_user, clerk_a, village_a):
    household = household_with_members(n=3, village=village_a)
    MemberFactory(
        household=household, relation="son", member_status="deceased", status_date=dt.date(2019, 1, 1)
    )
    row = as_user(clerk_a).get(URL).json()["results"][0]
    assert row["member_count"] == 3
    assert row["head_name"] == household.members.get(relation="head").name
    assert row["village_name"] == village_a.name


def test_cursor_pagination_has_no_count_and_walks_all(as_user, clerk_a, village_a):
    for _ in range(5):
        HouseholdFactory(village=village_a)
    api = as_user(clerk_a)
    body = api.get(URL, {"page_size": 2}).json()
    assert "count" not in body
    seen = [row["id"] for row in body["results"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        seen += [row["id"] for row in body["results"]]
    assert seen == sorted(Household.objects.values_list("id", flat=True))


def test_members_not_listed_stay(as_user, clerk_a, village_a):
    household = household_with_members(n=3, village=village_a)
    response = as_user(clerk_a).patch(f"{URL}{household.pk}/", {"group_name": "一组"}, format="json")
    assert response.status_code == 200
    assert Member.objects.filter(household=household).count() == 3


def test_nul_character_is_a_400_not_a_server_error(as_user, county_admin):
    api = as_user(county_admin)
    response = api.post(
        "/api/v1/helpers/",
        {"name": "a", "unit": "b", "unit_level": "county", "county": "21\x00"},
        format="json",
    )
    assert response.status_code == 400
    assert "空字符" in response.json()["detail"]
    assert api.get("/api/v1/regions/21\x00/").status_code in (400, 404)


def test_region_statistics_count_the_approved_register_only(as_user, county_admin, village_a, village_b):
    household_with_members(
        3, village=village_a, review_state=ReviewState.VERIFIED, poverty_status="not_exited"
    )
    household_with_members(
        2, village=village_b, review_state=ReviewState.VERIFIED, poverty_status="exited_with_policy"
    )
    household_with_members(4, village=village_a)  # 草稿
    household_with_members(5, village=village_a, review_state=ReviewState.PENDING_COUNTY)
    county = village_a.parent.parent
    stats = as_user(county_admin).get(f"/api/v1/regions/{county.code}/statistics/").json()
    assert stats["households"] == 2
    assert stats["population"] == 5
    assert stats["not_exited_population"] == 3
    assert sum(stats["by_attribute"].values()) == sum(stats["by_poverty_status"].values()) == 2
    # Work in progress shows only in the review-state breakdown.
    assert stats["by_review_state"] == {"verified": 2, "draft": 1, "pending_county": 1}


def test_household_created_without_a_number_gets_the_village_code_and_sequence(as_user, clerk_a, village_a):
    client = as_user(clerk_a)
    first = client.post(URL, new_household(village_a, household_no=""), format="json")
    payload = new_household(village_a)
    del payload["household_no"]
    second = client.post(URL, payload, format="json")
    assert first.status_code == second.status_code == 201, (first.json(), second.json())
    assert first.json()["household_no"] == f"{village_a.code}0001"
    assert second.json()["household_no"] == f"{village_a.code}0002"
    imported = client.post(URL, new_household(village_a, household_no="X0001"), format="json")
    assert imported.json()["household_no"] == "X0001"  # a number from elsewhere is kept
