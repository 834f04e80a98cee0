"""End to end in a real browser (Playwright + Debian chromium): enter, submit, return, correct,
resubmit, approve. Saves a screenshot of the review queue in the test's tmp directory."""

import os
from pathlib import Path

import pytest

from core.choices import ReviewState
from core.models import WorkflowEvent
from households.models import Household
from tests.e2e.conftest import launch_chromium
from tests.factories import valid_id

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pass-12345"  # tests.factories.UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="浏览器端到端测试需要 Debian chromium（/usr/bin/chromium）："
        "apt-get install chromium fonts-wqy-microhei",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


def login(browser, live_server, user):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def run_action(page, url, name, household):
    page.goto(url)
    page.locator(f"input.action-select[value='{household.pk}']").check()
    page.click(f".actions button[data-name='{name}']")


def test_clerk_enters_reviewer_returns_clerk_corrects_reviewer_approves(
    browser, live_server, clerk_a, township_reviewer_a, tmp_path
):
    households_url = f"{live_server.url}/admin/households/household/"
    queue_url = f"{live_server.url}/admin/households/householdreview/"

    # The clerk enters a household with two members and submits it.
    clerk = login(browser, live_server, clerk_a)
    clerk.goto(households_url + "add/")
    clerk.get_by_text("保存后自动分配（村代码＋4位顺序号）").wait_for()  # 户编号 is not typed
    clerk.select_option("#id_main_cause", "illness")
    clerk.fill("#id_phone", "13100000001")
    # The form is in tabs; members are on 家庭成员. The ID is checked as typed and fills 性别.
    clerk.click("#entry-tabs .entry-tab[data-tab=members]")
    clerk.fill("#id_members-0-name", "王建国")
    right = valid_id()  # one ID: its check digit changed (two calls give two IDs, and by chance a valid one)
    wrong = right[:17] + ("0" if right[17] != "0" else "1")
    clerk.locator("#id_members-0-id_no").press_sequentially(wrong)
    clerk.get_by_text("身份证号码校验码错误，请对照证件逐位核对").wait_for()
    clerk.fill("#id_members-0-id_no", valid_id())
    clerk.locator("#members-0 .id-check-ok").wait_for()
    assert clerk.locator("#id_members-0-sex").input_value() == "male"
    clerk.select_option("#id_members-0-relation", "head")
    clerk.click("#members-group .add-row a")
    clerk.fill("#id_members-1-name", "刘桂芝")
    clerk.locator("#id_members-1-id_no").press_sequentially(valid_id(male=False))
    clerk.locator("#members-1 .id-check-ok").wait_for()
    assert clerk.locator("#id_members-1-sex").input_value() == "female"
    clerk.select_option("#id_members-1-relation", "spouse")
    clerk.click("button[name=_save]")
    # Saved as a draft: the page stays open and says the record still has to be submitted.
    clerk.get_by_text("已保存为草稿，尚未提交审核：请在页面顶部点击“提交审核”").wait_for()
    household = Household.objects.get(created_by=clerk_a)
    assert household.household_no == f"{household.village_id}0001"
    assert household.members.count() == 2
    clerk.click("#record-banner button[data-action=submit]")
    clerk.get_by_text("提交审核：已提交。当前状态「待镇审核」").wait_for()

    # The township reviewer returns it with a reason.
    reviewer = login(browser, live_server, township_reviewer_a)
    run_action(reviewer, queue_url, "return_selected", household)
    reviewer.fill("#id_reason", "户主联系电话有误，请核实")
    reviewer.click("#workflow-confirm")
    reviewer.get_by_text(f"{household.household_no} 王建国：已退回，转为「村修正」").wait_for()

    # The clerk corrects the phone and resubmits.
    clerk.goto(f"{households_url}{household.pk}/change/")
    clerk.get_by_text("户主联系电话有误，请核实").first.wait_for()  # the reason is on the page
    clerk.fill("#id_phone", "13100000002")
    clerk.click("button[name=_save]")
    clerk.get_by_text("已保存，尚未重新提交审核：修正完成后请在页面顶部点击“提交审核”").wait_for()
    run_action(clerk, households_url, "submit_selected", household)  # the list action still works
    clerk.get_by_text(f"{household.household_no} 王建国：已提交，转为「待镇审核」").wait_for()

    # The reviewer sees it in 待我审核 (screenshot) and approves.
    reviewer.goto(queue_url)
    title = reviewer.locator("h2.workflow-queue-title")
    title.wait_for()
    assert title.inner_text() == "待我审核（建档立卡户）：共 1 条"
    shot = tmp_path / "review_queue.png"
    reviewer.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    run_action(reviewer, queue_url, "approve_selected", household)
    reviewer.get_by_text(f"{household.household_no} 王建国：审核通过，转为「待县核查」").wait_for()

    household.refresh_from_db()
    assert household.review_state == ReviewState.PENDING_COUNTY
    assert household.phone == "13100000002"
    actions = list(
        WorkflowEvent.objects.filter(household_id=household.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["submit", "return", "submit", "approve"]
    print(f"review queue screenshot: {shot}")  # noqa: T201
    assert os.path.getsize(shot) > 0
