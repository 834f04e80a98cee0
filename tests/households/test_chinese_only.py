"""Chinese only on user screens: form error banners, error pages, messages that do not leak onto
unrelated pages, and stored codes shown by their Chinese names."""

import pytest

from core.choices import ReviewState
from households.choices import PovertyCause
from tests.factories import household_with_members

pytestmark = pytest.mark.django_db


def test_form_error_banner_is_chinese(client, clerk_a):
    client.force_login(clerk_a)
    body = client.post("/admin/households/household/add/", {}).content.decode()
    assert "请更正下列错误" in body
    assert "Please correct" not in body


def test_forbidden_page_is_chinese(client, township_reviewer_a):
    client.force_login(township_reviewer_a)  # importing is the village clerk's job
    response = client.get("/admin/households/importbatch/upload/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "您没有权限访问此页面" in body
    assert "Forbidden" not in body


def test_not_found_page_is_chinese(client, clerk_a):
    client.force_login(clerk_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "找不到您要访问的页面或记录" in body
    assert "Not Found" not in body


def test_api_answers_json_in_chinese_even_to_a_browser(client, clerk_a):
    client.force_login(clerk_a)
    response = client.get(
        "/api/v1/households/999999999/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "Django REST framework" not in response.content.decode()


def test_csrf_failure_page_is_chinese(clerk_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_a)
    response = client.post("/admin/households/household/add/", {})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_message_shown_on_home_page_does_not_leak_to_the_next_page(client, clerk_a):
    client.force_login(clerk_a)
    # A record that is not there: the admin redirects to the home page with a warning.
    home = client.get("/admin/households/household/999999/change/", follow=True)
    shown = home.content.decode()  # the home page (simpleui's outer frame) shows it
    assert '"tag": "warning"' in shown
    later = client.get("/admin/households/member/").content.decode()
    assert "var messages=[]" in later


def test_read_only_other_causes_show_chinese_names(client, township_reviewer_a, village_a):
    household = household_with_members(
        village=village_a,
        review_state=ReviewState.PENDING_TOWNSHIP,
        other_causes=[PovertyCause.LACK_LABOR, PovertyCause.SCHOOLING],
    )
    client.force_login(township_reviewer_a)
    body = client.get(f"/admin/households/householdreview/{household.pk}/change/").content.decode()
    assert "缺劳力、因学" in body
    assert "lack_labor" not in body


def test_record_page_names_the_person_who_entered_it_not_their_login_name(client, clerk_a):
    """录入人 (and any other place a person is shown) reads the account's name; a login name is
    Latin letters and means nothing to the reader. An account without a name still shows its login."""
    clerk_a.first_name = "东屏村录入员"
    clerk_a.save(update_fields=["first_name"])
    household = household_with_members(village=clerk_a.region, created_by=clerk_a)
    client.force_login(clerk_a)
    body = client.get(f"/admin/households/household/{household.pk}/change/").content.decode()
    field = body[body.index("录入人") :][:600]
    assert "东屏村录入员" in field
    assert clerk_a.username not in field
    clerk_a.first_name = ""
    assert str(clerk_a) == clerk_a.username
