"""Each role's daily job in a real browser: the clerk enters a household in sections and submits it
from its page; the township returns it with a reason from the record page; the clerk sees the reason
on the 工作台 and resubmits; the township and the county approve from the record page and the county's
工作台 figures equal the database; the city sees the record and may not submit, approve or return (its
one button is its 市抽查异议). Screenshots go to test-results/daily/."""

import json

import pytest

from core.choices import ReviewState
from households.models import Household
from tests.e2e.conftest import login
from tests.factories import valid_id

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-12345"  # tests.factories.UserFactory
REASON = "户主联系电话有误，请核实后重新提交"


def act(page, slug: str) -> None:
    """Press a record-page button; accept its confirmation question if it asks one."""
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(f"#record-banner button[data-action='{slug}']")


def test_daily_jobs_of_clerk_township_county_and_city(
    browser, live_server, artifacts, clerk_a, township_reviewer_a, county_admin, city_supervisor
):
    shots = artifacts / "daily"
    shots.mkdir(exist_ok=True)
    admin = f"{live_server.url}/admin"

    # The clerk enters a household tab by tab and submits it from its page.
    clerk = login(browser, live_server, clerk_a.username, PASSWORD)
    clerk.goto(f"{admin}/households/household/add/")
    clerk.select_option("#id_main_cause", "illness")
    clerk.fill("#id_phone", "13100000001")
    clerk.click("button.entry-tab:has-text('家庭成员')")
    clerk.fill("#id_members-0-name", "王建国")
    clerk.fill("#id_members-0-id_no", valid_id())
    clerk.select_option("#id_members-0-sex", "male")
    clerk.select_option("#id_members-0-relation", "head")
    clerk.screenshot(path=str(shots / "1-clerk-entry-members-tab.png"), full_page=True)
    with clerk.expect_navigation():
        clerk.click("button[name=_save]")
    household = Household.objects.get(members__name="王建国")
    record = f"{admin}/households/household/{household.pk}/change/"
    clerk.goto(record)
    act(clerk, "submit")
    household.refresh_from_db()
    assert household.review_state == ReviewState.PENDING_TOWNSHIP

    # The township returns it with a reason from the record page.
    township = login(browser, live_server, township_reviewer_a.username, PASSWORD)
    township.goto(record)
    township.click("#record-banner button[data-action='return']")
    township.fill("#record-dialog-return textarea", REASON)
    township.screenshot(path=str(shots / "2-township-return-dialog.png"))
    with township.expect_navigation():
        township.click("#record-dialog-return button[data-confirm='return']")
    household.refresh_from_db()
    assert household.review_state == ReviewState.RETURNED_TO_VILLAGE

    # The clerk sees the reason on the 工作台 and resubmits from the record page.
    clerk.goto(f"{admin}/reports/workbench/")
    clerk.get_by_text(REASON).first.wait_for()
    clerk.screenshot(path=str(shots / "3-clerk-workbench-returned.png"), full_page=True)
    clerk.goto(record)
    act(clerk, "submit")

    # Township and county approve; the city sees the record and has nothing to press.
    township.goto(record)
    act(township, "approve")
    county = login(browser, live_server, county_admin.username, PASSWORD)
    county.goto(record)
    act(county, "approve")
    household.refresh_from_db()
    assert household.review_state == ReviewState.VERIFIED

    city = login(browser, live_server, city_supervisor.username, PASSWORD)
    city.goto(record)
    city.locator("#record-banner").wait_for()
    offered = city.locator("#record-banner button[data-action]").evaluate_all(
        "els => els.map(e => e.dataset.action)"
    )
    assert not {"submit", "approve", "return"} & set(offered)
    city.screenshot(path=str(shots / "5-city-no-actions.png"), full_page=True)

    # The county's 工作台: its figures are the database's.
    county.goto(f"{admin}/reports/workbench/")
    charts = json.loads(county.locator("#charts-data").text_content())
    county.screenshot(path=str(shots / "4-county-workbench.png"), full_page=True)
    by_key = {chart["key"]: chart for chart in charts}
    shown = sum(sum(series["data"]) for series in by_key["poverty-status-households"]["series"])
    in_db = Household.objects.filter(
        village__code__startswith=county_admin.region_id[:6], review_state=ReviewState.VERIFIED
    ).count()
    assert shown == in_db == 1
