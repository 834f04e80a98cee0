"""TekunCase.village_code and DisabilitySubsidy.village_code (issue 28), as DibaoCase's
(test_case_village_code): the household's village copied onto each 特困 case and 两项补贴 record, so a
township's lists, their counts and the API's pages scope them by an index of their own. The code must
stay current on every write path (save(), an INSERT by SQL, a household moved by save() or by a
queryset update), and the scope must follow it: a household moved out of a township takes its 特困
case and 两项补贴 out of that township's lists, record pages, API and search."""

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from assistance.models import DisabilitySubsidy, TekunCase
from households.choices import Relation
from households.models import Household
from households.search import search
from tests.assistance.factories import disability_subsidy, tekun_case
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


def code_of(row) -> str:
    return type(row).objects.values_list("village_code", flat=True).get(pk=row.pk)


def test_both_take_their_households_village_and_follow_a_move(village_a, village_b):
    household = HouseholdFactory(village=village_a)
    member = MemberFactory(household=household, relation=Relation.HEAD)
    rows = [tekun_case(member=member), disability_subsidy(member=member)]
    assert [code_of(row) for row in rows] == [village_a.code] * 2
    events = [type(row).pgh_event_model.objects.filter(pgh_obj=row).count() for row in rows]

    household.village = village_b
    household.save()
    assert [code_of(row) for row in rows] == [village_b.code] * 2

    # A bulk update of households (no save()) too.
    Household.objects.filter(pk=household.pk).update(village=village_a)
    assert [code_of(row) for row in rows] == [village_a.code] * 2

    # A value written by hand never sticks: the database takes the household's.
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(village_code=village_b.code)
    assert [code_of(row) for row in rows] == [village_a.code] * 2

    # The code is no part of their history: a household's move writes no event.
    assert [type(row).pgh_event_model.objects.filter(pgh_obj=row).count() for row in rows] == events


def test_rows_inserted_by_sql_get_the_code(village_b):
    """Bulk loads and the benchmarks insert them by SQL (bench/assistance_common)."""
    household = HouseholdFactory(village=village_b)
    member = MemberFactory(household=household, relation=Relation.HEAD)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO assistance_tekuncase (household_id, member_id, mode, self_care, basic_standard,
                care_standard, status, review_state)
            VALUES (%s, %s, 'dispersed', 'full', 600, 100, 'active', 'verified') RETURNING id
            """,
            [household.pk, member.pk],
        )
        (tekun_pk,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO assistance_disabilitysubsidy (household_id, member_id, kind, grade, monthly_amount,
                status, review_state)
            VALUES (%s, %s, 'living', 1, 80, 'active', 'verified') RETURNING id
            """,
            [household.pk, member.pk],
        )
        (subsidy_pk,) = cursor.fetchone()
    assert TekunCase.objects.get(pk=tekun_pk).village_code == village_b.code
    assert DisabilitySubsidy.objects.get(pk=subsidy_pk).village_code == village_b.code


KINDS = [
    (tekun_case, "tekuncase", "/api/v1/tekun-cases/", "特困"),
    (disability_subsidy, "disabilitysubsidy", "/api/v1/disability-subsidies/", "两项补贴"),
]


@pytest.mark.parametrize(("make", "model", "api_url", "label"), KINDS)
def test_the_scope_follows_the_row_out_of_the_township(
    make, model, api_url, label, village_a, village_b, township_reviewer_a, clerk_b, client
):
    household = HouseholdFactory(village=village_a, household_no="2112231000019902")
    member = MemberFactory(household=household, name="尉迟敬德", relation=Relation.HEAD)
    row = make(member=member)
    api = APIClient()
    api.force_authenticate(township_reviewer_a)
    client.force_login(township_reviewer_a)
    changelist = reverse(f"admin:assistance_{model}_changelist")
    change = reverse(f"admin:assistance_{model}_change", args=[row.pk])

    def found(user):
        return [
            r.pk for g in search("尉迟敬德", user) if g.kind == "case" for r in g.results if model in r.url
        ]

    assert [item["id"] for item in api.get(api_url).json()["results"]] == [row.pk]
    assert "village_code" not in api.get(f"{api_url}{row.pk}/").json()  # an index key, not data
    assert client.get(change).status_code == 200
    assert client.get(changelist).context["cl"].result_count == 1
    assert client.get(changelist, {"township": village_a.code[:9]}).context["cl"].result_count == 1
    assert found(township_reviewer_a) == [row.pk]

    # The household moves to another township's village (平岗镇): its record goes along.
    household.village = village_b
    household.save()

    assert api.get(api_url).json()["results"] == []
    assert api.get(f"{api_url}{row.pk}/").status_code == 404
    assert client.get(change).status_code == 302  # the admin's "does not exist" redirect
    assert client.get(changelist).context["cl"].result_count == 0
    assert found(township_reviewer_a) == []

    # … and is the other township's now.
    assert found(clerk_b) == [row.pk], label
    api.force_authenticate(clerk_b)
    assert api.get(f"{api_url}{row.pk}/").status_code == 200
    assert [item["id"] for item in api.get(api_url).json()["results"]] == [row.pk]


def test_the_grade_filter_offers_the_four_grades_and_filters(village_a, township_reviewer_a, client):
    """残疾等级 of the 两项补贴 list: the grades there are, not a DISTINCT over the scope's records."""
    household = HouseholdFactory(village=village_a)
    one = disability_subsidy(member=MemberFactory(household=household, relation=Relation.HEAD), grade=1)
    disability_subsidy(member=MemberFactory(household=household, relation=Relation.SPOUSE), grade=3)
    client.force_login(township_reviewer_a)
    url = reverse("admin:assistance_disabilitysubsidy_changelist")

    page = client.get(url, {"grade": "1"})
    assert [row.pk for row in page.context["cl"].result_list] == [one.pk]
    choices = [c["display"] for spec in page.context["cl"].filter_specs if spec.title == "残疾等级"
               for c in spec.choices(page.context["cl"])]  # fmt: skip
    assert choices == ["全部", "一级", "二级", "三级", "四级"]
