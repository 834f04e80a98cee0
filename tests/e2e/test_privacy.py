"""No ID number in any URL, in a real browser: a full number typed into the 成员 autocomplete of
医疗救助 leaves masked (core/id_autocomplete.js) and still finds the member (issue 22)."""

import pytest

from core import privacy
from core.choices import ReviewState
from tests.e2e.conftest import login
from tests.factories import household_with_members

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-12345"  # tests.factories.UserFactory


def test_autocomplete_sends_a_typed_id_number_masked(browser, live_server, village_a, clerk_a):
    household = household_with_members(1, village=village_a, review_state=ReviewState.VERIFIED)
    head = household.members.get()
    page = login(browser, live_server, clerk_a.username, PASSWORD)
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{live_server.url}/admin/assistance/medicalbill/add/")
    page.click("#id_member + .select2 .select2-selection")
    with page.expect_response(lambda r: "/admin/autocomplete/" in r.url and "term=" in r.url):
        page.keyboard.type(head.id_no)
    page.wait_for_selector(f".select2-results__option:has-text('{head.name}')")
    assert not [url for url in urls if head.id_no in url]
    masked = privacy.mask_id(head.id_no)
    assert any(masked in url.replace("%2A", "*") for url in urls)
