"""Issue 22: an idle timeout (30 minutes by default) and an absolute lifetime of signed-in sessions."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from core import sessions

pytestmark = pytest.mark.django_db

PAGE = "/admin/reports/workbench/"


def _age(client, *, active_minutes: int = 0, signed_in_hours: float = 0) -> None:
    session = client.session
    session[sessions.ACTIVE] -= active_minutes * 60
    session[sessions.STARTED] -= int(signed_in_hours * 3600)
    session.save()


def test_defaults_are_30_quiet_minutes_and_a_cookie_no_longer_than_the_lifetime():
    assert django_settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    assert django_settings.SESSION_COOKIE_AGE == django_settings.SESSION_ABSOLUTE_HOURS * 3600 <= 12 * 3600


def test_a_quiet_session_ends_and_the_page_sends_to_login_with_a_chinese_message(client, county_admin):
    client.force_login(county_admin)
    assert client.get(PAGE).status_code == 200
    _age(client, active_minutes=29)
    assert client.get(PAGE).status_code == 200  # 29 quiet minutes: still signed in, and the clock restarts
    _age(client, active_minutes=29)
    assert client.get(PAGE).status_code == 200
    _age(client, active_minutes=31)
    ended = client.get(PAGE + "?q=211223198102225131")
    assert ended.status_code == 302
    assert ended["Location"].startswith("/admin/login/")
    assert "q%3D" not in ended["Location"]
    assert "211223" not in ended["Location"]
    login_page = client.get(ended["Location"])
    assert "分钟未操作，已自动退出" in login_page.content.decode()
    assert client.get(PAGE).status_code == 302  # signed out for good


def test_an_active_session_still_ends_after_its_lifetime(client, county_admin):
    client.force_login(county_admin)
    assert client.get(PAGE).status_code == 200
    _age(client, signed_in_hours=django_settings.SESSION_ABSOLUTE_HOURS + 0.1)
    assert client.get(PAGE).status_code == 302
    # a new sign-in starts a new lifetime
    client.force_login(county_admin)
    assert client.get(PAGE).status_code == 200


def test_a_session_authenticated_api_call_after_the_timeout_is_refused_in_json(
    client, county_admin, settings
):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    client.force_login(county_admin)
    assert client.get("/api/v1/me/").status_code == 200
    _age(client, active_minutes=6)
    refused = client.get("/api/v1/me/")
    assert refused.status_code in (401, 403)
    assert refused.json()["code"] == "not_authenticated"


def test_a_phone_page_after_the_timeout_goes_to_the_phone_login(client, clerk_a):
    client.force_login(clerk_a)
    _age(client, active_minutes=31)
    ended = client.get("/m/")
    assert ended.status_code == 302
    assert ended["Location"].startswith("/m/login/")
