"""Every figure of the 工作台 equals the database: each statistics selector against direct ORM counts,
scoped to the user, reading the approved register (已入库)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Count, Q, Sum
from django.http import Http404

from assistance.models import AssistanceMeasure, DibaoCase, PaymentLine, PaymentRoll, PhaseOut
from assistance.selectors import measure_gaps as gap_list
from core.choices import ReviewState
from core.workflow import services as chain
from households.choices import MemberStatus, PovertyStatus
from households.models import Household, Member
from households.workflow import services
from programs.models import VillagePopulation
from programs.selectors import village_indicators
from reports import refresh
from reports import statistics as stats
from reports.summary_models import RegisterSummary
from tests.factories import household_with_members, region_chain

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def register(village_a, village_b):
    """Households in two townships of one county in every review state, and one in another city."""
    made = []
    for village, states in (
        (village_a, [ReviewState.VERIFIED] * 3 + [ReviewState.DRAFT, ReviewState.PENDING_TOWNSHIP]),
        (village_b, [ReviewState.VERIFIED] * 2 + [ReviewState.RETURNED_TO_VILLAGE]),
    ):
        for i, state in enumerate(states):
            status = [PovertyStatus.NOT_EXITED, PovertyStatus.EXITED_WITH_POLICY][i % 2]
            made.append(
                household_with_members(2 + i % 2, village=village, review_state=state, poverty_status=status)
            )
    # a member who moved out does not count; an archived household does not count
    Member.objects.filter(household=made[0]).exclude(relation="head").update(
        member_status=MemberStatus.MOVED_OUT, status_date=TODAY
    )
    archived = household_with_members(2, village=village_a, review_state=ReviewState.VERIFIED)
    Household.objects.filter(pk=archived.pk).update(archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    AssistanceMeasure.objects.create(
        household=made[1], kind="industry", content="养牛", date=TODAY, responsible_unit="县农业局"
    )
    other = region_chain("210102001001", ("辽宁省", "沈阳市", "和平区", "南湖街道", "丙村"))
    household_with_members(3, village=other, review_state=ReviewState.VERIFIED)
    return made


def approved_orm(prefix):
    return Household.objects.filter(
        village__code__startswith=prefix, review_state=ReviewState.VERIFIED, archived_at__isnull=True
    )


def test_poverty_status_equals_direct_orm_counts_per_township(register, county_admin, village_a, village_b):
    rows = stats.poverty_status(county_admin)
    got = {(r["code"], r["status"]): (r["households"], r["persons"]) for r in rows}
    want = {}
    for village in (village_a, village_b):
        township = village.code[:9]
        for status, n in approved_orm(township).values_list("poverty_status").annotate(n=Count("id")):
            persons = Member.objects.filter(
                household__in=approved_orm(township).filter(poverty_status=status),
                member_status=MemberStatus.NORMAL,
            ).count()
            want[(township, status)] = (n, persons)
    assert got == want
    assert {r["name"] for r in rows} == {"西丰镇", "平岗镇"}


def test_review_state_counts_every_state_but_archived(register, county_admin, village_a):
    got = {(r["code"], r["state"]): r["households"] for r in stats.review_state(county_admin)}
    want = {
        (code[:9], state): n
        for code, state, n in Household.objects.filter(
            village__code__startswith="211223", archived_at__isnull=True
        )
        .values_list("village_id", "review_state")
        .annotate(n=Count("id"))
    }
    assert got == want
    assert got[(village_a.code[:9], ReviewState.DRAFT)] == 1


def test_measure_gaps_equal_the_gap_list(register, county_admin, village_a):
    rows = {r["code"]: r for r in stats.measure_gaps(county_admin)}
    annotated = gap_list(user=county_admin, as_of=dt.date.today()).filter(review_state=ReviewState.VERIFIED)
    for township, row in rows.items():
        mine = annotated.filter(village__code__startswith=township)
        assert row["households"] == mine.count()
        assert row["gap_industry"] == mine.filter(has_industry=False).count()
        assert row["gap_employment"] == mine.filter(has_able_member=True, has_stable_job=False).count()
    assert rows[village_a.code[:9]]["gap_industry"] == 2  # 3 approved, one with an industry project


def test_incidence_equals_the_live_village_indicators(register, county_admin, village_a, village_b):
    VillagePopulation.objects.create(village=village_a, year=TODAY.year, agricultural_population=300)
    rows = {r["code"]: r for r in stats.incidence(county_admin, as_of=TODAY)}
    live = {v.code: v for v in village_indicators(user=county_admin, as_of=TODAY)}
    assert set(rows) == set(live)
    for code, row in rows.items():
        assert row["not_exited_persons"] == live[code].not_exited_people
        assert row["persons"] == live[code].people
        assert row["rate_pct"] == live[code].decision.amounts.get("incidence_pct")
        assert row["meets"] == live[code].decision.eligible
    assert rows[village_a.code]["threshold_pct"] == Decimal("2.00")  # the seeded 中部 parameter
    assert rows[village_b.code]["rate_pct"] is None  # no population registered


def test_township_sees_its_villages_and_nothing_outside(register, township_reviewer_a, village_a, village_b):
    rows = stats.poverty_status(township_reviewer_a)
    assert {r["code"] for r in rows} == {village_a.code}
    assert sum(r["households"] for r in rows) == approved_orm(village_a.code).count()
    with pytest.raises(Http404):
        stats.poverty_status(township_reviewer_a, village_b.code)
    with pytest.raises(Http404):
        stats.review_state(township_reviewer_a, "210102001001")


def test_city_groups_by_county_and_drills_down(register, city_supervisor, village_a):
    rows = stats.review_state(city_supervisor)
    assert {r["code"] for r in rows} == {"211223"}
    drilled = stats.review_state(city_supervisor, village_a.parent.code)
    assert {r["code"] for r in drilled} == {village_a.code}


def test_summary_follows_each_commit_of_a_village(
    county_admin, clerk_a, village_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        household_with_members(2, village=village_a, review_state=ReviewState.PENDING_TOWNSHIP)
    before = {r["state"]: r["households"] for r in stats.review_state(county_admin, village_a.parent.code)}
    assert before == {ReviewState.PENDING_TOWNSHIP: 1}
    with django_capture_on_commit_callbacks(execute=True):
        household = household_with_members(2, village=village_a, created_by=clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        chain.submit(record=household, user=clerk_a)
    after = {r["state"]: r["households"] for r in stats.review_state(county_admin, village_a.parent.code)}
    assert after == {ReviewState.PENDING_TOWNSHIP: 2}
    with django_capture_on_commit_callbacks(execute=True):
        Member.objects.filter(household=household).first().save()  # a member saved: persons recounted
    total = RegisterSummary.objects.filter(village=village_a).values_list("persons", flat=True)
    assert (
        sum(total)
        == Member.objects.filter(
            household__village=village_a,
            household__archived_at__isnull=True,
            member_status=MemberStatus.NORMAL,
        ).count()
    )


def test_a_pending_change_request_counts_as_the_approved_version(register, county_admin, clerk_a, village_a):
    household = register[0]
    refresh.refresh_county(village_a.code[:6].ljust(12, "0"))
    before = stats.poverty_status(county_admin)
    services.open_change_request(
        household=household, user=clerk_a, changes={"household": {"phone": "13911112222"}}, note="改电话"
    )
    refresh.refresh_villages([village_a.code])
    assert stats.poverty_status(county_admin) == before


def month(n):
    return dt.date(2026, n, 1)


def test_dibao_monthly_equals_the_confirmed_rolls(
    register, county_admin, township_reviewer_a, village_a, village_b
):
    county = village_a.parent.parent
    case_a = DibaoCase.objects.create(household=register[0], applied_on=month(1), status="active")
    case_b = DibaoCase.objects.create(household=register[5], applied_on=month(1), status="active")
    for m, status in ((month(10), "confirmed"), (month(11), "draft"), (dt.date(2025, 10, 1), "confirmed")):
        roll = PaymentRoll.objects.create(county=county, month=m, program="dibao", line_count=2)
        for case, amount, persons in ((case_a, "410.50", 2), (case_b, "300.00", 3)):
            PaymentLine.objects.create(
                roll=roll, month=m, program="dibao", case_id=case.pk, household=case.household,
                payee_name="户主", covered_persons=persons, total_amount=Decimal(amount),
            )  # fmt: skip
        PaymentRoll.objects.filter(pk=roll.pk).update(status=status)
    rows = {r["month"]: r for r in stats.dibao_monthly(county_admin, today=TODAY)}
    assert list(rows) == [m.isoformat() for m in stats.last_months(TODAY)]
    assert rows["2026-10-01"] == {
        "month": "2026-10-01",
        "households": 2,
        "persons": 5,
        "amount": Decimal("710.50"),
    }
    assert rows["2026-11-01"]["households"] == 0  # a draft roll is not paid yet
    assert "2025-10-01" not in rows  # older than 12 months
    mine = {r["month"]: r for r in stats.dibao_monthly(township_reviewer_a, today=TODAY)}
    assert mine["2026-10-01"]["amount"] == Decimal("410.50")  # only the township's own village


def test_phase_outs_equal_direct_counts(register, county_admin, village_a):
    case = DibaoCase.objects.create(household=register[0], applied_on=month(1), status="phasing_out")
    PhaseOut.objects.create(
        case=case, trigger="other", proposed_on=month(3), proposed_income=5000, status="active"
    )
    other = DibaoCase.objects.create(household=register[2], applied_on=month(1), status="active")
    PhaseOut.objects.create(case=other, trigger="other", proposed_on=month(3), proposed_income=5000)
    rows = stats.phase_outs(county_admin)
    want = PhaseOut.objects.filter(case__household__village__code__startswith=village_a.code[:9]).aggregate(
        active=Count("id", filter=Q(status="active")), proposed=Count("id", filter=Q(status="proposed"))
    )
    assert rows == [{"code": village_a.code[:9], "name": "西丰镇", **want}]
    assert want == {"active": 1, "proposed": 1}


def test_nightly_task_rebuilds_every_county(register, county_admin, village_a):
    from reports.summary_models import SummaryRefresh
    from reports.tasks import refresh_statistics

    RegisterSummary.objects.all().delete()
    assert refresh_statistics() == 2  # 西丰县 and 和平区
    assert SummaryRefresh.objects.count() == 2
    total = sum(RegisterSummary.objects.filter(village=village_a).values_list("households", flat=True))
    assert total == Household.objects.filter(village=village_a, archived_at__isnull=True).count()


def test_incidence_uses_the_latest_registered_population(register, county_admin, village_a):
    VillagePopulation.objects.create(village=village_a, year=TODAY.year - 1, agricultural_population=400)
    row = next(r for r in stats.incidence(county_admin, as_of=TODAY) if r["code"] == village_a.code)
    assert row["population"] == 400
    want = (Decimal(row["not_exited_persons"]) * 100 / 400).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert row["rate_pct"] == want


def test_statistics_api_is_in_the_schema_and_answers_the_selector(client, register, county_admin, village_a):
    from rest_framework.test import APIClient

    client.force_login(county_admin)
    schema = client.get("/api/schema/").content.decode()
    for name in stats.STATISTICS:
        assert f"/api/v1/statistics/{name}/{{code}}/" in schema
    api = APIClient()
    api.force_authenticate(county_admin)
    response = api.get(f"/api/v1/statistics/review-state/{village_a.parent.code}/")
    assert response.status_code == 200
    assert response.json() == [
        {**row, "households": row["households"]}
        for row in stats.review_state(county_admin, village_a.parent.code)
    ]


def test_a_confirmed_township_import_rebuilds_its_villages(
    township_reviewer_a, village_a, django_capture_on_commit_callbacks
):
    from households.models import ImportBatch

    refresh.refresh_county(village_a.code[:6].ljust(12, "0"))
    Household.objects.bulk_create(  # an import writes rows without model signals
        [Household(household_no=f"IMP{i}", village=village_a, main_cause="illness") for i in range(3)]
    )
    assert RegisterSummary.objects.filter(village=village_a).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        ImportBatch.objects.create(
            original_name="乡镇.xlsx",
            created_by=township_reviewer_a,
            region=village_a.parent,
            status=ImportBatch.Status.IMPORTED,
        )
    assert RegisterSummary.objects.get(village=village_a, review_state=ReviewState.DRAFT).households == 3


@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_of_one_village_at_once_do_not_collide(village_a):
    """Two clerks saving in the same village commit at nearly the same time: both rebuild the village's
    summary rows. The second waits for the first instead of inserting rows it cannot see yet (which
    broke the unique constraint after the household had been saved)."""
    import threading
    import time

    from django.db import connection, transaction

    household_with_members(2, village=village_a, review_state=ReviewState.VERIFIED)
    first_holds_rows = threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                refresh.refresh_villages([village_a.code])
                first_holds_rows.set()
                time.sleep(1.0)  # the second rebuild starts while these rows are uncommitted
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def second():
        try:
            first_holds_rows.wait(30)
            refresh.refresh_villages([village_a.code])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert RegisterSummary.objects.filter(village=village_a).aggregate(n=Sum("households"))["n"] == 1


def test_one_page_reads_each_scope_its_own_summary(register, county_admin, village_a, village_b):
    """Within one page (shared_reads) the register summary is read once per scope: the county's
    figures and a township's drill-down never borrow each other's rows."""
    township = village_a.parent.code
    with stats.shared_reads():
        county = stats.review_state(county_admin)
        inside = stats.review_state(county_admin, township)
        gaps = stats.measure_gaps(county_admin, township)
        status = stats.poverty_status(county_admin, township)
    assert {r["code"] for r in county} == {village_a.code[:9], village_b.code[:9]}
    assert {r["code"] for r in inside} == {village_a.code}
    assert (
        sum(r["households"] for r in inside)
        == Household.objects.filter(village=village_a, archived_at__isnull=True).count()
    )
    assert [g["households"] for g in gaps] == [approved_orm(village_a.code).count()]
    assert sum(r["households"] for r in status) == approved_orm(township[:9]).count()


def test_incidence_is_recomputed_when_the_summary_changes(register, county_admin, village_a):
    """The incidence cache's fingerprint (newest refresh and row count of the approved summary, now
    read with the other charts) still changes when a household is approved."""
    VillagePopulation.objects.create(village=village_a, year=2025, agricultural_population=100)
    before = {v["code"]: v for v in stats.incidence(county_admin, as_of=TODAY)}[village_a.code]
    household_with_members(4, village=village_a, review_state=ReviewState.VERIFIED)
    refresh.refresh_villages([village_a.code])
    after = {v["code"]: v for v in stats.incidence(county_admin, as_of=TODAY)}[village_a.code]
    assert after["persons"] == before["persons"] + 4


def test_village_indicator_page_reads_the_summary_not_the_members(
    client, register, county_admin, village_a, village_b
):
    """贫困村退出指标 takes its member counts from the register summary (as the 工作台's 贫困发生率):
    the same figures as the live count, without reading a member (a county's 3 M members took 6 s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    live = {v.code: v for v in village_indicators(user=county_admin, as_of=TODAY)}
    client.force_login(county_admin)
    client.get("/admin/programs/parameter/villages/")  # builds the county's summary on first read
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/programs/parameter/villages/")
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "households_member" in q["sql"]]
    shown = {row.code: row for row in response.context["rows"]}
    assert set(shown) == set(live) == {village_a.code, village_b.code}
    for code, row in shown.items():
        assert (row.people, row.households, row.not_exited_people) == (
            live[code].people,
            live[code].households,
            live[code].not_exited_people,
        )
    assert shown[village_a.code].people > 0
