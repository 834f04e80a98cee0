"""Every role × every endpoint × an object inside and outside the role's scope → exact status.

Outside the scope is always 404 (IDs do not leak); inside, a forbidden action is 403;
anonymous is 401. "in" objects sit in village_a (inside every role's scope); "out" objects in
another city (outside all of them).
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from assistance.choices import MeasureKind
from assistance.models import (
    Alert,
    AssistanceMeasure,
    ChangeLedgerEntry,
    DibaoCase,
    PaymentLine,
    PaymentRoll,
    PhaseOut,
)
from households.models import WorkTeamMember
from households.workflow.models import ChangeRequest, Publicity, WorkflowEvent
from programs.models import EligibilityResult, Parameter
from tests.factories import (
    HelperAssignmentFactory,
    HelperPersonFactory,
    IncomeYearFactory,
    UserFactory,
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
    case: object
    phase_out: object
    roll: object
    line: object
    ledger: object
    alert: object
    measure: object
    parameter: object
    result: object
    publicity: object
    change: object
    event: object


def build_world(village) -> World:
    """One of everything, in `village` (and its county), built directly: no service role checks."""
    household = household_with_members(n=2, village=village)
    helper = HelperPersonFactory(county=village.parent.parent)
    team = WorkTeamFactory(village=village)
    county = village.parent.parent
    author = UserFactory(role="system_admin", region=None)
    case = DibaoCase.objects.create(household=household, applied_on=DAY, status="active", monthly_amount=100)
    roll = PaymentRoll.objects.create(county=county, month=DAY, program="dibao")
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
        case=case,
        phase_out=PhaseOut.objects.create(case=case, trigger="other", proposed_on=DAY, proposed_income=4000),
        roll=roll,
        line=PaymentLine.objects.create(
            roll=roll, month=DAY, program="dibao", case_id=case.pk, household=household, payee_name="王大"
        ),
        ledger=ChangeLedgerEntry.objects.create(
            household=household, case=case, kind="start", month=DAY, new_amount=100, reason="新增低保"
        ),
        alert=Alert.objects.create(
            kind="phase_out_ending", household=household, due_date=DAY, message="提醒"
        ),
        measure=AssistanceMeasure.objects.create(
            household=household,
            kind=MeasureKind.values[0],
            content="产业帮扶",
            date=DAY,
            responsible_unit="县农业局",
        ),
        parameter=Parameter.objects.create(
            key="publicity.min_days",
            region_prefix=county.code[:6],
            valid_from=DAY,
            kind="integer",
            value="9",
            source="测试",
        ),
        result=EligibilityResult.objects.create(
            household=household, program_id="dibao", eligible=True, as_of=DAY, computed_at=timezone.now()
        ),
        publicity=Publicity.objects.create(
            subject_kind="exit",
            record_kind="household",
            record_id=household.pk,
            household=household,
            region_code=village.code,
            start=timezone.localdate(),
            end=timezone.localdate() + dt.timedelta(days=7),
            min_days=7,
            place="村务公开栏",
            created_by=author,
        ),
        change=ChangeRequest.objects.create(household=household, created_by=author),
        event=WorkflowEvent.objects.create(
            record_kind="household",
            record_id=household.pk,
            household=household,
            region_code=village.code,
            action="submit",
            actor=author,
            actor_role="system_admin",
        ),
    )


DAY = dt.date(2019, 11, 1)


def everyone(status):
    return dict.fromkeys(ROLES[1:], status)


READ = everyone(200)
# Helpers, visits, work teams: village, township and county manage them; the city only reads.
HELPERS = {"clerk": 200, "township": 200, "county": 200, "city": 403}
# A DRAFT household (and its income): only the village clerk edits it.
DRAFT_EDIT = {"clerk": 200, "township": 403, "county": 403, "city": 403}
COUNTY_ONLY = {"clerk": 403, "township": 403, "county": 200, "city": 403}
# County-level data (rolls): below the county it is out of scope (404), the city reads it.
COUNTY_DATA = {"clerk": 404, "township": 404, "county": 200, "city": 200}

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
    # review chain on a DRAFT household: role first (403), then the service's state check (400)
    ("household.submit", "post", lambda w: f"/api/v1/households/{w.household.pk}/submit/", {}, DRAFT_EDIT),
    (
        "household.approve",
        "post",
        lambda w: f"/api/v1/households/{w.household.pk}/approve/",
        {},
        {"clerk": 403, "township": 400, "county": 400, "city": 403},
    ),
    (
        "household.return",
        "post",
        lambda w: f"/api/v1/households/{w.household.pk}/return/",
        {"reason": "补充材料"},
        {"clerk": 403, "township": 400, "county": 400, "city": 403},
    ),
    (
        "household.city_objection",
        "post",
        lambda w: f"/api/v1/households/{w.household.pk}/city-objection/",
        {"reason": "抽查"},
        {"clerk": 403, "township": 403, "county": 403, "city": 400},
    ),
    (
        "household.propose_exit",
        "post",
        lambda w: f"/api/v1/households/{w.household.pk}/propose-exit/",
        {"review_date": "2019-01-01"},
        {"clerk": 400, "township": 400, "county": 403, "city": 403},
    ),
    (
        "household.publicity",
        "post",
        lambda w: f"/api/v1/households/{w.household.pk}/publicity/",
        {"start": "2019-01-01", "end": "2019-01-02", "place": "村委会"},
        {"clerk": 403, "township": 400, "county": 403, "city": 403},
    ),
    ("household.events", "get", lambda w: f"/api/v1/households/{w.household.pk}/events/", None, READ),
    ("publicity.get", "get", lambda w: f"/api/v1/publicities/{w.publicity.pk}/", None, READ),
    (
        "publicity.close",
        "post",
        lambda w: f"/api/v1/publicities/{w.publicity.pk}/close/",
        {},
        {"clerk": 403, "township": 400, "county": 403, "city": 403},
    ),
    (
        "publicity.objection",
        "post",
        lambda w: f"/api/v1/publicities/{w.publicity.pk}/objection/",
        {"content": "收入不实", "received_on": str(timezone.localdate())},
        # allowed roles reach the exit hook, which refuses a household not yet stored (已入库)
        {"clerk": 400, "township": 400, "county": 403, "city": 403},
    ),
    ("change.get", "get", lambda w: f"/api/v1/change-requests/{w.change.pk}/", None, READ),
    ("event.get", "get", lambda w: f"/api/v1/workflow-events/{w.event.pk}/", None, READ),
    # 低保 cases, 渐退, rolls
    ("case.get", "get", lambda w: f"/api/v1/dibao-cases/{w.case.pk}/", None, READ),
    (
        "case.start_investigation",
        "post",
        lambda w: f"/api/v1/dibao-cases/{w.case.pk}/start-investigation/",
        {},
        {"clerk": 403, "township": 400, "county": 400, "city": 403},
    ),
    (
        "case.stop",
        "post",
        lambda w: f"/api/v1/dibao-cases/{w.case.pk}/stop/",
        {"month": "2019-12-01", "reason": "死亡"},
        COUNTY_ONLY,
    ),
    ("phase_out.get", "get", lambda w: f"/api/v1/phase-outs/{w.phase_out.pk}/", None, READ),
    (
        "phase_out.reject",
        "post",
        lambda w: f"/api/v1/phase-outs/{w.phase_out.pk}/reject/",
        {"reason": "收入不稳定"},
        COUNTY_ONLY,
    ),
    ("roll.get", "get", lambda w: f"/api/v1/payment-rolls/{w.roll.pk}/", None, COUNTY_DATA),
    (
        "roll.confirm",
        "post",
        lambda w: f"/api/v1/payment-rolls/{w.roll.pk}/confirm/",
        {},
        {"clerk": 404, "township": 404, "county": 200, "city": 403},
    ),
    ("line.get", "get", lambda w: f"/api/v1/payment-lines/{w.line.pk}/", None, READ),
    ("ledger.get", "get", lambda w: f"/api/v1/ledger-entries/{w.ledger.pk}/", None, READ),
    ("alert.get", "get", lambda w: f"/api/v1/alerts/{w.alert.pk}/", None, READ),
    ("measure.get", "get", lambda w: f"/api/v1/measures/{w.measure.pk}/", None, READ),
    (
        "measure.patch",
        "patch",
        lambda w: f"/api/v1/measures/{w.measure.pk}/",
        {"content": "就业帮扶"},
        HELPERS,
    ),
    # programs
    ("parameter.get", "get", lambda w: f"/api/v1/parameters/{w.parameter.pk}/", None, READ),
    ("result.get", "get", lambda w: f"/api/v1/eligibility-results/{w.result.pk}/", None, READ),
    (
        "what_if",
        "post",
        lambda w: "/api/v1/what-if/",
        None,  # filled in by the test: needs the world's household id
        READ,
    ),
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
    "/api/v1/publicities/": "publicity",
    "/api/v1/change-requests/": "change",
    "/api/v1/workflow-events/": "event",
    "/api/v1/dibao-cases/": "case",
    "/api/v1/phase-outs/": "phase_out",
    "/api/v1/payment-lines/": "line",
    "/api/v1/ledger-entries/": "ledger",
    "/api/v1/alerts/": "alert",
    "/api/v1/measures/": "measure",
    "/api/v1/parameters/": "parameter",
    "/api/v1/eligibility-results/": "result",
    "/api/v1/me/": None,
    "/api/v1/programs/": None,
    "/api/v1/exports/ledgers/": None,
}
# Lists whose in-scope rows only some roles see (county-level data).
COUNTY_LISTS = {"/api/v1/payment-rolls/": "roll", "/api/v1/exports/": None}


def client_for(request, role) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(request.getfixturevalue(ROLE_FIXTURES[role]))
    return client


def call(client, method, url, payload):
    """One request whose writes are rolled back, so every endpoint sees the same world."""
    with transaction.atomic():
        response = getattr(client, method)(url, payload, format="json")
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", ROLES)
def test_detail_matrix(request, village_a, village_other_city, role, scope):
    world = build_world(village_a if scope == "in" else village_other_city)
    client = client_for(request, role)
    got, want = {}, {}
    for name, method, url, payload, expected in DETAIL:
        if name == "what_if":
            payload = {"household": world.household.pk, "overrides": {}, "approved_only": False}
        got[name] = call(client, method, url(world), payload).status_code
        want[name] = 401 if role == "anonymous" else (expected[role] if scope == "in" else 404)
    assert got == want


@pytest.mark.parametrize("role", ROLES)
def test_list_matrix_and_lists_show_only_own_scope(request, village_a, village_other_city, role):
    world = build_world(village_a)
    out = build_world(village_other_city)
    client = client_for(request, role)
    for url, attr in {**LISTS, **COUNTY_LISTS}.items():
        response = client.get(url, {"page_size": 200})
        assert response.status_code == (401 if role == "anonymous" else 200), url
        if role == "anonymous" or not attr:
            continue
        keys = {row.get("id", row.get("code")) for row in response.json()["results"]}
        assert getattr(out, attr).pk not in keys, url
        if url in COUNTY_LISTS:
            assert keys == ({getattr(world, attr).pk} if role in ("county", "city") else set()), url
        else:
            assert getattr(world, attr).pk in keys, url


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
