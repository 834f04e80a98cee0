"""One household from entry to 已入库 and into a 低保 payment roll, purely over HTTP, with the tokens
of four users (village clerk, township reviewer, county admin, city supervisor)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import valid_id

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "pass-12345"})
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def test_household_from_entry_to_verified_and_into_a_dibao_roll(
    clerk_a, township_reviewer_a, county_admin, city_supervisor, village_a
):
    clerk, township, county, city = (
        token_client(u) for u in (clerk_a, township_reviewer_a, county_admin, city_supervisor)
    )
    today = timezone.localdate()

    # 村: entry with members and a low income year, then submit.
    household = ok(
        clerk.post(
            "/api/v1/households/",
            {
                "household_no": "E2E001",
                "village": village_a.code,
                "main_cause": "illness",
                "bank_name": "农村信用社",
                "bank_account": "6228000011112222",
                "members": [
                    {"name": "王大", "id_no": valid_id(dt.date(1970, 3, 1)), "relation": "head"},
                    {
                        "name": "王二",
                        "id_no": valid_id(dt.date(2010, 5, 1), male=False),
                        "relation": "daughter",
                    },
                    {
                        "name": "李三",
                        "id_no": valid_id(dt.date(1972, 8, 1), male=False),
                        "relation": "spouse",
                    },
                ],
            },
            format="json",
        ),
        201,
    )
    hid = household["id"]
    ok(
        clerk.post(
            "/api/v1/incomes/",
            {"household": hid, "period_start": "2018-10-01", "period_end": "2019-09-30", "wage": "3000.00"},
            format="json",
        ),
        201,
    )
    assert ok(clerk.post(f"/api/v1/households/{hid}/submit/", {}, format="json"))["review_state"] == (
        "pending_township"
    )
    # 镇 and 县 approve; the record is stored (已入库).
    assert (
        ok(township.post(f"/api/v1/households/{hid}/approve/", {"note": "资料齐全"}, format="json"))[
            "review_state"
        ]
        == "pending_county"
    )
    assert (
        ok(county.post(f"/api/v1/households/{hid}/approve/", {}, format="json"))["review_state"] == "verified"
    )
    events = ok(clerk.get(f"/api/v1/households/{hid}/events/"))
    assert [e["action"] for e in events] == ["submit", "approve", "approve"]

    # 低保: application, investigation, 公示 (7 days, ended), county confirmation.
    case = ok(
        clerk.post(
            "/api/v1/dibao-cases/",
            {"household": hid, "applied_on": str(today - dt.timedelta(days=20))},
            format="json",
        ),
        201,
    )
    cid = case["id"]
    ok(township.post(f"/api/v1/dibao-cases/{cid}/start-investigation/", {}, format="json"))
    start = today - dt.timedelta(days=15)
    ok(
        township.post(
            f"/api/v1/dibao-cases/{cid}/publicity/",
            {"start": str(start), "place": "村务公开栏"},
            format="json",
        )
    )
    ok(township.post(f"/api/v1/dibao-cases/{cid}/close-publicity/", {}, format="json"))
    # The township may not confirm (县审核确认): 403.
    assert township.post(f"/api/v1/dibao-cases/{cid}/confirm/", {}, format="json").status_code == 403
    case = ok(county.post(f"/api/v1/dibao-cases/{cid}/confirm/", {}, format="json"))
    assert case["status"] == "active"
    assert float(case["monthly_amount"]) > 0
    month = case["start_month"]

    # 县: the month's 低保 roll has this household's line; confirm it; 市 reads it.
    county_code = village_a.code[:6] + "000000"
    roll = ok(
        county.post("/api/v1/payment-rolls/", {"county": county_code, "month": month}, format="json"), 201
    )
    assert roll["line_count"] == 1
    lines = ok(county.get("/api/v1/payment-lines/", {"roll": roll["id"]}))["results"]
    assert [line["household"] for line in lines] == [hid]
    assert lines[0]["total_amount"] == case["monthly_amount"]
    assert lines[0]["bank_account"] == "**** **** 2222"  # masked: the full value only by a recorded reveal
    assert (
        ok(county.post(f"/api/v1/payment-rolls/{roll['id']}/confirm/", {}, format="json"))["status"]
        == "confirmed"
    )
    seen = ok(city.get(f"/api/v1/payment-rolls/{roll['id']}/"))
    assert seen["status"] == "confirmed"
    stats = ok(city.get(f"/api/v1/regions/{county_code}/statistics/"))
    assert stats["households"] == 1
    assert stats["by_review_state"] == {"verified": 1}
