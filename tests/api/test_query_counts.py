"""Exact queries per list page, with 3 and with 30 objects: an N+1 would change the number."""

import datetime as dt
from urllib.parse import parse_qsl

import pytest
from django.utils import timezone

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
from core.workflow.models import Publicity, PublicityObjection, WorkflowEvent
from households.workflow.models import ChangeItem, ChangeRequest
from programs.models import EligibilityResult, Parameter, VillagePopulation
from tests.assistance.factories import disability_subsidy, tekun_case
from tests.factories import (
    HelperAssignmentFactory,
    HelperPersonFactory,
    IncomeYearFactory,
    UserFactory,
    VisitFactory,
    WorkTeamFactory,
    household_with_members,
)

pytestmark = pytest.mark.django_db


def split(url):
    """The test client replaces a GET query string with its data: pass the filters as data."""
    path, _, query = url.partition("?")
    return path, dict(parse_qsl(query))


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
    ("/api/v1/visits/", visits, 2),  # + their photos (one prefetch)
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
    path, query = split(url)
    with django_assert_num_queries(queries):
        response = api.get(path, {**query, "page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= n


@pytest.mark.parametrize("n", [3, 30])
def test_statistics_queries_are_fixed(as_user, county_admin, village_a, django_assert_num_queries, n):
    for _ in range(n):
        household_with_members(n=2, village=village_a, review_state="verified")
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
    from core.api.auth import issue_token

    households(village_a, n)
    api.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(county_admin)}")
    with django_assert_num_queries(3):  # token (by its prefix)+user, user's region, the page
        response = api.get("/api/v1/households/", {"region": "211223", "page_size": 200})
    assert len(response.json()["results"]) == n


# ---------------------------------------------------------------- workflow, programs, assistance lists

DAY = dt.date(2019, 11, 1)


def _author():
    return UserFactory(role="system_admin", region=None)


def publicities(village, n):
    author = _author()
    for _ in range(n):
        household = household_with_members(n=1, village=village)
        publicity = Publicity.objects.create(
            subject_kind="exit",
            record_kind="household",
            record_id=household.pk,
            household_id=household.pk,
            region_code=village.code,
            start=DAY,
            end=DAY + dt.timedelta(days=7),
            min_days=7,
            place="村委会",
            created_by=author,
        )
        PublicityObjection.objects.create(
            publicity=publicity, received_on=DAY, content="异议", recorded_by=author
        )


def change_requests(village, n):
    author = _author()
    for _ in range(n):
        change = ChangeRequest.objects.create(
            household=household_with_members(n=1, village=village), created_by=author
        )
        ChangeItem.objects.create(change_request=change, target="household", new_values={"phone": "1"})


def events(village, n):
    author = _author()
    household = household_with_members(n=1, village=village)
    for _ in range(n):
        WorkflowEvent.objects.create(
            record_kind="household",
            record_id=household.pk,
            household_id=household.pk,
            region_code=village.code,
            action="submit",
            actor=author,
            actor_role="system_admin",
        )


def _case(village):
    household = household_with_members(n=1, village=village)
    return DibaoCase.objects.create(household=household, applied_on=DAY, status="active", monthly_amount=100)


def dibao_cases(village, n):
    for _ in range(n):
        _case(village)


def phase_outs(village, n):
    for _ in range(n):
        PhaseOut.objects.create(case=_case(village), trigger="other", proposed_on=DAY, proposed_income=4000)


def stop_proposals(village, n):
    from assistance.models import StopProposal

    for _ in range(n):
        StopProposal.objects.create(
            case=_case(village), ground="not_registered", mode="propose", proposed_on=DAY,
            proposed_income=4200, reason="非建档立卡户不适用渐退",
        )  # fmt: skip


def medical_bills(village, n):
    from assistance.models import MedicalBill

    for _ in range(n):
        member = household_with_members(n=1, village=village).members.get()
        MedicalBill.objects.create(
            household=member.household, member=member, bill_date=DAY, hospital="县人民医院",
            hospital_level="county", kind="chronic", total_cost=1000, basic_insurance_paid=600,
        )  # fmt: skip


def payment_rolls(village, n):
    for i in range(n):
        PaymentRoll.objects.create(
            county=village.parent.parent, month=DAY.replace(year=1990 + i), program="dibao"
        )


def payment_lines(village, n):
    roll = PaymentRoll.objects.create(county=village.parent.parent, month=DAY, program="dibao")
    for _ in range(n):
        case = _case(village)
        PaymentLine.objects.create(
            roll=roll,
            month=DAY,
            program="dibao",
            case_id=case.pk,
            household=case.household,
            payee_name="王大",
        )


def ledger_entries(village, n):
    for _ in range(n):
        case = _case(village)
        ChangeLedgerEntry.objects.create(
            household=case.household, case=case, kind="start", month=DAY, new_amount=100, reason="新增低保"
        )


def alerts(village, n):
    for _ in range(n):
        Alert.objects.create(
            kind="phase_out_ending",
            household=household_with_members(n=1, village=village),
            due_date=DAY,
            message="提醒",
        )


def measures(village, n):
    for _ in range(n):
        AssistanceMeasure.objects.create(
            household=household_with_members(n=1, village=village),
            kind=MeasureKind.values[0],
            content="产业帮扶",
            date=DAY,
            responsible_unit="县农业局",
        )


def parameters(village, n):
    for i in range(n):
        Parameter.objects.create(
            key=f"test.key_{i}", region_prefix=village.code[:6], valid_from=DAY, value="1", source="测试"
        )


def results(village, n):
    for _ in range(n):
        EligibilityResult.objects.create(
            household=household_with_members(n=1, village=village),
            program_id="dibao",
            eligible=True,
            as_of=DAY,
            computed_at=timezone.now(),
        )


def tekun_cases(village, n):
    for _ in range(n):
        tekun_case(member=household_with_members(n=1, village=village).members.get())


def disability_subsidies(village, n):
    for _ in range(n):
        disability_subsidy(member=household_with_members(n=1, village=village).members.get())


def _villages(village, n):
    from tests.factories import RegionFactory

    return [
        RegionFactory(code=f"{village.code[:9]}{200 + i:03d}", level=5, parent=village.parent)
        for i in range(n)
    ]


def village_populations(village, n):
    for other in _villages(village, n):
        VillagePopulation.objects.create(village=other, year=2019, agricultural_population=100)


def village_indicators(village, n):
    """n villages with a population and a stored household each (plus village_a itself)."""
    from core.choices import ReviewState

    for other in _villages(village, n):
        VillagePopulation.objects.create(
            village=other, year=timezone.localdate().year, agricultural_population=100
        )
        household_with_members(n=2, village=other, review_state=ReviewState.VERIFIED)


MORE_LISTS = [
    ("/api/v1/publicities/", publicities, 2),  # + objections prefetch
    ("/api/v1/change-requests/", change_requests, 2),  # + items prefetch
    ("/api/v1/workflow-events/", events, 1),
    ("/api/v1/dibao-cases/", dibao_cases, 1),
    ("/api/v1/dibao-cases/?status=active&region=211223", dibao_cases, 1),
    ("/api/v1/phase-outs/", phase_outs, 1),
    ("/api/v1/stop-proposals/?status=proposed", stop_proposals, 1),
    ("/api/v1/medical-bills/?kind=chronic&region=211223", medical_bills, 1),
    ("/api/v1/payment-rolls/", payment_rolls, 1),
    ("/api/v1/payment-lines/", payment_lines, 1),
    ("/api/v1/ledger-entries/", ledger_entries, 1),
    ("/api/v1/alerts/", alerts, 1),
    ("/api/v1/measures/", measures, 1),
    ("/api/v1/parameters/?key_prefix=test.", parameters, 1),
    ("/api/v1/eligibility-results/", results, 1),
    ("/api/v1/households/?program=dibao", results, 1),
    ("/api/v1/tekun-cases/", tekun_cases, 1),
    ("/api/v1/tekun-cases/?status=active&mode=dispersed&region=211223", tekun_cases, 1),
    ("/api/v1/disability-subsidies/", disability_subsidies, 1),
    ("/api/v1/disability-subsidies/?kind=living&region=211223100", disability_subsidies, 1),
    # + the two parameters of the goals (pension age, stable-employment months)
    ("/api/v1/measure-gaps/", measures, 3),
    ("/api/v1/measure-gaps/?missing=true&region=211223", households, 3),
    ("/api/v1/village-populations/", village_populations, 1),  # + village name by join
    ("/api/v1/village-populations/?year=2019&region=211223", village_populations, 1),
]


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize(
    "url", ["/api/v1/village-indicators/", "/api/v1/village-indicators/?region=211223100"]
)
def test_village_indicator_queries_are_fixed(
    as_user, county_admin, village_a, django_assert_num_queries, url, n
):
    village_indicators(village_a, n)
    api = as_user(county_admin)
    path, query = split(url)
    api.get(path, query)  # the county's register summary is built on its first read (reports.refresh)
    # the page of villages; the scope's region, the summary's built mark and its member counts; then
    # villages, ancestors' classes, populations, parameters
    with django_assert_num_queries(8):
        response = api.get(path, {**query, "page_size": 100})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == n + 1
    assert sum(row["incidence_pct"] == "2.00" for row in rows) == n


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize(("url", "build", "queries"), MORE_LISTS, ids=[u for u, _, _ in MORE_LISTS])
def test_more_list_queries_are_fixed(
    as_user, county_admin, village_a, django_assert_num_queries, url, build, queries, n
):
    build(village_a, n)
    api = as_user(county_admin)
    path, query = split(url)
    with django_assert_num_queries(queries):
        response = api.get(path, {**query, "page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == n
