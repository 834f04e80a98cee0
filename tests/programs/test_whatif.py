import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.choices import ReviewState
from households.income import IncomeComponents
from programs.models import EligibilityResult, Parameter
from programs.rules.whatif import PHASE_OUT, STANDARD, Scenario, apply_change, simulate
from tests.factories import IncomeYearFactory, household_with_members, region_chain, user_for
from tests.programs.helpers import SEED_VERSIONS, household

D = dt.date(2019, 7, 1)
Y = Decimal


def _standard(x):
    return Scenario(kind=STANDARD, as_of=D, region_prefix="211223", standard_year=Y(x))


def test_raising_the_standard_counts_entries_changes_and_budget():
    below = household(3, income=6000)  # 补差 5628/yr = 469.00/month at 3876
    above = household(1, income=4000)  # above 3876, below 4200
    far_above = household(2, income=20000)
    result = simulate([below, above, far_above], SEED_VERSIONS, _standard(4200))
    total = result.total
    assert (total.households, total.people) == (3, 6)
    assert (total.enter_households, total.enter_people) == (1, 1)
    assert (total.change_households, total.change_people) == (1, 3)
    assert total.leave_households == 0
    assert total.budget_before == Y("469.00")
    # (4200×3 − 6000)/12 = 550.00 ; (4200 − 4000)/12 = 16.67
    assert total.budget_after == Y("566.67")
    assert total.budget_difference == Y("97.67")
    assert list(result.by_township) == ["211223100"]


def test_lowering_the_standard_counts_leavers():
    result = simulate([household(1, income=3500)], SEED_VERSIONS, _standard(3000))
    assert (result.total.leave_households, result.total.budget_after) == (1, Y("0.00"))


def test_a_township_override_is_not_touched_by_a_county_change():
    township = [
        *SEED_VERSIONS,
        *[
            v.__class__(**{**v.__dict__, "id": 777, "region_prefix": "211223100", "value": Y(5000)})
            for v in SEED_VERSIONS
            if v.key == "dibao.rural_standard_year"
        ],
    ]
    result = simulate([household(1, income=4000)], township, _standard(4200))
    assert result.total.change_households == 0
    assert result.total.budget_difference == 0


def test_apply_change_closes_running_version_and_keeps_earlier_days():
    changed = apply_change(SEED_VERSIONS, key="pension.age", region_prefix="", valid_from=D, value=65)
    ages = sorted((v.valid_from, v.valid_to, v.value) for v in changed if v.key == "pension.age")
    assert ages == [(dt.date(2017, 7, 8), dt.date(2019, 6, 30), 60), (D, None, 65)]  # S000's date


def test_phase_out_months_scenario():
    receiving = household(
        2, attribute="dibao", income=IncomeComponents(wage=Y(9000), transfer_dibao=Y(2400))
    )  # 4500/person ≥ 3876: would start 渐退; 200/month
    still_poor = household(
        2, attribute="dibao", income=IncomeComponents(wage=Y(3000), transfer_dibao=Y(2400))
    )
    general = household(2, income=IncomeComponents(wage=Y(9000), transfer_dibao=Y(2400)))
    scenario = Scenario(kind=PHASE_OUT, as_of=D, region_prefix="211223", phase_out_months=12)
    result = simulate([receiving, still_poor, general], SEED_VERSIONS, scenario)
    total = result.total
    assert (total.households, total.change_households, total.change_people) == (1, 1, 2)
    # default 6 months flat vs 12 months over a 12-month horizon: 100.00 → 200.00 per month
    assert (total.budget_before, total.budget_after) == (Y("100.00"), Y("200.00"))
    shorter = simulate([receiving], SEED_VERSIONS, Scenario(PHASE_OUT, D, "211223", phase_out_months=3))
    assert shorter.total.leave_households == 1


def test_phase_out_scenario_over_the_maximum_is_rejected():
    from django.core.exceptions import ValidationError

    receiving = household(2, attribute="dibao", income=IncomeComponents(wage=Y(9000), transfer_dibao=Y(2400)))
    with pytest.raises(ValidationError, match="最长 24 个月"):
        simulate([receiving], SEED_VERSIONS, Scenario(PHASE_OUT, D, "211223", phase_out_months=25))


# ---------------------------------------------------------------- admin page


@pytest.mark.django_db
def test_county_admin_runs_whatif_without_writing(client, village_a, village_b, county_admin):
    for village in (village_a, village_b):
        h = household_with_members(3, village=village, review_state=ReviewState.VERIFIED)
        IncomeYearFactory(household=h, wage=Y("6000"))
    params_before = Parameter.objects.count()
    client.force_login(county_admin)
    response = client.get(
        "/admin/programs/parameter/whatif/",
        {"kind": "standard", "as_of": "2019-07-01", "standard_year": "4200"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "西丰镇" in body
    assert "平岗镇" in body
    assert "共 2 户 6 人参与测算" in body
    assert "162.00" in body  # 2 × (550.00 − 469.00)
    assert Parameter.objects.count() == params_before
    assert not EligibilityResult.objects.exists()


@pytest.mark.django_db
def test_whatif_only_for_county_staff(client, township_reviewer_a, city_supervisor, clerk_a):
    for user in (township_reviewer_a, city_supervisor, clerk_a):
        client.force_login(user)
        assert client.get("/admin/programs/parameter/whatif/").status_code == 403


@pytest.mark.django_db
def test_whatif_sees_only_own_county(client, village_a):
    other = household_with_members(
        3,
        village=region_chain("211224100001", ("辽宁省", "铁岭市", "邻县", "某镇", "某村")),
        review_state=ReviewState.VERIFIED,
    )
    IncomeYearFactory(household=other, wage=Y("6000"))
    client.force_login(user_for(village_a.parent.parent))
    body = client.get(
        "/admin/programs/parameter/whatif/",
        {"kind": "standard", "as_of": "2019-07-01", "standard_year": "4200"},
    ).content.decode()
    assert "共 0 户 0 人参与测算" in body


@pytest.mark.django_db
def test_village_indicator_page_for_township(client, township_reviewer_a, village_a):
    household_with_members(3, village=village_a, review_state=ReviewState.VERIFIED)
    client.force_login(township_reviewer_a)
    body = client.get("/admin/programs/parameter/villages/?year=2019").content.decode()
    assert village_a.name in body
    assert "未登记该村农业户籍人口" in body


@settings(max_examples=60, deadline=None)
@given(
    incomes=st.lists(st.integers(min_value=0, max_value=30000), min_size=1, max_size=12),
    sizes=st.lists(st.integers(min_value=1, max_value=5), min_size=12, max_size=12),
    grades=st.lists(st.sampled_from([None, 1, 2, 3]), min_size=12, max_size=12),
    new_standard=st.integers(min_value=2000, max_value=8000),
)
def test_the_shortcut_matches_evaluating_every_household(incomes, sizes, grades, new_standard):
    """Skipping households above both standards gives the same figures as running the full rule."""
    from programs.rules.dibao import decide_dibao
    from programs.rules.disability import decide_disability_living
    from programs.rules.engine import ParameterResolver
    from programs.rules.whatif import Tally, _count, _finish, apply_change, simulate_standard
    from tests.programs.helpers import member

    facts_list = [
        household(members=[member(40, disability_grade=grades[i]) for _ in range(sizes[i])], income=income)
        for i, income in enumerate(incomes)
    ]
    scenario = _standard(new_standard)
    fast = simulate_standard(facts_list, SEED_VERSIONS, scenario).total
    changed = apply_change(
        SEED_VERSIONS,
        key="dibao.rural_standard_year",
        region_prefix="211223",
        valid_from=D,
        value=Y(new_standard),
    )
    before, after = ParameterResolver(SEED_VERSIONS, D), ParameterResolver(changed, D)
    slow = Tally()

    def month(f, p):
        dibao = decide_dibao(f, D, p)
        living = decide_disability_living(f, D, p, dibao_eligible=dibao.eligible)
        return dibao.eligible, dibao.monthly_amount + (living.monthly_amount if dibao.eligible else 0)

    for f in facts_list:
        was, a = month(f, before(f.village_code))
        now, b = month(f, after(f.village_code))
        _count(slow, f.persons, was, now, a, b)
    result = type("R", (), {"by_township": {"x": slow}, "total": Tally()})()
    _finish(result)
    assert fast == result.total


@pytest.mark.django_db
def test_village_indicator_page_shows_a_page_of_villages_and_one_township(
    client, county_admin, village_a, village_b, monkeypatch
):
    """A county's villages a page at a time (a city's 2,000 on one page took up to 0.45 s), and the
    villages of one township when chosen; a township outside the scope is ignored, not shown."""
    from core import scoping
    from tests.factories import region_chain

    monkeypatch.setattr(scoping, "VILLAGES_PER_PAGE", 1)
    client.force_login(county_admin)
    first = client.get("/admin/programs/parameter/villages/")
    second = client.get("/admin/programs/parameter/villages/?page=2")
    shown = [row.code for row in first.context["rows"]] + [row.code for row in second.context["rows"]]
    assert sorted(shown) == sorted([village_a.code, village_b.code])
    assert "第 1 / 2 页" in first.content.decode()
    assert "下一页" in first.content.decode()
    one = client.get(f"/admin/programs/parameter/villages/?township={village_a.parent.code}")
    assert [row.code for row in one.context["rows"]] == [village_a.code]
    elsewhere = region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丙村")).parent
    ignored = client.get(f"/admin/programs/parameter/villages/?township={elsewhere.code}")
    assert ignored.context["vp"].page.paginator.count == 2
    assert "昌图镇" not in ignored.content.decode()


@pytest.mark.django_db
def test_village_indicators_api_and_page_read_one_count(
    client, county_admin, village_a, django_capture_on_commit_callbacks
):
    """The API's 贫困村退出指标 and the admin page take their member counts from the same place (the
    register summary, reports.statistics.village_counts): the same figures for a village, also just
    after a stored household gains a member (the summary follows on commit)."""
    from rest_framework.test import APIClient

    from core.choices import ReviewState
    from tests.factories import MemberFactory, household_with_members

    with django_capture_on_commit_callbacks(execute=True):  # the summary follows each commit
        household = household_with_members(n=3, village=village_a, review_state=ReviewState.VERIFIED)
        household_with_members(n=2, village=village_a)  # not stored yet: not counted
    api = APIClient()
    api.force_authenticate(county_admin)
    client.force_login(county_admin)

    def both():
        row = api.get(f"/api/v1/village-indicators/{village_a.code}/").json()
        page = client.get("/admin/programs/parameter/villages/").context["rows"]
        (shown,) = [r for r in page if r.code == village_a.code]
        return (row["households"], row["people"]), (shown.households, shown.people)

    assert both() == ((1, 3), (1, 3))
    with django_capture_on_commit_callbacks(execute=True):
        MemberFactory(household=household, relation="son")
    assert both() == ((1, 4), (1, 4))
