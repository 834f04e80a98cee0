"""Scenario 67: audit trails nobody edits — API tokens stored hashed and never shown again; the access
log, the login log and the workflow history unchanged and undeleted by any role, the system admin
included, through the admin, the API or SQL run on the application's own database connection."""

from __future__ import annotations

import pgtrigger
import pytest
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as LoginLogRow
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.models import AccessLog, WorkflowEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-12345"  # noqa: S105 - the factories' test password


@pytest.fixture
def superuser():
    return UserFactory(role="system_admin", region=None, is_superuser=True, is_staff=True)


@pytest.fixture
def trails(county_admin, village_a):
    """One row of each audit trail."""
    access = AccessLog.objects.create(
        user=county_admin, role="county_admin", channel="page", region_code=village_a.code,
        record_kind="member", record_id=1, subject="张三", fields="身份证号", reason="核对", ip="10.0.0.9",
    )  # fmt: skip
    event = WorkflowEvent.objects.create(
        record_kind="household", record_id=1, region_code=village_a.code, action="submit",
        from_state="draft", to_state="pending_township", actor=county_admin, actor_role="county_admin",
    )  # fmt: skip
    login = LoginLogRow.objects.create(
        username=county_admin.username, ip_address="10.0.0.9", user_agent="ua", http_accept="*/*",
        path_info="/admin/login/",
    )  # fmt: skip
    failure = AccessFailureLog.objects.create(
        username=county_admin.username, ip_address="10.0.0.8", user_agent="ua", http_accept="*/*",
        path_info="/admin/login/",
    )  # fmt: skip
    return {"access": access, "event": event, "login": login, "failure": failure}


def _token(user) -> str:
    answer = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


def test_scenario_67_a_token_is_stored_as_a_digest_and_shown_only_when_issued(
    client, superuser, county_admin
):
    key = _token(county_admin)
    stored = AuthToken.objects.get(user=county_admin)
    assert stored.digest == hash_token(key)
    with connection.cursor() as cur:
        cur.execute("SELECT row_to_json(t)::text FROM knox_authtoken t")
        assert key not in cur.fetchone()[0]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200

    # The admin shows who holds a token and until when, never the key or its lookup prefix (the
    # row's key in links is the digest, a sha512 of the token that gives nothing back), and mints
    # none: the system admin cannot act through the API as the county.
    client.force_login(superuser)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert client.get("/admin/knox/authtoken/").status_code == 404
    listing = client.get("/admin/core/apitoken/")
    assert listing.status_code == 200
    assert county_admin.username in listing.content.decode()
    page = client.get(f"/admin/core/apitoken/{stored.pk}/change/")
    assert page.status_code == 200
    for shown in (listing.content.decode(), page.content.decode()):
        assert key[:8] not in shown
    assert client.get("/admin/core/apitoken/add/").status_code == 403
    assert AuthToken.objects.count() == 1

    # Revoking is allowed (and kills the token).
    response = client.post(f"/admin/core/apitoken/{stored.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401


def test_scenario_67_the_admin_changes_and_deletes_no_audit_row(client, superuser, trails):
    client.force_login(superuser)
    pages = {
        "access": "/admin/core/accesslog/{}/",
        "event": "/admin/core/workflowevent/{}/",
        "login": "/admin/core/loginlog/{}/",
        "failure": "/admin/core/loginfailure/{}/",
    }
    for name, url in pages.items():
        row = trails[name]
        base = url.format(row.pk)
        assert client.get(base + "change/").status_code == 200, name  # visible, read-only
        assert client.get(base + "delete/").status_code == 403, name
        assert client.post(base + "delete/", {"post": "yes"}).status_code == 403, name
        listing = base.rsplit("/", 2)[0] + "/"
        chosen = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
        client.post(listing, chosen)
        assert type(row).objects.filter(pk=row.pk).exists(), name
    # axes' own pages (which offered delete) are gone
    assert client.get(f"/admin/axes/accesslog/{trails['login'].pk}/delete/").status_code == 404
    assert client.get("/admin/axes/accessattempt/").status_code == 404


def test_scenario_67_the_api_offers_no_write_to_the_workflow_history(as_user, county_admin, trails):
    api = as_user(county_admin)
    url = f"/api/v1/workflow-events/{trails['event'].pk}/"
    assert api.get(url).status_code == 200
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(url, {"reason": "改写"}, format="json").status_code == 405, method
    assert WorkflowEvent.objects.get(pk=trails["event"].pk).reason == ""


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("core_accesslog", "reason", "'改写'"),
        ("core_workflowevent", "reason", "'改写'"),
        ("axes_accesslog", "username", "'someone'"),
        ("axes_accessfailurelog", "username", "'someone'"),
    ],
)
def test_scenario_67_the_database_refuses_update_and_delete_on_the_apps_connection(
    trails, table, column, value
):
    statements = [f"UPDATE {table} SET {column} = {value}", f"DELETE FROM {table}"]  # noqa: S608
    before = _rows(table)
    for sql in statements:
        with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
        # pgtrigger's session switch does not open a door either
        with (
            pytest.raises(DatabaseError, match="只能追加"),
            pgtrigger.ignore("core.AccessLog:access_log_append_only", "core.WorkflowEvent:append_only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql)
    assert _rows(table) == before


def _rows(table: str) -> list:
    with connection.cursor() as cur:
        cur.execute(f"SELECT row_to_json(t)::text FROM {table} t ORDER BY id")  # noqa: S608
        return cur.fetchall()


def test_scenario_67_the_login_log_takes_its_sign_out_time_once_and_nothing_else(trails):
    login = trails["login"]
    now = timezone.now()
    assert LoginLogRow.objects.filter(pk=login.pk).update(logout_time=now) == 1
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
        LoginLogRow.objects.filter(pk=login.pk).update(logout_time=None)
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
        LoginLogRow.objects.filter(pk=login.pk).update(logout_time=now, ip_address="10.1.1.1")
    fresh = LoginLogRow.objects.create(username="x", user_agent="ua", http_accept="*/*", path_info="/")
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
        LoginLogRow.objects.filter(pk=fresh.pk).update(logout_time=now, username="y")


def test_scenario_67_sign_ins_token_requests_and_failures_are_logged(client, settings, county_admin):
    settings.AXES_ENABLED = True
    assert (
        client.post("/admin/login/", {"username": county_admin.username, "password": "wrong"}).status_code
        == 200
    )
    assert (
        client.post("/admin/login/", {"username": county_admin.username, "password": PASSWORD}).status_code
        == 302
    )
    _token(county_admin)
    assert AccessFailureLog.objects.filter(username=county_admin.username).count() == 1
    assert LoginLogRow.objects.filter(username=county_admin.username).count() == 2
    assert not AccessAttempt.objects.exists()  # a success clears the failure counter
    client.post("/admin/logout/")
    assert LoginLogRow.objects.filter(username=county_admin.username, logout_time__isnull=False).count() == 1
