"""Deployment hardening: framing, HTTPS settings, the city read-only, helpers county-only, tokens
that expire and die with the password, bounded bodies, and the former 500s now Chinese 400s."""

import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.api.auth import issue_token
from core.api.parsers import LIST_TOO_LONG, TOO_DEEP
from households.api.serializers import PERIOD_REVERSED
from tests.factories import HelperAssignmentFactory, HelperPersonFactory, valid_id

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_pages_may_be_framed_by_the_same_site_only(client):
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # restored after simpleui removed it
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def _url_of(db: dict) -> str:
    """The migrated test database (the schema check reads parameters) as a URL the settings read back:
    a TCP host and port, or the embedded PostgreSQL's socket directory percent-encoded in the host
    part with no port (make test with DATABASE_URL unset); no password unless there is one."""
    user = quote(db["USER"] or "postgres", safe="")
    if db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}@{host}{port}/{db['NAME']}"


def test_database_url_of_a_socket_directory_or_a_tcp_host_reads_back_as_the_same_database():
    from config.settings.base import env

    for db in (
        {"USER": "postgres", "PASSWORD": "", "HOST": "/work/x/.data/run", "PORT": "", "NAME": "test_fupin"},
        {"USER": "u", "PASSWORD": "p@ss", "HOST": "127.0.0.1", "PORT": "5433", "NAME": "test_fupin"},
    ):
        read = env.db_url_config(_url_of(db))
        read["HOST"], read["PORT"] = unquote(read["HOST"]), str(read["PORT"] or "")
        assert {key: read[key] for key in db} == db


def test_check_deploy_with_production_settings_prints_no_warning():
    from django.db import connection

    env = {
        **os.environ,
        "DATABASE_URL": _url_of(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "fupin.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://fupin.example.gov.cn",
        "DEBUG": "false",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_city_supervisor_is_read_only_in_every_admin(city_supervisor):
    request = _admin_request(city_supervisor)
    writable = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
    ]
    # The one supervisory write besides the spot-check 异议: the 信息比对 outside lists the city
    # uploads for cross-checks (issue 18's design; README's role table does not yet name it).
    assert writable == ["reports.OutsideList"]


def test_city_supervisor_cannot_write_parameters_or_populations_over_the_api(
    as_user, city_supervisor, village_a
):
    api = as_user(city_supervisor)
    parameter = {
        "key": "publicity.min_days",
        "region_prefix": "211223",
        "valid_from": "2031-01-01",
        "value": "9",
    }
    assert api.post("/api/v1/parameters/", {**parameter, "source": "测试"}, format="json").status_code == 403
    population = {"village": village_a.code, "year": 2030, "agricultural_population": 480}
    assert api.post("/api/v1/village-populations/", population, format="json").status_code == 403


def test_helpers_are_edited_by_county_staff_only(
    as_user, clerk_a, township_reviewer_a, county_admin, village_a
):
    helper = HelperPersonFactory(county=village_a.parent.parent)
    url = f"/api/v1/helpers/{helper.pk}/"
    for user in (clerk_a, township_reviewer_a):
        assert as_user(user).patch(url, {"post": "组长"}, format="json").status_code == 403
        model_admin = admin.site._registry[type(helper)]
        assert not model_admin.has_change_permission(_admin_request(user), helper)
    assert as_user(county_admin).patch(url, {"post": "组长"}, format="json").status_code == 200


# ------------------------------------------------------------------ tokens


def _token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_api_tokens_expire_after_the_configured_days(clerk_a, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    key = issue_token(clerk_a)
    token = AuthToken.objects.get(user=clerk_a)
    assert abs(token.expiry - token.created - dt.timedelta(days=30)) < dt.timedelta(seconds=1)
    assert _token_client(key).get("/api/v1/me/").status_code == 200
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = _token_client(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert "令牌已过期" in response.content.decode()
    assert not AuthToken.objects.exists()  # an expired token is deleted when it is shown
    assert "令牌无效" in _token_client(key).get("/api/v1/me/").content.decode()
    # Asking again gives a new token, not the expired one.
    fresh = APIClient().post("/api/v1/auth/token/", {"username": clerk_a.username, "password": "pass-12345"})
    assert fresh.status_code == 200
    assert fresh.json()["token"] != key
    assert _token_client(fresh.json()["token"]).get("/api/v1/me/").status_code == 200


def test_password_change_and_deactivation_revoke_tokens(clerk_a):
    key = issue_token(clerk_a)
    clerk_a.first_name = "改名不影响令牌"
    clerk_a.save()
    assert _token_client(key).get("/api/v1/me/").status_code == 200
    clerk_a.set_password("another-pass-678")
    clerk_a.save()
    assert _token_client(key).get("/api/v1/me/").status_code == 401
    key = issue_token(clerk_a)
    clerk_a.is_active = False
    clerk_a.save()
    assert not AuthToken.objects.filter(user=clerk_a).exists()
    assert _token_client(key).get("/api/v1/me/").status_code == 401


# ------------------------------------------------------------------ bounded bodies


@pytest.mark.parametrize(("count", "message"), [(20_000, "每个列表最多 1000 项"), (51, "每户成员最多 50 人")])
def test_a_household_with_too_many_members_is_refused_before_any_work(
    as_user, clerk_a, village_a, django_assert_max_num_queries, count, message
):
    members = [{"name": f"成员{i}", "id_no": valid_id(), "relation": "son"} for i in range(count)]
    payload = {
        "household_no": "B0001",
        "village": village_a.code,
        "main_cause": "illness",
        "members": members,
    }
    api = as_user(clerk_a)
    with django_assert_max_num_queries(3):  # no member is validated or looked up
        response = api.post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_json_nested_5000_deep_is_a_chinese_400(as_user, clerk_a):
    body = "[" * 5000 + "]" * 5000
    response = as_user(clerk_a).post("/api/v1/households/", body, content_type="application/json")
    assert response.status_code == 400
    assert TOO_DEEP.format(limit=20) in response.content.decode()


def test_overlong_lists_are_a_chinese_400(as_user, clerk_a, settings):
    body = json.dumps({"changes": {"members": [{}] * (settings.API_MAX_LIST_ITEMS + 1)}})
    response = as_user(clerk_a).post("/api/v1/households/", body, content_type="application/json")
    assert response.status_code == 400
    assert LIST_TOO_LONG.format(limit=settings.API_MAX_LIST_ITEMS) in response.content.decode()


# ------------------------------------------------------------------ former 500s


@pytest.mark.parametrize("year", ["0", "99999"])
def test_income_filter_with_an_impossible_year_is_a_400(as_user, county_admin, year):
    response = as_user(county_admin).get("/api/v1/incomes/", {"period_end_year": year})
    assert response.status_code == 400
    assert "period_end_year" in response.content.decode()


def test_periods_ending_before_they_start_are_field_errors(as_user, clerk_a, county_admin, village_a):
    assignment = HelperAssignmentFactory(household__village=village_a, helper__county=village_a.parent.parent)
    url = f"/api/v1/helper-assignments/{assignment.pk}/"
    response = as_user(clerk_a).patch(url, {"start": "2020-01-01", "end": "2019-12-31"}, format="json")
    assert response.status_code == 400
    assert PERIOD_REVERSED in response.content.decode()
    team = {
        "village": village_a.code,
        "dispatching_unit": "县财政局",
        "start": "2020-01-01",
        "end": "2019-01-01",
    }
    response = as_user(county_admin).post("/api/v1/work-teams/", team, format="json")
    assert response.status_code == 400
    assert PERIOD_REVERSED in response.content.decode()


# ------------------------------------------------------------------ every API refusal in one shape


def _shape(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body  # in Chinese
    return body


def test_a_body_over_the_size_limit_gets_the_json_error_shape(as_user, clerk_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"group_name": "a" * 20_000})
    api = as_user(clerk_a)
    refused = api.post("/api/v1/households/", body, content_type="application/json")
    assert _shape(refused, 413)["code"] == "too_large"
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(clerk_a)}")
    assert _shape(token.post("/api/v1/households/", body, content_type="application/json"), 413)


def test_an_unknown_api_address_gets_the_json_error_shape(as_user, clerk_a, client):
    assert _shape(as_user(clerk_a).get("/api/v1/no-such-thing/"), 404)["code"] == "not_found"
    assert _shape(APIClient().get("/api/v2/"), 404)
    assert client.get("/admin/no-such-page/").status_code in (302, 404)  # pages keep their HTML
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]


# ------------------------------------------------------------------ no ID number in any log line


def test_every_log_handler_scrubs_and_the_dev_servers_request_line_carries_no_id(capsys):
    import io
    import logging

    from core.logging import ScrubPersonalData

    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest") or isinstance(handler, logging.NullHandler):
                continue  # pytest's capture; handlers that write nothing
            assert any(isinstance(f, ScrubPersonalData) for f in handler.filters), (logger.name, handler)

    number = valid_id()
    (handler,) = [h for h in logging.getLogger("django.server").handlers if type(h) is logging.StreamHandler]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        line = f"GET /admin/households/member/?q={number} HTTP/1.1"
        logging.getLogger("django.server").info(
            '"%s" %s %s', line, "302", "0", extra={"request": None, "server_time": "now", "status_code": 302}
        )
    finally:
        handler.setStream(previous)
    assert "q=" in stream.getvalue()
    assert number not in stream.getvalue()
    assert number[-4:] in stream.getvalue()
