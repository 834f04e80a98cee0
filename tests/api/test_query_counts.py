"""Exact queries per list page, with 3 and with 30 objects: an N+1 would change the number."""

import pytest

from tests.factories import (
    HelperAssignmentFactory,
    HelperPersonFactory,
    IncomeYearFactory,
    VisitFactory,
    WorkTeamFactory,
    household_with_members,
)

pytestmark = pytest.mark.django_db


def households(village, n):
    for _ in range(n):
        household_with_members(n=2, village=village)


def members(village, n):
    for _ in range(n):
        household_with_members(n=1, village=village)


def incomes(village, n):
    for _ in range(n):
        IncomeYearFactory(household=household_with_members(n=2, village=village))


def helpers(village, n):
    for _ in range(n):
        HelperPersonFactory(county=village.parent.parent)


def assignments(village, n):
    helper = HelperPersonFactory(county=village.parent.parent)
    for _ in range(n):
        HelperAssignmentFactory(household=household_with_members(n=1, village=village), helper=helper)


def visits(village, n):
    for _ in range(n):
        VisitFactory(household=household_with_members(n=1, village=village))


def work_teams(village, n):
    from households.models import WorkTeamMember

    for _ in range(n):
        team = WorkTeamFactory(village=village)
        WorkTeamMember.objects.create(team=team, name="王五", unit="县财政局")


def work_team_members(village, n):
    from households.models import WorkTeamMember

    team = WorkTeamFactory(village=village)
    for i in range(n):
        WorkTeamMember.objects.create(team=team, name=f"队员{i}", unit="县财政局")


def regions(village, n):
    from tests.factories import RegionFactory

    for i in range(n):
        RegionFactory(code=f"{village.code[:9]}{200 + i:03d}", level=5, parent=village.parent)


# (url, builder, queries per page). Authentication is forced, so only the page's own queries count.
LISTS = [
    ("/api/v1/households/", households, 1),
    ("/api/v1/households/?region=211223&cause=illness", households, 1),
    ("/api/v1/members/", members, 1),
    ("/api/v1/incomes/", incomes, 1),
    ("/api/v1/helpers/", helpers, 1),
    ("/api/v1/helper-assignments/", assignments, 1),
    ("/api/v1/visits/", visits, 1),
    ("/api/v1/work-teams/", work_teams, 2),
    ("/api/v1/work-team-members/", work_team_members, 1),
    ("/api/v1/regions/", regions, 1),
]


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize(("url", "build", "queries"), LISTS, ids=[u for u, _, _ in LISTS])
def test_list_queries_are_fixed(
    as_user, county_admin, village_a, django_assert_num_queries, url, build, queries, n
):
    build(village_a, n)
    api = as_user(county_admin)
    with django_assert_num_queries(queries):
        response = api.get(url, {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= n


@pytest.mark.parametrize("n", [3, 30])
def test_statistics_queries_are_fixed(as_user, county_admin, village_a, django_assert_num_queries, n):
    households(village_a, n)
    api = as_user(county_admin)
    county = village_a.parent.parent
    with django_assert_num_queries(6):  # region, 4 breakdowns, population
        response = api.get(f"/api/v1/regions/{county.code}/statistics/")
    assert response.status_code == 200
    assert response.json()["households"] == n
    assert response.json()["population"] == 2 * n


@pytest.mark.parametrize("n", [3, 30])
def test_token_authenticated_list_costs_two_more_queries(
    api, county_admin, village_a, django_assert_num_queries, n
):
    from rest_framework.authtoken.models import Token

    households(village_a, n)
    token = Token.objects.create(user=county_admin)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with django_assert_num_queries(3):  # token+user, user's region, the page
        response = api.get("/api/v1/households/", {"region": "211223", "page_size": 200})
    assert len(response.json()["results"]) == n
