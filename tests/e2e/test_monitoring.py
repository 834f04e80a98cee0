"""防返贫监测 in a real browser: a household reports through the village's public page on a phone
(390×844), then the lead goes 入户核实 → 民主评议 and 公示 → 乡镇审核 → 县级审定 纳入监测 → measures and
回访 → 风险消除 through the chain, every step from the record pages' buttons. Screenshots go to
test-results/monitoring/."""

import datetime as dt
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from assistance.monitoring.choices import Decision, LeadStatus, Purpose
from assistance.monitoring.models import MonitoringLead, MonitoringRecord
from households.choices import MonitoringState
from tests.assistance.monitoring.helpers import registered_household
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-12345"  # tests.factories.UserFactory
PHONE = {"width": 390, "height": 844}


def act(page, slug: str) -> None:
    """Press a record-page button without a form; accept its confirmation question if it asks one."""
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(f"#record-banner button[data-action='{slug}']")


def dialog(page, slug: str, fields: dict, checks=()) -> None:
    """Open a button's dialog, fill it and confirm."""
    page.click(f"#record-banner button[data-action='{slug}']")
    box = f"#record-dialog-{slug}"
    for name, value in fields.items():
        page.fill(f"{box} [name='{slug}-{name}']", value)
    for name, value in checks:
        page.check(f"{box} input[name='{slug}-{name}'][value='{value}']")
    with page.expect_navigation():
        page.click(f"{box} button[data-confirm='{slug}']")


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_self_report_on_a_phone(browser, live_server, artifacts, village_a):
    shots = artifacts / "monitoring"
    shots.mkdir(exist_ok=True)
    head = registered_household(village_a).members.get(relation="head")
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/report/{village_a.code}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert "承诺授权" in page.inner_text("body")
    page.screenshot(path=str(shots / "1-phone-form.png"), full_page=True)
    page.fill("#id_name", head.name)
    page.fill("#id_id_no", head.id_no)
    page.fill("#id_phone", "13800005678")
    page.check("input[name=risk_types][value=illness]")
    page.fill("#id_description", "户主突发脑梗住院，自付费用较多")
    page.check("#id_consent")
    page.fill("#id_captcha_1", "PASSED")
    assert page.is_visible("img.captcha")  # the CAPTCHA image is served by the server itself
    with page.expect_navigation():
        page.click("button[type=submit]")
    receipt = page.inner_text("[data-testid=receipt-no]").strip()
    body = page.inner_text("body")
    assert head.id_no not in body
    assert "138****5678" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(shots / "2-phone-receipt.png"), full_page=True)
    lead = MonitoringLead.objects.get(receipt_no=receipt)
    assert lead.household_id == head.household_id
    assert lead.status == LeadStatus.OPEN
    page.goto(f"{live_server.url}/report/progress/")
    page.fill("#id_receipt_no", receipt)
    page.fill("#id_id_last4", head.id_no[-4:])
    page.fill("#id_captcha_1", "PASSED")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "等待村干部入户核实" in page.inner_text("[data-testid=progress]")
    page.screenshot(path=str(shots / "3-phone-progress.png"), full_page=True)
    context.close()


def test_lead_to_identification_to_elimination_from_the_record_pages(
    browser, live_server, artifacts, village_a, clerk_a, township_reviewer_a, county_admin
):
    from assistance.monitoring.services import leads

    shots = artifacts / "monitoring"
    shots.mkdir(exist_ok=True)
    today = timezone.localdate()
    began = today - relativedelta(months=8)
    household = registered_household(village_a)
    lead = leads.create_lead(
        user=clerk_a, village=village_a, household=household, risk_types=["illness"], detected_on=began,
        description="户主患病住院",
    )  # fmt: skip
    admin = f"{live_server.url}/admin"

    # 村: 入户核实 from the lead's page (with a photo), then 民主评议 and submit from the record page
    clerk = login(browser, live_server, clerk_a.username, PASSWORD)
    clerk.goto(f"{admin}/assistance/monitoringlead/{lead.pk}/change/")
    with clerk.expect_navigation():
        clerk.click("[data-testid=lead-banner] a:has-text('入户核实')")
    clerk.fill("#id_visited_on", began.isoformat())
    clerk.fill("#id_findings", "户主脑梗住院，自付医疗费4万元，家庭收入下降")
    clerk.fill("#id_percap_income", "3200")
    clerk.select_option("#id_category", "sudden_hardship")
    clerk.set_input_files(
        "#id_photos", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png()}]
    )
    clerk.screenshot(path=str(shots / "4-clerk-verification.png"), full_page=True)
    with clerk.expect_navigation():
        clerk.click("button:has-text('保存')")
    record = MonitoringRecord.objects.get(household=household)
    assert "/monitoringrecord/" in clerk.url
    assert record.visits.get().photos.count() == 1
    dialog(clerk, "submit", {"democratic_review_date": began.isoformat()})
    clerk.screenshot(path=str(shots / "5-clerk-submitted.png"), full_page=True)
    record_page = f"{admin}/assistance/monitoringrecord/{record.pk}/change/"

    # 乡镇: 公示 (started ten days ago so it has ended), 期满无异议, 审核通过
    township = login(browser, live_server, township_reviewer_a.username, PASSWORD)
    township.goto(record_page)
    dialog(
        township,
        "start_publicity",
        {"start": (today - dt.timedelta(days=10)).isoformat(), "place": "甲村公开栏"},
    )
    act(township, "close_publicity")
    act(township, "approve")

    # 县: 纳入监测 with the category
    county = login(browser, live_server, county_admin.username, PASSWORD)
    county.goto(record_page)
    assert county.is_visible("#record-banner button[data-action='include']")
    assert not county.is_visible("#record-banner button[data-action='approve']")  # the county decides
    county.click("#record-banner button[data-action='include']")
    county.select_option("#record-dialog-include [name='include-category']", "sudden_hardship")
    county.screenshot(path=str(shots / "6-county-include-dialog.png"))
    with county.expect_navigation():
        county.click("#record-dialog-include button[data-confirm='include']")
    record.refresh_from_db()
    household.refresh_from_db()
    assert record.decision == Decision.INCLUDED
    assert household.monitoring_state == MonitoringState.AT_RISK

    # 村: a measure for the risk and two 回访 above the line; then 提出风险消除
    clerk.goto(record_page)
    clerk.click("#record-banner button[data-action='measure']")
    clerk.select_option("#record-dialog-measure [name='measure-risk_type']", "illness")
    clerk.select_option("#record-dialog-measure [name='measure-kind']", "health")
    clerk.fill("#record-dialog-measure [name='measure-content']", "医疗救助、大病保险二次报销")
    clerk.fill("#record-dialog-measure [name='measure-date']", (began + dt.timedelta(days=20)).isoformat())
    clerk.fill("#record-dialog-measure [name='measure-responsible_unit']", "县医保局")
    with clerk.expect_navigation():
        clerk.click("#record-dialog-measure button[data-confirm='measure']")
    for months in (7, 1):
        dialog(
            clerk, "follow_up",
            {"visited_on": (today - relativedelta(months=months)).isoformat(), "findings": "务工收入恢复",
             "percap_income": "9600"},
        )  # fmt: skip
    clerk.screenshot(path=str(shots / "7-clerk-episode-with-measure.png"), full_page=True)
    act(clerk, "propose_elimination")
    proposal = MonitoringRecord.objects.get(purpose=Purpose.ELIMINATE)
    proposal_page = f"{admin}/assistance/monitoringrecord/{proposal.pk}/change/"
    clerk.goto(proposal_page)
    dialog(clerk, "submit", {"democratic_review_date": today.isoformat()})
    township.goto(proposal_page)
    dialog(
        township,
        "start_publicity",
        {"start": (today - dt.timedelta(days=10)).isoformat(), "place": "甲村公开栏"},
    )
    act(township, "close_publicity")
    act(township, "approve")
    county.goto(proposal_page)
    county.screenshot(path=str(shots / "8-county-elimination-page.png"), full_page=True)
    act(county, "eliminate")
    county.screenshot(path=str(shots / "9-county-eliminated.png"), full_page=True)
    proposal.refresh_from_db()
    household.refresh_from_db()
    assert proposal.decision == Decision.ELIMINATED
    assert household.monitoring_state == MonitoringState.RISK_ELIMINATED
    assert "风险消除" in county.inner_text("[data-testid=record-banner]")
