"""扶贫项目库 in a real browser: a village clerk enters a 产业 project with its budget by source and a
beneficiary household and submits it; the township and the county approve it from the record page's
buttons; the county publishes its 公告 and prints it; the county's public page lists it with counts,
no names. Screenshots go to test-results/projects/."""

import datetime as dt

import pytest

from core.choices import ReviewState
from projects.choices import Stage
from projects.models import Project
from tests.e2e.conftest import login
from tests.e2e.test_monitoring import act, dialog
from tests.factories import HouseholdFactory, MemberFactory, user_for

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-12345"  # tests.factories.UserFactory


def test_project_from_proposal_to_its_notice(browser, live_server, artifacts, village_a):
    shots = artifacts / "projects"
    shots.mkdir(exist_ok=True)
    household = HouseholdFactory(village=village_a, review_state=ReviewState.VERIFIED)
    head = MemberFactory(household=household)
    clerk, township, county = (user_for(r) for r in (village_a, village_a.parent, village_a.parent.parent))

    page = login(browser, live_server, clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/projects/project/add/")
    page.fill("[name=year]", "2026")
    page.fill("[name=name]", "食用菌大棚产业项目")
    page.select_option("[name=project_type]", "industry")
    page.fill("[name=content]", "新建食用菌标准化大棚10栋，带动脱贫户务工和分红")
    page.fill("[name=planned_start]", "2026-03-01")
    page.fill("[name=planned_end]", "2026-10-31")
    page.select_option("[name=budgets-0-source]", "central")
    page.fill("[name=budgets-0-amount]", "150000")
    page.select_option("[name=budgets-1-source]", "county")
    page.fill("[name=budgets-1-amount]", "50000")
    page.screenshot(path=str(shots / "1-village-enters.png"), full_page=True)
    with page.expect_navigation():
        page.click("button[name=_save]")
    project = Project.objects.get()
    assert project.budgets.count() == 2
    project.beneficiaries.create(household=household, how="dividend")  # the raw-id picker is a popup
    act(page, "submit")
    project.refresh_from_db()
    assert project.review_state == ReviewState.PENDING_TOWNSHIP
    page.screenshot(path=str(shots / "2-village-submitted.png"), full_page=True)

    change = f"{live_server.url}/admin/projects/project/{project.pk}/change/"
    page = login(browser, live_server, township.username, PASSWORD)
    page.goto(change)
    act(page, "approve")
    page = login(browser, live_server, county.username, PASSWORD)
    page.goto(change)
    act(page, "approve")
    project.refresh_from_db()
    assert (project.review_state, project.stage) == (ReviewState.VERIFIED, Stage.IN_LIBRARY)
    today = dt.date.today()
    dialog(
        page,
        "announce",
        {
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=9)).isoformat(),
            "place": "村务公开栏",
        },
    )
    project.refresh_from_db()
    assert project.stage == Stage.ANNOUNCED
    page.screenshot(path=str(shots / "3-county-announced.png"), full_page=True)

    page.goto(f"{change.removesuffix('change/')}notice/announcement/")
    sheet = page.inner_text("#print-sheet")
    assert "中央衔接资金" in sheet
    assert "200,000.00" in sheet
    assert head.name not in sheet
    page.screenshot(path=str(shots / "4-announcement-print.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "5-announcement-as-printed.png"), full_page=True)

    public = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    public.goto(f"{live_server.url}/projects/{village_a.parent.parent.code}/")
    body = public.inner_text("body")
    assert "食用菌大棚产业项目" in body
    assert head.name not in body
    assert household.household_no not in body
    public.screenshot(path=str(shots / "6-public-county-page.png"), full_page=True)
