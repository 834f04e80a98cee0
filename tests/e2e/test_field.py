"""The phone pages (/m/) in a real browser on a phone (390×844, touch): scenario 56 (pages outside the
helper's scope answer 404), 57 (a visit recorded with the network off — photo and location — survives
a reload and is sent once when the network returns), 58 (an overdue monitored household on the
helper's 待办); no page scrolls sideways at 360 px; a reassigned household leaves the phone at the next
sync. Screenshots of every page go to test-results/field/."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.monitoring.choices import LeadStatus
from assistance.monitoring.models import MonitoringLead
from assistance.monitoring.services import leads
from core.models import User
from households.choices import MonitoringState
from households.models import Visit
from tests.e2e.pages import offending_text
from tests.factories import assign, helper_user, household_with_members, photo_bytes, user_for

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-12345"  # tests.factories.UserFactory
PHONE = {"width": 390, "height": 844}
HOME = (Decimal("42.500000"), Decimal("124.750000"))


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def field_world(village_a):
    helper = helper_user(village_a.parent.parent, first_name="李春华")
    mine = household_with_members(village=village_a, latitude=HOME[0], longitude=HOME[1])
    assign(helper, mine, start=dt.date(2024, 1, 1))
    monitored = household_with_members(village=village_a, monitoring_state=MonitoringState.AT_RISK)
    assign(helper, monitored, start=dt.date(2024, 1, 1))
    neighbour = household_with_members(village=village_a)
    clerk = user_for(village_a)
    lead = leads.create_lead(
        user=clerk, village=village_a, household=mine, source="cadre_visit", risk_types=["illness"],
        description="户主住院，自付医疗费用较高", detected_on=timezone.localdate() - dt.timedelta(days=2),
    )  # fmt: skip
    return {"helper": helper, "mine": mine, "monitored": monitored, "neighbour": neighbour, "lead": lead,
            "clerk": clerk}  # fmt: skip


def phone_context(browser, width=PHONE["width"]):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": PHONE["height"]}, is_mobile=True, has_touch=True,
        geolocation={"latitude": 42.5004, "longitude": 124.75, "accuracy": 18}, permissions=["geolocation"],
        timezone_id="Asia/Shanghai",
    )  # fmt: skip
    context.set_default_timeout(20_000)
    return context


def phone_login(context, live_server, username):
    page = context.new_page()
    page.goto(f"{live_server.url}/m/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.tap("button[type=submit]")
    return page


def wait_synced(page):
    page.wait_for_function("document.body.dataset.synced === '1'")


def phone_offline_ready(context, live_server, username):
    """Logged in, synced, and loaded again under the service worker: the phone has its pages now."""
    page = phone_login(context, live_server, username)
    wait_synced(page)
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.reload()
    wait_synced(page)
    return page


def shot(page, path) -> None:
    """A full-page screenshot with the bottom tab bar at the end of the page, not over the middle."""
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header at the top, not where the form was left
    style = page.add_style_tag(content=".tabs{position:static}")
    page.screenshot(path=str(path), full_page=True)
    style.evaluate("node => node.remove()")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_scenario_56_phone_pages_and_screenshots(browser, live_server, artifacts, field_world, media):
    shots = artifacts / "field"
    shots.mkdir(exist_ok=True)
    w = field_world
    context = phone_context(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/m/")
    assert "/m/login/" in page.url
    shot(page, shots / "0-login.png")
    page = phone_login(context, live_server, w["helper"].username)
    wait_synced(page)
    pages = {
        "1-my-households": "/m/",
        "2-household": f"/m/h/{w['mine'].pk}/",
        "3-visit-form": f"/m/h/{w['mine'].pk}/visit/",
        "4-lead-check": f"/m/lead/{w['lead'].pk}/",
        "5-todo": "/m/todo/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        if name == "3-visit-form":
            page.wait_for_function("document.getElementById('geo').textContent.indexOf('已定位') === 0")
        text = page.inner_text("body")
        assert offending_text(text) == [], (path, offending_text(text))
        assert no_sideways_scroll(page), path
        shot(page, shots / f"{name}.png")
        page.set_viewport_size({"width": 360, "height": PHONE["height"]})
        assert no_sideways_scroll(page), f"{path} at 360 px"
        page.set_viewport_size(PHONE)
    home = page.goto(f"{live_server.url}/m/") and page.inner_text("body")
    assert w["mine"].members.get(relation="head").name in home
    assert w["neighbour"].members.get(relation="head").name not in home
    for path in (f"/m/h/{w['neighbour'].pk}/", f"/m/h/{w['neighbour'].pk}/visit/"):
        assert page.goto(live_server.url + path).status == 404

    # 入户核实 of the lead on the phone, the photo shrunk in the browser before upload
    page.goto(f"{live_server.url}/m/lead/{w['lead'].pk}/")
    page.fill("textarea[name=findings]", "已出院，医保报销后自付不高，家庭收入稳定")
    page.check("input[name=risk_found][value='0']")
    big = photo_bytes(size=(3000, 2000))
    page.set_input_files("#id_photos", files=[{"name": "核实.jpg", "mimeType": "image/jpeg", "buffer": big}])
    page.wait_for_selector("#previews canvas")
    page.wait_for_function(f"document.getElementById('id_photos').files[0].size < {len(big)}")
    with page.expect_navigation():
        page.tap("button[type=submit]")
    page.wait_for_url(f"**/m/h/{w['mine'].pk}/")
    w["lead"].refresh_from_db()
    assert w["lead"].status == LeadStatus.CLOSED
    from PIL import Image

    stored = w["lead"].visits.get().photos.get()
    with Image.open(stored.image.open("rb")) as image:
        assert max(image.size) <= 1600
    context.close()


def test_scenario_57_offline_visit_is_kept_and_sent_once(browser, live_server, artifacts, field_world, media):
    shots = artifacts / "field"
    shots.mkdir(exist_ok=True)
    w = field_world
    mine = w["mine"]
    context = phone_context(browser)
    page = phone_offline_ready(context, live_server, w["helper"].username)

    context.set_offline(True)
    page.goto(f"{live_server.url}/m/h/{mine.pk}/visit/")
    assert "记录走访" in page.inner_text("h1")
    page.wait_for_function("document.getElementById('geo').textContent.indexOf('已定位') === 0")
    page.fill("textarea[name=content]", "离线走访：了解秋收和务工情况")
    page.fill("textarea[name=problems]", "子女上学路远")
    page.select_option("select[name=change_kind]", "income")
    page.fill("input[name=change_value]", "儿子外出务工，每月寄回两千元")
    page.check("input[name=met] >> nth=0")
    page.set_input_files(
        "#id_photos",
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(size=(2400, 1800))}],
    )
    page.wait_for_selector("#previews canvas")
    shot(page, shots / "6-visit-offline-filled.png")
    with page.expect_navigation():
        page.tap("#visit-form button[type=submit]")
    page.wait_for_function("document.getElementById('pending').textContent === '1'")
    assert "待上传" in page.inner_text("#queued")
    assert "离线" in page.inner_text("#net")
    shot(page, shots / "7-card-offline-pending.png")
    page.reload()  # nothing is lost when the page reloads
    page.wait_for_function("document.getElementById('pending').textContent === '1'")
    assert "离线走访" in page.inner_text("#queued")
    assert not Visit.objects.filter(household=mine).exists()

    context.set_offline(False)
    page.wait_for_function("document.getElementById('pending').textContent === '0'", timeout=30_000)
    visit = Visit.objects.get(household=mine)
    assert visit.content == "离线走访：了解秋收和务工情况"
    assert visit.photos.count() == 1
    photo = visit.photos.get()
    assert max(photo.width, photo.height) <= 1600  # shrunk in the browser
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (
        Decimal("42.500400"),
        Decimal("124.750000"),
        18,
    )
    assert visit.far_from_home is False
    assert visit.proposed_changes == {"kind": "income", "value": "儿子外出务工，每月寄回两千元"}
    # counted in the village's visits of the month on its 工作台
    from reports import todo

    month = next(i for i in todo.items_for(w["clerk"], timezone.localdate()) if i.key == "field.visits_month")
    assert (month.count, month.rows[0].detail) == (1, "本月走访 1 户次（1 户）")
    page.reload()
    assert "离线走访" in page.inner_text("body")
    assert "尚未同步" not in page.inner_text("#lastsync")
    shot(page, shots / "8-card-synced.png")
    # a repeated send of the same client id changes nothing
    again = page.evaluate(
        """async ([url, id]) => {
            const sync = await (await fetch('/m/sync/')).json();
            const fd = new FormData();
            fd.append('visit_date', new Date().toISOString().slice(0, 10));
            fd.append('content', '重复上传');
            fd.append('client_id', id);
            const r = await fetch(url, {method: 'POST', body: fd,
                headers: {'X-CSRFToken': sync.csrf, 'X-Requested-With': 'fetch'}});
            return await r.json();
        }""",
        [f"/m/h/{mine.pk}/visit/", str(visit.client_id)],
    )
    assert again["created"] is False
    assert Visit.objects.filter(household=mine).count() == 1
    context.close()


def test_offline_check_of_a_lead_is_sent_once_when_the_network_returns(
    browser, live_server, field_world, media
):
    w = field_world
    context = phone_context(browser)
    page = phone_offline_ready(context, live_server, w["helper"].username)
    context.set_offline(True)
    page.goto(f"{live_server.url}/m/lead/{w['lead'].pk}/")
    page.fill("textarea[name=findings]", "户主慢性病，自付费用高，家庭收入下降")
    page.check("input[name=risk_found][value='1']")
    page.check("input[name=risk_types][value='illness']")
    with page.expect_navigation():
        page.tap("#check-form button[type=submit]")
    page.wait_for_function("document.getElementById('pending').textContent === '1'")
    assert "入户核实" in page.inner_text("#queued")
    assert not w["lead"].visits.exists()
    context.set_offline(False)
    page.wait_for_function("document.getElementById('pending').textContent === '0'", timeout=30_000)
    w["lead"].refresh_from_db()
    assert w["lead"].status == LeadStatus.IN_REVIEW
    assert w["lead"].visits.count() == 1
    assert w["lead"].visits.get().client_id is not None
    context.close()


def test_scenario_58_overdue_on_todo_and_reassigned_household_leaves_the_phone(
    browser, live_server, artifacts, field_world
):
    w = field_world
    context = phone_context(browser)
    page = phone_login(context, live_server, w["helper"].username)
    wait_synced(page)
    page.goto(f"{live_server.url}/m/todo/")
    overdue = page.inner_text("body")
    assert "逾期未走访的农户" in overdue
    assert w["monitored"].members.get(relation="head").name in overdue
    page.goto(f"{live_server.url}/m/")
    wait_synced(page)
    cached = f"""caches.open('field-pages').then(c => c.match('/m/h/{w["mine"].pk}/')).then(r => !!r)"""
    assert page.evaluate(cached) is True
    # the household is reassigned: at the next sync it leaves this phone
    assignment = w["mine"].helper_assignments.get(end__isnull=True)
    assignment.end = timezone.localdate() - dt.timedelta(days=1)
    assignment.save()
    assign(helper_user(w["mine"].village.parent.parent), w["mine"], start=timezone.localdate())
    page.reload()
    wait_synced(page)
    assert page.evaluate(cached) is False
    assert w["mine"].members.get(relation="head").name not in page.inner_text("body")
    context.close()


def test_demo_helper_and_clerk_on_their_phones(browser, live_server, artifacts, media):
    """The demo's 帮扶责任人 and village clerk: every phone page they reach is Chinese only, fits 360 px;
    screenshots with the demo's data (amounts, photos, leads) in test-results/field/demo-*.png."""
    from django.core.management import call_command

    from devdata.registry import demo_password
    from field import selectors
    from households.models import Household

    call_command("load_demo", "--households", "60", stdout=io.StringIO())
    shots = artifacts / "field"
    shots.mkdir(exist_ok=True)
    for username in ("bangfu_li", "cun_dongping"):
        context = phone_context(browser)
        page = context.new_page()
        page.goto(f"{live_server.url}/m/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", demo_password(username))
        with page.expect_navigation():
            page.tap("button[type=submit]")
        wait_synced(page)
        user = User.objects.get(username=username)
        households = list(selectors.households_for(user).order_by("pk").values_list("pk", flat=True))
        paying = Household.objects.filter(pk__in=households, dibao_cases__status="active").values_list(
            "pk", flat=True
        )
        first = paying[0] if paying else households[0]
        urls = {"list": "/m/", "card": f"/m/h/{first}/", "visit": f"/m/h/{first}/visit/", "todo": "/m/todo/"}
        lead = selectors.scoped(
            MonitoringLead.objects.filter(status="open", household__isnull=False), user
        ).first()
        if lead is not None:
            urls["lead"] = f"/m/lead/{lead.pk}/"
        from households import visit_proposals
        from reports.crosscheck.models import Hit

        hit = selectors.scoped(Hit.objects.filter(status="open"), user).first()
        if hit is not None:
            urls["hit"] = f"/m/hit/{hit.pk}/"
        found = visit_proposals.pending_for(user).first()
        if found is not None:
            urls["change"] = f"/m/change/{found.pk}/"
        if username == "cun_dongping":
            assert found is not None  # the demo's 走访发现信息变化 waiting for her
        if username == "bangfu_li":
            assert lead is not None  # the demo's lead waiting for her 入户核实
        for name, path in urls.items():
            assert page.goto(live_server.url + path).status == 200
            text = page.inner_text("body")
            assert offending_text(text, allowed={username}) == [], (username, path, offending_text(text))
            page.set_viewport_size({"width": 360, "height": PHONE["height"]})
            assert no_sideways_scroll(page), (username, path)
            page.set_viewport_size(PHONE)
            shot(page, shots / f"demo-{username}-{name}.png")
        context.close()


def test_offline_check_of_a_hit_is_sent_once_and_reaches_the_clerk(
    browser, live_server, artifacts, field_world, media
):
    from reports.crosscheck.models import HitCheck
    from tests.field.conftest import make_hit

    shots = artifacts / "field"
    shots.mkdir(exist_ok=True)
    w = field_world
    hit = make_hit(w["mine"])
    url = f"{live_server.url}/m/hit/{hit.pk}/"
    context = phone_context(browser)
    page = phone_offline_ready(context, live_server, w["helper"].username)
    assert page.goto(url).status == 200
    page.wait_for_function("document.getElementById('geo').textContent.indexOf('已定位') === 0")
    assert offending_text(page.inner_text("body")) == []
    shot(page, shots / "9-hit-check.png")
    page.set_viewport_size({"width": 360, "height": PHONE["height"]})
    assert no_sideways_scroll(page)
    page.set_viewport_size(PHONE)

    context.set_offline(True)
    page.goto(url)
    page.check("input[name=result][value='confirmed']")
    page.fill("textarea[name=note]", "出生日期登记错了一年，户口本为准")
    page.set_input_files(
        "#id_photos",
        files=[{"name": "户口本.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(size=(2400, 1800))}],
    )
    page.wait_for_selector("#previews canvas")
    with page.expect_navigation():
        page.tap("#hit-form button[type=submit]")
    page.wait_for_function("document.getElementById('pending').textContent === '1'")
    assert "疑点核实" in page.inner_text("#queued")
    assert not HitCheck.objects.exists()
    context.set_offline(False)
    page.wait_for_function("document.getElementById('pending').textContent === '0'", timeout=30_000)
    check = HitCheck.objects.get()
    assert (check.result, check.visit.photos.count()) == ("confirmed", 1)
    context.close()

    clerk = phone_context(browser)
    page = phone_login(clerk, live_server, w["clerk"].username)
    assert page.goto(url).status == 200
    text = page.inner_text("body")
    assert "疑点属实（需要纠正）" in text
    assert "保存并答复疑点" in text
    assert offending_text(text) == []
    shot(page, shots / "10-hit-clerk-answers.png")
    page.set_viewport_size({"width": 360, "height": PHONE["height"]})
    assert no_sideways_scroll(page)
    clerk.close()


def test_field_change_reaches_the_clerk_who_opens_a_change_request(
    browser, live_server, artifacts, field_world
):
    from households.models import Household
    from households.workflow.models import ChangeRequest

    shots = artifacts / "field"
    shots.mkdir(exist_ok=True)
    w = field_world
    Household.objects.filter(pk=w["mine"].pk).update(review_state="verified")
    context = phone_context(browser)
    page = phone_login(context, live_server, w["helper"].username)
    page.goto(f"{live_server.url}/m/h/{w['mine'].pk}/visit/")
    page.fill("textarea[name=content]", "了解近况，换了手机号")
    page.select_option("select[name=change_kind]", "phone")
    page.fill("input[name=change_value]", "13912345678")
    shot(page, shots / "11-visit-with-change.png")
    with page.expect_navigation():
        page.tap("#visit-form button[type=submit]")
    page.wait_for_url(f"**/m/h/{w['mine'].pk}/")
    assert "联系电话：139****5678" in page.inner_text("body")
    context.close()

    clerk = phone_context(browser)
    page = phone_login(clerk, live_server, w["clerk"].username)
    page.goto(f"{live_server.url}/m/todo/")
    with page.expect_navigation():
        page.tap("text=联系电话：139****5678")
    text = page.inner_text("body")
    assert offending_text(text) == []
    shot(page, shots / "12-clerk-field-change.png")
    page.set_viewport_size({"width": 360, "height": PHONE["height"]})
    assert no_sideways_scroll(page)
    page.set_viewport_size(PHONE)
    with page.expect_navigation():
        page.tap("button[value=open]")
    assert "已转为变更申请" in page.inner_text("body")
    assert ChangeRequest.objects.get(household=w["mine"]).active_items().get().new_values == {
        "phone": "13912345678"
    }
    clerk.close()


def test_card_photos_are_kept_offline_and_leave_with_the_household(browser, live_server, field_world, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from households.visits import VisitInput, record_visit

    w = field_world
    mine = w["mine"]
    upload = SimpleUploadedFile("a.jpg", photo_bytes(), content_type="image/jpeg")
    visit, _ = record_visit(
        user=w["helper"],
        data=VisitInput(
            household_id=mine.pk, visit_date=timezone.localdate(), content="看望", photos=[upload]
        ),
    )
    url = f"/households/visit-photos/{visit.photos.get().pk}/"
    cached = f"caches.open('field-photos').then(c => c.match('{url}')).then(r => !!r)"
    context = phone_context(browser)
    page = phone_offline_ready(context, live_server, w["helper"].username)
    page.wait_for_function(cached)  # fetched through the service worker at the sync

    context.set_offline(True)
    page.goto(f"{live_server.url}/m/h/{mine.pk}/")
    page.locator(".thumbs img").first.scroll_into_view_if_needed()
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.thumbs img')).every(i => i.complete && i.naturalWidth > 0)"
    )
    context.set_offline(False)

    assignment = mine.helper_assignments.get(end__isnull=True)
    assignment.end = timezone.localdate() - dt.timedelta(days=1)
    assignment.save()
    page.goto(f"{live_server.url}/m/")
    wait_synced(page)
    assert page.evaluate(cached) is False
    assert page.goto(live_server.url + url).status == 404

    assign(w["helper"], mine, start=timezone.localdate())
    page.goto(f"{live_server.url}/m/")
    wait_synced(page)
    page.wait_for_function(cached)
    with page.expect_navigation():
        page.tap("#logout button")
    assert page.evaluate("caches.has('field-photos')") is False
    context.close()


def test_search_box_on_the_phone(browser, live_server, artifacts, field_world):
    shots = artifacts / "field"
    shots.mkdir(exist_ok=True)
    w = field_world
    head = w["mine"].members.get(relation="head")
    context = phone_context(browser)
    page = phone_login(context, live_server, w["helper"].username)
    page.fill("input[name=q]", head.id_no)  # a whole ID: only its last six digits leave the phone
    with page.expect_navigation():
        page.tap("#search button")
    assert page.url.endswith(f"q={head.id_no[-6:]}")
    text = page.inner_text("body")
    assert head.name in text
    assert head.id_no not in text
    assert offending_text(text) == []
    shot(page, shots / "13-search.png")
    page.set_viewport_size({"width": 360, "height": PHONE["height"]})
    assert no_sideways_scroll(page)
    with page.expect_navigation():
        page.tap(f".card.hh >> text={head.name}")
    assert page.url.endswith(f"/m/h/{w['mine'].pk}/")
    context.close()
