"""Scenarios 68 and 69: a project through the review chain into the year's 项目库 with its 公告, and
fund payments that explain every yuan (R31)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.choices import ReviewState
from core.workflow import services as chain
from core.workflow.errors import TransitionError
from core.workflow.models import WorkflowEvent
from projects.choices import FundSource, Stage
from projects.models import FundPayment
from projects.selectors import fund_figures
from projects.services import funds
from projects.services import projects as s
from tests.factories import HouseholdFactory, user_for
from tests.projects.factories import DAY, project_at, proposed_project

pytestmark = pytest.mark.django_db


def test_scenario_68_village_project_goes_through_the_chain_into_the_years_library(
    client, village_a, clerk_a, township_reviewer_a, county_admin
):
    households = [HouseholdFactory(village=village_a, review_state=ReviewState.VERIFIED) for _ in range(12)]
    project = proposed_project(region=village_a, user=clerk_a, households=households)
    s.submit_project(project=project, user=clerk_a)
    assert project.review_state == ReviewState.PENDING_TOWNSHIP
    chain.approve(record=project, user=township_reviewer_a)
    # the county returns it with a reason; the township approves it again, then the county
    s.return_project(project=project, user=county_admin, reason="预算依据不足，请补充")
    assert project.review_state == ReviewState.RETURNED_TO_TOWNSHIP
    other_township = user_for(village_a.parent)
    chain.approve(record=project, user=other_township)
    chain.approve(record=project, user=county_admin)
    project.refresh_from_db()
    assert (project.review_state, project.stage, project.year) == (
        ReviewState.VERIFIED,
        Stage.IN_LIBRARY,
        2026,
    )
    steps = list(
        WorkflowEvent.objects.filter(record_kind="project", record_id=project.pk)
        .order_by("created_at", "id")
        .values_list("action", "reason")
    )
    assert steps[2] == ("return", "预算依据不足，请补充")
    assert len(steps) == 5

    s.announce(
        project=project, user=county_admin, start=DAY, end=DAY + dt.timedelta(days=9), place="村务公开栏"
    )
    client.force_login(county_admin)
    page = client.get(f"/admin/projects/project/{project.pk}/notice/announcement/")
    text = page.content.decode()
    assert page.status_code == 200
    for shown in (
        "中央衔接资金",
        "150,000.00",
        "县级衔接资金",
        "50,000.00",
        "200,000.00",
        "受益户数",
        ">12<",
    ):
        assert shown in text, shown
    assert households[0].household_no not in text  # counts, never names or numbers


def test_village_cannot_skip_the_township_and_a_project_needs_a_budget(village_a, clerk_a, county_admin):
    empty = proposed_project(region=village_a, user=clerk_a, budget={})
    with pytest.raises(TransitionError, match="请先填写项目预算"):
        s.submit_project(project=empty, user=clerk_a)
    project = proposed_project(region=village_a, user=clerk_a)
    s.submit_project(project=project, user=clerk_a)
    with pytest.raises(TransitionError):
        chain.approve(record=project, user=county_admin)


def test_township_project_goes_straight_to_the_county_and_returns_to_its_proposer(
    village_a, township_reviewer_a, county_admin
):
    project = proposed_project(region=village_a.parent, user=township_reviewer_a)
    s.submit_project(project=project, user=township_reviewer_a)
    assert project.review_state == ReviewState.PENDING_COUNTY
    s.return_project(project=project, user=county_admin, reason="与村级项目重复")
    assert project.review_state == ReviewState.DRAFT
    s.submit_project(project=project, user=township_reviewer_a)
    chain.approve(record=project, user=county_admin)
    project.refresh_from_db()
    assert project.stage == Stage.IN_LIBRARY


def test_scenario_69_payments_leave_nothing_unexplained(village_a, county_admin):
    project = project_at(Stage.IMPLEMENTING, village=village_a)
    pay = DAY + dt.timedelta(days=20)
    funds.record_payment(
        project=project,
        user=county_admin,
        source=FundSource.CENTRAL,
        amount=120_000,
        voucher_no="记-001",
        paid_on=pay,
    )
    funds.record_payment(
        project=project,
        user=county_admin,
        source=FundSource.CENTRAL,
        amount=30_000,
        voucher_no="记-002",
        paid_on=pay,
    )
    funds.record_payment(
        project=project,
        user=county_admin,
        source=FundSource.COUNTY,
        amount=50_000,
        voucher_no="记-003",
        paid_on=pay,
    )
    figures = fund_figures([project.pk])[project.pk]
    assert (figures.budget, figures.paid, figures.remaining) == (
        Decimal(200_000),
        Decimal(200_000),
        Decimal(0),
    )
    with pytest.raises(ValidationError) as refused:
        funds.record_payment(
            project=project,
            user=county_admin,
            source=FundSource.CENTRAL,
            amount=1,
            voucher_no="记-004",
            paid_on=pay,
        )
    assert "超出 1.00 元，不予登记" in refused.value.messages[0]
    assert "剩余 0.00 元" in refused.value.messages[0]
    assert FundPayment.objects.count() == 3

    from reports.ledgers import LEDGERS, ExportContext

    rows = list(LEDGERS["project_funds"].rows(ExportContext(user=county_admin, region=None)))
    by_source = {row[4]: (row[5], row[6], row[7]) for row in rows}
    assert by_source == {
        "中央衔接资金": (Decimal(150_000), Decimal(150_000), Decimal(0)),
        "县级衔接资金": (Decimal(50_000), Decimal(50_000), Decimal(0)),
    }


def test_payments_only_by_the_county_in_scope_and_after_work_started(village_a, village_b, clerk_a):
    announced = project_at(Stage.ANNOUNCED, village=village_a)
    county = user_for(village_a.parent.parent)
    with pytest.raises(TransitionError, match="开工实施后才能登记支付"):
        funds.record_payment(
            project=announced, user=county, source=FundSource.CENTRAL, amount=1, voucher_no="1", paid_on=DAY
        )
    implementing = project_at(Stage.IMPLEMENTING, village=village_a)
    with pytest.raises(TransitionError):
        funds.record_payment(
            project=implementing,
            user=clerk_a,
            source=FundSource.CENTRAL,
            amount=1,
            voucher_no="1",
            paid_on=DAY,
        )
    with pytest.raises(ValidationError, match="没有「社会帮扶」预算"):
        funds.record_payment(
            project=implementing, user=county, source=FundSource.SOCIAL, amount=1, voucher_no="1", paid_on=DAY
        )


def test_project_library_ledger_lists_approved_projects_only(village_a, county_admin):
    from reports.ledgers import LEDGERS, ExportContext

    project_at(Stage.ANNOUNCED, village=village_a, name="扶贫车间就业项目")
    proposed_project(region=village_a, name="草稿项目")
    rows = list(LEDGERS["project_library"].rows(ExportContext(user=county_admin, region=None)))
    assert [(row[2], row[4], row[5], row[6], row[12]) for row in rows] == [
        ("扶贫车间就业项目", "西丰镇", "甲村", "已公告", Decimal(200_000))
    ]
