"""Pages at scale (issue 28 item 4, bench/pages.py): a clerk's household record page reads the open
change request once (it was read for every field's and inline form's change permission: 44 queries);
a township's household list takes its scope as a range of the village index too, and still lists
exactly its own households."""

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import ReviewState
from households.choices import Relation
from tests.factories import HouseholdFactory, MemberFactory, region_chain

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
