"""The search box in the admin header for two roles in a real browser (issue 28): the village clerk
types `wjg`, the results open in a tab, ↓ and Enter open her 王建国's household; the township
reviewer sees both matches of the township and nothing outside; a full ID number typed in the box
opens results whose address carries a token, not the number. Screenshots go to test-results/search/."""

import pytest

from tests.e2e.conftest import login
from tests.e2e.pages import offending_text
from tests.factories import HouseholdFactory, MemberFactory, region_chain

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-12345"  # tests.factories.UserFactory


def results_frame(page):
    page.wait_for_selector("iframe[src*='/households/search/']")
    return page.frame_locator("iframe[src*='/households/search/']").last


def search_in_header(page, text: str):
    box = page.locator("#fupin-search-box input[name=q]")
    page.keyboard.press("/")  # the shortcut puts the cursor in the box
    box.fill(text)
    box.press("Enter")
    return results_frame(page)


def test_header_search_box_for_clerk_and_township(
    browser, live_server, artifacts, village_a, clerk_a, township_reviewer_a
):
    shots = artifacts / "search"
    shots.mkdir(exist_ok=True)
    neighbour = region_chain("211223100002", ("辽宁省", "铁岭市", "西丰县", "西丰镇", "丙村"))
    elsewhere = region_chain("211223101002", ("辽宁省", "铁岭市", "西丰县", "平岗镇", "乙村"))
    mine = MemberFactory(household=HouseholdFactory(village=village_a), name="王建国")
    MemberFactory(household=HouseholdFactory(village=neighbour), name="汪金贵")
    MemberFactory(household=HouseholdFactory(village=elsewhere), name="吴江国")

    clerk = login(browser, live_server, clerk_a.username, PASSWORD)
    clerk.goto(f"{live_server.url}/admin/")
    frame = search_in_header(clerk, "wjg")
    frame.locator("#search-member a.search-hit").first.wait_for()
    assert frame.locator("#search-member a.search-hit").all_inner_texts() == ["王建国"]
    text = frame.locator("#content").inner_text()
    assert not offending_text(text), offending_text(text)
    assert mine.id_no not in text
    assert mine.id_no[:6] + "********" + mine.id_no[-4:] in text
    clerk.screenshot(path=str(shots / "1-clerk-wjg.png"), full_page=True)
    # keyboard: ↓ to the first result (households come first), Enter opens the household page
    frame.locator("#search-q").press("ArrowDown")
    frame.locator("a.search-hit").first.press("Enter")
    frame.locator("form#household_form").wait_for()
    assert any(f"/admin/households/household/{mine.household_id}/" in f.url for f in clerk.frames)
    clerk.screenshot(path=str(shots / "2-clerk-opened.png"), full_page=True)

    # a full ID: the tab's address has a token, not the number
    clerk.goto(f"{live_server.url}/admin/")
    frame = search_in_header(clerk, mine.id_no)
    frame.locator("#search-member a.search-hit").first.wait_for()
    src = clerk.locator("iframe[src*='/households/search/']").last.get_attribute("src")
    assert "t=" in src
    assert mine.id_no not in src
    assert mine.id_no not in clerk.url
    clerk.screenshot(path=str(shots / "3-clerk-full-id.png"), full_page=True)

    township = login(browser, live_server, township_reviewer_a.username, PASSWORD)
    township.goto(f"{live_server.url}/admin/")
    frame = search_in_header(township, "wjg")
    frame.locator("#search-member a.search-hit").first.wait_for()
    assert sorted(frame.locator("#search-member a.search-hit").all_inner_texts()) == ["汪金贵", "王建国"]
    township.screenshot(path=str(shots / "4-township-wjg.png"), full_page=True)
