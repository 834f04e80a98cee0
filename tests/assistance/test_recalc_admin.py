import datetime as dt
from decimal import Decimal

import pytest

from assistance import recalc
from assistance.choices import MeasureKind, RunStatus
from assistance.models import AssistanceMeasure, DibaoCase, RecalculationChunk
from assistance.selectors import households_missing_goals, measure_gaps
from households.choices import Labor
from tests.assistance.factories import active_case, dibao_household, set_income
from tests.factories import IncomeYearFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2020, 10, 20)


def _county(village):
    return village.parent.parent


def test_chunked_recalculation_equals_single_chunk_and_rerun_is_noop(village_a, village_b, county_admin):
    cases = []
    for i in range(7):
        village = village_a if i % 2 else village_b
        hh = dibao_household(
            village=village, income_per_person=1500 + 100 * i, disability_grades=[2] if i == 3 else []
        )
        cases.append(active_case(household=hh, county_user=county_admin))
        set_income(hh, 1000 + 200 * i)
    run = recalc.recalculate_now(region=_county(village_a), as_of=AS_OF, chunk_size=2)
    assert run.status == RunStatus.DONE
    assert run.chunks_total == 4
    assert run.chunks_done == 4
    assert run.households_done == 7
    assert run.cases_changed == 6
    chunked = sorted(DibaoCase.objects.values_list("id", "monthly_amount", "monthly_percap_income"))
    again = recalc.recalculate_now(region=_county(village_a), as_of=AS_OF, chunk_size=100)
    assert again.cases_changed == 0
    assert again.results_changed == 0
    assert sorted(DibaoCase.objects.values_list("id", "monthly_amount", "monthly_percap_income")) == chunked


def test_redelivered_chunk_is_a_noop(village_a, county_admin):
    hh = dibao_household(village=village_a)
    active_case(household=hh, county_user=county_admin)
    set_income(hh, 1000)
    run = recalc.plan_run(region=_county(village_a), as_of=AS_OF)
    chunk = RecalculationChunk.objects.get(run=run)
    assert recalc.run_chunk(chunk_id=chunk.pk) is not None
    assert recalc.run_chunk(chunk_id=chunk.pk) is None
    run.refresh_from_db()
    assert run.chunks_done == 1
    assert run.cases_changed == 1


def test_case_amount_follows_the_local_dibao_income_policy_as_the_programs_decision_does(
    village_a, county_admin
):
    """A county that counts the basic pension as income (dibao.exclude_basic_pension = 否): the
    recalculated case amount and the stored 低保 decision use the same 低保口径."""
    from programs.models import EligibilityResult
    from programs.services import set_parameter

    hh = dibao_household(village=village_a, persons=3, income_per_person=1000)
    case = active_case(household=hh, county_user=county_admin)
    IncomeYearFactory(  # the newer year, with a pension
        household=hh,
        period_start=dt.date(2019, 10, 1),
        period_end=dt.date(2020, 9, 30),
        wage=Decimal("3000"),
        transfer_pension=Decimal("900"),
        basic_pension=Decimal("900"),  # all of the pension is the basic pension
    )
    set_parameter(
        key="dibao.exclude_basic_pension",
        value="false",
        region_prefix=village_a.code[:6],
        valid_from=dt.date(2020, 1, 1),
        source="县民政局文件（测试）",
    )
    recalc.recalculate_now(region=_county(village_a), as_of=AS_OF)
    case.refresh_from_db()
    decision = EligibilityResult.objects.get(household=hh, program_id="dibao")
    assert case.monthly_amount == Decimal("644.00")  # (3876 × 3 − 3900) ÷ 12: the pension counted
    # (the default 口径 would leave it out: (3876 × 3 − 3000) ÷ 12 = 719.00)
    assert decision.monthly_amount == case.monthly_amount


def test_scenario_12_disability_classified_rate_20_percent():
    from programs.rules.dibao import dibao_amount
    from tests.programs.helpers import household, member, seed_params

    params = seed_params(as_of=AS_OF)
    amount = dibao_amount(household(members=[member(40, disability_grade=1)], income=0), AS_OF, params)
    assert amount.classified_month == Decimal("64.60")
    assert amount.care_month == Decimal("50.00")


def test_measure_gaps(village_a, county_admin):
    with_industry = dibao_household(village=village_a)
    AssistanceMeasure.objects.create(
        household=with_industry,
        kind=MeasureKind.INDUSTRY,
        content="肉牛养殖合作社入股",
        amount=5000,
        date=dt.date(2019, 5, 1),
        responsible_unit="县农业农村局",
    )
    with_industry.members.update(work_months=10)
    no_job = dibao_household(village=village_a)
    AssistanceMeasure.objects.create(
        household=no_job,
        kind=MeasureKind.INDUSTRY,
        content="庭院经济",
        date=dt.date(2019, 5, 1),
        responsible_unit="镇政府",
    )
    unable = dibao_household(village=village_a, persons=1)
    unable.members.update(labor=Labor.LOST)
    rows = {h.pk: h for h in measure_gaps(user=county_admin, as_of=AS_OF)}
    assert rows[with_industry.pk].has_industry
    assert rows[with_industry.pk].has_stable_job
    assert rows[no_job.pk].has_able_member
    assert not rows[no_job.pk].has_stable_job
    missing = set(households_missing_goals(user=county_admin, as_of=AS_OF).values_list("pk", flat=True))
    assert missing == {no_job.pk, unable.pk}  # unable lacks an industry project only


def test_case_admin_list_is_scoped(client, village_a, village_b, county_admin, clerk_a, clerk_b):
    hh = dibao_household(village=village_a)
    case = active_case(household=hh, county_user=county_admin)
    client.force_login(clerk_b)
    response = client.get("/admin/assistance/dibaocase/")
    assert response.status_code == 200
    assert f"/admin/assistance/dibaocase/{case.pk}/" not in response.content.decode()
    assert client.get(f"/admin/assistance/dibaocase/{case.pk}/change/").status_code in (302, 404)
    client.force_login(clerk_a)
    assert (
        f"/admin/assistance/dibaocase/{case.pk}/"
        in client.get("/admin/assistance/dibaocase/").content.decode()
    )


@pytest.mark.parametrize(
    "url",
    [
        "/admin/assistance/phaseout/",
        "/admin/assistance/paymentroll/",
        "/admin/assistance/paymentline/",
        "/admin/assistance/changeledgerentry/",
        "/admin/assistance/alert/",
        "/admin/assistance/measuregap/",
        "/admin/assistance/assistancemeasure/",
        "/admin/assistance/recalculationrun/",
        "/admin/assistance/holidaycalendar/",
        "/admin/assistance/tekuncase/",
        "/admin/assistance/disabilitysubsidy/",
    ],
)
def test_admin_pages_open_in_chinese(client, county_admin, url):
    client.force_login(county_admin)
    assert client.get(url).status_code == 200


RUN_ADD = "/admin/assistance/recalculationrun/add/"


def test_county_starts_recalculation_from_admin_and_sees_progress(
    client, village_a, county_admin, django_capture_on_commit_callbacks
):
    hh = dibao_household(village=village_a)
    active_case(household=hh, county_user=county_admin)
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):  # the chunks are queued on commit
        response = client.post(RUN_ADD, {"region": _county(village_a).pk, "as_of": "2020-10-20"})
    assert response.status_code == 302
    from assistance.models import RecalculationRun

    run = RecalculationRun.objects.get()
    assert run.started_by == county_admin
    assert run.status == "done"
    assert run.chunks_total == 1
    assert "进度" in client.get("/admin/assistance/recalculationrun/").content.decode()
    assert run.households_evaluated == 1

    # 全部重算: every household's rules run again although nothing changed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/assistance/recalculationrun/add/",
            {"region": _county(village_a).pk, "as_of": "2020-10-20", "full": "on"},
        )
    assert response.status_code == 302
    full = RecalculationRun.objects.order_by("-id").first()
    assert full.full
    assert full.households_evaluated == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RUN_ADD, {"region": _county(village_a).pk, "as_of": "2020-10-20"})
    assert RecalculationRun.objects.order_by("-id").first().households_evaluated == 0


def test_ledger_admin_hides_other_township(client, village_a, village_b, county_admin):
    from tests.factories import user_for

    case_b = active_case(household=dibao_household(village=village_b), county_user=county_admin)
    client.force_login(user_for(village_a.parent))
    body = client.get("/admin/assistance/changeledgerentry/").content.decode()
    assert case_b.household.household_no not in body


@pytest.mark.parametrize("n", [3, 30])
def test_recalculation_uses_a_fixed_number_of_queries(village_a, county_admin, n, django_assert_num_queries):
    for i in range(n):
        hh = dibao_household(village=village_a, income_per_person=1500)
        if i % 3 == 0:
            active_case(household=hh, county_user=county_admin)
        set_income(hh, 5000 if i == 0 else 1000 + 50 * i)  # the first case gets a 渐退 proposal
    # the same for 3 and 30 households; + earlier 渐退 months of the proposed case, + the withdrawal
    # of 停保建议 of cases back under the standard
    with django_assert_num_queries(39):
        recalc.recalculate_now(region=_county(village_a), as_of=AS_OF)


@pytest.mark.parametrize("n", [3, 30])
def test_case_list_page_uses_a_fixed_number_of_queries(
    client, village_a, county_admin, n, django_assert_num_queries
):
    for _ in range(n):
        active_case(household=dibao_household(village=village_a), county_user=county_admin)
    client.force_login(county_admin)
    # one permission check per admin action (4); the user's permissions for the app list are not read
    # (core/admin/site.py builds the app list only when a template reads it)
    with django_assert_num_queries(10):
        assert client.get("/admin/assistance/dibaocase/").status_code == 200


def test_a_missing_parameter_keeps_the_case_and_is_named_in_chinese_in_the_run_log(village_a, county_admin):
    """No silent default: without a version of classified.stack for the village the case keeps its
    amount, and the run's error log names the parameter in Chinese (never its key)."""
    from programs.models import Parameter

    hh = dibao_household(village=village_a, income_per_person=1500)
    case = active_case(household=hh, county_user=county_admin)
    before = case.monthly_amount
    set_income(hh, 1000)
    Parameter.objects.filter(key="classified.stack").delete()
    run = recalc.recalculate_now(region=_county(village_a), as_of=AS_OF)
    case.refresh_from_db()
    assert case.monthly_amount == before
    assert run.status == RunStatus.DONE
    assert "缺少政策参数「分类施保多类别可叠加」" in run.error
    assert "相关低保案件未重新核算，保留原金额" in run.error
    assert "相关户的政策测算未能完成" in run.error
    assert "classified.stack" not in run.error


def test_measure_add_form_does_not_list_the_scope(client, village_a, clerk_a):
    """帮扶措施 新增 offers household and member by search (autocomplete), not a <select> of every
    household in scope whose label reads its members: the page's queries do not grow with them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import household_with_members

    client.force_login(clerk_a)
    household_with_members(2, village=village_a)
    client.get("/admin/assistance/assistancemeasure/add/")
    with CaptureQueriesContext(connection) as few:
        response = client.get("/admin/assistance/assistancemeasure/add/")
    assert response.status_code == 200
    for _ in range(4):
        household_with_members(2, village=village_a)
    with CaptureQueriesContext(connection) as more:
        response = client.get("/admin/assistance/assistancemeasure/add/")
    assert len(more) == len(few)
    assert "admin-autocomplete" in response.content.decode()


def test_case_list_search_box_finds_by_name_in_scope(client, village_a, village_b, county_admin, clerk_a):
    """低保案件's search box matches as the household list's: a member's name finds the case of the
    household (the default matched only 户编号 and a full ID, joining every member of the scope);
    a case of another village with the same name stays out of the clerk's list."""
    from households.models import Member

    mine = active_case(household=dibao_household(village=village_a), county_user=county_admin)
    theirs = active_case(household=dibao_household(village=village_b), county_user=county_admin)
    Member.objects.filter(household__in=[mine.household, theirs.household], relation="head").update(
        name="胡彬彬"
    )
    other = active_case(household=dibao_household(village=village_a), county_user=county_admin)
    client.force_login(clerk_a)
    page = client.get("/admin/assistance/dibaocase/", {"q": "胡彬"}).content.decode()
    assert f"/admin/assistance/dibaocase/{mine.pk}/change/" in page
    assert f"/admin/assistance/dibaocase/{theirs.pk}/change/" not in page
    assert f"/admin/assistance/dibaocase/{other.pk}/change/" not in page
    client.force_login(county_admin)
    page = client.get("/admin/assistance/dibaocase/", {"q": "胡彬"}).content.decode()
    assert f"/admin/assistance/dibaocase/{theirs.pk}/change/" in page
    number = mine.household.household_no
    page = client.get("/admin/assistance/dibaocase/", {"q": number}).content.decode()
    assert f"/admin/assistance/dibaocase/{mine.pk}/change/" in page
    assert f"/admin/assistance/dibaocase/{other.pk}/change/" not in page


def test_measure_gap_list_searches_by_name_and_reads_its_villages_as_a_range(
    client, village_a, village_b, township_reviewer_a
):
    """帮扶缺口's search box matches as the household list's (a member's name; it matched 户编号 only),
    within the township; the list reads the township's villages as a range of the village index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from households.models import Member
    from tests.factories import household_with_members

    mine = household_with_members(2, village=village_a)
    theirs = household_with_members(2, village=village_b)
    other = household_with_members(2, village=village_a)
    Member.objects.filter(household__in=[mine, theirs], relation="head").update(name="胡彬彬")
    client.force_login(township_reviewer_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/assistance/measuregap/", {"q": "胡彬"}).content.decode()
    assert mine.household_no in page
    assert theirs.household_no not in page
    assert other.household_no not in page
    prefix = village_a.code[:9]
    assert any(f"\"village_id\" >= '{prefix}'" in q["sql"] for q in queries.captured_queries)
