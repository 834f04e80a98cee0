"""IncomeYear.village_code (issue 28), as Member's (test_member_village_code): the household's village
copied onto each income year, so a township's /api/v1/incomes/ scopes them, and bounds their ids, by an
index of their own instead of joining the county's income years to their households. The code must stay
current on every write path (save(), bulk_create, an INSERT by SQL, a household moved by save() or by a
queryset update, the synthetic generator's COPY with the triggers off, the backfill migration), and
the scope must follow it."""

import datetime as dt
import importlib
from decimal import Decimal

import pgtrigger
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.scoping import scoped
from households.models import Household, IncomeYear
from tests.factories import HouseholdFactory, IncomeYearFactory, assign, helper_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/incomes/"


def code_of(income: IncomeYear) -> str:
    return IncomeYear.objects.values_list("village_code", flat=True).get(pk=income.pk)


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def listed(api: APIClient, **params) -> list[int]:
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_saved_income_takes_its_households_village_and_follows_a_move(village_a, village_b):
    income = IncomeYearFactory(household=HouseholdFactory(village=village_a))
    assert code_of(income) == village_a.code
    events = IncomeYear.pgh_event_model.objects.filter(pgh_obj=income).count()

    # Moved to another household.
    income.household = HouseholdFactory(village=village_b)
    income.save()
    assert code_of(income) == village_b.code

    # Its household moves to another village: by save() …
    household = income.household
    household.village = village_a
    household.save()
    assert code_of(income) == village_a.code
    # … or by a queryset update (no save()).
    Household.objects.filter(pk=household.pk).update(village=village_b)
    assert code_of(income) == village_b.code

    # A value written by hand never sticks: the database takes the household's.
    IncomeYear.objects.filter(pk=income.pk).update(village_code=village_a.code)
    assert code_of(income) == village_b.code

    # The code is no part of the history: the household's moves wrote no income event (the one
    # event is the change of household).
    assert IncomeYear.pgh_event_model.objects.filter(pgh_obj=income).count() == events + 1


def test_bulk_created_incomes_get_the_code(village_a):
    """projects.services.assets and devdata.registry create income years by bulk_create."""
    household = HouseholdFactory(village=village_a)
    IncomeYear.objects.bulk_create(
        [
            IncomeYear(
                household=household,
                period_start=dt.date(year - 1, 10, 1),
                period_end=dt.date(year, 9, 30),
                wage=Decimal(6000),
            )
            for year in (2019, 2020)
        ]
    )
    assert set(IncomeYear.objects.filter(household=household).values_list("village_code", flat=True)) == {
        village_a.code
    }


def test_an_income_inserted_by_sql_gets_the_code(village_b):
    household = HouseholdFactory(village=village_b)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO households_incomeyear (household_id, period_start, period_end, wage,
                business_income, property_dividend, property_other, transfer_family_planning,
                transfer_dibao, transfer_tekun, transfer_pension, transfer_eco, transfer_disability,
                transfer_other, business_expense, basic_pension, new_job_first_months, rigid_medical,
                rigid_education, rigid_disability, job_costs, assets_source)
            VALUES (%s, '2019-10-01', '2020-09-30', 6000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 0, '')
            RETURNING id
            """,
            [household.pk],
        )
        (pk,) = cursor.fetchone()
    assert IncomeYear.objects.get(pk=pk).village_code == village_b.code


def test_synthetic_generator_copy_sets_the_code_with_triggers_off():
    from devdata.synthetic import generate

    generate(households=30, seed=2, county="219908")
    pairs = set(
        IncomeYear.objects.filter(household__village__code__startswith="219908").values_list(
            "village_code", "household__village_id"
        )
    )
    assert pairs
    assert all(own == household for own, household in pairs), pairs
    assert IncomeYear.objects.filter(village_code__startswith="219908").count() == 30


def test_backfill_migration_fills_rows_written_without_the_code(village_a):
    income = IncomeYearFactory(household=HouseholdFactory(village=village_a))
    with pgtrigger.ignore("households.IncomeYear:income_village_code"):
        IncomeYear.objects.filter(pk=income.pk).update(village_code="")
    assert code_of(income) == ""
    events = IncomeYear.pgh_event_model.objects.filter(pgh_obj=income).count()
    fill = importlib.import_module("households.migrations.0026_fill_incomeyear_village_code").fill

    class Editor:
        connection = connection

    fill(None, Editor())
    assert code_of(income) == village_a.code
    assert IncomeYear.pgh_event_model.objects.filter(pgh_obj=income).count() == events


def test_a_household_moved_to_another_township_takes_its_incomes_out_of_the_old_list(
    village_a, village_b, township_reviewer_a, clerk_b
):
    household = HouseholdFactory(village=village_a)
    income = IncomeYearFactory(household=household)
    township_a, clerk_of_b = api_for(township_reviewer_a), api_for(clerk_b)
    assert listed(township_a) == [income.pk]
    assert "village_code" not in township_a.get(f"{URL}{income.pk}/").json()  # an index key, not data
    assert listed(clerk_of_b) == []

    # The household moves to 乙村 of 平岗镇 (another township) by a queryset update: no save().
    Household.objects.filter(pk=household.pk).update(village=village_b)

    assert listed(township_a) == []
    assert township_a.get(f"{URL}{income.pk}/").status_code == 404
    assert listed(clerk_of_b) == [income.pk]
    assert listed(clerk_of_b, region=village_b.code) == [income.pk]
    assert clerk_of_b.get(f"{URL}{income.pk}/").status_code == 200


def test_a_township_never_sees_another_townships_incomes_and_reads_no_households_for_it(
    village_a, village_b, township_reviewer_a, county_admin
):
    mine = [IncomeYearFactory(household=HouseholdFactory(village=village_a)) for _ in range(3)]
    theirs = [IncomeYearFactory(household=HouseholdFactory(village=village_b)) for _ in range(3)]
    township_a = api_for(township_reviewer_a)

    with CaptureQueriesContext(connection) as queries:
        assert listed(township_a) == [i.pk for i in mine]
    # The id bounds (core.api.base._id_bounds) and the page read the income years' own code.
    scoped_sql = [q["sql"] for q in queries if "households_incomeyear" in q["sql"]]
    assert len(scoped_sql) == 2, scoped_sql
    assert all('"households_incomeyear"."village_code"::text LIKE' in sql for sql in scoped_sql)
    assert all('INNER JOIN "households_household"' not in sql for sql in scoped_sql), scoped_sql
    assert 'INNER JOIN "households_household"' not in str(
        scoped(IncomeYear.objects.all(), township_reviewer_a).query
    )

    assert listed(township_a, ordering="-id") == [i.pk for i in reversed(mine)]
    for other in theirs:
        assert township_a.get(f"{URL}{other.pk}/").status_code == 404
    assert township_a.get(URL, {"region": village_b.code}).status_code == 400
    assert listed(township_a, household=theirs[0].household_id) == []
    assert sorted(listed(api_for(county_admin))) == sorted(i.pk for i in mine + theirs)

    # A helper still sees the income years of their assigned households only (by the foreign key).
    helper = helper_user(village_a.parent.parent)
    assign(helper, theirs[1].household)
    assert listed(api_for(helper)) == [theirs[1].pk]
