"""The OpenAPI schema: generated without warnings, served with docs, and fuzzed in-process."""

import os
import time

import pytest
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    # The CI check: `manage.py spectacular --validate --fail-on-warn` (raises on any warning).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    assert "农户列表" in text
    assert "对象不存在或不在您的管辖范围内" in text
    for summary in (
        "特困供养列表",
        "残疾人两项补贴列表",
        "贫困村退出指标",
        "县级政策情景模拟",
        "村修正变更申请",
    ):
        assert summary in text, summary


def test_schema_and_docs_are_served_to_signed_in_users_only(client, clerk_a):
    refused = client.get("/api/schema/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"
    assert client.get("/api/docs/").status_code == 302
    assert "/admin/login/" in client.get("/api/docs/")["Location"]
    client.force_login(clerk_a)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()  # sidecar: served offline


@pytest.fixture
def in_process_wsgi():
    """Django's WSGI handler closes 'old' connections on each request; in a test transaction that
    would close the test's own connection. Disconnect it for in-process runs (as Django's Client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        from config.wsgi import application

        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Per operation and mode; ~40 operations × 2 modes × this many examples stays within a few minutes.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
TIME_BUDGET_SECONDS = int(os.environ.get("SCHEMATHESIS_SECONDS", "180"))


# The village clerk and the county (who may reveal, export 含完整身份信息, edit helpers and parameters).
@pytest.mark.parametrize("role", ["clerk_a", "county_admin"])
def test_schemathesis_finds_no_5xx_and_no_schema_violations(in_process_wsgi, role, request, village_a):
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import load_all_checks
    from schemathesis.specs.openapi import checks

    from core.api.auth import issue_token
    from tests.factories import IncomeYearFactory, VisitFactory, household_with_members

    load_all_checks()
    # Some rows in scope, so that ids 1..n hit real objects as well as 404s.
    for _ in range(3):
        household = household_with_members(n=2, village=village_a)
        IncomeYearFactory(household=household)
        VisitFactory(household=household)
    token = issue_token(request.getfixturevalue(role))
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", in_process_wsgi, headers={"Authorization": f"Token {token}"}
    )
    run_checks = [
        schemathesis.checks.not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_schema_conformance,
    ]
    # Not run: positive_data_acceptance (the schema cannot express ID check digits or scope, so
    # valid-looking data gets a correct 400) and negative_data_rejection (an empty query parameter
    # is treated as absent, as HTML forms send it).
    started = time.monotonic()
    failures = []
    timings = []
    skipped = []
    for result in schema.get_all_operations():
        operation = result.ok()
        modes = [schemathesis.GenerationMode.POSITIVE]
        if len(operation.query) or len(operation.body):
            # Only a query or a body can be made schema-violating (a path segment is any string).
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        for mode in modes:
            if time.monotonic() - started > TIME_BUDGET_SECONDS:
                skipped.append(f"{operation.label} [{mode}]")
                continue

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
            )
            def run(case):
                case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=run_checks)

            began = time.monotonic()
            try:
                run()
            except Exception as exc:  # collect every operation's failure, report them together
                failures.append(f"{operation.label} [{mode}]: {str(exc)[:1500]}")
            timings.append((round(time.monotonic() - began, 1), operation.label, str(mode)))
    print("slowest:", sorted(timings, reverse=True)[:5], "skipped for time:", skipped)
    assert not failures, "\n\n".join(failures)
