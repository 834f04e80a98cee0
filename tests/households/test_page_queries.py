"""Pages at scale (issue 28 item 4, bench/pages.py): a clerk's household record page reads the open
change request once (it was read for every field's and inline form's change permission: 44 queries),
the household once, and tries only the steps the user's role may take (67 queries → 37 on the bench
county); its queries do not grow with members or 结对帮扶 rows; a township's household list takes its
scope as a range of the village index too, and still lists exactly its own households."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import ReviewState
from households.choices import Relation
from tests.factories import (
    HelperAssignmentFactory,
    HelperPersonFactory,
    HouseholdFactory,
    IncomeYearFactory,
    MemberFactory,
    VisitFactory,
    region_chain,
    user_for,
)

pytestmark = pytest.mark.django_db


def changerequest_reads(client, url) -> int:
    reads = []

    def count(execute, sql, params, many, context):
        if "households_changerequest" in sql and sql.lstrip().startswith("SELECT"):
            reads.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    return len(reads)


def test_clerks_record_page_reads_the_open_change_once(client, clerk_a, village_a):
    household = HouseholdFactory(village=village_a, review_state=ReviewState.VERIFIED)
    for relation in (Relation.HEAD, Relation.SPOUSE, Relation.SON):
        MemberFactory(household=household, relation=relation)
    client.force_login(clerk_a)
    assert changerequest_reads(client, reverse("admin:households_household_change", args=[household.pk])) == 1


def record_page_queries(client, household) -> list[str]:
    queries = []

    def keep(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        assert (
            client.get(reverse("admin:households_household_change", args=[household.pk])).status_code == 200
        )
    return queries


def _household(village, members: int, helpers: int):
    household = HouseholdFactory(village=village, review_state=ReviewState.VERIFIED)
    MemberFactory(household=household, relation=Relation.HEAD)
    for _ in range(members - 1):
        MemberFactory(household=household, relation=Relation.SON)
    IncomeYearFactory(household=household)
    for _ in range(helpers):
        HelperAssignmentFactory(household=household, helper=HelperPersonFactory(county=village.parent.parent))
    return household


@pytest.mark.parametrize("role", ["clerk_a", "township_reviewer_a", "county_admin", "city_supervisor"])
def test_record_page_queries_do_not_grow_with_members_or_helpers(client, village_a, role, request):
    """Six members and three 结对帮扶 rows cost what one of each costs (a 结对帮扶 row read its helper,
    household and head: three queries a row before; where the rows are editable, the clerk's page,
    its helper picker read the helper again: one query a row until the picker took the row's own)."""
    small, large = _household(village_a, 1, 1), _household(village_a, 6, 3)
    client.force_login(request.getfixturevalue(role))
    record_page_queries(client, small)  # warm: content types, parameters
    assert len(record_page_queries(client, large)) == len(record_page_queries(client, small))


def _visits(household, n: int, recorders) -> None:
    county = household.village.parent.parent
    helpers = [HelperPersonFactory(county=county) for _ in range(3)]
    for i in range(n):
        VisitFactory(
            household=household,
            visit_date=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            helper=helpers[i % 3],
            recorded_by=recorders[i % len(recorders)],
        )


@pytest.mark.parametrize("role", ["clerk_a", "township_reviewer_a", "county_admin", "city_supervisor"])
def test_record_page_queries_do_not_grow_with_visits(client, village_a, role, request):
    """20 走访记录 cost what 2 cost, for every role. The clerk's rows are editable: each read its
    helper for the picker and every user in scope for the 记录人 select (two queries a row); now
    the picker shows the helper the row was read with and 记录人 is shown, not chosen
    (households.visits.stamp_recorder). The read-only rows of the other roles read their 记录人
    with the row."""
    recorders = [user_for(village_a, first_name="李文"), user_for(village_a.parent, first_name="王敏")]
    few, many = _household(village_a, 1, 1), _household(village_a, 1, 1)
    _visits(few, 2, recorders)
    _visits(many, 20, recorders)
    client.force_login(request.getfixturevalue(role))
    record_page_queries(client, few)  # warm: content types, parameters
    assert len(record_page_queries(client, many)) == len(record_page_queries(client, few))


def test_record_page_reads_the_household_once_and_tries_only_the_clerks_steps(client, clerk_a, village_a):
    """The banner, its buttons and the form share one read of the household (three before), and of
    the page's five steps (提交, 撤回, 审核通过, 退回, 市抽查异议) a clerk's page tries only the two a
    clerk may take, each locking the row in a savepoint that is rolled back (five before)."""
    household = _household(village_a, 3, 1)
    client.force_login(clerk_a)
    queries = record_page_queries(client, household)
    reads = [q for q in queries if 'FROM "households_household"' in q and "FOR UPDATE" not in q]
    assert len([q for q in reads if "LIMIT 21" in q]) == 1  # get_object: one read a page view
    assert len([q for q in queries if "FOR UPDATE" in q]) == 2


def test_township_household_list_is_its_own_households(client, township_reviewer_a, village_a):
    same_township = region_chain("211223100002", ("辽宁省", "铁岭市", "西丰县", "西丰镇", "丙村"))
    next_township = region_chain("211223101001", ("辽宁省", "铁岭市", "西丰县", "平岗镇", "乙村"))
    mine = {HouseholdFactory(village=village_a).pk, HouseholdFactory(village=same_township).pk}
    HouseholdFactory(village=next_township)
    client.force_login(township_reviewer_a)
    page = client.get(reverse("admin:households_household_changelist"))
    assert {h.pk for h in page.context["cl"].result_list} == mine


@pytest.mark.parametrize("ordering", ["id", "-id"])
def test_township_api_pages_keep_every_row_in_order(township_reviewer_a, village_a, ordering):
    """API list pages of a township read its lowest and highest id first (core.api.base): paged
    two at a time, forwards or backwards, they give exactly the township's members in id order,
    with other townships' members interleaved by id."""
    next_township = region_chain("211223101001", ("辽宁省", "铁岭市", "西丰县", "平岗镇", "乙村"))
    mine = []
    for _ in range(3):
        MemberFactory(household=HouseholdFactory(village=next_township))
        mine.append(MemberFactory(household=HouseholdFactory(village=village_a)).pk)
    MemberFactory(household=HouseholdFactory(village=next_township))
    api_client = APIClient()
    api_client.force_authenticate(township_reviewer_a)
    seen, url = [], f"/api/v1/members/?page_size=2&ordering={ordering}"
    while url:
        page = api_client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(mine, reverse=ordering == "-id")
