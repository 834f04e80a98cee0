"""Issue 22 hardening: the client's real address behind 0, 1 or 2 proxies (lockout, 个人信息查看记录);
lockout by user name and address together, answered in Chinese on the admin and the API."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from core.models import AccessLog
from core.remote import client_ip
from tests.factories import household_with_members

pytestmark = pytest.mark.django_db

CLIENT, NGINX, EDGE, FORGED = "203.0.113.7", "10.0.0.2", "10.0.0.3", "198.51.100.66"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "", CLIENT, CLIENT),  # no proxy: the connecting address
        (0, FORGED, CLIENT, CLIENT),  # …and a header the client wrote is ignored
        (1, CLIENT, NGINX, CLIENT),  # one nginx sends one entry
        (1, f"{FORGED}, {CLIENT}", NGINX, CLIENT),  # the client's own entry before it is not trusted
        (2, f"{CLIENT}, {EDGE}", NGINX, CLIENT),  # two proxies: two entries
        (2, f"{FORGED}, {CLIENT}, {EDGE}", NGINX, CLIENT),
        (2, CLIENT, NGINX, NGINX),  # fewer entries than proxies: not through both, the connecting address
        (1, "not-an-address", NGINX, NGINX),
    ],
)
def test_the_client_address_is_the_proxy_count_th_forwarded_entry_from_the_right(
    settings, proxies, forwarded, remote, expected
):
    settings.PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_one_nginx_with_proxy_count_1_fills_the_access_logs_address(
    settings, as_user, county_admin, village_a
):
    settings.PROXY_COUNT = 1
    head = household_with_members(n=1, village=village_a).members.get()
    response = as_user(county_admin).post(
        f"/api/v1/members/{head.pk}/reveal/",
        {"reason": "核对"},
        format="json",
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert response.status_code == 200
    assert AccessLog.objects.get().ip == CLIENT


def _admin_login(client, user, password, address):
    return client.post(
        "/admin/login/", {"username": user.username, "password": password}, REMOTE_ADDR=address
    )


def test_lockout_counts_user_name_and_address_together_and_says_so_in_chinese(client, settings, clerk_a):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _admin_login(client, clerk_a, "wrong", "10.9.9.9").status_code == 200
    locked = _admin_login(client, clerk_a, "wrong", "10.9.9.9")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert _admin_login(client, clerk_a, "pass-12345", "10.9.9.9").status_code == 429
    # Someone else's typos elsewhere lock nothing for the owner at her own address.
    assert _admin_login(client, clerk_a, "pass-12345", "10.1.1.1").status_code == 302

    api = APIClient()
    answer = api.post(
        "/api/v1/auth/token/",
        {"username": clerk_a.username, "password": "pass-12345"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert answer.status_code == 429
    body = answer.json()
    assert body["code"] == "locked_out"
    assert "登录失败次数过多" in body["detail"]
    assert body["errors"] == []


def test_the_system_admin_unlocks_an_account_by_deleting_its_lockout(client, settings, clerk_a):
    from axes.models import AccessAttempt

    from tests.factories import UserFactory

    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _admin_login(client, clerk_a, "wrong", "10.9.9.9")
    assert _admin_login(client, clerk_a, "pass-12345", "10.9.9.9").status_code == 429
    lockout = AccessAttempt.objects.get(username=clerk_a.username)

    admin_user = UserFactory(role="system_admin", region=None, is_superuser=True)
    client.force_login(admin_user)
    page = client.get(f"/admin/core/loginlockout/{lockout.pk}/change/").content.decode()
    assert "wrong" not in page  # the failed passwords are not shown (nor stored: axes masks them)
    assert client.post(f"/admin/core/loginlockout/{lockout.pk}/delete/", {"post": "yes"}).status_code == 302
    client.logout()
    assert _admin_login(client, clerk_a, "pass-12345", "10.9.9.9").status_code == 302
