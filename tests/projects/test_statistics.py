"""The 扶贫项目库 on the county's and city's 工作台 and in the API (issue 29): funds by source agree
with the payments, projects by stage, registered households in no 产业 project; scoped like the rest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import ReviewState
from projects.choices import FundSource, ProjectType, Stage
from projects.services import funds
from reports import statistics_projects as sp
from reports.dashboard import charts_for
from tests.factories import HouseholdFactory, user_for
from tests.projects.factories import DAY, project_at, proposed_project

pytestmark = pytest.mark.django_db


def _world(village_a, village_b):
    poor = [HouseholdFactory(village=village_a, review_state=ReviewState.VERIFIED) for _ in range(3)]
    HouseholdFactory(village=village_b, review_state=ReviewState.VERIFIED)
    HouseholdFactory(village=village_a, review_state=ReviewState.DRAFT)  # not in the register yet
    industry = project_at(Stage.IMPLEMENTING, village=village_a, households=poor[:2])
    project_at(
        Stage.IN_LIBRARY, village=village_b, project_type=ProjectType.INFRASTRUCTURE, households=poor[2:]
    )
    proposed_project(region=village_a, households=poor[2:])  # a draft counts for nobody
    county = user_for(village_a.parent.parent)
    funds.record_payment(
        project=industry, user=county, source=FundSource.CENTRAL, amount=100_000, voucher_no="1",
        paid_on=DAY + dt.timedelta(days=30),
    )  # fmt: skip
    return county


def test_county_and_city_workbench_show_project_charts_that_agree(village_a, village_b, city_supervisor):
    county = _world(village_a, village_b)
    funds_rows = sp.project_funds(county)
    central = [r for r in funds_rows if r["source"] == FundSource.CENTRAL]
    assert sum(r["budget"] for r in central) == Decimal(300_000)  # two approved projects
    assert sum(r["paid"] for r in central) == Decimal(100_000)
    stages = {(r["name"], r["stage"]): r["projects"] for r in sp.project_stages(county)}
    assert stages == {("西丰镇", "draft"): 1, ("西丰镇", "implementing"): 1, ("平岗镇", "in_library"): 1}
    gaps = {
        r["name"]: (r["households"], r["with_industry"], r["without_industry"])
        for r in sp.industry_gaps(county)
    }
    assert gaps == {"西丰镇": (3, 2, 1), "平岗镇": (1, 0, 1)}
    for user in (county, city_supervisor):
        _, charts = charts_for(user)
        keys = {c["key"] for c in charts}
        assert {"project-funds", "project-stages", "industry-gaps"} <= keys
        chart = next(c for c in charts if c["key"] == "project-funds")
        assert chart["categories"][:2] == ["中央衔接资金", "县级衔接资金"]
        assert chart["series"][1]["data"][0] == 100_000.0
    _, township_charts = charts_for(user_for(village_a.parent))
    assert "project-funds" not in {c["key"] for c in township_charts}


def test_statistics_and_project_api_answer_inside_the_scope(client, village_a, village_b):
    county = _world(village_a, village_b)
    township = user_for(village_a.parent)
    client.force_login(township)
    rows = client.get("/api/v1/statistics/project-stages/").json()
    assert {r["name"] for r in rows} == {"甲村"}
    assert client.get(f"/api/v1/statistics/industry-gaps/{village_b.code}/").status_code == 404
    listed = client.get("/api/v1/projects/").json()["results"]
    assert {p["region"] for p in listed} == {village_a.code}
    client.force_login(county)
    listed = client.get("/api/v1/projects/", {"stage": "implementing"}).json()["results"]
    assert listed[0]["funds"][0] == {
        "source": "central", "label": "中央衔接资金", "budget": "150000.00", "paid": "100000.00",
        "remaining": "50000.00",
    }  # fmt: skip
    assert listed[0]["households"] == 2


@pytest.mark.parametrize("n", [3, 30])
def test_project_api_list_queries_are_fixed(client, village_a, n):
    for _ in range(n):
        proposed_project(region=village_a)
    client.force_login(user_for(village_a.parent.parent))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/projects/", {"page_size": 100})
    assert len(response.json()["results"]) == n
    assert len(queries) == 7  # session, user, its region, the page, budgets, payments, beneficiary counts


def test_workbench_items_lead_each_level_to_its_projects(village_a):
    from django.utils import timezone

    from core.workflow import services as chain
    from projects.services import projects as s
    from reports import todo

    clerk, township, county = (user_for(r) for r in (village_a, village_a.parent, village_a.parent.parent))
    waiting = proposed_project(region=village_a, user=clerk, name="光伏电站项目")
    s.submit_project(project=waiting, user=clerk)
    today = timezone.localdate()
    item = next(i for i in todo.items_for(township, today) if i.key == "review.project")
    assert (item.count, item.rows[0].text) == (1, "扶贫项目 2026年 光伏电站项目")
    chain.approve(record=waiting, user=township)
    s.return_project(project=waiting, user=county, reason="请补充可研报告")
    chain.return_to_lower(record=waiting, user=township, reason="请补充可研报告")
    item = next(i for i in todo.items_for(clerk, today) if i.key == "returned.project")
    assert item.rows[0].detail == "请补充可研报告"
    project_at(Stage.IN_LIBRARY, village=village_a)
    keys = {i.key: i.count for i in todo.items_for(county, today)}
    assert keys["projects.in_library"] == 1
