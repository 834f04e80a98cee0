"""Programs, parameters, what-if, 低保/渐退 and exports over HTTP (scoping, roles, Chinese errors)."""

import datetime as dt

import pytest

from assistance.services import phase_out as po_services
from core.choices import ReviewState
from programs.models import Parameter
from tests.assistance.factories import CONFIRM_DAY, active_case, dibao_household
from tests.factories import household_with_members

pytestmark = pytest.mark.django_db


def parameter_payload(prefix, **kwargs):
    data = {
        "key": "dibao.rural_standard_year",
        "region_prefix": prefix,
        "valid_from": "2030-01-01",
        "value": "4200",
        "source": "县民政局文件",
    }
    data.update(kwargs)
    return data


def test_county_sets_a_parameter_for_its_own_county(as_user, county_admin, village_a):
    response = as_user(county_admin).post("/api/v1/parameters/", parameter_payload("211223"), format="json")
    assert response.status_code == 201, response.json()
    row = Parameter.objects.get(pk=response.json()["id"])
    assert (row.region_prefix, row.value, row.created_by) == ("211223", "4200", county_admin)


def test_county_cannot_set_a_parameter_for_the_city(as_user, county_admin):
    response = as_user(county_admin).post("/api/v1/parameters/", parameter_payload("2112"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "region_prefix"
    assert "只能设置本级及下级区划的参数" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("fixture", ["clerk_a", "township_reviewer_a"])
def test_village_and_township_cannot_set_parameters(request, as_user, fixture):
    user = request.getfixturevalue(fixture)
    response = as_user(user).post("/api/v1/parameters/", parameter_payload(user.region.code), format="json")
    assert response.status_code == 403


def test_parameters_list_shows_inherited_and_valid_on(as_user, clerk_a):
    body = as_user(clerk_a).get(
        "/api/v1/parameters/", {"key": "dibao.rural_standard_year", "valid_on": "2019-06-30"}
    )
    assert body.status_code == 200
    rows = body.json()["results"]
    assert rows
    assert all(r["region_prefix"] == "" for r in rows)
    assert rows[0]["value"] == "3876"


def test_what_if_compares_without_saving(as_user, county_admin, village_a):
    household = dibao_household(village=village_a, income_per_person=3500, review_state=ReviewState.VERIFIED)
    api = as_user(county_admin)
    response = api.post(
        "/api/v1/what-if/",
        {
            "household": household.pk,
            "as_of": "2019-10-15",
            "overrides": {"dibao.rural_standard_year": "4200"},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    dibao = {d["program"]: d for d in body["baseline"]}["dibao"]
    simulated = {d["program"]: d for d in body["simulated"]}["dibao"]
    # 3500/person/year against the standard 3876 (S002), then against a simulated 4200.
    assert dibao["eligible"]
    assert simulated["eligible"]
    assert float(simulated["monthly_amount"]) > float(dibao["monthly_amount"])
    assert "dibao" in body["changed"]
    assert not household.eligibility_results.exists()


def test_what_if_unknown_key_is_a_field_error(as_user, county_admin, village_a):
    household = dibao_household(village=village_a, review_state=ReviewState.VERIFIED)
    response = as_user(county_admin).post(
        "/api/v1/what-if/", {"household": household.pk, "overrides": {"no.such.key": "1"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "overrides.no.such.key"


def test_what_if_out_of_scope_household_is_404(as_user, clerk_a, village_b):
    household = dibao_household(village=village_b, review_state=ReviewState.VERIFIED)
    response = as_user(clerk_a).post(
        "/api/v1/what-if/", {"household": household.pk, "overrides": {}}, format="json"
    )
    assert response.status_code == 404


def test_evaluate_stores_results_with_reasons(as_user, county_admin, village_a):
    household = dibao_household(village=village_a, income_per_person=1000, review_state=ReviewState.VERIFIED)
    api = as_user(county_admin)
    response = api.post("/api/v1/eligibility-results/evaluate/", {"household": household.pk}, format="json")
    assert response.status_code == 200, response.json()
    dibao = {r["program"]: r for r in response.json()}["dibao"]
    assert dibao["eligible"]
    assert dibao["reasons"]
    listed = api.get("/api/v1/eligibility-results/", {"program": "dibao", "eligible": "true"}).json()[
        "results"
    ]
    assert [r["household"] for r in listed] == [household.pk]
    assert {r["id"] for r in api.get("/api/v1/households/", {"program": "dibao"}).json()["results"]} == {
        household.pk
    }


def test_phase_out_filters_on_households_and_phase_outs(as_user, county_admin, village_a):
    household = dibao_household(village=village_a, income_per_person=1000)
    case = active_case(household=household, county_user=county_admin)
    po = po_services.propose_phase_out(case=case, on=CONFIRM_DAY, income=4200)
    api = as_user(county_admin)
    response = api.post(
        f"/api/v1/phase-outs/{po.pk}/approve/", {"months": 6, "on": "2019-10-20"}, format="json"
    )
    assert response.status_code == 200, response.json()
    end = dt.date.fromisoformat(response.json()["end"])
    before = str(end + dt.timedelta(days=1))
    assert [p["id"] for p in api.get("/api/v1/phase-outs/", {"ending_before": before}).json()["results"]] == [
        po.pk
    ]
    assert api.get("/api/v1/phase-outs/", {"ending_before": str(end)}).json()["results"] == []
    rows = api.get("/api/v1/households/", {"phase_out_ending_before": before}).json()["results"]
    assert [r["id"] for r in rows] == [household.pk]


def test_scenario_15_phase_out_of_25_months_is_rejected_over_api(as_user, county_admin, village_a):
    household = dibao_household(village=village_a, income_per_person=1000)
    case = active_case(household=household, county_user=county_admin)
    po = po_services.propose_phase_out(case=case, on=CONFIRM_DAY, income=4200)
    response = as_user(county_admin).post(
        f"/api/v1/phase-outs/{po.pk}/approve/", {"months": 25, "on": "2019-10-20"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "months"


def test_small_export_returns_xlsx_and_city_may_only_export_summaries(
    as_user, county_admin, city_supervisor, village_a
):
    household_with_members(village=village_a)
    response = as_user(county_admin).post("/api/v1/exports/", {"ledger": "roster"}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    denied = as_user(city_supervisor).post("/api/v1/exports/", {"ledger": "roster"}, format="json")
    assert denied.status_code == 403


def test_export_ledgers_are_listed(as_user, clerk_a):
    rows = as_user(clerk_a).get("/api/v1/exports/ledgers/").json()
    assert rows[0]["key"] == "county_workbook"
    assert len(rows) == 23  # the workbook, its 14 ledgers; eight sheets on their own
    assert rows[-8] == {"key": "pending_review", "title": "待审核户清单（未入库及变更审核中，不计入台账）"}
    assert rows[-7] == {"key": "crosscheck_hits", "title": "信息比对疑点台账"}
    assert rows[-6] == {"key": "reconciliation", "title": "发放对账表"}
    assert rows[-5] == {"key": "monitoring_leads", "title": "防返贫监测线索台账"}
    assert [row["title"] for row in rows[-4:]] == [
        "扶贫项目库台账",
        "扶贫项目资金使用台账",
        "扶贫项目资产台账",
        "扶贫资产收益分配台账",
    ]


def test_a_second_phase_out_proposal_is_refused_in_chinese_not_a_server_error(
    as_user, county_admin, village_a
):
    case = active_case(household=dibao_household(village=village_a), county_user=county_admin)
    api = as_user(county_admin)
    url = f"/api/v1/dibao-cases/{case.pk}/propose-phase-out/"
    first = api.post(url, {"income": "5000", "on": str(CONFIRM_DAY)}, format="json")
    assert first.status_code == 201, first.content
    again = api.post(url, {"income": "5200", "on": str(CONFIRM_DAY)}, format="json")
    assert again.status_code == 400
    assert again.json()["detail"] == "该案件已有未办结的渐退（拟渐退），不能重复提出"
