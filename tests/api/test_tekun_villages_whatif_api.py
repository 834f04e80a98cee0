"""特困, 两项补贴, village population and indicators (R5), the county what-if and 村修正 of a change
request over HTTP: the same services and selectors as the admin, scoped, with Chinese errors."""

import datetime as dt
from decimal import Decimal

import pytest

from assistance.models import TekunCase
from core.choices import ReviewState
from core.workflow import services as chain
from core.workflow.models import WorkflowEvent
from households.workflow.choices import ChangeState
from programs.models import EligibilityResult, Parameter, VillagePopulation
from tests.assistance.factories import disability_subsidy
from tests.factories import IncomeYearFactory, household_with_members, region_chain, user_for

pytestmark = pytest.mark.django_db
Y = Decimal


# ---------------------------------------------------------------- 特困供养


def test_county_starts_tekun_with_standards_from_parameters(as_user, county_admin, village_a):
    member = household_with_members(n=1, village=village_a).members.get()
    payload = {"member": member.pk, "mode": "dispersed", "self_care": "none", "start_month": "2019-07-15"}
    response = as_user(county_admin).post("/api/v1/tekun-cases/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    case = TekunCase.objects.get(pk=body["id"])
    assert (case.member_id, case.start_month, case.status) == (member.pk, dt.date(2019, 7, 1), "active")
    # 纳入 by the county itself: recorded in the review chain as the county's decision
    assert (body["review_state"], body["applied_by"]) == ("verified", county_admin.pk)
    events = WorkflowEvent.objects.filter(record_kind="tekun_case", record_id=case.pk)
    assert list(events.values_list("action", "to_state")) == [("approve", "verified")]
    assert body["basic_standard"] == str(case.basic_standard)
    assert case.basic_standard > 0
    assert body["self_care_display"] == "全护理"
    listed = as_user(county_admin).get("/api/v1/tekun-cases/", {"mode": "dispersed", "status": "active"})
    assert [row["id"] for row in listed.json()["results"]] == [case.pk]
    assert as_user(county_admin).get("/api/v1/tekun-cases/", {"mode": "centralized"}).json()["results"] == []


def test_tekun_only_for_county_and_only_members_in_scope(
    as_user, clerk_a, county_admin, village_a, village_other_city
):
    inside = household_with_members(n=1, village=village_a).members.get()
    outside = household_with_members(n=1, village=village_other_city).members.get()
    payload = {"mode": "dispersed", "self_care": "full", "start_month": "2019-07-01"}
    denied = as_user(clerk_a).post("/api/v1/tekun-cases/", {**payload, "member": inside.pk}, format="json")
    assert denied.status_code == 403
    foreign = as_user(county_admin).post(
        "/api/v1/tekun-cases/", {**payload, "member": outside.pk}, format="json"
    )
    assert foreign.status_code == 400
    assert foreign.json()["errors"][0]["field"] == "member"
    assert not TekunCase.objects.exists()


# ---------------------------------------------------------------- 两项补贴


def test_disability_subsidies_are_listed_in_scope_and_filtered(
    as_user, township_reviewer_a, village_a, village_other_city
):
    def subsidy(village, kind):
        member = household_with_members(n=1, village=village).members.get()
        return disability_subsidy(member=member, kind=kind)

    living, care = subsidy(village_a, "living"), subsidy(village_a, "care")
    subsidy(village_other_city, "living")
    api = as_user(township_reviewer_a)
    rows = api.get("/api/v1/disability-subsidies/").json()["results"]
    assert {row["id"] for row in rows} == {living.pk, care.pk}
    only_care = api.get("/api/v1/disability-subsidies/", {"kind": "care"}).json()["results"]
    assert [(row["id"], row["kind_display"]) for row in only_care] == [(care.pk, "护理补贴")]
    assert api.get(f"/api/v1/disability-subsidies/{care.pk}/").json()["monthly_amount"] == "80.00"


# ---------------------------------------------------------------- village population and indicators (R5)


def test_county_records_and_corrects_a_village_population(
    as_user, county_admin, clerk_a, village_a, village_other_city
):
    api = as_user(county_admin)
    payload = {"village": village_a.code, "year": 2019, "agricultural_population": 500, "source": "公安户籍"}
    first = api.post("/api/v1/village-populations/", payload, format="json")
    assert first.status_code == 201, first.content
    again = api.post(
        "/api/v1/village-populations/", {**payload, "agricultural_population": 520}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert VillagePopulation.objects.get().agricultural_population == 520
    foreign = api.post(
        "/api/v1/village-populations/", {**payload, "village": village_other_city.code}, format="json"
    )
    assert foreign.status_code == 400
    assert foreign.json()["errors"][0]["field"] == "village"
    year_zero = api.post("/api/v1/village-populations/", {**payload, "year": 0}, format="json")
    assert (year_zero.status_code, year_zero.json()["errors"][0]["field"]) == (400, "year")
    assert as_user(clerk_a).post("/api/v1/village-populations/", payload, format="json").status_code == 403
    rows = as_user(clerk_a).get("/api/v1/village-populations/", {"year": 2019}).json()["results"]
    assert [(row["village"], row["village_name"]) for row in rows] == [(village_a.code, "甲村")]


def test_village_indicator_computes_incidence_against_threshold(
    as_user, township_reviewer_a, village_a, village_b
):
    year = dt.date.today().year
    for _ in range(3):
        household_with_members(n=2, village=village_a, review_state=ReviewState.VERIFIED)
    VillagePopulation.objects.create(village=village_a, year=year, agricultural_population=100)
    api = as_user(township_reviewer_a)
    rows = api.get("/api/v1/village-indicators/").json()["results"]
    assert [row["code"] for row in rows] == [village_a.code]  # village_b is another township
    row = rows[0]
    # 6 not-exited people of 100: 6.00% ≥ 2% (中部 by default) → not met
    assert (row["households"], row["not_exited_people"], row["agricultural_population"]) == (3, 6, 100)
    assert (row["incidence_pct"], row["threshold_pct"], row["meets_exit_standard"]) == ("6.00", "2.00", False)
    assert row["reasons"]
    earlier = api.get(f"/api/v1/village-indicators/{village_a.code}/", {"year": year - 1}).json()
    assert (earlier["agricultural_population"], earlier["incidence_pct"]) == (None, None)
    assert api.get(f"/api/v1/village-indicators/{village_b.code}/").status_code == 404
    assert api.get("/api/v1/village-indicators/", {"region": village_b.code[:9]}).status_code == 400


# ---------------------------------------------------------------- county what-if


def _verified_households():
    village_a = region_chain("211223100001", ("辽宁省", "铁岭市", "西丰县", "西丰镇", "甲村"))
    village_b = region_chain("211223101002", ("辽宁省", "铁岭市", "西丰县", "平岗镇", "乙村"))
    for village in (village_a, village_b):
        household = household_with_members(3, village=village, review_state=ReviewState.VERIFIED)
        IncomeYearFactory(household=household, wage=Y("6000"))


STANDARD_4200 = {"kind": "standard", "as_of": "2019-07-01", "standard_year": "4200"}


@pytest.mark.parametrize("role", ["county", "city"])
def test_region_whatif_gives_the_admin_figures_and_writes_nothing(
    as_user, county_admin, city_supervisor, village_a, role
):
    _verified_households()
    params_before = Parameter.objects.count()
    user = county_admin if role == "county" else city_supervisor
    county = village_a.parent.parent
    response = as_user(user).post(f"/api/v1/regions/{county.code}/what-if/", STANDARD_4200, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"]["households"], body["total"]["people"]) == (2, 6)
    assert body["total"]["budget_difference"] == "162.00"  # 2 × (550.00 − 469.00), as on the admin page
    assert [(t["township"], t["name"]) for t in body["by_township"]] == [
        ("211223100", "西丰镇"),
        ("211223101", "平岗镇"),
    ]
    assert Parameter.objects.count() == params_before
    assert not EligibilityResult.objects.exists()


def test_region_whatif_scope_roles_and_input_errors(as_user, county_admin, township_reviewer_a, village_a):
    other_county = region_chain("211224100001", ("辽宁省", "铁岭市", "邻县", "某镇", "某村")).parent.parent
    county = village_a.parent.parent
    api = as_user(county_admin)
    assert (
        api.post(f"/api/v1/regions/{other_county.code}/what-if/", STANDARD_4200, format="json").status_code
        == 404
    )
    # the township reviewer's scope does not include the county itself
    township_api = as_user(township_reviewer_a)
    assert township_api.post(f"/api/v1/regions/{county.code}/what-if/", STANDARD_4200).status_code == 404
    api = as_user(county_admin)  # one client: log back in as the county
    village = api.post(f"/api/v1/regions/{village_a.code}/what-if/", STANDARD_4200, format="json")
    assert (village.status_code, village.json()["detail"]) == (400, "情景模拟按县进行，请选择县级区划")
    missing = api.post(f"/api/v1/regions/{county.code}/what-if/", {"kind": "standard"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0] == {
        "field": "standard_year",
        "message": "请填写拟调整的农村低保标准",
        "code": "invalid",
    }
    no_months = api.post(f"/api/v1/regions/{county.code}/what-if/", {"kind": "phase_out"}, format="json")
    assert no_months.json()["errors"][0]["message"] == "请填写拟设置的渐退月数"


# ---------------------------------------------------------------- 村修正 of a change request


def test_clerk_amends_a_returned_change_request(
    as_user, clerk_a, township_reviewer_a, county_admin, village_a
):
    household = household_with_members(2, village=village_a, created_by=clerk_a)
    IncomeYearFactory(household=household)
    chain.submit(record=household, user=clerk_a)
    chain.approve(record=household, user=township_reviewer_a)
    chain.approve(record=household, user=county_admin)
    api = as_user(clerk_a)
    opened = api.post(
        f"/api/v1/households/{household.pk}/change-request/",
        {"changes": {"household": {"phone": "13911112222"}}, "note": "改电话"},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    change_id = opened.json()["id"]
    amend = {"changes": {"household": {"phone": "13700000000"}}, "note": "更正号码"}
    not_returned = api.post(f"/api/v1/change-requests/{change_id}/amend/", amend, format="json")
    assert not_returned.status_code == 400
    returned = as_user(township_reviewer_a).post(
        f"/api/v1/change-requests/{change_id}/return/", {"reason": "号码有误"}, format="json"
    )
    assert returned.json()["state"] == ChangeState.RETURNED_TO_VILLAGE
    assert (
        as_user(township_reviewer_a)
        .post(f"/api/v1/change-requests/{change_id}/amend/", amend, format="json")
        .status_code
        == 403
    )
    response = as_user(clerk_a).post(f"/api/v1/change-requests/{change_id}/amend/", amend, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["note"]) == (ChangeState.PENDING_TOWNSHIP, "更正号码")
    # only the amended values are shown; the replaced ones stay as history
    assert [item["new_values"] for item in body["items"]] == [{"phone": "137****0000"}]  # masked


def test_user_outside_scope_cannot_see_or_amend(as_user, village_other_city, village_a, clerk_a):
    from households.workflow.models import ChangeRequest

    other = household_with_members(1, village=village_other_city)
    change = ChangeRequest.objects.create(household=other, created_by=user_for(village_other_city))
    response = as_user(clerk_a).post(
        f"/api/v1/change-requests/{change.pk}/amend/",
        {"changes": {"household": {"phone": "1"}}},
        format="json",
    )
    assert response.status_code == 404


# ---------------------------------------------------------------- 帮扶缺口 (seed 003 goals)


def _measure(household, kind, **kwargs):
    from assistance.models import AssistanceMeasure

    return AssistanceMeasure.objects.create(
        household=household,
        kind=kind,
        content="帮扶",
        date=dt.date(2019, 10, 1),
        responsible_unit="县农业局",
        **kwargs,
    )


def test_measure_gaps_list_households_missing_a_goal(
    as_user, township_reviewer_a, village_a, village_other_city
):
    covered = household_with_members(n=2, village=village_a)
    _measure(covered, "industry")
    _measure(covered, "employment", is_stable_employment=True)
    bare = household_with_members(n=2, village=village_a)
    household_with_members(n=2, village=village_other_city)
    api = as_user(township_reviewer_a)
    rows = {row["id"]: row for row in api.get("/api/v1/measure-gaps/").json()["results"]}
    assert set(rows) == {covered.pk, bare.pk}
    assert (rows[covered.pk]["industry_ok"], rows[covered.pk]["employment_ok"]) == (True, True)
    assert rows[bare.pk]["industry_ok"] is False
    missing = api.get("/api/v1/measure-gaps/", {"missing": "true"}).json()["results"]
    assert [row["id"] for row in missing] == [bare.pk]
    complete = api.get("/api/v1/measure-gaps/", {"missing": "false"}).json()["results"]
    assert [row["id"] for row in complete] == [covered.pk]
    assert api.get(f"/api/v1/measure-gaps/{covered.pk}/").json()["village_name"] == "甲村"


# ---------------------------------------------- 特困 and 护理补贴 applications through the chain


def _chain_events(kind, pk):
    rows = WorkflowEvent.objects.filter(record_kind=kind, record_id=pk).order_by("id")
    return list(rows.values_list("action", "to_state", "reason"))


def test_tekun_application_passes_village_township_county_over_http(
    as_user, clerk_a, township_reviewer_a, county_admin, village_a
):
    member = household_with_members(n=1, village=village_a).members.get()
    payload = {"member": member.pk, "mode": "dispersed", "self_care": "partial"}
    applied = as_user(clerk_a).post("/api/v1/tekun-cases/apply/", payload, format="json")
    assert applied.status_code == 201, applied.content
    pk = applied.json()["id"]
    assert (applied.json()["status"], applied.json()["review_state"]) == ("pending", "pending_township")
    url = f"/api/v1/tekun-cases/{pk}"

    assert as_user(clerk_a).post(f"{url}/approve/", {}, format="json").status_code == 403
    no_reason = as_user(township_reviewer_a).post(f"{url}/return/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0]["field"] == "reason"
    returned = as_user(township_reviewer_a).post(
        f"{url}/return/", {"reason": "缺少能力评估表"}, format="json"
    )
    assert returned.json()["review_state"] == "returned_to_village"
    assert (
        as_user(clerk_a).post(f"{url}/submit/", {}, format="json").json()["review_state"]
        == "pending_township"
    )
    to_county = as_user(township_reviewer_a).post(f"{url}/approve/", {"note": "入户核实"}, format="json")
    assert to_county.json()["review_state"] == "pending_county"
    confirmed = as_user(county_admin).post(f"{url}/approve/", {"note": "县审核确认"}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert (body["status"], body["review_state"]) == ("active", "verified")
    assert Decimal(body["basic_standard"]) > 0
    assert _chain_events("tekun_case", pk) == [
        ("submit", "pending_township", ""),
        ("return", "returned_to_village", "缺少能力评估表"),
        ("submit", "pending_township", ""),
        ("approve", "pending_county", "入户核实"),
        ("approve", "verified", "县审核确认"),
    ]
    again = as_user(county_admin).post(f"{url}/approve/", {}, format="json")
    assert again.status_code == 400  # already confirmed: the chain's Chinese message, nothing changes
    assert TekunCase.objects.get(pk=pk).status == "active"


def test_tekun_application_and_steps_stay_inside_the_users_scope(
    as_user, clerk_a, village_a, village_b, village_other_city
):
    outside = household_with_members(n=1, village=village_other_city).members.get()
    payload = {"member": outside.pk, "mode": "dispersed", "self_care": "none"}
    foreign = as_user(clerk_a).post("/api/v1/tekun-cases/apply/", payload, format="json")
    assert foreign.status_code == 400
    assert foreign.json()["errors"][0]["field"] == "member"
    other_village = household_with_members(n=1, village=village_b).members.get()
    clerk_b = user_for(village_b)
    applied = as_user(clerk_b).post(
        "/api/v1/tekun-cases/apply/", {**payload, "member": other_village.pk}, format="json"
    )
    assert applied.status_code == 201
    # village a's clerk neither sees nor resubmits village b's application
    assert as_user(clerk_a).post(f"/api/v1/tekun-cases/{applied.json()['id']}/submit/").status_code == 404


def test_stand_alone_care_subsidy_application_is_confirmed_by_the_county_over_http(
    as_user, clerk_a, township_reviewer_a, county_admin, village_a
):
    household = household_with_members(n=1, village=village_a)
    member = household.members.get()
    member.disability_type, member.disability_grade = "physical", 1
    member.save(update_fields=["disability_type", "disability_grade"])
    living = as_user(clerk_a).post(
        "/api/v1/disability-subsidies/", {"member": member.pk, "kind": "living"}, format="json"
    )
    assert living.status_code == 400  # 生活补贴 only with a 低保 case
    applied = as_user(clerk_a).post("/api/v1/disability-subsidies/", {"member": member.pk}, format="json")
    assert applied.status_code == 201, applied.content
    pk = applied.json()["id"]
    assert (applied.json()["kind"], applied.json()["review_state"]) == ("care", "pending_township")
    url = f"/api/v1/disability-subsidies/{pk}"
    as_user(township_reviewer_a).post(f"{url}/approve/", {}, format="json")
    confirmed = as_user(county_admin).post(f"{url}/approve/", {}, format="json").json()
    assert (confirmed["status"], confirmed["review_state"]) == ("active", "verified")
    assert Decimal(confirmed["monthly_amount"]) > 0
    assert [a for a, _, _ in _chain_events("disability_subsidy", pk)] == ["submit", "approve", "approve"]
