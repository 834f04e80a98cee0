"""Every role × every endpoint × an object inside and outside the role's scope → exact status.

Outside the scope is always 404 (IDs do not leak); inside, a forbidden action is 403;
anonymous is 401. "in" objects sit in village_a (inside every role's scope); "out" objects in
another city (outside all of them).
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from households.models import WorkTeamMember
from tests.factories import (
    HelperAssignmentFactory,
    HelperPersonFactory,
    IncomeYearFactory,
    VisitFactory,
    WorkTeamFactory,
    household_with_members,
    valid_id,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "clerk", "township", "county", "city"]
ROLE_FIXTURES = {
    "clerk": "clerk_a",
    "township": "township_reviewer_a",
    "county": "county_admin",
    "city": "city_supervisor",
}


@dataclass
class World:
    household: object
    member: object
    income: object
    helper: object
    assignment: object
    visit: object
    team: object
    team_member: object
    region: object


def build_world(village) -> World:
    household = household_with_members(n=2, village=village)
    helper = HelperPersonFactory(county=village.parent.parent)
    team = WorkTeamFactory(village=village)
    return World(
        household=household,
        member=household.members.first(),
        income=IncomeYearFactory(household=household),
        helper=helper,
        assignment=HelperAssignmentFactory(household=household, helper=helper),
        visit=VisitFactory(household=household),
        team=team,
        team_member=WorkTeamMember.objects.create(team=team, name="王五", unit="县财政局"),
        region=village,
    )


def everyone(status):
    return dict.fromkeys(ROLES[1:], status)


READ = everyone(200)
# Helpers, visits, work teams: village, township and county manage them; the city only reads.
HELPERS = {"clerk": 200, "township": 200, "county": 200, "city": 403}
# A DRAFT household (and its income): only the village clerk edits it.
DRAFT_EDIT = {"clerk": 200, "township": 403, "county": 403, "city": 403}

# (name, method, url(world), payload, expected status per role for an in-scope object)
DETAIL = [
    ("household.get", "get", lambda w: f"/api/v1/households/{w.household.pk}/", None, READ),
    (
        "household.patch",
        "patch",
        lambda w: f"/api/v1/households/{w.household.pk}/",
        {"phone": "1"},
        DRAFT_EDIT,
    ),
    ("member.get", "get", lambda w: f"/api/v1/members/{w.member.pk}/", None, READ),
    ("income.get", "get", lambda w: f"/api/v1/incomes/{w.income.pk}/", None, READ),
    ("income.patch", "patch", lambda w: f"/api/v1/incomes/{w.income.pk}/", {"wage": "100.00"}, DRAFT_EDIT),
    ("helper.get", "get", lambda w: f"/api/v1/helpers/{w.helper.pk}/", None, READ),
    ("helper.patch", "patch", lambda w: f"/api/v1/helpers/{w.helper.pk}/", {"phone": "1"}, HELPERS),
    ("assignment.get", "get", lambda w: f"/api/v1/helper-assignments/{w.assignment.pk}/", None, READ),
    (
        "assignment.patch",
        "patch",
        lambda w: f"/api/v1/helper-assignments/{w.assignment.pk}/",
        {"end": "2020-12-31"},
        HELPERS,
    ),
    ("visit.get", "get", lambda w: f"/api/v1/visits/{w.visit.pk}/", None, READ),
    ("visit.patch", "patch", lambda w: f"/api/v1/visits/{w.visit.pk}/", {"visitor": "李四"}, HELPERS),
    ("team.get", "get", lambda w: f"/api/v1/work-teams/{w.team.pk}/", None, READ),
    ("team.patch", "patch", lambda w: f"/api/v1/work-teams/{w.team.pk}/", {"dispatching_unit": "x"}, HELPERS),
    ("team_member.get", "get", lambda w: f"/api/v1/work-team-members/{w.team_member.pk}/", None, READ),
    (
        "team_member.patch",
        "patch",
        lambda w: f"/api/v1/work-team-members/{w.team_member.pk}/",
        {"post": "队员"},
        HELPERS,
    ),
    ("region.get", "get", lambda w: f"/api/v1/regions/{w.region.code}/", None, READ),
    ("region.children", "get", lambda w: f"/api/v1/regions/{w.region.code}/children/", None, READ),
    ("region.statistics", "get", lambda w: f"/api/v1/regions/{w.region.code}/statistics/", None, READ),
]

# list URL → the World attribute whose out-of-scope twin must not appear in it
LISTS = {
    "/api/v1/households/": "household",
    "/api/v1/members/": "member",
    "/api/v1/incomes/": "income",
    "/api/v1/helpers/": "helper",
    "/api/v1/helper-assignments/": "assignment",
    "/api/v1/visits/": "visit",
    "/api/v1/work-teams/": "team",
    "/api/v1/work-team-members/": "team_member",
    "/api/v1/regions/": "region",
    "/api/v1/me/": None,
}


def client_for(request, role) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(request.getfixturevalue(ROLE_FIXTURES[role]))
    return client


@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "payload", "expected"), DETAIL, ids=[d[0] for d in DETAIL])
def test_detail_matrix(
    request, village_a, village_other_city, role, scope, name, method, url, payload, expected
):
    world = build_world(village_a if scope == "in" else village_other_city)
    response = getattr(client_for(request, role), method)(url(world), payload, format="json")
    want = 401 if role == "anonymous" else (expected[role] if scope == "in" else 404)
    assert response.status_code == want, response.content


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", LISTS)
def test_list_matrix_and_lists_show_only_own_scope(request, village_a, village_other_city, role, url):
    build_world(village_a)
    out = build_world(village_other_city)
    response = client_for(request, role).get(url)
    assert response.status_code == (401 if role == "anonymous" else 200)
    attr = LISTS[url]
    if role != "anonymous" and attr:
        rows = response.json()["results"]
        keys = {row.get("id", row.get("code")) for row in rows}
        assert getattr(out, attr).pk not in keys
        assert len(rows) >= 1


def household_payload(village):
    return {
        "household_no": "M0001",
        "village": village.code,
        "main_cause": "illness",
        "members": [{"name": "赵六", "id_no": valid_id(), "relation": "head"}],
    }


CREATE = {"anonymous": 401, "clerk": 201, "township": 403, "county": 403, "city": 403}


@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", ROLES)
def test_create_household_matrix(request, village_a, village_other_city, role, scope):
    village = village_a if scope == "in" else village_other_city
    response = client_for(request, role).post(
        "/api/v1/households/", household_payload(village), format="json"
    )
    # A clerk naming a village outside the scope gets a field error, not a created record.
    want = 400 if (scope == "out" and role == "clerk") else CREATE[role]
    assert response.status_code == want, response.content
