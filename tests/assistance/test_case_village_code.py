"""DibaoCase.village_code (issue 28): the household's village copied onto each 低保 case, so a
township's case list, its count, the API's pages and the search scope cases by an index of their own.
It must stay current on every write path (save(), a bulk INSERT by SQL, a household moved by save()
or by a queryset update), and the scope must follow it: a case moved out of a township with its
household leaves that township's list, record page, API and search."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from assistance.models import DibaoCase, PhaseOut
from core.scoping import scoped
from households.choices import Relation
from households.models import Household
from households.search import search
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


def new_case(household) -> DibaoCase:
    return DibaoCase.objects.create(household=household, applied_on=dt.date(2024, 1, 10))


def code_of(case) -> str:
    return DibaoCase.objects.values_list("village_code", flat=True).get(pk=case.pk)


def test_a_case_takes_its_households_village_and_follows_a_move(village_a, village_b):
    household = HouseholdFactory(village=village_a)
    case = new_case(household)
    assert code_of(case) == village_a.code
    events = DibaoCase.pgh_event_model.objects.filter(pgh_obj=case).count()

    household.village = village_b
    household.save()
    assert code_of(case) == village_b.code

    # A bulk update of households (no save()) too.
    Household.objects.filter(pk=household.pk).update(village=village_a)
    assert code_of(case) == village_a.code

    # A value written by hand never sticks: the database takes the household's.
    DibaoCase.objects.filter(pk=case.pk).update(village_code=village_b.code)
    assert code_of(case) == village_a.code

    # The code is no part of the case's history: a household's move writes no event of the case.
    assert DibaoCase.pgh_event_model.objects.filter(pgh_obj=case).count() == events


def test_a_case_inserted_by_sql_gets_the_code(village_b):
    """Bulk loads and the benchmarks insert cases by SQL (bench/assistance_common.seed_cases)."""
    household = HouseholdFactory(village=village_b)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO assistance_dibaocase (household_id, case_type, covered_persons, grade,
                is_registered_poor, household_size, monthly_percap_income, annual_percap_income,
                standard_month, standard_parameter_ids, topup_amount, classified_amount, subsidy_amount,
                monthly_amount, classified_items, applied_on, status, publicity_place, refusal_reason,
                stop_reason, special_reason, near_relative_of_staff, created_at, updated_at)
            VALUES (%s, 'whole', 0, '', true, 0, 0, 0, 0, '[]', 0, 0, 0, 0, '[]', '2024-01-10', 'active',
                    '', '', '', '', false, now(), now())
            RETURNING id
            """,
            [household.pk],
        )
        (pk,) = cursor.fetchone()
    assert DibaoCase.objects.get(pk=pk).village_code == village_b.code


def test_the_scope_follows_the_case_out_of_the_township(
    village_a, village_b, township_reviewer_a, clerk_b, client
):
    household = HouseholdFactory(village=village_a, household_no="2112231000019901")
    MemberFactory(household=household, name="尉迟恭", relation=Relation.HEAD)
    case = new_case(household)
    phase_out = PhaseOut.objects.create(case=case, trigger="development", proposed_on=dt.date(2024, 6, 1))
    api = APIClient()
    api.force_authenticate(township_reviewer_a)
    client.force_login(township_reviewer_a)
    changelist = reverse("admin:assistance_dibaocase_changelist")
    change = reverse("admin:assistance_dibaocase_change", args=[case.pk])

    def case_results(user):
        return [r.pk for g in search("尉迟恭", user) if g.kind == "case" for r in g.results]

    assert [row["id"] for row in api.get("/api/v1/dibao-cases/").json()["results"]] == [case.pk]
    assert api.get(f"/api/v1/dibao-cases/{case.pk}/").status_code == 200
    assert client.get(change).status_code == 200
    assert client.get(changelist).context["cl"].result_count == 1
    assert case_results(township_reviewer_a) == [case.pk]
    assert scoped(PhaseOut.objects.all(), township_reviewer_a).get() == phase_out

    # The household moves to another township's village (平岗镇): its case goes along.
    household.village = village_b
    household.save()

    assert api.get("/api/v1/dibao-cases/").json()["results"] == []
    assert api.get(f"/api/v1/dibao-cases/{case.pk}/").status_code == 404
    assert client.get(change).status_code == 302  # the admin's "does not exist" redirect
    assert client.get(changelist).context["cl"].result_count == 0
    assert client.get(changelist, {"township": village_a.code[:9]}).context["cl"].result_count == 0
    assert case_results(township_reviewer_a) == []
    assert not scoped(PhaseOut.objects.all(), township_reviewer_a).exists()

    # … and is the other township's now.
    assert case_results(clerk_b) == [case.pk]
    assert scoped(PhaseOut.objects.all(), clerk_b).get() == phase_out
    api.force_authenticate(clerk_b)
    assert api.get(f"/api/v1/dibao-cases/{case.pk}/").status_code == 200


def test_the_api_region_filter_reads_the_cases_own_code(village_a, village_b, county_admin):
    """`?region=` of the 低保 cases and of their 渐退 follows the case's village code."""
    household = HouseholdFactory(village=village_a)
    case = new_case(household)
    phase_out = PhaseOut.objects.create(case=case, trigger="development", proposed_on=dt.date(2024, 6, 1))
    api = APIClient()
    api.force_authenticate(county_admin)

    def ids(url, prefix):
        return [row["id"] for row in api.get(url, {"region": prefix}).json()["results"]]

    a, b = village_a.code[:9], village_b.code[:9]
    assert ids("/api/v1/dibao-cases/", a) == [case.pk]
    assert ids("/api/v1/phase-outs/", a) == [phase_out.pk]
    Household.objects.filter(pk=household.pk).update(village=village_b)
    assert ids("/api/v1/dibao-cases/", a) == []
    assert ids("/api/v1/dibao-cases/", b) == [case.pk]
    assert ids("/api/v1/phase-outs/", a) == []
    assert ids("/api/v1/phase-outs/", b) == [phase_out.pk]
