"""The county's public 项目库 page and a project's 公告 (R31): no login, published projects only,
household counts and money by source, never a household's number or a name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import ReviewState
from projects.choices import Stage
from tests.factories import HouseholdFactory, MemberFactory
from tests.projects.factories import project_at, proposed_project

pytestmark = pytest.mark.django_db


def test_county_page_shows_published_projects_with_counts_not_names(client, village_a):
    households = [HouseholdFactory(village=village_a, review_state=ReviewState.VERIFIED) for _ in range(4)]
    heads = [MemberFactory(household=h) for h in households]
    announced = project_at(Stage.ANNOUNCED, village=village_a, households=households, name="肉牛养殖项目")
    proposed_project(region=village_a, name="未审批的项目")
    county = village_a.parent.parent
    page = client.get(f"/projects/{county.code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "肉牛养殖项目" in text
    assert "未审批的项目" not in text
    assert "中央衔接资金 150,000.00" in text
    for household, head in zip(households, heads, strict=True):
        assert household.household_no not in text
        assert head.name not in text
    notice = client.get(f"/projects/{county.code}/{announced.pk}/announcement/").content.decode()
    assert "受益户数" in notice
    assert ">4<" in notice
    assert heads[0].name not in notice
    assert client.get(f"/projects/{county.code}/{announced.pk}/results/").status_code == 404
    assert client.get(f"/projects/{village_a.code}/").status_code == 404


def test_county_page_queries_do_not_grow_with_projects(client, village_a):
    county = village_a.parent.parent
    project_at(Stage.ANNOUNCED, village=village_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/projects/{county.code}/")
        return len(queries)

    few = count()
    for _ in range(4):
        project_at(Stage.ANNOUNCED, village=village_a)
    assert count() == few
